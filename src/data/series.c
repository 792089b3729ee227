/* Time series from CSV: a header row, rows oldest first, numeric columns, one-hot categorical
 * columns, composed time stamps, missing values refused or filled; the chronological split and
 * the scaling fitted on the training part only. */
#include "data.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COLUMNS 4096

void rnnc_series_source_defaults(rnnc_series_source *out, size_t size) {
    rnnc_series_source s;
    memset(&s, 0, sizeof s);
    s.missing = RNNC_MISSING_REJECT;
    s.struct_size = sizeof s;
    rnnc__spec_fill(out, size, &s, sizeof s);
}

void rnnc_series_free(rnnc_series *s) {
    if (!s)
        return;
    for (size_t f = 0; s->names && f < s->F; f++)
        free(s->names[f]);
    for (size_t t = 0; s->time && t < s->T; t++)
        free(s->time[t]);
    free(s->names), free(s->time), free(s->x), free(s->onehot);
    free(s);
}

int rnnc_series_column(const rnnc_series *s, const char *name) {
    for (size_t f = 0; s && name && f < s->F; f++)
        if (!strcmp(s->names[f], name))
            return (int)f;
    return -1;
}

/* ---- CSV records ---- */

typedef struct csv {
    const char *p, *end;
    const char *name;
    size_t line; /* line of the next record */
    char *buf;   /* the unquoted fields of the current record, each NUL-terminated */
    size_t cap;
    char **field; /* pointers into buf */
    size_t nf, fcap;
    size_t rec_line; /* the line the current record starts on */
} csv;

static rnnc_status put(csv *c, size_t *len, char ch) {
    if (*len + 1 >= c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 256;
        char *b = realloc(c->buf, cap);
        if (!b)
            return RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory reading %s", c->name);
        c->buf = b, c->cap = cap;
    }
    c->buf[(*len)++] = ch;
    return RNNC_OK;
}

/* Reads the next non-blank record; *got 0 at the end of the text. */
static rnnc_status next_record(csv *c, int *got) {
    *got = 0;
    for (;;) { /* skip blank lines */
        if (c->p >= c->end)
            return RNNC_OK;
        if (*c->p == '\n') {
            c->p++, c->line++;
        } else if (*c->p == '\r' && (c->p + 1 == c->end || c->p[1] == '\n')) {
            c->p++;
        } else {
            break;
        }
    }
    c->rec_line = c->line;
    size_t len = 0, starts[MAX_COLUMNS];
    size_t nf = 0;
    starts[nf++] = 0;
    for (;;) {
        if (c->p < c->end && *c->p == '"') { /* a quoted field */
            const size_t qline = c->line;
            c->p++;
            for (;;) {
                if (c->p >= c->end)
                    return RNNC_FAIL(RNNC_ERR_FORMAT, "%s:%zu: unterminated quote", c->name, qline);
                if (*c->p == '"') {
                    if (c->p + 1 < c->end && c->p[1] == '"') {
                        RNNC_TRY(put(c, &len, '"'));
                        c->p += 2;
                        continue;
                    }
                    c->p++;
                    break;
                }
                if (*c->p == '\n')
                    c->line++;
                RNNC_TRY(put(c, &len, *c->p++));
            }
            while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
                c->p++;
            if (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r')
                return RNNC_FAIL(RNNC_ERR_FORMAT, "%s:%zu: field %zu: text after a closing quote",
                                 c->name, c->line, nf);
        } else {
            while (c->p < c->end && *c->p != ',' && *c->p != '\n' &&
                   !(*c->p == '\r' && (c->p + 1 == c->end || c->p[1] == '\n')))
                RNNC_TRY(put(c, &len, *c->p++));
        }
        RNNC_TRY(put(c, &len, 0));
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            if (nf == MAX_COLUMNS)
                return RNNC_FAIL(RNNC_ERR_FORMAT, "%s:%zu: more than %d fields", c->name, c->line,
                                 MAX_COLUMNS);
            starts[nf++] = len;
            continue;
        }
        if (c->p < c->end && *c->p == '\r')
            c->p++;
        if (c->p < c->end && *c->p == '\n')
            c->p++, c->line++;
        break;
    }
    if (nf > c->fcap) {
        char **f = realloc(c->field, nf * sizeof *f);
        if (!f)
            return RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory reading %s", c->name);
        c->field = f, c->fcap = nf;
    }
    for (size_t i = 0; i < nf; i++)
        c->field[i] = c->buf + starts[i];
    c->nf = nf;
    *got = 1;
    return RNNC_OK;
}

/* ---- column lists ---- */

static char *trim(char *s) {
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = 0;
    return s;
}

/* Resolves a comma-separated list of names or 0-based indices against the header names (nc):
 * idx gets the column numbers, *n their count. */
