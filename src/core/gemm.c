/* rnnc's matrix products: C (M,N) = op(A) (M,K) op(B) (K,N), or C += that (compiled as float and
 * as double, see real.h). Two entry points share one kernel:
 *   rnnc__gemm         a whole product (input projections, input and weight gradients, Dense);
 *   rnnc__gemm_packed  a time loop's step product, op(W) packed once for all T steps
 *                      (rnnc__pack) instead of at every step.
 *
 * Every element of C is one chain of multiply-adds in order of k, whatever the shapes, the
 * blocking, the thread count or the instruction set:
 *     acc = C[i,j] (accumulating) or 0;  acc = acc + op(A)[i,k] * op(B)[k,j] for k = 0 .. K-1
 * with each multiply-add fused (one rounding) by the FMA kernels. Partial sums wait in C between
 * blocks of k (a float stored and reloaded is exact), rows and columns are independent, and edge
 * tiles do the same operations as full ones, so how rows, columns and k are split can never
 * change a bit. The AVX-512 and AVX2 kernels give the same bits as each other; the generic kernel
 * (CPUs without FMA, other architectures, double) rounds the product and the sum separately.
 * tests/core/test_gemm.c checks each kernel the CPU can run against that definition, bit for bit.
 *
 * The kernel is picked once, by the instruction sets the CPU reports (CPUID through
 * __builtin_cpu_supports), never by its model number: AVX-512F, else AVX2 with FMA, else generic.
 *
 * Layout and blocking: op(B) is packed in panels of PW = 16 columns, panel p holding
 * P[p][k][j] = op(B)[k][16p + j], zeros past column N; op(A) in micro-panels of the kernel's tile
 * height MR, the MR values of each k side by side, in blocks of MC rows x KC values of k. The
 * AVX-512 kernel computes 12 rows x 32 columns at a time (24 accumulators of 16 floats), the AVX2
 * kernel 6 rows x 16 columns (12 accumulators of 8). A block of KC values of k of a panel pair
 * (32 KB) stays in the L1 cache while the row tiles of an MC-row block of A (in L2) pass over it;
 * NC columns of packed op(B) stay in L3 while the MC-row blocks go by. The packing buffers are
 * kept from call to call. */
#include "real.h"

#include "core.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum { PW = 16, KC = 256, MC = 144, NC = 2048 };

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define RNNC_X86 1
#include <immintrin.h>
#else
#define RNNC_X86 0
#endif

#define INLINE static inline __attribute__((always_inline))

/* C[0:M, 0:N) (+)= A[0:M, 0:kb) P[0:kb, 0:N) for one block of k. A is packed in micro-panels of
 * the kernel's MR rows: row r's value of k at A[(r / MR) * MR * kb + k * MR + r % MR]. P is packed
 * panels (this block of k of each), ps apart. from_c: the sums start at C, else at 0. */
typedef void block_fn(size_t M, size_t N, size_t kb, const real *A, const real *P, size_t ps,
                      real *C, size_t ldc, int from_c);

enum { MR_GENERIC = 2, MR_AVX512 = 12, MR_AVX2 = 6 };

/* Rows in tiles of MR (the kernel's), then of 8, 4, 2 and 1 (those below MR), all of a tail in
 * the last micro-panel: TILE(R) computes R rows from row r, A at row r's place in its panel. */
#define ROW_TILES(MR, TILE)                                                                        \
    do {                                                                                           \
        size_t r = 0;                                                                              \
        for (; r + (MR) <= M; r += (MR))                                                           \
            TILE(MR, A + r * kb);                                                                  \
        const real *Ap = A + r * kb; /* the last micro-panel, rows r .. M-1 */                     \
        if ((MR) > 8 && r + 8 <= M)                                                                \
            TILE(8, Ap + (r % (MR))), r += 8;                                                      \
        if ((MR) > 4 && r + 4 <= M)                                                                \
            TILE(4, Ap + (r % (MR))), r += 4;                                                      \
        if ((MR) > 2 && r + 2 <= M)                                                                \
            TILE(2, Ap + (r % (MR))), r += 2;                                                      \
        if (r < M)                                                                                 \
            TILE(1, Ap + (r % (MR)));                                                              \
    } while (0)

