/* The forecaster's prediction and evaluation (see forecaster.h). */
#include "forecaster.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- prediction ---- */

int rnnc_forecaster_intervals(const rnnc_forecaster *f, double *levels) {
    if (!f)
        return 0;
    const rnnc_forecast_spec *s = &f->spec;
    if (s->loss == RNNC_FLOSS_GAUSSIAN) {
        if (levels)
            levels[0] = 80, levels[1] = 95;
        return 2;
    }
    if (s->loss != RNNC_FLOSS_QUANTILE)
        return 0;
    const int m = s->n_quantiles / 2; /* the median's index */
    for (int i = 0; levels && i < m; i++)
        levels[i] = 100 * (s->quantiles[m + 1 + i] - s->quantiles[m - 1 - i]);
    return m;
}

/* The standard normal quantiles of the Gaussian head's 80% and 95% intervals. */
static const double gauss_z[2] = {1.2815515655446004, 1.959963984540054};

/* Decodes unit u of the head's output row o (units x head_width) in scaled units, each value v
 * mapped to v * scale + base (relative windows: 1 and the last value; window_norm = level: the
 * level twice; else 1 and 0): the point forecast, and (when lo is not NULL) each interval's
 * bounds, and (when sigma is not NULL) the Gaussian scale (times scale). */
static float decode(const rnnc_forecaster *f, const float *o, size_t u, float scale, float base,
                    float *lo, float *hi, float *sigma) {
    const size_t K = rnnc__fc_head_width(f);
    const float *v = o + u * K;
    if (f->spec.loss == RNNC_FLOSS_GAUSSIAN) {
        const double sg = rnnc__fc_softplus(v[1]);
        if (sigma)
            *sigma = (float)sg * scale;
        for (int i = 0; lo && i < 2; i++)
            lo[i] = (float)(v[0] - gauss_z[i] * sg) * scale + base,
            hi[i] = (float)(v[0] + gauss_z[i] * sg) * scale + base;
        return v[0] * scale + base;
    }
    if (f->spec.loss == RNNC_FLOSS_QUANTILE) {
        /* sorted (the rearrangement of Chernozhukov et al. 2010): quantiles trained apart may
         * cross, and sorting keeps the intervals nested and the median inside them */
        float q[RNNC_FORECAST_MAX_QUANTILES];
        memcpy(q, v, K * sizeof *q);
        for (size_t i = 1; i < K; i++)
            for (size_t j = i; j > 0 && q[j - 1] > q[j]; j--) {
                const float t = q[j];
                q[j] = q[j - 1], q[j - 1] = t;
            }
        const size_t m = K / 2;
        for (size_t i = 0; lo && i < m; i++)
            lo[i] = q[m - 1 - i] * scale + base, hi[i] = q[m + 1 + i] * scale + base;
        return q[m] * scale + base;
    }
    return v[0] * scale + base;
}

/* Forecasts `steps` scaled steps after the windows ending before rows t[0..B) of z (T,I):
 * zout (B,steps,NT), and when zlo is not NULL the intervals' bounds zlo, zhi (B,steps,NT,NI) and
 * the Gaussian scale zsig (B,steps,NT; may be NULL). Beyond what one forward gives, point
 * forecasts are fed back as inputs (without intervals). */
