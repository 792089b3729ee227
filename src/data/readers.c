/* The labelled-text readers: IMDB TSV, aclImdb (folder or archive), CSV/TSV and class folders. */
#include "data.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const imdb_labels[2] = {"neg", "pos"};

/* Skips a UTF-8 byte-order mark. */
static const char *skip_bom(const char *p, const char *end) {
    if (end - p >= 3 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB &&
        (unsigned char)p[2] == 0xBF)
        return p + 3;
    return p;
}

/* The line [p, *e) without its '\n' and any '\r' before it; returns the start of the next line. */
static const char *line_end(const char *p, const char *end, const char **e) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *x = nl ? nl : end;
    *e = (x > p && x[-1] == '\r') ? x - 1 : x;
    return nl ? nl + 1 : end;
}

/* The longest line or record of a line-based file: a document plus room for its other fields. */
#define LINE_MAX_BYTES (RNNC__TEXT_MAX_DOC + ((size_t)1 << 20))

/* out = a/b, refused when it does not fit in PATH_BUF bytes. */
#define PATH_BUF 4096
static rnnc_status join(char *out, const char *a, const char *b) {
    int k = snprintf(out, PATH_BUF, "%s/%s", a, b);
    if (k < 0 || k >= PATH_BUF)
        return RNNC_FAIL(RNNC_ERR_ARG, "%s/%s: path too long", a, b);
    return RNNC_OK;
}

static int blank(const char *p, const char *e) {
    for (; p < e; p++)
        if (*p != ' ' && *p != '\t' && *p != '\r')
            return 0;
    return 1;
}

/* Calls each(ctx, b, path, line number, p, e) for every line [p, e) of the file at path (read as
 * a stream within b's limits; its '\n', a '\r' before it and a first line's byte-order mark left
 * out), until one returns a failure. */
typedef rnnc_status (*line_fn)(void *ctx, rnnc__textbuild *b, const char *path, size_t line,
                               const char *p, const char *e);
static rnnc_status each_line(const char *path, rnnc__textbuild *b, line_fn each, void *ctx) {
    rnnc__instream *in;
    RNNC_TRY(rnnc__instream_open(path, &b->budget, &in));
    rnnc__buf buf = {0};
    rnnc_status s = RNNC_OK;
    int got = 1;
    for (size_t line = 1; !s; line++) {
        buf.len = 0;
        if ((s = rnnc__instream_line(in, &buf, LINE_MAX_BYTES, "line", &got)) || !got)
            break;
        const char *p = buf.p, *end = buf.p + buf.len, *e;
        if (line == 1)
            p = skip_bom(p, end);
        line_end(p, end, &e);
        s = each(ctx, b, path, line, p, e);
    }
    free(buf.p);
    rnnc__instream_close(in);
    return s;
}

/* One line of the IMDB TSV form: label TAB rating TAB id TAB text; the text may hold more TABs. */
static rnnc_status imdb_line(void *ctx, rnnc__textbuild *b, const char *path, size_t line,
                             const char *p, const char *e) {
    (void)ctx;
    if (e == p)
        return RNNC_OK;
    const char *tab[3], *q = p;
    int k = 0;
    for (; k < 3; k++) {
        tab[k] = memchr(q, '\t', (size_t)(e - q));
        if (!tab[k])
            break;
        q = tab[k] + 1;
    }
    if (k < 3)
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s:%zu: missing column %d (the IMDB TSV form is label, rating, id, text)",
                         path, line, k + 1);
    if (tab[0] - p != 1 || (p[0] != '0' && p[0] != '1'))
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s:%zu: label \"%.*s\" is not 0 or 1", path, line,
                         (int)(tab[0] - p < 32 ? tab[0] - p : 32), p);
    return rnnc__textbuild_add(b, q, (size_t)(e - q), imdb_labels[p[0] - '0'], 3, path, line);
}

