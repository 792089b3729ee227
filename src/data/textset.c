/* Labelled text sets: the record builder, label numbering, format detection and the entry point. */
#include "data.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

rnnc_status rnnc__read_file(const char *path, size_t max, const char *what, char **out, size_t *n) {
    *out = NULL, *n = 0;
    /* zlib reads gzip data when the file starts with the gzip magic bytes 1f 8b, and passes any
     * other file through unchanged. */
    gzFile f = gzopen(path, "rb");
    if (!f)
        return RNNC_FAIL(RNNC_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap + 1);
    rnnc_status s = buf ? RNNC_OK : RNNC_FAIL(RNNC_ERR_NOMEM, "%s: cannot allocate", path);
    while (!s) {
        if (len == cap) {
            if (cap > max) {
                s = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: %s larger than the limit of %zu bytes", path,
                              what, max);
                break;
            }
            size_t ncap = cap > max / 2 ? max + 1 : cap * 2; /* one byte past max shows excess */
            char *nb = realloc(buf, ncap + 1);
            if (!nb) {
                s = RNNC_FAIL(RNNC_ERR_NOMEM, "%s: cannot allocate %zu bytes", path, ncap);
                break;
            }
            buf = nb, cap = ncap;
        }
        size_t want = cap - len;
        if (want > (1u << 30))
            want = 1u << 30;
        int got = gzread(f, buf + len, (unsigned)want);
        if (got < 0) {
            int zerr;
            const char *msg = gzerror(f, &zerr);
            s = RNNC_FAIL(zerr == Z_ERRNO ? RNNC_ERR_IO : RNNC_ERR_FORMAT, "%s: read error: %s",
                          path, zerr == Z_ERRNO ? strerror(errno) : msg);
            break;
        }
        if (got == 0)
            break;
        len += (size_t)got;
    }
    if (!s && len > max)
        s = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: %s larger than the limit of %zu bytes", path, what,
                      max);
    /* A gzip stream cut short reads as a shorter file; gzclose is where zlib reports it. */
    int zc = gzclose(f);
    if (!s && zc == Z_BUF_ERROR)
        s = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: read error: truncated gzip data", path);
    else if (!s && zc != Z_OK)
        s = RNNC_FAIL(RNNC_ERR_IO, "%s: read error (zlib %d)", path, zc);
    if (s) {
        free(buf);
        return s;
    }
    buf[len] = '\0';
    *out = buf, *n = len;
    return RNNC_OK;
}

rnnc_text_source rnnc_text_source_init(void) {
    rnnc_text_source s;
    memset(&s, 0, sizeof s);
    s.format = RNNC_TEXT_AUTO;
    s.header = -1;
    return s;
}

void rnnc_textset_free(rnnc_textset *s) {
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        free(s->texts[i]);
    for (int i = 0; i < s->n_labels; i++)
        free(s->label_names[i]);
    free(s->texts);
    free(s->labels);
    free(s->label_names);
    free(s);
}

rnnc_status rnnc_textset_join(const rnnc_textset *s, char **text, size_t *len) {
    if (text)
        *text = NULL;
    if (len)
        *len = 0;
    if (!s || !text || !len)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_textset_join: NULL argument");
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++) {
        const size_t k = strlen(s->texts[i]) + 1;
        if (n > SIZE_MAX - k - 1)
            return RNNC_FAIL(RNNC_ERR_NOMEM, "rnnc_textset_join: the texts are too long");
        n += k;
    }
    char *out;
    RNNC_TRY(rnnc__calloc((void **)&out, n + 1, 1, "joined texts"));
    char *p = out;
    for (size_t i = 0; i < s->n; i++) {
        for (const char *t = s->texts[i]; *t; t++)
            *p++ = (*t == '\n' || *t == '\r') ? ' ' : *t;
        *p++ = '\n';
    }
    *p = 0;
    *text = out, *len = n;
    return RNNC_OK;
}

