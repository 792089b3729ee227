/* Training on arrays (rnnc/arrays.h): sequences in memory or from a callback, a regression,
 * classification or per-step target; supplies the shared training loop (src/train/fit.c) with
 * batches and losses, scores and predicts, and reads and writes the model file: the model plus
 * metadata "rnnc.task" = "arrays" and "rnnc.arrays" ("target=...", "outputs=...", "features=..."
 * lines; features 0 for ids). */
#include "rnnc.h"

#include "../train/fit.h"
#include "task.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const target_names[] = {"", "regression", "classes", "steps"};

/* ---- checks and views ---- */

static int has_ptrs(const rnnc_arrays *a) {
    return a->x || a->ids || a->lengths || a->y || a->labels;
}

/* need_target 0: the target's arrays may be absent (prediction). */
static rnnc_status check_arrays(const rnnc_arrays *a, const rnnc_model *m, const char *what,
                                int need_target) {
    if (!a)
        return RNNC_FAIL(RNNC_ERR_ARG, "%s: NULL arrays", what);
    if (a->n == 0 || a->T < 1)
        return RNNC_FAIL(RNNC_ERR_SHAPE, "%s: n = %zu sequences of T = %d steps; both must be >= 1",
                         what, a->n, a->T);
    if (a->F < 0 || a->F > 1000000)
        return RNNC_FAIL(RNNC_ERR_SHAPE, "%s: F = %d features", what, a->F);
    if (a->target < RNNC_TARGET_REGRESSION || a->target > RNNC_TARGET_STEPS)
        return RNNC_FAIL(RNNC_ERR_ARG, "%s: target %d is not regression, classes or steps", what,
                         (int)a->target);
    if (a->outputs < (a->target == RNNC_TARGET_REGRESSION ? 1 : 2) || a->outputs > 1000000)
        return RNNC_FAIL(RNNC_ERR_SHAPE, "%s: outputs = %d (%s)", what, a->outputs,
                         a->target == RNNC_TARGET_REGRESSION ? "at least 1" : "at least 2 classes");
    size_t cells;
    if (rnnc__mul(a->n, (size_t)a->T, &cells) ||
        rnnc__mul(cells, (size_t)(a->F ? a->F : 1), &cells))
        return RNNC_FAIL(RNNC_ERR_SHAPE, "%s: n*T*F overflows", what);
    if (a->fill) {
        if (has_ptrs(a))
            return RNNC_FAIL(RNNC_ERR_ARG, "%s: give either the callback fill or the arrays", what);
    } else {
        if (!a->x == !a->ids || (a->x && a->F < 1) || (a->ids && a->F != 0))
            return RNNC_FAIL(RNNC_ERR_ARG,
                             "%s: give exactly one input: x with F >= 1, or ids with F = 0", what);
        const int reg = a->target == RNNC_TARGET_REGRESSION;
        if (need_target && (reg ? !a->y || a->labels : !a->labels || a->y))
            return RNNC_FAIL(RNNC_ERR_ARG, "%s: a %s target takes %s (and not %s)", what,
                             target_names[a->target], reg ? "y" : "labels", reg ? "labels" : "y");
        for (size_t i = 0; a->lengths && i < a->n; i++)
            if (a->lengths[i] < 1 || a->lengths[i] > a->T)
                return RNNC_FAIL(RNNC_ERR_ARG, "%s: lengths[%zu] = %d is outside [1, %d]", what, i,
                                 a->lengths[i], a->T);
        const size_t nl = a->target == RNNC_TARGET_STEPS ? a->n * (size_t)a->T : a->n;
        for (size_t i = 0; a->labels && i < nl; i++)
            if (a->labels[i] >= a->outputs ||
                a->labels[i] < (a->target == RNNC_TARGET_STEPS ? -1 : 0))
                return RNNC_FAIL(RNNC_ERR_ARG, "%s: label %d at %zu (row %zu) is outside [%d, %d)",
                                 what, a->labels[i], i,
                                 a->target == RNNC_TARGET_STEPS ? i / (size_t)a->T : i,
                                 a->target == RNNC_TARGET_STEPS ? -1 : 0, a->outputs);
        for (size_t i = 0; a->ids && i < a->n * (size_t)a->T; i++)
            if (a->ids[i] < 0)
                return RNNC_FAIL(RNNC_ERR_ARG, "%s: id %d at %zu (row %zu) is negative", what,
                                 a->ids[i], i, i / (size_t)a->T);
    }
    if (!m)
        return RNNC_OK;
    const rnnc_config *c = rnnc_model_config(m);
    const int emb = c->n_layers > 0 && c->layers[0].kind == RNNC_LAYER_EMBEDDING;
    if (emb != (a->F == 0))
        return RNNC_FAIL(RNNC_ERR_SHAPE, "%s: the model %s, but the data give %s", what,
                         emb ? "starts with an embedding (it takes ids)" : "takes features",
                         a->F ? "features (x)" : "ids");
    if (!emb && c->input_size != a->F)
        return RNNC_FAIL(RNNC_ERR_SHAPE,
                         "%s: the model takes %d features per step (input_size), the data give %d",
                         what, c->input_size, a->F);
    for (size_t i = 0; emb && a->ids && i < a->n * (size_t)a->T; i++)
        if (a->ids[i] >= c->layers[0].vocab)
            return RNNC_FAIL(RNNC_ERR_ARG,
                             "%s: id %d at %zu (row %zu) is not below the vocabulary "
                             "size %d",
                             what, a->ids[i], i, i / (size_t)a->T, c->layers[0].vocab);
    size_t of;
    int seq;
    RNNC_TRY(rnnc_model_layer_info(m, c->n_layers - 1, NULL, NULL, &of, &seq));
    const int want_seq = a->target == RNNC_TARGET_STEPS;
    if (seq != want_seq || of != (size_t)a->outputs)
        return RNNC_FAIL(RNNC_ERR_SHAPE,
                         "%s: a %s target of %d outputs needs a last layer giving %d features %s; "
                         "the model's gives %zu %s",
                         what, target_names[a->target], a->outputs, a->outputs,
                         want_seq ? "per step (return_sequences)" : "per sequence", of,
                         seq ? "per step" : "per sequence");
    return RNNC_OK;
}

