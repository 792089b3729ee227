/* Forecasting through the public API, on small synthetic series: baselines and metrics against
 * values computed by hand, season detection, windows and splits, the scaling statistics coming
 * from the training part only, a model file round trip, training files with [forecast], and
 * short training runs that must beat the naive forecast on a sine wave (direct and recursive). */
#include "check.h"
#include "rnnc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int near(double a, double b, double tol) {
    return fabs(a - b) <= tol;
}

/* ---- baselines and metrics by hand ---- */

static void test_baselines(void) {
    const double y[] = {1, 2, 3, 4, 5, 6, 7, 8};
    double out[5];
    /* origin t = 6: the history is 1..6 */
    check(rnnc_baseline_forecast(RNNC_BASELINE_NAIVE, y, 6, 3, 0, NULL, out) == RNNC_OK &&
              out[0] == 6 && out[1] == 6 && out[2] == 6,
          "naive: the last value, 6 6 6");
    /* period 3: steps 0,1,2 repeat y[3..5] = 4 5 6, steps 3,4 repeat 4 5 again */
    const double sn[] = {4, 5, 6, 4, 5};
    check(rnnc_baseline_forecast(RNNC_BASELINE_SEASONAL_NAIVE, y, 6, 5, 3, NULL, out) == RNNC_OK &&
              !memcmp(out, sn, sizeof sn),
          "seasonal naive, m = 3, H = 5: 4 5 6 4 5");
    check(rnnc_baseline_forecast(RNNC_BASELINE_MEAN, y, 6, 2, 4, NULL, out) == RNNC_OK &&
              out[0] == 4.5 && out[1] == 4.5,
          "moving average of the last 4 (3 4 5 6): 4.5");
    const double coef[] = {1, 0.5, 0.25}; /* y_t = 1 + 0.5 y_{t-1} + 0.25 y_{t-2} */
    /* from 5, 6: 1 + 3 + 1.25 = 5.25; then 1 + 2.625 + 1.5 = 5.125; then 1 + 2.5625 + 1.3125 */
    check(rnnc_baseline_forecast(RNNC_BASELINE_AR, y, 6, 3, 2, coef, out) == RNNC_OK &&
              out[0] == 5.25 && out[1] == 5.125 && out[2] == 4.875,
          "AR(2) iterated on its own forecasts: 5.25 5.125 4.875 (got %g %g %g)", out[0], out[1],
          out[2]);
    check(rnnc_baseline_forecast(RNNC_BASELINE_SEASONAL_NAIVE, y, 2, 1, 3, NULL, out) ==
              RNNC_ERR_ARG,
          "seasonal naive with less history than a period: refused");

    /* an exact AR(2) series is recovered by least squares */
    double z[60], c[3];
    z[0] = 1, z[1] = -2;
    for (int t = 2; t < 60; t++)
        z[t] = 0.7 + 0.6 * z[t - 1] - 0.3 * z[t - 2] + 0.1 * sin(1.7 * t * t); /* plus a wiggle */
    double zz[60];
    memcpy(zz, z, sizeof z);
    for (int t = 2; t < 60; t++) /* noise-free copy */
        zz[t] = 0.7 + 0.6 * zz[t - 1] - 0.3 * zz[t - 2];
    check(rnnc_ar_fit(zz, 30, 2, c) == RNNC_OK && near(c[0], 0.7, 1e-9) && near(c[1], 0.6, 1e-9) &&
              near(c[2], -0.3, 1e-9),
          "AR(2) by least squares: c 0.7, a 0.6 -0.3 (got %.12g %.12g %.12g)", c[0], c[1], c[2]);
    check(rnnc_ar_fit(z, 60, 2, c) == RNNC_OK && near(c[1], 0.6, 0.1) && near(c[2], -0.3, 0.1),
          "AR(2) with noise: near 0.6 -0.3 (got %.3g %.3g)", c[1], c[2]);
    check(rnnc_ar_fit(z, 5, 2, c) == RNNC_ERR_ARG, "AR(2) on 5 values: too few equations");
    { /* with noise: the least-squares solution is the normal equations' (3x3, Cramer's rule) */
        double G[3][3] = {{0}}, r[3] = {0};
        for (int t = 2; t < 60; t++) {
            const double row[3] = {1, z[t - 1], z[t - 2]};
            for (int i = 0; i < 3; i++) {
                r[i] += row[i] * z[t];
                for (int j = 0; j < 3; j++)
                    G[i][j] += row[i] * row[j];
            }
        }
#define DET3(m)                                                                                    \
    (m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -                                           \
     m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +                                           \
     m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]))
        const double det = DET3(G);
        double want[3];
        for (int k = 0; k < 3; k++) {
            double Gk[3][3];
            memcpy(Gk, G, sizeof G);
            for (int i = 0; i < 3; i++)
                Gk[i][k] = r[i];
            want[k] = DET3(Gk) / det;
        }
#undef DET3
        check(near(c[0], want[0], 1e-8) && near(c[1], want[1], 1e-8) && near(c[2], want[2], 1e-8),
              "AR(2) with noise = the normal equations' solution (%.10g %.10g %.10g, want %.10g "
              "%.10g %.10g)",
              c[0], c[1], c[2], want[0], want[1], want[2]);
    }
    { /* an exactly linear series: the lags are dependent; a basic solution still forecasts it */
        double line[40], cl[4];
        for (int t = 0; t < 40; t++)
            line[t] = 2 + 3 * t;
        const int ok = rnnc_ar_fit(line, 40, 3, cl) == RNNC_OK;
        const double next = cl[0] + cl[1] * line[39] + cl[2] * line[38] + cl[3] * line[37];
        check(
            ok && near(next, 2 + 3 * 40, 1e-8),
            "AR(3) on a straight line: fitted (rank 2 of 4), forecasts the line (%.10g, want 122)",
            next);
    }

    /* MASE scale: mean |y_t - y_{t-m}| */
    const double s[] = {1, 3, 2, 5, 4};
    double s1 = NAN, s2 = NAN, s3 = 7;
    check(rnnc_mase_scale(s, 5, 1, &s1) == RNNC_OK && near(s1, (2 + 1 + 3 + 1) / 4.0, 1e-15) &&
              rnnc_mase_scale(s, 5, 2, &s2) == RNNC_OK && near(s2, (1 + 2 + 2) / 3.0, 1e-15),
          "MASE scale by hand: m = 1 gives 7/4, m = 2 gives 5/3");
    check(rnnc_mase_scale(s, 2, 2, &s3) == RNNC_ERR_ARG && s3 == 7 &&
              strstr(rnnc_last_error(), "2 values hold no pair 2 steps apart") &&
              rnnc_mase_scale(s, 5, 0, &s3) == RNNC_ERR_ARG,
          "MASE scale: too short a series, or season 0, is an error (%s)", rnnc_last_error());

    /* metrics: pred 1 2 3 against 2 2 5 */
    const double p[] = {1, 2, 3}, a[] = {2, 2, 5};
    rnnc_forecast_metrics m = rnnc_forecast_score(p, a, 3, 0.5);
    check(m.n == 3 && near(m.mae, 1, 1e-15) && near(m.rmse, sqrt(5.0 / 3), 1e-15) &&
              near(m.mape, 100 * (0.5 + 0 + 0.4) / 3, 1e-12) &&
              near(m.smape, 100 * (2.0 / 3 + 0 + 4.0 / 8) / 3, 1e-12) && near(m.mase, 2, 1e-15),
          "metrics by hand: MAE 1, RMSE sqrt(5/3), MAPE 30, sMAPE 38.9, MASE 2");
    const double p0[] = {0, 1}, a0[] = {0, 0};
    m = rnnc_forecast_score(p0, a0, 2, 1);
    check(isnan(m.mape) && near(m.smape, 100, 1e-12),
          "zero actuals: MAPE undefined, sMAPE 0 and 200");
}

static void test_season(void) {
    double y[240];
    for (int t = 0; t < 240; t++)
        y[t] = 0.5 * t + 10 * sin(2 * M_PI * t / 12) + 3 * cos(2 * M_PI * t / 4);
    check(rnnc_season_detect(y, 240, 60) == 12,
          "season of a trend + period 12 + period 4: 12 (got %zu)", rnnc_season_detect(y, 240, 60));
    for (int t = 0; t < 240; t++)
        y[t] = 7 + 0.25 * t;
    check(rnnc_season_detect(y, 240, 60) == 1, "a straight line has no season");
}

/* ---- synthetic series ---- */

/* A CSV of n rows "t,y,u" with y = fy(t), u = fu(t), read through the public reader. */
static rnnc_series *series_of(size_t n, double (*fy)(size_t), double (*fu)(size_t)) {
    size_t cap = 64 + n * 64;
    char *text = malloc(cap);
    size_t len = (size_t)snprintf(text, cap, "t,y,u\n");
    for (size_t t = 0; t < n; t++)
        len += (size_t)snprintf(text + len, cap - len, "%zu,%.17g,%.17g\n", t, fy(t), fu(t));
    rnnc_series_source src = rnnc_series_source_init();
    src.time = "t";
    rnnc_series *s = NULL;
    rnnc_status st = rnnc_series_parse(text, len, "synthetic.csv", &src, &s);
    if (st)
        fprintf(stderr, "series_of: %s\n", rnnc_last_error());
    free(text);
    return s;
}

