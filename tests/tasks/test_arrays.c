/* Training on arrays through the public API (rnnc/arrays.h): a 2-layer GRU regressor on arrays in
 * memory that must end far below the mean predictor's error; an exact resume (the model equal bit
 * for bit to an uninterrupted run's); the same run with a batch callback instead of pointers;
 * class and per-step targets; the model file round trip; and the .npz reader on files written
 * here (the .npy bytes by hand, the zip by libarchive), good and malformed.
 *   test_arrays                      the checks
 *   test_arrays --write-fixtures DIR writes the .npz and .safetensors files that
 *                                    tests/tools/test_arrays.sh and test_errors.sh use */
#include "check.h"
#include "rnnc.h"

#include <archive.h>
#include <archive_entry.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- writing .npy and .npz ---- */

typedef struct member {
    const char *name; /* "x" -> x.npy */
    unsigned char *bytes;
    size_t n;
} member;

/* An .npy (version `major`) of header dict text `dict` and n data bytes. */
static member npy_raw(const char *name, int major, const char *dict, const void *data, size_t n) {
    const size_t pre = major == 1 ? 10 : 12, dl = strlen(dict);
    size_t hl = dl + 1; /* the dict, spaces, '\n'; pre + hl a multiple of 64 */
    while ((pre + hl) % 64)
        hl++;
    member m = {name, malloc(pre + hl + n), pre + hl + n};
    memcpy(m.bytes, "\x93NUMPY", 6);
    m.bytes[6] = (unsigned char)major, m.bytes[7] = 0;
    m.bytes[8] = (unsigned char)(hl & 255), m.bytes[9] = (unsigned char)(hl >> 8);
    if (major != 1)
        m.bytes[10] = m.bytes[11] = 0;
    memset(m.bytes + pre, ' ', hl);
    memcpy(m.bytes + pre, dict, dl);
    m.bytes[pre + hl - 1] = '\n';
    if (n)
        memcpy(m.bytes + pre + hl, data, n);
    return m;
}

/* An ordinary .npy: descr, C order, shape "(a, b)" text. */
static member npy(const char *name, const char *descr, const char *shape, const void *data,
                  size_t n) {
    char dict[256];
    snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr,
             shape);
    return npy_raw(name, 1, dict, data, n);
}

/* The members zipped (deflated) into path, or into memory (*out, *n_out) when path is NULL. */
static void write_npz(const char *path, member *m, int k, unsigned char **out, size_t *n_out) {
    struct archive *a = archive_write_new();
    archive_write_set_format_zip(a);
    size_t cap = 1 << 22, used = 0;
    unsigned char *buf = NULL;
    if (path) {
        archive_write_open_filename(a, path);
    } else {
        buf = malloc(cap);
        archive_write_open_memory(a, buf, cap, &used);
    }
    for (int i = 0; i < k; i++) {
        struct archive_entry *e = archive_entry_new();
        char name[128];
        snprintf(name, sizeof name, "%s.npy", m[i].name);
        archive_entry_set_pathname(e, name);
        archive_entry_set_size(e, (la_int64_t)m[i].n);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_write_header(a, e);
        archive_write_data(a, m[i].bytes, m[i].n);
        archive_entry_free(e);
        free(m[i].bytes);
    }
    archive_write_close(a);
    archive_write_free(a);
    if (!path)
        *out = buf, *n_out = used;
}

/* ---- the regression problem: y = (mean of feature 0 over the steps, feature 1 at the last step) */

enum { N = 512, T = 12, F = 2 };
static float X[N * T * F], Y[N * 2];
static int32_t LEN[N];

static void make_data(void) {
    rnnc_rng r;
    rnnc_rng_seed(&r, 11);
    memset(X, 0, sizeof X);
    for (int i = 0; i < N; i++) {
        LEN[i] = 4 + (int32_t)(rnnc_rng_uniform(&r) * (T - 3));
        if (LEN[i] > T)
            LEN[i] = T;
        double s = 0;
        for (int t = 0; t < LEN[i]; t++)
            for (int f = 0; f < F; f++) {
                const float v = (float)(2 * rnnc_rng_uniform(&r) - 1);
                X[(i * T + t) * F + f] = v;
                if (f == 0)
                    s += v;
            }
        Y[i * 2] = (float)(s / LEN[i]);
        Y[i * 2 + 1] = X[(i * T + LEN[i] - 1) * F + 1];
    }
}

