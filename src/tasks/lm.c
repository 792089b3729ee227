/* Language models: a token stream cut into B contiguous rows, read in windows of bptt steps with
 * the recurrent state carried from each window to the next (truncated backpropagation through
 * time: the gradient stops at the window's start) and reset at document starts; softmax
 * cross-entropy at every step. Supplies the shared training loop (src/train/fit.c) with windows
 * in order and a validation of its own, evaluates streams, and reads and writes the model file:
 * the model plus metadata "rnnc.task" = "lm", "rnnc.lm" (the spec as "key=value" lines) and
 * "rnnc.vocab". Sampling and generation are in lm_sample.c. */
#include "lm.h"

#include "../formats/values.h"
#include "../train/fit.h"
#include "task.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the spec ---- */

void rnnc_lm_spec_defaults(rnnc_lm_spec *out, size_t size) {
    rnnc_lm_spec s;
    memset(&s, 0, sizeof s);
    const rnnc_corpus_spec c = rnnc_corpus_spec_init();
    s.level = c.level, s.lowercase = c.lowercase, s.strip_html = c.strip_html;
    s.split_punct = c.split_punct, s.num_words = c.num_words, s.min_freq = c.min_freq;
    s.documents = c.documents;
    s.bptt = 35;
    s.loss = RNNC_LM_LOSS_TOKEN_MEAN;
    s.eval_batch = 1;
    s.struct_size = sizeof s;
    rnnc__spec_fill(out, size, &s, sizeof s);
}

rnnc_corpus_spec rnnc_lm_corpus(const rnnc_lm_spec *spec) {
    const rnnc_lm_spec def = rnnc_lm_spec_init();
    if (!spec)
        spec = &def;
    rnnc_corpus_spec c;
    memset(&c, 0, sizeof c);
    c.level = spec->level, c.lowercase = spec->lowercase, c.strip_html = spec->strip_html;
    c.split_punct = spec->split_punct, c.num_words = spec->num_words, c.min_freq = spec->min_freq;
    c.documents = spec->documents;
    return c;
}

rnnc_tokenizer_spec rnnc_lm_tokenizer(const rnnc_lm_spec *spec) {
    const rnnc_corpus_spec c = rnnc_lm_corpus(spec);
    return rnnc_corpus_tokenizer(&c);
}

/* ---- the spec in the model file ---- */

static const char *const spec_keys[] = {"level",      "lowercase",  "num_words", "min_freq",
                                        "documents",  "bptt",       "loss",      "eval_batch",
                                        "strip_html", "split_punct"};
enum { N_SPEC_KEYS = 10 };

/* Every field as an int: the enum fields are read and written as the int (or unsigned int, the
 * same object to C's aliasing rules) the compiler stores them in. */
_Static_assert(sizeof(enum rnnc_lm_level) == sizeof(int) &&
                   sizeof(enum rnnc_lm_documents) == sizeof(int) &&
                   sizeof(enum rnnc_lm_loss) == sizeof(int),
               "the spec's enum fields are ints");
static int *spec_field(rnnc_lm_spec *s, int k) {
    int *f[N_SPEC_KEYS] = {(int *)&s->level,     &s->lowercase,  &s->num_words,   &s->min_freq,
                           (int *)&s->documents, &s->bptt,       (int *)&s->loss, &s->eval_batch,
                           &s->strip_html,       &s->split_punct};
    return f[k];
}

static rnnc_status check_spec(const rnnc_lm_spec *s) {
    if (s->level != RNNC_LM_CHAR && s->level != RNNC_LM_WORD)
        return RNNC_FAIL(RNNC_ERR_ARG, "lm: unknown level %d (char or word)", s->level);
    if (s->documents != RNNC_LM_DOC_NONE && s->documents != RNNC_LM_DOC_LINES)
        return RNNC_FAIL(RNNC_ERR_ARG, "lm: unknown documents mode %d (none or lines)",
                         s->documents);
    if (s->loss != RNNC_LM_LOSS_TOKEN_MEAN && s->loss != RNNC_LM_LOSS_STEP_SUM)
        return RNNC_FAIL(RNNC_ERR_ARG, "lm: unknown loss %d (token_mean or step_sum)", s->loss);
    if (s->bptt < 1 || s->bptt > 100000)
        return RNNC_FAIL(RNNC_ERR_ARG, "lm: bptt must be in [1, 100000], got %d", s->bptt);
    if (s->eval_batch < 1 || s->eval_batch > 65536)
        return RNNC_FAIL(RNNC_ERR_ARG, "lm: eval_batch must be in [1, 65536], got %d",
                         s->eval_batch);
    if (s->num_words < 0 || s->min_freq < 0 || (s->lowercase != 0 && s->lowercase != 1) ||
        (s->strip_html != 0 && s->strip_html != 1) || (s->split_punct != 0 && s->split_punct != 1))
        return RNNC_FAIL(RNNC_ERR_ARG, "lm: num_words and min_freq must be >= 0, lowercase, "
                                       "strip_html and split_punct 0/1");
    return RNNC_OK;
}