static char *dup_n(const char *s, size_t n) {
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

rnnc_status rnnc__textbuild_init(rnnc__textbuild *b, const rnnc_text_source *src) {
    memset(b, 0, sizeof *b);
    RNNC_TRY(rnnc__calloc((void **)&b->set, 1, sizeof *b->set, "text set"));
    if (src->n_label_names < 0 || (src->n_label_names > 0 && !src->label_names))
        return RNNC_FAIL(RNNC_ERR_ARG, "%s: label_names: %d names but no list", src->path,
                         src->n_label_names);
    if (src->n_label_names > 0) {
        b->fixed = 1;
        RNNC_TRY(rnnc__calloc((void **)&b->names, (size_t)src->n_label_names, sizeof *b->names,
                              "label names"));
        b->cap_names = src->n_label_names;
        for (int i = 0; i < src->n_label_names; i++) {
            const char *nm = src->label_names[i];
            if (!nm || !*nm)
                return RNNC_FAIL(RNNC_ERR_ARG, "label_names[%d] is empty", i);
            for (int j = 0; j < i; j++)
                if (strcmp(b->names[j], nm) == 0)
                    return RNNC_FAIL(RNNC_ERR_ARG, "label_names[%d]: \"%s\" repeats", i, nm);
            b->names[i] = dup_n(nm, strlen(nm));
            if (!b->names[i])
                return RNNC_FAIL(RNNC_ERR_NOMEM, "label names: cannot allocate");
            b->n_names = i + 1;
        }
    }
    return RNNC_OK;
}

void rnnc__textbuild_free(rnnc__textbuild *b) {
    rnnc_textset_free(b->set);
    for (int i = 0; i < b->n_names; i++)
        free(b->names[i]);
    free(b->names);
    memset(b, 0, sizeof *b);
}

rnnc_status rnnc__textbuild_add(rnnc__textbuild *b, const char *text, size_t len, const char *label,
                                size_t label_len, const char *where, size_t line) {
    char lbuf[32] = "";
    if (line)
        snprintf(lbuf, sizeof lbuf, ":%zu", line);
    if (len > RNNC__TEXT_MAX_DOC)
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s%s: document of %zu bytes is over the limit of %zu",
                         where, lbuf, len, RNNC__TEXT_MAX_DOC);
    size_t k = 0;
    while (k < len && (text[k] == ' ' || text[k] == '\t' || text[k] == '\r' || text[k] == '\n'))
        k++;
    if (k == len)
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s%s: empty text", where, lbuf);
    if (label_len == 0)
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s%s: empty label", where, lbuf);
    if (memchr(label, '\0', label_len))
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s%s: label holds a NUL byte", where, lbuf);
    int id = -1;
    for (int i = 0; i < b->n_names && id < 0; i++)
        if (strlen(b->names[i]) == label_len && memcmp(b->names[i], label, label_len) == 0)
            id = i;
    if (id < 0 && b->fixed)
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s%s: unknown label \"%.*s\" (not among the %d given)",
                         where, lbuf, (int)(label_len < 64 ? label_len : 64), label, b->n_names);
    if (id < 0) {
        if (b->n_names == INT32_MAX)
            return RNNC_FAIL(RNNC_ERR_FORMAT, "%s%s: too many labels", where, lbuf);
        if (b->n_names == b->cap_names) {
            int cap =
                b->cap_names ? (b->cap_names > INT32_MAX / 2 ? INT32_MAX : b->cap_names * 2) : 8;
            char **nn = realloc(b->names, (size_t)cap * sizeof *nn);
            if (!nn)
                return RNNC_FAIL(RNNC_ERR_NOMEM, "%s: cannot grow the label list", where);
            b->names = nn, b->cap_names = cap;
        }
        b->names[b->n_names] = dup_n(label, label_len);
        if (!b->names[b->n_names])
            return RNNC_FAIL(RNNC_ERR_NOMEM, "%s: cannot allocate", where);
        id = b->n_names++;
    }
    rnnc_textset *s = b->set;
    if (s->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        char **t = realloc(s->texts, cap * sizeof *t);
        if (t)
            s->texts = t;
        int32_t *l = t ? realloc(s->labels, cap * sizeof *l) : NULL;
        if (l)
            s->labels = l;
        if (!t || !l)
            return RNNC_FAIL(RNNC_ERR_NOMEM, "%s: cannot grow to %zu records", where, cap);
        b->cap = cap;
    }
    s->texts[s->n] = dup_n(text, len);
    if (!s->texts[s->n])
        return RNNC_FAIL(RNNC_ERR_NOMEM, "%s%s: cannot allocate %zu bytes", where, lbuf, len);
    s->labels[s->n++] = id;
    return RNNC_OK;
}

