/* The thread rules of docs/api.md#threads: one loaded classifier shared by 4 threads, each
 * predicting on its own texts many times at once, gives every thread the bits one thread alone
 * gets; the same for one forecaster (forecasts from different rows) and one language model
 * (generation from different primes and seeds). Then rnnc_shutdown between calls: the pool's
 * threads are joined, and the next call starts them again and gives the same bits. Run under
 * ThreadSanitizer by scripts/check-memory.sh. */
#include "check.h"
#include "reviews.h"
#include "rnnc.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { THREADS = 4, PER_THREAD = 24, ROUNDS = 8 };

static rnnc_config model_cfg(void) {
    rnnc_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.n_layers = 3;
    cfg.layers[0] = rnnc_layer_spec_init(RNNC_LAYER_EMBEDDING);
    cfg.layers[0].vocab = 64, cfg.layers[0].dim = 8, cfg.layers[0].padding_idx = 0;
    cfg.layers[1] = rnnc_layer_spec_init(RNNC_LAYER_LSTM);
    cfg.layers[1].hidden = 16, cfg.layers[1].bidirectional = 1;
    cfg.layers[2] = rnnc_layer_spec_init(RNNC_LAYER_DENSE);
    cfg.layers[2].units = 2;
    return cfg;
}

typedef struct job {
    rnnc_classifier *c;
    const char *const *texts; /* PER_THREAD texts of this thread */
    const float *want;        /* (PER_THREAD, 2): one thread's result */
    int wrong, failed;
} job;

/* Predicts this thread's texts ROUNDS times, in batches of 1 .. PER_THREAD (so that the batch
 * and its padded length change from call to call), comparing every bit. */
static void *predict_job(void *p) {
    job *j = p;
    float got[PER_THREAD * 2];
    for (int r = 0; r < ROUNDS; r++)
        for (int n = 1 + r % 5, start = 0; start < PER_THREAD; start += n) {
            const int k = start + n <= PER_THREAD ? n : PER_THREAD - start;
            if (rnnc_classifier_predict(j->c, j->texts + start, (size_t)k, got) != RNNC_OK)
                j->failed++;
            else if (memcmp(got, j->want + start * 2, (size_t)k * 2 * sizeof(float)))
                j->wrong++;
        }
    return NULL;
}

static void test_classifier(const char *dir) {
    rnnc_textset *set = reviews_make(THREADS * PER_THREAD, 7);
    rnnc_config cfg = model_cfg();
    rnnc_text_spec t = rnnc_text_spec_init();
    t.num_words = 64, t.maxlen = 16, t.padding = RNNC_PAD_POST, t.use_lengths = 1;
    rnnc_classifier *made = NULL, *c = NULL;
    char path[300];
    snprintf(path, sizeof path, "%s/c.safetensors", dir);
    rnnc_status st = rnnc_classifier_create(&cfg, &t, set, 3, &made);
    if (st == RNNC_OK)
        st = rnnc_classifier_save(made, path);
    if (st == RNNC_OK)
        st = rnnc_classifier_load(path, &c);
    rnnc_classifier_free(made);
    if (!check(st == RNNC_OK, "classifier made, saved and loaded%s%s", st ? ": " : "",
               st ? rnnc_last_error() : "")) {
        rnnc_textset_free(set);
        return;
    }
    const char *texts[THREADS * PER_THREAD];
    for (size_t i = 0; i < set->n; i++)
        texts[i] = set->texts[i];
    static float want[THREADS * PER_THREAD * 2];
    for (size_t i = 0; i < set->n && st == RNNC_OK; i++) /* one text per call, one thread */
        st = rnnc_classifier_predict(c, texts + i, 1, want + i * 2);
    check(st == RNNC_OK, "one thread predicts every text alone");

    job jobs[THREADS];
    pthread_t th[THREADS];
    int started = 0;
    for (int k = 0; k < THREADS; k++) {
        jobs[k] = (job){c, texts + k * PER_THREAD, want + k * PER_THREAD * 2, 0, 0};
        started += pthread_create(&th[k], NULL, predict_job, &jobs[k]) == 0;
    }
    int wrong = 0, failed = 0;
    for (int k = 0; k < started; k++) {
        pthread_join(th[k], NULL);
        wrong += jobs[k].wrong, failed += jobs[k].failed;
    }
    check(started == THREADS && failed == 0 && wrong == 0,
          "%d threads predicting with one loaded classifier at once: every result the bits of "
          "one thread (%d calls wrong, %d failed)",
          THREADS, wrong, failed);

    /* rnnc_shutdown between calls: the next calls start the pool again, same bits */
    rnnc_shutdown();
    rnnc_shutdown(); /* twice is harmless */
    float again[PER_THREAD * 2];
    st = rnnc_classifier_predict(c, texts, PER_THREAD, again);
    check(st == RNNC_OK && !memcmp(again, want, sizeof again),
          "after rnnc_shutdown the classifier predicts the same bits");
    rnnc_classifier_free(c);
    rnnc_textset_free(set);
    unlink(path);
}

