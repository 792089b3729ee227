/* The gradient check of any model description (rnnc_gradcheck, docs/gradcheck.md): the double
 * copy of the engine, one batch, L = sum(output * R), analytic gradients from backward against
 * central differences on a seeded sample of each tensor's entries. */
#define RNNC_REAL_F64 /* the double copy of the engine */
#include "gradcheck.h"
#include "model.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rnnc_gradcheck_spec_defaults(rnnc_gradcheck_spec *out, size_t size) {
    rnnc_gradcheck_spec s;
    memset(&s, 0, sizeof s);
    s.steps = 5;
    s.batch = 3;
    s.seed = 1;
    s.tolerance = 1e-6;
    s.eps = 1e-6;
    s.floor = 1e-2;
    s.max_per_tensor = 50;
    s.padding = RNNC_PAD_POST;
    s.struct_size = sizeof s;
    rnnc__spec_fill(out, size, &s, sizeof s);
}

void rnnc_gradcheck_report_free(rnnc_gradcheck_report *r) {
    if (!r)
        return;
    free(r->tensors);
    memset(r, 0, sizeof *r);
}

/* Tests only: the tensor whose analytic gradient is made wrong after backward (NULL: none). */
static char planted[RNNC_NAME_MAX + 32];

void rnnc__gradcheck_plant(const char *tensor) {
    snprintf(planted, sizeof planted, "%s", tensor ? tensor : "");
}

typedef struct gc {
    rnnc__model *m;
    rnnc__batch b;
    double *x;     /* (T,B,I) the input as double, or NULL */
    int32_t *dec;  /* (T,B) a decoder's inputs, random in its vocabulary, or NULL */
    double *r;     /* the loss weights R, the output's shape */
    size_t out_n;  /* entries of the output */
    rnnc_rng rng0; /* the model's generator before the first forward */
} gc;

/* L = sum(output * R) of one training forward; with grad, backward too. */
static rnnc_status loss(gc *c, int grad, double *L) {
    *rnnc__model_rng(c->m) = c->rng0;
    RNNC_TRY(rnnc__model_forward(c->m, &c->b, 1));
    int nd;
    size_t dims[3];
    const double *out = rnnc__model_output(c->m, &nd, dims);
    /* compensated (Neumaier) summation: the rounding of a sum over many outputs (a decoder's
     * T*B*vocab logits) would otherwise swamp the central differences' 2 eps */
    double s = 0, comp = 0;
    for (size_t i = 0; i < c->out_n; i++) {
        const double v = out[i] * c->r[i], t = s + v;
        comp += fabs(s) >= fabs(v) ? (s - t) + v : (v - t) + s;
        s = t;
    }
    *L = s + comp;
    if (grad) {
        memset(rnnc__model_grads(c->m), 0, rnnc__model_plan(c->m)->total * sizeof(double));
        RNNC_TRY(rnnc__model_backward(c->m, c->r));
    }
    return RNNC_OK;
}

/* The entries of a tensor of n compared: all when n <= max (or max is 0); otherwise up to
 * max / 2 among those with a nonzero analytic gradient, the rest among all, without repeats.
 * must: an entry that is always taken (the planted one), or SIZE_MAX. */
static rnnc_status sample(rnnc_rng *rng, const double *an, size_t n, size_t max, size_t must,
                          size_t **out, size_t *k) {
    size_t *idx;
    if (!max || n <= max) {
        RNNC_TRY(rnnc__calloc((void **)&idx, n ? n : 1, sizeof *idx, "gradient check sample"));
        for (size_t i = 0; i < n; i++)
            idx[i] = i;
        *out = idx, *k = n;
        return RNNC_OK;
    }
    unsigned char *taken;
    size_t *nz;
    RNNC_TRY(rnnc__calloc((void **)&idx, max, sizeof *idx, "gradient check sample"));
    if (rnnc__calloc((void **)&taken, n, 1, "gradient check sample") ||
        rnnc__calloc((void **)&nz, n, sizeof *nz, "gradient check sample")) {
        free(idx), free(taken);
        return RNNC_ERR_NOMEM;
    }
    size_t got = 0, n_nz = 0;
    if (must < n)
        idx[got++] = must, taken[must] = 1;
    for (size_t i = 0; i < n; i++)
        if (an[i] != 0 && !taken[i])
            nz[n_nz++] = i;
    for (size_t j = 0; j < n_nz && got < max / 2; j++) { /* a partial Fisher-Yates shuffle */
        size_t p = j + (size_t)(rnnc_rng_uniform(rng) * (double)(n_nz - j));
        p = p < n_nz ? p : n_nz - 1;
        size_t t = nz[j];
        nz[j] = nz[p], nz[p] = t;
        idx[got++] = nz[j], taken[nz[j]] = 1;
    }
    while (got < max) {
        size_t i = (size_t)(rnnc_rng_uniform(rng) * (double)n);
        i = i < n ? i : n - 1;
        if (!taken[i])
            idx[got++] = i, taken[i] = 1;
    }
    free(taken), free(nz);
    *out = idx, *k = got;
    return RNNC_OK;
}

