/* Corpus BLEU and chrF as sacreBLEU 2.6.0 computes them with its defaults (text.h): the 13a
 * tokenizer, n-gram statistics summed over the corpus, the scores from those sums. */
#include "data.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { BLEU_ORDER = 4, CHRF_ORDER = 6 };

struct rnnc_textscore {
    size_t pairs;
    uint64_t hyp_len, ref_len, correct[BLEU_ORDER], total[BLEU_ORDER];
    uint64_t chyp[CHRF_ORDER], cref[CHRF_ORDER], cmatch[CHRF_ORDER];
};

/* What Python's str.isspace() (so str.split() and str.rstrip()) takes for whitespace. */
static int py_space(uint32_t c) {
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
           c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
           c == 0x202F || c == 0x205F || c == 0x3000;
}

/* A sentence the metrics can take: not NULL, valid UTF-8, at most RNNC__TEXT_MAX_DOC bytes. */
static rnnc_status check_text(const char *fn, const char *side, size_t i, const char *s) {
    if (!s)
        return RNNC_FAIL(RNNC_ERR_ARG, "%s: %s[%zu] is NULL", fn, side, i);
    size_t n = strlen(s);
    if (n > RNNC__TEXT_MAX_DOC)
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s: %s[%zu] has %zu bytes, more than the %zu a sentence may have", fn,
                         side, i, n, RNNC__TEXT_MAX_DOC);
    const unsigned char *u = (const unsigned char *)s;
    for (size_t k = 0; k < n;) {
        uint32_t c;
        size_t m = rnnc__utf8_decode(u + k, n - k, &c);
        if (c == 0xFFFD && m == 1)
            return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: %s[%zu]: invalid UTF-8 at byte %zu", fn, side, i,
                             k);
        k += m;
    }
    return RNNC_OK;
}

/* ---- the 13a tokenizer ---- */

/* Replaces every occurrence of pat in s[0..*n) by rep (no longer than pat), left to right, in
 * place, as Python's str.replace does. */
static void replace_all(char *s, size_t *n, const char *pat, const char *rep) {
    size_t lp = strlen(pat), lr = strlen(rep), w = 0;
    for (size_t r = 0; r < *n;) {
        if (*n - r >= lp && memcmp(s + r, pat, lp) == 0) {
            memcpy(s + w, rep, lr);
            w += lr, r += lp;
        } else {
            s[w++] = s[r++];
        }
    }
    *n = w;
}

static int is_digit(unsigned char c) {
    return c >= '0' && c <= '9';
}
static int not_digit(unsigned char c) {
    return !is_digit(c);
}
static int dot_comma(unsigned char c) {
    return c == '.' || c == ',';
}
static int dash(unsigned char c) {
    return c == '-';
}
/* 13a's first class, [{-~[-` -&(-+:-@/]: ASCII punctuation but ' , - . and space itself */
static int punct13a(unsigned char c) {
    return (c >= 0x7B && c <= 0x7E) || (c >= 0x5B && c <= 0x60) || (c >= 0x20 && c <= 0x26) ||
           (c >= 0x28 && c <= 0x2B) || (c >= 0x3A && c <= 0x40) || c == '/';
}

/* One re.sub of the pattern (a)(b) over s[0..n) into out (room for 2n bytes): leftmost matches
 * that never overlap, each written "a b " (lead 0) or " a b" (lead 1). The classes are ASCII, so
 * working on the bytes of valid UTF-8 gives what working on its code points gives: a multi-byte
 * character is in a "not a digit" class and none of its bytes is in another. */
static size_t sub_pair(const char *s, size_t n, char *out, int (*a)(unsigned char),
                       int (*b)(unsigned char), int lead) {
    size_t w = 0;
    for (size_t i = 0; i < n;) {
        unsigned char x = (unsigned char)s[i];
        if (i + 1 < n && a(x) && b((unsigned char)s[i + 1])) {
            if (lead)
                out[w++] = ' ';
            out[w++] = s[i];
            out[w++] = ' ';
            out[w++] = s[i + 1];
            if (!lead)
                out[w++] = ' ';
            i += 2;
        } else {
            out[w++] = s[i++];
        }
    }
    return w;
}

