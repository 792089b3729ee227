/* The public model API: the float copy of the model engine behind an opaque handle. */
#include "beam.h"
#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct rnnc_model {
    rnnc__model_f32 *impl;
};

rnnc_status rnnc_model_create(const rnnc_config *cfg, uint64_t seed, rnnc_model **out) {
    if (!out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_model_create: out is NULL");
    *out = NULL;
    rnnc_model *m;
    RNNC_TRY(rnnc__calloc((void **)&m, 1, sizeof *m, "model"));
    rnnc_status st = rnnc__model_create_f32(cfg, seed, &m->impl);
    if (st != RNNC_OK) {
        free(m);
        return st;
    }
    *out = m;
    return RNNC_OK;
}

void rnnc_model_free(rnnc_model *m) {
    if (!m)
        return;
    rnnc__model_free_f32(m->impl);
    free(m);
}

const rnnc_config *rnnc_model_config(const rnnc_model *m) {
    return m ? rnnc__model_config_f32(m->impl) : NULL;
}

rnnc_status rnnc_model_forward(rnnc_model *m, const rnnc_batch *batch, int training) {
    if (!m || !batch)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_model_forward: NULL argument");
    if (batch->T < 1 || batch->B < 1)
        return RNNC_FAIL(RNNC_ERR_SHAPE, "batch: T = %d and B = %d must be >= 1", batch->T,
                         batch->B);
    if (batch->dec_T < 0)
        return RNNC_FAIL(RNNC_ERR_SHAPE, "batch: dec_T = %d must be >= 0", batch->dec_T);
    rnnc__batch_f32 b = {(size_t)batch->T, (size_t)batch->B, batch->ids,           batch->x,
                         batch->lengths,   batch->padding,   (size_t)batch->dec_T, batch->dec_ids};
    return rnnc__model_forward_f32(m->impl, &b, training);
}

const float *rnnc_model_output(const rnnc_model *m, int *ndim, size_t dims[3]) {
    return m ? rnnc__model_output_f32(m->impl, ndim, dims) : NULL;
}

rnnc_status rnnc_model_backward(rnnc_model *m, const float *dout) {
    if (!m)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_model_backward: model is NULL");
    return rnnc__model_backward_f32(m->impl, dout);
}

void rnnc_model_zero_grad(rnnc_model *m) {
    if (!m)
        return;
    memset(rnnc__model_grads_f32(m->impl), 0, rnnc__model_plan_f32(m->impl)->total * sizeof(float));
}

const float *rnnc_model_input_grad(const rnnc_model *m) {
    return m ? rnnc__model_input_grad_f32(m->impl) : NULL;
}

void rnnc_model_set_input_grad(rnnc_model *m, int on) {
    if (m)
        rnnc__model_set_input_grad_f32(m->impl, on);
}

void rnnc_model_set_step_grads(rnnc_model *m, int on) {
    if (m)
        rnnc__model_set_step_grads_f32(m->impl, on);
}

rnnc_status rnnc_model_step_grads(const rnnc_model *m, int layer, const float **dh,
                                  size_t dims[4]) {
    if (!m)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_model_step_grads: model is NULL");
    return rnnc__model_step_grads_f32(m->impl, layer, dh, dims);
}

rnnc_status rnnc_model_step_grad_norms(const rnnc_model *m, int layer, double *norms) {
    if (!norms)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_model_step_grad_norms: norms is NULL");
    const float *dh;
    size_t d[4];
    RNNC_TRY(rnnc_model_step_grads(m, layer, &dh, d));
    const size_t BH = d[2] * d[3];
    for (size_t k = 0; k < d[0] * d[1]; k++) { /* (L*D,T) rows of (B,H) */
        double s = 0;
        for (size_t i = 0; i < BH; i++)
            s += (double)dh[k * BH + i] * dh[k * BH + i];
        norms[k] = sqrt(s);
    }
    return RNNC_OK;
}

rnnc_status rnnc_model_set_trainable(rnnc_model *m, int layer, int on) {
    if (!m)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_model_set_trainable: model is NULL");
    return rnnc__model_set_trainable_f32(m->impl, layer, on);
}

int rnnc_model_trainable(const rnnc_model *m, int layer) {
    return m ? rnnc__model_trainable_f32(m->impl, layer) : 0;
}

int rnnc_model_param_layer(const rnnc_model *m, int i) {
    if (!m)
        return -1;
    const rnnc__plan *p = rnnc__model_plan_f32(m->impl);
    return i >= 0 && i < p->n_params ? p->params[i].layer : -1;
}

int rnnc_model_param_trainable(const rnnc_model *m, int i) {
    if (!m)
        return 0;
    const rnnc__plan *p = rnnc__model_plan_f32(m->impl);
    return i >= 0 && i < p->n_params && rnnc__model_trainable_f32(m->impl, p->params[i].layer);
}

rnnc_status rnnc_model_set_state(rnnc_model *m, int layer, int B, const float *h0,
                                 const float *c0) {
    if (!m)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_model_set_state: model is NULL");
    if (h0 && B < 1)
        return RNNC_FAIL(RNNC_ERR_SHAPE, "rnnc_model_set_state: B = %d", B);
    return rnnc__model_set_state_f32(m->impl, layer, h0 ? (size_t)B : 0, h0, c0);
}

rnnc_status rnnc_model_final_state(const rnnc_model *m, int layer, const float **h,
                                   const float **c) {
    if (!m)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_model_final_state: model is NULL");
    return rnnc__model_final_state_f32(m->impl, layer, h, c);
}

rnnc_status rnnc_model_set_final_state_grad(rnnc_model *m, int layer, const float *dh,
                                            const float *dc) {
    if (!m)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_model_set_final_state_grad: model is NULL");
    return rnnc__model_set_final_state_grad_f32(m->impl, layer, dh, dc);
}

rnnc_status rnnc_model_initial_state_grad(const rnnc_model *m, int layer, const float **dh0,
                                          const float **dc0) {
    if (!m)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_model_initial_state_grad: model is NULL");
    return rnnc__model_initial_state_grad_f32(m->impl, layer, dh0, dc0);
}

rnnc_status rnnc_model_layer_info(const rnnc_model *m, int i, const char **name, const char **kind,
                                  size_t *out_features, int *sequence) {
    if (!m)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_model_layer_info: model is NULL");
    const rnnc__plan *p = rnnc__model_plan_f32(m->impl);
    if (i < 0 || i >= p->n_layers)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_model_layer_info: index %d is outside [0, %d)", i,
                         p->n_layers);
    const rnnc__plan_layer *L = &p->layer[i];
    if (name)
        *name = L->name;
    if (kind)
        *kind = rnnc__kind_name(L->kind);
    if (out_features)
        *out_features = L->out;
    if (sequence)
        *sequence = L->seq_out;
    return RNNC_OK;
}

