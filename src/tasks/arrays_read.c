/* Array files (rnnc/arrays.h): .npz (a zip of .npy members, read with libarchive, the .npy
 * headers parsed here) and safetensors, read into an rnnc_arrays the file owns. An .npy member is
 * the magic "\x93NUMPY", a version byte pair (1.0: a 2-byte header length; 2.0 and 3.0: 4
 * bytes), then a Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (n, t),}
 * padded with spaces and a newline, then the raw C-order data. */
#include "../core/core.h"
#include "rnnc.h"

#include <archive.h>
#include <archive_entry.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One array as found in the file: element kind 'f' (float), 'i' (signed), 'u' (unsigned) or
 * 'b' (bool), its size in bytes, little-endian data. */
typedef struct arr {
    char name[64];
    char kind;
    int size;
    int ndim;
    size_t dims[8];
    const unsigned char *data;
    size_t count;
    unsigned char *owned; /* the member's bytes (.npz) */
} arr;

struct rnnc_arrays_file {
    rnnc_arrays a;
    float *x, *y;
    int32_t *ids, *lengths, *labels;
};

void rnnc_arrays_source_defaults(rnnc_arrays_source *out, size_t size) {
    rnnc_arrays_source s;
    memset(&s, 0, sizeof s);
    s.struct_size = sizeof s;
    rnnc__spec_fill(out, size, &s, sizeof s);
}

const rnnc_arrays *rnnc_arrays_file_data(const rnnc_arrays_file *f) {
    return f ? &f->a : NULL;
}

void rnnc_arrays_file_free(rnnc_arrays_file *f) {
    if (!f)
        return;
    free(f->x), free(f->y), free(f->ids), free(f->lengths), free(f->labels);
    free(f);
}

/* ---- .npy ---- */

