/* safetensors files and model files: config text round trips, tensor-file round trips, a file
 * written by an independent (Python) writer, a PyTorch state_dict loaded into an rnnc model that
 * must reproduce torch's output, model save -> load bit for bit, many malformed files that must
 * each fail with RNNC_ERR_FORMAT naming the file and the field, random corruption that must never
 * crash, and atomic writes that leave the old file intact when they fail. */
#include "check.h"
#include "rnnc.h"

#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static char g_dir[256];   /* a fresh temporary folder */
static const char *g_fix; /* the fixture folder */

static char *path_in(const char *dir, const char *name) {
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

/* Whole file into memory; NULL if it cannot be read. */
static unsigned char *slurp(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)len + 1);
    *n = fread(b, 1, (size_t)len, f);
    fclose(f);
    return b;
}

/* Files in the temporary folder whose name contains ".tmp.". */
static int temp_files_left(void) {
    DIR *d = opendir(g_dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strstr(e->d_name, ".tmp."))
            n++;
    if (d)
        closedir(d);
    return n;
}

/* ---------------------------------------------------------------------------------------------
 * Config text
 */

/* cfg -> text -> cfg2 must be identical (memcmp: parsed configs start from the same defaults), and
 * cfg2 -> text2 must be the same text. */
static void config_roundtrip(const char *what, const rnnc_config *cfg) {
    char *text = NULL, *text2 = NULL;
    rnnc_status st = rnnc_config_write(cfg, &text);
    if (!check(st == RNNC_OK, "config %s: written (%s)", what, st ? rnnc_last_error() : "ok"))
        return;
    rnnc_config *back = calloc(1, sizeof *back);
    st = rnnc_config_parse(text, what, back);
    check(st == RNNC_OK, "config %s: the text parses (%s)", what, st ? rnnc_last_error() : "ok");
    int same = memcmp(cfg, back, sizeof *cfg) == 0;
    if (!check(same, "config %s: parses back to an equal config", what))
        printf("%s", text);
    check(rnnc_config_write(back, &text2) == RNNC_OK && !strcmp(text, text2),
          "config %s: writing the parsed config gives the same text", what);
    free(text), free(text2), free(back);
}

/* A config as the parser would produce it: zeroed, then layers from rnnc_layer_spec_init. */
static rnnc_config *new_config(void) {
    return calloc(1, sizeof(rnnc_config));
}

static rnnc_layer_spec *add_layer(rnnc_config *c, int kind) {
    c->layers[c->n_layers] = rnnc_layer_spec_init(kind);
    return &c->layers[c->n_layers++];
}

static void test_config_text(void) {
    const char *examples[] = {"examples/models/imdb-lstm.ini", "examples/models/bigru-tagger.ini"};
    for (int i = 0; i < 2; i++) {
        rnnc_config *c = new_config();
        rnnc_status st = rnnc_config_read(examples[i], c);
        if (check(st == RNNC_OK, "config: read %s (%s)", examples[i], st ? rnnc_last_error() : ""))
            config_roundtrip(examples[i], c);
        free(c);
    }
    /* Every kind, every option away from its default, names of the longest length, floats that
     * need 9 digits. */
    rnnc_config *c = new_config();
    rnnc_layer_spec *s = add_layer(c, RNNC_LAYER_EMBEDDING);
    s->vocab = 1000, s->dim = 7, s->padding_idx = 999;
    snprintf(s->name, sizeof s->name, "%s", "e23456789012345678901234567890123456789012345_7");
    s = add_layer(c, RNNC_LAYER_RNN);
    s->hidden = 3, s->layers = 3, s->bidirectional = 1, s->merge = RNNC_MERGE_SUM;
    s->return_sequences = 1, s->nonlinearity = RNNC_ACT_RELU, s->dropout = 0.1f;
    s = add_layer(c, RNNC_LAYER_DROPOUT);
    s->rate = 0.30000001f;
    s = add_layer(c, RNNC_LAYER_LSTM);
    s->hidden = 4, s->return_sequences = 1;
    s->set_forget_bias = 1, s->forget_bias = -1.17549435e-38f;
    s->dropout = nextafterf(0.5f, 1.0f);
    s = add_layer(c, RNNC_LAYER_GRU);
    s->hidden = 2, s->layers = 2;
    s = add_layer(c, RNNC_LAYER_DENSE);
    s->units = 5, s->activation = RNNC_ACT_SOFTMAX;
    s = add_layer(c, RNNC_LAYER_DENSE);
    s->units = 1, s->activation = RNNC_ACT_SIGMOID;
    config_roundtrip("every option", c);
    /* Float-input model, default everything, LSTM without forget_bias (PyTorch's init). */
    rnnc_config *d = new_config();
    d->input_size = 9;
    add_layer(d, RNNC_LAYER_LSTM)->hidden = 1;
    config_roundtrip("defaults", d);
    /* Many random rates: each must come back bit for bit. */
    rnnc_rng r;
    rnnc_rng_seed(&r, 7);
    int bad = 0;
    for (int k = 0; k < 2000; k++) {
        rnnc_config *e = new_config();
        e->input_size = 1 + (int)rnnc_rng_below(&r, 100);
        rnnc_layer_spec *g = add_layer(e, RNNC_LAYER_GRU);
        g->hidden = 1 + (int)rnnc_rng_below(&r, 100);
        g->dropout = (float)rnnc_rng_uniform(&r);
        add_layer(e, RNNC_LAYER_DROPOUT)->rate = (float)(rnnc_rng_uniform(&r) * 1e-3);
        char *text = NULL;
        rnnc_config *back = new_config();
        if (rnnc_config_write(e, &text) || rnnc_config_parse(text, "rand", back) ||
            memcmp(e, back, sizeof *e))
            bad++;
        free(text), free(back), free(e);
    }
    check(bad == 0, "config: 2000 random float fields round trip bit for bit (%d failed)", bad);
    /* An invalid config is refused, not written. */
    char *text = (char *)"unchanged";
    c->layers[0].vocab = 0;
    check(rnnc_config_write(c, &text) == RNNC_ERR_ARG && text == NULL &&
              strstr(rnnc_last_error(), "vocab"),
          "config: writing an invalid config fails naming the field (%s)", rnnc_last_error());
    free(c), free(d);
}

/* ---------------------------------------------------------------------------------------------
 * Tensor files
 */

static int same_tensor(const rnnc_tensor *a, const rnnc_tensor *b) {
    if (!a || !b || strcmp(a->name, b->name) || a->dtype != b->dtype || a->ndim != b->ndim ||
        a->nbytes != b->nbytes)
        return 0;
    for (int d = 0; d < a->ndim; d++)
        if (a->dims[d] != b->dims[d])
            return 0;
    return a->nbytes == 0 || memcmp(a->data, b->data, a->nbytes) == 0;
}

