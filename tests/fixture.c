/* fixture.c - reader for rnnc's plain-text test fixtures (see fixture.h).
 *
 * Pure C11 + libc.  The whole file is read into memory (bounded), then
 * tokenised with line tracking.  Every count is bounded and every number is
 * checked, so malformed or truncated input yields an error message and
 * never a crash or an oversized allocation.
 */
#include "fixture.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIXTURE_MAX_FILE_BYTES ((size_t)1 << 30) /* 1 GiB */
#define FIXTURE_MAX_TENSORS 65536u
#define FIXTURE_MAX_META 1024u
#define FIXTURE_NAME_CAP 64u /* == sizeof(fixture_tensor.name) */
#define FIXTURE_VALUE_CAP 128u

typedef struct fixture_meta_entry {
    char key[FIXTURE_NAME_CAP];
    char value[FIXTURE_VALUE_CAP];
} fixture_meta_entry;

struct fixture {
    fixture_tensor *tensors;
    size_t ntensors, cap_tensors;
    fixture_meta_entry *meta;
    size_t nmeta, cap_meta;
};

typedef struct lexer {
    const char *p;
    const char *end;
    long line;         /* 1-based line of the current position */
    int at_line_start; /* no token seen yet on the current line */
} lexer;

typedef struct token {
    const char *s;
    size_t len;
    long line;
    int first_on_line;
} token;

typedef struct ctx {
    const char *path;
    char *err;
    size_t errlen;
} ctx;

/* ------------------------------------------------------------------------ */

static void set_err(const ctx *c, long line, const char *fmt, ...) {
    char msg[256];
    va_list ap;
    if (c->err == NULL || c->errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (line > 0)
        snprintf(c->err, c->errlen, "%s:%ld: %s", c->path, line, msg);
    else
        snprintf(c->err, c->errlen, "%s: %s", c->path, msg);
}

/* Printable, bounded copy of a token for messages. */
static const char *tok_show(const token *t, char *buf, size_t cap) {
    size_t i, n = t->len;
    if (cap == 0)
        return "";
    if (n > cap - 1)
        n = cap - 1;
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)t->s[i];
        buf[i] = (ch > 32 && ch < 127) ? (char)ch : '?';
    }
    buf[n] = '\0';
    if (t->len > n && n >= 3)
        memcpy(buf + n - 3, "...", 3);
    return buf;
}

static int is_blank(char ch) {
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f';
}

static int is_sep(char ch) {
    return is_blank(ch) || ch == '\n';
}

/* Next token; returns 0 at end of input. */
static int lex_next(lexer *lx, token *t) {
    for (;;) {
        char ch;
        if (lx->p >= lx->end)
            return 0;
        ch = *lx->p;
        if (ch == '\n') {
            lx->line++;
            lx->at_line_start = 1;
            lx->p++;
        } else if (is_blank(ch)) {
            lx->p++;
        } else if (ch == '#' && lx->at_line_start) {
            while (lx->p < lx->end && *lx->p != '\n')
                lx->p++;
        } else {
            break;
        }
    }
    t->s = lx->p;
    while (lx->p < lx->end && !is_sep(*lx->p))
        lx->p++;
    t->len = (size_t)(lx->p - t->s);
    t->line = lx->line;
    t->first_on_line = lx->at_line_start;
    lx->at_line_start = 0;
    return 1;
}

/* Next token on the current line; 0 if the line (or input) has ended. */
static int lex_same_line(lexer *lx, token *t) {
    lexer save = *lx;
    if (!lex_next(lx, t) || t->first_on_line) {
        *lx = save;
        return 0;
    }
    return 1;
}

static int tok_is(const token *t, const char *word) {
    size_t n = strlen(word);
    return t->len == n && memcmp(t->s, word, n) == 0;
}

static int tok_printable(const token *t) {
    size_t i;
    for (i = 0; i < t->len; i++) {
        unsigned char ch = (unsigned char)t->s[i];
        if (ch <= 32 || ch >= 127)
            return 0;
    }
    return 1;
}

