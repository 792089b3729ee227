/* The promises of a labelled text set that was read (shared by the textset targets). */
#ifndef RNNC_FUZZ_TEXTSET_CHECK_H
#define RNNC_FUZZ_TEXTSET_CHECK_H

#include "fuzz.h"

#include <zlib.h>

static inline void fuzz_check_textset(const rnnc_textset *s, int fixed_labels) {
    FUZZ_REQUIRE(s->n > 0 && s->texts && s->labels && s->n_labels > 0 && s->label_names);
    if (fixed_labels)
        FUZZ_REQUIRE(s->n_labels == 2);
    for (int k = 0; k < s->n_labels; k++)
        FUZZ_REQUIRE(s->label_names[k] != NULL);
    for (size_t i = 0; i < s->n; i++) {
        FUZZ_REQUIRE(s->texts[i] != NULL);
        FUZZ_REQUIRE(s->labels[i] >= 0 && s->labels[i] < s->n_labels);
        (void)strlen(s->texts[i]);
        (void)strlen(s->label_names[s->labels[i]]);
    }
}

/* Writes data[0..n) gzip-compressed to `name` in the temporary folder; returns its path or NULL. */
static inline const char *fuzz_write_gz(const char *name, const uint8_t *data, size_t n) {
    const char *p = fuzz_path(name);
    if (!p)
        return NULL;
    gzFile g = gzopen(p, "wb1");
    if (!g)
        return NULL;
    int ok = n == 0 || gzwrite(g, data, (unsigned)n) == (int)n;
    ok = (gzclose(g) == Z_OK) && ok;
    return ok ? p : NULL;
}

#endif