static void test_tensor_roundtrip(void) {
    double f64[3] = {1.0 / 3, -1e300, 0};
    float f32[6] = {1, 2, 3, 4, 5, -0.0f};
    int64_t i64[2] = {INT64_MIN, 5};
    int32_t i32[1] = {-7};
    uint16_t f16[2] = {0x3c00, 0xfbff}, bf16[1] = {0x3f80};
    uint8_t u8[3] = {0, 128, 255};
    rnnc_tensor ts[] = {
        {"f64", RNNC_DTYPE_F64, 1, {3}, f64, sizeof f64},
        {"w.weight", RNNC_DTYPE_F32, 2, {2, 3}, f32, sizeof f32},
        {"i64", RNNC_DTYPE_I64, 1, {2}, i64, sizeof i64},
        {"scalar", RNNC_DTYPE_I32, 0, {0}, i32, sizeof i32},
        {"empty", RNNC_DTYPE_F32, 3, {2, 0, 4}, NULL, 0},
        {"f16", RNNC_DTYPE_F16, 1, {2}, f16, sizeof f16},
        {"bf16", RNNC_DTYPE_BF16, 1, {1}, bf16, sizeof bf16},
        {"u8 \xc3\xa9", RNNC_DTYPE_U8, 1, {3}, u8, sizeof u8},
    };
    const int n = (int)(sizeof ts / sizeof ts[0]);
    const char *keys[] = {"k1", "k\xc3\xa9"}, *vals[] = {"v1 \"quoted\"\n", ""};
    const char *path = path_in(g_dir, "t.safetensors");
    rnnc_status st = rnnc_tensor_file_write(path, ts, n, keys, vals, 2);
    check(st == RNNC_OK, "tensors: written (%s)", st ? rnnc_last_error() : "ok");
    rnnc_tensor_file *f = NULL;
    st = rnnc_tensor_file_read(path, &f);
    check(st == RNNC_OK, "tensors: read back (%s)", st ? rnnc_last_error() : "ok");
    int all = rnnc_tensor_file_count(f) == n, aligned = 1;
    for (int i = 0; i < n && all; i++) {
        all = same_tensor(rnnc_tensor_file_tensor(f, i), &ts[i]) &&
              rnnc_tensor_file_find(f, ts[i].name) == rnnc_tensor_file_tensor(f, i);
        aligned &= (uintptr_t)rnnc_tensor_file_tensor(f, i)->data % 8 == 0;
    }
    check(all, "tensors: names, order, dtypes, shapes and bytes come back identical");
    check(aligned, "tensors: every tensor's data is 8-byte aligned in memory");
    check(rnnc_tensor_file_meta(f, "k1") && !strcmp(rnnc_tensor_file_meta(f, "k1"), vals[0]) &&
              rnnc_tensor_file_meta(f, keys[1]) && !strcmp(rnnc_tensor_file_meta(f, keys[1]), "") &&
              rnnc_tensor_file_meta_count(f) == 2 && !rnnc_tensor_file_meta(f, "k2"),
          "tensors: metadata comes back (escapes, UTF-8, empty value)");
    check(rnnc_tensor_file_find(f, "nope") == NULL && rnnc_tensor_file_tensor(f, n) == NULL &&
              rnnc_tensor_file_tensor(f, -1) == NULL,
          "tensors: absent names and indices give NULL");
    check(!strcmp(rnnc_tensor_file_name(f), path), "tensors: the file remembers its path");
    rnnc_tensor_file_free(f);

    /* The bytes themselves: header length, '{', padding to 8, "__metadata__" first, data
     * little-endian right after the header. */
    size_t len;
    unsigned char *b = slurp(path, &len);
    uint64_t h = 0;
    for (int i = 7; i >= 0; i--)
        h = h << 8 | b[i];
    check(h % 8 == 0 && b[8] == '{' && !memcmp(b + 8, "{\"__metadata__\":", 16) &&
              (b[8 + h - 1] == ' ' || b[8 + h - 1] == '}'),
          "tensors: header is '{\"__metadata__\":...' padded with spaces to a multiple of 8");
    unsigned char one_third[8] = {0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0xd5, 0x3f};
    check(len == 8 + h + sizeof f64 + sizeof f32 + sizeof i64 + 4 + 4 + 2 + 3 &&
              !memcmp(b + 8 + h, one_third, 8),
          "tensors: data follows the header, little-endian, without gaps");
    /* Parsing the same bytes from memory gives the same file. */
    rnnc_tensor_file *g = NULL;
    check(rnnc_tensor_file_parse(b, len, "mem", &g) == RNNC_OK && rnnc_tensor_file_count(g) == n &&
              same_tensor(rnnc_tensor_file_find(g, "f64"), &ts[0]) &&
              !strcmp(rnnc_tensor_file_name(g), "mem"),
          "tensors: parse from memory");
    rnnc_tensor_file_free(g);
    free(b);

    /* No tensors and no metadata: "{}" padded, as the reference writer. */
    path = path_in(g_dir, "empty.safetensors");
    check(rnnc_tensor_file_write(path, NULL, 0, NULL, NULL, 0) == RNNC_OK, "tensors: empty file");
    b = slurp(path, &len);
    check(len == 16 && !memcmp(b, "\x08\0\0\0\0\0\0\0{}      ", 16),
          "tensors: an empty file is the reference's 16 bytes");
    free(b);
    f = NULL;
    check(rnnc_tensor_file_read(path, &f) == RNNC_OK && rnnc_tensor_file_count(f) == 0 &&
              rnnc_tensor_file_meta_count(f) == 0,
          "tensors: the empty file reads back");
    rnnc_tensor_file_free(f);

    /* Bad arguments to the writer. */
    rnnc_tensor bad = {"x", RNNC_DTYPE_F32, 1, {3}, f32, 8};
    const char *bad_path = path_in(g_dir, "bad.st");
    check(rnnc_tensor_file_write(bad_path, &bad, 1, NULL, NULL, 0) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "'x'") && strstr(rnnc_last_error(), "nbytes"),
          "tensors: nbytes that do not match the shape are refused (%s)", rnnc_last_error());
    rnnc_tensor dup[2] = {{"x", RNNC_DTYPE_F32, 1, {1}, f32, 4},
                          {"x", RNNC_DTYPE_F32, 1, {1}, f32, 4}};
    check(rnnc_tensor_file_write(bad_path, dup, 2, NULL, NULL, 0) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "twice"),
          "tensors: a repeated name is refused (%s)", rnnc_last_error());
    dup[1].name = "__metadata__";
    check(rnnc_tensor_file_write(bad_path, dup, 2, NULL, NULL, 0) == RNNC_ERR_ARG,
          "tensors: the name __metadata__ is refused");
    dup[1].name = "bad\xff";
    check(rnnc_tensor_file_write(bad_path, dup, 2, NULL, NULL, 0) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "UTF-8"),
          "tensors: a name that is not UTF-8 is refused (%s)", rnnc_last_error());
    const char *k2[] = {"a", "a"}, *v2[] = {"1", "2"};
    check(rnnc_tensor_file_write(bad_path, NULL, 0, k2, v2, 2) == RNNC_ERR_ARG,
          "tensors: a repeated metadata key is refused");
    check(access(bad_path, F_OK) != 0 && temp_files_left() == 0,
          "tensors: refused writes leave no file behind");
}

