/* Shared helpers of the libFuzzer targets in tests/fuzz/ (docs/fuzzing.md). Each target file
 * defines `static int fuzz_<name>(const uint8_t *data, size_t n)`, which feeds one input to a
 * parser of untrusted input and returns that parser's status, and then includes this header's
 * FUZZ_MAIN: the libFuzzer entry point, left out when RNNC_FUZZ_NO_MAIN is defined so that
 * tests/fuzz/test_fuzz_regress.c can replay inputs through the same functions without libFuzzer. */
#ifndef RNNC_FUZZ_H
#define RNNC_FUZZ_H

#include "rnnc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A property every input must keep; a broken one is reported like a crash. */
#define FUZZ_REQUIRE(cond) ((cond) ? (void)0 : fuzz_broken(#cond, __FILE__, __LINE__))

static inline void fuzz_broken(const char *what, const char *file, int line) {
    fprintf(stderr, "%s:%d: fuzz property broken: %s (last error: %s)\n", file, line, what,
            rnnc_last_error());
    abort();
}

/* A NUL-terminated copy of data[0..n), or NULL when out of memory. */
static inline char *fuzz_text(const uint8_t *data, size_t n) {
    char *s = malloc(n + 1);
    if (!s)
        return NULL;
    if (n)
        memcpy(s, data, n);
    s[n] = '\0';
    return s;
}

/* A per-process temporary folder (created on first use, removed at exit). */
static char fuzz_dir[256];
static char fuzz_files[64][320];
static int fuzz_n_files;

/* Removes the files named, newest first, so a folder named before its files goes after them. */
static inline void fuzz_cleanup(void) {
    for (int i = fuzz_n_files - 1; i >= 0; i--)
        remove(fuzz_files[i]);
    if (fuzz_dir[0])
        rmdir(fuzz_dir);
}

/* The path of `name` in the temporary folder, or NULL when the folder cannot be made. */
static inline const char *fuzz_path(const char *name) {
    static char p[320];
    if (!fuzz_dir[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(fuzz_dir, sizeof fuzz_dir, "%s/rnnc-fuzz-XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(fuzz_dir)) {
            fuzz_dir[0] = '\0';
            return NULL;
        }
        atexit(fuzz_cleanup);
    }
    snprintf(p, sizeof p, "%s/%s", fuzz_dir, name);
    int known = 0;
    for (int i = 0; i < fuzz_n_files && !known; i++)
        known = !strcmp(fuzz_files[i], p);
    if (!known && fuzz_n_files < 64)
        snprintf(fuzz_files[fuzz_n_files++], sizeof p, "%s", p);
    return p;
}

/* Writes data[0..n) to `name` in the temporary folder; returns its path or NULL. */
static inline const char *fuzz_write(const char *name, const uint8_t *data, size_t n) {
    const char *p = fuzz_path(name);
    if (!p)
        return NULL;
    FILE *f = fopen(p, "wb");
    if (!f)
        return NULL;
    int ok = fwrite(data, 1, n, f) == n;
    ok = (fclose(f) == 0) && ok;
    return ok ? p : NULL;
}

#ifdef RNNC_FUZZ_NO_MAIN
#define FUZZ_MAIN(fn)
#else
#define FUZZ_MAIN(fn)                                                                              \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);                                     \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n) {                                    \
        (void)fn(data, n);                                                                         \
        return 0;                                                                                  \
    }
#endif

#endif
