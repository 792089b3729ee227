/* Translation: a model ending in a decoder (src/nn/decoder.c) trained on sentence pairs with
 * teacher forcing. The pairs are encoded with one vocabulary per side, sorted by length and cut
 * into batches that the shared training loop (src/train/fit.c) shuffles as wholes; the loss is the
 * token cross-entropy over the decoder's logits, padding ignored, with optional label smoothing.
 * The model file holds the model plus "rnnc.task" = "translate", "rnnc.translate" (the spec as
 * "key=value" lines), "rnnc.vocab.src", "rnnc.vocab.tgt" and the data file. */
#include "../formats/values.h"
#include "../train/fit.h"
#include "task.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the spec ---- */

void rnnc_translate_spec_defaults(rnnc_translate_spec *out, size_t size) {
    rnnc_translate_spec s;
    memset(&s, 0, sizeof s);
    s.prefix = RNNC_PREFIX_NONE;
    s.validation_split = 0.1, s.test_split = 0.1, s.split_seed = 1;
    s.src_min_freq = s.tgt_min_freq = 1;
    s.detok = RNNC_DETOK_FR;
    s.teacher_forcing = 1;
    s.struct_size = sizeof s;
    rnnc__spec_fill(out, size, &s, sizeof s);
}

static rnnc_status check_spec(const rnnc_translate_spec *s) {
    if (s->swap != 0 && s->swap != 1)
        return RNNC_FAIL(RNNC_ERR_ARG, "translate: swap must be 0 or 1, got %d", s->swap);
    if (s->max_tokens < 0)
        return RNNC_FAIL(RNNC_ERR_ARG, "translate: max_tokens must be >= 0, got %d", s->max_tokens);
    if (s->prefix != RNNC_PREFIX_NONE && s->prefix != RNNC_PREFIX_TUTORIAL)
        return RNNC_FAIL(RNNC_ERR_ARG, "translate: unknown prefix filter %d (none or tutorial)",
                         (int)s->prefix);
    if (!(s->validation_split >= 0 && s->test_split >= 0 &&
          s->validation_split + s->test_split < 1))
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "translate: validation_split %g and test_split %g must be >= 0 with a "
                         "sum below 1",
                         s->validation_split, s->test_split);
    const int words[2] = {s->src_words, s->tgt_words};
    for (int k = 0; k < 2; k++)
        if (words[k] < 0 || (words[k] > 0 && words[k] <= RNNC_PAIRS_EOS + 1))
            return RNNC_FAIL(RNNC_ERR_ARG,
                             "translate: %s_words must be 0 (all) or at least %d, got %d",
                             k ? "tgt" : "src", RNNC_PAIRS_EOS + 2, words[k]);
    if (s->src_min_freq < 0 || s->tgt_min_freq < 0)
        return RNNC_FAIL(RNNC_ERR_ARG, "translate: min_freq must be >= 0");
    if (!(s->label_smoothing >= 0 && s->label_smoothing < 1))
        return RNNC_FAIL(RNNC_ERR_ARG, "translate: label_smoothing must be in [0, 1), got %g",
                         s->label_smoothing);
    if (!(s->teacher_forcing >= 0 && s->teacher_forcing <= 1))
        return RNNC_FAIL(RNNC_ERR_ARG, "translate: teacher_forcing must be in [0, 1], got %g",
                         s->teacher_forcing);
    if (s->detok != RNNC_DETOK_EN && s->detok != RNNC_DETOK_FR)
        return RNNC_FAIL(RNNC_ERR_ARG, "translate: unknown detok style %d (en or fr)",
                         (int)s->detok);
    return RNNC_OK;
}

static char *spec_to_meta(const rnnc_translate_spec *s) {
    char *out = malloc(1024);
    if (out)
        snprintf(out, 1024,
                 "swap=%d\nmax_tokens=%d\nprefix=%d\nvalidation_split=%.17g\ntest_split=%.17g\n"
                 "split_seed=%llu\nsrc_words=%d\ntgt_words=%d\nsrc_min_freq=%d\ntgt_min_freq=%d\n"
                 "label_smoothing=%.17g\ndetok=%d\nteacher_forcing=%.17g\n",
                 s->swap, s->max_tokens, (int)s->prefix, s->validation_split, s->test_split,
                 (unsigned long long)s->split_seed, s->src_words, s->tgt_words, s->src_min_freq,
                 s->tgt_min_freq, s->label_smoothing, (int)s->detok, s->teacher_forcing);
    return out;
}

static rnnc_status spec_from_meta(rnnc_translate_spec *s, const char *meta, const char *path) {
    *s = rnnc_translate_spec_init();
    if (!meta)
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: metadata rnnc.translate is missing", path);
    static const char *const ints[] = {"swap",      "max_tokens",   "prefix",       "src_words",
                                       "tgt_words", "src_min_freq", "tgt_min_freq", "detok"};
    int *idst[] = {&s->swap,      &s->max_tokens,   (int *)&s->prefix, &s->src_words,
                   &s->tgt_words, &s->src_min_freq, &s->tgt_min_freq,  (int *)&s->detok};
    static const char *const dbls[] = {"validation_split", "test_split", "label_smoothing",
                                       "teacher_forcing"};
    double *ddst[] = {&s->validation_split, &s->test_split, &s->label_smoothing,
                      &s->teacher_forcing};
    const char *p = meta, *k = NULL, *v = NULL;
    int line = 0, more;
    char buf[128];
    while ((more = rnnc__meta_line(&p, &line, buf, sizeof buf, path, "rnnc.translate", &k, &v))) {
        if (more < 0)
            return more;
        int ok = 0;
        long l;
        double d;
        for (int i = 0; i < 8 && !ok; i++)
            if (!strcmp(k, ints[i]) && !rnnc__value_long(v, 0, 1L << 30, &l))
                *idst[i] = (int)l, ok = 1;
        for (int i = 0; i < 4 && !ok; i++)
            if (!strcmp(k, dbls[i]) && !rnnc__value_double(v, &d))
                *ddst[i] = d, ok = 1;
        if (!ok && !strcmp(k, "split_seed")) {
            char *end;
            s->split_seed = (uint64_t)strtoull(v, &end, 10);
            ok = end != v && !*end;
        }
        if (!ok)
            return RNNC_FAIL(RNNC_ERR_FORMAT,
                             "%s: metadata rnnc.translate line %d: '%s=%s' is not a known key "
                             "with a value of its kind",
                             path, line, k, v);
    }
    if (check_spec(s) != RNNC_OK)
        return rnnc__fail_prefix(RNNC_ERR_FORMAT, path);
    return RNNC_OK;
}

