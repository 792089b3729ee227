/* Text classification: raw text -> ids -> model -> one logit (two labels, binary cross-entropy)
 * or one logit per label (softmax cross-entropy). Supplies the training loop (src/train/fit.c)
 * with batches and losses, and reads and writes the classifier's model file: the model plus
 * metadata "rnnc.task" = "classify", "rnnc.vocab", "rnnc.labels" (names joined by '\n') and
 * "rnnc.text" (the text options as "key=value" lines). */
#include "rnnc.h"

#include "../formats/values.h"
#include "../train/fit.h"
#include "task.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A labelled set as padded ids, batch-major: ids (n,maxlen), true lengths (n), labels (n). With
 * augmentation, the training set also keeps every text's ids before padding and truncation:
 * text i is full[off[i] .. off[i+1]). */
/* Extra "rnnc.data.*" metadata a classifier's model file can carry. */
enum { MAX_INFO = 16 };

typedef struct encoded {
    size_t n;
    int32_t *ids;
    int32_t *len;
    const int32_t *labels; /* borrowed from the text set */
    int32_t *full;         /* (off[n]) or NULL */
    size_t *off;           /* (n+1) or NULL */
    size_t full_max;       /* the longest text's ids */
} encoded;

struct rnnc_classifier {
    rnnc_model *model;
    rnnc_vocab *vocab;
    rnnc_text_spec text;
    int n_labels;
    char **labels;
    int units;            /* outputs of the last layer: 1 (binary logit) or n_labels */
    encoded sets[2];      /* during fit / evaluate: train, validation */
    int32_t *bids, *blen; /* batch workspace: (T,B) ids, (B) lengths */
    size_t bcap, blen_cap;
    size_t *border; /* (B) the examples of the last batch in row order (sorted by length) */
    size_t border_cap;
    float *work; /* (B,units) scores */
    size_t work_cap;
    float *yf; /* (B) binary targets */
    size_t yf_cap;
    encoded aug; /* the augmented batch: ids (B,maxlen), lengths (B) */
    size_t aug_ids_cap, aug_len_cap;
    int32_t *atmp; /* (full_max) one text being augmented */
    size_t atmp_cap;
    size_t *aidx; /* (B) 0..B-1: the augmented batch's rows */
    size_t aidx_cap;
    int n_info; /* extra "rnnc.data.*" metadata */
    char *info_key[MAX_INFO], *info_val[MAX_INFO];
    pthread_mutex_t lock; /* held by predict and evaluate (task.h) */
};

void rnnc_text_spec_defaults(rnnc_text_spec *out, size_t size) {
    rnnc_text_spec t;
    memset(&t, 0, sizeof t);
    t.tok = rnnc_tokenizer_spec_init();
    t.num_words = 10000, t.min_freq = 1, t.maxlen = 500;
    t.padding = RNNC_PAD_PRE, t.truncating = RNNC_PAD_PRE;
    t.add_start = 1, t.use_lengths = 0;
    t.struct_size = sizeof t;
    rnnc__spec_fill(out, size, &t, sizeof t);
}

/* Each augmentation rate is a probability in [0, 1) (rnnc_text_augment's rule, checked up front so
 * a bad file fails before training starts). */
static rnnc_status check_augment(const rnnc_text_augment_spec *a) {
    const double v[] = {a->drop, a->swap, a->oov};
    static const char *const name[] = {"augment_drop", "augment_swap", "augment_oov"};
    for (int i = 0; i < 3; i++)
        if (!(v[i] >= 0 && v[i] < 1))
            return RNNC_FAIL(RNNC_ERR_ARG, "%s must be in [0, 1), got %g", name[i], v[i]);
    return RNNC_OK;
}

static int augmenting(const rnnc_text_spec *t) {
    return t->augment.drop > 0 || t->augment.swap > 0 || t->augment.oov > 0;
}

static rnnc_status check_text(const rnnc_text_spec *t) {
    if (t->num_words != 0 && t->num_words < RNNC_VOCAB_FIRST + 1)
        return RNNC_FAIL(RNNC_ERR_ARG, "num_words must be 0 (no limit) or >= 4, got %d",
                         t->num_words);
    if (t->min_freq < 0)
        return RNNC_FAIL(RNNC_ERR_ARG, "min_freq must be >= 0");
    if (t->maxlen < 1 || t->maxlen > 1000000)
        return RNNC_FAIL(RNNC_ERR_ARG, "maxlen must be in [1, 1000000], got %d", t->maxlen);
    if ((t->padding != RNNC_PAD_PRE && t->padding != RNNC_PAD_POST) ||
        (t->truncating != RNNC_PAD_PRE && t->truncating != RNNC_PAD_POST))
        return RNNC_FAIL(RNNC_ERR_ARG, "padding and truncating must be pre or post");
    return check_augment(&t->augment);
}

