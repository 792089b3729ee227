/* Training files on arrays (docs/arrays.md): [data] format = npz | safetensors and the keys of
 * rnnc_arrays_config, handed here by the training-file reader (src/tasks/trainconfig.c), which
 * reads the run's sections. */
#include "trainconfig.h"
#include "../formats/values.h"

#include <stdio.h>
#include <string.h>

static rnnc_status bad(const char *path, int line, const char *key, const char *value,
                       const char *want) {
    return RNNC_FAIL(RNNC_ERR_FORMAT, "%s:%d: [data] %s = '%.60s': expected %s", path, line, key,
                     value, want);
}

static rnnc_status copy(char *dst, size_t cap, const char *path, int line, const char *key,
                        const char *value) {
    if (!value[0] || strlen(value) >= cap)
        return bad(path, line, key, value, "a name of 1 to 63 bytes (a path: 1 to 1023)");
    snprintf(dst, cap, "%s", value);
    return RNNC_OK;
}

static rnnc_status on_key(void *user, const char *key, const char *value, const char *path,
                          int line) {
    rnnc_arrays_config *c = user;
    rnnc_arrays_source *s = &c->source;
    long l;
    double d;
    if (!strcmp(key, "format")) {
        if (!strcmp(value, "npz"))
            return s->format = RNNC_ARRAYS_NPZ, RNNC_OK;
        if (!strcmp(value, "safetensors"))
            return s->format = RNNC_ARRAYS_SAFETENSORS, RNNC_OK;
        return bad(path, line, key, value, "npz or safetensors");
    }
    if (!strcmp(key, "train"))
        return copy(c->train, sizeof c->train, path, line, key, value);
    if (!strcmp(key, "validation"))
        return copy(c->validation, sizeof c->validation, path, line, key, value);
    if (!strcmp(key, "test"))
        return copy(c->test, sizeof c->test, path, line, key, value);
    if (!strcmp(key, "x"))
        return copy(c->x, sizeof c->x, path, line, key, value);
    if (!strcmp(key, "ids"))
        return copy(c->ids, sizeof c->ids, path, line, key, value);
    if (!strcmp(key, "lengths"))
        return copy(c->lengths, sizeof c->lengths, path, line, key, value);
    if (!strcmp(key, "y"))
        return copy(c->y, sizeof c->y, path, line, key, value);
    if (!strcmp(key, "target")) {
        static const char *const t[] = {"auto", "regression", "classes", "steps"};
        for (int i = 0; i < 4; i++)
            if (!strcmp(value, t[i]))
                return s->target = i, RNNC_OK;
        return bad(path, line, key, value, "auto, regression, classes or steps");
    }
    if (!strcmp(key, "classes")) {
        if (rnnc__value_long(value, 0, 1000000, &l) || l == 1)
            return bad(path, line, key, value, "an integer >= 2 (0: the largest label + 1)");
        return s->classes = (int)l, RNNC_OK;
    }
    if (!strcmp(key, "max_read_bytes")) {
        if (rnnc__value_long(value, 0, 1L << 62, &l))
            return bad(path, line, key, value, "an integer >= 0 (0: the default)");
        return s->read_bytes = (uint64_t)l, RNNC_OK;
    }
    if (!strcmp(key, "validation_split") || !strcmp(key, "test_split")) {
        if (rnnc__value_double(value, &d) || !(d >= 0 && d < 1))
            return bad(path, line, key, value, "a fraction in [0, 1)");
        *(!strcmp(key, "test_split") ? &c->test_split : &c->validation_split) = d;
        return RNNC_OK;
    }
    return RNNC_FAIL(RNNC_ERR_FORMAT,
                     "%s:%d: unknown key '%s' in [data] of a training file on arrays (see "
                     "docs/arrays.md)",
                     path, line, key);
}

rnnc_status rnnc_arrays_config_read(const char *path, const char *const *overrides, int n,
                                    rnnc_arrays_config *out) {
    return rnnc__train_file_read(path, overrides, n, RNNC__READ_ARRAYS, out);
}

rnnc_status rnnc_arrays_config_parse(const rnnc_train_file *f, rnnc_arrays_config *out) {
    if (!f || !out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_arrays_config_parse: NULL argument");
    const char *path = rnnc_train_file_path(f);
    memset(out, 0, sizeof *out);
    out->source = rnnc_arrays_source_init();
    rnnc__train_hook hook = {"data", on_key, out, 0, 0};
    RNNC_TRY(rnnc__train_file_run(f, &out->run, &hook));
    if (hook.added_input_size)
        out->run.model.input_size = 0; /* set from the data */
    if (!out->train[0])
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: [data] needs 'train = FILE'", path);
    if (out->validation[0] && out->validation_split > 0)
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s: [data] gives both validation and validation_split; choose one", path);
    if (out->test[0] && out->test_split > 0)
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: [data] gives both test and test_split; choose one",
                         path);
    if (out->validation_split + out->test_split >= 1)
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s: [data] validation_split + test_split must be below 1", path);
    rnnc_arrays_source *s = &out->source;
    s->path = out->train;
    s->x = out->x[0] ? out->x : NULL;
    s->ids = out->ids[0] ? out->ids : NULL;
    s->lengths = out->lengths[0] ? out->lengths : NULL;
    s->y = out->y[0] ? out->y : NULL;
    return RNNC_OK;
}