_Static_assert(sizeof(enum rnnc_translate_prefix) == sizeof(int) &&
                   sizeof(enum rnnc_detok_style) == sizeof(int),
               "the spec's enum fields are ints");

/* ---- the data ---- */

rnnc_status rnnc_translate_read(const rnnc_translate_spec *spec, const char *path,
                                const rnnc_read_limits *lim, rnnc_pairs **train, rnnc_pairs **val,
                                rnnc_pairs **test) {
    if (!spec || !path)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_translate_read: NULL argument");
    RNNC_TRY(RNNC__SPEC_CHECK(spec, rnnc_translate_spec));
    RNNC_TRY(check_spec(spec));
    rnnc_pairs_source src = rnnc_pairs_source_init();
    src.path = path, src.swap = spec->swap;
    if (lim)
        src.limits = *lim;
    rnnc_pairs *p = NULL, *parts[3] = {NULL, NULL, NULL};
    RNNC_TRY(rnnc_pairs_read(&src, &p));
    rnnc_pairs_filter_spec f = rnnc_pairs_filter_init();
    f.max_src_tokens = f.max_tgt_tokens = (size_t)spec->max_tokens;
    if (spec->prefix == RNNC_PREFIX_TUTORIAL)
        f.prefixes = rnnc_pairs_tutorial_prefixes(&f.n_prefixes);
    const size_t before = p->n;
    rnnc_status s = rnnc_pairs_filter(p, &f);
    if (s == RNNC_OK && p->n == 0)
        s = RNNC_FAIL(RNNC_ERR_FORMAT,
                      "%s: none of its %zu pairs passes the filters (max_tokens %d, prefix %s)",
                      path, before, spec->max_tokens,
                      spec->prefix == RNNC_PREFIX_TUTORIAL ? "tutorial" : "none");
    if (s == RNNC_OK)
        s = rnnc_pairs_split(p, spec->validation_split, spec->test_split, spec->split_seed,
                             &parts[0], &parts[1], &parts[2]);
    rnnc_pairs_free(p);
    rnnc_pairs **dst[3] = {train, val, test};
    for (int k = 0; k < 3; k++) {
        if (dst[k] && s == RNNC_OK)
            *dst[k] = parts[k];
        else
            rnnc_pairs_free(parts[k]);
    }
    return s;
}

/* ---- the loss ---- */

typedef struct ce_job {
    const float *logits;
    const int32_t *tgt;
    float *grad;
    double *loss, *ce;
    unsigned char *hit;
    size_t N, V;
    int32_t ignore;
    double eps;
    float scale;
    int parts;
} ce_job;

static void ce_part(void *arg, int k) {
    const ce_job *j = arg;
    const size_t V = j->V;
    for (size_t i = j->N * (size_t)k / (size_t)j->parts;
         i < j->N * (size_t)(k + 1) / (size_t)j->parts; i++) {
        const float *z = j->logits + i * V;
        float *g = j->grad ? j->grad + i * V : NULL;
        const int32_t t = j->tgt[i];
        if (t == j->ignore) {
            if (g)
                memset(g, 0, V * sizeof(float));
            j->loss[i] = j->ce[i] = 0, j->hit[i] = 0;
            continue;
        }
        size_t am = 0;
        double zsum = 0;
        for (size_t c = 0; c < V; c++) {
            am = z[c] > z[am] ? c : am;
            zsum += z[c];
        }
        const double m = z[am];
        double s = 0;
        for (size_t c = 0; c < V; c++)
            s += exp((double)z[c] - m);
        const double lse = m + log(s);
        const double nll = lse - (double)z[t], smooth = lse - zsum / (double)V;
        j->ce[i] = nll;
        j->loss[i] = (1 - j->eps) * nll + j->eps * smooth;
        j->hit[i] = (int32_t)am == t;
        if (g) {
            const double u = j->eps / (double)V;
            for (size_t c = 0; c < V; c++)
                g[c] = (float)((exp((double)z[c] - m) / s - u) * j->scale);
            g[t] -= (float)((1 - j->eps) * j->scale);
        }
    }
}