/* The model must map ids to one output vector per sequence from a linear dense layer. */
static rnnc_status check_model(rnnc_classifier *c) {
    const rnnc_config *cfg = rnnc_model_config(c->model);
    const rnnc_layer_spec *first = &cfg->layers[0], *last = &cfg->layers[cfg->n_layers - 1];
    if (first->kind != RNNC_LAYER_EMBEDDING)
        return RNNC_FAIL(RNNC_ERR_ARG, "a text classifier's first layer must be [embedding]");
    if (first->vocab < rnnc_vocab_size(c->vocab))
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "[embedding] vocab = %d is smaller than the vocabulary (%d ids, "
                         "num_words = %d); set vocab >= %d",
                         first->vocab, rnnc_vocab_size(c->vocab), c->text.num_words,
                         rnnc_vocab_size(c->vocab));
    size_t units;
    int seq;
    RNNC_TRY(rnnc_model_layer_info(c->model, cfg->n_layers - 1, NULL, NULL, &units, &seq));
    if (last->kind != RNNC_LAYER_DENSE || last->activation != RNNC_ACT_LINEAR || seq)
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "a text classifier must end in a [dense] layer with activation = linear "
                         "after a recurrent layer without return_sequences (the loss applies the "
                         "sigmoid or softmax itself, in a numerically stable way)");
    if (!(units == 1 && c->n_labels == 2) && units != (size_t)c->n_labels)
        return RNNC_FAIL(RNNC_ERR_ARG, "the last [dense] layer has %zu units; %d labels need %s",
                         units, c->n_labels,
                         c->n_labels == 2 ? "1 (a logit) or 2" : "one per label");
    c->units = (int)units;
    return RNNC_OK;
}

static rnnc_status copy_labels(rnnc_classifier *c, char *const *names, int n) {
    RNNC_TRY(rnnc__calloc((void **)&c->labels, (size_t)n, sizeof(char *), "label names"));
    c->n_labels = n;
    for (int i = 0; i < n; i++) {
        c->labels[i] = strdup(names[i]);
        if (!c->labels[i])
            return RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
    }
    return RNNC_OK;
}

void rnnc_classifier_free(rnnc_classifier *c) {
    if (!c)
        return;
    rnnc_model_free(c->model);
    rnnc_vocab_free(c->vocab);
    for (int i = 0; i < c->n_labels && c->labels; i++)
        free(c->labels[i]);
    free(c->labels);
    for (int s = 0; s < 2; s++)
        free(c->sets[s].ids), free(c->sets[s].len), free(c->sets[s].full), free(c->sets[s].off);
    free(c->aug.ids), free(c->aug.len), free(c->atmp), free(c->aidx);
    free(c->bids), free(c->blen), free(c->border), free(c->work), free(c->yf);
    for (int i = 0; i < c->n_info; i++)
        free(c->info_key[i]), free(c->info_val[i]);
    rnnc__lock_free(&c->lock);
    free(c);
}

/* The label names as rnnc.labels stores them (one per line; load_labels reads them back): each
 * non-empty and without a line break, 2 to 100000 of them. */
static rnnc_status check_labels(char *const *names, int n) {
    if (n < 2 || n > 100000)
        return RNNC_FAIL(RNNC_ERR_ARG, "%d labels; a classifier's model file holds 2 to 100000", n);
    for (int i = 0; i < n; i++) {
        const char *nl = strchr(names[i], '\n');
        if (!names[i][0] || nl)
            return RNNC_FAIL(RNNC_ERR_ARG,
                             "label %d ('%.*s') %s; a model file stores the label names one per "
                             "line",
                             i, nl ? (int)(nl - names[i]) : 0, names[i],
                             nl ? "goes on after a line break" : "is empty");
    }
    return RNNC_OK;
}

static const rnnc__task_kind task_kind; /* the classifier to task.c's shared code (below load) */

rnnc_status rnnc_classifier_create(const rnnc_config *cfg, const rnnc_text_spec *text,
                                   const rnnc_textset *train, uint64_t seed,
                                   rnnc_classifier **out) {
    return rnnc_classifier_create_vocab(cfg, text, NULL, train, seed, out);
}