static const char *skip_space(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* A quoted string ('...' or "...") at *p into out (cap bytes); 0 on success. */
static int read_quoted(const char **p, const char *end, char *out, size_t cap) {
    const char *s = *p;
    if (s >= end || (*s != '\'' && *s != '"'))
        return -1;
    const char q = *s++;
    size_t n = 0;
    while (s < end && *s != q) {
        if (*s == '\\' || n + 1 >= cap)
            return -1;
        out[n++] = *s++;
    }
    if (s >= end)
        return -1;
    out[n] = 0;
    *p = s + 1;
    return 0;
}

/* Parses the .npy member `member` of file `file` (n bytes at b) into *a (data points into b). */
static rnnc_status npy_parse(const unsigned char *b, size_t n, const char *file, const char *member,
                             arr *a) {
    if (n < 10 || memcmp(b, "\x93NUMPY", 6))
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s: array '%s': not an .npy array (no \\x93NUMPY magic at its start)",
                         file, member);
    const int major = b[6];
    size_t hlen, start;
    if (major == 1) {
        hlen = (size_t)b[8] | (size_t)b[9] << 8, start = 10;
    } else if (major == 2 || major == 3) {
        if (n < 12)
            return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: array '%s': the .npy header is cut short", file,
                             member);
        hlen = (size_t)b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 | (size_t)b[11] << 24;
        start = 12;
    } else {
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s: array '%s': .npy format version %d.%d (1.0, 2.0 and 3.0 are read)",
                         file, member, major, b[7]);
    }
    if (hlen > n - start)
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s: array '%s': the .npy header length %zu runs past the member (%zu "
                         "bytes)",
                         file, member, hlen, n);
    const char *p = (const char *)b + start, *end = p + hlen;
    char descr[32] = "";
    int fortran = -1, seen_shape = 0;
    a->ndim = 0;
    p = skip_space(p, end);
    if (p >= end || *p++ != '{')
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: array '%s': the .npy header is not a dict", file,
                         member);
    for (;;) {
        p = skip_space(p, end);
        if (p < end && *p == '}')
            break;
        char key[32];
        if (read_quoted(&p, end, key, sizeof key))
            return RNNC_FAIL(RNNC_ERR_FORMAT,
                             "%s: array '%s': .npy header: expected a quoted key or '}'", file,
                             member);
        p = skip_space(p, end);
        if (p >= end || *p++ != ':')
            return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: array '%s': .npy header: no ':' after '%s'",
                             file, member, key);
        p = skip_space(p, end);
        if (!strcmp(key, "descr")) {
            if (read_quoted(&p, end, descr, sizeof descr))
                return RNNC_FAIL(RNNC_ERR_FORMAT,
                                 "%s: array '%s': .npy header: descr is not a type string (a "
                                 "structured dtype is not read)",
                                 file, member);
        } else if (!strcmp(key, "fortran_order")) {
            if (end - p >= 4 && !memcmp(p, "True", 4))
                fortran = 1, p += 4;
            else if (end - p >= 5 && !memcmp(p, "False", 5))
                fortran = 0, p += 5;
            else
                return RNNC_FAIL(RNNC_ERR_FORMAT,
                                 "%s: array '%s': .npy header: fortran_order is not True or False",
                                 file, member);
        } else if (!strcmp(key, "shape")) {
            seen_shape = 1;
            if (p >= end || *p++ != '(')
                return RNNC_FAIL(RNNC_ERR_FORMAT,
                                 "%s: array '%s': .npy header: shape is not a tuple", file, member);
            for (;;) {
                p = skip_space(p, end);
                if (p < end && *p == ')') {
                    p++;
                    break;
                }
                if (p >= end || *p < '0' || *p > '9' || a->ndim == 8)
                    return RNNC_FAIL(RNNC_ERR_FORMAT,
                                     "%s: array '%s': .npy header: shape is not a tuple of at "
                                     "most 8 sizes",
                                     file, member);
                size_t d = 0;
                while (p < end && *p >= '0' && *p <= '9') {
                    if (d > ((size_t)1 << 48))
                        return RNNC_FAIL(RNNC_ERR_FORMAT,
                                         "%s: array '%s': .npy header: a size in shape is too "
                                         "large",
                                         file, member);
                    d = d * 10 + (size_t)(*p++ - '0');
                }
                a->dims[a->ndim++] = d;
                p = skip_space(p, end);
                if (p < end && *p == ',')
                    p++;
            }
        } else {
            return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: array '%s': .npy header: unknown key '%s'", file,
                             member, key);
        }
        p = skip_space(p, end);
        if (p < end && *p == ',')
            p++;
    }
    if (!descr[0] || fortran < 0 || !seen_shape)
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: array '%s': .npy header lacks %s", file, member,
                         !descr[0]     ? "descr"
                         : fortran < 0 ? "fortran_order"
                                       : "shape");
    if (fortran)
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s: array '%s': fortran_order is True; only C-order arrays are read "
                         "(save np.ascontiguousarray(a))",
                         file, member);
    /* the type: byte order, kind, size */
    const char order = descr[0];
    const char kind = descr[1];
    const int size = atoi(descr + 2);
    if (order == '>' && size > 1)
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s: array '%s': dtype '%s' is big-endian; save it little-endian "
                         "(a.astype(a.dtype.newbyteorder('<')))",
                         file, member, descr);
    const int ok_kind = (kind == 'f' && (size == 4 || size == 8)) ||
                        (kind == 'i' && (size == 1 || size == 2 || size == 4 || size == 8)) ||
                        (kind == 'u' && size == 1) || (kind == 'b' && size == 1);
    char digits[8];
    snprintf(digits, sizeof digits, "%d", size);
    if ((order != '<' && order != '|' && order != '>') || !ok_kind || strcmp(descr + 2, digits))
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s: array '%s': dtype '%s' is not read (float32, float64, int8, int16, "
                         "int32, int64, uint8 or bool%s)",
                         file, member, descr, kind == 'O' ? "; an object array never is" : "");
    a->kind = kind, a->size = size;
    size_t count = 1, bytes;
    for (int i = 0; i < a->ndim; i++)
        if (rnnc__mul(count, a->dims[i], &count))
            return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: array '%s': shape too large", file, member);
    if (rnnc__mul(count, (size_t)size, &bytes) || bytes != n - start - hlen)
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s: array '%s': holds %zu bytes of data; its shape and dtype '%s' need "
                         "%zu",
                         file, member, n - start - hlen, descr, bytes);
    a->data = b + start + hlen;
    a->count = count;
    return RNNC_OK;
}

