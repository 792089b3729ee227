/* The matrix products (src/core/gemm.c) against their definition, bit for bit: every element of C
 * is acc = C or 0, then acc = acc + op(A)[i,k] op(B)[k,j] for k = 0 .. K-1, each step one fused
 * multiply-add (fmaf) for the FMA kernels, a rounded product then a rounded sum for the generic
 * kernel. Checked for every kernel this CPU can run, both transposes, both accumulate modes, shapes
 * at and around the tile, panel and block edges, 1 to 7 threads, and the step product; then the
 * kernels against each other. Any change of the order of a sum, of a split, or of an edge tile
 * shows as a changed bit. */
#include "check.h"
#include "core/core.h"
#include "core/real.h"
#include "rnnc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The double copy (real.h declares the float one here). */
void rnnc__gemm_f64(int ta, int tb, size_t M, size_t N, size_t K, const double *A, size_t lda,
                    const double *B, size_t ldb, int accumulate, double *C, size_t ldc);

static float *randoms(size_t n, rnnc_rng *g) {
    float *x = malloc((n ? n : 1) * sizeof(float));
    for (size_t i = 0; i < n; i++)
        x[i] = (float)rnnc_rng_normal(g);
    return x;
}

/* The definition, element by element. fused: 1 fmaf, 0 separate roundings. */
static void reference(int fused, int ta, int tb, size_t M, size_t N, size_t K, const float *A,
                      size_t lda, const float *B, size_t ldb, int accumulate, float *C,
                      size_t ldc) {
    for (size_t i = 0; i < M; i++)
        for (size_t j = 0; j < N; j++) {
            float acc = accumulate ? C[i * ldc + j] : 0.0f;
            for (size_t k = 0; k < K; k++) {
                const float a = ta ? A[k * lda + i] : A[i * lda + k];
                const float b = tb ? B[j * ldb + k] : B[k * ldb + j];
                if (fused) {
                    acc = fmaf(a, b, acc);
                } else {
                    volatile float p = a * b; /* rounded on its own, never contracted */
                    acc = acc + p;
                }
            }
            C[i * ldc + j] = acc;
        }
}

static size_t first_diff(const float *a, const float *b, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (memcmp(a + i, b + i, sizeof(float)))
            return i;
    return n;
}

/* One product through rnnc__gemm on `threads` threads against the reference. Padded leading
 * dimensions (+3) so that no stride equals a width. */
static int one_product(const char *kernel, int fused, int ta, int tb, size_t M, size_t N, size_t K,
                       int accumulate, int threads, rnnc_rng *g) {
    const size_t lda = (ta ? M : K) + 3, ldb = (tb ? K : N) + 3, ldc = N + 3;
    float *A = randoms((ta ? K : M) * lda, g), *B = randoms((tb ? N : K) * ldb, g);
    float *C = randoms(M * ldc, g), *want = malloc((M * ldc + 1) * sizeof(float));
    memcpy(want, C, M * ldc * sizeof(float));
    reference(fused, ta, tb, M, N, K, A, lda, B, ldb, accumulate, want, ldc);
    rnnc_set_num_threads(threads);
    rnnc__gemm_f32(ta, tb, M, N, K, A, lda, B, ldb, accumulate, C, ldc);
    const size_t d = first_diff(C, want, M * ldc);
    const int ok =
        check(d == M * ldc,
              "%s: gemm ta=%d tb=%d %zux%zux%zu accumulate=%d, %d threads = the "
              "definition bit for bit%s",
              kernel, ta, tb, M, N, K, accumulate, threads, d == M * ldc ? "" : " (differs)");
    if (!ok)
        printf("  first difference at C[%zu][%zu]: %.9g, want %.9g\n", d / ldc, d % ldc, C[d],
               want[d]);
    free(A), free(B), free(C), free(want);
    return ok;
}

