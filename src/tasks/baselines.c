/* Forecasting baselines (naive, seasonal naive, moving average, least-squares autoregression),
 * seasonal period detection and point-forecast metrics (Hyndman & Koehler 2006, "Another look at
 * measures of forecast accuracy"). */
#include "../core/core.h"
#include "rnnc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Least squares min |A x - b| for a column-major (m,n) A, m > n, by Householder QR, x into
 * x[0..n); A and b are overwritten, kept (n) is workspace. A column that is (to 1e-10 of its norm) a combination of the
 * columns before it is left out with coefficient 0, so a rank-deficient problem (a series that is
 * exactly linear, or exactly periodic) gets a basic solution that fits as well as any. */
static void least_squares(double *A, size_t m, size_t n, double *b, double *x, size_t *kept) {
    size_t rank = 0; /* kept[q]: the column of R's row q */
    for (size_t j = 0; j < n; j++) {
        x[j] = 0;
        double *col = A + j * m, norm = 0, full = 0;
        for (size_t i = 0; i < m; i++)
            full = hypot(full, col[i]);
        for (size_t i = rank; i < m; i++)
            norm = hypot(norm, col[i]);
        if (norm <= 1e-10 * full)
            continue; /* dependent: left out */
        const double alpha =
            col[rank] > 0 ? -norm : norm; /* R's diagonal, sign against cancelling */
        col[rank] -= alpha; /* v = a - alpha e_rank in place; H = I - 2 v v^T / (v^T v) */
        double vv = 0;
        for (size_t i = rank; i < m; i++)
            vv += col[i] * col[i];
        for (size_t k = j + 1; k <= n; k++) { /* the columns to the right, then b */
            double *c = k < n ? A + k * m : b, dot = 0;
            for (size_t i = rank; i < m; i++)
                dot += col[i] * c[i];
            const double f = 2 * dot / vv;
            for (size_t i = rank; i < m; i++)
                c[i] -= f * col[i];
        }
        col[rank] = alpha;
        kept[rank++] = j;
    }
    for (size_t q = rank; q-- > 0;) { /* R x = (Q^T b)[0..rank) over the kept columns */
        double s = b[q];
        for (size_t q2 = q + 1; q2 < rank; q2++)
            s -= A[kept[q2] * m + q] * x[kept[q2]];
        x[kept[q]] = s / A[kept[q] * m + q];
    }
}

rnnc_status rnnc_ar_fit(const double *y, size_t n, size_t p, double *coef) {
    if (!y || !coef)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_ar_fit: NULL argument");
    if (p < 1 || n <= p || n - p <= p + 1 || n > (size_t)1 << 28)
        return RNNC_FAIL(RNNC_ERR_ARG, "AR(%zu) needs more than %zu equations; %zu values give %zu",
                         p, p + 1, n, n > p ? n - p : 0);
    const size_t rows = n - p, cols = p + 1;
    size_t cells;
    if (rnnc__mul(rows, cols, &cells) || cells > (size_t)1 << 30)
        return RNNC_FAIL(RNNC_ERR_ARG, "AR(%zu) on %zu values is too large", p, n);
    double *a = NULL, *b = NULL;
    size_t *kept = NULL;
    RNNC_TRY(rnnc__calloc((void **)&a, cells, sizeof(double), "AR design matrix"));
    rnnc_status st = rnnc__calloc((void **)&b, rows, sizeof(double), "AR targets");
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&kept, cols, sizeof(size_t), "AR workspace");
    /* column-major: column 0 the intercept, column k the lag k */
    for (size_t r = 0; st == RNNC_OK && r < rows; r++) {
        const size_t t = p + r;
        a[r] = 1;
        for (size_t k = 1; k <= p; k++)
            a[k * rows + r] = y[t - k];
        b[r] = y[t];
    }
    if (st == RNNC_OK)
        least_squares(a, rows, cols, b, coef, kept);
    for (size_t k = 0; st == RNNC_OK && k < cols; k++) {
        if (!isfinite(coef[k]))
            st = RNNC_FAIL(RNNC_ERR_NUMERIC, "AR(%zu): coefficient %zu is not finite", p, k);
    }
    free(a), free(b), free(kept);
    return st;
}