/* s (checked) tokenized by 13a and split on whitespace: *buf (malloc'd) holds the tokens, token k
 * at buf + off[k] for len[k] bytes, NUL-separated; *count tokens. off and len are malloc'd. */
typedef struct toks {
    char *buf;
    size_t *off, *len, count;
} toks;

static void toks_free(toks *t) {
    free(t->buf);
    free(t->off);
    free(t->len);
    memset(t, 0, sizeof *t);
}

static rnnc_status tokenize13a(const char *s, toks *t) {
    memset(t, 0, sizeof *t);
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s), end = 0;
    for (size_t k = 0; k < n;) { /* str.rstrip() */
        uint32_t c;
        k += rnnc__utf8_decode(u + k, n - k, &c);
        if (!py_space(c))
            end = k;
    }
    /* Room for every step (end <= RNNC__TEXT_MAX_DOC, so no overflow): the spacing of the first
     * class makes at most 3(end + 2) bytes; then each match adds 2 bytes, and a period or comma
     * matches at most once in each of two passes, a dash once: 7(end + 2) in all. */
    size_t cap = 8 * (end + 2) + 1;
    char *a = malloc(cap), *b = malloc(cap);
    if (!a || !b) {
        free(a);
        free(b);
        return RNNC_FAIL(RNNC_ERR_NOMEM, "rnnc_bleu: no memory for a sentence of %zu bytes", n);
    }
    memcpy(a, s, end);
    size_t m = end;
    replace_all(a, &m, "<skipped>", "");
    replace_all(a, &m, "-\n", "");
    replace_all(a, &m, "\n", " ");
    if (memchr(a, '&', m)) {
        replace_all(a, &m, "&quot;", "\"");
        replace_all(a, &m, "&amp;", "&");
        replace_all(a, &m, "&lt;", "<");
        replace_all(a, &m, "&gt;", ">");
    }
    /* " line ", then each character of the first class spaced out */
    size_t w = 0;
    b[w++] = ' ', b[w++] = ' ', b[w++] = ' ';
    for (size_t i = 0; i < m; i++) {
        if (punct13a((unsigned char)a[i])) {
            b[w++] = ' ', b[w++] = a[i], b[w++] = ' ';
        } else {
            b[w++] = a[i];
        }
    }
    b[w++] = ' ', b[w++] = ' ', b[w++] = ' ';
    m = sub_pair(b, w, a, not_digit, dot_comma, 0); /* period and comma unless after a digit */
    m = sub_pair(a, m, b, dot_comma, not_digit, 1); /* ... unless before a digit */
    m = sub_pair(b, m, a, is_digit, dash, 0);       /* a dash after a digit */
    free(b);
    /* split on whitespace, in place: each token ends with a NUL */
    size_t ntok = 0;
    t->off = malloc((m / 2 + 1) * sizeof *t->off);
    t->len = malloc((m / 2 + 1) * sizeof *t->len);
    if (!t->off || !t->len) {
        free(a);
        toks_free(t);
        return RNNC_FAIL(RNNC_ERR_NOMEM, "rnnc_bleu: no memory for a sentence of %zu bytes", n);
    }
    const unsigned char *v = (const unsigned char *)a;
    size_t start = 0, k = 0;
    int in = 0;
    while (k < m) {
        uint32_t c;
        size_t step = rnnc__utf8_decode(v + k, m - k, &c);
        if (py_space(c)) {
            if (in) {
                t->len[ntok++] = k - start;
                a[k] = '\0';
            }
            in = 0;
        } else if (!in) {
            in = 1;
            start = k;
            t->off[ntok] = k;
        }
        k += step;
    }
    if (in)
        t->len[ntok++] = k - start;
    t->buf = a;
    t->count = ntok;
    return RNNC_OK;
}

