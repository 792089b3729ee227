/* Losses: the mean over the counted elements, as torch.nn's losses with reduction='mean'; every sum
 * is taken in double, and so is every per-element value before the final division. */
#include "../core/core.h"
#include "rnnc/train.h"

#include <math.h>

double rnnc_loss_mse(const float *pred, const float *target, size_t n, float *grad) {
    if (n == 0)
        return 0;
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        double d = (double)pred[i] - target[i];
        sum += d * d;
        if (grad)
            grad[i] = (float)(2 * d / (double)n);
    }
    return sum / (double)n;
}

double rnnc_loss_bce_logits(const float *logits, const float *target, size_t n, float *grad) {
    if (n == 0)
        return 0;
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        double z = logits[i], y = target[i];
        /* log(1 + exp(z)) - z*y, rewritten so exp never overflows */
        sum += (z > 0 ? z : 0) - z * y + log1p(exp(-fabs(z)));
        if (grad) {
            double s = z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z));
            grad[i] = (float)((s - y) / (double)n);
        }
    }
    return sum / (double)n;
}

double rnnc_loss_mae(const float *pred, const float *target, size_t n, float *grad) {
    if (n == 0)
        return 0;
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        double d = (double)pred[i] - target[i];
        sum += fabs(d);
        /* The subgradient at d == 0 is taken as 0, as torch's sign(). */
        if (grad)
            grad[i] = (float)((d > 0 ? 1.0 : d < 0 ? -1.0 : 0.0) / (double)n);
    }
    return sum / (double)n;
}

rnnc_status rnnc_loss_huber(const float *pred, const float *target, size_t n, double delta,
                            double *loss, float *grad) {
    if (!(delta > 0) || !isfinite(delta))
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_loss_huber: delta must be finite and > 0, got %g",
                         delta);
    if (!loss)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_loss_huber: loss is NULL");
    *loss = 0;
    if (n == 0)
        return RNNC_OK;
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        double d = (double)pred[i] - target[i], a = fabs(d);
        /* Quadratic inside |d| < delta, linear outside; value and slope are continuous at delta. */
        sum += a < delta ? 0.5 * d * d : delta * (a - 0.5 * delta);
        if (grad) {
            double g = d < -delta ? -delta : d > delta ? delta : d;
            grad[i] = (float)(g / (double)n);
        }
    }
    *loss = sum / (double)n;
    return RNNC_OK;
}

rnnc_status rnnc_loss_gaussian_nll(const float *mean, const float *var, const float *target,
                                   size_t n, int full, double eps, double *loss, float *grad_mean,
                                   float *grad_var) {
    if (!mean || !var || !target || !loss)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_loss_gaussian_nll: %s is NULL",
                         !mean     ? "mean"
                         : !var    ? "var"
                         : !target ? "target"
                                   : "loss");
    if (!(eps > 0) || !isfinite(eps))
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_loss_gaussian_nll: eps must be finite and > 0, got %g",
                         eps);
    for (size_t i = 0; i < n; i++)
        if (!(var[i] >= 0))
            return RNNC_FAIL(RNNC_ERR_ARG,
                             "rnnc_loss_gaussian_nll: variance %zu is %g; variances must be >= 0",
                             i, (double)var[i]);
    *loss = 0;
    if (n == 0)
        return RNNC_OK;
    const double half_log_2pi = 0.5 * log(2 * acos(-1.0));
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        const double v = var[i] > eps ? (double)var[i] : eps, d = (double)mean[i] - target[i];
        sum += 0.5 * (log(v) + d * d / v) + (full ? half_log_2pi : 0);
        if (grad_mean)
            grad_mean[i] = (float)(d / v / (double)n);
        if (grad_var)
            grad_var[i] = (float)(0.5 * (1 / v - d * d / (v * v)) / (double)n);
    }
    *loss = sum / (double)n;
    return RNNC_OK;
}

