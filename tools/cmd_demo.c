/* rnnc demo: the adding problem (Hochreiter & Schmidhuber 1997). Each step of a sequence carries
 * a random value in [0,1) and a marker; exactly two steps are marked, and the target is the sum of
 * their values. The model must remember the marked values across the whole (variable) length,
 * which a model without memory cannot: always answering 1.0 gives MSE 1/6. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct demo_opts {
    long epochs, steps, batch, hidden, tmin, tmax, threads, test_n;
    double lr;
    uint64_t seed;
    int cell;
} demo_opts;

/* Fills one post-padded batch: x (T,B,2), target (B), lengths (B); returns T. */
static int make_batch(rnnc_rng *r, const demo_opts *o, int B, float *x, float *target,
                      int32_t *len) {
    int T = 0;
    for (int b = 0; b < B; b++) {
        len[b] = (int32_t)(o->tmin + rnnc_rng_below(r, (uint32_t)(o->tmax - o->tmin + 1)));
        T = len[b] > T ? len[b] : T;
    }
    memset(x, 0, (size_t)T * B * 2 * sizeof(float));
    for (int b = 0; b < B; b++) {
        int L = len[b];
        int i = (int)rnnc_rng_below(r, (uint32_t)(L / 2)); /* one mark in each half */
        int j = L / 2 + (int)rnnc_rng_below(r, (uint32_t)(L - L / 2));
        target[b] = 0;
        for (int t = 0; t < L; t++) {
            float v = (float)rnnc_rng_uniform(r);
            x[((size_t)t * B + b) * 2] = v;
            if (t == i || t == j) {
                x[((size_t)t * B + b) * 2 + 1] = 1;
                target[b] += v;
            }
        }
    }
    return T;
}

/* Test-set MSE and the share of answers within 0.04 of the target. */
static rnnc_status evaluate(rnnc_model *m, const demo_opts *o, double *mse, double *acc) {
    rnnc_rng r;
    rnnc_rng_seed(&r, o->seed + 1000003); /* a fixed test set, never trained on */
    const int B = (int)o->batch;
    float *x = malloc((size_t)o->tmax * B * 2 * sizeof(float)), *y = malloc(B * sizeof(float));
    int32_t *len = malloc(B * sizeof(int32_t));
    rnnc_status st = (x && y && len) ? RNNC_OK : RNNC_ERR_NOMEM;
    double se = 0;
    long hits = 0, n = 0;
    for (long done = 0; st == RNNC_OK && done < o->test_n; done += B) {
        int T = make_batch(&r, o, B, x, y, len);
        rnnc_batch batch = {T, B, NULL, x, len, RNNC_PAD_POST};
        if ((st = rnnc_model_forward(m, &batch, 0)))
            break;
        const float *out = rnnc_model_output(m, NULL, NULL);
        for (int b = 0; b < B; b++, n++) {
            double e = (double)out[b] - y[b];
            se += e * e;
            hits += e < 0.04 && e > -0.04;
        }
    }
    *mse = n ? se / (double)n : 0;
    *acc = n ? (double)hits / (double)n : 0;
    free(x), free(y), free(len);
    return st;
}

static int usage(FILE *f, int code) {
    fprintf(f, "usage: rnnc demo [options]\n\n"
               "Trains a small recurrent model on the adding problem: sequences of 2 features\n"
               "(a value and a marker), variable lengths, target = sum of the two marked values.\n"
               "Prints the loss falling each epoch and the final test accuracy (answers within\n"
               "0.04 of the target).\n\noptions:\n"
               "  --cell lstm|gru|rnn  recurrent cell (default lstm)\n"
               "  --hidden N           hidden units (default 32)\n"
               "  --epochs N           epochs (default 15)\n"
               "  --steps N            training batches per epoch (default 200)\n"
               "  --batch N            sequences per batch (default 32)\n"
               "  --tmin N, --tmax N   sequence lengths (default 10..30)\n"
               "  --lr X               Adam learning rate (default 0.005)\n"
               "  --seed N             random seed (default 1)\n"
               "  --threads N          threads (default 1)\n");
    return code;
}

