/* rnnc's language-model training against PyTorch: every tests/fixtures/lm_*.txt (written in
 * float64 by tests/gen/gen_lm_fixtures.py: a tied Embedding -> 2-layer LSTM -> Linear character
 * model trained one epoch by truncated BPTT, B = 2 rows, bptt 4, SGD, step_sum with clipping or
 * token_mean with a padded last window) is replayed through the public API: rnnc_lm_create from
 * the fixture's text (vocab and units "from the data", tie_weights, uniform init), the ids of
 * rnnc_lm_encode, the fixture's initial parameters copied in, one rnnc_lm_fit epoch, then every
 * window's loss (from the progress callback), the gradient norms of the epoch report, every final
 * parameter, every parameter's change over the epoch and rnnc_lm_evaluate's loss (batch 1) are
 * compared with PyTorch's.
 *
 * Tolerance: max|rnnc - torch| / max|torch| <= 1e-5 per tensor (parameters) and per vector
 * (window losses, gradient norms, evaluation loss). rnnc computes in float32 (unit roundoff 6e-8)
 * from the same float32 initial values as the float64 reference; on this tiny model (H = 8, 6
 * windows of at most 4 steps) the errors measure 1e-8 for the losses and norms and 1.5e-7 for
 * the parameters, so 1e-5 leaves a wide margin while every wrong convention tried gives 1e-4 or
 * more (evaluation: 7e-5). The change over the epoch (final - initial) is also compared, since a
 * comparison of the final values alone is dominated by the initial ones: |change error| <= 1e-5 *
 * max|change| + S * 2^-24 * max|p| per tensor, the second term being float32's floor after S
 * rounded updates (it matters for the first LSTM layer, whose weights move by about 1e-3 of their
 * size here).
 *
 * Teeth, run every time: the other loss convention, the other clipping setting, another bptt
 * (other window cuts: another state carry and truncation), evaluation as two streams (the state
 * not carried across the cut), and a changed initial value must each be detected. */
#include "check.h"
#include "fixture.h"
#include "rnnc.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOL 1e-5
#define MAX_WINDOWS 64

/* What a run may change from the fixture's setting (the teeth). */
typedef struct variant {
    const char *what; /* NULL: the fixture's own setting */
    int other_loss;   /* the other loss convention */
    int clip_mode;  /* 0: the fixture's clip_norm; 1: none; 2: clip_norm 0.25 (below every norm) */
    int bptt_delta; /* added to the fixture's bptt */
    int eval_batch; /* rnnc_lm_evaluate's batch: 0 means 1 */
    double nudge;   /* added to the first value of the initial embedding weight */
} variant;

/* The comparisons of one run: relative errors (max|got - want| / max|want|). */
typedef struct outcome {
    int ids_ok, params_named;
    size_t windows, scored;
    double window_loss, norm_mean, norm_max, params, eval;
    double update; /* the worst change error as a fraction of its bound (see run) */
} outcome;

typedef struct progress {
    size_t n;
    double running[MAX_WINDOWS]; /* the epoch's mean loss after each batch */
} progress;

static void on_progress(const rnnc_progress *p, void *user) {
    progress *g = user;
    if (g->n < MAX_WINDOWS)
        g->running[g->n] = p->loss;
    g->n++;
}

static const fixture_tensor *need(const fixture *f, const char *file, const char *name) {
    const fixture_tensor *t = fixture_get(f, name);
    if (!t) {
        fprintf(stderr, "%s: fixture has no tensor '%s'\n", file, name);
        exit(1);
    }
    return t;
}

static void fail_exit(const char *file, const char *what) {
    fprintf(stderr, "%s: %s: %s\n", file, what, rnnc_last_error());
    exit(1);
}

static double rel_float(const float *got, const double *want, size_t n) {
    double *g = malloc((n ? n : 1) * sizeof *g);
    for (size_t i = 0; i < n; i++)
        g[i] = got[i];
    double e = rel_error(g, want, n);
    free(g);
    return e;
}