rnnc_status rnnc_classifier_create_vocab(const rnnc_config *cfg, const rnnc_text_spec *text,
                                         const rnnc_vocab *vocab, const rnnc_textset *train,
                                         uint64_t seed, rnnc_classifier **out) {
    if (!cfg || !text || !train || !out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_classifier_create: NULL argument");
    RNNC_TRY(RNNC__SPEC_CHECK(text, rnnc_text_spec));
    *out = NULL;
    RNNC_TRY(check_text(text));
    if (train->n == 0)
        return RNNC_FAIL(RNNC_ERR_ARG, "the training set is empty");
    if (train->n_labels < 2)
        return RNNC_FAIL(RNNC_ERR_ARG, "the training set has %d label(s); a classifier needs >= 2",
                         train->n_labels);
    if (check_labels(train->label_names, train->n_labels) != RNNC_OK)
        return rnnc__fail_prefix(RNNC_ERR_ARG, "the training set");
    rnnc_classifier *c;
    RNNC_TRY(rnnc__task_new(&task_kind, (void **)&c));
    c->text = *text;
    rnnc_status s = vocab ? rnnc_vocab_copy(vocab, &c->vocab)
                          : rnnc_vocab_build(&text->tok, (const char *const *)train->texts,
                                             train->n, text->num_words, text->min_freq, &c->vocab);
    if (s == RNNC_OK)
        s = copy_labels(c, train->label_names, train->n_labels);
    rnnc_config cf = *cfg;
    if (cf.n_layers > 0 && cf.layers[0].kind == RNNC_LAYER_EMBEDDING && cf.layers[0].vocab == 0)
        cf.layers[0].vocab = c->vocab ? rnnc_vocab_size(c->vocab) : 0; /* vocab = auto */
    if (s == RNNC_OK)
        s = rnnc_model_create(&cf, seed, &c->model);
    if (s == RNNC_OK)
        s = check_model(c);
    if (s != RNNC_OK) {
        rnnc_classifier_free(c);
        return s;
    }
    *out = c;
    return RNNC_OK;
}

rnnc_model *rnnc_classifier_model(rnnc_classifier *c) {
    return c ? c->model : NULL;
}
const rnnc_vocab *rnnc_classifier_vocab(const rnnc_classifier *c) {
    return c ? c->vocab : NULL;
}
const rnnc_text_spec *rnnc_classifier_spec(const rnnc_classifier *c) {
    return c ? &c->text : NULL;
}
int rnnc_classifier_labels(const rnnc_classifier *c, const char *const **names) {
    if (!c)
        return 0;
    if (names)
        *names = (const char *const *)c->labels;
    return c->n_labels;
}

/* ---- model file ---- */

/* The augmentation rates are written only when set, so a model trained without augmentation has
 * the same file as before they existed (and older readers read it). */
static char *text_to_meta(const rnnc_text_spec *t) {
    char *b = malloc(640);
    if (!b)
        return NULL;
    int n = snprintf(b, 640,
                     "lowercase=%d\nstrip_html=%d\nsplit_punct=%d\nnum_words=%d\nmin_freq=%d\n"
                     "maxlen=%d\npadding=%s\ntruncating=%s\nadd_start=%d\nuse_lengths=%d\n",
                     t->tok.lowercase, t->tok.strip_html, t->tok.split_punct, t->num_words,
                     t->min_freq, t->maxlen, t->padding == RNNC_PAD_PRE ? "pre" : "post",
                     t->truncating == RNNC_PAD_PRE ? "pre" : "post", t->add_start, t->use_lengths);
    const double v[] = {t->augment.drop, t->augment.swap, t->augment.oov};
    static const char *const name[] = {"augment_drop", "augment_swap", "augment_oov"};
    for (int i = 0; i < 3; i++)
        if (v[i] != 0)
            n += snprintf(b + n, 640 - (size_t)n, "%s=%.17g\n", name[i], v[i]);
    return b;
}

static rnnc_status text_from_meta(const char *meta, const char *path, rnnc_text_spec *t) {
    *t = rnnc_text_spec_init();
    if (!meta)
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: metadata rnnc.text is missing", path);
    static const char *const keys[] = {"lowercase", "strip_html", "split_punct", "num_words",
                                       "min_freq",  "maxlen",     "add_start",   "use_lengths"};
    int *dst[] = {&t->tok.lowercase, &t->tok.strip_html, &t->tok.split_punct, &t->num_words,
                  &t->min_freq,      &t->maxlen,         &t->add_start,       &t->use_lengths};
    const char *p = meta, *key = NULL, *v = NULL;
    int line = 0, more;
    char buf[96];
    while ((more = rnnc__meta_line(&p, &line, buf, sizeof buf, path, "rnnc.text", &key, &v))) {
        if (more < 0)
            return more;
        int known = 0;
        if (!strncmp(key, "augment_", 8)) {
            double *d = !strcmp(key, "augment_drop")   ? &t->augment.drop
                        : !strcmp(key, "augment_swap") ? &t->augment.swap
                        : !strcmp(key, "augment_oov")  ? &t->augment.oov
                                                       : NULL;
            if (d && rnnc__value_double(v, d))
                return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: rnnc.text line %d: bad value for %s", path,
                                 line, key);
            known = d != NULL;
        }
        if (!strcmp(key, "padding") || !strcmp(key, "truncating")) {
            int side = !strcmp(v, "pre") ? RNNC_PAD_PRE : !strcmp(v, "post") ? RNNC_PAD_POST : -1;
            if (side < 0)
                return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: rnnc.text line %d: %s must be pre or post",
                                 path, line, key);
            *(!strcmp(key, "padding") ? &t->padding : &t->truncating) = side;
            known = 1;
        }
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            if (strcmp(key, keys[k]))
                continue;
            long x;
            if (rnnc__value_long(v, 0, 1000000, &x))
                return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: rnnc.text line %d: bad value for %s", path,
                                 line, key);
            *dst[k] = (int)x;
            known = 1;
        }
        if (!known)
            return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: rnnc.text line %d: unknown key '%s'", path, line,
                             key);
    }
    rnnc_status s = check_text(t);
    if (s != RNNC_OK) {
        rnnc__fail_prefix(s, "rnnc.text");
        return rnnc__fail_prefix(RNNC_ERR_FORMAT, path);
    }
    return RNNC_OK;
}

