/* Losses and classification metrics.
 *   1. PyTorch fixtures (tests/gen/gen_loss_fixtures.py, float64 from the same float32 inputs):
 *      every loss value to 1e-12 relative and every gradient element to 1e-6 relative (the float
 *      rounding of the gradient is 6e-8), including ignored rows, logits of +-1e4 and both Huber
 *      branches.
 *   2. Finite differences: each analytic float gradient against central differences of the
 *      library's own double loss, stepping the float inputs by about 1e-3 and dividing by the step
 *      actually taken (exact in double), so the only errors are the O(h^2) truncation and the
 *      float rounding of the gradient; inputs stay away from the kinks of MAE and Huber.
 *   3. Hand-computed values: softmax cross-entropy, perplexity, binary and macro metrics with the
 *      0.5 threshold, tied AUC scores, absent classes, 0/0 cases; the sort-based AUC against an
 *      O(n^2) count over every (positive, negative) pair.
 *   4. Errors: bad targets, labels, shapes and scores name the row or index and change nothing. */
#include "check.h"
#include "fixture.h"
#include "rnnc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIXTURE_DIR "tests/fixtures"
#define LOSS_TOL 1e-12 /* loss values: both sides sum in double from the same float inputs */
#define GRAD_TOL 1e-6  /* gradient elements, relative: float rounding is 6e-8 */
#define FD_STEP 1e-3
#define FD_RTOL 1e-4 /* measured worst below 1e-5; see check_fd */

/* ---------------------------------------------------------------------------------------------
 * Helpers
 */

/* |got - want| <= tol*|want| + 1e-30 for every element (the atol only forgives values below
 * float's range, such as a softmax of 1e-97); prints the worst element on failure. */
static int check_elems(const char *what, const float *got, const double *want, size_t n,
                       double tol) {
    double worst = 0;
    size_t wi = 0;
    int ok = 1;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)got[i] - want[i]), lim = tol * fabs(want[i]) + 1e-30;
        double r = d / (fabs(want[i]) + 1e-30);
        if (!(d <= lim))
            ok = 0;
        if (!(r <= worst))
            worst = r, wi = i;
    }
    if (!ok)
        printf("     %s: worst at [%zu]: got %.9g want %.17g\n", what, wi, (double)got[wi],
               want[wi]);
    return check(ok, "%s (worst elementwise rel err %.1e <= %.0e)", what, worst, tol);
}

static float *to_float(const fixture_tensor *t) {
    float *p = malloc((t->n ? t->n : 1) * sizeof(float));
    for (size_t i = 0; i < t->n; i++)
        p[i] = (float)t->data[i];
    return p;
}

static fixture *load(const char *name) {
    char path[256], err[512];
    snprintf(path, sizeof path, "%s/%s", FIXTURE_DIR, name);
    fixture *f = fixture_load(path, err, sizeof err);
    if (!f)
        check(0, "load %s: %s", path, err);
    return f;
}

/* The named tensor, or NULL after a failed check. */
static const fixture_tensor *need(fixture *f, const char *file, const char *name) {
    const fixture_tensor *t = fixture_get(f, name);
    if (!t)
        check(0, "%s: has a tensor '%s'", file, name);
    return t;
}

static int close_rel(double got, double want, double tol) {
    return fabs(got - want) <= tol * fabs(want) + 1e-300;
}

/* ---------------------------------------------------------------------------------------------
 * 1. PyTorch fixtures
 */

enum { L_MSE, L_BCE, L_MAE, L_HUBER };

/* Runs one of the element-wise losses. */
static double elementwise(int kind, const float *p, const float *y, size_t n, double delta,
                          float *g) {
    switch (kind) {
    case L_MSE: return rnnc_loss_mse(p, y, n, g);
    case L_BCE: return rnnc_loss_bce_logits(p, y, n, g);
    case L_MAE: return rnnc_loss_mae(p, y, n, g);
    default: {
        double l = NAN;
        return rnnc_loss_huber(p, y, n, delta, &l, g) == RNNC_OK ? l : NAN;
    }
    }
}

static void fixture_elementwise(const char *file, int kind) {
    fixture *f = load(file);
    if (!f)
        return;
    const fixture_tensor *p =
        fixture_get(f, "pred") ? fixture_get(f, "pred") : need(f, file, "logits");
    const fixture_tensor *y = need(f, file, "target"), *l = need(f, file, "loss"),
                         *g = need(f, file, "grad");
    const char *ds = fixture_meta(f, "delta");
    if (p && y && l && g && check(p->n == y->n && p->n == g->n, "%s: sizes agree", file)) {
        float *pf = to_float(p), *yf = to_float(y), *gf = malloc(p->n * sizeof(float));
        double delta = ds ? strtod(ds, NULL) : 0;
        double loss = elementwise(kind, pf, yf, p->n, delta, gf);
        check(close_rel(loss, l->data[0], LOSS_TOL), "%s: loss %.17g vs torch %.17g", file, loss,
              l->data[0]);
        char what[256];
        snprintf(what, sizeof what, "%s: gradient", file);
        check_elems(what, gf, g->data, g->n, GRAD_TOL);
        /* Without grad the value is the same and nothing is written. */
        check(elementwise(kind, pf, yf, p->n, delta, NULL) == loss, "%s: loss without grad", file);
        free(pf), free(yf), free(gf);
    }
    fixture_free(f);
}

