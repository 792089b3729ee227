/* [finetune] of a training file (docs/finetune.md): what rnnc finetune carries over from a
 * pretrained model and how the new run treats it. The task readers skip the section; this reader
 * takes only it (src/tasks/trainconfig.c hands its keys here). */
#include "trainconfig.h"
#include "../formats/values.h"

#include <stdio.h>
#include <string.h>

rnnc_finetune_config rnnc_finetune_config_init(void) {
    rnnc_finetune_config c;
    memset(&c, 0, sizeof c);
    c.vocab = RNNC_FT_VOCAB_PRETRAINED;
    c.head = RNNC_FT_HEAD_AUTO;
    return c;
}

static rnnc_status bad(const char *path, int line, const char *key, const char *value,
                       const char *want) {
    return RNNC_FAIL(RNNC_ERR_FORMAT, "%s:%d: [finetune] %s = '%.60s': expected %s", path, line,
                     key, value, want);
}

static rnnc_status copy_list(char *dst, size_t cap, const char *path, int line, const char *key,
                             const char *value) {
    if (strlen(value) >= cap)
        return bad(path, line, key, value, "a shorter list");
    snprintf(dst, cap, "%s", value);
    return RNNC_OK;
}

static rnnc_status on_key(void *user, const char *key, const char *value, const char *path,
                          int line) {
    rnnc_finetune_config *c = user;
    long l;
    double d;
    if (!strcmp(key, "vocab")) {
        if (!strcmp(value, "pretrained"))
            return c->vocab = RNNC_FT_VOCAB_PRETRAINED, RNNC_OK;
        if (!strcmp(value, "data"))
            return c->vocab = RNNC_FT_VOCAB_DATA, RNNC_OK;
        return bad(path, line, key, value, "pretrained or data");
    }
    if (!strcmp(key, "head")) {
        static const char *const h[] = {"auto", "new", "keep"};
        for (int i = 0; i < 3; i++)
            if (!strcmp(value, h[i]))
                return c->head = i, RNNC_OK; /* enum order */
        return bad(path, line, key, value, "auto, new or keep");
    }
    if (!strcmp(key, "reinit"))
        return copy_list(c->reinit, sizeof c->reinit, path, line, key, value);
    if (!strcmp(key, "freeze"))
        return copy_list(c->freeze, sizeof c->freeze, path, line, key, value);
    if (!strcmp(key, "lr_factors"))
        return copy_list(c->lr_factors, sizeof c->lr_factors, path, line, key, value);
    if (!strcmp(key, "unfreeze_every")) {
        if (rnnc__value_long(value, 0, 1000000, &l))
            return bad(path, line, key, value, "an integer in [0, 1000000] (0: off)");
        return c->unfreeze_every = (int)l, RNNC_OK;
    }
    if (!strcmp(key, "lr_decay")) {
        if (rnnc__value_double(value, &d) || !(d == 0 || d >= 1))
            return bad(path, line, key, value, "0 (off) or a number >= 1 (ULMFiT: 2.6)");
        return c->lr_decay = d, RNNC_OK;
    }
    if (!strcmp(key, "l2sp")) {
        if (rnnc__value_double(value, &d) || !(d >= 0))
            return bad(path, line, key, value, "a number >= 0 (0: off)");
        return c->l2sp = d, RNNC_OK;
    }
    return RNNC_FAIL(RNNC_ERR_FORMAT,
                     "%s:%d: unknown key '%s' in [finetune] (see docs/finetune.md)", path, line,
                     key);
}

rnnc_status rnnc_finetune_config_read(const char *path, const char *const *overrides, int n,
                                      rnnc_finetune_config *out) {
    return rnnc__train_file_read(path, overrides, n, RNNC__READ_FINETUNE, out);
}

rnnc_status rnnc_finetune_config_parse(const rnnc_train_file *f, rnnc_finetune_config *out) {
    if (!f || !out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_finetune_config_parse: NULL argument");
    *out = rnnc_finetune_config_init();
    RNNC_TRY(rnnc__train_file_section(f, "finetune", on_key, out));
    if (out->lr_decay > 0 && out->lr_factors[0])
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s: [finetune] gives both lr_decay and lr_factors; choose one",
                         rnnc_train_file_path(f));
    return RNNC_OK;
}

