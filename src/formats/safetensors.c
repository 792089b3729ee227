/* safetensors files: reading (every byte treated as untrusted) and atomic writing.
 *
 * Layout (huggingface/safetensors, docs/model-files.md):
 *   8 bytes      N, the header length, unsigned little-endian
 *   N bytes      UTF-8 JSON object: {"__metadata__": {str: str}, NAME: {"dtype": "F32",
 *                "shape": [d0, ...], "data_offsets": [begin, end]}, ...}, padded with spaces
 *   the rest     the data buffer; offsets are relative to its start
 * Sorted by begin, the tensors' byte ranges must tile the data buffer exactly: the first begins
 * at 0, each begins where the previous one ends, the last ends at the end of the file. */
#include "../core/core.h"
#include "rnnc/formats.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The header's size limit. A header is the tensor index (about 100 bytes a tensor; rnnc's files
 * hold fewer than 100 tensors, large published checkpoints a few thousand a file) and the
 * metadata, whose largest real item is a vocabulary: rnnc keeps its vocabulary there as text, and
 * the largest common word vocabularies (word2vec's GoogleNews vectors: 3 million words and
 * phrases) take about 40 MB as text. 64 MiB holds that with room to spare (the reference
 * implementation's limit is 100,000,000 bytes). */
#define MAX_HEADER (64ull << 20)
/* The JSON parser allocates a few dozen bytes per value whatever its size in the text (a shape
 * of 30 million zeros took 1.2 GB), so values are counted before parsing: each '{', '[' and ','
 * outside strings, an upper bound on the values. A tensor entry takes 14 at most (8 dimensions),
 * a metadata entry one; 2^18 is 18000 tensors, ten times the largest real files, and keeps the
 * parser's memory to tens of MB. Strings cost their size, bounded by MAX_HEADER. */
#define MAX_HEADER_VALUES 262144u
#define MAX_NDIM 8
#define META_KEY "__metadata__"

struct rnnc_tensor_file {
    char *name; /* for messages */
    int n;
    rnnc_tensor *t; /* (n) in file order; names and data point into the blocks below */
    char **names;   /* (n) */
    int n_meta;
    char **keys, **values; /* (n_meta) */
    unsigned char *data;   /* every tensor's bytes, each at an 8-byte aligned offset */
};

static const struct dtype_info {
    const char *name;
    int dtype;
    size_t size;
} dtypes[] = {{"F32", RNNC_DTYPE_F32, 4},  {"F64", RNNC_DTYPE_F64, 8}, {"I32", RNNC_DTYPE_I32, 4},
              {"I64", RNNC_DTYPE_I64, 8},  {"U8", RNNC_DTYPE_U8, 1},   {"F16", RNNC_DTYPE_F16, 2},
              {"BF16", RNNC_DTYPE_BF16, 2}};
#define N_DTYPES (sizeof dtypes / sizeof dtypes[0])

static const struct dtype_info *dtype_by_id(int dtype) {
    for (size_t i = 0; i < N_DTYPES; i++)
        if (dtypes[i].dtype == dtype)
            return &dtypes[i];
    return NULL;
}

static int host_is_big_endian(void) {
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 0;
}

/* Reverses the bytes of each `size`-byte element of p (n bytes in all). */
static void swap_elements(unsigned char *p, size_t n, size_t size) {
    for (size_t i = 0; i + size <= n; i += size)
        for (size_t a = 0, b = size - 1; a < b; a++, b--) {
            unsigned char t = p[i + a];
            p[i + a] = p[i + b];
            p[i + b] = t;
        }
}

/* ---------------------------------------------------------------------------------------------
 * Reading
 */

void rnnc_tensor_file_free(rnnc_tensor_file *f) {
    if (!f)
        return;
    if (f->names)
        for (int i = 0; i < f->n; i++)
            free(f->names[i]);
    if (f->keys)
        for (int i = 0; i < f->n_meta; i++)
            free(f->keys[i]);
    if (f->values)
        for (int i = 0; i < f->n_meta; i++)
            free(f->values[i]);
    free(f->names), free(f->keys), free(f->values);
    free(f->t), free(f->data), free(f->name);
    free(f);
}

static char *dup_string(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* A tensor entry while parsing: offsets relative to the data buffer. */
typedef struct entry {
    const char *name; /* borrowed from the JSON object */
    int dtype;
    size_t size; /* element size */
    int ndim;
    size_t dims[MAX_NDIM];
    size_t begin, end;
} entry;

/* A non-negative JSON integer that fits in size_t, or -1. */
static int json_size(const json_t *v, size_t *out) {
    if (!json_is_integer(v))
        return -1;
    json_int_t x = json_integer_value(v);
    if (x < 0 || (unsigned long long)x > (unsigned long long)SIZE_MAX)
        return -1;
    *out = (size_t)x;
    return 0;
}

/* Fills e from the header's description of tensor `name`. */
static rnnc_status parse_entry(const char *file, const char *name, const json_t *obj, entry *e) {
    if (!json_is_object(obj))
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s: header entry '%s' is not an object with dtype, shape and "
                         "data_offsets",
                         file, name);
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        if (strcmp(key, "dtype") && strcmp(key, "shape") && strcmp(key, "data_offsets"))
            return RNNC_FAIL(RNNC_ERR_FORMAT,
                             "%s: tensor '%s': unknown field '%s' (expected dtype, shape, "
                             "data_offsets)",
                             file, name, key);
    }
    const json_t *dt = json_object_get(obj, "dtype");
    const json_t *shape = json_object_get(obj, "shape");
    const json_t *offs = json_object_get(obj, "data_offsets");
    if (!dt || !shape || !offs)
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: tensor '%s': field '%s' is missing", file, name,
                         !dt      ? "dtype"
                         : !shape ? "shape"
                                  : "data_offsets");
    memset(e, 0, sizeof *e);
    e->name = name;
    if (!json_is_string(dt))
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: tensor '%s': dtype is not a string", file, name);
    const char *dname = json_string_value(dt);
    for (size_t i = 0; i < N_DTYPES; i++)
        if (!strcmp(dname, dtypes[i].name))
            e->dtype = dtypes[i].dtype, e->size = dtypes[i].size;
    if (!e->dtype)
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s: tensor '%s': dtype '%.32s' is not supported (F32, F64, I32, I64, "
                         "U8, F16, BF16)",
                         file, name, dname);
    if (!json_is_array(shape))
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: tensor '%s': shape is not an array", file, name);
    if (json_array_size(shape) > MAX_NDIM)
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: tensor '%s': shape has %zu dimensions (at most %d)",
                         file, name, json_array_size(shape), MAX_NDIM);
    e->ndim = (int)json_array_size(shape);
    size_t count = 1, nbytes;
    for (int d = 0; d < e->ndim; d++) {
        if (json_size(json_array_get(shape, (size_t)d), &e->dims[d]))
            return RNNC_FAIL(RNNC_ERR_FORMAT,
                             "%s: tensor '%s': shape[%d] is not a non-negative integer", file, name,
                             d);
        if (rnnc__mul(count, e->dims[d], &count))
            return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: tensor '%s': shape's element count overflows",
                             file, name);
    }
    if (rnnc__mul(count, e->size, &nbytes))
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: tensor '%s': shape's byte count overflows", file,
                         name);
    if (!json_is_array(offs) || json_array_size(offs) != 2 ||
        json_size(json_array_get(offs, 0), &e->begin) ||
        json_size(json_array_get(offs, 1), &e->end))
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s: tensor '%s': data_offsets is not [begin, end] with non-negative "
                         "integers",
                         file, name);
    if (e->end < e->begin)
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s: tensor '%s': data_offsets [%zu, %zu] end before "
                         "they begin",
                         file, name, e->begin, e->end);
    if (e->end - e->begin != nbytes)
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s: tensor '%s': data_offsets [%zu, %zu] hold %zu bytes, but dtype %s "
                         "and shape need %zu",
                         file, name, e->begin, e->end, e->end - e->begin, dname, nbytes);
    return RNNC_OK;
}

