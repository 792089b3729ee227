/* Sampling from a language model: one token from logits (temperature, top-k, nucleus/top-p), and
 * generation that feeds each drawn token back with the recurrent state carried. */
#include "lm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rnnc_sample_spec_defaults(rnnc_sample_spec *out, size_t size) {
    rnnc_sample_spec s;
    memset(&s, 0, sizeof s);
    s.temperature = 1, s.top_k = 0, s.top_p = 1;
    s.struct_size = sizeof s;
    rnnc__spec_fill(out, size, &s, sizeof s);
}

typedef struct cand {
    double p;
    int32_t id;
} cand;

/* Most likely first; the lower id first among equals, so the order is total and deterministic. */
static int by_prob(const void *a, const void *b) {
    const cand *x = a, *y = b;
    if (x->p != y->p)
        return x->p < y->p ? 1 : -1;
    return (x->id > y->id) - (x->id < y->id);
}

rnnc_status rnnc_sample_logits(const float *logits, size_t V, const rnnc_sample_spec *spec,
                               rnnc_rng *rng, int32_t *id) {
    if (!logits || !spec || !rng || !id)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_sample_logits: NULL argument");
    RNNC_TRY(RNNC__SPEC_CHECK(spec, rnnc_sample_spec));
    if (V == 0 || V > (size_t)INT32_MAX)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_sample_logits: V = %zu", V);
    if (!(spec->temperature >= 0) || !isfinite(spec->temperature))
        return RNNC_FAIL(RNNC_ERR_ARG, "temperature must be a finite number >= 0, got %g",
                         spec->temperature);
    if (spec->top_k < 0)
        return RNNC_FAIL(RNNC_ERR_ARG, "top_k must be >= 0, got %d", spec->top_k);
    if (!(spec->top_p > 0 && spec->top_p <= 1))
        return RNNC_FAIL(RNNC_ERR_ARG, "top_p must be in (0, 1], got %g", spec->top_p);
    size_t best = V;
    for (size_t c = 0; c < V; c++) {
        if (isnan(logits[c]) || logits[c] == INFINITY)
            return RNNC_FAIL(RNNC_ERR_NUMERIC, "logit %zu is %g", c, (double)logits[c]);
        if (logits[c] != -INFINITY && (best == V || logits[c] > logits[best]))
            best = c;
    }
    if (best == V)
        return RNNC_FAIL(RNNC_ERR_NUMERIC, "every logit is -inf: no token can be drawn");
    if (spec->temperature == 0 || spec->top_k == 1) { /* greedy */
        *id = (int32_t)best;
        return RNNC_OK;
    }
    /* softmax(z / temperature), relative to the largest logit */
    const double inv_t = 1.0 / spec->temperature, m = logits[best];
    const int restrict_set = (spec->top_k > 0 && (size_t)spec->top_k < V) || spec->top_p < 1;
    if (!restrict_set) { /* one pass: total, then the draw in id order */
        double total = 0;
        for (size_t c = 0; c < V; c++)
            total += exp(((double)logits[c] - m) * inv_t);
        const double u = rnnc_rng_uniform(rng) * total;
        double cum = 0;
        for (size_t c = 0; c < V; c++) {
            const double p = exp(((double)logits[c] - m) * inv_t);
            cum += p;
            if (p > 0 && u < cum) {
                *id = (int32_t)c;
                return RNNC_OK;
            }
        }
        *id = (int32_t)best; /* u rounded up to the total */
        return RNNC_OK;
    }
    cand *cs = malloc(V * sizeof *cs);
    if (!cs)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "rnnc_sample_logits: cannot allocate %zu candidates", V);
    for (size_t c = 0; c < V; c++) {
        cs[c].p = exp(((double)logits[c] - m) * inv_t);
        cs[c].id = (int32_t)c;
    }
    qsort(cs, V, sizeof *cs, by_prob);
    size_t keep = spec->top_k > 0 && (size_t)spec->top_k < V ? (size_t)spec->top_k : V;
    double kept = 0;
    for (size_t i = 0; i < keep; i++)
        kept += cs[i].p;
    if (spec->top_p < 1) { /* the smallest prefix whose renormalised mass reaches top_p */
        double cum = 0;
        size_t k = 0;
        while (k < keep && (k == 0 || cum < spec->top_p * kept))
            cum += cs[k++].p;
        keep = k, kept = cum;
    }
    const double u = rnnc_rng_uniform(rng) * kept;
    double cum = 0;
    *id = cs[0].id;
    for (size_t i = 0; i < keep; i++) {
        cum += cs[i].p;
        if (cs[i].p > 0 && u < cum) {
            *id = cs[i].id;
            break;
        }
    }
    free(cs);
    return RNNC_OK;
}

