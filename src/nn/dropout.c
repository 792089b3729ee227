/* Inverted dropout (Srivastava et al. 2014): scale kept units by 1/(1-p) during training so
 * inference is the identity. The mask is drawn from the model's seeded generator in double, so the
 * float and double builds draw the same mask. */
#include "layers.h"

void rnnc__dropout_forward(rnnc_rng *rng, double p, size_t n, const real *x, real *y, real *mask) {
    const real keep = (real)(1.0 / (1.0 - p));
    for (size_t i = 0; i < n; i++) {
        mask[i] = rnnc_rng_uniform(rng) < p ? 0 : keep;
        y[i] = x[i] * mask[i];
    }
}

void rnnc__dropout_backward(size_t n, const real *mask, const real *dy, real *dx) {
    for (size_t i = 0; i < n; i++)
        dx[i] += dy[i] * mask[i];
}