static int by_offset(const void *a, const void *b) {
    const entry *x = a, *y = b;
    if (x->begin != y->begin)
        return x->begin < y->begin ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Reads the "__metadata__" object into f. */
static rnnc_status parse_meta(const char *file, const json_t *obj, rnnc_tensor_file *f) {
    if (!json_is_object(obj))
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: %s is not an object of strings", file, META_KEY);
    size_t n = json_object_size(obj);
    RNNC_TRY(rnnc__calloc((void **)&f->keys, n + 1, sizeof(char *), "metadata keys"));
    RNNC_TRY(rnnc__calloc((void **)&f->values, n + 1, sizeof(char *), "metadata values"));
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        if (!json_is_string(v))
            return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: %s: value of '%.64s' is not a string", file,
                             META_KEY, key);
        f->keys[f->n_meta] = dup_string(key);
        f->values[f->n_meta] = dup_string(json_string_value(v));
        if (!f->keys[f->n_meta] || !f->values[f->n_meta]) {
            free(f->keys[f->n_meta]), free(f->values[f->n_meta]);
            f->keys[f->n_meta] = f->values[f->n_meta] = NULL;
            return RNNC_FAIL(RNNC_ERR_NOMEM, "%s: cannot copy the metadata", file);
        }
        f->n_meta++;
    }
    return RNNC_OK;
}

