/* The vocabulary: id <-> token with an open-addressing hash table, built from training texts. */
#include "data.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const char *const reserved[RNNC_VOCAB_FIRST] = {"<pad>", "<start>", "<unk>"};

struct rnnc_vocab {
    char **tok;    /* (V) NUL-terminated tokens by id */
    size_t *len;   /* (V) their lengths */
    size_t n, cap; /* ids in use, room */
    int32_t *slot; /* (nslot) ids, -1 for empty; nslot a power of two, load <= 1/2 */
    size_t nslot;
    uint64_t *count; /* (V) frequencies while building, else NULL */
};

/* FNV-1a, 64-bit. */
static uint64_t hash(const char *s, size_t n) {
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

/* The slot holding tok, or the empty slot where it would go. */
static size_t find(const rnnc_vocab *v, const char *tok, size_t len) {
    size_t mask = v->nslot - 1, i = (size_t)hash(tok, len) & mask;
    for (;;) {
        int32_t id = v->slot[i];
        if (id < 0 || (v->len[id] == len && memcmp(v->tok[id], tok, len) == 0))
            return i;
        i = (i + 1) & mask;
    }
}

static rnnc_status rehash(rnnc_vocab *v, size_t nslot) {
    int32_t *s = malloc(nslot * sizeof *s);
    if (!s)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "vocabulary: cannot allocate %zu hash slots", nslot);
    for (size_t i = 0; i < nslot; i++)
        s[i] = -1;
    free(v->slot);
    v->slot = s, v->nslot = nslot;
    for (size_t id = 0; id < v->n; id++)
        v->slot[find(v, v->tok[id], v->len[id])] = (int32_t)id;
    return RNNC_OK;
}

/* Appends tok as the next id; the caller checked that it is absent. */
static rnnc_status append(rnnc_vocab *v, const char *tok, size_t len, const char *what) {
    if (v->n >= (size_t)INT32_MAX)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "%s: more than %d tokens", what, INT32_MAX);
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 64;
        char **t = realloc(v->tok, cap * sizeof *t);
        if (t)
            v->tok = t;
        size_t *l = t ? realloc(v->len, cap * sizeof *l) : NULL;
        if (l)
            v->len = l;
        uint64_t *c = (l && v->count) ? realloc(v->count, cap * sizeof *c) : NULL;
        if (c)
            v->count = c;
        if (!t || !l || (v->count && !c))
            return RNNC_FAIL(RNNC_ERR_NOMEM, "%s: cannot grow to %zu tokens", what, cap);
        v->cap = cap;
    }
    if ((v->n + 1) * 2 > v->nslot)
        RNNC_TRY(rehash(v, v->nslot ? v->nslot * 2 : 128));
    char *s = malloc(len + 1);
    if (!s)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "%s: cannot allocate a token", what);
    memcpy(s, tok, len);
    s[len] = '\0';
    v->tok[v->n] = s, v->len[v->n] = len;
    if (v->count)
        v->count[v->n] = 0;
    v->slot[find(v, s, len)] = (int32_t)v->n;
    v->n++;
    return RNNC_OK;
}

static rnnc_status vocab_new(int counting, rnnc_vocab **out) {
    *out = NULL;
    rnnc_vocab *v;
    RNNC_TRY(rnnc__calloc((void **)&v, 1, sizeof *v, "vocabulary"));
    if (counting) {
        rnnc_status s = rnnc__calloc((void **)&v->count, 1, sizeof *v->count, "vocabulary");
        if (s) {
            free(v);
            return s;
        }
    }
    *out = v;
    return RNNC_OK;
}

void rnnc_vocab_free(rnnc_vocab *v) {
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++)
        free(v->tok[i]);
    free(v->tok);
    free(v->len);
    free(v->slot);
    free(v->count);
    free(v);
}

int rnnc__vocab_count(const char *tok, size_t len, void *counter) {
    rnnc_vocab *v = counter;
    if (v->nslot) {
        size_t i = find(v, tok, len);
        if (v->slot[i] >= 0) {
            v->count[v->slot[i]]++;
            return 0;
        }
    }
    rnnc_status s = append(v, tok, len, "vocabulary");
    if (s)
        return s;
    v->count[v->n - 1] = 1;
    return 0;
}