int rnnc_model_param_count(const rnnc_model *m) {
    return m ? rnnc__model_plan_f32(m->impl)->n_params : 0;
}

rnnc_status rnnc_model_param_info(const rnnc_model *m, int i, const char **name, int *ndim,
                                  size_t dims[2]) {
    if (!m)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_model_param_info: model is NULL");
    const rnnc__plan *p = rnnc__model_plan_f32(m->impl);
    if (i < 0 || i >= p->n_params)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_model_param_info: index %d is outside [0, %d)", i,
                         p->n_params);
    if (name)
        *name = p->params[i].name;
    if (ndim)
        *ndim = p->params[i].ndim;
    if (dims)
        dims[0] = p->params[i].dims[0], dims[1] = p->params[i].dims[1];
    return RNNC_OK;
}

static float *view(rnnc_model *m, const char *name, size_t *n, float *arena) {
    if (!m || !name) {
        RNNC_FAIL(RNNC_ERR_ARG, "parameter lookup: NULL argument");
        return NULL;
    }
    const rnnc__plan *p = rnnc__model_plan_f32(m->impl);
    int i = rnnc__plan_find(p, name);
    if (i < 0) {
        RNNC_FAIL(RNNC_ERR_ARG, "no parameter named '%s'", name);
        return NULL;
    }
    if (n)
        *n = p->params[i].size;
    return arena + p->params[i].offset;
}

