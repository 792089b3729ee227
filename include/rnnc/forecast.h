/* rnnc/forecast.h: forecasting: baselines, forecast metrics and the forecaster.
 * Part of the public API; include "rnnc.h" for all of it (its conventions hold here). */
#ifndef RNNC_FORECAST_H
#define RNNC_FORECAST_H

#include "trainfile.h"
#include "series.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Forecasting (docs/forecast.md): baselines, forecast metrics and the forecaster
 */
/* Baselines, each forecasting y[t..t+H) from the history y[0..t) alone (t >= 1):
 *   NAIVE:          y[t-1] for every step (the random walk);
 *   SEASONAL_NAIVE: step h (0-based) gets y[t+h-m*k], k = floor(h/m)+1: the last value of the
 *                   same season (param = period m >= 1; m = 1 is NAIVE);
 *   MEAN:           the mean of the last w = param values (a moving average), every step;
 *   AR:             an autoregression of order p = param with intercept, coef (p+1) =
 *                   (c, a_1..a_p) from rnnc_ar_fit: y_t = c + sum_k a_k y_{t-k}, iterated over
 *                   the H steps on its own forecasts.
 * RNNC_ERR_ARG when the history is shorter than the method needs (m, w or p values). */
enum rnnc_baseline {
    RNNC_BASELINE_NAIVE = 1,
    RNNC_BASELINE_SEASONAL_NAIVE,
    RNNC_BASELINE_MEAN,
    RNNC_BASELINE_AR
};
rnnc_status rnnc_baseline_forecast(int kind, const double *y, size_t t, size_t H, size_t param,
                                   const double *coef, double *out);
/* Least-squares fit of an AR(p) with intercept on y (n) (Householder QR on the n - p equations
 * y_t = c + sum_k a_k y_{t-k}, t = p..n-1): coef (p+1) = (c, a_1..a_p). Needs n - p > p + 1. A lag
 * that is a combination of the columns before it (an exactly linear or periodic series) gets
 * coefficient 0: a basic solution, which fits as well as any. */
rnnc_status rnnc_ar_fit(const double *y, size_t n, size_t p, double *coef);
/* The seasonal period of y (n): the lag in [2, max_lag] with the highest autocorrelation among
 * the local maxima of the autocorrelation function of y minus its least-squares line, when that
 * value is at least 0.3; otherwise 1 (no season). */
size_t rnnc_season_detect(const double *y, size_t n, size_t max_lag);
/* The in-sample seasonal naive error: *scale = mean |y[t] - y[t-m]| over t in [m, n); the MASE
 * scale. RNNC_ERR_ARG when m is 0 or n <= m (no pair of values m steps apart). */
rnnc_status rnnc_mase_scale(const double *y, size_t n, size_t m, double *scale);

/* Differencing at lag k >= 1 (k = m: seasonal differencing): d[t] = y[t] - y[t-k] for t in
 * [k, n), and d[t] = 0 for t < k (no value k rows before). Its inverse for a forecast from
 * origin t (t >= k): out[h] = d[h] + y[t+h-k] for h < k (a value of the history y[0..t)), and
 * d[h] + out[h-k] beyond (the forecast's own earlier step), h in [0, H). For the differences of
 * a series, rnnc_difference_invert(y, t, k, d + t, H, out) gives back y[t..t+H) (exactly where
 * each y[t] - y[t-k] is exact in double, as for values of one float or integer magnitude). */
rnnc_status rnnc_difference_apply(const double *y, size_t n, size_t k, double *d);
rnnc_status rnnc_difference_invert(const double *y, size_t t, size_t k, const double *d, size_t H,
                                   double *out);

/* Point forecast errors over n values: MAE, RMSE, MAPE (percent, over the actuals that are not
 * 0; NAN when all are), sMAPE (percent, 200 |e| / (|y| + |f|), 0 when both are 0) and MASE (MAE /
 * scale, Hyndman & Koehler 2006). */
