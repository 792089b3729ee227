/* Fuzz target: training files (rnnc_train_file_open and every task's reader on the opened file).
 * The bytes are written to a file and read three times: as they are, with a fixed list of --set
 * overrides, and with the input's last line as one more override (so the override code sees
 * fuzzed text too). */
#include "fuzz.h"

static const char *const fixed_sets[] = {
    "train.epochs=3",   "data.maxlen=20",  "optimizer.name=sgd",   "optimizer.lr=0.5",
    "lstm.hidden=8",    "embedding.dim=4", "schedule.name=cosine", "early_stopping.patience=2",
    "data.train=x.tsv", "train.output=",   "dense.units=1",        "new_section.key=1",
};
enum { N_FIXED = sizeof fixed_sets / sizeof fixed_sets[0] };

/* Opens path with the overrides and runs every reader on it; a failure must say why. */
static rnnc_status read_every(const char *path, const char *const *sets, int n) {
    static rnnc_classify_config cc;
    static rnnc_lm_config lc;
    static rnnc_forecast_config fc;
    static rnnc_arrays_config ac;
    rnnc_finetune_config ft;
    rnnc_config m;
    rnnc_train_file *f;
    rnnc_status st = rnnc_train_file_open(path, sets, n, &f);
    if (st != RNNC_OK) {
        FUZZ_REQUIRE(rnnc_last_error()[0] != '\0');
        return st;
    }
    const rnnc_status each[] = {
        rnnc_classify_config_parse(f, &cc), rnnc_lm_config_parse(f, &lc),
        rnnc_forecast_config_parse(f, &fc), rnnc_arrays_config_parse(f, &ac),
        rnnc_finetune_config_parse(f, &ft), rnnc_train_file_model(f, &m)};
    FUZZ_REQUIRE((unsigned)rnnc_train_file_task(f) <= RNNC_TRAIN_ARRAYS);
    rnnc_train_file_free(f);
    for (size_t i = 0; i < sizeof each / sizeof each[0]; i++)
        if (each[i] != RNNC_OK)
            st = each[i];
    return st;
}

static int fuzz_trainconfig(const uint8_t *data, size_t n) {
    const char *path = fuzz_write("train.ini", data, n);
    if (!path)
        return RNNC_ERR_IO;
    const rnnc_status st = read_every(path, NULL, 0);
    (void)read_every(path, fixed_sets, N_FIXED);

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
            (void)read_every(path, sets + N_FIXED, 1);
            (void)read_every(path, sets, N_FIXED + 1);
            free(set);
        }
    }
    return st;
}

FUZZ_MAIN(fuzz_trainconfig)