static void fixture_ce(const char *file) {
    fixture *f = load(file);
    if (!f)
        return;
    const fixture_tensor *z = need(f, file, "logits"), *y = need(f, file, "target"),
                         *l = need(f, file, "loss"), *g = need(f, file, "grad");
    int N = fixture_meta_int(f, "N", -1), C = fixture_meta_int(f, "C", -1);
    int ign = fixture_meta_int(f, "ignore_index", 12345),
        want_k = fixture_meta_int(f, "counted", -1);
    if (z && y && l && g && N > 0 && C > 0 && z->n == (size_t)N * (size_t)C && y->n == (size_t)N) {
        float *zf = to_float(z), *gf = malloc(z->n * sizeof(float));
        int32_t *t = malloc((size_t)N * sizeof(int32_t));
        for (int i = 0; i < N; i++)
            t[i] = (int32_t)y->data[i];
        for (size_t i = 0; i < z->n; i++)
            gf[i] = 7; /* ignored rows must be overwritten with 0 */
        double loss = -1;
        size_t k = 0;
        rnnc_status s = rnnc_loss_softmax_ce(zf, t, (size_t)N, (size_t)C, ign, &loss, &k, gf);
        check(s == RNNC_OK, "%s: softmax_ce ok (%s)", file, rnnc_last_error());
        check(close_rel(loss, l->data[0], LOSS_TOL), "%s: loss %.17g vs torch %.17g", file, loss,
              l->data[0]);
        check(k == (size_t)want_k, "%s: %zu rows counted (want %d)", file, k, want_k);
        char what[256];
        snprintf(what, sizeof what, "%s: gradient, ignored rows 0", file);
        check_elems(what, gf, g->data, g->n, GRAD_TOL);
        double loss2 = -1;
        s = rnnc_loss_softmax_ce(zf, t, (size_t)N, (size_t)C, ign, &loss2, NULL, NULL);
        check(s == RNNC_OK && loss2 == loss, "%s: the same loss without grad and count", file);
        free(zf), free(gf), free(t);
    } else {
        check(0, "%s: N, C and the tensor sizes agree", file);
    }
    fixture_free(f);
}

/* ---------------------------------------------------------------------------------------------
 * 2. Finite differences
 */

/* The loss as a function of the first input array; the rest is fixed. */
typedef struct fd_case {
    int kind; /* L_* or L_CE */
    size_t n, C;
    float *x, *y;   /* (n) or (N,C) and (n) */
    int32_t *t;     /* (N) CE targets */
    int32_t ignore; /* CE ignore_index */
    double delta;
} fd_case;
#define L_CE 10

static double fd_loss(const fd_case *c, float *g) {
    if (c->kind != L_CE)
        return elementwise(c->kind, c->x, c->y, c->n, c->delta, g);
    double l = NAN;
    if (rnnc_loss_softmax_ce(c->x, c->t, c->n / c->C, c->C, c->ignore, &l, NULL, g) != RNNC_OK)
        return NAN;
    return l;
}

/* Every element of the analytic gradient against a central difference of the double loss. The
 * step is taken in float and the difference divided by the float step actually taken. Tolerance:
 * |g - fd| <= FD_RTOL * (|fd| + max|fd|/10), relative to the larger entries because a tiny entry
 * (a softmax of 1e-5) has absolute truncation error of the same order as the large ones. */
static double check_fd(const char *what, fd_case *c, size_t nx) {
    float *g = malloc(nx * sizeof(float));
    double *fd = malloc(nx * sizeof(double));
    fd_loss(c, g);
    double scale = 0;
    for (size_t i = 0; i < nx; i++) {
        float x0 = c->x[i];
        float xp = x0 + (float)FD_STEP * (fabsf(x0) > 1 ? fabsf(x0) : 1);
        float xm = x0 - (float)FD_STEP * (fabsf(x0) > 1 ? fabsf(x0) : 1);
        c->x[i] = xp;
        double lp = fd_loss(c, NULL);
        c->x[i] = xm;
        double lm = fd_loss(c, NULL);
        c->x[i] = x0;
        fd[i] = (lp - lm) / ((double)xp - (double)xm);
        scale = fabs(fd[i]) > scale ? fabs(fd[i]) : scale;
    }
    double worst = 0;
    size_t wi = 0;
    int ok = scale > 0;
    for (size_t i = 0; i < nx; i++) {
        double lim = fabs(fd[i]) + scale / 10, e = fabs(g[i] - fd[i]) / lim;
        if (!(e <= FD_RTOL))
            ok = 0;
        if (!(e <= worst))
            worst = e, wi = i;
    }
    if (!ok)
        printf("     %s: worst at [%zu]: analytic %.9g, finite difference %.9g\n", what, wi,
               (double)g[wi], fd[wi]);
    check(ok, "%s: gradient vs central differences (worst %.1e <= %.0e)", what, worst, FD_RTOL);
    free(g), free(fd);
    return worst;
}

