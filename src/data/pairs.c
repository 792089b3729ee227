/* Parallel text for translation: sentence pairs read from TSV (plain or gzip, within the read
 * limits), the translation tokenizer (the text tokenizer's spaces, punctuation and case table, with
 * apostrophes normalised and French elision cut) and its detokenizer, the seeded split by source
 * sentence, length and prefix filters, per-side vocabularies with "<eos>", and pairs as ids. */
#include "data.h"
#include "rnnc/pairs.h"

#include <stdlib.h>
#include <string.h>

/* ---- the set ------------------------------------------------------------------------------ */

void rnnc_pairs_free(rnnc_pairs *p) {
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        free(p->src[i]), free(p->tgt[i]);
    free(p->src);
    free(p->tgt);
    free(p->line);
    free(p);
}

typedef struct builder {
    rnnc_pairs *p;
    size_t cap;
} builder;

static rnnc_status builder_new(builder *b) {
    b->cap = 0;
    return rnnc__calloc((void **)&b->p, 1, sizeof *b->p, "sentence pairs");
}

/* Appends copies of src[0..ns) and tgt[0..nt). */
static rnnc_status builder_add(builder *b, const char *src, size_t ns, const char *tgt, size_t nt,
                               size_t line) {
    rnnc_pairs *p = b->p;
    if (p->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        char **s = realloc(p->src, cap * sizeof *s);
        if (s)
            p->src = s;
        char **t = s ? realloc(p->tgt, cap * sizeof *t) : NULL;
        if (t)
            p->tgt = t;
        size_t *l = t ? realloc(p->line, cap * sizeof *l) : NULL;
        if (l)
            p->line = l;
        if (!l)
            return RNNC_FAIL(RNNC_ERR_NOMEM, "sentence pairs: cannot grow to %zu pairs", cap);
        b->cap = cap;
    }
    char *s = rnnc__copy_bytes(src, ns), *t = rnnc__copy_bytes(tgt, nt);
    if (!s || !t) {
        free(s), free(t);
        return RNNC_FAIL(RNNC_ERR_NOMEM, "sentence pairs: cannot copy a pair");
    }
    p->src[p->n] = s, p->tgt[p->n] = t, p->line[p->n] = line;
    p->n++;
    return RNNC_OK;
}

/* ---- reading -------------------------------------------------------------------------------- */

void rnnc_pairs_source_defaults(rnnc_pairs_source *out, size_t size) {
    rnnc_pairs_source s;
    memset(&s, 0, sizeof s);
    s.struct_size = sizeof s;
    rnnc__spec_fill(out, size, &s, sizeof s);
}

/* The 1-based byte column of the first byte of p[0..n) that is not UTF-8, 0 when all are. */
static size_t bad_utf8(const char *p, size_t n) {
    const unsigned char *s = (const unsigned char *)p;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = rnnc__utf8_decode(s + i, n - i, &cp);
        if (cp == 0xFFFD && k == 1)
            return i + 1; /* U+FFFD itself is three bytes */
        i += k;
    }
    return 0;
}

/* Whether p[0..n) holds anything but whitespace (the tokenizer's). */
static int has_text(const char *p, size_t n) {
    const unsigned char *s = (const unsigned char *)p;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i += rnnc__utf8_decode(s + i, n - i, &cp);
        if (!rnnc__is_space(cp))
            return 1;
    }
    return 0;
}

