/* Fuzz target: aclImdb archives (rnnc_textset_read of a tar or tar.gz with members under
 * aclImdb/). The first byte chooses:
 *   bits 0-1  0 the rest as data.tar (AUTO), 1 the rest gzip-compressed by this target as
 *             data.tar.gz (ACLIMDB), 2 the rest as data.tar.gz (ACLIMDB: fuzzed gzip), 3 the rest
 *             as data.tgz (AUTO);
 *   bit 2     split "test" instead of "train";
 *   bit 3     fixed label names "neg", "pos". */
#include "textset_check.h"

static int fuzz_aclimdb(const uint8_t *data, size_t n) {
    if (n < 1)
        return RNNC_OK;
    const unsigned s = data[0];
    data++, n--;
    static const char *const label_names[2] = {"neg", "pos"};
    const char *path = NULL;
    int format = RNNC_TEXT_ACLIMDB;
    switch (s & 3) {
    case 0: path = fuzz_write("data.tar", data, n), format = RNNC_TEXT_AUTO; break;
    case 1: path = fuzz_write_gz("data.tar.gz", data, n); break;
    case 2: path = fuzz_write("data.tar.gz", data, n); break;
    default: path = fuzz_write("data.tgz", data, n), format = RNNC_TEXT_AUTO; break;
    }
    if (!path)
        return RNNC_ERR_IO;
    rnnc_text_source src = rnnc_text_source_init();
    src.format = format;
    src.path = path;
    if (s & 4)
        src.split = "test";
    if (s & 8)
        src.label_names = label_names, src.n_label_names = 2;
    rnnc_textset *set = NULL;
    rnnc_status st = rnnc_textset_read(&src, &set);
    FUZZ_REQUIRE((st == RNNC_OK) == (set != NULL));
    if (set)
        fuzz_check_textset(set, (s & 8) != 0);
    else
        FUZZ_REQUIRE(rnnc_last_error()[0] != '\0');
    rnnc_textset_free(set);
    return st;
}

FUZZ_MAIN(fuzz_aclimdb)