static rnnc_status forecast_scaled(rnnc_forecaster *f, const float *z, const size_t *t, int B,
                                   size_t steps, float *zout, float *zlo, float *zhi, float *zsig) {
    const size_t L = (size_t)f->spec.lookback, I = f->I, NT = f->NT, Hs = rnnc__fc_head_steps(f);
    const size_t NI = (size_t)rnnc_forecaster_intervals(f, NULL), K = rnnc__fc_head_width(f);
    const int level = f->spec.window_norm == RNNC_WINDOW_NORM_LEVEL;
    if (steps > Hs && I != NT)
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "%zu steps exceed the horizon %zu, and forecasts cannot be rolled forward "
                         "with covariates (their future is unknown)",
                         steps, Hs);
    if (steps > Hs && zlo)
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "%zu steps exceed the horizon %zu, and intervals are given for the "
                         "model's horizon only",
                         steps, Hs);
    const size_t W = L + steps; /* each window's rows, forecasts appended */
    float *w = malloc((size_t)B * W * I * sizeof *w);
    if (!w)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory forecasting");
    for (int b = 0; b < B; b++)
        memcpy(w + (size_t)b * W * I, z + (t[b] - L) * I, L * I * sizeof(float));
    const float **rows = malloc((size_t)B * sizeof *rows);
    rnnc_status st = rows ? RNNC_OK : RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory forecasting");
    float lo[RNNC_FORECAST_MAX_INTERVALS], hi[RNNC_FORECAST_MAX_INTERVALS], sg = 0;
    for (size_t done = 0; st == RNNC_OK && done < steps;) {
        for (int b = 0; b < B; b++)
            rows[b] = w + ((size_t)b * W + done) * I;
        for (int b = 0; level && st == RNNC_OK && b < B; b++)
            for (size_t j = 0; st == RNNC_OK && j < NT; j++) {
                const double lev = rnnc__fc_window_level(f, rows[b], j);
                if (!(lev > 0)) /* data other than the training CSV */
                    st = RNNC_FAIL(RNNC_ERR_ARG,
                                   "window_norm = level: the forecast from row %zu: the level of "
                                   "target '%s' (the mean of its %zu values before row %zu) is %g; "
                                   "the window is divided by it, so it must be > 0",
                                   t[b], f->names[j], rnnc__fc_level_len(f), t[b] + done, lev);
            }
        if (st != RNNC_OK)
            break;
        st = rnnc__fc_fill_inputs(f, rows, B);
        rnnc_batch batch;
        memset(&batch, 0, sizeof batch);
        batch.T = (int)L, batch.B = B, batch.x = f->bx;
        if (st == RNNC_OK)
            st = rnnc_model_forward(f->model, &batch, 0);
        if (st != RNNC_OK)
            break;
        const float *o = rnnc_model_output(f->model, NULL, NULL); /* (B, Hs*NT*K) */
        const size_t k = steps - done < Hs ? steps - done : Hs;
        for (int b = 0; b < B; b++)
            for (size_t h = 0; h < k; h++)
                for (size_t j = 0; j < NT; j++) {
                    /* the window's rows: [done, done + L) of its rows, forecasts appended */
                    const float *rw = w + ((size_t)b * W + done) * I;
                    const float lev = level ? (float)rnnc__fc_window_level(f, rw, j) : 1;
                    const float base = level ? lev : f->spec.relative ? rw[(L - 1) * I + j] : 0;
                    const size_t at = ((size_t)b * steps + done + h) * NT + j;
                    const float v = decode(f, o + (size_t)b * Hs * NT * K, h * NT + j, lev, base,
                                           zlo ? lo : NULL, hi, &sg);
                    zout[at] = v;
                    for (size_t i = 0; zlo && i < NI; i++)
                        zlo[at * NI + i] = lo[i], zhi[at * NI + i] = hi[i];
                    if (zlo && zsig)
                        zsig[at] = sg;
                    w[((size_t)b * W + L + done + h) * I + j] = v; /* I == NT when rolled */
                }
        done += k;
    }
    free(w), free(rows);
    return st;
}

/* The median of v (n), sorted in place: the middle value, or the mean of the middle two. */
static float median(float *v, int n) {
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
            const float t = v[j];
            v[j] = v[j - 1], v[j - 1] = t;
        }
    return n % 2 ? v[n / 2] : (float)(0.5 * ((double)v[n / 2 - 1] + v[n / 2]));
}

/* forecast_scaled by the forecaster's model, or for an ensemble the element-wise median of its
 * members' forecasts (each bound and scale too). */
