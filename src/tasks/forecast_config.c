/* Forecasting training files: a training file whose [forecast] section names the CSV, its
 * columns and the forecaster's keys (docs/forecast.md). The other sections are read by the
 * training-file reader (src/tasks/trainconfig.c), which hands [forecast] keys to on_key here. */
#include "trainconfig.h"
#include "../formats/values.h"
#include "task.h"

#include <stdio.h>
#include <string.h>

typedef struct fc_reader {
    rnnc_forecast_config *c;
    int seen_data;
    char seen[32][32]; /* keys seen, for repeats */
    int n_seen;
    int quantiles_line, loss_line, decoder_line; /* where they were set (0: not) */
    int difference_line, window_norm_line;       /* of the edited text (rnnc__train_file_where) */
    char difference_at[300], window_norm_at[300];
} fc_reader;

static rnnc_status bad(const char *path, int line, const char *key, const char *value,
                       const char *want) {
    return RNNC_FAIL(RNNC_ERR_FORMAT, "%s:%d: [forecast] %s = '%.60s': expected %s", path, line,
                     key, value, want);
}

static rnnc_status copy(char *dst, size_t cap, const char *path, int line, const char *key,
                        const char *value) {
    if (strlen(value) >= cap)
        return bad(path, line, key, value, "a shorter value");
    snprintf(dst, cap, "%s", value);
    return RNNC_OK;
}

static int pick(const char *v, const char *const *names, int n) {
    for (int i = 0; i < n; i++)
        if (!strcmp(v, names[i]))
            return i;
    return -1;
}