static void finite_differences(void) {
    enum { n = 12 };
    rnnc_rng r;
    rnnc_rng_seed(&r, 77);
    float x[n], y[n];
    static const char *names[] = {"mse", "bce_logits", "mae", "huber delta 1", "huber delta 0.3"};
    for (int kind = 0; kind < 5; kind++) {
        double delta = kind == 3 ? 1.0 : 0.3;
        for (int i = 0; i < n; i++) {
            x[i] = (float)(3 * rnnc_rng_normal(&r));
            y[i] = kind == 1 ? (float)rnnc_rng_uniform(&r) : (float)(2 * rnnc_rng_normal(&r));
            double d = (double)x[i] - y[i];
            /* Stay 0.05 away from the kinks (0 for MAE, +-delta for Huber) the step could cross. */
            if (kind == 2 && fabs(d) < 0.05)
                x[i] += 0.1f;
            if (kind >= 3 && fabs(fabs(d) - delta) < 0.05)
                x[i] += 0.1f;
        }
        if (kind >= 3) { /* make sure both Huber branches are exercised */
            x[0] = y[0] + (float)(0.5 * delta), x[1] = y[1] - (float)(3 * delta);
        }
        fd_case c = {kind < 3 ? kind : L_HUBER, n, 0, x, y, NULL, 0, delta};
        check_fd(names[kind], &c, n);
    }
    /* Softmax cross-entropy: N=6, C=5, one ignored row, one row of logits in the tens. */
    enum { N = 6, C = 5 };
    float z[N * C];
    int32_t t[N] = {0, 4, -1, 2, 3, 1};
    for (int i = 0; i < N * C; i++)
        z[i] = (float)(2 * rnnc_rng_normal(&r));
    for (int k = 0; k < C; k++)
        z[4 * C + k] *= 10;
    fd_case c = {L_CE, N * C, C, z, NULL, t, -1, 0};
    check_fd("softmax_ce (ignore_index -1, a row of large logits)", &c, N * C);
}

/* ---------------------------------------------------------------------------------------------
 * 3 and 4. Hand-computed losses and their errors
 */

static void hand_losses(void) {
    /* A uniform row: loss log 3, gradient softmax - one-hot = (1/3, -2/3, 1/3). */
    const float z1[3] = {0, 0, 0};
    const int32_t t1[1] = {1};
    float g1[3];
    double l;
    size_t k;
    rnnc_loss_softmax_ce(z1, t1, 1, 3, -100, &l, &k, g1);
    const float g1w[3] = {1.0f / 3, -2.0f / 3, 1.0f / 3};
    check(fabs(l - log(3.0)) < 1e-15 && k == 1, "softmax_ce: uniform row gives log 3 (%.17g)", l);
    check_close("softmax_ce: uniform row gradient (1/3, -2/3, 1/3)", g1, g1w, 3, 1e-7, 0);
    /* Logits 1e4 apart: the right class costs 0 (exp(-1e4) is below double's range), the wrong
     * one 1e4, averaged over two rows: 5000; an exp without the maximum would overflow. */
    const float z2[4] = {1e4f, 0, 1e4f, 0};
    const int32_t t2[2] = {0, 1};
    float g2[4];
    rnnc_loss_softmax_ce(z2, t2, 2, 2, -100, &l, &k, g2);
    const float g2w[4] = {0, 0, 0.5f, -0.5f};
    check(l == 5000 && k == 2, "softmax_ce: logits 1e4 apart give exactly (0 + 1e4)/2 (%.17g)", l);
    check_close("softmax_ce: gradient at logits 1e4 apart", g2, g2w, 4, 0, 0);

    /* Every row ignored: loss 0, count 0, gradient zeroed. */
    const int32_t t3[2] = {-100, -100};
    float g3[4] = {7, 7, 7, 7};
    l = -1, k = 9;
    rnnc_status s = rnnc_loss_softmax_ce(z2, t3, 2, 2, -100, &l, &k, g3);
    check(s == RNNC_OK && l == 0 && k == 0 && g3[0] == 0 && g3[1] == 0 && g3[2] == 0 && g3[3] == 0,
          "softmax_ce: every row ignored gives loss 0, 0 counted, zero gradient");
    l = -1, k = 9;
    s = rnnc_loss_softmax_ce(z2, t3, 0, 2, -100, &l, &k, NULL);
    check(s == RNNC_OK && l == 0 && k == 0, "softmax_ce: N = 0 gives loss 0, 0 counted");

    /* Errors: nothing is written, and the message names the row. */
    const float z4[8] = {0};
    const int32_t t4[4] = {0, 1, -100, 2};
    float g4[8] = {7, 7, 7, 7, 7, 7, 7, 7};
    l = -1, k = 9;
    s = rnnc_loss_softmax_ce(z4, t4, 4, 2, -100, &l, &k, g4);
    check(s == RNNC_ERR_ARG && strstr(rnnc_last_error(), "row 3") && l == -1 && k == 9 &&
              g4[0] == 7 && g4[7] == 7,
          "softmax_ce: target 2 of 2 classes is an argument error naming row 3, nothing written "
          "(%s)",
          rnnc_last_error());
    const int32_t t5[2] = {0, -1};
    s = rnnc_loss_softmax_ce(z4, t5, 2, 2, -100, &l, &k, g4);
    check(s == RNNC_ERR_ARG && strstr(rnnc_last_error(), "row 1") &&
              strstr(rnnc_last_error(), "-1"),
          "softmax_ce: target -1 (ignore_index -100) names row 1 and the value (%s)",
          rnnc_last_error());
    s = rnnc_loss_softmax_ce(z4, t5, 2, 2, -1, &l, &k, g4);
    check(s == RNNC_OK && k == 1, "softmax_ce: the same target with ignore_index -1 is ignored");
    check(rnnc_loss_softmax_ce(NULL, t4, 1, 2, -100, &l, NULL, NULL) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "logits"),
          "softmax_ce: NULL logits is an argument error naming it (%s)", rnnc_last_error());
    check(rnnc_loss_softmax_ce(z4, t4, 1, 0, -100, &l, NULL, NULL) == RNNC_ERR_ARG,
          "softmax_ce: C = 0 is an argument error (%s)", rnnc_last_error());
    check(rnnc_loss_softmax_ce(z4, t4, SIZE_MAX / 2, 3, -100, &l, NULL, NULL) == RNNC_ERR_NOMEM,
          "softmax_ce: N*C overflowing is reported before any read (%s)", rnnc_last_error());

    check(fabs(rnnc_metric_perplexity(log(7.0)) - 7) < 1e-12 && rnnc_metric_perplexity(0) == 1,
          "perplexity: exp(log 7) = 7, exp(0) = 1");

    /* Huber's delta must be positive; MAE's gradient is 0 where pred == target. */
    const float p[2] = {1, 2}, y[2] = {1, 0};
    float g[2] = {7, 7};
    l = -1;
    check(rnnc_loss_huber(p, y, 2, 0, &l, g) == RNNC_ERR_ARG && l == -1 && g[0] == 7 &&
              strstr(rnnc_last_error(), "delta"),
          "huber: delta 0 is RNNC_ERR_ARG naming delta, nothing written (%s)", rnnc_last_error());
    check(rnnc_loss_huber(p, y, 2, NAN, &l, g) == RNNC_ERR_ARG && l == -1 && g[0] == 7,
          "huber: delta NAN is RNNC_ERR_ARG, nothing written");
    l = rnnc_loss_mae(p, y, 2, g);
    check(l == 1 && g[0] == 0 && g[1] == 0.5f, "mae: (0 + 2)/2 = 1, gradient (0, 1/2)");
    check(rnnc_loss_huber(p, y, 2, 1.0, &l, g) == RNNC_OK && l == 0.75 && g[0] == 0 && g[1] == 0.5f,
          "huber: (0 + 1*(2 - 0.5))/2 = 0.75, gradient (0, 1/2)");
    double lh = -1;
    check(rnnc_loss_mae(p, y, 0, g) == 0 && rnnc_loss_huber(p, y, 0, 1, &lh, g) == RNNC_OK &&
              lh == 0 && rnnc_loss_mse(p, y, 0, g) == 0 && rnnc_loss_bce_logits(p, y, 0, g) == 0,
          "n = 0: every element-wise loss is 0");
}

