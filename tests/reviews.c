/* reviews.c - see reviews.h. */
#include "reviews.h"

#include <stdlib.h>
#include <string.h>

static const char *filler[] = {"the", "movie", "was",  "a",    "plot", "actor", "scene",    "and",
                               "it",  "story", "film", "with", "of",   "to",    "director", "i"};
static const char *pos[] = {"great", "wonderful", "loved", "superb"};
static const char *neg[] = {"awful", "boring", "hated", "terrible"};

rnnc_textset *reviews_make(size_t n, uint64_t seed) {
    rnnc_textset *s = calloc(1, sizeof *s);
    s->n = n;
    s->texts = calloc(n, sizeof(char *));
    s->labels = calloc(n, sizeof(int32_t));
    s->n_labels = 2;
    s->label_names = calloc(2, sizeof(char *));
    s->label_names[0] = strdup("neg"), s->label_names[1] = strdup("pos");
    rnnc_rng r;
    rnnc_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++) {
        char buf[512] = "";
        int label = (int)rnnc_rng_below(&r, 2), len = 4 + (int)rnnc_rng_below(&r, 12);
        int at = (int)rnnc_rng_below(&r, (uint32_t)len);
        for (int w = 0; w < len; w++) {
            const char *word = w == at ? (label ? pos : neg)[rnnc_rng_below(&r, 4)]
                                       : filler[rnnc_rng_below(&r, 16)];
            strcat(buf, w ? " " : "");
            strcat(buf, word);
        }
        strcat(buf, ".");
        s->texts[i] = strdup(buf);
        s->labels[i] = label;
    }
    return s;
}
