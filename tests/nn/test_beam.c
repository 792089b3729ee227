/* Beam search (src/nn/beam.c) on hand-built step functions: Markov tables where the next token's
 * probability depends only on the last token. Beam 1 equals a plain greedy loop token for token;
 * a case where beam 3 finds a sequence of higher probability than greedy; GNMT's length penalty
 * and n-gram repeat blocking each change a hand-built result as defined; the step limit. */
#include "check.h"
#include "nn/beam.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAXV = 8, CAP = 16, START = 0, END = 1 };

typedef struct table {
    size_t V;
    double p[MAXV][MAXV]; /* p[last][next] */
    int calls;
} table;

static rnnc_status step(void *ctx, size_t R, const int32_t *parent, const int32_t *ids,
                        float *logp) {
    table *t = ctx;
    (void)parent; /* the state is the last token */
    t->calls++;
    for (size_t r = 0; r < R; r++)
        for (size_t v = 0; v < t->V; v++)
            logp[r * t->V + v] = (float)log(t->p[ids[r]][v]);
    return RNNC_OK;
}

static int search(table *t, int K, double alpha, int ngram, size_t B, const size_t *max_len,
                  int32_t *out, int32_t *len, double *score) {
    const rnnc__beam_spec s = {K, alpha, ngram, START, END};
    return rnnc__beam_search(&s, B, t->V, max_len, step, t, out, CAP, len, score) == RNNC_OK;
}

static int is_seq(const int32_t *out, int32_t len, const int32_t *want, int32_t n) {
    return len == n && !memcmp(out, want, (size_t)n * sizeof *want);
}

/* Greedy by hand: the most probable next token (the lower on ties) until the end or the limit. */
static int32_t greedy(const table *t, size_t max_len, int32_t *out) {
    int32_t last = START, n = 0;
    while ((size_t)n < max_len) {
        int32_t best = 0;
        for (int32_t v = 1; v < (int32_t)t->V; v++)
            if ((float)log(t->p[last][v]) > (float)log(t->p[last][best]))
                best = v;
        if (best == END)
            break;
        out[n++] = last = best;
    }
    return n;
}

static void test_greedy(void) {
    unsigned seed = 7;
    int same = 1;
    for (int trial = 0; trial < 20; trial++) {
        table t = {6, {{0}}, 0};
        for (size_t a = 0; a < t.V; a++) {
            double sum = 0;
            for (size_t b = 0; b < t.V; b++) {
                seed = seed * 1103515245u + 12345u;
                t.p[a][b] = b == START ? 0 : 0.05 + (seed >> 16) % 1000 / 1000.0;
                sum += t.p[a][b];
            }
            for (size_t b = 0; b < t.V; b++)
                t.p[a][b] /= sum;
        }
        const size_t max_len[3] = {3, 7, 12};
        int32_t out[3 * CAP], len[3], want[CAP];
        if (!search(&t, 1, 0, 0, 3, max_len, out, len, NULL))
            same = 0;
        for (int b = 0; b < 3 && same; b++) {
            const int32_t n = greedy(&t, max_len[b], want);
            same &= is_seq(out + b * CAP, len[b], want, n);
        }
    }
    check(same, "beam 1 equals greedy decoding token for token (20 random tables, 3 limits)");
}

/* start -> a .6, b .4; a -> a .33, b .33, end .34; b -> a .05, b .05, end .9: greedy takes a and
 * ends (.6 x .34 = .204); "b" has .4 x .9 = .36. */
static void test_beam_beats_greedy(void) {
    enum { A = 2, Bt = 3 };
    table t = {4, {{0}}, 0};
    t.p[START][A] = .6, t.p[START][Bt] = .4;
    t.p[A][A] = .33, t.p[A][Bt] = .33, t.p[A][END] = .34;
    t.p[Bt][A] = .05, t.p[Bt][Bt] = .05, t.p[Bt][END] = .9;
    t.p[END][END] = 1;
    const size_t max_len[1] = {10};
    int32_t out[CAP], len[1];
    double sc[1] = {0};
    int ok;
    const int32_t a[] = {A}, b[] = {Bt};
    ok = search(&t, 1, 0, 0, 1, max_len, out, len, sc);
    check(ok && is_seq(out, len[0], a, 1) && fabs(sc[0] - log(.6f) - log(.34f)) < 1e-6,
          "greedy: \"a\" with log(.6 x .34) (%g)", sc[0]);
    ok = search(&t, 3, 0, 0, 1, max_len, out, len, sc);
    check(ok && is_seq(out, len[0], b, 1) && fabs(sc[0] - log(.4f) - log(.9f)) < 1e-6,
          "beam 3 finds \"b\", of higher probability log(.4 x .9) (%g)", sc[0]);
}