rnnc_status rnnc_loss_pinball(const float *pred, const float *target, size_t n, const double *q,
                              size_t nq, double *loss, float *grad) {
    if (!pred || !target || !q || !loss)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_loss_pinball: %s is NULL",
                         !pred     ? "pred"
                         : !target ? "target"
                         : !q      ? "q"
                                   : "loss");
    if (nq == 0)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_loss_pinball: no quantile");
    for (size_t k = 0; k < nq; k++)
        if (!(q[k] > 0 && q[k] < 1))
            return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_loss_pinball: quantile %zu is %g, outside (0, 1)",
                             k, q[k]);
    size_t total;
    if (rnnc__mul(n, nq, &total) != 0)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "rnnc_loss_pinball: n*nq = %zu*%zu overflows", n, nq);
    *loss = 0;
    if (total == 0)
        return RNNC_OK;
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < nq; k++) {
            const double e = (double)target[i] - pred[i * nq + k];
            sum += e >= 0 ? q[k] * e : (q[k] - 1) * e;
            if (grad)
                grad[i * nq + k] = (float)((e > 0   ? -q[k]
                                            : e < 0 ? 1 - q[k]
                                                    : 0.5 - q[k]) /
                                           (double)total);
        }
    *loss = sum / (double)total;
    return RNNC_OK;
}

/* Checks every target of a softmax cross-entropy and counts the rows that are not ignored. */
static rnnc_status ce_count(const int32_t *target, size_t N, size_t C, int32_t ignore_index,
                            size_t *counted) {
    size_t k = 0;
    for (size_t i = 0; i < N; i++) {
        if (target[i] == ignore_index)
            continue;
        if (target[i] < 0 || (uint64_t)target[i] >= (uint64_t)C)
            return RNNC_FAIL(RNNC_ERR_ARG,
                             "rnnc_loss_softmax_ce: target of row %zu is %ld, outside [0, %zu) "
                             "and not ignore_index %ld",
                             i, (long)target[i], C, (long)ignore_index);
        k++;
    }
    *counted = k;
    return RNNC_OK;
}

rnnc_status rnnc_loss_softmax_ce(const float *logits, const int32_t *target, size_t N, size_t C,
                                 int32_t ignore_index, double *loss, size_t *counted, float *grad) {
    if (!logits || !target || !loss)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_loss_softmax_ce: %s is NULL",
                         !logits   ? "logits"
                         : !target ? "target"
                                   : "loss");
    if (C == 0)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_loss_softmax_ce: C (classes) is 0");
    size_t total;
    if (rnnc__mul(N, C, &total) != 0)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "rnnc_loss_softmax_ce: N*C = %zu*%zu overflows", N, C);
    /* Targets are checked before anything is written, so a failed call leaves grad untouched. */
    size_t k = 0;
    RNNC_TRY(ce_count(target, N, C, ignore_index, &k));
    double sum = 0, inv = k ? 1.0 / (double)k : 0;
    for (size_t i = 0; i < N; i++) {
        const float *z = logits + i * C; /* (C) */
        float *g = grad ? grad + i * C : NULL;
        if (target[i] == ignore_index) {
            if (g)
                for (size_t c = 0; c < C; c++)
                    g[c] = 0;
            continue;
        }
        /* log sum_c exp(z_c) = m + log sum_c exp(z_c - m) with m the row maximum: every exponent
         * is <= 0 and the largest term is 1, so nothing overflows and the sum is >= 1. */
        double m = z[0];
        for (size_t c = 1; c < C; c++)
            m = z[c] > m ? z[c] : m;
        double s = 0;
        for (size_t c = 0; c < C; c++)
            s += exp((double)z[c] - m);
        double lse = m + log(s);
        sum += lse - z[target[i]];
        if (g) {
            /* d(row loss)/dz_c = softmax(z)_c - [c == target]; divided by the counted rows. */
            for (size_t c = 0; c < C; c++) {
                double p = exp((double)z[c] - m) / s;
                g[c] = (float)((p - ((size_t)target[i] == c ? 1.0 : 0.0)) * inv);
            }
        }
    }
    *loss = sum * inv;
    if (counted)
        *counted = k;
    return RNNC_OK;
}

double rnnc_metric_perplexity(double mean_ce) {
    return exp(mean_ce);
}