/* ---- generation ---- */

typedef struct prime_ids {
    const rnnc_vocab *v;
    int word; /* word level: a word outside the vocabulary reads as <unk> */
    int32_t *ids;
    size_t n, cap;
    rnnc_prime_info info;
} prime_ids;

static int push(prime_ids *p, int32_t id) {
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 64;
        int32_t *q = realloc(p->ids, cap * sizeof *q);
        if (!q)
            return RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
        p->ids = q, p->cap = cap;
    }
    p->ids[p->n++] = id;
    return 0;
}

/* At most 60 bytes of tok, as messages quote a user's text. */
static void quote60(char *dst, size_t cap, const char *tok, size_t len) {
    snprintf(dst, cap, "%.*s", (int)(len < 60 ? len : 60), tok);
}

static int on_token(const char *tok, size_t len, void *user) {
    prime_ids *p = user;
    int32_t id = rnnc_vocab_id(p->v, tok, len);
    const int unk = len == 5 && !memcmp(tok, "<unk>", 5);
    if (id == RNNC_VOCAB_OOV && !unk && !p->word) {
        char bad[64];
        quote60(bad, sizeof bad, tok, len);
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "the prime's character '%s' is not in the model's vocabulary (a "
                         "character model never saw it in training)",
                         bad);
    }
    /* as training reads text: a word outside the vocabulary, or spelled like a reserved token
     * ("<pad>"), is <unk> */
    if (id < RNNC_VOCAB_FIRST) {
        if (!unk) {
            rnnc_prime_info *in = &p->info;
            if (in->n_first < (int)(sizeof in->first / sizeof *in->first))
                quote60(in->first[in->n_first++], sizeof *in->first, tok, len);
            in->unknown++;
        }
        id = RNNC_VOCAB_OOV;
    }
    return push(p, id);
}

/* The prime as ids: every character, or each line's words with <eos> after every line end. */
static rnnc_status prime_encode(const rnnc_lm *lm, const char *text, size_t len, prime_ids *p) {
    const rnnc_tokenizer_spec tok = rnnc_lm_tokenizer(&lm->spec);
    if (lm->spec.level == RNNC_LM_CHAR)
        return rnnc_tokenize(&tok, text, len, on_token, p);
    const int32_t eos = rnnc_vocab_id(lm->vocab, "<eos>", 5);
    for (size_t a = 0; a < len;) {
        const char *nl = memchr(text + a, '\n', len - a);
        const size_t e = nl ? (size_t)(nl - text) : len;
        RNNC_TRY(rnnc_tokenize(&tok, text + a, e - a, on_token, p));
        if (nl) {
            if (eos == RNNC_VOCAB_OOV)
                return RNNC_FAIL(RNNC_ERR_ARG, "the prime has a line end, but the model has no "
                                               "<eos> token");
            RNNC_TRY(push(p, eos));
        }
        a = e + 1;
    }
    return RNNC_OK;
}

/* Runs ids (T) through the model as one sequence from the carried state (zero when fresh). */
static rnnc_status feed(rnnc_lm *lm, const int32_t *ids, size_t T, int fresh) {
    RNNC_TRY(rnnc__lm_reserve(lm, T, 1));
    const unsigned char keep = 0;
    RNNC_TRY(rnnc__lm_load_state(lm, 1, fresh ? NULL : &keep));
    rnnc_batch b;
    memset(&b, 0, sizeof b);
    b.T = (int)T, b.B = 1, b.ids = ids;
    RNNC_TRY(rnnc_model_forward(lm->model, &b, 0));
    return rnnc__lm_keep_state(lm, 1);
}

