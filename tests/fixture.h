/* fixture.h - reader for rnnc's plain-text test fixtures.
 *
 * Format (see tests/gen/gen_rnn_fixtures.py):
 *
 *   # comment lines start with '#' (first non-blank character of a line)
 *   meta <key> <value>
 *   tensor <name> <ndim> <d0> <d1> ...
 *   <prod(d) values, row-major, whitespace separated, any line wrapping>
 *
 * "meta" and "tensor" must start a line and everything they take must be
 * on that line.  Values are parsed with strtod and must be finite.
 * Limits: ndim <= FIXTURE_MAX_NDIM, at most FIXTURE_MAX_ELEMS elements per
 * tensor, names/keys shorter than 64 bytes, values shorter than 128 bytes,
 * no duplicate tensor names or meta keys, at least one tensor per file,
 * and the file must end with a newline (catches a final number cut short).
 */
#ifndef RNNC_TESTS_FIXTURE_H
#define RNNC_TESTS_FIXTURE_H

#include <stddef.h>

#define FIXTURE_MAX_NDIM 8
#define FIXTURE_MAX_ELEMS 100000000u

typedef struct fixture_tensor {
    char name[64];
    int ndim;
    size_t dims[FIXTURE_MAX_NDIM];
    size_t n;     /* product of dims (1 for ndim == 0) */
    double *data; /* n values, row-major */
} fixture_tensor;

typedef struct fixture fixture; /* opaque */

/* Loads a fixture file.  On failure returns NULL and, if err != NULL and
 * errlen > 0, writes a NUL-terminated message "path:line: what" into err. */
fixture *fixture_load(const char *path, char *err, size_t errlen);

/* Frees everything; NULL is a no-op. */
void fixture_free(fixture *f);

/* Tensor by exact name, or NULL if absent (or f is NULL). */
const fixture_tensor *fixture_get(const fixture *f, const char *name);

/* Meta value by exact key, or NULL if absent (or f is NULL). */
const char *fixture_meta(const fixture *f, const char *key);

/* Meta value parsed as a decimal int; fallback if absent or not an int. */
int fixture_meta_int(const fixture *f, const char *key, int fallback);

#endif /* RNNC_TESTS_FIXTURE_H */
