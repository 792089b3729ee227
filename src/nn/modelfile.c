/* Model files: a safetensors file holding every parameter under its PyTorch name (F32) and the
 * model description as INI text in the metadata, so the file alone rebuilds the model. The model
 * is reached through the public API (rnnc_model_param_info and friends); only the plan of a
 * description is used to check a file before the model it describes is allocated. */
#include "../core/core.h"
#include "rnnc/nn.h"
#include "plan.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_FORMAT "format"
#define KEY_VERSION "rnnc.version"
#define KEY_CONFIG "rnnc.config"
#define N_OWN_META 3

rnnc_status rnnc_model_save(const rnnc_model *m, const char *path, const char *const *meta_keys,
                            const char *const *meta_values, int n_meta) {
    if (!m || !path)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_model_save: NULL model or path");
    if (n_meta < 0 || (n_meta > 0 && (!meta_keys || !meta_values)))
        return RNNC_FAIL(RNNC_ERR_ARG, "%s: %d metadata entries but NULL arrays", path, n_meta);
    for (int i = 0; i < n_meta; i++)
        if (meta_keys[i] &&
            (!strcmp(meta_keys[i], KEY_FORMAT) || !strcmp(meta_keys[i], KEY_VERSION) ||
             !strcmp(meta_keys[i], KEY_CONFIG)))
            return RNNC_FAIL(RNNC_ERR_ARG, "%s: metadata key '%s' is written by rnnc_model_save",
                             path, meta_keys[i]);
    /* rnnc_model_param takes a writable model; the views are only read here. */
    rnnc_model *mm = (rnnc_model *)m;
    const int n = rnnc_model_param_count(m);
    char *cfg_text = NULL;
    RNNC_TRY(rnnc_config_write(rnnc_model_config(m), &cfg_text));
    rnnc_tensor *ts = NULL;
    const char **keys = NULL, **values = NULL;
    rnnc_status st = rnnc__calloc((void **)&ts, (size_t)n + 1, sizeof *ts, "tensor list");
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&keys, (size_t)n_meta + N_OWN_META, sizeof *keys, "metadata");
    if (st == RNNC_OK)
        st =
            rnnc__calloc((void **)&values, (size_t)n_meta + N_OWN_META, sizeof *values, "metadata");
    for (int i = 0; i < n && st == RNNC_OK; i++) {
        rnnc_tensor *t = &ts[i];
        size_t dims[2], count;
        st = rnnc_model_param_info(m, i, &t->name, &t->ndim, dims);
        if (st != RNNC_OK)
            break;
        t->dtype = RNNC_DTYPE_F32;
        t->dims[0] = dims[0], t->dims[1] = dims[1];
        t->data = rnnc_model_param(mm, t->name, &count);
        t->nbytes = count * sizeof(float);
        RNNC_ASSERT(t->data != NULL);
    }
    if (st == RNNC_OK) {
        keys[0] = KEY_FORMAT, values[0] = "pt";
        keys[1] = KEY_VERSION, values[1] = rnnc_version();
        keys[2] = KEY_CONFIG, values[2] = cfg_text;
        for (int i = 0; i < n_meta; i++)
            keys[N_OWN_META + i] = meta_keys[i], values[N_OWN_META + i] = meta_values[i];
        st = rnnc_tensor_file_write(path, ts, n, keys, values, n_meta + N_OWN_META);
    }
    free(ts), free(keys), free(values), free(cfg_text);
    return st;
}

static void shape_text(int ndim, const size_t *dims, char *buf, size_t size) {
    size_t at = (size_t)snprintf(buf, size, "(");
    for (int d = 0; d < ndim && at < size; d++)
        at += (size_t)snprintf(buf + at, size - at, d ? ", %zu" : "%zu", dims[d]);
    if (at < size)
        snprintf(buf + at, size - at, ndim == 1 ? ",)" : ")");
}

