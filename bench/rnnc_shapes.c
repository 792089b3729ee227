/* rnnc on the five fixed benchmark shapes of bench/README.md: one (shape, mode) per process.
 *   rnnc_shapes SHAPE MODE [steps=10] [warmup=2] [threads=2]
 * SHAPE is S1..S5, MODE train (forward, loss, backward, Adam step) or infer (forward only).
 * Prints one line: engine=rnnc shape= mode= threads= steps= ms_median= ms_min= ms_max=
 * tokens_per_s= gflops= peak_mb= (definitions in bench/README.md; the same line as
 * bench/torch_shapes.py and bench/onednn_shapes.c print). */
#define _POSIX_C_SOURCE 200809L
#include "bench.h"
#include "rnnc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

typedef struct shape {
    const char *name;
    int kind, input, hidden, layers, T, B;
    int vocab; /* > 0: an embedding of vocab x input in front */
    int head;  /* 0 none (loss = mean of outputs), 1 Dense(1)+BCE last step, 2 Dense(vocab)+CE */
} shape;

static const shape shapes[] = {
    {"S1", RNNC_LAYER_LSTM, 128, 128, 1, 500, 64, 10000, 1},
    {"S2", RNNC_LAYER_LSTM, 64, 512, 2, 100, 64, 65, 2},
    {"S3", RNNC_LAYER_GRU, 64, 256, 1, 200, 32, 0, 0},
    {"S4", RNNC_LAYER_RNN, 64, 256, 1, 200, 32, 0, 0},
    {"S5", RNNC_LAYER_LSTM, 512, 1024, 1, 100, 64, 0, 0},
};

/* Resident set size now, in MiB. */
static double rss_mb(void) {
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return (double)resident * (double)sysconf(_SC_PAGESIZE) / (1024.0 * 1024.0);
}

static double peak_rss_mb(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_maxrss / 1024.0; /* kilobytes on Linux */
}

static void die(const char *what) {
    fprintf(stderr, "rnnc_shapes: %s: %s\n", what, rnnc_last_error());
    exit(1);
}

