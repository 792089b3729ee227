/* The recurrent product of a time loop, C (M,N) (+)= A (M,K) op(W) (K,N), with op(W) packed once
 * for all T steps instead of by OpenBLAS at every step.
 *
 * Why not sgemm: a step's product is small (M = a thread's batch rows, 8 to 64) and OpenBLAS
 * repacks W (up to 16 MB) on every call, a fifth of a 500-step LSTM's time; and OpenBLAS's result
 * for a row depends on how many rows the call has (its small-matrix kernels), so the bits would
 * depend on the thread count. Here every element of C is the same sum in the same order, whatever
 * M is: acc = C (accumulating) or 0, acc += A[r,k] * op(W)[k,n] for k = 0..K-1 (fused
 * multiply-add where the CPU has it), then C = acc. Rows are independent, so splitting them over
 * threads cannot change a bit.
 *
 * Layout: op(W) in panels of PW = 16 columns, panel p holding P[p][k][j] = op(W)[k][16p + j],
 * zeros past column N. The float kernel works on 8 rows x 32 columns at a time (16 vector
 * accumulators); GCC's vector extensions give AVX-512, AVX2 and baseline copies picked at load
 * time. Double (the gradient checks) is a plain loop in the same order. */
#include "real.h"

#include <string.h>

enum { PW = 16 };

#ifndef RNNC_REAL_F64 /* size functions do not depend on the precision: define them once */
size_t rnnc__packed_size(size_t K, size_t N) {
    return (N + PW - 1) / PW * PW * K;
}
#endif

void RN(rnnc__pack)(int trans, size_t K, size_t N, const real *W, size_t ldw, real *P) {
    const size_t np = (N + PW - 1) / PW;
    for (size_t p = 0; p < np; p++) {
        real *panel = P + p * K * PW;
        for (size_t k = 0; k < K; k++)
            for (size_t j = 0; j < PW; j++) {
                const size_t n = p * PW + j;
                panel[k * PW + j] = n >= N ? 0 : trans ? W[n * ldw + k] : W[k * ldw + n];
            }
    }
}

#ifdef RNNC_REAL_F64
void rnnc__gemm_packed_f64(size_t M, size_t N, size_t K, const double *A, size_t lda,
                           const double *P, int accumulate, double *C, size_t ldc) {
    for (size_t r = 0; r < M; r++)
        for (size_t n = 0; n < N; n++) {
            const double *col = P + n / PW * K * PW + n % PW;
            double acc = accumulate ? C[r * ldc + n] : 0;
            for (size_t k = 0; k < K; k++)
                acc += A[r * lda + k] * col[k * PW];
            C[r * ldc + n] = acc;
        }
}
#else

typedef float v16 __attribute__((vector_size(64), aligned(4))); /* unaligned loads and stores */

/* Loads / stores one accumulator from / to C[0..n) (n <= PW). */
static inline __attribute__((always_inline)) void load(v16 *acc, const float *C, size_t n) {
    if (n == PW) {
        *acc = *(const v16 *)(const void *)C;
        return;
    }
    float a[PW] = {0};
    memcpy(a, C, n * sizeof(float));
    memcpy(acc, a, sizeof a);
}

static inline __attribute__((always_inline)) void store(float *C, const v16 *acc, size_t n) {
    if (n == PW) {
        *(v16 *)(void *)C = *acc;
        return;
    }
    memcpy(C, acc, n * sizeof(float));
}

/* R rows x NP panels (NP 1 or 2) of C from columns [n0, n0 + NP*PW) clipped to ncols, over kb
 * values of k: acc starts at C (from_c) or 0, takes acc += A[r,k] * P[k] in order of k and goes
 * back to C. R and NP are constants at every call, so the accumulators live in registers. P
 * points at this k block of the first panel; the second is pstride further. */
static inline __attribute__((always_inline)) void tile(const int R, const int NP, size_t kb,
                                                       const float *A, size_t lda, const float *P,
                                                       size_t pstride, float *C, size_t ldc,
                                                       size_t ncols, int from_c) {
    v16 acc[8][2];
    const size_t n0 = ncols < PW ? ncols : PW, n1 = ncols > PW ? ncols - PW : 0;
    for (int r = 0; r < R; r++)
        for (int q = 0; q < NP; q++) {
            acc[r][q] = (v16){0};
            if (from_c) load(&acc[r][q], C + (size_t)r * ldc + (size_t)q * PW, q ? n1 : n0);
        }
    const float *P1 = P + pstride;
    for (size_t k = 0; k < kb; k++) {
        const v16 w0 = *(const v16 *)(const void *)(P + k * PW);
        const v16 w1 = NP == 2 ? *(const v16 *)(const void *)(P1 + k * PW) : w0;
        for (int r = 0; r < R; r++) {
            const float a = A[(size_t)r * lda + k];
            acc[r][0] += a * w0;
            if (NP == 2) acc[r][1] += a * w1;
        }
    }
    for (int r = 0; r < R; r++) {
        store(C + (size_t)r * ldc, &acc[r][0], n0);
        if (NP == 2) store(C + (size_t)r * ldc + PW, &acc[r][1], n1);
    }
}

/* k in blocks of KC, so that a panel pair's block (2 x 16 x KC floats, 32 KB) stays in the L1
 * cache while every row tile passes over it; the partial sums wait in C between blocks (a float
 * stored and reloaded is exact, so the order of the sum is the same as without blocks). */
enum { KC = 256 };

RNNC_HOT void rnnc__gemm_packed_f32(size_t M, size_t N, size_t K, const float *A, size_t lda,
                                    const float *P, int accumulate, float *C, size_t ldc) {
    for (size_t k0 = 0; k0 < K || k0 == 0; k0 += KC) {
        const size_t kb = K - k0 < KC ? K - k0 : KC;
        const int from_c = k0 > 0 || accumulate;
        for (size_t n0 = 0; n0 < N; n0 += 2 * PW) {
            const float *Pn = P + n0 / PW * K * PW + k0 * PW;
            const size_t ncols = N - n0 < 2 * PW ? N - n0 : 2 * PW, ps = K * PW;
            const float *Ak = A + k0;
            float *Cn = C + n0;
            size_t r = 0;
            if (ncols > PW) {
                for (; r + 8 <= M; r += 8)
                    tile(8, 2, kb, Ak + r * lda, lda, Pn, ps, Cn + r * ldc, ldc, ncols, from_c);
                for (; r + 4 <= M; r += 4)
                    tile(4, 2, kb, Ak + r * lda, lda, Pn, ps, Cn + r * ldc, ldc, ncols, from_c);
                for (; r < M; r++)
                    tile(1, 2, kb, Ak + r * lda, lda, Pn, ps, Cn + r * ldc, ldc, ncols, from_c);
            } else {
                for (; r + 8 <= M; r += 8)
                    tile(8, 1, kb, Ak + r * lda, lda, Pn, ps, Cn + r * ldc, ldc, ncols, from_c);
                for (; r < M; r++)
                    tile(1, 1, kb, Ak + r * lda, lda, Pn, ps, Cn + r * ldc, ldc, ncols, from_c);
            }
        }
        if (K == 0) break;
    }
}
#endif
