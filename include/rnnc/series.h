/* rnnc/series.h: time series data: CSV series, chronological splits, scaling, window
 * augmentation.
 * Part of the public API; include "rnnc.h" for all of it (its conventions hold here). */
#ifndef RNNC_SERIES_H
#define RNNC_SERIES_H

#include "core.h"
#include "text.h" /* rnnc_read_limits */

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Time series (docs/forecast.md): a CSV file read as a (T,F) table of numbers, its chronological
 * split, scaling fitted on the training part only, baselines, forecast metrics and a forecaster
 * (an RNN encoder with a dense multi-output head) that plugs into the same trainer as the text
 * classifier.
 */
#define RNNC_SERIES_MAX_FEATURES 256
/* The largest magnitude of a value in a series: the squares and sums of the scaling statistics
 * and of the baselines' fits stay finite below it. */
#define RNNC_SERIES_MAX_ABS 1e100

/* What to do with a missing value (the text NA, NaN or an empty field) in a numeric column:
 * refuse the file naming the line and column, carry the last value forward, or interpolate
 * linearly between the neighbouring values (by row). With either fill, values before a column's
 * first number take that first number; a column with no number at all is refused. */
enum rnnc_missing { RNNC_MISSING_REJECT = 0, RNNC_MISSING_FFILL, RNNC_MISSING_INTERPOLATE };

/* Where and how to read a series. Column lists are comma-separated header names or 0-based
 * indices. Start from rnnc_series_source_init(); strings are borrowed for the call. */
typedef struct rnnc_series_source {
    size_t struct_size; /* set by rnnc_series_source_init(); see docs/api.md, "Compatibility" */
    const char *path;
    /* Time stamp column(s); several (e.g. "year,month,day,hour") are composed into one stamp:
     * "YYYY-MM-DD HH:00" when they are named year, month, day and hour (any case), otherwise
     * their texts joined by spaces. NULL: no time column (stamps are the row numbers). */
    const char *time;
    /* Numeric columns, in the order wanted. NULL: every column that is neither time nor
     * categorical, in file order. */
    const char *columns;
    /* Columns one-hot encoded: one 0/1 column "name=value" per distinct value, values sorted by
     * bytes, placed after the numeric columns. NULL: none. */
    const char *categorical;
    enum rnnc_missing missing;
    /* Rows must come oldest first: with time stamps that are all dates of one format
     * (rnnc_series_time_after's) or all numbers, a stamp before the previous row's or equal to
     * it is refused, naming both lines; 1 sorts the rows by their stamps instead (stably; a
     * repeated stamp is still refused, and stamps of no such kind are refused). Other stamps are
     * taken in file order. 0 */
    int sort_time;
    /* The file is read whole: its length after decompression is bounded by limits.text_bytes,
     * its rows by limits.records (rnnc_read_limits; all 0: the defaults). */
    rnnc_read_limits limits;
} rnnc_series_source;

/* A series of T rows (time steps) and F numeric columns. Everything is owned by the series. */
typedef struct rnnc_series {
    size_t T, F;
    double *x;             /* (T,F) row-major values */
    char **names;          /* (F) column names; one-hot columns are "column=value" */
    unsigned char *onehot; /* (F) 1 for one-hot columns */
    char **time;           /* (T) time stamps as read or composed; NULL without a time column */
    size_t filled;         /* missing values filled (0 with RNNC_MISSING_REJECT) */
} rnnc_series;

/* path NULL, no time column, every column numeric, RNNC_MISSING_REJECT, no sorting. */
/* Fills *s with the defaults: its first `size` bytes (the caller's sizeof), struct_size = size. */
void rnnc_series_source_defaults(rnnc_series_source *s, size_t size);
static inline rnnc_series_source rnnc_series_source_init(void) {
    rnnc_series_source s;
    rnnc_series_source_defaults(&s, sizeof s);
    return s;
}
/* Reads a CSV file: a header row, then one row per time step, oldest first (see sort_time). LF
 * or CRLF line ends (the last line may lack one), RFC 4180 quoting ("a ""b""", commas inside
 * quotes), blank lines skipped. Errors (RNNC_ERR_FORMAT) name the file, the line and the column:
 * a row with another number of fields, a text that is not a number or beyond
 * +-RNNC_SERIES_MAX_ABS, a missing value with RNNC_MISSING_REJECT, an unknown column, an
 * unterminated quote, no data rows, more than RNNC_SERIES_MAX_FEATURES columns, time stamps out
 * of order or repeated. Owned by the caller. */
rnnc_status rnnc_series_read(const rnnc_series_source *src, rnnc_series **out);
/* The same from text[0..len) in memory; `name` stands for the file in messages (src->path is not
 * used). For tests and fuzzing. */
rnnc_status rnnc_series_parse(const char *text, size_t len, const char *name,
                              const rnnc_series_source *src, rnnc_series **out);
void rnnc_series_free(rnnc_series *s);
/* The index of the column called `name`, or -1. */
int rnnc_series_column(const rnnc_series *s, const char *name);
/* The time stamp k >= 1 steps after the last row, written into buf (cap bytes), in the format of
 * the stamps read: YYYY-MM (steps of months), YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS] or DD-MM-YY,
 * with the step taken as the most common difference between the last 64 stamps (a daily series
 * without any Saturday or Sunday steps over weekends). Other formats, or no time column, give
 * "+k". RNNC_ERR_ARG when buf is too small. */
