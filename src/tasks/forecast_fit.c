/* The forecaster's windows and training (see forecaster.h). */
#include "forecaster.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- windows ---- */

/* The first input row of the window whose first target row is t: inputs are rows [t-L, t). */
static const float *window_inputs(const rnnc_forecaster *f, const float *z, size_t t) {
    return z + (t - (size_t)f->spec.lookback) * f->I;
}

/* Targets (Hw,NT) of the window whose first target row is t: rows [t, t+Hw) of the target
 * columns of z (T,I); as_trained: relative to row t-1 with relative windows, over the window's
 * level minus 1 with window_norm = level. */
static void window_targets(const rnnc_forecaster *f, const float *z, size_t t, size_t Hw,
                           int as_trained, float *y) {
    const size_t I = f->I, NT = f->NT;
    const int relative = as_trained && f->spec.relative;
    const int level = as_trained && f->spec.window_norm == RNNC_WINDOW_NORM_LEVEL;
    for (size_t j = 0; j < NT; j++) {
        const double lev = level ? rnnc__fc_window_level(f, window_inputs(f, z, t), j) : 1;
        for (size_t h = 0; h < Hw; h++)
            y[h * NT + j] = level ? (float)(z[(t + h) * I + j] / lev - 1)
                                  : z[(t + h) * I + j] - (relative ? z[(t - 1) * I + j] : 0);
    }
}

/* The first target rows of part `part`'s windows: origins (may be NULL) gets them, *n the count. */
static size_t part_origins(const rnnc_forecaster *f, const view *v, int part, size_t *origins) {
    const size_t L = (size_t)f->spec.lookback;
    const size_t Hw = part == 2 ? (size_t)f->spec.horizon : rnnc__fc_head_steps(f);
    const size_t lo = part == 0 ? 0 : part == 1 ? v->n_tr : v->n_tr + v->n_va;
    const size_t hi = part == 0 ? v->n_tr : part == 1 ? v->n_tr + v->n_va : v->T;
    const size_t step = part == 0 ? (size_t)f->spec.stride : 1;
    size_t n = 0;
    const size_t first = L + rnnc__fc_first_row(f); /* inputs rows [t-L, t) from row k on */
    for (size_t t = lo > first ? lo : first; t + Hw <= hi; t += step) {
        if (origins)
            origins[n] = t;
        n++;
    }
    return n;
}

rnnc_status rnnc__fc_origins_of(rnnc_forecaster *f, const view *v, int part, size_t **out,
                                size_t *n) {
    *n = part_origins(f, v, part, NULL);
    free(*out);
    *out = NULL;
    if (*n == 0)
        return RNNC_OK;
    RNNC_TRY(rnnc__calloc((void **)out, *n, sizeof **out, "window list"));
    part_origins(f, v, part, *out);
    return RNNC_OK;
}

/* What rnnc_forecaster_evaluate needs of the series the forecaster is made from: a test window,
 * and baselines that fit in the training part (an AR fit that succeeds on every target). */