static rnnc_status forecast_ens(rnnc_forecaster *f, const float *z, const size_t *t, int B,
                                size_t steps, float *zout, float *zlo, float *zhi, float *zsig) {
    const int K = f->n_members;
    if (K <= 1)
        return forecast_scaled(f, z, t, B, steps, zout, zlo, zhi, zsig);
    const size_t NI = (size_t)rnnc_forecaster_intervals(f, NULL);
    const size_t n1 = (size_t)B * steps * f->NT, nb = zlo ? n1 * NI : 0, ns = zlo && zsig ? n1 : 0;
    const size_t per = n1 + 2 * nb + ns; /* one member's values */
    float *all = NULL, v[32];
    RNNC_TRY(rnnc__calloc((void **)&all, (size_t)K * per, sizeof(float), "ensemble forecasts"));
    rnnc_model *m0 = f->model;
    rnnc_status st = RNNC_OK;
    for (int k = 0; st == RNNC_OK && k < K; k++) {
        float *o = all + (size_t)k * per;
        f->model = f->members[k];
        st = forecast_scaled(f, z, t, B, steps, o, zlo ? o + n1 : NULL, zlo ? o + n1 + nb : NULL,
                             ns ? o + n1 + 2 * nb : NULL);
    }
    f->model = m0;
    float *dst[4] = {zout, zlo, zhi, zsig};
    const size_t off[4] = {0, n1, n1 + nb, n1 + 2 * nb}, cnt[4] = {n1, nb, nb, ns};
    for (int a = 0; st == RNNC_OK && a < 4; a++)
        for (size_t i = 0; i < cnt[a]; i++) {
            for (int k = 0; k < K; k++)
                v[k] = all[(size_t)k * per + off[a] + i];
            dst[a][i] = median(v, K);
        }
    free(all);
    return st;
}

static rnnc_status predict_locked(rnnc_forecaster *f, const rnnc_series *s, size_t end,
                                  size_t steps, double *out, double *lo, double *hi) {
    view v;
    memset(&v, 0, sizeof v);
    float *zo = NULL, *zl = NULL, *zh = NULL;
    double *lev = NULL, *llo = NULL, *lhi = NULL;
    const size_t NI = (size_t)rnnc_forecaster_intervals(f, NULL);
    rnnc_status st = rnnc__fc_make_view(f, s, &v);
    if (st == RNNC_OK)
        st = rnnc__fc_scale_view(f, &v);
    if (st == RNNC_OK && end > v.T)
        st = RNNC_FAIL(RNNC_ERR_ARG, "a forecast from row %zu: the data has %zu rows", end, v.T);
    const size_t first = (size_t)f->spec.lookback + rnnc__fc_first_row(f);
    if (st == RNNC_OK && end < first && !rnnc__fc_first_row(f))
        st = RNNC_FAIL(RNNC_ERR_ARG,
                       "a forecast from row %zu needs the %d rows before it (the lookback); "
                       "start at row %d or later",
                       end, f->spec.lookback, f->spec.lookback);
    if (st == RNNC_OK && end < first)
        st = RNNC_FAIL(RNNC_ERR_ARG,
                       "a forecast from row %zu needs the %d rows before it (the lookback) and "
                       "the %zu before those (difference = %zu); start at row %zu or later",
                       end, f->spec.lookback, rnnc__fc_first_row(f), rnnc__fc_first_row(f), first);
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&zo, steps * f->NT, sizeof(float), "forecast");
    if (st == RNNC_OK && lo)
        st = rnnc__calloc((void **)&zl, steps * f->NT * NI, sizeof(float), "intervals");
    if (st == RNNC_OK && lo)
        st = rnnc__calloc((void **)&zh, steps * f->NT * NI, sizeof(float), "intervals");
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&lev, steps * f->NT * (1 + 2 * NI), sizeof(double), "levels");
    if (st == RNNC_OK)
        st = forecast_ens(f, v.z, &end, 1, steps, zo, zl, zh, NULL);
    if (st == RNNC_OK) {
        llo = lev + steps * f->NT, lhi = llo + steps * f->NT * NI;
        rnnc__fc_to_levels(f, &v, end, steps, zo, zl, zh, NI, lev, zl ? llo : NULL, lhi);
    }
    for (size_t i = 0; st == RNNC_OK && i < steps * f->NT; i++) {
        out[i] = rnnc_scaler_invert(&f->sc, i % f->NT, lev[i]);
        for (size_t k = 0; lo && k < NI; k++) /* the inverse scaling is increasing */
            lo[i * NI + k] = rnnc_scaler_invert(&f->sc, i % f->NT, llo[i * NI + k]),
                        hi[i * NI + k] = rnnc_scaler_invert(&f->sc, i % f->NT, lhi[i * NI + k]);
    }
    free(zo), free(zl), free(zh), free(lev), free(v.raw), free(v.z);
    return st;
}