rnnc_status rnnc_translate_loss(const float *logits, const int32_t *target, size_t N, size_t V,
                                int32_t ignore_index, double smoothing, float scale, float *grad,
                                double *loss, double *ce, size_t *counted, size_t *hits) {
    if (!logits || !target || !loss)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_translate_loss: NULL argument");
    if (V == 0)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_translate_loss: V (classes) is 0");
    if (!(smoothing >= 0 && smoothing < 1))
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_translate_loss: label smoothing %g outside [0, 1)",
                         smoothing);
    for (size_t i = 0; i < N; i++)
        if (target[i] != ignore_index && (target[i] < 0 || (size_t)target[i] >= V))
            return RNNC_FAIL(RNNC_ERR_ARG,
                             "rnnc_translate_loss: target of row %zu is %ld, outside [0, %zu) "
                             "and not ignore_index %ld",
                             i, (long)target[i], V, (long)ignore_index);
    double *rows = N ? malloc(2 * N * sizeof *rows) : NULL;
    unsigned char *hit = N ? malloc(N) : NULL;
    if (N && (!rows || !hit)) {
        free(rows), free(hit);
        return RNNC_FAIL(RNNC_ERR_NOMEM, "rnnc_translate_loss: out of memory");
    }
    ce_job j = {logits, target, grad, rows, rows + N, hit, N, V, ignore_index, smoothing, scale, 1};
    const int th = rnnc_num_threads();
    j.parts = (size_t)th < N ? th : (int)N;
    if (j.parts < 1)
        j.parts = 1;
    if (N && (j.parts == 1 || !rnnc__pool_run(j.parts, ce_part, &j)))
        for (int k = 0; k < j.parts; k++)
            ce_part(&j, k);
    double sl = 0, sc = 0;
    size_t n = 0, h = 0;
    for (size_t i = 0; i < N; i++) {
        if (target[i] == ignore_index)
            continue;
        sl += rows[i], sc += rows[N + i], n++, h += hit[i];
    }
    free(rows), free(hit);
    *loss = sl;
    if (ce)
        *ce = sc;
    if (counted)
        *counted = n;
    if (hits)
        *hits = h;
    return RNNC_OK;
}

/* ---- the translator ---- */

/* Pairs as ids sorted by length and cut into batches. */
typedef struct tr_set {
    rnnc_pairs_ids ids;
    size_t *order; /* pair indices, sorted */
    size_t n_batches, B;
} tr_set;

struct rnnc_translator {
    rnnc_model *model;
    pthread_mutex_t lock;
    rnnc_translate_spec spec;
    rnnc_vocab *vs, *vt;
    size_t Vs, Vt;
    char data[1024];
    tr_set set[3];             /* training, validation (rnnc_translator_fit), evaluation */
    const rnnc_pairs *fit_val; /* rnnc_translator_fit's validation pairs (their BLEU) */
    /* the current batch */
    int32_t *src, *lengths, *dec, *tgt;
    size_t cap_src, cap_len, cap_dec, cap_tgt;
};

static void set_free(tr_set *s) {
    rnnc_pairs_ids_free(&s->ids);
    free(s->order);
    memset(s, 0, sizeof *s);
}

static void free_obj(void *obj) {
    rnnc_translator *t = obj;
    rnnc_model_free(t->model);
    rnnc_vocab_free(t->vs), rnnc_vocab_free(t->vt);
    for (int k = 0; k < 3; k++)
        set_free(&t->set[k]);
    free(t->src), free(t->lengths), free(t->dec), free(t->tgt);
    rnnc__lock_free(&t->lock);
    free(t);
}

void rnnc_translator_free(rnnc_translator *t) {
    if (t)
        free_obj(t);
}

rnnc_model *rnnc_translator_model(rnnc_translator *t) {
    return t ? t->model : NULL;
}
const rnnc_vocab *rnnc_translator_src_vocab(const rnnc_translator *t) {
    return t ? t->vs : NULL;
}
const rnnc_vocab *rnnc_translator_tgt_vocab(const rnnc_translator *t) {
    return t ? t->vt : NULL;
}
const rnnc_translate_spec *rnnc_translator_spec(const rnnc_translator *t) {
    return t ? &t->spec : NULL;
}
const char *rnnc_translator_data(const rnnc_translator *t) {
    return t ? t->data : NULL;
}
rnnc_status rnnc_translator_set_data(rnnc_translator *t, const char *path) {
    if (!t || !path)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_translator_set_data: NULL argument");
    if (strlen(path) >= sizeof t->data)
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "rnnc_translator_set_data: a path of %zu bytes (at most %zu)",
                         strlen(path), sizeof t->data - 1);
    snprintf(t->data, sizeof t->data, "%s", path);
    return RNNC_OK;
}

/* The layers: an embedding first (the source's), a decoder last, each over its vocabulary. */
static rnnc_status check_model(const rnnc_translator *t) {
    const rnnc_config *cfg = rnnc_model_config(t->model);
    const rnnc_layer_spec *first = &cfg->layers[0], *last = &cfg->layers[cfg->n_layers - 1];
    if (first->kind != RNNC_LAYER_EMBEDDING)
        return RNNC_FAIL(RNNC_ERR_ARG, "a translator starts with an embedding layer (the source "
                                       "words)");
    if (last->kind != RNNC_LAYER_DECODER)
        return RNNC_FAIL(RNNC_ERR_ARG, "a translator ends with a [decoder] layer "
                                       "(docs/model-format.md, \"Decoder\")");
    if ((size_t)first->vocab != t->Vs || (size_t)last->vocab != t->Vt)
        return RNNC_FAIL(RNNC_ERR_SHAPE,
                         "the source vocabulary has %zu ids and the target's %zu, but the "
                         "embedding's vocab is %d and the decoder's %d (set them to these, or to "
                         "auto for 'from the data')",
                         t->Vs, t->Vt, first->vocab, last->vocab);
    return RNNC_OK;
}

static const rnnc__task_kind task_kind;