rnnc_status rnnc__fc_check_baselines(const rnnc_forecaster *f, const view *v, const char *data) {
    const rnnc_forecast_spec *sp = &f->spec;
    const size_t n = v->n_tr, H = (size_t)sp->horizon, k = rnnc__fc_first_row(f);
    if (k >= n)
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "%s: [forecast] difference = %zu is not shorter than the training part "
                         "(%zu rows): the differences need pairs of rows %zu apart in it; at most "
                         "%zu",
                         data, k, n, k, n - 1);
    if (k && part_origins(f, v, 0, NULL) == 0)
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "%s: [forecast] difference = %zu: the training part (%zu rows) holds no "
                         "window, whose inputs start %zu rows in (the first difference) and need "
                         "lookback %d + horizon %zu rows more",
                         data, k, n, k, sp->lookback, rnnc__fc_head_steps(f));
    if (part_origins(f, v, 2, NULL) == 0)
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "%s: the test part (%zu rows) holds no window of horizon %zu, so the "
                         "model could not be evaluated; raise [forecast] test_split",
                         data, v->n_te, H);
    if (sp->season > 0 && (size_t)sp->season >= n)
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "%s: [forecast] season = %d is not shorter than the training part (%zu "
                         "rows): the seasonal naive forecast and the MASE scale need more than "
                         "one season; at most %zu",
                         data, sp->season, n, n - 1);
    if (rnnc__fc_ma_window_of(f) > n)
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "%s: [forecast] ma_window = %d is longer than the training part (%zu "
                         "rows); at most %zu",
                         data, sp->ma_window, n, n);
    const size_t p = rnnc__fc_ar_order_of(f, n), p_max = n >= 2 ? (n - 2) / 2 : 0;
    if (sp->ar_order && p > p_max)
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "%s: [forecast] ar_order = %d: an AR fit on the training part (%zu rows) "
                         "needs more equations than coefficients; at most %zu",
                         data, sp->ar_order, n, p_max);
    if (p < 1)
        return RNNC_FAIL(
            RNNC_ERR_ARG,
            "%s: the training part has %zu rows; the AR baseline (order: the lookback, "
            "at most (rows - 2)/3) needs at least 5",
            data, n);
    double *y = NULL, *coef = NULL;
    rnnc_status st = rnnc__calloc((void **)&y, n, sizeof(double), "a target column");
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&coef, p + 1, sizeof(double), "AR coefficients");
    for (size_t j = 0; st == RNNC_OK && j < f->NT; j++) {
        for (size_t t = 0; t < n; t++)
            y[t] = v->raw[t * f->I + j];
        if (rnnc_ar_fit(y, n, p, coef) != RNNC_OK) {
            char where[600];
            snprintf(where, sizeof where,
                     "%s: column '%s': the AR(%zu) baseline cannot be fitted on the training part",
                     data, f->names[j], p);
            st = rnnc__fail_prefix(RNNC_ERR_ARG, where);
        }
    }
    free(y), free(coef);
    return st;
}

/* Every value of the series scales to a number the model takes (as rnnc_scaler_apply needs). */
rnnc_status rnnc__fc_check_scaled(const rnnc_forecaster *f, const view *v, const char *data) {
    const rnnc_scaler *sc = &f->sc;
    for (size_t t = 0; t < v->T; t++)
        for (size_t i = 0; i < f->I; i++) {
            const double x = v->raw[t * f->I + i];
            double z = sc->log[i] ? log1p(x) : x;
            z = sc->on[i] ? (z - sc->shift[i]) / sc->scale[i] : z;
            if (!isfinite(z) || fabs(z) > 1e30)
                return RNNC_FAIL(RNNC_ERR_ARG,
                                 "%s: column '%s', row %zu: %g scales to %g, beyond the +-1e30 the "
                                 "model takes (the training part's statistics: shift %g, scale "
                                 "%g); rescale the column",
                                 data, f->names[i], t, x, z, sc->shift[i], sc->scale[i]);
        }
    return RNNC_OK;
}

rnnc_status rnnc_forecaster_windows(rnnc_forecaster *f, const rnnc_series *s, int part,
                                    size_t *count) {
    if (!f || !s || !count || part < 0 || part > 2)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_forecaster_windows: bad argument");
    view v;
    memset(&v, 0, sizeof v);
    rnnc_status st = rnnc__fc_make_view(f, s, &v);
    if (st == RNNC_OK)
        *count = part_origins(f, &v, part, NULL);
    free(v.raw), free(v.z);
    return st;
}

rnnc_status rnnc_forecaster_window(rnnc_forecaster *f, const rnnc_series *s, int part, size_t w,
                                   size_t *t, float *x, float *y) {
    if (!f || !s || part < 0 || part > 2)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_forecaster_window: bad argument");
    view v;
    memset(&v, 0, sizeof v);
    size_t *o = NULL, n = 0;
    rnnc_status st = rnnc__fc_make_view(f, s, &v);
    if (st == RNNC_OK)
        st = rnnc__fc_scale_view(f, &v);
    if (st == RNNC_OK)
        st = rnnc__fc_origins_of(f, &v, part, &o, &n);
    if (st == RNNC_OK && w >= n)
        st = RNNC_FAIL(RNNC_ERR_ARG, "window %zu of part %d: there are %zu", w, part, n);
    if (st == RNNC_OK) {
        const size_t L = (size_t)f->spec.lookback, I = f->I;
        const size_t Hw = part == 2 ? (size_t)f->spec.horizon : rnnc__fc_head_steps(f), t0 = o[w];
        if (t)
            *t = t0;
        if (x)
            memcpy(x, window_inputs(f, v.z, t0), L * I * sizeof(float));
        if (y)
            window_targets(f, v.z, t0, Hw, 0, y);
    }
    free(o), free(v.raw), free(v.z);
    return st;
}

