/* Data augmentation: rnnc_text_augment and rnnc_series_augment against their
 * definitions (each rate measured over many draws, within 4 standard deviations of its
 * probability; swaps of neighbours only; reserved ids untouched; a word always kept; the noise's
 * mean and variance; one scaling factor for inputs and targets; slicing by hand on a ramp; the
 * draw order; rates 0 change nothing and draw nothing), the training-file keys, and training: a
 * small classifier and forecaster trained with augmentation differ from training without it,
 * repeat for a seed, resume exactly after a stop inside an epoch, and validate, evaluate and
 * predict exactly as without augmentation. */
#include "check.h"
#include "reviews.h"
#include "rnnc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* |k/n - p| within 4 standard deviations of a binomial proportion. */
static int rate_ok(double k, double n, double p) {
    return fabs(k / n - p) <= 4 * sqrt(p * (1 - p) / n);
}

static int same_rng(const rnnc_rng *a, const rnnc_rng *b) {
    return !memcmp(a, b, sizeof *a);
}

/* ---- text ---- */

static void test_text_off(void) {
    int32_t ids[6] = {1, 7, 8, 2, 9, 0}, orig[6];
    memcpy(orig, ids, sizeof ids);
    rnnc_rng r, r0;
    rnnc_rng_seed(&r, 1);
    r0 = r;
    rnnc_text_augment_spec a = {0, 0, 0};
    size_t n = 6;
    check(rnnc_text_augment(&a, &r, ids, &n) == RNNC_OK && n == 6 &&
              !memcmp(ids, orig, sizeof ids) && same_rng(&r, &r0),
          "text: every rate 0 leaves the ids bit for bit and draws nothing");
    n = 0;
    a.drop = a.swap = a.oov = 0.5;
    check(rnnc_text_augment(&a, &r, NULL, &n) == RNNC_OK && n == 0 && same_rng(&r, &r0),
          "text: an empty text stays empty, nothing drawn");
}

static void test_text_errors(void) {
    int32_t ids[3] = {5, 6, 7};
    size_t n = 3;
    rnnc_rng r, r0;
    rnnc_rng_seed(&r, 2);
    r0 = r;
    rnnc_text_augment_spec a = {1, 0, 0};
    check(rnnc_text_augment(&a, &r, ids, &n) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "augment_drop"),
          "text: drop = 1 refused naming augment_drop (%s)", rnnc_last_error());
    a.drop = 0.1, a.swap = NAN;
    check(rnnc_text_augment(&a, &r, ids, &n) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "augment_swap"),
          "text: swap NaN refused naming augment_swap (%s)", rnnc_last_error());
    a.swap = 0, a.oov = -0.1;
    check(rnnc_text_augment(&a, &r, ids, &n) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "augment_oov"),
          "text: oov < 0 refused naming augment_oov (%s)", rnnc_last_error());
    check(n == 3 && ids[0] == 5 && ids[1] == 6 && ids[2] == 7 && same_rng(&r, &r0),
          "text: a refused spec changes nothing and draws nothing");
    a.oov = 0;
    check(rnnc_text_augment(&a, &r, NULL, &n) == RNNC_ERR_ARG, "text: NULL ids with n > 0 refused");
}

/* Deletion: rate, order kept, one uniform per word. */
static void test_text_drop(void) {
    enum { N = 200, REPS = 300 };
    rnnc_rng r;
    rnnc_rng_seed(&r, 3);
    rnnc_text_augment_spec a = {0.3, 0, 0};
    long dropped = 0;
    int ordered = 1, draws = 1;
    for (int rep = 0; rep < REPS; rep++) {
        int32_t ids[N];
        for (int i = 0; i < N; i++)
            ids[i] = 3 + i;
        size_t n = N;
        rnnc_rng before = r;
        rnnc_text_augment(&a, &r, ids, &n);
        for (int i = 0; i < N; i++)
            rnnc_rng_uniform(&before);
        draws &= same_rng(&before, &r);
        for (size_t i = 1; i < n; i++)
            ordered &= ids[i] > ids[i - 1];
        dropped += N - (long)n;
    }
    check(rate_ok((double)dropped, (double)N * REPS, 0.3),
          "text drop: %.4f of %d words deleted, 0.3 within 4 sigma", dropped / (double)(N * REPS),
          N * REPS);
    check(ordered, "text drop: the words kept stay in order");
    check(draws, "text drop: exactly one uniform per word (a text with words left)");
}

/* Deletion never removes every word: the one kept is chosen uniformly. */
static void test_text_keep_one(void) {
    enum { REPS = 3000 };
    rnnc_rng r;
    rnnc_rng_seed(&r, 4);
    rnnc_text_augment_spec a = {0.99, 0, 0};
    int ok = 1, counts[3] = {0, 0, 0};
    for (int rep = 0; rep < REPS; rep++) {
        int32_t ids[4] = {RNNC_VOCAB_START, 5, 6, 7};
        size_t n = 4;
        rnnc_text_augment(&a, &r, ids, &n);
        ok &= n >= 2 && ids[0] == RNNC_VOCAB_START;
        if (n == 2 && ids[1] >= 5 && ids[1] <= 7)
            counts[ids[1] - 5]++;
    }
    const double total = counts[0] + counts[1] + counts[2];
    check(ok, "text drop 0.99: at least one word always remains, <start> first");
    check(total > 0.9 * REPS && rate_ok(counts[0], total, 1.0 / 3) &&
              rate_ok(counts[1], total, 1.0 / 3) && rate_ok(counts[2], total, 1.0 / 3),
          "text drop 0.99: the one word left is uniform over the three (%d %d %d)", counts[0],
          counts[1], counts[2]);
    int32_t one[2] = {RNNC_VOCAB_START, 9};
    size_t n = 2;
    for (int rep = 0; rep < 200 && n == 2; rep++)
        rnnc_text_augment(&a, &r, one, &n);
    check(n == 2 && one[1] == 9, "text drop: a one-word text keeps its word");
}

