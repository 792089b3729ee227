/* validation_split and test_split: a stratified, seeded draw of a labelled set's examples becomes
 * the validation or test set; and the random labelled subset. */
#include "../core/core.h"
#include "rnnc/text.h"
#include "rnnc/series.h"

#include <stdlib.h>
#include <string.h>

/* How many of each label the validation part takes: nv in all, in proportion to the label counts
 * cnt (largest remainder: the floors, then one more for the largest fractions, ties to the lower
 * label), and then at least one of every label that has two or more examples, taken from the
 * label with the largest share while it keeps one more than one. */
static void quotas(const size_t *cnt, int L, size_t n, size_t nv, size_t *q) {
    size_t given = 0;
    for (int c = 0; c < L; c++) {
        q[c] = (size_t)((double)nv * (double)cnt[c] / (double)n);
        given += q[c];
    }
    while (given < nv) {
        int best = -1;
        double best_frac = -1;
        for (int c = 0; c < L; c++) {
            const double frac = (double)nv * (double)cnt[c] / (double)n - (double)q[c];
            if (q[c] < cnt[c] && frac > best_frac)
                best = c, best_frac = frac;
        }
        if (best < 0)
            break;
        q[best]++, given++;
    }
    for (int c = 0; c < L; c++) {
        if (q[c] > 0 || cnt[c] < 2)
            continue;
        int big = 0;
        for (int k = 1; k < L; k++)
            if (q[k] > q[big])
                big = k;
        if (q[big] < 2)
            break;
        q[big]--, q[c]++;
    }
}

rnnc_status rnnc_textset_split(rnnc_textset *set, double fraction, uint64_t seed,
                               rnnc_textset **val) {
    if (!set || !val)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_textset_split: NULL argument");
    *val = NULL;
    if (!(fraction > 0 && fraction < 1))
        return RNNC_FAIL(RNNC_ERR_ARG, "a split's fraction must be in (0, 1), got %g", fraction);
    /* Keras: split_at = int(n * (1 - validation_split)) */
    const size_t keep = (size_t)((double)set->n * (1 - fraction));
    if (keep == 0 || keep >= set->n)
        return RNNC_FAIL(
            RNNC_ERR_ARG,
            "a split of %g of %zu examples leaves an empty part (%zu split off, %zu left)",
            fraction, set->n, set->n - keep, keep);
    if (set->n > UINT32_MAX)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_textset_split: more than 2^32 examples");
    const size_t nv = set->n - keep, L = set->n_labels > 0 ? (size_t)set->n_labels : 1;
    for (size_t i = 0; i < set->n; i++)
        if (set->labels[i] < 0 || (size_t)set->labels[i] >= L)
            return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_textset_split: example %zu has label %d of %zu", i,
                             (int)set->labels[i], L);
    size_t *cnt = NULL, *q = NULL, *order = NULL;
    unsigned char *in_val = NULL;
    rnnc_textset *v = NULL;
    rnnc_status s = rnnc__calloc((void **)&cnt, L, sizeof *cnt, "validation split");
    if (s == RNNC_OK)
        s = rnnc__calloc((void **)&q, L, sizeof *q, "validation split");
    if (s == RNNC_OK)
        s = rnnc__calloc((void **)&order, set->n, sizeof *order, "validation split");
    if (s == RNNC_OK)
        s = rnnc__calloc((void **)&in_val, set->n, 1, "validation split");
    if (s == RNNC_OK)
        s = rnnc__calloc((void **)&v, 1, sizeof *v, "validation set");
    if (s == RNNC_OK)
        s = rnnc__calloc((void **)&v->texts, nv, sizeof(char *), "validation texts");
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
    if (s == RNNC_OK) {
        /* stratified: each label's share, its examples picked in a seeded random order */
        for (size_t i = 0; i < set->n; i++)
            cnt[set->labels[i]]++;
        quotas(cnt, (int)L, set->n, nv, q);
        rnnc_rng rng;
        rnnc_rng_seed(&rng, seed);
        for (size_t i = 0; i < set->n; i++)
            order[i] = i;
        for (size_t i = set->n - 1; i > 0; i--) { /* Fisher-Yates */
            const size_t j = rnnc_rng_below(&rng, (uint32_t)(i + 1));
            const size_t t = order[i];
            order[i] = order[j], order[j] = t;
        }
        for (size_t k = 0; k < set->n; k++) {
            const size_t i = order[k];
            if (q[set->labels[i]] > 0)
                q[set->labels[i]]--, in_val[i] = 1;
        }
        /* both parts in file order; the moved texts now belong to v */
        size_t w = 0, m = 0;
        for (size_t i = 0; i < set->n; i++) {
            if (in_val[i]) {
                v->texts[m] = set->texts[i], v->labels[m++] = set->labels[i];
            } else {
                set->texts[w] = set->texts[i], set->labels[w++] = set->labels[i];
            }
        }
        RNNC_ASSERT(m == nv && w == keep);
        v->n = nv;
        set->n = keep;
    }
    free(cnt), free(q), free(order), free(in_val);
    if (s != RNNC_OK) {
        rnnc_textset_free(v);
        return s;
    }
    *val = v;
    return RNNC_OK;
}

rnnc_status rnnc_textset_labels_present(const rnnc_textset *set, int *count) {
    if (!count)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_textset_labels_present: count is NULL");
    *count = 0;
    if (!set || set->n_labels <= 0)
        return RNNC_OK;
    unsigned char *seen = calloc((size_t)set->n_labels, 1);
    if (!seen)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "rnnc_textset_labels_present: cannot allocate %d bytes",
                         set->n_labels);
    int n = 0;
    for (size_t i = 0; i < set->n; i++) {
        const int32_t c = set->labels[i];
        if (c >= 0 && c < set->n_labels && !seen[c])
            seen[c] = 1, n++;
    }
    free(seen);
    *count = n;
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
