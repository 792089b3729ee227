/* Training throughput of recipe (a)'s model (Embedding(10000,128) -> LSTM(128) -> Dense(1)) on
 * batches of random ids: forward, binary cross-entropy, backward, Adam step. Prints the median
 * seconds per batch over `reps` batches after `warmup`. Shapes and loop match bench/imdb_torch.py
 * and bench/imdb_keras.py.
 *   usage: bench_imdb [threads] [batches] [warmup] */
#include "bench.h"
#include "rnnc.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { T = 500, B = 64, V = 10000, E = 128, H = 128 };

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 2, reps = argc > 2 ? atoi(argv[2]) : 20;
    int warm = argc > 3 ? atoi(argv[3]) : 3;
    if (reps < 1 || reps > 10000 || warm < 0)
        return 2;
    rnnc_set_num_threads(threads);
    rnnc_config cfg = {0};
    cfg.n_layers = 3;
    cfg.layers[0] = rnnc_layer_spec_init(RNNC_LAYER_EMBEDDING);
    cfg.layers[0].vocab = V, cfg.layers[0].dim = E;
    cfg.layers[1] = rnnc_layer_spec_init(RNNC_LAYER_LSTM);
    cfg.layers[1].hidden = H;
    cfg.layers[2] = rnnc_layer_spec_init(RNNC_LAYER_DENSE);
    cfg.layers[2].units = 1;
    rnnc_model *m;
    rnnc_optim *o;
    rnnc_optim_spec os = rnnc_optim_spec_init(RNNC_OPTIM_ADAM);
    if (rnnc_model_create(&cfg, 1, &m) || rnnc_optim_create(m, &os, &o)) {
        fprintf(stderr, "%s\n", rnnc_last_error());
        return 1;
    }
    rnnc_rng r;
    rnnc_rng_seed(&r, 7);
    int32_t *ids = malloc(sizeof(int32_t) * T * B);
    float y[B], dout[B];
    double *times = malloc(sizeof(double) * (size_t)reps);
    for (int it = 0; it < warm + reps; it++) {
        for (int i = 0; i < T * B; i++)
            ids[i] = (int32_t)rnnc_rng_below(&r, V);
        for (int b = 0; b < B; b++)
            y[b] = (float)rnnc_rng_below(&r, 2);
        rnnc_batch batch = {T, B, ids, NULL, NULL, RNNC_PAD_PRE, 0, NULL};
        double t0 = bench_now();
        rnnc_model_forward(m, &batch, 1);
        rnnc_loss_bce_logits(rnnc_model_output(m, NULL, NULL), y, B, dout);
        rnnc_model_zero_grad(m);
        rnnc_model_backward(m, dout);
        rnnc_optim_step(o);
        if (it >= warm)
            times[it - warm] = bench_now() - t0;
    }
    qsort(times, (size_t)reps, sizeof *times, bench_cmp);
    printf("rnnc %s threads=%d median_s_per_batch=%.5f\n", rnnc_version(), threads,
           times[reps / 2]);
    free(ids), free(times);
    rnnc_optim_free(o);
    rnnc_model_free(m);
    return 0;
}
