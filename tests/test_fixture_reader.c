/* test_fixture_reader.c - self-test for tests/fixture.c.
 *
 * Build and run from the repository root:
 *   cc -std=c11 -Wall -Wextra -Wpedantic -Wshadow -O1 -fsanitize=address,undefined \
 *      tests/test_fixture_reader.c tests/fixture.c -o /tmp/tfr && /tmp/tfr
 * Optional argument: the fixtures directory (default tests/fixtures).
 */
#define _POSIX_C_SOURCE 200809L /* mkstemp, fdopen */

#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int g_pass, g_fail;
static char g_tmpdir[512];

static void check(int cond, const char *label, const char *detail) {
    if (cond) {
        g_pass++;
        printf("ok   - %s\n", label);
    } else {
        g_fail++;
        printf("FAIL - %s%s%s\n", label, detail ? ": " : "", detail ? detail : "");
    }
}

static int dims_are(const fixture_tensor *t, int ndim, const size_t *dims) {
    int i;
    size_t n = 1;
    if (t == NULL || t->ndim != ndim)
        return 0;
    for (i = 0; i < ndim; i++) {
        if (t->dims[i] != dims[i])
            return 0;
        n *= dims[i];
    }
    return t->n == n && (n == 0 || t->data != NULL);
}

static int meta_is(const fixture *f, const char *key, const char *want) {
    const char *v = fixture_meta(f, key);
    return v != NULL && strcmp(v, want) == 0;
}

/* Writes len bytes to a fresh temp file; returns its path in path (static). */
static const char *write_temp(const char *data, size_t len) {
    static char path[600];
    int fd;
    FILE *fp;
    snprintf(path, sizeof path, "%s/rnnc_fixture_XXXXXX", g_tmpdir);
    fd = mkstemp(path);
    if (fd < 0)
        return NULL;
    fp = fdopen(fd, "wb");
    if (fp == NULL) {
        close(fd);
        remove(path);
        return NULL;
    }
    if (len && fwrite(data, 1, len, fp) != len) {
        fclose(fp);
        remove(path);
        return NULL;
    }
    fclose(fp);
    return path;
}

/* Expects fixture_load to fail; message must name the file, line `line`
 * (0: don't check the line) and contain `want`. */
static void expect_reject(const char *label, const char *data, size_t len, int line,
                          const char *want) {
    char err[512], detail[700], linetag[32];
    const char *path = write_temp(data, len);
    fixture *f;
    if (path == NULL) {
        check(0, label, "cannot write temp file");
        return;
    }
    err[0] = '\0';
    f = fixture_load(path, err, sizeof err);
    remove(path);
    if (f != NULL) {
        fixture_free(f);
        check(0, label, "accepted malformed input");
        return;
    }
    snprintf(linetag, sizeof linetag, ":%d:", line);
    snprintf(detail, sizeof detail, "message was \"%s\"", err);
    check(strstr(err, path) != NULL && (line == 0 || strstr(err, linetag) != NULL) &&
              strstr(err, want) != NULL,
          label, detail);
    printf("       (%s)\n", err);
}

static void expect_reject_str(const char *label, const char *data, int line, const char *want) {
    expect_reject(label, data, strlen(data), line, want);
}

