/* Inference forwards run a recurrent layer's steps in chunks, one small cache for all layers and
 * directions (src/nn/recurrent.c, rnnc__dir_infer). Their outputs and final states must be the
 * bits of a training forward over all steps at once: for each cell, both directions, stacked
 * layers, variable lengths (either padding side), given initial states, the last output or every
 * step, a batch smaller than the one the buffers were sized by, 1 and 2 threads, the LSTM's units mode and large weights (hidden 272), whose input
 * projection is packed once for all chunks, and chunks of 1 step, of a few
 * steps that do not divide T, and of all steps. */
#include "check.h"
#include "nn/layers.h"
#include "rnnc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { T = 11, B = 5, I = 6 };

typedef struct result {
    float *out, *h, *c;
    size_t n_out, n_state;
} result;

static void result_free(result *r) {
    free(r->out), free(r->h), free(r->c);
    memset(r, 0, sizeof *r);
}

static float *copy(const float *p, size_t n) {
    float *q = p ? malloc(n * sizeof(float)) : NULL;
    if (q)
        memcpy(q, p, n * sizeof(float));
    return q;
}

/* One forward of a 2-layer bidirectional stack + Dense on the first nb rows of fixed data;
 * training or inference. warm: an inference forward of all B rows comes first, so the buffers
 * are sized for B and the chunks of the nb-row forward are longer than those they were sized by. */
static result run(int kind, int hidden, int sequences, int pad, int with_state, int training,
                  int nb, int warm) {
    rnnc_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.input_size = I, cfg.n_layers = 2;
    cfg.layers[0] = rnnc_layer_spec_init(kind);
    cfg.layers[0].hidden = hidden, cfg.layers[0].layers = 2, cfg.layers[0].bidirectional = 1;
    cfg.layers[0].return_sequences = sequences;
    cfg.layers[1] = rnnc_layer_spec_init(RNNC_LAYER_DENSE);
    cfg.layers[1].units = 3;
    rnnc_model *m;
    result r = {0};
    if (rnnc_model_create(&cfg, 5, &m))
        return r;
    rnnc_rng g;
    rnnc_rng_seed(&g, 8);
    static float x[T * B * I], xs[T * B * I];
    int32_t len[B];
    for (size_t i = 0; i < sizeof x / sizeof x[0]; i++)
        x[i] = (float)rnnc_rng_normal(&g);
    for (int b = 0; b < B; b++)
        len[b] = 1 + (int32_t)rnnc_rng_below(&g, T);
    len[0] = T;
    for (size_t t = 0; t < T; t++) /* rows 0 .. nb-1 of each step */
        memcpy(xs + t * (size_t)nb * I, x + t * B * I, (size_t)nb * I * sizeof(float));
    const size_t n_state = 4 * (size_t)nb * (size_t)hidden; /* (L*D, nb, H) */
    float *h0 = malloc(n_state * sizeof(float)), *c0 = malloc(n_state * sizeof(float));
    for (size_t i = 0; h0 && c0 && i < n_state; i++)
        h0[i] = 0.5f * (float)rnnc_rng_normal(&g), c0[i] = 0.5f * (float)rnnc_rng_normal(&g);
    rnnc_batch all = {T, B, NULL, x, len, pad, 0, NULL},
               batch = {T, nb, NULL, xs, len, pad, 0, NULL};
    if (!h0 || !c0 || (warm && rnnc_model_forward(m, &all, 0)) ||
        (with_state && rnnc_model_set_state(m, 0, nb, h0, c0)))
        goto done;
    if (rnnc_model_forward(m, &batch, training))
        goto done;
    int nd;
    size_t dims[3] = {1, 1, 1};
    const float *o = rnnc_model_output(m, &nd, dims);
    r.n_out = dims[0] * dims[1] * (nd == 3 ? dims[2] : 1);
    r.out = copy(o, r.n_out);
    const float *h, *c;
    if (rnnc_model_final_state(m, 0, &h, &c) == RNNC_OK) {
        r.n_state = n_state;
        r.h = copy(h, n_state);
        r.c = c ? copy(c, n_state) : NULL;
    }
done:
    free(h0), free(c0);
    rnnc_model_free(m);
    return r;
}

static int same(const float *a, const float *b, size_t n) {
    return (a == NULL) == (b == NULL) && (!a || memcmp(a, b, n * sizeof(float)) == 0);
}

int main(void) {
    static const struct {
        int kind, hidden;
        const char *name;
    } cases[] = {{RNNC_LAYER_LSTM, 8, "lstm"},
                 {RNNC_LAYER_GRU, 8, "gru"},
                 {RNNC_LAYER_RNN, 8, "rnn"},
                 {RNNC_LAYER_INDRNN, 8, "indrnn"},
                 {RNNC_LAYER_LSTM, 272, "lstm-272 (units mode with 2 threads)"},
                 {RNNC_LAYER_GRU, 272, "gru-272 (the projection of all steps at once)"}};
    /* rows per chunk: 1 step; 3 steps (11 = 3 + 3 + 3 + 2); all steps in one chunk */
    static const size_t rows[] = {1, 3 * B, 1024};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++)
        for (int threads = 1; threads <= 2; threads++) {
            rnnc_set_num_threads(threads);
            int ok = 1, ran = 1;
            for (int v = 0; v < 16; v++) {
                const int seq = v & 1, pad = v & 2 ? RNNC_PAD_PRE : RNNC_PAD_POST, st = v >> 2 & 1;
                const int shrink = v >> 3, nb = shrink ? 2 : B;
                result want = run(cases[c].kind, cases[c].hidden, seq, pad, st, 1, nb, 0);
                for (size_t k = 0; k < sizeof rows / sizeof *rows; k++) {
                    rnnc__set_infer_rows(rows[k]);
                    result got = run(cases[c].kind, cases[c].hidden, seq, pad, st, 0, nb, shrink);
                    if (!want.out || !got.out || !want.h || !got.h)
                        ran = 0;
                    else if (got.n_out != want.n_out || !same(got.out, want.out, want.n_out) ||
                             !same(got.h, want.h, want.n_state) ||
                             !same(got.c, want.c, want.n_state))
                        ok = 0;
                    result_free(&got);
                }
                result_free(&want);
            }
            rnnc__set_infer_rows(1024);
            check(ran, "%s, %d thread(s): every forward ran", cases[c].name, threads);
            check(ok,
                  "%s, %d thread(s): inference in chunks of 1, 3 and all steps = a training "
                  "forward, outputs and final states bit for bit (also after a larger batch)",
                  cases[c].name, threads);
        }
    return check_summary();
}