static char *spec_to_meta(const rnnc_lm_spec *spec) {
    rnnc_lm_spec s = *spec;
    char *out = malloc(512);
    if (!out)
        return NULL;
    size_t n = 0;
    for (int k = 0; k < N_SPEC_KEYS; k++)
        n += (size_t)snprintf(out + n, 512 - n, "%s=%d\n", spec_keys[k], *spec_field(&s, k));
    return out;
}

static rnnc_status spec_from_meta(rnnc_lm_spec *s, const char *meta, const char *path) {
    *s = rnnc_lm_spec_init();
    if (!meta)
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: metadata rnnc.lm is missing", path);
    const char *p = meta, *k = NULL, *v = NULL;
    int line = 0, more;
    char buf[128];
    while ((more = rnnc__meta_line(&p, &line, buf, sizeof buf, path, "rnnc.lm", &k, &v))) {
        if (more < 0)
            return more;
        int which = -1;
        for (int i = 0; i < N_SPEC_KEYS; i++)
            if (!strcmp(k, spec_keys[i]))
                which = i;
        long x;
        if (which < 0 || rnnc__value_long(v, 0, 1L << 30, &x))
            return RNNC_FAIL(RNNC_ERR_FORMAT,
                             "%s: metadata rnnc.lm line %d: '%s=%s' is not a "
                             "known key with an integer value",
                             path, line, k, v);
        *spec_field(s, which) = (int)x;
    }
    if (check_spec(s) != RNNC_OK)
        return rnnc__fail_prefix(RNNC_ERR_FORMAT, path);
    return RNNC_OK;
}

/* ---- the model ---- */

/* Checks the layers: an embedding first, a linear dense over the vocabulary last, sequences all
 * along; records the recurrent layers. */
static rnnc_status check_model(rnnc_lm *lm) {
    const rnnc_config *cfg = rnnc_model_config(lm->model);
    const rnnc_layer_spec *first = &cfg->layers[0], *last = &cfg->layers[cfg->n_layers - 1];
    if (first->kind != RNNC_LAYER_EMBEDDING)
        return RNNC_FAIL(RNNC_ERR_ARG, "a language model starts with an embedding layer");
    if (last->kind != RNNC_LAYER_DENSE || last->activation != RNNC_ACT_LINEAR)
        return RNNC_FAIL(RNNC_ERR_ARG, "a language model ends with a linear dense layer (its "
                                       "logits go into the softmax cross-entropy)");
    if ((size_t)first->vocab != lm->V || (size_t)last->units != lm->V)
        return RNNC_FAIL(RNNC_ERR_SHAPE,
                         "the vocabulary has %zu ids, but the embedding's vocab is %d and the "
                         "output layer's units %d (set both to %zu, or to 0 for 'from the data')",
                         lm->V, first->vocab, last->units, lm->V);
    lm->n_rec = 0;
    for (int i = 0; i < cfg->n_layers; i++) {
        int seq;
        const char *kind;
        rnnc_model_layer_info(lm->model, i, NULL, &kind, NULL, &seq);
        if (!seq)
            return RNNC_FAIL(RNNC_ERR_ARG,
                             "layer %d (%s) returns only the last step; a language model "
                             "predicts at every step (set return_sequences = true)",
                             i, kind);
        const rnnc_layer_spec *s = &cfg->layers[i];
        if (!rnnc_layer_is_recurrent(s->kind))
            continue;
        if (s->bidirectional)
            return RNNC_FAIL(RNNC_ERR_ARG,
                             "layer %d (%s) is bidirectional: a language model "
                             "may not see the tokens it predicts",
                             i, kind);
        const int r = lm->n_rec++;
        lm->rec[r] = i;
        lm->rec_n[r] = (size_t)s->layers;
        lm->rec_h[r] = (size_t)s->hidden;
        lm->rec_c[r] = rnnc_layer_has_cell_state(s->kind);
    }
    return RNNC_OK;
}

void rnnc_lm_free(rnnc_lm *lm) {
    if (!lm)
        return;
    rnnc_model_free(lm->model);
    rnnc_vocab_free(lm->vocab);
    for (int r = 0; r < RNNC_MAX_LAYERS; r++)
        free(lm->h[r]), free(lm->c[r]);
    free(lm->ids), free(lm->tgt), free(lm->lengths), free(lm->row_loss), free(lm->row_hit);
    for (int s = 0; s < 2; s++) {
        free(lm->sched[s].pos), free(lm->sched[s].len), free(lm->sched[s].reset);
    }
    rnnc__lock_free(&lm->lock);
    free(lm);
}

rnnc_model *rnnc_lm_model(rnnc_lm *lm) {
    return lm ? lm->model : NULL;
}
const rnnc_vocab *rnnc_lm_vocab(const rnnc_lm *lm) {
    return lm ? lm->vocab : NULL;
}
const rnnc_lm_spec *rnnc_lm_get_spec(const rnnc_lm *lm) {
    return lm ? &lm->spec : NULL;
}

