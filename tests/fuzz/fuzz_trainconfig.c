/* Fuzz target: training files (rnnc_classify_config_read). The bytes are written to a file and read
 * three times: as they are, with a fixed list of --set overrides, and with the input's last line
 * as one more override (so the override code sees fuzzed text too). */
#include "fuzz.h"

static const char *const fixed_sets[] = {
    "train.epochs=3",   "data.maxlen=20",  "optimizer.name=sgd",   "optimizer.lr=0.5",
    "lstm.hidden=8",    "embedding.dim=4", "schedule.name=cosine", "early_stopping.patience=2",
    "data.train=x.tsv", "train.output=",   "dense.units=1",        "new_section.key=1",
};
enum { N_FIXED = sizeof fixed_sets / sizeof fixed_sets[0] };

static int fuzz_trainconfig(const uint8_t *data, size_t n) {
    const char *path = fuzz_write("train.ini", data, n);
    if (!path)
        return RNNC_ERR_IO;
    static rnnc_classify_config tc;
    rnnc_status st = rnnc_classify_config_read(path, NULL, 0, &tc);
    if (st != RNNC_OK)
        FUZZ_REQUIRE(rnnc_last_error()[0] != '\0');
    (void)rnnc_classify_config_read(path, fixed_sets, N_FIXED, &tc);

    const uint8_t *nl = memchr(data, '\n', n);
    const uint8_t *last = data;
    for (const uint8_t *p = nl; p; p = memchr(p + 1, '\n', n - (size_t)(p + 1 - data)))
        last = p + 1;
    if (nl && last < data + n) {
        char *set = fuzz_text(last, n - (size_t)(last - data));
        if (set) {
            const char *sets[N_FIXED + 1];
            memcpy(sets, fixed_sets, sizeof fixed_sets);
            sets[N_FIXED] = set;
            (void)rnnc_classify_config_read(path, sets + N_FIXED, 1, &tc);
            (void)rnnc_classify_config_read(path, sets, N_FIXED + 1, &tc);
            free(set);
        }
    }
    return st;
}

FUZZ_MAIN(fuzz_trainconfig)