/* Checks tensor t against the model's parameter i (name, ndim, dims) and its values. */
static rnnc_status check_param(const char *file, const rnnc_tensor *t, int ndim,
                               const size_t dims[2]) {
    int same = t->ndim == ndim;
    for (int d = 0; d < ndim && same; d++)
        same = t->dims[d] == dims[d];
    if (!same) {
        char got[128], want[64];
        shape_text(t->ndim, t->dims, got, sizeof got);
        shape_text(ndim, dims, want, sizeof want);
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: tensor '%s' has shape %s, but the model needs %s",
                         file, t->name, got, want);
    }
    if (t->dtype == RNNC_DTYPE_F32 || t->dtype == RNNC_DTYPE_F64)
        RNNC_TRY(rnnc_tensor_check_finite(t, file));
    if (t->dtype == RNNC_DTYPE_F64) {
        const size_t n = t->nbytes / sizeof(double);
        for (size_t k = 0; k < n; k++) {
            double v;
            memcpy(&v, (const unsigned char *)t->data + k * sizeof v, sizeof v);
            if (fabs(v) > FLT_MAX)
                return RNNC_FAIL(RNNC_ERR_FORMAT,
                                 "%s: tensor '%s': element %zu = %g does not fit in a float", file,
                                 t->name, k, v);
        }
    } else if (t->dtype != RNNC_DTYPE_F32) {
        static const char *const names[] = {"?", "F32", "F64", "I32", "I64", "U8", "F16", "BF16"};
        const char *dn = t->dtype >= 1 && t->dtype <= RNNC_DTYPE_BF16 ? names[t->dtype] : "?";
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s: tensor '%s' has dtype %s; parameters must be F32 or F64", file,
                         t->name, dn);
    }
    return RNNC_OK;
}

rnnc_status rnnc_model_load_params(rnnc_model *m, const rnnc_tensor_file *f) {
    if (!m || !f)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_model_load_params: NULL argument");
    const char *file = rnnc_tensor_file_name(f);
    const int n = rnnc_model_param_count(m);
    /* Everything is checked before anything is copied, so a failure leaves m as it was. */
    for (int i = 0; i < n; i++) {
        const char *name;
        int ndim;
        size_t dims[2];
        RNNC_TRY(rnnc_model_param_info(m, i, &name, &ndim, dims));
        const rnnc_tensor *t = rnnc_tensor_file_find(f, name);
        if (!t) {
            char want[64];
            shape_text(ndim, dims, want, sizeof want);
            return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: tensor '%s' %s is missing", file, name, want);
        }
        RNNC_TRY(check_param(file, t, ndim, dims));
    }
    for (int i = 0; i < rnnc_tensor_file_count(f); i++) {
        const rnnc_tensor *t = rnnc_tensor_file_tensor(f, i);
        int known = 0;
        for (int k = 0; k < n && !known; k++) {
            const char *name;
            rnnc_model_param_info(m, k, &name, NULL, NULL);
            known = !strcmp(name, t->name);
        }
        if (!known)
            return RNNC_FAIL(RNNC_ERR_FORMAT,
                             "%s: unexpected tensor '%s' (the model has no parameter of that "
                             "name)",
                             file, t->name);
    }
    for (int i = 0; i < n; i++) {
        const char *name;
        rnnc_model_param_info(m, i, &name, NULL, NULL);
        const rnnc_tensor *t = rnnc_tensor_file_find(f, name);
        size_t count;
        float *dst = rnnc_model_param(m, name, &count);
        RNNC_ASSERT(dst != NULL);
        if (t->dtype == RNNC_DTYPE_F32) {
            RNNC_ASSERT(t->nbytes == count * sizeof(float));
            memcpy(dst, t->data, t->nbytes);
        } else {
            RNNC_ASSERT(t->nbytes == count * sizeof(double));
            for (size_t k = 0; k < count; k++) {
                double v;
                memcpy(&v, (const unsigned char *)t->data + k * sizeof v, sizeof v);
                dst[k] = (float)v;
            }
        }
    }
    return RNNC_OK;
}

/* Checks that the file holds every parameter the description plans, with its shape, before the
 * model is allocated: a small file whose description asks for billions of parameters is refused
 * as a format error instead of first allocating them. */
static rnnc_status check_planned(const rnnc_config *cfg, const rnnc_tensor_file *f) {
    rnnc__plan plan;
    RNNC_TRY(rnnc__plan_build(cfg, &plan));
    const char *file = rnnc_tensor_file_name(f);
    rnnc_status st = RNNC_OK;
    for (int i = 0; i < plan.n_params && st == RNNC_OK; i++) {
        const rnnc__param *p = &plan.params[i];
        const rnnc_tensor *t = rnnc_tensor_file_find(f, p->name);
        if (t) {
            st = check_param(file, t, p->ndim, p->dims);
        } else {
            char want[64];
            shape_text(p->ndim, p->dims, want, sizeof want);
            st = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: tensor '%s' %s is missing", file, p->name, want);
        }
    }
    rnnc__plan_free(&plan);
    return st;
}