static rnnc_arrays regression(size_t from, size_t n) {
    rnnc_arrays a;
    memset(&a, 0, sizeof a);
    a.n = N, a.T = T, a.F = F, a.x = X, a.lengths = LEN, a.y = Y;
    a.target = RNNC_TARGET_REGRESSION, a.outputs = 2;
    rnnc_arrays v;
    rnnc_arrays_slice(&a, from, n, &v);
    return v;
}

static rnnc_model *gru2(int outputs, int seq, int input) {
    char desc[256];
    snprintf(desc, sizeof desc,
             "[model]\ninput_size = %d\n[gru]\nhidden = 24\nlayers = 2\nreturn_sequences = %s\n"
             "[dense]\nunits = %d\n",
             input, seq ? "true" : "false", outputs);
    rnnc_config c;
    rnnc_model *m = NULL;
    if (rnnc_config_parse(desc, "test", &c) || rnnc_model_create(&c, 5, &m))
        printf("model: %s\n", rnnc_last_error());
    return m;
}

static rnnc_fit_spec spec_of(int epochs, const char *out) {
    rnnc_fit_spec s = rnnc_fit_spec_init();
    s.epochs = epochs, s.batch_size = 32, s.seed = 9;
    s.optim.lr = 0.01;
    s.out_dir = out;
    return s;
}

static int same_params(rnnc_model *a, rnnc_model *b) {
    size_t na, nb;
    const float *pa = rnnc_model_params(a, &na), *pb = rnnc_model_params(b, &nb);
    return na == nb && !memcmp(pa, pb, na * sizeof *pa);
}

static char tmpdir[] = "/tmp/rnnc-arrays-XXXXXX";

static int stop_at_30(void *user) {
    (void)user;
    static int calls;
    return ++calls == 30;
}