rnnc_status rnnc_bleu_tokenize(const char *text, char **out) {
    if (!out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_bleu_tokenize: out is NULL");
    *out = NULL;
    RNNC_TRY(check_text("rnnc_bleu_tokenize", "text", 0, text));
    toks t;
    RNNC_TRY(tokenize13a(text, &t));
    size_t w = 0;
    for (size_t k = 0; k < t.count; k++) { /* joined by single spaces, in place */
        if (k)
            t.buf[w++] = ' ';
        memmove(t.buf + w, t.buf + t.off[k], t.len[k]);
        w += t.len[k];
    }
    t.buf[w] = '\0';
    *out = t.buf;
    t.buf = NULL;
    toks_free(&t);
    return RNNC_OK;
}

/* ---- n-gram statistics ---- */

/* A stable merge sort of a[0..n) by cmp(x, y, ctx); tmp has room for n. */
static void sort_idx(size_t *a, size_t *tmp, size_t n, int (*cmp)(size_t, size_t, const void *),
                     const void *ctx) {
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = cmp(a[j], a[i], ctx) < 0 ? a[j++] : a[i++];
            while (i < mid)
                tmp[k++] = a[i++];
            while (j < hi)
                tmp[k++] = a[j++];
        }
        memcpy(a, tmp, n * sizeof *a);
    }
}

typedef struct tok_ctx {
    const toks *t[2];
    size_t nh;
} tok_ctx;

static void tok_at(const tok_ctx *c, size_t i, const char **p, size_t *len) {
    const toks *t = i < c->nh ? c->t[0] : c->t[1];
    size_t k = i < c->nh ? i : i - c->nh;
    *p = t->buf + t->off[k];
    *len = t->len[k];
}

static int cmp_tok(size_t x, size_t y, const void *ctx) {
    const char *p, *q;
    size_t lp, lq;
    tok_at(ctx, x, &p, &lp);
    tok_at(ctx, y, &q, &lq);
    int r = memcmp(p, q, lp < lq ? lp : lq);
    return r ? r : (lp > lq) - (lp < lq);
}

typedef struct gram_ctx {
    const uint32_t *seq;
    size_t n;
} gram_ctx;

static int cmp_gram(size_t x, size_t y, const void *ctx) {
    const gram_ctx *g = ctx;
    for (size_t k = 0; k < g->n; k++)
        if (g->seq[x + k] != g->seq[y + k])
            return g->seq[x + k] < g->seq[y + k] ? -1 : 1;
    return 0;
}

/* The n-grams of the hypothesis seq[0..nh) and of the reference seq[nh..nh+nr): how many each
 * has, and the matches clipped by the reference's counts. idx and tmp have room for nh + nr. */
static void ngram_stats(const uint32_t *seq, size_t nh, size_t nr, size_t n, size_t *idx,
                        size_t *tmp, uint64_t *hyp, uint64_t *ref, uint64_t *match) {
    size_t m = 0;
    for (size_t i = 0; i + n <= nh; i++)
        idx[m++] = i;
    for (size_t i = 0; i + n <= nr; i++)
        idx[m++] = nh + i;
    gram_ctx g = {seq, n};
    sort_idx(idx, tmp, m, cmp_gram, &g);
    uint64_t h = 0, r = 0, c = 0;
    for (size_t i = 0; i < m;) {
        size_t j = i;
        uint64_t ch = 0, cr = 0;
        while (j < m && cmp_gram(idx[i], idx[j], &g) == 0) {
            if (idx[j] < nh)
                ch++;
            else
                cr++;
            j++;
        }
        h += ch, r += cr, c += ch < cr ? ch : cr;
        i = j;
    }
    *hyp = h, *ref = r, *match = c;
}

/* BLEU's statistics of one pair: token ids (equal tokens, equal ids) then the n-grams. */
static rnnc_status bleu_pair(const char *hs, const char *rs, uint64_t *hyp_len, uint64_t *ref_len,
                             uint64_t *correct, uint64_t *total) {
    toks h, r;
    RNNC_TRY(tokenize13a(hs, &h));
    rnnc_status st = tokenize13a(rs, &r);
    if (st) {
        toks_free(&h);
        return st;
    }
    size_t n = h.count + r.count;
    size_t *idx = malloc((n + 1) * sizeof *idx), *tmp = malloc((n + 1) * sizeof *tmp);
    uint32_t *ids = malloc((n + 1) * sizeof *ids);
    if (!idx || !tmp || !ids) {
        st = RNNC_FAIL(RNNC_ERR_NOMEM, "rnnc_bleu: no memory for %zu tokens", n);
        goto done;
    }
    tok_ctx c = {{&h, &r}, h.count};
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    sort_idx(idx, tmp, n, cmp_tok, &c);
    uint32_t id = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && cmp_tok(idx[i - 1], idx[i], &c) != 0)
            id++;
        ids[idx[i]] = id;
    }
    for (size_t k = 0; k < BLEU_ORDER; k++) {
        uint64_t ref, match;
        ngram_stats(ids, h.count, r.count, k + 1, idx, tmp, &total[k], &ref, &match);
        correct[k] = match;
    }
    *hyp_len = h.count;
    *ref_len = r.count;