rnnc_status rnnc_arrays_check(const rnnc_arrays *a, const rnnc_model *m, const char *what) {
    return check_arrays(a, m, what, 1);
}

rnnc_status rnnc_arrays_slice(const rnnc_arrays *a, size_t from, size_t count, rnnc_arrays *out) {
    if (!a || !out || from > a->n || count > a->n - from)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_arrays_slice: rows [%zu, +%zu) of %zu", from, count,
                         a ? a->n : 0);
    *out = *a;
    out->n = count;
    const size_t T = (size_t)a->T, F = (size_t)a->F;
    if (a->fill) {
        out->first = a->first + from;
        return RNNC_OK;
    }
    if (a->x)
        out->x = a->x + from * T * F;
    if (a->ids)
        out->ids = a->ids + from * T;
    if (a->lengths)
        out->lengths = a->lengths + from;
    if (a->y)
        out->y = a->y + from * (size_t)a->outputs;
    if (a->labels)
        out->labels = a->labels + from * (a->target == RNNC_TARGET_STEPS ? T : 1);
    return RNNC_OK;
}

rnnc_arrays_info rnnc_arrays_describe(const rnnc_arrays *a) {
    rnnc_arrays_info i = {a->target, a->outputs, a->F};
    return i;
}

/* ---- batches ---- */

typedef struct ctx {
    rnnc_model *m;
    const rnnc_arrays *set[2];
    int T, F, C; /* C: outputs */
    enum rnnc_target_kind target;
    /* batch-major staging (B,T,F), (B,T), (B), (B,C), (B,T) */
    float *sx, *sy;
    int32_t *sids, *slen, *slab;
    /* time-major model input and targets */
    float *bx, *probs;
    int32_t *bids, *blab;
    int Tb; /* the batch's steps: its longest sequence */
    size_t cap_B;
} ctx;

static void ctx_free(ctx *c) {
    free(c->sx), free(c->sy), free(c->sids), free(c->slen), free(c->slab);
    free(c->bx), free(c->probs), free(c->bids), free(c->blab);
}