rnnc_status rnnc_translator_create(const rnnc_config *cfg, const rnnc_translate_spec *spec,
                                   const rnnc_pairs *train, uint64_t seed, rnnc_translator **out) {
    if (!cfg || !spec || !train || !out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_translator_create: NULL argument");
    RNNC_TRY(RNNC__SPEC_CHECK(spec, rnnc_translate_spec));
    *out = NULL;
    RNNC_TRY(check_spec(spec));
    if (cfg->n_layers < 2)
        return RNNC_FAIL(RNNC_ERR_ARG, "a translator needs at least an embedding, an encoder and "
                                       "a decoder");
    if (train->n == 0)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_translator_create: no training pairs");
    rnnc_translator *t;
    RNNC_TRY(rnnc__task_new(&task_kind, (void **)&t));
    t->spec = *spec;
    rnnc_status s =
        rnnc_pairs_vocab(train, RNNC_PAIRS_SRC, spec->src_words, spec->src_min_freq, &t->vs);
    if (s == RNNC_OK)
        s = rnnc_pairs_vocab(train, RNNC_PAIRS_TGT, spec->tgt_words, spec->tgt_min_freq, &t->vt);
    if (s == RNNC_OK) {
        t->Vs = (size_t)rnnc_vocab_size(t->vs), t->Vt = (size_t)rnnc_vocab_size(t->vt);
        rnnc_config c = *cfg;
        rnnc_layer_spec *first = &c.layers[0], *last = &c.layers[c.n_layers - 1];
        if (first->kind == RNNC_LAYER_EMBEDDING && first->vocab == 0)
            first->vocab = (int)t->Vs;
        if (last->kind == RNNC_LAYER_DECODER && last->vocab == 0)
            last->vocab = (int)t->Vt;
        s = rnnc_model_create(&c, seed, &t->model);
    }
    if (s == RNNC_OK)
        s = check_model(t);
    if (s != RNNC_OK) {
        free_obj(t);
        return s;
    }
    *out = t;
    return RNNC_OK;
}

static rnnc_status save_with(const rnnc_translator *t, const char *path, const char *key,
                             const char *value) {
    char *vs = NULL, *vt = NULL, *spec = spec_to_meta(&t->spec);
    rnnc_status s =
        spec ? rnnc_vocab_to_text(t->vs, &vs) : RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
    if (s == RNNC_OK)
        s = rnnc_vocab_to_text(t->vt, &vt);
    if (s == RNNC_OK) {
        const char *keys[4] = {"rnnc.translate", "rnnc.vocab.src", "rnnc.vocab.tgt",
                               "rnnc.translate.data"};
        const char *vals[4] = {spec, vs, vt, t->data};
        s = rnnc__task_save(t->model, path, "translate", keys, vals, t->data[0] ? 4 : 3, key,
                            value);
    }
    free(vs), free(vt), free(spec);
    return s;
}

rnnc_status rnnc_translator_save(const rnnc_translator *t, const char *path) {
    if (!t || !path)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_translator_save: NULL argument");
    return save_with(t, path, NULL, NULL);
}

static rnnc_status read_meta(void *obj, const rnnc_tensor_file *f, const char *path) {
    rnnc_translator *t = obj;
    RNNC_TRY(spec_from_meta(&t->spec, rnnc_tensor_file_meta(f, "rnnc.translate"), path));
    const char *keys[2] = {"rnnc.vocab.src", "rnnc.vocab.tgt"};
    rnnc_vocab **dst[2] = {&t->vs, &t->vt};
    for (int k = 0; k < 2; k++) {
        const char *v = rnnc_tensor_file_meta(f, keys[k]);
        if (!v)
            return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: metadata %s is missing", path, keys[k]);
        RNNC_TRY(rnnc_vocab_from_text(v, path, dst[k]));
    }
    t->Vs = (size_t)rnnc_vocab_size(t->vs), t->Vt = (size_t)rnnc_vocab_size(t->vt);
    const char *data = rnnc_tensor_file_meta(f, "rnnc.translate.data");
    if (data && rnnc_translator_set_data(t, data) != RNNC_OK)
        return rnnc__fail_prefix(RNNC_ERR_FORMAT, path);
    if (check_model(t) != RNNC_OK)
        return rnnc__fail_prefix(RNNC_ERR_FORMAT, path);
    return RNNC_OK;
}

static const rnnc__task_kind task_kind = {"translate",
                                          "a translator",
                                          sizeof(rnnc_translator),
                                          offsetof(rnnc_translator, model),
                                          offsetof(rnnc_translator, lock),
                                          read_meta,
                                          free_obj};

rnnc_status rnnc_translator_load(const char *path, rnnc_translator **out) {
    if (!path || !out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_translator_load: NULL argument");
    return rnnc__task_open(&task_kind, path, (void **)out);
}

/* ---- batches ---- */

static size_t len_of(const size_t *start, size_t i) {
    return start[i + 1] - start[i];
}

/* A pair's sort key: its source length, then its target length, then its index. */
typedef struct sort_key {
    size_t src, tgt, i;
} sort_key;

static int by_length(const void *a, const void *b) {
    const sort_key *x = a, *y = b;
    if (x->src != y->src)
        return x->src < y->src ? -1 : 1;
    if (x->tgt != y->tgt)
        return x->tgt < y->tgt ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

/* Encodes p into s, sorted by length, in batches of B. */
static rnnc_status set_build(rnnc_translator *t, tr_set *s, const rnnc_pairs *p, size_t B) {
    set_free(s);
    RNNC_TRY(rnnc_pairs_encode(p, t->vs, t->vt, &s->ids));
    s->order = malloc((p->n ? p->n : 1) * sizeof *s->order);
    if (!s->order) {
        set_free(s);
        return RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
    }
    sort_key *keys = malloc((p->n ? p->n : 1) * sizeof *keys);
    if (!keys) {
        set_free(s);
        return RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < p->n; i++) {
        keys[i].src = len_of(s->ids.src_start, i), keys[i].tgt = len_of(s->ids.tgt_start, i);
        keys[i].i = i;
    }
    qsort(keys, p->n, sizeof *keys, by_length);
    for (size_t i = 0; i < p->n; i++)
        s->order[i] = keys[i].i;
    free(keys);
    s->B = B;
    s->n_batches = (p->n + B - 1) / B;
    return RNNC_OK;
}

static rnnc_status grow(int32_t **p, size_t *cap, size_t n) {
    if (n <= *cap)
        return RNNC_OK;
    int32_t *q = realloc(*p, n * sizeof *q);
    if (!q)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "cannot allocate a batch of %zu ids", n);
    *p = q, *cap = n;
    return RNNC_OK;
}

/* Batch k of s: the sources post-padded (T,B) with their lengths, the decoder inputs (the targets
 * but their last token, (dec_T,B)) and the targets (their tokens after <start>), padded with
 * <pad>, which the loss ignores. */
static rnnc_status make_batch(rnnc_translator *t, const tr_set *s, size_t k, rnnc_batch *out,
                              size_t *rows) {
    const size_t lo = k * s->B, B = lo + s->B <= s->ids.n ? s->B : s->ids.n - lo;
    const size_t *o = s->order + lo;
    size_t T = 1, D = 1;
    for (size_t b = 0; b < B; b++) {
        const size_t ls = len_of(s->ids.src_start, o[b]), lt = len_of(s->ids.tgt_start, o[b]);
        T = ls > T ? ls : T;
        D = lt - 1 > D ? lt - 1 : D;
    }
    RNNC_TRY(grow(&t->src, &t->cap_src, T * B));
    RNNC_TRY(grow(&t->lengths, &t->cap_len, B));
    RNNC_TRY(grow(&t->dec, &t->cap_dec, D * B));
    RNNC_TRY(grow(&t->tgt, &t->cap_tgt, D * B));
    memset(t->src, 0, T * B * sizeof *t->src);
    for (size_t i = 0; i < D * B; i++)
        t->dec[i] = t->tgt[i] = RNNC_VOCAB_PAD;
    for (size_t b = 0; b < B; b++) {
        const int32_t *xs = s->ids.src_ids + s->ids.src_start[o[b]];
        const int32_t *ys = s->ids.tgt_ids + s->ids.tgt_start[o[b]];
        const size_t ls = len_of(s->ids.src_start, o[b]), lt = len_of(s->ids.tgt_start, o[b]);
        for (size_t i = 0; i < ls; i++)
            t->src[i * B + b] = xs[i];
        for (size_t i = 0; i + 1 < lt; i++) {
            t->dec[i * B + b] = ys[i];
            t->tgt[i * B + b] = ys[i + 1];
        }
        t->lengths[b] = (int32_t)ls;
    }
    memset(out, 0, sizeof *out);
    out->T = (int)T, out->B = (int)B;
    out->ids = t->src, out->lengths = t->lengths, out->padding = RNNC_PAD_POST;
    out->dec_T = (int)D, out->dec_ids = t->dec;
    *rows = D * B;
    return RNNC_OK;
}

/* Accuracy through the classification accumulator: one binary example per scored token, label 1,
 * score 1 for a hit (its accuracy is then the hit rate). */
static rnnc_status add_hits(rnnc_metrics *met, size_t hits, size_t n) {
    int32_t one[64];
    float sc[64];
    for (int i = 0; i < 64; i++)
        one[i] = 1;
    for (size_t done = 0; done < n;) {
        const size_t k = n - done < 64 ? n - done : 64;
        for (size_t i = 0; i < k; i++)
            sc[i] = done + i < hits ? 1.0f : 0.0f;
        RNNC_TRY(rnnc_metrics_add(met, sc, k, 1, one));
        done += k;
    }
    return RNNC_OK;
}

/* Forward over every batch of s without training: the sums of the smoothed loss and the plain
 * cross-entropy, the tokens scored and the hits. */
static rnnc_status score_set(rnnc_translator *t, const tr_set *s, double *loss, double *ce,
                             size_t *n, size_t *hits) {
    *loss = *ce = 0, *n = *hits = 0;
    for (size_t k = 0; k < s->n_batches; k++) {
        rnnc_batch batch;
        size_t rows, bn, bh;
        double bl, bc;
        RNNC_TRY(make_batch(t, s, k, &batch, &rows));
        RNNC_TRY(rnnc_model_forward(t->model, &batch, 0));
        RNNC_TRY(rnnc_translate_loss(rnnc_model_output(t->model, NULL, NULL), t->tgt, rows, t->Vt,
                                     RNNC_VOCAB_PAD, t->spec.label_smoothing, 0, NULL, &bl, &bc,
                                     &bn, &bh));
        *loss += bl, *ce += bc, *n += bn, *hits += bh;
    }
    return RNNC_OK;
}

/* ---- the trainer's task: one item is one batch ---- */

static rnnc_status task_batch(void *self, int set, const size_t *idx, int B, rnnc_batch *out) {
    rnnc_translator *t = self;
    RNNC_ASSERT(B == 1);
    size_t rows;
    return make_batch(t, &t->set[set], idx[0], out, &rows);
}

static rnnc_status task_loss(void *self, int set, const size_t *idx, int B, const float *out,
                             float *dout, double *loss, rnnc_metrics *met) {
    (void)set, (void)idx, (void)B; /* the batch is the one task_batch just built */
    rnnc_translator *t = self;
    size_t dims[3];
    int ndim;
    rnnc_model_output(t->model, &ndim, dims);
    const size_t N = dims[0] * dims[1];
    size_t counted = 0, hits = 0;
    for (size_t i = 0; i < N; i++)
        counted += t->tgt[i] != RNNC_VOCAB_PAD;
    double sum;
    RNNC_TRY(rnnc_translate_loss(out, t->tgt, N, t->Vt, RNNC_VOCAB_PAD, t->spec.label_smoothing,
                                 1.0f / (float)(counted ? counted : 1), dout, &sum, NULL, &counted,
                                 &hits));
    *loss = counted ? sum / (double)counted : 0;
    return add_hits(met, hits, counted);
}

static rnnc_status task_save(void *self, const char *path, const char *key, const char *value) {
    return save_with(self, path, key, value);
}

static rnnc_status hits_values(size_t hits, size_t n, rnnc_metric_values *values) {
    rnnc_metrics *met;
    RNNC_TRY(rnnc_metrics_create(2, &met));
    rnnc_status s = add_hits(met, hits, n);
    if (s == RNNC_OK)
        *values = rnnc_metrics_values(met);
    /* token accuracy is the one metric besides the loss: the binary accumulator's precision,
     * recall, F1 and AUC mean nothing here */
    values->precision = values->recall = values->f1 = values->auc = NAN;
    rnnc_metrics_free(met);
    return s;
}

/* The validation score: BLEU of the greedy translations of the validation pairs. */
static rnnc_status task_score(void *self, double *score) {
    rnnc_translator *t = self;
    rnnc_decode_spec ds = rnnc_decode_spec_init();
    ds.beam = 1;
    rnnc_bleu_score b;
    double chrf;
    RNNC_TRY(rnnc_translator_bleu(t, t->fit_val, &ds, &b, &chrf));
    *score = b.score;
    return RNNC_OK;
}

static rnnc_status task_validate(void *self, double *loss, rnnc_metric_values *values) {
    rnnc_translator *t = self;
    double sl, ce;
    size_t n, hits;
    RNNC_TRY(score_set(t, &t->set[1], &sl, &ce, &n, &hits));
    *loss = n ? ce / (double)n : NAN;
    return hits_values(hits, n, values);
}

/* What shaped the model, for the training loop's resume check: both vocabularies, the spec, the
 * batch size (the batches a checkpoint's position counts) and the training pairs. */
static rnnc_status make_setup(const rnnc_translator *t, size_t B, char **out) {
    rnnc__setup b = {0};
    const rnnc_vocab *v[2] = {t->vs, t->vt};
    for (int k = 0; k < 2; k++) {
        char *text = NULL;
        RNNC_TRY(rnnc_vocab_to_text(v[k], &text));
        rnnc__setup_hash(&b, k ? "target vocabulary" : "source vocabulary",
                         (size_t)rnnc_vocab_size(v[k]), "ids",
                         rnnc__hash(RNNC__HASH_INIT, text, strlen(text)));
        free(text);
    }
    char *spec = spec_to_meta(&t->spec);
    if (!spec) {
        free(b.s);
        return RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
    }
    rnnc__setup_add(&b, "translate", "%s", spec);
    free(spec);
    rnnc__setup_add(&b, "batch_size", "%zu", B);
    const rnnc_pairs_ids *d = &t->set[0].ids;
    uint64_t h = rnnc__hash(RNNC__HASH_INIT, d->src_ids, d->src_start[d->n] * sizeof *d->src_ids);
    h = rnnc__hash(h, d->tgt_ids, d->tgt_start[d->n] * sizeof *d->tgt_ids);
    h = rnnc__hash(h, d->src_start, (d->n + 1) * sizeof *d->src_start);
    rnnc__setup_hash(&b, "training data", d->n, "pairs", h);
    return rnnc__setup_done(&b, out);
}

rnnc_status rnnc_translator_fit(rnnc_translator *t, const rnnc_pairs *train, const rnnc_pairs *val,
                                const rnnc_fit_spec *spec, rnnc_epoch_report *last) {
    if (!t || !train || !spec)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_translator_fit: NULL argument");
    RNNC_TRY(RNNC__SPEC_CHECK(spec, rnnc_fit_spec));
    if (spec->batch_size < 1 || spec->batch_size > 65536)
        return RNNC_FAIL(RNNC_ERR_ARG, "batch_size must be in [1, 65536], got %d",
                         spec->batch_size);
    if (train->n == 0)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_translator_fit: no training pairs");
    const size_t B = (size_t)spec->batch_size;
    rnnc_status s = set_build(t, &t->set[0], train, B);
    if (s == RNNC_OK && val && val->n)
        s = set_build(t, &t->set[1], val, B);
    if (s == RNNC_OK) {
        rnnc__task task;
        memset(&task, 0, sizeof task);
        task.self = t, task.model = t->model, task.n_classes = 2;
        task.n_train = t->set[0].n_batches;
        task.n_val = t->set[1].n_batches;
        task.batch = task_batch, task.loss = task_loss, task.save = task_save;
        task.validate = task.n_val ? task_validate : NULL;
        task.score = task.n_val ? task_score : NULL; /* val_score: the greedy BLEU */
        t->fit_val = val;
        char *setup = NULL;
        s = make_setup(t, B, &setup);
        task.setup = setup;
        rnnc_fit_spec one = *spec;
        one.batch_size = 1; /* the trainer's items are whole batches */
        if (s == RNNC_OK)   /* scheduled sampling below 1 (training forwards only) */
            s = rnnc_model_set_teacher_forcing(t->model, t->spec.teacher_forcing);
        if (s == RNNC_OK)
            s = rnnc__fit(&task, &one, last);
        free(setup);
    }
    set_free(&t->set[0]);
    set_free(&t->set[1]);
    return s;
}

rnnc_status rnnc_translator_evaluate(rnnc_translator *t, const rnnc_pairs *p, int batch,
                                     rnnc_translate_scores *out) {
    if (!t || !p || !out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_translator_evaluate: NULL argument");
    if (batch < 1)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_translator_evaluate: batch must be >= 1, got %d",
                         batch);
    if (p->n == 0)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_translator_evaluate: no pairs");
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&t->lock);
    rnnc_status s = set_build(t, &t->set[2], p, (size_t)batch);
    double sl = 0, ce = 0;
    size_t n = 0, hits = 0;
    if (s == RNNC_OK)
        s = score_set(t, &t->set[2], &sl, &ce, &n, &hits);
    set_free(&t->set[2]);
    pthread_mutex_unlock(&t->lock);
    if (s != RNNC_OK)
        return s;
    out->pairs = p->n, out->tokens = n;
    out->loss = ce / (double)n, out->perplexity = exp(out->loss);
    out->accuracy = (double)hits / (double)n;
    out->smoothed_loss = sl / (double)n;
    return RNNC_OK;
}

/* ---- translating ---- */

enum { TR_BATCH = 64 }; /* sentences decoded together */

typedef struct tr_src {
    int32_t *ids;
    size_t n;
    size_t index;
} tr_src;

static int by_source_length(const void *a, const void *b) {
    const tr_src *x = a, *y = b;
    return x->n != y->n ? (x->n < y->n ? -1 : 1) : (x->index < y->index ? -1 : 1);
}

/* Decodes sentences s[0..B) (sorted by length) and writes their detokenized outputs. */
static rnnc_status translate_batch(rnnc_translator *t, const tr_src *s, size_t B,
                                   const rnnc_decode_spec *spec, char **out) {
    const size_t S = s[B - 1].n; /* the longest */
    const double want = ceil(spec->max_ratio * (double)S);
    const size_t cap = want < 1 ? 1 : want > spec->max_len ? (size_t)spec->max_len : (size_t)want;
    int32_t *src = NULL, *len = NULL, *ids = NULL, *olen = NULL;
    const char **tok = NULL;
    rnnc_status st = rnnc__calloc((void **)&src, S * B, sizeof *src, "translation batch");
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&len, B, sizeof *len, "translation batch");
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&ids, B * cap, sizeof *ids, "translation batch");
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&olen, B, sizeof *olen, "translation batch");
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&tok, cap + 1, sizeof *tok, "translation batch");
    for (size_t b = 0; st == RNNC_OK && b < B; b++) { /* time-major, post-padded */
        len[b] = (int32_t)s[b].n;
        for (size_t k = 0; k < s[b].n; k++)
            src[k * B + b] = s[b].ids[k];
    }
    rnnc_decode_spec ds = *spec;
    ds.start = RNNC_VOCAB_START, ds.end = RNNC_PAIRS_EOS;
    const rnnc_batch batch = {(int)S, (int)B, src, NULL, len, RNNC_PAD_POST, 0, NULL};
    if (st == RNNC_OK)
        st = rnnc_model_decode(t->model, &batch, &ds, ids, cap, olen, NULL);
    for (size_t b = 0; st == RNNC_OK && b < B; b++) {
        for (int32_t k = 0; k < olen[b]; k++)
            tok[k] = rnnc_vocab_token(t->vt, ids[b * cap + (size_t)k]);
        st = rnnc_pairs_detokenize(tok, (size_t)olen[b], t->spec.detok, &out[s[b].index]);
    }
    free(src), free(len), free(ids), free(olen), free(tok);
    return st;
}