static double lin(size_t t) {
    return (double)t;
}
static double sq(size_t t) {
    return 0.01 * (double)t * (double)t;
}
static double sine(size_t t) {
    return 10 + 5 * sin(2 * M_PI * (double)t / 20) + 0.2 * sin(0.37 * (double)t * (double)t);
}

static rnnc_config encoder(int kind, int hidden) {
    rnnc_config c;
    memset(&c, 0, sizeof c);
    c.n_layers = 1;
    c.layers[0] = rnnc_layer_spec_init(kind);
    c.layers[0].hidden = hidden;
    return c;
}

static void test_windows(void) {
    rnnc_series *s = series_of(100, lin, sq);
    rnnc_forecast_spec sp = rnnc_forecast_spec_init();
    sp.lookback = 5, sp.horizon = 3, sp.season = 1;
    snprintf(sp.targets, sizeof sp.targets, "y");
    snprintf(sp.covariates, sizeof sp.covariates, "u");
    rnnc_config cfg = encoder(RNNC_LAYER_GRU, 4);
    rnnc_forecaster *f = NULL;
    check(rnnc_forecaster_create(&cfg, &sp, s, NULL, 1, &f) == RNNC_OK, "create (%s)",
          rnnc_last_error());
    if (!f) {
        rnnc_series_free(s);
        return;
    }
    /* 100 rows: training 0..69, validation 70..79, test 80..99 */
    size_t n[3];
    for (int p = 0; p < 3; p++)
        rnnc_forecaster_windows(f, s, p, &n[p]);
    check(
        n[0] == 63 && n[1] == 8 && n[2] == 18,
        "windows: 63 training (t 5..67), 8 validation (t 70..77), 18 test (t 80..97); got %zu %zu "
        "%zu",
        n[0], n[1], n[2]);
    size_t t;
    float x[10], y[3];
    const rnnc_scaler *sc = rnnc_forecaster_scaler(f);
    check(rnnc_forecaster_window(f, s, 0, 0, &t, x, y) == RNNC_OK && t == 5,
          "first training window starts targets at row 5");
    int ok = 1;
    for (int l = 0; l < 5; l++)
        ok &= near(rnnc_scaler_invert(sc, 0, x[l * 2]), l, 1e-4) &&
              near(rnnc_scaler_invert(sc, 1, x[l * 2 + 1]), sq((size_t)l), 1e-4);
    for (int h = 0; h < 3; h++)
        ok &= near(rnnc_scaler_invert(sc, 0, y[h]), 5 + h, 1e-4);
    check(ok, "window 0: inputs rows 0..4 (y and u), targets y rows 5..7");
    check(rnnc_forecaster_window(f, s, 0, 62, &t, NULL, y) == RNNC_OK && t == 67 &&
              near(rnnc_scaler_invert(sc, 0, y[2]), 69, 1e-4),
          "last training window: targets rows 67..69, the training part's end");
    check(rnnc_forecaster_window(f, s, 1, 0, &t, x, NULL) == RNNC_OK && t == 70 &&
              near(rnnc_scaler_invert(sc, 0, x[8]), 69, 1e-4),
          "first validation window: targets from row 70, inputs reach back to row 69");
    check(rnnc_forecaster_window(f, s, 2, 17, &t, NULL, y) == RNNC_OK && t == 97 &&
              near(rnnc_scaler_invert(sc, 0, y[2]), 99, 1e-3),
          "last test window ends at the last row");
    check(rnnc_forecaster_window(f, s, 2, 18, &t, NULL, NULL) == RNNC_ERR_ARG,
          "window 18 of 18: refused");
    rnnc_forecaster_free(f);
    sp.stride = 2;
    rnnc_forecaster_create(&cfg, &sp, s, NULL, 1, &f);
    check(f && rnnc_forecaster_windows(f, s, 0, &n[0]) == RNNC_OK && n[0] == 32 &&
              rnnc_forecaster_windows(f, s, 2, &n[2]) == RNNC_OK && n[2] == 18,
          "stride 2: 32 training windows, test windows still every row");
    rnnc_forecaster_free(f);
    /* two targets: (H,targets) row-major, the naive baseline per target by hand */
    snprintf(sp.targets, sizeof sp.targets, "y,u");
    sp.covariates[0] = 0, sp.stride = 1;
    rnnc_forecaster_create(&cfg, &sp, s, NULL, 1, &f);
    const rnnc_scaler *s2 = f ? rnnc_forecaster_scaler(f) : NULL;
    float y2[6];
    check(f && rnnc_forecaster_window(f, s, 0, 0, &t, NULL, y2) == RNNC_OK &&
              near(rnnc_scaler_invert(s2, 0, y2[0]), 5, 1e-4) &&
              near(rnnc_scaler_invert(s2, 1, y2[1]), sq(5), 1e-4) &&
              near(rnnc_scaler_invert(s2, 0, y2[4]), 7, 1e-4) &&
              near(rnnc_scaler_invert(s2, 1, y2[5]), sq(7), 1e-4),
          "two targets: window targets laid out (step, target)");
    rnnc_forecast_metrics m2[2 * RNNC_FM_COUNT];
    /* naive on y = t: every step h of origin t is off by h + 1: MAE (1 + 2 + 3)/3 = 2 */
    check(f && rnnc_forecaster_evaluate(f, s, m2, NULL) == RNNC_OK &&
              near(m2[RNNC_FM_NAIVE * 2 + 0].mae, 2, 1e-9) && m2[RNNC_FM_NAIVE * 2 + 1].mae > 2,
          "two targets: metrics per target (naive MAE of y = 2 by hand)");
    rnnc_forecaster_free(f);
    rnnc_series_free(s);
}

/* The scaling statistics and the training windows depend on the training part only. */
static void test_scaling_from_train(void) {
    rnnc_series *a = series_of(100, sine, sq), *b = series_of(100, sine, sq),
                *c = series_of(100, sine, sq);
    for (size_t t = 70; t < 100; t++) { /* validation and test parts of b changed wildly */
        b->x[t * b->F + 0] = 1000 + 50.0 * (double)t;
        b->x[t * b->F + 1] = -7;
    }
    c->x[10 * c->F + 0] += 1; /* one training value of c changed */
    rnnc_forecast_spec sp = rnnc_forecast_spec_init();
    sp.lookback = 6, sp.horizon = 2, sp.season = 1;
    snprintf(sp.targets, sizeof sp.targets, "y");
    snprintf(sp.covariates, sizeof sp.covariates, "u");
    rnnc_config cfg = encoder(RNNC_LAYER_LSTM, 4);
    rnnc_forecaster *fa = NULL, *fb = NULL, *fc = NULL;
    rnnc_forecaster_create(&cfg, &sp, a, NULL, 1, &fa);
    rnnc_forecaster_create(&cfg, &sp, b, NULL, 1, &fb);
    rnnc_forecaster_create(&cfg, &sp, c, NULL, 1, &fc);
    if (!fa || !fb || !fc) {
        check(0, "create three forecasters (%s)", rnnc_last_error());
        return;
    }
    const rnnc_scaler *sa = rnnc_forecaster_scaler(fa), *sb = rnnc_forecaster_scaler(fb),
                      *sc = rnnc_forecaster_scaler(fc);
    check(!memcmp(sa->shift, sb->shift, 2 * sizeof(double)) &&
              !memcmp(sa->scale, sb->scale, 2 * sizeof(double)),
          "changing only validation and test values leaves the scaling statistics unchanged "
          "(bit for bit)");
    check(sa->shift[0] != sc->shift[0] && sa->scale[0] != sc->scale[0] &&
              sa->shift[1] == sc->shift[1],
          "changing one training value of y changes y's statistics (and not u's)");
    size_t n;
    rnnc_forecaster_windows(fa, a, 0, &n);
    int same_b = 1, same_c = 1;
    for (size_t w = 0; w < n; w++) {
        float xa[12], ya[2], xb[12], yb[2], xc[12], yc[2];
        rnnc_forecaster_window(fa, a, 0, w, NULL, xa, ya);
        rnnc_forecaster_window(fb, b, 0, w, NULL, xb, yb);
        rnnc_forecaster_window(fc, c, 0, w, NULL, xc, yc);
        same_b &= !memcmp(xa, xb, sizeof xa) && !memcmp(ya, yb, sizeof ya);
        same_c &= !memcmp(xa, xc, sizeof xa) && !memcmp(ya, yc, sizeof ya);
    }
    check(n == 63 && same_b, "all %zu training windows are identical when only later values change",
          n);
    check(!same_c, "the training windows change when a training value changes");
    float v1[12], v2[12];
    rnnc_forecaster_window(fa, a, 1, 0, NULL, v1, NULL);
    rnnc_forecaster_window(fb, b, 1, 0, NULL, v2, NULL);
    check(!memcmp(v1, v2, sizeof v1),
          "the first validation window's inputs (all before row 70) too");
    rnnc_forecaster_free(fa), rnnc_forecaster_free(fb), rnnc_forecaster_free(fc);
    rnnc_series_free(a), rnnc_series_free(b), rnnc_series_free(c);
}