rnnc_status rnnc__vocab_counter_new(rnnc_vocab **counter) {
    return vocab_new(1, counter);
}

rnnc_status rnnc__vocab_limits(int num_words, int min_freq, const char *what) {
    /* ids below RNNC_VOCAB_FIRST are reserved: one more keeps the most frequent word */
    if (num_words < 0 || (num_words > 0 && num_words <= RNNC_VOCAB_FIRST))
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "%s: num_words %d must be 0 (no limit) or at least %d (ids 0-%d are "
                         "reserved)",
                         what, num_words, RNNC_VOCAB_FIRST + 1, RNNC_VOCAB_FIRST - 1);
    if (min_freq < 0)
        return RNNC_FAIL(RNNC_ERR_ARG, "%s: min_freq %d is negative", what, min_freq);
    return RNNC_OK;
}

/* A counted word for sorting: frequency down, then first appearance (its scratch id) up. */
typedef struct ranked {
    uint64_t count;
    size_t id;
} ranked;

static int by_count(const void *a, const void *b) {
    const ranked *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

rnnc_status rnnc__vocab_rank(const rnnc_vocab *c, int num_words, int min_freq, const char *what,
                             rnnc_vocab **out) {
    return rnnc__vocab_rank_first(c, NULL, 0, num_words, min_freq, what, out);
}

rnnc_status rnnc__vocab_rank_first(const rnnc_vocab *c, const char *const *first, int n_first,
                                   int num_words, int min_freq, const char *what,
                                   rnnc_vocab **out) {
    *out = NULL;
    RNNC_TRY(rnnc__vocab_limits(num_words, min_freq, what));
    if (num_words > 0 && num_words <= RNNC_VOCAB_FIRST + n_first)
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "%s: num_words %d must be 0 (no limit) or at least %d (ids 0-%d are "
                         "reserved)",
                         what, num_words, RNNC_VOCAB_FIRST + n_first + 1,
                         RNNC_VOCAB_FIRST + n_first - 1);
    RNNC_ASSERT(c->count != NULL || c->n == 0);
    rnnc_vocab *v = NULL;
    ranked *order = NULL;
    rnnc_status s = rnnc__calloc((void **)&order, c->n, sizeof *order, what);
    if (!s)
        s = vocab_new(0, &v);
    for (int r = 0; r < RNNC_VOCAB_FIRST && !s; r++)
        s = append(v, reserved[r], strlen(reserved[r]), what);
    for (int r = 0; r < n_first && !s; r++)
        if (v->slot[find(v, first[r], strlen(first[r]))] < 0)
            s = append(v, first[r], strlen(first[r]), what);
    if (!s) {
        for (size_t i = 0; i < c->n; i++)
            order[i].count = c->count[i], order[i].id = i;
        qsort(order, c->n, sizeof *order, by_count);
        size_t limit = num_words > 0 ? (size_t)num_words : SIZE_MAX;
        for (size_t k = 0; k < c->n && v->n < limit && !s; k++) {
            size_t w = order[k].id;
            if (c->count[w] < (uint64_t)(min_freq > 1 ? min_freq : 1))
                break;
            if (v->slot[find(v, c->tok[w], c->len[w])] >= 0)
                continue; /* a reserved spelling */
            s = append(v, c->tok[w], c->len[w], what);
        }
    }
    free(order);
    if (s) {
        rnnc_vocab_free(v);
        return s;
    }
    *out = v;
    return RNNC_OK;
}

