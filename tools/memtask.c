/* The copy task and the solved criteria (memtask.h). */
#include "memtask.h"

#include <math.h>
#include <string.h>

int memtask_copy_batch(rnnc_rng *r, long T, int B, float *x, int32_t *target) {
    const int L = (int)T + 2 * COPY_N;
    memset(x, 0, (size_t)L * B * COPY_CLASSES * sizeof(float));
    for (int b = 0; b < B; b++) {
        int sym[COPY_N];
        for (int t = 0; t < L; t++) {
            int in = COPY_BLANK, out = COPY_BLANK;
            if (t < COPY_N)
                in = sym[t] = (int)rnnc_rng_below(r, COPY_SYMBOLS);
            else if (t == L - COPY_N - 1)
                in = COPY_DELIM;
            if (t >= L - COPY_N)
                out = sym[t - (L - COPY_N)];
            x[((size_t)t * B + b) * COPY_CLASSES + in] = 1;
            target[(size_t)t * B + b] = out;
        }
    }
    return L;
}

double memtask_copy_baseline(long T) {
    return COPY_N * log((double)COPY_SYMBOLS) / (double)(T + 2 * COPY_N);
}

long memtask_copy_hits(const float *logits, const int32_t *target, int L, int B) {
    long hits = 0;
    for (size_t i = (size_t)(L - COPY_N) * B; i < (size_t)L * B; i++) {
        int best = 0;
        for (int c = 1; c < COPY_CLASSES; c++)
            best = logits[i * COPY_CLASSES + c] > logits[i * COPY_CLASSES + best] ? c : best;
        hits += best == target[i];
    }
    return hits;
}

int memtask_solved(int copy, double threshold, double mse, double acc) {
    if (copy)
        return acc >= (threshold >= 0 ? threshold : 0.99);
    return mse < (threshold >= 0 ? threshold : 0.01);
}