static const rnnc__task_kind
    task_kind; /* the language model to task.c's shared code (below load) */

rnnc_status rnnc_lm_create(const rnnc_config *cfg, const rnnc_lm_spec *spec, const char *train_text,
                           size_t len, uint64_t seed, rnnc_lm **out) {
    if (!train_text)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_lm_create: NULL argument");
    return rnnc_lm_create_vocab(cfg, spec, NULL, train_text, len, seed, out);
}

rnnc_status rnnc_lm_create_vocab(const rnnc_config *cfg, const rnnc_lm_spec *spec,
                                 const rnnc_vocab *vocab, const char *train_text, size_t len,
                                 uint64_t seed, rnnc_lm **out) {
    if (!cfg || !spec || (!vocab && !train_text) || !out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_lm_create: NULL argument");
    RNNC_TRY(RNNC__SPEC_CHECK(spec, rnnc_lm_spec));
    *out = NULL;
    RNNC_TRY(check_spec(spec));
    if (cfg->n_layers < 2)
        return RNNC_FAIL(RNNC_ERR_ARG, "a language model needs at least an embedding and a "
                                       "dense layer");
    rnnc_lm *lm;
    RNNC_TRY(rnnc__task_new(&task_kind, (void **)&lm));
    lm->spec = *spec;
    rnnc_status s;
    if (vocab)
        s = rnnc_vocab_copy(vocab, &lm->vocab);
    else {
        const rnnc_corpus_spec cs = rnnc_lm_corpus(spec);
        s = rnnc_corpus_vocab(&cs, train_text, len, &lm->vocab);
    }
    if (s == RNNC_OK) {
        lm->V = (size_t)rnnc_vocab_size(lm->vocab);
        rnnc_config c = *cfg;
        rnnc_layer_spec *first = &c.layers[0], *last = &c.layers[c.n_layers - 1];
        if (first->kind == RNNC_LAYER_EMBEDDING && first->vocab == 0)
            first->vocab = (int)lm->V;
        if (last->kind == RNNC_LAYER_DENSE && last->units == 0)
            last->units = (int)lm->V;
        s = rnnc_model_create(&c, seed, &lm->model);
    }
    if (s == RNNC_OK)
        s = check_model(lm);
    if (s != RNNC_OK) {
        rnnc_lm_free(lm);
        return s;
    }
    *out = lm;
    return RNNC_OK;
}

/* A checkpoint's carried state goes beside it, in <checkpoint>.lmstate.safetensors, tagged with
 * the checkpoint's train state: written as .lmstate.next first and renamed once the checkpoint is
 * in place, so a kill at any moment leaves one of the two matching the checkpoint (the optimizer
 * file's scheme, src/train/fit.c). */
static rnnc_status save_carry(const rnnc_lm *lm, const char *ckpt, const char *state,
                              char **next_out) {
    char *next = rnnc__sibling_path(ckpt, ".lmstate.next.safetensors");
    if (!next)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
    rnnc_tensor t[2 * RNNC_MAX_LAYERS];
    char names[2 * RNNC_MAX_LAYERS][16];
    int n = 0;
    for (int r = 0; r < lm->n_rec; r++)
        for (int k = 0; k < 1 + lm->rec_c[r]; k++, n++) {
            snprintf(names[n], sizeof names[n], "%c.%d", k ? 'c' : 'h', r);
            memset(&t[n], 0, sizeof t[n]);
            t[n].name = names[n], t[n].dtype = RNNC_DTYPE_F32, t[n].ndim = 3;
            t[n].dims[0] = lm->rec_n[r], t[n].dims[1] = lm->carry_rows, t[n].dims[2] = lm->rec_h[r];
            t[n].data = k ? lm->c[r] : lm->h[r];
            t[n].nbytes = lm->rec_n[r] * lm->carry_rows * lm->rec_h[r] * sizeof(float);
        }
    const char *key = "rnnc.train_state";
    rnnc_status s = rnnc_tensor_file_write(next, t, n, &key, &state, 1);
    if (s != RNNC_OK)
        free(next), next = NULL;
    *next_out = next;
    return s;
}

static rnnc_status save_with(const rnnc_lm *lm, const char *path, const char *key,
                             const char *value) {
    char *next = NULL;
    if (key && !strcmp(key, "rnnc.train_state") && lm->carry_train && lm->n_rec)
        RNNC_TRY(save_carry(lm, path, value, &next));
    char *vocab = NULL, *spec = spec_to_meta(&lm->spec);
    rnnc_status s =
        spec ? rnnc_vocab_to_text(lm->vocab, &vocab) : RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
    if (s == RNNC_OK) {
        const char *keys[2] = {"rnnc.lm", "rnnc.vocab"};
        const char *vals[2] = {spec, vocab};
        s = rnnc__task_save(lm->model, path, "lm", keys, vals, 2, key, value);
    }
    if (next) {
        char *final = rnnc__sibling_path(path, ".lmstate.safetensors");
        if (s == RNNC_OK && (!final || rename(next, final) != 0))
            s = RNNC_FAIL(RNNC_ERR_IO, "%s: cannot rename to the carried-state file", next);
        free(final), free(next);
    }
    free(vocab), free(spec);
    return s;
}

/* Resuming: the carried state of the checkpoint's own train state, from .lmstate or (a kill
 * between the checkpoint and the rename) .lmstate.next. Neither matching is fine at an epoch's
 * start, where every row starts from zero anyway. */
static rnnc_status task_resumed(void *self, const char *path, const char *state) {
    rnnc_lm *lm = self;
    const size_t B = lm->sched[0].B;
    RNNC_TRY(rnnc__lm_reserve(lm, 1, B));
    rnnc_status st = RNNC_OK;
    for (int which = 0; which < 2 && state; which++) {
        char *p =
            rnnc__sibling_path(path, which ? ".lmstate.next.safetensors" : ".lmstate.safetensors");
        rnnc_tensor_file *f = NULL;
        const int ok = p && rnnc_tensor_file_read(p, &f) == RNNC_OK;
        free(p);
        const char *tag = ok ? rnnc_tensor_file_meta(f, "rnnc.train_state") : NULL;
        int good = tag && !strcmp(tag, state);
        for (int r = 0; good && r < lm->n_rec; r++)
            for (int k = 0; good && k < 1 + lm->rec_c[r]; k++) {
                char name[16];
                snprintf(name, sizeof name, "%c.%d", k ? 'c' : 'h', r);
                const rnnc_tensor *t = rnnc_tensor_file_find(f, name);
                const size_t n = lm->rec_n[r] * B * lm->rec_h[r];
                good = t && t->dtype == RNNC_DTYPE_F32 && t->nbytes == n * sizeof(float);
                if (good && (st = rnnc_tensor_check_finite(t, rnnc_tensor_file_name(f))))
                    good = 0;
                if (good)
                    memcpy(k ? lm->c[r] : lm->h[r], t->data, t->nbytes);
            }
        rnnc_tensor_file_free(f);
        if (st)
            return st;
        if (good)
            return RNNC_OK;
    }
    return RNNC_OK;
}

rnnc_status rnnc_lm_save(const rnnc_lm *lm, const char *path) {
    if (!lm || !path)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_lm_save: NULL argument");
    return save_with(lm, path, NULL, NULL);
}

static rnnc_status read_meta(void *obj, const rnnc_tensor_file *f, const char *path) {
    rnnc_lm *lm = obj;
    rnnc_status s = spec_from_meta(&lm->spec, rnnc_tensor_file_meta(f, "rnnc.lm"), path);
    if (s == RNNC_OK)
        s = rnnc__task_vocab(f, path, &lm->vocab);
    if (s == RNNC_OK) {
        lm->V = (size_t)rnnc_vocab_size(lm->vocab);
        if (check_model(lm) != RNNC_OK)
            s = rnnc__fail_prefix(RNNC_ERR_FORMAT, path);
    }
    return s;
}

static void free_obj(void *lm) {
    rnnc_lm_free(lm);
}

static const rnnc__task_kind task_kind = {"lm",
                                          "a language model",
                                          sizeof(rnnc_lm),
                                          offsetof(rnnc_lm, model),
                                          offsetof(rnnc_lm, lock),
                                          read_meta,
                                          free_obj};

rnnc_status rnnc_lm_load(const char *path, rnnc_lm **out) {
    if (!path || !out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_lm_load: NULL argument");
    return rnnc__task_open(&task_kind, path, (void **)out);
}

rnnc_status rnnc_lm_encode(const rnnc_lm *lm, const char *text, size_t len, const char *name,
                           rnnc_corpus *out) {
    if (!lm)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_lm_encode: NULL model");
    const rnnc_corpus_spec cs = rnnc_lm_corpus(&lm->spec);
    return rnnc_corpus_encode(&cs, lm->vocab, text, len, name, out);
}

/* ---- state and buffers ---- */

static rnnc_status grow(void **p, size_t n, size_t size, const char *what) {
    size_t bytes;
    if (rnnc__mul(n ? n : 1, size, &bytes))
        return RNNC_FAIL(RNNC_ERR_NOMEM, "%s: size overflows", what);
    void *q = realloc(*p, bytes);
    if (!q)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "cannot allocate %s (%zu bytes)", what, bytes);
    *p = q;
    return RNNC_OK;
}

rnnc_status rnnc__lm_reserve(rnnc_lm *lm, size_t T, size_t B) {
    size_t tb;
    if (rnnc__mul(T, B, &tb))
        return RNNC_FAIL(RNNC_ERR_NOMEM, "window of %zu x %zu steps overflows", T, B);
    if (tb > lm->tb_cap) {
        RNNC_TRY(grow((void **)&lm->ids, tb, sizeof *lm->ids, "window ids"));
        RNNC_TRY(grow((void **)&lm->tgt, tb, sizeof *lm->tgt, "window targets"));
        RNNC_TRY(grow((void **)&lm->row_loss, tb, sizeof *lm->row_loss, "window losses"));
        RNNC_TRY(grow((void **)&lm->row_hit, tb, sizeof *lm->row_hit, "window hits"));
        lm->tb_cap = tb;
    }
    if (B > lm->b_cap) {
        RNNC_TRY(grow((void **)&lm->lengths, B, sizeof *lm->lengths, "window lengths"));
        lm->b_cap = B;
    }
    if (B > lm->state_cap) {
        for (int r = 0; r < lm->n_rec; r++) {
            const size_t n = lm->rec_n[r] * B * lm->rec_h[r];
            RNNC_TRY(grow((void **)&lm->h[r], n, sizeof(float), "carried state"));
            if (lm->rec_c[r])
                RNNC_TRY(grow((void **)&lm->c[r], n, sizeof(float), "carried state"));
        }
        lm->state_cap = B;
    }
    return RNNC_OK;
}

rnnc_status rnnc__lm_load_state(rnnc_lm *lm, size_t B, const unsigned char *reset) {
    for (int r = 0; r < lm->n_rec; r++) {
        const size_t H = lm->rec_h[r];
        for (size_t l = 0; l < lm->rec_n[r]; l++)
            for (size_t b = 0; b < B; b++) {
                if (reset && !reset[b])
                    continue;
                memset(lm->h[r] + (l * B + b) * H, 0, H * sizeof(float));
                if (lm->rec_c[r])
                    memset(lm->c[r] + (l * B + b) * H, 0, H * sizeof(float));
            }
        RNNC_TRY(rnnc_model_set_state(lm->model, lm->rec[r], (int)B, lm->h[r],
                                      lm->rec_c[r] ? lm->c[r] : NULL));
    }
    return RNNC_OK;
}

rnnc_status rnnc__lm_keep_state(rnnc_lm *lm, size_t B) {
    for (int r = 0; r < lm->n_rec; r++) {
        const float *h, *c;
        RNNC_TRY(rnnc_model_final_state(lm->model, lm->rec[r], &h, &c));
        const size_t n = lm->rec_n[r] * B * lm->rec_h[r];
        memcpy(lm->h[r], h, n * sizeof(float));
        if (lm->rec_c[r])
            memcpy(lm->c[r], c, n * sizeof(float));
    }
    return RNNC_OK;
}

/* ---- windows ---- */

static void sched_free(rnnc__lm_sched *s) {
    free(s->pos), free(s->len), free(s->reset);
    memset(s, 0, sizeof *s);
}

/* Row b holds positions [lo, hi) of the stream: [b*(n/B), (b+1)*(n/B)), the last row up to n.
 * Each document piece inside it is read in windows of up to T predictions; a piece's first window
 * starts from a zero state. Two passes: count the windows per row, then fill. */
static rnnc_status sched_build(rnnc__lm_sched *s, const rnnc_corpus *c, size_t B, size_t T,
                               const char *what) {
    sched_free(s);
    if (!c || !c->ids || c->n_docs < 1 || !c->doc_start)
        return RNNC_FAIL(RNNC_ERR_ARG, "%s: the token stream is empty", what);
    const size_t bl = c->n / B;
    if (bl < 2)
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "%s: %zu tokens are too few for %zu parallel streams (each needs at "
                         "least 2; lower the batch size)",
                         what, c->n, B);
    size_t *count = calloc(B, sizeof *count);
    if (!count)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
    for (int pass = 0; pass < 2; pass++) {
        size_t d = 0;
        for (size_t b = 0; b < B; b++) {
            const size_t lo = b * bl, hi = b + 1 == B ? c->n : lo + bl;
            size_t w = 0;
            while (d + 1 < c->n_docs && c->doc_start[d + 1] <= lo)
                d++;
            for (size_t dd = d; dd < c->n_docs && c->doc_start[dd] < hi; dd++) {
                const size_t end = dd + 1 < c->n_docs ? c->doc_start[dd + 1] : c->n;
                const size_t s0 = c->doc_start[dd] > lo ? c->doc_start[dd] : lo;
                const size_t s1 = end < hi ? end : hi;
                for (size_t p = s0; p + 1 < s1; w++) {
                    const size_t k = s1 - 1 - p < T ? s1 - 1 - p : T;
                    if (pass) {
                        s->pos[w * B + b] = p;
                        s->len[w * B + b] = (uint32_t)k;
                        s->reset[w * B + b] = p == s0;
                        s->tokens += k;
                    }
                    p += k;
                }
            }
            count[b] = w;
        }
        if (!pass) {
            for (size_t b = 0; b < B; b++)
                s->n_win = count[b] > s->n_win ? count[b] : s->n_win;
            size_t cells;
            if (s->n_win == 0 || rnnc__mul(s->n_win, B, &cells)) {
                free(count);
                return s->n_win ? RNNC_FAIL(RNNC_ERR_NOMEM, "%s: too many windows", what)
                                : RNNC_FAIL(RNNC_ERR_ARG,
                                            "%s: no token has a token before it in its document "
                                            "(every document is one token long)",
                                            what);
            }
            s->pos = calloc(cells, sizeof *s->pos);
            s->len = calloc(cells, sizeof *s->len);
            s->reset = calloc(cells, sizeof *s->reset);
            if (!s->pos || !s->len || !s->reset) {
                free(count);
                sched_free(s);
                return RNNC_FAIL(RNNC_ERR_NOMEM, "%s: cannot allocate %zu windows", what, cells);
            }
        }
    }
    free(count);
    s->B = B, s->T = T;
    return RNNC_OK;
}