rnnc_status rnnc_vocab_build(const rnnc_tokenizer_spec *tok, const char *const *texts, size_t n,
                             int num_words, int min_freq, rnnc_vocab **out) {
    if (!out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_vocab_build: out is NULL");
    *out = NULL;
    if (!texts && n > 0)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_vocab_build: texts is NULL");
    RNNC_TRY(rnnc__vocab_limits(num_words, min_freq, "rnnc_vocab_build"));
    /* Count every token in a scratch table whose ids are the order of first appearance. */
    rnnc_vocab *c;
    RNNC_TRY(vocab_new(1, &c));
    rnnc_status s = RNNC_OK;
    for (size_t i = 0; i < n && !s; i++) {
        if (!texts[i]) {
            s = RNNC_FAIL(RNNC_ERR_ARG, "rnnc_vocab_build: texts[%zu] is NULL", i);
            break;
        }
        s = rnnc_tokenize(tok, texts[i], strlen(texts[i]), rnnc__vocab_count, c);
    }
    if (!s)
        s = rnnc__vocab_rank(c, num_words, min_freq, "rnnc_vocab_build", out);
    rnnc_vocab_free(c);
    return s;
}

int rnnc_vocab_size(const rnnc_vocab *v) {
    return v ? (int)v->n : 0;
}

const char *rnnc_vocab_token(const rnnc_vocab *v, int id) {
    if (!v || id < 0 || (size_t)id >= v->n)
        return NULL;
    return v->tok[id];
}

int32_t rnnc_vocab_id(const rnnc_vocab *v, const char *tok, size_t len) {
    if (!v || !v->nslot || (!tok && len))
        return RNNC_VOCAB_OOV;
    int32_t id = v->slot[find(v, tok ? tok : "", len)];
    return id >= 0 ? id : RNNC_VOCAB_OOV;
}

/* Whether byte c of a token is written escaped: whitespace, control characters and backslash. */
static int needs_escape(unsigned char c) {
    return c <= ' ' || c == 0x7F || c == '\\';
}

/* The written form of a token: as it is unless it holds a byte that needs an escape; a lone "\"
 * stays as it is too, since a one-byte line is never read as an escape (files written before
 * escaping existed hold it). Returns the written length; writes into out when out is not NULL. */
static size_t escape_token(const char *tok, size_t len, char *out) {
    if (len == 1 && tok[0] == '\\') {
        if (out)
            out[0] = '\\';
        return 1;
    }
    static const char hex[] = "0123456789ABCDEF";
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)tok[i];
        char e = c == '\\'   ? '\\'
                 : c == '\n' ? 'n'
                 : c == '\r' ? 'r'
                 : c == '\t' ? 't'
                 : c == ' '  ? 's'
                             : 0;
        if (!needs_escape(c)) {
            if (out)
                out[k] = (char)c;
            k += 1;
        } else if (e) {
            if (out)
                out[k] = '\\', out[k + 1] = e;
            k += 2;
        } else {
            if (out)
                out[k] = '\\', out[k + 1] = 'x', out[k + 2] = hex[c >> 4], out[k + 3] = hex[c & 15];
            k += 4;
        }
    }
    return k;
}