rnnc_status rnnc_translator_translate(rnnc_translator *t, const char *const *sources, size_t n,
                                      const rnnc_decode_spec *spec, char **out) {
    if (!t || (n && (!sources || !out)) || !spec)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_translator_translate: NULL argument");
    RNNC_TRY(RNNC__SPEC_CHECK(spec, rnnc_decode_spec));
    for (size_t i = 0; i < n; i++) {
        out[i] = NULL;
        if (!sources[i])
            return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_translator_translate: source %zu is NULL", i);
    }
    tr_src *s = NULL;
    rnnc_status st = n ? rnnc__calloc((void **)&s, n, sizeof *s, "translation") : RNNC_OK;
    for (size_t i = 0; st == RNNC_OK && i < n; i++) { /* as training encodes: tokens, <eos> */
        const size_t len = strlen(sources[i]);
        size_t k = 0;
        st = rnnc_pairs_encode_text(t->vs, sources[i], len, 0, 1, NULL, 0, &k);
        if (st == RNNC_OK)
            st = rnnc__calloc((void **)&s[i].ids, k, sizeof *s[i].ids, "translation");
        if (st == RNNC_OK)
            st = rnnc_pairs_encode_text(t->vs, sources[i], len, 0, 1, s[i].ids, k, &s[i].n);
        s[i].index = i;
    }
    if (st == RNNC_OK && n)
        qsort(s, n, sizeof *s, by_source_length);
    size_t first = 0; /* a source without tokens (only <eos>) translates to nothing */
    while (st == RNNC_OK && first < n && s[first].n == 1)
        if (!(out[s[first++].index] = calloc(1, 1)))
            st = RNNC_FAIL(RNNC_ERR_NOMEM, "translation: out of memory");
    pthread_mutex_lock(&t->lock);
    for (size_t i = first; st == RNNC_OK && i < n; i += TR_BATCH)
        st = translate_batch(t, s + i, n - i < TR_BATCH ? n - i : TR_BATCH, spec, out);
    pthread_mutex_unlock(&t->lock);
    for (size_t i = 0; i < n && s; i++)
        free(s[i].ids);
    free(s);
    if (st != RNNC_OK)
        for (size_t i = 0; i < n; i++)
            free(out[i]), out[i] = NULL;
    return st;
}