static rnnc_fit_spec fit_spec(int epochs) {
    rnnc_fit_spec f = rnnc_fit_spec_init();
    f.epochs = epochs, f.batch_size = 16, f.seed = 3;
    f.optim.lr = 0.01;
    return f;
}

/* A GRU forecaster of a noisy sine (period 20) must beat the naive forecast clearly. */
static void test_learns(int decoder) {
    const char *name = decoder == RNNC_DECODER_DIRECT ? "direct" : "recursive";
    rnnc_series *s = series_of(400, sine, lin);
    rnnc_forecast_spec sp = rnnc_forecast_spec_init();
    sp.lookback = 20, sp.horizon = 5, sp.season = 0, sp.decoder = decoder;
    snprintf(sp.targets, sizeof sp.targets, "y");
    rnnc_config cfg = encoder(RNNC_LAYER_GRU, 16);
    rnnc_forecaster *f = NULL;
    rnnc_status st = rnnc_forecaster_create(&cfg, &sp, s, NULL, 7, &f);
    check(st == RNNC_OK && rnnc_forecaster_spec(f)->season == 20,
          "%s: season detected on the training part: 20 (got %d)", name,
          f ? rnnc_forecaster_spec(f)->season : -1);
    rnnc_fit_spec fs = fit_spec(25);
    rnnc_epoch_report last;
    st = f ? rnnc_forecaster_fit(f, s, &fs, &last) : st;
    check(st == RNNC_OK && last.val_loss < 0.05, "%s: trains; validation MSE (scaled) %.4f < 0.05",
          name, last.val_loss);
    rnnc_forecast_metrics m[RNNC_FM_COUNT];
    double scale;
    st = f ? rnnc_forecaster_evaluate(f, s, m, &scale) : st;
    check(st == RNNC_OK && m[RNNC_FM_MODEL].n == 76 * 5 &&
              m[RNNC_FM_MODEL].mase < 0.1 * m[RNNC_FM_NAIVE].mase,
          "%s: test MASE %.3f below a tenth of naive's %.3f (76 windows of 5)", name,
          m[RNNC_FM_MODEL].mase, m[RNNC_FM_NAIVE].mase);
    double p[12];
    st = f ? rnnc_forecaster_predict(f, s, 400, 12, p) : st;
    check(st == RNNC_OK && near(p[11], sine(411), 1.5),
          "%s: 12 steps past the end (rolled beyond the horizon 5): %.2f vs %.2f", name, p[11],
          sine(411));
    rnnc_forecaster_free(f);
    rnnc_series_free(s);
}

static void test_roundtrip(void) {
    rnnc_series *s = series_of(120, sine, sq);
    rnnc_forecast_spec sp = rnnc_forecast_spec_init();
    sp.lookback = 8, sp.horizon = 4, sp.log = 1, sp.relative = 1;
    sp.scaling = RNNC_SCALE_MINMAX;
    snprintf(sp.targets, sizeof sp.targets, "y");
    snprintf(sp.covariates, sizeof sp.covariates, "u");
    rnnc_config cfg = encoder(RNNC_LAYER_LSTM, 6);
    rnnc_series_source src = rnnc_series_source_init();
    src.path = "synthetic.csv", src.time = "t", src.missing = RNNC_MISSING_FFILL;
    rnnc_forecaster *f = NULL, *g = NULL;
    rnnc_forecaster_create(&cfg, &sp, s, &src, 5, &f);
    rnnc_fit_spec fs = fit_spec(2);
    char dir[] = "/tmp/rnnc_fc_XXXXXX";
    check(mkdtemp(dir) != NULL, "temporary folder");
    char path[256];
    snprintf(path, sizeof path, "%s/f.safetensors", dir);
    rnnc_status st = f ? rnnc_forecaster_fit(f, s, &fs, NULL) : RNNC_ERR_ARG;
    if (st == RNNC_OK)
        st = rnnc_forecaster_save(f, path);
    if (st == RNNC_OK)
        st = rnnc_forecaster_load(path, &g);
    check(st == RNNC_OK, "fit, save, load (%s)", rnnc_last_error());
    if (g) {
        const rnnc_forecast_spec *a = rnnc_forecaster_spec(f), *b = rnnc_forecaster_spec(g);
        check(a->lookback == b->lookback && a->horizon == b->horizon && a->log == b->log &&
                  a->relative == b->relative && a->scaling == b->scaling &&
                  a->season == b->season && a->val_fraction == b->val_fraction &&
                  a->test_fraction == b->test_fraction,
              "the spec comes back");
        check(!memcmp(rnnc_forecaster_scaler(f), rnnc_forecaster_scaler(g), sizeof(rnnc_scaler)),
              "the scaling statistics come back bit for bit");
        const char *const *na, *const *nb;
        int ta, tb;
        check(rnnc_forecaster_inputs(f, &na, &ta) == 2 &&
                  rnnc_forecaster_inputs(g, &nb, &tb) == 2 && ta == 1 && tb == 1 &&
                  !strcmp(nb[0], "y") && !strcmp(nb[1], "u"),
              "inputs y (target) and u come back");
        rnnc_series_source r = rnnc_forecaster_source(g);
        check(!strcmp(r.path, "synthetic.csv") && !strcmp(r.time, "t") &&
                  r.missing == RNNC_MISSING_FFILL,
              "how to read the CSV comes back");
        double p1[4], p2[4];
        check(rnnc_forecaster_predict(f, s, 100, 4, p1) == RNNC_OK &&
                  rnnc_forecaster_predict(g, s, 100, 4, p2) == RNNC_OK &&
                  !memcmp(p1, p2, sizeof p1),
              "the loaded forecaster predicts the same bits");
        rnnc_forecaster *h = NULL;
        check(rnnc_classifier_load(path, (rnnc_classifier **)&h) == RNNC_ERR_FORMAT &&
                  strstr(rnnc_last_error(), "not a text classifier"),
              "a classifier refuses a forecaster's file");
    }
    rnnc_forecaster_free(f), rnnc_forecaster_free(g);
    rnnc_series_free(s);
    unlink(path);
    char other[300];
    snprintf(other, sizeof other, "%s", dir);
    rmdir(other);
}

static void test_create_errors(void) {
    rnnc_series *s = series_of(60, sine, sq);
    rnnc_forecast_spec sp = rnnc_forecast_spec_init();
    sp.lookback = 5;
    rnnc_config cfg = encoder(RNNC_LAYER_RNN, 4);
    rnnc_forecaster *f = NULL;
    snprintf(sp.targets, sizeof sp.targets, "nope");
    check(rnnc_forecaster_create(&cfg, &sp, s, NULL, 1, &f) == RNNC_ERR_ARG && !f &&
              strstr(rnnc_last_error(), "'nope'"),
          "an unknown target column is named: %s", rnnc_last_error());
    snprintf(sp.targets, sizeof sp.targets, "y");
    snprintf(sp.covariates, sizeof sp.covariates, "u");
    sp.decoder = RNNC_DECODER_RECURSIVE;
    check(rnnc_forecaster_create(&cfg, &sp, s, NULL, 1, &f) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "covariates"),
          "a recursive decoder with covariates: refused");
    sp.decoder = RNNC_DECODER_DIRECT;
    cfg.input_size = 3;
    check(rnnc_forecaster_create(&cfg, &sp, s, NULL, 1, &f) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "input_size = 3"),
          "input_size disagreeing with the data: refused");
    cfg.input_size = 0;
    sp.lookback = 42;
    check(rnnc_forecaster_create(&cfg, &sp, s, NULL, 1, &f) == RNNC_ERR_ARG && !f &&
              strstr(rnnc_last_error(), "training part has 42 rows"),
          "a lookback longer than the training part: refused (%s)", rnnc_last_error());
    rnnc_series_free(s);
}

/* The bytes of a file (NULL when it cannot be read); *n its size. */
static char *slurp(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    char *b = f ? malloc(1 << 16) : NULL;
    *n = b ? fread(b, 1, 1 << 16, f) : 0;
    if (f)
        fclose(f);
    return b;
}

/* Everything evaluate needs of the series is refused at create, before any training; a model file
 * that would not load is never written. 60 rows: training part 42, validation 6, test 12. */