static rnnc_status save_with(const rnnc_classifier *c, const char *path, const char *key,
                             const char *value) {
    RNNC_TRY(check_labels(c->labels, c->n_labels)); /* a file that would not load: not written */
    char *vocab = NULL, *text = text_to_meta(&c->text), *labels = NULL;
    size_t n = 1;
    for (int i = 0; i < c->n_labels; i++)
        n += strlen(c->labels[i]) + 1;
    labels = calloc(n, 1);
    rnnc_status s = (text && labels) ? rnnc_vocab_to_text(c->vocab, &vocab)
                                     : RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
    if (s == RNNC_OK) {
        for (int i = 0; i < c->n_labels; i++) {
            if (i)
                strcat(labels, "\n");
            strcat(labels, c->labels[i]);
        }
        const char *keys[3 + MAX_INFO] = {"rnnc.vocab", "rnnc.labels", "rnnc.text"};
        const char *vals[3 + MAX_INFO] = {vocab, labels, text};
        int n_meta = 3;
        for (int i = 0; i < c->n_info; i++, n_meta++)
            keys[n_meta] = c->info_key[i], vals[n_meta] = c->info_val[i];
        s = rnnc__task_save(c->model, path, "classify", keys, vals, n_meta, key, value);
    }
    free(vocab), free(text), free(labels);
    return s;
}

rnnc_status rnnc_classifier_save(const rnnc_classifier *c, const char *path) {
    if (!c || !path)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_classifier_save: NULL argument");
    return save_with(c, path, NULL, NULL);
}

rnnc_status rnnc_classifier_set_info(rnnc_classifier *c, const char *key, const char *value) {
    if (!c || !key || !value)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_classifier_set_info: NULL argument");
    if (strncmp(key, "rnnc.data.", 10) != 0)
        return RNNC_FAIL(RNNC_ERR_ARG, "info key '%s' must start with 'rnnc.data.'", key);
    int i = 0;
    while (i < c->n_info && strcmp(c->info_key[i], key))
        i++;
    if (i == MAX_INFO)
        return RNNC_FAIL(RNNC_ERR_ARG, "at most %d info keys", MAX_INFO);
    char *v = strdup(value), *k = i < c->n_info ? c->info_key[i] : strdup(key);
    if (!v || !k) {
        free(v);
        if (i == c->n_info)
            free(k);
        return RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
    }
    if (i < c->n_info)
        free(c->info_val[i]);
    c->info_key[i] = k, c->info_val[i] = v;
    if (i == c->n_info)
        c->n_info++;
    return RNNC_OK;
}

const char *rnnc_classifier_info(const rnnc_classifier *c, const char *key) {
    for (int i = 0; c && key && i < c->n_info; i++)
        if (!strcmp(c->info_key[i], key))
            return c->info_val[i];
    return NULL;
}

typedef struct label_at {
    const char *name;
    int i;
} label_at;

static int by_label(const void *a, const void *b) {
    const label_at *x = a, *y = b;
    const int c = strcmp(x->name, y->name);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* A model's label names must differ: a repeated name would make two outputs one label (sorted, so
 * 100000 names are checked at once). Names the repeat that comes first in the list. */
static rnnc_status check_unique(char *const *names, int n, const char *path) {
    label_at *v;
    RNNC_TRY(rnnc__calloc((void **)&v, (size_t)n, sizeof *v, "label names"));
    for (int i = 0; i < n; i++)
        v[i].name = names[i], v[i].i = i;
    qsort(v, (size_t)n, sizeof *v, by_label);
    int first = -1, twin = -1;
    for (int k = 1; k < n; k++)
        if (!strcmp(v[k - 1].name, v[k].name) && (first < 0 || v[k].i < first))
            first = v[k].i, twin = v[k - 1].i;
    free(v);
    if (first >= 0)
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s: rnnc.labels: label %d \"%.64s\" repeats label %d (label names "
                         "must differ)",
                         path, first, names[first], twin);
    return RNNC_OK;
}

static rnnc_status load_labels(rnnc_classifier *c, const char *meta, const char *path) {
    if (!meta || !*meta)
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: metadata rnnc.labels is missing", path);
    int n = 1;
    for (const char *p = meta; *p; p++)
        n += *p == '\n';
    if (n < 2 || n > 100000)
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: rnnc.labels holds %d names; need 2 to 100000", path,
                         n);
    RNNC_TRY(rnnc__calloc((void **)&c->labels, (size_t)n, sizeof(char *), "label names"));
    const char *p = meta;
    for (int i = 0; i < n; i++) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len == 0)
            return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: rnnc.labels: label %d is empty", path, i);
        c->labels[i] = strndup(p, len);
        c->n_labels = i + 1;
        if (!c->labels[i])
            return RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
        p += len + 1;
    }
    return check_unique(c->labels, n, path);
}

