/* Losses: mean over elements, sums in double. */
#include "rnnc.h"

#include <math.h>

double rnnc_loss_mse(const float *pred, const float *target, size_t n, float *grad) {
    if (n == 0) return 0;
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        double d = (double)pred[i] - target[i];
        sum += d * d;
        if (grad) grad[i] = (float)(2 * d / (double)n);
    }
    return sum / (double)n;
}

double rnnc_loss_bce_logits(const float *logits, const float *target, size_t n, float *grad) {
    if (n == 0) return 0;
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