/* Swap: rate per pair looked at, neighbours only, multiset kept. */
static void test_text_swap(void) {
    enum { N = 20, REPS = 2000 };
    rnnc_rng r;
    rnnc_rng_seed(&r, 5);
    rnnc_text_augment_spec a = {0, 0.4, 0};
    long looked = 0, swapped = 0, pair_swaps = 0;
    int neighbours = 1, multiset = 1;
    for (int rep = 0; rep < REPS; rep++) {
        int32_t in[N], ids[N];
        for (int i = 0; i < N; i++)
            in[i] = ids[i] = 100 + i;
        size_t n = N;
        rnnc_text_augment(&a, &r, ids, &n);
        int seen[N] = {0};
        for (int i = 0; i < N; i++) {
            if (ids[i] < 100 || ids[i] >= 100 + N || seen[ids[i] - 100]++)
                multiset = 0;
        }
        /* walk as the definition does: a pair looked at, swapped or not */
        for (int i = 0; i + 1 < N;) {
            looked++;
            if (ids[i] == in[i + 1] && ids[i + 1] == in[i]) {
                swapped++;
                i += 2;
            } else if (ids[i] == in[i]) {
                i++;
            } else {
                neighbours = 0;
                break;
            }
        }
        if (ids[N - 1] != in[N - 1] && !(ids[N - 1] == in[N - 2] && ids[N - 2] == in[N - 1]))
            neighbours = 0;
        int32_t two[2] = {5, 6};
        size_t n2 = 2;
        rnnc_text_augment(&a, &r, two, &n2);
        pair_swaps += two[0] == 6;
    }
    check(neighbours, "text swap: only neighbours are exchanged, each word at most once");
    check(multiset, "text swap: the multiset of ids is kept");
    check(rate_ok(swapped, looked, 0.4), "text swap: %.4f of %ld pairs looked at are swapped, 0.4",
          swapped / (double)looked, looked);
    check(rate_ok(pair_swaps, REPS, 0.4), "text swap: a two-word text is swapped %.4f of the time",
          pair_swaps / (double)REPS);
    /* pairs with a reserved id are passed over without a draw */
    int32_t res[5] = {RNNC_VOCAB_START, 7, RNNC_VOCAB_PAD, 8, RNNC_VOCAB_START};
    rnnc_rng r0 = r;
    size_t n5 = 5;
    a.swap = 0.9;
    rnnc_text_augment(&a, &r, res, &n5);
    check(n5 == 5 && res[0] == 1 && res[1] == 7 && res[2] == 0 && res[3] == 8 && res[4] == 1 &&
              same_rng(&r, &r0),
          "text swap: no pair with <pad> or <start> is looked at, nothing drawn");
}

static void test_text_oov(void) {
    enum { N = 200, REPS = 300 };
    rnnc_rng r;
    rnnc_rng_seed(&r, 6);
    rnnc_text_augment_spec a = {0, 0, 0.2};
    long unk = 0;
    int kept = 1;
    for (int rep = 0; rep < REPS; rep++) {
        int32_t ids[N];
        for (int i = 0; i < N; i++)
            ids[i] = 3 + i;
        size_t n = N;
        rnnc_text_augment(&a, &r, ids, &n);
        for (int i = 0; i < N; i++) {
            unk += ids[i] == RNNC_VOCAB_OOV;
            kept &= ids[i] == RNNC_VOCAB_OOV || ids[i] == 3 + i;
        }
        kept &= n == N;
    }
    check(rate_ok(unk, (double)N * REPS, 0.2), "text oov: %.4f of the words become <unk>, 0.2",
          unk / (double)(N * REPS));
    check(kept, "text oov: the other words are unchanged, in place");
}

/* With every operation on, reserved ids keep their number and order, <start> stays first. */
static void test_text_reserved(void) {
    rnnc_rng r;
    rnnc_rng_seed(&r, 7);
    rnnc_text_augment_spec a = {0.5, 0.5, 0.5};
    const int32_t in[10] = {1, 10, 11, 0, 12, 13, 1, 14, 0, 15};
    int ok = 1;
    for (int rep = 0; rep < 2000; rep++) {
        int32_t ids[10];
        memcpy(ids, in, sizeof ids);
        size_t n = 10;
        rnnc_text_augment(&a, &r, ids, &n);
        int32_t res[10];
        size_t k = 0, words = 0;
        for (size_t i = 0; i < n; i++) {
            if (ids[i] == 0 || ids[i] == 1)
                res[k++] = ids[i];
            else
                words++;
        }
        ok &= k == 4 && res[0] == 1 && res[1] == 0 && res[2] == 1 && res[3] == 0 && ids[0] == 1 &&
              words >= 1;
    }
    check(ok, "text: <pad> and <start> are never deleted, moved past or replaced");
}

static void test_text_seeds(void) {
    rnnc_text_augment_spec a = {0.3, 0.3, 0.3};
    int32_t x[3][50];
    size_t n[3] = {50, 50, 50};
    for (int k = 0; k < 3; k++) {
        rnnc_rng r;
        rnnc_rng_seed(&r, k == 2 ? 12 : 11);
        for (int i = 0; i < 50; i++)
            x[k][i] = 3 + i;
        rnnc_text_augment(&a, &r, x[k], &n[k]);
    }
    check(n[0] == n[1] && !memcmp(x[0], x[1], n[0] * sizeof(int32_t)),
          "text: the same seed gives the same augmented text");
    check(n[0] != n[2] || memcmp(x[0], x[2], n[0] * sizeof(int32_t)),
          "text: another seed gives another");
}

/* ---- time series ---- */

static void test_series_off(void) {
    float x[12], y[3], x0[12], y0[3];
    for (int i = 0; i < 12; i++)
        x[i] = x0[i] = 0.25f * (float)i - 1;
    for (int i = 0; i < 3; i++)
        y[i] = y0[i] = (float)i;
    rnnc_rng r, r0;
    rnnc_rng_seed(&r, 8);
    r0 = r;
    rnnc_series_augment_spec a = {0, 0, 0};
    check(rnnc_series_augment(&a, &r, 4, 3, 1, x, y, 3, NULL) == RNNC_OK &&
              !memcmp(x, x0, sizeof x) && !memcmp(y, y0, sizeof y) && same_rng(&r, &r0),
          "series: every rate 0 leaves the window bit for bit and draws nothing");
    a.slice = 1;
    check(rnnc_series_augment(&a, &r, 4, 3, 1, x, y, 3, NULL) == RNNC_OK &&
              !memcmp(x, x0, sizeof x) && same_rng(&r, &r0),
          "series: slice 1 is off");
    a.slice = 0.9; /* ceil(0.9 * 4) = 4 steps: the whole window */
    check(rnnc_series_augment(&a, &r, 4, 3, 1, x, y, 3, NULL) == RNNC_OK &&
              !memcmp(x, x0, sizeof x) && same_rng(&r, &r0),
          "series: a slice of every step is off (ceil(0.9 * 4) = 4)");
    /* errors change nothing */
    a.slice = 1.5;
    check(rnnc_series_augment(&a, &r, 4, 3, 1, x, y, 3, NULL) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "augment_slice"),
          "series: slice 1.5 refused naming augment_slice (%s)", rnnc_last_error());
    a.slice = 0, a.scale = 1;
    check(rnnc_series_augment(&a, &r, 4, 3, 1, x, y, 3, NULL) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "augment_scale"),
          "series: scale 1 refused naming augment_scale (%s)", rnnc_last_error());
    a.scale = 0, a.jitter = -0.5;
    check(rnnc_series_augment(&a, &r, 4, 3, 1, x, y, 3, NULL) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "augment_jitter"),
          "series: jitter < 0 refused naming augment_jitter (%s)", rnnc_last_error());
    a.jitter = INFINITY;
    check(rnnc_series_augment(&a, &r, 4, 3, 1, x, y, 3, NULL) == RNNC_ERR_ARG,
          "series: infinite jitter refused");
    a.jitter = 0, a.slice = 0.5;
    check(rnnc_series_augment(&a, &r, 4, 3, 1, x, y, 3, NULL) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "work"),
          "series: slicing without work refused (%s)", rnnc_last_error());
    a.slice = 0, a.scale = 0.1;
    check(rnnc_series_augment(&a, &r, 4, 3, 4, x, y, 3, NULL) == RNNC_ERR_ARG,
          "series: more targets than inputs refused");
    check(!memcmp(x, x0, sizeof x) && !memcmp(y, y0, sizeof y) && same_rng(&r, &r0),
          "series: refused calls change nothing and draw nothing");
}