static rnnc_status resolve(const char *list, const char *what, char **hdr, size_t nc,
                           const char *name, int *idx, size_t *n) {
    *n = 0;
    if (!list || !*list)
        return RNNC_OK;
    char buf[2048];
    if (strlen(list) >= sizeof buf)
        return RNNC_FAIL(RNNC_ERR_ARG, "%s: the %s column list is too long", name, what);
    strcpy(buf, list);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        tok = trim(tok);
        long col = -1;
        for (size_t i = 0; i < nc && col < 0; i++)
            if (!strcmp(hdr[i], tok))
                col = (long)i;
        if (col < 0 && *tok) {
            char *end;
            errno = 0;
            long v = strtol(tok, &end, 10);
            if (!errno && !*end && v >= 0 && (size_t)v < nc)
                col = v;
        }
        if (col < 0)
            return RNNC_FAIL(RNNC_ERR_FORMAT, "%s:1: no %s column '%s' in the header", name, what,
                             tok);
        for (size_t i = 0; i < *n; i++)
            if (idx[i] == (int)col)
                return RNNC_FAIL(RNNC_ERR_FORMAT, "%s:1: %s column '%s' is named twice", name, what,
                                 tok);
        if (*n == MAX_COLUMNS)
            return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: too many %s columns", name, what);
        idx[(*n)++] = (int)col;
    }
    return RNNC_OK;
}

static int in_list(const int *idx, size_t n, int col) {
    for (size_t i = 0; i < n; i++)
        if (idx[i] == col)
            return 1;
    return 0;
}

static int is_missing(const char *v) {
    return !*v || !strcmp(v, "NA") || !strcmp(v, "N/A") || !strcmp(v, "NaN") || !strcmp(v, "nan") ||
           !strcmp(v, "null");
}

/* ---- the reader ---- */

typedef struct stamp stamp;
static int parse_stamp(const char *s, stamp *o);
static long long stamp_seconds(const char *s, int *fmt);

typedef struct catcol {
    char **vals; /* distinct values, in order of first appearance */
    size_t n, cap;
    size_t *row; /* (T) the value index of each row */
} catcol;

typedef struct reader {
    rnnc_series *s;
    double *num;   /* (T,n_num) numbers, NAN where missing */
    size_t *lines; /* (T) the line of each row */
    catcol *cat;   /* (n_cat) */
    size_t rows, cap;
} reader;

static rnnc_status grow_rows(reader *r, size_t n_num, size_t n_cat, int with_time) {
    if (r->rows < r->cap)
        return RNNC_OK;
    size_t cap = r->cap ? 2 * r->cap : 1024;
    size_t bytes;
    if (rnnc__mul(cap, n_num ? n_num : 1, &bytes) || rnnc__mul(bytes, sizeof(double), &bytes))
        return RNNC_FAIL(RNNC_ERR_NOMEM, "series too large");
    double *num = realloc(r->num, bytes);
    if (num)
        r->num = num;
    size_t *lines = realloc(r->lines, cap * sizeof *lines);
    if (lines)
        r->lines = lines;
    char **time = with_time ? realloc(r->s->time, cap * sizeof(char *)) : NULL;
    if (time)
        r->s->time = time;
    int ok = num && lines && (!with_time || time);
    for (size_t j = 0; ok && j < n_cat; j++) {
        size_t *row = realloc(r->cat[j].row, cap * sizeof *row);
        if (row)
            r->cat[j].row = row;
        ok = row != NULL;
    }
    if (!ok)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory reading a series");
    r->cap = cap;
    return RNNC_OK;
}

static rnnc_status add_category(catcol *c, const char *v, size_t row) {
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->vals[i], v)) {
            c->row[row] = i;
            return RNNC_OK;
        }
    if (c->n == 1024)
        return RNNC_FAIL(RNNC_ERR_FORMAT, "more than 1024 distinct values");
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 8;
        char **v2 = realloc(c->vals, cap * sizeof *v2);
        if (!v2)
            return RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
        c->vals = v2, c->cap = cap;
    }
    if (!(c->vals[c->n] = strdup(v)))
        return RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
    c->row[row] = c->n++;
    return RNNC_OK;
}

static int ieq(const char *a, const char *b) {
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
    return *a == *b;
}

