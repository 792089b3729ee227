/* Whole-string values of INI keys, shared by the model-description and training-file readers.
 * Each returns 0 and sets *out, or -1 when the text is not a value of that type. */
#ifndef RNNC_IO_VALUES_H
#define RNNC_IO_VALUES_H

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* An integer in [lo, hi]. */
static inline int rnnc__value_long(const char *v, long lo, long hi, long *out) {
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || end == v || *end || x < lo || x > hi)
        return -1;
    *out = x;
    return 0;
}

/* A finite number (NaN and infinity are refused). */
static inline int rnnc__value_double(const char *v, double *out) {
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (errno || end == v || *end || !isfinite(x))
        return -1;
    *out = x;
    return 0;
}

/* 1/true/yes or 0/false/no. */
static inline int rnnc__value_bool(const char *v, long *out) {
    if (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "yes"))
        return *out = 1, 0;
    if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "no"))
        return *out = 0, 0;
    return -1;
}

#endif
