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
        rnnc_batch batch = {T, B, NULL, x, len, RNNC_PAD_POST, 0, NULL};
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

static const char about[] =
    "Trains a small recurrent model on the adding problem: sequences of 2 features\n"
    "(a value and a marker), variable lengths, target = sum of the two marked values.\n"
    "Prints the loss falling each epoch and the final test accuracy (answers within\n"
    "0.04 of the target).\n";

static const char *const cells[] = {"lstm", "gru", "rnn", NULL};
static const int cell_kinds[] = {RNNC_LAYER_LSTM, RNNC_LAYER_GRU, RNNC_LAYER_RNN};

/* The options into o; returns as cli_parse. */
static int parse(demo_opts *o, int argc, char **argv) {
    int cell = 0, n;
    long seed = 1;
    const cli_option opts[] = {
        {"--cell", CLI_CHOICE, &cell, "lstm|gru|rnn", "recurrent cell (default lstm)", 0, 0, cells},
        {"--hidden", CLI_INT, &o->hidden, "N", "hidden units (default 32)", 1, 65536, NULL},
        {"--epochs", CLI_INT, &o->epochs, "N", "epochs (default 15)", 1, 100000, NULL},
        {"--steps", CLI_INT, &o->steps, "N", "training batches per epoch (default 200)", 1,
         10000000, NULL},
        {"--batch", CLI_INT, &o->batch, "N", "sequences per batch (default 32)", 1, 65536, NULL},
        {"--tmin", CLI_INT, &o->tmin, "N", "the shortest sequence (default 10)", 2, 100000, NULL},
        {"--tmax", CLI_INT, &o->tmax, "N", "the longest sequence (default 30)", 2, 100000, NULL},
        {"--lr", CLI_NUMBER, &o->lr, "X", "Adam learning rate (default 0.005)", 0, 10, NULL},
        {"--seed", CLI_INT, &seed, "N", "random seed (default 1)", 0, 2147483647.0, NULL},
        {"--threads", CLI_INT, &o->threads, "N", "threads (default 1)", 0, RNNC_MAX_THREADS, NULL},
    };
    const cli_command c = {"demo", NULL, about, opts, (int)(sizeof opts / sizeof *opts),
                           0,      0,    NULL};
    const int rc = cli_parse(&c, argc, argv, &n);
    o->cell = cell_kinds[cell], o->seed = (uint64_t)seed;
    if (rc == CLI_GO && o->tmin > o->tmax) {
        fprintf(stderr, "rnnc demo: --tmin %ld is above --tmax %ld\n", o->tmin, o->tmax);
        return CLI_USAGE;
    }
    return rc;
}

/* The model, its optimizer and one batch's buffers (freed by run_free). */
typedef struct demo_run {
    rnnc_model *m;
    rnnc_optim *opt;
    float *x, *y, *dout; /* (T,B,2), (B), (B) */
    int32_t *len;        /* (B) */
} demo_run;

static void run_free(demo_run *r) {
    rnnc_optim_free(r->opt), rnnc_model_free(r->m);
    free(r->x), free(r->y), free(r->dout), free(r->len);
}

/* A recurrent layer of o's cell and a dense unit, with Adam; returns an exit code. */
static int build(const demo_opts *o, demo_run *r) {
    rnnc_config cfg = {0};
    cfg.input_size = 2;
    cfg.n_layers = 2;
    cfg.layers[0] = rnnc_layer_spec_init(o->cell);
    cfg.layers[0].hidden = (int)o->hidden;
    cfg.layers[1] = rnnc_layer_spec_init(RNNC_LAYER_DENSE);
    cfg.layers[1].units = 1;
    rnnc_status st = rnnc_model_create(&cfg, o->seed, &r->m);
    rnnc_optim_spec os = rnnc_optim_spec_init(RNNC_OPTIM_ADAM);
    os.lr = o->lr;
    if (!st)
        st = rnnc_optim_create(r->m, &os, &r->opt);
    if (st)
        return cli_fail("demo", st);
    const size_t B = (size_t)o->batch;
    r->x = malloc((size_t)o->tmax * B * 2 * sizeof(float));
    r->y = malloc(B * sizeof(float)), r->dout = malloc(B * sizeof(float));
    r->len = malloc(B * sizeof(int32_t));
    if (!(r->x && r->y && r->dout && r->len))
        return cli_out_of_memory("demo");
    size_t nparams;
    rnnc_model_params(r->m, &nparams);
    printf("adding problem: lengths %ld..%ld, %s hidden %ld (%zu parameters), Adam lr %g, "
           "batch %ld, seed %llu\n",
           o->tmin, o->tmax,
           o->cell == RNNC_LAYER_LSTM  ? "LSTM"
           : o->cell == RNNC_LAYER_GRU ? "GRU"
                                       : "RNN",
           o->hidden, nparams, o->lr, o->batch, (unsigned long long)o->seed);
    return CLI_OK;
}

/* One epoch of o->steps batches; *loss gets the mean training MSE. */
static rnnc_status train_epoch(const demo_opts *o, demo_run *r, rnnc_rng *rng, double *loss) {
    const int B = (int)o->batch;
    double sum = 0;
    rnnc_status st = RNNC_OK;
    for (long s = 0; s < o->steps && !st; s++) {
        int T = make_batch(rng, o, B, r->x, r->y, r->len);
        rnnc_batch batch = {T, B, NULL, r->x, r->len, RNNC_PAD_POST, 0, NULL};
        if ((st = rnnc_model_forward(r->m, &batch, 1)))
            break;
        sum += rnnc_loss_mse(rnnc_model_output(r->m, NULL, NULL), r->y, (size_t)B, r->dout);
        rnnc_model_zero_grad(r->m);
        if ((st = rnnc_model_backward(r->m, r->dout)))
            break;
        if ((st = rnnc_clip_grad_norm(r->m, 1.0, NULL)))
            break;
        st = rnnc_optim_step(r->opt);
    }
    *loss = sum / (double)o->steps;
    return st;
}

int cmd_demo(int argc, char **argv) {
    demo_opts o = {15, 200, 32, 32, 10, 30, 1, 2048, 0.005, 1, RNNC_LAYER_LSTM};
    int rc = parse(&o, argc, argv);
    if (rc != CLI_GO)
        return rc;
    rnnc_set_num_threads((int)o.threads);
    demo_run r = {NULL, NULL, NULL, NULL, NULL, NULL};
    if ((rc = build(&o, &r)) != CLI_OK) {
        run_free(&r);
        return rc;
    }
    printf("baseline: always answering 1.0 gives test MSE 0.1667\n");
    printf("%5s %12s %12s %10s %8s\n", "epoch", "train MSE", "test MSE", "accuracy", "cpu s");
    rnnc_rng rng;
    rnnc_rng_seed(&rng, o.seed);
    double loss = 0, mse = 0, acc = 0;
    const clock_t start = clock();
    rnnc_status st = RNNC_OK;
    for (long ep = 1; ep <= o.epochs && !st; ep++) {
        if (!(st = train_epoch(&o, &r, &rng, &loss)) && !(st = evaluate(r.m, &o, &mse, &acc)))
            printf("%5ld %12.5f %12.5f %9.1f%% %8.1f\n", ep, loss, mse, 100 * acc,
                   (double)(clock() - start) / CLOCKS_PER_SEC);
        fflush(stdout);
    }
    if (st)
        rc = cli_fail("demo", st);
    else
        printf(
            "final test accuracy: %.1f%% of %ld sequences within 0.04 of the target (MSE %.5f)\n",
            100 * acc, o.test_n, mse);
    run_free(&r);
    return rc;
}
