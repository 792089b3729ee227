/* The two ways forward computes a recurrent layer's input projection (src/nn/recurrent.c):
 * step by step inside the time loop (small weights; what the PyTorch fixtures check) and as one
 * GEMM for all steps before it (large weights). Forced either way on the same models, they must
 * agree to float rounding, outputs and every gradient, for each cell, both directions, stacked
 * layers, variable lengths, 1 and 2 threads, and the LSTM's units mode (hidden 272). */
#include "check.h"
#include "nn/layers.h"
#include "rnnc.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { T = 7, B = 19, I = 24 };

typedef struct result {
    float *out, *grads;
    size_t n_out, n_grads;
} result;

static result run(int kind, int hidden, int threads) {
    rnnc_set_num_threads(threads);
    rnnc_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.input_size = I, cfg.n_layers = 2;
    cfg.layers[0] = rnnc_layer_spec_init(kind);
    cfg.layers[0].hidden = hidden, cfg.layers[0].layers = 2, cfg.layers[0].bidirectional = 1;
    cfg.layers[0].return_sequences = 1;
    cfg.layers[1] = rnnc_layer_spec_init(RNNC_LAYER_DENSE);
    cfg.layers[1].units = 3;
    rnnc_model *m;
    result r = {0};
    if (rnnc_model_create(&cfg, 5, &m))
        return r;
    rnnc_rng g;
    rnnc_rng_seed(&g, 8);
    static float x[T * B * I], dout[T * B * 3];
    int32_t len[B];
    for (size_t i = 0; i < sizeof x / sizeof x[0]; i++)
        x[i] = (float)rnnc_rng_normal(&g);
    for (size_t i = 0; i < sizeof dout / sizeof dout[0]; i++)
        dout[i] = (float)rnnc_rng_normal(&g);
    for (int b = 0; b < B; b++)
        len[b] = 1 + (int32_t)rnnc_rng_below(&g, T);
    rnnc_batch batch = {T, B, NULL, x, len, RNNC_PAD_POST, 0, NULL};
    rnnc_model_forward(m, &batch, 1);
    int nd;
    size_t dims[3];
    const float *o = rnnc_model_output(m, &nd, dims);
    r.n_out = dims[0] * dims[1] * dims[2];
    r.out = malloc(r.n_out * sizeof(float));
    if (r.out)
        memcpy(r.out, o, r.n_out * sizeof(float));
    rnnc_model_zero_grad(m);
    rnnc_model_backward(m, dout);
    const float *gr = rnnc_model_grads(m, &r.n_grads);
    r.grads = malloc(r.n_grads * sizeof(float));
    if (r.grads)
        memcpy(r.grads, gr, r.n_grads * sizeof(float));
    rnnc_model_free(m);
    return r;
}

/* max |a - b| over max |b| */
static double rel(const float *a, const float *b, size_t n) {
    double num = 0, den = 0;
    for (size_t i = 0; i < n; i++) {
        num = fmax(num, fabs((double)a[i] - b[i]));
        den = fmax(den, fabs((double)b[i]));
    }
    return den > 0 ? num / den : num;
}

int main(void) {
    static const struct {
        int kind, hidden;
        const char *name;
    } cases[] = {{RNNC_LAYER_LSTM, 32, "lstm"},
                 {RNNC_LAYER_GRU, 32, "gru"},
                 {RNNC_LAYER_RNN, 32, "rnn"},
                 {RNNC_LAYER_LSTM, 272, "lstm-272 (units mode with 2 threads)"}};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++)
        for (int threads = 1; threads <= 2; threads++) {
            rnnc__set_step_projection_limit(SIZE_MAX);
            result step = run(cases[c].kind, cases[c].hidden, threads);
            rnnc__set_step_projection_limit(0);
            result all = run(cases[c].kind, cases[c].hidden, threads);
            if (!check(step.out && step.grads && all.out && all.grads &&
                           step.n_grads == all.n_grads,
                       "%s, %d thread(s): both runs ran", cases[c].name, threads))
                continue;
            const double eo = rel(step.out, all.out, step.n_out);
            const double eg = rel(step.grads, all.grads, step.n_grads);
            check(eo < 1e-5 && eg < 1e-5,
                  "%s, %d thread(s): projection step by step = one GEMM (output %.2g, gradients "
                  "%.2g relative)",
                  cases[c].name, threads, eo, eg);
            free(step.out), free(step.grads), free(all.out), free(all.grads);
        }
    rnnc__set_step_projection_limit((size_t)1 << 20);
    return check_summary();
}
