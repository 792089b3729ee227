/* Time-series forecasting: windows of a scaled series -> an RNN encoder -> a dense head giving
 * H steps of every target at once (direct), or one step fed back H times (recursive). Supplies
 * the shared training loop (src/train/fit.c) with batches and losses, compares the model with the
 * baselines on the test part, and reads and writes the forecaster's model file: the model plus
 * metadata "rnnc.task" = "forecast", "rnnc.forecast" (the spec as "key=value" lines),
 * "rnnc.forecast.inputs" (column names, targets first, one per line), "rnnc.forecast.scaler"
 * (per input "shift scale on log", 17 digits) and how the CSV was read ("rnnc.forecast.data",
 * ".time", ".columns", ".categorical"). */
#include "rnnc.h"

#include "../formats/values.h"
#include "../train/fit.h"
#include "task.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A series as the forecaster sees it: its inputs, raw and scaled, and the split. */
typedef struct view {
    size_t T;
    double *raw; /* (T,I) */
    float *z;    /* (T,I) what the model sees: scaled, the targets differenced with difference k */
    float *lz;   /* (T,I) with difference k: the scaled levels (in z's allocation); else NULL */
    size_t n_tr, n_va, n_te;
} view;

struct rnnc_forecaster {
    rnnc_model *model;
    rnnc_forecast_spec spec;
    size_t I, NT; /* inputs, targets (the first NT inputs) */
    char **names; /* (I) */
    rnnc_scaler sc;
    char data[1024], time[256], columns[1024], categorical[256];
    int missing, sort_time;
    /* during fit: */
    view v;
    size_t *orig[2], n_orig[2]; /* first target rows of the training and validation windows */
    float *bx, *by;             /* batch workspace: (L,B,I) inputs, (B,units) targets */
    size_t bx_cap, by_cap;
    float *wx, *ww; /* augmentation: one window (L,I) and rnnc_series_augment's scratch (L,I) */
    size_t wx_cap, ww_cap;
    float *gm; /* the Gaussian loss's means, variances and their gradients (4 x units) */
    size_t gm_cap;
    pthread_mutex_t lock; /* held by predict and evaluate (task.h) */
    uint64_t seed;        /* the creation seed (member k of an ensemble: seed + k) */
    rnnc_model **members; /* an ensemble's models (n_members > 1), members[0] == model */
    int n_members;
};

void rnnc_forecast_spec_defaults(rnnc_forecast_spec *out, size_t size) {
    rnnc_forecast_spec s;
    memset(&s, 0, sizeof s);
    s.lookback = 24, s.horizon = 1, s.stride = 1;
    s.scaling = RNNC_SCALE_ZSCORE;
    s.val_fraction = 0.1, s.test_fraction = 0.2;
    s.decoder = RNNC_DECODER_DIRECT, s.loss = RNNC_FLOSS_MSE, s.huber_delta = 1;
    s.ensemble = 1;
    s.struct_size = sizeof s;
    rnnc__spec_fill(out, size, &s, sizeof s);
}

/* Whether training windows are augmented (a slice of 1 keeps every step: off). */
static int augmenting(const rnnc_forecast_spec *s) {
    return s->augment.jitter > 0 || s->augment.scale > 0 ||
           (s->augment.slice > 0 && s->augment.slice < 1);
}

static rnnc_status check_spec(const rnnc_forecast_spec *s) {
    if (s->lookback < 1 || s->lookback > 100000)
        return RNNC_FAIL(RNNC_ERR_ARG, "lookback must be in [1, 100000], got %d", s->lookback);
    if (s->horizon < 1 || s->horizon > 10000)
        return RNNC_FAIL(RNNC_ERR_ARG, "horizon must be in [1, 10000], got %d", s->horizon);
    if (s->stride < 1)
        return RNNC_FAIL(RNNC_ERR_ARG, "stride must be >= 1, got %d", s->stride);
    if (s->scaling < RNNC_SCALE_NONE || s->scaling > RNNC_SCALE_MINMAX)
        return RNNC_FAIL(RNNC_ERR_ARG, "unknown scaling %d", s->scaling);
    if (s->decoder != RNNC_DECODER_DIRECT && s->decoder != RNNC_DECODER_RECURSIVE)
        return RNNC_FAIL(RNNC_ERR_ARG, "unknown decoder %d", s->decoder);
    if (s->loss < RNNC_FLOSS_MSE || s->loss > RNNC_FLOSS_QUANTILE)
        return RNNC_FAIL(RNNC_ERR_ARG, "unknown loss %d", s->loss);
    if (s->loss == RNNC_FLOSS_QUANTILE) {
        const char *why = rnnc__forecast_quantiles_problem(s->quantiles, s->n_quantiles);
        if (why)
            return RNNC_FAIL(RNNC_ERR_ARG, "loss = quantile: the quantiles %s", why);
    } else if (s->n_quantiles) {
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "quantiles are given, but the loss is not quantile (loss = quantile)");
    }
    if (s->loss >= RNNC_FLOSS_GAUSSIAN && s->decoder != RNNC_DECODER_DIRECT)
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "loss = %s gives intervals from the direct decoder only (a recursive "
                         "decoder feeds point forecasts back); use decoder = direct",
                         s->loss == RNNC_FLOSS_GAUSSIAN ? "gaussian" : "quantile");
    if (!(s->huber_delta > 0) || !isfinite(s->huber_delta))
        return RNNC_FAIL(RNNC_ERR_ARG, "huber_delta must be > 0");
    if (s->ensemble < 1 || s->ensemble > 32)
        return RNNC_FAIL(RNNC_ERR_ARG, "ensemble must be in [1, 32], got %d", s->ensemble);
    if (s->season < 0 || s->ma_window < 0 || s->ar_order < 0)
        return RNNC_FAIL(RNNC_ERR_ARG, "season, ma_window and ar_order must be >= 0");
    if (s->difference < RNNC_DIFFERENCE_SEASON || s->difference > 1000000)
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "difference must be 0 (none), a lag in [1, 1000000] or "
                         "RNNC_DIFFERENCE_SEASON, got %d",
                         s->difference);
    if (s->loss >= RNNC_FLOSS_GAUSSIAN && s->difference > 0 && s->difference < s->horizon)
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "difference = %d is shorter than the horizon %d, and loss = %s gives "
                         "intervals only for steps whose value a lag before is known; use a lag "
                         ">= the horizon (or no differencing)",
                         s->difference, s->horizon,
                         s->loss == RNNC_FLOSS_GAUSSIAN ? "gaussian" : "quantile");
    if (s->window_norm != RNNC_WINDOW_NORM_NONE && s->window_norm != RNNC_WINDOW_NORM_LEVEL)
        return RNNC_FAIL(RNNC_ERR_ARG, "unknown window_norm %d", s->window_norm);
    if (s->window_norm && (s->log || s->relative || s->difference))
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "window_norm = level divides each window by its level, and %s anchors "
                         "the window too; use one of them",
                         s->log        ? "log = true"
                         : s->relative ? "relative = true"
                                       : "difference");
    /* rnnc_series_augment's ranges, checked before training starts */
    if (!(s->augment.jitter >= 0) || !isfinite(s->augment.jitter))
        return RNNC_FAIL(RNNC_ERR_ARG, "augment_jitter must be finite and >= 0, got %g",
                         s->augment.jitter);
    if (!(s->augment.scale >= 0 && s->augment.scale < 1))
        return RNNC_FAIL(RNNC_ERR_ARG, "augment_scale must be in [0, 1), got %g", s->augment.scale);
    if (!(s->augment.slice >= 0 && s->augment.slice <= 1))
        return RNNC_FAIL(RNNC_ERR_ARG, "augment_slice must be in [0, 1], got %g", s->augment.slice);
    size_t a, b, c;
    return rnnc_series_split(1000, s->val_fraction, s->test_fraction, &a, &b, &c);
}