/* Decimal integer in [lo, hi] occupying the whole token. */
static int tok_long(const token *t, long lo, long hi, long *out) {
    char *endp = NULL;
    long v;
    if (t->len == 0 || t->len > 32)
        return 0;
    errno = 0;
    v = strtol(t->s, &endp, 10);
    if (errno != 0 || endp != t->s + t->len || v < lo || v > hi)
        return 0;
    *out = v;
    return 1;
}

/* Finite double occupying the whole token. */
static int tok_double(const token *t, double *out) {
    char *endp = NULL;
    double v;
    if (t->len == 0 || t->len > 64)
        return 0;
    errno = 0;
    v = strtod(t->s, &endp);
    if (endp != t->s + t->len)
        return 0;
    /* ERANGE on underflow (subnormals) is fine; overflow gives inf. */
    if (!isfinite(v))
        return 0;
    *out = v;
    return 1;
}

/* ------------------------------------------------------------------------ */

static int read_all(const ctx *c, char **out, size_t *outlen) {
    FILE *fp = fopen(c->path, "rb");
    char *buf = NULL;
    size_t len = 0, cap = 0;
    if (fp == NULL) {
        set_err(c, 0, "cannot open: %s", strerror(errno));
        return 0;
    }
    for (;;) {
        size_t got;
        if (cap - len < 4096) {
            size_t ncap = cap ? cap * 2 : 65536;
            char *nb;
            if (ncap > FIXTURE_MAX_FILE_BYTES + 1)
                ncap = FIXTURE_MAX_FILE_BYTES + 1;
            if (ncap <= cap) {
                set_err(c, 0, "file larger than %zu bytes", (size_t)FIXTURE_MAX_FILE_BYTES);
                goto fail;
            }
            nb = realloc(buf, ncap);
            if (nb == NULL) {
                set_err(c, 0, "out of memory reading file");
                goto fail;
            }
            buf = nb;
            cap = ncap;
        }
        got = fread(buf + len, 1, cap - len - 1, fp);
        len += got;
        if (got == 0) {
            if (ferror(fp)) {
                set_err(c, 0, "read error");
                goto fail;
            }
            break;
        }
    }
    fclose(fp);
    buf[len] = '\0'; /* terminator keeps strtod/strtol inside the buffer */
    *out = buf;
    *outlen = len;
    return 1;
fail:
    fclose(fp);
    free(buf);
    return 0;
}

static int add_meta(fixture *f, const ctx *c, lexer *lx, long line) {
    token k, v, extra;
    char show[40];
    size_t i;
    if (!lex_same_line(lx, &k) || !lex_same_line(lx, &v)) {
        set_err(c, line, "'meta' needs a key and a value on the same line");
        return 0;
    }
    if (lex_same_line(lx, &extra)) {
        set_err(c, line, "unexpected token '%s' after meta value",
                tok_show(&extra, show, sizeof show));
        return 0;
    }
    if (k.len >= FIXTURE_NAME_CAP || !tok_printable(&k)) {
        set_err(c, line, "bad meta key '%s' (printable, < %u bytes)",
                tok_show(&k, show, sizeof show), FIXTURE_NAME_CAP);
        return 0;
    }
    if (v.len >= FIXTURE_VALUE_CAP || !tok_printable(&v)) {
        set_err(c, line, "bad meta value '%s' (printable, < %u bytes)",
                tok_show(&v, show, sizeof show), FIXTURE_VALUE_CAP);
        return 0;
    }
    for (i = 0; i < f->nmeta; i++) {
        if (strlen(f->meta[i].key) == k.len && memcmp(f->meta[i].key, k.s, k.len) == 0) {
            set_err(c, line, "duplicate meta key '%s'", f->meta[i].key);
            return 0;
        }
    }
    if (f->nmeta == f->cap_meta) {
        size_t ncap = f->cap_meta ? f->cap_meta * 2 : 16;
        fixture_meta_entry *nm;
        if (f->nmeta >= FIXTURE_MAX_META) {
            set_err(c, line, "more than %u meta lines", FIXTURE_MAX_META);
            return 0;
        }
        nm = realloc(f->meta, ncap * sizeof *nm);
        if (nm == NULL) {
            set_err(c, line, "out of memory");
            return 0;
        }
        f->meta = nm;
        f->cap_meta = ncap;
    }
    memcpy(f->meta[f->nmeta].key, k.s, k.len);
    f->meta[f->nmeta].key[k.len] = '\0';
    memcpy(f->meta[f->nmeta].value, v.s, v.len);
    f->meta[f->nmeta].value[v.len] = '\0';
    f->nmeta++;
    return 1;
}

