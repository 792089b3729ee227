/* The encoder-decoder with attention (src/nn/seq2seq.c) by finite differences, in the double copy
 * of the engine. Over a batch of 3 sources post-padded to 5 steps (lengths 5, 3, 1) and 4 decoder
 * steps, the loss
 *     loss = sum over t, b, v of R[t,b,v] logits[t,b,v]
 * and its analytic gradient with respect to every tensor of the decoder, the bridge and the
 * encoder (up to 24 entries of each) are compared with central differences (step 1e-5), for each attention
 * kind, each bridge, input feeding on and off, LSTM and GRU on either side, a bidirectional
 * encoder, two decoder layers and tied embeddings. Teeth: a planted error in one gradient entry is
 * reported. */
#define RNNC_REAL_F64 /* the double copy of the engine */
#include "check.h"
#include "nn/seq2seq.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { S = 5, T = 4, B = 3, VS = 7, VT = 9, PER_TENSOR = 24 };

static const int32_t src_len[B] = {5, 3, 1};

typedef struct scase {
    const char *label;
    int enc_cell, enc_bi, enc_layers, enc_hidden;
    int cell, layers, H, E, attention, input_feed, bridge, tie;
} scase;

static rnnc__s2s_config config_of(const scase *k) {
    rnnc__s2s_config c;
    memset(&c, 0, sizeof c);
    c.encoder.n_layers = 2;
    c.encoder.layers[0] = rnnc_layer_spec_init(RNNC_LAYER_EMBEDDING);
    c.encoder.layers[0].vocab = VS, c.encoder.layers[0].dim = 3;
    c.encoder.layers[1] = rnnc_layer_spec_init(k->enc_cell);
    c.encoder.layers[1].hidden = k->enc_hidden, c.encoder.layers[1].layers = k->enc_layers;
    c.encoder.layers[1].bidirectional = k->enc_bi, c.encoder.layers[1].return_sequences = 1;
    c.cell = k->cell, c.layers = k->layers, c.H = (size_t)k->H, c.V = VT, c.E = (size_t)k->E;
    c.attention = k->attention, c.A = 5, c.input_feed = k->input_feed, c.bridge = k->bridge;
    c.tie = k->tie;
    return c;
}

typedef struct run_in {
    int32_t src[S * B], tgt[T * B];
    double R[T * B * VT];
} run_in;

static double loss_of(rnnc__s2s *m, const run_in *in, int backward) {
    const rnnc__s2s_batch b = {S, T, B, in->src, src_len, in->tgt};
    if (rnnc__s2s_forward(m, &b) != RNNC_OK) {
        fprintf(stderr, "forward: %s\n", rnnc_last_error());
        exit(1);
    }
    const double *lg = rnnc__s2s_logits(m);
    double loss = 0;
    for (size_t i = 0; i < (size_t)T * B * VT; i++)
        loss += in->R[i] * lg[i];
    if (backward) {
        rnnc__s2s_zero_grads(m);
        if (rnnc__s2s_backward(m, in->R) != RNNC_OK) {
            fprintf(stderr, "backward: %s\n", rnnc_last_error());
            exit(1);
        }
    }
    return loss;
}

/* Worst relative error over up to PER_TENSOR entries of the tensor v (n values) whose analytic
 * gradient is g (a copy taken after the backward), scaled by max(|g|, 1e-3). */
static double tensor_error(rnnc__s2s *m, const run_in *in, double *v, const double *g, size_t n) {
    double worst = 0, scale = 1e-3;
    for (size_t i = 0; i < n; i++)
        scale = fmax(scale, fabs(g[i]));
    const size_t step = n > PER_TENSOR ? n / PER_TENSOR : 1;
    for (size_t i = 0; i < n; i += step) {
        const double keep = v[i], h = 1e-5;
        v[i] = keep + h;
        const double up = loss_of(m, in, 0);
        v[i] = keep - h;
        const double down = loss_of(m, in, 0);
        v[i] = keep;
        worst = fmax(worst, fabs((up - down) / (2 * h) - g[i]) / scale);
    }
    return worst;
}

static double *copy(const double *g, size_t n) {
    double *c = malloc((n ? n : 1) * sizeof(double));
    memcpy(c, g, n * sizeof(double));
    return c;
}