/* ---- training ---- */

static rnnc_status grow(float **p, size_t *cap, size_t need) {
    if (need <= *cap)
        return RNNC_OK;
    float *q = realloc(*p, need * sizeof(float));
    if (!q)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory for a batch");
    *p = q, *cap = need;
    return RNNC_OK;
}

/* Time-major inputs (L,B,I) of windows: window b is rows [0, L) of rows + stride_b * b (each row
 * I values). With relative, the targets' columns are taken relative to the window's last row. */
rnnc_status rnnc__fc_fill_inputs(rnnc_forecaster *f, const float *const *rows, int B) {
    const size_t L = (size_t)f->spec.lookback, I = f->I, NT = f->NT;
    const int level = f->spec.window_norm == RNNC_WINDOW_NORM_LEVEL;
    double lev[RNNC_SERIES_MAX_FEATURES];
    RNNC_TRY(grow(&f->bx, &f->bx_cap, L * (size_t)B * I));
    for (int b = 0; b < B; b++) {
        const float *w = rows[b];
        for (size_t j = 0; level && j < NT; j++)
            if (!((lev[j] = rnnc__fc_window_level(f, w, j)) > 0))
                return RNNC_FAIL(RNNC_ERR_ARG,
                                 "window_norm = level: a window's level (the mean of its last %zu "
                                 "values of target '%s') is %g; the windows are divided by it, "
                                 "so it must be > 0",
                                 rnnc__fc_level_len(f), f->names[j], lev[j]);
        for (size_t l = 0; l < L; l++) {
            float *x = f->bx + (l * (size_t)B + (size_t)b) * I;
            memcpy(x, w + l * I, I * sizeof(float));
            for (size_t j = 0; f->spec.relative && j < NT; j++)
                x[j] -= w[(L - 1) * I + j];
            for (size_t j = 0; level && j < NT; j++)
                x[j] = (float)(x[j] / lev[j] - 1);
        }
    }
    return RNNC_OK;
}

/* Augments a training batch in place: window b's inputs (gathered from the time-major f->bx) and
 * its targets (row b of f->by, filled here) go through rnnc_series_augment with the model's
 * generator, so a seed repeats and a checkpoint resumes exactly. task_loss then uses those
 * targets. */
static rnnc_status augment_batch(rnnc_forecaster *f, const size_t *idx, int B) {
    const size_t L = (size_t)f->spec.lookback, I = f->I, nb = (size_t)B;
    const size_t U = rnnc__fc_head_steps(f) * f->NT;
    RNNC_TRY(grow(&f->by, &f->by_cap, nb * U));
    RNNC_TRY(grow(&f->wx, &f->wx_cap, L * I));
    RNNC_TRY(grow(&f->ww, &f->ww_cap, L * I));
    rnnc_rng *rng = rnnc_model_rng(f->model);
    for (size_t b = 0; b < nb; b++) {
        float *y = f->by + b * U;
        window_targets(f, f->v.z, f->orig[0][idx[b]], rnnc__fc_head_steps(f), 1, y);
        for (size_t l = 0; l < L; l++)
            memcpy(f->wx + l * I, f->bx + (l * nb + b) * I, I * sizeof(float));
        RNNC_TRY(rnnc_series_augment(&f->spec.augment, rng, L, I, f->NT, f->wx, y, U, f->ww));
        for (size_t l = 0; l < L; l++)
            memcpy(f->bx + (l * nb + b) * I, f->wx + l * I, I * sizeof(float));
    }
    return RNNC_OK;
}

