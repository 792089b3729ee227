/* Global pooling over time, as Keras's GlobalMaxPooling1D / GlobalAveragePooling1D with a mask:
 * only the steps holding data count, so padding never wins a max or dilutes a mean. */
#include "layers.h"

void rnnc__pool_forward(int mode, size_t T, size_t B, size_t F, const real *x,
                        const unsigned char *active, real *y, int32_t *arg) {
    for (size_t b = 0; b < B; b++) {
        real *yb = y + b * F;
        int32_t *ab = arg + b * F;
        size_t n = 0;
        for (size_t t = 0; t < T; t++) {
            if (!active[t * B + b])
                continue;
            const real *xt = x + (t * B + b) * F;
            if (n == 0) {
                for (size_t f = 0; f < F; f++)
                    yb[f] = xt[f], ab[f] = (int32_t)t;
            } else if (mode == RNNC_POOL_MAX) {
                for (size_t f = 0; f < F; f++)
                    if (xt[f] > yb[f])
                        yb[f] = xt[f], ab[f] = (int32_t)t; /* first max wins ties */
            } else {
                for (size_t f = 0; f < F; f++)
                    yb[f] += xt[f];
            }
            n++;
        }
        if (mode == RNNC_POOL_MEAN && n > 0)
            for (size_t f = 0; f < F; f++)
                yb[f] /= (real)n;
        if (n == 0)
            for (size_t f = 0; f < F; f++)
                yb[f] = 0, ab[f] = -1;
    }
}

void rnnc__pool_backward(int mode, size_t T, size_t B, size_t F, const unsigned char *active,
                         const int32_t *arg, const real *dy, real *dx) {
    for (size_t b = 0; b < B; b++) {
        const real *db = dy + b * F;
        if (mode == RNNC_POOL_MAX) {
            for (size_t f = 0; f < F; f++)
                if (arg[b * F + f] >= 0)
                    dx[((size_t)arg[b * F + f] * B + b) * F + f] += db[f];
            continue;
        }
        size_t n = 0;
        for (size_t t = 0; t < T; t++)
            n += active[t * B + b] != 0;
        if (n == 0)
            continue;
        for (size_t t = 0; t < T; t++) {
            if (!active[t * B + b])
                continue;
            real *dxt = dx + (t * B + b) * F;
            for (size_t f = 0; f < F; f++)
                dxt[f] += db[f] / (real)n;
        }
    }
}