/* ---------------------------------------------------------------------------------------------
 * 3 and 4. Metrics
 */

static int near(double a, double b) {
    return fabs(a - b) <= 1e-12;
}

static int same_values(rnnc_metric_values a, rnnc_metric_values b) {
    return a.n == b.n && a.accuracy == b.accuracy && a.precision == b.precision &&
           a.recall == b.recall && a.f1 == b.f1 &&
           (a.auc == b.auc || (isnan(a.auc) && isnan(b.auc)));
}

/* labels 1 0 1 0 1 0 1, P(class 1) .9 .9 .6 .3 .3 .1 .5: predicted 1 1 1 0 0 0 0 (0.5 is class 0),
 * tp 2 (0, 2), fp 1 (1), fn 2 (4, 6), tn 2: accuracy 4/7, precision 2/3, recall 1/2, F1
 * 2*2/(2*2+1+2) = 4/7. AUC: of the 4*3 (positive, negative) pairs, positive .9 beats .3 and .1 and
 * ties .9 (2.5), .6 beats .3 and .1 (2), .3 beats .1 and ties .3 (1.5), .5 beats .3 and .1 (2):
 * 8/12. */
static const float bin_p[7] = {0.9f, 0.9f, 0.6f, 0.3f, 0.3f, 0.1f, 0.5f};
static const int32_t bin_y[7] = {1, 0, 1, 0, 1, 0, 1};

static int binary_hand_ok(rnnc_metric_values v, const char *how) {
    int ok = v.n == 7 && near(v.accuracy, 4.0 / 7) && near(v.precision, 2.0 / 3) &&
             near(v.recall, 0.5) && near(v.f1, 4.0 / 7) && near(v.auc, 8.0 / 12);
    return check(ok,
                 "metrics binary (%s): n %zu acc %.6f (4/7) P %.6f (2/3) R %.6f (1/2) F1 %.6f "
                 "(4/7) AUC with ties %.6f (2/3)",
                 how, v.n, v.accuracy, v.precision, v.recall, v.f1, v.auc);
}