static rnnc_status read_meta(void *obj, const rnnc_tensor_file *f, const char *path) {
    rnnc_classifier *c = obj;
    rnnc_status s = text_from_meta(rnnc_tensor_file_meta(f, "rnnc.text"), path, &c->text);
    if (s == RNNC_OK)
        s = rnnc__task_vocab(f, path, &c->vocab);
    if (s == RNNC_OK)
        s = load_labels(c, rnnc_tensor_file_meta(f, "rnnc.labels"), path);
    for (int i = 0; s == RNNC_OK && i < rnnc_tensor_file_meta_count(f); i++) {
        const char *k, *v;
        rnnc_tensor_file_meta_at(f, i, &k, &v);
        if (!strncmp(k, "rnnc.data.", 10))
            s = rnnc_classifier_set_info(c, k, v);
    }
    if (s == RNNC_OK && check_model(c) != RNNC_OK)
        s = rnnc__fail_prefix(RNNC_ERR_FORMAT, path);
    return s;
}

static void free_obj(void *c) {
    rnnc_classifier_free(c);
}

static const rnnc__task_kind task_kind = {"classify",
                                          "a text classifier",
                                          sizeof(rnnc_classifier),
                                          offsetof(rnnc_classifier, model),
                                          offsetof(rnnc_classifier, lock),
                                          read_meta,
                                          free_obj};

rnnc_status rnnc_classifier_load(const char *path, rnnc_classifier **out) {
    if (!path || !out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_classifier_load: NULL argument");
    return rnnc__task_open(&task_kind, path, (void **)out);
}

/* ---- encoding and batches ---- */

/* Encodes one text into row (maxlen) and returns its true length (>= 1: an empty review is one
 * padding step, since a recurrent layer needs at least one step). The text's ids before padding
 * and truncation stay in *tmp; n_all (may be NULL) gets their count. */
static rnnc_status encode_one(rnnc_classifier *c, const char *text, int32_t **tmp, size_t *cap,
                              int32_t *row, int32_t *len, size_t *n_all) {
    size_t n;
    RNNC_TRY(rnnc_vocab_encode(c->vocab, &c->text.tok, text, strlen(text), c->text.add_start, *tmp,
                               *cap, &n));
    if (n > *cap) {
        int32_t *t = realloc(*tmp, n * sizeof(int32_t));
        if (!t)
            return RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory encoding a text");
        *tmp = t, *cap = n;
        RNNC_TRY(rnnc_vocab_encode(c->vocab, &c->text.tok, text, strlen(text), c->text.add_start,
                                   *tmp, *cap, &n));
    }
    int l = 0;
    RNNC_TRY(rnnc_pad_ids(*tmp, n, c->text.maxlen, c->text.padding, c->text.truncating,
                          RNNC_VOCAB_PAD, row, &l));
    *len = l > 0 ? l : 1;
    if (n_all)
        *n_all = n;
    return RNNC_OK;
}

/* Appends text i's ids tmp (n) to e's unpadded copy (full, off), growing it geometrically. */
static rnnc_status keep_full(encoded *e, size_t i, const int32_t *tmp, size_t n, size_t *cap) {
    const size_t at = e->off[i];
    if (n > *cap - at) {
        size_t want = *cap * 2 > at + n ? *cap * 2 : at + n;
        int32_t *f = realloc(e->full, (want ? want : 1) * sizeof(int32_t));
        if (!f)
            return RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory keeping texts for augmentation");
        e->full = f, *cap = want;
    }
    if (n)
        memcpy(e->full + at, tmp, n * sizeof(int32_t));
    e->off[i + 1] = at + n;
    if (n > e->full_max)
        e->full_max = n;
    return RNNC_OK;
}

/* Encodes a labelled set; with full, each text's ids before padding and truncation are kept too
 * (the training set when augmenting). */
static rnnc_status encode_set(rnnc_classifier *c, const rnnc_textset *set, encoded *e, int full) {
    free(e->ids), free(e->len), free(e->full), free(e->off);
    memset(e, 0, sizeof *e);
    if (!set)
        return RNNC_OK;
    if (set->n_labels != c->n_labels)
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "the data has %d labels, the classifier %d (read it with the "
                         "classifier's label names)",
                         set->n_labels, c->n_labels);
    for (int i = 0; i < c->n_labels; i++)
        if (strcmp(set->label_names[i], c->labels[i]))
            return RNNC_FAIL(RNNC_ERR_ARG,
                             "label %d is '%s' in the data but '%s' in the classifier", i,
                             set->label_names[i], c->labels[i]);
    const size_t L = (size_t)c->text.maxlen;
    size_t total;
    if (rnnc__mul(set->n, L, &total))
        return RNNC_FAIL(RNNC_ERR_NOMEM, "%zu texts of maxlen %zu overflow", set->n, L);
    RNNC_TRY(rnnc__calloc((void **)&e->ids, total, sizeof(int32_t), "encoded ids"));
    RNNC_TRY(rnnc__calloc((void **)&e->len, set->n, sizeof(int32_t), "lengths"));
    if (full)
        RNNC_TRY(rnnc__calloc((void **)&e->off, set->n + 1, sizeof(size_t), "text offsets"));
    e->n = set->n, e->labels = set->labels;
    int32_t *tmp = NULL;
    size_t cap = 0, full_cap = 0;
    rnnc_status s = RNNC_OK;
    for (size_t i = 0; i < set->n && s == RNNC_OK; i++) {
        size_t n_all;
        s = encode_one(c, set->texts[i], &tmp, &cap, e->ids + i * L, &e->len[i], &n_all);
        if (s == RNNC_OK && full)
            s = keep_full(e, i, tmp, n_all, &full_cap);
    }
    free(tmp);
    return s;
}