/* ---- a forecaster: forecasts of 6 steps from rows 30 + 7k, for k the thread's ---- */

enum { STEPS = 6, ENDS = 5 };

typedef struct fjob {
    rnnc_forecaster *f;
    const rnnc_series *s;
    size_t end[ENDS];
    double want[ENDS][STEPS];
    int wrong, failed;
} fjob;

static void *forecast_job(void *p) {
    fjob *j = p;
    for (int r = 0; r < ROUNDS; r++)
        for (int e = 0; e < ENDS; e++) {
            double got[STEPS];
            if (rnnc_forecaster_predict(j->f, j->s, j->end[e], STEPS, got) != RNNC_OK)
                j->failed++;
            else if (memcmp(got, j->want[e], sizeof got))
                j->wrong++;
        }
    return NULL;
}

static void test_forecaster(void) {
    char text[8192];
    size_t len = (size_t)snprintf(text, sizeof text, "t,y\n");
    for (int t = 0; t < 200; t++)
        len += (size_t)snprintf(text + len, sizeof text - len, "%d,%.17g\n", t,
                                10 + 5 * sin(0.3 * t) + 0.01 * t * t);
    rnnc_series_source src = rnnc_series_source_init();
    src.time = "t";
    rnnc_series *s = NULL;
    rnnc_forecaster *f = NULL;
    rnnc_forecast_spec sp = rnnc_forecast_spec_init();
    sp.lookback = 12, sp.horizon = 3;
    rnnc_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.n_layers = 1;
    cfg.layers[0] = rnnc_layer_spec_init(RNNC_LAYER_GRU);
    cfg.layers[0].hidden = 16;
    rnnc_status st = rnnc_series_parse(text, len, "series.csv", &src, &s);
    if (st == RNNC_OK)
        st = rnnc_forecaster_create(&cfg, &sp, s, NULL, 2, &f);
    fjob jobs[THREADS];
    for (int k = 0; k < THREADS && st == RNNC_OK; k++) {
        jobs[k] = (fjob){.f = f, .s = s};
        for (int e = 0; e < ENDS && st == RNNC_OK; e++) {
            jobs[k].end[e] = 30 + 7 * (size_t)(k * ENDS + e);
            st = rnnc_forecaster_predict(f, s, jobs[k].end[e], STEPS, jobs[k].want[e]);
        }
    }
    if (check(st == RNNC_OK, "forecaster made, one thread forecasts%s%s", st ? ": " : "",
              st ? rnnc_last_error() : "")) {
        pthread_t th[THREADS];
        int started = 0, wrong = 0, failed = 0;
        for (int k = 0; k < THREADS; k++)
            started += pthread_create(&th[k], NULL, forecast_job, &jobs[k]) == 0;
        for (int k = 0; k < started; k++) {
            pthread_join(th[k], NULL);
            wrong += jobs[k].wrong, failed += jobs[k].failed;
        }
        check(started == THREADS && failed == 0 && wrong == 0,
              "%d threads forecasting with one forecaster at once: every forecast the bits of "
              "one thread (%d wrong, %d failed)",
              THREADS, wrong, failed);
    }
    rnnc_forecaster_free(f);
    rnnc_series_free(s);
}

