/* Fuzz target: model description INI text (rnnc_config_parse). A description that parses and
 * validates must write out (rnnc_config_write) as text that parses back to the same text. */
#include "fuzz.h"

static int fuzz_config(const uint8_t *data, size_t n) {
    char *text = fuzz_text(data, n);
    if (!text)
        return RNNC_ERR_NOMEM;
    static rnnc_config cfg, back;
    rnnc_status st = rnnc_config_parse(text, "fuzz.ini", &cfg);
    free(text);
    if (st != RNNC_OK) {
        FUZZ_REQUIRE(rnnc_last_error()[0] != '\0');
        return st;
    }
    if (rnnc_config_validate(&cfg) != RNNC_OK)
        return st;
    char *w1 = NULL, *w2 = NULL;
    FUZZ_REQUIRE(rnnc_config_write(&cfg, &w1) == RNNC_OK);
    FUZZ_REQUIRE(rnnc_config_parse(w1, "written", &back) == RNNC_OK);
    FUZZ_REQUIRE(rnnc_config_write(&back, &w2) == RNNC_OK);
    FUZZ_REQUIRE(!strcmp(w1, w2));
    FUZZ_REQUIRE(back.n_layers == cfg.n_layers && back.input_size == cfg.input_size);
    free(w1);
    free(w2);
    return st;
}

FUZZ_MAIN(fuzz_config)