/* Validates the header (already parsed as `root`) against the data buffer (nd bytes) and copies
 * everything into f. */
static rnnc_status build(const char *file, json_t *root, const unsigned char *data, size_t nd,
                         rnnc_tensor_file *f) {
    size_t n_ent = json_object_size(root);
    entry *ents;
    RNNC_TRY(rnnc__calloc((void **)&ents, n_ent + 1, sizeof *ents, "tensor entries"));
    rnnc_status st = RNNC_OK;
    size_t n = 0;
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        if (!strcmp(key, META_KEY))
            st = parse_meta(file, v, f);
        else
            st = parse_entry(file, key, v, &ents[n++]);
        if (st != RNNC_OK)
            break;
    }
    if (st == RNNC_OK && n > (size_t)INT32_MAX)
        st = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: %zu tensors are more than rnnc counts", file, n);
    if (st == RNNC_OK)
        qsort(ents, n, sizeof *ents, by_offset);
    /* The ranges in order must tile [0, nd) exactly. */
    size_t at = 0, total = 0;
    for (size_t i = 0; i < n && st == RNNC_OK; i++) {
        const entry *e = &ents[i];
        if (e->begin < at)
            st = RNNC_FAIL(RNNC_ERR_FORMAT,
                           "%s: tensor '%s': data_offsets [%zu, %zu] overlap the previous tensor "
                           "'%s', which ends at %zu",
                           file, e->name, e->begin, e->end, ents[i - 1].name, at);
        else if (e->begin > at)
            st = RNNC_FAIL(RNNC_ERR_FORMAT,
                           "%s: tensor '%s': data_offsets [%zu, %zu] leave a gap of %zu bytes "
                           "after offset %zu",
                           file, e->name, e->begin, e->end, e->begin - at, at);
        else if (e->end > nd)
            st = RNNC_FAIL(RNNC_ERR_FORMAT,
                           "%s: tensor '%s': data_offsets [%zu, %zu] reach past the data, which "
                           "has %zu bytes",
                           file, e->name, e->begin, e->end, nd);
        else {
            at = e->end;
            size_t len = (e->end - e->begin + 7) / 8 * 8; /* cannot overflow: end <= nd */
            if (rnnc__add(total, len, &total))
                st = RNNC_FAIL(RNNC_ERR_NOMEM, "%s: the tensors' size overflows", file);
        }
    }
    if (st == RNNC_OK && at != nd)
        st = RNNC_FAIL(RNNC_ERR_FORMAT,
                       "%s: data_offsets cover %zu of the %zu data bytes (trailing bytes after "
                       "the last tensor)",
                       file, at, nd);
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&f->t, n + 1, sizeof *f->t, "tensor table");
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&f->names, n + 1, sizeof *f->names, "tensor names");
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&f->data, total + 8, 1, "tensor data");
    const int swap = host_is_big_endian();
    size_t pos = 0;
    for (size_t i = 0; i < n && st == RNNC_OK; i++) {
        const entry *e = &ents[i];
        rnnc_tensor *t = &f->t[i];
        f->names[i] = dup_string(e->name);
        if (!f->names[i]) {
            st = RNNC_FAIL(RNNC_ERR_NOMEM, "%s: cannot copy tensor names", file);
            break;
        }
        f->n = (int)i + 1;
        t->name = f->names[i];
        t->dtype = e->dtype;
        t->ndim = e->ndim;
        memcpy(t->dims, e->dims, sizeof t->dims);
        t->nbytes = e->end - e->begin;
        t->data = f->data + pos;
        memcpy(f->data + pos, data + e->begin, t->nbytes);
        if (swap)
            swap_elements(f->data + pos, t->nbytes, e->size);
        pos += (t->nbytes + 7) / 8 * 8;
    }
    free(ents);
    return st;
}