void rnnc_forecaster_free(rnnc_forecaster *f) {
    if (!f)
        return;
    rnnc_model_free(f->model);
    for (int k = 1; k < f->n_members; k++)
        rnnc_model_free(f->members[k]);
    free(f->members);
    for (size_t i = 0; f->names && i < f->I; i++)
        free(f->names[i]);
    free(f->names);
    free(f->v.raw), free(f->v.z);
    free(f->orig[0]), free(f->orig[1]);
    free(f->bx), free(f->by), free(f->wx), free(f->ww), free(f->gm);
    rnnc__lock_free(&f->lock);
    free(f);
}

rnnc_model *rnnc_forecaster_model(rnnc_forecaster *f) {
    return f ? f->model : NULL;
}
const rnnc_forecast_spec *rnnc_forecaster_spec(const rnnc_forecaster *f) {
    return f ? &f->spec : NULL;
}
const rnnc_scaler *rnnc_forecaster_scaler(const rnnc_forecaster *f) {
    return f ? &f->sc : NULL;
}
rnnc_series_source rnnc_forecaster_source(const rnnc_forecaster *f) {
    rnnc_series_source s = rnnc_series_source_init();
    if (f) {
        s.path = f->data;
        s.time = f->time[0] ? f->time : NULL;
        s.columns = f->columns[0] ? f->columns : NULL;
        s.categorical = f->categorical[0] ? f->categorical : NULL;
        s.missing = f->missing;
        s.sort_time = f->sort_time;
    }
    return s;
}
int rnnc_forecaster_inputs(const rnnc_forecaster *f, const char *const **names, int *n_targets) {
    if (!f)
        return 0;
    if (names)
        *names = (const char *const *)f->names;
    if (n_targets)
        *n_targets = (int)f->NT;
    return (int)f->I;
}

const char *rnnc__forecast_quantiles_problem(const double *q, int n) {
    if (n < 3 || n > RNNC_FORECAST_MAX_QUANTILES)
        return n > RNNC_FORECAST_MAX_QUANTILES ? "are too many (at most 15)"
                                               : "need 0.5 and at least one pair (q, 1 - q) for an "
                                                 "interval, e.g. 0.1, 0.5, 0.9";
    for (int k = 0; k < n; k++) {
        if (!(q[k] > 0 && q[k] < 1))
            return "must each lie in (0, 1), exclusive";
        if (k && q[k] == q[k - 1])
            return "must not repeat a value";
        if (k && q[k] < q[k - 1])
            return "must be in increasing order";
    }
    if (n % 2 == 0 || q[n / 2] != 0.5)
        return "need 0.5 (the point forecast) in the middle of pairs (q, 1 - q) around it";
    for (int k = 0; k < n / 2; k++)
        if (fabs(q[k] + q[n - 1 - k] - 1) > 1e-9)
            return "must come in pairs (q, 1 - q) around 0.5, each pair a central interval";
    return NULL;
}

/* Values the head gives per step and target: 1 (a point), 2 (Gaussian: mean and raw scale) or
 * the number of quantiles, interleaved per unit. */
static size_t head_width(const rnnc_forecaster *f) {
    return f->spec.loss == RNNC_FLOSS_GAUSSIAN   ? 2
           : f->spec.loss == RNNC_FLOSS_QUANTILE ? (size_t)f->spec.n_quantiles
                                                 : 1;
}

/* Steps the head gives per forward: H (direct) or 1 (recursive). */
static size_t head_steps(const rnnc_forecaster *f) {
    return f->spec.decoder == RNNC_DECODER_DIRECT ? (size_t)f->spec.horizon : 1;
}

/* The baselines' parameters on a series whose training part has n_tr rows: the AR order
 * (ar_order, or the lookback at most (n_tr - 2)/3), the moving-average window (ma_window, or the
 * lookback) and the seasonal period (season; 1 when it is not shorter than the training part). */
static size_t ar_order_of(const rnnc_forecaster *f, size_t n_tr) {
    const size_t L = (size_t)f->spec.lookback, cap = n_tr > 2 ? (n_tr - 2) / 3 : 0;
    return f->spec.ar_order ? (size_t)f->spec.ar_order : L < cap ? L : cap;
}
static size_t ma_window_of(const rnnc_forecaster *f) {
    return f->spec.ma_window ? (size_t)f->spec.ma_window : (size_t)f->spec.lookback;
}
static size_t season_of(const rnnc_forecaster *f, size_t n_tr) {
    const size_t m = (size_t)f->spec.season;
    return m >= 1 && m < n_tr ? m : 1;
}

/* ---- columns ---- */

static rnnc_status add_name(rnnc_forecaster *f, const char *name, size_t *cap) {
    for (size_t i = 0; i < f->I; i++)
        if (!strcmp(f->names[i], name))
            return RNNC_FAIL(RNNC_ERR_ARG,
                             "column '%s' is named twice among targets and covariates", name);
    if (f->I == RNNC_SERIES_MAX_FEATURES)
        return RNNC_FAIL(RNNC_ERR_ARG, "more than %d inputs", RNNC_SERIES_MAX_FEATURES);
    if (f->I == *cap) {
        size_t c = *cap ? 2 * *cap : 8;
        char **n = realloc(f->names, c * sizeof *n);
        if (!n)
            return RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
        f->names = n, *cap = c;
    }
    if (!(f->names[f->I] = strdup(name)))
        return RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
    f->I++;
    return RNNC_OK;
}

/* Adds the columns of a comma-separated list: a column's exact name, or a categorical column's
 * name standing for all its one-hot columns ("cbwd" -> "cbwd=NE", "cbwd=NW", ...). */
static rnnc_status add_list(rnnc_forecaster *f, const rnnc_series *s, const char *list,
                            const char *what, int numeric_only, size_t *cap) {
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", list);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        size_t n = strlen(tok);
        while (n && tok[n - 1] == ' ')
            tok[--n] = 0;
        int col = rnnc_series_column(s, tok);
        if (col >= 0) {
            if (numeric_only && s->onehot[col])
                return RNNC_FAIL(RNNC_ERR_ARG, "%s '%s' is a one-hot column", what, tok);
            RNNC_TRY(add_name(f, tok, cap));
            continue;
        }
        int found = 0;
        for (size_t c = 0; !numeric_only && c < s->F; c++)
            if (s->onehot[c] && !strncmp(s->names[c], tok, n) && s->names[c][n] == '=') {
                RNNC_TRY(add_name(f, s->names[c], cap));
                found = 1;
            }
        if (!found)
            return RNNC_FAIL(RNNC_ERR_ARG, "%s '%s' is not a column of the data%s", what, tok,
                             numeric_only ? "" : " (nor a categorical column)");
    }
    return RNNC_OK;
}

/* The forecaster's inputs from series s, raw (T,I), with the split. A one-hot column the data
 * lacks (a category that never occurs in it) is all zeros. */