/* 3 classes, labels 0 0 0 1 1 2 2 2, predicted 0 1 0 1 2 2 2 1.
 *   class 0: tp 2 fp 0 fn 1: P 1,   R 2/3, F1 4/5
 *   class 1: tp 1 fp 2 fn 1: P 1/3, R 1/2, F1 2/5
 *   class 2: tp 2 fp 1 fn 1: P 2/3, R 2/3, F1 2/3
 * macro P 2/3, R 11/18, F1 28/45 (the mean of per-class F1, not the F1 of the macro P and R:
 * that would be 0.638), accuracy 5/8. */
static const int32_t mc_y[8] = {0, 0, 0, 1, 1, 2, 2, 2};
static const int32_t mc_pred[8] = {0, 1, 0, 1, 2, 2, 2, 1};

/* Rows of K scores with the largest on `pred` and the rest unequal. */
static void score_rows(const int32_t *pred, size_t n, int K, float *s) {
    for (size_t i = 0; i < n; i++)
        for (int c = 0; c < K; c++)
            s[i * (size_t)K + (size_t)c] = c == pred[i] ? 0.6f : 0.1f * (float)c / (float)K;
}

static void metrics_tests(void) {
    rnnc_metrics *m;
    check(rnnc_metrics_create(2, &m) == RNNC_OK, "metrics: create 2 classes");
    rnnc_metric_values v = rnnc_metrics_values(m);
    check(v.n == 0 && isnan(v.accuracy) && isnan(v.auc) && v.precision == 0 && v.recall == 0 &&
              v.f1 == 0,
          "metrics: empty gives n 0, accuracy and AUC NAN, P/R/F1 0");
    rnnc_metrics_add(m, bin_p, 7, 1, bin_y);
    rnnc_metric_values once = rnnc_metrics_values(m);
    binary_hand_ok(once, "one batch, cols 1");
    check(same_values(rnnc_metrics_values(m), once), "metrics: reading twice gives the same");

    /* The same examples in two batches, after a reset. */
    rnnc_metrics_reset(m);
    check(rnnc_metrics_values(m).n == 0, "metrics: reset forgets everything");
    rnnc_metrics_add(m, bin_p + 4, 3, 1, bin_y + 4);
    rnnc_metrics_add(m, bin_p, 4, 1, bin_y);
    binary_hand_ok(rnnc_metrics_values(m), "two batches after reset");

    /* Failing adds change nothing. */
    const int32_t bad_y[3] = {1, 0, 2};
    rnnc_status s = rnnc_metrics_add(m, bin_p, 3, 1, bad_y);
    check(s == RNNC_ERR_ARG && strstr(rnnc_last_error(), "labels[2] is 2"),
          "metrics: label 2 of 2 classes is an argument error naming index 2 (%s)",
          rnnc_last_error());
    const float nan_p[3] = {0.5f, NAN, 0.5f};
    s = rnnc_metrics_add(m, nan_p, 3, 1, bin_y);
    check(s == RNNC_ERR_NUMERIC && strstr(rnnc_last_error(), "scores[1]"),
          "metrics: a NaN score is a numeric error naming index 1 (%s)", rnnc_last_error());
    s = rnnc_metrics_add(m, bin_p, 2, 3, bin_y);
    check(s == RNNC_ERR_SHAPE, "metrics: 3 columns for 2 classes is a shape error (%s)",
          rnnc_last_error());
    binary_hand_ok(rnnc_metrics_values(m), "after three failed adds");
    rnnc_metrics_free(m);

    /* The same problem as two columns (1-p, p): argmax, ties to class 0, AUC from column 1. */
    float two[14];
    for (int i = 0; i < 7; i++)
        two[2 * i] = 0.5f, two[2 * i + 1] = bin_p[i];
    rnnc_metrics_create(2, &m);
    rnnc_metrics_add(m, two, 7, 2, bin_y);
    binary_hand_ok(rnnc_metrics_values(m), "cols 2, class-0 column 0.5");
    rnnc_metrics_free(m);

    /* One class only: AUC undefined; nothing predicted positive and no positives: 0/0 gives 0. */
    const int32_t zeros[3] = {0, 0, 0};
    const float low[3] = {0.1f, 0.2f, 0.4f};
    rnnc_metrics_create(2, &m);
    rnnc_metrics_add(m, low, 3, 1, zeros);
    v = rnnc_metrics_values(m);
    check(isnan(v.auc) && v.accuracy == 1 && v.precision == 0 && v.recall == 0 && v.f1 == 0,
          "metrics: all labels 0 gives AUC NAN and P = R = F1 = 0 (zero_division 0), accuracy 1");
    rnnc_metrics_free(m);
    const int32_t ones[3] = {1, 1, 1};
    rnnc_metrics_create(2, &m);
    rnnc_metrics_add(m, low, 3, 1, ones);
    v = rnnc_metrics_values(m);
    check(isnan(v.auc) && v.accuracy == 0 && v.precision == 0 && v.recall == 0,
          "metrics: all labels 1, none predicted: AUC NAN, precision 0/0 = 0, recall 0");
    rnnc_metrics_free(m);

    /* Macro averages over 3 classes. */
    float sc[8 * 4];
    score_rows(mc_pred, 8, 3, sc);
    rnnc_metrics_create(3, &m);
    rnnc_metrics_add(m, sc, 8, 3, mc_y);
    v = rnnc_metrics_values(m);
    check(near(v.accuracy, 5.0 / 8) && near(v.precision, 2.0 / 3) && near(v.recall, 11.0 / 18) &&
              near(v.f1, 28.0 / 45) && isnan(v.auc),
          "metrics 3 classes: acc %.6f (5/8) macro P %.6f (2/3) R %.6f (11/18) F1 %.6f (28/45), "
          "AUC NAN",
          v.accuracy, v.precision, v.recall, v.f1);
    s = rnnc_metrics_add(m, sc, 8, 1, mc_y);
    check(s == RNNC_ERR_SHAPE, "metrics: 1 column for 3 classes is a shape error (%s)",
          rnnc_last_error());
    rnnc_metrics_free(m);

    /* Four classes, class 3 absent from labels and predictions: skipped, same macro values. */
    score_rows(mc_pred, 8, 4, sc);
    rnnc_metrics_create(4, &m);
    rnnc_metrics_add(m, sc, 8, 4, mc_y);
    v = rnnc_metrics_values(m);
    check(near(v.precision, 2.0 / 3) && near(v.recall, 11.0 / 18) && near(v.f1, 28.0 / 45),
          "metrics 4 classes, class 3 never seen: skipped (P %.6f R %.6f F1 %.6f)", v.precision,
          v.recall, v.f1);
    /* One more example, label 0 predicted 3: class 3 now counts (P = R = F1 = 0) and class 0
     * gets a false negative: P (1 + 1/3 + 2/3 + 0)/4 = 1/2, R (1/2 + 1/2 + 2/3 + 0)/4 = 5/12,
     * F1 (2/3 + 2/5 + 2/3 + 0)/4 = 13/30, accuracy 5/9. */
    const int32_t y9[1] = {0}, p9[1] = {3};
    float s9[4];
    score_rows(p9, 1, 4, s9);
    rnnc_metrics_add(m, s9, 1, 4, y9);
    v = rnnc_metrics_values(m);
    check(near(v.accuracy, 5.0 / 9) && near(v.precision, 0.5) && near(v.recall, 5.0 / 12) &&
              near(v.f1, 13.0 / 30),
          "metrics 4 classes, class 3 only predicted: counted (acc %.6f P %.6f R %.6f F1 %.6f)",
          v.accuracy, v.precision, v.recall, v.f1);
    rnnc_metrics_free(m);

    check(rnnc_metrics_create(1, &m) == RNNC_ERR_ARG && m == NULL,
          "metrics: 1 class is an argument error (%s)", rnnc_last_error());
    check(rnnc_metrics_create(2, NULL) == RNNC_ERR_ARG, "metrics: NULL out is an argument error");
    rnnc_metrics_free(NULL);
}

