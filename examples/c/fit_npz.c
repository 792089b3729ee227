/* Trains a 2-layer GRU on the arrays of an .npz file (numpy.savez: x (N,T,F), optional lengths
 * (N), y (N) or (N,K) floats for regression, integer labels for classes) with the library's
 * trainer, holding out the last 10% for validation; resumes from a checkpoint when one is given,
 * then prints the validation scores and the first rows' predictions.
 *   fit_npz DATA.npz OUT_DIR EPOCHS [OUT_DIR/checkpoint.safetensors]   (docs/arrays.md) */
#include <rnnc.h>

#include <stdio.h>
#include <stdlib.h>

static int fail(const char *what) {
    fprintf(stderr, "fit_npz: %s: %s\n", what, rnnc_last_error());
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 4)
        return fprintf(stderr, "usage: fit_npz DATA.npz OUT_DIR EPOCHS [CHECKPOINT]\n"), 2;
    rnnc_arrays_source src = rnnc_arrays_source_init();
    src.path = argv[1];
    rnnc_arrays_file *file;
    if (rnnc_arrays_read(&src, &file))
        return fail(argv[1]);
    const rnnc_arrays *all = rnnc_arrays_file_data(file);
    rnnc_arrays train, val;
    const size_t nv = all->n / 10;
    rnnc_arrays_slice(all, 0, all->n - nv, &train);
    rnnc_arrays_slice(all, all->n - nv, nv, &val);

    char desc[256]; /* the model: the data's features in, one output per target column */
    snprintf(desc, sizeof desc,
             "[model]\ninput_size = %d\n[gru]\nhidden = 32\nlayers = 2\n[dense]\nunits = %d\n",
             all->F, all->outputs);
    rnnc_config cfg;
    rnnc_model *m = NULL;
    if (rnnc_config_parse(desc, "fit_npz", &cfg) || rnnc_model_create(&cfg, 1, &m))
        return fail("model");
    rnnc_fit_spec fit = rnnc_fit_spec_init();
    fit.epochs = atoi(argv[3]);
    fit.optim.lr = 0.005;
    fit.out_dir = argv[2];                  /* checkpoints, best, model, metrics.jsonl */
    fit.resume = argc > 4 ? argv[4] : NULL; /* continues exactly where the run stopped */
    rnnc_epoch_report last;
    rnnc_arrays_scores s;
    if (rnnc_fit_arrays(m, &train, &val, &fit, &last) || rnnc_arrays_evaluate(m, &val, 0, &s))
        return fail("training");
    printf("epoch %d: validation loss %.6g", last.epoch, s.loss);
    if (all->target == RNNC_TARGET_REGRESSION)
        printf(", mae %.4g, R^2 %.4f\n", s.mae, s.r2);
    else
        printf(", accuracy %.4f\n", s.metrics.accuracy);
    float out[3 * 64];
    rnnc_arrays first3;
    rnnc_arrays_slice(all, 0, 3, &first3);
    if (all->target != RNNC_TARGET_STEPS && all->outputs <= 64 &&
        rnnc_arrays_predict(m, &first3, 0, out) == RNNC_OK)
        for (int i = 0; i < 3; i++) {
            printf("row %d:", i);
            for (int k = 0; k < all->outputs; k++)
                printf(" %.6f", out[i * all->outputs + k]);
            printf("\n");
        }
    rnnc_model_free(m);
    rnnc_arrays_file_free(file);
    return 0;
}