/* The time stamp of a row from its time fields. */
static char *compose_time(csv *c, char **hdr, const int *tcol, size_t nt) {
    if (nt == 1)
        return strdup(c->field[tcol[0]]);
    if (nt == 4 && ieq(hdr[tcol[0]], "year") && ieq(hdr[tcol[1]], "month") &&
        ieq(hdr[tcol[2]], "day") && ieq(hdr[tcol[3]], "hour")) {
        long v[4];
        int ok = 1;
        for (int i = 0; i < 4; i++) {
            char *end;
            v[i] = strtol(c->field[tcol[i]], &end, 10);
            ok &= end != c->field[tcol[i]] && !*end;
        }
        if (ok) {
            char b[64];
            snprintf(b, sizeof b, "%04ld-%02ld-%02ld %02ld:00", v[0], v[1], v[2], v[3]);
            return strdup(b);
        }
    }
    size_t n = 1;
    for (size_t i = 0; i < nt; i++)
        n += strlen(c->field[tcol[i]]) + 1;
    char *b = malloc(n);
    if (!b)
        return NULL;
    b[0] = 0;
    for (size_t i = 0; i < nt; i++) {
        if (i)
            strcat(b, " ");
        strcat(b, c->field[tcol[i]]);
    }
    return b;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Fills the NANs of column j of num (T,stride) by the rule; first..: values before the first
 * number take it. */
static rnnc_status fill_column(reader *r, size_t j, size_t stride, int rule, const char *name,
                               const char *col) {
    const size_t T = r->rows;
    double *v = r->num + j;
    size_t first = 0;
    while (first < T && isnan(v[first * stride]))
        first++;
    if (first == T)
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: column '%s' holds no number at all", name, col);
    for (size_t t = 0; t < first; t++)
        v[t * stride] = v[first * stride], r->s->filled++;
    size_t last = first; /* the last row holding a number */
    for (size_t t = first + 1; t < T; t++) {
        if (!isnan(v[t * stride])) {
            if (rule == RNNC_MISSING_INTERPOLATE && t > last + 1) {
                const double a = v[last * stride], b = v[t * stride];
                for (size_t k = last + 1; k < t; k++)
                    v[k * stride] = a + (b - a) * (double)(k - last) / (double)(t - last);
            }
            last = t;
            continue;
        }
        r->s->filled++;
        if (rule == RNNC_MISSING_FFILL)
            v[t * stride] = v[(t - 1) * stride];
    }
    for (size_t t = last + 1; t < T; t++) /* trailing gap: carried forward */
        v[t * stride] = v[last * stride];
    return RNNC_OK;
}

/* A row's place in time: its stamp as seconds (a date) or as a number. */
typedef struct when {
    double key;
    size_t row;
} when;

static int cmp_when(const void *a, const void *b) {
    const when *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row); /* stable */
}

/* The key of a stamp: its seconds (dates) or its value (numbers). */
static double when_key(const char *v, int dated) {
    int fmt;
    return dated ? (double)stamp_seconds(v, &fmt) : strtod(v, NULL);
}

/* Rows permuted: row t of the result is row w[t].row of r's tables (numbers, lines, stamps,
 * categories). */
static rnnc_status permute_rows(reader *r, size_t n_num, size_t n_cat, const when *w) {
    const size_t T = r->rows;
    size_t cells;
    if (rnnc__mul(T, n_num ? n_num : 1, &cells))
        return RNNC_FAIL(RNNC_ERR_NOMEM, "series too large");
    double *num = malloc(cells * sizeof *num);
    size_t *lines = malloc(T * sizeof *lines);
    char **tm = malloc(T * sizeof *tm);
    if (!num || !lines || !tm) {
        free(num), free(lines), free(tm);
        return RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory sorting the rows");
    }
    for (size_t t = 0; t < T; t++) {
        memcpy(num + t * n_num, r->num + w[t].row * n_num, n_num * sizeof *num);
        lines[t] = r->lines[w[t].row];
        tm[t] = r->s->time[w[t].row];
    }
    free(r->num), free(r->lines), free(r->s->time);
    r->num = num, r->lines = lines, r->s->time = tm, r->cap = T;
    for (size_t j = 0; j < n_cat; j++) {
        size_t *row = malloc(T * sizeof *row);
        if (!row)
            return RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory sorting the rows");
        for (size_t t = 0; t < T; t++)
            row[t] = r->cat[j].row[w[t].row];
        free(r->cat[j].row);
        r->cat[j].row = row;
    }
    return RNNC_OK;
}

/* The rows oldest first (rnnc_series_source's sort_time): refused out of order or repeated, or
 * sorted when asked. Stamps that are not all dates of one format or all numbers have no order
 * here. */