static double get(const arr *a, size_t i) {
    const unsigned char *p = a->data + i * (size_t)a->size;
    switch (a->kind) {
    case 'f':
        if (a->size == 4) {
            float v;
            memcpy(&v, p, 4);
            return v;
        } else {
            double v;
            memcpy(&v, p, 8);
            return v;
        }
    case 'u':
    case 'b': return p[0];
    default: {
        int64_t v = 0;
        uint64_t u = 0;
        for (int k = a->size - 1; k >= 0; k--)
            u = u << 8 | p[k];
        if (a->size < 8 && (u >> (a->size * 8 - 1)) & 1) /* sign extension */
            u |= ~(uint64_t)0 << (a->size * 8);
        memcpy(&v, &u, 8);
        return (double)v;
    }
    }
}

/* ---- .npz (libarchive) ---- */

/* The member names: "x.npy" is the array x. */
static int wanted(const char *member, const char *const *names, int n) {
    const size_t len = strlen(member);
    for (int i = 0; i < n; i++)
        if (names[i] && len == strlen(names[i]) + 4 && !strncmp(member, names[i], len - 4) &&
            !strcmp(member + len - 4, ".npy"))
            return i;
    return -1;
}

static rnnc_status read_npz(struct archive *a, const char *file, const char *const *names,
                            int n_names, uint64_t budget, arr *out) {
    struct archive_entry *e;
    int r, members = 0;
    uint64_t total = 0;
    while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        const char *name = archive_entry_pathname(e) ? archive_entry_pathname(e) : "";
        if (++members > 100000)
            return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: more than 100000 members", file);
        const int k = wanted(name, names, n_names);
        unsigned char *buf = NULL;
        size_t len = 0, cap = 0;
        for (;;) {
            unsigned char chunk[1 << 16];
            const la_ssize_t got = archive_read_data(a, chunk, sizeof chunk);
            if (got < 0) {
                free(buf);
                return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: member '%s': %s", file, name,
                                 archive_error_string(a) ? archive_error_string(a) : "bad data");
            }
            if (got == 0)
                break;
            total += (uint64_t)got;
            if (total > budget) {
                free(buf);
                return RNNC_FAIL(RNNC_ERR_FORMAT,
                                 "%s: more than %llu bytes after decompression (the read limit)",
                                 file, (unsigned long long)budget);
            }
            if (k < 0)
                continue;
            if (len + (size_t)got > cap) {
                size_t c = cap ? cap * 2 : 1 << 16;
                while (c < len + (size_t)got)
                    c *= 2;
                unsigned char *g = realloc(buf, c);
                if (!g) {
                    free(buf);
                    return RNNC_FAIL(RNNC_ERR_NOMEM, "%s: member '%s': out of memory", file, name);
                }
                buf = g, cap = c;
            }
            memcpy(buf + len, chunk, (size_t)got);
            len += (size_t)got;
        }
        if (k < 0)
            continue;
        if (out[k].owned) {
            free(buf);
            return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: array '%s' is there twice", file, names[k]);
        }
        out[k].owned = buf ? buf : malloc(1);
        snprintf(out[k].name, sizeof out[k].name, "%s", names[k]);
        RNNC_TRY(npy_parse(out[k].owned, len, file, names[k], &out[k]));
    }
    if (r != ARCHIVE_EOF)
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: not an .npz (a zip of .npy arrays): %s", file,
                         archive_error_string(a) ? archive_error_string(a) : "bad zip");
    return RNNC_OK;
}