rnnc_status rnnc_model_load(const char *path, rnnc_model **out, rnnc_tensor_file **file_out) {
    if (file_out)
        *file_out = NULL;
    if (!out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_model_load: out is NULL");
    *out = NULL;
    if (!path)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_model_load: path is NULL");
    rnnc_tensor_file *f;
    RNNC_TRY(rnnc_tensor_file_read(path, &f));
    const char *text = rnnc_tensor_file_meta(f, KEY_CONFIG);
    rnnc_status st = RNNC_OK;
    rnnc_config *cfg = NULL;
    rnnc_model *m = NULL;
    if (!text)
        st = RNNC_FAIL(RNNC_ERR_FORMAT,
                       "%s: no '%s' metadata, so this is not an rnnc model file (a bare "
                       "state_dict loads with rnnc_model_load_params into a model built from its "
                       "description)",
                       path, KEY_CONFIG);
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&cfg, 1, sizeof *cfg, "model description");
    if (st == RNNC_OK) {
        char where[512];
        snprintf(where, sizeof where, "%s (metadata %s)", path, KEY_CONFIG);
        st = rnnc_config_parse(text, where, cfg);
    }
    if (st == RNNC_OK)
        st = check_planned(cfg, f);
    if (st == RNNC_OK)
        st = rnnc_model_create(cfg, 0, &m);
    if (st == RNNC_OK)
        st = rnnc_model_load_params(m, f);
    free(cfg);
    if (st != RNNC_OK) {
        rnnc_model_free(m);
        rnnc_tensor_file_free(f);
        return st;
    }
    *out = m;
    if (file_out)
        *file_out = f;
    else
        rnnc_tensor_file_free(f);
    return RNNC_OK;
}

/* ---- transfer learning ---- */

/* Whether parameter `name` is named in reinit, itself or through its layer ("dense" for
 * "dense.weight"). */
static int in_reinit(const rnnc_transfer_spec *s, const char *name) {
    for (int i = 0; s && i < s->n_reinit; i++) {
        const size_t n = strlen(s->reinit[i]);
        if (!strcmp(name, s->reinit[i]) || (!strncmp(name, s->reinit[i], n) && name[n] == '.'))
            return 1;
    }
    return 0;
}

/* Whether parameter `name` of m is indexed by the vocabulary: the first layer's embedding weight,
 * or the weight or bias of a last dense layer with one unit per token of `to`. */
static int vocab_indexed(const rnnc_model *m, const char *name, const rnnc_vocab *to) {
    const rnnc_config *c = rnnc_model_config(m);
    const char *first, *last;
    rnnc_model_layer_info(m, 0, &first, NULL, NULL, NULL);
    rnnc_model_layer_info(m, c->n_layers - 1, &last, NULL, NULL, NULL);
    const size_t nf = strlen(first), nl = strlen(last);
    if (c->layers[0].kind == RNNC_LAYER_EMBEDDING && !strncmp(name, first, nf) &&
        !strcmp(name + nf, ".weight"))
        return 1;
    const rnnc_layer_spec *d = &c->layers[c->n_layers - 1];
    return d->kind == RNNC_LAYER_DENSE && d->units == rnnc_vocab_size(to) &&
           !strncmp(name, last, nl) &&
           (!strcmp(name + nl, ".weight") || !strcmp(name + nl, ".bias"));
}

static float tensor_value(const rnnc_tensor *t, size_t k) {
    if (t->dtype == RNNC_DTYPE_F32) {
        float v;
        memcpy(&v, (const unsigned char *)t->data + k * sizeof v, sizeof v);
        return v;
    }
    double v;
    memcpy(&v, (const unsigned char *)t->data + k * sizeof v, sizeof v);
    return (float)v;
}