/* ---- generic kernel: R rows x one panel, plain C (float without FMA, and double) ---- */

INLINE void tile_generic(const int R, size_t kb, const real *A, const real *P, real *C, size_t ldc,
                         size_t nc, int from_c) {
    real acc[MR_GENERIC][PW];
    for (int r = 0; r < R; r++)
        for (size_t j = 0; j < PW; j++)
            acc[r][j] = from_c && j < nc ? C[(size_t)r * ldc + j] : 0;
    for (size_t k = 0; k < kb; k++)
        for (int r = 0; r < R; r++) {
            const real a = A[k * MR_GENERIC + (size_t)r];
            for (size_t j = 0; j < PW; j++)
                acc[r][j] += a * P[k * PW + j];
        }
    for (int r = 0; r < R; r++)
        for (size_t j = 0; j < nc; j++)
            C[(size_t)r * ldc + j] = acc[r][j];
}

static void block_generic(size_t M, size_t N, size_t kb, const real *A, const real *P, size_t ps,
                          real *C, size_t ldc, int from_c) {
    for (size_t n0 = 0; n0 < N; n0 += PW) {
        const size_t nc = N - n0 < PW ? N - n0 : PW;
        const real *Pn = P + n0 / PW * ps;
#define TILE_GENERIC(R, Ar) tile_generic(R, kb, Ar, Pn, C + r * ldc + n0, ldc, nc, from_c)
        ROW_TILES(MR_GENERIC, TILE_GENERIC);
#undef TILE_GENERIC
    }
}

#if RNNC_X86 && !defined(RNNC_REAL_F64)
/* ---- AVX-512F: R rows x NP panels (NP 1 or 2), masked loads and stores at the right edge ---- */

#define AVX512 __attribute__((target("avx512f")))
INLINE AVX512 void tile_avx512(const int R, const int NP, size_t kb, const float *A,
                               const float *P0, const float *P1, float *C, size_t ldc, __mmask16 m0,
                               __mmask16 m1, int from_c) {
    __m512 acc[MR_AVX512][2];
    for (int r = 0; r < R; r++) {
        const float *c = C + (size_t)r * ldc;
        acc[r][0] = from_c ? _mm512_maskz_loadu_ps(m0, c) : _mm512_setzero_ps();
        if (NP == 2)
            acc[r][1] = from_c ? _mm512_maskz_loadu_ps(m1, c + PW) : _mm512_setzero_ps();
    }
    for (size_t k = 0; k < kb; k++) {
        const __m512 w0 = _mm512_loadu_ps(P0 + k * PW);
        const __m512 w1 = NP == 2 ? _mm512_loadu_ps(P1 + k * PW) : w0;
        for (int r = 0; r < R; r++) {
            const __m512 a = _mm512_set1_ps(A[k * MR_AVX512 + (size_t)r]);
            acc[r][0] = _mm512_fmadd_ps(a, w0, acc[r][0]);
            if (NP == 2)
                acc[r][1] = _mm512_fmadd_ps(a, w1, acc[r][1]);
        }
    }
    for (int r = 0; r < R; r++) {
        float *c = C + (size_t)r * ldc;
        _mm512_mask_storeu_ps(c, m0, acc[r][0]);
        if (NP == 2)
            _mm512_mask_storeu_ps(c + PW, m1, acc[r][1]);
    }
}

INLINE AVX512 __mmask16 lanes(size_t n) {
    return n >= PW ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1);
}

static AVX512 void block_avx512(size_t M, size_t N, size_t kb, const float *A, const float *P,
                                size_t ps, float *C, size_t ldc, int from_c) {
    for (size_t n0 = 0; n0 < N; n0 += 2 * PW) {
        const size_t nc = N - n0;
        const float *P0 = P + n0 / PW * ps, *P1 = nc > PW ? P0 + ps : P0;
        float *Cn = C + n0;
        const __mmask16 m0 = lanes(nc), m1 = nc > PW ? lanes(nc - PW) : 0;
        if (nc > PW) {
#define TILE2(R, Ar) tile_avx512(R, 2, kb, Ar, P0, P1, Cn + r * ldc, ldc, m0, m1, from_c)
            ROW_TILES(MR_AVX512, TILE2);
#undef TILE2
        } else {
#define TILE1(R, Ar) tile_avx512(R, 1, kb, Ar, P0, P1, Cn + r * ldc, ldc, m0, m1, from_c)
            ROW_TILES(MR_AVX512, TILE1);
#undef TILE1
        }
    }
}