static rnnc_status make_view(rnnc_forecaster *f, const rnnc_series *s, view *v) {
    free(v->raw), free(v->z);
    memset(v, 0, sizeof *v);
    if (!s || !s->x || s->T == 0)
        return RNNC_FAIL(RNNC_ERR_ARG, "the series is empty");
    RNNC_TRY(rnnc_series_split(s->T, f->spec.val_fraction, f->spec.test_fraction, &v->n_tr,
                               &v->n_va, &v->n_te));
    size_t cells;
    if (rnnc__mul(s->T, f->I, &cells))
        return RNNC_FAIL(RNNC_ERR_NOMEM, "series too large");
    RNNC_TRY(rnnc__calloc((void **)&v->raw, cells, sizeof(double), "series view"));
    const size_t copies = f->spec.difference > 0 ? 2 : 1; /* z, and the levels lz */
    if (rnnc__mul(cells, copies, &cells))
        return RNNC_FAIL(RNNC_ERR_NOMEM, "series too large");
    RNNC_TRY(rnnc__calloc((void **)&v->z, cells, sizeof(float), "scaled series"));
    cells /= copies;
    v->lz = copies == 2 ? v->z + cells : NULL;
    v->T = s->T;
    for (size_t i = 0; i < f->I; i++) {
        int col = rnnc_series_column(s, f->names[i]);
        if (col < 0 && !strchr(f->names[i], '='))
            return RNNC_FAIL(RNNC_ERR_ARG, "the data has no column '%s' (the model's input %zu)",
                             f->names[i], i);
        for (size_t t = 0; col >= 0 && t < s->T; t++)
            v->raw[t * f->I + i] = s->x[t * s->F + (size_t)col];
    }
    return RNNC_OK;
}

static rnnc_status scale_view(rnnc_forecaster *f, view *v) {
    rnnc_status st = rnnc_scaler_apply(&f->sc, v->raw, v->T, v->z);
    if (st != RNNC_OK)
        return rnnc__fail_prefix(st, "scaling the data");
    const size_t k = f->spec.difference > 0 ? (size_t)f->spec.difference : 0, I = f->I;
    if (!k)
        return RNNC_OK;
    /* the targets differenced at lag k (in double, as rnnc_difference_apply); the levels in lz */
    memcpy(v->lz, v->z, v->T * I * sizeof(float));
    for (size_t t = 0; t < v->T; t++)
        for (size_t j = 0; j < f->NT; j++)
            v->z[t * I + j] =
                t < k ? 0 : (float)((double)v->lz[t * I + j] - (double)v->lz[(t - k) * I + j]);
    return RNNC_OK;
}

/* The first row a window's inputs may start at: k with difference k (the rows before have no
 * difference), else 0. */
static size_t first_row(const rnnc_forecaster *f) {
    return f->spec.difference > 0 ? (size_t)f->spec.difference : 0;
}

/* window_norm = level: how many of a window's last target values its level averages: the season
 * when it is 2 to the lookback, else the lookback. */
static size_t level_len(const rnnc_forecaster *f) {
    const size_t L = (size_t)f->spec.lookback, m = (size_t)f->spec.season;
    return m >= 2 && m <= L ? m : L;
}

/* The level of target j of the window whose input rows are w[0..L) (I values each): the mean of
 * its last level_len values. */
static double window_level(const rnnc_forecaster *f, const float *w, size_t j) {
    const size_t L = (size_t)f->spec.lookback, n = level_len(f), I = f->I;
    double sum = 0;
    for (size_t l = L - n; l < L; l++)
        sum += w[l * I + j];
    return sum / (double)n;
}

/* Maps window forecasts back from the units the model sees to scaled levels, in double: with
 * difference k, step h of target j gets the level k rows before added (rnnc_difference_invert: a
 * value of the series' scaled levels lz for h < k, the forecast's own step h - k beyond), and
 * each interval bound the same value as its point; without, the values themselves. zo (steps,NT)
 * -> lev (steps,NT); zl, zh (steps,NT,NI) -> llo, lhi (may be NULL) for the window whose first
 * target row is t. */
static void to_levels(const rnnc_forecaster *f, const view *v, size_t t, size_t steps,
                      const float *zo, const float *zl, const float *zh, size_t NI, double *lev,
                      double *llo, double *lhi) {
    const size_t k = first_row(f), NT = f->NT, I = f->I;
    for (size_t h = 0; h < steps; h++)
        for (size_t j = 0; j < NT; j++) {
            const size_t at = h * NT + j;
            const double base = !k      ? 0
                                : h < k ? (double)v->lz[(t + h - k) * I + j]
                                        : lev[(h - k) * NT + j];
            lev[at] = (double)zo[at] + base;
            for (size_t i = 0; zl && i < NI; i++)
                llo[at * NI + i] = (double)zl[at * NI + i] + base,
                              lhi[at * NI + i] = (double)zh[at * NI + i] + base;
        }
}

/* ---- create, save, load ---- */

static rnnc_status build_model(rnnc_forecaster *f, const rnnc_config *cfg, uint64_t seed) {
    rnnc_config c = *cfg;
    if (c.n_layers < 1 || c.n_layers >= RNNC_MAX_LAYERS)
        return RNNC_FAIL(RNNC_ERR_ARG, "the encoder needs 1 to %d layers", RNNC_MAX_LAYERS - 1);
    if (c.layers[0].kind == RNNC_LAYER_EMBEDDING)
        return RNNC_FAIL(RNNC_ERR_ARG, "a forecaster's encoder takes numbers, not an [embedding]");
    if (c.input_size != 0 && (size_t)c.input_size != f->I)
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "[model] input_size = %d, but the data gives %zu inputs (targets and "
                         "covariates); leave input_size out",
                         c.input_size, f->I);
    c.input_size = (int)f->I;
    rnnc_layer_spec *h = &c.layers[c.n_layers++];
    *h = rnnc_layer_spec_init(RNNC_LAYER_DENSE);
    snprintf(h->name, sizeof h->name, "head");
    h->units = (int)(head_steps(f) * f->NT * head_width(f));
    h->activation = RNNC_ACT_LINEAR;
    RNNC_TRY(rnnc_model_create(&c, seed, &f->model));
    int seq;
    RNNC_TRY(rnnc_model_layer_info(f->model, c.n_layers - 2, NULL, NULL, NULL, &seq));
    if (seq)
        return RNNC_FAIL(RNNC_ERR_ARG, "the encoder's last layer returns sequences; the head needs "
                                       "its last output (return_sequences = false)");
    return RNNC_OK;
}

/* Checks before training (defined below): what evaluate needs of the series, every value's
 * scaling, and the metadata as the loader reads it back. */
static rnnc_status check_baselines(const rnnc_forecaster *f, const view *v, const char *data);
static rnnc_status check_scaled(const rnnc_forecaster *f, const view *v, const char *data);
static rnnc_status check_meta(const rnnc_forecaster *f, const char *path);
static const rnnc__task_kind task_kind; /* the forecaster to task.c's shared code (below load) */