/* The file from the Python writer: every dtype, a scalar, an empty tensor, UTF-8 metadata. */
static void test_python_misc(void) {
    rnnc_tensor_file *f = NULL;
    rnnc_status st = rnnc_tensor_file_read(path_in(g_fix, "st_misc.safetensors"), &f);
    if (!check(st == RNNC_OK, "python misc: read (%s)", st ? rnnc_last_error() : "ok"))
        return;
    const rnnc_tensor *t;
    const char *order[] = {"d_i64", "b_f64",  "a_f32", "h_scalar", "i_empty",
                           "c_i32", "g_bf16", "f_f16", "e_u8"};
    int ok = rnnc_tensor_file_count(f) == 9;
    for (int i = 0; i < 9 && ok; i++)
        ok = !strcmp(rnnc_tensor_file_tensor(f, i)->name, order[i]);
    check(ok, "python misc: 9 tensors in the reference writer's order (by alignment, then name)");
    float a[6] = {1.5f, -2.25f, 3.0f, 0.0f, 1e-3f, -7.0f};
    t = rnnc_tensor_file_find(f, "a_f32");
    check(t && t->dtype == RNNC_DTYPE_F32 && t->ndim == 2 && t->dims[0] == 2 && t->dims[1] == 3 &&
              !memcmp(t->data, a, sizeof a),
          "python misc: F32 (2,3) values");
    double bv[3] = {0.1, -1e300, 2.5};
    t = rnnc_tensor_file_find(f, "b_f64");
    check(t && t->dtype == RNNC_DTYPE_F64 && !memcmp(t->data, bv, sizeof bv), "python misc: F64");
    int32_t cv[4] = {-1, 2147483647, INT32_MIN, 7};
    t = rnnc_tensor_file_find(f, "c_i32");
    check(t && t->dtype == RNNC_DTYPE_I32 && !memcmp(t->data, cv, sizeof cv), "python misc: I32");
    int64_t dv[2] = {-(INT64_C(1) << 62), 5};
    t = rnnc_tensor_file_find(f, "d_i64");
    check(t && t->dtype == RNNC_DTYPE_I64 && !memcmp(t->data, dv, sizeof dv), "python misc: I64");
    uint8_t ev[3] = {0, 1, 255};
    t = rnnc_tensor_file_find(f, "e_u8");
    check(t && t->dtype == RNNC_DTYPE_U8 && !memcmp(t->data, ev, 3), "python misc: U8");
    uint16_t fv[3] = {0x3c00, 0xb800, 0x7bff}, gv[3] = {0x3f80, 0xc000, 0x3e20};
    t = rnnc_tensor_file_find(f, "f_f16");
    check(t && t->dtype == RNNC_DTYPE_F16 && !memcmp(t->data, fv, 6), "python misc: F16 bits");
    t = rnnc_tensor_file_find(f, "g_bf16");
    check(t && t->dtype == RNNC_DTYPE_BF16 && !memcmp(t->data, gv, 6), "python misc: BF16 bits");
    t = rnnc_tensor_file_find(f, "h_scalar");
    float h = 42;
    check(t && t->ndim == 0 && t->nbytes == 4 && !memcmp(t->data, &h, 4), "python misc: scalar");
    t = rnnc_tensor_file_find(f, "i_empty");
    check(t && t->ndim == 2 && t->dims[0] == 0 && t->dims[1] == 3 && t->nbytes == 0,
          "python misc: empty (0,3) tensor");
    const char *note = rnnc_tensor_file_meta(f, "note");
    check(note && !strcmp(note, "caf\xc3\xa9 \xe2\x80\x93 UTF-8") &&
              !strcmp(rnnc_tensor_file_meta(f, "format"), "pt"),
          "python misc: UTF-8 metadata");
    rnnc_tensor_file_free(f);
}

/* ---------------------------------------------------------------------------------------------
 * Models
 */

/* Forward of m on a fixed batch; returns a malloc'd copy of the output and its size. */
static float *forward_copy(rnnc_model *m, int T, int B, size_t *n) {
    const rnnc_config *cfg = rnnc_model_config(m);
    rnnc_rng r;
    rnnc_rng_seed(&r, 99);
    int32_t *ids = NULL;
    float *x = NULL;
    int32_t len[8];
    for (int b = 0; b < B; b++)
        len[b] = T - b % T;
    if (cfg->layers[0].kind == RNNC_LAYER_EMBEDDING) {
        ids = malloc((size_t)T * B * sizeof *ids);
        for (int i = 0; i < T * B; i++)
            ids[i] = (int32_t)rnnc_rng_below(&r, (uint32_t)cfg->layers[0].vocab);
    } else {
        size_t nx = (size_t)T * B * cfg->input_size;
        x = malloc(nx * sizeof *x);
        for (size_t i = 0; i < nx; i++)
            x[i] = (float)rnnc_rng_normal(&r);
    }
    rnnc_batch batch = {T, B, ids, x, len, RNNC_PAD_POST, 0, NULL};
    float *out = NULL;
    *n = 0;
    if (rnnc_model_forward(m, &batch, 0) == RNNC_OK) {
        int ndim;
        size_t dims[3];
        const float *y = rnnc_model_output(m, &ndim, dims);
        *n = dims[0] * dims[1] * (ndim == 3 ? dims[2] : 1);
        out = malloc(*n * sizeof *out);
        memcpy(out, y, *n * sizeof *out);
    }
    free(ids), free(x);
    return out;
}

static void test_model_roundtrip(const char *what, const char *ini) {
    rnnc_config *cfg = new_config();
    rnnc_model *m = NULL, *m2 = NULL;
    rnnc_tensor_file *f = NULL;
    if (!check(rnnc_config_parse(ini, what, cfg) == RNNC_OK && rnnc_model_create(cfg, 5, &m) == 0,
               "model %s: built (%s)", what, rnnc_last_error()))
        return;
    const char *path = path_in(g_dir, "model.safetensors");
    const char *keys[] = {"rnnc.vocab", "rnnc.labels"}, *vals[] = {"<pad>\nthe\ncat\n", "neg\npos"};
    rnnc_status st = rnnc_model_save(m, path, keys, vals, 2);
    check(st == RNNC_OK, "model %s: saved (%s)", what, st ? rnnc_last_error() : "ok");
    st = rnnc_model_load(path, &m2, &f);
    if (!check(st == RNNC_OK, "model %s: loaded (%s)", what, st ? rnnc_last_error() : "ok")) {
        rnnc_model_free(m);
        free(cfg);
        return;
    }
    size_t n1, n2;
    const float *p1 = rnnc_model_params(m, &n1), *p2 = rnnc_model_params(m2, &n2);
    check(n1 == n2 && !memcmp(p1, p2, n1 * sizeof *p1),
          "model %s: %zu parameters identical bit for bit", what, n1);
    check(!memcmp(rnnc_model_config(m), rnnc_model_config(m2), sizeof(rnnc_config)),
          "model %s: the loaded model's description equals the original", what);
    size_t no1, no2;
    float *y1 = forward_copy(m, 5, 3, &no1), *y2 = forward_copy(m2, 5, 3, &no2);
    check(y1 && y2 && no1 == no2 && !memcmp(y1, y2, no1 * sizeof *y1),
          "model %s: identical forward output (%zu values)", what, no1);
    /* Teeth for the two comparisons above: one changed parameter shows in both. */
    float *w = rnnc_model_params(m2, &n2);
    w[n2 - 1] += 1.0f; /* the last dense bias: always reaches the output */
    float *y3 = forward_copy(m2, 5, 3, &no2);
    check(memcmp(p1, w, n1 * sizeof *p1) && y3 && memcmp(y1, y3, no1 * sizeof *y1),
          "model %s: teeth: one changed parameter changes the comparison", what);
    check(rnnc_tensor_file_meta(f, "rnnc.vocab") &&
              !strcmp(rnnc_tensor_file_meta(f, "rnnc.vocab"), vals[0]) &&
              !strcmp(rnnc_tensor_file_meta(f, "format"), "pt") &&
              !strcmp(rnnc_tensor_file_meta(f, "rnnc.version"), rnnc_version()) &&
              rnnc_tensor_file_meta(f, "rnnc.config"),
          "model %s: metadata (format, version, config, the caller's keys)", what);
    int names_ok = rnnc_tensor_file_count(f) == rnnc_model_param_count(m);
    for (int i = 0; i < rnnc_model_param_count(m) && names_ok; i++) {
        const char *name;
        int ndim;
        size_t dims[2];
        rnnc_model_param_info(m, i, &name, &ndim, dims);
        const rnnc_tensor *t = rnnc_tensor_file_tensor(f, i);
        names_ok = !strcmp(t->name, name) && t->dtype == RNNC_DTYPE_F32 && t->ndim == ndim &&
                   t->dims[0] == dims[0] && (ndim < 2 || t->dims[1] == dims[1]);
    }
    check(names_ok, "model %s: tensors are the parameters, PyTorch names and shapes, F32", what);
    check(rnnc_model_save(m, path, (const char *[]){"format"}, (const char *[]){"x"}, 1) ==
              RNNC_ERR_ARG,
          "model %s: a caller's key may not replace 'format'", what);
    free(y1), free(y2), free(y3);
    rnnc_tensor_file_free(f);
    rnnc_model_free(m), rnnc_model_free(m2);
    free(cfg);
}