static rnnc_status task_batch(void *self, int set, const size_t *idx, int B, rnnc_batch *out) {
    rnnc_forecaster *f = self;
    const float *r[256] = {NULL};
    const size_t *o = f->orig[set];
    const float **rr = B <= 256 ? r : malloc((size_t)B * sizeof *rr);
    if (!rr)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
    for (int b = 0; b < B; b++)
        rr[b] = window_inputs(f, f->v.z, o[idx[b]]);
    rnnc_status st = rnnc__fc_fill_inputs(f, rr, B);
    if (rr != r)
        free(rr);
    if (st == RNNC_OK && set == 0 && rnnc__fc_augmenting(&f->spec)) /* training windows only */
        st = augment_batch(f, idx, B);
    memset(out, 0, sizeof *out);
    out->T = f->spec.lookback, out->B = B, out->x = f->bx;
    return st;
}

double rnnc__fc_softplus(double r) {
    return r > 30 ? r : log1p(exp(r));
}

/* The Gaussian head's loss: pred (n,2) holds each unit's mean and raw scale r, sigma =
 * rnnc__fc_softplus(r), variance sigma^2; the gradient of r is d loss/d var * 2 sigma * sigmoid(r). */
static rnnc_status gaussian_loss(rnnc_forecaster *f, const float *pred, const float *y, size_t n,
                                 float *grad, double *loss) {
    RNNC_TRY(grow(&f->gm, &f->gm_cap, 4 * n));
    float *mean = f->gm, *var = f->gm + n, *gmean = f->gm + 2 * n, *gvar = f->gm + 3 * n;
    for (size_t i = 0; i < n; i++) {
        const double sg = rnnc__fc_softplus(pred[2 * i + 1]);
        mean[i] = pred[2 * i], var[i] = (float)(sg * sg);
    }
    RNNC_TRY(rnnc_loss_gaussian_nll(mean, var, y, n, 0, 1e-6, loss, grad ? gmean : NULL,
                                    grad ? gvar : NULL));
    for (size_t i = 0; grad && i < n; i++) {
        const double r = pred[2 * i + 1], sg = rnnc__fc_softplus(r);
        const double sig = r >= 0 ? 1 / (1 + exp(-r)) : exp(r) / (1 + exp(r));
        grad[2 * i] = gmean[i], grad[2 * i + 1] = (float)(gvar[i] * 2 * sg * sig);
    }
    return RNNC_OK;
}

/* The loss of the head's outputs pred (n units, head_width values each) against targets y (n). */
static rnnc_status loss_of(rnnc_forecaster *f, const float *pred, const float *y, size_t n,
                           float *grad, double *loss) {
    switch (f->spec.loss) {
    case RNNC_FLOSS_GAUSSIAN: return gaussian_loss(f, pred, y, n, grad, loss);
    case RNNC_FLOSS_QUANTILE:
        return rnnc_loss_pinball(pred, y, n, f->spec.quantiles, (size_t)f->spec.n_quantiles, loss,
                                 grad);
    case RNNC_FLOSS_MAE: *loss = rnnc_loss_mae(pred, y, n, grad); return RNNC_OK;
    case RNNC_FLOSS_HUBER: return rnnc_loss_huber(pred, y, n, f->spec.huber_delta, loss, grad);
    default: *loss = rnnc_loss_mse(pred, y, n, grad); return RNNC_OK;
    }
}

static rnnc_status task_loss(void *self, int set, const size_t *idx, int B, const float *out,
                             float *dout, double *loss, rnnc_metrics *met) {
    (void)met; /* a forecaster has no class metrics; its metrics come from evaluate */
    rnnc_forecaster *f = self;
    const size_t Hs = rnnc__fc_head_steps(f), U = Hs * f->NT;
    RNNC_TRY(grow(&f->by, &f->by_cap, (size_t)B * U));
    /* the same rows rnnc_forecaster_window shows; augmented training targets are already there */
    for (int b = 0; b < B && !(set == 0 && rnnc__fc_augmenting(&f->spec)); b++)
        window_targets(f, f->v.z, f->orig[set][idx[b]], Hs, 1, f->by + (size_t)b * U);
    RNNC_TRY(loss_of(f, out, f->by, (size_t)B * U, dout, loss));
    return RNNC_OK;
}

static rnnc_status task_save(void *self, const char *path, const char *key, const char *value) {
    return rnnc__fc_save_with(self, path, key, value);
}