rnnc_status rnnc_forecaster_create(const rnnc_config *cfg, const rnnc_forecast_spec *spec,
                                   const rnnc_series *s, const rnnc_series_source *src,
                                   uint64_t seed, rnnc_forecaster **out) {
    if (!cfg || !spec || !s || !out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_forecaster_create: NULL argument");
    RNNC_TRY(RNNC__SPEC_CHECK(spec, rnnc_forecast_spec));
    if (src)
        RNNC_TRY(RNNC__SPEC_CHECK(src, rnnc_series_source));
    *out = NULL;
    RNNC_TRY(check_spec(spec));
    rnnc_forecaster *f;
    RNNC_TRY(rnnc__task_new(&task_kind, (void **)&f));
    f->spec = *spec;
    f->seed = seed;
    if (src) {
        snprintf(f->data, sizeof f->data, "%s", src->path ? src->path : "");
        snprintf(f->time, sizeof f->time, "%s", src->time ? src->time : "");
        snprintf(f->columns, sizeof f->columns, "%s", src->columns ? src->columns : "");
        snprintf(f->categorical, sizeof f->categorical, "%s",
                 src->categorical ? src->categorical : "");
        f->missing = src->missing;
        f->sort_time = src->sort_time != 0;
    }
    size_t cap = 0;
    rnnc_status st = RNNC_OK;
    if (!spec->targets[0])
        st = s->F && !s->onehot[0] ? add_name(f, s->names[0], &cap)
                                   : RNNC_FAIL(RNNC_ERR_ARG, "the data has no numeric column");
    else
        st = add_list(f, s, spec->targets, "target", 1, &cap);
    f->NT = f->I;
    if (st == RNNC_OK && spec->covariates[0])
        st = add_list(f, s, spec->covariates, "covariate", 0, &cap);
    if (st == RNNC_OK && spec->decoder == RNNC_DECODER_RECURSIVE && f->I != f->NT)
        st = RNNC_FAIL(RNNC_ERR_ARG, "decoder = recursive feeds forecasts back as inputs, so it "
                                     "takes no covariates (their future is unknown)");
    view v;
    memset(&v, 0, sizeof v);
    if (st == RNNC_OK)
        st = make_view(f, s, &v);
    if (st == RNNC_OK && v.n_tr < (size_t)spec->lookback + head_steps(f))
        st = RNNC_FAIL(RNNC_ERR_ARG,
                       "the training part has %zu rows; lookback %d + horizon %zu need more",
                       v.n_tr, spec->lookback, head_steps(f));
    for (size_t j = 0; st == RNNC_OK && spec->log && j < f->NT; j++)
        for (size_t t = 0; st == RNNC_OK && t < v.T; t++)
            if (!(v.raw[t * f->I + j] > -1))
                st = RNNC_FAIL(RNNC_ERR_ARG,
                               "log = true: target '%s' is %g in row %zu, and log1p needs values "
                               "> -1",
                               f->names[j], v.raw[t * f->I + j], t);
    if (st == RNNC_OK) {
        unsigned char on[RNNC_SERIES_MAX_FEATURES], lg[RNNC_SERIES_MAX_FEATURES];
        for (size_t i = 0; i < f->I; i++) {
            const int col = rnnc_series_column(s, f->names[i]);
            /* window_norm = level: the targets stay in original units (each window is divided
             * by its own level instead) */
            on[i] = !(col >= 0 && s->onehot[col]) &&
                    !(i < f->NT && spec->window_norm == RNNC_WINDOW_NORM_LEVEL);
            lg[i] = i < f->NT && spec->log;
        }
        /* the statistics see rows [0, n_tr) only: nothing of validation or test leaks in */
        st = rnnc_scaler_fit(&f->sc, spec->scaling, v.raw, v.n_tr, f->I, on, lg);
        if (st != RNNC_OK) { /* the data's values: bad input */
            char where[1100];
            snprintf(where, sizeof where, "%s: fitting the scaling on the training part",
                     src && src->path && src->path[0] ? src->path : "the data");
            st = rnnc__fail_prefix(RNNC_ERR_ARG, where);
        }
    }
    if (st == RNNC_OK && spec->season == 0) { /* detected on the training part of target 0 */
        double *y = malloc(v.n_tr * sizeof *y);
        if (!y)
            st = RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
        for (size_t t = 0; y && t < v.n_tr; t++)
            y[t] = v.raw[t * f->I];
        size_t lag = v.n_tr / 3 < 400 ? v.n_tr / 3 : 400;
        if (y)
            f->spec.season = (int)rnnc_season_detect(y, v.n_tr, lag);
        free(y);
    }
    const char *data = src && src->path && src->path[0] ? src->path : "the data";
    if (st == RNNC_OK && spec->difference == RNNC_DIFFERENCE_SEASON) {
        f->spec.difference = f->spec.season; /* the period in use: seasonal differencing */
        if (check_spec(&f->spec) != RNNC_OK) /* an interval head over more steps than a season */
            st = rnnc__fail_prefix(RNNC_ERR_ARG, "[forecast] difference = season");
    }
    /* window_norm = level: every window's level (the mean of its last level_len target values,
     * as window_level takes it from the unscaled rows) must be positive */
    const size_t nl = level_len(f);
    for (size_t j = 0; st == RNNC_OK && spec->window_norm && j < f->NT; j++)
        for (size_t e = nl; st == RNNC_OK && e <= v.T; e++) {
            double sum = 0;
            for (size_t r = e - nl; r < e; r++)
                sum += (float)v.raw[r * f->I + j];
            if (!(sum / (double)nl > 0))
                st = RNNC_FAIL(RNNC_ERR_ARG,
                               "%s: [forecast] window_norm = level divides each window by its "
                               "level, the mean of its last %zu values of target '%s', so it must "
                               "be > 0; the window before row %zu has %g (rows %zu-%zu)",
                               data, nl, f->names[j], e, sum / (double)nl, e - nl, e - 1);
        }
    /* everything the model file's own eval and forecast need, before any training */
    if (st == RNNC_OK)
        st = check_scaled(f, &v, data);
    if (st == RNNC_OK)
        st = check_baselines(f, &v, data);
    if (st == RNNC_OK)
        st = check_meta(f, data);
    free(v.raw), free(v.z);
    if (st == RNNC_OK)
        st = build_model(f, cfg, seed);
    if (st != RNNC_OK) {
        rnnc_forecaster_free(f);
        return st;
    }
    *out = f;
    return RNNC_OK;
}

static const char *const scaling_names[] = {"none", "zscore", "minmax"};
static const char *const loss_names[] = {"mse", "mae", "huber", "gaussian", "quantile"};
static const char *const missing_names[] = {"reject", "ffill", "interpolate"};

/* The augmentation settings and sort_time are written only when set, so a forecaster trained
 * without them has the same file as before they existed (and older readers read it). */
static char *spec_to_meta_k(const rnnc_forecaster *f, int ensemble);
static char *spec_to_meta(const rnnc_forecaster *f) {
    return spec_to_meta_k(f, f->n_members);
}

/* The spec's lines for a file holding `ensemble` models ("ensemble=K" only above 1). */
static char *spec_to_meta_k(const rnnc_forecaster *f, int ensemble) {
    const rnnc_forecast_spec *s = &f->spec;
    char *b = malloc(1024);
    if (!b)
        return NULL;
    int n = snprintf(
        b, 1024,
        "lookback=%d\nhorizon=%d\nstride=%d\ntargets=%zu\nscaling=%s\nlog=%d\nrelative=%d\n"
        "val_fraction=%.17g\ntest_fraction=%.17g\ndecoder=%s\nloss=%s\n"
        "huber_delta=%.17g\nseason=%d\nma_window=%d\nar_order=%d\nmissing=%s\n",
        s->lookback, s->horizon, s->stride, f->NT, scaling_names[s->scaling], s->log, s->relative,
        s->val_fraction, s->test_fraction,
        s->decoder == RNNC_DECODER_DIRECT ? "direct" : "recursive", loss_names[s->loss],
        s->huber_delta, s->season, s->ma_window, s->ar_order, missing_names[f->missing]);
    const double v[] = {s->augment.jitter, s->augment.scale, s->augment.slice};
    static const char *const name[] = {"augment_jitter", "augment_scale", "augment_slice"};
    for (int i = 0; i < 3; i++)
        if (v[i] != 0)
            n += snprintf(b + n, 1024 - (size_t)n, "%s=%.17g\n", name[i], v[i]);
    if (f->sort_time)
        n += snprintf(b + n, 1024 - (size_t)n, "sort_time=1\n");
    if (s->difference)
        n += snprintf(b + n, 1024 - (size_t)n, "difference=%d\n", s->difference);
    if (s->window_norm)
        n += snprintf(b + n, 1024 - (size_t)n, "window_norm=level\n");
    if (ensemble > 1)
        n += snprintf(b + n, 1024 - (size_t)n, "ensemble=%d\n", ensemble);
    for (int k = 0; k < s->n_quantiles; k++)
        n += snprintf(b + n, 1024 - (size_t)n, "%s%.17g%s", k ? "," : "quantiles=", s->quantiles[k],
                      k + 1 == s->n_quantiles ? "\n" : "");
    return b;
}

static char *join_lines(char **v, size_t n) {
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(v[i]) + 1;
    char *b = malloc(len);
    if (!b)
        return NULL;
    b[0] = 0;
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(b, "\n");
        strcat(b, v[i]);
    }
    return b;
}