static rnnc_status order_rows(reader *r, size_t n_num, size_t n_cat, const char *name, int sort) {
    const size_t T = r->rows;
    int fmt0 = 0, dated = 1, numeric = 1;
    size_t odd = 0; /* the first row that is neither */
    for (size_t t = 0; t < T && (dated || numeric); t++) {
        int fmt;
        const char *v = r->s->time[t];
        stamp_seconds(v, &fmt);
        char *end;
        const double x = strtod(v, &end);
        if (t == 0)
            fmt0 = fmt;
        dated &= fmt != 0 && fmt == fmt0;
        numeric &= end != v && !*end && isfinite(x);
        odd = t;
    }
    if (!dated && !numeric)
        return sort ? RNNC_FAIL(RNNC_ERR_FORMAT,
                                "%s:%zu: time stamp '%.40s': sort_time needs stamps that are all "
                                "dates of one format (YYYY-MM, YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS], "
                                "DD-MM-YY) or all numbers",
                                name, r->lines[odd], r->s->time[odd])
                    : RNNC_OK;
    when *w = malloc(T * sizeof *w);
    if (!w)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
    for (size_t t = 0; t < T; t++)
        w[t].key = when_key(r->s->time[t], dated), w[t].row = t;
    rnnc_status st = RNNC_OK;
    if (sort) {
        qsort(w, T, sizeof *w, cmp_when);
        st = permute_rows(r, n_num, n_cat, w);
        for (size_t t = 0; t < T; t++)
            w[t].row = t; /* keys now in row order */
    }
    char **time = r->s->time;
    for (size_t t = 1; st == RNNC_OK && t < T; t++) {
        if (w[t].key > w[t - 1].key)
            continue;
        if (w[t].key == w[t - 1].key)
            st = RNNC_FAIL(RNNC_ERR_FORMAT,
                           "%s:%zu: time stamp '%.40s' repeats line %zu's ('%.40s')", name,
                           r->lines[t], time[t], r->lines[t - 1], time[t - 1]);
        else
            st = RNNC_FAIL(RNNC_ERR_FORMAT,
                           "%s:%zu: time stamp '%.40s' comes before line %zu's ('%.40s'): rows "
                           "must be oldest first (sort_time = true, or --sort-time, sorts them)",
                           name, r->lines[t], time[t], r->lines[t - 1], time[t - 1]);
    }
    free(w);
    return st;
}

