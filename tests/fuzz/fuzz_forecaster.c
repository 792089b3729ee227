/* Fuzz target: a forecaster's model file (rnnc_forecaster_load: the model and the metadata
 * rnnc.forecast (the spec), rnnc.forecast.inputs, rnnc.forecast.scaler and the CSV reading
 * options). A file that loads must keep the loader's promises (at least one input, targets among
 * them, a window and a horizon of at least one step, a finite positive scale per input), and is
 * then used as `rnnc forecast` and `rnnc eval` use it: on a small series with its inputs' names
 * (rnnc_series_parse), it forecasts one horizon (rnnc_forecaster_predict) and compares itself with
 * the baselines over the test windows (rnnc_forecaster_evaluate). */
#include "fuzz.h"

#include <math.h>

/* Writes a CSV of T rows with the forecaster's inputs as its columns into buf (cap bytes): 0 when
 * a name cannot be a CSV header field or the text does not fit. */
static size_t fuzz_series_csv(const char *const *names, int I, size_t T, char *buf, size_t cap) {
    size_t k = 0;
    for (int i = 0; i < I; i++) {
        if (strpbrk(names[i], ",\"\r\n") || !*names[i])
            return 0;
        int w = snprintf(buf + k, cap - k, "%s%s", i ? "," : "", names[i]);
        if (w < 0 || (size_t)w >= cap - k)
            return 0;
        k += (size_t)w;
    }
    for (size_t t = 0; t < T; t++)
        for (int i = 0; i < I; i++) {
            int w = snprintf(buf + k, cap - k, "%s%.4f", i ? "," : "\n",
                             2.0 + sin(0.4 * (double)t + i) + 0.01 * (double)t);
            if (w < 0 || (size_t)w >= cap - k)
                return 0;
            k += (size_t)w;
        }
    return k;
}

static int fuzz_forecaster(const uint8_t *data, size_t n) {
    const char *path = fuzz_write("forecaster.safetensors", data, n);
    if (!path)
        return RNNC_OK;
    rnnc_forecaster *f = NULL;
    rnnc_status st = rnnc_forecaster_load(path, &f);
    FUZZ_REQUIRE((st == RNNC_OK) == (f != NULL));
    if (st != RNNC_OK) {
        FUZZ_REQUIRE(rnnc_last_error()[0] != '\0');
        return st;
    }
    const rnnc_forecast_spec *spec = rnnc_forecaster_spec(f);
    const char *const *names;
    int nt = 0;
    const int I = rnnc_forecaster_inputs(f, &names, &nt);
    FUZZ_REQUIRE(I >= 1 && nt >= 1 && nt <= I && spec->lookback >= 1 && spec->horizon >= 1);
    const rnnc_scaler *sc = rnnc_forecaster_scaler(f);
    FUZZ_REQUIRE(sc && sc->F == (size_t)I);
    for (int i = 0; i < I; i++)
        FUZZ_REQUIRE(names[i] && isfinite(sc->shift[i]) && isfinite(sc->scale[i]) &&
                     sc->scale[i] > 0);
    (void)rnnc_forecaster_source(f);

    /* A series long enough for a few windows of each part, when the window is small. */
    const size_t L = (size_t)spec->lookback, H = (size_t)spec->horizon;
    static char csv[1 << 16];
    size_t len = 0;
    if (L <= 64 && H <= 64 && I <= 16)
        len = fuzz_series_csv(names, I, 5 * (L + H) + 20, csv, sizeof csv);
    rnnc_series *s = NULL;
    rnnc_series_source src = rnnc_series_source_init();
    if (len && rnnc_series_parse(csv, len, "fuzz.csv", &src, &s) == RNNC_OK && s->F == (size_t)I) {
        double out[64 * 16];
        (void)rnnc_forecaster_predict(f, s, s->T, H, out);
        rnnc_forecast_metrics m[RNNC_FM_COUNT * 16];
        double scale[16];
        (void)rnnc_forecaster_evaluate(f, s, m, scale);
    }
    rnnc_series_free(s);
    rnnc_forecaster_free(f);
    return st;
}

FUZZ_MAIN(fuzz_forecaster)