/* One line [p, e) (no '\n', no final '\r'); blank lines add nothing. */
static rnnc_status pair_line(builder *b, rnnc__budget *budget, const char *path, size_t line,
                             int swap, const char *p, const char *e) {
    const size_t n = (size_t)(e - p);
    int blank = 1;
    for (const char *q = p; q < e && blank; q++)
        blank = *q == ' ' || *q == '\t' || *q == '\r';
    if (blank)
        return RNNC_OK;
    const char *nul = memchr(p, '\0', n);
    if (nul)
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s:%zu: a NUL byte at byte %zu (not a text file?)", path,
                         line, (size_t)(nul - p) + 1);
    const size_t bad = bad_utf8(p, n);
    if (bad)
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s:%zu: invalid UTF-8 at byte %zu (byte 0x%02X; the pairs must be UTF-8, "
                         "convert a Latin-1 file with iconv -f latin1 -t utf-8)",
                         path, line, bad, (unsigned)(unsigned char)p[bad - 1]);
    const char *tab = memchr(p, '\t', n);
    if (!tab)
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s:%zu: no tab (each line is source TAB target, further columns "
                         "ignored)",
                         path, line);
    const char *c2 = tab + 1;
    const char *tab2 = memchr(c2, '\t', (size_t)(e - c2));
    const char *e2 = tab2 ? tab2 : e;
    const char *s = p, *t = c2, *se = tab, *te = e2;
    if (swap)
        s = c2, se = e2, t = p, te = tab;
    if (!has_text(s, (size_t)(se - s)))
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s:%zu: empty source (column %d)", path, line,
                         swap ? 2 : 1);
    if (!has_text(t, (size_t)(te - t)))
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s:%zu: empty target (column %d)", path, line,
                         swap ? 1 : 2);
    RNNC_TRY(rnnc__budget_keep(budget, (uint64_t)(se - s) + (uint64_t)(te - t), 1, path));
    return builder_add(b, s, (size_t)(se - s), t, (size_t)(te - t), line);
}

rnnc_status rnnc_pairs_read(const rnnc_pairs_source *src, rnnc_pairs **out) {
    if (out)
        *out = NULL;
    if (!src || !out || !src->path)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_pairs_read: %s is NULL",
                         !src   ? "src"
                         : !out ? "out"
                                : "src->path");
    RNNC_TRY(RNNC__SPEC_CHECK(src, rnnc_pairs_source));
    rnnc__budget budget;
    rnnc__budget_init(&budget, &src->limits);
    rnnc__instream *in;
    RNNC_TRY(rnnc__instream_open(src->path, &budget, &in));
    builder b;
    rnnc_status s = builder_new(&b);
    rnnc__buf buf = {0};
    int got = 1;
    for (size_t line = 1; !s; line++) {
        buf.len = 0;
        if ((s = rnnc__instream_line(in, &buf, RNNC__TEXT_MAX_DOC, "line", &got)) || !got)
            break;
        const char *p = buf.p, *e = buf.p + buf.len;
        if (line == 1 && buf.len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
            p += 3;
        if (e > p && e[-1] == '\n')
            e--;
        if (e > p && e[-1] == '\r')
            e--;
        s = pair_line(&b, &budget, src->path, line, src->swap, p, e);
    }
    free(buf.p);
    rnnc__instream_close(in);
    if (!s && b.p->n == 0)
        s = RNNC_FAIL(RNNC_ERR_FORMAT,
                      "%s: no sentence pairs (an empty file, or blank lines only; each line is "
                      "source TAB target)",
                      src->path);
    if (s) {
        rnnc_pairs_free(b.p);
        return s;
    }
    *out = b.p;
    return RNNC_OK;
}

/* ---- the tokenizer ---------------------------------------------------------------------------- */

static int is_word(uint32_t c) {
    return !rnnc__is_space(c) && !rnnc__is_punct(c);
}

static int is_digit(uint32_t c) {
    return c >= '0' && c <= '9';
}