static double max_abs(const double *p, size_t n) {
    double m = 0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs(p[i]));
    return m;
}

/* Output of model m on x, against torch's y: max|rnnc - torch| / max|torch|. */
static double torch_error(rnnc_model *m, const rnnc_tensor *x, const rnnc_tensor *y) {
    rnnc_batch b = {(int)x->dims[0], (int)x->dims[1], NULL, x->data, NULL, RNNC_PAD_POST, 0, NULL};
    if (rnnc_model_forward(m, &b, 0) != RNNC_OK)
        return INFINITY;
    int ndim;
    size_t dims[3];
    const float *out = rnnc_model_output(m, &ndim, dims);
    size_t n = y->nbytes / sizeof(double);
    if (ndim != 3 || dims[0] * dims[1] * dims[2] != n)
        return INFINITY;
    const double *want = y->data;
    double worst = 0;
    for (size_t i = 0; i < n; i++)
        worst = fmax(worst, fabs(out[i] - want[i]));
    return worst / max_abs(want, n);
}

static void test_torch_state_dict(void) {
    rnnc_tensor_file *io = NULL, *sd = NULL, *sd64 = NULL;
    rnnc_status st = rnnc_tensor_file_read(path_in(g_fix, "st_lstm_dense_io.safetensors"), &io);
    check(st == RNNC_OK, "torch: io fixture (%s)", st ? rnnc_last_error() : "ok");
    st = rnnc_tensor_file_read(path_in(g_fix, "st_lstm_dense.safetensors"), &sd);
    check(st == RNNC_OK, "torch: state_dict fixture (%s)", st ? rnnc_last_error() : "ok");
    st = rnnc_tensor_file_read(path_in(g_fix, "st_lstm_dense_f64.safetensors"), &sd64);
    check(st == RNNC_OK, "torch: F64 state_dict fixture (%s)", st ? rnnc_last_error() : "ok");
    if (!io || !sd || !sd64)
        return;
    rnnc_config *cfg = new_config();
    rnnc_model *m = NULL, *m64 = NULL;
    st = rnnc_config_parse(rnnc_tensor_file_meta(io, "rnnc.config"), "io", cfg);
    if (st == RNNC_OK)
        st = rnnc_model_create(cfg, 1, &m);
    if (st == RNNC_OK)
        st = rnnc_model_create(cfg, 2, &m64);
    if (!check(st == RNNC_OK, "torch: model from the fixture's description (%s)",
               st ? rnnc_last_error() : "ok"))
        return;
    st = rnnc_model_load_params(m, sd);
    check(st == RNNC_OK, "torch: state_dict loads into the model (%s)",
          st ? rnnc_last_error() : "ok");
    const rnnc_tensor *x = rnnc_tensor_file_find(io, "x"), *y = rnnc_tensor_file_find(io, "y");
    double e = torch_error(m, x, y);
    check(e <= 1e-5, "torch: forward output matches PyTorch's (rel err %.1e)", e);
    st = rnnc_model_load_params(m64, sd64);
    size_t n1, n2;
    const float *p1 = rnnc_model_params(m, &n1), *p2 = rnnc_model_params(m64, &n2);
    check(st == RNNC_OK && n1 == n2 && !memcmp(p1, p2, n1 * sizeof *p1),
          "torch: the F64 state_dict loads to the same floats (%s)", st ? rnnc_last_error() : "ok");
    /* Teeth: the reverse direction's input weights of layer 1 replaced by layer 0's. */
    float *w1 = rnnc_model_param(m64, "lstm.weight_ih_l1_reverse", &n1);
    float *w0 = rnnc_model_param(m64, "lstm.weight_hh_l1_reverse", &n2);
    for (size_t i = 0; i < n2 && i < n1; i++)
        w1[i] = w0[i];
    e = torch_error(m64, x, y);
    check(e > 1e-3, "torch: teeth: one wrong weight matrix is detected (rel err %.1e)", e);
    /* A bare state_dict is not a model file. */
    rnnc_model *none = (rnnc_model *)1;
    st = rnnc_model_load(path_in(g_fix, "st_lstm_dense.safetensors"), &none, NULL);
    check(st == RNNC_ERR_FORMAT && none == NULL && strstr(rnnc_last_error(), "rnnc.config") &&
              strstr(rnnc_last_error(), "st_lstm_dense.safetensors"),
          "torch: rnnc_model_load of a bare state_dict names the missing metadata (%s)",
          rnnc_last_error());
    rnnc_model_free(m), rnnc_model_free(m64);
    rnnc_tensor_file_free(io), rnnc_tensor_file_free(sd), rnnc_tensor_file_free(sd64);
    free(cfg);
}

/* ---------------------------------------------------------------------------------------------
 * Malformed files
 */

/* Builds a file: 8-byte length (hlen_override when not ~0), header text, then ndata bytes. */
static unsigned char *make_file(const char *header, size_t hlen_override, size_t ndata, size_t *n) {
    size_t hl = strlen(header);
    *n = 8 + hl + ndata;
    unsigned char *b = calloc(*n + 1, 1);
    uint64_t v = hlen_override != (size_t)-1 ? hlen_override : hl;
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    memcpy(b + 8, header, hl);
    for (size_t i = 0; i < ndata; i++)
        b[8 + hl + i] = (unsigned char)i;
    return b;
}

/* The file must fail with RNNC_ERR_FORMAT and a message naming the file and `field`. */
static void expect_bad(const char *why, const char *header, size_t hlen, size_t ndata,
                       const char *field) {
    size_t n;
    unsigned char *b = make_file(header, hlen, ndata, &n);
    rnnc_tensor_file *f = (rnnc_tensor_file *)1;
    rnnc_status st = rnnc_tensor_file_parse(b, n, "bad.st", &f);
    const char *msg = rnnc_last_error();
    check(st == RNNC_ERR_FORMAT && f == NULL && strstr(msg, "bad.st") && strstr(msg, field),
          "malformed (%s): format error naming '%s' (%s)", why, field, st ? msg : "accepted");
    free(b);
}

