/* Labelled text sets: the record builder (with the Latin-1 decoding and the count of invalid UTF-8),
 * label numbering, format detection and the entry point. */
#include "data.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

void rnnc_text_source_defaults(rnnc_text_source *out, size_t size) {
    rnnc_text_source s;
    memset(&s, 0, sizeof s);
    s.format = RNNC_TEXT_AUTO;
    s.header = -1;
    s.struct_size = sizeof s;
    rnnc__spec_fill(out, size, &s, sizeof s);
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

char *rnnc__copy_bytes(const char *s, size_t n) {
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

rnnc_status rnnc_text_encoding_parse(const char *name, enum rnnc_text_encoding *encoding) {
    if (!encoding)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_text_encoding_parse: encoding is NULL");
    static const char *const utf8[] = {"utf-8", "utf8", "UTF-8"};
    static const char *const latin1[] = {"latin-1", "latin1", "iso-8859-1", "ISO-8859-1"};
    for (size_t i = 0; name && i < sizeof utf8 / sizeof utf8[0]; i++)
        if (!strcmp(name, utf8[i]))
            return *encoding = RNNC_TEXT_UTF8, RNNC_OK;
    for (size_t i = 0; name && i < sizeof latin1 / sizeof latin1[0]; i++)
        if (!strcmp(name, latin1[i]))
            return *encoding = RNNC_TEXT_LATIN1, RNNC_OK;
    return RNNC_FAIL(RNNC_ERR_ARG, "unknown text encoding '%.60s' (utf-8 or latin-1)",
                     name ? name : "(null)");
}

/* ---- label names by hash (FNV-1a), open addressing with linear probing ---- */

static size_t hash_name(const char *s, size_t n) {
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return (size_t)h;
}

/* The slot holding name[0..n), or the empty slot where it would go. */
static size_t find_slot(const rnnc__textbuild *b, const char *name, size_t n) {
    size_t i = hash_name(name, n) & (b->n_slots - 1);
    for (;;) {
        const int k = b->slots[i];
        if (k == 0 || (strlen(b->names[k - 1]) == n && memcmp(b->names[k - 1], name, n) == 0))
            return i;
        i = (i + 1) & (b->n_slots - 1);
    }
}

/* Makes room for one more name: the table stays at most half full. */
static rnnc_status reserve_slot(rnnc__textbuild *b) {
    if ((size_t)b->n_names + 1 <= b->n_slots / 2)
        return RNNC_OK;
    const size_t n = b->n_slots ? 2 * b->n_slots : 64;
    int *old = b->slots;
    RNNC_TRY(rnnc__calloc((void **)&b->slots, n, sizeof *b->slots, "label table"));
    free(old);
    b->n_slots = n;
    for (int k = 0; k < b->n_names; k++)
        b->slots[find_slot(b, b->names[k], strlen(b->names[k]))] = k + 1;
    return RNNC_OK;
}

rnnc_status rnnc__textbuild_init(rnnc__textbuild *b, const rnnc_text_source *src) {
    memset(b, 0, sizeof *b);
    rnnc__budget_init(&b->budget, &src->limits);
    if (src->encoding != RNNC_TEXT_UTF8 && src->encoding != RNNC_TEXT_LATIN1)
        return RNNC_FAIL(RNNC_ERR_ARG, "%s: unknown encoding %d (utf-8 or latin-1)", src->path,
                         src->encoding);
    b->encoding = src->encoding;
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
            RNNC_TRY(reserve_slot(b));
            const size_t at = find_slot(b, nm, strlen(nm));
            if (b->slots[at])
                return RNNC_FAIL(RNNC_ERR_ARG, "label_names[%d]: \"%.64s\" repeats", i, nm);
            b->names[i] = rnnc__copy_bytes(nm, strlen(nm));
            if (!b->names[i])
                return RNNC_FAIL(RNNC_ERR_NOMEM, "label names: cannot allocate");
            b->n_names = i + 1;
            b->slots[at] = i + 1;
        }
    }
    return RNNC_OK;
}

void rnnc__textbuild_free(rnnc__textbuild *b) {
    rnnc_textset_free(b->set);
    free(b->conv);
    for (int i = 0; i < b->n_names; i++)
        free(b->names[i]);
    free(b->names);
    free(b->slots);
    memset(b, 0, sizeof *b);
}

size_t rnnc_text_invalid_utf8(const char *s, size_t n) {
    const unsigned char *u = (const unsigned char *)s;
    size_t bad = 0;
    for (size_t i = 0; i < n;) {
        if (u[i] < 0x80) { /* ASCII, most of any text */
            i++;
            continue;
        }
        uint32_t cp;
        const size_t k = rnnc__utf8_decode(u + i, n - i, &cp);
        bad += k == 1; /* a valid sequence of a byte >= 0x80 is at least 2 bytes */
        i += k;
    }
    return bad;
}

