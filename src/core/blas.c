/* GEMM through OpenBLAS's CBLAS interface (compiled as float and as double, see real.h). */
#include "real.h"

#include "core.h"

#include <cblas.h>
#include <limits.h>

void RN(rnnc__gemm)(int ta, int tb, size_t M, size_t N, size_t K, real alpha, const real *A,
                    size_t lda, const real *B, size_t ldb, real beta, real *C, size_t ldc) {
    if (M == 0 || N == 0) return;
    if (K == 0) { /* BLAS rejects lda = 0; the product is empty, so C = beta * C */
        for (size_t i = 0; i < M; i++)
            for (size_t j = 0; j < N; j++) C[i * ldc + j] = beta == 0 ? 0 : beta * C[i * ldc + j];
        return;
    }
    /* CBLAS takes int sizes; callers validate shapes long before this point. */
    RNNC_ASSERT(M <= INT_MAX && N <= INT_MAX && K <= INT_MAX && lda <= INT_MAX &&
                ldb <= INT_MAX && ldc <= INT_MAX);
#ifdef RNNC_REAL_F64
    cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                (int)M, (int)N, (int)K, alpha, A, (int)lda, B, (int)ldb, beta, C, (int)ldc);
#else
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                (int)M, (int)N, (int)K, alpha, A, (int)lda, B, (int)ldb, beta, C, (int)ldc);
#endif
}