rnnc_status rnnc_model_transfer(rnnc_model *m, const rnnc_tensor_file *f,
                                const rnnc_transfer_spec *spec, rnnc_transfer_item **items,
                                int *n_items) {
    if (!m || !f)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_model_transfer: NULL argument");
    if (spec && (!spec->from) != (!spec->to))
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_model_transfer: give both vocabularies or neither");
    if (items)
        *items = NULL;
    if (n_items)
        *n_items = 0;
    const char *file = rnnc_tensor_file_name(f);
    const int np = rnnc_model_param_count(m), nt = rnnc_tensor_file_count(f);
    const int mapping = spec && spec->from;
    rnnc_transfer_item *it = calloc((size_t)(np + nt) + 1, sizeof *it);
    if (!it)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
    int n = 0;
    /* first every decision and every shape check, so a failure copies nothing */
    char msg[1024] = "";
    size_t at = 0;
    int bad = 0;
    for (int i = 0; i < np; i++) {
        const char *name;
        int ndim;
        size_t dims[2];
        rnnc_model_param_info(m, i, &name, &ndim, dims);
        rnnc_transfer_item *x = &it[n++];
        snprintf(x->name, sizeof x->name, "%s", name);
        const rnnc_tensor *t = rnnc_tensor_file_find(f, name);
        if (!t) {
            x->what = RNNC_TRANSFER_NEW;
            continue;
        }
        if (in_reinit(spec, name)) {
            x->what = RNNC_TRANSFER_REINIT;
            continue;
        }
        if (t->dtype != RNNC_DTYPE_F32 && t->dtype != RNNC_DTYPE_F64) {
            free(it);
            return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: tensor '%s' is not F32 or F64", file, name);
        }
        const rnnc_status fin = rnnc_tensor_check_finite(t, file);
        if (fin) {
            free(it);
            return fin;
        }
        int same = t->ndim == ndim;
        for (int d = 0; d < ndim && same; d++)
            same = t->dims[d] == dims[d];
        const int rows_fit = t->ndim == ndim && (ndim == 1 || t->dims[1] == dims[1]);
        if (mapping && vocab_indexed(m, name, spec->to) && rows_fit &&
            t->dims[0] == (size_t)rnnc_vocab_size(spec->from)) {
            x->what = RNNC_TRANSFER_MAPPED, x->rows_total = dims[0];
        } else if (same) {
            x->what = RNNC_TRANSFER_LOADED;
        } else {
            char got[128], want[64];
            shape_text(t->ndim, t->dims, got, sizeof got);
            shape_text(ndim, dims, want, sizeof want);
            if (at < sizeof msg)
                at +=
                    (size_t)snprintf(msg + at, sizeof msg - at, "%s'%s' is %s, the model needs %s",
                                     bad ? "; " : "", name, got, want);
            bad++;
        }
    }
    if (bad) {
        free(it);
        return RNNC_FAIL(RNNC_ERR_SHAPE,
                         "%s: %d tensor%s do not fit the new model: %s (name them in reinit to "
                         "start them afresh)",
                         file, bad, bad == 1 ? "" : "s", msg);
    }
    for (int k = 0; k < nt; k++) {
        const rnnc_tensor *t = rnnc_tensor_file_tensor(f, k);
        if (!rnnc_model_param(m, t->name, NULL)) {
            rnnc_transfer_item *x = &it[n++];
            snprintf(x->name, sizeof x->name, "%s", t->name);
            x->what = RNNC_TRANSFER_DROPPED;
        }
    }
    /* then the copies */
    for (int i = 0; i < np; i++) {
        rnnc_transfer_item *x = &it[i];
        if (x->what != RNNC_TRANSFER_LOADED && x->what != RNNC_TRANSFER_MAPPED)
            continue;
        const rnnc_tensor *t = rnnc_tensor_file_find(f, x->name);
        size_t count;
        float *dst = rnnc_model_param(m, x->name, &count);
        if (x->what == RNNC_TRANSFER_LOADED) {
            for (size_t k = 0; k < count; k++)
                dst[k] = tensor_value(t, k);
            continue;
        }
        const size_t cols = count / x->rows_total;
        for (size_t r = 0; r < x->rows_total; r++) {
            const char *tok = rnnc_vocab_token(spec->to, (int)r);
            int32_t from = tok ? rnnc_vocab_id(spec->from, tok, strlen(tok)) : -1;
            if (from == RNNC_VOCAB_OOV && r != RNNC_VOCAB_OOV)
                continue; /* a token the pretrained model never saw */
            for (size_t c = 0; c < cols; c++)
                dst[r * cols + c] = tensor_value(t, (size_t)from * cols + c);
            x->rows++;
        }
    }
    if (items)
        *items = it;
    else
        free(it);
    if (n_items)
        *n_items = n;
    return RNNC_OK;
}
