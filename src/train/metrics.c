/* Classification metrics accumulated over batches: a confusion matrix for accuracy, precision,
 * recall and F1, and, for binary problems, every (score, label) pair for an exact ROC AUC. */
#include "../core/core.h"
#include "rnnc/train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One binary example: its score for class 1 and its label (0 or 1). */
typedef struct scored {
    float score;
    int32_t label;
} scored;

struct rnnc_metrics {
    int K;         /* classes */
    size_t n;      /* examples added */
    size_t *conf;  /* (K,K): conf[label*K + predicted] */
    scored *pairs; /* (cap) the binary examples; their order carries no meaning, so reading the
                      AUC sorts them in place and allocates nothing */
    size_t cap;
};

rnnc_status rnnc_metrics_create(int n_classes, rnnc_metrics **out) {
    if (!out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_metrics_create: out is NULL");
    *out = NULL;
    if (n_classes < 2)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_metrics_create: n_classes must be >= 2, got %d",
                         n_classes);
    rnnc_metrics *m;
    RNNC_TRY(rnnc__calloc((void **)&m, 1, sizeof *m, "rnnc_metrics_create: accumulator"));
    m->K = n_classes;
    size_t kk;
    rnnc_status s =
        rnnc__mul((size_t)n_classes, (size_t)n_classes, &kk) != 0
            ? RNNC_FAIL(RNNC_ERR_NOMEM, "rnnc_metrics_create: %d classes overflow", n_classes)
            : rnnc__calloc((void **)&m->conf, kk, sizeof *m->conf,
                           "rnnc_metrics_create: confusion matrix");
    if (s != RNNC_OK) {
        free(m);
        return s;
    }
    *out = m;
    return RNNC_OK;
}

void rnnc_metrics_free(rnnc_metrics *m) {
    if (!m)
        return;
    free(m->conf);
    free(m->pairs);
    free(m);
}

void rnnc_metrics_reset(rnnc_metrics *m) {
    if (!m)
        return;
    memset(m->conf, 0, (size_t)m->K * (size_t)m->K * sizeof *m->conf);
    m->n = 0;
}

/* Makes room for `need` binary examples (the capacity at least doubles). */
static rnnc_status reserve(rnnc_metrics *m, size_t need) {
    if (need <= m->cap)
        return RNNC_OK;
    size_t cap = m->cap > 1024 ? m->cap : 1024, bytes;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (rnnc__mul(cap, sizeof(scored), &bytes) != 0)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "rnnc_metrics_add: %zu scores overflow", need);
    scored *p = realloc(m->pairs, bytes);
    if (!p)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "rnnc_metrics_add: cannot keep %zu scores", need);
    m->pairs = p;
    m->cap = cap;
    return RNNC_OK;
}

/* The predicted class of one row of scores (cols values). */
static int32_t predict(const float *s, size_t cols) {
    if (cols == 1)
        return s[0] > 0.5f ? 1 : 0;
    size_t best = 0;
    for (size_t c = 1; c < cols; c++)
        if (s[c] > s[best])
            best = c;
    return (int32_t)best;
}