/* Whether the word w[0..n) (lower case), followed by an apostrophe, is a French elided form. */
static int elided(const char *w, size_t n) {
    static const char *const forms[] = {"c", "d",  "j",     "l",      "m",      "n",      "s",
                                        "t", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu", "presqu"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++)
        if (strlen(forms[i]) == n && memcmp(forms[i], w, n) == 0)
            return 1;
    return 0;
}

typedef struct tokw {
    rnnc__buf b;
    int (*fn)(const char *, size_t, void *);
    void *user;
} tokw;

static int put(tokw *t, uint32_t cp) {
    char u[4];
    size_t k = rnnc__utf8_encode(cp, u);
    return rnnc__buf_append(&t->b, u, k, RNNC__TEXT_MAX_DOC, "rnnc_pairs_tokenize", "a token");
}

static int emit(tokw *t) {
    if (t->b.len == 0)
        return 0;
    int r = t->fn(t->b.p, t->b.len, t->user);
    t->b.len = 0;
    return r;
}

/* The code point at s[i..n) with U+2019 read as ', or ' ' past the end. */
static uint32_t cp_at(const unsigned char *s, size_t i, size_t n, size_t *k) {
    uint32_t c = ' ';
    *k = 0;
    if (i < n)
        *k = rnnc__utf8_decode(s + i, n - i, &c);
    return c == 0x2019 ? '\'' : c;
}

rnnc_status rnnc_pairs_tokenize(const char *text, size_t len,
                                int (*fn)(const char *tok, size_t len, void *user), void *user) {
    if (!fn)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_pairs_tokenize: fn is NULL");
    if (!text && len > 0)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_pairs_tokenize: text is NULL");
    const unsigned char *s = (const unsigned char *)text;
    tokw t = {{0}, fn, user};
    uint32_t prev = ' ';
    size_t i = 0, k;
    int r = 0;
    while (i < len && r == 0) {
        uint32_t c = cp_at(s, i, len, &k);
        i += k;
        size_t k2;
        const uint32_t next = cp_at(s, i, len, &k2);
        if (rnnc__is_space(c)) {
            r = emit(&t);
        } else if (rnnc__is_punct(c)) {
            if (c == '\'' && is_word(prev) && is_word(next)) {
                const int cut = elided(t.b.p ? t.b.p : "", t.b.len);
                r = put(&t, c);
                if (r == 0 && cut)
                    r = emit(&t);
            } else if ((c == '.' || c == ',' || c == ':') && is_digit(prev) && is_digit(next)) {
                r = put(&t, c);
            } else {
                r = emit(&t);
                if (r == 0)
                    r = put(&t, c);
                if (r == 0)
                    r = emit(&t);
            }
        } else {
            r = put(&t, rnnc__lower(c));
        }
        prev = c;
    }
    if (r == 0)
        r = emit(&t);
    free(t.b.p);
    return r > 0 ? RNNC_OK : r;
}

static int join_token(const char *tk, size_t len, void *user) {
    void **u = user;
    rnnc__buf *b = u[0];
    size_t *n = u[1];
    if (b->len)
        RNNC_TRY(rnnc__buf_append(b, " ", 1, SIZE_MAX - 1, "rnnc_pairs_normalize", "a text"));
    RNNC_TRY(rnnc__buf_append(b, tk, len, SIZE_MAX - 1, "rnnc_pairs_normalize", "a text"));
    (*n)++;
    return 0;
}

rnnc_status rnnc_pairs_normalize(const char *text, size_t len, char **out, size_t *n_tokens) {
    if (!out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_pairs_normalize: out is NULL");
    *out = NULL;
    rnnc__buf b = {0};
    size_t n = 0;
    void *u[2] = {&b, &n};
    rnnc_status s = rnnc_pairs_tokenize(text, len, join_token, u);
    if (!s && !b.p)
        s = rnnc__buf_append(&b, "", 0, 1, "rnnc_pairs_normalize", "a text");
    if (s) {
        free(b.p);
        return s;
    }
    *out = b.p;
    if (n_tokens)
        *n_tokens = n;
    return RNNC_OK;
}

/* ---- the detokenizer -------------------------------------------------------------------------- */

static int is_one_of(const char *t, const char *const *set, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(t, set[i]) == 0)
            return 1;
    return 0;
}

/* Attached to the token before it. */
static int glue_left(const char *t) {
    static const char *const set[] = {".", ",", ")", "]", "}", "%", "\xE2\x80\xA6", "-", "/"};
    return is_one_of(t, set, sizeof set / sizeof set[0]);
}

/* Attached to the token after it. */
static int glue_right(const char *t) {
    static const char *const set[] = {"(", "[", "{", "\xC2\xBF", "\xC2\xA1", "-", "/"};
    const size_t n = strlen(t);
    if (n > 1 && t[n - 1] == '\'')
        return 1; /* an elided word */
    return is_one_of(t, set, sizeof set / sizeof set[0]);
}

/* ? ! : ; (no space before in English, U+202F in French). */
static int high_punct(const char *t) {
    static const char *const set[] = {"?", "!", ":", ";"};
    return is_one_of(t, set, 4);
}

#define NNBSP "\xE2\x80\xAF"

rnnc_status rnnc_pairs_detokenize(const char *const *tok, size_t n, int style, char **out) {
    if (!out || (!tok && n > 0))
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_pairs_detokenize: %s is NULL", !out ? "out" : "tok");
    *out = NULL;
    if (style != RNNC_DETOK_EN && style != RNNC_DETOK_FR)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_pairs_detokenize: unknown style %d", style);
    const int fr = style == RNNC_DETOK_FR;
    rnnc__buf b = {0};
    rnnc_status s = rnnc__buf_append(&b, "", 0, 1, "rnnc_pairs_detokenize", "a text");
    int quote_open = 0; /* inside a pair of " */
    int after_open = 0; /* the previous token opened a quote */
    const char *prev = NULL;
    for (size_t i = 0; i < n && !s; i++) {
        const char *t = tok[i];
        if (!t) {
            s = RNNC_FAIL(RNNC_ERR_ARG, "rnnc_pairs_detokenize: tok[%zu] is NULL", i);
            break;
        }
        const int quote = strcmp(t, "\"") == 0;
        const char *sep = " ";
        if (!prev) {
            sep = "";
        } else if (fr && strcmp(prev, "\xC2\xAB") == 0) {
            sep = NNBSP;
        } else if (glue_right(prev) || after_open) {
            sep = "";
        } else if (high_punct(t)) {
            sep = fr ? NNBSP : "";
        } else if (fr && strcmp(t, "\xC2\xBB") == 0) {
            sep = NNBSP;
        } else if (glue_left(t) || (quote && quote_open)) {
            sep = "";
        }
        after_open = 0;
        if (quote) {
            after_open = !quote_open;
            quote_open = !quote_open;
        }
        if (!(s = rnnc__buf_append(&b, sep, strlen(sep), SIZE_MAX - 1, "rnnc_pairs_detokenize",
                                   "a text")))
            s = rnnc__buf_append(&b, t, strlen(t), SIZE_MAX - 1, "rnnc_pairs_detokenize", "a text");
        prev = t;
    }
    if (s) {
        free(b.p);
        return s;
    }
    *out = b.p;
    return RNNC_OK;
}

/* ---- split and filters ------------------------------------------------------------------------ */

rnnc_status rnnc_pairs_part(const char *src, size_t len, double valid, double test, uint64_t seed,
                            int *part) {
    if (!part || (!src && len > 0))
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_pairs_part: NULL argument");
    if (!(valid >= 0 && test >= 0 && valid + test < 1))
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "the validation and test fractions (%g, %g) must be >= 0 with a sum "
                         "below 1",
                         valid, test);
    char *norm;
    RNNC_TRY(rnnc_pairs_normalize(src, len, &norm, NULL));
    unsigned char le[8];
    for (int i = 0; i < 8; i++)
        le[i] = (unsigned char)(seed >> (8 * i));
    uint64_t h = rnnc__hash(RNNC__HASH_INIT, le, 8);
    h = rnnc__hash(h, norm, strlen(norm));
    free(norm);
    /* FNV-1a's top bits mix poorly for texts that differ near their end: the splitmix64
     * finaliser spreads every bit over all of them. */
    h ^= h >> 30, h *= UINT64_C(0xbf58476d1ce4e5b9);
    h ^= h >> 27, h *= UINT64_C(0x94d049bb133111eb);
    h ^= h >> 31;
    const double u = (double)(h >> 11) * 0x1p-53;
    *part = u < test ? RNNC_PAIRS_TEST : u < test + valid ? RNNC_PAIRS_VALID : RNNC_PAIRS_TRAIN;
    return RNNC_OK;
}

