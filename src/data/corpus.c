/* The text side of language models: a text read as one stream of tokens (characters, or words with
 * "<eos>" at every line end, the Penn Treebank convention of Mikolov's RNNLM and of Zaremba et
 * al. 2014), its vocabulary, its documents, and where a validation part is cut off. */
#include "data.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char eos[] = "<eos>";

void rnnc_corpus_free(rnnc_corpus *c) {
    if (!c)
        return;
    free(c->ids);
    free(c->doc_start);
    memset(c, 0, sizeof *c);
}

rnnc_corpus_spec rnnc_corpus_spec_init(void) {
    rnnc_corpus_spec s;
    memset(&s, 0, sizeof s);
    s.level = RNNC_LM_CHAR;
    s.min_freq = 1;
    s.documents = RNNC_LM_DOC_NONE;
    return s;
}

rnnc_tokenizer_spec rnnc_corpus_tokenizer(const rnnc_corpus_spec *spec) {
    rnnc_corpus_spec def = rnnc_corpus_spec_init();
    if (!spec)
        spec = &def;
    rnnc_tokenizer_spec t = rnnc_tokenizer_spec_init();
    t.lowercase = spec->lowercase != 0;
    t.chars = spec->level == RNNC_LM_CHAR;
    t.strip_html = !t.chars && spec->strip_html != 0;
    t.split_punct = !t.chars && spec->split_punct != 0;
    return t;
}

/* The fields of a spec that reading text depends on. */
static rnnc_status check_spec(const rnnc_corpus_spec *spec, const char *what) {
    if (spec->level != RNNC_LM_CHAR && spec->level != RNNC_LM_WORD)
        return RNNC_FAIL(RNNC_ERR_ARG, "%s: level %d is neither char (%d) nor word (%d)", what,
                         spec->level, RNNC_LM_CHAR, RNNC_LM_WORD);
    if (spec->documents != RNNC_LM_DOC_NONE && spec->documents != RNNC_LM_DOC_LINES)
        return RNNC_FAIL(RNNC_ERR_ARG, "%s: documents %d is neither none (%d) nor lines (%d)", what,
                         spec->documents, RNNC_LM_DOC_NONE, RNNC_LM_DOC_LINES);
    return RNNC_OK;
}

/* Where the tokens of a walk go: each token to `token`, and with documents by line, `doc` just
 * before the first token of each document. Both return 0 or a status that stops the walk. */
typedef struct sink {
    int (*token)(const char *tok, size_t len, void *user);
    int (*doc)(void *user);
    void *user;
    int lines;  /* documents by line */
    int in_doc; /* the current line has started its document */
} sink;

static int sink_token(const char *tok, size_t len, void *user) {
    sink *k = user;
    if (k->lines && !k->in_doc) {
        k->in_doc = 1;
        int r = k->doc(k->user);
        if (r)
            return r;
    }
    return k->token(tok, len, k->user);
}

/* Feeds the token stream of text[0..len) to k (rnnc_corpus_encode's stream, so that a vocabulary
 * counts exactly the tokens an encoding of its training text holds). Lines end at '\n' only; a
 * last line without one is a line too (Python's line iteration). */
static rnnc_status walk(const rnnc_corpus_spec *spec, const char *text, size_t len, sink *k) {
    rnnc_tokenizer_spec tok = rnnc_corpus_tokenizer(spec);
    k->lines = spec->documents == RNNC_LM_DOC_LINES;
    int word = spec->level == RNNC_LM_WORD;
    if (!word && !k->lines)
        return rnnc_tokenize(&tok, text, len, sink_token, k);
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t body = (size_t)((nl ? nl : end) - p); /* the line without its '\n' */
        k->in_doc = 0;
        rnnc_status s = RNNC_OK;
        if (!word) {
            /* A '\n' is a character of its own in UTF-8, so cutting the text at line ends leaves
             * every character whole. An empty line (no byte before its '\n') is no document. */
            if (body > 0)
                s = rnnc_tokenize(&tok, p, body + (nl != NULL), sink_token, k);
        } else {
            s = rnnc_tokenize(&tok, p, body, sink_token, k);
            /* Without documents every line ends in "<eos>"; with them a line without words is
             * empty and gives nothing. */
            if (!s && (!k->lines || k->in_doc))
                s = sink_token(eos, sizeof eos - 1, k);
        }
        if (s)
            return s;
        if (!nl)
            break;
        p = nl + 1;
    }
    return RNNC_OK;
}