/* Window w of schedule s over stream c as a batch: ids and targets (T,B) with -1 for no target,
 * the carried state loaded (reset rows from zero). */
static rnnc_status window_batch(rnnc_lm *lm, const rnnc__lm_sched *s, const rnnc_corpus *c,
                                size_t w, rnnc_batch *out) {
    const size_t B = s->B;
    const uint32_t *len = s->len + w * B;
    const size_t *pos = s->pos + w * B;
    size_t T = 1;
    int full = 1;
    for (size_t b = 0; b < B; b++)
        T = len[b] > T ? len[b] : T;
    for (size_t b = 0; b < B; b++)
        full &= len[b] == T;
    RNNC_TRY(rnnc__lm_reserve(lm, T, B));
    for (size_t t = 0; t < T; t++)
        for (size_t b = 0; b < B; b++) {
            const int on = t < len[b];
            lm->ids[t * B + b] = on ? c->ids[pos[b] + t] : 0;
            lm->tgt[t * B + b] = on ? c->ids[pos[b] + t + 1] : -1;
        }
    for (size_t b = 0; b < B; b++)
        lm->lengths[b] = len[b] ? (int32_t)len[b] : 1; /* a row with no window left idles */
    RNNC_TRY(rnnc__lm_load_state(lm, B, s->reset + w * B));
    memset(out, 0, sizeof *out);
    out->T = (int)T, out->B = (int)B;
    out->ids = lm->ids;
    out->lengths = full ? NULL : lm->lengths;
    out->padding = RNNC_PAD_POST;
    return RNNC_OK;
}