static rnnc_status ctx_room(ctx *c, int B) {
    if ((size_t)B <= c->cap_B)
        return RNNC_OK;
    ctx_free(c);
    c->sx = NULL, c->sy = NULL, c->sids = c->slen = c->slab = NULL;
    c->bx = c->probs = NULL, c->bids = c->blab = NULL;
    const size_t b = (size_t)B, T = (size_t)c->T, F = (size_t)(c->F ? c->F : 1), C = (size_t)c->C;
    c->cap_B = 0;
    RNNC_TRY(rnnc__calloc((void **)&c->sx, b * T, F * sizeof(float), "a batch"));
    RNNC_TRY(rnnc__calloc((void **)&c->bx, b * T, F * sizeof(float), "a batch"));
    RNNC_TRY(rnnc__calloc((void **)&c->sids, b * T, sizeof(int32_t), "a batch"));
    RNNC_TRY(rnnc__calloc((void **)&c->bids, b * T, sizeof(int32_t), "a batch"));
    RNNC_TRY(rnnc__calloc((void **)&c->slen, b, sizeof(int32_t), "a batch"));
    RNNC_TRY(rnnc__calloc((void **)&c->sy, b, C * sizeof(float), "a batch"));
    RNNC_TRY(rnnc__calloc((void **)&c->slab, b * T, sizeof(int32_t), "a batch"));
    RNNC_TRY(rnnc__calloc((void **)&c->blab, b * T, sizeof(int32_t), "a batch"));
    RNNC_TRY(rnnc__calloc((void **)&c->probs, b * T, C * sizeof(float), "a batch"));
    c->cap_B = b;
    return RNNC_OK;
}

/* Rows idx[0..B) of a into the staging buffers; with_target 0 leaves the targets out. */
static rnnc_status gather(ctx *c, const rnnc_arrays *a, const size_t *idx, int B, int with_target) {
    RNNC_TRY(ctx_room(c, B));
    const size_t T = (size_t)c->T, F = (size_t)c->F, C = (size_t)c->C;
    const int steps = c->target == RNNC_TARGET_STEPS, reg = c->target == RNNC_TARGET_REGRESSION;
    for (int b = 0; b < B; b++)
        c->slen[b] = c->T;
    if (a->fill) {
        size_t stack[256], *rows = B <= 256 ? stack : malloc((size_t)B * sizeof *rows);
        if (!rows)
            return RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
        for (int b = 0; b < B; b++)
            rows[b] = a->first + idx[b];
        if (steps)
            for (size_t i = 0; i < (size_t)B * T; i++)
                c->slab[i] = -1;
        rnnc_status st = a->fill(a->user, rows, B, F ? c->sx : NULL, F ? NULL : c->sids, c->slen,
                                 reg ? c->sy : NULL, reg ? NULL : c->slab);
        if (rows != stack)
            free(rows);
        if (st != RNNC_OK)
            return rnnc__fail_prefix(st, "the arrays' fill callback");
        for (int b = 0; b < B; b++)
            if (c->slen[b] < 1 || c->slen[b] > c->T)
                return RNNC_FAIL(RNNC_ERR_ARG,
                                 "the arrays' fill callback gave row %zu the length %d, outside "
                                 "[1, %d]",
                                 a->first + idx[b], c->slen[b], c->T);
        for (size_t i = 0; !reg && i < (size_t)B * (steps ? T : 1); i++)
            if (c->slab[i] >= c->C || c->slab[i] < (steps ? -1 : 0))
                return RNNC_FAIL(RNNC_ERR_ARG,
                                 "the arrays' fill callback gave row %zu the label %d, outside "
                                 "[%d, %d)",
                                 a->first + idx[i / (steps ? T : 1)], c->slab[i], steps ? -1 : 0,
                                 c->C);
        return RNNC_OK;
    }
    for (int b = 0; b < B; b++) {
        const size_t r = idx[b];
        if (F)
            memcpy(c->sx + (size_t)b * T * F, a->x + r * T * F, T * F * sizeof(float));
        else
            memcpy(c->sids + (size_t)b * T, a->ids + r * T, T * sizeof(int32_t));
        if (a->lengths)
            c->slen[b] = a->lengths[r];
        if (!with_target)
            continue;
        if (reg)
            memcpy(c->sy + (size_t)b * C, a->y + r * C, C * sizeof(float));
        else if (steps)
            memcpy(c->slab + (size_t)b * T, a->labels + r * T, T * sizeof(int32_t));
        else
            c->slab[b] = a->labels[r];
    }
    return RNNC_OK;
}