rnnc_status rnnc_series_parse(const char *text, size_t len, const char *name,
                              const rnnc_series_source *src, rnnc_series **out) {
    if (!text || !src || !out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_series_parse: NULL argument");
    *out = NULL;
    if (!name)
        name = "<memory>";
    const uint64_t max_rows = src->limits.records ? src->limits.records : RNNC_READ_RECORDS_DEFAULT;
    if (src->missing < RNNC_MISSING_REJECT || src->missing > RNNC_MISSING_INTERPOLATE)
        return RNNC_FAIL(RNNC_ERR_ARG, "unknown missing-value rule %d", src->missing);
    csv c;
    memset(&c, 0, sizeof c);
    c.p = text, c.end = text + len, c.name = name, c.line = 1;
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) /* a UTF-8 byte order mark */
        c.p += 3;
    rnnc_series *s = NULL;
    reader r;
    memset(&r, 0, sizeof r);
    char **hdr = NULL;
    size_t nc = 0, nt = 0, nn = 0, ncat = 0;
    int *tcol = NULL, *ncol = NULL, *ccol = NULL;
    int got;
    rnnc_status st = rnnc__calloc((void **)&s, 1, sizeof *s, "series");
    if (st == RNNC_OK)
        st = next_record(&c, &got);
    if (st == RNNC_OK && !got)
        st = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: empty file (a header row is needed)", name);
    if (st == RNNC_OK) {
        nc = c.nf;
        st = rnnc__calloc((void **)&hdr, nc, sizeof *hdr, "header");
        for (size_t i = 0; st == RNNC_OK && i < nc; i++) {
            char *h = strdup(trim(c.field[i]));
            if (!h)
                st = RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
            hdr[i] = h;
        }
    }
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&tcol, MAX_COLUMNS, sizeof(int), "columns");
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&ncol, MAX_COLUMNS, sizeof(int), "columns");
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&ccol, MAX_COLUMNS, sizeof(int), "columns");
    if (st == RNNC_OK)
        st = resolve(src->time, "time", hdr, nc, name, tcol, &nt);
    if (st == RNNC_OK)
        st = resolve(src->categorical, "categorical", hdr, nc, name, ccol, &ncat);
    if (st == RNNC_OK && src->columns && *src->columns) {
        st = resolve(src->columns, "numeric", hdr, nc, name, ncol, &nn);
    } else if (st == RNNC_OK) {
        for (size_t i = 0; i < nc; i++)
            if (!in_list(tcol, nt, (int)i) && !in_list(ccol, ncat, (int)i))
                ncol[nn++] = (int)i;
    }
    for (size_t i = 0; st == RNNC_OK && i < nn; i++)
        if (in_list(tcol, nt, ncol[i]) || in_list(ccol, ncat, ncol[i]))
            st = RNNC_FAIL(RNNC_ERR_FORMAT,
                           "%s:1: column '%s' is both numeric and a time or categorical column",
                           name, hdr[ncol[i]]);
    for (size_t i = 0; st == RNNC_OK && i < ncat; i++)
        if (in_list(tcol, nt, ccol[i]))
            st = RNNC_FAIL(RNNC_ERR_FORMAT, "%s:1: column '%s' is both time and categorical", name,
                           hdr[ccol[i]]);
    if (st == RNNC_OK && nn + ncat == 0)
        st = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: no numeric or categorical column to read", name);
    if (st == RNNC_OK && ncat)
        st = rnnc__calloc((void **)&r.cat, ncat, sizeof *r.cat, "categories");
    r.s = s;
    while (st == RNNC_OK) {
        st = next_record(&c, &got);
        if (st != RNNC_OK || !got)
            break;
        if (c.nf != nc) {
            st = RNNC_FAIL(RNNC_ERR_FORMAT, "%s:%zu: %zu fields, the header has %zu", name,
                           c.rec_line, c.nf, nc);
            break;
        }
        if (st == RNNC_OK && r.rows >= max_rows) {
            st = RNNC_FAIL(RNNC_ERR_FORMAT,
                           "%s:%zu: more than %llu rows (the record limit); a larger data set "
                           "needs a larger max_records (docs/data.md)",
                           name, c.rec_line, (unsigned long long)max_rows);
            break;
        }
        st = grow_rows(&r, nn, ncat, nt > 0);
        if (st != RNNC_OK)
            break;
        const size_t t = r.rows;
        r.lines[t] = c.rec_line;
        if (nt) {
            s->time[t] = compose_time(&c, hdr, tcol, nt);
            if (!s->time[t]) {
                st = RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
                break;
            }
        }
        r.rows++;
        for (size_t j = 0; j < nn && st == RNNC_OK; j++) {
            char *v = trim(c.field[ncol[j]]);
            double x = NAN;
            if (!is_missing(v)) {
                char *end;
                errno = 0;
                x = strtod(v, &end);
                if (end == v || *end || errno == ERANGE || !isfinite(x))
                    st = RNNC_FAIL(RNNC_ERR_FORMAT, "%s:%zu: column '%s': '%.40s' is not a number",
                                   name, c.rec_line, hdr[ncol[j]], v);
                else if (fabs(x) > RNNC_SERIES_MAX_ABS)
                    st = RNNC_FAIL(RNNC_ERR_FORMAT,
                                   "%s:%zu: column '%s': %.40s is beyond +-1e100, the largest "
                                   "magnitude a series holds (its squares and sums must stay "
                                   "finite); rescale the column",
                                   name, c.rec_line, hdr[ncol[j]], v);
            } else if (src->missing == RNNC_MISSING_REJECT) {
                st = RNNC_FAIL(RNNC_ERR_FORMAT,
                               "%s:%zu: column '%s': missing value '%s' (row %zu; set missing = "
                               "ffill or interpolate to fill it)",
                               name, c.rec_line, hdr[ncol[j]], v, t + 1);
            }
            r.num[t * nn + j] = x;
        }
        for (size_t j = 0; j < ncat && st == RNNC_OK; j++) {
            const char *v = trim(c.field[ccol[j]]);
            if (!*v)
                st = RNNC_FAIL(RNNC_ERR_FORMAT, "%s:%zu: column '%s': empty category", name,
                               c.rec_line, hdr[ccol[j]]);
            else if ((st = add_category(&r.cat[j], v, t)) != RNNC_OK) {
                char where[512];
                snprintf(where, sizeof where, "%s:%zu: column '%s'", name, c.rec_line,
                         hdr[ccol[j]]);
                st = rnnc__fail_prefix(st, where);
            }
        }
    }
    if (st == RNNC_OK && r.rows == 0)
        st = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: no data rows after the header", name);
    if (st == RNNC_OK && nt) /* before filling: a fill runs along time */
        st = order_rows(&r, nn, ncat, name, src->sort_time);
    for (size_t j = 0; st == RNNC_OK && j < nn; j++)
        if (src->missing != RNNC_MISSING_REJECT)
            st = fill_column(&r, j, nn, src->missing, name, hdr[ncol[j]]);
    /* the table: numeric columns, then each category's one-hot columns, values sorted */
    size_t F = nn;
    for (size_t j = 0; j < ncat; j++)
        F += r.cat ? r.cat[j].n : 0;
    if (st == RNNC_OK && F > RNNC_SERIES_MAX_FEATURES)
        st = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: %zu columns after one-hot encoding; at most %d", name,
                       F, RNNC_SERIES_MAX_FEATURES);
    if (st == RNNC_OK) {
        s->T = r.rows, s->F = F;
        st = rnnc__calloc((void **)&s->names, F, sizeof(char *), "column names");
        if (st == RNNC_OK)
            st = rnnc__calloc((void **)&s->onehot, F, 1, "column kinds");
        size_t cells;
        if (st == RNNC_OK && rnnc__mul(s->T, F, &cells))
            st = RNNC_FAIL(RNNC_ERR_NOMEM, "series too large");
        if (st == RNNC_OK)
            st = rnnc__calloc((void **)&s->x, cells, sizeof(double), "series values");
    }
    if (st == RNNC_OK) {
        for (size_t j = 0; j < nn && st == RNNC_OK; j++) {
            if (!(s->names[j] = strdup(hdr[ncol[j]])))
                st = RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
            for (size_t t = 0; t < s->T; t++)
                s->x[t * F + j] = r.num[t * nn + j];
        }
        size_t f = nn;
        for (size_t j = 0; j < ncat && st == RNNC_OK; j++) {
            catcol *cc = &r.cat[j];
            char **sorted = malloc(cc->n * sizeof *sorted);
            size_t *rank = malloc(cc->n * sizeof *rank);
            if (!sorted || !rank) {
                free(sorted), free(rank);
                st = RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
                break;
            }
            memcpy(sorted, cc->vals, cc->n * sizeof *sorted);
            qsort(sorted, cc->n, sizeof *sorted, cmp_str);
            for (size_t i = 0; i < cc->n; i++)
                for (size_t k = 0; k < cc->n; k++)
                    if (sorted[k] == cc->vals[i])
                        rank[i] = k;
            for (size_t k = 0; k < cc->n && st == RNNC_OK; k++) {
                size_t n = strlen(hdr[ccol[j]]) + strlen(sorted[k]) + 2;
                if (!(s->names[f + k] = malloc(n)))
                    st = RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
                else
                    snprintf(s->names[f + k], n, "%s=%s", hdr[ccol[j]], sorted[k]);
                s->onehot[f + k] = 1;
            }
            for (size_t t = 0; t < s->T; t++)
                s->x[t * F + f + rank[cc->row[t]]] = 1;
            f += cc->n;
            free(sorted), free(rank);
        }
    }
    for (size_t j = 0; r.cat && j < ncat; j++) {
        for (size_t i = 0; i < r.cat[j].n; i++)
            free(r.cat[j].vals[i]);
        free(r.cat[j].vals), free(r.cat[j].row);
    }
    for (size_t i = 0; hdr && i < nc; i++)
        free(hdr[i]);
    free(hdr), free(tcol), free(ncol), free(ccol), free(r.cat), free(r.num), free(r.lines);
    free(c.buf), free(c.field);
    if (st != RNNC_OK) {
        if (s && s->T == 0)
            s->T = r.rows; /* the stamps read so far are freed with the series */
        rnnc_series_free(s);
        return st;
    }
    *out = s;
    return RNNC_OK;
}

