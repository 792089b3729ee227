/* In-place sigmoid and tanh over arrays: the transcendental work of the recurrent cells.
 *
 * Float: exp(x) = 2^n * exp(r) with n = round(x / ln 2) and |r| <= ln(2)/2, exp(r) by its Taylor
 * series to r^7 (truncation error below 6e-9, relative), 2^n built in the exponent bits. The code
 * is straight-line with selects instead of branches so the compiler vectorizes it; on x86-64 with
 * GCC the two entry points are compiled for AVX-512, AVX2 and the baseline and picked at load time
 * (target_clones), so one binary runs everywhere. Measured against double-precision libm on 2*10^6
 * points of [-30, 30] by tests/core/test_vmath.c: within 2.5 float ulps. NaN stays NaN.
 * Double (the gradient checks): libm, exactly as before. */
#include "real.h"

#include <stdint.h>
#include <string.h>

#ifndef RNNC_REAL_F64
/* exp(x) for x in [-87, 88]; the callers clamp. */
static inline float exp_core(float x) {
    const float t = x * 1.44269504088896341f;
    const float n = (t + 12582912.0f) - 12582912.0f; /* round to nearest (1.5 * 2^23 trick) */
    const float r = (x - n * 0.693145751953125f) - n * 1.42860682030941723e-6f; /* ln2 hi + lo */
    float p = 1.0f / 5040;
    p = p * r + 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    const int32_t bits = ((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

RNNC_HOT void rnnc__vsigmoid_f32(float *x, size_t n) {
    for (size_t i = 0; i < n; i++) {
        const float in = x[i];
        float v = in == in ? -in : 0.0f; /* NaN is put back below, never converted to int */
        v = v > 80.0f ? 80.0f : v;       /* keeps results normal: sigmoid(-80) = 1.8e-35 */
        v = v < -80.0f ? -80.0f : v;
        const float y = 1.0f / (1.0f + exp_core(v));
        x[i] = in == in ? y : in;
    }
}

RNNC_HOT void rnnc__vtanh_f32(float *x, size_t n) {
    for (size_t i = 0; i < n; i++) {
        const float in = x[i], v = in == in ? in : 0.0f, a = v < 0 ? -v : v;
        /* small |x|: the odd series to x^11 (error below 2e-9 relative for |x| < 0.3) */
        const float s = v * v;
        float p = -1382.0f / 155925;
        p = p * s + 62.0f / 2835;
        p = p * s + -17.0f / 315;
        p = p * s + 2.0f / 15;
        p = p * s + -1.0f / 3;
        const float small = v + v * s * p;
        /* otherwise 1 - 2 / (exp(2|x|) + 1), with tanh(9) = 1 in float */
        const float e = exp_core(2 * (a > 9.0f ? 9.0f : a));
        const float big = 1.0f - 2.0f / (e + 1.0f);
        x[i] = in != in ? in : a < 0.3f ? small : (v < 0 ? -big : big);
    }
}
/* exp(d) for a softmax exponent d: clamped to [-87, 88] (below -87 the result stays near 1e-38
 * instead of 0); a NaN d (a NaN or infinite logit) gives NaN and is never converted to int. */
static inline float exp_clamped(float d) {
    float v = d == d ? d : 0.0f;
    v = v < -87.0f ? -87.0f : v;
    v = v > 88.0f ? 88.0f : v;
    const float e = exp_core(v);
    return d == d ? e : d;
}

/* y = exp(x - m) for a softmax row whose maximum is m (so every exponent is <= 0); returns the
 * sum of y, added in 16 lanes. Logits that are not finite give NaN or the clamped values. */
RNNC_HOT float rnnc__vexp_shift(const float *x, float m, float *y, size_t n) {
    float acc[16] = {0};
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int l = 0; l < 16; l++) {
            const float e = exp_clamped(x[i + (size_t)l] - m);
            y[i + (size_t)l] = e;
            acc[l] += e;
        }
    float s = 0;
    for (; i < n; i++) {
        y[i] = exp_clamped(x[i] - m);
        s += y[i];
    }
    for (int l = 0; l < 16; l++)
        s += acc[l];
    return s;
}
#else
void rnnc__vsigmoid_f64(double *x, size_t n) {
    for (size_t i = 0; i < n; i++)
        x[i] = 1 / (1 + exp(-x[i]));
}

void rnnc__vtanh_f64(double *x, size_t n) {
    for (size_t i = 0; i < n; i++)
        x[i] = tanh(x[i]);
}
#endif