static void test_regression(void) {
    const rnnc_arrays tr = regression(0, 448), va = regression(448, 64);
    /* the mean predictor's MSE on the validation rows (the training rows' means) */
    double mu[2] = {0, 0}, triv = 0;
    for (size_t i = 0; i < tr.n; i++)
        mu[0] += tr.y[i * 2] / (double)tr.n, mu[1] += tr.y[i * 2 + 1] / (double)tr.n;
    for (size_t i = 0; i < va.n * 2; i++)
        triv += pow(va.y[i] - mu[i % 2], 2) / (double)(va.n * 2);
    rnnc_model *m = gru2(2, 0, F);
    char dir[512];
    snprintf(dir, sizeof dir, "%s/full", tmpdir);
    rnnc_fit_spec s = spec_of(12, dir);
    rnnc_epoch_report last;
    rnnc_status st = rnnc_fit_arrays(m, &tr, &va, &s, &last);
    check(st == RNNC_OK, "rnnc_fit_arrays: 12 epochs of a 2-layer GRU regressor (%s)",
          st ? rnnc_last_error() : "ok");
    rnnc_arrays_scores sc;
    st = rnnc_arrays_evaluate(m, &va, 0, &sc);
    check(st == RNNC_OK && sc.loss < triv / 10 && sc.r2 > 0.9 &&
              fabs(sc.loss - last.val_loss) < 1e-6,
          "it learns: validation MSE %.5f < the mean predictor's %.5f / 10, R^2 %.3f, equal to the "
          "last epoch's val_loss %.5f",
          sc.loss, triv, sc.r2, last.val_loss);

    /* an exact resume: 5 epochs, then on to 12 from the checkpoint */
    char half[512], ck[600];
    snprintf(half, sizeof half, "%s/half", tmpdir);
    rnnc_model *h = gru2(2, 0, F);
    rnnc_fit_spec s5 = spec_of(5, half);
    st = rnnc_fit_arrays(h, &tr, &va, &s5, &last);
    rnnc_model_free(h);
    h = gru2(2, 0, F);
    snprintf(ck, sizeof ck, "%s/checkpoint.safetensors", half);
    rnnc_fit_spec s12 = spec_of(12, half);
    s12.resume = ck;
    if (st == RNNC_OK)
        st = rnnc_fit_arrays(h, &tr, &va, &s12, &last);
    check(st == RNNC_OK && last.epoch == 12 && same_params(m, h),
          "5 epochs, then resumed to 12: every parameter equal bit for bit to the uninterrupted "
          "run's (%s)",
          st ? rnnc_last_error() : "ok");
    /* stopped inside epoch 3 (after its second batch: 14 batches an epoch), resumed to 12 */
    char mid[512], ck2[600];
    snprintf(mid, sizeof mid, "%s/mid", tmpdir);
    snprintf(ck2, sizeof ck2, "%s/checkpoint.safetensors", mid);
    rnnc_model *g = gru2(2, 0, F);
    rnnc_fit_spec sm = spec_of(12, mid);
    sm.should_stop = stop_at_30;
    st = rnnc_fit_arrays(g, &tr, &va, &sm, &last);
    const int stopped = st == RNNC_OK && last.interrupted && last.epoch == 3;
    rnnc_model_free(g);
    g = gru2(2, 0, F);
    rnnc_fit_spec sr = spec_of(12, mid);
    sr.resume = ck2;
    if (st == RNNC_OK)
        st = rnnc_fit_arrays(g, &tr, &va, &sr, &last);
    check(stopped && st == RNNC_OK && same_params(m, g),
          "stopped by should_stop inside epoch 3, resumed: equal bit for bit to the uninterrupted "
          "run (%s)",
          st ? rnnc_last_error() : "ok");
    rnnc_model_free(g);
    /* another setup is refused */
    const rnnc_arrays other = regression(0, 440);
    rnnc_fit_spec s13 = spec_of(13, half);
    s13.resume = ck;
    st = rnnc_fit_arrays(h, &other, &va, &s13, &last);
    check(st == RNNC_ERR_ARG && strstr(rnnc_last_error(), "train"),
          "resuming on other training rows is refused, naming the key: %s", rnnc_last_error());

    /* the model file: saved by the run, loaded, scored the same */
    char path[600];
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    rnnc_model *l = NULL;
    rnnc_arrays_info info;
    st = rnnc_arrays_load(path, &l, &info);
    rnnc_arrays_scores sl;
    if (st == RNNC_OK)
        st = rnnc_arrays_evaluate(l, &va, 7, &sl);
    check(st == RNNC_OK && info.target == RNNC_TARGET_REGRESSION && info.outputs == 2 &&
              info.F == F && fabs(sl.loss - sc.loss) <= 1e-6 * sc.loss &&
              fabs(sl.mae - sc.mae) <= 1e-6 * sc.mae,
          "model.safetensors loads as an arrays model (regression, 2 outputs, 2 features) and "
          "scores the same in batches of 7 (to 1e-6: another batching sums in another order) (%s)",
          st ? rnnc_last_error() : "ok");
    float *p = malloc(va.n * 2 * sizeof *p);
    rnnc_arrays nolab = va;
    nolab.y = NULL;
    st = rnnc_arrays_predict(l, &nolab, 0, p);
    double mse = 0;
    for (size_t i = 0; st == RNNC_OK && i < va.n * 2; i++)
        mse += pow(p[i] - va.y[i], 2) / (double)(va.n * 2);
    check(st == RNNC_OK && fabs(mse - sc.loss) < 1e-6,
          "rnnc_arrays_predict without targets: its MSE %.6f is the evaluated loss", mse);
    free(p);
    /* a classifier's loader refuses it, naming the task */
    rnnc_classifier *cl = NULL;
    st = rnnc_classifier_load(path, &cl);
    check(st != RNNC_OK && strstr(rnnc_last_error(), "'arrays'"),
          "another task's loader names rnnc.task 'arrays': %s", rnnc_last_error());
    rnnc_model_free(l);
    rnnc_model_free(m);
    rnnc_model_free(h);
}

/* The same rows from a callback: the same run bit for bit. */
static rnnc_status fill_rows(void *user, const size_t *idx, int B, float *x, int32_t *ids,
                             int32_t *lengths, float *y, int32_t *labels) {
    (void)user, (void)ids, (void)labels;
    for (int b = 0; b < B; b++) {
        memcpy(x + (size_t)b * T * F, X + idx[b] * T * F, T * F * sizeof(float));
        lengths[b] = LEN[idx[b]];
        memcpy(y + b * 2, Y + idx[b] * 2, 2 * sizeof(float));
    }
    return RNNC_OK;
}