rnnc_status rnnc_series_time_after(const rnnc_series *s, size_t k, char *buf, size_t cap);

/* Chronological split of T rows: the last round(T*test_fraction) rows are the test part, the
 * round(T*val_fraction) rows before them the validation part, the rest the training part (which
 * must be non-empty). Fractions in [0, 1) with a sum < 1. */
rnnc_status rnnc_series_split(size_t T, double val_fraction, double test_fraction, size_t *n_train,
                              size_t *n_val, size_t *n_test);

/* Scaling of each column: z = (f(x) - shift) / scale, with f = log1p for columns with log set
 * (values must be > -1), else the identity. Z-score: shift the mean, scale the standard deviation
 * (divisor n, as sklearn's StandardScaler); min-max: shift the minimum, scale max - min (to
 * [0, 1], as MinMaxScaler); none: 0 and 1. A constant column gets scale 1. A plain value. */
enum rnnc_scaling { RNNC_SCALE_NONE = 0, RNNC_SCALE_ZSCORE, RNNC_SCALE_MINMAX };
typedef struct rnnc_scaler {
    enum rnnc_scaling kind;
    size_t F;
    double shift[RNNC_SERIES_MAX_FEATURES], scale[RNNC_SERIES_MAX_FEATURES];
    unsigned char on[RNNC_SERIES_MAX_FEATURES];  /* 0: the column is left as it is (one-hot) */
    unsigned char log[RNNC_SERIES_MAX_FEATURES]; /* 1: log1p before scaling */
} rnnc_scaler;
/* Fits the statistics on rows [0, n_fit) of x (T,F) only: the training part, so no value after
 * it can leak into the scaling. on and log (F) may be NULL (every column on, none logged).
 * Errors: F outside [1, RNNC_SERIES_MAX_FEATURES], n_fit 0, a non-finite value, a logged value
 * <= -1 (the message names the row and column index), statistics that overflow (the column's
 * index). */
rnnc_status rnnc_scaler_fit(rnnc_scaler *sc, int kind, const double *x, size_t n_fit, size_t F,
                            const unsigned char *on, const unsigned char *log);
/* z (T,F) = the scaled x (T,F); RNNC_ERR_NUMERIC naming the row and column for a logged value
 * <= -1 or a non-finite result. */
rnnc_status rnnc_scaler_apply(const rnnc_scaler *sc, const double *x, size_t T, float *z);
/* The original value of column f's scaled value z. */
double rnnc_scaler_invert(const rnnc_scaler *sc, size_t f, double z);

/* Augmentation of one forecasting window, in the scaled (and, with relative windows, relative)
 * units the model sees: window slicing (Le Guennec et al. 2016), scaling and jittering (Um et al.
 * 2017). */
typedef struct rnnc_series_augment_spec {
    double jitter; /* standard deviation of the noise added to every input value; >= 0. 0 */
    double scale;  /* standard deviation of the window's factor, drawn from N(1, scale^2); in
                      [0, 1). 0 */
    double slice;  /* the fraction r of the input steps a slice keeps; in [0, 1], 0 and 1 off. 0 */
} rnnc_series_augment_spec;

/* Rewrites one window: x (L,I) its inputs, whose first n_targets columns are the targets' (the
 * forecaster's layout: targets, then covariates), and y (n_y) its targets, e.g. (H,n_targets).
 * In order, each step skipped when off:
 *   1. slice: m = ceil(r L) steps (a product within 1e-9 of an integer counts as that integer;
 *      at least 1); when m < L, one rnnc_rng_below(L - m + 1) draws the slice's first step s, and
 *      input step j = 0..L-1 of every column becomes the linear interpolation of steps
 *      [s, s + m) at position s + j (m - 1) / (L - 1): the slice, stretched back to L steps, its
 *      first and last steps on the window's first and last. The targets are unchanged;
 *   2. scale: one rnnc_rng_normal z gives the factor k = 1 + scale z, which multiplies the first
 *      n_targets columns of every input step and every target;
 *   3. jitter: jitter times one rnnc_rng_normal is added to every input value, in x's row-major
 *      order (covariates too); the targets get no noise.
 * Arithmetic in double, stored as float. work (L,I) is scratch for slicing (may be NULL when
 * slicing is off). Errors: RNNC_ERR_ARG for a NULL spec or rng, x or y NULL with a size > 0,
 * n_targets > I, jitter negative or not finite, scale outside [0, 1), slice outside [0, 1] (the
 * message names augment_jitter, augment_scale or augment_slice), work NULL when slicing;
 * RNNC_ERR_NOMEM when L * I overflows. */
rnnc_status rnnc_series_augment(const rnnc_series_augment_spec *spec, rnnc_rng *rng, size_t L,
                                size_t I, size_t n_targets, float *x, float *y, size_t n_y,
                                float *work);

#ifdef __cplusplus
}
#endif
#endif /* RNNC_SERIES_H */
