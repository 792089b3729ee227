/* Trains a 2-layer GRU regressor on arrays in memory with the library's trainer (Keras's
 * model.fit(x, y, validation_split=0.1, epochs=8)): each sequence of up to T numbers in [-1, 1)
 * is to be mapped to its mean. The trainer keeps checkpoints, the best model and metrics.jsonl
 * in OUT_DIR; `rnnc eval OUT_DIR/model.safetensors DATA.npz` and `rnnc predict` take its model.
 *   fit_arrays [OUT_DIR]                    (docs/api.md, "Training on arrays") */
#include <rnnc.h>

#include <stdio.h>

enum { N = 1000, T = 10 };
static float x[N * T], y[N]; /* x (N,T,1), y (N) */
static int32_t len[N];       /* each sequence's length; steps after it are padding */

int main(int argc, char **argv) {
    rnnc_rng rng;
    rnnc_rng_seed(&rng, 7);
    for (int i = 0; i < N; i++) {
        len[i] = 3 + (int32_t)(rnnc_rng_uniform(&rng) * (T - 2)); /* 3 to 10 steps */
        double sum = 0;
        for (int t = 0; t < len[i]; t++)
            sum += x[i * T + t] = (float)(2 * rnnc_rng_uniform(&rng) - 1);
        y[i] = (float)(sum / len[i]);
    }
    /* the data: borrowed pointers, nothing copied */
    rnnc_arrays all = {.n = N,
                       .T = T,
                       .F = 1,
                       .x = x,
                       .lengths = len,
                       .y = y,
                       .target = RNNC_TARGET_REGRESSION,
                       .outputs = 1};
    rnnc_arrays train, val; /* the last 10% for validation, as Keras's validation_split */
    rnnc_arrays_slice(&all, 0, 900, &train);
    rnnc_arrays_slice(&all, 900, 100, &val);

    rnnc_config cfg;
    rnnc_model *m = NULL;
    if (rnnc_config_parse("[model]\ninput_size = 1\n[gru]\nhidden = 16\nlayers = 2\n"
                          "[dense]\nunits = 1\n",
                          "fit_arrays", &cfg) ||
        rnnc_model_create(&cfg, 1, &m)) {
        fprintf(stderr, "fit_arrays: %s\n", rnnc_last_error());
        return 1;
    }
    rnnc_fit_spec fit = rnnc_fit_spec_init(); /* Adam, batch 32, constant rate */
    fit.epochs = 8;
    fit.optim.lr = 0.01;
    fit.out_dir = argc > 1 ? argv[1] : NULL;
    rnnc_epoch_report last;
    rnnc_arrays_scores s;
    if (rnnc_fit_arrays(m, &train, &val, &fit, &last) || rnnc_arrays_evaluate(m, &val, 0, &s)) {
        fprintf(stderr, "fit_arrays: %s\n", rnnc_last_error());
        rnnc_model_free(m);
        return 1;
    }
    printf("after %d epochs: validation mse %.5f, mae %.4f, R^2 %.3f\n", last.epoch, s.loss, s.mae,
           s.r2);
    rnnc_model_free(m);
    return s.r2 > 0.8 ? 0 : 1;
}