#define NOLEN ((size_t)-1)
#define T1(dt, shape, offs)                                                                        \
    "{\"t\":{\"dtype\":\"" dt "\",\"shape\":" shape ",\"data_offsets\":" offs "}}"

/* The header's limits: 64 MiB, and 2^18 JSON values counted before parsing (a parser allocates
 * per value, so a shape of millions of zeros must not reach it); a vocabulary-sized metadata
 * string under the limit reads; the writer refuses what the reader would; non-finite values. */
static void test_header_limits(void) {
    expect_bad("header length over 64 MiB", "{}", (64u << 20) + 1, 0, "limit of 67108864 bytes");
    const size_t zeros = 262145;
    char *h = malloc(2 * zeros + 128);
    if (!h)
        return;
    char *p = h + sprintf(h, "{\"t\":{\"dtype\":\"F32\",\"shape\":[");
    for (size_t i = 0; i < zeros; i++)
        *p++ = '0', *p++ = ',';
    sprintf(p, "0],\"data_offsets\":[0,0]}}");
    expect_bad("a shape of 262146 zeros", h, NOLEN, 0, "more than 262144 JSON values");
    free(h);
    /* a metadata value of 48 MB (a vocabulary of millions of words) is fine */
    const size_t big = (size_t)48 << 20;
    h = malloc(big + 64);
    if (!h)
        return;
    p = h + sprintf(h, "{\"__metadata__\":{\"vocab\":\"");
    memset(p, 'w', big);
    strcpy(p + big, "\"}}");
    size_t n;
    unsigned char *b = make_file(h, NOLEN, 0, &n);
    rnnc_tensor_file *f = NULL;
    rnnc_status st = rnnc_tensor_file_parse(b, n, "vocab.st", &f);
    const char *v = f ? rnnc_tensor_file_meta(f, "vocab") : NULL;
    check(st == RNNC_OK && v && strlen(v) == big, "a 48 MB metadata string reads (%s)",
          st ? rnnc_last_error() : "ok");
    rnnc_tensor_file_free(f);
    free(b);
    /* the writer refuses a header over the limit and leaves no file */
    free(h);
    const size_t over = (size_t)68 << 20;
    if (!(h = malloc(over + 1)))
        return;
    memset(h, 'w', over);
    h[over] = 0;
    const char *path = path_in(g_dir, "huge-header.safetensors");
    const char *k = "vocab", *val = h;
    st = rnnc_tensor_file_write(path, NULL, 0, &k, &val, 1);
    check(st == RNNC_ERR_ARG && strstr(rnnc_last_error(), "over the limit of 67108864") &&
              access(path, F_OK) != 0,
          "the writer refuses a 68 MB header (%s)", rnnc_last_error());
    free(h);
    /* values must be finite */
    float x[3] = {1, 0, 2};
    x[1] = NAN;
    rnnc_tensor t = {"w", RNNC_DTYPE_F32, 1, {3}, x, sizeof x};
    st = rnnc_tensor_check_finite(&t, "m.st");
    check(st == RNNC_ERR_FORMAT && strstr(rnnc_last_error(), "m.st: tensor 'w': element 1 is NaN"),
          "a NaN is refused naming the tensor and element (%s)", rnnc_last_error());
    double y[2] = {0, -INFINITY};
    rnnc_tensor u = {"d", RNNC_DTYPE_F64, 1, {2}, y, sizeof y};
    st = rnnc_tensor_check_finite(&u, NULL);
    check(st == RNNC_ERR_FORMAT && !strncmp(rnnc_last_error(), "tensor 'd': element 1 is -inf", 29),
          "an F64 -inf is refused (%s)", rnnc_last_error());
    x[1] = 3;
    check(rnnc_tensor_check_finite(&t, "m.st") == RNNC_OK, "finite values pass");
}