/* start -> x e^-1, y e^-1.1, w (the rest); x -> end; y -> z; z -> end; w -> w .5, end .5. "x end"
 * scores -1 over 2 tokens, "y z end" -1.1 over 3: without a penalty "x" wins; with alpha = 2,
 * -1 / (7/6)^2 = -0.735 loses to -1.1 / (8/6)^2 = -0.619. */
static void test_length_penalty(void) {
    enum { X = 2, Y = 3, Z = 4, W = 5 };
    table t = {6, {{0}}, 0};
    t.p[START][X] = exp(-1), t.p[START][Y] = exp(-1.1);
    t.p[START][W] = 1 - t.p[START][X] - t.p[START][Y];
    t.p[X][END] = 1, t.p[Y][Z] = 1, t.p[Z][END] = 1, t.p[W][W] = .5, t.p[W][END] = .5;
    t.p[END][END] = 1;
    const size_t max_len[1] = {10};
    int32_t out[CAP], len[1];
    double sc[1] = {0};
    int ok;
    const int32_t x[] = {X}, yz[] = {Y, Z};
    ok = search(&t, 3, 0, 0, 1, max_len, out, len, sc);
    check(ok && is_seq(out, len[0], x, 1), "without a length penalty the shorter \"x\" wins (%g)",
          sc[0]);
    ok = search(&t, 3, 2, 0, 1, max_len, out, len, sc);
    check(ok && is_seq(out, len[0], yz, 2) &&
              fabs(sc[0] - (log((float)exp(-1.1))) / pow(8.0 / 6, 2)) < 1e-6,
          "with alpha = 2 the longer \"y z\" wins, scored -1.1 / (8/6)^2 (%g)", sc[0]);
}

/* start -> a; a -> b .9, end .1; b -> a .9, end .1: greedy alternates a b a b ... to the limit;
 * blocking repeated bigrams ends after "a b a" (b again would repeat "a b"). */
static void test_repeats(void) {
    enum { A = 2, Bt = 3 };
    table t = {4, {{0}}, 0};
    t.p[START][A] = 1, t.p[A][Bt] = .9, t.p[A][END] = .1, t.p[Bt][A] = .9, t.p[Bt][END] = .1;
    t.p[END][END] = 1;
    const size_t max_len[1] = {6};
    int32_t out[CAP], len[1];
    const int32_t all[] = {A, Bt, A, Bt, A, Bt}, aba[] = {A, Bt, A};
    check(search(&t, 1, 0, 0, 1, max_len, out, len, NULL) && is_seq(out, len[0], all, 6),
          "without blocking: a b a b a b, cut at the step limit of 6");
    check(search(&t, 1, 0, 2, 1, max_len, out, len, NULL) && is_seq(out, len[0], aba, 3),
          "no_repeat_ngram = 2: a b a, then the end (b would repeat \"a b\")");
    t.calls = 0;
    search(&t, 2, 0, 0, 1, max_len, out, len, NULL);
    check(t.calls <= 6, "a sentence stops at its step limit (%d steps)", t.calls);
}

/* K = 2. Step 1's candidates: a->c .25 (a beam), a->end .2 (rank 1: finished "a"), b->end .18
 * (rank 2, below the first K: not a hypothesis), b->b .17 (a beam); then c->end gives "a c" at
 * .25, the best. Taking b->end as finished too would stop at step 1 with "a" (.2). */
static void test_end_rank(void) {
    enum { A = 2, Bt = 3, C = 4 };
    table t = {5, {{0}}, 0};
    t.p[START][A] = .5, t.p[START][Bt] = .5;
    t.p[A][C] = .5, t.p[A][END] = .4, t.p[A][Bt] = .1;
    t.p[Bt][END] = .36, t.p[Bt][Bt] = .34, t.p[Bt][A] = .3;
    t.p[C][END] = 1, t.p[END][END] = 1;
    const size_t max_len[1] = {8};
    int32_t out[CAP], len[1];
    const int32_t ac[] = {A, C};
    const int ok = search(&t, 2, 0, 0, 1, max_len, out, len, NULL);
    check(ok && is_seq(out, len[0], ac, 2),
          "an end token ranked below the first K candidates finishes nothing: \"a c\" (.25) wins");
}

int main(void) {
    test_end_rank();
    test_greedy();
    test_beam_beats_greedy();
    test_length_penalty();
    test_repeats();
    return check_summary();
}