rnnc_status rnnc_series_read(const rnnc_series_source *src, rnnc_series **out) {
    if (!src || !src->path || !out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_series_read: NULL argument");
    RNNC_TRY(RNNC__SPEC_CHECK(src, rnnc_series_source));
    *out = NULL;
    rnnc__budget budget;
    rnnc__budget_init(&budget, &src->limits);
    char *buf = NULL;
    size_t n = 0;
    rnnc_status st = rnnc__read_file(src->path, SIZE_MAX - 1, "series file", &budget, 1, &buf, &n);
    if (st == RNNC_OK && n && memchr(buf, 0, n))
        st = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: contains NUL bytes; not a CSV text file", src->path);
    if (st == RNNC_OK)
        st = rnnc_series_parse(buf ? buf : "", n, src->path, src, out);
    free(buf);
    return st;
}

/* ---- time stamps ---- */

enum { TF_NONE = 0, TF_YM, TF_YMD, TF_YMDHM, TF_YMDHMS, TF_DMY2 };

typedef struct stamp {
    long y, mo, d, h, mi, sec;
} stamp;

static int digits(const char *s, int n, long *v) {
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return 0;
        *v = *v * 10 + (s[i] - '0');
    }
    return 1;
}

/* Recognises the formats of rnnc_series_time_after. */
static int parse_stamp(const char *s, stamp *o) {
    memset(o, 0, sizeof *o);
    o->d = 1;
    const size_t n = strlen(s);
    if (n == 8 && s[2] == '-' && s[5] == '-' && digits(s, 2, &o->d) && digits(s + 3, 2, &o->mo) &&
        digits(s + 6, 2, &o->y)) {
        o->y += o->y < 69 ? 2000 : 1900; /* the POSIX %y pivot */
        return TF_DMY2;
    }
    if (n < 7 || !digits(s, 4, &o->y) || s[4] != '-' || !digits(s + 5, 2, &o->mo))
        return TF_NONE;
    if (n == 7)
        return TF_YM;
    if (n < 10 || s[7] != '-' || !digits(s + 8, 2, &o->d))
        return TF_NONE;
    if (n == 10)
        return TF_YMD;
    if ((s[10] != ' ' && s[10] != 'T') || n < 16 || !digits(s + 11, 2, &o->h) || s[13] != ':' ||
        !digits(s + 14, 2, &o->mi))
        return TF_NONE;
    if (n == 16)
        return TF_YMDHM;
    if (n == 19 && s[16] == ':' && digits(s + 17, 2, &o->sec))
        return TF_YMDHMS;
    return TF_NONE;
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil). */
static long days_from_civil(long y, long m, long d) {
    y -= m <= 2;
    const long era = (y >= 0 ? y : y - 399) / 400;
    const long yoe = y - era * 400;
    const long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, stamp *o) {
    z += 719468;
    const long era = (z >= 0 ? z : z - 146096) / 146097;
    const long doe = z - era * 146097;
    const long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const long mp = (5 * doy + 2) / 153;
    o->d = doy - (153 * mp + 2) / 5 + 1;
    o->mo = mp < 10 ? mp + 3 : mp - 9;
    o->y = yoe + era * 400 + (o->mo <= 2);
}