/* The number of '{', '[' and ',' outside strings in h[0..n), counting no further than limit + 1:
 * every JSON value but the first of its container follows one of them. */
static size_t header_values(const unsigned char *h, size_t n, size_t limit) {
    size_t k = 0;
    int in_string = 0;
    for (size_t i = 0; i < n && k <= limit; i++) {
        const unsigned char c = h[i];
        if (in_string) {
            if (c == '\\')
                i++; /* the escaped byte cannot end the string */
            else if (c == '"')
                in_string = 0;
        } else if (c == '"') {
            in_string = 1;
        } else if (c == '{' || c == '[' || c == ',') {
            k++;
        }
    }
    return k;
}

rnnc_status rnnc_tensor_file_parse(const void *bytes, size_t n, const char *name,
                                   rnnc_tensor_file **out) {
    if (!out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_tensor_file_parse: out is NULL");
    *out = NULL;
    if (!bytes && n)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_tensor_file_parse: bytes is NULL");
    if (!name)
        name = "<memory>";
    const unsigned char *b = bytes;
    if (n < 8)
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s: %zu bytes is too short; a safetensors file starts with an 8-byte "
                         "header length",
                         name, n);
    unsigned long long hlen = 0;
    for (int i = 7; i >= 0; i--)
        hlen = hlen << 8 | b[i];
    if (hlen > MAX_HEADER)
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s: header length %llu is larger than the limit of %llu bytes", name,
                         hlen, MAX_HEADER);
    if (hlen > n - 8)
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s: header length %llu is larger than the %zu bytes after it "
                         "(truncated file?)",
                         name, hlen, n - 8);
    if (hlen < 2 || b[8] != '{')
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: header does not start with '{' (not safetensors)",
                         name);
    if (header_values(b + 8, (size_t)hlen, MAX_HEADER_VALUES) > MAX_HEADER_VALUES)
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s: header holds more than %u JSON values (a tensor takes at most 14, a "
                         "metadata entry 1)",
                         name, MAX_HEADER_VALUES);
    json_error_t jerr;
    json_t *root = json_loadb((const char *)b + 8, (size_t)hlen, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: header is not valid JSON: %s (at header byte %d)",
                         name, jerr.text, jerr.position);
    if (!json_is_object(root)) { /* unreachable after the '{' check; kept for safety */
        json_decref(root);
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: header is not a JSON object", name);
    }
    rnnc_tensor_file *f;
    rnnc_status st = rnnc__calloc((void **)&f, 1, sizeof *f, "tensor file");
    if (st == RNNC_OK) {
        f->name = dup_string(name);
        if (!f->name)
            st = RNNC_FAIL(RNNC_ERR_NOMEM, "%s: cannot copy the name", name);
    }
    if (st == RNNC_OK)
        st = build(name, root, b + 8 + hlen, n - 8 - (size_t)hlen, f);
    json_decref(root);
    if (st != RNNC_OK) {
        rnnc_tensor_file_free(f);
        return st;
    }
    *out = f;
    return RNNC_OK;
}