typedef struct rnnc_forecast_metrics {
    size_t n;
    double mae, rmse, mape, smape, mase;
} rnnc_forecast_metrics;
rnnc_forecast_metrics rnnc_forecast_score(const double *pred, const double *actual, size_t n,
                                          double scale);

/* How a forecaster predicts H steps: the head gives all H steps at once from the encoder's last
 * state (direct), or one step that is fed back as the next input H times (recursive; trained
 * one step ahead on true inputs, i.e. teacher forcing; needs no covariates). */
enum rnnc_decoder { RNNC_DECODER_DIRECT = 0, RNNC_DECODER_RECURSIVE = 1 };
/* The training loss, in scaled units. MSE, MAE and Huber train a point forecast. GAUSSIAN and
 * QUANTILE train a probabilistic head (docs/forecast.md): GAUSSIAN gives each step a mean and a
 * scale sigma = softplus(raw) and trains the Gaussian negative log-likelihood of variance sigma^2
 * (rnnc_loss_gaussian_nll, eps 1e-6); its intervals are mean -+ z sigma for 80% and 95%.
 * QUANTILE gives each step the spec's quantiles and trains the pinball loss
 * (rnnc_loss_pinball); the median is the point forecast and each pair (q, 1 - q) an interval of
 * level 1 - 2q. Both need the direct decoder. */
enum rnnc_forecast_loss {
    RNNC_FLOSS_MSE = 0,
    RNNC_FLOSS_MAE,
    RNNC_FLOSS_HUBER,
    RNNC_FLOSS_GAUSSIAN,
    RNNC_FLOSS_QUANTILE
};
#define RNNC_FORECAST_MAX_QUANTILES 15
#define RNNC_FORECAST_MAX_INTERVALS 7

/* A forecaster's setup. Column lists are comma-separated names of the series' columns. */
typedef struct rnnc_forecast_spec {
    size_t struct_size;    /* set by rnnc_forecast_spec_init(); see docs/api.md, "Compatibility" */
    int lookback;          /* L input steps per window. 24 */
    int horizon;           /* H steps predicted. 1 */
    int stride;            /* steps between the starts of training windows. 1 */
    char targets[512];     /* the predicted columns; "" = the series' first column */
    char covariates[1024]; /* further input columns (their future is not predicted); "" = none */
    enum rnnc_scaling scaling; /* RNNC_SCALE_ZSCORE */
    int log;                   /* log1p of the targets before scaling. 0 */
    int relative;              /* each window's target inputs and outputs are taken relative to the
                             last input value of the target (scaled units), so the model learns
                             changes, not levels, and follows a trend out of the training range.
                             0 */
    double val_fraction;       /* the validation part, before the test part. 0.1 */
    double test_fraction;      /* the test part, the last rows. 0.2 */
    enum rnnc_decoder decoder; /* RNNC_DECODER_DIRECT */
    enum rnnc_forecast_loss loss; /* RNNC_FLOSS_MSE (in scaled units) */
    double huber_delta;           /* 1 */
    /* loss = QUANTILE: n_quantiles values, increasing, in (0, 1), 0.5 among them and each q below
     * 0.5 with its mirror 1 - q (at least one pair); otherwise n_quantiles is 0 */
    int n_quantiles;
    double quantiles[RNNC_FORECAST_MAX_QUANTILES];
    /* K models (1..32) trained alike with seeds seed + k (initialization and shuffling), member
     * k >= 1 in <out_dir>/member-k; forecasts and interval bounds are their element-wise median
     * (in scaled units; the mean of the middle two for even K). 1 */
    int ensemble;
    int season;    /* period m of seasonal naive and MASE; 0: rnnc_season_detect on the
                             training part of the first target (lags up to min(n/3, 400)) */
    int ma_window; /* moving-average window; 0: lookback */
    int ar_order;  /* AR order; 0: lookback, at most (training rows - 2)/3 */
    /* Training only: each training window is augmented (rnnc_series_augment, drawing from the
     * model's generator); validation, evaluation and forecasts never are. 0: off */
    rnnc_series_augment_spec augment;
    /* The model learns the targets differenced at this lag (scaled units): rows t and t-k
     * (rnnc_difference_apply), inputs and outputs alike; forecasts and interval bounds are mapped
     * back by adding the level k rows before (rnnc_difference_invert). 0: none; k >= 1: lag k
     * (1: first differences, the season m: seasonal differencing); RNNC_DIFFERENCE_SEASON: the
     * season in use (detected or given). Windows start k rows later (their inputs need the row k before);
     * intervals need k >= horizon (their bounds are shifted by known values only). 0 */
    int difference;
    /* RNNC_WINDOW_NORM_LEVEL: each window's target columns, inputs and outputs, are divided by
     * the window's level, the mean of its last m target values (m: the season when it is 2 to
     * lookback, else the lookback), minus 1, in original units (the targets are not scaled); the
     * forecasts and interval bounds are (v + 1) * level. Needs every level > 0, and neither log,
     * relative nor difference (each already anchors the window). RNNC_WINDOW_NORM_NONE */
    int window_norm;
} rnnc_forecast_spec;
enum rnnc_window_norm { RNNC_WINDOW_NORM_NONE = 0, RNNC_WINDOW_NORM_LEVEL = 1 };
#define RNNC_DIFFERENCE_SEASON (-1)
/* Fills *s with the defaults: its first `size` bytes (the caller's sizeof), struct_size = size. */
void rnnc_forecast_spec_defaults(rnnc_forecast_spec *s, size_t size);
static inline rnnc_forecast_spec rnnc_forecast_spec_init(void) {
    rnnc_forecast_spec s;
    rnnc_forecast_spec_defaults(&s, sizeof s);
    return s;
}