/* One step: forward; in training (o not NULL) also the loss gradient, backward and Adam. */
static void step(rnnc_model *m, rnnc_optim *o, const shape *s, const rnnc_batch *batch,
                 const float *y, const int32_t *tgt, float *dout) {
    if (rnnc_model_forward(m, batch, o != NULL))
        die("forward");
    if (!o)
        return;
    const float *out = rnnc_model_output(m, NULL, NULL);
    const size_t TB = (size_t)s->T * (size_t)s->B;
    double loss;
    if (s->head == 1)
        rnnc_loss_bce_logits(out, y, (size_t)s->B, dout);
    if (s->head == 2 && rnnc_loss_softmax_ce(out, tgt, TB, (size_t)s->vocab, -1, &loss, NULL, dout))
        die("loss");
    rnnc_model_zero_grad(m);
    if (rnnc_model_backward(m, dout))
        die("backward");
    if (rnnc_optim_step(o))
        die("optimizer step");
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr,
                "usage: rnnc_shapes S1..S5 train|infer [steps=10] [warmup=2] [threads=2]\n");
        return 2;
    }
    const shape *s = NULL;
    for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++)
        if (strcmp(argv[1], shapes[i].name) == 0)
            s = &shapes[i];
    const int train = strcmp(argv[2], "train") == 0;
    const int steps = argc > 3 ? atoi(argv[3]) : 10, warm = argc > 4 ? atoi(argv[4]) : 2;
    const int threads = argc > 5 ? atoi(argv[5]) : 2;
    if (!s || (!train && strcmp(argv[2], "infer") != 0) || steps < 1 || steps > 100000 ||
        warm < 0 || threads < 1) {
        fprintf(stderr, "rnnc_shapes: bad arguments (shape S1..S5, mode train|infer)\n");
        return 2;
    }
    rnnc_set_num_threads(threads);
    const double rss0 = rss_mb();

    rnnc_config cfg = {0};
    int n = 0;
    if (s->vocab) {
        cfg.layers[n] = rnnc_layer_spec_init(RNNC_LAYER_EMBEDDING);
        cfg.layers[n].vocab = s->vocab, cfg.layers[n++].dim = s->input;
    } else {
        cfg.input_size = s->input;
    }
    cfg.layers[n] = rnnc_layer_spec_init(s->kind);
    cfg.layers[n].hidden = s->hidden, cfg.layers[n].layers = s->layers;
    cfg.layers[n++].return_sequences = s->head != 1;
    if (s->head) {
        cfg.layers[n] = rnnc_layer_spec_init(RNNC_LAYER_DENSE);
        cfg.layers[n++].units = s->head == 1 ? 1 : s->vocab;
    }
    cfg.n_layers = n;
    rnnc_model *m;
    rnnc_optim *o = NULL;
    rnnc_optim_spec os = rnnc_optim_spec_init(RNNC_OPTIM_ADAM);
    if (rnnc_model_create(&cfg, 1, &m))
        die("model");
    if (train && rnnc_optim_create(m, &os, &o))
        die("optimizer");
    rnnc_model_set_input_grad(m, 0); /* as rnnc's trainer; PyTorch's inputs need no grad either */

    const size_t T = (size_t)s->T, B = (size_t)s->B, TB = T * B;
    const size_t O = s->head == 0 ? (size_t)s->hidden : s->head == 1 ? 1 : (size_t)s->vocab;
    const size_t nout = s->head == 1 ? B : TB * O;
    rnnc_rng r;
    rnnc_rng_seed(&r, 7);
    int32_t *ids = malloc(sizeof(int32_t) * TB), *tgt = malloc(sizeof(int32_t) * TB);
    float *x = malloc(sizeof(float) * TB * (size_t)s->input), *y = malloc(sizeof(float) * B);
    float *dout = malloc(sizeof(float) * nout);
    double *times = malloc(sizeof(double) * 10000);
    if (!ids || !tgt || !x || !y || !dout || !times) {
        fprintf(stderr, "rnnc_shapes: out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < TB; i++) {
        ids[i] = s->vocab ? (int32_t)rnnc_rng_below(&r, (uint32_t)s->vocab) : 0;
        tgt[i] = s->vocab ? (int32_t)rnnc_rng_below(&r, (uint32_t)s->vocab) : 0;
    }
    for (size_t i = 0; i < TB * (size_t)s->input; i++)
        x[i] = (float)rnnc_rng_uniform(&r) * 2 - 1;
    for (size_t b = 0; b < B; b++)
        y[b] = (float)rnnc_rng_below(&r, 2);
    for (size_t i = 0; i < nout; i++)
        dout[i] = 1.0f / (float)nout; /* loss = mean of outputs */
    rnnc_batch batch = {s->T, s->B, s->vocab ? ids : NULL, s->vocab ? NULL : x, NULL, RNNC_PAD_POST,
                        0,    NULL};

    /* warm-up: at least `warm` steps and 0.5 s; timed: at least `steps` steps and 1 s (at most
     * 10000), so short steps are not timed before the threads have settled (bench/README.md) */
    double start = bench_now();
    for (int it = 0; it < warm || bench_now() - start < 0.5; it++)
        step(m, o, s, &batch, y, tgt, dout);
    int done = 0;
    start = bench_now();
    while (done < 10000 && (done < steps || bench_now() - start < 1.0)) {
        double t0 = bench_now();
        step(m, o, s, &batch, y, tgt, dout);
        times[done++] = bench_now() - t0;
    }
    const double peak = peak_rss_mb() - rss0;
    qsort(times, (size_t)done, sizeof *times, bench_cmp);
    const double med = times[done / 2];
    double flops = 0;
    const double G = s->kind == RNNC_LAYER_LSTM ? 4 : s->kind == RNNC_LAYER_GRU ? 3 : 1;
    for (int l = 0; l < s->layers; l++) {
        const double in = l == 0 ? s->input : s->hidden;
        flops += 2.0 * (double)TB * (in + s->hidden) * G * s->hidden;
    }
    if (train)
        flops *= 3;
    printf("engine=rnnc shape=%s mode=%s threads=%d steps=%d ms_median=%.3f ms_min=%.3f "
           "ms_max=%.3f tokens_per_s=%.0f gflops=%.2f peak_mb=%.1f\n",
           s->name, train ? "train" : "infer", threads, done, 1e3 * med, 1e3 * times[0],
           1e3 * times[done - 1], (double)TB / med, flops / med / 1e9, peak);
    free(ids), free(tgt), free(x), free(y), free(dout), free(times);
    rnnc_optim_free(o);
    rnnc_model_free(m);
    return 0;
}