static void test_callback(void) {
    rnnc_arrays cb;
    memset(&cb, 0, sizeof cb);
    cb.n = N, cb.T = T, cb.F = F, cb.target = RNNC_TARGET_REGRESSION, cb.outputs = 2;
    cb.fill = fill_rows;
    rnnc_arrays tr, va;
    rnnc_arrays_slice(&cb, 0, 448, &tr);
    rnnc_arrays_slice(&cb, 448, 64, &va);
    const rnnc_arrays ptr = regression(0, 448), pva = regression(448, 64);
    rnnc_model *a = gru2(2, 0, F), *b = gru2(2, 0, F);
    rnnc_fit_spec s = spec_of(2, NULL);
    rnnc_epoch_report ra, rb;
    rnnc_status st = rnnc_fit_arrays(a, &tr, &va, &s, &ra);
    if (st == RNNC_OK)
        st = rnnc_fit_arrays(b, &ptr, &pva, &s, &rb);
    check(st == RNNC_OK && same_params(a, b) && ra.val_loss == rb.val_loss,
          "a fill callback trains exactly as the same arrays in memory (%s)",
          st ? rnnc_last_error() : "ok");
    rnnc_model_free(a), rnnc_model_free(b);
}

/* Classes (the sign of the sum of feature 0) and per-step labels (the sign of feature 0 at each
 * step, -1 = not counted on every third step). */
static void test_classes(void) {
    static int32_t lab[N], steps[N * T];
    for (int i = 0; i < N; i++) {
        double s = 0;
        for (int t = 0; t < T; t++) {
            const float v = X[(i * T + t) * F];
            if (t < LEN[i])
                s += v;
            steps[i * T + t] = t % 3 == 2 ? -1 : v > 0;
        }
        lab[i] = s > 0;
    }
    rnnc_arrays a;
    memset(&a, 0, sizeof a);
    a.n = 448, a.T = T, a.F = F, a.x = X, a.lengths = LEN, a.labels = lab;
    a.target = RNNC_TARGET_CLASSES, a.outputs = 2;
    rnnc_model *m = gru2(2, 0, F);
    rnnc_fit_spec s = spec_of(8, NULL);
    rnnc_epoch_report r;
    rnnc_status st = rnnc_fit_arrays(m, &a, NULL, &s, &r);
    rnnc_arrays_scores sc;
    if (st == RNNC_OK)
        st = rnnc_arrays_evaluate(m, &a, 0, &sc);
    check(st == RNNC_OK && sc.metrics.accuracy > 0.9 && sc.n == 448,
          "classes: accuracy %.3f over %zu sequences (%s)", sc.metrics.accuracy, sc.n,
          st ? rnnc_last_error() : "ok");
    rnnc_model_free(m);

    a.labels = steps, a.target = RNNC_TARGET_STEPS;
    m = gru2(2, 1, F);
    st = rnnc_fit_arrays(m, &a, NULL, &s, &r);
    if (st == RNNC_OK)
        st = rnnc_arrays_evaluate(m, &a, 0, &sc);
    size_t counted = 0;
    for (size_t i = 0; i < a.n; i++)
        for (int t = 0; t < LEN[i]; t++)
            counted += steps[i * T + t] >= 0;
    check(st == RNNC_OK && sc.metrics.accuracy > 0.95 && sc.n == counted,
          "per-step labels: accuracy %.3f over the %zu counted steps (not padding, not -1) (%s)",
          sc.metrics.accuracy, sc.n, st ? rnnc_last_error() : "ok");
    float *p = malloc(a.n * T * 2 * sizeof *p);
    st = rnnc_arrays_predict(m, &a, 0, p);
    check(st == RNNC_OK && p[(size_t)(0 * T + LEN[0]) * 2] == 0 && fabsf(p[0] + p[1] - 1) < 1e-5,
          "per-step predictions: probabilities at each step, zeros past the length");
    free(p);
    /* a model of the wrong shape is refused, naming the layer's output */
    rnnc_model *w = gru2(2, 0, F);
    st = rnnc_fit_arrays(w, &a, NULL, &s, &r);
    check(st == RNNC_ERR_SHAPE && strstr(rnnc_last_error(), "per step"),
          "per-step labels on a model without sequences: %s", rnnc_last_error());
    rnnc_model_free(w);
    rnnc_model_free(m);
    /* labels out of range */
    lab[3] = 2;
    a.labels = lab, a.target = RNNC_TARGET_CLASSES;
    st = rnnc_arrays_check(&a, NULL, "the data");
    check(st == RNNC_ERR_ARG && strstr(rnnc_last_error(), "label 2 at 3"),
          "a label out of range: %s", rnnc_last_error());
    lab[3] = 0;
}