typedef struct rnnc_forecaster rnnc_forecaster;

/* A new forecaster for series s: resolves the columns (inputs are the targets then the
 * covariates, I = their count), splits s, fits the scaling on the training part only, fixes the
 * season, and builds the model: the encoder layers of cfg (recurrent layers; cfg->input_size 0 or
 * I), then a linear dense head named "head" with H*targets units (direct) or targets units
 * (recursive), on the encoder's last output. src (may be NULL) is how s was read; it is stored
 * so that the model file alone reads new data the same way. Everything the model file's own
 * evaluation and forecasts need of s is checked here, before any training (RNNC_ERR_ARG, the
 * message naming src->path and the option or column): a test part holding a window; season below
 * the training part's rows, a difference lag that leaves the training part a window (difference
 * = season: the season in use, at least the horizon with an interval head), ma_window at most them, ar_order at most (rows - 2)/2 and an AR fit
 * that succeeds on every target's training part; every value scaling to at most 1e30; column
 * names the metadata stores one per line; the metadata reading back as written. Owned by the
 * caller. */
rnnc_status rnnc_forecaster_create(const rnnc_config *cfg, const rnnc_forecast_spec *spec,
                                   const rnnc_series *s, const rnnc_series_source *src,
                                   uint64_t seed, rnnc_forecaster **out);
/* Loads a model file; an ensemble's file loads its members from the files next to it
 * (rnnc_forecaster_save), each checked against the fingerprint the first file records. */
rnnc_status rnnc_forecaster_load(const char *path, rnnc_forecaster **out);
/* Writes the model file atomically: the model plus metadata "rnnc.task" = "forecast" and
 * "rnnc.forecast" (the spec, the columns, how to read the CSV, the scaling statistics). A file
 * that rnnc_forecaster_load would refuse (metadata that does not read back, weights that are not
 * finite) is not written, and the one at path stays. An ensemble of K writes members 1..K-1 first,
 * each a plain forecaster's file, as NAME.member<k>.safetensors beside path (NAME: path without
 * ".safetensors"), then path itself: member 0 with "ensemble=K" and each member's file name and
 * parameter fingerprint ("rnnc.forecast.members"). */
