/* The tokenizer: UTF-8 decoding with U+FFFD for bad bytes, HTML-tag removal, a small case table
 * and punctuation splitting, or one token per character (language models). No dependence on the C
 * locale. */
#include "data.h"

#include <stdlib.h>
#include <string.h>

size_t rnnc__utf8_decode(const unsigned char *s, size_t n, uint32_t *cp) {
    unsigned c = s[0];
    size_t need;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        need = 1, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3, v = c & 0x07, min = 0x10000;
    } else {
        *cp = 0xFFFD; /* a continuation byte, 0xC0/0xC1 (always overlong) or 0xF5..0xFF */
        return 1;
    }
    if (n < need + 1) {
        *cp = 0xFFFD;
        return 1;
    }
    for (size_t i = 1; i <= need; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        *cp = 0xFFFD;
        return 1;
    }
    *cp = v;
    return need + 1;
}

size_t rnnc__utf8_encode(uint32_t cp, char *out) {
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    } else if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    } else if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

uint32_t rnnc__lower(uint32_t c) {
    if (c < 0x80)
        return (c >= 'A' && c <= 'Z') ? c + 32 : c;
    /* Latin-1 Supplement: À..Þ except × (U+00D7). */
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
        return c + 32;
    /* Latin Extended-A: case pairs (upper even, lower odd) except in 0139..0148 and 0179..017E,
     * where the upper case is odd; İ lowers to i and Ÿ to ÿ (U+00FF); ĸ, ŉ and ſ have no pair. */
    if (c >= 0x100 && c <= 0x17F) {
        if (c == 0x130)
            return 'i';
        if (c == 0x178)
            return 0xFF;
        if (c == 0x138 || c == 0x149 || c == 0x17F)
            return c;
        if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
            return (c & 1) ? c + 1 : c;
        return (c & 1) ? c : c + 1;
    }
    /* Greek: Α..Ω (no capital at U+03A2) and the capitals with tonos. */
    if (c >= 0x391 && c <= 0x3AB && c != 0x3A2)
        return c + 32;
    if (c == 0x386)
        return 0x3AC;
    if (c >= 0x388 && c <= 0x38A)
        return c + 37;
    if (c == 0x38C)
        return 0x3CC;
    if (c == 0x38E || c == 0x38F)
        return c + 63;
    /* Cyrillic: Ѐ..Џ, А..Я, and the even/odd pairs of the extended letters. */
    if (c >= 0x400 && c <= 0x40F)
        return c + 80;
    if (c >= 0x410 && c <= 0x42F)
        return c + 32;
    if ((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF) || (c >= 0x4D0 && c <= 0x52F))
        return (c & 1) ? c : c + 1;
    if (c == 0x4C0)
        return 0x4CF;
    if (c >= 0x4C1 && c <= 0x4CE)
        return (c & 1) ? c + 1 : c;
    return c;
}

char *rnnc_text_nul_to_space(char *text, size_t len) {
    for (char *z = text ? memchr(text, '\0', len) : NULL; z;
         z = memchr(z, '\0', len - (size_t)(z - text)))
        *z = ' ';
    return text;
}

int rnnc__is_space(uint32_t c) {
    return c <= 0x20 || c == 0x7F || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
           c == 0x205F || c == 0x3000;
}

int rnnc__is_punct(uint32_t c) {
    if (c < 0x80)
        return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) ||
               (c >= 0x7B && c <= 0x7E);
    if (c >= 0xA1 && c <= 0xBF)
        return !(c == 0xAA || c == 0xB2 || c == 0xB3 || c == 0xB5 || c == 0xB9 || c == 0xBA ||
                 (c >= 0xBC && c <= 0xBE));
    return c == 0xD7 || c == 0xF7 ||
           (c >= 0x2010 && c <= 0x205E && c != 0x2028 && c != 0x2029 && c != 0x202F);
}

/* A letter or digit for the apostrophe rule: anything that is neither space nor punctuation. */
static int is_word(uint32_t c) {
    return !rnnc__is_space(c) && !rnnc__is_punct(c);
}

static int is_apostrophe(uint32_t c) {
    return c == '\'' || c == 0x2019;
}

/* The length of the HTML tag starting at s[0] == '<', or 0 when it is not one. */
static size_t html_tag(const unsigned char *s, size_t n) {
    if (n < 3)
        return 0;
    unsigned c = s[1];
    int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '!' ||
             (c == '/' && ((s[2] | 0x20) >= 'a' && (s[2] | 0x20) <= 'z'));
    if (!ok)
        return 0;
    for (size_t i = 2; i < n && i < 256; i++) {
        if (s[i] == '>')
            return i + 1;
        if (s[i] == '<' || s[i] == '\n')
            return 0;
    }
    return 0;
}