/* The worst error over every tensor; plant: add 1e-3 to the first entry of the first decoder
 * tensor's analytic gradient. The tensor with the worst error into worst_name. */
static double check_case(const scase *k, int plant, char *worst_name, size_t cap) {
    const rnnc__s2s_config c = config_of(k);
    rnnc__s2s *m;
    if (rnnc__s2s_create(&c, 7, &m) != RNNC_OK) {
        fprintf(stderr, "%s: %s\n", k->label, rnnc_last_error());
        return INFINITY;
    }
    run_in in;
    rnnc_rng r;
    rnnc_rng_seed(&r, 11);
    for (size_t i = 0; i < (size_t)S * B; i++)
        in.src[i] = (int32_t)rnnc_rng_below(&r, VS);
    for (size_t i = 0; i < (size_t)T * B; i++)
        in.tgt[i] = (int32_t)rnnc_rng_below(&r, VT);
    for (size_t i = 0; i < (size_t)T * B * VT; i++)
        in.R[i] = rnnc_rng_normal(&r);
    loss_of(m, &in, 1);
    double worst = 0;
    snprintf(worst_name, cap, "-");
    for (int i = 0; i < rnnc__s2s_param_count(m); i++) {
        const char *name;
        int nd;
        size_t dims[2];
        double *v, *g;
        rnnc__s2s_param_info(m, i, &name, &nd, dims, &v, &g);
        const size_t n = dims[0] * (nd == 2 ? dims[1] : 1);
        double *gc = copy(g, n);
        if (plant && i == 0)
            gc[0] += 1e-3;
        const double e = tensor_error(m, &in, v, gc, n);
        if (e > worst)
            worst = e, snprintf(worst_name, cap, "%s", name);
        free(gc);
    }
    rnnc__model *enc = rnnc__s2s_encoder(m);
    const rnnc__plan *p = rnnc__model_plan(enc);
    double *ge = copy(rnnc__model_grads(enc), p->total);
    for (int i = 0; i < p->n_params; i++) {
        const rnnc__param *q = &p->params[i];
        const double e =
            tensor_error(m, &in, rnnc__model_params(enc) + q->offset, ge + q->offset, q->size);
        if (e > worst)
            worst = e, snprintf(worst_name, cap, "encoder.%s", q->name);
    }
    free(ge);
    rnnc__s2s_free(m);
    return worst;
}

static const scase cases[] = {
    {"lstm->lstm, general, input feeding, bridge linear", RNNC_LAYER_LSTM, 0, 1, 4, RNNC_LAYER_LSTM,
     1, 4, 3, RNNC__ATTN_GENERAL, 1, RNNC__BRIDGE_LINEAR, 0},
    {"bidirectional gru->lstm, additive, bridge copy", RNNC_LAYER_GRU, 1, 1, 3, RNNC_LAYER_LSTM, 1,
     6, 4, RNNC__ATTN_ADDITIVE, 0, RNNC__BRIDGE_COPY, 0},
    {"2-layer lstm->2-layer gru, dot, input feeding, bridge linear, tied", RNNC_LAYER_LSTM, 0, 2, 4,
     RNNC_LAYER_GRU, 2, 4, 4, RNNC__ATTN_DOT, 1, RNNC__BRIDGE_LINEAR, 1},
    {"gru->gru, additive, input feeding, no bridge", RNNC_LAYER_GRU, 0, 1, 3, RNNC_LAYER_GRU, 1, 4,
     2, RNNC__ATTN_ADDITIVE, 1, RNNC__BRIDGE_NONE, 0},
    {"2-layer bidirectional lstm->2-layer lstm, general, bridge copy", RNNC_LAYER_LSTM, 1, 2, 2,
     RNNC_LAYER_LSTM, 2, 4, 3, RNNC__ATTN_GENERAL, 1, RNNC__BRIDGE_COPY, 0},
};

int main(void) {
    char name[96];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const double e = check_case(&cases[i], 0, name, sizeof name);
        check(e <= 1e-6, "%s: every gradient against central differences (worst %.2g, %s)",
              cases[i].label, e, name);
    }
    const double e = check_case(&cases[0], 1, name, sizeof name);
    check(e > 1e-4, "a planted error of 1e-3 in one gradient entry is reported (%.2g, %s)", e,
          name);
    return check_summary();
}