/* Jitter: N(0, jitter^2) on every input value, in row-major order; the targets get none. */
static void test_series_jitter(void) {
    enum { L = 50, I = 4, REPS = 200 };
    const double sd = 0.5;
    rnnc_rng r;
    rnnc_rng_seed(&r, 9);
    rnnc_series_augment_spec a = {sd, 0, 0};
    double sum = 0, sum2 = 0;
    int exact = 1, targets = 1;
    for (int rep = 0; rep < REPS; rep++) {
        float x[L * I], y[2] = {3, -4};
        for (int i = 0; i < L * I; i++)
            x[i] = 1;
        rnnc_rng copy = r;
        rnnc_series_augment(&a, &r, L, I, 2, x, y, 2, NULL);
        for (int i = 0; i < L * I; i++) {
            const double d = x[i] - 1.0;
            sum += d, sum2 += d * d;
            exact &= x[i] == (float)(1 + sd * rnnc_rng_normal(&copy));
        }
        exact &= same_rng(&copy, &r);
        targets &= y[0] == 3 && y[1] == -4;
    }
    const double n = (double)L * I * REPS, mean = sum / n, var = sum2 / n - mean * mean;
    check(fabs(mean) <= 4 * sd / sqrt(n), "series jitter: noise mean %.5f, 0 within 4 sigma", mean);
    check(fabs(var - sd * sd) <= 4 * sd * sd * sqrt(2 / n),
          "series jitter: noise variance %.5f, %.2f within 4 sigma", var, sd * sd);
    check(exact, "series jitter: one rnnc_rng_normal per input value, in row-major order");
    check(targets, "series jitter: the targets get no noise");
}

/* Scaling: one factor k = 1 + scale z per window on the target columns and the targets. */
static void test_series_scale(void) {
    enum { L = 6, I = 3, NT = 2, H = 4, REPS = 2000 };
    const double sd = 0.2;
    rnnc_rng r;
    rnnc_rng_seed(&r, 10);
    rnnc_series_augment_spec a = {0, sd, 0};
    double sum = 0, sum2 = 0;
    int one = 1, covariate = 1, exact = 1;
    for (int rep = 0; rep < REPS; rep++) {
        float x[L * I], y[H * NT];
        for (int i = 0; i < L * I; i++)
            x[i] = 1;
        for (int i = 0; i < H * NT; i++)
            y[i] = 1;
        rnnc_rng copy = r;
        rnnc_series_augment(&a, &r, L, I, NT, x, y, H * NT, NULL);
        const float k = x[0];
        for (int l = 0; l < L; l++) {
            for (int i = 0; i < NT; i++)
                one &= x[l * I + i] == k;
            covariate &= x[l * I + NT] == 1;
        }
        for (int i = 0; i < H * NT; i++)
            one &= y[i] == k;
        exact &= k == (float)(1 + sd * rnnc_rng_normal(&copy)) && same_rng(&copy, &r);
        sum += k, sum2 += (double)k * k;
    }
    const double mean = sum / REPS, var = sum2 / REPS - mean * mean;
    check(one, "series scale: one factor multiplies every target input and every target");
    check(covariate, "series scale: covariates are not scaled");
    check(exact, "series scale: the factor is 1 + scale * one rnnc_rng_normal");
    check(fabs(mean - 1) <= 4 * sd / sqrt(REPS) &&
              fabs(var - sd * sd) <= 4 * sd * sd * sqrt(2.0 / REPS),
          "series scale: factors' mean %.4f and variance %.4f, N(1, %.2f) within 4 sigma", mean,
          var, sd * sd);
}

/* Slicing by hand on a ramp: column 0 is l, column 1 is 10 l + 1, so the interpolation at position
 * p is p and 10 p + 1 exactly. */
static int slice_case(size_t L, double slice, size_t m, rnnc_rng *r, int *starts) {
    float x[64], y[2] = {7, 8}, work[64];
    for (size_t l = 0; l < L; l++)
        x[l * 2] = (float)l, x[l * 2 + 1] = (float)(10 * l + 1);
    rnnc_rng copy = *r;
    const size_t s = rnnc_rng_below(&copy, (uint32_t)(L - m + 1));
    rnnc_series_augment_spec a = {0, 0, slice};
    if (rnnc_series_augment(&a, r, L, 2, 1, x, y, 2, work) != RNNC_OK || !same_rng(&copy, r))
        return 0;
    int ok = y[0] == 7 && y[1] == 8;
    for (size_t j = 0; j < L; j++) {
        const double p = (double)s + (double)j * (double)(m - 1) / (double)(L - 1);
        ok &= x[j * 2] == (float)p && x[j * 2 + 1] == (float)(10 * p + 1);
    }
    if (starts)
        starts[s]++;
    return ok;
}