static void step_product(const char *kernel, int fused, int trans, size_t M, size_t N, size_t K,
                         int accumulate, rnnc_rng *g) {
    const size_t ldw = (trans ? K : N) + 1, lda = K + 2, ldc = N + 5;
    float *W = randoms((trans ? N : K) * ldw, g), *A = randoms(M * lda, g);
    float *C = randoms(M * ldc, g), *want = malloc(M * ldc * sizeof(float));
    float *P = malloc((rnnc__packed_size(K, N) + 1) * sizeof(float));
    memcpy(want, C, M * ldc * sizeof(float));
    /* A (M,K) op(W) (K,N): op(W) = W^T when trans, W (N,K) stored */
    reference(fused, 0, trans, M, N, K, A, lda, W, ldw, accumulate, want, ldc);
    rnnc__pack_f32(trans, K, N, W, ldw, P);
    rnnc__gemm_packed_f32(M, N, K, A, lda, P, accumulate, C, ldc);
    check(first_diff(C, want, M * ldc) == M * ldc,
          "%s: step product trans=%d %zux%zux%zu accumulate=%d = the definition bit for bit",
          kernel, trans, M, N, K, accumulate);
    free(W), free(A), free(C), free(want), free(P);
}

static void one_kernel(int i, rnnc_rng *g) {
    int fused, runs;
    const char *name = rnnc__gemm_kernel_info(i, &fused, &runs);
    if (!runs) {
        printf("kernel %s: this CPU cannot run it, not checked here\n", name);
        return;
    }
    check(rnnc__gemm_use(i) == 0 && !strcmp(rnnc__gemm_kernel(), name), "%s: selected", name);
    if (fused < 0) { /* a build that lets the compiler decide: only closeness can be checked */
        printf("kernel %s: multiply-adds left to the compiler; bits not checked\n", name);
        return;
    }
    /* edges: 1 row, tails of 1..7 rows, 16/32-column panels +-1, k across the 256 block */
    static const size_t shapes[][3] = {{1, 1, 1},   {2, 3, 5},     {5, 17, 9},   {7, 16, 33},
                                       {9, 31, 64}, {13, 33, 255}, {8, 32, 256}, {11, 47, 257},
                                       {6, 15, 1},  {4, 64, 513},  {3, 2, 0}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++)
                for (int acc = 0; acc < 2; acc++)
                    one_product(name, fused, ta, tb, shapes[s][0], shapes[s][1], shapes[s][2], acc,
                                1, g);
    /* large enough to split over threads: by rows (M large) and by columns (N large), and
     * blocks of rows and columns (MC 144, NC 2048) */
    for (int threads = 1; threads <= 7; threads += 2) {
        one_product(name, fused, 0, 1, 301, 70, 129, 0, threads, g);
        one_product(name, fused, 1, 0, 40, 2100, 97, 1, threads, g);
    }
    one_product(name, fused, 1, 1, 150, 90, 700, 1, 3, g);
    for (int trans = 0; trans < 2; trans++)
        for (int acc = 0; acc < 2; acc++) {
            step_product(name, fused, trans, 37, 50, 300, acc, g);
            step_product(name, fused, trans, 5, 16, 17, acc, g);
            step_product(name, fused, trans, 1, 3, 0, acc, g);
        }
    rnnc_set_num_threads(1);
}

/* The fused kernels give one and the same result; and the check sees a changed bit. */
static void kernels_agree(rnnc_rng *g) {
    const size_t M = 67, N = 83, K = 300;
    float *A = randoms(M * K, g), *B = randoms(K * N, g), *first = NULL,
          *C = malloc(M * N * sizeof(float));
    const char *first_name = NULL;
    int compared = 0;
    for (int i = 0; i < rnnc__gemm_kernel_count(); i++) {
        int fused, runs;
        const char *name = rnnc__gemm_kernel_info(i, &fused, &runs);
        if (!runs || fused != 1)
            continue;
        rnnc__gemm_use(i);
        rnnc__gemm_f32(0, 0, M, N, K, A, K, B, N, 0, C, N);
        if (!first) {
            first = malloc(M * N * sizeof(float)), first_name = name;
            memcpy(first, C, M * N * sizeof(float));
            continue;
        }
        compared++;
        check(!memcmp(C, first, M * N * sizeof(float)), "%s = %s, bit for bit", name, first_name);
    }
    if (!compared)
        printf("fewer than two fused kernels run here: nothing to compare\n");
    if (first) {
        C[M * N / 2] = nextafterf(C[M * N / 2], INFINITY);
        check(memcmp(C, first, M * N * sizeof(float)) != 0, "the comparison sees one changed bit");
    }
    free(A), free(B), free(C), free(first);
}

