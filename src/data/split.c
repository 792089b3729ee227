/* Keras's validation_split: the last fraction of a labelled set, in file order, becomes the
 * validation set. */
#include "../core/core.h"

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