rnnc_status rnnc_pairs_split(const rnnc_pairs *p, double valid, double test, uint64_t seed,
                             rnnc_pairs **train, rnnc_pairs **val, rnnc_pairs **test_out) {
    if (train)
        *train = NULL;
    if (val)
        *val = NULL;
    if (test_out)
        *test_out = NULL;
    if (!p || !train || !val || !test_out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_pairs_split: NULL argument");
    builder b[3] = {{0}};
    rnnc_status s = RNNC_OK;
    for (int k = 0; k < 3 && !s; k++)
        s = builder_new(&b[k]);
    for (size_t i = 0; i < p->n && !s; i++) {
        int part;
        s = rnnc_pairs_part(p->src[i], strlen(p->src[i]), valid, test, seed, &part);
        if (!s)
            s = builder_add(&b[part], p->src[i], strlen(p->src[i]), p->tgt[i], strlen(p->tgt[i]),
                            p->line[i]);
    }
    if (s) {
        for (int k = 0; k < 3; k++)
            rnnc_pairs_free(b[k].p);
        return s;
    }
    *train = b[RNNC_PAIRS_TRAIN].p, *val = b[RNNC_PAIRS_VALID].p, *test_out = b[RNNC_PAIRS_TEST].p;
    return RNNC_OK;
}

rnnc_pairs_filter_spec rnnc_pairs_filter_init(void) {
    rnnc_pairs_filter_spec f;
    memset(&f, 0, sizeof f);
    return f;
}

const char *const *rnnc_pairs_tutorial_prefixes(size_t *n) {
    static const char *const prefixes[] = {"i am",   "i'm",   "he is",    "he's",
                                           "she is", "she's", "you are",  "you're",
                                           "we are", "we're", "they are", "they're"};
    if (n)
        *n = sizeof prefixes / sizeof prefixes[0];
    return prefixes;
}

static int count_token(const char *t, size_t len, void *user) {
    (void)t, (void)len;
    (*(size_t *)user)++;
    return 0;
}

rnnc_status rnnc_pairs_filter(rnnc_pairs *p, const rnnc_pairs_filter_spec *f) {
    if (!p || !f || (f->n_prefixes && !f->prefixes))
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_pairs_filter: NULL argument");
    char **pre = NULL;
    rnnc_status s = RNNC_OK;
    if (f->n_prefixes)
        s = rnnc__calloc((void **)&pre, f->n_prefixes, sizeof *pre, "prefix filter");
    for (size_t k = 0; k < f->n_prefixes && !s; k++) {
        if (!f->prefixes[k])
            s = RNNC_FAIL(RNNC_ERR_ARG, "rnnc_pairs_filter: prefixes[%zu] is NULL", k);
        else
            s = rnnc_pairs_normalize(f->prefixes[k], strlen(f->prefixes[k]), &pre[k], NULL);
    }
    /* Decide first, then compact: an error leaves p as it was. */
    unsigned char *keep = NULL;
    if (!s && p->n)
        s = rnnc__calloc((void **)&keep, p->n, 1, "filter");
    for (size_t i = 0; i < p->n && !s; i++) {
        char *norm = NULL;
        size_t ns = 0, nt = 0;
        s = rnnc_pairs_normalize(p->src[i], strlen(p->src[i]), &norm, &ns);
        if (!s && f->max_tgt_tokens)
            s = rnnc_pairs_tokenize(p->tgt[i], strlen(p->tgt[i]), count_token, &nt);
        if (s) {
            free(norm);
            break;
        }
        int ok = (!f->max_src_tokens || ns <= f->max_src_tokens) &&
                 (!f->max_tgt_tokens || nt <= f->max_tgt_tokens);
        if (ok && f->n_prefixes) {
            ok = 0;
            for (size_t k = 0; k < f->n_prefixes && !ok; k++) {
                const size_t n = strlen(pre[k]);
                ok = n > 0 && strncmp(norm, pre[k], n) == 0 && (norm[n] == ' ' || !norm[n]);
            }
        }
        free(norm);
        keep[i] = (unsigned char)ok;
    }
    if (!s) {
        size_t j = 0;
        for (size_t i = 0; i < p->n; i++) {
            if (!keep[i]) {
                free(p->src[i]), free(p->tgt[i]);
                continue;
            }
            p->src[j] = p->src[i], p->tgt[j] = p->tgt[i], p->line[j] = p->line[i];
            j++;
        }
        p->n = j;
    }
    free(keep);
    for (size_t k = 0; pre && k < f->n_prefixes; k++)
        free(pre[k]);
    free(pre);
    return s;
}

/* ---- vocabularies and ids ----------------------------------------------------------------------- */

static const char eos[] = "<eos>";

rnnc_status rnnc_pairs_vocab(const rnnc_pairs *p, int side, int num_words, int min_freq,
                             rnnc_vocab **out) {
    if (!out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_pairs_vocab: out is NULL");
    *out = NULL;
    if (!p)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_pairs_vocab: pairs is NULL");
    if (side != RNNC_PAIRS_SRC && side != RNNC_PAIRS_TGT)
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "rnnc_pairs_vocab: side %d is neither source (0) nor "
                         "target (1)",
                         side);
    RNNC_TRY(rnnc__vocab_limits(num_words, min_freq, "rnnc_pairs_vocab"));
    const char *first[1] = {eos};
    if (num_words > 0 && num_words <= RNNC_PAIRS_EOS + 1)
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "rnnc_pairs_vocab: num_words %d must be 0 (no limit) or at least %d (ids "
                         "0-%d are reserved)",
                         num_words, RNNC_PAIRS_EOS + 2, RNNC_PAIRS_EOS);
    rnnc_vocab *c;
    RNNC_TRY(rnnc__vocab_counter_new(&c));
    rnnc_status s = RNNC_OK;
    char *const *text = side == RNNC_PAIRS_SRC ? p->src : p->tgt;
    for (size_t i = 0; i < p->n && !s; i++)
        s = rnnc_pairs_tokenize(text[i], strlen(text[i]), rnnc__vocab_count, c);
    if (!s)
        s = rnnc__vocab_rank_first(c, first, 1, num_words, min_freq, "rnnc_pairs_vocab", out);
    rnnc_vocab_free(c);
    return s;
}

