/* Data augmentation for small labelled sets: token deletion, swap and <unk> replacement for text
 * (Wei & Zou 2019, "EDA: Easy Data Augmentation Techniques for Boosting Performance on Text
 * Classification Tasks": random deletion and random swap; Bowman et al. 2016, "Generating
 * Sentences from a Continuous Space": word dropout to <unk>), and jittering, scaling (Um et al.
 * 2017, "Data Augmentation of Wearable Sensor Data for Parkinson's Disease Monitoring using
 * Convolutional Neural Networks") and window slicing (Le Guennec, Malinowski & Tavenard 2016,
 * "Data Augmentation for Time Series Classification using Convolutional Neural Networks") for
 * time-series windows. Every draw comes from the caller's generator in the order rnnc/text.h and
 * rnnc/series.h document, and a rate of 0 draws nothing, so training with every rate 0 is
 * unchanged. */
#include "../core/core.h"
#include "rnnc/text.h"
#include "rnnc/series.h"

#include <math.h>
#include <string.h>

/* ---- text ---- */

/* <pad> and <start> are markers, not words: augmentation never deletes, moves or replaces them. */
static int reserved(int32_t id) {
    return id == RNNC_VOCAB_PAD || id == RNNC_VOCAB_START;
}

static rnnc_status check_rate(double p, const char *name) {
    if (!(p >= 0 && p < 1))
        return RNNC_FAIL(RNNC_ERR_ARG, "augment_%s must be in [0, 1), got %g", name, p);
    return RNNC_OK;
}

/* Random deletion: each word goes with probability p (one uniform per word, in order). When every
 * word is drawn for deletion, EDA keeps one word chosen uniformly (one rnnc_rng_below after the
 * uniforms). The decisions are drawn once to count the survivors without touching ids, then the
 * generator is rewound and the same draws are made again while compacting, so nothing needs a
 * buffer. Returns the new length. */
static size_t drop_words(int32_t *ids, size_t n, double p, rnnc_rng *rng) {
    const rnnc_rng start = *rng;
    size_t words = 0, kept = 0;
    for (size_t i = 0; i < n; i++)
        if (!reserved(ids[i])) {
            words++;
            kept += rnnc_rng_uniform(rng) >= p;
        }
    size_t keep_word = (size_t)-1; /* which word survives when all were drawn for deletion */
    if (words > 0 && kept == 0)
        keep_word = rnnc_rng_below(rng, (uint32_t)(words < UINT32_MAX ? words : UINT32_MAX));
    const rnnc_rng after = *rng;
    *rng = start;
    size_t out = 0, w = 0;
    for (size_t i = 0; i < n; i++) {
        const int32_t id = ids[i];
        if (!reserved(id)) {
            const int drop = rnnc_rng_uniform(rng) < p;
            if (keep_word == (size_t)-1 ? drop : w != keep_word) {
                w++;
                continue;
            }
            w++;
        }
        ids[out++] = id;
    }
    *rng = after;
    return out;
}

/* Random swap, left to right: a pair of neighbouring words is exchanged with probability p (one
 * uniform per pair looked at); a swapped pair is stepped over as a whole, so each word takes part
 * in at most one swap. Pairs with a reserved id are not looked at. */
static void swap_words(int32_t *ids, size_t n, double p, rnnc_rng *rng) {
    size_t i = 0;
    while (i + 1 < n) {
        if (reserved(ids[i]) || reserved(ids[i + 1])) {
            i++;
            continue;
        }
        if (rnnc_rng_uniform(rng) < p) {
            const int32_t t = ids[i];
            ids[i] = ids[i + 1], ids[i + 1] = t;
            i += 2;
        } else {
            i++;
        }
    }
}

/* Replacement by <unk>: each word becomes RNNC_VOCAB_OOV with probability p (one uniform per
 * word, <unk> itself included, so the number of draws does not depend on the ids). */
static void oov_words(int32_t *ids, size_t n, double p, rnnc_rng *rng) {
    for (size_t i = 0; i < n; i++)
        if (!reserved(ids[i]) && rnnc_rng_uniform(rng) < p)
            ids[i] = RNNC_VOCAB_OOV;
}