rnnc_status rnnc_lm_check_prime(const rnnc_lm *lm, const char *prime, size_t len,
                                rnnc_prime_info *info) {
    if (info)
        memset(info, 0, sizeof *info);
    if (!lm || (!prime && len))
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_lm_check_prime: NULL argument");
    prime_ids p;
    memset(&p, 0, sizeof p);
    p.v = lm->vocab, p.word = lm->spec.level == RNNC_LM_WORD;
    const rnnc_status s = prime_encode(lm, prime, len, &p);
    p.info.tokens = p.n;
    if (info)
        *info = p.info;
    free(p.ids);
    return s;
}

static rnnc_status generate_locked(rnnc_lm *lm, const char *prime, size_t len, size_t n,
                                   const rnnc_sample_spec *spec, uint64_t seed,
                                   int (*emit)(const char *text, size_t len, void *user),
                                   void *user) {
    const int word = lm->spec.level == RNNC_LM_WORD;
    prime_ids p;
    memset(&p, 0, sizeof p);
    p.v = lm->vocab, p.word = word;
    rnnc_status s = prime_encode(lm, prime, len, &p);
    if (s == RNNC_OK && p.n == 0) { /* as after a line end */
        int32_t start = rnnc_vocab_id(lm->vocab, word ? "<eos>" : "\n", word ? 5 : 1);
        s = push(&p, start == RNNC_VOCAB_OOV ? RNNC_VOCAB_START : start);
    }
    /* the text after the prime starts a line when the prime ends with one (or is empty) */
    int line_start = len == 0 || prime[len - 1] == '\n';
    float *z = NULL;
    if (s == RNNC_OK)
        s = rnnc__calloc((void **)&z, lm->V, sizeof *z, "logits");
    for (size_t a = 0; s == RNNC_OK && a < p.n; a += 256) /* in pieces: logits are (T,V) */
        s = feed(lm, p.ids + a, p.n - a < 256 ? p.n - a : 256, a == 0);
    rnnc_rng rng;
    rnnc_rng_seed(&rng, seed);
    for (size_t k = 0; s == RNNC_OK && k < n; k++) {
        int ndim;
        size_t dims[3];
        const float *out = rnnc_model_output(lm->model, &ndim, dims);
        memcpy(z, out + (dims[0] - 1) * lm->V, lm->V * sizeof *z); /* the last step, row 0 */
        z[RNNC_VOCAB_PAD] = z[RNNC_VOCAB_START] = -INFINITY;
        int32_t id;
        if ((s = rnnc_sample_logits(z, lm->V, spec, &rng, &id)) != RNNC_OK)
            break;
        const char *tok = rnnc_vocab_token(lm->vocab, id);
        char buf[1024];
        size_t bl;
        if (word && !strcmp(tok, "<eos>")) {
            buf[0] = '\n', bl = 1, line_start = 1;
        } else if (word) {
            bl = (size_t)snprintf(buf, sizeof buf, "%s%s", line_start ? "" : " ", tok);
            bl = bl < sizeof buf ? bl : sizeof buf - 1;
            line_start = 0;
        } else {
            bl = (size_t)snprintf(buf, sizeof buf, "%s", tok);
            bl = bl < sizeof buf ? bl : sizeof buf - 1;
        }
        if (emit(buf, bl, user))
            break;
        if (k + 1 < n)
            s = feed(lm, &id, 1, 0);
    }
    free(z);
    free(p.ids);
    return s;
}

rnnc_status rnnc_lm_generate(rnnc_lm *lm, const char *prime, size_t len, size_t n,
                             const rnnc_sample_spec *spec, uint64_t seed,
                             int (*emit)(const char *text, size_t len, void *user), void *user) {
    if (!lm || (!prime && len) || !spec || !emit)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_lm_generate: NULL argument");
    RNNC_TRY(RNNC__SPEC_CHECK(spec, rnnc_sample_spec));
    pthread_mutex_lock(&lm->lock);
    const rnnc_status s = generate_locked(lm, prime, len, n, spec, seed, emit, user);
    pthread_mutex_unlock(&lm->lock);
    return s;
}