int cmd_demo(int argc, char **argv) {
    demo_opts o = {15, 200, 32, 32, 10, 30, 1, 2048, 0.005, 1, RNNC_LAYER_LSTM};
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        long seed = 0;
        int k;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return usage(stdout, CLI_OK);
#define INT_OPT(name, field, lo, hi)                                                               \
    if ((k = cli_opt(name, argc, argv, &i, &v)) != 0) {                                            \
        if (k < 0 || cli_int(name, v, lo, hi, &o.field))                                           \
            return CLI_USAGE;                                                                      \
        continue;                                                                                  \
    }
        INT_OPT("--epochs", epochs, 1, 100000)
        INT_OPT("--steps", steps, 1, 10000000)
        INT_OPT("--batch", batch, 1, 65536)
        INT_OPT("--hidden", hidden, 1, 65536)
        INT_OPT("--tmin", tmin, 2, 100000)
        INT_OPT("--tmax", tmax, 2, 100000)
        INT_OPT("--threads", threads, 0, 1024)
#undef INT_OPT
        if ((k = cli_opt("--seed", argc, argv, &i, &v)) != 0) {
            if (k < 0 || cli_int("--seed", v, 0, 2147483647L, &seed))
                return CLI_USAGE;
            o.seed = (uint64_t)seed;
            continue;
        }
        if ((k = cli_opt("--lr", argc, argv, &i, &v)) != 0) {
            if (k < 0 || cli_double("--lr", v, 0, 10, &o.lr))
                return CLI_USAGE;
            continue;
        }
        if ((k = cli_opt("--cell", argc, argv, &i, &v)) != 0) {
            if (k < 0)
                return CLI_USAGE;
            if (!strcmp(v, "lstm"))
                o.cell = RNNC_LAYER_LSTM;
            else if (!strcmp(v, "gru"))
                o.cell = RNNC_LAYER_GRU;
            else if (!strcmp(v, "rnn"))
                o.cell = RNNC_LAYER_RNN;
            else {
                fprintf(stderr, "rnnc demo: --cell '%s': expected lstm, gru or rnn\n", v);
                return CLI_USAGE;
            }
            continue;
        }
        fprintf(stderr, "rnnc demo: unknown option '%s' (see --help)\n", argv[i]);
        return CLI_USAGE;
    }
    if (o.tmin > o.tmax) {
        fprintf(stderr, "rnnc demo: --tmin %ld is above --tmax %ld\n", o.tmin, o.tmax);
        return CLI_USAGE;
    }
    rnnc_set_num_threads((int)o.threads);

    rnnc_config cfg = {0};
    cfg.input_size = 2;
    cfg.n_layers = 2;
    cfg.layers[0] = rnnc_layer_spec_init(o.cell);
    cfg.layers[0].hidden = (int)o.hidden;
    cfg.layers[1] = rnnc_layer_spec_init(RNNC_LAYER_DENSE);
    cfg.layers[1].units = 1;
    rnnc_model *m = NULL;
    rnnc_optim *opt = NULL;
    rnnc_status st = rnnc_model_create(&cfg, o.seed, &m);
    rnnc_optim_spec os = rnnc_optim_spec_init(RNNC_OPTIM_ADAM);
    os.lr = o.lr;
    if (!st)
        st = rnnc_optim_create(m, &os, &opt);
    const int B = (int)o.batch;
    float *x = malloc((size_t)o.tmax * B * 2 * sizeof(float));
    float *y = malloc(B * sizeof(float)), *dout = malloc(B * sizeof(float));
    int32_t *len = malloc(B * sizeof(int32_t));
    if (!st && !(x && y && dout && len))
        st = RNNC_ERR_NOMEM;
    if (st) {
        int code = st == RNNC_ERR_NOMEM ? (fprintf(stderr, "rnnc demo: out of memory\n"), CLI_FAIL)
                                        : cli_fail("demo", st);
        rnnc_optim_free(opt), rnnc_model_free(m), free(x), free(y), free(dout), free(len);
        return code;
    }
    size_t nparams;
    rnnc_model_params(m, &nparams);
    printf("adding problem: lengths %ld..%ld, %s hidden %ld (%zu parameters), Adam lr %g, "
           "batch %d, seed %llu\n",
           o.tmin, o.tmax,
           o.cell == RNNC_LAYER_LSTM  ? "LSTM"
           : o.cell == RNNC_LAYER_GRU ? "GRU"
                                      : "RNN",
           o.hidden, nparams, o.lr, B, (unsigned long long)o.seed);
    printf("baseline: always answering 1.0 gives test MSE 0.1667\n");
    printf("%5s %12s %12s %10s %8s\n", "epoch", "train MSE", "test MSE", "accuracy", "cpu s");
    rnnc_rng r;
    rnnc_rng_seed(&r, o.seed);
    double mse = 0, acc = 0;
    clock_t start = clock();
    for (long ep = 1; ep <= o.epochs && !st; ep++) {
        double sum = 0;
        for (long s = 0; s < o.steps && !st; s++) {
            int T = make_batch(&r, &o, B, x, y, len);
            rnnc_batch batch = {T, B, NULL, x, len, RNNC_PAD_POST};
            if ((st = rnnc_model_forward(m, &batch, 1)))
                break;
            sum += rnnc_loss_mse(rnnc_model_output(m, NULL, NULL), y, (size_t)B, dout);
            rnnc_model_zero_grad(m);
            if ((st = rnnc_model_backward(m, dout)))
                break;
            rnnc_clip_grad_norm(m, 1.0);
            st = rnnc_optim_step(opt);
        }
        if (!st)
            st = evaluate(m, &o, &mse, &acc);
        if (!st)
            printf("%5ld %12.5f %12.5f %9.1f%% %8.1f\n", ep, sum / (double)o.steps, mse, 100 * acc,
                   (double)(clock() - start) / CLOCKS_PER_SEC);
        fflush(stdout);
    }
    int code = CLI_OK;
    if (st)
        code = cli_fail("demo", st);
    else
        printf(
            "final test accuracy: %.1f%% of %ld sequences within 0.04 of the target (MSE %.5f)\n",
            100 * acc, o.test_n, mse);
    rnnc_optim_free(opt), rnnc_model_free(m), free(x), free(y), free(dout), free(len);
    return code;
}
