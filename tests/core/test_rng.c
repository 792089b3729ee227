/* Random numbers (src/core/rng.c): xoshiro256** against an independent implementation
 * (tests/gen/gen_rng_values.py), and the uniform, bounded and normal draws' ranges and moments. */
#include "check.h"
#include "rnnc.h"

#include <math.h>
#include <stdint.h>

static void streams_and_draws(void) {
    /* values from tests/gen/gen_rng_values.py, an independent implementation */
    static const uint64_t want0[4] = {UINT64_C(0x99EC5F36CB75F2B4), UINT64_C(0xBF6E1F784956452A),
                                      UINT64_C(0x1A5F849D4933E6E0), UINT64_C(0x6AA594F1262D2D2C)};
    static const uint64_t want42[4] = {UINT64_C(0x15780B2E0C2EC716), UINT64_C(0x6104D9866D113A7E),
                                       UINT64_C(0xAE17533239E499A1), UINT64_C(0xECB8AD4703B360A1)};
    rnnc_rng r;
    int ok = 1;
    rnnc_rng_seed(&r, 0);
    for (int i = 0; i < 4; i++)
        ok &= rnnc_rng_u64(&r) == want0[i];
    rnnc_rng_seed(&r, 42);
    for (int i = 0; i < 4; i++)
        ok &= rnnc_rng_u64(&r) == want42[i];
    check(ok, "rng: xoshiro256** stream matches the reference for seeds 0 and 42");
    rnnc_rng_seed(&r, 7);
    double lo = 1, hi = 0, sum = 0, sq = 0;
    long counts[7] = {0};
    const int n = 200000;
    for (int i = 0; i < n; i++) {
        double u = rnnc_rng_uniform(&r);
        lo = u < lo ? u : lo, hi = u > hi ? u : hi;
        counts[rnnc_rng_below(&r, 7)]++;
        double z = rnnc_rng_normal(&r);
        sum += z, sq += z * z;
    }
    check(lo >= 0 && hi < 1, "rng: uniform stays in [0, 1)");
    int even = 1;
    for (int k = 0; k < 7; k++)
        even &= fabs(counts[k] - n / 7.0) < 0.02 * n / 7.0;
    check(even, "rng: below(7) hits each value within 2%% of n/7");
    double mean = sum / n, var = sq / n - mean * mean;
    check(fabs(mean) < 0.01 && fabs(var - 1) < 0.02, "rng: normal has mean %.4f, variance %.4f",
          mean, var);
    rnnc_rng a, b;
    rnnc_rng_seed(&a, 5), rnnc_rng_seed(&b, 5);
    rnnc_rng_u64(&a);
    check(rnnc_rng_u64(&a) != rnnc_rng_u64(&b), "rng: the stream advances");
}

int main(void) {
    streams_and_draws();
    return check_summary();
}
