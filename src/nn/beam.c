/* Beam search over any step function (see beam.h). */
#include "beam.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct cand {
    double score;
    int k;
    int32_t v;
} cand;

typedef struct search {
    const rnnc__beam_spec *s;
    size_t B, V, K, R, cap;
    int32_t *tok, *ntok;   /* (R,cap) each row's tokens so far */
    double *sc, *nsc;      /* (R) scores; -inf: a dead row */
    int32_t *parent, *ids; /* (R) the next step's input */
    int32_t *fin_tok;      /* (B,K,cap) finished hypotheses */
    size_t *fin_len;       /* (B,K) */
    double *fin_sc;        /* (B,K) score / lp */
    size_t *n_fin;         /* (B) */
    unsigned char *done;   /* (B) */
    cand *best;            /* (2K) */
    float *logp;           /* (R,V) */
} search;

static double lp(double alpha, size_t n) {
    return alpha == 0 ? 1 : pow((5.0 + (double)n) / 6.0, alpha);
}

/* Whether appending v to row r's t tokens repeats one of its n-grams. */
static int repeats(const search *q, size_t r, size_t t, int32_t v) {
    const size_t n = (size_t)q->s->no_repeat_ngram;
    if (n == 0 || t + 1 < n)
        return 0;
    const int32_t *h = q->tok + r * q->cap; /* the new n-gram: h[t-n+1 .. t) then v */
    for (size_t j = 0; j + n <= t; j++) {
        size_t i = 0;
        while (i + 1 < n && h[j + i] == h[t - n + 1 + i])
            i++;
        if (i + 1 == n && h[j + n - 1] == v)
            return 1;
    }
    return 0;
}

/* Keeps the hypothesis tokens[0..n) with normalised score ns among sentence b's finished ones
 * (the best K; the earlier of equal scores first). */
static void finish(search *q, size_t b, const int32_t *tokens, size_t n, double ns) {
    size_t slot = q->n_fin[b];
    if (slot == q->K) { /* full: replace the worst, if this one is better */
        size_t w = 0;
        for (size_t i = 1; i < q->K; i++)
            if (q->fin_sc[b * q->K + i] < q->fin_sc[b * q->K + w])
                w = i;
        if (!(ns > q->fin_sc[b * q->K + w]))
            return;
        slot = w;
    } else {
        q->n_fin[b]++;
    }
    memcpy(q->fin_tok + (b * q->K + slot) * q->cap, tokens, n * sizeof(int32_t));
    q->fin_len[b * q->K + slot] = n, q->fin_sc[b * q->K + slot] = ns;
}

/* Inserts candidate c into the sorted list best[0..*n) of at most m, after its equals. */
static void insert(cand *best, size_t *n, size_t m, cand c) {
    size_t i = *n;
    while (i > 0 && best[i - 1].score < c.score)
        i--;
    if (i >= m)
        return;
    const size_t last = *n < m ? *n : m - 1;
    memmove(best + i + 1, best + i, (last - i) * sizeof *best);
    best[i] = c;
    if (*n < m)
        (*n)++;
}

/* One step of sentence b at step t (its rows' t tokens; logp holds the next token's). */
static void advance(search *q, size_t b, size_t t, size_t max_len) {
    const size_t K = q->K, V = q->V, cap = q->cap;
    size_t nb = 0;
    for (size_t k = 0; k < K; k++) {
        const size_t r = b * K + k;
        if (q->sc[r] == -INFINITY)
            continue;
        const float *lr = q->logp + r * V;
        for (size_t v = 0; v < V; v++) {
            const double c = q->sc[r] + (double)lr[v];
            if (!(c > -INFINITY) || (nb == 2 * K && !(c > q->best[nb - 1].score)))
                continue;
            if (repeats(q, r, t, (int32_t)v))
                continue;
            insert(q->best, &nb, 2 * K, (cand){c, (int)k, (int32_t)v});
        }
    }
    size_t live = 0;
    for (size_t i = 0; i < nb && live < K; i++) {
        const cand *c = &q->best[i];
        const size_t from = b * K + (size_t)c->k;
        if (c->v == q->s->end) {
            if (i < K)
                finish(q, b, q->tok + from * cap, t, c->score / lp(q->s->alpha, t + 1));
            continue;
        }
        const size_t to = b * K + live++;
        q->parent[to] = (int32_t)from, q->ids[to] = c->v, q->nsc[to] = c->score;
        memcpy(q->ntok + to * cap, q->tok + from * cap, t * sizeof(int32_t));
        q->ntok[to * cap + t] = c->v;
    }
    for (size_t k = live; k < K; k++) { /* rows without a beam idle */
        const size_t r = b * K + k;
        q->parent[r] = (int32_t)r, q->ids[r] = q->s->end, q->nsc[r] = -INFINITY;
    }
    if (q->n_fin[b] >= K || live == 0) {
        q->done[b] = 1;
    } else if (t + 1 >= max_len) { /* the step limit: the beams finish as they are */
        for (size_t k = 0; k < live; k++)
            finish(q, b, q->ntok + (b * K + k) * cap, t + 1,
                   q->nsc[b * K + k] / lp(q->s->alpha, t + 1));
        q->done[b] = 1;
    }
    if (q->done[b])
        for (size_t k = 0; k < K; k++) {
            const size_t r = b * K + k;
            q->parent[r] = (int32_t)r, q->ids[r] = q->s->end, q->nsc[r] = -INFINITY;
        }
}

