/* The model files of the tasks (see task.h). */
#include "task.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_META = 32 };

rnnc_status rnnc__task_save(const rnnc_model *m, const char *path, const char *task,
                            const char *const *keys, const char *const *values, int n,
                            const char *key, const char *value) {
    if (n < 0 || n + 2 > MAX_META)
        return RNNC_FAIL(RNNC_ERR_ARG, "%s: %d metadata keys (at most %d)", path, n, MAX_META - 2);
    /* weights that are not finite make a file no command can use: the old file stays */
    rnnc_model *mm = (rnnc_model *)m;
    for (int i = 0; i < rnnc_model_param_count(mm); i++) {
        const char *name;
        size_t len;
        rnnc_model_param_info(mm, i, &name, NULL, NULL);
        const float *w = rnnc_model_param(mm, name, &len);
        for (size_t j = 0; w && j < len; j++)
            if (!isfinite(w[j]))
                return RNNC_FAIL(RNNC_ERR_NUMERIC,
                                 "%s: not written: tensor '%s' holds %g at %zu (the training "
                                 "diverged; try a lower learning rate or clip_norm)",
                                 path, name, (double)w[j], j);
    }
    const char *k[MAX_META], *v[MAX_META];
    k[0] = "rnnc.task", v[0] = task;
    for (int i = 0; i < n; i++)
        k[1 + i] = keys[i], v[1 + i] = values[i];
    int total = 1 + n;
    if (key)
        k[total] = key, v[total++] = value;
    return rnnc_model_save(m, path, k, v, total);
}

rnnc_status rnnc__task_load(const char *path, const char *task, const char *what, rnnc_model **m,
                            rnnc_tensor_file **f) {
    *m = NULL, *f = NULL;
    RNNC_TRY(rnnc_model_load(path, m, f));
    const char *t = rnnc_tensor_file_meta(*f, "rnnc.task");
    if (t && !strcmp(t, task))
        return RNNC_OK;
    rnnc_status s = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: not %s (metadata rnnc.task is %s%s%s)", path,
                              what, t ? "'" : "missing", t ? t : "", t ? "'" : "");
    rnnc_model_free(*m), rnnc_tensor_file_free(*f);
    *m = NULL, *f = NULL;
    return s;
}

rnnc_status rnnc__task_new(const rnnc__task_kind *k, void **out) {
    *out = NULL;
    void *o;
    RNNC_TRY(rnnc__calloc(&o, 1, k->size, k->what));
    const rnnc_status st = rnnc__lock_init((pthread_mutex_t *)((char *)o + k->lock_at));
    if (st != RNNC_OK) {
        free(o);
        return st;
    }
    *out = o;
    return RNNC_OK;
}

rnnc_status rnnc__task_open(const rnnc__task_kind *k, const char *path, void **out) {
    void *o;
    RNNC_TRY(rnnc__task_new(k, &o));
    rnnc_tensor_file *f = NULL;
    rnnc_model **m = (rnnc_model **)((char *)o + k->model_at);
    rnnc_status st = rnnc__task_load(path, k->name, k->what, m, &f);
    if (st == RNNC_OK)
        st = k->read_meta(o, f, path);
    rnnc_tensor_file_free(f);
    if (st != RNNC_OK) {
        k->free(o);
        return st;
    }
    *out = o;
    return RNNC_OK;
}

rnnc_status rnnc__task_vocab(const rnnc_tensor_file *f, const char *path, rnnc_vocab **out) {
    const char *v = rnnc_tensor_file_meta(f, "rnnc.vocab");
    return v ? rnnc_vocab_from_text(v, path, out)
             : RNNC_FAIL(RNNC_ERR_FORMAT, "%s: metadata rnnc.vocab is missing", path);
}

void rnnc__setup_add(rnnc__setup *b, const char *key, const char *fmt, ...) {
    char v[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v, sizeof v, fmt, ap);
    va_end(ap);
    for (char *p = v; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    const size_t need = b->len + strlen(key) + strlen(v) + 3;
    if (b->failed)
        return;
    if (need > b->cap) {
        const size_t cap = need * 2 + 256;
        char *s = realloc(b->s, cap);
        if (!s) {
            free(b->s);
            b->s = NULL, b->failed = 1;
            return;
        }
        b->s = s, b->cap = cap;
    }
    b->len += (size_t)snprintf(b->s + b->len, b->cap - b->len, "%s=%s\n", key, v);
}

void rnnc__setup_hash(rnnc__setup *b, const char *key, size_t n, const char *what, uint64_t hash) {
    rnnc__setup_add(b, key, "%zu %s #%08x", n, what, (unsigned)(hash ^ (hash >> 32)));
}

rnnc_status rnnc__setup_done(rnnc__setup *b, char **out) {
    *out = NULL;
    if (b->failed)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
    *out = b->s ? b->s : calloc(1, 1);
    b->s = NULL;
    return *out ? RNNC_OK : RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
}

rnnc_status rnnc__lock_init(pthread_mutex_t *m) {
    return pthread_mutex_init(m, NULL) == 0 ? RNNC_OK
                                            : RNNC_FAIL(RNNC_ERR_NOMEM, "no mutex for a model");
}

void rnnc__lock_free(pthread_mutex_t *m) {
    pthread_mutex_destroy(m);
}