/* Reads a whole file (test helper; small files only). */
static char *slurp(const char *path, size_t *len) {
    FILE *fp = fopen(path, "rb");
    char *buf;
    long sz;
    if (fp == NULL)
        return NULL;
    if (fseek(fp, 0, SEEK_END) != 0 || (sz = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0) {
        fclose(fp);
        return NULL;
    }
    buf = malloc((size_t)sz + 1);
    if (buf == NULL || fread(buf, 1, (size_t)sz, fp) != (size_t)sz) {
        free(buf);
        fclose(fp);
        return NULL;
    }
    fclose(fp);
    buf[sz] = '\0';
    *len = (size_t)sz;
    return buf;
}

static void test_known_fixture(const char *dir) {
    char path[600], err[512];
    fixture *f;
    const fixture_tensor *t;
    static const size_t d_len[] = {4}, d_x[] = {7, 4, 3}, d_h[] = {4, 4, 5}, d_wih1r[] = {20, 10},
                        d_whh0[] = {20, 5}, d_b[] = {20}, d_y[] = {7, 4, 10};
    snprintf(path, sizeof path, "%s/rnn_lstm_l2_bi_pre.txt", dir);
    f = fixture_load(path, err, sizeof err);
    check(f != NULL, "load rnn_lstm_l2_bi_pre.txt", err);
    if (f == NULL)
        return;
    check(meta_is(f, "cell", "lstm"), "meta cell == lstm", NULL);
    check(meta_is(f, "nonlinearity", "tanh"), "meta nonlinearity == tanh", NULL);
    check(meta_is(f, "padding", "pre"), "meta padding == pre", NULL);
    check(fixture_meta_int(f, "layers", -1) == 2, "meta layers == 2", NULL);
    check(fixture_meta_int(f, "bidirectional", -1) == 1, "meta bidirectional == 1", NULL);
    check(fixture_meta_int(f, "T", -1) == 7 && fixture_meta_int(f, "B", -1) == 4 &&
              fixture_meta_int(f, "I", -1) == 3 && fixture_meta_int(f, "H", -1) == 5,
          "meta T,B,I,H == 7,4,3,5", NULL);
    check(fixture_meta(f, "nope") == NULL, "absent meta -> NULL", NULL);
    check(fixture_meta_int(f, "nope", 42) == 42, "absent meta_int -> fallback", NULL);
    check(fixture_meta_int(f, "cell", 42) == 42, "non-integer meta_int -> fallback", NULL);

    t = fixture_get(f, "lengths");
    check(dims_are(t, 1, d_len) && t->data[0] == 5 && t->data[1] == 7 && t->data[2] == 1 &&
              t->data[3] == 2,
          "lengths == [5 7 1 2]", NULL);
    check(dims_are(fixture_get(f, "x"), 3, d_x), "x is (7,4,3)", NULL);
    check(dims_are(fixture_get(f, "grad.x"), 3, d_x), "grad.x is (7,4,3)", NULL);
    check(dims_are(fixture_get(f, "h0"), 3, d_h) && dims_are(fixture_get(f, "c0"), 3, d_h) &&
              dims_are(fixture_get(f, "hn"), 3, d_h) && dims_are(fixture_get(f, "cn"), 3, d_h),
          "h0,c0,hn,cn are (4,4,5)", NULL);
    check(dims_are(fixture_get(f, "weight_hh_l0"), 2, d_whh0), "weight_hh_l0 is (20,5)", NULL);
    check(dims_are(fixture_get(f, "weight_ih_l1_reverse"), 2, d_wih1r),
          "weight_ih_l1_reverse is (20,10)", NULL);
    check(dims_are(fixture_get(f, "grad.bias_hh_l1_reverse"), 1, d_b),
          "grad.bias_hh_l1_reverse is (20)", NULL);
    check(dims_are(fixture_get(f, "y"), 3, d_y) && dims_are(fixture_get(f, "dy"), 3, d_y),
          "y, dy are (7,4,10)", NULL);
    check(fixture_get(f, "weight_ih_l2") == NULL && fixture_get(f, "") == NULL,
          "absent tensor -> NULL", NULL);

    /* pre-padding: padded steps are t < T - len_b; y and grad.x must be 0. */
    {
        const fixture_tensor *len = fixture_get(f, "lengths");
        const fixture_tensor *y = fixture_get(f, "y"), *gx = fixture_get(f, "grad.x");
        const fixture_tensor *x = fixture_get(f, "x");
        int ok = len && y && gx && x, nz_valid = 0;
        size_t tt, b, k;
        for (tt = 0; ok && tt < 7; tt++)
            for (b = 0; b < 4; b++) {
                int padded = (double)tt < 7.0 - len->data[b];
                for (k = 0; k < 10; k++)
                    if (padded && y->data[(tt * 4 + b) * 10 + k] != 0.0)
                        ok = 0;
                for (k = 0; k < 3; k++) {
                    if (padded && (gx->data[(tt * 4 + b) * 3 + k] != 0.0 ||
                                   x->data[(tt * 4 + b) * 3 + k] != 0.0))
                        ok = 0;
                    if (!padded && gx->data[(tt * 4 + b) * 3 + k] != 0.0)
                        nz_valid++;
                }
            }
        check(ok && nz_valid > 0, "x, y, grad.x zero exactly at pre-padded steps", NULL);
    }
    fixture_free(f);
}

/* Every generated fixture loads and has self-consistent shapes. */
static void test_all_fixtures(const char *dir) {
    static const char *const cells[] = {"rnn", "lstm", "gru"};
    char name[128], path[700], err[512], label[200];
    int ci, l, bi, pi, extra;
    for (extra = 0; extra < 26; extra++) {
        fixture *f;
        int L, D, T, B, I, H, ok, is_lstm;
        size_t dx[3], dy[3], dh[3];
        if (extra < 24) {
            ci = extra / 8;
            l = 1 + (extra / 4) % 2;
            bi = (extra / 2) % 2;
            pi = extra % 2;
            snprintf(name, sizeof name, "rnn_%s_l%d_%s_%s.txt", cells[ci], l, bi ? "bi" : "uni",
                     pi ? "post" : "pre");
        } else if (extra == 24) {
            snprintf(name, sizeof name, "rnn_rnnrelu_l1_bi_post.txt");
        } else {
            snprintf(name, sizeof name, "rnn_lstm_l1_uni_full.txt");
        }
        snprintf(path, sizeof path, "%s/%s", dir, name);
        f = fixture_load(path, err, sizeof err);
        if (f == NULL) {
            snprintf(label, sizeof label, "load %s", name);
            check(0, label, err);
            continue;
        }
        L = fixture_meta_int(f, "layers", 0);
        D = fixture_meta_int(f, "bidirectional", 0) ? 2 : 1;
        T = fixture_meta_int(f, "T", 0);
        B = fixture_meta_int(f, "B", 0);
        I = fixture_meta_int(f, "I", 0);
        H = fixture_meta_int(f, "H", 0);
        is_lstm = meta_is(f, "cell", "lstm");
        dx[0] = dy[0] = (size_t)T;
        dx[1] = dy[1] = (size_t)B;
        dx[2] = (size_t)I;
        dy[2] = (size_t)(D * H);
        dh[0] = (size_t)(L * D);
        dh[1] = (size_t)B;
        dh[2] = (size_t)H;
        ok = L > 0 && T > 0 && B > 0 && I > 0 && H > 0 && dims_are(fixture_get(f, "x"), 3, dx) &&
             dims_are(fixture_get(f, "grad.x"), 3, dx) && dims_are(fixture_get(f, "y"), 3, dy) &&
             dims_are(fixture_get(f, "dy"), 3, dy) && dims_are(fixture_get(f, "h0"), 3, dh) &&
             dims_are(fixture_get(f, "hn"), 3, dh) && dims_are(fixture_get(f, "grad.h0"), 3, dh) &&
             (fixture_get(f, "c0") != NULL) == is_lstm &&
             (fixture_get(f, "grad.c0") != NULL) == is_lstm;
        if (extra == 24)
            ok = ok && meta_is(f, "nonlinearity", "relu");
        if (extra == 25)
            ok = ok && B == 1 && fixture_get(f, "lengths") &&
                 fixture_get(f, "lengths")->data[0] == T;
        snprintf(label, sizeof label, "%s loads, shapes consistent", name);
        check(ok, label, NULL);
        fixture_free(f);
    }
}

static void test_good_variants(void) {
    /* comments, blank lines, CRLF, odd wrapping, ndim 0, a zero-size dim */
    static const char good[] = "# header comment\r\n"
                               "\r\n"
                               "meta cell gru\r\n"
                               "   # indented comment\n"
                               "tensor a 2 2 3\n"
                               "1 2\n"
                               "# comment between values\n"
                               "3 -4.5e-1\n"
                               "\t5 0x1p3\n"
                               "tensor s 0\n"
                               "  7.25\n"
                               "tensor e 2 0 4\n"
                               "meta n -12\n";
    char err[512];
    const char *path = write_temp(good, sizeof good - 1);
    fixture *f = path ? fixture_load(path, err, sizeof err) : NULL;
    const fixture_tensor *a, *s, *e;
    if (path)
        remove(path);
    check(f != NULL, "valid file with comments/CRLF/wrapping loads", f ? NULL : err);
    if (f == NULL)
        return;
    a = fixture_get(f, "a");
    s = fixture_get(f, "s");
    e = fixture_get(f, "e");
    check(a && a->n == 6 && a->data[3] == -0.45 && a->data[5] == 8.0, "values parsed", NULL);
    check(s && s->ndim == 0 && s->n == 1 && s->data[0] == 7.25, "ndim 0 is a scalar", NULL);
    check(e && e->ndim == 2 && e->n == 0, "zero-size tensor", NULL);
    check(meta_is(f, "cell", "gru") && fixture_meta_int(f, "n", 0) == -12, "meta parsed", NULL);
    fixture_free(f);
}

static void test_malformed(const char *dir) {
    char big[256], path[600], err[512];
    static const char nul_bytes[] = "tensor a 1 2\n1 \0 2\n";

    expect_reject_str("truncated values at EOF", "meta cell rnn\ntensor a 2 2 3\n1 2 3 4 5\n", 2,
                      "truncated");
    expect_reject_str("truncated values (padding spaces) at EOF",
                      "tensor a 1 3\n1.5                    \n", 1, "truncated");
    expect_reject_str("values cut short by next tensor", "tensor a 1 3\n1 2\ntensor b 1 1\n3\n", 3,
                      "truncated");
    expect_reject_str("ndim 9 rejected", "tensor a 9 1 1 1 1 1 1 1 1 1\n1\n", 1, "ndim");
    expect_reject_str("negative ndim rejected", "tensor a -1\n", 1, "ndim");
    expect_reject_str("non-numeric ndim rejected", "tensor a x 3\n1 2 3\n", 1, "ndim");
    expect_reject_str("unknown line rejected", "meta cell rnn\nfoo bar\n", 2, "unknown");
    expect_reject_str("element count over 1e8 rejected", "tensor a 3 100000 100000 100000\n", 1,
                      "too many");
    expect_reject_str("dim overflowing long rejected", "tensor a 2 99999999999999999999999 1\n", 1,
                      "bad dim");
    expect_reject_str("huge count vs small file rejected before allocating",
                      "tensor a 2 10000 10000\n1 2 3\n", 1, "truncated");
    expect_reject_str("dims missing on header line", "tensor a 2 3\n1 2 3\n", 1, "dims");
    expect_reject_str("value on header line", "tensor a 1 2 1 2\n", 1, "after dims");
    expect_reject_str("bad number", "tensor a 1 2\n1.0 1.5abc\n", 2, "bad value");
    expect_reject_str("nan rejected", "tensor a 1 1\nnan\n", 2, "bad value");
    expect_reject_str("overflowing number rejected", "tensor a 1 1\n1e999\n", 2, "bad value");
    expect_reject_str("more values than declared", "tensor a 1 2\n1 2 3\n", 2, "unexpected");
    expect_reject_str("duplicate tensor", "tensor a 1 1\n1\ntensor a 1 1\n2\n", 3, "duplicate");
    expect_reject_str("duplicate meta", "meta T 7\nmeta T 8\ntensor a 1 1\n1\n", 2, "duplicate");
    expect_reject_str("meta without value", "meta cell\nrnn\n", 1, "key and a value");
    expect_reject_str("meta with extra token", "meta cell rnn lstm\n", 1, "unexpected");
    expect_reject_str("last number cut short (no final newline)", "tensor a 1 2\n1.25 3.7", 2,
                      "newline");
    expect_reject_str("empty file", "", 0, "no tensors");
    expect_reject_str("comments only", "# nothing\n\n", 0, "no tensors");
    expect_reject("NUL byte inside values", nul_bytes, sizeof nul_bytes - 1, 2, "bad value");
    memset(big, 'n', sizeof big);
    memcpy(big, "tensor ", 7);
    memcpy(big + sizeof big - 8, " 1 1\n1\n", 8);
    expect_reject_str("tensor name too long", big, 1, "name");

    /* A real fixture cut in the middle of a number and in the middle of a
     * header line. */
    snprintf(path, sizeof path, "%s/rnn_gru_l1_bi_post.txt", dir);
    {
        size_t len = 0;
        char *buf = slurp(path, &len);
        if (buf == NULL) {
            check(0, "read real fixture for truncation", path);
        } else {
            const char *hdr = strstr(buf, "\ntensor grad.x ");
            const char *yhdr = strstr(buf, "\ntensor y ");
            /* 30 bytes before y's header: inside dhn's last line of values,
             * removing at least one whole value (each is > 15 characters) */
            if (yhdr != NULL && yhdr - buf > 30)
                expect_reject("real fixture truncated mid-values", buf, (size_t)(yhdr - buf) - 30,
                              0, "truncated");
            else
                check(0, "find y header", NULL);
            expect_reject("real fixture truncated at half", buf, len / 2, 0, "");
            if (hdr != NULL)
                expect_reject("real fixture truncated inside a header", buf,
                              (size_t)(hdr - buf) + 12, 0, "ndim");
            else
                check(0, "find grad.x header", NULL);
            free(buf);
        }
    }

    {
        fixture *f;
        err[0] = '\0';
        f = fixture_load("/nonexistent/dir/none.txt", err, sizeof err);
        check(f == NULL && strstr(err, "/nonexistent/dir/none.txt") != NULL,
              "missing file rejected with its name", err);
        fixture_free(f);
        f = fixture_load("/nonexistent/dir/none.txt", NULL, 0);
        check(f == NULL, "NULL err buffer tolerated", NULL);
        fixture_free(NULL);
        check(fixture_get(NULL, "x") == NULL && fixture_meta(NULL, "cell") == NULL &&
                  fixture_meta_int(NULL, "T", 3) == 3,
              "NULL fixture tolerated by getters", NULL);
    }
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "tests/fixtures";
    const char *tmp = getenv("TMPDIR");
    snprintf(g_tmpdir, sizeof g_tmpdir, "%s", (tmp && *tmp) ? tmp : "/tmp");

    test_known_fixture(dir);
    test_all_fixtures(dir);
    test_good_variants();
    test_malformed(dir);

    printf("%d passed, %d failed\n", g_pass, g_fail);
    return g_fail ? 1 : 0;
}