/* ---- the loss ---- */

typedef struct ce_job {
    const float *logits; /* (N,V) */
    const int32_t *tgt;  /* (N) */
    float *grad;         /* (N,V) or NULL */
    double *loss;        /* (N) */
    unsigned char *hit;  /* (N) */
    size_t N, V;
    float scale; /* gradient factor */
    int parts;
} ce_job;

/* Rows [k*N/parts, (k+1)*N/parts): each row's loss logsumexp(z) - z[target], whether the argmax
 * (the first on ties) is the target, and scale * (softmax(z) - onehot) as its gradient. */
static void ce_part(void *arg, int k) {
    const ce_job *j = arg;
    const size_t V = j->V;
    for (size_t i = j->N * (size_t)k / (size_t)j->parts;
         i < j->N * (size_t)(k + 1) / (size_t)j->parts; i++) {
        const float *z = j->logits + i * V;
        float *g = j->grad ? j->grad + i * V : NULL;
        const int32_t t = j->tgt[i];
        if (t < 0) {
            if (g)
                memset(g, 0, V * sizeof(float));
            j->loss[i] = 0, j->hit[i] = 0;
            continue;
        }
        size_t arg_max = 0;
        for (size_t c = 1; c < V; c++)
            arg_max = z[c] > z[arg_max] ? c : arg_max;
        const float m = z[arg_max];
        const float sum = g ? rnnc__vexp_shift(z, m, g, V) : 0;
        double s = sum;
        if (!g) { /* no gradient buffer: the sum alone, in chunks through a small buffer */
            float buf[256];
            s = 0;
            for (size_t c = 0; c < V; c += 256)
                s += rnnc__vexp_shift(z + c, m, buf, V - c < 256 ? V - c : 256);
        }
        j->loss[i] = (double)m + log(s) - (double)z[t];
        j->hit[i] = (int32_t)arg_max == t;
        if (g) {
            const float f = (float)(1.0 / s) * j->scale;
            for (size_t c = 0; c < V; c++)
                g[c] *= f;
            g[t] -= j->scale;
        }
    }
}

