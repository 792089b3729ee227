/* rnnc/core.h: the version, status codes and error messages, threads and kernels, random numbers.
 * Part of the public API; include "rnnc.h" for all of it (its conventions hold here). */
#ifndef RNNC_CORE_H
#define RNNC_CORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RNNC_VERSION_MAJOR 0
#define RNNC_VERSION_MINOR 1
#define RNNC_VERSION_PATCH 0
#define RNNC_VERSION_STRING "0.1.0"

/* ---------------------------------------------------------------------------------------------
 * Status and errors
 */
typedef int rnnc_status;
enum {
    RNNC_OK = 0,
    RNNC_ERR_ARG = -1,     /* a bad argument from the caller (NULL, out of range, unknown name) */
    RNNC_ERR_SHAPE = -2,   /* sizes that do not fit together */
    RNNC_ERR_FORMAT = -3,  /* a malformed file or config */
    RNNC_ERR_IO = -4,      /* the operating system refused a read or write */
    RNNC_ERR_NOMEM = -5,   /* allocation failed or a size overflowed */
    RNNC_ERR_NUMERIC = -6, /* NaN or Inf where a finite number is required */
    RNNC_ERR_STATE = -7    /* a call out of order (e.g. backward before forward) */
};

/* The message of the last failure on this thread ("" if none). Valid until the next failing call
 * on the same thread. */
const char *rnnc_last_error(void);
/* A short name for a status code, e.g. "format error". */
const char *rnnc_status_name(rnnc_status s);
/* "0.1.0" and the same numbers as the macros above. */
const char *rnnc_version(void);
/* Records a printf-style message for rnnc_last_error() and returns code: programs built on rnnc
 * (rnnc's own command-line tool among them) report their failures through the same channel. */
rnnc_status rnnc_error(rnnc_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* ---------------------------------------------------------------------------------------------
 * Files written atomically: the bytes go to PATH.tmp.<pid> in the same folder, which is flushed,
 * fsync'ed and renamed over PATH (then the folder is fsync'ed). An earlier file at PATH stays as
 * it was until the rename, and on any failure the temporary is removed: a reader sees the old
 * file or the new one, never a part.
 */
typedef struct rnnc_atomic_file rnnc_atomic_file;
/* Creates the temporary (O_NOFOLLOW). Errors: RNNC_ERR_ARG (no path), RNNC_ERR_IO naming both
 * files, RNNC_ERR_NOMEM. Owned by the caller until rnnc_atomic_commit or rnnc_atomic_abort. */
rnnc_status rnnc_atomic_open(const char *path, rnnc_atomic_file **out);
/* The stream to write to (borrowed; do not close it). */
FILE *rnnc_atomic_stream(rnnc_atomic_file *f);
/* Flushes, fsyncs, closes and renames the temporary over PATH; frees f whatever happens. A write
 * error met on the stream earlier fails here (RNNC_ERR_IO naming the file), and then nothing is
 * renamed. */
rnnc_status rnnc_atomic_commit(rnnc_atomic_file *f);
/* Removes the temporary and frees f (NULL: nothing); PATH is untouched. */
void rnnc_atomic_abort(rnnc_atomic_file *f);
/* The whole of data (len bytes) written to path atomically. */
rnnc_status rnnc_file_write_atomic(const char *path, const void *data, size_t len);

/* ---------------------------------------------------------------------------------------------
 * Threads and kernels. rnnc runs its parallel work on its own threads: n <= 0 selects the number
 * of online CPUs; the default is RNNC_NUM_THREADS when set to a positive number, else the online
 * CPUs. Results are the same bits for any thread count.
 *
 * Thread rules (docs/api.md#threads):
 *   - Any number of threads may call the library at once, each with its own objects. Error
 *     messages (rnnc_last_error) are per thread.
 *   - An object (model, optimizer, classifier, ...) is used by one thread at a time: every call
 *     that runs a model writes its buffers and state, even for inference.
 *   - Except: one classifier, language model or forecaster may be shared by threads for
 *     rnnc_classifier_predict/_evaluate, rnnc_lm_evaluate/_generate and
 *     rnnc_forecaster_predict/_evaluate, together with the calls that take it const (save, the
 *     getters). The library serializes these calls on the object (a lock held for the call; the
 *     call itself runs on rnnc's threads), so each gets the bits it would get alone. Training,
 *     rnnc_*_set_info, free, and any use of a borrowed part (rnnc_classifier_model) still need
 *     the object to themselves. rnnc_lm_generate's emit must not call the same language model.
 *   - The library changes no setting of the host process: no thread count of another library,
 *     no floating-point mode (rounding, flush-to-zero), no signal, locale or environment variable.
 *     rnnc_set_num_threads sets rnnc's own count, for all threads.
 *
 * rnnc_shutdown: joins rnnc's worker threads (created on first parallel call, then kept, idle
 * between calls) and frees its cached GEMM packing buffers, so that a program or a dlclose ends
 * with no rnnc thread running and nothing of rnnc allocated. Call it when no other thread is inside
 * an rnnc call (it waits for a running parallel job); the library works afterwards, starting its
 * threads again on demand. Calling it twice is harmless.
 *
 * rnnc_cpu_features: the instruction sets this CPU offers that rnnc looks at, space-separated
 * ("sse2 avx avx2 fma avx512f ..."), as CPUID and the operating system report them.
 * rnnc_gemm_kernel: the matrix-product kernel picked by them: "avx512f", "avx2+fma" or "generic".
 * The AVX-512 and AVX2 kernels give the same bits; the generic one rounds products and sums
 * separately.
 */
#define RNNC_MAX_THREADS 1024 /* the most threads a run asks for (--threads, [train] threads) */
void rnnc_set_num_threads(int n);
int rnnc_num_threads(void);
void rnnc_shutdown(void);
const char *rnnc_cpu_features(void);
const char *rnnc_gemm_kernel(void);

/* ---------------------------------------------------------------------------------------------
 * Random numbers: xoshiro256** (Blackman & Vigna, 2018) seeded through splitmix64. Integer
 * arithmetic only, so a seed gives the same stream on every platform and compiler. The struct is
 * a plain value: copy it to save or restore a stream (checkpoints do). Treat the fields as opaque.
 */
typedef struct rnnc_rng {
    uint64_t s[4];
} rnnc_rng;

/* Seeds the generator; every seed, including 0, gives a valid, distinct stream. */
void rnnc_rng_seed(rnnc_rng *r, uint64_t seed);
/* The next 64 random bits. */
uint64_t rnnc_rng_u64(rnnc_rng *r);
/* Uniform in [0, 1) with 53 random bits. */
double rnnc_rng_uniform(rnnc_rng *r);
/* Standard normal (Box-Muller on two uniforms; consumes two u64 per call). */
double rnnc_rng_normal(rnnc_rng *r);
/* Uniform integer in [0, n) without modulo bias; n must be > 0. */
uint32_t rnnc_rng_below(rnnc_rng *r, uint32_t n);

#ifdef __cplusplus
}
#endif
#endif /* RNNC_CORE_H */
