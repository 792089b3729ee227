/* Model description files (INI): a full example, repeated sections, and every kind of error with
 * the file and line it names. */
#include "check.h"
#include "rnnc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *full = "# a comment\n"
                          "[embedding]\n"
                          "vocab = 100\n"
                          "dim = 8\n"
                          "padding_idx = 0\n"
                          "\n"
                          "[lstm]\n"
                          "hidden = 16\n"
                          "layers = 2\n"
                          "bidirectional = true\n"
                          "merge = sum\n"
                          "dropout = 0.25   ; inline comment\n"
                          "return_sequences = 1\n"
                          "forget_bias = 1\n"
                          "[dropout]\n"
                          "rate = 0.5\n"
                          "[gru]\n"
                          "hidden = 4\n"
                          "weight_drop = 0.3\n"
                          "[dense]\n"
                          "name = head\n"
                          "units = 3\n"
                          "activation = softmax\n";

/* Parses `text`; checks the status and that the message contains `want`. */
static void expect_error(const char *text, rnnc_status code, const char *want) {
    rnnc_config cfg;
    rnnc_status st = rnnc_config_parse(text, "m.ini", &cfg);
    check(st == code && strstr(rnnc_last_error(), want), "config error '%s' (got: %s)", want,
          st ? rnnc_last_error() : "no error");
}

