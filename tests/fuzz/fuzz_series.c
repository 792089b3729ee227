/* Fuzz target: the time-series CSV reader (rnnc_series_parse) and what is computed from a series
 * that reads. The first byte chooses the options: bits 0-1 the missing-value rule (reject, forward
 * fill, interpolate), bit 2 "t" as the time column, bit 3 "c" as a categorical column, bit 4
 * sort_time; the rest is the CSV text. A series that reads must have T >= 1 rows and 1 <= F <=
 * RNNC_SERIES_MAX_FEATURES named columns, finite values within +-RNNC_SERIES_MAX_ABS when missing
 * values are rejected or filled (never NaN), one-hot columns holding only 0 and 1, a time stamp
 * per row when a time column was named; its columns must be found by name, and a stamp after the
 * last row must be written within the buffer. */
#include "fuzz.h"

#include <math.h>

static int fuzz_series(const uint8_t *data, size_t n) {
    if (n < 1)
        return RNNC_OK;
    rnnc_series_source src = rnnc_series_source_init();
    src.missing = data[0] & 3;
    if (src.missing > RNNC_MISSING_INTERPOLATE)
        src.missing = RNNC_MISSING_REJECT;
    src.time = (data[0] & 4) ? "t" : NULL;
    src.categorical = (data[0] & 8) ? "c" : NULL;
    src.sort_time = (data[0] & 16) != 0;
    rnnc_series *s = NULL;
    rnnc_status st = rnnc_series_parse((const char *)data + 1, n - 1, "fuzz.csv", &src, &s);
    if (st != RNNC_OK) {
        FUZZ_REQUIRE(s == NULL && rnnc_last_error()[0] != '\0');
        return st;
    }
    FUZZ_REQUIRE(s && s->T >= 1 && s->F >= 1 && s->F <= RNNC_SERIES_MAX_FEATURES);
    for (size_t f = 0; f < s->F; f++) {
        FUZZ_REQUIRE(s->names[f] != NULL);
        const int at = rnnc_series_column(s, s->names[f]);
        FUZZ_REQUIRE(at >= 0 && (size_t)at < s->F && strcmp(s->names[at], s->names[f]) == 0);
    }
    for (size_t t = 0; t < s->T; t++) {
        if (src.time)
            FUZZ_REQUIRE(s->time && s->time[t]);
        for (size_t f = 0; f < s->F; f++) {
            const double v = s->x[t * s->F + f];
            FUZZ_REQUIRE(!isnan(v) && fabs(v) <= RNNC_SERIES_MAX_ABS);
            if (s->onehot[f])
                FUZZ_REQUIRE(v == 0 || v == 1);
        }
    }
    if (src.missing == RNNC_MISSING_REJECT)
        FUZZ_REQUIRE(s->filled == 0);
    char buf[64];
    if (rnnc_series_time_after(s, 1 + data[0] % 7, buf, sizeof buf) == RNNC_OK)
        FUZZ_REQUIRE(memchr(buf, '\0', sizeof buf) != NULL);
    rnnc_series_free(s);
    return st;
}

FUZZ_MAIN(fuzz_series)