static rnnc_status open_npz(const void *bytes, size_t n, const char *path, const char *const *names,
                            int n_names, uint64_t budget, arr *out) {
    struct archive *a = archive_read_new();
    if (!a)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "%s: cannot start libarchive", path);
    archive_read_support_format_zip(a);
    int r;
    if (bytes)
        r = archive_read_open_memory(a, bytes, n);
    else
        r = archive_read_open_filename(a, path, 1 << 16);
    rnnc_status st = RNNC_OK;
    if (r != ARCHIVE_OK) {
        FILE *probe = bytes ? NULL : fopen(path, "rb");
        const int io = !bytes && !probe;
        if (probe)
            fclose(probe);
        st = RNNC_FAIL(io ? RNNC_ERR_IO : RNNC_ERR_FORMAT, "%s: %s: %s", path,
                       io ? "cannot open" : "not an .npz (a zip of .npy arrays)",
                       archive_error_string(a) ? archive_error_string(a) : "unknown error");
    } else {
        st = read_npz(a, path, names, n_names, budget, out);
    }
    archive_read_free(a);
    return st;
}

/* ---- the arrays ---- */

static rnnc_status from_tensors(const rnnc_tensor_file *tf, const char *path,
                                const char *const *names, int n_names, arr *out) {
    for (int k = 0; k < n_names; k++) {
        const rnnc_tensor *t = names[k] ? rnnc_tensor_file_find(tf, names[k]) : NULL;
        if (!t)
            continue;
        arr *a = &out[k];
        snprintf(a->name, sizeof a->name, "%s", names[k]);
        switch (t->dtype) {
        case RNNC_DTYPE_F32: a->kind = 'f', a->size = 4; break;
        case RNNC_DTYPE_F64: a->kind = 'f', a->size = 8; break;
        case RNNC_DTYPE_I32: a->kind = 'i', a->size = 4; break;
        case RNNC_DTYPE_I64: a->kind = 'i', a->size = 8; break;
        case RNNC_DTYPE_U8: a->kind = 'u', a->size = 1; break;
        default:
            return RNNC_FAIL(RNNC_ERR_FORMAT,
                             "%s: tensor '%s': dtype F16/BF16 is not read (F32, F64, I32, I64 or "
                             "U8)",
                             path, names[k]);
        }
        a->ndim = t->ndim;
        a->count = 1;
        for (int d = 0; d < t->ndim; d++)
            a->dims[d] = t->dims[d], a->count *= t->dims[d];
        a->data = t->data;
    }
    return RNNC_OK;
}

enum { AX, AIDS, ALEN, AY, N_ARR };

static rnnc_status shape_error(const char *path, const arr *a, const char *want) {
    char got[128] = "(";
    for (int d = 0; d < a->ndim; d++)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%zu", d ? "," : "", a->dims[d]);
    strcat(got, ")");
    return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: array '%s': shape %s; expected %s", path, a->name, got,
                     want);
}

/* Integer values of a into dst (count), each in [lo, hi]. */
static rnnc_status ints(const char *path, const arr *a, int32_t *dst, double lo, double hi,
                        const char *what) {
    if (a->kind == 'f')
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: array '%s': %s must be integers, not float%d", path,
                         a->name, what, a->size * 8);
    for (size_t i = 0; i < a->count; i++) {
        const double v = get(a, i);
        if (!(v >= lo && v <= hi))
            return RNNC_FAIL(RNNC_ERR_FORMAT,
                             "%s: array '%s': element %zu (row %zu) is %.17g; %s must be in "
                             "[%.0f, %.0f]",
                             path, a->name, i, a->ndim ? i / (a->count / a->dims[0]) : 0, v, what,
                             lo, hi);
        dst[i] = (int32_t)v;
    }
    return RNNC_OK;
}