rnnc_status rnnc_forecaster_predict(rnnc_forecaster *f, const rnnc_series *s, size_t end,
                                    size_t steps, double *out) {
    if (!f || !s || !out || steps == 0)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_forecaster_predict: bad argument");
    pthread_mutex_lock(&f->lock);
    const rnnc_status st = predict_locked(f, s, end, steps, out, NULL, NULL);
    pthread_mutex_unlock(&f->lock);
    return st;
}

rnnc_status rnnc_forecaster_predict_intervals(rnnc_forecaster *f, const rnnc_series *s, size_t end,
                                              size_t steps, double *out, double *lo, double *hi) {
    if (!f || !s || !out || !lo || !hi || steps == 0)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_forecaster_predict_intervals: bad argument");
    if (rnnc_forecaster_intervals(f, NULL) == 0)
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "the forecaster gives point forecasts only (loss = %s); "
                         "intervals come from loss = gaussian or quantile",
                         rnnc__fc_loss_names[f->spec.loss]);
    pthread_mutex_lock(&f->lock);
    const rnnc_status st = predict_locked(f, s, end, steps, out, lo, hi);
    pthread_mutex_unlock(&f->lock);
    return st;
}

/* ---- evaluation ---- */

/* The scaled view of s and the origins of its test windows (*o, *n; at least one): what the
 * evaluations forecast from. The caller frees v and *o whatever the status. */
static rnnc_status test_windows(rnnc_forecaster *f, const rnnc_series *s, view *v, size_t **o,
                                size_t *n) {
    RNNC_TRY(rnnc__fc_make_view(f, s, v));
    RNNC_TRY(rnnc__fc_scale_view(f, v));
    RNNC_TRY(rnnc__fc_origins_of(f, v, 2, o, n));
    if (*n == 0)
        return RNNC_FAIL(RNNC_ERR_ARG, "the test part (%zu rows) holds no window of horizon %d",
                         v->n_te, f->spec.horizon);
    return RNNC_OK;
}