/* text as the model would write it: its tokens (lower case, normalised) detokenized in style. */
static rnnc_status as_written(const char *text, int style, char **out) {
    char *norm = NULL;
    size_t n = 0;
    *out = NULL;
    RNNC_TRY(rnnc_pairs_normalize(text, strlen(text), &norm, &n));
    const char **tok = NULL;
    rnnc_status st = rnnc__calloc((void **)&tok, n + 1, sizeof *tok, "reference");
    size_t k = 0;
    for (char *p = norm, *save = NULL, *w; st == RNNC_OK && (w = strtok_r(p, " ", &save)) && k < n;
         p = NULL)
        tok[k++] = w;
    if (st == RNNC_OK)
        st = rnnc_pairs_detokenize(tok, k, style, out);
    free(tok), free(norm);
    return st;
}

rnnc_status rnnc_translator_bleu(rnnc_translator *t, const rnnc_pairs *p,
                                 const rnnc_decode_spec *spec, rnnc_bleu_score *bleu,
                                 double *chrf) {
    if (!t || !p || !spec || !bleu || !chrf)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_translator_bleu: NULL argument");
    char **hyp = NULL, **ref = NULL;
    rnnc_status st = rnnc__calloc((void **)&hyp, p->n + 1, sizeof *hyp, "translation scores");
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&ref, p->n + 1, sizeof *ref, "translation scores");
    if (st == RNNC_OK)
        st = rnnc_translator_translate(t, (const char *const *)p->src, p->n, spec, hyp);
    for (size_t i = 0; st == RNNC_OK && i < p->n; i++)
        st = as_written(p->tgt[i], t->spec.detok, &ref[i]);
    if (st == RNNC_OK)
        st = rnnc_bleu((const char *const *)hyp, (const char *const *)ref, p->n, bleu);
    if (st == RNNC_OK)
        st = rnnc_chrf((const char *const *)hyp, (const char *const *)ref, p->n, chrf);
    for (size_t i = 0; i < p->n && hyp; i++)
        free(hyp[i]), free(ref ? ref[i] : NULL);
    free(hyp), free(ref);
    return st;
}