static void test_series_slice(void) {
    rnnc_rng r;
    rnnc_rng_seed(&r, 11);
    int starts[3] = {0, 0, 0}, ok = 1;
    for (int rep = 0; rep < 3000; rep++)
        ok &= slice_case(5, 0.6, 3, &r, starts); /* positions s, s+.5, s+1, s+1.5, s+2 */
    check(ok, "series slice r 0.6, L 5: 3 steps from s stretched to 5 (s + j/2), by hand");
    check(rate_ok(starts[0], 3000, 1.0 / 3) && rate_ok(starts[1], 3000, 1.0 / 3) &&
              rate_ok(starts[2], 3000, 1.0 / 3),
          "series slice: the start is uniform over the 3 possible (%d %d %d)", starts[0], starts[1],
          starts[2]);
    ok = 1;
    for (int rep = 0; rep < 50; rep++)
        ok &= slice_case(9, 0.5, 5, &r, NULL) && slice_case(25, 0.28, 7, &r, NULL) &&
              slice_case(10, 0.75, 8, &r, NULL) && slice_case(4, 0.1, 1, &r, NULL);
    check(ok,
          "series slice: ceil(r L) steps: 0.5 x 9 -> 5, 0.28 x 25 -> 7 (not 8), 0.75 x 10 -> 8, "
          "0.1 x 4 -> 1 (every step the same)");
    /* the three together: slice, then the factor, then the noise, from one stream */
    float x[20], y[2] = {1, 2}, w[20], xr[20], yr[2] = {1, 2};
    for (int i = 0; i < 20; i++)
        x[i] = xr[i] = (float)(i % 7) - 3;
    rnnc_series_augment_spec a = {0.1, 0.2, 0.5};
    rnnc_rng copy = r;
    rnnc_series_augment(&a, &r, 10, 2, 1, x, y, 2, w);
    rnnc_series_augment_spec sl = {0, 0, 0.5}, sc = {0, 0.2, 0}, ji = {0.1, 0, 0};
    rnnc_series_augment(&sl, &copy, 10, 2, 1, xr, yr, 2, w);
    rnnc_series_augment(&sc, &copy, 10, 2, 1, xr, yr, 2, w);
    rnnc_series_augment(&ji, &copy, 10, 2, 1, xr, yr, 2, w);
    check(!memcmp(x, xr, sizeof x) && !memcmp(y, yr, sizeof y) && same_rng(&r, &copy),
          "series: all three at once = slice, then scale, then jitter on one stream");
    float x2[20], y2[2] = {1, 2}, x3[20], y3[2] = {1, 2};
    for (int i = 0; i < 20; i++)
        x2[i] = x3[i] = (float)(i % 7) - 3;
    rnnc_rng r2, r3;
    rnnc_rng_seed(&r2, 99), rnnc_rng_seed(&r3, 99);
    rnnc_series_augment(&a, &r2, 10, 2, 1, x2, y2, 2, w);
    rnnc_series_augment(&a, &r3, 10, 2, 1, x3, y3, 2, w);
    check(!memcmp(x2, x3, sizeof x2) && !memcmp(y2, y3, sizeof y2),
          "series: the same seed gives the same window");
    rnnc_rng_seed(&r3, 100);
    for (int i = 0; i < 20; i++)
        x3[i] = (float)(i % 7) - 3;
    rnnc_series_augment(&a, &r3, 10, 2, 1, x3, y3, 2, w);
    check(memcmp(x2, x3, sizeof x2) != 0, "series: another seed gives another");
}

/* ---- training files ---- */

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void test_config(const char *tmp) {
    char p[600];
    snprintf(p, sizeof p, "%s/t.ini", tmp);
    write_file(p, "[data]\ntrain = a.tsv\naugment_drop = 0.1\naugment_swap = 0.05\naugment_oov = "
                  "0.2\n[embedding]\nvocab = 9\ndim = 2\n[lstm]\nhidden = 4\n");
    static rnnc_classify_config tc;
    rnnc_status st = rnnc_classify_config_read(p, NULL, 0, &tc);
    check(st == RNNC_OK && tc.text.augment.drop == 0.1 && tc.text.augment.swap == 0.05 &&
              tc.text.augment.oov == 0.2,
          "[data] augment_drop, augment_swap, augment_oov read (%s)",
          st ? rnnc_last_error() : "ok");
    const char *off[] = {"data.augment_oov=0"};
    st = rnnc_classify_config_read(p, off, 1, &tc);
    check(st == RNNC_OK && tc.text.augment.oov == 0, "--set data.augment_oov=0 turns it off");
    const char *bad1[] = {"data.augment_drop=1"};
    st = rnnc_classify_config_read(p, bad1, 1, &tc);
    check(st == RNNC_ERR_FORMAT &&
              strstr(rnnc_last_error(), "--set data.augment_drop=1: [data] augment_drop = '1'") &&
              strstr(rnnc_last_error(), "[0, 1)"),
          "[data] augment_drop = 1 refused, naming the --set and the key: %s", rnnc_last_error());
    const char *bad2[] = {"data.augment_swap=-0.1"};
    st = rnnc_classify_config_read(p, bad2, 1, &tc);
    check(st == RNNC_ERR_FORMAT &&
              strstr(rnnc_last_error(), "--set data.augment_swap=-0.1: [data] augment_swap"),
          "[data] augment_swap < 0 refused: %s", rnnc_last_error());
    const char *bad3[] = {"data.augment_oov=nan"};
    st = rnnc_classify_config_read(p, bad3, 1, &tc);
    check(st == RNNC_ERR_FORMAT &&
              strstr(rnnc_last_error(), "--set data.augment_oov=nan: [data] augment_oov"),
          "[data] augment_oov = nan refused: %s", rnnc_last_error());
    rnnc_classify_config_read(p, NULL, 0, &tc);
    tc.text.augment.drop = 1; /* the classifier checks the spec too, naming the field */
    rnnc_classifier *c = NULL;
    rnnc_textset set = {0};
    char *texts[2] = {"a b", "c d"};
    int32_t labels[2] = {0, 1};
    char *names[2] = {"neg", "pos"};
    set.n = 2, set.texts = texts, set.labels = labels, set.n_labels = 2, set.label_names = names;
    tc.run.model.layers[0].vocab = 16;
    st = rnnc_classifier_create(&tc.run.model, &tc.text, &set, 1, &c);
    check(st == RNNC_ERR_ARG && !c && strstr(rnnc_last_error(), "augment_drop"),
          "rnnc_classifier_create refuses augment_drop = 1: %s", rnnc_last_error());

    snprintf(p, sizeof p, "%s/f.ini", tmp);
    write_file(p, "[forecast]\ndata = x.csv\naugment_jitter = 0.03\naugment_scale = 0.1\n"
                  "augment_slice = 0.9\n[gru]\nhidden = 4\n");
    static rnnc_forecast_config fc;
    st = rnnc_forecast_config_read(p, NULL, 0, &fc);
    check(st == RNNC_OK && fc.spec.augment.jitter == 0.03 && fc.spec.augment.scale == 0.1 &&
              fc.spec.augment.slice == 0.9,
          "[forecast] augment_jitter, augment_scale, augment_slice read (%s)",
          st ? rnnc_last_error() : "ok");
    const char *fb1[] = {"forecast.augment_slice=1.5"};
    st = rnnc_forecast_config_read(p, fb1, 1, &fc);
    check(st == RNNC_ERR_FORMAT &&
              strstr(rnnc_last_error(),
                     "--set forecast.augment_slice=1.5: [forecast] augment_slice = '1.5'"),
          "[forecast] augment_slice = 1.5 refused, naming the --set and the key: %s",
          rnnc_last_error());
    const char *fb2[] = {"forecast.augment_scale=1"};
    st = rnnc_forecast_config_read(p, fb2, 1, &fc);
    check(st == RNNC_ERR_FORMAT &&
              strstr(rnnc_last_error(), "--set forecast.augment_scale=1: [forecast] augment_scale"),
          "[forecast] augment_scale = 1 refused: %s", rnnc_last_error());
    const char *fb3[] = {"forecast.augment_jitter=-1"};
    st = rnnc_forecast_config_read(p, fb3, 1, &fc);
    check(st == RNNC_ERR_FORMAT &&
              strstr(rnnc_last_error(),
                     "--set forecast.augment_jitter=-1: [forecast] augment_jitter"),
          "[forecast] augment_jitter < 0 refused: %s", rnnc_last_error());
    const char *fok[] = {"forecast.augment_slice=1"};
    st = rnnc_forecast_config_read(p, fok, 1, &fc);
    check(st == RNNC_OK && fc.spec.augment.slice == 1,
          "[forecast] augment_slice = 1 (off) accepted");
    unlink(p);
    snprintf(p, sizeof p, "%s/t.ini", tmp);
    unlink(p);
}