static rnnc_status evaluate_locked(rnnc_forecaster *f, const rnnc_series *s,
                                   rnnc_forecast_metrics *m, double *scale) {
    const size_t H = (size_t)f->spec.horizon, NT = f->NT, I = f->I;
    view v;
    memset(&v, 0, sizeof v);
    size_t *o = NULL, n = 0;
    double *pred = NULL, *act = NULL, *y = NULL, *coef = NULL, *lev = NULL;
    float *zo = NULL;
    rnnc_status st = test_windows(f, s, &v, &o, &n);
    const size_t N = n * H; /* forecasts per target and method */
    const size_t p = rnnc__fc_ar_order_of(f, v.n_tr), w = rnnc__fc_ma_window_of(f),
                 season = rnnc__fc_season_of(f, v.n_tr);
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&pred, (size_t)RNNC_FM_COUNT * N * NT, sizeof(double),
                          "forecasts");
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&act, N * NT, sizeof(double), "actual values");
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&y, v.T, sizeof(double), "a target column");
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&coef, p + 1, sizeof(double), "AR coefficients");
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&zo, 256 * H * NT, sizeof(float), "forecasts");
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&lev, H * NT, sizeof(double), "levels");
    /* the model, in batches of 256 windows */
    for (size_t b0 = 0; st == RNNC_OK && b0 < n; b0 += 256) {
        const int B = (int)(n - b0 < 256 ? n - b0 : 256);
        st = forecast_ens(f, v.z, o + b0, B, H, zo, NULL, NULL, NULL);
        for (int b = 0; st == RNNC_OK && b < B; b++) {
            rnnc__fc_to_levels(f, &v, o[b0 + (size_t)b], H, zo + (size_t)b * H * NT, NULL, NULL, 0,
                               lev, NULL, NULL);
            for (size_t h = 0; h < H; h++)
                for (size_t j = 0; j < NT; j++)
                    pred[(j * RNNC_FM_COUNT + RNNC_FM_MODEL) * N + (b0 + (size_t)b) * H + h] =
                        rnnc_scaler_invert(&f->sc, j, lev[h * NT + j]);
        }
    }
    for (size_t j = 0; st == RNNC_OK && j < NT; j++) {
        for (size_t t = 0; t < v.T; t++)
            y[t] = v.raw[t * I + j];
        st = rnnc_ar_fit(y, v.n_tr, p, coef); /* the training part only */
        if (st != RNNC_OK) {
            st = rnnc__fail_prefix(st, f->names[j]);
            break;
        }
        static const int kinds[] = {0, RNNC_BASELINE_NAIVE, RNNC_BASELINE_SEASONAL_NAIVE,
                                    RNNC_BASELINE_MEAN, RNNC_BASELINE_AR};
        const size_t param[] = {0, 0, season, w, p};
        for (size_t i = 0; st == RNNC_OK && i < n; i++) {
            for (size_t h = 0; h < H; h++)
                act[j * N + i * H + h] = y[o[i] + h];
            for (int k = RNNC_FM_NAIVE; st == RNNC_OK && k < RNNC_FM_COUNT; k++)
                st = rnnc_baseline_forecast(kinds[k], y, o[i], H, param[k], coef,
                                            pred + (j * RNNC_FM_COUNT + (size_t)k) * N + i * H);
        }
        double sc; /* MASE is NaN where the training part holds no pair a season apart */
        if (rnnc_mase_scale(y, v.n_tr, season, &sc) != RNNC_OK)
            sc = NAN;
        if (scale)
            scale[j] = sc;
        for (int k = 0; st == RNNC_OK && k < RNNC_FM_COUNT; k++)
            m[(size_t)k * NT + j] =
                rnnc_forecast_score(pred + (j * RNNC_FM_COUNT + (size_t)k) * N, act + j * N, N, sc);
    }
    free(o), free(pred), free(act), free(y), free(coef), free(zo), free(lev), free(v.raw),
        free(v.z);
    return st;
}

rnnc_status rnnc_forecaster_evaluate(rnnc_forecaster *f, const rnnc_series *s,
                                     rnnc_forecast_metrics *m, double *scale) {
    if (!f || !s || !m)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_forecaster_evaluate: NULL argument");
    pthread_mutex_lock(&f->lock);
    const rnnc_status st = evaluate_locked(f, s, m, scale);
    pthread_mutex_unlock(&f->lock);
    return st;
}

