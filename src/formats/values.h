/* Whole-string values of INI keys, shared by the model-description and training-file readers.
 * Each returns 0 and sets *out, or -1 when the text is not a value of that type. */
#ifndef RNNC_SRC_FORMATS_VALUES_H
#define RNNC_SRC_FORMATS_VALUES_H

#include "../core/core.h"
#include "rnnc/formats.h"

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

/* The next "key=value" line of a model file's metadata text (its settings are kept as such
 * lines): copies the line into buf (cap bytes), splits it at the first '=' and points *key and
 * *val into buf; empty lines are skipped. *p advances, *line counts lines. Returns 1 for a pair, 0
 * at the end, or RNNC_ERR_FORMAT (negative) with a message "<path>: <what> line N: ...". */
static inline int rnnc__meta_line(const char **p, int *line, char *buf, size_t cap,
                                  const char *path, const char *what, const char **key,
                                  const char **val) {
    while (**p) {
        ++*line;
        const char *nl = strchr(*p, '\n');
        const size_t len = nl ? (size_t)(nl - *p) : strlen(*p);
        if (len >= cap)
            return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: %s line %d is too long", path, what, *line);
        memcpy(buf, *p, len);
        buf[len] = 0;
        *p += len + (nl ? 1 : 0);
        if (!len)
            continue;
        char *eq = strchr(buf, '=');
        if (!eq)
            return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: %s line %d: no '='", path, what, *line);
        *eq = 0;
        *key = buf, *val = eq + 1;
        return 1;
    }
    return 0;
}

#endif
