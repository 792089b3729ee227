/* Language-model training files: a training file whose [lm] section names the text files and the
 * spec (docs/lm.md). The other sections are read by the training-file reader
 * (src/tasks/trainconfig.c), which hands [lm] keys to on_key here. */
#include "trainconfig.h"
#include "../formats/values.h"

#include <stdio.h>
#include <string.h>

static rnnc_status bad(const char *path, int line, const char *key, const char *value,
                       const char *want) {
    return RNNC_FAIL(RNNC_ERR_FORMAT, "%s:%d: [lm] %s = '%.60s': expected %s", path, line, key,
                     value, want);
}

static int pick(const char *v, const char *const *names, int n) {
    for (int i = 0; i < n; i++)
        if (!strcmp(v, names[i]))
            return i;
    return -1;
}

static rnnc_status on_key(void *user, const char *key, const char *value, const char *path,
                          int line) {
    rnnc_lm_config *c = user;
    rnnc_lm_spec *s = &c->spec;
    static const char *const files[] = {"train", "validation", "test"};
    char *dst[] = {c->train_file, c->validation_file, c->test_file};
    int w = pick(key, files, 3);
    if (w >= 0) {
        if (strlen(value) >= sizeof c->train_file)
            return bad(path, line, key, value, "a shorter path");
        snprintf(dst[w], sizeof c->train_file, "%s", value);
        return RNNC_OK;
    }
    static const char *const choices[][3] = {{"level", "char", "word"},
                                             {"documents", "none", "lines"},
                                             {"loss", "token_mean", "step_sum"}};
    for (int k = 0; k < 3; k++)
        if (!strcmp(key, choices[k][0])) {
            if ((w = pick(value, choices[k] + 1, 2)) < 0) {
                char want[64];
                snprintf(want, sizeof want, "%s or %s", choices[k][1], choices[k][2]);
                return bad(path, line, key, value, want);
            }
            if (k == 0)
                s->level = w ? RNNC_LM_WORD : RNNC_LM_CHAR;
            else if (k == 1)
                s->documents = w ? RNNC_LM_DOC_LINES : RNNC_LM_DOC_NONE;
            else
                s->loss = w ? RNNC_LM_LOSS_STEP_SUM : RNNC_LM_LOSS_TOKEN_MEAN;
            return RNNC_OK;
        }
    long l;
    static const char *const bools[] = {"lowercase", "strip_html", "split_punct"};
    int *bdst[] = {&s->lowercase, &s->strip_html, &s->split_punct};
    if ((w = pick(key, bools, 3)) >= 0) {
        if (rnnc__value_bool(value, &l))
            return bad(path, line, key, value, "true or false");
        *bdst[w] = (int)l;
        return RNNC_OK;
    }
    if (!strcmp(key, "format")) { /* text, or a labelled-text format in enum order */
        static const char *const f[] = {"text", "imdb-tsv",     "aclimdb",      "csv",
                                        "tsv",  "folder-files", "folder-lines", "auto"};
        if ((w = pick(value, f, 8)) < 0)
            return bad(path, line, key, value,
                       "text, auto, imdb-tsv, aclimdb, csv, tsv, folder-files or folder-lines");
        c->format = w == 0 ? -1 : w == 7 ? RNNC_TEXT_AUTO : w;
        return RNNC_OK;
    }
    if (!strcmp(key, "encoding")) {
        if (rnnc_text_encoding_parse(value, &c->encoding) != RNNC_OK)
            return bad(path, line, key, value, "utf-8 or latin-1");
        return RNNC_OK;
    }
    if (!strcmp(key, "text_column")) {
        if (!value[0] || strlen(value) >= sizeof c->text_column)
            return bad(path, line, key, value, "a column index or name (under 64 bytes)");
        snprintf(c->text_column, sizeof c->text_column, "%s", value);
        return RNNC_OK;
    }
    if (!strcmp(key, "validation_split")) {
        double d;
        if (rnnc__value_double(value, &d) || !(d >= 0 && d < 1))
            return bad(path, line, key, value, "a number in [0, 1)");
        c->validation_split = d;
        return RNNC_OK;
    }
    const int lim = rnnc__limit_key(key, value, &c->limits);
    if (lim)
        return lim < 0 ? bad(path, line, key, value, "an integer >= 0 (0: the default)") : RNNC_OK;
    static const char *const ints[] = {"num_words", "min_freq", "bptt", "eval_batch"};
    int *idst[] = {&s->num_words, &s->min_freq, &s->bptt, &s->eval_batch};
    static const long lo[] = {0, 0, 1, 1}, hi[] = {1L << 30, 1L << 30, 100000, 65536};
    if ((w = pick(key, ints, 4)) >= 0) {
        if (rnnc__value_long(value, lo[w], hi[w], &l)) {
            char want[64];
            snprintf(want, sizeof want, "an integer in [%ld, %ld]", lo[w], hi[w]);
            return bad(path, line, key, value, want);
        }
        *idst[w] = (int)l;
        return RNNC_OK;
    }
    return RNNC_FAIL(RNNC_ERR_FORMAT, "%s:%d: unknown key '%s' in [lm] (see docs/lm.md)", path,
                     line, key);
}

rnnc_status rnnc_lm_config_read(const char *path, const char *const *overrides, int n,
                                rnnc_lm_config *out) {
    return rnnc__train_file_read(path, overrides, n, RNNC__READ_LM, out);
}

rnnc_status rnnc_lm_config_parse(const rnnc_train_file *f, rnnc_lm_config *out) {
    if (!f || !out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_lm_config_parse: NULL argument");
    const char *path = rnnc_train_file_path(f);
    memset(out, 0, sizeof *out);
    out->spec = rnnc_lm_spec_init();
    out->format = -1;
    rnnc__train_hook hook = {"lm", on_key, out, 0, 0};
    RNNC_TRY(rnnc__train_file_run(f, &out->run, &hook));
    if (!out->train_file[0])
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: [lm] needs 'train = FILE'", path);
    if (out->format >= 0) /* each text of a labelled set is a document */
        out->spec.documents = RNNC_LM_DOC_LINES;
    if (out->validation_file[0] && out->validation_split > 0)
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s: [lm] gives both validation and validation_split; choose one", path);
    return RNNC_OK;
}