/* The staged batch as the model's time-major input, cut to its longest sequence. */
static void to_batch(ctx *c, int B, rnnc_batch *out) {
    const size_t T = (size_t)c->T, F = (size_t)c->F;
    int Tb = 1;
    for (int b = 0; b < B; b++)
        Tb = c->slen[b] > Tb ? c->slen[b] : Tb;
    c->Tb = Tb;
    for (size_t t = 0; t < (size_t)Tb; t++)
        for (size_t b = 0; b < (size_t)B; b++) {
            if (F)
                memcpy(c->bx + (t * (size_t)B + b) * F, c->sx + (b * T + t) * F, F * sizeof(float));
            else
                c->bids[t * (size_t)B + b] = c->sids[b * T + t];
        }
    memset(out, 0, sizeof *out);
    out->T = Tb, out->B = B;
    if (F)
        out->x = c->bx;
    else
        out->ids = c->bids;
    int all = 1;
    for (int b = 0; b < B; b++)
        all &= c->slen[b] == Tb;
    out->lengths = all ? NULL : c->slen;
    out->padding = RNNC_PAD_POST;
}

static rnnc_status task_batch(void *self, int set, const size_t *idx, int B, rnnc_batch *out) {
    ctx *c = self;
    RNNC_TRY(gather(c, c->set[set], idx, B, 1));
    to_batch(c, B, out);
    return RNNC_OK;
}

/* Softmax of n rows of C logits into p. */
static void softmax_rows(const float *z, size_t n, size_t C, float *p) {
    for (size_t i = 0; i < n; i++) {
        const float *r = z + i * C;
        float mx = r[0];
        for (size_t k = 1; k < C; k++)
            mx = r[k] > mx ? r[k] : mx;
        double s = 0;
        for (size_t k = 0; k < C; k++)
            s += exp((double)r[k] - mx);
        for (size_t k = 0; k < C; k++)
            p[i * C + k] = (float)(exp((double)r[k] - mx) / s);
    }
}

/* The time-major per-step targets (Tb,B) of the staged batch: -1 past each length. */
static void step_targets(ctx *c, int B) {
    const size_t T = (size_t)c->T;
    for (size_t t = 0; t < (size_t)c->Tb; t++)
        for (size_t b = 0; b < (size_t)B; b++)
            c->blab[t * (size_t)B + b] = (int32_t)t < c->slen[b] ? c->slab[b * T + t] : -1;
}

/* Loss (and dout) of output `out` for the staged batch; the class scores added to met. */
static rnnc_status batch_loss(ctx *c, int B, const float *out, float *dout, double *loss,
                              rnnc_metrics *met) {
    const size_t C = (size_t)c->C;
    if (c->target == RNNC_TARGET_REGRESSION) {
        *loss = rnnc_loss_mse(out, c->sy, (size_t)B * C, dout);
        return RNNC_OK;
    }
    const int32_t *lab = c->slab;
    size_t rows = (size_t)B;
    if (c->target == RNNC_TARGET_STEPS) {
        step_targets(c, B);
        lab = c->blab, rows = (size_t)c->Tb * (size_t)B;
    }
    RNNC_TRY(rnnc_loss_softmax_ce(out, lab, rows, C, -1, loss, NULL, dout));
    if (!met)
        return RNNC_OK;
    softmax_rows(out, rows, C, c->probs);
    size_t k = 0; /* the counted rows, packed */
    for (size_t i = 0; i < rows; i++)
        if (lab[i] >= 0) {
            if (k != i)
                memmove(c->probs + k * C, c->probs + i * C, C * sizeof(float));
            c->blab[k++] = lab[i];
        }
    return k ? rnnc_metrics_add(met, c->probs, k, C, c->blab) : RNNC_OK;
}

static rnnc_status task_loss(void *self, int set, const size_t *idx, int B, const float *out,
                             float *dout, double *loss, rnnc_metrics *met) {
    (void)set, (void)idx;
    return batch_loss(self, B, out, dout, loss, met);
}

/* ---- the model file ---- */

static void info_meta(const rnnc_arrays_info *i, char *buf, size_t cap) {
    snprintf(buf, cap, "target=%s\noutputs=%d\nfeatures=%d\n", target_names[i->target], i->outputs,
             i->F);
}

static rnnc_status save_with(const rnnc_model *m, const rnnc_arrays_info *info, const char *path,
                             const char *key, const char *value) {
    char meta[128];
    info_meta(info, meta, sizeof meta);
    const char *k[] = {"rnnc.arrays"}, *v[] = {meta};
    return rnnc__task_save(m, path, "arrays", k, v, 1, key, value);
}