rnnc_status rnnc_text_augment(const rnnc_text_augment_spec *spec, rnnc_rng *rng, int32_t *ids,
                              size_t *n) {
    if (!spec || !rng || !n || (*n > 0 && !ids))
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_text_augment: NULL argument");
    RNNC_TRY(check_rate(spec->drop, "drop"));
    RNNC_TRY(check_rate(spec->swap, "swap"));
    RNNC_TRY(check_rate(spec->oov, "oov"));
    if (spec->drop > 0)
        *n = drop_words(ids, *n, spec->drop, rng);
    if (spec->swap > 0)
        swap_words(ids, *n, spec->swap, rng);
    if (spec->oov > 0)
        oov_words(ids, *n, spec->oov, rng);
    return RNNC_OK;
}

/* ---- time series ---- */

/* Steps kept by window slicing: ceil(slice * L) in [1, L]; L (off) unless 0 < slice < 1. */
static size_t slice_steps(double slice, size_t L) {
    if (!(slice > 0 && slice < 1) || L == 0)
        return L;
    /* ceil(slice * L), a product within 1e-9 of an integer counting as that integer (so 0.7 * 10,
     * 7.000000000000001 in double, keeps 7 steps) */
    const double m = ceil(slice * (double)L - 1e-9);
    return m < 1 ? 1 : m >= (double)L ? L : (size_t)m;
}

rnnc_status rnnc_series_augment(const rnnc_series_augment_spec *spec, rnnc_rng *rng, size_t L,
                                size_t I, size_t n_targets, float *x, float *y, size_t n_y,
                                float *work) {
    if (!spec || !rng || (L * I > 0 && !x) || (n_y > 0 && !y))
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_series_augment: NULL argument");
    if (n_targets > I)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_series_augment: %zu targets among %zu inputs",
                         n_targets, I);
    if (!(spec->jitter >= 0 && isfinite(spec->jitter)))
        return RNNC_FAIL(RNNC_ERR_ARG, "augment_jitter must be finite and >= 0, got %g",
                         spec->jitter);
    RNNC_TRY(check_rate(spec->scale, "scale"));
    if (!(spec->slice >= 0 && spec->slice <= 1))
        return RNNC_FAIL(RNNC_ERR_ARG, "augment_slice must be in [0, 1], got %g", spec->slice);
    size_t cells;
    if (rnnc__mul(L, I, &cells))
        return RNNC_FAIL(RNNC_ERR_NOMEM, "rnnc_series_augment: %zu x %zu overflows", L, I);

    /* 1. Window slicing: steps [s, s+m) stretched over L steps; output step j samples position
     * s + j (m-1)/(L-1) by linear interpolation, so the slice's first and last steps become the
     * window's first and last. The index is exact integer arithmetic; only the weight is a
     * fraction. */
    const size_t m = slice_steps(spec->slice, L);
    if (m < L && cells > 0) {
        if (!work)
            return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_series_augment: slicing needs work (L,I)");
        if (L - m >= UINT32_MAX)
            return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_series_augment: lookback %zu is too long", L);
        const size_t s = rnnc_rng_below(rng, (uint32_t)(L - m + 1));
        memcpy(work, x, cells * sizeof(float));
        for (size_t j = 0; j < L; j++) {
            const size_t num = j * (m - 1), q = num / (L - 1), rem = num % (L - 1);
            const float *a = work + (s + q) * I;
            const double frac = (double)rem / (double)(L - 1);
            for (size_t i = 0; i < I; i++)
                x[j * I + i] = rem == 0 ? a[i] : (float)(a[i] + (a[I + i] - (double)a[i]) * frac);
        }
    }

    /* 2. Scaling (Um et al.): one factor per window on the targets' inputs and on the targets. */
    if (spec->scale > 0) {
        const double k = 1 + spec->scale * rnnc_rng_normal(rng);
        for (size_t l = 0; l < L; l++)
            for (size_t i = 0; i < n_targets; i++)
                x[l * I + i] = (float)(x[l * I + i] * k);
        for (size_t h = 0; h < n_y; h++)
            y[h] = (float)(y[h] * k);
    }

    /* 3. Jittering (Um et al.): Gaussian noise on every input value, none on the targets. */
    if (spec->jitter > 0)
        for (size_t c = 0; c < cells; c++)
            x[c] = (float)(x[c] + spec->jitter * rnnc_rng_normal(rng));
    return RNNC_OK;
}