rnnc_status rnnc_baseline_forecast(int kind, const double *y, size_t t, size_t H, size_t param,
                                   const double *coef, double *out) {
    if (!y || !out || (kind == RNNC_BASELINE_AR && !coef))
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_baseline_forecast: NULL argument");
    if (t < 1)
        return RNNC_FAIL(RNNC_ERR_ARG, "a baseline needs at least one past value");
    switch (kind) {
    case RNNC_BASELINE_NAIVE:
        for (size_t h = 0; h < H; h++)
            out[h] = y[t - 1];
        return RNNC_OK;
    case RNNC_BASELINE_SEASONAL_NAIVE:
        if (param < 1 || param > t)
            return RNNC_FAIL(RNNC_ERR_ARG, "seasonal naive with period %zu needs %zu past values",
                             param, param);
        for (size_t h = 0; h < H; h++) {
            const size_t back = param * (h / param + 1); /* the same season, last seen */
            out[h] = y[t + h - back];
        }
        return RNNC_OK;
    case RNNC_BASELINE_MEAN: {
        if (param < 1 || param > t)
            return RNNC_FAIL(RNNC_ERR_ARG, "a moving average of %zu needs %zu past values", param,
                             param);
        double s = 0;
        for (size_t k = t - param; k < t; k++)
            s += y[k];
        for (size_t h = 0; h < H; h++)
            out[h] = s / (double)param;
        return RNNC_OK;
    }
    case RNNC_BASELINE_AR: {
        if (param < 1 || param > t)
            return RNNC_FAIL(RNNC_ERR_ARG, "AR(%zu) needs %zu past values", param, param);
        for (size_t h = 0; h < H; h++) {
            double v = coef[0];
            for (size_t k = 1; k <= param; k++) /* y[t+h-k], from the forecasts once past t */
                v += coef[k] * (h >= k ? out[h - k] : y[t + h - k]);
            out[h] = v;
        }
        return RNNC_OK;
    }
    default: return RNNC_FAIL(RNNC_ERR_ARG, "unknown baseline %d", kind);
    }
}

size_t rnnc_season_detect(const double *y, size_t n, size_t max_lag) {
    if (!y || n < 8)
        return 1;
    if (max_lag > n / 2)
        max_lag = n / 2;
    if (max_lag < 2)
        return 1;
    /* residuals of the least-squares line, so a trend does not mask the season */
    double st = 0, sy = 0;
    for (size_t t = 0; t < n; t++)
        st += (double)t, sy += y[t];
    const double mt = st / (double)n, my = sy / (double)n;
    double stt = 0, sty = 0;
    for (size_t t = 0; t < n; t++)
        stt += ((double)t - mt) * ((double)t - mt), sty += ((double)t - mt) * (y[t] - my);
    const double slope = stt > 0 ? sty / stt : 0;
    double *r = malloc(n * sizeof *r), *acf = malloc((max_lag + 2) * sizeof *acf);
    if (!r || !acf) {
        free(r), free(acf);
        return 1;
    }
    double var = 0;
    for (size_t t = 0; t < n; t++) {
        r[t] = y[t] - my - slope * ((double)t - mt);
        var += r[t] * r[t];
    }
    size_t best = 1;
    if (var > 0) {
        for (size_t k = 0; k <= max_lag + 1 && k < n; k++) {
            double s = 0;
            for (size_t t = k; t < n; t++)
                s += r[t] * r[t - k];
            acf[k] = s / var;
        }
        double top = 0.3;
        for (size_t k = 2; k <= max_lag && k + 1 < n; k++)
            if (acf[k] > acf[k - 1] && acf[k] >= acf[k + 1] && acf[k] >= top)
                top = acf[k], best = k;
    }
    free(r), free(acf);
    return best;
}

