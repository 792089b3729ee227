/* rnnc demo [adding|copy]: two long-memory tasks of Hochreiter & Schmidhuber 1997.
 * The adding problem: each step of a sequence carries a random value in [0,1) and a marker;
 * exactly two steps are marked, and the target is the sum of their values. The model must
 * remember the marked values across the whole (variable) length, which a model without memory
 * cannot: always answering 1.0 gives MSE 1/6.
 * The copy task (as Arjovsky et al. 2016 set it): 10 symbols from an alphabet of 8, T - 1
 * blanks, a delimiter, 10 blanks (T + 20 steps, one-hot over 10 classes); the target is blank at
 * every step but the last 10, which must repeat the symbols. Predicting blanks, then a uniform
 * guess over the 8 symbols, gives the cross-entropy 10 ln 8 / (T + 20) per step. */
#include "cli.h"
#include "memtask.h"
#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { TASK_ADDING, TASK_COPY };
typedef struct demo_opts {
    long epochs, steps, batch, hidden, tmin, tmax, threads, test_n, T;
    double lr, solved; /* solved < 0: not given (the task's default criterion) */
    uint64_t seed;
    int cell, identity, task;
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
static rnnc_status evaluate_adding(rnnc_model *m, const demo_opts *o, double *mse, double *acc) {
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

/* Test-set cross-entropy per step and the share of the recalled symbols right (argmax). */
static rnnc_status evaluate_copy(rnnc_model *m, const demo_opts *o, double *ce, double *acc) {
    rnnc_rng r;
    rnnc_rng_seed(&r, o->seed + 1000003);
    const int B = (int)o->batch, L = (int)o->T + 2 * COPY_N;
    float *x = malloc((size_t)L * B * COPY_CLASSES * sizeof(float));
    int32_t *y = malloc((size_t)L * B * sizeof(int32_t));
    rnnc_status st = (x && y) ? RNNC_OK : RNNC_ERR_NOMEM;
    double sum = 0;
    long hits = 0, n = 0, batches = 0;
    for (long done = 0; st == RNNC_OK && done < o->test_n; done += B, batches++) {
        memtask_copy_batch(&r, o->T, B, x, y);
        rnnc_batch batch = {L, B, NULL, x, NULL, RNNC_PAD_POST, 0, NULL};
        double loss;
        if ((st = rnnc_model_forward(m, &batch, 0)))
            break;
        const float *out = rnnc_model_output(m, NULL, NULL);
        if ((st = rnnc_loss_softmax_ce(out, y, (size_t)L * B, COPY_CLASSES, -1, &loss, NULL, NULL)))
            break;
        sum += loss;
        hits += memtask_copy_hits(out, y, L, B);
        n += (long)B * COPY_N;
    }
    *ce = batches ? sum / (double)batches : 0;
    *acc = n ? (double)hits / (double)n : 0;
    free(x), free(y);
    return st;
}

static const char about[] =
    "Trains a small recurrent model on a long-memory task (docs/theory.md).\n"
    "adding (the default): sequences of 2 features (a value and a marker), variable\n"
    "lengths, target = sum of the two marked values; prints the loss falling each epoch\n"
    "and the final test accuracy (answers within 0.04 of the target). Solved: test MSE\n"
    "below 0.01.\n"
    "copy: 10 symbols of 8, T - 1 blanks, a delimiter, 10 blanks; the model must repeat\n"
    "the 10 symbols at the last 10 steps (softmax over 10 classes at every step).\n"
    "Solved: at least 99% of the recalled symbols right.\n"
    "Training stops at the first epoch that meets the criterion when the copy task runs\n"
    "or --solved is given; the last line says whether, at which step, and the wall time.\n";

static const char *const cells[] = {"lstm", "gru", "rnn", "irnn", NULL};
static const int cell_kinds[] = {RNNC_LAYER_LSTM, RNNC_LAYER_GRU, RNNC_LAYER_RNN, RNNC_LAYER_RNN};

/* The options into o; returns as cli_parse. */
static int parse(demo_opts *o, int argc, char **argv) {
    int cell = 0, n;
    long seed = 1, T = -1;
    const cli_option opts[] = {
        {"--cell", CLI_CHOICE, &cell, "lstm|gru|rnn|irnn",
         "recurrent cell (default lstm); irnn: ReLU RNN, W_hh the identity, biases 0\n"
         "(Le et al. 2015)",
         0, 0, cells},
        {"--T", CLI_INT, &T, "N",
         "adding: every sequence N long (--tmin = --tmax = N); copy: the delay\n"
         "(sequences of N + 20 steps; default 20)",
         1, 100000, NULL},
        {"--solved", CLI_NUMBER, &o->solved, "X",
         "adding: solved when the test MSE is below X (default 0.01, 6% of the\n"
         "0.1667 baseline); copy: when the share of recalled symbols right is at\n"
         "least X (default 0.99)",
         0, 1, NULL},
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
    const cli_command c = {
        "demo", "[adding|copy]", about, opts, (int)(sizeof opts / sizeof *opts), 0, 1, NULL};
    const int rc = cli_parse(&c, argc, argv, &n);
    o->cell = cell_kinds[cell], o->identity = !strcmp(cells[cell], "irnn");
    o->seed = (uint64_t)seed;
    if (rc != CLI_GO)
        return rc;
    if (n == 1 && strcmp(argv[1], "adding") && strcmp(argv[1], "copy")) {
        fprintf(stderr, "rnnc demo: unknown task '%s' (adding or copy)\n", cli_quote(argv[1]));
        return CLI_USAGE;
    }
    o->task = n == 1 && !strcmp(argv[1], "copy") ? TASK_COPY : TASK_ADDING;
    if (o->task == TASK_COPY)
        o->T = T > 0 ? T : 20, o->test_n = 512;
    else if (T > 0)
        o->tmin = o->tmax = T;
    if (o->tmin > o->tmax) {
        fprintf(stderr, "rnnc demo: --tmin %ld is above --tmax %ld\n", o->tmin, o->tmax);
        return CLI_USAGE;
    }
    return rc;
}

/* The model, its optimizer and one batch's buffers (freed by run_free). */
typedef struct demo_run {
    rnnc_model *m;
    rnnc_optim *opt;
    float *x, *y, *dout; /* adding (T,B,2), (B), (B); copy (L,B,10), unused, (L,B,10) */
    int32_t *len;        /* adding: lengths (B); copy: targets (L,B) */
} demo_run;

static void run_free(demo_run *r) {
    rnnc_optim_free(r->opt), rnnc_model_free(r->m);
    free(r->x), free(r->y), free(r->dout), free(r->len);
}

/* A recurrent layer of o's cell and a dense unit, with Adam; returns an exit code. */
static int build(const demo_opts *o, demo_run *r) {
    const int copy = o->task == TASK_COPY;
    rnnc_config cfg = {0};
    cfg.input_size = copy ? COPY_CLASSES : 2;
    cfg.n_layers = 2;
    cfg.layers[0] = rnnc_layer_spec_init(o->cell);
    cfg.layers[0].hidden = (int)o->hidden;
    cfg.layers[0].return_sequences = copy;
    if (o->identity)
        cfg.layers[0].nonlinearity = RNNC_ACT_RELU, cfg.layers[0].init = RNNC_INIT_IDENTITY;
    cfg.layers[1] = rnnc_layer_spec_init(RNNC_LAYER_DENSE);
    cfg.layers[1].units = copy ? COPY_CLASSES : 1;
    rnnc_status st = rnnc_model_create(&cfg, o->seed, &r->m);
    rnnc_optim_spec os = rnnc_optim_spec_init(RNNC_OPTIM_ADAM);
    os.lr = o->lr;
    if (!st)
        st = rnnc_optim_create(r->m, &os, &r->opt);
    if (st)
        return cli_fail("demo", st);
    const size_t B = (size_t)o->batch, L = (size_t)o->T + 2 * COPY_N;
    if (copy) {
        r->x = malloc(L * B * COPY_CLASSES * sizeof(float));
        r->dout = malloc(L * B * COPY_CLASSES * sizeof(float));
        r->len = malloc(L * B * sizeof(int32_t));
    } else {
        r->x = malloc((size_t)o->tmax * B * 2 * sizeof(float));
        r->y = malloc(B * sizeof(float)), r->dout = malloc(B * sizeof(float));
        r->len = malloc(B * sizeof(int32_t));
    }
    if (!(r->x && (copy || r->y) && r->dout && r->len))
        return cli_out_of_memory("demo");
    size_t nparams;
    rnnc_model_params(r->m, &nparams);
    const char *name = o->identity                  ? "IRNN"
                       : o->cell == RNNC_LAYER_LSTM ? "LSTM"
                       : o->cell == RNNC_LAYER_GRU  ? "GRU"
                                                    : "RNN";
    if (copy)
        printf("copy task: T = %ld (sequences of %zu steps), ", o->T, L);
    else
        printf("adding problem: lengths %ld..%ld, ", o->tmin, o->tmax);
    printf("%s hidden %ld (%zu parameters), Adam lr %g, batch %ld, seed %llu\n", name, o->hidden,
           nparams, o->lr, o->batch, (unsigned long long)o->seed);
    return CLI_OK;
}

/* One epoch of o->steps batches; *loss gets the mean training loss (MSE or cross-entropy). */
static rnnc_status train_epoch(const demo_opts *o, demo_run *r, rnnc_rng *rng, double *loss) {
    const int B = (int)o->batch;
    double sum = 0;
    rnnc_status st = RNNC_OK;
    for (long s = 0; s < o->steps && !st; s++) {
        const int copy = o->task == TASK_COPY;
        int T = copy ? memtask_copy_batch(rng, o->T, B, r->x, r->len)
                     : make_batch(rng, o, B, r->x, r->y, r->len);
        rnnc_batch batch = {T, B, NULL, r->x, copy ? NULL : r->len, RNNC_PAD_POST, 0, NULL};
        if ((st = rnnc_model_forward(r->m, &batch, 1)))
            break;
        const float *out = rnnc_model_output(r->m, NULL, NULL);
        double l = 0;
        if (copy)
            st = rnnc_loss_softmax_ce(out, r->len, (size_t)T * B, COPY_CLASSES, -1, &l, NULL,
                                      r->dout);
        else
            l = rnnc_loss_mse(out, r->y, (size_t)B, r->dout);
        sum += l;
        if (st)
            break;
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
    demo_opts o = {15, 200, 32, 32, 10, 30, 1, 2048, 0, 0.005, -1, 1, RNNC_LAYER_LSTM, 0, 0};
    int rc = parse(&o, argc, argv);
    if (rc != CLI_GO)
        return rc;
    rnnc_set_num_threads((int)o.threads);
    demo_run r = {NULL, NULL, NULL, NULL, NULL, NULL};
    if ((rc = build(&o, &r)) != CLI_OK) {
        run_free(&r);
        return rc;
    }
    const int copy = o.task == TASK_COPY, check = copy || o.solved >= 0;
    if (copy) {
        printf("baseline: blanks, then a uniform guess at the 10 symbols, gives cross-entropy "
               "%.4f (10 ln 8 / (T + 20))\n",
               memtask_copy_baseline(o.T));
        printf("%5s %12s %12s %10s %8s\n", "epoch", "train CE", "test CE", "recall", "cpu s");
    } else {
        printf("baseline: always answering 1.0 gives test MSE 0.1667\n");
        printf("%5s %12s %12s %10s %8s\n", "epoch", "train MSE", "test MSE", "accuracy", "cpu s");
    }
    rnnc_rng rng;
    rnnc_rng_seed(&rng, o.seed);
    double loss = 0, test = 0, acc = 0;
    const clock_t start = clock();
    const double wall0 = cli_wall();
    long solved_at = 0, ep;
    rnnc_status st = RNNC_OK;
    for (ep = 1; ep <= o.epochs && !st && !solved_at; ep++) {
        if (!(st = train_epoch(&o, &r, &rng, &loss)) &&
            !(st = copy ? evaluate_copy(r.m, &o, &test, &acc)
                        : evaluate_adding(r.m, &o, &test, &acc)))
            printf("%5ld %12.5f %12.5f %9.1f%% %8.1f\n", ep, loss, test, 100 * acc,
                   (double)(clock() - start) / CLOCKS_PER_SEC);
        if (!st && check && memtask_solved(copy, o.solved, test, acc))
            solved_at = ep * o.steps;
        fflush(stdout);
    }
    const double wall = cli_wall() - wall0;
    if (st)
        rc = cli_fail("demo", st);
    else if (copy)
        printf("final test accuracy: %.1f%% of the 10 recalled symbols of %ld sequences "
               "(cross-entropy %.5f)\n",
               100 * acc, o.test_n, test);
    else
        printf(
            "final test accuracy: %.1f%% of %ld sequences within 0.04 of the target (MSE %.5f)\n",
            100 * acc, o.test_n, test);
    if (!st && check) {
        if (solved_at)
            printf("solved: yes, at step %ld (%.1f s wall)\n", solved_at, wall);
        else
            printf("solved: no, within %ld steps (%.1f s wall)\n", o.epochs * o.steps, wall);
    }
    run_free(&r);
    return rc;
}
