/* The copy task of rnnc demo copy (tools/memtask.c) by hand on a tiny case (T = 3, B = 2): the
 * layout of inputs and targets, the baseline 10 ln 8 / (T + 20) against the cross-entropy of the
 * predictor it describes, the recall count, and the solved criteria of both tasks at their
 * edges. */
#include "check.h"
#include "../../tools/memtask.h"
#include "rnnc.h"

#include <math.h>
#include <stdio.h>

enum { T = 3, B = 2, L = T + 20 };

/* The class of the one-hot row at step t, sequence b (-1 when not exactly one-hot). */
static int onehot(const float *x, int t, int b) {
    int c = -1, ones = 0;
    for (int k = 0; k < COPY_CLASSES; k++) {
        const float v = x[((size_t)t * B + b) * COPY_CLASSES + k];
        if (v == 1)
            c = k, ones++;
        else if (v != 0)
            return -1;
    }
    return ones == 1 ? c : -1;
}

int main(void) {
    static float x[L * B * COPY_CLASSES], logits[L * B * COPY_CLASSES];
    static int32_t y[L * B];
    rnnc_rng r;
    rnnc_rng_seed(&r, 7);
    check(memtask_copy_batch(&r, T, B, x, y) == L, "a batch is T + 20 = %d steps", L);
    for (int b = 0; b < B; b++) {
        int ok = 1, distinct = 0;
        for (int t = 0; t < COPY_N; t++) {
            const int c = onehot(x, t, b);
            ok &= c >= 0 && c < COPY_SYMBOLS && y[t * B + b] == COPY_BLANK;
            distinct |= c != onehot(x, 0, b);
        }
        check(ok && distinct, "seq %d: steps 0..9 are symbols 0..7, their targets blank", b);
        ok = 1;
        for (int t = COPY_N; t < L; t++) /* T - 1 = 2 blanks, the delimiter at step 12 */
            ok &= onehot(x, t, b) == (t == COPY_N + T - 1 ? COPY_DELIM : COPY_BLANK);
        check(ok, "seq %d: blanks at 10..11, the delimiter at 12, blanks at 13..22", b);
        ok = 1;
        for (int t = 0; t < L - COPY_N; t++)
            ok &= y[t * B + b] == COPY_BLANK;
        for (int t = L - COPY_N; t < L; t++)
            ok &= y[t * B + b] == onehot(x, t - (L - COPY_N), b);
        check(ok, "seq %d: targets blank until step 12, then the 10 symbols in order", b);
    }
    /* The baseline's predictor: blank for certain, then uniform over the 8 symbols. */
    for (int i = 0; i < L * B; i++)
        for (int c = 0; c < COPY_CLASSES; c++)
            logits[i * COPY_CLASSES + c] = i < (L - COPY_N) * B
                                               ? (c == COPY_BLANK ? 100.0f : 0.0f)
                                               : (c < COPY_SYMBOLS ? 0.0f : -100.0f);
    double ce = -1;
    check(rnnc_loss_softmax_ce(logits, y, L * B, COPY_CLASSES, -1, &ce, NULL, NULL) == RNNC_OK,
          "cross-entropy");
    const double want = 10 * log(8.0) / 23;
    check(fabs(memtask_copy_baseline(T) - want) < 1e-12 && fabs(ce - want) < 1e-5,
          "baseline 10 ln 8 / 23 = %.6f; the predictor's cross-entropy %.6f", want, ce);
    /* Recall: the logits pointing at the targets hit all 20; one step wrong hits 19. */
    for (int i = 0; i < L * B; i++)
        for (int c = 0; c < COPY_CLASSES; c++)
            logits[i * COPY_CLASSES + c] = c == y[i] ? 1.0f : 0.0f;
    check(memtask_copy_hits(logits, y, L, B) == 20, "every recalled symbol right: 20 hits");
    const int i = (L - 1) * B + 1, wrong = (y[i] + 1) % COPY_SYMBOLS;
    logits[i * COPY_CLASSES + wrong] = 2;
    logits[0 * COPY_CLASSES + COPY_DELIM] = 2; /* a blank step wrong does not count */
    check(memtask_copy_hits(logits, y, L, B) == 19, "one recalled symbol wrong: 19 hits");
    /* The criteria at their edges. */
    check(memtask_solved(1, -1, 9, 0.99) && !memtask_solved(1, -1, 0, 0.9899),
          "copy solved at 99%% of the recalled symbols, not below");
    check(memtask_solved(0, -1, 0.00999, 0) && !memtask_solved(0, -1, 0.01, 1),
          "adding solved below test MSE 0.01, not at it");
    check(memtask_solved(0, 0.05, 0.04, 0) && !memtask_solved(1, 0.5, 0, 0.4),
          "--solved X moves either threshold");
    return check_summary();
}