static rnnc_status grow(void **p, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap)
        return RNNC_OK;
    void *q = realloc(*p, need * elem);
    if (!q)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory for a batch");
    *p = q, *cap = need;
    return RNNC_OK;
}

/* Time-major ids (T,B) for rows idx of e. With use_lengths, T is the longest in the batch and the
 * rows go longest first (ties in the given order): at every step the rows holding data are then
 * the first ones, and the recurrent layers skip the rest (src/nn/layers.h). c->border keeps
 * the order; the loss and predict read the batch's examples through it. */
static rnnc_status make_batch(rnnc_classifier *c, const encoded *e, const size_t *idx, int B,
                              rnnc_batch *out) {
    const size_t L = (size_t)c->text.maxlen;
    RNNC_TRY(grow((void **)&c->border, &c->border_cap, (size_t)B, sizeof(size_t)));
    for (int b = 0; b < B; b++) {
        size_t k = (size_t)b, id = idx[b];
        if (c->text.use_lengths) /* insertion sort, stable: a batch is at most a few hundred */
            for (; k > 0 && e->len[c->border[k - 1]] < e->len[id]; k--)
                c->border[k] = c->border[k - 1];
        c->border[k] = id;
    }
    idx = c->border;
    size_t T = L;
    if (c->text.use_lengths) {
        T = 1;
        for (int b = 0; b < B; b++)
            if ((size_t)e->len[idx[b]] > T)
                T = (size_t)e->len[idx[b]];
    }
    RNNC_TRY(grow((void **)&c->bids, &c->bcap, T * (size_t)B, sizeof(int32_t)));
    RNNC_TRY(grow((void **)&c->blen, &c->blen_cap, (size_t)B, sizeof(int32_t)));
    /* post padding: data in columns [0,len); pre: in [L-len, L); keep the T columns holding it */
    const size_t first = c->text.padding == RNNC_PAD_PRE ? L - T : 0;
    for (int b = 0; b < B; b++) {
        const int32_t *row = e->ids + idx[b] * L + first;
        for (size_t t = 0; t < T; t++)
            c->bids[t * (size_t)B + (size_t)b] = row[t];
        c->blen[b] = e->len[idx[b]];
    }
    memset(out, 0, sizeof *out);
    out->T = (int)T, out->B = B, out->ids = c->bids;
    out->lengths = c->text.use_lengths ? c->blen : NULL;
    out->padding = c->text.padding;
    return RNNC_OK;
}

/* A training batch with augmentation: each text's ids before padding and truncation are
 * augmented with the model's generator (so a seed repeats and a checkpoint resumes exactly), then
 * padded and truncated as the text options say, and batched as any other rows. The rows' order
 * (c->border) is mapped back to the training set's indices for the loss. */
static rnnc_status augmented_batch(rnnc_classifier *c, const size_t *idx, int B, rnnc_batch *out) {
    const encoded *e = &c->sets[0];
    const size_t L = (size_t)c->text.maxlen, nb = (size_t)B;
    RNNC_TRY(grow((void **)&c->atmp, &c->atmp_cap, e->full_max ? e->full_max : 1, sizeof(int32_t)));
    RNNC_TRY(grow((void **)&c->aidx, &c->aidx_cap, nb, sizeof(size_t)));
    RNNC_TRY(grow((void **)&c->aug.ids, &c->aug_ids_cap, nb * L, sizeof(int32_t)));
    RNNC_TRY(grow((void **)&c->aug.len, &c->aug_len_cap, nb, sizeof(int32_t)));
    rnnc_rng *rng = rnnc_model_rng(c->model);
    for (size_t b = 0; b < nb; b++) {
        const size_t i = idx[b];
        size_t n = e->off[i + 1] - e->off[i];
        if (n)
            memcpy(c->atmp, e->full + e->off[i], n * sizeof(int32_t));
        RNNC_TRY(rnnc_text_augment(&c->text.augment, rng, c->atmp, &n));
        int l = 0;
        RNNC_TRY(rnnc_pad_ids(c->atmp, n, c->text.maxlen, c->text.padding, c->text.truncating,
                              RNNC_VOCAB_PAD, c->aug.ids + b * L, &l));
        c->aug.len[b] = l > 0 ? l : 1; /* as encode_one: an empty text is one padding step */
        c->aidx[b] = b;
    }
    c->aug.n = nb;
    RNNC_TRY(make_batch(c, &c->aug, c->aidx, B, out));
    for (size_t b = 0; b < nb; b++)
        c->border[b] = idx[c->border[b]];
    return RNNC_OK;
}