static int count_doc(void *user) {
    (void)user;
    return 0;
}

rnnc_status rnnc_corpus_vocab(const rnnc_corpus_spec *spec, const char *text, size_t len,
                              rnnc_vocab **out) {
    const char *what = "rnnc_corpus_vocab";
    if (!out)
        return RNNC_FAIL(RNNC_ERR_ARG, "%s: out is NULL", what);
    *out = NULL;
    if (!spec || (!text && len > 0))
        return RNNC_FAIL(RNNC_ERR_ARG, "%s: %s is NULL", what, !spec ? "spec" : "text");
    RNNC_TRY(check_spec(spec, what));
    /* num_words and min_freq are word-level settings: a character vocabulary keeps every
     * character of the training text. */
    int word = spec->level == RNNC_LM_WORD;
    int num_words = word ? spec->num_words : 0, min_freq = word ? spec->min_freq : 0;
    RNNC_TRY(rnnc__vocab_limits(num_words, min_freq, what));
    if (len == 0)
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: the training text is empty", what);
    rnnc_vocab *counter, *v = NULL;
    RNNC_TRY(rnnc__vocab_counter_new(&counter));
    sink k = {rnnc__vocab_count, count_doc, counter, 0, 0};
    rnnc_status s = walk(spec, text, len, &k);
    if (!s)
        s = rnnc__vocab_rank(counter, num_words, min_freq, what, &v);
    if (!s && rnnc_vocab_size(counter) == 0)
        s = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: the training text has no tokens (every line is empty)",
                      what);
    else if (!s && rnnc_vocab_size(v) <= RNNC_VOCAB_FIRST)
        s = RNNC_FAIL(RNNC_ERR_ARG,
                      "%s: no token is kept (min_freq %d, num_words %d): the vocabulary would hold "
                      "only the reserved ids",
                      what, min_freq, num_words);
    rnnc_vocab_free(counter);
    if (s) {
        rnnc_vocab_free(v);
        return s;
    }
    *out = v;
    return RNNC_OK;
}

/* The stream being encoded: ids and document starts in arrays that double when full. */
typedef struct encoder {
    const rnnc_vocab *v;
    rnnc_corpus *c;
    size_t cap, cap_docs;
    const char *name;
} encoder;

/* Makes room for one more element of `size` bytes in *p (*cap elements, n in use). */
static rnnc_status grow(void **p, size_t *cap, size_t n, size_t size, const char *name) {
    if (n < *cap)
        return RNNC_OK;
    size_t ncap = *cap ? *cap : 4096, bytes;
    if (*cap && rnnc__mul(*cap, 2, &ncap))
        return RNNC_FAIL(RNNC_ERR_NOMEM, "%s: too many tokens", name);
    if (rnnc__mul(ncap, size, &bytes))
        return RNNC_FAIL(RNNC_ERR_NOMEM, "%s: too many tokens", name);
    void *q = realloc(*p, bytes);
    if (!q)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "%s: cannot allocate %zu bytes for the token stream", name,
                         bytes);
    *p = q, *cap = ncap;
    return RNNC_OK;
}

static int encode_token(const char *tok, size_t len, void *user) {
    encoder *e = user;
    RNNC_TRY(grow((void **)&e->c->ids, &e->cap, e->c->n, sizeof *e->c->ids, e->name));
    /* Reserved spellings in the text ("<unk>" in PTB, "<pad>") read as <unk>, never as padding. */
    int32_t id = rnnc_vocab_id(e->v, tok, len);
    e->c->ids[e->c->n++] = id < RNNC_VOCAB_FIRST ? RNNC_VOCAB_OOV : id;
    return 0;
}