/* The sort-based AUC against counting every (positive, negative) pair, on 3000 examples in
 * batches of uneven sizes, scores on 40 levels (many ties), labels correlated with the score. */
static void auc_brute_force(void) {
    enum { n = 3000 };
    static float p[n];
    static int32_t y[n];
    rnnc_rng r;
    rnnc_rng_seed(&r, 5);
    size_t correct = 0;
    for (int i = 0; i < n; i++) {
        p[i] = (float)rnnc_rng_below(&r, 40) / 39.0f;
        y[i] = rnnc_rng_uniform(&r) < 0.2 + 0.6 * p[i];
        correct += (p[i] > 0.5f) == (y[i] == 1);
    }
    rnnc_metrics *m;
    rnnc_metrics_create(2, &m);
    double want = 0, pos = 0, neg = 0, half_way = 0;
    for (int i = 0; i < n; i++) {
        pos += y[i], neg += !y[i];
        for (int j = 0; j < n; j++)
            if (y[i] && !y[j])
                want += p[i] > p[j] ? 1 : p[i] == p[j] ? 0.5 : 0;
    }
    want /= pos * neg;
    size_t at = 0, sizes[] = {1, 700, 0, 1299, 1000};
    for (int b = 0; b < 5; b++) {
        rnnc_metrics_add(m, p + at, sizes[b], 1, y + at);
        at += sizes[b];
        if (b == 2)
            half_way = rnnc_metrics_values(m).auc; /* sorts the first 701 in place */
    }
    rnnc_metric_values v = rnnc_metrics_values(m);
    check(v.n == n && near(v.auc, want) && isfinite(half_way),
          "metrics AUC, 3000 examples on 40 score levels, read half-way: %.15f vs pairwise %.15f",
          v.auc, want);
    check(near(v.accuracy, (double)correct / n), "metrics accuracy, 3000 examples: %.6f",
          v.accuracy);
    rnnc_metrics_free(m);
}

