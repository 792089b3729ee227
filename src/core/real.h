/* The numeric type of the layer and model code. Those files are compiled twice: as float (the
 * library's public precision) and, with RNNC_REAL_F64, as double (for finite-difference checks and
 * float64 fixtures); each copy's external symbols carry a suffix, _f32 or _f64 (mapped below). */
#ifndef RNNC_SRC_CORE_REAL_H
#define RNNC_SRC_CORE_REAL_H

#include <stddef.h>

#include <math.h>

#ifdef RNNC_REAL_F64
typedef double real;
#define RNNC__TWIN(name) name##_f64
#define R_EXP exp
#define R_TANH tanh
#else
typedef float real;
#define RNNC__TWIN(name) name##_f32
#define R_EXP expf
#define R_TANH tanhf
#endif

/* The twin builds' symbols: each name below is name_f32 in the float build and name_f64 in the
 * double one (mapped here as zlib's Z_PREFIX maps its names), so definitions, calls, grep and
 * ctags all see the plain name. A file that needs one precision's copy uses the suffixed name. */
#define rnnc__attn RNNC__TWIN(rnnc__attn)
#define rnnc__attn_backward RNNC__TWIN(rnnc__attn_backward)
#define rnnc__attn_finish RNNC__TWIN(rnnc__attn_finish)
#define rnnc__attn_forward RNNC__TWIN(rnnc__attn_forward)
#define rnnc__attn_prepare RNNC__TWIN(rnnc__attn_prepare)
#define rnnc__attn_proj_size RNNC__TWIN(rnnc__attn_proj_size)
#define rnnc__attn_w RNNC__TWIN(rnnc__attn_w)
#define rnnc__attn_work_size RNNC__TWIN(rnnc__attn_work_size)
#define rnnc__batch RNNC__TWIN(rnnc__batch)
#define rnnc__cell RNNC__TWIN(rnnc__cell)
#define rnnc__cell_find RNNC__TWIN(rnnc__cell_find)
#define rnnc__cell_grads RNNC__TWIN(rnnc__cell_grads)
#define rnnc__cells RNNC__TWIN(rnnc__cells)
#define rnnc__cellw RNNC__TWIN(rnnc__cellw)
#define rnnc__decoder RNNC__TWIN(rnnc__decoder)
#define rnnc__decoder_backward RNNC__TWIN(rnnc__decoder_backward)
#define rnnc__decoder_begin RNNC__TWIN(rnnc__decoder_begin)
#define rnnc__decoder_create RNNC__TWIN(rnnc__decoder_create)
#define rnnc__decoder_forward RNNC__TWIN(rnnc__decoder_forward)
#define rnnc__decoder_free RNNC__TWIN(rnnc__decoder_free)
#define rnnc__decoder_logits RNNC__TWIN(rnnc__decoder_logits)
#define rnnc__decoder_source_steps RNNC__TWIN(rnnc__decoder_source_steps)
#define rnnc__decoder_step RNNC__TWIN(rnnc__decoder_step)
#define rnnc__decoder_step_weights RNNC__TWIN(rnnc__decoder_step_weights)
#define rnnc__decoder_weights RNNC__TWIN(rnnc__decoder_weights)
#define rnnc__enc_state RNNC__TWIN(rnnc__enc_state)
#define rnnc__dense_backward RNNC__TWIN(rnnc__dense_backward)
#define rnnc__dense_forward RNNC__TWIN(rnnc__dense_forward)
#define rnnc__dir RNNC__TWIN(rnnc__dir)
#define rnnc__dir_backward RNNC__TWIN(rnnc__dir_backward)
#define rnnc__dir_forward RNNC__TWIN(rnnc__dir_forward)
#define rnnc__dir_infer RNNC__TWIN(rnnc__dir_infer)
#define rnnc__dropout_backward RNNC__TWIN(rnnc__dropout_backward)
#define rnnc__dropout_forward RNNC__TWIN(rnnc__dropout_forward)
#define rnnc__embedding_backward RNNC__TWIN(rnnc__embedding_backward)
#define rnnc__embedding_forward RNNC__TWIN(rnnc__embedding_forward)
#define rnnc__gemm RNNC__TWIN(rnnc__gemm)
#define rnnc__gemm_packed RNNC__TWIN(rnnc__gemm_packed)
#define rnnc__gemm_packed_n RNNC__TWIN(rnnc__gemm_packed_n)
#define rnnc__gemm_packed_rows RNNC__TWIN(rnnc__gemm_packed_rows)
#define rnnc__is_recurrent RNNC__TWIN(rnnc__is_recurrent)
#define rnnc__model RNNC__TWIN(rnnc__model)
#define rnnc__model_backward RNNC__TWIN(rnnc__model_backward)
#define rnnc__model_config RNNC__TWIN(rnnc__model_config)
#define rnnc__model_create RNNC__TWIN(rnnc__model_create)
#define rnnc__model_decode_begin RNNC__TWIN(rnnc__model_decode_begin)
#define rnnc__model_decode_step RNNC__TWIN(rnnc__model_decode_step)
#define rnnc__model_decoder RNNC__TWIN(rnnc__model_decoder)
#define rnnc__model_final_state RNNC__TWIN(rnnc__model_final_state)
#define rnnc__model_forward RNNC__TWIN(rnnc__model_forward)
#define rnnc__model_free RNNC__TWIN(rnnc__model_free)
#define rnnc__model_grads RNNC__TWIN(rnnc__model_grads)
#define rnnc__model_initial_state_grad RNNC__TWIN(rnnc__model_initial_state_grad)
#define rnnc__model_input_grad RNNC__TWIN(rnnc__model_input_grad)
#define rnnc__model_output RNNC__TWIN(rnnc__model_output)
#define rnnc__model_params RNNC__TWIN(rnnc__model_params)
#define rnnc__model_plan RNNC__TWIN(rnnc__model_plan)
#define rnnc__model_rng RNNC__TWIN(rnnc__model_rng)
#define rnnc__model_set_teacher_forcing RNNC__TWIN(rnnc__model_set_teacher_forcing)
#define rnnc__model_set_final_state_grad RNNC__TWIN(rnnc__model_set_final_state_grad)
#define rnnc__model_set_input_grad RNNC__TWIN(rnnc__model_set_input_grad)
#define rnnc__model_set_state RNNC__TWIN(rnnc__model_set_state)
#define rnnc__model_set_step_grads RNNC__TWIN(rnnc__model_set_step_grads)
#define rnnc__model_set_trainable RNNC__TWIN(rnnc__model_set_trainable)
#define rnnc__model_step_grads RNNC__TWIN(rnnc__model_step_grads)
#define rnnc__model_trainable RNNC__TWIN(rnnc__model_trainable)
#define rnnc__n_cells RNNC__TWIN(rnnc__n_cells)
#define rnnc__pack RNNC__TWIN(rnnc__pack)
#define rnnc__pass_step RNNC__TWIN(rnnc__pass_step)
#define rnnc__pool_backward RNNC__TWIN(rnnc__pool_backward)
#define rnnc__pool_forward RNNC__TWIN(rnnc__pool_forward)
#define rnnc__stack RNNC__TWIN(rnnc__stack)
#define rnnc__stack_backward RNNC__TWIN(rnnc__stack_backward)
#define rnnc__stack_forward RNNC__TWIN(rnnc__stack_forward)
#define rnnc__stack_free RNNC__TWIN(rnnc__stack_free)
#define rnnc__stack_reserve RNNC__TWIN(rnnc__stack_reserve)
#define rnnc__vsigmoid RNNC__TWIN(rnnc__vsigmoid)
#define rnnc__vtanh RNNC__TWIN(rnnc__vtanh)