static void test_checked_before_training(void) {
    rnnc_series *s = series_of(60, sine, sq);
    rnnc_forecast_spec sp = rnnc_forecast_spec_init();
    sp.lookback = 5, sp.horizon = 2;
    rnnc_config cfg = encoder(RNNC_LAYER_GRU, 3);
    rnnc_series_source src = rnnc_series_source_init();
    src.path = "synthetic.csv", src.time = "t";
    rnnc_forecaster *f = NULL;
    const struct {
        int *field, bad, good;
        const char *want;
    } cases[] = {
        {&sp.ar_order, 21, 20,
         "synthetic.csv: [forecast] ar_order = 21: an AR fit on the "
         "training part (42 rows) needs more equations than coefficients; "
         "at most 20"},
        {&sp.ma_window, 43, 42,
         "[forecast] ma_window = 43 is longer than the training part (42 "
         "rows); at most 42"},
        {&sp.season, 42, 41,
         "[forecast] season = 42 is not shorter than the training part (42 "
         "rows)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        *cases[i].field = cases[i].bad;
        check(rnnc_forecaster_create(&cfg, &sp, s, &src, 1, &f) == RNNC_ERR_ARG && !f &&
                  strstr(rnnc_last_error(), cases[i].want),
              "refused at create: %s (got: %s)", cases[i].want, rnnc_last_error());
        *cases[i].field = cases[i].good;
        check(rnnc_forecaster_create(&cfg, &sp, s, &src, 1, &f) == RNNC_OK && f,
              "the limit itself is accepted (%s)", rnnc_last_error());
        rnnc_forecaster_free(f);
        f = NULL;
        *cases[i].field = 0;
    }
    sp.test_fraction = 0;
    check(rnnc_forecaster_create(&cfg, &sp, s, &src, 1, &f) == RNNC_ERR_ARG && !f &&
              strstr(rnnc_last_error(), "the test part (0 rows) holds no window of horizon 2"),
          "no test window: refused at create (%s)", rnnc_last_error());
    sp.test_fraction = 0.2;

    /* a column name with a line break would split into two names in the model file */
    const char *nl = "t,\"y\nz\"\n0,1\n1,2\n2,1\n3,2\n4,1\n5,2\n6,1\n7,2\n8,1\n9,2\n10,1\n11,2\n";
    rnnc_series *s2 = NULL;
    rnnc_forecast_spec sp2 = rnnc_forecast_spec_init();
    sp2.lookback = 2, sp2.season = 1;
    if (rnnc_series_parse(nl, strlen(nl), "nl.csv", &src, &s2) == RNNC_OK)
        check(rnnc_forecaster_create(&cfg, &sp2, s2, &src, 1, &f) == RNNC_ERR_ARG && !f &&
                  strstr(rnnc_last_error(), "column name 'y' goes on after a line break"),
              "a column name with a line break: refused at create (%s)", rnnc_last_error());
    else
        check(0, "nl.csv parses (%s)", rnnc_last_error());
    rnnc_series_free(s2);

    /* sort_time is stored; weights that are not finite are never saved over a good file */
    src.sort_time = 1;
    char dir[] = "/tmp/rnnc_fcheck_XXXXXX", path[256];
    check(mkdtemp(dir) != NULL, "temporary folder");
    snprintf(path, sizeof path, "%s/f.safetensors", dir);
    rnnc_forecaster *g = NULL;
    rnnc_status st = rnnc_forecaster_create(&cfg, &sp, s, &src, 1, &f);
    if (st == RNNC_OK)
        st = rnnc_forecaster_save(f, path);
    if (st == RNNC_OK)
        st = rnnc_forecaster_load(path, &g);
    check(st == RNNC_OK && rnnc_forecaster_source(g).sort_time == 1,
          "sort_time comes back from the model file (%s)", rnnc_last_error());
    size_t n0 = 0, n1 = 0;
    char *before = slurp(path, &n0);
    float *w = f ? rnnc_model_param(rnnc_forecaster_model(f), "head.bias", NULL) : NULL;
    if (w)
        w[0] = NAN;
    check(w && rnnc_forecaster_save(f, path) == RNNC_ERR_NUMERIC &&
              strstr(rnnc_last_error(), "tensor 'head.bias' holds nan"),
          "a NaN weight: not saved (%s)", rnnc_last_error());
    char *after = slurp(path, &n1);
    check(before && after && n0 == n1 && !memcmp(before, after, n0),
          "the file saved before is unchanged");
    free(before), free(after);

    /* a one-cycle schedule that ends before the run: refused before the first step */
    if (w)
        w[0] = 0;
    rnnc_fit_spec fs = fit_spec(2);
    fs.sched = rnnc_sched_spec_init(RNNC_SCHED_ONECYCLE);
    fs.sched.total_steps = 1;
    check(f && rnnc_forecaster_fit(f, s, &fs, NULL) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "total_steps = 1 is shorter than the run's 2 steps"),
          "onecycle total_steps 1 for 2 epochs: refused (%s)", rnnc_last_error());
    fs.sched.total_steps = 2;
    check(f && rnnc_forecaster_fit(f, s, &fs, NULL) == RNNC_OK,
          "onecycle total_steps = the run's steps: trains (%s)", rnnc_last_error());
    rnnc_forecaster_free(f), rnnc_forecaster_free(g);
    rnnc_series_free(s);
    unlink(path);
    rmdir(dir);
}

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* The task of a training file, -1 when it cannot be read. */
static int task_of(const char *path, const char *const *ov, int n) {
    rnnc_train_file *f;
    if (rnnc_train_file_open(path, ov, n, &f) != RNNC_OK)
        return -1;
    const int t = (int)rnnc_train_file_task(f);
    rnnc_train_file_free(f);
    return t;
}

static void test_config(void) {
    char dir[] = "/tmp/rnnc_fcc_XXXXXX";
    if (!mkdtemp(dir))
        return;
    char p1[256], p2[256], p3[256];
    snprintf(p1, sizeof p1, "%s/a.ini", dir);
    snprintf(p2, sizeof p2, "%s/b.ini", dir);
    snprintf(p3, sizeof p3, "%s/c.ini", dir);
    write_file(p1, "[forecast]\ndata = x.csv\ntime = year,month\ntargets = a,b\nlookback = 12\n"
                   "horizon = 6\nlog = true\nrelative = yes\nscaling = minmax\nmissing = "
                   "interpolate\nseason = auto\nvalidation_split = 0.15\ntest_split = 0.25\n"
                   "decoder = recursive\nloss = huber\nhuber_delta = 0.5\n\n[gru]\nhidden = 8\n\n"
                   "[train]\nepochs = 3\n");
    write_file(p2, "[lstm]\nhidden = 4\n[forecast]\ndata = x.csv\nhorizon = 2\nlookbak = 3\n");
    write_file(p3, "[data]\ntrain = t.tsv\n[model]\ninput_size = 3\n[lstm]\nhidden = 4\n");
    const char *ov[] = {"forecast.horizon=3"};
    check(task_of(p1, NULL, 0) == RNNC_TRAIN_FORECAST,
          "a file with [forecast] trains a forecaster");
    check(task_of(p3, NULL, 0) == RNNC_TRAIN_CLASSIFY, "a classifier's file does not");
    check(task_of(p3, ov, 1) == RNNC_TRAIN_FORECAST, "--set forecast.x adds the section");
    static rnnc_forecast_config c;
    const char *ov2[] = {"forecast.lookback=24", "gru.hidden=16"};
    rnnc_status st = rnnc_forecast_config_read(p1, ov2, 2, &c);
    check(st == RNNC_OK && !strcmp(c.data, "x.csv") && !strcmp(c.time, "year,month") &&
              !strcmp(c.spec.targets, "a,b") && c.spec.lookback == 24 && c.spec.horizon == 6 &&
              c.spec.log == 1 && c.spec.relative == 1 && c.spec.scaling == RNNC_SCALE_MINMAX &&
              c.missing == RNNC_MISSING_INTERPOLATE && c.spec.season == 0 &&
              c.spec.val_fraction == 0.15 && c.spec.test_fraction == 0.25 &&
              c.spec.decoder == RNNC_DECODER_RECURSIVE && c.spec.loss == RNNC_FLOSS_HUBER &&
              c.spec.huber_delta == 0.5 && c.run.fit.epochs == 3 && c.run.model.n_layers == 1 &&
              c.run.model.layers[0].hidden == 16 && c.run.model.input_size == 0,
          "every [forecast] key, overrides, the encoder and [train] read (%s)", rnnc_last_error());
    check(rnnc_forecast_config_read(p2, NULL, 0, &c) == RNNC_ERR_FORMAT &&
              strstr(rnnc_last_error(), "b.ini:6: unknown key 'lookbak' in [forecast]"),
          "a misspelt key is named with its line: %s", rnnc_last_error());
    check(rnnc_forecast_config_read(p3, ov, 1, &c) == RNNC_ERR_FORMAT &&
              strstr(rnnc_last_error(), "c.ini:2: [data] is for text classifiers"),
          "[data] in a forecasting file: refused with its line: %s", rnnc_last_error());
    write_file(p2, "[embedding]\nvocab = 10\ndim = 4\n[lstm]\nhidden = 4\n[dense]\nunits = 1\n"
                   "[data]\ntrain = t.tsv\n[forecast]\nhorizon = 2\n");
    static rnnc_classify_config tc;
    check(rnnc_classify_config_read(p2, NULL, 0, &tc) == RNNC_ERR_FORMAT &&
              strstr(rnnc_last_error(), "[forecast] in a text classifier"),
          "the classifier's reader refuses [forecast]: %s", rnnc_last_error());
    unlink(p1), unlink(p2), unlink(p3);
    rmdir(dir);
}

/* ---- prediction intervals ---- */