/* ---- a language model: 40 characters generated after a prime of the thread's ---- */

enum { GEN = 40 };

typedef struct text_sink {
    char s[GEN * 8 + 1];
    size_t n;
} text_sink;

static int to_sink(const char *t, size_t n, void *user) {
    text_sink *k = user;
    if (k->n + n < sizeof k->s)
        memcpy(k->s + k->n, t, n), k->n += n, k->s[k->n] = 0;
    return 0;
}

typedef struct ljob {
    rnnc_lm *lm;
    const char *prime;
    uint64_t seed;
    text_sink want;
    int wrong, failed;
} ljob;

static void *generate_job(void *p) {
    ljob *j = p;
    const rnnc_sample_spec sp = rnnc_sample_spec_init();
    for (int r = 0; r < ROUNDS; r++) {
        text_sink got = {{0}, 0};
        if (rnnc_lm_generate(j->lm, j->prime, strlen(j->prime), GEN, &sp, j->seed, to_sink, &got))
            j->failed++;
        else if (strcmp(got.s, j->want.s))
            j->wrong++;
    }
    return NULL;
}

static void test_lm(void) {
    static const char train[] = "the cat sat on the mat.\nthe dog ate the bone.\n"
                                "a bird sang in the tree.\nthe sun rose over the hill.\n";
    static const char *primes[THREADS] = {"the ", "a b", "sun ", ""};
    rnnc_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.n_layers = 3;
    cfg.layers[0] = rnnc_layer_spec_init(RNNC_LAYER_EMBEDDING);
    cfg.layers[0].dim = 8;
    cfg.layers[1] = rnnc_layer_spec_init(RNNC_LAYER_LSTM);
    cfg.layers[1].hidden = 16, cfg.layers[1].return_sequences = 1;
    cfg.layers[2] = rnnc_layer_spec_init(RNNC_LAYER_DENSE);
    rnnc_lm_spec spec = rnnc_lm_spec_init();
    rnnc_lm *lm = NULL;
    rnnc_status st = rnnc_lm_create(&cfg, &spec, train, strlen(train), 4, &lm);
    ljob jobs[THREADS];
    const rnnc_sample_spec sp = rnnc_sample_spec_init();
    for (int k = 0; k < THREADS && st == RNNC_OK; k++) {
        jobs[k] = (ljob){.lm = lm, .prime = primes[k], .seed = 10 + (uint64_t)k};
        st = rnnc_lm_generate(lm, primes[k], strlen(primes[k]), GEN, &sp, jobs[k].seed, to_sink,
                              &jobs[k].want);
    }
    if (check(st == RNNC_OK, "language model made, one thread generates%s%s", st ? ": " : "",
              st ? rnnc_last_error() : "")) {
        pthread_t th[THREADS];
        int started = 0, wrong = 0, failed = 0;
        for (int k = 0; k < THREADS; k++)
            started += pthread_create(&th[k], NULL, generate_job, &jobs[k]) == 0;
        for (int k = 0; k < started; k++) {
            pthread_join(th[k], NULL);
            wrong += jobs[k].wrong, failed += jobs[k].failed;
        }
        check(started == THREADS && failed == 0 && wrong == 0,
              "%d threads generating with one language model at once: every text the one of "
              "one thread (%d wrong, %d failed)",
              THREADS, wrong, failed);
    }
    rnnc_lm_free(lm);
}

int main(void) {
    /* two threads per call, so that the callers also meet in rnnc's pool */
    rnnc_set_num_threads(2);
    char dir[] = "/tmp/rnnc_concurrent_XXXXXX";
    if (!check(mkdtemp(dir) != NULL, "temporary folder"))
        return check_summary();
    test_classifier(dir);
    rmdir(dir);
    test_forecaster();
    test_lm();
    rnnc_shutdown();
    return check_summary();
}