rnnc_status rnnc_text_latin1_to_utf8(const char *text, size_t len, char **out, size_t *out_len) {
    if (out)
        *out = NULL;
    if (!text || !out || !out_len)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_text_latin1_to_utf8: NULL argument");
    size_t cap;
    if (rnnc__mul(len, 2, &cap) || rnnc__add(cap, 1, &cap))
        return RNNC_FAIL(RNNC_ERR_NOMEM, "rnnc_text_latin1_to_utf8: %zu bytes is too long", len);
    char *o;
    RNNC_TRY(rnnc__calloc((void **)&o, cap, 1, "Latin-1 text as UTF-8"));
    size_t w = 0;
    for (size_t i = 0; i < len; i++)
        w += rnnc__utf8_encode((unsigned char)text[i], o + w);
    o[w] = 0;
    *out = o, *out_len = w;
    return RNNC_OK;
}

/* Latin-1 s[0..n) as UTF-8 in b->conv from offset `at` (each byte >= 0x80 becomes two), NUL
 * after; *out_len gets its length. */
static rnnc_status latin1_to_utf8(rnnc__textbuild *b, size_t at, const char *s, size_t n,
                                  const char *where, size_t *out_len) {
    size_t need = at + 2 * n + 1;
    if (need > b->conv_cap) {
        char *c = realloc(b->conv, need);
        if (!c)
            return RNNC_FAIL(RNNC_ERR_NOMEM, "%s: cannot allocate %zu bytes", where, need);
        b->conv = c, b->conv_cap = need;
    }
    char *o = b->conv + at;
    for (size_t i = 0; i < n; i++)
        o += rnnc__utf8_encode((unsigned char)s[i], o);
    *o = 0;
    *out_len = (size_t)(o - (b->conv + at));
    return RNNC_OK;
}

/* Whitespace as the tokenizer sees it among single bytes: ASCII controls (NUL included), space
 * and DEL. */
static int space_byte(char c) {
    return (unsigned char)c <= 0x20 || c == 0x7F;
}

rnnc_status rnnc__textbuild_add(rnnc__textbuild *b, const char *text, size_t len, const char *label,
                                size_t label_len, const char *where, size_t line) {
    char lbuf[32] = "";
    if (line)
        snprintf(lbuf, sizeof lbuf, ":%zu", line);
    if (len > RNNC__TEXT_MAX_DOC)
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s%s: document of %zu bytes is over the limit of %zu",
                         where, lbuf, len, RNNC__TEXT_MAX_DOC);
    if (b->encoding == RNNC_TEXT_LATIN1) { /* the label, then the text, decoded into b->conv */
        size_t label_out, text_out;
        RNNC_TRY(latin1_to_utf8(b, 0, label, label_len, where, &label_out));
        RNNC_TRY(latin1_to_utf8(b, label_out + 1, text, len, where, &text_out));
        label = b->conv, label_len = label_out;
        text = b->conv + label_out + 1, len = text_out;
    } else {
        b->set->invalid_utf8 += rnnc_text_invalid_utf8(text, len);
    }
    size_t k = 0;
    while (k < len && space_byte(text[k]))
        k++;
    if (k == len)
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s%s: empty text", where, lbuf);
    if (label_len == 0)
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s%s: empty label", where, lbuf);
    if (memchr(label, '\0', label_len))
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s%s: label holds a NUL byte", where, lbuf);
    RNNC_TRY(reserve_slot(b));
    const size_t at = find_slot(b, label, label_len);
    int id = b->slots[at] - 1;
    if (id < 0 && b->fixed)
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s%s: unknown label \"%.*s\" (not among the %d given)",
                         where, lbuf, (int)(label_len < 64 ? label_len : 64), label, b->n_names);
    if (id < 0) {
        if (b->n_names == RNNC__TEXT_MAX_LABELS)
            return RNNC_FAIL(RNNC_ERR_FORMAT,
                             "%s%s: label \"%.*s\" would be label %d; a text set holds at most "
                             "%d labels (are the label and text columns swapped?)",
                             where, lbuf, (int)(label_len < 64 ? label_len : 64), label,
                             b->n_names + 1, RNNC__TEXT_MAX_LABELS);
        if (b->n_names == b->cap_names) {
            int cap = b->cap_names ? b->cap_names * 2 : 8;
            char **nn = realloc(b->names, (size_t)cap * sizeof *nn);
            if (!nn)
                return RNNC_FAIL(RNNC_ERR_NOMEM, "%s: cannot grow the label list", where);
            b->names = nn, b->cap_names = cap;
        }
        b->names[b->n_names] = rnnc__copy_bytes(label, label_len);
        if (!b->names[b->n_names])
            return RNNC_FAIL(RNNC_ERR_NOMEM, "%s: cannot allocate", where);
        id = b->n_names++;
        b->slots[at] = id + 1;
    }
    RNNC_TRY(rnnc__budget_keep(&b->budget, len, 1, where));
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
    char *t = rnnc__copy_bytes(text, len);
    if (!t)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "%s%s: cannot allocate %zu bytes", where, lbuf, len);
    s->texts[s->n] = rnnc_text_nul_to_space(t, len); /* the copy stays one whole C string */
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
    if (src)
        RNNC_TRY(RNNC__SPEC_CHECK(src, rnnc_text_source));
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