/* Coverage, the interval score (MSIS before scaling) and the Gaussian CRPS on a small case. */
static void test_interval_metrics(void) {
    const double lo[4] = {0, 0, 0, 0}, hi[4] = {2, 2, 2, 2}, y[4] = {1, 3, -1, 2};
    /* inside: 1 and 2 (a bound counts as inside); 3 above, -1 below */
    check(rnnc_interval_coverage(lo, hi, y, 4) == 0.5, "coverage: 2 of 4 inside, bounds included");
    /* alpha 0.2: width 2 each (8 in all), plus 2/0.2 * 1 above and 2/0.2 * 1 below: 28/4 = 7 */
    check(near(rnnc_interval_score(lo, hi, y, 4, 0.2), 7, 1e-12),
          "interval score at alpha 0.2: (8 + 10 + 10)/4 = 7 (got %.17g)",
          rnnc_interval_score(lo, hi, y, 4, 0.2));
    check(isnan(rnnc_interval_score(lo, hi, y, 4, 1)) &&
              isnan(rnnc_interval_coverage(lo, hi, y, 0)),
          "alpha 1 and n 0 give NAN");
    /* CRPS of N(0,1) at 0: 2 phi(0) - 1/sqrt(pi) = sqrt(2/pi) - 1/sqrt(pi) */
    const double c0 = sqrt(2 / M_PI) - 1 / sqrt(M_PI);
    check(near(rnnc_crps_gaussian(0, 1, 0), c0, 1e-15) &&
              near(rnnc_crps_gaussian(1, 2, 1), 2 * c0, 1e-15),
          "CRPS: N(0,1) at 0 is %.10f; it scales with sigma", c0);
    /* at z = 1: z (2 Phi(1) - 1) + 2 phi(1) - 1/sqrt(pi), Phi(1) = 0.841344746068543 */
    const double c1 = (2 * 0.841344746068543 - 1) + 2 * exp(-0.5) / sqrt(2 * M_PI) - 1 / sqrt(M_PI);
    check(near(rnnc_crps_gaussian(3, 2, 5), 2 * c1, 1e-12) && rnnc_crps_gaussian(1, 0, 4) == 3,
          "CRPS: N(3, 2^2) at 5 is 2 x %.10f; sigma 0 gives |y - mu|", c1);
}

/* A Gaussian and a quantile head on the noisy sine: they train, their intervals are nested around
 * the point forecast, evaluate_intervals agrees with the intervals predicted window by window,
 * and the model file gives the same bits back. */
static void test_intervals(int loss) {
    const char *name = loss == RNNC_FLOSS_GAUSSIAN ? "gaussian" : "quantile";
    rnnc_series *s = series_of(300, sine, lin);
    rnnc_forecast_spec sp = rnnc_forecast_spec_init();
    sp.lookback = 20, sp.horizon = 3, sp.season = 20, sp.loss = loss;
    if (loss == RNNC_FLOSS_QUANTILE) {
        const double q[5] = {0.025, 0.1, 0.5, 0.9, 0.975};
        sp.n_quantiles = 5;
        memcpy(sp.quantiles, q, sizeof q);
    }
    snprintf(sp.targets, sizeof sp.targets, "y");
    rnnc_config cfg = encoder(RNNC_LAYER_GRU, 12);
    rnnc_forecaster *f = NULL, *g = NULL;
    rnnc_status st = rnnc_forecaster_create(&cfg, &sp, s, NULL, 7, &f);
    double lv[RNNC_FORECAST_MAX_INTERVALS];
    check(st == RNNC_OK && rnnc_forecaster_intervals(f, lv) == 2 && near(lv[0], 80, 1e-9) &&
              near(lv[1], 95, 1e-9),
          "%s: two intervals, 80%% and 95%%", name);
    size_t np = 0;
    rnnc_model_params(rnnc_forecaster_model(f), &np);
    rnnc_fit_spec fs = fit_spec(12);
    rnnc_epoch_report last;
    st = f ? rnnc_forecaster_fit(f, s, &fs, &last) : st;
    check(st == RNNC_OK && isfinite(last.val_loss), "%s: trains (validation loss %.4f)", name,
          last.val_loss);
    rnnc_forecast_metrics m[RNNC_FM_COUNT];
    st = f ? rnnc_forecaster_evaluate(f, s, m, NULL) : st;
    check(st == RNNC_OK && m[RNNC_FM_MODEL].mase < m[RNNC_FM_NAIVE].mase,
          "%s: the point forecast beats naive (MASE %.3f < %.3f)", name, m[RNNC_FM_MODEL].mase,
          m[RNNC_FM_NAIVE].mase);
    rnnc_interval_metrics im[2];
    double crps = -1;
    st = f ? rnnc_forecaster_evaluate_intervals(f, s, im, &crps) : st;
    /* the same windows by hand: every test origin, 3 steps each */
    size_t nw = 0;
    rnnc_forecaster_windows(f, s, 2, &nw);
    double *lo = calloc(2 * nw * 3, sizeof *lo), *hi = calloc(2 * nw * 3, sizeof *hi);
    double *act = calloc(nw * 3, sizeof *act), *mu = calloc(nw * 3, sizeof *mu);
    int nested = 1;
    for (size_t w = 0; w < nw; w++) {
        size_t t;
        double p[3], l[6], h[6];
        rnnc_forecaster_window(f, s, 2, w, &t, NULL, NULL);
        if (rnnc_forecaster_predict_intervals(f, s, t, 3, p, l, h) != RNNC_OK)
            nested = 0;
        for (size_t k = 0; k < 3; k++) {
            nested &= l[2 * k + 1] <= l[2 * k] && l[2 * k] <= p[k] && p[k] <= h[2 * k] &&
                      h[2 * k] <= h[2 * k + 1];
            act[w * 3 + k] = sine(t + k), mu[w * 3 + k] = p[k];
            for (int i = 0; i < 2; i++)
                lo[i * nw * 3 + w * 3 + k] = l[2 * k + i],
                                        hi[i * nw * 3 + w * 3 + k] = h[2 * k + i];
        }
    }
    check(nested, "%s: every window's intervals are nested around the point forecast", name);
    double y[300];
    for (size_t t = 0; t < 300; t++)
        y[t] = sine(t);
    size_t ntr, nva, nte;
    rnnc_series_split(300, sp.val_fraction, sp.test_fraction, &ntr, &nva, &nte);
    double scale = NAN;
    int agree = st == RNNC_OK && rnnc_mase_scale(y, ntr, 20, &scale) == RNNC_OK;
    for (int i = 0; i < 2; i++) {
        const double cov = rnnc_interval_coverage(lo + i * nw * 3, hi + i * nw * 3, act, nw * 3);
        const double msis =
            rnnc_interval_score(lo + i * nw * 3, hi + i * nw * 3, act, nw * 3, i ? 0.05 : 0.2) /
            scale;
        agree &= near(im[i].coverage, cov, 1e-12) && near(im[i].msis, msis, 1e-9 * msis) &&
                 im[i].level == lv[i];
    }
    check(agree,
          "%s: evaluate_intervals = coverage and MSIS of the windows' intervals by hand "
          "(80%%: %.3f, MSIS %.3f; 95%%: %.3f, MSIS %.3f)",
          name, im[0].coverage, im[0].msis, im[1].coverage, im[1].msis);
    check(im[1].coverage >= im[0].coverage && im[1].coverage > 0.5,
          "%s: the 95%% interval covers at least what the 80%% one does", name);
    check(loss == RNNC_FLOSS_GAUSSIAN ? crps > 0 && crps < m[RNNC_FM_MODEL].mae : isnan(crps),
          "%s: CRPS %s (%.4f)", name,
          loss == RNNC_FLOSS_GAUSSIAN ? "below the point forecast's MAE" : "NAN for quantiles",
          crps);
    double p1[3], p2[3], l1[6], l2[6], h1[6], h2[6];
    char path[] = "/tmp/rnnc_fci_XXXXXX";
    int fd = mkstemp(path);
    if (fd >= 0)
        close(fd);
    st = rnnc_forecaster_save(f, path);
    if (st == RNNC_OK)
        st = rnnc_forecaster_load(path, &g);
    check(st == RNNC_OK && g && (int)rnnc_forecaster_spec(g)->loss == loss &&
              rnnc_forecaster_spec(g)->n_quantiles == sp.n_quantiles &&
              !memcmp(rnnc_forecaster_spec(g)->quantiles, sp.quantiles, sizeof sp.quantiles),
          "%s: the head and its quantiles come back from the file", name);
    check(g && rnnc_forecaster_predict_intervals(f, s, 250, 3, p1, l1, h1) == RNNC_OK &&
              rnnc_forecaster_predict_intervals(g, s, 250, 3, p2, l2, h2) == RNNC_OK &&
              !memcmp(p1, p2, sizeof p1) && !memcmp(l1, l2, sizeof l1) &&
              !memcmp(h1, h2, sizeof h1),
          "%s: the loaded forecaster gives the same bits, intervals included", name);
    check(rnnc_forecaster_predict_intervals(f, s, 250, 4, p1, l1, h1) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "intervals are given for the model's horizon only"),
          "%s: intervals beyond the horizon are refused: %s", name, rnnc_last_error());
    unlink(path);
    free(lo), free(hi), free(act), free(mu);
    rnnc_forecaster_free(f), rnnc_forecaster_free(g);
    rnnc_series_free(s);
}