/* ---- AVX2 + FMA: R rows x one panel (two 8-float registers), masked at the right edge ---- */

#define AVX2 __attribute__((target("avx2,fma")))
INLINE AVX2 void tile_avx2(const int R, size_t kb, const float *A, const float *P, float *C,
                           size_t ldc, __m256i m0, __m256i m1, int from_c) {
    __m256 acc[MR_AVX2][2];
    for (int r = 0; r < R; r++) {
        const float *c = C + (size_t)r * ldc;
        acc[r][0] = from_c ? _mm256_maskload_ps(c, m0) : _mm256_setzero_ps();
        acc[r][1] = from_c ? _mm256_maskload_ps(c + 8, m1) : _mm256_setzero_ps();
    }
    for (size_t k = 0; k < kb; k++) {
        const __m256 w0 = _mm256_loadu_ps(P + k * PW), w1 = _mm256_loadu_ps(P + k * PW + 8);
        for (int r = 0; r < R; r++) {
            const __m256 a = _mm256_broadcast_ss(A + k * MR_AVX2 + (size_t)r);
            acc[r][0] = _mm256_fmadd_ps(a, w0, acc[r][0]);
            acc[r][1] = _mm256_fmadd_ps(a, w1, acc[r][1]);
        }
    }
    for (int r = 0; r < R; r++) {
        float *c = C + (size_t)r * ldc;
        _mm256_maskstore_ps(c, m0, acc[r][0]);
        _mm256_maskstore_ps(c + 8, m1, acc[r][1]);
    }
}

static AVX2 void block_avx2(size_t M, size_t N, size_t kb, const float *A, const float *P,
                            size_t ps, float *C, size_t ldc, int from_c) {
    const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    for (size_t n0 = 0; n0 < N; n0 += PW) {
        const int nc = N - n0 < PW ? (int)(N - n0) : PW;
        const float *Pn = P + n0 / PW * ps;
        float *Cn = C + n0;
        const __m256i m0 = _mm256_cmpgt_epi32(_mm256_set1_epi32(nc), idx);
        const __m256i m1 = _mm256_cmpgt_epi32(_mm256_set1_epi32(nc - 8), idx);
#define TILE(R, Ar) tile_avx2(R, kb, Ar, Pn, Cn + r * ldc, ldc, m0, m1, from_c)
        ROW_TILES(MR_AVX2, TILE);
#undef TILE
    }
}