/* Softmax cross-entropy of the last forward's logits (T*B rows) against lm->tgt: the summed loss
 * and the hits over the rows with a target; grad (may be NULL) gets the gradient with factor
 * scale per row. Row results do not depend on the thread count. */
static rnnc_status window_loss(rnnc_lm *lm, size_t N, const float *logits, float *grad, float scale,
                               double *sum, size_t *counted, size_t *hits) {
    ce_job j = {logits, lm->tgt, grad, lm->row_loss, lm->row_hit, N, lm->V, scale, 1};
    const int th = rnnc_num_threads();
    j.parts = (size_t)th < N ? th : (int)N;
    if (j.parts < 1)
        j.parts = 1;
    if (j.parts == 1 || !rnnc__pool_run(j.parts, ce_part, &j))
        for (int k = 0; k < j.parts; k++)
            ce_part(&j, k);
    double s = 0;
    size_t n = 0, h = 0;
    for (size_t i = 0; i < N; i++) {
        if (lm->tgt[i] < 0)
            continue;
        s += lm->row_loss[i], n++, h += lm->row_hit[i];
    }
    *sum = s, *counted = n; /* NaN passes through: the trainer names the step (or skips it) */
    if (hits)
        *hits = h;
    return RNNC_OK;
}

/* Accuracy through the classification accumulator: one binary example per scored token, label 1,
 * score 1 when the argmax was the target (so its accuracy is the hit rate). */