rnnc_status rnnc_forecaster_save(const rnnc_forecaster *f, const char *path);
void rnnc_forecaster_free(rnnc_forecaster *f);
/* The parts (borrowed). The spec's season is the period in use (detected or given). */
rnnc_model *rnnc_forecaster_model(rnnc_forecaster *f);
const rnnc_forecast_spec *rnnc_forecaster_spec(const rnnc_forecaster *f);
const rnnc_scaler *rnnc_forecaster_scaler(const rnnc_forecaster *f);
/* The CSV reading options stored with the forecaster (strings borrowed; path is the training
 * data's, "" when unknown). */
rnnc_series_source rnnc_forecaster_source(const rnnc_forecaster *f);
/* Input names (targets first) and their count; *n_targets gets the number of targets. */
int rnnc_forecaster_inputs(const rnnc_forecaster *f, const char *const **names, int *n_targets);

/* Windows of series s in part 0 (training), 1 (validation) or 2 (test), with s split as at
 * creation. A window whose first target row is t has inputs rows [t-L, t) and targets rows
 * [t, t+H) (H = 1 for a recursive decoder's training windows, parts 0 and 1); every target row
 * lies inside the part, inputs may reach back into earlier parts, but not before row k with
 * difference k (t >= L + k). Training windows start every stride rows, the others every row. */
rnnc_status rnnc_forecaster_windows(rnnc_forecaster *f, const rnnc_series *s, int part,
                                    size_t *count);
/* Window w of that part: its first target row, the scaled inputs x (L,I) and targets y
 * (Hw,targets) (either may be NULL), as the model sees them: the targets' columns differenced
 * with difference k (not relative to the window's last value). */
rnnc_status rnnc_forecaster_window(rnnc_forecaster *f, const rnnc_series *s, int part, size_t w,
                                   size_t *t, float *x, float *y);

/* Trains on s's training windows, validating on its validation windows (if any) after every
 * epoch, with the shared trainer (checkpoints, early stopping, schedules, metrics.jsonl). The loss
 * is in scaled units. With spec ensemble K > 1, trains K models one after the other (member k with
 * the creation seed + k and spec->seed + k, its files in spec->out_dir/member-k for k >= 1; *last
 * is the last member's report), then writes the ensemble to spec->out_dir/model.safetensors;
 * spec->resume is refused (RNNC_ERR_ARG). */
rnnc_status rnnc_forecaster_fit(rnnc_forecaster *f, const rnnc_series *s, const rnnc_fit_spec *spec,
                                rnnc_epoch_report *last);
/* Forecasts `steps` values of every target after row end-1 from rows [end-L, end) of s:
 * out (steps, targets) in original units. steps beyond the horizon roll forecasts forward as
 * inputs (only without covariates). */
rnnc_status rnnc_forecaster_predict(rnnc_forecaster *f, const rnnc_series *s, size_t end,
                                    size_t steps, double *out);

/* The central prediction intervals of the forecaster's head: their levels (percent, ascending)
 * into levels (RNNC_FORECAST_MAX_INTERVALS; may be NULL); returns their count, 0 for a point
 * forecaster. GAUSSIAN: 80 and 95; QUANTILE: 100 (1 - 2q) for each quantile q below 0.5. */
int rnnc_forecaster_intervals(const rnnc_forecaster *f, double *levels);
/* rnnc_forecaster_predict with the intervals: lo and hi (steps, targets, intervals) get the
 * bounds in original units. A quantile head's values are sorted first (quantiles trained apart
 * may cross), so its intervals are nested and hold the median. steps must be at most the
 * horizon; RNNC_ERR_ARG for a point forecaster. */
rnnc_status rnnc_forecaster_predict_intervals(rnnc_forecaster *f, const rnnc_series *s, size_t end,
                                              size_t steps, double *out, double *lo, double *hi);