/* ---- the reader ---- */

/* The good file: x float32 (6,4,2), lengths int64 (6), y float64 (6); plus an unused member. */
static void good_members(member *m) {
    float x[6 * 4 * 2];
    int64_t len[6];
    double y[6];
    for (int i = 0; i < 48; i++)
        x[i] = (float)i / 8;
    for (int i = 0; i < 6; i++)
        len[i] = 1 + i % 4, y[i] = i * 0.5;
    m[0] = npy("x", "<f4", "(6, 4, 2)", x, sizeof x);
    m[1] = npy("lengths", "<i8", "(6,)", len, sizeof len);
    m[2] = npy("y", "<f8", "(6,)", y, sizeof y);
    m[3] = npy("notes", "|u1", "(3,)", "abc", 3);
}

static rnnc_status parse(member *m, int k, rnnc_arrays_file **f) {
    unsigned char *b;
    size_t n;
    write_npz(NULL, m, k, &b, &n);
    rnnc_arrays_source s = rnnc_arrays_source_init();
    const rnnc_status st = rnnc_arrays_parse_npz(b, n, "t.npz", &s, f);
    free(b);
    return st;
}

/* A malformed file: the good members with member `which` replaced. */
static void refused(const char *what, int which, member bad, const char *pattern) {
    member m[4];
    good_members(m);
    free(m[which].bytes);
    m[which] = bad;
    rnnc_arrays_file *f = NULL;
    const rnnc_status st = parse(m, 4, &f);
    check(st == RNNC_ERR_FORMAT && strstr(rnnc_last_error(), "t.npz") &&
              strstr(rnnc_last_error(), pattern),
          "%s: refused naming the file and '%s': %s", what, pattern,
          st ? rnnc_last_error() : "accepted");
    rnnc_arrays_file_free(f);
}

