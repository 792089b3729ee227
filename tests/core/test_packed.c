/* The recurrent step product (src/core/gemm.c) against a double-precision reference, over shapes
 * that reach the paths of the float kernel in use: full row tiles and tails (M 1 to 37), panel
 * pairs and a single panel, partial panels (N not a multiple of 16), k blocks (K over 256),
 * K = 0, both operand layouts, overwrite and accumulate, strided A and C. And the property the
 * threads rely on: any split of the rows gives the same bits. */
#include "check.h"
#include "core/real.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static float val(size_t i, unsigned salt) {
    return (float)((i * 2654435761u + salt * 40503u) % 2001) / 1000.0f - 1.0f;
}

/* op(W)[k][n]: W (N,K) when trans (as W_hh for forward), (K,N) otherwise. */
static double opw(const float *W, int trans, size_t K, size_t N, size_t k, size_t n) {
    return trans ? W[n * K + k] : W[k * N + n];
}

static void one(size_t M, size_t N, size_t K, int trans, int accumulate) {
    const size_t lda = K + 3, ldc = N + 5;
    float *A = malloc((M * lda + 1) * sizeof(float)), *W = malloc((K * N + 1) * sizeof(float));
    float *C = malloc((M * ldc + 1) * sizeof(float)), *C2 = malloc((M * ldc + 1) * sizeof(float));
    float *P = malloc((rnnc__packed_size(K, N) + 1) * sizeof(float));
    if (!A || !W || !C || !C2 || !P) {
        check(0, "allocation");
        return;
    }
    for (size_t i = 0; i < M * lda; i++)
        A[i] = val(i, 1);
    for (size_t i = 0; i < K * N; i++)
        W[i] = val(i, 2);
    for (size_t i = 0; i < M * ldc; i++)
        C[i] = C2[i] = val(i, 3);
    rnnc__pack_f32(trans, K, N, W, trans ? K : N, P);
    rnnc__gemm_packed_f32(M, N, K, A, lda, P, accumulate, C, ldc);
    double worst = 0;
    int untouched = 1;
    for (size_t r = 0; r < M; r++) {
        for (size_t n = 0; n < N; n++) {
            double want = accumulate ? C2[r * ldc + n] : 0, scale = fabs(want);
            for (size_t k = 0; k < K; k++) {
                want += (double)A[r * lda + k] * opw(W, trans, K, N, k, n);
                scale += fabs((double)A[r * lda + k] * opw(W, trans, K, N, k, n));
            }
            const double err = fabs(C[r * ldc + n] - want) / (scale > 0 ? scale : 1);
            worst = err > worst ? err : worst;
        }
        for (size_t n = N; n < ldc; n++)
            untouched &= C[r * ldc + n] == C2[r * ldc + n];
    }
    /* float summation of K + 1 terms: within (K + 2) units of rounding of the sum of |terms| */
    const double bound = (double)(K + 2) * 1.2e-7;
    check(worst < bound && untouched,
          "M=%zu N=%zu K=%zu trans=%d accumulate=%d: error %.2g of the sum of |terms| (< %.2g), "
          "columns past N untouched",
          M, N, K, trans, accumulate, worst, bound);
    /* rows in uneven slices, as threads would take them: the same bits */
    memcpy(C, C2, M * ldc * sizeof(float));
    rnnc__gemm_packed_f32(M, N, K, A, lda, P, accumulate, C, ldc);
    for (size_t r0 = 0, step = 1; r0 < M; r0 += step, step = step % 5 + 2) {
        const size_t m = M - r0 < step ? M - r0 : step;
        rnnc__gemm_packed_f32(m, N, K, A + r0 * lda, lda, P, accumulate, C2 + r0 * ldc, ldc);
    }
    check(!memcmp(C, C2, M * ldc * sizeof(float)),
          "M=%zu N=%zu K=%zu trans=%d accumulate=%d: rows in slices of 1..6 give the same bits", M,
          N, K, trans, accumulate);
    free(A), free(W), free(C), free(C2), free(P);
}

int main(void) {
    static const size_t shapes[][3] = {{1, 1, 1},    {13, 17, 5},  {8, 32, 256}, {21, 100, 257},
                                       {9, 15, 600}, {4, 48, 513}, {3, 7, 0},    {37, 64, 300}};
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++)
        for (int trans = 0; trans < 2; trans++)
            for (int acc = 0; acc < 2; acc++)
                one(shapes[s][0], shapes[s][1], shapes[s][2], trans, acc);
    return check_summary();
}
