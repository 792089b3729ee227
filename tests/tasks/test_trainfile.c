/* Training files read once (rnnc_train_file): the task a file trains, the readers that take the
 * opened file, and that none of them reads the file again. */
#include "check.h"
#include "rnnc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/rnnc_trainfile_XXXXXX";

static const char *file(const char *name, const char *text) {
    static char path[4][256];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, 256, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    return p;
}

/* The task of path with the overrides, -1 when it cannot be opened. */
static int task_of(const char *path, const char *const *ov, int n) {
    rnnc_train_file *f;
    if (rnnc_train_file_open(path, ov, n, &f) != RNNC_OK)
        return -1;
    const int t = (int)rnnc_train_file_task(f);
    rnnc_train_file_free(f);
    return t;
}

static const char classify_ini[] =
    "[embedding]\nvocab = auto\ndim = 4\n[lstm]\nhidden = 8\n"
    "[dense]\nunits = 2\n[data]\ntrain = t.tsv\n[train]\nepochs = 3\n";

static void test_task(void) {
    const char *c = file("c.ini", classify_ini);
    check(task_of(c, NULL, 0) == RNNC_TRAIN_CLASSIFY, "[data] train = ...: a text classifier");
    const char *lm = file("lm.ini", "[embedding]\nvocab = auto\ndim = 4\n[gru]\nhidden = 4\n"
                                    "[lm]\ntrain = x.txt\n");
    check(task_of(lm, NULL, 0) == RNNC_TRAIN_LM, "[lm]: a language model");
    const char *fc = file("fc.ini", "[lstm]\nhidden = 4\n[forecast]\ndata = x.csv\n");
    check(task_of(fc, NULL, 0) == RNNC_TRAIN_FORECAST, "[forecast]: a forecaster");
    const char *ar = file("ar.ini", "[gru]\nhidden = 4\n[data]\nformat = npz\ntrain = x.npz\n");
    check(task_of(ar, NULL, 0) == RNNC_TRAIN_ARRAYS, "[data] format = npz: arrays");
    const char *ov[] = {"forecast.horizon=3", "data.format=safetensors"};
    check(task_of(c, ov, 1) == RNNC_TRAIN_FORECAST, "--set forecast.horizon=3 adds [forecast]");
    check(task_of(c, ov + 1, 1) == RNNC_TRAIN_ARRAYS, "--set data.format=safetensors: arrays");
    rnnc_train_file *f;
    const char *ft[] = {"finetune.freeze=0"};
    check(rnnc_train_file_open(c, ft, 1, &f) == RNNC_OK &&
              rnnc_train_file_has_section(f, "finetune") &&
              rnnc_train_file_has_section(f, "lstm") && !rnnc_train_file_has_section(f, "gru") &&
              !strcmp(rnnc_train_file_path(f), c),
          "has_section sees the file's headers and an override's");
    rnnc_train_file_free(f);
}

/* Every reader takes the opened file: with the file gone and its name now a folder, they still
 * read what was opened. */
static void test_read_once(void) {
    const char *c = file("once.ini", classify_ini);
    rnnc_train_file *f;
    const char *ov[] = {"lstm.hidden=16"};
    rnnc_status st = rnnc_train_file_open(c, ov, 1, &f);
    check(st == RNNC_OK, "opened (%s)", st ? rnnc_last_error() : "");
    if (st)
        return;
    check(unlink(c) == 0, "the file removed after opening");
    static rnnc_classify_config cc;
    rnnc_config m;
    st = rnnc_classify_config_parse(f, &cc);
    check(st == RNNC_OK && !strcmp(cc.train, "t.tsv") && cc.run.fit.epochs == 3 &&
              cc.run.model.layers[1].hidden == 16,
          "rnnc_classify_config_parse reads what was opened, the override applied (%s)",
          st ? rnnc_last_error() : "");
    check(rnnc_train_file_model(f, &m) == RNNC_OK && m.n_layers == 3 && m.layers[1].hidden == 16,
          "rnnc_train_file_model: the layers");
    rnnc_finetune_config ft;
    check(rnnc_finetune_config_parse(f, &ft) == RNNC_OK && ft.head == RNNC_FT_HEAD_AUTO,
          "rnnc_finetune_config_parse: no [finetune], the defaults");
    rnnc_train_file_free(f);
    check(rnnc_classify_config_read(c, NULL, 0, &cc) == RNNC_ERR_IO && strstr(rnnc_last_error(), c),
          "the path reader opens the file itself: a missing one is an I/O error naming it");
}

static void test_errors(void) {
    rnnc_train_file *f = (rnnc_train_file *)&f;
    const char *bad = file("bad.ini", "[lstm]\nhidden = many\n[train]\nepochs = 2\n");
    check(rnnc_train_file_open(bad, NULL, 0, &f) == RNNC_ERR_FORMAT && f == NULL &&
              strstr(rnnc_last_error(), ":2:"),
          "a layer error is reported at open, with its line (%s)", rnnc_last_error());
    const char *syn =
        file("syn.ini", "[embedding]\nvocab = 9\ndim = 2\n[lstm]\nhidden = 4\n[train]\nepochs 2\n");
    check(rnnc_train_file_open(syn, NULL, 0, &f) == RNNC_ERR_FORMAT &&
              strstr(rnnc_last_error(), ":7:"),
          "a training section's syntax error is reported at open, with its line (%s)",
          rnnc_last_error());
    const char *c = file("val.ini", classify_ini);
    const char *ov[] = {"train.epochs=lots"};
    check(rnnc_train_file_open(c, ov, 1, &f) == RNNC_OK, "a bad value opens");
    static rnnc_classify_config cc;
    check(rnnc_classify_config_parse(f, &cc) == RNNC_ERR_FORMAT &&
              strstr(rnnc_last_error(), "--set train.epochs=lots"),
          "... and its reader names the override (%s)", rnnc_last_error());
    static rnnc_lm_config lc;
    check(rnnc_lm_config_parse(f, &lc) == RNNC_ERR_FORMAT,
          "a classifier's file is no language model's (%s)", rnnc_last_error());
    rnnc_train_file_free(f);
    check(rnnc_train_file_open(NULL, NULL, 0, &f) == RNNC_ERR_ARG, "NULL path refused");
    rnnc_train_file_free(NULL);
}

int main(void) {
    if (!mkdtemp(dir))
        return 1;
    test_task();
    test_read_once();
    test_errors();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_summary();
}