rnnc_status rnnc__read_imdb_tsv(const rnnc_text_source *src, rnnc__textbuild *b) {
    return each_line(src->path, b, imdb_line, NULL);
}

/* ---- aclImdb ---------------------------------------------------------------------------- */

/* One review before sorting: records follow the IMDB TSV order, by file id then neg before pos. */
typedef struct review {
    unsigned long long id;
    int label;
    char *name; /* file path or archive member */
    char *text; /* archive only */
    size_t len;
} review;

typedef struct reviews {
    review *r;
    size_t n, cap;
} reviews;

static void reviews_free(reviews *v) {
    for (size_t i = 0; i < v->n; i++)
        free(v->r[i].name), free(v->r[i].text);
    free(v->r);
}

static rnnc_status reviews_add(reviews *v, const char *name, const char *base, int label) {
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 1024;
        review *r = realloc(v->r, cap * sizeof *r);
        if (!r)
            return RNNC_FAIL(RNNC_ERR_NOMEM, "%s: cannot list the reviews", name);
        v->r = r, v->cap = cap;
    }
    review *x = &v->r[v->n];
    memset(x, 0, sizeof *x);
    x->label = label;
    x->id = ~0ull; /* names not of the form <id>_<rating>.txt sort last, by name */
    if (base[0] >= '0' && base[0] <= '9') {
        char *e;
        unsigned long long id = strtoull(base, &e, 10);
        if (*e == '_')
            x->id = id;
    }
    x->name = malloc(strlen(name) + 1);
    if (!x->name)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "%s: cannot allocate", name);
    strcpy(x->name, name);
    v->n++;
    return RNNC_OK;
}

static int by_review(const void *a, const void *b) {
    const review *x = a, *y = b;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    if (x->label != y->label)
        return x->label - y->label;
    return strcmp(x->name, y->name);
}

static int has_suffix(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

rnnc_status rnnc__read_aclimdb_dir(const rnnc_text_source *src, rnnc__textbuild *b) {
    const char *split = src->split ? src->split : "train";
    reviews v = {0};
    rnnc_status s = RNNC_OK;
    char sub[PATH_BUF], dir[PATH_BUF], file[PATH_BUF];
    for (int label = 0; label < 2 && !s; label++) {
        if ((s = join(sub, src->path, split)) || (s = join(dir, sub, imdb_labels[label])))
            break;
        DIR *d = opendir(dir);
        if (!d) {
            s = RNNC_FAIL(RNNC_ERR_IO, "%s: cannot open the folder: %s", dir, strerror(errno));
            break;
        }
        struct dirent *e;
        while (!s && (e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.' || !has_suffix(e->d_name, ".txt"))
                continue;
            if ((s = join(file, dir, e->d_name)))
                break;
            if ((s = rnnc__budget_member(&b->budget, dir)))
                break;
            struct stat st; /* a FIFO or device would block or never end: files only */
            if (stat(file, &st) != 0 || !S_ISREG(st.st_mode))
                s = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: not a regular file (a review must be a file)",
                              file);
            else
                s = reviews_add(&v, file, e->d_name, label);
        }
        closedir(d);
    }
    if (!s && v.n == 0)
        s = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: no reviews in %s/neg or %s/pos", src->path, split,
                      split);
    if (!s)
        qsort(v.r, v.n, sizeof *v.r, by_review);
    for (size_t i = 0; i < v.n && !s; i++) {
        char *text;
        size_t len;
        s = rnnc__read_file(v.r[i].name, RNNC__TEXT_MAX_DOC, "document", &b->budget, 0, &text,
                            &len);
        if (s)
            break;
        s = rnnc__textbuild_add(b, text, len, imdb_labels[v.r[i].label], 3, v.r[i].name, 0);
        free(text);
    }
    reviews_free(&v);
    return s;
}