static void drop_fit(rnnc_forecaster *f) {
    free(f->v.raw), free(f->v.z);
    memset(&f->v, 0, sizeof f->v);
    for (int i = 0; i < 2; i++) {
        free(f->orig[i]);
        f->orig[i] = NULL, f->n_orig[i] = 0;
    }
}

/* What shaped the forecaster, for the training loop's resume check: its inputs, the window and
 * split options, an interval head (what its outputs mean), the scaler fitted on the training
 * part, how the CSV was read, and the series. A point loss, the baselines' options and
 * augmentation change none of them. */
static rnnc_status make_setup(const rnnc_forecaster *f, char **out) {
    const rnnc_forecast_spec *s = &f->spec;
    rnnc__setup b = {0};
    uint64_t h = RNNC__HASH_INIT;
    size_t chars = 0;
    for (size_t i = 0; i < f->I; i++) {
        h = rnnc__hash(h, f->names[i], strlen(f->names[i]) + 1);
        chars += strlen(f->names[i]) + 1;
    }
    if (chars <= 96) {
        char names[104] = "";
        for (size_t i = 0; i < f->I; i++)
            strcat(strcat(names, i ? "," : ""), f->names[i]);
        rnnc__setup_add(&b, "inputs", "%s", names);
    } else {
        rnnc__setup_hash(&b, "inputs", f->I, "columns", h);
    }
    rnnc__setup_add(&b, "targets", "%zu", f->NT);
    rnnc__setup_add(&b, "lookback", "%d", s->lookback);
    rnnc__setup_add(&b, "horizon", "%d", s->horizon);
    rnnc__setup_add(&b, "stride", "%d", s->stride);
    rnnc__setup_add(&b, "decoder", "%s",
                    s->decoder == RNNC_DECODER_DIRECT ? "direct" : "recursive");
    if (s->loss >= RNNC_FLOSS_GAUSSIAN) { /* an interval head's outputs (point heads: none) */
        char q[400] = "";
        for (int k = 0; k < s->n_quantiles; k++)
            snprintf(q + strlen(q), sizeof q - strlen(q), "%s%.17g", k ? "," : "", s->quantiles[k]);
        rnnc__setup_add(&b, "head", "%s%s%s", rnnc__fc_loss_names[s->loss], q[0] ? " " : "", q);
    }
    rnnc__setup_add(&b, "scaling", "%s", rnnc__fc_scaling_names[s->scaling]);
    rnnc__setup_add(&b, "log", "%d", s->log);
    rnnc__setup_add(&b, "relative", "%d", s->relative);
    if (s->difference) /* written only when set: the setup of a run without it is unchanged */
        rnnc__setup_add(&b, "difference", "%d", s->difference);
    if (s->window_norm)
        rnnc__setup_add(&b, "window_norm", "%s", "level");
    rnnc__setup_add(&b, "val_fraction", "%.17g", s->val_fraction);
    rnnc__setup_add(&b, "test_fraction", "%.17g", s->test_fraction);
    char *sc = rnnc__fc_scaler_to_meta(f);
    if (!sc)
        b.failed = 1;
    else
        rnnc__setup_hash(&b, "scaler", f->I, "inputs", rnnc__hash(RNNC__HASH_INIT, sc, strlen(sc)));
    free(sc);
    rnnc__setup_add(&b, "time", "%s", f->time);
    rnnc__setup_add(&b, "columns", "%s", f->columns);
    rnnc__setup_add(&b, "categorical", "%s", f->categorical);
    rnnc__setup_add(&b, "missing", "%s", rnnc__fc_missing_names[f->missing]);
    rnnc__setup_hash(&b, "data", f->v.T, "rows",
                     rnnc__hash(RNNC__HASH_INIT, f->v.raw, f->v.T * f->I * sizeof *f->v.raw));
    return rnnc__setup_done(&b, out);
}

static rnnc_status fit_one(rnnc_forecaster *f, const rnnc_series *s, const rnnc_fit_spec *spec,
                           rnnc_epoch_report *last);

/* An ensemble's training: member k's model created with seed + k and trained with spec->seed + k
 * (its files in out_dir/member-k for k >= 1), then the ensemble written to out_dir. */