static inline real rnnc__sigmoid(real x) {
    return (real)1 / ((real)1 + R_EXP(-x));
}
#define R_SIGMOID rnnc__sigmoid

/* Gradients that fade over long sequences reach the subnormal range, where x86 arithmetic (and the
 * GEMMs fed with them) runs up to 100 times slower: a 500-step LSTM backward took 4x as long as
 * with them flushed. Backward kernels therefore flush float magnitudes below 1e-30 to zero, far
 * below anything that can move a float parameter. In double (the gradient checks) it is the
 * identity. */
#ifdef RNNC_REAL_F64
#define R_FLUSH(x) (x)
#else
static inline float rnnc__flush(float x) {
    return fabsf(x) < 1e-30f ? 0.0f : x;
}
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
void rnnc__vsigmoid(real *x, size_t n);
void rnnc__vtanh(real *x, size_t n);

/* The matrix products (src/core/gemm.c). Row-major C (M,N) = op(A) op(B), or C += that when
 * accumulate is 1; op = transpose when ta/tb is 1, op(A) (M,K), op(B) (K,N). Every element of C
 * is one chain of multiply-adds in order of k, so no split of rows, columns or k over threads or
 * blocks changes a bit. */
void rnnc__gemm(int ta, int tb, size_t M, size_t N, size_t K, const real *A, size_t lda,
                const real *B, size_t ldb, int accumulate, real *C, size_t ldc);

/* The recurrent product of a time loop: op(W) (K,N) is packed once into rnnc__packed_size(K, N)
 * reals (op = transpose when trans is 1; W has row stride ldw), then each step computes C (M,N) =
 * A (M,K) op(W), or C += that when accumulate is 1, element by element as rnnc__gemm does. */
size_t rnnc__packed_size(size_t K, size_t N);
void rnnc__pack(int trans, size_t K, size_t N, const real *W, size_t ldw, real *P);
void rnnc__gemm_packed(size_t M, size_t N, size_t K, const real *A, size_t lda, const real *P,
                       int accumulate, real *C, size_t ldc);
/* count such products with one A: op(W_q) packed at P + q * pstride, C_q at C + q * cstride
 * (A is rearranged for the kernel once instead of count times). */
void rnnc__gemm_packed_n(size_t M, size_t N, size_t K, const real *A, size_t lda, int count,
                         const real *P, size_t pstride, int accumulate, real *C, size_t cstride,
                         size_t ldc);
/* rnnc__gemm_packed over the rnnc's threads, each a slice of rows (the bits of one call): a
 * whole product on an op(W) packed once for several calls. */
void rnnc__gemm_packed_rows(size_t M, size_t N, size_t K, const real *A, size_t lda, const real *P,
                            int accumulate, real *C, size_t ldc);

#endif