static struct archive *archive_open(const char *path, rnnc_status *s) {
    struct archive *a = archive_read_new();
    if (!a) {
        *s = RNNC_FAIL(RNNC_ERR_NOMEM, "%s: cannot start libarchive", path);
        return NULL;
    }
    archive_read_support_filter_all(a);
    archive_read_support_format_all(a);
    if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK) {
        /* a file that opens but is no archive is bad input (2), one that cannot be read is I/O */
        FILE *probe = fopen(path, "rb");
        const int format = probe != NULL;
        if (probe)
            fclose(probe);
        *s = RNNC_FAIL(format ? RNNC_ERR_FORMAT : RNNC_ERR_IO, "%s: %s: %s", path,
                       format ? "not an aclImdb archive (a tar, maybe compressed) or folder"
                              : "cannot open the archive",
                       archive_error_string(a) ? archive_error_string(a) : "unknown error");
        archive_read_free(a);
        return NULL;
    }
    *s = RNNC_OK;
    return a;
}

static const char *member_name(struct archive_entry *e) {
    const char *name = archive_entry_pathname(e);
    if (!name)
        return "";
    while (name[0] == '.' && name[1] == '/')
        name += 2;
    return name;
}

int rnnc__archive_is_aclimdb(const char *path) {
    rnnc_status s;
    struct archive *a = archive_open(path, &s);
    if (!a)
        return 0;
    struct archive_entry *e;
    int found = 0;
    for (int i = 0; i < 16 && !found && archive_read_next_header(a, &e) == ARCHIVE_OK; i++)
        found = strncmp(member_name(e), "aclImdb/", 8) == 0;
    archive_read_free(a);
    return found;
}

/* Whether member `name` is <anything>/<split>/<neg|pos>/<file>.txt: sets *label and *base. */
static int aclimdb_member(const char *name, const char *split, int *label, const char **base) {
    const char *slash[3] = {NULL, NULL, NULL}; /* the last three '/' */
    for (const char *p = name; *p; p++)
        if (*p == '/')
            slash[0] = slash[1], slash[1] = slash[2], slash[2] = p;
    if (!slash[1] || !has_suffix(name, ".txt"))
        return 0;
    const char *s0 = slash[0] ? slash[0] + 1 : name;
    size_t k = strlen(split);
    if ((size_t)(slash[1] - s0) != k || strncmp(s0, split, k) != 0)
        return 0;
    for (int l = 0; l < 2; l++)
        if (slash[2] - slash[1] - 1 == 3 && strncmp(slash[1] + 1, imdb_labels[l], 3) == 0) {
            *label = l;
            *base = slash[2] + 1;
            return (*base)[0] != '.';
        }
    return 0;
}

/* Counts the bytes the archive expanded to since *seen (members skipped included) as read. */
static rnnc_status read_past(struct archive *a, rnnc__budget *budget, const char *path,
                             la_int64_t *seen) {
    const la_int64_t now = archive_filter_bytes(a, 0);
    if (now <= *seen)
        return RNNC_OK;
    const uint64_t k = (uint64_t)(now - *seen);
    *seen = now;
    return rnnc__budget_read(budget, k, path);
}