/* The model fits the info: its input and its last layer. */
static rnnc_status check_info(const rnnc_model *m, const rnnc_arrays_info *i, const char *what) {
    const rnnc_config *c = rnnc_model_config(m);
    const int emb = c->n_layers > 0 && c->layers[0].kind == RNNC_LAYER_EMBEDDING;
    if (i->F < 0 || (emb != (i->F == 0)) || (!emb && c->input_size != i->F))
        return RNNC_FAIL(RNNC_ERR_ARG, "%s: the model takes %s, the arrays task says %d features",
                         what, emb ? "ids" : "features", i->F);
    size_t of;
    int seq;
    RNNC_TRY(rnnc_model_layer_info(m, c->n_layers - 1, NULL, NULL, &of, &seq));
    if (i->target < RNNC_TARGET_REGRESSION || i->target > RNNC_TARGET_STEPS ||
        seq != (i->target == RNNC_TARGET_STEPS) || of != (size_t)i->outputs)
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "%s: the model's last layer (%zu features %s) does not give a %s target "
                         "of %d outputs",
                         what, of, seq ? "per step" : "per sequence",
                         i->target >= 1 && i->target <= 3 ? target_names[i->target] : "?",
                         i->outputs);
    return RNNC_OK;
}

rnnc_status rnnc_arrays_save(const rnnc_model *m, const rnnc_arrays_info *info, const char *path) {
    if (!m || !info || !path)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_arrays_save: NULL argument");
    RNNC_TRY(check_info(m, info, path));
    return save_with(m, info, path, NULL, NULL);
}

rnnc_status rnnc_arrays_load(const char *path, rnnc_model **m, rnnc_arrays_info *info) {
    if (!path || !m || !info)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_arrays_load: NULL argument");
    rnnc_tensor_file *f = NULL;
    RNNC_TRY(rnnc__task_load(path, "arrays", "a model trained on arrays", m, &f));
    const char *meta = rnnc_tensor_file_meta(f, "rnnc.arrays");
    char target[32] = "";
    int outputs = 0, F = -1, used = 0;
    rnnc_status st = RNNC_OK;
    if (!meta ||
        sscanf(meta, "target=%31[a-z]\noutputs=%d\nfeatures=%d\n%n", target, &outputs, &F, &used) !=
            3 ||
        meta[used] != 0)
        st = RNNC_FAIL(RNNC_ERR_FORMAT,
                       "%s: metadata rnnc.arrays is %s (target=, outputs=, features= lines)", path,
                       meta ? "malformed" : "missing");
    int t = 0;
    for (int k = 1; k <= 3; k++)
        if (!strcmp(target, target_names[k]))
            t = k;
    if (st == RNNC_OK && !t)
        st = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: rnnc.arrays: unknown target '%s'", path, target);
    if (st == RNNC_OK) {
        info->target = t, info->outputs = outputs, info->F = F;
        st = check_info(*m, info, path);
        if (st != RNNC_OK)
            st = rnnc__fail_prefix(RNNC_ERR_FORMAT, "rnnc.arrays");
    }
    rnnc_tensor_file_free(f);
    if (st != RNNC_OK) {
        rnnc_model_free(*m);
        *m = NULL;
    }
    return st;
}

/* ---- training ---- */

typedef struct fit_self {
    ctx c;
    rnnc_arrays_info info;
} fit_self;

static rnnc_status task_save(void *self, const char *path, const char *key, const char *value) {
    fit_self *s = self;
    return save_with(s->c.m, &s->info, path, key, value);
}

static void hash_arrays(rnnc__setup *b, const char *key, const rnnc_arrays *a) {
    if (!a) {
        rnnc__setup_add(b, key, "none");
        return;
    }
    if (a->fill) {
        rnnc__setup_add(b, key, "%zu rows from a callback (first %zu)", a->n, a->first);
        return;
    }
    const size_t T = (size_t)a->T, F = (size_t)a->F;
    uint64_t h = RNNC__HASH_INIT;
    if (a->x)
        h = rnnc__hash(h, a->x, a->n * T * F * sizeof(float));
    if (a->ids)
        h = rnnc__hash(h, a->ids, a->n * T * sizeof(int32_t));
    if (a->lengths)
        h = rnnc__hash(h, a->lengths, a->n * sizeof(int32_t));
    if (a->y)
        h = rnnc__hash(h, a->y, a->n * (size_t)a->outputs * sizeof(float));
    if (a->labels)
        h = rnnc__hash(h, a->labels,
                       a->n * (a->target == RNNC_TARGET_STEPS ? T : 1) * sizeof(int32_t));
    rnnc__setup_hash(b, key, a->n, "rows", h);
}