static void free_search(search *q) {
    free(q->tok), free(q->ntok), free(q->sc), free(q->nsc), free(q->parent), free(q->ids);
    free(q->fin_tok), free(q->fin_len), free(q->fin_sc), free(q->n_fin), free(q->done);
    free(q->best), free(q->logp);
}

rnnc_status rnnc__beam_search(const rnnc__beam_spec *s, size_t B, size_t V, const size_t *max_len,
                              rnnc__beam_step step, void *ctx, int32_t *out, size_t cap,
                              int32_t *len, double *score) {
    if (!s || !max_len || !step || !out || !len || s->K < 1 || !B || !V || s->no_repeat_ngram < 0)
        return RNNC_FAIL(RNNC_ERR_ARG, "beam search: bad arguments");
    size_t steps = 0;
    for (size_t b = 0; b < B; b++) {
        if (max_len[b] < 1 || max_len[b] > cap)
            return RNNC_FAIL(RNNC_ERR_ARG,
                             "beam search: sentence %zu's limit %zu is outside [1, %zu]", b,
                             max_len[b], cap);
        steps = max_len[b] > steps ? max_len[b] : steps;
    }
    search q;
    memset(&q, 0, sizeof q);
    q.s = s, q.B = B, q.V = V, q.K = (size_t)s->K, q.R = B * q.K, q.cap = cap;
    const size_t R = q.R, K = q.K;
    rnnc_status st = RNNC_OK;
    if (rnnc__calloc((void **)&q.tok, R * cap, sizeof(int32_t), "beam") ||
        rnnc__calloc((void **)&q.ntok, R * cap, sizeof(int32_t), "beam") ||
        rnnc__calloc((void **)&q.sc, R, sizeof(double), "beam") ||
        rnnc__calloc((void **)&q.nsc, R, sizeof(double), "beam") ||
        rnnc__calloc((void **)&q.parent, R, sizeof(int32_t), "beam") ||
        rnnc__calloc((void **)&q.ids, R, sizeof(int32_t), "beam") ||
        rnnc__calloc((void **)&q.fin_tok, R * cap, sizeof(int32_t), "beam") ||
        rnnc__calloc((void **)&q.fin_len, R, sizeof(size_t), "beam") ||
        rnnc__calloc((void **)&q.fin_sc, R, sizeof(double), "beam") ||
        rnnc__calloc((void **)&q.n_fin, B, sizeof(size_t), "beam") ||
        rnnc__calloc((void **)&q.done, B, 1, "beam") ||
        rnnc__calloc((void **)&q.best, 2 * K, sizeof(cand), "beam") ||
        rnnc__calloc((void **)&q.logp, R * V, sizeof(float), "beam"))
        st = RNNC_FAIL(RNNC_ERR_NOMEM, "beam search: out of memory for %zu rows of %zu", R, cap);
    for (size_t r = 0; st == RNNC_OK && r < R; r++) { /* one live beam per sentence to start */
        q.parent[r] = (int32_t)r, q.ids[r] = s->start;
        q.sc[r] = r % K == 0 ? 0 : -INFINITY;
    }
    for (size_t t = 0; st == RNNC_OK && t < steps; t++) {
        st = step(ctx, R, q.parent, q.ids, q.logp);
        int all = 1;
        for (size_t b = 0; st == RNNC_OK && b < B; b++) {
            if (!q.done[b])
                advance(&q, b, t, max_len[b]);
            all &= q.done[b];
        }
        int32_t *ti = q.tok;
        double *si = q.sc;
        q.tok = q.ntok, q.ntok = ti, q.sc = q.nsc, q.nsc = si;
        if (all)
            break;
    }
    for (size_t b = 0; st == RNNC_OK && b < B; b++) {
        size_t w = 0;
        for (size_t i = 1; i < q.n_fin[b]; i++)
            if (q.fin_sc[b * K + i] > q.fin_sc[b * K + w])
                w = i;
        const size_t n = q.n_fin[b] ? q.fin_len[b * K + w] : 0;
        memcpy(out + b * cap, q.fin_tok + (b * K + w) * cap, n * sizeof(int32_t));
        len[b] = (int32_t)n;
        if (score)
            score[b] = q.n_fin[b] ? q.fin_sc[b * K + w] : -INFINITY;
    }
    free_search(&q);
    return st;
}