/* Quantile and head settings refused through the API, naming what is wrong. */
static void test_interval_errors(void) {
    rnnc_series *s = series_of(120, sine, lin);
    rnnc_config cfg = encoder(RNNC_LAYER_GRU, 4);
    static const struct {
        int n;
        double q[5];
        const char *want;
    } cases[] = {
        {3, {0.1, 0.5, 1.0}, "in (0, 1)"},
        {3, {0.9, 0.5, 0.1}, "increasing order"},
        {4, {0.1, 0.5, 0.5, 0.9}, "must not repeat"},
        {3, {0.1, 0.4, 0.9}, "need 0.5"},
        {3, {0.1, 0.5, 0.8}, "pairs (q, 1 - q)"},
        {1, {0.5}, "at least one pair"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rnnc_forecast_spec sp = rnnc_forecast_spec_init();
        sp.lookback = 5, sp.loss = RNNC_FLOSS_QUANTILE, sp.n_quantiles = cases[i].n;
        memcpy(sp.quantiles, cases[i].q, sizeof cases[i].q);
        rnnc_forecaster *f = NULL;
        check(rnnc_forecaster_create(&cfg, &sp, s, NULL, 1, &f) == RNNC_ERR_ARG && !f &&
                  strstr(rnnc_last_error(), cases[i].want),
              "quantiles case %zu refused: %s", i, rnnc_last_error());
    }
    rnnc_forecast_spec sp = rnnc_forecast_spec_init();
    sp.lookback = 5, sp.loss = RNNC_FLOSS_GAUSSIAN, sp.decoder = RNNC_DECODER_RECURSIVE;
    rnnc_forecaster *f = NULL;
    check(rnnc_forecaster_create(&cfg, &sp, s, NULL, 1, &f) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "direct decoder only"),
          "a gaussian head with the recursive decoder is refused: %s", rnnc_last_error());
    sp = rnnc_forecast_spec_init();
    sp.lookback = 5, sp.n_quantiles = 3, sp.quantiles[0] = 0.1, sp.quantiles[1] = 0.5,
    sp.quantiles[2] = 0.9;
    check(rnnc_forecaster_create(&cfg, &sp, s, NULL, 1, &f) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "the loss is not quantile"),
          "quantiles with loss mse are refused: %s", rnnc_last_error());
    sp.n_quantiles = 0;
    check(rnnc_forecaster_create(&cfg, &sp, s, NULL, 1, &f) == RNNC_OK &&
              rnnc_forecaster_intervals(f, NULL) == 0,
          "a point forecaster has no intervals");
    double p[1], l[1], h[1];
    rnnc_interval_metrics im[1];
    check(f && rnnc_forecaster_predict_intervals(f, s, 100, 1, p, l, h) == RNNC_ERR_ARG &&
              rnnc_forecaster_evaluate_intervals(f, s, im, NULL) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "point forecasts only"),
          "a point forecaster's intervals are refused: %s", rnnc_last_error());
    rnnc_forecaster_free(f);
    rnnc_series_free(s);
}

/* ---- ensembles ---- */

static int file_bytes_equal(const char *a, const char *b) {
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int same = fa && fb;
    while (same) {
        const int ca = fgetc(fa), cb = fgetc(fb);
        same = ca == cb;
        if (ca == EOF || cb == EOF)
            break;
    }
    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    return same;
}

static rnnc_forecaster *trained(const rnnc_series *s, int ensemble, uint64_t seed,
                                uint64_t fit_seed, const char *out_dir) {
    rnnc_forecast_spec sp = rnnc_forecast_spec_init();
    sp.lookback = 10, sp.horizon = 3, sp.season = 20, sp.ensemble = ensemble;
    snprintf(sp.targets, sizeof sp.targets, "y");
    rnnc_config cfg = encoder(RNNC_LAYER_GRU, 6);
    rnnc_forecaster *f = NULL;
    rnnc_fit_spec fs = fit_spec(3);
    fs.seed = fit_seed, fs.out_dir = out_dir;
    if (rnnc_forecaster_create(&cfg, &sp, s, NULL, seed, &f) != RNNC_OK ||
        rnnc_forecaster_fit(f, s, &fs, NULL) != RNNC_OK) {
        printf("     trained(ensemble %d): %s\n", ensemble, rnnc_last_error());
        rnnc_forecaster_free(f);
        return NULL;
    }
    return f;
}

/* ensemble = 1 is the plain model bit for bit; ensemble = 3 forecasts the element-wise median of
 * three forecasters trained alone with seeds 7, 8, 9 (and fit seeds 3, 4, 5), and its file loads
 * back with its members, refusing a member that is not the one saved. */
static void test_ensemble(void) {
    rnnc_series *s = series_of(200, sine, lin);
    char dir[] = "/tmp/rnnc_fce_XXXXXX";
    if (!mkdtemp(dir)) {
        rnnc_series_free(s);
        return;
    }
    char p1[256], p2[256], ens_dir[256], ens[300], m1[300], m2[300];
    snprintf(p1, sizeof p1, "%s/plain.safetensors", dir);
    snprintf(p2, sizeof p2, "%s/k1.safetensors", dir);
    snprintf(ens_dir, sizeof ens_dir, "%s/ens", dir);
    snprintf(ens, sizeof ens, "%s/model.safetensors", ens_dir);
    snprintf(m1, sizeof m1, "%s/model.member1.safetensors", ens_dir);
    snprintf(m2, sizeof m2, "%s/model.member2.safetensors", ens_dir);
    rnnc_forecaster *a = trained(s, 1, 7, 3, NULL);
    rnnc_forecast_spec sp = rnnc_forecast_spec_init();
    check(sp.ensemble == 1, "ensemble is 1 by default");
    rnnc_forecaster *b = trained(s, 1, 7, 3, NULL);
    check(a && b && rnnc_forecaster_save(a, p1) == RNNC_OK &&
              rnnc_forecaster_save(b, p2) == RNNC_OK && file_bytes_equal(p1, p2),
          "ensemble = 1 writes the plain model's file byte for byte");
    rnnc_forecaster *m[3] = {a, trained(s, 1, 8, 4, NULL), trained(s, 1, 9, 5, NULL)};
    rnnc_forecaster *e = trained(s, 3, 7, 3, ens_dir), *g = NULL;
    int ok = e && m[1] && m[2];
    double pe[3], pm[3][3], le[6], he[6];
    for (int k = 0; ok && k < 3; k++)
        ok = rnnc_forecaster_predict(m[k], s, 200, 3, pm[k]) == RNNC_OK;
    ok = ok && rnnc_forecaster_predict(e, s, 200, 3, pe) == RNNC_OK;
    int median_ok = ok, differ = 0;
    for (int h = 0; ok && h < 3; h++) {
        double v[3] = {pm[0][h], pm[1][h], pm[2][h]};
        for (int i = 1; i < 3; i++)
            for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
                const double t = v[j];
                v[j] = v[j - 1], v[j - 1] = t;
            }
        median_ok &= pe[h] == v[1];
        differ |= pm[0][h] != pm[1][h] || pm[1][h] != pm[2][h];
    }
    check(median_ok && differ,
          "ensemble = 3: each step is exactly the median of the three models trained alone "
          "(%.6f of %.6f %.6f %.6f)",
          pe[0], pm[0][0], pm[1][0], pm[2][0]);
    check(ok && rnnc_forecaster_load(ens, &g) == RNNC_OK && rnnc_forecaster_spec(g)->ensemble == 3,
          "the ensemble's file loads with its 3 members");
    double pg[3];
    check(g && rnnc_forecaster_predict(g, s, 200, 3, pg) == RNNC_OK && !memcmp(pg, pe, sizeof pe),
          "the loaded ensemble forecasts the same bits");
    check(rnnc_forecaster_predict_intervals(e, s, 200, 3, pe, le, he) == RNNC_ERR_ARG,
          "a point ensemble has no intervals");
    rnnc_forecaster *h = NULL;
    check(rnnc_forecaster_load(m2, &h) == RNNC_OK && rnnc_forecaster_spec(h)->ensemble == 1,
          "a member's file alone is a plain forecaster");
    rnnc_forecaster_free(h), h = NULL;
    /* a member replaced by another model: refused, naming the file */
    FILE *in = fopen(m2, "rb"), *out = fopen(m1, "wb");
    int c;
    while (in && out && (c = fgetc(in)) != EOF)
        fputc(c, out);
    if (in)
        fclose(in);
    if (out)
        fclose(out);
    check(rnnc_forecaster_load(ens, &h) == RNNC_ERR_FORMAT && !h &&
              strstr(rnnc_last_error(), "model.member1.safetensors: member 1's parameters are not "
                                        "those the ensemble"),
          "a member swapped for another is refused: %s", rnnc_last_error());
    unlink(m1);
    check(rnnc_forecaster_load(ens, &h) != RNNC_OK && !h &&
              strstr(rnnc_last_error(), "model.member1.safetensors"),
          "a missing member is refused, naming its file: %s", rnnc_last_error());
    for (int k = 0; k < 3; k++)
        rnnc_forecaster_free(m[k]);
    rnnc_forecaster_free(b), rnnc_forecaster_free(e), rnnc_forecaster_free(g);
    rnnc_series_free(s);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    check(system(cmd) == 0, "temporary files removed");
}

/* ---- differencing: the transform, its inverse, and the forecaster mapping back ---- */

/* A hand-made series of period 4 with a trend of 1 a season: seasonal differences are all 1. */
static double seas4(size_t t) {
    static const double s4[4] = {3, 7, 1, 5};
    return s4[t % 4] + (double)(t / 4);
}
static double seas4_odd(size_t t) { /* irregular, of mixed magnitudes */
    return seas4(t) * 1.37 + 0.001 * (double)((t * 7919) % 13) - 2.5e-3 * (double)t;
}