rnnc_status rnnc_fit_arrays(rnnc_model *m, const rnnc_arrays *train, const rnnc_arrays *val,
                            const rnnc_fit_spec *spec, rnnc_epoch_report *last) {
    if (!m || !train || !spec)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_fit_arrays: NULL argument");
    RNNC_TRY(rnnc_arrays_check(train, m, "the training data"));
    if (val) {
        RNNC_TRY(rnnc_arrays_check(val, m, "the validation data"));
        if (val->T != train->T || val->target != train->target || val->outputs != train->outputs)
            return RNNC_FAIL(RNNC_ERR_SHAPE,
                             "the validation data (T %d, %s, %d outputs) do not match the "
                             "training data (T %d, %s, %d outputs)",
                             val->T, target_names[val->target], val->outputs, train->T,
                             target_names[train->target], train->outputs);
    }
    fit_self s;
    memset(&s, 0, sizeof s);
    s.c.m = m, s.c.set[0] = train, s.c.set[1] = val;
    s.c.T = train->T, s.c.F = train->F, s.c.C = train->outputs, s.c.target = train->target;
    s.info = rnnc_arrays_describe(train);
    rnnc__setup b = {0};
    rnnc__setup_add(&b, "target", "%s", target_names[train->target]);
    rnnc__setup_add(&b, "outputs", "%d", train->outputs);
    rnnc__setup_add(&b, "steps", "%d", train->T);
    rnnc__setup_add(&b, "features", "%d", train->F);
    hash_arrays(&b, "train", train);
    hash_arrays(&b, "validation", val);
    char *setup = NULL;
    rnnc_status st = rnnc__setup_done(&b, &setup);
    if (st == RNNC_OK) {
        rnnc__task t;
        memset(&t, 0, sizeof t);
        t.self = &s, t.model = m;
        t.n_classes = train->target == RNNC_TARGET_REGRESSION ? 2 : train->outputs;
        t.n_train = train->n, t.n_val = val ? val->n : 0;
        t.batch = task_batch, t.loss = task_loss, t.save = task_save;
        t.setup = setup;
        st = rnnc__fit(&t, spec, last);
    }
    free(setup);
    ctx_free(&s.c);
    return st;
}

/* ---- scoring and prediction ---- */

/* Rows [r0, r0 + B) of a through c's model in inference (idx: room for B row numbers); *o is
 * the model's output. with_target: the targets are gathered too. */
static rnnc_status forward_rows(ctx *c, const rnnc_arrays *a, size_t *idx, size_t r0, int B,
                                int with_target, const float **o) {
    for (int b = 0; b < B; b++)
        idx[b] = r0 + (size_t)b;
    RNNC_TRY(gather(c, a, idx, B, with_target));
    rnnc_batch batch;
    to_batch(c, B, &batch);
    RNNC_TRY(rnnc_model_forward(c->m, &batch, 0));
    *o = rnnc_model_output(c->m, NULL, NULL);
    return RNNC_OK;
}