/* Label names in sorted order: numerically when every name is a decimal integer. */
static int is_int(const char *s) {
    if (*s == '-' || *s == '+')
        s++;
    if (!*s || strlen(s) > 18)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

typedef struct named {
    const char *name;
    long long value;
    int old;
    int ints; /* every name is an integer: compare values */
} named;

static int by_name(const void *a, const void *b) {
    const named *x = a, *y = b;
    if (x->ints && x->value != y->value)
        return x->value < y->value ? -1 : 1;
    return strcmp(x->name, y->name);
}

rnnc_status rnnc__textbuild_finish(rnnc__textbuild *b, const char *where, rnnc_textset **out) {
    rnnc_textset *s = b->set;
    if (s->n == 0)
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: empty data set (no records)", where);
    int n = b->n_names;
    char **names = NULL;
    RNNC_TRY(rnnc__calloc((void **)&names, (size_t)n, sizeof *names, "label names"));
    if (b->fixed) {
        memcpy(names, b->names, (size_t)n * sizeof *names);
    } else {
        named *tmp;
        int32_t *map;
        rnnc_status st = rnnc__calloc((void **)&tmp, (size_t)n, sizeof *tmp, "label names");
        if (st) {
            free(names);
            return st;
        }
        st = rnnc__calloc((void **)&map, (size_t)n, sizeof *map, "label names");
        if (st) {
            free(names);
            free(tmp);
            return st;
        }
        int ints = 1;
        for (int i = 0; i < n; i++) {
            tmp[i].name = b->names[i], tmp[i].old = i;
            ints = ints && is_int(b->names[i]);
        }
        for (int i = 0; i < n; i++) {
            tmp[i].ints = ints;
            tmp[i].value = ints ? strtoll(b->names[i], NULL, 10) : 0;
        }
        qsort(tmp, (size_t)n, sizeof *tmp, by_name);
        for (int i = 0; i < n; i++) {
            names[i] = b->names[tmp[i].old];
            map[tmp[i].old] = i;
        }
        for (size_t r = 0; r < s->n; r++)
            s->labels[r] = map[s->labels[r]];
        free(tmp);
        free(map);
    }
    free(b->names);
    b->names = NULL, b->n_names = 0;
    s->label_names = names;
    s->n_labels = n;
    *out = s;
    b->set = NULL;
    return RNNC_OK;
}

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    if (k > n)
        return 0;
    for (size_t i = 0; i < k; i++) {
        char c = s[n - k + i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if (c != suffix[i])
            return 0;
    }
    return 1;
}

static int is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Whether the first line of a (possibly gzip) TSV file looks like IMDB_TSV: at least four fields,
 * the first 0 or 1, the second an integer. */
static int looks_like_imdb_tsv(const char *path) {
    gzFile f = gzopen(path, "rb");
    if (!f)
        return 0;
    char line[256];
    int got = gzread(f, line, sizeof line - 1);
    gzclose(f);
    if (got <= 0)
        return 0;
    line[got] = '\0';
    char *t1 = strchr(line, '\t');
    if (!t1 || t1 != line + 1 || (line[0] != '0' && line[0] != '1'))
        return 0;
    char *p = t1 + 1, *t2 = strchr(p, '\t');
    if (!t2 || t2 == p)
        return 0;
    for (char *q = p; q < t2; q++)
        if (*q < '0' || *q > '9')
            return 0;
    return strchr(t2 + 1, '\t') != NULL;
}

/* Picks the format from the path (rnnc_textset_read); *why says from what. */
static rnnc_status detect(const rnnc_text_source *src, int *format, const char **why) {
    const char *p = src->path;
    if (is_dir(p)) {
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%s/pos", p, src->split ? src->split : "train");
        *format = is_dir(sub) ? RNNC_TEXT_ACLIMDB : RNNC_TEXT_FOLDER_FILES;
        *why = *format == RNNC_TEXT_ACLIMDB ? "detected: a folder with <split>/pos"
                                            : "detected: a folder without <split>/pos";
        return RNNC_OK;
    }
    if (ends_with(p, ".tar.gz") || ends_with(p, ".tgz") || ends_with(p, ".tar")) {
        if (!rnnc__archive_is_aclimdb(p))
            return RNNC_FAIL(RNNC_ERR_FORMAT,
                             "%s: an archive without aclImdb/ members (only aclImdb archives are "
                             "read)",
                             p);
        *format = RNNC_TEXT_ACLIMDB;
        *why = "detected: an archive with aclImdb/ members";
        return RNNC_OK;
    }
    if (ends_with(p, ".tsv") || ends_with(p, ".tsv.gz")) {
        /* The IMDB layout fixes its columns and has no header: a column or a header given means
         * the caller reads the file as a plain TSV. */
        const int given = src->label_col || src->text_col || src->header == 1;
        if (!given && looks_like_imdb_tsv(p)) {
            *format = RNNC_TEXT_IMDB_TSV;
            *why = "detected from the name *.tsv and a first line of label (0/1), rating, id, text";
        } else {
            *format = RNNC_TEXT_TSV;
            *why = given ? "detected from the name *.tsv; a column or header is given"
                         : "detected from the name *.tsv";
        }
        return RNNC_OK;
    }
    if (ends_with(p, ".csv") || ends_with(p, ".csv.gz")) {
        *format = RNNC_TEXT_CSV;
        *why = "detected from the name *.csv";
        return RNNC_OK;
    }
    struct stat st;
    if (stat(p, &st) != 0)
        return RNNC_FAIL(RNNC_ERR_IO, "%s: %s", p, strerror(errno));
    return RNNC_FAIL(RNNC_ERR_ARG, "%s: cannot tell the text format from the name; set the format",
                     p);
}

static const char *const format_names[] = {"auto", "imdb-tsv",     "aclimdb",     "csv",
                                           "tsv",  "folder-files", "folder-lines"};

const char *rnnc_text_format_name(int f) {
    return f >= 0 && f < (int)(sizeof format_names / sizeof *format_names) ? format_names[f] : NULL;
}

/* A column or a header row given for a format that has neither would be ignored: refused. */
static rnnc_status check_given(const rnnc_text_source *src, int format, const char *why) {
    if (format == RNNC_TEXT_CSV || format == RNNC_TEXT_TSV)
        return RNNC_OK;
    const char *what = src->label_col ? "a label column" : src->text_col ? "a text column" : NULL;
    const char *value = src->label_col ? src->label_col : src->text_col;
    if (what)
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "%s: %s (\"%.64s\") is given, but the file is read as %s (%s), which has "
                         "no columns to choose; set the format to csv or tsv, or drop the column",
                         src->path, what, value, rnnc_text_format_name(format), why);
    if (src->header == 1)
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "%s: header = true is given, but the file is read as %s (%s), which has "
                         "no header row; set the format to csv or tsv, or drop the header",
                         src->path, rnnc_text_format_name(format), why);
    return RNNC_OK;
}