static rnnc_status add_hits(rnnc_metrics *met, size_t hits, size_t n) {
    static const int32_t one[64] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                                    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                                    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                                    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    float sc[64];
    for (size_t done = 0; done < n;) {
        const size_t k = n - done < 64 ? n - done : 64;
        for (size_t i = 0; i < k; i++)
            sc[i] = done + i < hits ? 1.0f : 0.0f;
        RNNC_TRY(rnnc_metrics_add(met, sc, k, 1, one));
        done += k;
    }
    return RNNC_OK;
}

/* ---- evaluation ---- */

/* Steps per evaluation window: the state is carried, so only speed depends on it. Longer windows
 * pack the recurrent weights less often; the logits (T,B,V) stay within 64 MB. */
static size_t eval_steps(const rnnc_lm *lm, size_t B) {
    size_t T = ((size_t)16 << 20) / (B * lm->V + 1);
    T = T > 256 ? 256 : T;
    return T > (size_t)lm->spec.bptt ? T : (size_t)lm->spec.bptt;
}

static rnnc_status evaluate_sched(rnnc_lm *lm, const rnnc__lm_sched *s, const rnnc_corpus *c,
                                  double *loss, size_t *scored, size_t *hits) {
    lm->carry_train = 0; /* the carried state becomes the evaluation's */
    double sum = 0;
    size_t n = 0, h = 0;
    for (size_t w = 0; w < s->n_win; w++) {
        rnnc_batch batch;
        RNNC_TRY(window_batch(lm, s, c, w, &batch));
        RNNC_TRY(rnnc_model_forward(lm->model, &batch, 0));
        RNNC_TRY(rnnc__lm_keep_state(lm, s->B));
        double ws;
        size_t wn, wh;
        RNNC_TRY(window_loss(lm, (size_t)batch.T * s->B, rnnc_model_output(lm->model, NULL, NULL),
                             NULL, 0, &ws, &wn, &wh));
        sum += ws, n += wn, h += wh;
    }
    *loss = n ? sum / (double)n : NAN;
    if (scored)
        *scored = n;
    if (hits)
        *hits = h;
    return RNNC_OK;
}

rnnc_status rnnc_lm_evaluate(rnnc_lm *lm, const rnnc_corpus *c, int batch, double *loss,
                             size_t *scored) {
    if (!lm || !c || !loss)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_lm_evaluate: NULL argument");
    if (batch < 1)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_lm_evaluate: batch must be >= 1, got %d", batch);
    rnnc__lm_sched s;
    memset(&s, 0, sizeof s);
    pthread_mutex_lock(&lm->lock);
    rnnc_status st = sched_build(&s, c, (size_t)batch, eval_steps(lm, (size_t)batch), "evaluation");
    if (st == RNNC_OK)
        st = evaluate_sched(lm, &s, c, loss, scored, NULL);
    sched_free(&s);
    pthread_mutex_unlock(&lm->lock);
    return st;
}

/* ---- the trainer's task ---- */

static rnnc_status task_batch(void *self, int set, const size_t *idx, int B, rnnc_batch *out) {
    rnnc_lm *lm = self;
    const rnnc__lm_sched *s = &lm->sched[set];
    /* the trainer hands the windows in order, one window (all rows) per batch */
    RNNC_ASSERT((size_t)B == s->B && idx[0] % s->B == 0);
    return window_batch(lm, s, lm->cor[set], idx[0] / s->B, out);
}

static rnnc_status task_loss(void *self, int set, const size_t *idx, int B, const float *out,
                             float *dout, double *loss, rnnc_metrics *met) {
    (void)set, (void)idx; /* the window is the one task_batch just built */
    rnnc_lm *lm = self;
    RNNC_TRY(rnnc__lm_keep_state(lm, (size_t)B));
    lm->carry_train = 1, lm->carry_rows = (size_t)B;
    size_t dims[3];
    int ndim;
    rnnc_model_output(lm->model, &ndim, dims);
    const size_t N = dims[0] * dims[1];
    size_t counted = 0, hits = 0;
    for (size_t i = 0; i < N; i++)
        counted += lm->tgt[i] >= 0;
    /* token_mean: d(mean over the window's tokens); step_sum: d(sum over tokens / B) */
    const float scale = lm->spec.loss == RNNC_LM_LOSS_STEP_SUM
                            ? 1.0f / (float)B
                            : 1.0f / (float)(counted ? counted : 1);
    double sum;
    RNNC_TRY(window_loss(lm, N, out, dout, scale, &sum, &counted, &hits));
    *loss = counted ? sum / (double)counted : 0;
    return add_hits(met, hits, counted);
}