rnnc_status rnnc__read_aclimdb_tar(const rnnc_text_source *src, rnnc__textbuild *b) {
    const char *split = src->split ? src->split : "train";
    rnnc_status s;
    struct archive *a = archive_open(src->path, &s);
    if (!a)
        return s;
    reviews v = {0};
    struct archive_entry *e;
    char where[PATH_BUF];
    uint64_t pending = 0; /* bytes of the reviews read, counted as kept until they move to b */
    la_int64_t seen = 0;  /* bytes the archive expanded to so far, counted as read */
    for (;;) {
        int r = archive_read_next_header(a, &e);
        if (r == ARCHIVE_OK || r == ARCHIVE_WARN)
            s = rnnc__budget_member(&b->budget, src->path);
        if (!s)
            s = read_past(a, &b->budget, src->path, &seen);
        if (s)
            break;
        if (r == ARCHIVE_EOF)
            break;
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
            s = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: bad archive: %s", src->path,
                          archive_error_string(a) ? archive_error_string(a) : "unknown error");
            break;
        }
        const char *name = member_name(e), *base;
        int label;
        if (archive_entry_filetype(e) != AE_IFREG || !aclimdb_member(name, split, &label, &base))
            continue;
        snprintf(where, sizeof where, "%s: member %s", src->path, name);
        if (archive_entry_size_is_set(e) &&
            archive_entry_size(e) > (la_int64_t)RNNC__TEXT_MAX_DOC) {
            s = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: document of %lld bytes is over the limit of %zu",
                          where, (long long)archive_entry_size(e), RNNC__TEXT_MAX_DOC);
            break;
        }
        if ((s = reviews_add(&v, where, base, label)))
            break;
        review *x = &v.r[v.n - 1];
        size_t cap = 4096;
        x->text = malloc(cap + 1);
        if (!x->text) {
            s = RNNC_FAIL(RNNC_ERR_NOMEM, "%s: cannot allocate", where);
            break;
        }
        for (;;) {
            if (x->len == cap) {
                if (cap > RNNC__TEXT_MAX_DOC) {
                    s = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: document over the limit of %zu bytes",
                                  where, RNNC__TEXT_MAX_DOC);
                    break;
                }
                size_t ncap = cap > RNNC__TEXT_MAX_DOC / 2 ? RNNC__TEXT_MAX_DOC + 1 : cap * 2;
                char *t = realloc(x->text, ncap + 1);
                if (!t) {
                    s = RNNC_FAIL(RNNC_ERR_NOMEM, "%s: cannot allocate", where);
                    break;
                }
                x->text = t, cap = ncap;
            }
            la_ssize_t got = archive_read_data(a, x->text + x->len, cap - x->len);
            if (got < 0) {
                s = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: cannot read: %s", where,
                              archive_error_string(a) ? archive_error_string(a) : "unknown error");
                break;
            }
            if (got == 0)
                break;
            x->len += (size_t)got;
            if ((s = read_past(a, &b->budget, src->path, &seen)) ||
                (s = rnnc__budget_keep(&b->budget, (uint64_t)got, 0, src->path)))
                break;
        }
        pending += x->len;
        if (s)
            break;
    }
    archive_read_free(a);
    if (!s && v.n == 0)
        s = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: no members <dir>/%s/{neg,pos}/*.txt", src->path, split);
    if (!s)
        qsort(v.r, v.n, sizeof *v.r, by_review);
    /* the reviews move into the set, which counts them again as it takes each */
    b->budget.text -= pending;
    for (size_t i = 0; i < v.n && !s; i++) {
        s = rnnc__textbuild_add(b, v.r[i].text, v.r[i].len, imdb_labels[v.r[i].label], 3,
                                v.r[i].name, 0);
        free(v.r[i].text);
        v.r[i].text = NULL;
    }
    reviews_free(&v);
    return s;
}

/* ---- CSV and TSV ------------------------------------------------------------------------ */

typedef struct field {
    char *p;
    size_t len;
} field;

typedef struct fields {
    field *f;
    size_t n, cap;
} fields;

static rnnc_status fields_push(fields *fs, char *p, size_t len, const char *path) {
    if (fs->n == fs->cap) {
        size_t cap = fs->cap ? fs->cap * 2 : 16;
        field *f = realloc(fs->f, cap * sizeof *f);
        if (!f)
            return RNNC_FAIL(RNNC_ERR_NOMEM, "%s: cannot allocate fields", path);
        fs->f = f, fs->cap = cap;
    }
    fs->f[fs->n].p = p, fs->f[fs->n].len = len;
    fs->n++;
    return RNNC_OK;
}

/* Splits the record at *pp into fields (unescaping CSV quotes in place) and advances *pp and
 * *line past it. An empty line gives no fields. */
