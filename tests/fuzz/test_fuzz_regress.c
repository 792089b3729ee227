/* Replays the fuzzing inputs through the fuzz targets' own entry points (tests/fuzz/fuzz_*.c,
 * compiled here without libFuzzer), so every crash the fuzzers found stays fixed in the normal
 * test suite, which needs no clang. Each target replays:
 *   tests/fuzz/regress/<target>/  inputs that once crashed, broke a property or ran out of
 *                                 memory; the name ends in ".err" (the input must be refused as
 *                                 RNNC_ERR_FORMAT with a message) or ".ok" (it must be accepted);
 *   tests/fuzz/<target>/          the seed corpus (must not crash; no expectation on the status).
 * A crash or a broken fuzz property (FUZZ_REQUIRE) aborts this program, which the runner reports;
 * under make SAN=address,undefined the sanitizers watch every input too. */
#define RNNC_FUZZ_NO_MAIN
#include "fuzz_aclimdb.c"
#include "fuzz_bleu.c"
#include "fuzz_checkpoint.c"
#include "fuzz_config.c"
#include "fuzz_corpus.c"
#include "fuzz_forecaster.c"
#include "fuzz_lm.c"
#include "fuzz_npz.c"
#include "fuzz_safetensors.c"
#include "fuzz_series.c"
#include "fuzz_text.c"
#include "fuzz_textset.c"
#include "fuzz_trainconfig.c"

#include "check.h"

#include <dirent.h>

typedef int (*fuzz_fn)(const uint8_t *data, size_t n);

static const struct {
    const char *name;
    fuzz_fn fn;
} targets[] = {
    {"aclimdb", fuzz_aclimdb},
    {"config", fuzz_config},
    {"safetensors", fuzz_safetensors},
    {"text", fuzz_text_target},
    {"textset", fuzz_textset},
    {"trainconfig", fuzz_trainconfig},
    {"series", fuzz_series},
    {"corpus", fuzz_corpus},
    {"forecaster", fuzz_forecaster},
    {"lm", fuzz_lm},
    {"checkpoint", fuzz_checkpoint},
    {"npz", fuzz_npz},
    {"bleu", fuzz_bleu},
};

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The regular files of dir, sorted (malloc'd; *n entries). NULL when dir cannot be opened. */
static char **list_dir(const char *dir, int *n) {
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char **names = NULL;
    int cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            char **grown = realloc(names, (size_t)cap * sizeof *names);
            if (!grown)
                break;
            names = grown;
        }
        names[(*n)++] = strdup(e->d_name);
    }
    closedir(d);
    if (names)
        qsort(names, (size_t)*n, sizeof *names, by_name);
    return names ? names : calloc(1, sizeof *names);
}

static uint8_t *read_all(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = NULL;
    size_t cap = 0;
    *n = 0;
    for (;;) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 4096;
            uint8_t *grown = realloc(buf, cap);
            if (!grown)
                break;
            buf = grown;
        }
        size_t got = fread(buf + *n, 1, cap - *n, f);
        *n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    return buf;
}

static int ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

/* Replays every file of dir through fn; with expect set, checks each ".err"/".ok" outcome.
 * Returns the number of files replayed. */
static int replay(const char *target, fuzz_fn fn, const char *dir, int expect) {
    int n;
    char **names = list_dir(dir, &n);
    if (!names)
        return 0;
    for (int i = 0; i < n; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        size_t len = 0;
        uint8_t *data = read_all(path, &len);
        if (!check(data != NULL, "%s: %s can be read", target, path)) {
            free(names[i]);
            continue;
        }
        rnnc_status st = fn(data, len);
        if (expect && ends_with(names[i], ".err"))
            check(st == RNNC_ERR_FORMAT && rnnc_last_error()[0] != '\0',
                  "%s: %s is refused as a format error (%s: %s)", target, path,
                  rnnc_status_name(st), st < 0 ? rnnc_last_error() : "accepted");
        else if (expect && ends_with(names[i], ".ok"))
            check(st == RNNC_OK, "%s: %s is accepted (%s)", target, path,
                  st ? rnnc_last_error() : "ok");
        else if (expect)
            check(0, "%s: %s ends in .err or .ok", target, path);
        free(data);
        free(names[i]);
    }
    free(names);
    return n;
}

int main(void) {
    for (size_t t = 0; t < sizeof targets / sizeof targets[0]; t++) {
        char dir[256];
        snprintf(dir, sizeof dir, "tests/fuzz/%s", targets[t].name);
        int seeds = replay(targets[t].name, targets[t].fn, dir, 0);
        check(seeds > 0, "%s: %d seed inputs replayed without a crash", targets[t].name, seeds);
        snprintf(dir, sizeof dir, "tests/fuzz/regress/%s", targets[t].name);
        replay(targets[t].name, targets[t].fn, dir, 1);
    }
    return check_summary();
}