/* Compares analytic gradients an (n entries) of the values v with central differences. */
static rnnc_status compare(gc *c, const rnnc_gradcheck_spec *s, rnnc_rng *rng, double *v,
                           const double *an, size_t n, size_t must, rnnc_gradcheck_tensor *t) {
    size_t *idx, k;
    RNNC_TRY(sample(rng, an, n, (size_t)s->max_per_tensor, must, &idx, &k));
    t->size = n, t->checked = k, t->worst = 0, t->worst_index = 0;
    t->analytic = t->numeric = 0;
    rnnc_status st = RNNC_OK;
    for (size_t j = 0; j < k && !st; j++) {
        const size_t i = idx[j];
        const double keep = v[i];
        double lp, lm;
        v[i] = keep + s->eps;
        st = loss(c, 0, &lp);
        v[i] = keep - s->eps;
        if (!st)
            st = loss(c, 0, &lm);
        v[i] = keep;
        if (st)
            break;
        const double num = (lp - lm) / (2 * s->eps), a = an[i];
        double den = fabs(a) > fabs(num) ? fabs(a) : fabs(num);
        den = den > s->floor ? den : s->floor;
        double e = fabs(a - num) / den;
        if (isnan(e))
            e = INFINITY;
        if (j == 0 || e > t->worst)
            t->worst = e, t->worst_index = i, t->analytic = a, t->numeric = num;
    }
    free(idx);
    t->pass = t->worst <= s->tolerance;
    return st;
}

/* The batch: the given one converted to double, or a random one. */
static rnnc_status make_batch(gc *c, const rnnc_config *cfg, const rnnc_gradcheck_spec *s,
                              rnnc_rng *rng, int32_t *ids, int32_t *len) {
    const size_t T = (size_t)s->steps, B = (size_t)s->batch;
    const rnnc_layer_spec *first = &cfg->layers[0];
    const int emb = first->kind == RNNC_LAYER_EMBEDDING;
    if (s->lengths)
        for (size_t b = 0; b < B; b++)
            if (s->lengths[b] < 1 || (size_t)s->lengths[b] > T)
                return RNNC_FAIL(RNNC_ERR_SHAPE,
                                 "gradient check: length %d of sequence %zu is outside [1, %zu]",
                                 (int)s->lengths[b], b, T);
    for (size_t b = 0; b < B; b++)
        len[b] = s->lengths ? s->lengths[b]
                 : b == 0   ? (int32_t)T
                            : 1 + (int32_t)rnnc_rng_below(rng, (uint32_t)T);
    c->b.T = T, c->b.B = B, c->b.lengths = len, c->b.padding = s->padding;
    const rnnc_layer_spec *last = &cfg->layers[cfg->n_layers - 1];
    if (last->kind == RNNC_LAYER_DECODER) { /* decoder inputs: T steps of random target ids */
        RNNC_TRY(rnnc__calloc((void **)&c->dec, T * B, sizeof *c->dec, "gradient check ids"));
        for (size_t i = 0; i < T * B; i++)
            c->dec[i] = (int32_t)rnnc_rng_below(rng, (uint32_t)last->vocab);
        c->b.dec_T = T, c->b.dec_ids = c->dec;
    }
    if (emb) {
        if (s->x && !s->ids)
            return RNNC_FAIL(RNNC_ERR_ARG, "gradient check: the model starts with an "
                                           "embedding: give ids, not x");
        const int V = first->vocab, pad = first->padding_idx;
        for (size_t t = 0; t < T; t++)
            for (size_t b = 0; b < B; b++) {
                size_t i = t * B + b;
                if (s->ids) {
                    if (s->ids[i] < 0 || s->ids[i] >= V)
                        return RNNC_FAIL(RNNC_ERR_SHAPE,
                                         "gradient check: id %d at step %zu of sequence %zu is "
                                         "outside [0, %d)",
                                         (int)s->ids[i], t, b, V);
                    ids[i] = s->ids[i];
                    continue;
                }
                const size_t l = (size_t)len[b],
                             st = s->padding == RNNC_PAD_PRE ? T - l : 0; /* first data step */
                int32_t id;
                if (t < st || t >= st + l)
                    id = pad >= 0 ? pad : 0;
                else
                    do
                        id = (int32_t)rnnc_rng_below(rng, (uint32_t)V);
                    while (id == pad && V > 1);
                ids[i] = id;
            }
        c->b.ids = ids;
        return RNNC_OK;
    }
    if (s->ids && !s->x)
        return RNNC_FAIL(RNNC_ERR_ARG, "gradient check: the model takes features: give x, not "
                                       "ids");
    const size_t n = T * B * (size_t)cfg->input_size;
    RNNC_TRY(rnnc__calloc((void **)&c->x, n ? n : 1, sizeof(double), "gradient check input"));
    for (size_t i = 0; i < n; i++)
        c->x[i] = s->x ? (double)s->x[i] : rnnc_rng_normal(rng);
    c->b.x = c->x;
    return RNNC_OK;
}