typedef struct encoder {
    const rnnc_vocab *v;
    int32_t *ids;
    size_t cap, n;
} encoder;

static void push_id(encoder *e, int32_t id) {
    if (e->n < e->cap)
        e->ids[e->n] = id;
    e->n++;
}

static int encode_token(const char *t, size_t len, void *user) {
    encoder *e = user;
    int32_t id = rnnc_vocab_id(e->v, t, len);
    push_id(e, id < RNNC_VOCAB_FIRST ? RNNC_VOCAB_OOV : id);
    return 0;
}

rnnc_status rnnc_pairs_encode_text(const rnnc_vocab *v, const char *text, size_t len, int add_start,
                                   int add_end, int32_t *ids, size_t cap, size_t *n) {
    if (!v || !n || (!ids && cap > 0) || (!text && len > 0))
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_pairs_encode_text: NULL argument");
    encoder e = {v, ids, cap, 0};
    if (add_start)
        push_id(&e, RNNC_VOCAB_START);
    rnnc_status s = rnnc_pairs_tokenize(text, len, encode_token, &e);
    if (!s && add_end)
        push_id(&e, RNNC_PAIRS_EOS);
    *n = e.n;
    return s;
}

void rnnc_pairs_ids_free(rnnc_pairs_ids *ids) {
    if (!ids)
        return;
    free(ids->src_ids), free(ids->tgt_ids), free(ids->src_start), free(ids->tgt_start);
    memset(ids, 0, sizeof *ids);
}