static rnnc_status on_key(void *user, const char *key, const char *value, const char *path,
                          int line) {
    fc_reader *r = user;
    rnnc_forecast_config *c = r->c;
    rnnc_forecast_spec *s = &c->spec;
    long l;
    double d;
    int w;
    if (!strcmp(key, "data")) {
        r->seen_data = 1;
        return copy(c->data, sizeof c->data, path, line, key, value);
    }
    if (!strcmp(key, "time"))
        return copy(c->time, sizeof c->time, path, line, key, value);
    if (!strcmp(key, "columns"))
        return copy(c->columns, sizeof c->columns, path, line, key, value);
    if (!strcmp(key, "categorical"))
        return copy(c->categorical, sizeof c->categorical, path, line, key, value);
    if (!strcmp(key, "targets"))
        return copy(s->targets, sizeof s->targets, path, line, key, value);
    if (!strcmp(key, "covariates"))
        return copy(s->covariates, sizeof s->covariates, path, line, key, value);
    if (!strcmp(key, "missing")) {
        static const char *const m[] = {"reject", "ffill", "interpolate"};
        if ((w = pick(value, m, 3)) < 0)
            return bad(path, line, key, value, "reject, ffill or interpolate");
        c->missing = w;
        return RNNC_OK;
    }
    if (!strcmp(key, "scaling")) {
        static const char *const m[] = {"none", "zscore", "minmax"};
        if ((w = pick(value, m, 3)) < 0)
            return bad(path, line, key, value, "zscore, minmax or none");
        s->scaling = w;
        return RNNC_OK;
    }
    if (!strcmp(key, "decoder")) {
        static const char *const m[] = {"direct", "recursive"};
        if ((w = pick(value, m, 2)) < 0)
            return bad(path, line, key, value, "direct or recursive");
        s->decoder = w;
        r->decoder_line = line;
        return RNNC_OK;
    }
    if (!strcmp(key, "loss")) {
        static const char *const m[] = {"mse", "mae", "huber", "gaussian", "quantile"};
        if ((w = pick(value, m, 5)) < 0)
            return bad(path, line, key, value, "mse, mae, huber, gaussian or quantile");
        s->loss = w;
        r->loss_line = line;
        return RNNC_OK;
    }
    if (!strcmp(key, "quantiles")) {
        r->quantiles_line = line;
        s->n_quantiles = 0;
        char buf[512];
        snprintf(buf, sizeof buf, "%s", value);
        char *save = NULL;
        for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            while (*tok == ' ')
                tok++;
            size_t n = strlen(tok);
            while (n && tok[n - 1] == ' ')
                tok[--n] = 0;
            if (s->n_quantiles == RNNC_FORECAST_MAX_QUANTILES)
                return bad(path, line, key, value, "at most 15 quantiles");
            if (rnnc__value_double(tok, &d))
                return bad(path, line, key, value, "numbers separated by commas (0.1, 0.5, 0.9)");
            s->quantiles[s->n_quantiles++] = d;
        }
        const char *why = rnnc__forecast_quantiles_problem(s->quantiles, s->n_quantiles);
        if (why)
            return RNNC_FAIL(RNNC_ERR_FORMAT,
                             "%s:%d: [forecast] quantiles = '%.60s': the quantiles %s", path, line,
                             value, why);
        return RNNC_OK;
    }
    if (!strcmp(key, "log") || !strcmp(key, "relative") || !strcmp(key, "sort_time")) {
        if (rnnc__value_bool(value, &l))
            return bad(path, line, key, value, "true or false");
        *(!strcmp(key, "log")        ? &s->log
          : !strcmp(key, "relative") ? &s->relative
                                     : &c->sort_time) = (int)l;
        return RNNC_OK;
    }
    const int lim = rnnc__limit_key(key, value, &c->limits);
    if (lim)
        return lim < 0 ? bad(path, line, key, value, "an integer >= 0 (0: the default)") : RNNC_OK;
    if (!strcmp(key, "season") && !strcmp(value, "auto")) {
        s->season = 0;
        return RNNC_OK;
    }
    if (!strcmp(key, "validation_split") || !strcmp(key, "test_split") ||
        !strcmp(key, "huber_delta")) {
        if (rnnc__value_double(value, &d))
            return bad(path, line, key, value, "a finite number");
        *(!strcmp(key, "validation_split") ? &s->val_fraction
          : !strcmp(key, "test_split")     ? &s->test_fraction
                                           : &s->huber_delta) = d;
        return RNNC_OK;
    }
    if (!strcmp(key, "augment_jitter") || !strcmp(key, "augment_scale") ||
        !strcmp(key, "augment_slice")) {
        const int jitter = !strcmp(key, "augment_jitter"), slice = !strcmp(key, "augment_slice");
        if (rnnc__value_double(value, &d) || d < 0 || (!jitter && !slice && d >= 1) ||
            (slice && d > 1))
            return bad(path, line, key, value,
                       jitter  ? "a finite number >= 0 (a standard deviation, scaled units)"
                       : slice ? "a number in [0, 1] (the fraction of the lookback kept; 0 or 1: "
                                 "off)"
                               : "a number in [0, 1) (a standard deviation)");
        *(jitter ? &s->augment.jitter : slice ? &s->augment.slice : &s->augment.scale) = d;
        return RNNC_OK;
    }
    if (!strcmp(key, "difference")) {
        r->difference_line = line;
        if (!strcmp(value, "none") || !strcmp(value, "season")) {
            s->difference = value[0] == 'n' ? 0 : RNNC_DIFFERENCE_SEASON;
            return RNNC_OK;
        }
        if (rnnc__value_long(value, 0, 1000000, &l))
            return bad(path, line, key, value,
                       "none, season or a lag in [1, 1000000] (1: first differences)");
        s->difference = (int)l;
        return RNNC_OK;
    }
    if (!strcmp(key, "window_norm")) {
        r->window_norm_line = line;
        if (!strcmp(value, "none") || !strcmp(value, "level")) {
            s->window_norm = value[0] == 'l' ? RNNC_WINDOW_NORM_LEVEL : RNNC_WINDOW_NORM_NONE;
            return RNNC_OK;
        }
        return bad(path, line, key, value, "none or level");
    }
    if (!strcmp(key, "ensemble")) {
        if (rnnc__value_long(value, 1, 32, &l))
            return bad(path, line, key, value, "an integer in [1, 32] (the number of models)");
        s->ensemble = (int)l;
        return RNNC_OK;
    }
    static const char *const ints[] = {"lookback", "horizon",   "stride",
                                       "season",   "ma_window", "ar_order"};
    int *dst[] = {&s->lookback, &s->horizon, &s->stride, &s->season, &s->ma_window, &s->ar_order};
    if ((w = pick(key, ints, 6)) >= 0) {
        if (rnnc__value_long(value, 0, 1000000, &l))
            return bad(path, line, key, value,
                       w == 3 ? "an integer >= 0 or auto" : "an integer in [0, 1000000]");
        *dst[w] = (int)l;
        return RNNC_OK;
    }
    return RNNC_FAIL(RNNC_ERR_FORMAT,
                     "%s:%d: unknown key '%s' in [forecast] (see docs/forecast.md)", path, line,
                     key);
}

