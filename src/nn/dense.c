/* Dense (fully connected) layer as torch.nn.Linear followed by an activation:
 * y = act(x W^T + b), W (O,F), b (O); applied to every row of a (N,F) input, N = T*B or B. */
#include "layers.h"

#include <string.h>

void rnnc__dense_forward(const real *W, const real *b, int act, size_t N, size_t F, size_t O,
                         const real *x, real *y) {
    for (size_t n = 0; n < N; n++)
        memcpy(y + n * O, b, O * sizeof(real));
    rnnc__gemm(0, 1, N, O, F, x, F, W, F, 1, y, O);
    if (act == RNNC_ACT_LINEAR)
        return;
    for (size_t n = 0; n < N; n++) {
        real *r = y + n * O;
        if (act == RNNC_ACT_SOFTMAX) { /* max-shifted, normalised in double */
            real mx = r[0];
            for (size_t o = 1; o < O; o++)
                mx = r[o] > mx ? r[o] : mx;
            double sum = 0;
            for (size_t o = 0; o < O; o++)
                sum += (r[o] = R_EXP(r[o] - mx));
            for (size_t o = 0; o < O; o++)
                r[o] = (real)(r[o] / sum);
            continue;
        }
        for (size_t o = 0; o < O; o++) {
            if (act == RNNC_ACT_SIGMOID)
                r[o] = R_SIGMOID(r[o]);
            else if (act == RNNC_ACT_TANH)
                r[o] = R_TANH(r[o]);
            else if (act == RNNC_ACT_RELU)
                r[o] = r[o] > 0 ? r[o] : 0;
        }
    }
}

void rnnc__dense_backward(const real *W, int act, size_t N, size_t F, size_t O, const real *x,
                          const real *y, const real *dy, real *dx, real *dW, real *db, real *work,
                          double *colsum) {
    /* (N,O) gradient of the pre-activation, from the kept output y; dy itself when linear */
    real *dz = act == RNNC_ACT_LINEAR ? (real *)dy : work;
    for (size_t n = 0; n < N && act != RNNC_ACT_LINEAR; n++) {
        const real *yr = y + n * O, *dyr = dy + n * O;
        real *dzr = dz + n * O;
        if (act == RNNC_ACT_SOFTMAX) { /* dz = y * (dy - <dy, y>) */
            double dot = 0;
            for (size_t o = 0; o < O; o++)
                dot += (double)dyr[o] * yr[o];
            for (size_t o = 0; o < O; o++)
                dzr[o] = yr[o] * (dyr[o] - (real)dot);
            continue;
        }
        for (size_t o = 0; o < O; o++) {
            real v = yr[o], g = dyr[o];
            switch (act) {
            case RNNC_ACT_SIGMOID: dzr[o] = g * v * (1 - v); break;
            case RNNC_ACT_TANH: dzr[o] = g * (1 - v * v); break;
            case RNNC_ACT_RELU: dzr[o] = v > 0 ? g : 0; break;
            default: dzr[o] = g;
            }
        }
    }
    if (dx)
        rnnc__gemm(0, 0, N, F, O, dz, O, W, F, 1, dx, F);
    if (!dW)
        return; /* a frozen layer: no weight gradients */
    rnnc__gemm(1, 0, O, F, N, dz, O, x, F, 1, dW, F);
    /* db: each column summed over n in order, row by row (a column walk strides through memory) */
    memset(colsum, 0, O * sizeof(double));
    for (size_t n = 0; n < N; n++) {
        const real *r = dz + n * O;
        for (size_t o = 0; o < O; o++)
            colsum[o] += r[o];
    }
    for (size_t o = 0; o < O; o++)
        db[o] += (real)colsum[o];
}