static int has_avx512(void) {
    return __builtin_cpu_supports("avx512f");
}
static int has_avx2(void) {
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#endif

/* ---- the kernel table (float) ---- */

#ifndef RNNC_REAL_F64
static int always(void) {
    return 1;
}

typedef struct kernel {
    const char *name;
    int fused; /* 1: each multiply-add rounds once */
    int (*runs_here)(void);
    block_fn *block;
    size_t mr; /* rows of its tile: the height of packed A's micro-panels */
} kernel;

static const kernel kernels[] = {
#if RNNC_X86
    {"avx512f", 1, has_avx512, block_avx512, MR_AVX512},
    {"avx2+fma", 1, has_avx2, block_avx2, MR_AVX2},
#endif
#ifdef __FMA__ /* a build for a CPU with FMA: the compiler may fuse the generic kernel's steps */
    {"generic", -1, always, block_generic, MR_GENERIC},
#else
    {"generic", 0, always, block_generic, MR_GENERIC},
#endif
};
enum { N_KERNELS = sizeof kernels / sizeof kernels[0] };

/* -1 until the first product picks one. */
static _Atomic int chosen = -1;

static int best_kernel(void) {
#if RNNC_X86
    __builtin_cpu_init();
#endif
    for (int i = 0; i < N_KERNELS; i++)
        if (kernels[i].runs_here())
            return i;
    return N_KERNELS - 1;
}

static const kernel *kernel_now(void) {
    int k = atomic_load_explicit(&chosen, memory_order_relaxed);
    if (k < 0) {
        k = best_kernel();
        atomic_store_explicit(&chosen, k, memory_order_relaxed);
    }
    return &kernels[k];
}

int rnnc__gemm_kernel_count(void) {
    return N_KERNELS;
}

const char *rnnc__gemm_kernel_info(int i, int *fused, int *runs_here) {
    if (i < 0 || i >= N_KERNELS)
        return NULL;
#if RNNC_X86
    __builtin_cpu_init();
#endif
    if (fused)
        *fused = kernels[i].fused;
    if (runs_here)
        *runs_here = kernels[i].runs_here();
    return kernels[i].name;
}

int rnnc__gemm_use(int i) {
    if (i < 0) {
        atomic_store(&chosen, best_kernel());
        return 0;
    }
    if (i >= N_KERNELS || !kernels[i].runs_here())
        return -1;
    atomic_store(&chosen, i);
    return 0;
}

const char *rnnc__gemm_kernel(void) {
    return kernel_now()->name;
}

_Atomic unsigned long long rnnc__gemm_macs;

/* The kernel in use: its block function and tile height. */
static block_fn *pick(size_t *mr) {
    const kernel *k = kernel_now();
    *mr = k->mr;
    return k->block;
}
#else
static block_fn *pick(size_t *mr) {
    *mr = MR_GENERIC;
    return block_generic;
}
#endif

/* ---- packing ---- */

#ifndef RNNC_REAL_F64 /* size functions do not depend on the precision: define them once */
size_t rnnc__packed_size(size_t K, size_t N) {
    return (N + PW - 1) / PW * PW * K;
}
#endif

/* dst[0..n) = src[0..n): constant sizes for the common widths, so that the compiler moves them
 * in registers instead of calling memcpy for a few dozen bytes. */
INLINE void copy_few(real *dst, const real *src, size_t n) {
    switch (n) {
    case 16: memcpy(dst, src, 16 * sizeof(real)); break;
    case 12: memcpy(dst, src, 12 * sizeof(real)); break;
    case 6: memcpy(dst, src, 6 * sizeof(real)); break;
    case 2: memcpy(dst, src, 2 * sizeof(real)); break;
    default:
        for (size_t i = 0; i < n; i++)
            dst[i] = src[i];
    }
}

/* Panels of columns [n0, n0 + nc) of op(W) for k in [k0, k0 + kb): P[p][k][j], zeros past nc. */
static void pack_panels(int trans, size_t k0, size_t kb, size_t n0, size_t nc, const real *W,
                        size_t ldw, real *P) {
    for (size_t p = 0; p * PW < nc; p++) {
        real *panel = P + p * kb * PW;
        const size_t c0 = n0 + p * PW, w = nc - p * PW < PW ? nc - p * PW : PW;
        if (trans) {
            for (size_t j = 0; j < w; j++) {
                const real *src = W + (c0 + j) * ldw + k0;
                for (size_t k = 0; k < kb; k++)
                    panel[k * PW + j] = src[k];
            }
        } else {
            for (size_t k = 0; k < kb; k++)
                copy_few(panel + k * PW, W + (k0 + k) * ldw + c0, w);
        }
        if (w < PW)
            for (size_t k = 0; k < kb; k++)
                memset(panel + k * PW + w, 0, (PW - w) * sizeof(real));
    }
}

void rnnc__pack(int trans, size_t K, size_t N, const real *W, size_t ldw, real *P) {
    pack_panels(trans, 0, K, 0, N, W, ldw, P);
}

/* Rows [m0, m0 + rows) of op(A) for k in [k0, k0 + kb), in micro-panels of mr rows: row i's
 * value of k at dst[(i / mr) * mr * kb + k * mr + i % mr]. */
static void pack_rows(int trans, size_t m0, size_t rows, size_t k0, size_t kb, const real *A,
                      size_t lda, size_t mr, real *dst) {
    if (trans) { /* op(A) row i, value k = A[k][i]: row k of A feeds every micro-panel in turn */
        for (size_t k = 0; k < kb; k++) {
            const real *src = A + (k0 + k) * lda + m0;
            for (size_t p0 = 0; p0 < rows; p0 += mr)
                copy_few(dst + p0 * kb + k * mr, src + p0, rows - p0 < mr ? rows - p0 : mr);
        }
        return;
    }
    for (size_t p0 = 0; p0 < rows; p0 += mr) {
        const size_t h = rows - p0 < mr ? rows - p0 : mr;
        real *panel = dst + p0 * kb;
        size_t i = 0;
#if RNNC_X86 && !defined(RNNC_REAL_F64)
        /* 4 rows x 4 values of k at a time, transposed in SSE registers (x86-64's baseline) */
        for (; i + 4 <= h; i += 4) {
            const real *src = A + (m0 + p0 + i) * lda + k0;
            size_t k = 0;
            for (; k + 4 <= kb; k += 4) {
                __m128 r0 = _mm_loadu_ps(src + k), r1 = _mm_loadu_ps(src + lda + k);
                __m128 r2 = _mm_loadu_ps(src + 2 * lda + k), r3 = _mm_loadu_ps(src + 3 * lda + k);
                _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
                _mm_storeu_ps(panel + k * mr + i, r0);
                _mm_storeu_ps(panel + (k + 1) * mr + i, r1);
                _mm_storeu_ps(panel + (k + 2) * mr + i, r2);
                _mm_storeu_ps(panel + (k + 3) * mr + i, r3);
            }
            for (; k < kb; k++)
                for (size_t q = 0; q < 4; q++)
                    panel[k * mr + i + q] = src[q * lda + k];
        }
#endif
        for (; i < h; i++) {
            const real *src = A + (m0 + p0 + i) * lda + k0;
            for (size_t k = 0; k < kb; k++)
                panel[k * mr + i] = src[k];
        }
    }
}

/* Packing buffers, reused from call to call so that a training step allocates nothing once the
 * first one has run: a few slots, each taken by one caller at a time (an atomic flag), grown when
 * too small and kept until rnnc_shutdown. When every slot is taken, a plain malloc. */
enum { SLOTS = 16 };
static struct {
    _Atomic int busy;
    void *p;
    size_t cap;
} slots[SLOTS];

/* A buffer of `bytes`, or NULL when none can be had; *slot says where it goes back. */
static void *buf_get(size_t bytes, int *slot) {
    for (int i = 0; i < SLOTS; i++) {
        int free_slot = 0;
        if (!atomic_compare_exchange_strong(&slots[i].busy, &free_slot, 1))
            continue;
        if (slots[i].cap < bytes) {
            free(slots[i].p);
            slots[i].p = malloc(bytes);
            slots[i].cap = slots[i].p ? bytes : 0;
        }
        if (slots[i].p) {
            *slot = i;
            return slots[i].p;
        }
        atomic_store(&slots[i].busy, 0);
        break;
    }
    *slot = -1;
    return malloc(bytes);
}

static void buf_put(void *p, int slot) {
    if (slot < 0)
        free(p);
    else
        atomic_store(&slots[slot].busy, 0);
}

/* Frees the buffers of the slots no caller holds (rnnc_shutdown). */
void RNNC__TWIN(rnnc__gemm_release)(void) {
    for (int i = 0; i < SLOTS; i++) {
        int free_slot = 0;
        if (!atomic_compare_exchange_strong(&slots[i].busy, &free_slot, 1))
            continue;
        free(slots[i].p);
        slots[i].p = NULL, slots[i].cap = 0;
        atomic_store(&slots[i].busy, 0);
    }
}

/* The step product: the rows of A packed per block of k (all at once into one buffer when it can
 * be had, else in chunks of 24 from the stack; each chunk streams op(W) once more). */
void rnnc__gemm_packed_n(size_t M, size_t N, size_t K, const real *A, size_t lda, int count,
                         const real *P, size_t pstride, int accumulate, real *C, size_t cstride,
                         size_t ldc) {
    if (M == 0 || N == 0 || count <= 0)
        return;
    size_t mr;
    block_fn *block = pick(&mr);
    enum { CHUNK = 24 }; /* a multiple of every kernel's MR */
    real small[CHUNK * KC];
    if (K == 0) {
        for (int q = 0; q < count; q++) /* no value of A is read */
            block(M, N, 0, P, P, 0, C + (size_t)q * cstride, ldc, accumulate);
        return;
    }
    const size_t kc = K < KC ? K : KC, height = (M + mr - 1) / mr * mr;
    int slot;
    real *buf = buf_get(height * kc * sizeof(real), &slot);
    const size_t chunk = buf ? M : CHUNK;
    if (!buf)
        buf = small;
    for (size_t k0 = 0; k0 < K; k0 += KC) {
        const size_t kb = K - k0 < KC ? K - k0 : KC;
        for (size_t r0 = 0; r0 < M; r0 += chunk) {
            const size_t rows = M - r0 < chunk ? M - r0 : chunk;
            pack_rows(0, r0, rows, k0, kb, A, lda, mr, buf);
            for (int q = 0; q < count; q++)
                block(rows, N, kb, buf, P + (size_t)q * pstride + k0 * PW, K * PW,
                      C + (size_t)q * cstride + r0 * ldc, ldc, k0 > 0 || accumulate);
        }
    }
    if (buf != small)
        buf_put(buf, slot);
}

void rnnc__gemm_packed(size_t M, size_t N, size_t K, const real *A, size_t lda, const real *P,
                       int accumulate, real *C, size_t ldc) {
    rnnc__gemm_packed_n(M, N, K, A, lda, 1, P, 0, accumulate, C, 0, ldc);
}

/* Row slices in multiples of the kernel's tile height, one per thread of the pool (or one after
 * the other when it is busy), for products of at least 2e6 multiply-adds per thread. */
typedef struct rows_job {
    size_t N, K, lda, ldc;
    const real *A, *P;
    real *C;
    int accumulate;
    size_t m0, m1;
} rows_job;

static void rows_task(void *jobs, int k) {
    const rows_job *j = (const rows_job *)jobs + k;
    rnnc__gemm_packed(j->m1 - j->m0, j->N, j->K, j->A + j->m0 * j->lda, j->lda, j->P, j->accumulate,
                      j->C + j->m0 * j->ldc, j->ldc);
}

void rnnc__gemm_packed_rows(size_t M, size_t N, size_t K, const real *A, size_t lda, const real *P,
                            int accumulate, real *C, size_t ldc) {
    enum { MAX_SLICES = RNNC__POOL_MAX };
    size_t mr;
    (void)pick(&mr);
    int nt = rnnc__in_worker() ? 1 : rnnc__threads();
    const double mnk = (double)M * (double)N * (double)K;
    if (nt > mnk / 2e6)
        nt = (int)(mnk / 2e6);
    const size_t tiles = M / mr;
    if ((size_t)nt > tiles)
        nt = (int)tiles;
    if (nt > MAX_SLICES)
        nt = MAX_SLICES;
    rows_job jobs[MAX_SLICES];
    if (nt <= 1) {
        rows_job one = {N, K, lda, ldc, A, P, C, accumulate, 0, M};
        rows_task(&one, 0);
        return;
    }
    for (int k = 0; k < nt; k++) {
        jobs[k] = (rows_job){N, K, lda, ldc, A, P, C, accumulate, 0, 0};
        jobs[k].m0 = mr * (tiles * (size_t)k / (size_t)nt);
        jobs[k].m1 = k == nt - 1 ? M : mr * (tiles * (size_t)(k + 1) / (size_t)nt);
    }
    if (!rnnc__pool_run(nt, rows_task, jobs))
        for (int k = 0; k < nt; k++)
            rows_task(jobs, k);
}

/* ---- the whole product, its rows or columns split over threads ---- */

typedef struct gemm_job {
    int ta, tb, accumulate;
    size_t M, N, K;
    const real *A, *B;
    size_t lda, ldb, ldc;
    real *C;
    block_fn *block;
    size_t mr;             /* the kernel's tile height */
    size_t m0, m1, n0, n1; /* this task's rows and columns of C */
} gemm_job;

static void gemm_region(const gemm_job *j) {
    /* Blocks of MC rows and NC columns; when the buffers cannot be had, smaller ones on the
     * stack (the blocking does not change a bit, only the speed). */
    enum { SMALL_M = 24, SMALL_N = 2 * PW }; /* SMALL_M: a multiple of every kernel's MR */
    real smallA[SMALL_M * KC], smallB[KC * SMALL_N];
    const size_t width = j->n1 - j->n0;
    size_t mc = MC, nc = width < NC ? (width + PW - 1) / PW * PW : NC;
    int slot;
    real *bufA = buf_get((MC + nc) * KC * sizeof(real), &slot), *bufB = smallB;
    if (bufA)
        bufB = bufA + MC * KC;
    else
        bufA = smallA, mc = SMALL_M, nc = SMALL_N;
    for (size_t c0 = j->n0; c0 < j->n1; c0 += nc) {
        const size_t ncols = j->n1 - c0 < nc ? j->n1 - c0 : nc;
        for (size_t k0 = 0; k0 < j->K; k0 += KC) {
            const size_t kb = j->K - k0 < KC ? j->K - k0 : KC;
            pack_panels(j->tb, k0, kb, c0, ncols, j->B, j->ldb, bufB);
            for (size_t r0 = j->m0; r0 < j->m1; r0 += mc) {
                const size_t mr = j->m1 - r0 < mc ? j->m1 - r0 : mc;
                pack_rows(j->ta, r0, mr, k0, kb, j->A, j->lda, j->mr, bufA);
                j->block(mr, ncols, kb, bufA, bufB, kb * PW, j->C + r0 * j->ldc + c0, j->ldc,
                         k0 > 0 || j->accumulate);
            }
        }
    }
    if (bufA != smallA)
        buf_put(bufA, slot);
}

static void gemm_task(void *jobs, int k) {
    gemm_region((const gemm_job *)jobs + k);
}

void rnnc__gemm(int ta, int tb, size_t M, size_t N, size_t K, const real *A, size_t lda,
                const real *B, size_t ldb, int accumulate, real *C, size_t ldc) {
    if (M == 0 || N == 0)
        return;
#ifndef RNNC_REAL_F64
    atomic_fetch_add_explicit(&rnnc__gemm_macs, (unsigned long long)M * N * K,
                              memory_order_relaxed);
#endif
    if (K == 0) { /* the empty sum */
        if (!accumulate)
            for (size_t i = 0; i < M; i++)
                memset(C + i * ldc, 0, N * sizeof(real));
        return;
    }
    enum { MAX_SLICES = RNNC__POOL_MAX, COL_STEP = 2 * PW };
    gemm_job job = {ta, tb, accumulate, M, N, K, A, B, lda, ldb, ldc, C, NULL, 0, 0, M, 0, N};
    job.block = pick(&job.mr);
    /* Threads for products of at least 2e6 multiply-adds each; rows or columns, whichever has
     * more whole tiles (the kernel's tile height in rows, 32 columns: a panel pair). */
    int nt = rnnc__in_worker() ? 1 : rnnc__threads();
    const double mnk = (double)M * (double)N * (double)K;
    if (nt > mnk / 2e6)
        nt = (int)(mnk / 2e6);
    const size_t row_tiles = M / job.mr, col_tiles = N / COL_STEP;
    const int by_rows = row_tiles >= col_tiles;
    const size_t tiles = by_rows ? row_tiles : col_tiles, step = by_rows ? job.mr : COL_STEP;
    if ((size_t)nt > tiles)
        nt = (int)tiles;
    if (nt > MAX_SLICES)
        nt = MAX_SLICES;
    if (nt <= 1) {
        gemm_region(&job);
        return;
    }
    gemm_job jobs[MAX_SLICES];
    const size_t total = by_rows ? M : N;
    for (int k = 0; k < nt; k++) {
        jobs[k] = job;
        const size_t a = step * (tiles * (size_t)k / (size_t)nt);
        const size_t b = k == nt - 1 ? total : step * (tiles * (size_t)(k + 1) / (size_t)nt);
        if (by_rows)
            jobs[k].m0 = a, jobs[k].m1 = b;
        else
            jobs[k].n0 = a, jobs[k].n1 = b;
    }
    if (!rnnc__pool_run(nt, gemm_task, jobs))
        for (int k = 0; k < nt; k++)
            gemm_task(jobs, k); /* the same slices, one by one */
}