/* Interval scores over n values: the fraction of y inside [lo, hi] (bounds included), and the
 * mean interval score of a central (1 - alpha) interval (Gneiting & Raftery 2007; M4's MSIS
 * before its scaling): (hi - lo) + 2/alpha (lo - y) where y < lo + 2/alpha (y - hi) where y > hi.
 * NAN for n = 0 or alpha outside (0, 1). */
double rnnc_interval_coverage(const double *lo, const double *hi, const double *y, size_t n);
double rnnc_interval_score(const double *lo, const double *hi, const double *y, size_t n,
                           double alpha);
/* The continuous ranked probability score of N(mu, sigma^2) at y, closed form (Gneiting &
 * Raftery 2007): sigma (z (2 Phi(z) - 1) + 2 phi(z) - 1/sqrt(pi)), z = (y - mu)/sigma; |y - mu|
 * for sigma 0. */
double rnnc_crps_gaussian(double mu, double sigma, double y);

/* The interval metrics of one interval and target over the test windows: its level (percent),
 * the coverage (fraction of actual values inside) and MSIS (the mean interval score over the
 * MASE scale, M4's definition at alpha = 1 - level/100). */
typedef struct rnnc_interval_metrics {
    double level, coverage, msis;
} rnnc_interval_metrics;
/* Over the test windows of rnnc_forecaster_evaluate: im (intervals, targets), and crps (targets;
 * may be NULL) the mean CRPS in original units of a GAUSSIAN head without log (the distribution
 * stays Gaussian through the scaling), NAN otherwise. RNNC_ERR_ARG for a point forecaster. */
rnnc_status rnnc_forecaster_evaluate_intervals(rnnc_forecaster *f, const rnnc_series *s,
                                               rnnc_interval_metrics *im, double *crps);

/* Methods compared by rnnc_forecaster_evaluate, in this order. */
enum rnnc_forecast_method {
    RNNC_FM_MODEL = 0,
    RNNC_FM_NAIVE,
    RNNC_FM_SEASONAL_NAIVE,
    RNNC_FM_MEAN,
    RNNC_FM_AR,
    RNNC_FM_COUNT
};
/* "rnn", "naive", "seasonal_naive", "moving_average", "ar" (NULL out of range). */
const char *rnnc_forecast_method_name(int method);
/* The model and every baseline over every test window (H steps each, origins every row), per
 * target: m (RNNC_FM_COUNT, targets). MASE is scaled by the seasonal naive error (period: the
 * spec's season, 1 when it is not shorter than the training part) of the training part; AR is
 * fitted on the training part. *scale (may be NULL) gets each target's scale (targets). */
rnnc_status rnnc_forecaster_evaluate(rnnc_forecaster *f, const rnnc_series *s,
                                     rnnc_forecast_metrics *m, double *scale);

/* A forecasting training file: the run's sections (rnnc_run_config) with a [forecast]
 * section naming the CSV and the keys of docs/forecast.md; the layer sections describe the
 * encoder ([model] input_size may be left out: the data sets it) and [data] is not used. */
typedef struct rnnc_forecast_config {
    rnnc_run_config run;
    rnnc_forecast_spec spec;
    char data[1024]; /* the CSV */
    char time[256], columns[1024], categorical[256];
    enum rnnc_missing missing;
    int sort_time; /* rnnc_series_source's sort_time */
    /* [forecast] max_read_bytes, max_text_bytes, max_records, max_members (0: the default) */
    rnnc_read_limits limits;
} rnnc_forecast_config;
/* Reads a forecasting training file (rnnc_train_file_open); errors name the file and line. */
rnnc_status rnnc_forecast_config_parse(const rnnc_train_file *f, rnnc_forecast_config *out);
/* rnnc_train_file_open + rnnc_forecast_config_parse + rnnc_train_file_free. */
rnnc_status rnnc_forecast_config_read(const char *path, const char *const *overrides, int n,
                                      rnnc_forecast_config *out);

#ifdef __cplusplus
}
#endif
#endif /* RNNC_FORECAST_H */
