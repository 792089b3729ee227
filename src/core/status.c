/* Error messages: one buffer per thread, filled by rnnc_error (RNNC_FAIL); and the checked
 * allocation and data hash of core.h. */
#include "core.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local char last_error[1024];

rnnc_status rnnc_error(rnnc_status code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return code;
}

rnnc_status rnnc__fail_prefix(rnnc_status code, const char *prefix) {
    char msg[sizeof last_error];
    snprintf(msg, sizeof msg, "%s", last_error);
    if (snprintf(last_error, sizeof last_error, "%s: %s", prefix, msg) >= (int)sizeof last_error)
        last_error[sizeof last_error - 1] = 0; /* a long message is cut; that is fine */
    return code;
}

void rnnc__spec_fill(void *dst, size_t size, const void *def, size_t want) {
    if (!dst || size < sizeof(size_t))
        return;
    memset(dst, 0, size);
    memcpy(dst, def, size < want ? size : want);
    memcpy(dst, &size, sizeof size);
}

rnnc_status rnnc__spec_check(const void *s, size_t want, const char *type) {
    if (!s)
        return RNNC_FAIL(RNNC_ERR_ARG, "%s is NULL", type);
    size_t have;
    memcpy(&have, s, sizeof have);
    if (have != want)
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "%s: struct_size is %zu, but this library's %s has %zu bytes: start it "
                         "from %s_init(), in a program compiled with the rnnc.h of this "
                         "library (rnnc %s)",
                         type, have, type, want, type, RNNC_VERSION_STRING);
    return RNNC_OK;
}

const char *rnnc_last_error(void) {
    return last_error;
}

const char *rnnc_status_name(rnnc_status s) {
    switch (s) {
    case RNNC_OK: return "ok";
    case RNNC_ERR_ARG: return "bad argument";
    case RNNC_ERR_SHAPE: return "shape error";
    case RNNC_ERR_FORMAT: return "format error";
    case RNNC_ERR_IO: return "i/o error";
    case RNNC_ERR_NOMEM: return "out of memory";
    case RNNC_ERR_NUMERIC: return "numeric error";
    case RNNC_ERR_STATE: return "state error";
    default: return "unknown error";
    }
}

const char *rnnc_version(void) {
    return RNNC_VERSION_STRING;
}

void rnnc__assert_fail(const char *what, const char *file, int line) {
    /* A broken internal invariant is a bug in rnnc, not bad input: stop loudly. */
    fprintf(stderr, "rnnc: internal error: %s (%s:%d)\n", what, file, line);
    abort();
}

int rnnc__mul(size_t a, size_t b, size_t *out) {
    if (a != 0 && b > SIZE_MAX / a)
        return -1;
    *out = a * b;
    return 0;
}

int rnnc__add(size_t a, size_t b, size_t *out) {
    if (b > SIZE_MAX - a)
        return -1;
    *out = a + b;
    return 0;
}

rnnc_status rnnc__calloc(void **out, size_t n, size_t size, const char *what) {
    size_t bytes;
    *out = NULL;
    if (rnnc__mul(n, size, &bytes) != 0)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "%s: size %zu x %zu overflows", what, n, size);
    *out = calloc(bytes ? bytes : 1, 1);
    if (!*out)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "%s: cannot allocate %zu bytes", what, bytes);
    return RNNC_OK;
}

uint64_t rnnc__hash(uint64_t h, const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * UINT64_C(0x100000001b3);
    return h;
}
