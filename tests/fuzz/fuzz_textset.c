/* Fuzz target: the labelled-text readers for IMDB TSV, CSV and TSV, plain and gzip
 * (rnnc_textset_read on the input bytes written as a file). The first byte chooses:
 *   bits 0-2  0 IMDB_TSV .tsv, 1 CSV .csv, 2 TSV .tsv, 3 AUTO .tsv, 4 IMDB_TSV .tsv.gz,
 *             5 CSV .csv.gz, 6 TSV .tsv.gz (4-6: the rest gzip-compressed by this target, so the
 *             reader sees fuzzed text through zlib), 7 AUTO .csv.gz with the rest as it is (fuzzed
 *             gzip, or plain bytes, which zlib passes through);
 *   bits 3-4  columns: default, "1"/"0", "label"/"text", "sentiment"/"review";
 *   bits 5-6  header: auto, 0, 1, auto;
 *   bit 7     fixed label names "neg", "pos". */
#include "textset_check.h"

static int fuzz_textset(const uint8_t *data, size_t n) {
    if (n < 1)
        return RNNC_OK;
    const unsigned s = data[0];
    data++, n--;
    static const int formats[8] = {RNNC_TEXT_IMDB_TSV, RNNC_TEXT_CSV,      RNNC_TEXT_TSV,
                                   RNNC_TEXT_AUTO,     RNNC_TEXT_IMDB_TSV, RNNC_TEXT_CSV,
                                   RNNC_TEXT_TSV,      RNNC_TEXT_AUTO};
    static const char *const names[8] = {"data.tsv",    "data.csv",    "data.tsv",
                                         "data.tsv",    "data.tsv.gz", "data.csv.gz",
                                         "data.tsv.gz", "data.csv.gz"};
    static const char *const cols[4][2] = {
        {NULL, NULL}, {"1", "0"}, {"label", "text"}, {"sentiment", "review"}};
    static const int headers[4] = {-1, 0, 1, -1};
    static const char *const label_names[2] = {"neg", "pos"};
    const int mode = s & 7;
    const char *path = mode >= 4 && mode <= 6 ? fuzz_write_gz(names[mode], data, n)
                                              : fuzz_write(names[mode], data, n);
    if (!path)
        return RNNC_ERR_IO;
    rnnc_text_source src = rnnc_text_source_init();
    src.format = formats[mode];
    src.path = path;
    src.label_col = cols[(s >> 3) & 3][0];
    src.text_col = cols[(s >> 3) & 3][1];
    src.header = headers[(s >> 5) & 3];
    if (s & 128)
        src.label_names = label_names, src.n_label_names = 2;
    rnnc_textset *set = NULL;
    rnnc_status st = rnnc_textset_read(&src, &set);
    FUZZ_REQUIRE((st == RNNC_OK) == (set != NULL));
    if (set)
        fuzz_check_textset(set, (s & 128) != 0);
    else
        FUZZ_REQUIRE(rnnc_last_error()[0] != '\0');
    rnnc_textset_free(set);
    return st;
}

FUZZ_MAIN(fuzz_textset)