static char *scaler_to_meta(const rnnc_forecaster *f) {
    const size_t cap = f->I * 96 + 64;
    char *b = malloc(cap);
    if (!b)
        return NULL;
    size_t n = (size_t)snprintf(b, cap, "kind=%s\n", scaling_names[f->sc.kind]);
    for (size_t i = 0; i < f->I; i++)
        n += (size_t)snprintf(b + n, cap - n, "%.17g %.17g %d %d\n", f->sc.shift[i], f->sc.scale[i],
                              f->sc.on[i], f->sc.log[i]);
    return b;
}

/* A fingerprint of a model's parameters: FNV-1a over each name and its values. */
static uint64_t params_hash(rnnc_model *m) {
    uint64_t h = RNNC__HASH_INIT;
    for (int i = 0; i < rnnc_model_param_count(m); i++) {
        const char *name;
        size_t len = 0;
        rnnc_model_param_info(m, i, &name, NULL, NULL);
        const float *w = rnnc_model_param(m, name, &len);
        h = rnnc__hash(h, name, strlen(name) + 1);
        h = rnnc__hash(h, w, len * sizeof *w);
    }
    return h;
}

/* Member k's file beside an ensemble's file path: NAME.member<k>.safetensors (malloc'd). */
static char *member_path(const char *path, int k) {
    char suffix[48];
    snprintf(suffix, sizeof suffix, ".member%d.safetensors", k);
    return rnnc__sibling_path(path, suffix);
}

/* The last component of a path. */
static const char *base_name(const char *path) {
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

/* One model file: model m with the forecaster's metadata for a file of `ensemble` models (and
 * the members' list `members`, NULL for none). */
static rnnc_status save_one(const rnnc_forecaster *f, rnnc_model *m, int ensemble,
                            const char *members, const char *path, const char *key,
                            const char *value) {
    char *spec = spec_to_meta_k(f, ensemble), *names = join_lines(f->names, f->I);
    char *sc = scaler_to_meta(f);
    rnnc_status st = RNNC_OK;
    if (!spec || !names || !sc) {
        st = RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
    } else {
        const char *keys[8] = {"rnnc.forecast",
                               "rnnc.forecast.inputs",
                               "rnnc.forecast.scaler",
                               "rnnc.forecast.data",
                               "rnnc.forecast.time",
                               "rnnc.forecast.columns",
                               "rnnc.forecast.categorical",
                               "rnnc.forecast.members"};
        const char *vals[8] = {spec,       names,          sc,     f->data, f->time,
                               f->columns, f->categorical, members};
        st = rnnc__task_save(m, path, "forecast", keys, vals, members ? 8 : 7, key, value);
    }
    free(spec), free(names), free(sc);
    return st;
}

static rnnc_status save_with(const rnnc_forecaster *f, const char *path, const char *key,
                             const char *value) {
    RNNC_TRY(check_meta(f, path)); /* a file that would not load is never written */
    if (f->n_members <= 1)
        return save_one(f, f->model, 1, NULL, path, key, value);
    /* the members first, each a plain forecaster's file, then the ensemble's own file */
    const size_t cap = (size_t)f->n_members * (strlen(base_name(path)) + 64);
    char *list = malloc(cap);
    rnnc_status st = list ? RNNC_OK : RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
    size_t n = 0;
    for (int k = 1; st == RNNC_OK && k < f->n_members; k++) {
        char *mp = member_path(path, k);
        st = mp ? save_one(f, f->members[k], 1, NULL, mp, NULL, NULL)
                : RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
        if (st == RNNC_OK)
            n += (size_t)snprintf(list + n, cap - n, "%s%s %016llx", k > 1 ? "\n" : "",
                                  base_name(mp), (unsigned long long)params_hash(f->members[k]));
        free(mp);
    }
    if (st == RNNC_OK)
        st = save_one(f, f->model, f->n_members, list, path, key, value);
    free(list);
    return st;
}

rnnc_status rnnc_forecaster_save(const rnnc_forecaster *f, const char *path) {
    if (!f || !path)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_forecaster_save: NULL argument");
    return save_with(f, path, NULL, NULL);
}

static int word(const char *v, const char *const *names, int n) {
    for (int i = 0; i < n; i++)
        if (!strcmp(v, names[i]))
            return i;
    return -1;
}

static rnnc_status spec_from_meta(rnnc_forecaster *f, const char *meta, const char *path) {
    rnnc_forecast_spec *s = &f->spec;
    *s = rnnc_forecast_spec_init();
    if (!meta)
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: metadata rnnc.forecast is missing", path);
    long nt = -1;
    const char *p = meta, *k = NULL, *v = NULL;
    int line = 0, more;
    char buf[512];
    while ((more = rnnc__meta_line(&p, &line, buf, sizeof buf, path, "rnnc.forecast", &k, &v))) {
        if (more < 0)
            return more;
        long x = 0;
        double d = 0;
        int ok = 1;
        if (!strcmp(k, "scaling"))
            ok = (s->scaling = word(v, scaling_names, 3)) >= 0;
        else if (!strcmp(k, "loss"))
            ok = (s->loss = word(v, loss_names, 5)) >= 0;
        else if (!strcmp(k, "quantiles")) {
            s->n_quantiles = 0;
            for (const char *q = v; ok && *q;) {
                char *end = NULL;
                const double d2 = strtod(q, &end);
                ok = end != q && s->n_quantiles < RNNC_FORECAST_MAX_QUANTILES &&
                     (*end == ',' || !*end);
                if (ok)
                    s->quantiles[s->n_quantiles++] = d2, q = *end ? end + 1 : end;
            }
        } else if (!strcmp(k, "window_norm"))
            ok = !strcmp(v, "level")  ? (s->window_norm = RNNC_WINDOW_NORM_LEVEL, 1)
                 : !strcmp(v, "none") ? (s->window_norm = RNNC_WINDOW_NORM_NONE, 1)
                                      : 0;
        else if (!strcmp(k, "missing"))
            ok = (f->missing = word(v, missing_names, 3)) >= 0;
        else if (!strcmp(k, "decoder"))
            ok = !strcmp(v, "direct")      ? (s->decoder = RNNC_DECODER_DIRECT, 1)
                 : !strcmp(v, "recursive") ? (s->decoder = RNNC_DECODER_RECURSIVE, 1)
                                           : 0;
        else if (!strcmp(k, "val_fraction") || !strcmp(k, "test_fraction") ||
                 !strcmp(k, "huber_delta")) {
            ok = !rnnc__value_double(v, &d);
            *(!strcmp(k, "val_fraction")    ? &s->val_fraction
              : !strcmp(k, "test_fraction") ? &s->test_fraction
                                            : &s->huber_delta) = d;
        } else if (!strcmp(k, "augment_jitter") || !strcmp(k, "augment_scale") ||
                   !strcmp(k, "augment_slice")) {
            ok = !rnnc__value_double(v, &d);
            *(!strcmp(k, "augment_jitter")  ? &s->augment.jitter
              : !strcmp(k, "augment_scale") ? &s->augment.scale
                                            : &s->augment.slice) = d;
        } else {
            static const char *const ik[] = {"lookback",  "horizon",   "stride",     "log",
                                             "season",    "ma_window", "ar_order",   "relative",
                                             "sort_time", "ensemble",  "difference", "targets"};
            int *dst[] = {&s->lookback,  &s->horizon,   &s->stride,     &s->log,
                          &s->season,    &s->ma_window, &s->ar_order,   &s->relative,
                          &f->sort_time, &s->ensemble,  &s->difference, NULL};
            int which = word(k, ik, 12);
            if (which < 0)
                return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: rnnc.forecast line %d: unknown key '%s'",
                                 path, line, k);
            ok = !rnnc__value_long(v, 0, 1000000000, &x);
            if (dst[which])
                *dst[which] = (int)x;
            else
                nt = x;
        }
        if (!ok)
            return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: rnnc.forecast line %d: bad value for %s", path,
                             line, k);
    }
    rnnc_status st = check_spec(s);
    if (st != RNNC_OK)
        return rnnc__fail_prefix(RNNC_ERR_FORMAT, path);
    if (nt < 1 || (size_t)nt > f->I)
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: rnnc.forecast: targets = %ld for %zu inputs", path,
                         nt, f->I);
    f->NT = (size_t)nt;
    return RNNC_OK;
}

