/* GEMM through OpenBLAS's CBLAS interface (compiled as float and as double, see real.h).
 *
 * OpenBLAS itself always runs single-threaded inside rnnc: rnnc splits a large product's rows of C
 * over its own threads (each a single-threaded GEMM on a slice) and runs the recurrent time loops
 * in parallel over batch rows (src/layers/recurrent.c). One owner of the cores means no idle
 * OpenBLAS pool spinning against rnnc's threads, and results that do not depend on the thread
 * count. */
#include "real.h"

#include "core.h"

#include <cblas.h>
#include <limits.h>
#include <stdatomic.h>

static void RN(gemm1)(int ta, int tb, size_t M, size_t N, size_t K, real alpha, const real *A,
                      size_t lda, const real *B, size_t ldb, real beta, real *C, size_t ldc) {
#ifdef RNNC_REAL_F64
    cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                (int)M, (int)N, (int)K, alpha, A, (int)lda, B, (int)ldb, beta, C, (int)ldc);
#else
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                (int)M, (int)N, (int)K, alpha, A, (int)lda, B, (int)ldb, beta, C, (int)ldc);
#endif
}

typedef struct RN(gemm_job) {
    int ta, tb;
    size_t M, N, K;
    real alpha, beta;
    const real *A, *B;
    size_t lda, ldb, ldc;
    real *C;
} RN(gemm_job);

static void RN(gemm_task)(void *jobs, int k) {
    const RN(gemm_job) *j = (const RN(gemm_job) *)jobs + k;
    RN(gemm1)(j->ta, j->tb, j->M, j->N, j->K, j->alpha, j->A, j->lda, j->B, j->ldb, j->beta, j->C,
              j->ldc);
}

#ifndef RNNC_REAL_F64
_Atomic unsigned long long rnnc__gemm_macs;
#endif

void RN(rnnc__gemm)(int ta, int tb, size_t M, size_t N, size_t K, real alpha, const real *A,
                    size_t lda, const real *B, size_t ldb, real beta, real *C, size_t ldc) {
    if (M == 0 || N == 0) return;
#ifndef RNNC_REAL_F64
    atomic_fetch_add_explicit(&rnnc__gemm_macs, (unsigned long long)M * N * K,
                              memory_order_relaxed);
#endif
    if (K == 0) { /* BLAS rejects lda = 0; the product is empty, so C = beta * C */
        for (size_t i = 0; i < M; i++)
            for (size_t j = 0; j < N; j++) C[i * ldc + j] = beta == 0 ? 0 : beta * C[i * ldc + j];
        return;
    }
    /* CBLAS takes int sizes; callers validate shapes long before this point. */
    RNNC_ASSERT(M <= INT_MAX && N <= INT_MAX && K <= INT_MAX && lda <= INT_MAX &&
                ldb <= INT_MAX && ldc <= INT_MAX);
    enum { MAX_SLICES = RNNC__POOL_MAX };
    int nt = rnnc__in_worker() ? 1 : rnnc__threads();
    /* Slices of at least 2e6 multiply-adds: worth a thread, and above OpenBLAS's small-matrix
     * kernels (M*N*K <= 1e6), whose result for a row depends on the rows in the call. Its normal
     * path computes each row the same way in any slice, so the bits do not depend on the thread
     * count (tests/test_threads.c). */
    const double mnk = (double)M * (double)N * (double)K;
    if (mnk < 4e6) nt = 1;
    if (nt > mnk / 2e6) nt = (int)(mnk / 2e6);
    if ((size_t)nt > M / 16) nt = (int)(M / 16);
    if (nt > MAX_SLICES) nt = MAX_SLICES;
    if (nt <= 1) {
        RN(gemm1)(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        return;
    }
    RN(gemm_job) jobs[MAX_SLICES];
    for (int k = 0; k < nt; k++) {
        const size_t m0 = M * (size_t)k / (size_t)nt, m1 = M * (size_t)(k + 1) / (size_t)nt;
        /* rows [m0, m1) of op(A): rows of A, or columns of A when transposed */
        const RN(gemm_job) j = {ta,    tb, m1 - m0, N,   K,   alpha, beta, A + (ta ? m0 : m0 * lda),
                                B,     lda, ldb,    ldc, C + m0 * ldc};
        jobs[k] = j;
    }
    if (!rnnc__pool_run(nt, RN(gemm_task), jobs))
        for (int k = 0; k < nt; k++) RN(gemm_task)(jobs, k); /* the same slices, one by one */
}