/* ---- training a classifier ---- */

static rnnc_config model_cfg(void) {
    rnnc_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.n_layers = 4;
    cfg.layers[0] = rnnc_layer_spec_init(RNNC_LAYER_EMBEDDING);
    cfg.layers[0].vocab = 64, cfg.layers[0].dim = 8, cfg.layers[0].padding_idx = 0;
    cfg.layers[1] = rnnc_layer_spec_init(RNNC_LAYER_DROPOUT);
    cfg.layers[1].rate = 0.1f; /* dropout shares the model's generator with augmentation */
    cfg.layers[2] = rnnc_layer_spec_init(RNNC_LAYER_GRU);
    cfg.layers[2].hidden = 12;
    cfg.layers[3] = rnnc_layer_spec_init(RNNC_LAYER_DENSE);
    cfg.layers[3].units = 1;
    return cfg;
}

/* maxlen 12 cuts the longer reviews (up to 17 ids), so augmentation before truncation matters. */
static rnnc_text_spec text_spec(double drop, double swap, double oov) {
    rnnc_text_spec t = rnnc_text_spec_init();
    t.num_words = 64, t.maxlen = 12, t.padding = RNNC_PAD_POST, t.use_lengths = 1;
    t.augment.drop = drop, t.augment.swap = swap, t.augment.oov = oov;
    return t;
}

static rnnc_fit_spec fit_spec(const char *dir, int epochs) {
    rnnc_fit_spec f = rnnc_fit_spec_init();
    f.epochs = epochs, f.batch_size = 16, f.seed = 5, f.out_dir = dir;
    f.optim.lr = 0.01;
    return f;
}

typedef struct stopper {
    int batches, after;
} stopper;
static int stop_after(void *u) {
    stopper *s = u;
    return ++s->batches >= s->after;
}

static int same_params(rnnc_model *a, rnnc_model *b) {
    size_t na, nb;
    const float *pa = rnnc_model_params(a, &na), *pb = rnnc_model_params(b, &nb);
    return na == nb && !memcmp(pa, pb, na * sizeof(float));
}

static rnnc_classifier *train_classifier(const rnnc_textset *tr, const rnnc_textset *va,
                                         const rnnc_text_spec *t, rnnc_fit_spec *f,
                                         rnnc_epoch_report *last, rnnc_status *st) {
    rnnc_config cfg = model_cfg();
    rnnc_classifier *c = NULL;
    *st = rnnc_classifier_create(&cfg, t, tr, 3, &c);
    if (*st == RNNC_OK)
        *st = rnnc_classifier_fit(c, tr, va, f, last);
    return c;
}