static void test_reader(void) {
    member m[4];
    good_members(m);
    rnnc_arrays_file *f = NULL;
    rnnc_status st = parse(m, 4, &f);
    const rnnc_arrays *a = st ? NULL : rnnc_arrays_file_data(f);
    check(a && a->n == 6 && a->T == 4 && a->F == 2 && a->x[47] == 47.0f / 8 && a->lengths[5] == 2 &&
              a->y[3] == 1.5f && a->target == RNNC_TARGET_REGRESSION && a->outputs == 1,
          "an .npz of float32 x (6,4,2), int64 lengths, float64 y: read and converted (%s)",
          st ? rnnc_last_error() : "ok");
    rnnc_arrays_file_free(f);
    /* version 2.0 and 3.0 headers, and integer labels */
    int32_t lab[6] = {0, 1, 2, 0, 1, 2};
    good_members(m);
    free(m[2].bytes);
    char dict[128] = "{'descr': '<i4', 'fortran_order': False, 'shape': (6,)}";
    m[2] = npy_raw("y", 2, dict, lab, sizeof lab);
    free(m[0].bytes);
    {
        float x[48] = {0};
        m[0] = npy_raw("x", 3, "{'descr': '<f4', 'fortran_order': False, 'shape': (6, 4, 2), }", x,
                       sizeof x);
    }
    st = parse(m, 4, &f);
    a = st ? NULL : rnnc_arrays_file_data(f);
    check(a && a->target == RNNC_TARGET_CLASSES && a->outputs == 3 && a->labels[2] == 2,
          ".npy versions 3.0 and 2.0; int32 y (6) read as 3 classes (%s)",
          st ? rnnc_last_error() : "ok");
    rnnc_arrays_file_free(f);

    float x48[48] = {0};
    refused("Fortran order", 0,
            npy_raw("x", 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (6, 4, 2), }", x48,
                    sizeof x48),
            "array 'x': fortran_order is True");
    refused("big-endian", 0, npy("x", ">f4", "(6, 4, 2)", x48, sizeof x48),
            "array 'x': dtype '>f4' is big-endian");
    refused("object dtype", 2, npy("y", "|O", "(6,)", "", 0), "array 'y': dtype '|O' is not read");
    refused("float16", 2, npy("y", "<f2", "(6,)", x48, 12), "dtype '<f2' is not read");
    refused("data shorter than the shape", 0, npy("x", "<f4", "(6, 4, 2)", x48, 100),
            "array 'x': holds 100 bytes of data; its shape and dtype '<f4' need 192");
    refused("y's rows", 2, npy("y", "<f4", "(5,)", x48, 20), "array 'y': shape (5); expected (6)");
    refused("lengths past T", 1, npy("lengths", "<i4", "(6,)", (int32_t[]){1, 2, 3, 4, 5, 1}, 24),
            "array 'lengths': element 4 (row 4) is 5; lengths must be in [1, 4]");
    refused("float lengths", 1, npy("lengths", "<f4", "(6,)", x48, 24),
            "lengths must be integers, not float32");
    float nan48[48] = {0};
    nan48[9] = NAN;
    refused("NaN in x", 0, npy("x", "<f4", "(6, 4, 2)", nan48, sizeof nan48),
            "array 'x': element 9 (row 1) is nan");
    refused("no magic", 0, (member){"x", (unsigned char *)strdup("hello, world"), 12},
            "array 'x': not an .npy array");
    refused("a version 9 header", 0,
            npy_raw("x", 9, "{'descr': '<f4', 'fortran_order': False, 'shape': (6, 4, 2), }", x48,
                    sizeof x48),
            ".npy format version 9.0");
    refused("a header that is no dict", 0, npy_raw("x", 1, "descr", x48, sizeof x48),
            "the .npy header is not a dict");
    refused("an unknown header key", 0,
            npy_raw("x", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (6, 4, 2), 'z': 1}",
                    x48, sizeof x48),
            "unknown key 'z'");
    refused("x of rank 1", 0, npy("x", "<f4", "(48,)", x48, sizeof x48), "array 'x': shape (48)");
    /* no inputs, no targets, not a zip */
    good_members(m);
    free(m[0].bytes), free(m[2].bytes);
    m[0] = m[3];
    st = parse(m, 2, &f);
    check(st == RNNC_ERR_FORMAT && strstr(rnnc_last_error(), "holds no inputs"), "no x or ids: %s",
          rnnc_last_error());
    rnnc_arrays_source s = rnnc_arrays_source_init();
    st = rnnc_arrays_parse_npz("not a zip at all", 16, "t.npz", &s, &f);
    check(st == RNNC_ERR_FORMAT && strstr(rnnc_last_error(), "t.npz: not an .npz"),
          "bytes that are no zip: %s", rnnc_last_error());
}

/* ---- fixture files for the shell tests ---- */

static void write_file_npz(const char *dir, const char *name, member *m, int k) {
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    write_npz(p, m, k, NULL, NULL);
}