static int encode_doc(void *user) {
    encoder *e = user;
    RNNC_TRY(grow((void **)&e->c->doc_start, &e->cap_docs, e->c->n_docs, sizeof *e->c->doc_start,
                  e->name));
    e->c->doc_start[e->c->n_docs++] = e->c->n;
    return 0;
}

rnnc_status rnnc_corpus_encode(const rnnc_corpus_spec *spec, const rnnc_vocab *v, const char *text,
                               size_t len, const char *name, rnnc_corpus *out) {
    if (!name)
        name = "text";
    if (!out)
        return RNNC_FAIL(RNNC_ERR_ARG, "%s: rnnc_corpus_encode: out is NULL", name);
    memset(out, 0, sizeof *out);
    if (!spec || !v || (!text && len > 0))
        return RNNC_FAIL(RNNC_ERR_ARG, "%s: rnnc_corpus_encode: %s is NULL", name,
                         !spec ? "spec"
                         : !v  ? "vocabulary"
                               : "text");
    RNNC_TRY(check_spec(spec, name));
    if (len == 0)
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: the text is empty", name);
    encoder e = {v, out, 0, 0, name};
    sink k = {encode_token, encode_doc, &e, 0, 0};
    rnnc_status s = walk(spec, text, len, &k);
    if (!s && out->n == 0)
        s = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: the text has no tokens (every line is empty)", name);
    if (!s && spec->documents == RNNC_LM_DOC_NONE) {
        s = grow((void **)&out->doc_start, &e.cap_docs, 0, sizeof *out->doc_start, name);
        if (!s)
            out->doc_start[0] = 0, out->n_docs = 1;
    }
    if (s) {
        rnnc_corpus_free(out);
        return s;
    }
    /* Give back the unused part of the doubled arrays (a shrinking realloc that fails keeps the
     * larger block, which is still correct). */
    int32_t *ids = realloc(out->ids, out->n * sizeof *out->ids);
    if (ids)
        out->ids = ids;
    size_t *docs = realloc(out->doc_start, out->n_docs * sizeof *out->doc_start);
    if (docs)
        out->doc_start = docs;
    return RNNC_OK;
}

size_t rnnc_corpus_cut(const rnnc_corpus_spec *spec, const char *text, size_t len,
                       double fraction) {
    if (!text)
        return 0;
    if (!(fraction > 0))
        return len; /* 0, negative or NaN: nothing is cut off */
    size_t p = 0;
    if (fraction < 1) {
        double at = floor((double)len * (1.0 - fraction));
        p = at >= (double)len ? len : (size_t)at;
    }
    if (spec && spec->level == RNNC_LM_WORD) {
        if (p == 0)
            return 0;
        const char *nl = memchr(text + p - 1, '\n', len - (p - 1));
        return nl ? (size_t)(nl - text) + 1 : len;
    }
    /* Character boundaries are where the tokenizer's decoder stops, so decode from the start: an
     * invalid byte is one character (U+FFFD), a valid sequence up to four. */
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < p) {
        uint32_t c;
        i += rnnc__utf8_decode(s + i, len - i, &c);
    }
    return i;
}

rnnc_status rnnc_text_file_read(const char *path, const rnnc_read_limits *limits, char **text,
                                size_t *len) {
    if (text)
        *text = NULL;
    if (len)
        *len = 0;
    if (!path || !text || !len)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_text_file_read: %s is NULL",
                         !path   ? "path"
                         : !text ? "text"
                                 : "len");
    rnnc__budget budget;
    rnnc__budget_init(&budget, limits);
    return rnnc__read_file(path, SIZE_MAX - 1, "text file", &budget, 1, text, len);
}