/* Whether a column is given by name (not a 0-based index), as the CSV/TSV reader tells them. */
static int by_column_name(const char *spec) {
    if (!spec)
        return 0;
    if (!*spec)
        return 1;
    for (; *spec; spec++)
        if (*spec < '0' || *spec > '9')
            return 1;
    return 0;
}

/* The set's read_as line (rnnc_textset). */
static void describe(const rnnc_text_source *src, rnnc_textset *s, const char *why) {
    int k =
        snprintf(s->read_as, sizeof s->read_as, "%s (%s)", rnnc_text_format_name(s->format), why);
    if (s->header < 0 || k < 0 || (size_t)k >= sizeof s->read_as)
        return;
    const int any_named = by_column_name(src->label_col) || by_column_name(src->text_col);
    snprintf(s->read_as + k, sizeof s->read_as - (size_t)k,
             ", %s (%s), label column %.64s (%s), text column %.64s (%s)",
             s->header ? "a header row" : "no header row",
             src->header >= 0 ? "set"
             : any_named      ? "detected: a column is given by name"
                              : "detected: the columns are numbers",
             src->label_col ? src->label_col : "0", src->label_col ? "set" : "default",
             src->text_col ? src->text_col : "1", src->text_col ? "set" : "default");
}

rnnc_status rnnc_textset_read(const rnnc_text_source *src, rnnc_textset **out) {
    if (!out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_textset_read: out is NULL");
    *out = NULL;
    if (!src || !src->path || !*src->path)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_textset_read: no path");
    if (src->split && strcmp(src->split, "train") != 0 && strcmp(src->split, "test") != 0)
        return RNNC_FAIL(RNNC_ERR_ARG, "%s: split \"%s\" is neither \"train\" nor \"test\"",
                         src->path, src->split);
    int format = src->format;
    const char *why = "set";
    if (format == RNNC_TEXT_AUTO)
        RNNC_TRY(detect(src, &format, &why));
    else if (!rnnc_text_format_name(format))
        return RNNC_FAIL(RNNC_ERR_ARG, "%s: unknown text format %d", src->path, format);
    RNNC_TRY(check_given(src, format, why));
    rnnc__textbuild b;
    rnnc_status s = rnnc__textbuild_init(&b, src);
    if (!s) {
        b.set->format = (enum rnnc_text_format)format;
        b.set->header = -1;
        switch (format) {
        case RNNC_TEXT_IMDB_TSV: s = rnnc__read_imdb_tsv(src, &b); break;
        case RNNC_TEXT_ACLIMDB:
            s = is_dir(src->path) ? rnnc__read_aclimdb_dir(src, &b)
                                  : rnnc__read_aclimdb_tar(src, &b);
            break;
        case RNNC_TEXT_CSV: s = rnnc__read_delimited(src, 0, &b); break;
        case RNNC_TEXT_TSV: s = rnnc__read_delimited(src, 1, &b); break;
        case RNNC_TEXT_FOLDER_FILES: s = rnnc__read_folder(src, 0, &b); break;
        case RNNC_TEXT_FOLDER_LINES: s = rnnc__read_folder(src, 1, &b); break;
        default: s = RNNC_FAIL(RNNC_ERR_ARG, "%s: unknown text format %d", src->path, format);
        }
    }
    if (!s)
        describe(src, b.set, why);
    if (!s)
        s = rnnc__textbuild_finish(&b, src->path, out);
    rnnc__textbuild_free(&b);
    return s;
}
