/* Embedding as torch.nn.Embedding: y[n] = W[ids[n]], W (V,E). The padding row gets no gradient. */
#include "layers.h"

#include <string.h>

void rnnc__embedding_forward(const real *W, size_t E, size_t N, const int32_t *ids, real *y) {
    for (size_t n = 0; n < N; n++)
        memcpy(y + n * E, W + (size_t)ids[n] * E, E * sizeof(real));
}

void rnnc__embedding_backward(size_t E, size_t N, const int32_t *ids, int padding_idx,
                              const real *dy, real *dW) {
    for (size_t n = 0; n < N; n++) {
        if (ids[n] == padding_idx)
            continue;
        real *row = dW + (size_t)ids[n] * E;
        for (size_t e = 0; e < E; e++)
            row[e] += dy[n * E + e];
    }
}