/* The parameters of spec->weights (float) into the double model, after checking that both
 * were built from one description. */
static rnnc_status copy_weights(rnnc__model *m, const rnnc_model *w) {
    rnnc_model *wm = (rnnc_model *)w; /* read only: the accessors take no const */
    const rnnc__plan *p = rnnc__model_plan(m);
    if (rnnc_model_param_count(w) != p->n_params)
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "gradient check: the weights' model has %d parameters, the description "
                         "%d",
                         rnnc_model_param_count(w), p->n_params);
    double *dst = rnnc__model_params(m);
    for (int i = 0; i < p->n_params; i++) {
        const rnnc__param *q = &p->params[i];
        size_t n;
        const float *src = rnnc_model_param(wm, q->name, &n);
        if (!src || n != q->size)
            return RNNC_FAIL(RNNC_ERR_ARG,
                             "gradient check: the weights' model has no parameter '%s' of %zu "
                             "values",
                             q->name, q->size);
        for (size_t k = 0; k < n; k++)
            dst[q->offset + k] = (double)src[k];
    }
    return RNNC_OK;
}

rnnc_status rnnc_gradcheck(const rnnc_config *cfg, const rnnc_gradcheck_spec *spec,
                           rnnc_gradcheck_report *out) {
    if (!spec || !out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_gradcheck: NULL argument");
    memset(out, 0, sizeof *out);
    RNNC_TRY(RNNC__SPEC_CHECK(spec, rnnc_gradcheck_spec));
    rnnc_gradcheck_spec s = rnnc_gradcheck_spec_init();
    memcpy(&s, spec, spec->struct_size < sizeof s ? spec->struct_size : sizeof s);
    if (!cfg && s.weights)
        cfg = rnnc_model_config(s.weights);
    if (!cfg)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_gradcheck: no model description and no weights");
    if (s.steps < 1 || s.batch < 1)
        return RNNC_FAIL(RNNC_ERR_ARG, "gradient check: steps %d and batch %d must be >= 1",
                         s.steps, s.batch);
    if (!(s.tolerance > 0) || !(s.eps > 0) || !(s.floor > 0) || s.max_per_tensor < 0 ||
        !isfinite(s.tolerance) || !isfinite(s.eps) || !isfinite(s.floor))
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "gradient check: tolerance %g, eps %g and floor %g must be finite and "
                         "> 0, max_per_tensor %d >= 0",
                         s.tolerance, s.eps, s.floor, s.max_per_tensor);
    RNNC_TRY(rnnc_config_validate(cfg));

    /* Every dropout off: each forward computes the same function of the parameters. */
    rnnc_config *dc;
    RNNC_TRY(rnnc__calloc((void **)&dc, 1, sizeof *dc, "gradient check"));
    *dc = *cfg;
    for (int i = 0; i < dc->n_layers; i++) {
        rnnc_layer_spec *l = &dc->layers[i];
        if (l->kind == RNNC_LAYER_DROPOUT)
            l->rate = 0;
        l->dropout = 0, l->weight_drop = 0;
    }
    gc c;
    memset(&c, 0, sizeof c);
    rnnc_rng rng;
    rnnc_rng_seed(&rng, s.seed);
    int32_t *ids = NULL, *len = NULL;
    double *g = NULL, *dx = NULL;
    const size_t T = (size_t)s.steps, B = (size_t)s.batch;
    rnnc_status st = rnnc__model_create(dc, s.seed, &c.m);
    if (!st && s.weights)
        st = copy_weights(c.m, s.weights);
    if (!st)
        st = rnnc__calloc((void **)&ids, T * B, sizeof *ids, "gradient check ids");
    if (!st)
        st = rnnc__calloc((void **)&len, B, sizeof *len, "gradient check lengths");
    if (!st)
        st = make_batch(&c, dc, &s, &rng, ids, len);
    if (st)
        goto done;
    c.rng0 = *rnnc__model_rng(c.m);
    rnnc__model_set_input_grad(c.m, c.x != NULL);
    if ((st = rnnc__model_forward(c.m, &c.b, 1)))
        goto done;
    {
        int nd;
        size_t dims[3];
        rnnc__model_output(c.m, &nd, dims);
        c.out_n = 1;
        for (int k = 0; k < nd; k++)
            c.out_n *= dims[k];
    }
    if ((st = rnnc__calloc((void **)&c.r, c.out_n, sizeof *c.r, "gradient check R")))
        goto done;
    for (size_t i = 0; i < c.out_n; i++)
        c.r[i] = rnnc_rng_normal(&rng);
    if ((st = loss(&c, 1, &out->loss)))
        goto done;
    const rnnc__plan *p = rnnc__model_plan(c.m);
    if ((st = rnnc__calloc((void **)&g, p->total ? p->total : 1, sizeof *g, "gradient check")))
        goto done;
    memcpy(g, rnnc__model_grads(c.m), p->total * sizeof *g);
    const size_t xn = c.x ? T * B * (size_t)dc->input_size : 0;
    if (c.x) {
        if ((st = rnnc__calloc((void **)&dx, xn ? xn : 1, sizeof *dx, "gradient check")))
            goto done;
        memcpy(dx, rnnc__model_input_grad(c.m), xn * sizeof *dx);
    }
    const int n = p->n_params + (c.x ? 1 : 0);
    if ((st = rnnc__calloc((void **)&out->tensors, (size_t)n, sizeof *out->tensors,
                           "gradient check report")))
        goto done;
    out->n_tensors = n, out->steps = s.steps, out->batch = s.batch;
    double *params = rnnc__model_params(c.m);
    for (int i = 0; i < n && !st; i++) {
        rnnc_gradcheck_tensor *t = &out->tensors[i];
        const int is_x = i == p->n_params;
        double *v = is_x ? c.x : params + p->params[i].offset;
        double *an = is_x ? dx : g + p->params[i].offset;
        const size_t size = is_x ? xn : p->params[i].size;
        snprintf(t->name, sizeof t->name, "%s", is_x ? "input" : p->params[i].name);
        size_t must = SIZE_MAX;
        if (planted[0] && !strcmp(planted, t->name) && size) { /* 1% off at the largest entry */
            must = 0;
            for (size_t k = 1; k < size; k++)
                must = fabs(an[k]) > fabs(an[must]) ? k : must;
            an[must] += 0.01 * (an[must] != 0 ? an[must] : 1);
        }
        st = compare(&c, &s, &rng, v, an, size, must, t);
        out->failed += !t->pass;
        out->worst = t->worst > out->worst ? t->worst : out->worst;
    }
done:
    if (st)
        rnnc_gradcheck_report_free(out);
    rnnc__model_free(c.m);
    free(dc), free(ids), free(len), free(g), free(dx), free(c.x), free(c.dec), free(c.r);
    return st;
}