static rnnc_status task_save(void *self, const char *path, const char *key, const char *value) {
    return save_with(self, path, key, value);
}

static rnnc_status task_validate(void *self, double *loss, rnnc_metric_values *values) {
    rnnc_lm *lm = self;
    size_t n, hits;
    RNNC_TRY(evaluate_sched(lm, &lm->sched[1], lm->cor[1], loss, &n, &hits));
    rnnc_metrics *met;
    RNNC_TRY(rnnc_metrics_create(2, &met));
    rnnc_status s = add_hits(met, hits, n);
    if (s == RNNC_OK)
        *values = rnnc_metrics_values(met);
    /* next-token prediction has one metric besides the loss: the hit rate. The binary
     * accumulator's precision (always 1), recall, F1 and AUC mean nothing here. */
    values->precision = values->recall = values->f1 = values->auc = NAN;
    rnnc_metrics_free(met);
    return s;
}

/* What shaped the model, for the training loop's resume check: the vocabulary, the corpus spec
 * and bptt (the windows a checkpoint's position counts), and the training stream. The loss and
 * the validation batch change neither. */
static rnnc_status make_setup(const rnnc_lm *lm, const rnnc_corpus *train, char **out) {
    char *vocab = NULL;
    RNNC_TRY(rnnc_vocab_to_text(lm->vocab, &vocab));
    rnnc__setup b = {0};
    rnnc__setup_hash(&b, "vocabulary", lm->V, "ids",
                     rnnc__hash(RNNC__HASH_INIT, vocab, strlen(vocab)));
    free(vocab);
    rnnc_lm_spec sp = lm->spec;
    for (int k = 0; k < N_SPEC_KEYS; k++)
        if (strcmp(spec_keys[k], "loss") && strcmp(spec_keys[k], "eval_batch"))
            rnnc__setup_add(&b, spec_keys[k], "%d", *spec_field(&sp, k));
    uint64_t h = rnnc__hash(RNNC__HASH_INIT, train->ids, train->n * sizeof *train->ids);
    if (train->doc_start)
        h = rnnc__hash(h, train->doc_start, train->n_docs * sizeof *train->doc_start);
    rnnc__setup_hash(&b, "training data", train->n, "tokens", h);
    return rnnc__setup_done(&b, out);
}

rnnc_status rnnc_lm_fit(rnnc_lm *lm, const rnnc_corpus *train, const rnnc_corpus *val,
                        const rnnc_fit_spec *spec, rnnc_epoch_report *last) {
    if (!lm || !train || !spec)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_lm_fit: NULL argument");
    RNNC_TRY(RNNC__SPEC_CHECK(spec, rnnc_fit_spec));
    if (spec->batch_size < 1 || spec->batch_size > 65536)
        return RNNC_FAIL(RNNC_ERR_ARG, "batch_size must be in [1, 65536], got %d",
                         spec->batch_size);
    for (int set = 0; set < 2; set++) {
        const rnnc_corpus *c = set ? val : train;
        for (size_t i = 0; c && i < c->n; i++)
            if (c->ids[i] < 0 || (size_t)c->ids[i] >= lm->V)
                return RNNC_FAIL(RNNC_ERR_ARG,
                                 "%s stream: token %zu has id %ld, outside the "
                                 "vocabulary [0, %zu)",
                                 set ? "validation" : "training", i, (long)c->ids[i], lm->V);
    }
    rnnc_status s = sched_build(&lm->sched[0], train, (size_t)spec->batch_size,
                                (size_t)lm->spec.bptt, "training stream");
    if (s == RNNC_OK && val)
        s = sched_build(&lm->sched[1], val, (size_t)lm->spec.eval_batch,
                        eval_steps(lm, (size_t)lm->spec.eval_batch), "validation stream");
    if (s == RNNC_OK) {
        lm->cor[0] = train, lm->cor[1] = val;
        rnnc__task t;
        memset(&t, 0, sizeof t);
        t.self = lm, t.model = lm->model, t.n_classes = 2;
        t.n_train = lm->sched[0].n_win * lm->sched[0].B;
        t.n_val = val ? lm->sched[1].tokens : 0;
        t.batch = task_batch, t.loss = task_loss, t.save = task_save;
        t.ordered = 1, t.validate = task_validate, t.resumed = task_resumed;
        char *setup = NULL;
        s = make_setup(lm, train, &setup);
        t.setup = setup;
        if (s == RNNC_OK)
            s = rnnc__fit(&t, spec, last);
        free(setup);
    }
    lm->cor[0] = lm->cor[1] = NULL;
    sched_free(&lm->sched[0]);
    sched_free(&lm->sched[1]);
    return s;
}