int main(void) {
    rnnc_config cfg;
    check(rnnc_config_parse(full, "full.ini", &cfg) == RNNC_OK, "config: full example parses (%s)",
          rnnc_last_error());
    const rnnc_layer_spec *L = cfg.layers;
    check(cfg.n_layers == 5 && L[0].kind == RNNC_LAYER_EMBEDDING && L[0].vocab == 100 &&
              L[0].dim == 8 && L[0].padding_idx == 0,
          "config: embedding fields");
    check(L[1].kind == RNNC_LAYER_LSTM && L[1].hidden == 16 && L[1].layers == 2 &&
              L[1].bidirectional == 1 && L[1].merge == RNNC_MERGE_SUM && L[1].dropout == 0.25f &&
              L[1].return_sequences == 1 && L[1].set_forget_bias && L[1].forget_bias == 1,
          "config: lstm fields");
    check(L[2].kind == RNNC_LAYER_DROPOUT && L[2].rate == 0.5f && L[3].kind == RNNC_LAYER_GRU &&
              L[3].hidden == 4 && L[3].return_sequences == 0 && L[3].weight_drop == 0.3f &&
              L[1].weight_drop == 0,
          "config: dropout and gru fields, defaults");
    char *text = NULL;
    rnnc_config back;
    const int wrote = rnnc_config_write(&cfg, &text) == RNNC_OK;
    const char *wd = wrote ? strstr(text, "weight_drop = 0.3\n") : NULL;
    check(wd && !strstr(wd + 1, "weight_drop") && strstr(text, "weight_drop") == wd &&
              rnnc_config_parse(text, "written", &back) == RNNC_OK &&
              back.layers[3].weight_drop == 0.3f && back.layers[1].weight_drop == 0,
          "config: weight_drop is written where set (only there) and reads back");
    free(text);
    check(L[4].kind == RNNC_LAYER_DENSE && !strcmp(L[4].name, "head") && L[4].units == 3 &&
              L[4].activation == RNNC_ACT_SOFTMAX,
          "config: dense fields and name");
    rnnc_model *m;
    check(rnnc_model_create(&cfg, 1, &m) == RNNC_OK && rnnc_model_param(m, "head.weight", NULL) &&
              rnnc_model_param(m, "gru.weight_hh_l0", NULL),
          "config: the model builds with the given and default names");
    rnnc_model_free(m);

    check(rnnc_config_parse("[model]\ninput_size = 3\n[dense]\nunits = 2\n[dense]\nunits = 1\n",
                            "r.ini", &cfg) == RNNC_OK &&
              cfg.n_layers == 2 && cfg.layers[0].units == 2 && cfg.layers[1].units == 1,
          "config: repeated sections are separate layers");
    rnnc_model_create(&cfg, 1, &m);
    check(rnnc_model_param(m, "dense_2.bias", NULL) != NULL, "config: repeats get _2 names");
    rnnc_model_free(m);

    expect_error("[lstm]\nhidden = 4\nhiden = 3\n", RNNC_ERR_FORMAT,
                 "m.ini:3: unknown key 'hiden' in [lstm]");
    expect_error("[lstm]\nhidden = four\n", RNNC_ERR_FORMAT,
                 "m.ini:2: hidden = 'four': expected an integer");
    expect_error("[lstm]\nhidden = 4\nmerge = mean\n", RNNC_ERR_FORMAT, "m.ini:3: merge = 'mean'");
    expect_error("[model]\ninput_size = 2\n[lstm]\nlayers = 2\n", RNNC_ERR_FORMAT,
                 "m.ini:3: this section needs 'hidden");
    expect_error("[lstn]\nhidden = 4\n", RNNC_ERR_FORMAT, "m.ini:1: unknown section [lstn]");
    expect_error("[lstm]\nhidden = 4\nhidden = 5\n", RNNC_ERR_FORMAT,
                 "m.ini:3: key 'hidden' appears twice");
    expect_error("[lstm]\nhidden 4\n", RNNC_ERR_FORMAT, "m.ini:2: not a 'key = value' line");
    expect_error("[dense]\nunits = 2\nactivation = gelu\n", RNNC_ERR_FORMAT,
                 "m.ini:3: activation = 'gelu'");
    expect_error("[rnn]\nhidden = 2\nnonlinearity = sigmoid\n", RNNC_ERR_FORMAT,
                 "m.ini:3: nonlinearity");
    expect_error("[dense]\nunits = 2\nforget_bias = 1\n", RNNC_ERR_FORMAT,
                 "unknown key 'forget_bias' in [dense]");
    expect_error("[lstm]\nhidden = 1e999\n", RNNC_ERR_FORMAT, "m.ini:2:");
    expect_error("[dropout]\nrate = nan\n", RNNC_ERR_FORMAT,
                 "m.ini:2: rate = 'nan': expected a finite number");
    /* finite as a double, infinite as the float it is stored in (found by tests/fuzz/fuzz_config) */
    expect_error(
        "[lstm]\nhidden = 2\nforget_bias = 1e39\n", RNNC_ERR_FORMAT,
        "m.ini:3: forget_bias = '1e39': expected a finite number of magnitude at most 3.4e38");
    expect_error("[lstm]\nhidden = 2\nforget_bias = -4e38\n", RNNC_ERR_FORMAT,
                 "forget_bias = '-4e38'");
    expect_error("# only a comment\n", RNNC_ERR_FORMAT, "no layers");
    expect_error("[lstm]\nhidden = 4\n", RNNC_ERR_ARG, "m.ini: input_size = 0");
    expect_error("[model]\ninput_size = 2\n[dense]\nunits = 3\n[embedding]\nvocab = 3\ndim = 2\n",
                 RNNC_ERR_ARG, "layer 1 (embedding): an embedding must be the first layer");
    expect_error("[model]\ninput_size = 2\n[dropout]\nrate = 1.5\n", RNNC_ERR_ARG, "rate = 1.5");
    expect_error("[model]\ninput_size = 2\n[gru]\nhidden = 2\nweight_drop = 1\n", RNNC_ERR_ARG,
                 "layer 0 (gru): weight_drop = 1 is outside [0, 1)");
    expect_error("[dense]\nunits = 2\nweight_drop = 0.5\n", RNNC_ERR_FORMAT,
                 "m.ini:3: unknown key 'weight_drop' in [dense]");
    expect_error("[model]\ninput_size = 2\n[model]\ninput_size = 3\n[dense]\nunits=1\n",
                 RNNC_ERR_FORMAT, "m.ini:3: [model] appears twice");
    char long_line[400];
    memset(long_line, 'x', sizeof long_line);
    memcpy(long_line, "[lstm]\nname = ", 14);
    long_line[sizeof long_line - 1] = 0;
    /* lines past libinih's 200 bytes: a long value is read whole (here: a name too long) */
    expect_error(long_line, RNNC_ERR_FORMAT, "m.ini:2: name = 'xxxxxxxx"); /* the whole value */
    char ltext[1200];
    snprintf(ltext, sizeof ltext,
             "; %0300d\n[model]\ninput_size = 2 ; %0300d\n[gru]\n  hidden = 5   ;%0300d\n", 0, 0,
             0);
    check(rnnc_config_parse(ltext, "long.ini", &cfg) == RNNC_OK && cfg.n_layers == 1 &&
              cfg.layers[0].hidden == 5 && cfg.input_size == 2,
          "config: long comment lines and long inline comments read (%s)", rnnc_last_error());
    snprintf(ltext, sizeof ltext, "[gru]\nhidden = 5;%0300d\n", 0); /* no blank: not a comment */
    expect_error(ltext, RNNC_ERR_FORMAT, "m.ini:2: hidden = '5;000");
    memset(long_line, 'k', sizeof long_line);
    memcpy(long_line, "[lstm]\n", 7);
    memcpy(long_line + sizeof long_line - 6, " = 3\n", 6);
    expect_error(long_line, RNNC_ERR_FORMAT, "m.ini:2: line too long: only a 'key = value' line");
    expect_error("[lstm]\nname = a.b\nhidden = 2\n[model]\ninput_size=1\n", RNNC_ERR_ARG,
                 "name 'a.b' may hold only letters");

    /* files */
    check(rnnc_config_read("/nonexistent/model.ini", &cfg) == RNNC_ERR_IO &&
              strstr(rnnc_last_error(), "/nonexistent/model.ini"),
          "config: a missing file is named (%s)", rnnc_last_error());
    check(rnnc_config_read("tests", &cfg) == RNNC_ERR_IO && strstr(rnnc_last_error(), "directory"),
          "config: a directory is refused (%s)", rnnc_last_error());
    char path[] = "/tmp/rnnc-config-XXXXXX";
    int fd = mkstemp(path);
    if (fd >= 0) {
        const char bin[] = "[lstm]\nhid\0den = 4\n";
        check(write(fd, bin, sizeof bin - 1) == (ssize_t)(sizeof bin - 1),
              "config: temp file written");
        close(fd);
        check(rnnc_config_read(path, &cfg) == RNNC_ERR_FORMAT && strstr(rnnc_last_error(), "NUL"),
              "config: a binary file is refused (%s)", rnnc_last_error());
        unlink(path);
    }
    const char *examples[] = {"examples/models/imdb-lstm.ini", "examples/models/bigru-tagger.ini"};
    for (int i = 0; i < 2; i++)
        check(rnnc_config_read(examples[i], &cfg) == RNNC_OK, "config: %s parses (%s)", examples[i],
              rnnc_last_error());
    return check_summary();
}
