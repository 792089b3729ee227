/* The copy (memory) task of rnnc demo copy and the solved criteria of both long-memory tasks
 * (docs/theory.md), apart from the command so tests/tools/test_memtask.c can check them by hand. */
#ifndef RNNC_CLI_MEMTASK_H
#define RNNC_CLI_MEMTASK_H

#include "rnnc.h"

/* 10 symbols 0..7 of an alphabet of 8, blank 8, delimiter 9: 10 classes. */
enum { COPY_N = 10, COPY_SYMBOLS = 8, COPY_BLANK = 8, COPY_DELIM = 9, COPY_CLASSES = 10 };

/* One copy-task batch, as Arjovsky et al. 2016 set it: per sequence 10 random symbols, T - 1
 * blanks, the delimiter, 10 blanks (L = T + 20 steps, T >= 1). x (L,B,10) gets the inputs
 * one-hot, target (L,B) blank at every step but the last 10, which repeat the symbols. Returns
 * L. */
int memtask_copy_batch(rnnc_rng *r, long T, int B, float *x, int32_t *target);
/* The cross-entropy per step of predicting blanks with certainty, then a uniform guess over the 8
 * symbols at the last 10 steps: 10 ln 8 / (T + 20). */
double memtask_copy_baseline(long T);
/* How many of the last 10 steps' argmax over logits (L,B,10) equal target (L,B). */
long memtask_copy_hits(const float *logits, const int32_t *target, int L, int B);
/* Solved: copy when acc >= threshold (default 0.99), adding when the test MSE < threshold
 * (default 0.01); threshold < 0 takes the default. */
int memtask_solved(int copy, double threshold, double mse, double acc);

#endif