static void test_malformed(void) {
    size_t n;
    unsigned char *ok = make_file(T1("F32", "[2]", "[0,8]"), NOLEN, 8, &n);
    rnnc_tensor_file *f = NULL;
    rnnc_status st0 = rnnc_tensor_file_parse(ok, n, "ok.st", &f);
    check(st0 == RNNC_OK, "malformed: the template file itself is fine (%s)",
          st0 ? rnnc_last_error() : "ok");
    rnnc_tensor_file_free(f);
    f = (rnnc_tensor_file *)1;
    check(rnnc_tensor_file_parse(ok, 7, "bad.st", &f) == RNNC_ERR_FORMAT && f == NULL &&
              strstr(rnnc_last_error(), "bad.st") && strstr(rnnc_last_error(), "header length"),
          "malformed (truncated inside the length): %s", rnnc_last_error());
    check(rnnc_tensor_file_parse(ok, 0, "bad.st", &f) == RNNC_ERR_FORMAT,
          "malformed (empty file): format error");
    check(rnnc_tensor_file_parse(ok, n - 1, "bad.st", &f) == RNNC_ERR_FORMAT &&
              strstr(rnnc_last_error(), "'t'") && strstr(rnnc_last_error(), "data_offsets"),
          "malformed (truncated data): names tensor and data_offsets (%s)", rnnc_last_error());
    check(rnnc_tensor_file_parse(ok, 20, "bad.st", &f) == RNNC_ERR_FORMAT &&
              strstr(rnnc_last_error(), "header length"),
          "malformed (truncated header): %s", rnnc_last_error());
    free(ok);

    expect_bad("header length 2^64-2", "{}", (size_t)-2, 0, "header length");
    expect_bad("header length past the end", "{}", 3, 0, "header length");
    expect_bad("trailing bytes after the data", T1("F32", "[2]", "[0,8]"), NOLEN, 9,
               "data_offsets");
    expect_bad("trailing garbage after the JSON", T1("F32", "[2]", "[0,8]") " x", NOLEN, 8, "JSON");
    expect_bad("offsets out of range", T1("F32", "[4]", "[0,16]"), NOLEN, 8, "past the data");
    expect_bad("offsets end before begin", T1("F32", "[0]", "[8,0]"), NOLEN, 8, "data_offsets");
    expect_bad("offsets not a pair", T1("F32", "[2]", "[0,8,8]"), NOLEN, 8, "data_offsets");
    expect_bad("negative offset", T1("F32", "[2]", "[-8,0]"), NOLEN, 8, "data_offsets");
    expect_bad("offset beyond 64 bits", T1("F32", "[2]", "[0,99999999999999999999999]"), NOLEN, 8,
               "JSON");
    expect_bad("offset a float", T1("F32", "[2]", "[0,8.0]"), NOLEN, 8, "data_offsets");
    expect_bad("offsets overlapping",
               "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
               "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
               NOLEN, 12, "overlap");
    expect_bad("offsets with a gap",
               "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
               "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}",
               NOLEN, 12, "gap");
    expect_bad("data not starting at offset 0", T1("F32", "[1]", "[4,8]"), NOLEN, 8, "gap");
    expect_bad("the same range twice",
               "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
               "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
               NOLEN, 8, "overlap");
    expect_bad("unknown dtype", T1("F99", "[2]", "[0,8]"), NOLEN, 8, "dtype");
    expect_bad("dtype not supported by rnnc", T1("BOOL", "[8]", "[0,8]"), NOLEN, 8, "dtype");
    expect_bad("dtype not a string", "{\"t\":{\"dtype\":4,\"shape\":[2],\"data_offsets\":[0,8]}}",
               NOLEN, 8, "dtype");
    expect_bad("shape * dtype != bytes", T1("F32", "[3]", "[0,8]"), NOLEN, 8, "data_offsets");
    expect_bad("F64 where the bytes fit F32", T1("F64", "[2]", "[0,8]"), NOLEN, 8, "F64");
    expect_bad("negative dimension", T1("F32", "[-2]", "[0,8]"), NOLEN, 8, "shape[0]");
    expect_bad("dimension a string", T1("F32", "[2,\"3\"]", "[0,8]"), NOLEN, 8, "shape[1]");
    expect_bad("shape not an array", T1("F32", "2", "[0,8]"), NOLEN, 8, "shape");
    expect_bad("shape with 9 dimensions", T1("F32", "[1,1,1,1,1,1,1,1,2]", "[0,8]"), NOLEN, 8,
               "dimensions");
    expect_bad("element count overflows", T1("F32", "[4294967296,4294967296,4294967296]", "[0,8]"),
               NOLEN, 8, "overflow");
    expect_bad("byte count overflows", T1("F64", "[4611686018427387904]", "[0,8]"), NOLEN, 8,
               "overflow");
    expect_bad("field missing", "{\"t\":{\"dtype\":\"F32\",\"shape\":[2]}}", NOLEN, 8,
               "data_offsets");
    expect_bad("unknown field",
               "{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":1}}", NOLEN, 8,
               "'x'");
    expect_bad("tensor entry not an object", "{\"t\":[1,2]}", NOLEN, 0, "'t'");
    expect_bad("duplicate tensor name",
               "{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
               "\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
               NOLEN, 8, "duplicate");
    expect_bad("duplicate metadata key", "{\"__metadata__\":{\"a\":\"1\",\"a\":\"2\"}}", NOLEN, 0,
               "duplicate");
    expect_bad("metadata value a number", "{\"__metadata__\":{\"a\":1}}", NOLEN, 0, "__metadata__");
    expect_bad("metadata value an object", "{\"__metadata__\":{\"a\":{}}}", NOLEN, 0, "'a'");
    expect_bad("metadata not an object", "{\"__metadata__\":[\"a\"]}", NOLEN, 0, "__metadata__");
    expect_bad("invalid UTF-8 in a name", "{\"t\xff\":{}}", NOLEN, 0, "JSON");
    expect_bad("invalid UTF-8 in metadata", "{\"__metadata__\":{\"a\":\"\xc3\"}}", NOLEN, 0,
               "JSON");
    expect_bad("invalid JSON", "{\"t\":", NOLEN, 0, "JSON");
    expect_bad("JSON array instead of an object", "[1, 2]  ", NOLEN, 0, "'{'");
    expect_bad("JSON string instead of an object", "\"{}\"", NOLEN, 0, "'{'");
    expect_bad("empty header", "", NOLEN, 0, "'{'");
    expect_bad("escaped NUL in a name", "{\"a\\u0000b\":{}}", NOLEN, 0, "JSON");
    /* A raw NUL inside the header (strlen would stop there, so built by hand). */
    {
        const char hdr[] = "{\"a\":\"b\0\"}";
        unsigned char b[8 + sizeof hdr - 1] = {sizeof hdr - 1};
        memcpy(b + 8, hdr, sizeof hdr - 1);
        check(rnnc_tensor_file_parse(b, sizeof b, "bad.st", &f) == RNNC_ERR_FORMAT &&
                  strstr(rnnc_last_error(), "JSON"),
              "malformed (raw NUL in the header): %s", rnnc_last_error());
    }
    /* Valid corner cases are accepted: padding spaces, an empty tensor, a scalar. */
    unsigned char *b =
        make_file("{\"e\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0]},"
                  "\"s\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[0,4]}}   ",
                  NOLEN, 4, &n);
    f = NULL;
    check(rnnc_tensor_file_parse(b, n, "fine.st", &f) == RNNC_OK &&
              rnnc_tensor_file_count(f) == 2 && !strcmp(rnnc_tensor_file_tensor(f, 0)->name, "e"),
          "well-formed corner cases (empty tensor, scalar, trailing spaces) are accepted (%s)",
          rnnc_last_error());
    rnnc_tensor_file_free(f);
    free(b);
    check(rnnc_tensor_file_read(path_in(g_dir, "does-not-exist"), &f) == RNNC_ERR_IO &&
              strstr(rnnc_last_error(), "does-not-exist"),
          "a missing file is an IO error naming it");
    check(rnnc_tensor_file_read(g_dir, &f) == RNNC_ERR_IO, "a directory is an IO error");
}

/* Model-level problems: missing, extra, wrongly shaped or typed tensors. */
static void test_bad_params(void) {
    rnnc_config *cfg = new_config();
    rnnc_model *m = NULL;
    rnnc_config_parse("[embedding]\nvocab = 5\ndim = 3\n[gru]\nhidden = 2\n[dense]\nunits = 1\n",
                      "small", cfg);
    rnnc_model_create(cfg, 3, &m);
    const int np = rnnc_model_param_count(m);
    rnnc_tensor ts[16] = {{0}};
    double d64[64] = {0};
    for (int i = 0; i < np; i++) {
        size_t dims[2], cnt;
        rnnc_model_param_info(m, i, &ts[i].name, &ts[i].ndim, dims);
        ts[i].dims[0] = dims[0], ts[i].dims[1] = dims[1];
        ts[i].dtype = RNNC_DTYPE_F32;
        ts[i].data = rnnc_model_param(m, ts[i].name, &cnt);
        ts[i].nbytes = cnt * 4;
    }
    size_t total;
    const float *arena = rnnc_model_params(m, &total);
    float *before = malloc(total * sizeof(float));
    memcpy(before, arena, total * sizeof(float));
    const char *path = path_in(g_dir, "p.safetensors");
#define LOAD_EXPECT(why, n_t, want)                                                                \
    do {                                                                                           \
        rnnc_tensor_file *f_ = NULL;                                                               \
        rnnc_status s_ = rnnc_tensor_file_write(path, ts, (n_t), NULL, NULL, 0);                   \
        if (s_ == RNNC_OK)                                                                         \
            s_ = rnnc_tensor_file_read(path, &f_);                                                 \
        if (s_ == RNNC_OK)                                                                         \
            s_ = rnnc_model_load_params(m, f_);                                                    \
        check(s_ == RNNC_ERR_FORMAT && strstr(rnnc_last_error(), "p.safetensors") &&               \
                  strstr(rnnc_last_error(), (want)),                                               \
              "params (%s): format error naming %s (%s)", why, want, rnnc_last_error());           \
        rnnc_tensor_file_free(f_);                                                                 \
    } while (0)
    rnnc_tensor_file *f = NULL;
    check(rnnc_tensor_file_write(path, ts, np, NULL, NULL, 0) == RNNC_OK &&
              rnnc_tensor_file_read(path, &f) == RNNC_OK && rnnc_model_load_params(m, f) == RNNC_OK,
          "params: the complete set loads (%s)", rnnc_last_error());
    rnnc_tensor_file_free(f);
    LOAD_EXPECT("missing tensor", np - 1, "'dense.bias'");
    rnnc_tensor keep = ts[np];
    ts[np] = (rnnc_tensor){"dense.extra", RNNC_DTYPE_F32, 1, {1}, d64, 4};
    LOAD_EXPECT("extra tensor", np + 1, "'dense.extra'");
    ts[np] = keep;
    size_t d0 = ts[0].dims[0];
    ts[0].dims[0] = d0 - 1, ts[0].nbytes -= ts[0].dims[1] * 4;
    LOAD_EXPECT("wrong shape", np, "'embedding.weight' has shape (4, 3)");
    ts[0].dims[0] = d0, ts[0].nbytes += ts[0].dims[1] * 4;
    ts[np - 1].dtype = RNNC_DTYPE_I32;
    LOAD_EXPECT("wrong dtype", np, "dtype I32");
    ts[np - 1] = (rnnc_tensor){"dense.bias", RNNC_DTYPE_F64, 1, {1}, d64, 8};
    d64[0] = 1e39;
    LOAD_EXPECT("F64 beyond float's range", np, "'dense.bias'");
    /* Transposed weight: same count, other shape. */
    rnnc_tensor w = ts[np - 2];
    ts[np - 2].dims[0] = w.dims[1], ts[np - 2].dims[1] = w.dims[0];
    LOAD_EXPECT("transposed weight", np, "'dense.weight'");
    ts[np - 2] = w;
    check(!memcmp(before, rnnc_model_params(m, &total), total * sizeof(float)),
          "params: failed loads leave the model unchanged");
    /* A model file whose description is broken. */
    const char *k[] = {"rnnc.config"}, *v[] = {"[lstm]\nhidden = zero\n"};
    rnnc_model *m2 = (rnnc_model *)1;
    check(rnnc_tensor_file_write(path, ts, np, k, v, 1) == RNNC_OK &&
              rnnc_model_load(path, &m2, NULL) == RNNC_ERR_FORMAT && m2 == NULL &&
              strstr(rnnc_last_error(), "p.safetensors") &&
              strstr(rnnc_last_error(), "rnnc.config") && strstr(rnnc_last_error(), "hidden"),
          "params: a broken rnnc.config is a format error naming it (%s)", rnnc_last_error());
    free(before);
    rnnc_model_free(m);
    free(cfg);
}

