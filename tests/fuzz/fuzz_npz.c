/* Fuzz target: the .npz reader (rnnc_arrays_parse_npz: libarchive's zip reader, the .npy headers
 * parsed by rnnc, the arrays' shapes, dtypes and values). The first byte chooses the options: bits
 * 0-1 the target (auto, regression, classes, steps), bit 2 no_target; the rest is the file. An
 * input that reads must give n, T >= 1, exactly one input (x with F >= 1 or ids with F = 0),
 * finite x, lengths in [1, T], and a target whose arrays and outputs agree with rnnc_arrays_check;
 * every value is touched, so a range past a buffer is caught by AddressSanitizer. */
#include "fuzz.h"

#include <math.h>

static int fuzz_npz(const uint8_t *data, size_t n) {
    if (n < 1)
        return RNNC_OK;
    rnnc_arrays_source src = rnnc_arrays_source_init();
    src.target = data[0] & 3;
    src.no_target = (data[0] & 4) != 0;
    src.read_bytes = 64 << 20; /* a zip bomb stops at the limit, in bounded memory */
    rnnc_arrays_file *f = NULL;
    const rnnc_status st = rnnc_arrays_parse_npz(data + 1, n - 1, "fuzz.npz", &src, &f);
    if (st != RNNC_OK) {
        FUZZ_REQUIRE(f == NULL && rnnc_last_error()[0] != '\0');
        return st;
    }
    const rnnc_arrays *a = rnnc_arrays_file_data(f);
    FUZZ_REQUIRE(a && a->n >= 1 && a->T >= 1 && !a->x != !a->ids && (a->x ? a->F >= 1 : a->F == 0));
    const size_t cells = a->n * (size_t)a->T;
    double sum = 0;
    for (size_t i = 0; a->x && i < cells * (size_t)a->F; i++) {
        FUZZ_REQUIRE(isfinite(a->x[i]));
        sum += a->x[i];
    }
    for (size_t i = 0; a->ids && i < cells; i++)
        FUZZ_REQUIRE(a->ids[i] >= 0);
    for (size_t i = 0; a->lengths && i < a->n; i++)
        FUZZ_REQUIRE(a->lengths[i] >= 1 && a->lengths[i] <= a->T);
    if (a->y || a->labels)
        FUZZ_REQUIRE(rnnc_arrays_check(a, NULL, "fuzz") == RNNC_OK);
    else
        FUZZ_REQUIRE(src.no_target);
    (void)sum;
    rnnc_arrays_file_free(f);
    return st;
}

FUZZ_MAIN(fuzz_npz)
