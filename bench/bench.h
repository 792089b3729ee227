/* What the benchmark programs in bench/ share: a monotonic clock and a comparison for qsort. Each
 * program is built on its own (by the scripts in bench/), so these are static inline. */
#ifndef RNNC_BENCH_H
#define RNNC_BENCH_H

#include <time.h>

/* Seconds on CLOCK_MONOTONIC. */
static inline double bench_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Ascending doubles, for qsort. */
static inline int bench_cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#endif