rnnc_status rnnc_mase_scale(const double *y, size_t n, size_t m, double *scale) {
    if (!y || !scale)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_mase_scale: NULL argument");
    if (m < 1 || n <= m)
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "rnnc_mase_scale: %zu values hold no pair %zu steps apart (season %zu)", n,
                         m, m);
    double s = 0;
    for (size_t t = m; t < n; t++)
        s += fabs(y[t] - y[t - m]);
    *scale = s / (double)(n - m);
    return RNNC_OK;
}

rnnc_forecast_metrics rnnc_forecast_score(const double *pred, const double *actual, size_t n,
                                          double scale) {
    rnnc_forecast_metrics m;
    m.n = n;
    m.mae = m.rmse = m.mape = m.smape = m.mase = NAN;
    if (!pred || !actual || n == 0)
        return m;
    double ae = 0, se = 0, pe = 0, spe = 0;
    size_t np = 0;
    for (size_t i = 0; i < n; i++) {
        const double e = pred[i] - actual[i], a = fabs(e);
        ae += a, se += e * e;
        if (actual[i] != 0)
            pe += a / fabs(actual[i]), np++;
        const double den = fabs(actual[i]) + fabs(pred[i]);
        spe += den > 0 ? 2 * a / den : 0;
    }
    m.mae = ae / (double)n;
    m.rmse = sqrt(se / (double)n);
    m.mape = np ? 100 * pe / (double)np : NAN;
    m.smape = 100 * spe / (double)n;
    m.mase = scale > 0 ? m.mae / scale : NAN;
    return m;
}

const char *rnnc_forecast_method_name(int method) {
    static const char *const names[] = {"rnn", "naive", "seasonal_naive", "moving_average", "ar"};
    return method >= 0 && method < RNNC_FM_COUNT ? names[method] : NULL;
}

double rnnc_interval_coverage(const double *lo, const double *hi, const double *y, size_t n) {
    if (!lo || !hi || !y || n == 0)
        return NAN;
    size_t in = 0;
    for (size_t i = 0; i < n; i++)
        in += y[i] >= lo[i] && y[i] <= hi[i];
    return (double)in / (double)n;
}

double rnnc_interval_score(const double *lo, const double *hi, const double *y, size_t n,
                           double alpha) {
    if (!lo || !hi || !y || n == 0 || !(alpha > 0 && alpha < 1))
        return NAN;
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += (hi[i] - lo[i]) + (y[i] < lo[i] ? 2 / alpha * (lo[i] - y[i]) : 0) +
               (y[i] > hi[i] ? 2 / alpha * (y[i] - hi[i]) : 0);
    return sum / (double)n;
}

double rnnc_crps_gaussian(double mu, double sigma, double y) {
    if (!(sigma > 0))
        return fabs(y - mu);
    const double z = (y - mu) / sigma, pi = acos(-1.0);
    const double cdf = 0.5 * erfc(-z / sqrt(2.0)), pdf = exp(-0.5 * z * z) / sqrt(2 * pi);
    return sigma * (z * (2 * cdf - 1) + 2 * pdf - 1 / sqrt(pi));
}

rnnc_status rnnc_difference_apply(const double *y, size_t n, size_t k, double *d) {
    if (!y || !d || k < 1)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_difference_apply: NULL argument or lag 0");
    for (size_t t = 0; t < n; t++)
        d[t] = t < k ? 0 : y[t] - y[t - k];
    return RNNC_OK;
}

rnnc_status rnnc_difference_invert(const double *y, size_t t, size_t k, const double *d, size_t H,
                                   double *out) {
    if (!y || !d || !out || k < 1)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_difference_invert: NULL argument or lag 0");
    if (t < k)
        return RNNC_FAIL(
            RNNC_ERR_ARG,
            "rnnc_difference_invert: an origin at row %zu has no value %zu rows before it", t, k);
    for (size_t h = 0; h < H; h++)
        out[h] = d[h] + (h < k ? y[t + h - k] : out[h - k]);
    return RNNC_OK;
}