/* Random corruption of a valid model file: every result is OK or a format error, never a crash
 * (run under SAN=address,undefined). */
static void test_corruption(void) {
    size_t n;
    unsigned char *good = slurp(path_in(g_fix, "st_misc.safetensors"), &n);
    if (!check(good != NULL, "corruption: fixture read"))
        return;
    unsigned char *b = malloc(n);
    rnnc_rng r;
    rnnc_rng_seed(&r, 2024);
    int wrong = 0, accepted = 0;
    for (int it = 0; it < 3000; it++) {
        memcpy(b, good, n);
        size_t len = n;
        int kind = (int)rnnc_rng_below(&r, 4);
        int flips = 1 + (int)rnnc_rng_below(&r, 4);
        for (int k = 0; k < flips && kind != 3; k++) {
            size_t at =
                kind == 0 ? rnnc_rng_below(&r, 8) : 8 + rnnc_rng_below(&r, (uint32_t)(n - 8));
            b[at] = kind == 2 ? "{}[]\",:0123456789- \\"[rnnc_rng_below(&r, 20)]
                              : (unsigned char)rnnc_rng_below(&r, 256);
        }
        if (kind == 3)
            len = rnnc_rng_below(&r, (uint32_t)n);
        rnnc_tensor_file *f = NULL;
        rnnc_status st = rnnc_tensor_file_parse(b, len, "fuzz", &f);
        if (st == RNNC_OK) {
            accepted++;
            for (int i = 0; i < rnnc_tensor_file_count(f); i++) {
                const rnnc_tensor *t = rnnc_tensor_file_tensor(f, i);
                volatile unsigned char sink = 0;
                for (size_t j = 0; j < t->nbytes; j++)
                    sink ^= ((const unsigned char *)t->data)[j];
                (void)sink;
            }
        } else if (st != RNNC_ERR_FORMAT || !strstr(rnnc_last_error(), "fuzz")) {
            wrong++;
        }
        rnnc_tensor_file_free(f);
    }
    check(wrong == 0,
          "corruption: 3000 corrupted files give OK or a format error naming the file "
          "(%d wrong, %d still valid)",
          wrong, accepted);
    free(b), free(good);
}

/* ---------------------------------------------------------------------------------------------
 * Atomic writes
 */

static void test_atomic(void) {
    const char *path = path_in(g_dir, "keep.safetensors");
    float v[4] = {1, 2, 3, 4};
    rnnc_tensor t = {"v", RNNC_DTYPE_F32, 1, {4}, v, sizeof v};
    check(rnnc_tensor_file_write(path, &t, 1, NULL, NULL, 0) == RNNC_OK, "atomic: first write");
    size_t n0, n1;
    unsigned char *old = slurp(path, &n0);
    /* Overwrite with a valid file succeeds and replaces it. */
    v[0] = 9;
    check(rnnc_tensor_file_write(path, &t, 1, NULL, NULL, 0) == RNNC_OK, "atomic: overwrite");
    unsigned char *now = slurp(path, &n1);
    check(n1 == n0 && memcmp(old, now, n0) != 0, "atomic: the overwrite replaced the contents");
    free(old);
    old = now, n0 = n1;
    /* A write that fails midway: the file-size limit stops the data after 4 KB. */
    size_t big_n = 1 << 18;
    float *big = calloc(big_n, sizeof *big);
    rnnc_tensor bt = {"big", RNNC_DTYPE_F32, 1, {big_n}, big, big_n * sizeof *big};
    struct rlimit lim, save;
    getrlimit(RLIMIT_FSIZE, &save);
    lim = save;
    lim.rlim_cur = 4096;
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    int limited = setrlimit(RLIMIT_FSIZE, &lim) == 0;
    rnnc_status st = rnnc_tensor_file_write(path, &bt, 1, NULL, NULL, 0);
    setrlimit(RLIMIT_FSIZE, &save);
    signal(SIGXFSZ, prev);
    check(limited && st == RNNC_ERR_IO && strstr(rnnc_last_error(), "keep.safetensors"),
          "atomic: a write cut off midway fails with an IO error (%s)", rnnc_last_error());
    now = slurp(path, &n1);
    check(now && n1 == n0 && !memcmp(old, now, n0), "atomic: ... and the old file is intact");
    free(now);
    check(temp_files_left() == 0, "atomic: ... and no temporary file remains");
    /* A bad argument: nothing is touched. */
    bt.nbytes = 3;
    check(rnnc_tensor_file_write(path, &bt, 1, NULL, NULL, 0) == RNNC_ERR_ARG, "atomic: bad arg");
    now = slurp(path, &n1);
    check(now && n1 == n0 && !memcmp(old, now, n0) && temp_files_left() == 0,
          "atomic: a refused write leaves the old file intact");
    free(now);
    /* A directory where the file should go: the rename fails, the directory stays. */
    const char *dpath = path_in(g_dir, "adir.safetensors");
    mkdir(dpath, 0700);
    st = rnnc_tensor_file_write(dpath, &t, 1, NULL, NULL, 0);
    struct stat sb;
    check(
        st == RNNC_ERR_IO && stat(dpath, &sb) == 0 && S_ISDIR(sb.st_mode) && temp_files_left() == 0,
        "atomic: a directory in the way fails cleanly, no temporary left (%s)", rnnc_last_error());
    rmdir(dpath);
    /* A folder that does not exist. */
    st = rnnc_tensor_file_write(path_in(g_dir, "no/such/dir/x.safetensors"), &t, 1, NULL, NULL, 0);
    check(st == RNNC_ERR_IO && strstr(rnnc_last_error(), "no/such/dir"),
          "atomic: a missing folder is an IO error naming the path (%s)", rnnc_last_error());
    /* The model-level save is atomic too (it uses the same writer): a failing save keeps the old
     * model file loadable. */
    rnnc_config *cfg = new_config();
    rnnc_model *m = NULL, *m2 = NULL;
    rnnc_config_parse("[model]\ninput_size = 2\n[rnn]\nhidden = 300\n", "r", cfg);
    rnnc_model_create(cfg, 1, &m);
    const char *mp = path_in(g_dir, "m.safetensors");
    check(rnnc_model_save(m, mp, NULL, NULL, 0) == RNNC_OK, "atomic: model saved");
    getrlimit(RLIMIT_FSIZE, &save);
    lim = save;
    lim.rlim_cur = 8192;
    prev = signal(SIGXFSZ, SIG_IGN);
    setrlimit(RLIMIT_FSIZE, &lim);
    st = rnnc_model_save(m, mp, NULL, NULL, 0);
    setrlimit(RLIMIT_FSIZE, &save);
    signal(SIGXFSZ, prev);
    check(st == RNNC_ERR_IO && rnnc_model_load(mp, &m2, NULL) == RNNC_OK && temp_files_left() == 0,
          "atomic: a failed model save keeps the old model file loadable (%s)", rnnc_last_error());
    free(big), free(old), free(cfg);
    rnnc_model_free(m), rnnc_model_free(m2);
}