rnnc_status rnnc_tensor_file_read(const char *path, rnnc_tensor_file **out) {
    if (!out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_tensor_file_read: out is NULL");
    *out = NULL;
    if (!path)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_tensor_file_read: path is NULL");
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return RNNC_FAIL(RNNC_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fileno(fp), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fclose(fp);
        return RNNC_FAIL(RNNC_ERR_IO, "%s: not a regular file", path);
    }
    if (sb.st_size < 0 || (unsigned long long)sb.st_size > (unsigned long long)SIZE_MAX - 1) {
        fclose(fp);
        return RNNC_FAIL(RNNC_ERR_NOMEM, "%s: too large to read into memory", path);
    }
    size_t n = (size_t)sb.st_size;
    unsigned char *buf;
    rnnc_status st = rnnc__calloc((void **)&buf, n + 1, 1, path);
    if (st != RNNC_OK) {
        fclose(fp);
        return st;
    }
    /* One byte more than the size, to notice a file that grew while we read it. */
    size_t got = fread(buf, 1, n + 1, fp);
    int err = ferror(fp);
    fclose(fp);
    if (err)
        st = RNNC_FAIL(RNNC_ERR_IO, "%s: read error", path);
    else if (got != n)
        st = RNNC_FAIL(RNNC_ERR_IO, "%s: the file changed size while being read", path);
    else
        st = rnnc_tensor_file_parse(buf, n, path, out);
    free(buf);
    return st;
}

rnnc_status rnnc_tensor_check_finite(const rnnc_tensor *t, const char *file) {
    if (!t)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_tensor_check_finite: t is NULL");
    const int f32 = t->dtype == RNNC_DTYPE_F32;
    if (!f32 && t->dtype != RNNC_DTYPE_F64)
        return RNNC_OK;
    const size_t size = f32 ? sizeof(float) : sizeof(double), n = t->nbytes / size;
    const unsigned char *p = t->data;
    for (size_t k = 0; k < n; k++) {
        double v;
        if (f32) {
            float x;
            memcpy(&x, p + k * size, sizeof x);
            v = x;
        } else {
            memcpy(&v, p + k * size, sizeof v);
        }
        if (!isfinite(v))
            return RNNC_FAIL(RNNC_ERR_FORMAT,
                             "%s%stensor '%s': element %zu is %s (values must be finite)",
                             file ? file : "", file ? ": " : "", t->name ? t->name : "?", k,
                             isnan(v) ? "NaN"
                             : v > 0  ? "inf"
                                      : "-inf");
    }
    return RNNC_OK;
}

const char *rnnc_tensor_file_name(const rnnc_tensor_file *f) {
    return f ? f->name : NULL;
}

int rnnc_tensor_file_count(const rnnc_tensor_file *f) {
    return f ? f->n : 0;
}

const rnnc_tensor *rnnc_tensor_file_tensor(const rnnc_tensor_file *f, int i) {
    if (!f || i < 0 || i >= f->n)
        return NULL;
    return &f->t[i];
}

const rnnc_tensor *rnnc_tensor_file_find(const rnnc_tensor_file *f, const char *name) {
    if (!f || !name)
        return NULL;
    for (int i = 0; i < f->n; i++)
        if (!strcmp(f->t[i].name, name))
            return &f->t[i];
    return NULL;
}

const char *rnnc_tensor_file_meta(const rnnc_tensor_file *f, const char *key) {
    if (!f || !key)
        return NULL;
    for (int i = 0; i < f->n_meta; i++)
        if (!strcmp(f->keys[i], key))
            return f->values[i];
    return NULL;
}

int rnnc_tensor_file_meta_count(const rnnc_tensor_file *f) {
    return f ? f->n_meta : 0;
}

rnnc_status rnnc_tensor_file_meta_at(const rnnc_tensor_file *f, int i, const char **key,
                                     const char **value) {
    if (!f || i < 0 || i >= f->n_meta)
        return RNNC_FAIL(RNNC_ERR_ARG, "metadata entry %d is outside [0, %d)", i,
                         f ? f->n_meta : 0);
    if (key)
        *key = f->keys[i];
    if (value)
        *value = f->values[i];
    return RNNC_OK;
}

/* ---------------------------------------------------------------------------------------------
 * Writing
 */

/* Checks the caller's tensors and metadata and builds the padded header text. */
static rnnc_status make_header(const char *path, const rnnc_tensor *ts, int n,
                               const char *const *mk, const char *const *mv, int n_meta, char **out,
                               size_t *out_len) {
    json_t *root = json_object();
    if (!root)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "%s: cannot build the header", path);
    rnnc_status st = RNNC_OK;
    if (n_meta > 0) {
        json_t *meta = json_object();
        if (!meta || json_object_set_new(root, META_KEY, meta))
            st = RNNC_FAIL(RNNC_ERR_NOMEM, "%s: cannot build the header", path);
        for (int i = 0; i < n_meta && st == RNNC_OK; i++) {
            if (!mk[i] || !mv[i])
                st = RNNC_FAIL(RNNC_ERR_ARG, "%s: metadata entry %d has a NULL key or value", path,
                               i);
            else if (json_object_get(meta, mk[i]))
                st = RNNC_FAIL(RNNC_ERR_ARG, "%s: metadata key '%s' is given twice", path, mk[i]);
            else {
                json_t *s = json_string(mv[i]);
                if (!s)
                    st = RNNC_FAIL(RNNC_ERR_ARG, "%s: metadata '%s': value is not valid UTF-8",
                                   path, mk[i]);
                else if (json_object_set_new(meta, mk[i], s))
                    st = RNNC_FAIL(RNNC_ERR_ARG, "%s: metadata key '%.64s' is not valid UTF-8",
                                   path, mk[i]);
            }
        }
    }
    size_t offset = 0;
    for (int i = 0; i < n && st == RNNC_OK; i++) {
        const rnnc_tensor *t = &ts[i];
        const struct dtype_info *di = t->name ? dtype_by_id(t->dtype) : NULL;
        size_t count = 1, nbytes = 0;
        if (!t->name) {
            st = RNNC_FAIL(RNNC_ERR_ARG, "%s: tensor %d has no name", path, i);
            break;
        }
        if (!strcmp(t->name, META_KEY) || json_object_get(root, t->name)) {
            st = RNNC_FAIL(RNNC_ERR_ARG, "%s: tensor name '%s' is %s", path, t->name,
                           strcmp(t->name, META_KEY) ? "used twice" : "reserved");
            break;
        }
        if (!di) {
            st = RNNC_FAIL(RNNC_ERR_ARG, "%s: tensor '%s': unknown dtype %d", path, t->name,
                           t->dtype);
            break;
        }
        if (t->ndim < 0 || t->ndim > MAX_NDIM) {
            st = RNNC_FAIL(RNNC_ERR_ARG, "%s: tensor '%s': ndim %d is outside [0, %d]", path,
                           t->name, t->ndim, MAX_NDIM);
            break;
        }
        json_t *shape = json_array(), *offs = json_array(), *obj = json_object();
        int bad = !shape || !offs || !obj;
        for (int d = 0; d < t->ndim && !bad; d++) {
            bad |= rnnc__mul(count, t->dims[d], &count) != 0;
            bad |= t->dims[d] > (size_t)INT64_MAX ||
                   json_array_append_new(shape, json_integer((json_int_t)t->dims[d]));
        }
        bad |= rnnc__mul(count, di->size, &nbytes) || rnnc__add(offset, nbytes, &offset);
        if (!bad) {
            bad |= json_array_append_new(offs, json_integer((json_int_t)(offset - nbytes)));
            bad |= json_array_append_new(offs, json_integer((json_int_t)offset));
        }
        if (bad) {
            json_decref(shape), json_decref(offs), json_decref(obj);
            st = RNNC_FAIL(RNNC_ERR_ARG, "%s: tensor '%s': shape or size overflows", path, t->name);
            break;
        }
        if (nbytes != t->nbytes || (nbytes && !t->data)) {
            json_decref(shape), json_decref(offs), json_decref(obj);
            st = RNNC_FAIL(RNNC_ERR_ARG,
                           "%s: tensor '%s': nbytes %zu does not match dtype %s and its shape "
                           "(%zu bytes)%s",
                           path, t->name, t->nbytes, di->name, nbytes,
                           t->data ? "" : " or data is NULL");
            break;
        }
        json_object_set_new(obj, "dtype", json_string(di->name));
        json_object_set_new(obj, "shape", shape);
        json_object_set_new(obj, "data_offsets", offs);
        if (json_object_set_new(root, t->name, obj))
            st = RNNC_FAIL(RNNC_ERR_ARG, "%s: tensor name '%.64s' is not valid UTF-8", path,
                           t->name);
    }
    char *text = NULL;
    if (st == RNNC_OK) {
        text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (!text)
            st = RNNC_FAIL(RNNC_ERR_NOMEM, "%s: cannot format the header", path);
    }
    json_decref(root);
    if (st != RNNC_OK)
        return st;
    /* Pad with spaces to a multiple of 8 bytes so the data that follows stays aligned. */
    size_t len = strlen(text), padded = (len + 7) / 8 * 8;
    /* A file that its own reader would refuse is not written. */
    rnnc_status big = RNNC_OK;
    if (padded > MAX_HEADER)
        big = RNNC_FAIL(RNNC_ERR_ARG,
                        "%s: the header would take %zu bytes, over the limit of %llu (a "
                        "vocabulary that large in the metadata needs a lower num_words)",
                        path, padded, MAX_HEADER);
    else if (header_values((const unsigned char *)text, len, MAX_HEADER_VALUES) > MAX_HEADER_VALUES)
        big = RNNC_FAIL(RNNC_ERR_ARG,
                        "%s: the header would hold more than %u JSON values (too many tensors or "
                        "metadata entries)",
                        path, MAX_HEADER_VALUES);
    if (big) {
        free(text);
        return big;
    }
    char *h = realloc(text, padded + 1);
    if (!h) {
        free(text);
        return RNNC_FAIL(RNNC_ERR_NOMEM, "%s: cannot format the header", path);
    }
    memset(h + len, ' ', padded - len);
    h[padded] = 0;
    *out = h;
    *out_len = padded;
    return RNNC_OK;
}