done:
    free(idx);
    free(tmp);
    free(ids);
    toks_free(&h);
    toks_free(&r);
    return st;
}

/* The code points of s (checked) but whitespace. */
static size_t chars_of(const char *s, uint32_t *out) {
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s), m = 0;
    for (size_t k = 0; k < n;) {
        uint32_t c;
        k += rnnc__utf8_decode(u + k, n - k, &c);
        if (!py_space(c))
            out[m++] = c;
    }
    return m;
}

/* chrF's statistics of one pair: character n-grams of orders 1..6, whitespace removed; a
 * hypothesis's n-grams count only where the reference has n-grams of that order. */
static rnnc_status chrf_pair(const char *hs, const char *rs, uint64_t *hyp, uint64_t *ref,
                             uint64_t *match) {
    size_t lh = strlen(hs), lr = strlen(rs), n = lh + lr;
    uint32_t *seq = malloc((n + 1) * sizeof *seq);
    size_t *idx = malloc((n + 1) * sizeof *idx), *tmp = malloc((n + 1) * sizeof *tmp);
    if (!seq || !idx || !tmp) {
        free(seq);
        free(idx);
        free(tmp);
        return RNNC_FAIL(RNNC_ERR_NOMEM, "rnnc_chrf: no memory for %zu characters", n);
    }
    size_t nh = chars_of(hs, seq);
    size_t nr = chars_of(rs, seq + nh);
    for (size_t k = 0; k < CHRF_ORDER; k++) {
        ngram_stats(seq, nh, nr, k + 1, idx, tmp, &hyp[k], &ref[k], &match[k]);
        if (nr < k + 1)
            hyp[k] = 0;
    }
    free(seq);
    free(idx);
    free(tmp);
    return RNNC_OK;
}

/* ---- the accumulator and the scores ---- */