/* ---- one sentence with its attention ---- */

typedef struct tok_list {
    char **v;
    size_t n, cap;
} tok_list;

static int add_token(const char *tok, size_t len, void *user) {
    tok_list *l = user;
    if (l->n == l->cap) {
        const size_t cap = l->cap ? 2 * l->cap : 16;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return -RNNC_ERR_NOMEM;
        l->v = v, l->cap = cap;
    }
    return (l->v[l->n] = strndup(tok, len)) ? (l->n++, 0) : -RNNC_ERR_NOMEM;
}

void rnnc_translation_free(rnnc_translation *x) {
    if (!x)
        return;
    for (size_t i = 0; x->src && i < x->n_src; i++)
        free(x->src[i]);
    for (size_t i = 0; x->out && i < x->n_out; i++)
        free(x->out[i]);
    free(x->src), free(x->out), free(x->weights), free(x->text);
    memset(x, 0, sizeof *x);
}

rnnc_status rnnc_translator_attend(rnnc_translator *t, const char *source,
                                   const rnnc_decode_spec *spec, rnnc_translation *out) {
    if (!t || !source || !spec || !out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_translator_attend: NULL argument");
    RNNC_TRY(RNNC__SPEC_CHECK(spec, rnnc_decode_spec));
    memset(out, 0, sizeof *out);
    tok_list src = {0};
    const size_t len = strlen(source);
    rnnc_status st = rnnc_pairs_tokenize(source, len, add_token, &src);
    if (st == RNNC_OK && add_token("<eos>", 5, &src) != 0)
        st = RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
    size_t S = 0;
    int32_t *ids = NULL, *dec = NULL, *oid = NULL;
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&ids, src.n, sizeof *ids, "translation");
    if (st == RNNC_OK)
        st = rnnc_pairs_encode_text(t->vs, source, len, 0, 1, ids, src.n, &S);
    const double want = ceil(spec->max_ratio * (double)S);
    const size_t cap = want < 1 ? 1 : want > spec->max_len ? (size_t)spec->max_len : (size_t)want;
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&oid, cap, sizeof *oid, "translation");
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&dec, cap + 1, sizeof *dec, "translation");
    rnnc_decode_spec ds = *spec;
    ds.start = RNNC_VOCAB_START, ds.end = RNNC_PAIRS_EOS;
    const int32_t slen = (int32_t)S;
    int32_t n = 0;
    pthread_mutex_lock(&t->lock);
    const rnnc_batch b = {(int)S, 1, ids, NULL, &slen, RNNC_PAD_POST, 0, NULL};
    if (st == RNNC_OK && S == src.n)
        st = rnnc_model_decode(t->model, &b, &ds, oid, cap, &n, NULL);
    else if (st == RNNC_OK)
        st = RNNC_FAIL(RNNC_ERR_STATE, "translation: %zu tokens but %zu ids", src.n, S);
    /* the teacher-forced forward over the chosen output: the search's own attention on its path */
    dec[0] = RNNC_VOCAB_START;
    for (int32_t k = 0; k < n; k++)
        dec[k + 1] = oid[k];
    const rnnc_batch fb = {(int)S, 1, ids, NULL, &slen, RNNC_PAD_POST, n + 1, dec};
    if (st == RNNC_OK)
        st = rnnc_model_forward(t->model, &fb, 0);
    size_t dims[3] = {0};
    const float *w = st == RNNC_OK ? rnnc_model_attention(t->model, dims) : NULL;
    out->n_src = src.n, out->n_out = (size_t)n + 1;
    if (st == RNNC_OK && (!w || dims[0] != out->n_out || dims[2] != S))
        st = RNNC_FAIL(RNNC_ERR_STATE, "translation: no attention weights of the right shape");
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&out->weights, out->n_out * S, sizeof(float), "attention");
    if (st == RNNC_OK)
        memcpy(out->weights, w, out->n_out * S * sizeof(float));
    pthread_mutex_unlock(&t->lock);
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&out->out, out->n_out, sizeof *out->out, "translation");
    for (size_t k = 0; st == RNNC_OK && k < out->n_out; k++) {
        const char *tok = k < (size_t)n ? rnnc_vocab_token(t->vt, oid[k]) : "<eos>";
        if (!(out->out[k] = strdup(tok)))
            st = RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
    }
    if (st == RNNC_OK)
        st = rnnc_pairs_detokenize((const char *const *)out->out, (size_t)n, t->spec.detok,
                                   &out->text);
    out->src = src.v, out->n_src = src.n; /* the tokens are the translation's now */
    free(ids), free(dec), free(oid);
    if (st != RNNC_OK)
        rnnc_translation_free(out);
    return st;
}