static rnnc_status task_batch(void *self, int set, const size_t *idx, int B, rnnc_batch *out) {
    rnnc_classifier *c = self;
    if (set == 0 && c->sets[0].off) /* training, augmenting */
        return augmented_batch(c, idx, B, out);
    return make_batch(c, &c->sets[set], idx, B, out);
}

/* Scores (B,units) -> probabilities in c->work: sigmoid of the logit, or softmax. */
static rnnc_status probabilities(rnnc_classifier *c, const float *out, int B) {
    const size_t U = (size_t)c->units;
    RNNC_TRY(grow((void **)&c->work, &c->work_cap, (size_t)B * U, sizeof(float)));
    for (int b = 0; b < B; b++) {
        const float *z = out + (size_t)b * U;
        float *p = c->work + (size_t)b * U;
        if (U == 1) {
            p[0] = (float)(z[0] >= 0 ? 1 / (1 + exp(-z[0])) : exp(z[0]) / (1 + exp(z[0])));
            continue;
        }
        double mx = z[0], sum = 0;
        for (size_t j = 1; j < U; j++)
            mx = z[j] > mx ? z[j] : mx;
        for (size_t j = 0; j < U; j++)
            sum += exp(z[j] - mx);
        for (size_t j = 0; j < U; j++)
            p[j] = (float)(exp(z[j] - mx) / sum);
    }
    return RNNC_OK;
}

static rnnc_status task_loss(void *self, int set, const size_t *idx, int B, const float *out,
                             float *dout, double *loss, rnnc_metrics *met) {
    rnnc_classifier *c = self;
    const encoded *e = &c->sets[set];
    int32_t *y = c->blen; /* labels of the batch; lengths are no longer needed */
    (void)idx;            /* the batch's rows are c->border, idx sorted by make_batch */
    for (int b = 0; b < B; b++)
        y[b] = e->labels[c->border[b]];
    if (c->units == 1) {
        RNNC_TRY(grow((void **)&c->yf, &c->yf_cap, (size_t)B, sizeof(float)));
        for (int b = 0; b < B; b++)
            c->yf[b] = (float)y[b];
        *loss = rnnc_loss_bce_logits(out, c->yf, (size_t)B, dout);
    } else {
        RNNC_TRY(rnnc_loss_softmax_ce(out, y, (size_t)B, (size_t)c->units, -1, loss, NULL, dout));
    }
    if (!isfinite(*loss))
        return RNNC_OK; /* the caller reports it, with advice */
    RNNC_TRY(probabilities(c, out, B));
    return rnnc_metrics_add(met, c->work, (size_t)B, (size_t)c->units, y);
}

static rnnc_status task_save(void *self, const char *path, const char *key, const char *value) {
    return save_with(self, path, key, value);
}

static rnnc__task make_task(rnnc_classifier *c) {
    rnnc__task t;
    memset(&t, 0, sizeof t);
    t.self = c, t.model = c->model, t.n_classes = c->n_labels;
    t.n_train = c->sets[0].n, t.n_val = c->sets[1].n;
    t.batch = task_batch, t.loss = task_loss, t.save = task_save;
    return t;
}

static void drop_sets(rnnc_classifier *c) {
    for (int s = 0; s < 2; s++) {
        free(c->sets[s].ids), free(c->sets[s].len), free(c->sets[s].full), free(c->sets[s].off);
        memset(&c->sets[s], 0, sizeof c->sets[s]);
    }
}

/* What shaped the classifier, for the training loop's resume check: the vocabulary, the labels,
 * the text options (augmentation aside: it changes batches, not what an id means) and the
 * training texts with their labels. */
static rnnc_status make_setup(const rnnc_classifier *c, const rnnc_textset *train, char **out) {
    char *vocab = NULL;
    RNNC_TRY(rnnc_vocab_to_text(c->vocab, &vocab));
    rnnc__setup b = {0};
    rnnc__setup_hash(&b, "vocabulary", (size_t)rnnc_vocab_size(c->vocab), "ids",
                     rnnc__hash(RNNC__HASH_INIT, vocab, strlen(vocab)));
    free(vocab);
    uint64_t h = RNNC__HASH_INIT;
    size_t chars = 0;
    for (int i = 0; i < c->n_labels; i++) {
        h = rnnc__hash(h, c->labels[i], strlen(c->labels[i]) + 1);
        chars += strlen(c->labels[i]) + 1;
    }
    if (chars <= 64) { /* the names themselves when short */
        char names[72] = "";
        for (int i = 0; i < c->n_labels; i++)
            strcat(strcat(names, i ? "," : ""), c->labels[i]);
        rnnc__setup_add(&b, "labels", "%s", names);
    } else {
        rnnc__setup_hash(&b, "labels", (size_t)c->n_labels, "names", h);
    }
    rnnc_text_spec t = c->text;
    memset(&t.augment, 0, sizeof t.augment);
    char *text = text_to_meta(&t);
    for (const char *p = text; p && *p;) { /* its "key=value" lines, one by one */
        const char *nl = strchr(p, '\n'), *eq = strchr(p, '=');
        if (!nl || !eq || eq > nl)
            break;
        char key[32];
        snprintf(key, sizeof key, "%.*s", (int)(eq - p), p);
        rnnc__setup_add(&b, key, "%.*s", (int)(nl - eq - 1), eq + 1);
        p = nl + 1;
    }
    if (!text)
        b.failed = 1;
    free(text);
    h = RNNC__HASH_INIT;
    for (size_t i = 0; i < train->n; i++) {
        h = rnnc__hash(h, train->texts[i], strlen(train->texts[i]) + 1);
        h = rnnc__hash(h, &train->labels[i], sizeof train->labels[i]);
    }
    rnnc__setup_hash(&b, "training data", train->n, "texts", h);
    return rnnc__setup_done(&b, out);
}