/* ---------------------------------------------------------------------------------------------
 * Optimizer state
 */

/* One Adam step from made-up gradients that depend on the step number. */
static void fake_step(rnnc_model *m, rnnc_optim *o, int step) {
    size_t n;
    float *g = rnnc_model_grads(m, &n);
    for (size_t i = 0; i < n; i++)
        g[i] = (float)sin(0.37 * (double)i + step);
    rnnc_optim_step(o);
}

static void test_optim_resume(void) {
    rnnc_config *cfg = new_config();
    rnnc_config_parse("[model]\ninput_size = 3\n[lstm]\nhidden = 4\n[dense]\nunits = 2\n", "o",
                      cfg);
    rnnc_optim_spec spec = rnnc_optim_spec_init(RNNC_OPTIM_ADAM);
    spec.amsgrad = 1;
    rnnc_model *m = NULL, *m2 = NULL, *m3 = NULL;
    rnnc_optim *o = NULL, *o2 = NULL, *o3 = NULL;
    rnnc_model_create(cfg, 4, &m);
    rnnc_optim_create(m, &spec, &o);
    for (int s = 0; s < 3; s++)
        fake_step(m, o, s);
    rnnc_optim_set_lr(o, 0.0123);
    const char *mp = path_in(g_dir, "ckpt.safetensors"), *op = path_in(g_dir, "ckpt.optim");
    rnnc_status st = rnnc_model_save(m, mp, NULL, NULL, 0);
    if (st == RNNC_OK)
        st = rnnc_optim_save(o, op);
    check(st == RNNC_OK, "optim: model and optimizer state saved (%s)",
          st ? rnnc_last_error() : "ok");
    for (int s = 3; s < 5; s++)
        fake_step(m, o, s);
    /* Resume: a fresh model and optimizer from the two files. */
    st = rnnc_model_load(mp, &m2, NULL);
    if (st == RNNC_OK)
        st = rnnc_optim_create(m2, &spec, &o2);
    if (st == RNNC_OK)
        st = rnnc_optim_load(o2, op);
    check(st == RNNC_OK && rnnc_optim_steps(o2) == 3 && rnnc_optim_lr(o2) == 0.0123,
          "optim: state loads; steps and learning rate restored (%s)",
          st ? rnnc_last_error() : "ok");
    for (int s = 3; s < 5 && m2; s++)
        fake_step(m2, o2, s);
    size_t n1, n2;
    const float *p1 = rnnc_model_params(m, &n1), *p2 = m2 ? rnnc_model_params(m2, &n2) : NULL;
    check(p2 && n1 == n2 && !memcmp(p1, p2, n1 * sizeof *p1),
          "optim: resumed training continues bit for bit");
    /* Teeth: resuming without the optimizer state does not. */
    rnnc_model_load(mp, &m3, NULL);
    rnnc_optim_create(m3, &spec, &o3);
    rnnc_optim_set_lr(o3, 0.0123);
    for (int s = 3; s < 5; s++)
        fake_step(m3, o3, s);
    check(memcmp(p1, rnnc_model_params(m3, &n2), n1 * sizeof *p1) != 0,
          "optim: teeth: a fresh optimizer gives different parameters");
    /* An optimizer with another state size refuses the file. */
    rnnc_optim *sgd = NULL;
    rnnc_optim_spec s2 = rnnc_optim_spec_init(RNNC_OPTIM_SGD);
    rnnc_optim_create(m3, &s2, &sgd);
    check(rnnc_optim_load(sgd, op) == RNNC_ERR_FORMAT && strstr(rnnc_last_error(), "ckpt.optim") &&
              strstr(rnnc_last_error(), "optim.state"),
          "optim: a state of the wrong size is a format error naming the tensor (%s)",
          rnnc_last_error());
    check(rnnc_optim_load(o3, mp) == RNNC_ERR_FORMAT && strstr(rnnc_last_error(), "optim.state"),
          "optim: a model file is not optimizer state (%s)", rnnc_last_error());
    rnnc_optim_free(o), rnnc_optim_free(o2), rnnc_optim_free(o3), rnnc_optim_free(sgd);
    rnnc_model_free(m), rnnc_model_free(m2), rnnc_model_free(m3);
    free(cfg);
}

static void cleanup(void) {
    DIR *d = opendir(g_dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.')
            unlink(path_in(g_dir, e->d_name));
    if (d)
        closedir(d);
    rmdir(g_dir);
}

int main(int argc, char **argv) {
    g_fix = argc > 1 ? argv[1] : "tests/fixtures";
    rnnc_set_num_threads(1);
    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/rnnc-modelfile-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!check(mkdtemp(g_dir) != NULL, "temporary folder %s", g_dir))
        return check_summary();
    test_config_text();
    test_tensor_roundtrip();
    test_python_misc();
    test_model_roundtrip("imdb-like", "[embedding]\nvocab = 50\ndim = 6\npadding_idx = 0\n"
                                      "[lstm]\nhidden = 5\nforget_bias = 1\n[dense]\nunits = 1\n");
    test_model_roundtrip("tagger", "[model]\ninput_size = 4\n[gru]\nname = enc\nhidden = 3\n"
                                   "layers = 2\nbidirectional = true\nreturn_sequences = true\n"
                                   "[dropout]\nrate = 0.3\n[rnn]\nhidden = 2\nnonlinearity = relu\n"
                                   "merge = sum\nbidirectional = 1\nreturn_sequences = 1\n"
                                   "[dense]\nunits = 3\nactivation = softmax\n");
    test_torch_state_dict();
    test_malformed();
    test_header_limits();
    test_bad_params();
    test_corruption();
    test_atomic();
    test_optim_resume();
    cleanup();
    return check_summary();
}
