/* Builds a GRU regressor in code and trains it on arrays in memory: each sequence of T numbers
 * in [0, 1) is to be mapped to its mean. Prints the loss as it falls and saves the model.
 *   train_arrays [OUT.safetensors]          (docs/api.md, "A model built and trained in code") */
#include <rnnc.h>

#include <stdio.h>
#include <stdlib.h>

enum { T = 12, B = 32, STEPS = 300 };

static int fail(const char *what) {
    fprintf(stderr, "train_arrays: %s: %s\n", what, rnnc_last_error());
    return 1;
}

int main(int argc, char **argv) {
    const char *desc = "[model]\ninput_size = 1\n"
                       "[gru]\nhidden = 16\n"
                       "[dense]\nunits = 1\n";
    rnnc_config cfg;
    rnnc_model *m = NULL;
    rnnc_optim *opt = NULL;
    if (rnnc_config_parse(desc, "train_arrays", &cfg) || rnnc_model_create(&cfg, 1, &m))
        return fail("model");
    rnnc_optim_spec os = rnnc_optim_spec_init(RNNC_OPTIM_ADAM);
    os.lr = 0.01;
    if (rnnc_optim_create(m, &os, &opt))
        return fail("optimizer");

    static float x[T * B], y[B], grad[B]; /* x (T,B,1), y (B) */
    rnnc_rng rng;
    rnnc_rng_seed(&rng, 7);
    double first = 0, loss = 0;
    for (int step = 0; step < STEPS; step++) {
        for (int b = 0; b < B; b++) { /* a fresh batch: T numbers and their mean */
            double sum = 0;
            for (int t = 0; t < T; t++)
                sum += x[t * B + b] = (float)rnnc_rng_uniform(&rng);
            y[b] = (float)(sum / T);
        }
        const rnnc_batch batch = {.T = T, .B = B, .x = x};
        if (rnnc_model_forward(m, &batch, 1))
            return fail("forward");
        const float *pred = rnnc_model_output(m, NULL, NULL); /* (B,1) */
        loss = rnnc_loss_mse(pred, y, B, grad);
        rnnc_model_zero_grad(m);
        if (rnnc_model_backward(m, grad) || rnnc_optim_step(opt))
            return fail("step");
        if (step == 0)
            first = loss;
        if (step % 50 == 0 || step == STEPS - 1)
            printf("step %3d  mse %.6f\n", step, loss);
    }
    printf("mse fell from %.6f to %.6f\n", first, loss);
    if (argc > 1 && rnnc_model_save(m, argv[1], NULL, NULL, 0))
        return fail(argv[1]);
    rnnc_optim_free(opt);
    rnnc_model_free(m);
    return loss < first / 4 ? 0 : 1;
}