static int add_tensor(fixture *f, const ctx *c, lexer *lx, long line) {
    token nm, t;
    char show[40];
    fixture_tensor ft;
    long ndim, d;
    size_t i, n = 1;

    memset(&ft, 0, sizeof ft);
    if (!lex_same_line(lx, &nm)) {
        set_err(c, line, "'tensor' needs a name");
        return 0;
    }
    if (nm.len >= sizeof ft.name || !tok_printable(&nm)) {
        set_err(c, line, "bad tensor name '%s' (printable, < %zu bytes)",
                tok_show(&nm, show, sizeof show), sizeof ft.name);
        return 0;
    }
    memcpy(ft.name, nm.s, nm.len);
    ft.name[nm.len] = '\0';
    if (!lex_same_line(lx, &t)) {
        set_err(c, line, "tensor '%s': missing ndim", ft.name);
        return 0;
    }
    if (!tok_long(&t, 0, FIXTURE_MAX_NDIM, &ndim)) {
        set_err(c, line, "tensor '%s': bad ndim '%s' (integer 0..%d)", ft.name,
                tok_show(&t, show, sizeof show), FIXTURE_MAX_NDIM);
        return 0;
    }
    ft.ndim = (int)ndim;
    for (i = 0; i < (size_t)ndim; i++) {
        if (!lex_same_line(lx, &t)) {
            set_err(c, line, "tensor '%s': expected %ld dims on the header line, got %zu", ft.name,
                    ndim, i);
            return 0;
        }
        if (!tok_long(&t, 0, (long)FIXTURE_MAX_ELEMS, &d)) {
            set_err(c, line, "tensor '%s': bad dim '%s' (integer 0..%u)", ft.name,
                    tok_show(&t, show, sizeof show), FIXTURE_MAX_ELEMS);
            return 0;
        }
        ft.dims[i] = (size_t)d;
        if (n != 0 && (size_t)d > (size_t)FIXTURE_MAX_ELEMS / n) {
            set_err(c, line, "tensor '%s': too many elements (limit %u)", ft.name,
                    FIXTURE_MAX_ELEMS);
            return 0;
        }
        n *= (size_t)d;
    }
    ft.n = n;
    if (lex_same_line(lx, &t)) {
        set_err(c, line,
                "tensor '%s': unexpected token '%s' after dims (values start on the next line)",
                ft.name, tok_show(&t, show, sizeof show));
        return 0;
    }
    for (i = 0; i < f->ntensors; i++) {
        if (strcmp(f->tensors[i].name, ft.name) == 0) {
            set_err(c, line, "duplicate tensor '%s'", ft.name);
            return 0;
        }
    }
    /* Each value needs at least one character and one separator: refuse a
     * header whose count cannot possibly fit before allocating for it. */
    if (n > (size_t)(lx->end - lx->p) / 2) {
        set_err(c, line, "tensor '%s': declares %zu values but only %zu bytes remain (truncated?)",
                ft.name, n, (size_t)(lx->end - lx->p));
        return 0;
    }
    if (f->ntensors == f->cap_tensors) {
        size_t ncap = f->cap_tensors ? f->cap_tensors * 2 : 32;
        fixture_tensor *nt;
        if (f->ntensors >= FIXTURE_MAX_TENSORS) {
            set_err(c, line, "more than %u tensors", FIXTURE_MAX_TENSORS);
            return 0;
        }
        nt = realloc(f->tensors, ncap * sizeof *nt);
        if (nt == NULL) {
            set_err(c, line, "out of memory");
            return 0;
        }
        f->tensors = nt;
        f->cap_tensors = ncap;
    }
    if (n > 0) {
        ft.data = malloc(n * sizeof *ft.data);
        if (ft.data == NULL) {
            set_err(c, line, "tensor '%s': out of memory for %zu values", ft.name, n);
            return 0;
        }
    }
    for (i = 0; i < n; i++) {
        lexer save = *lx;
        if (!lex_next(lx, &t)) {
            set_err(c, line, "tensor '%s': truncated, expected %zu values, file ends after %zu",
                    ft.name, n, i);
            free(ft.data);
            return 0;
        }
        if (t.first_on_line && (tok_is(&t, "tensor") || tok_is(&t, "meta"))) {
            *lx = save;
            set_err(c, t.line, "tensor '%s': truncated, expected %zu values, got %zu before '%s'",
                    ft.name, n, i, tok_show(&t, show, sizeof show));
            free(ft.data);
            return 0;
        }
        if (!tok_double(&t, &ft.data[i])) {
            set_err(c, t.line, "tensor '%s': bad value '%s' at index %zu (finite number expected)",
                    ft.name, tok_show(&t, show, sizeof show), i);
            free(ft.data);
            return 0;
        }
    }
    f->tensors[f->ntensors++] = ft;
    return 1;
}