/* The token being built: a small inline buffer that moves to the heap for long tokens. */
typedef struct tokbuf {
    char small[256];
    char *p;
    size_t len, cap;
} tokbuf;

static int tok_put(tokbuf *t, uint32_t cp) {
    if (t->len + 5 > t->cap) {
        size_t cap = t->cap * 2;
        char *q = t->p == t->small ? malloc(cap) : realloc(t->p, cap);
        if (!q)
            return RNNC_FAIL(RNNC_ERR_NOMEM, "rnnc_tokenize: cannot buffer a %zu-byte token",
                             t->len);
        if (t->p == t->small)
            memcpy(q, t->small, t->len);
        t->p = q, t->cap = cap;
    }
    t->len += rnnc__utf8_encode(cp, t->p + t->len);
    return 0;
}

static int tok_emit(tokbuf *t, int (*fn)(const char *, size_t, void *), void *user) {
    if (t->len == 0)
        return 0;
    t->p[t->len] = '\0';
    int r = fn(t->p, t->len, user);
    t->len = 0;
    return r;
}

rnnc_tokenizer_spec rnnc_tokenizer_spec_init(void) {
    rnnc_tokenizer_spec s = {1, 1, 1, 0};
    return s;
}

/* Character mode: every code point of the text is a token of its own. U+0000 becomes U+FFFD too,
 * since a token is handed over NUL-terminated and a NUL inside it would cut it short. */
static int tokenize_chars(const rnnc_tokenizer_spec *spec, const unsigned char *s, size_t len,
                          int (*fn)(const char *tok, size_t len, void *user), void *user) {
    char tok[5];
    size_t i = 0;
    while (i < len) {
        uint32_t c;
        i += rnnc__utf8_decode(s + i, len - i, &c);
        if (c == 0)
            c = 0xFFFD;
        size_t k = rnnc__utf8_encode(spec->lowercase ? rnnc__lower(c) : c, tok);
        tok[k] = '\0';
        int r = fn(tok, k, user);
        if (r)
            return r;
    }
    return 0;
}

/* The walk: fn's first nonzero return, or 0. */
static int tokenize(const rnnc_tokenizer_spec *spec, const char *text, size_t len,
                    int (*fn)(const char *tok, size_t len, void *user), void *user) {
    rnnc_tokenizer_spec def = rnnc_tokenizer_spec_init();
    if (!spec)
        spec = &def;
    if (!fn)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_tokenize: fn is NULL");
    if (!text && len > 0)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_tokenize: text is NULL");
    const unsigned char *s = (const unsigned char *)text;
    if (spec->chars)
        return tokenize_chars(spec, s, len, fn, user);
    tokbuf t;
    t.p = t.small, t.len = 0, t.cap = sizeof t.small;
    int r = 0;
    uint32_t prev = ' '; /* the previous code point of the text (a tag counts as a space) */
    size_t i = 0;
    while (i < len && r == 0) {
        size_t tag = (spec->strip_html && s[i] == '<') ? html_tag(s + i, len - i) : 0;
        if (tag) {
            r = tok_emit(&t, fn, user);
            i += tag;
            prev = ' ';
            continue;
        }
        uint32_t c;
        size_t k = rnnc__utf8_decode(s + i, len - i, &c);
        i += k;
        if (rnnc__is_space(c)) {
            r = tok_emit(&t, fn, user);
        } else if (spec->split_punct && rnnc__is_punct(c)) {
            int inside = 0;
            if (is_apostrophe(c) && is_word(prev) && i < len) {
                /* The tag check is not needed here: '<' is punctuation, not a word character. */
                uint32_t next;
                rnnc__utf8_decode(s + i, len - i, &next);
                inside = is_word(next);
            }
            if (inside) {
                r = tok_put(&t, c);
            } else {
                r = tok_emit(&t, fn, user);
                if (r == 0)
                    r = tok_put(&t, c);
                if (r == 0)
                    r = tok_emit(&t, fn, user);
            }
        } else {
            r = tok_put(&t, spec->lowercase ? rnnc__lower(c) : c);
        }
        prev = c;
    }
    if (r == 0)
        r = tok_emit(&t, fn, user);
    if (t.p != t.small)
        free(t.p);
    return r;
}

rnnc_status rnnc_tokenize(const rnnc_tokenizer_spec *spec, const char *text, size_t len,
                          int (*fn)(const char *tok, size_t len, void *user), void *user) {
    const int r = tokenize(spec, text, len, fn, user);
    return r > 0 ? RNNC_OK : r; /* a stop fn asked for is no error */
}