static long long to_seconds(const stamp *s) {
    return ((long long)days_from_civil(s->y, s->mo, s->d) * 24 + s->h) * 3600 + s->mi * 60 + s->sec;
}

/* A stamp's seconds since 1970 and its format (*fmt TF_NONE, and 0, when it is no date). */
static long long stamp_seconds(const char *s, int *fmt) {
    stamp o;
    *fmt = parse_stamp(s, &o);
    return *fmt ? to_seconds(&o) : 0;
}

static void from_seconds(long long x, stamp *o) {
    long long days = x >= 0 ? x / 86400 : -((-x + 86399) / 86400);
    long long rem = x - days * 86400;
    civil_from_days((long)days, o);
    o->h = (long)(rem / 3600), o->mi = (long)(rem / 60 % 60), o->sec = (long)(rem % 60);
}

static int weekday(long days) { /* 0 = Sunday; 1970-01-01 was a Thursday */
    long w = (days + 4) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

static int cmp_ll(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

rnnc_status rnnc_series_time_after(const rnnc_series *s, size_t k, char *buf, size_t cap) {
    if (!s || !buf || k < 1)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_series_time_after: bad argument");
    int fmt = TF_NONE;
    stamp last;
    if (s->time && s->T >= 2) {
        fmt = parse_stamp(s->time[s->T - 1], &last);
        /* every stamp looked at must share the format */
        for (size_t i = s->T - 1; fmt && i-- > 0 && s->T - i <= 64;) {
            stamp o;
            if (parse_stamp(s->time[i], &o) != fmt)
                fmt = TF_NONE;
        }
    }
    int n;
    if (fmt == TF_NONE) {
        n = snprintf(buf, cap, "+%zu", k);
    } else if (fmt == TF_YM) {
        stamp prev;
        parse_stamp(s->time[s->T - 2], &prev);
        long step = (last.y * 12 + last.mo) - (prev.y * 12 + prev.mo);
        if (step < 1)
            step = 1;
        long m = last.y * 12 + (last.mo - 1) + step * (long)k;
        n = snprintf(buf, cap, "%04ld-%02ld", m / 12, m % 12 + 1);
    } else {
        /* the most common difference between neighbouring stamps among the last 64 */
        long long diffs[64];
        size_t nd = 0;
        int weekend = 0;
        for (size_t i = s->T - 1; i > 0 && nd < 63; i--) {
            stamp a, b;
            parse_stamp(s->time[i - 1], &a);
            parse_stamp(s->time[i], &b);
            diffs[nd++] = to_seconds(&b) - to_seconds(&a);
            const int wd = weekday(days_from_civil(b.y, b.mo, b.d));
            weekend |= wd == 0 || wd == 6;
        }
        qsort(diffs, nd, sizeof diffs[0], cmp_ll);
        long long step = diffs[0];
        size_t best = 0;
        for (size_t i = 0; i < nd;) {
            size_t j = i;
            while (j < nd && diffs[j] == diffs[i])
                j++;
            if (j - i > best)
                best = j - i, step = diffs[i];
            i = j;
        }
        if (step < 1)
            step = 1;
        long long x = to_seconds(&last);
        stamp o;
        if (step == 86400 && !weekend) { /* business days */
            long d = days_from_civil(last.y, last.mo, last.d);
            for (size_t i = 0; i < k; i++) {
                d++;
                while (weekday(d) == 0 || weekday(d) == 6)
                    d++;
            }
            from_seconds((long long)d * 86400 + x % 86400, &o);
        } else {
            from_seconds(x + step * (long long)k, &o);
        }
        if (fmt == TF_DMY2)
            n = snprintf(buf, cap, "%02ld-%02ld-%02ld", o.d, o.mo, o.y % 100);
        else if (fmt == TF_YMD)
            n = snprintf(buf, cap, "%04ld-%02ld-%02ld", o.y, o.mo, o.d);
        else if (fmt == TF_YMDHM)
            n = snprintf(buf, cap, "%04ld-%02ld-%02ld %02ld:%02ld", o.y, o.mo, o.d, o.h, o.mi);
        else
            n = snprintf(buf, cap, "%04ld-%02ld-%02ld %02ld:%02ld:%02ld", o.y, o.mo, o.d, o.h, o.mi,
                         o.sec);
    }
    if (n < 0 || (size_t)n >= cap)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_series_time_after: buffer of %zu bytes too small",
                         cap);
    return RNNC_OK;
}

/* ---- split and scaling ---- */

rnnc_status rnnc_series_split(size_t T, double val_fraction, double test_fraction, size_t *n_train,
                              size_t *n_val, size_t *n_test) {
    if (!n_train || !n_val || !n_test)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_series_split: NULL argument");
    if (!(val_fraction >= 0 && val_fraction < 1) || !(test_fraction >= 0 && test_fraction < 1) ||
        !(val_fraction + test_fraction < 1))
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "validation (%g) and test (%g) fractions must be in [0, 1) with a sum "
                         "below 1",
                         val_fraction, test_fraction);
    const size_t te = (size_t)llround((double)T * test_fraction);
    const size_t va = (size_t)llround((double)T * val_fraction);
    if (te + va >= T)
        return RNNC_FAIL(RNNC_ERR_ARG, "%zu rows leave no training part (validation %zu, test %zu)",
                         T, va, te);
    *n_train = T - va - te, *n_val = va, *n_test = te;
    return RNNC_OK;
}