static void test_difference(void) {
    /* the transform and its inverse, bit for bit, at lags 1 and 4, over more steps than a lag */
    double y[40], y2[40], d[40], out[9];
    for (size_t t = 0; t < 40; t++)
        y[t] = seas4(t) * 0.375 - 1, y2[t] = seas4_odd(t);
    int exact = 1, near12 = 1;
    for (size_t k = 1; k <= 4; k += 3) {
        check(rnnc_difference_apply(y, 40, k, d) == RNNC_OK && d[0] == 0 && d[k] == y[k] - y[0] &&
                  d[17] == y[17] - y[17 - k],
              "difference at lag %zu: d[t] = y[t] - y[t-%zu], 0 before", k, k);
        for (size_t t = k; t + 9 <= 40; t++)
            exact &= rnnc_difference_invert(y, t, k, d + t, 9, out) == RNNC_OK &&
                     !memcmp(out, y + t, sizeof out);
        rnnc_difference_apply(y2, 40, k, d);
        for (size_t t = k; t + 9 <= 40; t++) {
            near12 &= rnnc_difference_invert(y2, t, k, d + t, 9, out) == RNNC_OK;
            for (size_t h = 0; h < 9; h++)
                near12 &= near(out[h], y2[t + h], 1e-12 * fabs(y2[t + h]));
        }
    }
    check(exact, "undifference(difference(y)) gives y back bit for bit from every origin, 9 steps "
                 "(lags 1 and 4; values whose differences are exact)");
    check(near12, "and to 1e-12 (relative) on an irregular series of mixed magnitudes");
    check(rnnc_difference_invert(y, 3, 4, d, 2, out) == RNNC_ERR_ARG &&
              rnnc_difference_apply(y, 40, 0, d) == RNNC_ERR_ARG,
          "an origin before the lag, and lag 0, refused");

    /* a forecaster with seasonal differencing; a head giving exactly 0 differences forecasts
     * seasonal naive, one giving 1 the actual values (the differences of seas4) */
    rnnc_series *s = series_of(120, seas4, lin);
    rnnc_forecast_spec sp = rnnc_forecast_spec_init();
    sp.lookback = 5, sp.horizon = 6, sp.season = 4, sp.difference = RNNC_DIFFERENCE_SEASON;
    sp.scaling = RNNC_SCALE_NONE;
    snprintf(sp.targets, sizeof sp.targets, "y");
    rnnc_config cfg = encoder(RNNC_LAYER_GRU, 3);
    rnnc_forecaster *f = NULL, *g = NULL;
    rnnc_status st = rnnc_forecaster_create(&cfg, &sp, s, NULL, 1, &f);
    check(st == RNNC_OK && rnnc_forecaster_spec(f)->difference == 4,
          "difference = season: lag 4, the season (%s)", st ? rnnc_last_error() : "");
    if (!f) {
        rnnc_series_free(s);
        return;
    }
    size_t t0, n0;
    float x[5], yw[6];
    check(rnnc_forecaster_windows(f, s, 0, &n0) == RNNC_OK &&
              rnnc_forecaster_window(f, s, 0, 0, &t0, x, yw) == RNNC_OK && t0 == 9 &&
              x[0] == (float)(seas4(4) - seas4(0)) && yw[0] == 1 && yw[5] == 1,
          "windows start at row 4 + lookback 5 = 9; inputs and targets are the differences");
    size_t np = 0;
    float *w = rnnc_model_params(rnnc_forecaster_model(f), &np);
    memset(w, 0, np * sizeof *w);
    double p[12], sn[12];
    double yy[120];
    for (size_t t = 0; t < 120; t++)
        yy[t] = seas4(t);
    int same = 1;
    for (size_t t = 9; t + 6 <= 120; t++) {
        same &= rnnc_forecaster_predict(f, s, t, 6, p) == RNNC_OK &&
                rnnc_baseline_forecast(RNNC_BASELINE_SEASONAL_NAIVE, yy, t, 6, 4, NULL, sn) ==
                    RNNC_OK &&
                !memcmp(p, sn, 6 * sizeof *p);
    }
    check(same, "a head of zero differences forecasts seasonal naive exactly, steps beyond the "
                "lag on its own forecasts");
    float *bias = rnnc_model_param(rnnc_forecaster_model(f), "head.bias", NULL);
    for (int i = 0; bias && i < 6; i++)
        bias[i] = 1;
    same = rnnc_forecaster_predict(f, s, 100, 12, p) == RNNC_OK; /* rolled beyond the horizon */
    for (size_t h = 0; h < 12; h++)
        same &= p[h] == seas4(100 + h);
    rnnc_forecast_metrics m[RNNC_FM_COUNT];
    same &= rnnc_forecaster_evaluate(f, s, m, NULL) == RNNC_OK;
    check(same && m[RNNC_FM_MODEL].mae == 0 && m[RNNC_FM_SEASONAL_NAIVE].mae > 0,
          "a head of the true differences (1) forecasts the series exactly: 12 steps rolled, and "
          "MAE 0 over the test windows (seasonal naive %.3f)",
          m[RNNC_FM_SEASONAL_NAIVE].mae);
    char path[] = "/tmp/rnnc_fcd_XXXXXX";
    int fd = mkstemp(path);
    if (fd >= 0)
        close(fd);
    double q[12];
    st = rnnc_forecaster_save(f, path);
    if (st == RNNC_OK)
        st = rnnc_forecaster_load(path, &g);
    check(st == RNNC_OK && rnnc_forecaster_spec(g)->difference == 4 &&
              rnnc_forecaster_predict(g, s, 37, 12, q) == RNNC_OK &&
              rnnc_forecaster_predict(f, s, 37, 12, p) == RNNC_OK && !memcmp(p, q, sizeof p),
          "the lag is stored in the model file: the loaded forecaster gives the same bits");
    check(rnnc_forecaster_predict(f, s, 8, 6, p) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "and the 4 before those (difference = 4)"),
          "a forecast from row 8 needs 5 + 4 rows before it: %s", rnnc_last_error());
    rnnc_forecaster_free(f), rnnc_forecaster_free(g);
    f = g = NULL;

    /* z-score scaling and log: the differences of scaled values map back through both */
    sp.scaling = RNNC_SCALE_ZSCORE, sp.log = 1;
    st = rnnc_forecaster_create(&cfg, &sp, s, NULL, 1, &f);
    if (f) {
        w = rnnc_model_params(rnnc_forecaster_model(f), &np);
        memset(w, 0, np * sizeof *w);
    }
    same = f && rnnc_forecaster_predict(f, s, 50, 6, p) == RNNC_OK &&
           rnnc_baseline_forecast(RNNC_BASELINE_SEASONAL_NAIVE, yy, 50, 6, 4, NULL, sn) == RNNC_OK;
    for (size_t h = 0; same && h < 6; h++)
        same &= near(p[h], sn[h], 1e-5 * sn[h]);
    check(same, "zscore and log: zero differences of scaled log values give seasonal naive (to "
                "float precision)");
    rnnc_forecaster_free(f);
    f = NULL;

    /* intervals: the bounds move with the point by the same known value */
    sp.scaling = RNNC_SCALE_NONE, sp.log = 0, sp.horizon = 3, sp.loss = RNNC_FLOSS_GAUSSIAN;
    st = rnnc_forecaster_create(&cfg, &sp, s, NULL, 1, &f);
    double lo[6], hi[6];
    if (f) {
        w = rnnc_model_params(rnnc_forecaster_model(f), &np);
        memset(w, 0, np * sizeof *w); /* mean 0, scale softplus(0) = log 2, in differences */
    }
    same = f && rnnc_forecaster_predict_intervals(f, s, 61, 3, p, lo, hi) == RNNC_OK;
    const double z[2] = {1.2815515655446004, 1.959963984540054};
    for (size_t h = 0; same && h < 3; h++)
        for (int i = 0; i < 2; i++)
            same &= p[h] == seas4(57 + h) && near(lo[2 * h + i], p[h] - z[i] * log(2), 1e-6) &&
                    near(hi[2 * h + i], p[h] + z[i] * log(2), 1e-6);
    check(same, "gaussian head: point and both intervals shifted by the value 4 rows before");
    rnnc_interval_metrics im[2];
    check(f && rnnc_forecaster_evaluate_intervals(f, s, im, NULL) == RNNC_OK &&
              im[0].coverage == 0 && im[1].coverage == 1,
          "coverage of the shifted intervals: actual = naive + 1, 80%% half-width %.3f misses, "
          "95%% half-width %.3f covers",
          z[0] * log(2), z[1] * log(2));
    rnnc_forecaster_free(f);
    f = NULL;

    /* refused: an interval head over more steps than the lag; a lag the training part cannot
     * hold (120 rows: training 84); no training window left after the lag */
    sp.horizon = 5;
    check(rnnc_forecaster_create(&cfg, &sp, s, NULL, 1, &f) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "difference = 4 is shorter than the horizon 5"),
          "difference = season shorter than an interval head's horizon: %s", rnnc_last_error());
    sp.loss = RNNC_FLOSS_MSE, sp.difference = 84;
    check(rnnc_forecaster_create(&cfg, &sp, s, NULL, 1, &f) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "difference = 84 is not shorter than the training part "
                                        "(84 rows)"),
          "a lag of the training part's length: %s", rnnc_last_error());
    sp.difference = 75;
    check(rnnc_forecaster_create(&cfg, &sp, s, NULL, 1, &f) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "difference = 75: the training part (84 rows) holds no "
                                        "window"),
          "no training window after the lag: %s", rnnc_last_error());
    sp.difference = -2;
    check(rnnc_forecaster_create(&cfg, &sp, s, NULL, 1, &f) == RNNC_ERR_ARG,
          "difference -2 refused: %s", rnnc_last_error());
    /* without differencing the file has no difference line (files without the key read as
     * none), and with it the lag in use */
    rnnc_tensor_file *tf = NULL;
    const char *meta = NULL;
    int lines = 1;
    for (int k = 0; k <= 4; k += 4) {
        sp.difference = k;
        st = rnnc_forecaster_create(&cfg, &sp, s, NULL, 1, &f);
        if (st == RNNC_OK)
            st = rnnc_forecaster_save(f, path);
        if (st == RNNC_OK)
            st = rnnc_tensor_file_read(path, &tf);
        meta = tf ? rnnc_tensor_file_meta(tf, "rnnc.forecast") : NULL;
        lines &= meta && (k ? strstr(meta, "\ndifference=4\n") != NULL
                            : strstr(meta, "difference") == NULL);
        rnnc_tensor_file_free(tf), tf = NULL;
        rnnc_forecaster_free(f), f = NULL;
        if (st == RNNC_OK)
            st = rnnc_forecaster_load(path, &f);
        lines &= st == RNNC_OK && rnnc_forecaster_spec(f)->difference == k;
        rnnc_forecaster_free(f), f = NULL;
    }
    check(lines, "rnnc.forecast: no difference line without differencing (reads back as none), "
                 "'difference=4' with it");
    unlink(path);
    rnnc_forecaster_free(f);
    rnnc_series_free(s);
}