static rnnc_status floats(const char *path, const arr *a, float *dst) {
    for (size_t i = 0; i < a->count; i++) {
        const double v = get(a, i);
        if (!isfinite(v) || fabs(v) > 3.4e38)
            return RNNC_FAIL(RNNC_ERR_FORMAT,
                             "%s: array '%s': element %zu (row %zu) is %g; values must be finite "
                             "floats",
                             path, a->name, i, a->ndim ? i / (a->count / a->dims[0]) : 0, v);
        dst[i] = (float)v;
    }
    return RNNC_OK;
}

static rnnc_status build(const rnnc_arrays_source *src, const char *path, arr *v,
                         rnnc_arrays_file *f) {
    rnnc_arrays *o = &f->a;
    const arr *x = v[AX].data || v[AX].owned ? &v[AX] : NULL;
    const arr *ids = v[AIDS].data || v[AIDS].owned ? &v[AIDS] : NULL;
    const arr *len = v[ALEN].data || v[ALEN].owned ? &v[ALEN] : NULL;
    const arr *y = v[AY].data || v[AY].owned ? &v[AY] : NULL;
    const char *xn = src->x ? src->x : "x", *in = src->ids ? src->ids : "ids";
    if (!x == !ids)
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: %s; give the inputs as '%s' (n,T,F) or '%s' (n,T)",
                         path, x ? "holds both inputs" : "holds no inputs", xn, in);
    const arr *in_arr = x ? x : ids;
    if (in_arr->ndim != (x ? (in_arr->ndim == 2 ? 2 : 3) : 2) || in_arr->dims[0] == 0 ||
        in_arr->dims[1] == 0 || (x && in_arr->ndim == 3 && in_arr->dims[2] == 0))
        return shape_error(path, in_arr,
                           x ? "(n,T,F) or (n,T), none of them 0" : "(n,T), n and T >= 1");
    if (in_arr->dims[1] > 1000000 || (x && in_arr->ndim == 3 && in_arr->dims[2] > 1000000))
        return shape_error(path, in_arr, "T and F at most 1000000");
    const size_t n = in_arr->dims[0], T = in_arr->dims[1];
    o->n = n, o->T = (int)T;
    if (x) {
        o->F = x->ndim == 3 ? (int)x->dims[2] : 1;
        RNNC_TRY(rnnc__calloc((void **)&f->x, x->count, sizeof(float), "x"));
        RNNC_TRY(floats(path, x, f->x));
        o->x = f->x;
    } else {
        RNNC_TRY(rnnc__calloc((void **)&f->ids, ids->count, sizeof(int32_t), "ids"));
        RNNC_TRY(ints(path, ids, f->ids, 0, 2147483647.0, "ids"));
        o->ids = f->ids;
    }
    if (len) {
        if (len->ndim != 1 || len->dims[0] != n) {
            char want[64];
            snprintf(want, sizeof want, "(%zu), one length per sequence", n);
            return shape_error(path, len, want);
        }
        RNNC_TRY(rnnc__calloc((void **)&f->lengths, n, sizeof(int32_t), "lengths"));
        RNNC_TRY(ints(path, len, f->lengths, 1, (double)T, "lengths"));
        o->lengths = f->lengths;
    }
    if (!y) {
        if (src->no_target)
            return RNNC_OK;
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: holds no targets '%s'", path, src->y ? src->y : "y");
    }
    int target = src->target;
    if (!target)
        target = y->kind == 'f' ? RNNC_TARGET_REGRESSION
                 : y->ndim == 2 ? RNNC_TARGET_STEPS
                                : RNNC_TARGET_CLASSES;
    o->target = target;
    char want[96];
    if (target == RNNC_TARGET_REGRESSION) {
        if ((y->ndim != 1 && y->ndim != 2) || y->dims[0] != n ||
            (y->ndim == 2 && y->dims[1] == 0) || (y->ndim == 2 && y->dims[1] > 100000)) {
            snprintf(want, sizeof want, "(%zu) or (%zu,K) for regression", n, n);
            return shape_error(path, y, want);
        }
        o->outputs = y->ndim == 2 ? (int)y->dims[1] : 1;
        RNNC_TRY(rnnc__calloc((void **)&f->y, y->count, sizeof(float), "y"));
        RNNC_TRY(floats(path, y, f->y));
        o->y = f->y;
        return RNNC_OK;
    }
    const int steps = target == RNNC_TARGET_STEPS;
    if (y->ndim != (steps ? 2 : 1) || y->dims[0] != n || (steps && y->dims[1] != T)) {
        snprintf(want, sizeof want, steps ? "(%zu,%zu) for per-step labels" : "(%zu) for labels", n,
                 T);
        return shape_error(path, y, want);
    }
    RNNC_TRY(rnnc__calloc((void **)&f->labels, y->count, sizeof(int32_t), "labels"));
    const double top = src->classes > 0 ? src->classes - 1 : 1e6;
    RNNC_TRY(ints(path, y, f->labels, steps ? -1 : 0, top, "labels"));
    int classes = src->classes;
    if (!classes) {
        int32_t mx = 1;
        for (size_t i = 0; i < y->count; i++)
            mx = f->labels[i] > mx ? f->labels[i] : mx;
        classes = (int)mx + 1;
    }
    o->outputs = classes;
    o->labels = f->labels;
    return RNNC_OK;
}

