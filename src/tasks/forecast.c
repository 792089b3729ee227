/* Time-series forecasting: windows of a scaled series -> an RNN encoder -> a dense head giving
 * H steps of every target at once (direct), or one step fed back H times (recursive). Supplies
 * the shared training loop (src/train/fit.c) with batches and losses, compares the model with the
 * baselines on the test part, and reads and writes the forecaster's model file: the model plus
 * metadata "rnnc.task" = "forecast", "rnnc.forecast" (the spec as "key=value" lines),
 * "rnnc.forecast.inputs" (column names, targets first, one per line), "rnnc.forecast.scaler"
 * (per input "shift scale on log", 17 digits) and how the CSV was read ("rnnc.forecast.data",
 * ".time", ".columns", ".categorical"). */
#include "forecaster.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
int rnnc__fc_augmenting(const rnnc_forecast_spec *s) {
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
size_t rnnc__fc_head_width(const rnnc_forecaster *f) {
    return f->spec.loss == RNNC_FLOSS_GAUSSIAN   ? 2
           : f->spec.loss == RNNC_FLOSS_QUANTILE ? (size_t)f->spec.n_quantiles
                                                 : 1;
}

/* Steps the head gives per forward: H (direct) or 1 (recursive). */
size_t rnnc__fc_head_steps(const rnnc_forecaster *f) {
    return f->spec.decoder == RNNC_DECODER_DIRECT ? (size_t)f->spec.horizon : 1;
}

/* The baselines' parameters on a series whose training part has n_tr rows: the AR order
 * (ar_order, or the lookback at most (n_tr - 2)/3), the moving-average window (ma_window, or the
 * lookback) and the seasonal period (season; 1 when it is not shorter than the training part). */
size_t rnnc__fc_ar_order_of(const rnnc_forecaster *f, size_t n_tr) {
    const size_t L = (size_t)f->spec.lookback, cap = n_tr > 2 ? (n_tr - 2) / 3 : 0;
    return f->spec.ar_order ? (size_t)f->spec.ar_order : L < cap ? L : cap;
}
size_t rnnc__fc_ma_window_of(const rnnc_forecaster *f) {
    return f->spec.ma_window ? (size_t)f->spec.ma_window : (size_t)f->spec.lookback;
}
size_t rnnc__fc_season_of(const rnnc_forecaster *f, size_t n_tr) {
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
rnnc_status rnnc__fc_make_view(rnnc_forecaster *f, const rnnc_series *s, view *v) {
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

rnnc_status rnnc__fc_scale_view(rnnc_forecaster *f, view *v) {
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
size_t rnnc__fc_first_row(const rnnc_forecaster *f) {
    return f->spec.difference > 0 ? (size_t)f->spec.difference : 0;
}

/* window_norm = level: how many of a window's last target values its level averages: the season
 * when it is 2 to the lookback, else the lookback. */
size_t rnnc__fc_level_len(const rnnc_forecaster *f) {
    const size_t L = (size_t)f->spec.lookback, m = (size_t)f->spec.season;
    return m >= 2 && m <= L ? m : L;
}

/* The level of target j of the window whose input rows are w[0..L) (I values each): the mean of
 * its last level_len values. */
double rnnc__fc_window_level(const rnnc_forecaster *f, const float *w, size_t j) {
    const size_t L = (size_t)f->spec.lookback, n = rnnc__fc_level_len(f), I = f->I;
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
void rnnc__fc_to_levels(const rnnc_forecaster *f, const view *v, size_t t, size_t steps,
                        const float *zo, const float *zl, const float *zh, size_t NI, double *lev,
                        double *llo, double *lhi) {
    const size_t k = rnnc__fc_first_row(f), NT = f->NT, I = f->I;
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
    h->units = (int)(rnnc__fc_head_steps(f) * f->NT * rnnc__fc_head_width(f));
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
        st = rnnc__fc_make_view(f, s, &v);
    if (st == RNNC_OK && v.n_tr < (size_t)spec->lookback + rnnc__fc_head_steps(f))
        st = RNNC_FAIL(RNNC_ERR_ARG,
                       "the training part has %zu rows; lookback %d + horizon %zu need more",
                       v.n_tr, spec->lookback, rnnc__fc_head_steps(f));
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
    const size_t nl = rnnc__fc_level_len(f);
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
        st = rnnc__fc_check_scaled(f, &v, data);
    if (st == RNNC_OK)
        st = rnnc__fc_check_baselines(f, &v, data);
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

const char *const rnnc__fc_scaling_names[] = {"none", "zscore", "minmax"};
const char *const rnnc__fc_loss_names[] = {"mse", "mae", "huber", "gaussian", "quantile"};
const char *const rnnc__fc_missing_names[] = {"reject", "ffill", "interpolate"};

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
        s->lookback, s->horizon, s->stride, f->NT, rnnc__fc_scaling_names[s->scaling], s->log,
        s->relative, s->val_fraction, s->test_fraction,
        s->decoder == RNNC_DECODER_DIRECT ? "direct" : "recursive", rnnc__fc_loss_names[s->loss],
        s->huber_delta, s->season, s->ma_window, s->ar_order, rnnc__fc_missing_names[f->missing]);
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

char *rnnc__fc_scaler_to_meta(const rnnc_forecaster *f) {
    const size_t cap = f->I * 96 + 64;
    char *b = malloc(cap);
    if (!b)
        return NULL;
    size_t n = (size_t)snprintf(b, cap, "kind=%s\n", rnnc__fc_scaling_names[f->sc.kind]);
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
    char *sc = rnnc__fc_scaler_to_meta(f);
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

rnnc_status rnnc__fc_save_with(const rnnc_forecaster *f, const char *path, const char *key,
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
    return rnnc__fc_save_with(f, path, NULL, NULL);
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
            ok = (s->scaling = word(v, rnnc__fc_scaling_names, 3)) >= 0;
        else if (!strcmp(k, "loss"))
            ok = (s->loss = word(v, rnnc__fc_loss_names, 5)) >= 0;
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
            ok = (f->missing = word(v, rnnc__fc_missing_names, 3)) >= 0;
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
        (f->sc.kind = word(kind, rnnc__fc_scaling_names, 3)) < 0)
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
    char *spec = spec_to_meta(f), *names = join_lines(f->names, f->I),
         *sc = rnnc__fc_scaler_to_meta(f);
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
        (g->I != f->I || g->NT != f->NT || rnnc__fc_head_steps(g) != rnnc__fc_head_steps(f) ||
         rnnc__fc_head_width(g) != rnnc__fc_head_width(f) ||
         g->spec.n_quantiles != f->spec.n_quantiles ||
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
    char *sc = rnnc__fc_scaler_to_meta(f);
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
            (size_t)h->units != rnnc__fc_head_steps(f) * f->NT * rnnc__fc_head_width(f) ||
            c->n_layers < 2)
            st = RNNC_FAIL(RNNC_ERR_FORMAT,
                           "%s: the model (input_size %d, last layer %d units) does not fit the "
                           "forecast metadata (%zu inputs, %zu units)",
                           path, c->input_size, h->units, f->I,
                           rnnc__fc_head_steps(f) * f->NT * rnnc__fc_head_width(f));
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