/* Writes n bytes of `size`-byte elements little-endian. */
static int write_le(FILE *fp, const void *data, size_t n, size_t size) {
    if (n == 0)
        return 0; /* data may be NULL for an empty tensor */
    if (!host_is_big_endian() || size == 1)
        return fwrite(data, 1, n, fp) == n ? 0 : -1;
    unsigned char chunk[4096];
    const unsigned char *p = data;
    while (n) {
        size_t k = n < sizeof chunk ? n : sizeof chunk;
        memcpy(chunk, p, k);
        swap_elements(chunk, k, size);
        if (fwrite(chunk, 1, k, fp) != k)
            return -1;
        p += k, n -= k;
    }
    return 0;
}

rnnc_status rnnc_tensor_file_write(const char *path, const rnnc_tensor *tensors, int n,
                                   const char *const *meta_keys, const char *const *meta_values,
                                   int n_meta) {
    if (!path || !path[0])
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_tensor_file_write: no path");
    if (n < 0 || (n > 0 && !tensors))
        return RNNC_FAIL(RNNC_ERR_ARG, "%s: %d tensors%s", path, n, n > 0 ? " but NULL" : "");
    if (n_meta < 0 || (n_meta > 0 && (!meta_keys || !meta_values)))
        return RNNC_FAIL(RNNC_ERR_ARG, "%s: %d metadata entries but NULL arrays", path, n_meta);
    char *header = NULL;
    size_t hlen = 0;
    RNNC_TRY(make_header(path, tensors, n, meta_keys, meta_values, n_meta, &header, &hlen));
    rnnc_atomic_file *af;
    rnnc_status st = rnnc_atomic_open(path, &af);
    if (st != RNNC_OK) {
        free(header);
        return st;
    }
    FILE *fp = rnnc_atomic_stream(af);
    unsigned char len8[8];
    for (int i = 0; i < 8; i++)
        len8[i] = (unsigned char)((unsigned long long)hlen >> (8 * i));
    int bad = fwrite(len8, 1, 8, fp) != 8 || fwrite(header, 1, hlen, fp) != hlen;
    for (int i = 0; i < n && !bad; i++)
        bad = write_le(fp, tensors[i].data, tensors[i].nbytes, dtype_by_id(tensors[i].dtype)->size);
    free(header);
    if (bad) {
        st = RNNC_FAIL(RNNC_ERR_IO, "%s: write failed: %s", path, strerror(errno));
        rnnc_atomic_abort(af);
        return st;
    }
    return rnnc_atomic_commit(af);
}