static int write_fixtures(const char *dir) {
    make_data();
    char p[1024];
    /* the regression: x float32 (N,T,F), lengths int64, y float32 (N,2) */
    int64_t len64[N];
    for (int i = 0; i < N; i++)
        len64[i] = LEN[i];
    char shape[64];
    member m[4];
    snprintf(shape, sizeof shape, "(%d, %d, %d)", N, T, F);
    m[0] = npy("x", "<f4", shape, X, sizeof X);
    m[1] = npy("lengths", "<i8", "(512,)", len64, sizeof len64);
    m[2] = npy("y", "<f4", "(512, 2)", Y, sizeof Y);
    write_file_npz(dir, "reg.npz", m, 3);
    /* the same as safetensors */
    rnnc_tensor t[3] = {
        {"x", RNNC_DTYPE_F32, 3, {N, T, F}, X, sizeof X},
        {"y", RNNC_DTYPE_F32, 2, {N, 2}, Y, sizeof Y},
        {"lengths", RNNC_DTYPE_I32, 1, {N}, LEN, sizeof LEN},
    };
    snprintf(p, sizeof p, "%s/reg.safetensors", dir);
    if (rnnc_tensor_file_write(p, t, 3, NULL, NULL, 0)) {
        fprintf(stderr, "%s\n", rnnc_last_error());
        return 1;
    }
    /* x and lengths without targets, for predict */
    m[0] = npy("x", "<f4", shape, X, sizeof X);
    m[1] = npy("lengths", "<i8", "(512,)", len64, sizeof len64);
    write_file_npz(dir, "x_only.npz", m, 2);
    /* malformed files */
    float x[48] = {0};
    m[0] = npy_raw("x", 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (6, 4, 2), }", x,
                   sizeof x);
    m[1] = npy("y", "<f4", "(6,)", x, 24);
    write_file_npz(dir, "fortran.npz", m, 2);
    m[0] = npy("x", ">f4", "(6, 4, 2)", x, sizeof x);
    m[1] = npy("y", "<f4", "(6,)", x, 24);
    write_file_npz(dir, "bigendian.npz", m, 2);
    m[0] = npy("x", "<f4", "(6, 4, 2)", x, sizeof x);
    m[1] = npy("y", "|O", "(6,)", "", 0);
    write_file_npz(dir, "object.npz", m, 2);
    m[0] = npy("x", "<f4", "(6, 4, 2)", x, 100);
    m[1] = npy("y", "<f4", "(6,)", x, 24);
    write_file_npz(dir, "short.npz", m, 2);
    m[0] = npy("x", "<f4", "(6, 4, 2)", x, sizeof x);
    m[1] = npy("y", "<f4", "(5,)", x, 20);
    write_file_npz(dir, "rows.npz", m, 2);
    m[0] = (member){"x", (unsigned char *)strdup("hello, world"), 12};
    m[1] = npy("y", "<f4", "(6,)", x, 24);
    write_file_npz(dir, "magic.npz", m, 2);
    m[0] = npy("x", "<f4", "(6, 4, 2)", x, sizeof x);
    m[1] = npy("lengths", "<i4", "(6,)", (int32_t[]){1, 2, 3, 4, 5, 1}, 24);
    m[2] = npy("y", "<f4", "(6,)", x, 24);
    write_file_npz(dir, "lengths.npz", m, 3);
    m[0] = npy("y", "<f4", "(6,)", x, 24);
    write_file_npz(dir, "noinputs.npz", m, 1);
    {
        static float x3[6 * 4 * 3];
        m[0] = npy("x", "<f4", "(6, 4, 3)", x3, sizeof x3);
        m[1] = npy("y", "<f4", "(6, 2)", x3, 48);
        write_file_npz(dir, "features3.npz", m, 2);
    }
    /* ids (N,T) int32 with per-step labels (N,T) int8: the id's parity, -1 past the length */
    {
        static int32_t ids[N * T];
        static int8_t steps[N * T];
        for (int i = 0; i < N * T; i++) {
            ids[i] = 1 + (int32_t)((X[i * F] + 1) * 4.5f);
            steps[i] = i % T < LEN[i / T] ? (int8_t)(ids[i] % 2) : -1;
        }
        snprintf(shape, sizeof shape, "(%d, %d)", N, T);
        m[0] = npy("ids", "<i4", shape, ids, sizeof ids);
        m[1] = npy("lengths", "<i8", "(512,)", len64, sizeof len64);
        m[2] = npy("y", "|i1", shape, steps, sizeof steps);
        write_file_npz(dir, "steps.npz", m, 3);
    }
    snprintf(p, sizeof p, "%s/notzip.npz", dir);
    FILE *f = fopen(p, "wb");
    fputs("x,y\n1,2\n", f);
    fclose(f);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && !strcmp(argv[1], "--write-fixtures"))
        return write_fixtures(argv[2]);
    rnnc_set_num_threads(1);
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    make_data();
    test_reader();
    test_regression();
    test_callback();
    test_classes();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        printf("could not remove %s\n", tmpdir);
    return check_summary();
}
