/* The vectorized float sigmoid, tanh and softmax exponent (src/core/vmath.c) against
 * double-precision libm over a dense sweep: the error bound quoted in vmath.c is measured here. */
#include "check.h"
#include "core/core.h"
#include "core/real.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* |got - want| in units of float spacing at want (ulps), want computed in double. */
static double ulps(float got, double want) {
    double spacing = nextafterf((float)fabs(want), INFINITY) - (float)fabs(want);
    if (fabs(want) < 1.17549435e-38)
        spacing = 1.40129846e-45;
    return fabs((double)got - want) / spacing;
}

int main(void) {
    enum { N = 2000001 };
    float *x = malloc(N * sizeof(float)), *s = malloc(N * sizeof(float)),
          *t = malloc(N * sizeof(float));
    for (int i = 0; i < N; i++)
        x[i] = -30.0f + 60.0f * (float)i / (N - 1);
    memcpy(s, x, N * sizeof(float));
    memcpy(t, x, N * sizeof(float));
    rnnc__vsigmoid_f32(s, N);
    rnnc__vtanh_f32(t, N);
    double ws = 0, wt = 0, wabs = 0;
    for (int i = 0; i < N; i++) {
        double xs = x[i], es = 1 / (1 + exp(-xs)), et = tanh(xs);
        ws = fmax(ws, ulps(s[i], es));
        wt = fmax(wt, ulps(t[i], et));
        wabs = fmax(wabs, fabs(s[i] - es));
    }
    check(ws <= 4, "sigmoid within 4 ulps on [-30, 30] (worst %.2f)", ws);
    check(wt <= 4, "tanh within 4 ulps on [-30, 30] (worst %.2f)", wt);
    /* the ends and special points */
    float sp[] = {0.0f, -0.0f, 1e-30f, -1e-7f,  0.29999f, 0.3f,  0.30001f,
                  9.0f, 80.0f, 200.0f, -200.0f, 88.0f,    -88.0f};
    float a[13], b[13];
    memcpy(a, sp, sizeof sp), memcpy(b, sp, sizeof sp);
    rnnc__vsigmoid_f32(a, 13);
    rnnc__vtanh_f32(b, 13);
    int ok = 1;
    for (int i = 0; i < 13; i++) {
        double es = 1 / (1 + exp(-(double)sp[i])), et = tanh((double)sp[i]);
        if (!(fabs(a[i] - es) <= 2e-7 * fabs(es) + 1e-34) || !(ulps(b[i], et) <= 4)) {
            ok = 0;
            printf("  x=%g sigmoid %g (want %g) tanh %g (want %g)\n", sp[i], a[i], es, b[i], et);
        }
        if (!isfinite(a[i]) || !isfinite(b[i]) || (a[i] != 0 && fabsf(a[i]) < 1.17549435e-38f))
            ok = 0; /* never NaN, Inf or subnormal */
    }
    check(ok, "special points: 0, tiny, the 0.3 switch, 9, +-80, +-88, +-200");
    float nan1 = NAN, nan2 = NAN;
    rnnc__vtanh_f32(&nan1, 1);
    rnnc__vsigmoid_f32(&nan2, 1);
    check(isnan(nan1) && isnan(nan2), "tanh(NaN) and sigmoid(NaN) are NaN, so a NaN is still seen");
    /* A softmax row with logits that are not finite (a model file's NaN weights, a diverged run):
     * NaN exponents stay NaN and are never converted to int (undefined; UBSan reports it), -Inf
     * gives the clamped minimum. 20 values: the 16-lane part and the rest. */
    float z[20], ez[20];
    for (int i = 0; i < 20; i++)
        z[i] = -0.5f * (float)i;
    z[3] = NAN, z[17] = NAN, z[5] = -INFINITY, z[18] = -INFINITY;
    float sum = rnnc__vexp_shift(z, 0.0f, ez, 20);
    check(isnan(sum) && isnan(ez[3]) && isnan(ez[17]) && ez[5] > 0 && ez[5] < 1e-37f &&
              ez[18] > 0 && ez[18] < 1e-37f && fabsf(ez[0] - 1) < 1e-6f &&
              fabsf(ez[2] - expf(-1)) < 1e-6f,
          "exp shift: NaN logits give NaN, -Inf the clamped minimum, the others exp");
    float m_nan[2] = {1.0f, 2.0f}, em[2];
    check(isnan(rnnc__vexp_shift(m_nan, NAN, em, 2)) && isnan(em[0]) && isnan(em[1]),
          "exp shift: a NaN maximum gives NaN");
    /* teeth: a value moved by two float steps is seen */
    double bad = ulps(nextafterf(nextafterf(t[N / 3], 2), 2), tanh((double)x[N / 3]));
    check(bad >= 1, "the ulp measure sees a 2-ulp change (%.2f)", bad);
    free(x), free(s), free(t);
    return check_summary();
}