rnnc_status rnnc_textscore_create(rnnc_textscore **out) {
    if (!out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_textscore_create: out is NULL");
    return rnnc__calloc((void **)out, 1, sizeof **out, "rnnc_textscore_create");
}

void rnnc_textscore_free(rnnc_textscore *ts) {
    free(ts);
}

void rnnc_textscore_reset(rnnc_textscore *ts) {
    if (ts)
        memset(ts, 0, sizeof *ts);
}

size_t rnnc_textscore_count(const rnnc_textscore *ts) {
    return ts ? ts->pairs : 0;
}

/* Adds one pair; nothing changes on an error, whose message starts with fn. */
static rnnc_status add_pair(rnnc_textscore *ts, const char *fn, const char *hyp, const char *ref) {
    RNNC_TRY(check_text(fn, "hyp", ts->pairs, hyp));
    RNNC_TRY(check_text(fn, "ref", ts->pairs, ref));
    uint64_t hl = 0, rl = 0, correct[BLEU_ORDER], total[BLEU_ORDER];
    uint64_t ch[CHRF_ORDER], cr[CHRF_ORDER], cm[CHRF_ORDER];
    RNNC_TRY(bleu_pair(hyp, ref, &hl, &rl, correct, total));
    RNNC_TRY(chrf_pair(hyp, ref, ch, cr, cm));
    ts->hyp_len += hl;
    ts->ref_len += rl;
    for (int k = 0; k < BLEU_ORDER; k++)
        ts->correct[k] += correct[k], ts->total[k] += total[k];
    for (int k = 0; k < CHRF_ORDER; k++)
        ts->chyp[k] += ch[k], ts->cref[k] += cr[k], ts->cmatch[k] += cm[k];
    ts->pairs++;
    return RNNC_OK;
}

rnnc_status rnnc_textscore_add(rnnc_textscore *ts, const char *hyp, const char *ref) {
    if (!ts)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_textscore_add: ts is NULL");
    return add_pair(ts, "rnnc_textscore_add", hyp, ref);
}

/* sacreBLEU's my_log: log, with -9999999999 for 0 */
static double floored_log(double x) {
    return x == 0.0 ? -9999999999.0 : log(x);
}

rnnc_status rnnc_textscore_bleu(const rnnc_textscore *ts, rnnc_bleu_score *out) {
    if (!ts || !out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_textscore_bleu: %s is NULL", !ts ? "ts" : "out");
    memset(out, 0, sizeof *out);
    out->hyp_len = ts->hyp_len;
    out->ref_len = ts->ref_len;
    for (int k = 0; k < BLEU_ORDER; k++)
        out->correct[k] = ts->correct[k], out->total[k] = ts->total[k];
    double sys = (double)ts->hyp_len, ref = (double)ts->ref_len;
    out->ratio = ts->ref_len ? sys / ref : 0.0;
    out->bp = 1.0;
    if (ts->hyp_len < ts->ref_len)
        out->bp = ts->hyp_len > 0 ? exp(1.0 - ref / sys) : 0.0;
    int any = 0;
    for (int k = 0; k < BLEU_ORDER; k++)
        any |= ts->correct[k] != 0;
    if (!any)
        return RNNC_OK; /* score and precisions 0 */
    /* 'exp' smoothing: the k-th order without a match counts as 1 / 2^k of a match */
    double smooth = 1.0;
    for (int k = 0; k < BLEU_ORDER; k++) {
        if (ts->total[k] == 0)
            break; /* this order and the ones above stay 0 */
        if (ts->correct[k] == 0) {
            smooth *= 2;
            out->precisions[k] = 100.0 / (smooth * (double)ts->total[k]);
        } else {
            out->precisions[k] = 100.0 * (double)ts->correct[k] / (double)ts->total[k];
        }
    }
    double sum = 0.0; /* summed left to right, as Python's sum() before 3.12 */
    for (int k = 0; k < BLEU_ORDER; k++)
        sum += floored_log(out->precisions[k]);
    out->score = out->bp * exp(sum / BLEU_ORDER);
    return RNNC_OK;
}

rnnc_status rnnc_textscore_chrf(const rnnc_textscore *ts, double *out) {
    if (!ts || !out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_textscore_chrf: %s is NULL", !ts ? "ts" : "out");
    const double factor = 4.0; /* beta 2, squared */
    double prec = 0.0, rec = 0.0;
    int eff = 0;
    for (int k = 0; k < CHRF_ORDER; k++) {
        if (ts->chyp[k] > 0 && ts->cref[k] > 0) {
            prec += (double)ts->cmatch[k] / (double)ts->chyp[k];
            rec += (double)ts->cmatch[k] / (double)ts->cref[k];
            eff++;
        }
    }
    if (eff > 0) {
        prec /= eff;
        rec /= eff;
    }
    *out = 0.0;
    if (prec + rec != 0.0) {
        double f = (1.0 + factor) * prec * rec;
        f /= factor * prec + rec;
        *out = 100.0 * f;
    }
    return RNNC_OK;
}

/* ---- whole corpora ---- */

static rnnc_status corpus(const char *fn, const char *const *hyp, const char *const *ref, size_t n,
                          const void *out, rnnc_textscore *ts) {
    if ((!hyp || !ref) && n > 0)
        return RNNC_FAIL(RNNC_ERR_ARG, "%s: %s is NULL", fn, !hyp ? "hyp" : "ref");
    if (!out)
        return RNNC_FAIL(RNNC_ERR_ARG, "%s: out is NULL", fn);
    for (size_t i = 0; i < n; i++)
        RNNC_TRY(add_pair(ts, fn, hyp[i], ref[i]));
    return RNNC_OK;
}

rnnc_status rnnc_bleu(const char *const *hyp, const char *const *ref, size_t n,
                      rnnc_bleu_score *out) {
    rnnc_textscore ts = {0};
    RNNC_TRY(corpus("rnnc_bleu", hyp, ref, n, out, &ts));
    return rnnc_textscore_bleu(&ts, out);
}

rnnc_status rnnc_chrf(const char *const *hyp, const char *const *ref, size_t n, double *out) {
    rnnc_textscore ts = {0};
    RNNC_TRY(corpus("rnnc_chrf", hyp, ref, n, out, &ts));
    return rnnc_textscore_chrf(&ts, out);
}

const char *rnnc_bleu_signature(void) {
    return "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0";
}

const char *rnnc_chrf_signature(void) {
    return "nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0";
}
