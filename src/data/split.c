/* Keras's validation_split: the last fraction of a labelled set, in file order, becomes the
 * validation set. */
#include "../core/core.h"
#include "rnnc/text.h"
#include "rnnc/series.h"

#include <stdlib.h>
#include <string.h>

rnnc_status rnnc_textset_split(rnnc_textset *set, double fraction, rnnc_textset **val) {
    if (!set || !val)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_textset_split: NULL argument");
    *val = NULL;
    if (!(fraction > 0 && fraction < 1))
        return RNNC_FAIL(RNNC_ERR_ARG, "validation_split must be in (0, 1), got %g", fraction);
    /* Keras: split_at = int(n * (1 - validation_split)) */
    const size_t keep = (size_t)((double)set->n * (1 - fraction));
    if (keep == 0 || keep >= set->n)
        return RNNC_FAIL(RNNC_ERR_ARG, "validation_split %g of %zu examples leaves an empty part",
                         fraction, set->n);
    const size_t nv = set->n - keep;
    rnnc_textset *v;
    RNNC_TRY(rnnc__calloc((void **)&v, 1, sizeof *v, "validation set"));
    rnnc_status s = rnnc__calloc((void **)&v->texts, nv, sizeof(char *), "validation texts");
    if (s == RNNC_OK)
        s = rnnc__calloc((void **)&v->labels, nv, sizeof(int32_t), "labels");
    if (s == RNNC_OK)
        s = rnnc__calloc((void **)&v->label_names, (size_t)set->n_labels, sizeof(char *),
                         "label names");
    for (int i = 0; s == RNNC_OK && i < set->n_labels; i++) {
        v->label_names[i] = strdup(set->label_names[i]);
        if (!v->label_names[i])
            s = RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
        else
            v->n_labels = i + 1;
    }
    if (s != RNNC_OK) {
        rnnc_textset_free(v);
        return s;
    }
    memcpy(v->texts, set->texts + keep, nv * sizeof(char *));
    memcpy(v->labels, set->labels + keep, nv * sizeof(int32_t));
    v->n = nv;
    set->n = keep; /* the moved texts now belong to v */
    *val = v;
    return RNNC_OK;
}

rnnc_status rnnc_textset_subset(rnnc_textset *set, size_t n, uint64_t seed) {
    if (!set)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_textset_subset: NULL set");
    if (n >= set->n)
        return RNNC_OK;
    if (set->n > UINT32_MAX)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_textset_subset: more than 2^32 examples");
    /* a partial Fisher-Yates shuffle of the indices picks n of them; sorted back to file order */
    size_t *idx;
    unsigned char *keep;
    RNNC_TRY(rnnc__calloc((void **)&idx, set->n, sizeof *idx, "subset"));
    rnnc_status s = rnnc__calloc((void **)&keep, set->n, 1, "subset");
    if (s != RNNC_OK) {
        free(idx);
        return s;
    }
    rnnc_rng rng;
    rnnc_rng_seed(&rng, seed);
    for (size_t i = 0; i < set->n; i++)
        idx[i] = i;
    for (size_t i = 0; i < n; i++) {
        const size_t j = i + rnnc_rng_below(&rng, (uint32_t)(set->n - i));
        const size_t t = idx[i];
        idx[i] = idx[j], idx[j] = t;
        keep[idx[i]] = 1;
    }
    size_t w = 0;
    for (size_t i = 0; i < set->n; i++) {
        if (keep[i]) {
            set->texts[w] = set->texts[i];
            set->labels[w++] = set->labels[i];
        } else {
            free(set->texts[i]);
        }
    }
    set->n = w;
    free(idx);
    free(keep);
    return RNNC_OK;
}