/* mse and bce worked out by hand (bce at logits +-100, where a naive form overflows). */
static void hand_mse_bce(void) {
    const float p[3] = {1, 2, 3}, y[3] = {1, 0, 5};
    float g[3];
    double l = rnnc_loss_mse(p, y, 3, g);
    const float gw[3] = {0, 4.0f / 3, -4.0f / 3};
    check(fabs(l - 8.0 / 3) < 1e-12, "mse: (0 + 4 + 4) / 3 = %g", l);
    check_close("mse: gradient 2(p - y)/n", g, gw, 3, 1e-7, 0);
    const float z[4] = {0, 100, -100, 2}, t[4] = {1, 0, 1, 1};
    float gz[4];
    l = rnnc_loss_bce_logits(z, t, 4, gz);
    double want = (log(2) + 100 + 100 + log1p(exp(-2))) / 4;
    check(isfinite(l) && fabs(l - want) < 1e-9, "bce: stable at logits +-100 (%g, want %g)", l,
          want);
    const float gzw[4] = {(0.5f - 1) / 4, 1.0f / 4, -1.0f / 4,
                          (float)((1 / (1 + exp(-2.0)) - 1) / 4)};
    check_close("bce: gradient (sigmoid(z) - y)/n", gz, gzw, 4, 1e-7, 1e-6);
}

/* ---------------------------------------------------------------------------------------------
 * Probabilistic forecasting losses: the Gaussian negative log-likelihood and the pinball loss,
 * against PyTorch (tests/gen/gen_prob_loss_fixtures.py) and against central differences.
 */

static void fixture_gaussian(const char *file) {
    fixture *f = load(file);
    if (!f)
        return;
    const fixture_tensor *m = need(f, file, "mean"), *v = need(f, file, "var"),
                         *y = need(f, file, "target"), *l = need(f, file, "loss"),
                         *gm = need(f, file, "grad_mean"), *gv = need(f, file, "grad_var");
    const char *es = fixture_meta(f, "eps");
    const int full = fixture_meta_int(f, "full", -1);
    if (m && v && y && l && gm && gv && es && full >= 0) {
        float *mf = to_float(m), *vf = to_float(v), *yf = to_float(y);
        float *g1 = malloc(m->n * sizeof(float)), *g2 = malloc(m->n * sizeof(float));
        double loss = NAN, l2 = NAN;
        rnnc_status st =
            rnnc_loss_gaussian_nll(mf, vf, yf, m->n, full, strtod(es, NULL), &loss, g1, g2);
        check(st == RNNC_OK && close_rel(loss, l->data[0], LOSS_TOL),
              "%s: loss %.17g vs torch %.17g", file, loss, l->data[0]);
        char what[256];
        snprintf(what, sizeof what, "%s: gradient of the mean", file);
        check_elems(what, g1, gm->data, gm->n, GRAD_TOL);
        snprintf(what, sizeof what, "%s: gradient of the variance (clamped ones included)", file);
        check_elems(what, g2, gv->data, gv->n, GRAD_TOL);
        rnnc_loss_gaussian_nll(mf, vf, yf, m->n, full, strtod(es, NULL), &l2, NULL, NULL);
        check(l2 == loss, "%s: loss without gradients", file);
        free(mf), free(vf), free(yf), free(g1), free(g2);
    }
    fixture_free(f);
}

static void fixture_pinball(const char *file) {
    fixture *f = load(file);
    if (!f)
        return;
    const fixture_tensor *p = need(f, file, "pred"), *y = need(f, file, "target"),
                         *q = need(f, file, "q"), *l = need(f, file, "loss"),
                         *g = need(f, file, "grad");
    if (p && y && q && l && g && check(p->n == y->n * q->n, "%s: sizes agree", file)) {
        float *pf = to_float(p), *yf = to_float(y), *gf = malloc(p->n * sizeof(float));
        double loss = NAN;
        rnnc_status st = rnnc_loss_pinball(pf, yf, y->n, q->data, q->n, &loss, gf);
        check(st == RNNC_OK && close_rel(loss, l->data[0], LOSS_TOL),
              "%s: loss %.17g vs torch %.17g", file, loss, l->data[0]);
        char what[256];
        snprintf(what, sizeof what, "%s: gradient (two exact ties)", file);
        check_elems(what, gf, g->data, g->n, GRAD_TOL);
        free(pf), free(yf), free(gf);
    }
    fixture_free(f);
}

/* The loss of the probabilistic case c with input array `which` (0: the mean or the quantile
 * forecasts, 1: the variance) as the free variable. */
typedef struct prob_case {
    int pinball;
    size_t n, nq;
    float *a, *v, *y; /* (n) or (n,nq); (n); (n) */
    const double *q;
    int full;
    double eps;
} prob_case;

static double prob_loss(const prob_case *c, float *ga, float *gv) {
    double l = NAN;
    rnnc_status st =
        c->pinball ? rnnc_loss_pinball(c->a, c->y, c->n, c->q, c->nq, &l, ga)
                   : rnnc_loss_gaussian_nll(c->a, c->v, c->y, c->n, c->full, c->eps, &l, ga, gv);
    return st == RNNC_OK ? l : NAN;
}

/* Every element of the analytic gradient of input `which` against a central difference of the
 * double loss, as check_fd. */