/* The next comma-separated item of *p (spaces around it dropped) into buf; 0 at the end. */
static int next_item(const char **p, char *buf, size_t cap) {
    const char *s = *p;
    while (*s == ' ' || *s == '\t' || *s == ',')
        s++;
    if (!*s)
        return 0;
    const char *e = strchr(s, ',');
    size_t n = e ? (size_t)(e - s) : strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n >= cap)
        n = cap - 1;
    memcpy(buf, s, n);
    buf[n] = 0;
    *p = e ? e + 1 : s + strlen(s);
    return 1;
}

/* Whether layer i has parameters (a group). */
static int has_params(const rnnc_model *m, int layer) {
    for (int i = 0; i < rnnc_model_param_count(m); i++)
        if (rnnc_model_param_layer(m, i) == layer)
            return 1;
    return 0;
}

/* The layer an item names: its name, or its 0-based index; -1 with an error naming the layers. */
static int find_layer(const rnnc_model *m, const char *item, const char *what) {
    const int nl = rnnc_model_config(m)->n_layers;
    long idx;
    if (!rnnc__value_long(item, 0, nl - 1, &idx))
        return (int)idx;
    char names[512] = "";
    size_t used = 0;
    for (int i = 0; i < nl; i++) {
        const char *name;
        rnnc_model_layer_info(m, i, &name, NULL, NULL, NULL);
        if (!strcmp(name, item))
            return i;
        used += (size_t)snprintf(names + used, used < sizeof names ? sizeof names - used : 0,
                                 "%s%d %s", i ? ", " : "", i, name);
        if (used >= sizeof names)
            used = sizeof names - 1;
    }
    RNNC_FAIL(RNNC_ERR_ARG, "[finetune] %s: no layer '%s' (the layers: %s)", what, item, names);
    return -1;
}

rnnc_status rnnc_finetune_config_resolve(const rnnc_finetune_config *c, const rnnc_model *m,
                                         unsigned char *frozen, double *lr_factor,
                                         int *has_factors) {
    if (!c || !m || !frozen || !lr_factor || !has_factors)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_finetune_config_resolve: NULL argument");
    const int nl = rnnc_model_config(m)->n_layers;
    char item[RNNC_NAME_MAX + 16];
    for (int i = 0; i < nl; i++)
        frozen[i] = 0, lr_factor[i] = 1;
    *has_factors = 0;
    for (const char *p = c->freeze; next_item(&p, item, sizeof item);) {
        const int l = find_layer(m, item, "freeze");
        if (l < 0)
            return RNNC_ERR_ARG;
        if (!has_params(m, l))
            return RNNC_FAIL(RNNC_ERR_ARG, "[finetune] freeze: layer '%s' has no parameters", item);
        frozen[l] = 1;
    }
    int groups = 0;
    for (int i = 0; i < nl; i++)
        groups += has_params(m, i);
    if (c->lr_decay > 0) { /* the top group at 1, each one below divided by lr_decay */
        double f = 1;
        for (int i = nl - 1; i >= 0; i--)
            if (has_params(m, i))
                lr_factor[i] = f, f /= c->lr_decay;
        *has_factors = 1;
    } else if (c->lr_factors[0]) { /* one per group, from the bottom */
        int k = 0;
        const char *p = c->lr_factors;
        for (int i = 0; i < nl; i++) {
            if (!has_params(m, i))
                continue;
            double f;
            if (!next_item(&p, item, sizeof item))
                return RNNC_FAIL(RNNC_ERR_ARG,
                                 "[finetune] lr_factors: %d given, the model has %d "
                                 "layers with parameters (one factor each, from the bottom)",
                                 k, groups);
            if (rnnc__value_double(item, &f) || !(f >= 0))
                return RNNC_FAIL(RNNC_ERR_ARG, "[finetune] lr_factors: '%s' is not a number >= 0",
                                 item);
            lr_factor[i] = f, k++;
        }
        if (next_item(&p, item, sizeof item))
            return RNNC_FAIL(RNNC_ERR_ARG,
                             "[finetune] lr_factors: more than the %d layers with "
                             "parameters",
                             groups);
        *has_factors = 1;
    }
    /* factors of layers without parameters follow the group below, so a layer between stays out
     * of the way (they have nothing to update) */
    return RNNC_OK;
}