static int hex_digit(char c) {
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Reads the escapes of a written token p[0..len) (len >= 2) into out (room for len bytes); returns
 * the token's length. A backslash that does not start an escape stands for itself, as in files
 * written before escaping existed. */
static size_t unescape_token(const char *p, size_t len, char *out) {
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        char c = p[i];
        if (c == '\\' && i + 1 < len) {
            char e = p[i + 1];
            int h = e == 'x' && i + 3 < len ? hex_digit(p[i + 2]) : -1;
            int l = h >= 0 ? hex_digit(p[i + 3]) : -1;
            char d = e == '\\'  ? '\\'
                     : e == 'n' ? '\n'
                     : e == 'r' ? '\r'
                     : e == 't' ? '\t'
                     : e == 's' ? ' '
                                : 0;
            if (d) {
                out[k++] = d;
                i++;
                continue;
            }
            if (l >= 0 && (h | l) != 0) {
                out[k++] = (char)(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out[k++] = c;
    }
    return k;
}

rnnc_status rnnc_vocab_to_text(const rnnc_vocab *v, char **out) {
    if (!out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_vocab_to_text: out is NULL");
    *out = NULL;
    if (!v)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_vocab_to_text: vocabulary is NULL");
    size_t total = 1;
    for (size_t i = 0; i < v->n; i++)
        if (rnnc__add(total, escape_token(v->tok[i], v->len[i], NULL) + 1, &total))
            return RNNC_FAIL(RNNC_ERR_NOMEM, "rnnc_vocab_to_text: size overflows");
    char *s = malloc(total), *p = s;
    if (!s)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "rnnc_vocab_to_text: cannot allocate %zu bytes", total);
    for (size_t i = 0; i < v->n; i++) {
        if (i)
            *p++ = '\n';
        p += escape_token(v->tok[i], v->len[i], p);
    }
    *p = '\0';
    *out = s;
    return RNNC_OK;
}

rnnc_status rnnc_vocab_from_text(const char *text, const char *name, rnnc_vocab **out) {
    if (!out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_vocab_from_text: out is NULL");
    *out = NULL;
    if (!name)
        name = "vocabulary";
    if (!text)
        return RNNC_FAIL(RNNC_ERR_ARG, "%s: vocabulary text is NULL", name);
    rnnc_vocab *v;
    RNNC_TRY(vocab_new(0, &v));
    rnnc_status s = RNNC_OK;
    size_t line = 0, total = strlen(text);
    const char *p = text, *end = text + total;
    if (total > 0 && end[-1] == '\n')
        end--; /* one final newline is allowed */
    /* The longest line bounds every token read from it: escapes only shorten. */
    char *buf = malloc(total + 1);
    if (!buf) {
        rnnc_vocab_free(v);
        return RNNC_FAIL(RNNC_ERR_NOMEM, "%s: cannot allocate %zu bytes", name, total + 1);
    }
    while (!s) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        size_t len = (size_t)(e - p);
        line++;
        if (len == 0) {
            s = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: line %zu: empty token", name, line);
            break;
        }
        for (size_t i = 0; i < len && !s; i++)
            if ((unsigned char)p[i] <= ' ' || p[i] == 0x7F)
                s = RNNC_FAIL(RNNC_ERR_FORMAT,
                              "%s: line %zu: token holds whitespace or a control "
                              "character (written escaped, e.g. \\s, \\t, \\x01)",
                              name, line);
        if (s)
            break;
        if (line <= RNNC_VOCAB_FIRST) {
            const char *want = reserved[line - 1];
            if (len != strlen(want) || memcmp(p, want, len) != 0) {
                s = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: line %zu: expected the reserved token %s", name,
                              line, want);
                break;
            }
        }
        const char *tok = p;
        size_t tlen = len;
        if (len > 1 && memchr(p, '\\', len)) {
            tlen = unescape_token(p, len, buf);
            tok = buf;
        }
        if (v->nslot && v->slot[find(v, tok, tlen)] >= 0) {
            s = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: line %zu: duplicate token \"%.*s\"", name, line,
                          (int)(len < 64 ? len : 64), p);
            break;
        }
        s = append(v, tok, tlen, name);
        if (!nl)
            break;
        p = nl + 1;
    }
    free(buf);
    if (!s && v->n < RNNC_VOCAB_FIRST)
        s = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: %zu tokens, fewer than the %d reserved ones", name,
                      v->n, RNNC_VOCAB_FIRST);
    if (s) {
        rnnc_vocab_free(v);
        return s;
    }
    *out = v;
    return RNNC_OK;
}

typedef struct encoder {
    const rnnc_vocab *v;
    int32_t *ids;
    size_t cap, n;
} encoder;

static int encode_token(const char *tok, size_t len, void *user) {
    encoder *e = user;
    int32_t id = rnnc_vocab_id(e->v, tok, len);
    if (id < RNNC_VOCAB_FIRST)
        id = RNNC_VOCAB_OOV;
    if (e->n < e->cap)
        e->ids[e->n] = id;
    e->n++;
    return 0;
}

rnnc_status rnnc_vocab_encode(const rnnc_vocab *v, const rnnc_tokenizer_spec *tok, const char *text,
                              size_t len, int add_start, int32_t *ids, size_t cap, size_t *n) {
    if (!v || !n || (!ids && cap > 0) || (!text && len > 0))
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_vocab_encode: %s is NULL",
                         !v      ? "vocabulary"
                         : !n    ? "n"
                         : !text ? "text"
                                 : "ids");
    encoder e = {v, ids, cap, 0};
    if (add_start) {
        if (cap > 0)
            ids[0] = RNNC_VOCAB_START;
        e.n = 1;
    }
    int r = rnnc_tokenize(tok, text, len, encode_token, &e);
    *n = e.n;
    return r;
}

rnnc_status rnnc_vocab_copy(const rnnc_vocab *v, rnnc_vocab **out) {
    if (out)
        *out = NULL;
    if (!v || !out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_vocab_copy: NULL argument");
    char *txt = NULL;
    RNNC_TRY(rnnc_vocab_to_text(v, &txt));
    rnnc_status s = rnnc_vocab_from_text(txt, "vocabulary", out);
    free(txt);
    return s;
}