rnnc_status rnnc_metrics_add(rnnc_metrics *m, const float *scores, size_t n, size_t cols,
                             const int32_t *labels) {
    if (!m || ((!scores || !labels) && n > 0))
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_metrics_add: %s is NULL",
                         !m        ? "metrics"
                         : !scores ? "scores"
                                   : "labels");
    if (!(cols == (size_t)m->K || (cols == 1 && m->K == 2)))
        return RNNC_FAIL(RNNC_ERR_SHAPE,
                         "rnnc_metrics_add: scores have %zu columns; want %d (one per class)%s",
                         cols, m->K, m->K == 2 ? " or 1 (probability of class 1)" : "");
    size_t total;
    if (rnnc__mul(n, cols, &total) != 0)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "rnnc_metrics_add: n*cols = %zu*%zu overflows", n, cols);
    /* Everything is checked before anything is counted, so a failed call adds nothing. */
    for (size_t i = 0; i < n; i++)
        if (labels[i] < 0 || labels[i] >= m->K)
            return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_metrics_add: labels[%zu] is %ld, outside [0, %d)",
                             i, (long)labels[i], m->K);
    for (size_t i = 0; i < total; i++)
        if (!isfinite(scores[i]))
            return RNNC_FAIL(RNNC_ERR_NUMERIC,
                             "rnnc_metrics_add: scores[%zu] (row %zu, column %zu) is %g", i,
                             i / cols, i % cols, (double)scores[i]);
    if (m->K == 2) {
        size_t need;
        if (rnnc__add(m->n, n, &need) != 0)
            return RNNC_FAIL(RNNC_ERR_NOMEM, "rnnc_metrics_add: example count overflows");
        RNNC_TRY(reserve(m, need));
    }
    for (size_t i = 0; i < n; i++) {
        const float *s = scores + i * cols; /* (cols) */
        m->conf[(size_t)labels[i] * (size_t)m->K + (size_t)predict(s, cols)]++;
        if (m->K == 2)
            m->pairs[m->n + i] = (scored){s[cols - 1], labels[i]};
    }
    m->n += n;
    return RNNC_OK;
}

static int by_score(const void *a, const void *b) {
    float x = ((const scored *)a)->score, y = ((const scored *)b)->score;
    return (x > y) - (x < y);
}

/* ROC AUC as the Mann-Whitney statistic: the fraction of (positive, negative) pairs in which the
 * positive scores higher, a tie counting 1/2. After sorting by score, each group of equal scores
 * adds pos_in_group * (negatives below it) + pos_in_group * neg_in_group / 2. */
static double auc(const rnnc_metrics *m) {
    size_t n = m->n;
    scored *w = m->pairs; /* (n) */
    qsort(w, n, sizeof *w, by_score);
    double neg_below = 0, wins = 0, pos = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        double p = 0, q = 0;
        for (; j < n && w[j].score == w[i].score; j++)
            *(w[j].label ? &p : &q) += 1;
        wins += p * neg_below + 0.5 * p * q;
        neg_below += q;
        pos += p;
        i = j;
    }
    if (pos == 0 || neg_below == 0)
        return NAN;
    return wins / (pos * neg_below);
}

/* a / b, with 0/0 taken as 0 (sklearn's zero_division=0). */
static double ratio(double a, double b) {
    return b > 0 ? a / b : 0;
}

rnnc_metric_values rnnc_metrics_values(rnnc_metrics *m) {
    rnnc_metric_values v = {0, NAN, 0, 0, 0, NAN};
    if (!m || m->n == 0)
        return v;
    size_t K = (size_t)m->K;
    v.n = m->n;
    double correct = 0;
    for (size_t c = 0; c < K; c++)
        correct += (double)m->conf[c * K + c];
    v.accuracy = correct / (double)m->n;
    /* Per class: tp on the diagonal, fp the rest of its column, fn the rest of its row. */
    double sp = 0, sr = 0, sf = 0, present = 0;
    for (size_t c = K == 2 ? 1 : 0; c < K; c++) {
        double tp = (double)m->conf[c * K + c], row = 0, col = 0;
        for (size_t k = 0; k < K; k++) {
            row += (double)m->conf[c * K + k];
            col += (double)m->conf[k * K + c];
        }
        double fp = col - tp, fn = row - tp;
        if (K > 2 && row == 0 && col == 0)
            continue;
        sp += ratio(tp, tp + fp);
        sr += ratio(tp, tp + fn);
        sf += ratio(2 * tp, 2 * tp + fp + fn);
        present += 1;
    }
    v.precision = ratio(sp, present);
    v.recall = ratio(sr, present);
    v.f1 = ratio(sf, present);
    if (K == 2)
        v.auc = auc(m);
    return v;
}