rnnc_status rnnc_scaler_fit(rnnc_scaler *sc, int kind, const double *x, size_t n_fit, size_t F,
                            const unsigned char *on, const unsigned char *log) {
    if (!sc || !x)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_scaler_fit: NULL argument");
    if (F < 1 || F > RNNC_SERIES_MAX_FEATURES)
        return RNNC_FAIL(RNNC_ERR_ARG, "scaler: %zu columns; 1 to %d allowed", F,
                         RNNC_SERIES_MAX_FEATURES);
    if (kind != RNNC_SCALE_NONE && kind != RNNC_SCALE_ZSCORE && kind != RNNC_SCALE_MINMAX)
        return RNNC_FAIL(RNNC_ERR_ARG, "scaler: unknown kind %d", kind);
    if (n_fit == 0)
        return RNNC_FAIL(RNNC_ERR_ARG, "scaler: no rows to fit on");
    memset(sc, 0, sizeof *sc);
    sc->kind = kind, sc->F = F;
    for (size_t f = 0; f < F; f++) {
        sc->on[f] = on ? on[f] != 0 : 1;
        sc->log[f] = log ? log[f] != 0 : 0;
        sc->shift[f] = 0, sc->scale[f] = 1;
        double sum = 0, lo = INFINITY, hi = -INFINITY;
        for (size_t t = 0; t < n_fit; t++) { /* rows of the training part only */
            double v = x[t * F + f];
            if (sc->log[f] && !(v > -1))
                return RNNC_FAIL(RNNC_ERR_NUMERIC,
                                 "scaler: row %zu, column %zu: %g has no log1p (needs > -1)", t, f,
                                 v);
            v = sc->log[f] ? log1p(v) : v;
            if (!isfinite(v))
                return RNNC_FAIL(RNNC_ERR_NUMERIC, "scaler: row %zu, column %zu is not finite", t,
                                 f);
            sum += v;
            lo = v < lo ? v : lo, hi = v > hi ? v : hi;
        }
        if (!sc->on[f] || kind == RNNC_SCALE_NONE)
            continue;
        if (kind == RNNC_SCALE_MINMAX) {
            sc->shift[f] = lo, sc->scale[f] = hi > lo ? hi - lo : 1;
            continue;
        }
        const double mean = sum / (double)n_fit;
        double ss = 0;
        for (size_t t = 0; t < n_fit; t++) {
            double v = x[t * F + f];
            v = sc->log[f] ? log1p(v) : v;
            ss += (v - mean) * (v - mean);
        }
        const double sd = sqrt(ss / (double)n_fit);
        sc->shift[f] = mean, sc->scale[f] = sd > 0 ? sd : 1;
    }
    for (size_t f = 0; f < F; f++) /* a model file stores only finite statistics */
        if (!isfinite(sc->shift[f]) || !isfinite(sc->scale[f]))
            return RNNC_FAIL(RNNC_ERR_NUMERIC,
                             "scaler: column %zu: the statistics overflow (shift %g, scale %g); "
                             "rescale the column",
                             f, sc->shift[f], sc->scale[f]);
    return RNNC_OK;
}

rnnc_status rnnc_scaler_apply(const rnnc_scaler *sc, const double *x, size_t T, float *z) {
    if (!sc || (T && (!x || !z)))
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_scaler_apply: NULL argument");
    const size_t F = sc->F;
    for (size_t t = 0; t < T; t++)
        for (size_t f = 0; f < F; f++) {
            double v = x[t * F + f];
            if (sc->log[f] && !(v > -1))
                return RNNC_FAIL(RNNC_ERR_NUMERIC,
                                 "row %zu, column %zu: %g has no log1p (needs > -1)", t, f, v);
            v = sc->log[f] ? log1p(v) : v;
            v = sc->on[f] ? (v - sc->shift[f]) / sc->scale[f] : v;
            if (!isfinite(v) || fabs(v) > 1e30)
                return RNNC_FAIL(RNNC_ERR_NUMERIC, "row %zu, column %zu: scaled value %g", t, f, v);
            z[t * F + f] = (float)v;
        }
    return RNNC_OK;
}

double rnnc_scaler_invert(const rnnc_scaler *sc, size_t f, double z) {
    if (!sc || f >= sc->F)
        return NAN;
    double v = sc->on[f] ? z * sc->scale[f] + sc->shift[f] : z;
    return sc->log[f] ? expm1(v) : v;
}