/* One side of every pair into ids and start (n + 1): counted, then written. */
static rnnc_status encode_side(const rnnc_vocab *v, char *const *text, size_t n, int add_start,
                               int32_t **ids, size_t *start) {
    start[0] = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k;
        RNNC_TRY(rnnc_pairs_encode_text(v, text[i], strlen(text[i]), add_start, 1, NULL, 0, &k));
        start[i + 1] = start[i] + k;
    }
    RNNC_TRY(rnnc__calloc((void **)ids, start[n] ? start[n] : 1, sizeof **ids, "pair ids"));
    for (size_t i = 0; i < n; i++) {
        size_t k;
        RNNC_TRY(rnnc_pairs_encode_text(v, text[i], strlen(text[i]), add_start, 1, *ids + start[i],
                                        start[i + 1] - start[i], &k));
    }
    return RNNC_OK;
}

rnnc_status rnnc_pairs_encode(const rnnc_pairs *p, const rnnc_vocab *vs, const rnnc_vocab *vt,
                              rnnc_pairs_ids *out) {
    if (!out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_pairs_encode: out is NULL");
    memset(out, 0, sizeof *out);
    if (!p || !vs || !vt)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_pairs_encode: NULL argument");
    rnnc_status s = rnnc__calloc((void **)&out->src_start, p->n + 1, sizeof(size_t), "pair ids");
    if (!s)
        s = rnnc__calloc((void **)&out->tgt_start, p->n + 1, sizeof(size_t), "pair ids");
    if (!s)
        s = encode_side(vs, p->src, p->n, 0, &out->src_ids, out->src_start);
    if (!s)
        s = encode_side(vt, p->tgt, p->n, 1, &out->tgt_ids, out->tgt_start);
    if (s) {
        rnnc_pairs_ids_free(out);
        return s;
    }
    out->n = p->n;
    return RNNC_OK;
}