float *rnnc_model_param(rnnc_model *m, const char *name, size_t *n) {
    return view(m, name, n, m ? rnnc__model_params_f32(m->impl) : NULL);
}

float *rnnc_model_grad(rnnc_model *m, const char *name, size_t *n) {
    return view(m, name, n, m ? rnnc__model_grads_f32(m->impl) : NULL);
}

rnnc_status rnnc_model_param_set(rnnc_model *m, const char *name, const float *src, size_t n) {
    size_t have;
    float *dst = rnnc_model_param(m, name, &have);
    if (!dst)
        return RNNC_ERR_ARG;
    if (!src)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_model_param_set: src is NULL");
    if (n != have)
        return RNNC_FAIL(RNNC_ERR_SHAPE, "parameter '%s' has %zu values, not %zu", name, have, n);
    memcpy(dst, src, n * sizeof(float));
    return RNNC_OK;
}

float *rnnc_model_params(rnnc_model *m, size_t *n) {
    if (!m)
        return NULL;
    if (n)
        *n = rnnc__model_plan_f32(m->impl)->total;
    return rnnc__model_params_f32(m->impl);
}

float *rnnc_model_grads(rnnc_model *m, size_t *n) {
    if (!m)
        return NULL;
    if (n)
        *n = rnnc__model_plan_f32(m->impl)->total;
    return rnnc__model_grads_f32(m->impl);
}

rnnc_rng *rnnc_model_rng(rnnc_model *m) {
    return m ? rnnc__model_rng_f32(m->impl) : NULL;
}

int rnnc_layer_is_recurrent(int kind) {
    return rnnc__is_recurrent(kind);
}

int rnnc_layer_has_cell_state(int kind) {
    for (int c = 0; c < rnnc__n_cells; c++)
        if (rnnc__cells[c]->kind == kind && rnnc__cells[c]->has_c)
            return 1;
    return 0;
}

const float *rnnc_model_attention(const rnnc_model *m, size_t dims[3]) {
    const rnnc__decoder_f32 *d = m ? rnnc__model_decoder_f32(m->impl) : NULL;
    int nd;
    size_t od[3];
    if (!d || !rnnc__model_output_f32(m->impl, &nd, od))
        return NULL;
    if (dims)
        dims[0] = od[0], dims[1] = od[1], dims[2] = rnnc__decoder_source_steps_f32(d);
    return rnnc__decoder_weights_f32(d);
}

rnnc_status rnnc_model_set_teacher_forcing(rnnc_model *m, double ratio) {
    if (!m)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_model_set_teacher_forcing: NULL model");
    return rnnc__model_set_teacher_forcing_f32(m->impl, ratio);
}

void rnnc_decode_spec_defaults(rnnc_decode_spec *out, size_t size) {
    rnnc_decode_spec s;
    memset(&s, 0, sizeof s);
    s.beam = 5, s.length_penalty = 0.6, s.max_ratio = 2, s.max_len = 200;
    s.start = 1, s.end = 3;
    s.struct_size = sizeof s;
    rnnc__spec_fill(out, size, &s, sizeof s);
}

typedef struct decoding {
    rnnc__model_f32 *m;
    size_t V;
} decoding;