static rnnc_status names_from_meta(rnnc_forecaster *f, const char *meta, const char *path) {
    if (!meta || !*meta)
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: metadata rnnc.forecast.inputs is missing", path);
    size_t cap = 0;
    const char *p = meta;
    while (p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char buf[512];
        if (len == 0 || len >= sizeof buf)
            return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: rnnc.forecast.inputs: input %zu is %s", path,
                             f->I, len ? "too long" : "empty");
        memcpy(buf, p, len);
        buf[len] = 0;
        rnnc_status st = add_name(f, buf, &cap);
        if (st != RNNC_OK)
            return rnnc__fail_prefix(RNNC_ERR_FORMAT, path);
        p = nl ? nl + 1 : NULL;
    }
    return RNNC_OK;
}

static rnnc_status scaler_from_meta(rnnc_forecaster *f, const char *meta, const char *path) {
    if (!meta)
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: metadata rnnc.forecast.scaler is missing", path);
    memset(&f->sc, 0, sizeof f->sc);
    char kind[16];
    int used = 0;
    if (sscanf(meta, "kind=%15[a-z]\n%n", kind, &used) != 1 || used == 0 ||
        (f->sc.kind = word(kind, scaling_names, 3)) < 0)
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: rnnc.forecast.scaler: bad first line", path);
    f->sc.F = f->I;
    const char *p = meta + used;
    for (size_t i = 0; i < f->I; i++) {
        double shift, scale;
        int on, lg, n = 0;
        if (sscanf(p, "%lf %lf %d %d\n%n", &shift, &scale, &on, &lg, &n) != 4 || n == 0 ||
            !isfinite(shift) || !isfinite(scale) || !(scale > 0) || (on != 0 && on != 1) ||
            (lg != 0 && lg != 1))
            return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: rnnc.forecast.scaler: bad line for input %zu",
                             path, i);
        f->sc.shift[i] = shift, f->sc.scale[i] = scale;
        f->sc.on[i] = (unsigned char)on, f->sc.log[i] = (unsigned char)lg;
        p += n;
    }
    if (*p)
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: rnnc.forecast.scaler: more lines than inputs", path);
    return RNNC_OK;
}

/* The forecaster's metadata read back as rnnc_forecaster_load reads it: a forecaster whose file
 * would not load (a column name with a line break, statistics that do not survive the text) is
 * refused before training and before any file is written. */
static rnnc_status check_meta(const rnnc_forecaster *f, const char *path) {
    for (size_t i = 0; i < f->I; i++) {
        const char *nm = f->names[i], *nl = strchr(nm, '\n');
        if (!nm[0] || nl || strlen(nm) >= 512)
            return RNNC_FAIL(RNNC_ERR_ARG,
                             "%s: column name '%.*s' %s; a model file stores the names one per "
                             "line, each 1 to 511 bytes",
                             path, nl ? (int)(nl - nm) : 60, nm,
                             !nm[0] ? "is empty"
                             : nl   ? "goes on after a line break"
                                    : "is too long");
    }
    char *spec = spec_to_meta(f), *names = join_lines(f->names, f->I), *sc = scaler_to_meta(f);
    rnnc_forecaster *g = NULL;
    rnnc_status st = spec && names && sc ? rnnc__task_new(&task_kind, (void **)&g)
                                         : RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
    if (st == RNNC_OK)
        st = names_from_meta(g, names, path);
    if (st == RNNC_OK)
        st = spec_from_meta(g, spec, path);
    if (st == RNNC_OK)
        st = scaler_from_meta(g, sc, path);
    if (st == RNNC_OK &&
        (g->I != f->I || g->NT != f->NT || head_steps(g) != head_steps(f) ||
         head_width(g) != head_width(f) || g->spec.n_quantiles != f->spec.n_quantiles ||
         memcmp(g->spec.quantiles, f->spec.quantiles,
                (size_t)f->spec.n_quantiles * sizeof(double)) ||
         g->sort_time != f->sort_time || g->spec.difference != f->spec.difference ||
         g->spec.window_norm != f->spec.window_norm || memcmp(&g->sc, &f->sc, sizeof g->sc)))
        st =
            RNNC_FAIL(RNNC_ERR_ARG, "%s: the forecaster's setup does not read back the same", path);
    if (st != RNNC_OK)
        st = rnnc__fail_prefix(RNNC_ERR_ARG, "its model file would not load back");
    free(spec), free(names), free(sc);
    rnnc_forecaster_free(g);
    return st;
}

static void meta_string(const rnnc_tensor_file *tf, const char *key, char *dst, size_t cap) {
    const char *v = rnnc_tensor_file_meta(tf, key);
    snprintf(dst, cap, "%s", v ? v : "");
}

/* An ensemble's members 1..K-1 from the files beside path that its metadata names: each must be
 * a forecaster's file with the same spec (less the ensemble line), inputs and scaling, and the
 * parameters whose fingerprint is recorded (a member trained again or taken from another
 * ensemble is refused). */
