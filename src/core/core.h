/* Internal core: error reporting, checked sizes, allocation. Not part of the public API. */
#ifndef RNNC_SRC_CORE_CORE_H
#define RNNC_SRC_CORE_CORE_H

#include "rnnc/core.h"

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

/* Puts "prefix: " before the current message (e.g. a file name) and returns code. */
rnnc_status rnnc__fail_prefix(rnnc_status code, const char *prefix);
/* Records a message for rnnc_last_error() and returns code (rnnc_error). */
#define RNNC_FAIL(code, ...) rnnc_error((code), __VA_ARGS__)
/* Propagates a failing status. */
#define RNNC_TRY(expr)                                                                             \
    do {                                                                                           \
        rnnc_status rnnc__s = (expr);                                                              \
        if (rnnc__s != RNNC_OK)                                                                    \
            return rnnc__s;                                                                        \
    } while (0)

/* An invariant that stays on in release builds (never used for user data). */
#define RNNC_ASSERT(cond) ((cond) ? (void)0 : rnnc__assert_fail(#cond, __FILE__, __LINE__))
void rnnc__assert_fail(const char *what, const char *file, int line);

/* rnnc's thread count (src/core/threads.c). rnnc__in_worker is 1 on a thread running one of the
 * pool's tasks, whose own work then stays on that thread (no nested parallelism). */
int rnnc__threads(void);
int rnnc__in_worker(void);

/* Runs task(arg, k) for k = 0 .. n-1 at the same time: k = 0 on the calling thread, the others on
 * rnnc's pool of worker threads (created on first use, kept until rnnc_shutdown joins them; between
 * jobs they spin briefly, then sleep). Returns 1 when done, 0 having run nothing when the tasks
 * cannot all run at once: called from a worker, the pool busy with another caller's job, or a
 * thread that could not be created; the caller then runs them itself, one after the other (which
 * must be correct too, unless the tasks meet at a barrier). n <= RNNC__POOL_MAX. */
enum { RNNC__POOL_MAX = 64 };
int rnnc__pool_run(int n, void (*task)(void *arg, int k), void *arg);

/* A barrier for n threads that spin (then yield) rather than sleep: the recurrent time loops
 * meet at one per step, hundreds per call, microseconds apart. */
typedef struct rnnc__barrier {
    _Atomic int count, phase;
    int n;
} rnnc__barrier;
void rnnc__barrier_init(rnnc__barrier *b, int n);
void rnnc__barrier_wait(rnnc__barrier *b);

/* The float GEMM kernels (src/core/gemm.c), in order of preference: kernel i's name, whether its
 * multiply-adds are fused (1), separate (0) or left to the compiler (-1), and whether this CPU
 * runs it; NULL past the last. rnnc__gemm_kernel names the one in use, picked on first use by the
 * CPU's instruction sets; rnnc__gemm_use(i) makes kernel i the one (-1: pick again), for the
 * tests that compare kernels; -1 when the CPU cannot run it. */
int rnnc__gemm_kernel_count(void);
const char *rnnc__gemm_kernel_info(int i, int *fused, int *runs_here);
const char *rnnc__gemm_kernel(void);
int rnnc__gemm_use(int i);
/* Frees the GEMM packing buffers no caller holds (rnnc_shutdown), in each precision's copy. */
void rnnc__gemm_release_f32(void);
void rnnc__gemm_release_f64(void);

/* Multiply-adds done by the float GEMMs (rnnc__gemm) since the start: the tests count the work
 * that freezing a layer must save. */
extern _Atomic unsigned long long rnnc__gemm_macs;

/* y (n) = exp(x (n) - m), m >= every x (a softmax row's maximum); returns the sum of y. Float only,
 * vectorized (src/core/vmath.c, within 2.5 ulps like the cells' exp). */
float rnnc__vexp_shift(const float *x, float m, float *y, size_t n);

/* a*b and a+b with overflow detection: return 0 and set *out, or -1 on overflow. */
int rnnc__mul(size_t a, size_t b, size_t *out);
int rnnc__add(size_t a, size_t b, size_t *out);

/* FNV-1a (64 bits) of p[0..n) continuing from h (start from RNNC__HASH_INIT): a fingerprint of
 * data, not a defence against a crafted collision. */
#define RNNC__HASH_INIT UINT64_C(0xcbf29ce484222325)
uint64_t rnnc__hash(uint64_t h, const void *p, size_t n);

/* calloc of n*size bytes that reports RNNC_ERR_NOMEM naming `what` on failure or overflow. */
/* Versioned option structs (docs/api.md, "Compatibility"): each starts with size_t struct_size.
 * rnnc__spec_fill copies this library's defaults def (size want) into dst, which is size bytes
 * (the caller's sizeof): the common prefix, the rest zero, struct_size = size. rnnc__spec_check
 * refuses a struct whose struct_size is not want, naming the type and its init function. */
void rnnc__spec_fill(void *dst, size_t size, const void *def, size_t want);
rnnc_status rnnc__spec_check(const void *s, size_t want, const char *type);
#define RNNC__SPEC_CHECK(p, type) rnnc__spec_check((p), sizeof(type), #type)
rnnc_status rnnc__calloc(void **out, size_t n, size_t size, const char *what);

#endif
