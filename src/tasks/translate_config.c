/* Translation training files: a training file whose [translate] section names the TSV of sentence
 * pairs and the spec (docs/translate.md, "Training"). The other sections are read by the
 * training-file reader (src/tasks/trainconfig.c), which hands [translate] keys to on_key here. */
#include "trainconfig.h"
#include "../formats/values.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static rnnc_status bad(const char *path, int line, const char *key, const char *value,
                       const char *want) {
    return RNNC_FAIL(RNNC_ERR_FORMAT, "%s:%d: [translate] %s = '%.60s': expected %s", path, line,
                     key, value, want);
}

static int pick(const char *v, const char *const *names, int n) {
    for (int i = 0; i < n; i++)
        if (!strcmp(v, names[i]))
            return i;
    return -1;
}

static rnnc_status on_key(void *user, const char *key, const char *value, const char *path,
                          int line) {
    rnnc_translate_config *c = user;
    rnnc_translate_spec *s = &c->spec;
    long l;
    int w;
    if (!strcmp(key, "data")) {
        if (!value[0] || strlen(value) >= sizeof c->data)
            return bad(path, line, key, value, "a file path (under 1024 bytes)");
        snprintf(c->data, sizeof c->data, "%s", value);
        return RNNC_OK;
    }
    if (!strcmp(key, "swap")) {
        if (rnnc__value_bool(value, &l))
            return bad(path, line, key, value, "true or false");
        s->swap = (int)l;
        return RNNC_OK;
    }
    if (!strcmp(key, "prefix")) {
        static const char *const names[] = {"none", "tutorial"};
        if ((w = pick(value, names, 2)) < 0)
            return bad(path, line, key, value, "none or tutorial");
        s->prefix = w ? RNNC_PREFIX_TUTORIAL : RNNC_PREFIX_NONE;
        return RNNC_OK;
    }
    if (!strcmp(key, "detok")) {
        static const char *const names[] = {"en", "fr"};
        if ((w = pick(value, names, 2)) < 0)
            return bad(path, line, key, value, "en or fr");
        s->detok = w ? RNNC_DETOK_FR : RNNC_DETOK_EN;
        return RNNC_OK;
    }
    if (!strcmp(key, "teacher_forcing")) {
        double d;
        if (rnnc__value_double(value, &d) || !(d >= 0 && d <= 1))
            return bad(path, line, key, value, "a probability in [0, 1] (1: always the target)");
        s->teacher_forcing = d;
        return RNNC_OK;
    }
    static const char *const fracs[] = {"validation_split", "test_split", "label_smoothing"};
    double *fdst[] = {&s->validation_split, &s->test_split, &s->label_smoothing};
    if ((w = pick(key, fracs, 3)) >= 0) {
        double d;
        if (rnnc__value_double(value, &d) || !(d >= 0 && d < 1))
            return bad(path, line, key, value, "a number in [0, 1)");
        *fdst[w] = d;
        return RNNC_OK;
    }
    if (!strcmp(key, "split_seed")) {
        if (rnnc__value_long(value, 0, 1L << 62, &l))
            return bad(path, line, key, value, "an integer >= 0");
        s->split_seed = (uint64_t)l;
        return RNNC_OK;
    }
    const int lim = rnnc__limit_key(key, value, &c->limits);
    if (lim)
        return lim < 0 ? bad(path, line, key, value, "an integer >= 0 (0: the default)") : RNNC_OK;
    static const char *const ints[] = {"max_tokens", "src_words", "tgt_words", "src_min_freq",
                                       "tgt_min_freq"};
    int *idst[] = {&s->max_tokens, &s->src_words, &s->tgt_words, &s->src_min_freq,
                   &s->tgt_min_freq};
    if ((w = pick(key, ints, 5)) >= 0) {
        if (rnnc__value_long(value, 0, 1L << 30, &l))
            return bad(path, line, key, value, "an integer in [0, 1073741824]");
        if ((w == 1 || w == 2) && l > 0 && l <= RNNC_PAIRS_EOS + 1)
            return bad(path, line, key, value, "0 (every word) or at least 5 (4 reserved ids)");
        *idst[w] = (int)l;
        return RNNC_OK;
    }
    return RNNC_FAIL(RNNC_ERR_FORMAT,
                     "%s:%d: unknown key '%s' in [translate] (see docs/translate.md, "
                     "\"Training\")",
                     path, line, key);
}

rnnc_status rnnc_translate_config_read(const char *path, const char *const *overrides, int n,
                                       rnnc_translate_config *out) {
    return rnnc__train_file_read(path, overrides, n, RNNC__READ_TRANSLATE, out);
}

rnnc_status rnnc_translate_config_parse(const rnnc_train_file *f, rnnc_translate_config *out) {
    if (!f || !out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_translate_config_parse: NULL argument");
    const char *path = rnnc_train_file_path(f);
    memset(out, 0, sizeof *out);
    out->spec = rnnc_translate_spec_init();
    rnnc__train_hook hook = {"translate", on_key, out, 0, 0};
    RNNC_TRY(rnnc__train_file_run(f, &out->run, &hook));
    if (!out->data[0])
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s: [translate] needs 'data = FILE' (a TSV of "
                         "sentence pairs)",
                         path);
    if (out->spec.validation_split + out->spec.test_split >= 1)
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s: [translate] validation_split + test_split = %g leaves nothing to "
                         "train on (their sum must be below 1)",
                         path, out->spec.validation_split + out->spec.test_split);
    return RNNC_OK;
}