/* The beam search's step: the decoder's logits, then log-softmax per row (in double). */
static rnnc_status decode_step(void *ctx, size_t R, const int32_t *parent, const int32_t *ids,
                               float *logp) {
    decoding *d = ctx;
    const float *lg;
    RNNC_TRY(rnnc__model_decode_step_f32(d->m, parent, ids, &lg));
    for (size_t r = 0; r < R; r++) {
        const float *x = lg + r * d->V;
        float mx = x[0];
        for (size_t v = 1; v < d->V; v++)
            mx = x[v] > mx ? x[v] : mx;
        double sum = 0;
        for (size_t v = 0; v < d->V; v++)
            sum += exp((double)x[v] - mx);
        const double lse = mx + log(sum);
        for (size_t v = 0; v < d->V; v++)
            logp[r * d->V + v] = (float)((double)x[v] - lse);
    }
    return RNNC_OK;
}

rnnc_status rnnc_model_decode(rnnc_model *m, const rnnc_batch *batch, const rnnc_decode_spec *spec,
                              int32_t *out, size_t cap, int32_t *len, float *score) {
    if (!m || !batch || !spec || !out || !len)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_model_decode: NULL argument");
    RNNC_TRY(RNNC__SPEC_CHECK(spec, rnnc_decode_spec));
    const rnnc_config *cfg = rnnc_model_config(m);
    const rnnc_layer_spec *dec = &cfg->layers[cfg->n_layers - 1];
    if (dec->kind != RNNC_LAYER_DECODER)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_model_decode: the model does not end in a decoder");
    if (spec->beam < 1 || spec->beam > 64 || !(spec->length_penalty >= 0) ||
        !(spec->max_ratio > 0) || spec->max_len < 1 || spec->no_repeat_ngram < 0)
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "rnnc_model_decode: beam %d must be in [1, 64], length_penalty >= 0, "
                         "max_ratio > 0, max_len >= 1 and no_repeat_ngram >= 0",
                         spec->beam);
    if (spec->start < 0 || spec->start >= dec->vocab || spec->end < 0 || spec->end >= dec->vocab)
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "rnnc_model_decode: start %d and end %d must be ids of the decoder's "
                         "vocabulary [0, %d)",
                         (int)spec->start, (int)spec->end, dec->vocab);
    if (batch->T < 1 || batch->B < 1)
        return RNNC_FAIL(RNNC_ERR_SHAPE, "batch: T = %d and B = %d must be >= 1", batch->T,
                         batch->B);
    const size_t B = (size_t)batch->B;
    size_t *limit;
    RNNC_TRY(rnnc__calloc((void **)&limit, B, sizeof *limit, "decoding"));
    rnnc_status st = RNNC_OK;
    for (size_t b = 0; b < B && st == RNNC_OK; b++) {
        const double n = batch->lengths ? batch->lengths[b] : batch->T;
        const double want = ceil(spec->max_ratio * n);
        limit[b] = want < 1 ? 1 : want > spec->max_len ? (size_t)spec->max_len : (size_t)want;
        if (limit[b] > cap)
            st = RNNC_FAIL(RNNC_ERR_ARG,
                           "rnnc_model_decode: sentence %zu may take %zu tokens, but out holds %zu",
                           b, limit[b], cap);
    }
    const rnnc__batch_f32 b = {(size_t)batch->T, B, batch->ids, batch->x, batch->lengths,
                               batch->padding,   0, NULL};
    if (st == RNNC_OK)
        st = rnnc__model_decode_begin_f32(m->impl, &b, (size_t)spec->beam);
    double *sc = NULL;
    if (st == RNNC_OK && score)
        st = rnnc__calloc((void **)&sc, B, sizeof *sc, "decoding");
    if (st == RNNC_OK) {
        decoding d = {m->impl, (size_t)dec->vocab};
        const rnnc__beam_spec bs = {spec->beam, spec->length_penalty, spec->no_repeat_ngram,
                                    spec->start, spec->end};
        st = rnnc__beam_search(&bs, B, d.V, limit, decode_step, &d, out, cap, len, sc);
    }
    for (size_t i = 0; st == RNNC_OK && sc && i < B; i++)
        score[i] = (float)sc[i];
    free(sc), free(limit);
    return st;
}