static void test_classifier(const char *tmp) {
    rnnc_textset *tr = reviews_make(400, 1), *va = reviews_make(60, 2);
    char d[4][600], ck[700], path[700];
    for (int i = 0; i < 4; i++)
        snprintf(d[i], sizeof d[i], "%s/c%d", tmp, i);
    const rnnc_text_spec on = text_spec(0.1, 0.1, 0.1), off = text_spec(0, 0, 0);
    rnnc_status st, st2, st3;
    rnnc_epoch_report la, lb, ln;
    rnnc_fit_spec fa = fit_spec(d[0], 4), fb = fit_spec(NULL, 4), fn = fit_spec(NULL, 4);
    rnnc_classifier *a = train_classifier(tr, va, &on, &fa, &la, &st);
    rnnc_classifier *b = train_classifier(tr, va, &on, &fb, &lb, &st2);
    rnnc_classifier *n = train_classifier(tr, va, &off, &fn, &ln, &st3);
    check(st == RNNC_OK && st2 == RNNC_OK && st3 == RNNC_OK, "classifier: three runs train (%s)",
          st || st2 || st3 ? rnnc_last_error() : "ok");
    if (st || st2 || st3)
        goto done;
    rnnc_model *ma = rnnc_classifier_model(a), *mb = rnnc_classifier_model(b),
               *mn = rnnc_classifier_model(n);
    check(same_params(ma, mb) && la.loss == lb.loss && la.val_loss == lb.val_loss,
          "classifier: augmented runs with the same seed are bit-identical");
    check(!same_params(ma, mn) && la.loss != ln.loss,
          "classifier: training with augmentation differs from training without (loss %.5f vs "
          "%.5f)",
          la.loss, ln.loss);
    check(la.val.accuracy > 0.8,
          "classifier: still learns with augmentation (val accuracy %.3f; "
          "%.3f without)",
          la.val.accuracy, ln.val.accuracy);

    /* each operation alone changes training too */
    for (int k = 0; k < 3; k++) {
        const rnnc_text_spec one = text_spec(k == 0 ? 0.1 : 0, k == 1 ? 0.1 : 0, k == 2 ? 0.1 : 0);
        rnnc_fit_spec fk = fit_spec(NULL, 1), f0 = fit_spec(NULL, 1);
        rnnc_classifier *x = train_classifier(tr, va, &one, &fk, NULL, &st);
        rnnc_classifier *z = train_classifier(tr, va, &off, &f0, NULL, &st2);
        check(st == RNNC_OK && st2 == RNNC_OK &&
                  !same_params(rnnc_classifier_model(x), rnnc_classifier_model(z)),
              "classifier: %s alone changes training",
              k == 0   ? "drop"
              : k == 1 ? "swap"
                       : "oov");
        rnnc_classifier_free(x), rnnc_classifier_free(z);
    }

    /* validation is not augmented: the reported val_loss is an evaluation of the final weights */
    double loss;
    rnnc_metric_values v;
    st = rnnc_classifier_evaluate(a, va, 16, &loss, &v);
    check(st == RNNC_OK && loss == la.val_loss,
          "classifier: the last val_loss (%.9g) is evaluate's on the same weights (%.9g)",
          la.val_loss, loss);

    /* evaluation and prediction do not depend on the augmentation settings, nor draw */
    size_t np;
    float *pa = rnnc_model_params(ma, &np);
    memcpy(rnnc_model_params(mn, NULL), pa, np * sizeof(float));
    double l1, l2;
    rnnc_metric_values v1, v2;
    rnnc_rng ra = *rnnc_model_rng(ma);
    st = rnnc_classifier_evaluate(a, va, 16, &l1, &v1);
    st2 = rnnc_classifier_evaluate(n, va, 16, &l2, &v2);
    check(st == RNNC_OK && st2 == RNNC_OK && l1 == l2 && v1.accuracy == v2.accuracy &&
              v1.auc == v2.auc,
          "classifier: the same weights evaluate identically with and without augmentation "
          "(%.9g, %.9g)",
          l1, l2);
    float p1[2 * 60], p2[2 * 60];
    st = rnnc_classifier_predict(a, (const char *const *)va->texts, 60, p1);
    st2 = rnnc_classifier_predict(n, (const char *const *)va->texts, 60, p2);
    check(st == RNNC_OK && st2 == RNNC_OK && !memcmp(p1, p2, sizeof p1),
          "classifier: and predict identically");
    check(same_rng(&ra, rnnc_model_rng(ma)), "classifier: evaluate and predict draw nothing");

    /* the model file keeps the settings (set ones only), and reads back */
    snprintf(path, sizeof path, "%s/model.safetensors", d[0]);
    rnnc_classifier *la_ = NULL;
    st = rnnc_classifier_load(path, &la_);
    const rnnc_text_spec *lt = la_ ? rnnc_classifier_spec(la_) : NULL;
    check(st == RNNC_OK && lt && lt->augment.drop == 0.1 && lt->augment.swap == 0.1 &&
              lt->augment.oov == 0.1,
          "classifier: the model file keeps augment_* and reads them back (%s)",
          st ? rnnc_last_error() : "ok");
    rnnc_classifier_free(la_);
    snprintf(path, sizeof path, "%s/n.safetensors", tmp);
    rnnc_tensor_file *tf = NULL;
    st = rnnc_classifier_save(n, path);
    if (st == RNNC_OK)
        st = rnnc_tensor_file_read(path, &tf);
    const char *meta = tf ? rnnc_tensor_file_meta(tf, "rnnc.text") : NULL;
    check(st == RNNC_OK && meta && !strstr(meta, "augment") && strstr(meta, "use_lengths=1\n"),
          "classifier: without augmentation rnnc.text is as before (no augment_* lines)");
    rnnc_tensor_file_free(tf);
    rnnc_classifier *old = NULL;
    st = rnnc_classifier_load("tests/fuzz/safetensors/classifier.safetensors", &old);
    lt = old ? rnnc_classifier_spec(old) : NULL;
    check(st == RNNC_OK && lt && lt->augment.drop == 0 && lt->augment.swap == 0 &&
              lt->augment.oov == 0,
          "classifier: a model file written before augmentation loads, augmentation off (%s)",
          st ? rnnc_last_error() : "ok");
    rnnc_classifier_free(old);

    /* stopped inside epoch 2 and resumed from the checkpoint's file alone: the same bits */
    stopper sp = {0, 25 + 5}; /* 25 batches an epoch */
    rnnc_fit_spec fs = fit_spec(d[1], 4);
    fs.should_stop = stop_after, fs.user = &sp;
    rnnc_epoch_report ls;
    rnnc_classifier *s1 = train_classifier(tr, va, &on, &fs, &ls, &st);
    check(st == RNNC_OK && ls.interrupted, "classifier: a run stopped after 30 batches (%s)",
          st ? rnnc_last_error() : "ok");
    snprintf(ck, sizeof ck, "%s/checkpoint.safetensors", d[1]);
    rnnc_classifier *r = NULL;
    if (st == RNNC_OK)
        st = rnnc_classifier_load(ck, &r);
    fs.resume = ck, fs.should_stop = NULL, fs.user = NULL;
    if (st == RNNC_OK)
        st = rnnc_classifier_fit(r, tr, va, &fs, &ls);
    check(st == RNNC_OK && same_params(rnnc_classifier_model(r), ma) && ls.val_loss == la.val_loss,
          "classifier: stopped inside epoch 2 and resumed, bit-identical to the uninterrupted run "
          "(%s)",
          st ? rnnc_last_error() : "ok");
    rnnc_classifier_free(s1), rnnc_classifier_free(r);
done:
    rnnc_classifier_free(a), rnnc_classifier_free(b), rnnc_classifier_free(n);
    rnnc_textset_free(tr), rnnc_textset_free(va);
}

/* Augmentation comes before truncation: every text is 20 "a" then 10 "b", and maxlen 10 keeps
 * the last 10 ids. Without augmentation the model only ever sees "b", so the embedding row of "a"
 * gets no gradient and stays as initialised; deleting words first pulls some "a" into the last
 * 10, and the row trains. (Truncating first, then deleting, would never show an "a".) */
static void test_classifier_before_truncation(void) {
    rnnc_textset *set = reviews_make(32, 9);
    char text[128] = "";
    for (int i = 0; i < 30; i++)
        strcat(text, i < 20 ? "a " : "b ");
    for (size_t i = 0; i < set->n; i++) {
        free(set->texts[i]);
        set->texts[i] = strdup(text);
    }
    for (int k = 0; k < 2; k++) {
        rnnc_text_spec t = text_spec(k ? 0.5 : 0, 0, 0);
        t.maxlen = 10, t.truncating = RNNC_PAD_PRE, t.add_start = 0;
        rnnc_config cfg = model_cfg();
        rnnc_classifier *c = NULL;
        rnnc_status st = rnnc_classifier_create(&cfg, &t, set, 3, &c);
        const int32_t id = c ? rnnc_vocab_id(rnnc_classifier_vocab(c), "a", 1) : -1;
        float *e = c ? rnnc_model_param(rnnc_classifier_model(c), "embedding.weight", NULL) : NULL;
        float before[8] = {0};
        if (e && id > 0)
            memcpy(before, e + (size_t)id * 8, sizeof before);
        rnnc_fit_spec f = fit_spec(NULL, 1);
        if (st == RNNC_OK)
            st = rnnc_classifier_fit(c, set, NULL, &f, NULL);
        const int changed = e && id > 0 && memcmp(before, e + (size_t)id * 8, sizeof before) != 0;
        check(st == RNNC_OK && id >= RNNC_VOCAB_FIRST && changed == k,
              k ? "classifier: with deletion before truncation, words from before the last maxlen "
                  "reach training"
                : "classifier: without augmentation, words before the last maxlen never train");
        rnnc_classifier_free(c);
    }
    rnnc_textset_free(set);
}