static void prob_fd(const char *what, prob_case *c, int which) {
    float *x = which ? c->v : c->a;
    const size_t nx = which ? c->n : c->n * (c->pinball ? c->nq : 1);
    float *g = malloc(nx * sizeof(float)), *other = malloc(c->n * c->nq * sizeof(float) + 4);
    double *fd = malloc(nx * sizeof(double)), scale = 0, worst = 0;
    prob_loss(c, which ? other : g, which ? g : other);
    for (size_t i = 0; i < nx; i++) {
        const float x0 = x[i], h = (float)FD_STEP * (fabsf(x0) > 1 ? fabsf(x0) : 1);
        const float xp = x0 + h, xm = x0 - h;
        x[i] = xp;
        const double lp = prob_loss(c, NULL, NULL);
        x[i] = xm;
        const double lm = prob_loss(c, NULL, NULL);
        x[i] = x0;
        fd[i] = (lp - lm) / ((double)xp - (double)xm);
        scale = fabs(fd[i]) > scale ? fabs(fd[i]) : scale;
    }
    int ok = scale > 0;
    for (size_t i = 0; i < nx; i++) {
        const double e = fabs(g[i] - fd[i]) / (fabs(fd[i]) + scale / 10);
        ok &= e <= FD_RTOL;
        worst = e > worst ? e : worst;
    }
    check(ok, "%s: gradient vs central differences (worst %.1e <= %.0e)", what, worst, FD_RTOL);
    free(g), free(other), free(fd);
}

static void prob_losses(void) {
    fixture_gaussian("loss_gaussian_nll.txt");
    fixture_gaussian("loss_gaussian_nll_full.txt");
    fixture_pinball("loss_pinball.txt");
    fixture_pinball("loss_pinball_5.txt");
    enum { n = 10, nq = 3 };
    rnnc_rng r;
    rnnc_rng_seed(&r, 91);
    float m[n * nq], v[n], y[n];
    static const double q[nq] = {0.1, 0.5, 0.9};
    for (int i = 0; i < n; i++) {
        m[i] = (float)(2 * rnnc_rng_normal(&r)), y[i] = (float)(2 * rnnc_rng_normal(&r));
        v[i] = (float)(0.2 + 2 * rnnc_rng_uniform(&r)); /* well above eps: away from the clamp */
    }
    prob_case g = {0, n, 1, m, v, y, NULL, 0, 1e-6};
    prob_fd("gaussian_nll, mean", &g, 0);
    prob_fd("gaussian_nll, variance", &g, 1);
    g.full = 1;
    prob_fd("gaussian_nll full, variance", &g, 1);
    for (int i = 0; i < n * nq; i++) { /* 0.05 away from the kink at pred == target */
        m[i] = (float)(y[i / nq] + 2 * rnnc_rng_normal(&r));
        if (fabs(m[i] - y[i / nq]) < 0.05)
            m[i] += 0.1f;
    }
    prob_case p = {1, n, nq, m, NULL, y, q, 0, 0};
    prob_fd("pinball, quantiles 0.1 0.5 0.9", &p, 0);
    /* Hand values: q = 0.9, pred 1 below the target costs 0.9; 1 above costs 0.1. */
    const float hp[2] = {0, 2}, hy[1] = {1};
    const double hq[2] = {0.9, 0.9};
    double l = NAN;
    float hg[2];
    check(rnnc_loss_pinball(hp, hy, 1, hq, 2, &l, hg) == RNNC_OK && fabs(l - 0.5) < 1e-15 &&
              hg[0] == -0.45f && fabs(hg[1] - 0.05f) < 1e-8f,
          "pinball by hand: (0.9 + 0.1)/2 = 0.5, gradient (-0.45, 0.05)");
    /* Errors name the bad element and write nothing. */
    const double bad_q[2] = {0.5, 1.0};
    l = -1, hg[0] = 7;
    check(rnnc_loss_pinball(hp, hy, 1, bad_q, 2, &l, hg) == RNNC_ERR_ARG && l == -1 && hg[0] == 7 &&
              strstr(rnnc_last_error(), "quantile 1 is 1"),
          "pinball: a quantile of 1 is refused, naming it (%s)", rnnc_last_error());
    const float neg[2] = {1, -0.5f};
    check(rnnc_loss_gaussian_nll(hp, neg, hp, 2, 0, 1e-6, &l, NULL, NULL) == RNNC_ERR_ARG &&
              l == -1 && strstr(rnnc_last_error(), "variance 1 is -0.5"),
          "gaussian_nll: a negative variance is refused, naming it (%s)", rnnc_last_error());
    check(rnnc_loss_gaussian_nll(hp, v, hp, 2, 0, 0, &l, NULL, NULL) == RNNC_ERR_ARG && l == -1,
          "gaussian_nll: eps 0 is refused");
}

int main(void) {
    fixture_elementwise("loss_mse.txt", L_MSE);
    fixture_elementwise("loss_bce.txt", L_BCE);
    fixture_elementwise("loss_mae.txt", L_MAE);
    fixture_elementwise("loss_huber_d1.txt", L_HUBER);
    fixture_elementwise("loss_huber_d0p25.txt", L_HUBER);
    fixture_ce("loss_ce.txt");
    fixture_ce("loss_ce_ign2.txt");
    prob_losses();
    finite_differences();
    hand_losses();
    hand_mse_bce();
    metrics_tests();
    auc_brute_force();
    return check_summary();
}