rnnc_status rnnc_classifier_fit(rnnc_classifier *c, const rnnc_textset *train,
                                const rnnc_textset *val, const rnnc_fit_spec *spec,
                                rnnc_epoch_report *last) {
    if (!c || !train || !spec)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_classifier_fit: NULL argument");
    RNNC_TRY(RNNC__SPEC_CHECK(spec, rnnc_fit_spec));
    /* only the training set keeps its unpadded ids, and only when augmenting */
    rnnc_status s = encode_set(c, train, &c->sets[0], augmenting(&c->text));
    if (s == RNNC_OK)
        s = encode_set(c, val, &c->sets[1], 0);
    char *setup = NULL;
    if (s == RNNC_OK)
        s = make_setup(c, train, &setup);
    if (s == RNNC_OK) {
        rnnc__task t = make_task(c);
        t.setup = setup;
        s = rnnc__fit(&t, spec, last);
    }
    free(setup);
    drop_sets(c);
    return s;
}

rnnc_status rnnc_classifier_evaluate(rnnc_classifier *c, const rnnc_textset *data, int batch_size,
                                     double *loss, rnnc_metric_values *values) {
    if (!c || !data)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_classifier_evaluate: NULL argument");
    pthread_mutex_lock(&c->lock);
    rnnc_status s = encode_set(c, data, &c->sets[1], 0);
    if (s == RNNC_OK) {
        rnnc__task t = make_task(c);
        s = rnnc__evaluate(&t, 1, batch_size, loss, values);
    }
    drop_sets(c);
    pthread_mutex_unlock(&c->lock);
    return s;
}

static rnnc_status predict_locked(rnnc_classifier *c, const char *const *texts, size_t n,
                                  float *probs) {
    enum { CHUNK = 64 };
    const size_t L = (size_t)c->text.maxlen, K = (size_t)c->n_labels;
    encoded e;
    memset(&e, 0, sizeof e);
    rnnc_status s = rnnc__calloc((void **)&e.ids, CHUNK * L, sizeof(int32_t), "encoded ids");
    if (s == RNNC_OK)
        s = rnnc__calloc((void **)&e.len, CHUNK, sizeof(int32_t), "lengths");
    int32_t *tmp = NULL;
    size_t cap = 0, idx[CHUNK];
    for (size_t start = 0; s == RNNC_OK && start < n; start += CHUNK) {
        const int B = (int)(n - start < CHUNK ? n - start : CHUNK);
        for (int b = 0; b < B && s == RNNC_OK; b++) {
            idx[b] = (size_t)b;
            if (!texts[start + (size_t)b])
                s = RNNC_FAIL(RNNC_ERR_ARG, "rnnc_classifier_predict: text %zu is NULL",
                              start + (size_t)b);
            else
                s = encode_one(c, texts[start + (size_t)b], &tmp, &cap, e.ids + (size_t)b * L,
                               &e.len[b], NULL);
        }
        rnnc_batch batch;
        if (s == RNNC_OK)
            s = make_batch(c, &e, idx, B, &batch);
        if (s == RNNC_OK)
            s = rnnc_model_forward(c->model, &batch, 0);
        if (s == RNNC_OK)
            s = probabilities(c, rnnc_model_output(c->model, NULL, NULL), B);
        for (int b = 0; s == RNNC_OK && b < B; b++) { /* row b is text border[b] */
            float *p = probs + (start + c->border[b]) * K;
            if (c->units == 1)
                p[0] = 1 - c->work[b], p[1] = c->work[b];
            else
                memcpy(p, c->work + (size_t)b * K, K * sizeof(float));
        }
    }
    free(tmp), free(e.ids), free(e.len);
    return s;
}

rnnc_status rnnc_classifier_predict(rnnc_classifier *c, const char *const *texts, size_t n,
                                    float *probs) {
    if (!c || (n && (!texts || !probs)))
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_classifier_predict: NULL argument");
    pthread_mutex_lock(&c->lock);
    const rnnc_status s = predict_locked(c, texts, n, probs);
    pthread_mutex_unlock(&c->lock);
    return s;
}