static double worse(double a, double b) {
    return isnan(b) || b > a ? b : a;
}

/* The model of the fixture: embedding (V from the data, E) -> LSTM (H, layers) -> dense (units
 * from the data) tied to the embedding, every layer U(-0.1, 0.1) (overwritten by the fixture). */
static rnnc_config lm_config(int E, int H, int layers) {
    rnnc_config c;
    memset(&c, 0, sizeof c);
    c.n_layers = 3;
    c.layers[0] = rnnc_layer_spec_init(RNNC_LAYER_EMBEDDING);
    c.layers[0].vocab = 0, c.layers[0].dim = E;
    c.layers[1] = rnnc_layer_spec_init(RNNC_LAYER_LSTM);
    c.layers[1].hidden = H, c.layers[1].layers = layers, c.layers[1].return_sequences = 1;
    c.layers[2] = rnnc_layer_spec_init(RNNC_LAYER_DENSE);
    c.layers[2].units = 0, c.layers[2].tie_weights = 1;
    for (int i = 0; i < 3; i++)
        c.layers[i].init = RNNC_INIT_UNIFORM, c.layers[i].init_range = 0.1f;
    return c;
}

/* One replay of the fixture under variant v; fills o. */
static void run(const fixture *f, const char *file, const variant *v, outcome *o) {
    memset(o, 0, sizeof *o);
    const int step_sum = !strcmp(fixture_meta(f, "loss"), "step_sum");
    const int B = fixture_meta_int(f, "B", 0), bptt = fixture_meta_int(f, "bptt", 0);
    const int V = fixture_meta_int(f, "V", 0);
    const fixture_tensor *tt = need(f, file, "text"), *tid = need(f, file, "ids");
    char *text = malloc(tt->n + 1);
    for (size_t i = 0; i < tt->n; i++)
        text[i] = (char)tt->data[i];
    text[tt->n] = '\0';

    rnnc_config cfg = lm_config(fixture_meta_int(f, "E", 0), fixture_meta_int(f, "H", 0),
                                fixture_meta_int(f, "layers", 0));
    rnnc_lm_spec spec = rnnc_lm_spec_init();
    spec.level = RNNC_LM_CHAR;
    spec.bptt = bptt + v->bptt_delta;
    spec.loss = (step_sum ^ v->other_loss) ? RNNC_LM_LOSS_STEP_SUM : RNNC_LM_LOSS_TOKEN_MEAN;
    rnnc_lm *lm = NULL;
    if (rnnc_lm_create(&cfg, &spec, text, tt->n, 7, &lm))
        fail_exit(file, "rnnc_lm_create");

    /* the ids: rnnc's vocabulary rule (frequency down, ties by first appearance) as the script
     * reimplements it */
    rnnc_corpus c = {0};
    if (rnnc_lm_encode(lm, text, tt->n, file, &c))
        fail_exit(file, "rnnc_lm_encode");
    o->ids_ok = rnnc_vocab_size(rnnc_lm_vocab(lm)) == V && c.n == tid->n;
    for (size_t i = 0; o->ids_ok && i < c.n; i++)
        o->ids_ok = c.ids[i] == (int32_t)tid->data[i];

    /* the initial parameters, by rnnc's names; the fixture has exactly one per model parameter
     * (the tied dense layer owns its bias only) */
    rnnc_model *m = rnnc_lm_model(lm);
    const int np = rnnc_model_param_count(m);
    int in_fixture = 0;
    for (int i = 0; i < np; i++) {
        const char *name;
        char key[96];
        rnnc_model_param_info(m, i, &name, NULL, NULL);
        snprintf(key, sizeof key, "init.%s", name);
        const fixture_tensor *t = fixture_get(f, key);
        if (!t)
            continue;
        in_fixture++;
        float *p = malloc(t->n * sizeof *p);
        for (size_t j = 0; j < t->n; j++)
            p[j] = (float)t->data[j];
        if (!strcmp(name, "embedding.weight"))
            p[0] += (float)v->nudge;
        if (rnnc_model_param_set(m, name, p, t->n))
            fail_exit(file, key);
        free(p);
    }
    size_t nw;
    o->params_named = in_fixture == np && np == 2 + 4 * fixture_meta_int(f, "layers", 0) &&
                      rnnc_model_param(m, "dense.weight", &nw) == NULL;

    rnnc_fit_spec fs = rnnc_fit_spec_init();
    fs.epochs = 1, fs.batch_size = B;
    fs.optim = rnnc_optim_spec_init(RNNC_OPTIM_SGD);
    fs.optim.lr = need(f, file, "lr")->data[0];
    const double clip = need(f, file, "clip_norm")->data[0];
    fs.clip_norm = v->clip_mode == 0 ? clip : v->clip_mode == 1 ? 0 : 0.25;
    progress prog = {0};
    fs.on_progress = on_progress, fs.user = &prog;
    rnnc_epoch_report rep;
    if (rnnc_lm_fit(lm, &c, NULL, &fs, &rep))
        fail_exit(file, "rnnc_lm_fit");

    /* each window's mean loss per token: the running mean times the batches done, differenced
     * (every batch is one window of B rows) */
    const fixture_tensor *wl = need(f, file, "window_loss"), *gn = need(f, file, "grad_norm");
    o->windows = prog.n;
    if (prog.n == wl->n && prog.n <= MAX_WINDOWS) {
        double got[MAX_WINDOWS];
        for (size_t k = 0; k < prog.n; k++)
            got[k] = prog.running[k] * (double)(k + 1) - (k ? prog.running[k - 1] * (double)k : 0);
        o->window_loss = rel_error(got, wl->data, wl->n);
    } else {
        o->window_loss = INFINITY;
    }
    double nmean = 0, nmax = 0;
    for (size_t k = 0; k < gn->n; k++)
        nmean += gn->data[k] / (double)gn->n, nmax = fmax(nmax, gn->data[k]);
    o->norm_mean = fabs(rep.grad_norm_mean - nmean) / nmean;
    o->norm_max = fabs(rep.grad_norm_max - nmax) / nmax;

    for (int i = 0; i < np; i++) {
        const char *name;
        char key[96];
        rnnc_model_param_info(m, i, &name, NULL, NULL);
        snprintf(key, sizeof key, "final.%s", name);
        const fixture_tensor *want = need(f, file, key);
        snprintf(key, sizeof key, "init.%s", name);
        const fixture_tensor *init = need(f, file, key);
        size_t n;
        const float *got = rnnc_model_param(m, name, &n);
        if (n != want->n) {
            o->params = o->update = INFINITY;
            continue;
        }
        o->params = worse(o->params, rel_float(got, want->data, n));
        /* the change: |got - want| <= TOL * max|change| + S * 2^-24 * max|p|, where the second
         * term is float32's floor (each of the S updates rounds p to float32 with a relative
         * error up to 2^-24); it matters for the first LSTM layer, whose weights move by only
         * 1e-4 of their size in this epoch */
        double err = 0, dmax = 0, pmax = 0;
        for (size_t j = 0; j < n; j++) {
            const double dw = want->data[j] - init->data[j];
            err = worse(err, fabs(((double)got[j] - init->data[j]) - dw));
            dmax = fmax(dmax, fabs(dw));
            pmax = fmax(pmax, fmax(fabs(want->data[j]), fabs(init->data[j])));
        }
        const double bound = TOL * dmax + (double)wl->n * ldexp(pmax, -24);
        o->update = worse(o->update, err / bound);
    }

    double loss = NAN;
    if (rnnc_lm_evaluate(lm, &c, v->eval_batch ? v->eval_batch : 1, &loss, &o->scored))
        fail_exit(file, "rnnc_lm_evaluate");
    const double want = need(f, file, "eval_loss")->data[0];
    o->eval = isnan(loss) ? INFINITY : fabs(loss - want) / want;

    rnnc_corpus_free(&c);
    rnnc_lm_free(lm);
    free(text);
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_fixture(const char *dir, const char *file) {
    char path[512], err[512];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    fixture *f = fixture_load(path, err, sizeof err);
    if (!check(f != NULL, "load %s %s", file, f ? "" : err))
        return;
    const char *loss = fixture_meta(f, "loss");
    if (!check(loss && (!strcmp(loss, "step_sum") || !strcmp(loss, "token_mean")),
               "%s: meta loss is step_sum or token_mean", file)) {
        fixture_free(f);
        return;
    }
    const size_t n = (size_t)fixture_meta_int(f, "n", 0);
    const double clip = need(f, file, "clip_norm")->data[0];

    const variant base = {0};
    outcome o;
    run(f, file, &base, &o);
    check(o.ids_ok, "%s: rnnc_lm_encode gives the fixture's %zu ids (V = %d)", file, n,
          fixture_meta_int(f, "V", 0));
    check(o.params_named, "%s: the tied model's parameters are the fixture's (no dense.weight)",
          file);
    check(o.windows == (size_t)fixture_meta_int(f, "windows", -1), "%s: %zu windows (torch: %d)",
          file, o.windows, fixture_meta_int(f, "windows", -1));
    check(o.window_loss <= TOL, "%s: each window's loss per token (rel err %.1e)", file,
          o.window_loss);
    check(o.norm_mean <= TOL && o.norm_max <= TOL,
          "%s: gradient norms before clipping, mean and max (rel err %.1e, %.1e)", file,
          o.norm_mean, o.norm_max);
    check(o.params <= TOL, "%s: every final parameter (worst rel err %.1e)", file, o.params);
    check(o.update <= 1, "%s: every parameter's change over the epoch (worst error %.2f x bound)",
          file, o.update);
    check(o.scored == n - 1 && o.eval <= TOL,
          "%s: rnnc_lm_evaluate, batch 1: %zu tokens scored, loss rel err %.1e", file, o.scored,
          o.eval);

    /* teeth: each deviation must break at least one of the comparisons above */
    variant teeth[5] = {{0}};
    teeth[0].what = "the other loss convention", teeth[0].other_loss = 1;
    teeth[1].what = clip > 0 ? "no clipping" : "clipping at 0.25";
    teeth[1].clip_mode = clip > 0 ? 1 : 2;
    teeth[2].what = "bptt one longer (other cuts, state carry)", teeth[2].bptt_delta = 1;
    teeth[3].what = "evaluation as 2 streams (state not carried across)", teeth[3].eval_batch = 2;
    teeth[4].what = "an initial embedding value changed by 1e-3", teeth[4].nudge = 1e-3;
    for (int k = 0; k < 5; k++) {
        outcome t;
        run(f, file, &teeth[k], &t);
        if (k == 3)
            check(t.eval > TOL, "teeth %s: %s is detected (loss rel err %.1e)", file, teeth[k].what,
                  t.eval);
        else
            check(t.params > TOL && t.update > 1,
                  "teeth %s: %s is detected (parameters rel err %.1e, change error %.0f x bound)",
                  file, teeth[k].what, t.params, t.update);
    }
    fixture_free(f);
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "tests/fixtures";
    rnnc_set_num_threads(1);
    DIR *d = opendir(dir);
    if (!check(d != NULL, "open fixture folder %s", dir))
        return check_summary();
    char *files[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 64)
        if (!strncmp(e->d_name, "lm_", 3) && strstr(e->d_name, ".txt"))
            files[n++] = strdup(e->d_name);
    closedir(d);
    qsort(files, (size_t)n, sizeof files[0], by_name);
    check(n >= 2, "found %d language-model fixtures (step_sum with clipping, token_mean)", n);
    for (int k = 0; k < n; k++)
        test_fixture(dir, files[k]);
    for (int k = 0; k < n; k++)
        free(files[k]);
    return check_summary();
}