/* ---- training a forecaster ---- */

static rnnc_series *sine_series(size_t n) {
    size_t cap = 64 + n * 48, len;
    char *text = malloc(cap);
    len = (size_t)snprintf(text, cap, "t,y\n");
    for (size_t t = 0; t < n; t++)
        len += (size_t)snprintf(text + len, cap - len, "%zu,%.17g\n", t,
                                10 + 5 * sin(2 * M_PI * (double)t / 20) +
                                    0.3 * sin(0.37 * (double)t * (double)t));
    rnnc_series_source src = rnnc_series_source_init();
    src.time = "t";
    rnnc_series *s = NULL;
    if (rnnc_series_parse(text, len, "sine.csv", &src, &s))
        fprintf(stderr, "sine_series: %s\n", rnnc_last_error());
    free(text);
    return s;
}

static rnnc_forecaster *train_forecaster(const rnnc_series *s, double jitter, double scale,
                                         double slice, rnnc_fit_spec *f, rnnc_epoch_report *last,
                                         rnnc_status *st) {
    rnnc_forecast_spec sp = rnnc_forecast_spec_init();
    sp.lookback = 8, sp.horizon = 2, sp.season = 20;
    sp.augment.jitter = jitter, sp.augment.scale = scale, sp.augment.slice = slice;
    rnnc_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.n_layers = 1;
    cfg.layers[0] = rnnc_layer_spec_init(RNNC_LAYER_GRU);
    cfg.layers[0].hidden = 6;
    rnnc_forecaster *fc = NULL;
    *st = rnnc_forecaster_create(&cfg, &sp, s, NULL, 7, &fc);
    if (*st == RNNC_OK)
        *st = rnnc_forecaster_fit(fc, s, f, last);
    return fc;
}

/* The validation loss by hand: every validation window alone through the model (inference). */
static double val_loss_by_hand(rnnc_forecaster *fc, const rnnc_series *s) {
    size_t n = 0;
    rnnc_forecaster_windows(fc, s, 1, &n);
    double sum = 0;
    for (size_t w = 0; w < n; w++) {
        float x[8], y[2];
        rnnc_forecaster_window(fc, s, 1, w, NULL, x, y);
        rnnc_batch b = {8, 1, NULL, x, NULL, RNNC_PAD_POST, 0, NULL}; /* (L,1,1) is x's (L,I) */
        rnnc_model *m = rnnc_forecaster_model(fc);
        if (rnnc_model_forward(m, &b, 0) != RNNC_OK)
            return NAN;
        sum += rnnc_loss_mse(rnnc_model_output(m, NULL, NULL), y, 2, NULL);
    }
    return n ? sum / (double)n : NAN;
}