static rnnc_status load_members(rnnc_forecaster *f, const char *path, const rnnc_tensor_file *tf) {
    const int K = f->spec.ensemble;
    const char *list = rnnc_tensor_file_meta(tf, "rnnc.forecast.members");
    if (!list)
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s: an ensemble of %d models without rnnc.forecast.members", path, K);
    RNNC_TRY(rnnc__calloc((void **)&f->members, (size_t)K, sizeof *f->members, "ensemble"));
    f->members[0] = f->model, f->n_members = 1;
    char *spec = spec_to_meta_k(f, 1), *names = join_lines(f->names, f->I);
    char *sc = scaler_to_meta(f);
    rnnc_status st = spec && names && sc ? RNNC_OK : RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
    const char *p = list;
    for (int k = 1; st == RNNC_OK && k < K; k++) {
        char name[512];
        unsigned long long want = 0;
        int used = 0;
        char *mp = member_path(path, k);
        if (!mp) {
            st = RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
            break;
        }
        if (sscanf(p, "%511s %llx%n", name, &want, &used) != 2 || strcmp(name, base_name(mp))) {
            st = RNNC_FAIL(RNNC_ERR_FORMAT,
                           "%s: rnnc.forecast.members: line %d does not name member %d's file "
                           "'%s'",
                           path, k, k, base_name(mp));
            free(mp);
            break;
        }
        p += used;
        p += *p == '\n';
        rnnc_model *m = NULL;
        rnnc_tensor_file *mf = NULL;
        st = rnnc__task_load(mp, "forecast", "a forecaster", &m, &mf);
        if (st != RNNC_OK) {
            st = rnnc__fail_prefix(st, "a member of the ensemble");
        } else {
            const char *ms = rnnc_tensor_file_meta(mf, "rnnc.forecast"),
                       *mn = rnnc_tensor_file_meta(mf, "rnnc.forecast.inputs"),
                       *mc = rnnc_tensor_file_meta(mf, "rnnc.forecast.scaler");
            const rnnc_config *a = rnnc_model_config(m), *b = rnnc_model_config(f->model);
            if (!ms || !mn || !mc || strcmp(ms, spec) || strcmp(mn, names) || strcmp(mc, sc) ||
                a->input_size != b->input_size ||
                a->layers[a->n_layers - 1].units != b->layers[b->n_layers - 1].units)
                st = RNNC_FAIL(RNNC_ERR_FORMAT,
                               "%s: member %d of the ensemble %s has another setup (spec, "
                               "inputs or scaling)",
                               mp, k, path);
            else if (params_hash(m) != (uint64_t)want)
                st = RNNC_FAIL(RNNC_ERR_FORMAT,
                               "%s: member %d's parameters are not those the ensemble %s was "
                               "saved with (fingerprint %016llx, recorded %016llx)",
                               mp, k, path, (unsigned long long)params_hash(m), want);
        }
        rnnc_tensor_file_free(mf);
        free(mp);
        if (st != RNNC_OK) {
            rnnc_model_free(m);
            break;
        }
        f->members[f->n_members++] = m;
    }
    free(spec), free(names), free(sc);
    return st;
}

static rnnc_status read_meta(void *obj, const rnnc_tensor_file *tf, const char *path) {
    rnnc_forecaster *f = obj;
    rnnc_status st = names_from_meta(f, rnnc_tensor_file_meta(tf, "rnnc.forecast.inputs"), path);
    if (st == RNNC_OK)
        st = spec_from_meta(f, rnnc_tensor_file_meta(tf, "rnnc.forecast"), path);
    if (st == RNNC_OK)
        st = scaler_from_meta(f, rnnc_tensor_file_meta(tf, "rnnc.forecast.scaler"), path);
    if (st == RNNC_OK) {
        meta_string(tf, "rnnc.forecast.data", f->data, sizeof f->data);
        meta_string(tf, "rnnc.forecast.time", f->time, sizeof f->time);
        meta_string(tf, "rnnc.forecast.columns", f->columns, sizeof f->columns);
        meta_string(tf, "rnnc.forecast.categorical", f->categorical, sizeof f->categorical);
        /* the model must be an encoder on I inputs with the head this spec needs */
        const rnnc_config *c = rnnc_model_config(f->model);
        const rnnc_layer_spec *h = &c->layers[c->n_layers - 1];
        if ((size_t)c->input_size != f->I || h->kind != RNNC_LAYER_DENSE ||
            (size_t)h->units != head_steps(f) * f->NT * head_width(f) || c->n_layers < 2)
            st = RNNC_FAIL(RNNC_ERR_FORMAT,
                           "%s: the model (input_size %d, last layer %d units) does not fit the "
                           "forecast metadata (%zu inputs, %zu units)",
                           path, c->input_size, h->units, f->I,
                           head_steps(f) * f->NT * head_width(f));
    }
    if (st == RNNC_OK && f->spec.ensemble > 1)
        st = load_members(f, path, tf);
    return st;
}

static void free_obj(void *f) {
    rnnc_forecaster_free(f);
}

static const rnnc__task_kind task_kind = {"forecast",
                                          "a forecaster",
                                          sizeof(rnnc_forecaster),
                                          offsetof(rnnc_forecaster, model),
                                          offsetof(rnnc_forecaster, lock),
                                          read_meta,
                                          free_obj};

rnnc_status rnnc_forecaster_load(const char *path, rnnc_forecaster **out) {
    if (!path || !out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_forecaster_load: NULL argument");
    return rnnc__task_open(&task_kind, path, (void **)out);
}

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
        const double lev = level ? window_level(f, window_inputs(f, z, t), j) : 1;
        for (size_t h = 0; h < Hw; h++)
            y[h * NT + j] = level ? (float)(z[(t + h) * I + j] / lev - 1)
                                  : z[(t + h) * I + j] - (relative ? z[(t - 1) * I + j] : 0);
    }
}

/* The first target rows of part `part`'s windows: origins (may be NULL) gets them, *n the count. */
static size_t part_origins(const rnnc_forecaster *f, const view *v, int part, size_t *origins) {
    const size_t L = (size_t)f->spec.lookback;
    const size_t Hw = part == 2 ? (size_t)f->spec.horizon : head_steps(f);
    const size_t lo = part == 0 ? 0 : part == 1 ? v->n_tr : v->n_tr + v->n_va;
    const size_t hi = part == 0 ? v->n_tr : part == 1 ? v->n_tr + v->n_va : v->T;
    const size_t step = part == 0 ? (size_t)f->spec.stride : 1;
    size_t n = 0;
    const size_t first = L + first_row(f); /* inputs rows [t-L, t) from row k on */
    for (size_t t = lo > first ? lo : first; t + Hw <= hi; t += step) {
        if (origins)
            origins[n] = t;
        n++;
    }
    return n;
}

