/* rnnc's own threads: the recurrent time loops split over batch rows (or hidden units) and large
 * GEMMs split over rows or columns of C must give the results of one thread bit for bit, whatever
 * the thread count, so that a run repeats on another machine size. Sizes are chosen so every path
 * splits (B = 37 rows: uneven slices). Then the same models under every other fused GEMM kernel
 * this CPU runs (AVX2 on an AVX-512 machine): the same bits again, so a run repeats on a CPU
 * with other instruction sets too. */
#include "check.h"
#include "core/core.h"
#include "rnnc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { T = 9, B = 37, I = 64 };

typedef struct result {
    float *out, *grads;
    size_t n_out, n_grads;
} result;

static result run(int kind, int bidir, int hidden, int threads) {
    rnnc_set_num_threads(threads);
    rnnc_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.input_size = I, cfg.n_layers = 2;
    cfg.layers[0] = rnnc_layer_spec_init(kind);
    cfg.layers[0].hidden = hidden, cfg.layers[0].layers = 2, cfg.layers[0].bidirectional = bidir;
    cfg.layers[0].return_sequences = 1;
    cfg.layers[1] = rnnc_layer_spec_init(RNNC_LAYER_DENSE);
    cfg.layers[1].units = 3;
    rnnc_model *m;
    result r = {0};
    if (rnnc_model_create(&cfg, 11, &m))
        return r;
    rnnc_rng g;
    rnnc_rng_seed(&g, 4);
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
    memcpy(r.out, o, r.n_out * sizeof(float));
    rnnc_model_zero_grad(m);
    rnnc_model_backward(m, dout);
    const float *gr = rnnc_model_grads(m, &r.n_grads);
    r.grads = malloc(r.n_grads * sizeof(float));
    memcpy(r.grads, gr, r.n_grads * sizeof(float));
    rnnc_model_free(m);
    return r;
}

static double max_rel(const float *a, const float *b, size_t n) {
    double num = 0, den = 0;
    for (size_t i = 0; i < n; i++) {
        num = fmax(num, fabs((double)a[i] - b[i]));
        den = fmax(den, fabs((double)b[i]));
    }
    return den > 0 ? num / den : num;
}

static const int kinds[] = {RNNC_LAYER_LSTM, RNNC_LAYER_GRU, RNNC_LAYER_RNN, RNNC_LAYER_LSTM};
static const char *names[] = {"lstm", "gru", "rnn", "lstm-272"};

/* Every model under the other fused kernels, on 1 and 3 threads, against the kernel in use. */
static void other_kernels(void) {
    const char *best = rnnc__gemm_kernel();
    int best_fused = 0, compared = 0;
    for (int i = 0; i < rnnc__gemm_kernel_count(); i++) {
        const char *name = rnnc__gemm_kernel_info(i, NULL, NULL);
        if (!strcmp(name, best))
            rnnc__gemm_kernel_info(i, &best_fused, NULL);
    }
    for (int i = 0; best_fused == 1 && i < rnnc__gemm_kernel_count(); i++) {
        int fused, runs;
        const char *name = rnnc__gemm_kernel_info(i, &fused, &runs);
        if (!runs || fused != 1 || !strcmp(name, best))
            continue;
        for (int k = 0; k < 4; k++)
            for (int bidir = 0; bidir < 2; bidir++) {
                const int hid = k == 3 ? 272 : 64;
                rnnc__gemm_use(-1);
                result ref = run(kinds[k], bidir, hid, 1);
                rnnc__gemm_use(i);
                result one = run(kinds[k], bidir, hid, 1), three = run(kinds[k], bidir, hid, 3);
                if (check(ref.out && one.out && three.out, "%s bidir=%d under %s: models ran",
                          names[k], bidir, name))
                    check(
                        !memcmp(one.out, ref.out, ref.n_out * sizeof(float)) &&
                            !memcmp(one.grads, ref.grads, ref.n_grads * sizeof(float)) &&
                            !memcmp(three.out, ref.out, ref.n_out * sizeof(float)) &&
                            !memcmp(three.grads, ref.grads, ref.n_grads * sizeof(float)),
                        "%s bidir=%d: output and gradients under %s (1 and 3 threads) = under %s, "
                        "bit for bit (rel %.2g)",
                        names[k], bidir, name, best, max_rel(three.grads, ref.grads, ref.n_grads));
                free(ref.out), free(ref.grads), free(one.out), free(one.grads);
                free(three.out), free(three.grads);
                compared++;
            }
    }
    rnnc__gemm_use(-1);
    if (!compared)
        printf("kernel %s: no other fused kernel runs here, nothing to compare\n", best);
}

int main(void) {
    printf("gemm kernel in use: %s (CPU: %s)\n", rnnc__gemm_kernel(), rnnc_cpu_features());
    for (int k = 0; k < 4; k++)
        for (int bidir = 0; bidir < 2; bidir++) {
            /* hidden 272 for the last LSTM: a W_hh over 1 MB, so 2 and 3 threads run the
             * LSTM in units mode (src/nn/recurrent.c), 1 thread in rows mode */
            const int hid = k == 3 ? 272 : 64;
            result one = run(kinds[k], bidir, hid, 1), two = run(kinds[k], bidir, hid, 2),
                   three = run(kinds[k], bidir, hid, 3), again = run(kinds[k], bidir, hid, 3);
            if (!check(one.out && two.out && three.out && again.out, "%s bidir=%d: models ran",
                       names[k], bidir))
                continue;
            check(!memcmp(three.out, one.out, one.n_out * sizeof(float)),
                  "%s bidir=%d: 3 threads' output = 1 thread's, bit for bit (rel %.2g)", names[k],
                  bidir, max_rel(three.out, one.out, one.n_out));
            check(!memcmp(three.grads, one.grads, one.n_grads * sizeof(float)),
                  "%s bidir=%d: 3 threads' gradients = 1 thread's, bit for bit (rel %.2g)",
                  names[k], bidir, max_rel(three.grads, one.grads, one.n_grads));
            check(!memcmp(two.out, one.out, one.n_out * sizeof(float)) &&
                      !memcmp(two.grads, one.grads, one.n_grads * sizeof(float)),
                  "%s bidir=%d: 2 threads' output and gradients = 1 thread's, bit for bit",
                  names[k], bidir);
            check(!memcmp(three.out, again.out, one.n_out * sizeof(float)) &&
                      !memcmp(three.grads, again.grads, one.n_grads * sizeof(float)),
                  "%s bidir=%d: 3 threads repeat bit for bit", names[k], bidir);
            /* teeth: a slice left out would leave rows of the output at 0 / wrong */
            three.out[one.n_out / 2] += 1e-2f;
            check(max_rel(three.out, one.out, one.n_out) > 1e-5,
                  "%s bidir=%d: the comparison sees a changed value", names[k], bidir);
            free(one.out), free(one.grads), free(three.out), free(three.grads);
            free(again.out), free(again.grads), free(two.out), free(two.grads);
        }
    check(rnnc_num_threads() == 3, "rnnc_num_threads reports the count set");
    other_kernels();
    return check_summary();
}
