/* The numeric type of the layer and model code. Those files are compiled twice: as float (the
 * library's public precision) and, with RNNC_REAL_F64, as double (for finite-difference checks and
 * float64 fixtures). RN(name) gives each copy its own symbols: name_f32 or name_f64. */
#ifndef RNNC_SRC_CORE_REAL_H
#define RNNC_SRC_CORE_REAL_H

#include <stddef.h>

#include <math.h>

#ifdef RNNC_REAL_F64
typedef double real;
#define RN(name) name##_f64
#define R_EXP exp
#define R_TANH tanh
#else
typedef float real;
#define RN(name) name##_f32
#define R_EXP expf
#define R_TANH tanhf
#endif

static inline real RN(rnnc__sigmoid)(real x) { return (real)1 / ((real)1 + R_EXP(-x)); }
#define R_SIGMOID RN(rnnc__sigmoid)

/* Gradients that fade over long sequences reach the subnormal range, where x86 arithmetic (and the
 * GEMMs fed with them) runs up to 100 times slower: a 500-step LSTM backward took 4x as long as
 * with them flushed. Backward kernels therefore flush float magnitudes below 1e-30 to zero, far
 * below anything that can move a float parameter. In double (the gradient checks) it is the
 * identity. */
#ifdef RNNC_REAL_F64
#define R_FLUSH(x) (x)
#else
static inline float rnnc__flush(float x) { return fabsf(x) < 1e-30f ? 0.0f : x; }
#define R_FLUSH(x) rnnc__flush(x)
#endif

/* The hot float loops (activations, the cells' element-wise work, the step products) are compiled
 * for AVX-512, AVX2 and the x86-64 baseline, the copy picked at load time (GCC's target_clones),
 * so one binary runs everywhere at the speed of the CPU it runs on. Off for double, for other
 * compilers and under the sanitizers. */
#if !defined(RNNC_REAL_F64) && defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) &&  \
    !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
#define RNNC_HOT __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define RNNC_HOT
#endif

/* In place over n values: x = sigmoid(x), x = tanh(x). Vectorized in float (src/core/vmath.c). */
void RN(rnnc__vsigmoid)(real *x, size_t n);
void RN(rnnc__vtanh)(real *x, size_t n);

/* The matrix products (src/core/gemm.c). Row-major C (M,N) = op(A) op(B), or C += that when
 * accumulate is 1; op = transpose when ta/tb is 1, op(A) (M,K), op(B) (K,N). Every element of C
 * is one chain of multiply-adds in order of k, so no split of rows, columns or k over threads or
 * blocks changes a bit. */
void RN(rnnc__gemm)(int ta, int tb, size_t M, size_t N, size_t K, const real *A, size_t lda,
                    const real *B, size_t ldb, int accumulate, real *C, size_t ldc);

/* The recurrent product of a time loop: op(W) (K,N) is packed once into rnnc__packed_size(K, N)
 * reals (op = transpose when trans is 1; W has row stride ldw), then each step computes C (M,N) =
 * A (M,K) op(W), or C += that when accumulate is 1, element by element as rnnc__gemm does. */
size_t rnnc__packed_size(size_t K, size_t N);
void RN(rnnc__pack)(int trans, size_t K, size_t N, const real *W, size_t ldw, real *P);
void RN(rnnc__gemm_packed)(size_t M, size_t N, size_t K, const real *A, size_t lda, const real *P,
                           int accumulate, real *C, size_t ldc);
/* count such products with one A: op(W_q) packed at P + q * pstride, C_q at C + q * cstride
 * (A is rearranged for the kernel once instead of count times). */
void RN(rnnc__gemm_packed_n)(size_t M, size_t N, size_t K, const real *A, size_t lda, int count,
                             const real *P, size_t pstride, int accumulate, real *C,
                             size_t cstride, size_t ldc);

#endif