static rnnc_status origins_of(rnnc_forecaster *f, const view *v, int part, size_t **out,
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
static rnnc_status check_baselines(const rnnc_forecaster *f, const view *v, const char *data) {
    const rnnc_forecast_spec *sp = &f->spec;
    const size_t n = v->n_tr, H = (size_t)sp->horizon, k = first_row(f);
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
                         data, k, n, k, sp->lookback, head_steps(f));
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
    if (ma_window_of(f) > n)
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "%s: [forecast] ma_window = %d is longer than the training part (%zu "
                         "rows); at most %zu",
                         data, sp->ma_window, n, n);
    const size_t p = ar_order_of(f, n), p_max = n >= 2 ? (n - 2) / 2 : 0;
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
static rnnc_status check_scaled(const rnnc_forecaster *f, const view *v, const char *data) {
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
    rnnc_status st = make_view(f, s, &v);
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
    rnnc_status st = make_view(f, s, &v);
    if (st == RNNC_OK)
        st = scale_view(f, &v);
    if (st == RNNC_OK)
        st = origins_of(f, &v, part, &o, &n);
    if (st == RNNC_OK && w >= n)
        st = RNNC_FAIL(RNNC_ERR_ARG, "window %zu of part %d: there are %zu", w, part, n);
    if (st == RNNC_OK) {
        const size_t L = (size_t)f->spec.lookback, I = f->I;
        const size_t Hw = part == 2 ? (size_t)f->spec.horizon : head_steps(f), t0 = o[w];
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
static rnnc_status fill_inputs(rnnc_forecaster *f, const float *const *rows, int B) {
    const size_t L = (size_t)f->spec.lookback, I = f->I, NT = f->NT;
    const int level = f->spec.window_norm == RNNC_WINDOW_NORM_LEVEL;
    double lev[RNNC_SERIES_MAX_FEATURES];
    RNNC_TRY(grow(&f->bx, &f->bx_cap, L * (size_t)B * I));
    for (int b = 0; b < B; b++) {
        const float *w = rows[b];
        for (size_t j = 0; level && j < NT; j++)
            if (!((lev[j] = window_level(f, w, j)) > 0))
                return RNNC_FAIL(RNNC_ERR_ARG,
                                 "window_norm = level: a window's level (the mean of its last %zu "
                                 "values of target '%s') is %g; the windows are divided by it, "
                                 "so it must be > 0",
                                 level_len(f), f->names[j], lev[j]);
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
    const size_t U = head_steps(f) * f->NT;
    RNNC_TRY(grow(&f->by, &f->by_cap, nb * U));
    RNNC_TRY(grow(&f->wx, &f->wx_cap, L * I));
    RNNC_TRY(grow(&f->ww, &f->ww_cap, L * I));
    rnnc_rng *rng = rnnc_model_rng(f->model);
    for (size_t b = 0; b < nb; b++) {
        float *y = f->by + b * U;
        window_targets(f, f->v.z, f->orig[0][idx[b]], head_steps(f), 1, y);
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
    rnnc_status st = fill_inputs(f, rr, B);
    if (rr != r)
        free(rr);
    if (st == RNNC_OK && set == 0 && augmenting(&f->spec)) /* training windows only */
        st = augment_batch(f, idx, B);
    memset(out, 0, sizeof *out);
    out->T = f->spec.lookback, out->B = B, out->x = f->bx;
    return st;
}

static double softplus(double r) {
    return r > 30 ? r : log1p(exp(r));
}

/* The Gaussian head's loss: pred (n,2) holds each unit's mean and raw scale r, sigma =
 * softplus(r), variance sigma^2; the gradient of r is d loss/d var * 2 sigma * sigmoid(r). */
static rnnc_status gaussian_loss(rnnc_forecaster *f, const float *pred, const float *y, size_t n,
                                 float *grad, double *loss) {
    RNNC_TRY(grow(&f->gm, &f->gm_cap, 4 * n));
    float *mean = f->gm, *var = f->gm + n, *gmean = f->gm + 2 * n, *gvar = f->gm + 3 * n;
    for (size_t i = 0; i < n; i++) {
        const double sg = softplus(pred[2 * i + 1]);
        mean[i] = pred[2 * i], var[i] = (float)(sg * sg);
    }
    RNNC_TRY(rnnc_loss_gaussian_nll(mean, var, y, n, 0, 1e-6, loss, grad ? gmean : NULL,
                                    grad ? gvar : NULL));
    for (size_t i = 0; grad && i < n; i++) {
        const double r = pred[2 * i + 1], sg = softplus(r);
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
    const size_t Hs = head_steps(f), U = Hs * f->NT;
    RNNC_TRY(grow(&f->by, &f->by_cap, (size_t)B * U));
    /* the same rows rnnc_forecaster_window shows; augmented training targets are already there */
    for (int b = 0; b < B && !(set == 0 && augmenting(&f->spec)); b++)
        window_targets(f, f->v.z, f->orig[set][idx[b]], Hs, 1, f->by + (size_t)b * U);
    RNNC_TRY(loss_of(f, out, f->by, (size_t)B * U, dout, loss));
    return RNNC_OK;
}

static rnnc_status task_save(void *self, const char *path, const char *key, const char *value) {
    return save_with(self, path, key, value);
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
        rnnc__setup_add(&b, "head", "%s%s%s", loss_names[s->loss], q[0] ? " " : "", q);
    }
    rnnc__setup_add(&b, "scaling", "%s", scaling_names[s->scaling]);
    rnnc__setup_add(&b, "log", "%d", s->log);
    rnnc__setup_add(&b, "relative", "%d", s->relative);
    if (s->difference) /* written only when set: the setup of a run without it is unchanged */
        rnnc__setup_add(&b, "difference", "%d", s->difference);
    if (s->window_norm)
        rnnc__setup_add(&b, "window_norm", "%s", "level");
    rnnc__setup_add(&b, "val_fraction", "%.17g", s->val_fraction);
    rnnc__setup_add(&b, "test_fraction", "%.17g", s->test_fraction);
    char *sc = scaler_to_meta(f);
    if (!sc)
        b.failed = 1;
    else
        rnnc__setup_hash(&b, "scaler", f->I, "inputs", rnnc__hash(RNNC__HASH_INIT, sc, strlen(sc)));
    free(sc);
    rnnc__setup_add(&b, "time", "%s", f->time);
    rnnc__setup_add(&b, "columns", "%s", f->columns);
    rnnc__setup_add(&b, "categorical", "%s", f->categorical);
    rnnc__setup_add(&b, "missing", "%s", missing_names[f->missing]);
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
        st = save_with(f, path, NULL, NULL);
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
    rnnc_status st = make_view(f, s, &f->v);
    if (st == RNNC_OK)
        st = scale_view(f, &f->v);
    for (int p = 0; st == RNNC_OK && p < 2; p++)
        st = origins_of(f, &f->v, p, &f->orig[p], &f->n_orig[p]);
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
    const size_t K = head_width(f);
    const float *v = o + u * K;
    if (f->spec.loss == RNNC_FLOSS_GAUSSIAN) {
        const double sg = softplus(v[1]);
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
    const size_t L = (size_t)f->spec.lookback, I = f->I, NT = f->NT, Hs = head_steps(f);
    const size_t NI = (size_t)rnnc_forecaster_intervals(f, NULL), K = head_width(f);
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
                const double lev = window_level(f, rows[b], j);
                if (!(lev > 0)) /* data other than the training CSV */
                    st = RNNC_FAIL(RNNC_ERR_ARG,
                                   "window_norm = level: the forecast from row %zu: the level of "
                                   "target '%s' (the mean of its %zu values before row %zu) is %g; "
                                   "the window is divided by it, so it must be > 0",
                                   t[b], f->names[j], level_len(f), t[b] + done, lev);
            }
        if (st != RNNC_OK)
            break;
        st = fill_inputs(f, rows, B);
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
                    const float lev = level ? (float)window_level(f, rw, j) : 1;
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
    rnnc_status st = make_view(f, s, &v);
    if (st == RNNC_OK)
        st = scale_view(f, &v);
    if (st == RNNC_OK && end > v.T)
        st = RNNC_FAIL(RNNC_ERR_ARG, "a forecast from row %zu: the data has %zu rows", end, v.T);
    const size_t first = (size_t)f->spec.lookback + first_row(f);
    if (st == RNNC_OK && end < first && !first_row(f))
        st = RNNC_FAIL(RNNC_ERR_ARG,
                       "a forecast from row %zu needs the %d rows before it (the lookback); "
                       "start at row %d or later",
                       end, f->spec.lookback, f->spec.lookback);
    if (st == RNNC_OK && end < first)
        st = RNNC_FAIL(RNNC_ERR_ARG,
                       "a forecast from row %zu needs the %d rows before it (the lookback) and "
                       "the %zu before those (difference = %zu); start at row %zu or later",
                       end, f->spec.lookback, first_row(f), first_row(f), first);
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
        to_levels(f, &v, end, steps, zo, zl, zh, NI, lev, zl ? llo : NULL, lhi);
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
                         loss_names[f->spec.loss]);
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
    RNNC_TRY(make_view(f, s, v));
    RNNC_TRY(scale_view(f, v));
    RNNC_TRY(origins_of(f, v, 2, o, n));
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
    const size_t p = ar_order_of(f, v.n_tr), w = ma_window_of(f), season = season_of(f, v.n_tr);
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
            to_levels(f, &v, o[b0 + (size_t)b], H, zo + (size_t)b * H * NT, NULL, NULL, 0, lev,
                      NULL, NULL);
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
    const size_t N = n * H, season = season_of(f, v.n_tr);
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
            to_levels(f, &v, o[b0 + (size_t)b], H, zo + w0, zl + w0 * NI, zh + w0 * NI, NI, lev,
                      llo, lhi);
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
                         loss_names[f->spec.loss]);
    pthread_mutex_lock(&f->lock);
    const rnnc_status st = intervals_locked(f, s, im, crps);
    pthread_mutex_unlock(&f->lock);
    return st;
}