static void double_products(rnnc_rng *g) {
    /* double: the plain order of the generic kernel, compared with a double reference */
    const size_t M = 19, N = 35, K = 270;
    double *A = malloc(M * K * sizeof(double)), *B = malloc(N * K * sizeof(double));
    double *C = malloc(M * N * sizeof(double)), *want = malloc(M * N * sizeof(double));
    for (size_t i = 0; i < M * K; i++)
        A[i] = rnnc_rng_normal(g);
    for (size_t i = 0; i < N * K; i++)
        B[i] = rnnc_rng_normal(g);
    for (size_t i = 0; i < M * N; i++)
        C[i] = want[i] = rnnc_rng_normal(g);
    for (size_t i = 0; i < M; i++)
        for (size_t j = 0; j < N; j++) {
            double acc = want[i * N + j];
            for (size_t k = 0; k < K; k++) {
                volatile double p = A[i * K + k] * B[j * K + k];
                acc = acc + p;
            }
            want[i * N + j] = acc;
        }
    rnnc__gemm_f64(0, 1, M, N, K, A, K, B, K, 1, C, N);
    check(!memcmp(C, want, M * N * sizeof(double)),
          "double gemm (B transposed, accumulating) = the "
          "definition bit for bit");
    free(A), free(B), free(C), free(want);
}

/* Three products worked out by hand (the definition checks below cover every shape). */
static void by_hand(void) {
    /* A (2,3), B (3,2): C = A B = [[58, 64], [139, 154]] */
    const float A[6] = {1, 2, 3, 4, 5, 6}, B[6] = {7, 8, 9, 10, 11, 12};
    const float want[4] = {58, 64, 139, 154};
    float C[4] = {0};
    rnnc__gemm_f32(0, 0, 2, 2, 3, A, 3, B, 2, 0, C, 2);
    check_close("gemm: A B", C, want, 4, 0, 0);
    /* A^T (3,2) as stored (2,3): C (3,3) = A^T A; C[0][0] = 1+16 = 17, C[2][1] = 3*2+6*5 = 36 */
    float D[9];
    rnnc__gemm_f32(1, 0, 3, 3, 2, A, 3, A, 3, 0, D, 3);
    check(D[0] == 17 && D[7] == 36, "gemm: transposed A (C[0,0] = %g, C[2,1] = %g)", D[0], D[7]);
    /* beta = 1 accumulates; B^T */
    float E[4] = {1, 1, 1, 1};
    const float Bt[6] = {7, 9, 11, 8, 10, 12}; /* B transposed, stored (2,3) */
    rnnc__gemm_f32(0, 1, 2, 2, 3, A, 3, Bt, 3, 1, E, 2);
    const float want_e[4] = {59, 65, 140, 155};
    check_close("gemm: transposed B, beta 1", E, want_e, 4, 0, 0);
}

int main(void) {
    rnnc_rng g;
    rnnc_rng_seed(&g, 9);
    const char *best = rnnc__gemm_kernel();
    int fused, runs;
    check(best && rnnc__gemm_kernel_info(0, &fused, &runs) != NULL, "a kernel is in use: %s", best);
    /* the kernel picked first is the first in order of preference that runs here */
    for (int i = 0; i < rnnc__gemm_kernel_count(); i++) {
        const char *name = rnnc__gemm_kernel_info(i, &fused, &runs);
        if (!runs)
            continue;
        check(!strcmp(name, best), "the kernel in use (%s) is the best this CPU runs (%s)", best,
              name);
        break;
    }
    check(rnnc__gemm_kernel_info(rnnc__gemm_kernel_count(), NULL, NULL) == NULL &&
              rnnc__gemm_use(rnnc__gemm_kernel_count()) == -1,
          "no kernel past the last");
    for (int i = 0; i < rnnc__gemm_kernel_count(); i++)
        one_kernel(i, &g);
    kernels_agree(&g);
    rnnc__gemm_use(-1);
    check(!strcmp(rnnc__gemm_kernel(), best), "picking again gives %s", best);
    double_products(&g);
    by_hand();
    return check_summary();
}