static void test_forecaster(const char *tmp) {
    rnnc_series *s = sine_series(200); /* 140 training rows: 131 windows, 9 batches of 16 */
    char d[2][600], ck[700], path[700];
    for (int i = 0; i < 2; i++)
        snprintf(d[i], sizeof d[i], "%s/f%d", tmp, i);
    rnnc_status st, st2, st3;
    rnnc_epoch_report la, lb, ln;
    rnnc_fit_spec fa = fit_spec(d[0], 3), fb = fit_spec(NULL, 3), fn = fit_spec(NULL, 3);
    rnnc_forecaster *a = train_forecaster(s, 0.1, 0.1, 0.8, &fa, &la, &st);
    rnnc_forecaster *b = train_forecaster(s, 0.1, 0.1, 0.8, &fb, &lb, &st2);
    rnnc_forecaster *n = train_forecaster(s, 0, 0, 0, &fn, &ln, &st3);
    check(st == RNNC_OK && st2 == RNNC_OK && st3 == RNNC_OK, "forecaster: three runs train (%s)",
          st || st2 || st3 ? rnnc_last_error() : "ok");
    if (st || st2 || st3)
        goto done;
    rnnc_model *ma = rnnc_forecaster_model(a), *mb = rnnc_forecaster_model(b),
               *mn = rnnc_forecaster_model(n);
    check(same_params(ma, mb) && la.loss == lb.loss && la.val_loss == lb.val_loss,
          "forecaster: augmented runs with the same seed are bit-identical");
    check(!same_params(ma, mn) && la.loss != ln.loss,
          "forecaster: training with augmentation differs from training without (loss %.5f vs "
          "%.5f)",
          la.loss, ln.loss);
    /* each operation alone changes training too (a slice of 0.8 keeps 7 of 8 steps) */
    static const double ops[3][3] = {{0.1, 0, 0}, {0, 0.1, 0}, {0, 0, 0.8}};
    for (int k = 0; k < 3; k++) {
        rnnc_fit_spec fk = fit_spec(NULL, 1), f0 = fit_spec(NULL, 1);
        rnnc_epoch_report lk, l0;
        rnnc_forecaster *x = train_forecaster(s, ops[k][0], ops[k][1], ops[k][2], &fk, &lk, &st);
        rnnc_forecaster *z = train_forecaster(s, 0, 0, 0, &f0, &l0, &st2);
        check(st == RNNC_OK && st2 == RNNC_OK &&
                  !same_params(rnnc_forecaster_model(x), rnnc_forecaster_model(z)),
              "forecaster: %s alone changes training",
              k == 0   ? "jitter"
              : k == 1 ? "scale"
                       : "slice");
        rnnc_forecaster_free(x), rnnc_forecaster_free(z);
    }

    /* validation, evaluation and forecasts are not augmented */
    const double vh = val_loss_by_hand(a, s);
    check(fabs(vh - la.val_loss) <= 1e-5 * fabs(vh),
          "forecaster: the last val_loss %.9g is the plain validation windows' MSE %.9g",
          la.val_loss, vh);
    size_t np;
    const float *pa = rnnc_model_params(ma, &np);
    memcpy(rnnc_model_params(mn, NULL), pa, np * sizeof(float));
    rnnc_forecast_metrics m1[RNNC_FM_COUNT], m2[RNNC_FM_COUNT];
    rnnc_rng ra = *rnnc_model_rng(ma);
    st = rnnc_forecaster_evaluate(a, s, m1, NULL);
    st2 = rnnc_forecaster_evaluate(n, s, m2, NULL);
    check(st == RNNC_OK && st2 == RNNC_OK && m1[0].mae == m2[0].mae && m1[0].rmse == m2[0].rmse &&
              m1[0].mase == m2[0].mase,
          "forecaster: the same weights evaluate identically with and without augmentation");
    double p1[6], p2[6];
    st = rnnc_forecaster_predict(a, s, 200, 6, p1);
    st2 = rnnc_forecaster_predict(n, s, 200, 6, p2);
    check(st == RNNC_OK && st2 == RNNC_OK && !memcmp(p1, p2, sizeof p1),
          "forecaster: and forecast identically");
    check(same_rng(&ra, rnnc_model_rng(ma)), "forecaster: evaluate and predict draw nothing");

    /* the model file keeps the settings (set ones only) */
    snprintf(path, sizeof path, "%s/model.safetensors", d[0]);
    rnnc_forecaster *g = NULL;
    st = rnnc_forecaster_load(path, &g);
    const rnnc_forecast_spec *gs = g ? rnnc_forecaster_spec(g) : NULL;
    check(st == RNNC_OK && gs && gs->augment.jitter == 0.1 && gs->augment.scale == 0.1 &&
              gs->augment.slice == 0.8,
          "forecaster: the model file keeps augment_* and reads them back (%s)",
          st ? rnnc_last_error() : "ok");
    rnnc_forecaster_free(g);
    snprintf(path, sizeof path, "%s/fn.safetensors", tmp);
    rnnc_tensor_file *tf = NULL;
    st = rnnc_forecaster_save(n, path);
    if (st == RNNC_OK)
        st = rnnc_tensor_file_read(path, &tf);
    const char *meta = tf ? rnnc_tensor_file_meta(tf, "rnnc.forecast") : NULL;
    check(st == RNNC_OK && meta && !strstr(meta, "augment") && strstr(meta, "missing=reject\n"),
          "forecaster: without augmentation rnnc.forecast is as before (no augment_* lines)");
    rnnc_tensor_file_free(tf);

    /* stopped inside epoch 2 and resumed from the checkpoint's file alone: the same bits */
    stopper sp = {0, 9 + 4};
    rnnc_fit_spec fs = fit_spec(d[1], 3);
    fs.should_stop = stop_after, fs.user = &sp;
    rnnc_epoch_report ls;
    rnnc_forecaster *s1 = train_forecaster(s, 0.1, 0.1, 0.8, &fs, &ls, &st);
    check(st == RNNC_OK && ls.interrupted, "forecaster: a run stopped after 13 batches (%s)",
          st ? rnnc_last_error() : "ok");
    snprintf(ck, sizeof ck, "%s/checkpoint.safetensors", d[1]);
    rnnc_forecaster *r = NULL;
    if (st == RNNC_OK)
        st = rnnc_forecaster_load(ck, &r);
    fs.resume = ck, fs.should_stop = NULL, fs.user = NULL;
    if (st == RNNC_OK)
        st = rnnc_forecaster_fit(r, s, &fs, &ls);
    check(st == RNNC_OK && same_params(rnnc_forecaster_model(r), ma) && ls.val_loss == la.val_loss,
          "forecaster: stopped inside epoch 2 and resumed, bit-identical to the uninterrupted run "
          "(%s)",
          st ? rnnc_last_error() : "ok");
    rnnc_forecaster_free(s1), rnnc_forecaster_free(r);
done:
    rnnc_forecaster_free(a), rnnc_forecaster_free(b), rnnc_forecaster_free(n);
    rnnc_series_free(s);
}

/* Scaling through training: on a constant series (no scaling of the data) with the linear model
 * mean-over-time -> dense, each augmented window has inputs k and targets k, which only the head
 * w = 1, b = 0 fits; inputs scaled without their targets would be fitted by w = 0, b = 1 instead
 * (and without augmentation any w + b = 1 fits). */
static void test_forecaster_scale_consistent(void) {
    char text[4096] = "t,y\n";
    for (int t = 0; t < 200; t++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "%d,1\n", t);
    rnnc_series_source src = rnnc_series_source_init();
    src.time = "t";
    rnnc_series *s = NULL;
    rnnc_status st = rnnc_series_parse(text, strlen(text), "ones.csv", &src, &s);
    rnnc_forecast_spec sp = rnnc_forecast_spec_init();
    sp.lookback = 4, sp.horizon = 1, sp.season = 1, sp.scaling = RNNC_SCALE_NONE;
    sp.augment.scale = 0.3;
    rnnc_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.n_layers = 1;
    cfg.layers[0] = rnnc_layer_spec_init(RNNC_LAYER_POOL);
    cfg.layers[0].pool = RNNC_POOL_MEAN;
    rnnc_forecaster *f = NULL;
    if (st == RNNC_OK)
        st = rnnc_forecaster_create(&cfg, &sp, s, NULL, 3, &f);
    rnnc_fit_spec fs = fit_spec(NULL, 40);
    fs.optim.lr = 0.05;
    if (st == RNNC_OK)
        st = rnnc_forecaster_fit(f, s, &fs, NULL);
    const float *w = f ? rnnc_model_param(rnnc_forecaster_model(f), "head.weight", NULL) : NULL;
    const float *b = f ? rnnc_model_param(rnnc_forecaster_model(f), "head.bias", NULL) : NULL;
    check(st == RNNC_OK && w && b && fabsf(w[0] - 1) < 0.05f && fabsf(b[0]) < 0.05f,
          "forecaster scale: inputs and targets share the factor: the head learns w 1, b 0 (got "
          "%.4f, %.4f)",
          w ? w[0] : NAN, b ? b[0] : NAN);
    rnnc_forecaster_free(f);
    rnnc_series_free(s);
}

int main(void) {
    char tmp[] = "/tmp/rnnc_aug_XXXXXX";
    if (!mkdtemp(tmp))
        return 1;
    rnnc_set_num_threads(1);
    test_text_off();
    test_text_errors();
    test_text_drop();
    test_text_keep_one();
    test_text_swap();
    test_text_oov();
    test_text_reserved();
    test_text_seeds();
    test_series_off();
    test_series_jitter();
    test_series_scale();
    test_series_slice();
    test_config(tmp);
    test_classifier(tmp);
    test_classifier_before_truncation();
    test_forecaster(tmp);
    test_forecaster_scale_consistent();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmp);
    return check_summary();
}