static rnnc_status next_record(char **pp, char *end, int tsv, const char *path, size_t *line,
                               fields *fs) {
    char *p = *pp;
    fs->n = 0;
    char sep = tsv ? '\t' : ',';
    if (p < end && (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n'))) {
        *pp = p + (*p == '\n' ? 1 : 2);
        (*line)++;
        return RNNC_OK;
    }
    for (;;) {
        char *start = p;
        if (!tsv && p < end && *p == '"') {
            /* RFC 4180: a quoted field; "" is a quote; it may hold separators and newlines. */
            size_t open_line = *line;
            char *w = p;
            p++;
            for (;;) {
                if (p >= end)
                    return RNNC_FAIL(RNNC_ERR_FORMAT, "%s:%zu: unterminated quote", path,
                                     open_line);
                if (*p == '"') {
                    if (p + 1 < end && p[1] == '"') {
                        *w++ = '"';
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                if (*p == '\n')
                    (*line)++;
                *w++ = *p++;
            }
            if (p < end && *p != sep && *p != '\n' &&
                !(*p == '\r' && (p + 1 == end || p[1] == '\n')))
                return RNNC_FAIL(RNNC_ERR_FORMAT,
                                 "%s:%zu: unexpected character '%c' after a closing quote", path,
                                 *line, *p);
            RNNC_TRY(fields_push(fs, start, (size_t)(w - start), path));
        } else {
            while (p < end && *p != sep && *p != '\n')
                p++;
            char *e = p;
            if (e > start && e[-1] == '\r' && (p == end || *p == '\n'))
                e--;
            RNNC_TRY(fields_push(fs, start, (size_t)(e - start), path));
        }
        if (p < end && *p == '\r')
            p++;
        if (p >= end)
            break;
        if (*p == sep) {
            p++;
            continue;
        }
        p++; /* '\n' */
        break;
    }
    (*line)++;
    *pp = p;
    return RNNC_OK;
}

/* A column given as a 0-based index: sets *idx and returns 1; a name: returns 0. */
static int column_index(const char *spec, size_t *idx) {
    if (!*spec)
        return 0;
    size_t v = 0;
    for (const char *p = spec; *p; p++) {
        if (*p < '0' || *p > '9' || v > 100000000)
            return 0;
        v = v * 10 + (size_t)(*p - '0');
    }
    *idx = v;
    return 1;
}

static rnnc_status resolve(const char *path, const char *what, const char *spec, const fields *hdr,
                           size_t *idx) {
    if (column_index(spec, idx))
        return RNNC_OK;
    if (!hdr)
        return RNNC_FAIL(RNNC_ERR_ARG, "%s: %s column \"%s\" is a name but the file has no header",
                         path, what, spec);
    size_t k = strlen(spec), found = hdr->n;
    for (size_t i = 0; i < hdr->n; i++)
        if (hdr->f[i].len == k && memcmp(hdr->f[i].p, spec, k) == 0) {
            if (found < hdr->n) /* which of the two was meant cannot be told */
                return RNNC_FAIL(RNNC_ERR_FORMAT,
                                 "%s:1: %s column \"%.64s\" is named twice in the header (columns "
                                 "%zu and %zu); give its index instead",
                                 path, what, spec, found, i);
            found = i;
        }
    if (found < hdr->n) {
        *idx = found;
        return RNNC_OK;
    }
    return RNNC_FAIL(RNNC_ERR_FORMAT, "%s:1: missing column \"%s\" (%s) in the header", path, spec,
                     what);
}

/* Where a CSV record's text so far leaves the scanner (quote_state), fed in pieces. */
enum { AT_FIELD, IN_PLAIN, IN_QUOTES, AFTER_QUOTE };
static int quote_state(const char *p, size_t n, int st) {
    for (size_t i = 0; i < n; i++) {
        const char c = p[i];
        if (st == IN_QUOTES)
            st = c == '"' ? AFTER_QUOTE : IN_QUOTES;
        else if (st == AFTER_QUOTE && c == '"')
            st = IN_QUOTES; /* "" inside quotes */
        else if (c == ',' || c == '\n')
            st = AT_FIELD;
        else if (st == AT_FIELD && c == '"')
            st = IN_QUOTES;
        else
            st = IN_PLAIN;
    }
    return st;
}

/* Reads the next record's raw text into rec: one line, or for CSV as many lines as a quoted field
 * spans. *got is 0 at the end of the data. */
static rnnc_status read_record(rnnc__instream *in, int tsv, rnnc__buf *rec, int *got) {
    rec->len = 0;
    int st = AT_FIELD, more = 1;
    *got = 0;
    while (more) {
        const size_t from = rec->len;
        RNNC_TRY(rnnc__instream_line(in, rec, LINE_MAX_BYTES, "record", &more));
        if (!more)
            break;
        *got = 1;
        if (tsv)
            break;
        st = quote_state(rec->p + from, rec->len - from, st);
        more = st == IN_QUOTES; /* a newline inside quotes: the record goes on */
    }
    return RNNC_OK;
}

rnnc_status rnnc__read_delimited(const rnnc_text_source *src, int tsv, rnnc__textbuild *b) {
    const char *lspec = src->label_col ? src->label_col : "0";
    const char *tspec = src->text_col ? src->text_col : "1";
    size_t li, ti;
    int header = src->header;
    if (header < 0)
        header = !column_index(lspec, &li) || !column_index(tspec, &ti);
    b->set->header = header != 0;
    rnnc__instream *in;
    RNNC_TRY(rnnc__instream_open(src->path, &b->budget, &in));
    rnnc__buf rec = {0}, hrec = {0};
    fields fs = {0}, hdr = {0};
    size_t line = 1;
    int got = 1, first = 1;
    rnnc_status s = RNNC_OK;
    /* The next record's fields in fs (none for an empty line); got 0 at the end of the data. */
#define NEXT_RECORD(buf)                                                                           \
    do {                                                                                           \
        if ((s = read_record(in, tsv, &(buf), &got)) || !got)                                      \
            break;                                                                                 \
        char *p = (buf).p, *end = (buf).p + (buf).len;                                             \
        if (first)                                                                                 \
            p = (char *)skip_bom(p, end), first = 0;                                               \
        s = next_record(&p, end, tsv, src->path, &line, &fs);                                      \
    } while (0)
    if (header) {
        do
            NEXT_RECORD(hrec);
        while (!s && got && fs.n == 0);
        if (!s && fs.n == 0)
            s = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: empty data set (no header row)", src->path);
        hdr = fs;
        fs.f = NULL, fs.n = fs.cap = 0;
    }
    if (!s)
        s = resolve(src->path, "label", lspec, header ? &hdr : NULL, &li);
    if (!s)
        s = resolve(src->path, "text", tspec, header ? &hdr : NULL, &ti);
    if (!s && li == ti)
        s = RNNC_FAIL(RNNC_ERR_ARG, "%s: label and text are the same column %zu", src->path, li);
    size_t need = (li > ti ? li : ti) + 1;
    while (!s && got) {
        size_t rec_line = line;
        NEXT_RECORD(rec);
        if (s || !got || fs.n == 0)
            continue;
        if (fs.n < need) {
            s = RNNC_FAIL(RNNC_ERR_FORMAT,
                          "%s:%zu: missing column %zu (the record has %zu field%s)", src->path,
                          rec_line, need - 1, fs.n, fs.n == 1 ? "" : "s");
            break;
        }
        field lf = fs.f[li];
        while (lf.len && (lf.p[0] == ' ' || lf.p[0] == '\t'))
            lf.p++, lf.len--;
        while (lf.len && (lf.p[lf.len - 1] == ' ' || lf.p[lf.len - 1] == '\t'))
            lf.len--;
        s = rnnc__textbuild_add(b, fs.f[ti].p, fs.f[ti].len, lf.p, lf.len, src->path, rec_line);
    }
#undef NEXT_RECORD
    free(fs.f);
    free(hdr.f);
    free(rec.p);
    free(hrec.p);
    rnnc__instream_close(in);
    return s;
}

/* ---- class folders ---------------------------------------------------------------------- */

static int by_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in folder dir (hidden ones skipped) that are folders (want_dir) or regular files,
 * sorted; *out is a malloc'd array of malloc'd strings. */
static rnnc_status list_dir(const char *dir, int want_dir, char ***out, size_t *n) {
    *out = NULL, *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return RNNC_FAIL(RNNC_ERR_IO, "%s: cannot open the folder: %s", dir, strerror(errno));
    char **v = NULL;
    size_t cap = 0, k = 0;
    rnnc_status s = RNNC_OK;
    struct dirent *e;
    char path[PATH_BUF];
    while (!s && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        struct stat st;
        if ((s = join(path, dir, e->d_name)))
            break;
        if (stat(path, &st) != 0 || (want_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)))
            continue;
        if (k == cap) {
            cap = cap ? cap * 2 : 64;
            char **nv = realloc(v, cap * sizeof *nv);
            if (!nv) {
                s = RNNC_FAIL(RNNC_ERR_NOMEM, "%s: cannot list", dir);
                break;
            }
            v = nv;
        }
        v[k] = malloc(strlen(e->d_name) + 1);
        if (!v[k]) {
            s = RNNC_FAIL(RNNC_ERR_NOMEM, "%s: cannot list", dir);
            break;
        }
        strcpy(v[k++], e->d_name);
    }
    closedir(d);
    if (!s && k)
        qsort(v, k, sizeof *v, by_str);
    *out = v, *n = k;
    return s;
}

static void list_free(char **v, size_t n) {
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* One line of a FOLDER_LINES file: a document unless blank; ctx is the label. */
static rnnc_status class_line(void *ctx, rnnc__textbuild *b, const char *path, size_t line,
                              const char *p, const char *e) {
    const char *label = ctx;
    return blank(p, e)
               ? RNNC_OK
               : rnnc__textbuild_add(b, p, (size_t)(e - p), label, strlen(label), path, line);
}

static rnnc_status read_class_file(const char *file, const char *label, int lines,
                                   rnnc__textbuild *b) {
    if (!lines) {
        char *buf;
        size_t n;
        RNNC_TRY(rnnc__read_file(file, RNNC__TEXT_MAX_DOC, "document", &b->budget, 0, &buf, &n));
        const char *p = skip_bom(buf, buf + n);
        rnnc_status s =
            rnnc__textbuild_add(b, p, (size_t)(buf + n - p), label, strlen(label), file, 0);
        free(buf);
        return s;
    }
    return each_line(file, b, class_line, (void *)label);
}

rnnc_status rnnc__read_folder(const rnnc_text_source *src, int lines, rnnc__textbuild *b) {
    char **classes;
    size_t nc;
    rnnc_status s = list_dir(src->path, 1, &classes, &nc);
    if (!s && nc == 0)
        s = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: no class folders (expected %s/<label>/<file>)",
                      src->path, src->path);
    char dir[PATH_BUF], file[PATH_BUF];
    for (size_t c = 0; c < nc && !s; c++) {
        if ((s = join(dir, src->path, classes[c])))
            break;
        char **files = NULL;
        size_t nf = 0;
        s = list_dir(dir, 0, &files, &nf);
        for (size_t f = 0; f < nf && !s; f++)
            if (!(s = join(file, dir, files[f])) && !(s = rnnc__budget_member(&b->budget, dir)))
                s = read_class_file(file, classes[c], lines, b);
        list_free(files, nf);
    }
    list_free(classes, nc);
    return s;
}