/* The intervals over every test window (as evaluate_locked's model forecasts). */
static rnnc_status intervals_locked(rnnc_forecaster *f, const rnnc_series *s,
                                    rnnc_interval_metrics *im, double *crps) {
    const size_t H = (size_t)f->spec.horizon, NT = f->NT, I = f->I;
    double levels[RNNC_FORECAST_MAX_INTERVALS];
    const size_t NI = (size_t)rnnc_forecaster_intervals(f, levels);
    view v;
    memset(&v, 0, sizeof v);
    size_t *o = NULL, n = 0;
    double *lo = NULL, *hi = NULL, *act = NULL, *y = NULL, *cr = NULL, *lev = NULL;
    float *zo = NULL, *zl = NULL, *zh = NULL, *zs = NULL;
    rnnc_status st = test_windows(f, s, &v, &o, &n);
    const size_t N = n * H, season = rnnc__fc_season_of(f, v.n_tr);
    /* CRPS in original units: the scaling is affine without log, so sigma scales by it */
    const int gaussian = f->spec.loss == RNNC_FLOSS_GAUSSIAN && !f->spec.log;
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&lo, NI * NT * N, sizeof(double), "intervals");
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&hi, NI * NT * N, sizeof(double), "intervals");
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&act, NT * N, sizeof(double), "actual values");
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&cr, NT + 1, sizeof(double), "CRPS");
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&y, v.T, sizeof(double), "a target column");
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&zo, 256 * H * NT, sizeof(float), "forecasts");
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&zl, 256 * H * NT * NI, sizeof(float), "intervals");
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&zh, 256 * H * NT * NI, sizeof(float), "intervals");
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&zs, 256 * H * NT, sizeof(float), "scales");
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&lev, H * NT * (1 + 2 * NI), sizeof(double), "levels");
    double *llo = lev ? lev + H * NT : NULL, *lhi = lev ? llo + H * NT * NI : NULL;
    for (size_t b0 = 0; st == RNNC_OK && b0 < n; b0 += 256) {
        const int B = (int)(n - b0 < 256 ? n - b0 : 256);
        st = forecast_ens(f, v.z, o + b0, B, H, zo, zl, zh, zs);
        for (int b = 0; st == RNNC_OK && b < B; b++) {
            const size_t w0 = (size_t)b * H * NT;
            rnnc__fc_to_levels(f, &v, o[b0 + (size_t)b], H, zo + w0, zl + w0 * NI, zh + w0 * NI, NI,
                               lev, llo, lhi);
            for (size_t h = 0; h < H; h++)
                for (size_t j = 0; j < NT; j++) {
                    const size_t at = h * NT + j, i = (b0 + (size_t)b) * H + h;
                    const double a = v.raw[(o[b0 + (size_t)b] + h) * I + j];
                    act[j * N + i] = a;
                    for (size_t k = 0; k < NI; k++) {
                        lo[(k * NT + j) * N + i] = rnnc_scaler_invert(&f->sc, j, llo[at * NI + k]);
                        hi[(k * NT + j) * N + i] = rnnc_scaler_invert(&f->sc, j, lhi[at * NI + k]);
                    }
                    if (gaussian) {
                        const double mu = rnnc_scaler_invert(&f->sc, j, lev[at]);
                        const double sd = zs[w0 + at] * (f->sc.on[j] ? f->sc.scale[j] : 1);
                        cr[j] += rnnc_crps_gaussian(mu, sd, a);
                    }
                }
        }
    }
    for (size_t j = 0; st == RNNC_OK && j < NT; j++) {
        for (size_t t = 0; t < v.T; t++)
            y[t] = v.raw[t * I + j];
        double sc; /* MSIS is NaN where the training part holds no pair a season apart */
        if (rnnc_mase_scale(y, v.n_tr, season, &sc) != RNNC_OK)
            sc = NAN;
        for (size_t k = 0; k < NI; k++) {
            rnnc_interval_metrics *m = &im[k * NT + j];
            const double *l = lo + (k * NT + j) * N, *u = hi + (k * NT + j) * N;
            m->level = levels[k];
            m->coverage = rnnc_interval_coverage(l, u, act + j * N, N);
            m->msis = rnnc_interval_score(l, u, act + j * N, N, 1 - levels[k] / 100) / sc;
        }
        if (crps)
            crps[j] = gaussian ? cr[j] / (double)N : NAN;
    }
    free(o), free(lo), free(hi), free(act), free(y), free(cr);
    free(zo), free(zl), free(zh), free(zs), free(lev), free(v.raw), free(v.z);
    return st;
}

rnnc_status rnnc_forecaster_evaluate_intervals(rnnc_forecaster *f, const rnnc_series *s,
                                               rnnc_interval_metrics *im, double *crps) {
    if (!f || !s || !im)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_forecaster_evaluate_intervals: NULL argument");
    if (rnnc_forecaster_intervals(f, NULL) == 0)
        return RNNC_FAIL(RNNC_ERR_ARG, "the forecaster gives point forecasts only (loss = %s)",
                         rnnc__fc_loss_names[f->spec.loss]);
    pthread_mutex_lock(&f->lock);
    const rnnc_status st = intervals_locked(f, s, im, crps);
    pthread_mutex_unlock(&f->lock);
    return st;
}