fixture *fixture_load(const char *path, char *err, size_t errlen) {
    ctx c;
    char *buf = NULL;
    size_t len = 0;
    lexer lx;
    token t;
    char show[40];
    fixture *f;

    c.path = path ? path : "(null)";
    c.err = err;
    c.errlen = errlen;
    if (err && errlen)
        err[0] = '\0';
    if (path == NULL) {
        set_err(&c, 0, "no path given");
        return NULL;
    }
    if (!read_all(&c, &buf, &len))
        return NULL;
    f = calloc(1, sizeof *f);
    if (f == NULL) {
        set_err(&c, 0, "out of memory");
        free(buf);
        return NULL;
    }
    lx.p = buf;
    lx.end = buf + len;
    lx.line = 1;
    lx.at_line_start = 1;
    while (lex_next(&lx, &t)) {
        int ok;
        if (!t.first_on_line) {
            set_err(&c, t.line, "unexpected token '%s' (more values than declared?)",
                    tok_show(&t, show, sizeof show));
            goto fail;
        }
        if (tok_is(&t, "meta"))
            ok = add_meta(f, &c, &lx, t.line);
        else if (tok_is(&t, "tensor"))
            ok = add_tensor(f, &c, &lx, t.line);
        else {
            set_err(&c, t.line,
                    "unknown line starting with '%s' (expected 'meta', 'tensor' or '#')",
                    tok_show(&t, show, sizeof show));
            goto fail;
        }
        if (!ok)
            goto fail;
    }
    /* The last value of a file cut mid-number still parses; requiring the
     * final newline catches that kind of truncation. */
    if (len > 0 && buf[len - 1] != '\n') {
        set_err(&c, lx.line, "file does not end with a newline (truncated?)");
        goto fail;
    }
    if (f->ntensors == 0) {
        set_err(&c, lx.line, "no tensors in file");
        goto fail;
    }
    free(buf);
    return f;
fail:
    free(buf);
    fixture_free(f);
    return NULL;
}

void fixture_free(fixture *f) {
    size_t i;
    if (f == NULL)
        return;
    for (i = 0; i < f->ntensors; i++)
        free(f->tensors[i].data);
    free(f->tensors);
    free(f->meta);
    free(f);
}

const fixture_tensor *fixture_get(const fixture *f, const char *name) {
    size_t i;
    if (f == NULL || name == NULL)
        return NULL;
    for (i = 0; i < f->ntensors; i++)
        if (strcmp(f->tensors[i].name, name) == 0)
            return &f->tensors[i];
    return NULL;
}

const char *fixture_meta(const fixture *f, const char *key) {
    size_t i;
    if (f == NULL || key == NULL)
        return NULL;
    for (i = 0; i < f->nmeta; i++)
        if (strcmp(f->meta[i].key, key) == 0)
            return f->meta[i].value;
    return NULL;
}

int fixture_meta_int(const fixture *f, const char *key, int fallback) {
    const char *s = fixture_meta(f, key);
    char *endp = NULL;
    long v;
    if (s == NULL || *s == '\0')
        return fallback;
    errno = 0;
    v = strtol(s, &endp, 10);
    if (errno != 0 || *endp != '\0' || v < INT_MIN || v > INT_MAX)
        return fallback;
    return (int)v;
}