static double dip(size_t t) { /* 3, but -2 in rows 30..33 */
    return t >= 30 && t < 34 ? -2 : 3;
}

/* window_norm = level: each window over the mean of its last m target values, minus 1; the
 * forecasts and interval bounds times that level (plus it) */
static void test_window_level(void) {
    rnnc_series *s = series_of(120, seas4, lin);
    rnnc_forecast_spec sp = rnnc_forecast_spec_init();
    sp.lookback = 6, sp.horizon = 3, sp.season = 4, sp.window_norm = RNNC_WINDOW_NORM_LEVEL;
    snprintf(sp.targets, sizeof sp.targets, "y");
    rnnc_config cfg = encoder(RNNC_LAYER_GRU, 3);
    rnnc_forecaster *f = NULL, *g = NULL;
    rnnc_status st = rnnc_forecaster_create(&cfg, &sp, s, NULL, 1, &f);
    check(st == RNNC_OK && !rnnc_forecaster_scaler(f)->on[0],
          "window_norm = level: created, the target left unscaled (%s)",
          st ? rnnc_last_error() : "");
    if (!f) {
        rnnc_series_free(s);
        return;
    }
    /* window 0 of the training part: inputs rows 0..5, level = mean of rows 2..5 (the season) */
    size_t t0;
    float x[6], yw[3];
    const double lev0 = (seas4(2) + seas4(3) + seas4(4) + seas4(5)) / 4;
    check(rnnc_forecaster_window(f, s, 0, 0, &t0, x, yw) == RNNC_OK && t0 == 6 &&
              x[0] == (float)seas4(0) && yw[0] == (float)seas4(6),
          "rnnc_forecaster_window shows the rows in original units (level %.2f)", lev0);
    size_t np = 0;
    float *w = rnnc_model_params(rnnc_forecaster_model(f), &np);
    memset(w, 0, np * sizeof *w);
    double p[6];
    int same = 1;
    for (size_t t = 6; t + 3 <= 120; t++) {
        const double lev = (seas4(t - 4) + seas4(t - 3) + seas4(t - 2) + seas4(t - 1)) / 4;
        same &= rnnc_forecaster_predict(f, s, t, 3, p) == RNNC_OK && p[0] == (float)lev &&
                p[2] == (float)lev;
    }
    check(same, "a head of zeros forecasts each window's level (the mean of its last 4 values)");
    float *bias = rnnc_model_param(rnnc_forecaster_model(f), "head.bias", NULL);
    for (int i = 0; bias && i < 3; i++)
        bias[i] = 0.5f;
    /* rows 46..49 are 12 16 15 19: level 15.5; the rolled window's last 4 are row 49 and the
     * three forecasts */
    same = rnnc_forecaster_predict(f, s, 50, 6, p) == RNNC_OK;
    check(same && p[0] == 23.25 && p[2] == 23.25 &&
              near(p[3], 1.5 * (seas4(49) + p[0] + p[1] + p[2]) / 4, 1e-4),
          "the head's 0.5 gives 1.5 times the level (23.25); beyond the horizon each rolled "
          "window has its own level (%.4f %.4f)",
          p[0], p[3]);
    char path[] = "/tmp/rnnc_fcl_XXXXXX";
    int fd = mkstemp(path);
    if (fd >= 0)
        close(fd);
    double q[6];
    st = rnnc_forecaster_save(f, path);
    if (st == RNNC_OK)
        st = rnnc_forecaster_load(path, &g);
    check(st == RNNC_OK && rnnc_forecaster_spec(g)->window_norm == RNNC_WINDOW_NORM_LEVEL &&
              rnnc_forecaster_predict(g, s, 50, 6, q) == RNNC_OK && !memcmp(p, q, sizeof p),
          "window_norm is stored in the model file: the loaded forecaster gives the same bits");
    rnnc_forecaster_free(f), rnnc_forecaster_free(g);
    f = g = NULL;

    /* intervals: a Gaussian head of zeros: level (1 -+ z log 2), so the bounds scale by it */
    sp.loss = RNNC_FLOSS_GAUSSIAN;
    st = rnnc_forecaster_create(&cfg, &sp, s, NULL, 1, &f);
    if (f) {
        w = rnnc_model_params(rnnc_forecaster_model(f), &np);
        memset(w, 0, np * sizeof *w);
    }
    double lo[6], hi[6];
    const double z[2] = {1.2815515655446004, 1.959963984540054};
    const double lev = (seas4(66) + seas4(67) + seas4(68) + seas4(69)) / 4;
    same = f && rnnc_forecaster_predict_intervals(f, s, 70, 3, p, lo, hi) == RNNC_OK;
    for (size_t h = 0; same && h < 3; h++)
        for (int i = 0; i < 2; i++)
            same &= near(p[h], lev, 1e-5) && near(lo[2 * h + i], lev * (1 - z[i] * log(2)), 1e-4) &&
                    near(hi[2 * h + i], lev * (1 + z[i] * log(2)), 1e-4);
    check(same, "gaussian head: the point and both intervals scaled by the level %.3f", lev);
    rnnc_forecaster_free(f);
    f = NULL;

    /* refused: a window whose level is 0 or below; log, relative or difference beside it */
    sp.loss = RNNC_FLOSS_MSE;
    rnnc_series *neg = series_of(120, dip, lin);
    check(rnnc_forecaster_create(&cfg, &sp, neg, NULL, 1, &f) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "the mean of its last 4 values of target 'y', so it must "
                                        "be > 0; the window before row 33 has -0.75 (rows 29-32)"),
          "a window whose level is below 0: %s", rnnc_last_error());
    rnnc_series_free(neg);
    neg = series_of(120, seas4, lin); /* u = t: 0 in row 0, but every level of 4 values > 0 */
    snprintf(sp.targets, sizeof sp.targets, "u");
    check(rnnc_forecaster_create(&cfg, &sp, neg, NULL, 1, &f) == RNNC_OK,
          "a target of 0 in a window whose level is > 0 is taken: %s", rnnc_last_error());
    rnnc_forecaster_free(f);
    f = NULL;
    snprintf(sp.targets, sizeof sp.targets, "y");
    sp.relative = 1;
    check(rnnc_forecaster_create(&cfg, &sp, s, NULL, 1, &f) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "and relative = true anchors the window too"),
          "with relative windows: %s", rnnc_last_error());
    sp.relative = 0, sp.difference = 4;
    check(rnnc_forecaster_create(&cfg, &sp, s, NULL, 1, &f) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "and difference anchors the window too"),
          "with differencing: %s", rnnc_last_error());
    unlink(path);
    rnnc_series_free(neg);
    rnnc_series_free(s);
}

int main(void) {
    rnnc_set_num_threads(1);
    test_baselines();
    test_season();
    test_windows();
    test_scaling_from_train();
    test_create_errors();
    test_checked_before_training();
    test_config();
    test_roundtrip();
    test_learns(RNNC_DECODER_DIRECT);
    test_learns(RNNC_DECODER_RECURSIVE);
    test_interval_metrics();
    test_interval_errors();
    test_intervals(RNNC_FLOSS_GAUSSIAN);
    test_intervals(RNNC_FLOSS_QUANTILE);
    test_ensemble();
    test_difference();
    test_window_level();
    return check_summary();
}