static rnnc_status fit_ensemble(rnnc_forecaster *f, const rnnc_series *s, const rnnc_fit_spec *spec,
                                rnnc_epoch_report *last) {
    const int K = f->spec.ensemble;
    if (spec->resume)
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "--resume continues one run, and ensemble = %d trains %d; train the "
                         "ensemble again",
                         K, K);
    rnnc_model **mem = NULL;
    RNNC_TRY(rnnc__calloc((void **)&mem, (size_t)K, sizeof *mem, "ensemble"));
    for (int k = 1; k < f->n_members; k++) /* an ensemble trained before: trained afresh */
        rnnc_model_free(f->members[k]);
    free(f->members);
    f->members = NULL, f->n_members = 0;
    mem[0] = f->model;
    rnnc_status st = RNNC_OK;
    char *dir = NULL;
    for (int k = 0; st == RNNC_OK && k < K; k++) {
        if (k > 0)
            st = rnnc_model_create(rnnc_model_config(mem[0]), f->seed + (uint64_t)k, &mem[k]);
        rnnc_fit_spec fs = *spec;
        fs.seed = spec->seed + (uint64_t)k;
        if (st == RNNC_OK && k > 0 && spec->out_dir) {
            free(dir);
            const size_t len = strlen(spec->out_dir) + 32;
            dir = malloc(len);
            if (!dir) {
                st = RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
                break;
            }
            snprintf(dir, len, "%s/member-%d", spec->out_dir, k);
            fs.out_dir = dir, fs.tensorboard = NULL;
        }
        f->model = mem[k];
        if (st == RNNC_OK)
            st = fit_one(f, s, &fs, last);
        if (st != RNNC_OK)
            st = rnnc__fail_prefix(st,
                                   k ? "a member of the ensemble" : "the ensemble's first model");
    }
    free(dir);
    f->model = mem[0];
    if (st != RNNC_OK) {
        for (int k = 1; k < K; k++)
            rnnc_model_free(mem[k]);
        free(mem);
        return st;
    }
    f->members = mem, f->n_members = K;
    if (spec->out_dir) {
        const size_t len = strlen(spec->out_dir) + 32;
        char *path = malloc(len);
        if (!path)
            return RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
        snprintf(path, len, "%s/model.safetensors", spec->out_dir);
        st = rnnc__fc_save_with(f, path, NULL, NULL);
        free(path);
    }
    return st;
}

rnnc_status rnnc_forecaster_fit(rnnc_forecaster *f, const rnnc_series *s, const rnnc_fit_spec *spec,
                                rnnc_epoch_report *last) {
    if (!f || !s || !spec)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_forecaster_fit: NULL argument");
    RNNC_TRY(RNNC__SPEC_CHECK(spec, rnnc_fit_spec));
    return f->spec.ensemble > 1 ? fit_ensemble(f, s, spec, last) : fit_one(f, s, spec, last);
}

static rnnc_status fit_one(rnnc_forecaster *f, const rnnc_series *s, const rnnc_fit_spec *spec,
                           rnnc_epoch_report *last) {
    rnnc_status st = rnnc__fc_make_view(f, s, &f->v);
    if (st == RNNC_OK)
        st = rnnc__fc_scale_view(f, &f->v);
    for (int p = 0; st == RNNC_OK && p < 2; p++)
        st = rnnc__fc_origins_of(f, &f->v, p, &f->orig[p], &f->n_orig[p]);
    if (st == RNNC_OK && f->n_orig[0] == 0)
        st = RNNC_FAIL(RNNC_ERR_ARG, "no training window: the training part has %zu rows",
                       f->v.n_tr);
    if (st == RNNC_OK) {
        rnnc__task t;
        memset(&t, 0, sizeof t);
        t.self = f, t.model = f->model, t.n_classes = 2;
        t.n_train = f->n_orig[0], t.n_val = f->n_orig[1];
        t.batch = task_batch, t.loss = task_loss, t.save = task_save;
        char *setup = NULL;
        st = make_setup(f, &setup);
        t.setup = setup;
        if (st == RNNC_OK)
            st = rnnc__fit(&t, spec, last);
        free(setup);
    }
    drop_fit(f);
    return st;
}