static rnnc_status read_any(const rnnc_arrays_source *src, const void *bytes, size_t nbytes,
                            const char *name, rnnc_arrays_file **out) {
    if (!src || !out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_arrays_read: NULL argument");
    *out = NULL;
    RNNC_TRY(RNNC__SPEC_CHECK(src, rnnc_arrays_source));
    const char *path = bytes ? (name ? name : "<memory>") : src->path;
    if (!path)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_arrays_read: no path");
    const char *names[N_ARR] = {src->x ? src->x : "x", src->ids ? src->ids : "ids",
                                src->lengths ? src->lengths : "lengths", src->y ? src->y : "y"};
    int format = src->format;
    if (bytes)
        format = RNNC_ARRAYS_NPZ;
    if (!format) {
        const size_t l = strlen(path);
        format =
            l >= 4 && !strcmp(path + l - 4, ".npz") ? RNNC_ARRAYS_NPZ : RNNC_ARRAYS_SAFETENSORS;
    }
    arr v[N_ARR];
    memset(v, 0, sizeof v);
    rnnc_tensor_file *tf = NULL;
    rnnc_arrays_file *f = NULL;
    rnnc_status st = rnnc__calloc((void **)&f, 1, sizeof *f, "arrays");
    if (st == RNNC_OK && format == RNNC_ARRAYS_NPZ)
        st = open_npz(bytes, nbytes, path, names, N_ARR,
                      src->read_bytes ? src->read_bytes : RNNC_READ_BYTES_DEFAULT, v);
    else if (st == RNNC_OK && (st = rnnc_tensor_file_read(path, &tf)) == RNNC_OK)
        st = from_tensors(tf, path, names, N_ARR, v);
    if (st == RNNC_OK)
        st = build(src, path, v, f);
    for (int k = 0; k < N_ARR; k++)
        free(v[k].owned);
    rnnc_tensor_file_free(tf);
    if (st != RNNC_OK) {
        rnnc_arrays_file_free(f);
        return st;
    }
    *out = f;
    return RNNC_OK;
}

rnnc_status rnnc_arrays_read(const rnnc_arrays_source *src, rnnc_arrays_file **out) {
    return read_any(src, NULL, 0, NULL, out);
}

rnnc_status rnnc_arrays_parse_npz(const void *bytes, size_t n, const char *name,
                                  const rnnc_arrays_source *src, rnnc_arrays_file **out) {
    if (!bytes)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_arrays_parse_npz: NULL bytes");
    return read_any(src, bytes, n, name, out);
}