rnnc_status rnnc_forecast_config_read(const char *path, const char *const *overrides, int n,
                                      rnnc_forecast_config *out) {
    return rnnc__train_file_read(path, overrides, n, RNNC__READ_FORECAST, out);
}

rnnc_status rnnc_forecast_config_parse(const rnnc_train_file *f, rnnc_forecast_config *out) {
    if (!f || !out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_forecast_config_parse: NULL argument");
    const char *path = rnnc_train_file_path(f);
    memset(out, 0, sizeof *out);
    out->spec = rnnc_forecast_spec_init();
    out->missing = RNNC_MISSING_REJECT;
    fc_reader r;
    memset(&r, 0, sizeof r);
    r.c = out;
    rnnc__train_hook hook = {"forecast", on_key, &r, 0, 0};
    rnnc_status st = rnnc__train_file_run(f, &out->run, &hook);
    if (st != RNNC_OK)
        return st;
    if (hook.added_input_size)
        out->run.model.input_size = 0; /* set from the data */
    if (!r.seen_data || !out->data[0])
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: [forecast] needs 'data = FILE.csv'", path);
    const rnnc_forecast_spec *s = &out->spec;
    if (s->lookback < 1 || s->horizon < 1 || s->stride < 1)
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s: [forecast] lookback, horizon and stride must be >= 1", path);
    if (!(s->val_fraction >= 0 && s->test_fraction >= 0 && s->val_fraction + s->test_fraction < 1))
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s: [forecast] validation_split and test_split must be >= 0 with a sum "
                         "below 1",
                         path);
    if (!(s->huber_delta > 0))
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: [forecast] huber_delta must be > 0", path);
    if (s->n_quantiles && s->loss != RNNC_FLOSS_QUANTILE)
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s:%d: [forecast] quantiles are given, but loss is not quantile; set "
                         "'loss = quantile' (or drop quantiles)",
                         path, r.quantiles_line);
    if (s->loss == RNNC_FLOSS_QUANTILE && !s->n_quantiles)
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s:%d: [forecast] loss = quantile needs 'quantiles = ...' with 0.5 and "
                         "pairs (q, 1 - q), e.g. 'quantiles = 0.025, 0.1, 0.5, 0.9, 0.975'",
                         path, r.loss_line);
    if (s->loss >= RNNC_FLOSS_GAUSSIAN && s->decoder != RNNC_DECODER_DIRECT)
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s:%d: [forecast] loss = %s gives intervals from the direct decoder "
                         "only (a recursive decoder feeds point forecasts back); use decoder = "
                         "direct",
                         path, r.decoder_line ? r.decoder_line : r.loss_line,
                         s->loss == RNNC_FLOSS_GAUSSIAN ? "gaussian" : "quantile");
    rnnc__train_file_where(f, r.difference_line, r.difference_at, sizeof r.difference_at);
    rnnc__train_file_where(f, r.window_norm_line, r.window_norm_at, sizeof r.window_norm_at);
    if (s->window_norm && (s->log || s->relative || s->difference)) {
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s: [forecast] window_norm = level divides each window by its level, "
                         "and %s anchors the window too; use one of them",
                         r.window_norm_at,
                         s->log        ? "log = true"
                         : s->relative ? "relative = true"
                                       : "difference");
    }
    if (s->loss >= RNNC_FLOSS_GAUSSIAN && s->difference > 0 && s->difference < s->horizon) {
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s: [forecast] difference = %d is shorter than the horizon %d, and "
                         "loss = %s gives intervals only for steps whose value a lag before is "
                         "known; use a lag >= the horizon (or difference = none)",
                         r.difference_at, s->difference, s->horizon,
                         s->loss == RNNC_FLOSS_GAUSSIAN ? "gaussian" : "quantile");
    }
    return RNNC_OK;
}