rnnc_status rnnc_arrays_evaluate(rnnc_model *m, const rnnc_arrays *a, int batch_size,
                                 rnnc_arrays_scores *out) {
    if (!m || !a || !out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_arrays_evaluate: NULL argument");
    RNNC_TRY(rnnc_arrays_check(a, m, "the data"));
    const int B0 = batch_size > 0 ? batch_size : 256;
    ctx c;
    memset(&c, 0, sizeof c);
    c.m = m, c.T = a->T, c.F = a->F, c.C = a->outputs, c.target = a->target;
    const size_t C = (size_t)c.C;
    rnnc_metrics *met = NULL;
    double *sum = NULL, *sq = NULL;
    size_t *idx = NULL;
    rnnc_status st = RNNC_OK;
    if (a->target != RNNC_TARGET_REGRESSION)
        st = rnnc_metrics_create(a->outputs, &met);
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&sum, C, sizeof(double), "sums");
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&sq, C, sizeof(double), "sums");
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&idx, (size_t)B0, sizeof(size_t), "a batch");
    double loss_sum = 0, weight = 0, abs_err = 0, sq_err = 0;
    for (size_t r0 = 0; st == RNNC_OK && r0 < a->n; r0 += (size_t)B0) {
        const int B = (int)(a->n - r0 < (size_t)B0 ? a->n - r0 : (size_t)B0);
        const float *o;
        st = forward_rows(&c, a, idx, r0, B, 1, &o);
        if (st != RNNC_OK)
            break;
        double l;
        st = batch_loss(&c, B, o, NULL, &l, met);
        if (st != RNNC_OK)
            break;
        if (a->target == RNNC_TARGET_REGRESSION) {
            for (size_t i = 0; i < (size_t)B * C; i++) {
                const double d = (double)o[i] - c.sy[i];
                abs_err += fabs(d), sq_err += d * d;
                sum[i % C] += c.sy[i], sq[i % C] += (double)c.sy[i] * c.sy[i];
            }
            loss_sum += l * (double)B, weight += B;
        } else {
            size_t counted = 0;
            const size_t rows =
                a->target == RNNC_TARGET_STEPS ? (size_t)c.Tb * (size_t)B : (size_t)B;
            /* batch_loss packed the counted labels into blab: count them from the targets */
            if (a->target == RNNC_TARGET_STEPS) {
                step_targets(&c, B);
                for (size_t i = 0; i < rows; i++)
                    counted += c.blab[i] >= 0;
            } else {
                counted = (size_t)B;
            }
            loss_sum += l * (double)counted, weight += (double)counted;
        }
    }
    if (st == RNNC_OK) {
        memset(out, 0, sizeof *out);
        out->loss = weight > 0 ? loss_sum / weight : 0;
        out->mae = out->rmse = out->r2 = NAN;
        if (a->target == RNNC_TARGET_REGRESSION) {
            const double n = (double)a->n;
            double sst = 0;
            for (size_t k = 0; k < C; k++)
                sst += sq[k] - sum[k] * sum[k] / n;
            out->n = a->n;
            out->mae = abs_err / (n * (double)C);
            out->rmse = sqrt(sq_err / (n * (double)C));
            out->r2 = sst > 0 ? 1 - sq_err / sst : NAN;
            out->metrics = rnnc_metrics_values(NULL);
        } else {
            out->metrics = rnnc_metrics_values(met);
            out->n = out->metrics.n;
        }
    }
    rnnc_metrics_free(met);
    free(sum), free(sq), free(idx);
    ctx_free(&c);
    return st;
}

rnnc_status rnnc_arrays_predict(rnnc_model *m, const rnnc_arrays *a, int batch_size, float *out) {
    if (!m || !a || !out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_arrays_predict: NULL argument");
    RNNC_TRY(check_arrays(a, m, "the data", 0));
    const int B0 = batch_size > 0 ? batch_size : 256;
    ctx c;
    memset(&c, 0, sizeof c);
    c.m = m, c.T = a->T, c.F = a->F, c.C = a->outputs, c.target = a->target;
    const size_t C = (size_t)c.C, T = (size_t)a->T;
    size_t *idx = NULL;
    rnnc_status st = rnnc__calloc((void **)&idx, (size_t)B0, sizeof(size_t), "a batch");
    for (size_t r0 = 0; st == RNNC_OK && r0 < a->n; r0 += (size_t)B0) {
        const int B = (int)(a->n - r0 < (size_t)B0 ? a->n - r0 : (size_t)B0);
        const float *o;
        st = forward_rows(&c, a, idx, r0, B, 0, &o);
        if (st != RNNC_OK)
            break;
        float *dst = out + r0 * (a->target == RNNC_TARGET_STEPS ? T * C : C);
        if (a->target == RNNC_TARGET_REGRESSION) {
            memcpy(dst, o, (size_t)B * C * sizeof(float));
        } else if (a->target == RNNC_TARGET_CLASSES) {
            softmax_rows(o, (size_t)B, C, dst);
        } else {
            memset(dst, 0, (size_t)B * T * C * sizeof(float));
            for (size_t t = 0; t < (size_t)c.Tb; t++)
                for (size_t b = 0; b < (size_t)B; b++)
                    if ((int32_t)t < c.slen[b])
                        softmax_rows(o + (t * (size_t)B + b) * C, 1, C, dst + (b * T + t) * C);
        }
    }
    free(idx);
    ctx_free(&c);
    return st;
}
