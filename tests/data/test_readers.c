/* Labelled-text readers on tiny inputs in tests/fixtures/text/ (and files this test writes into a
 * temporary folder: gzip copies, an aclImdb .tar.gz made with libarchive, malformed inputs), the
 * bundled data/imdb-sample, and the shared IMDB TSV when /work/shared/data/imdb exists. */
#include "check.h"
#include "rnnc.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define DATA "tests/fixtures/text"

/* ---- a temporary folder, removed at the end ------------------------------------------------ */

static char tmp[512];
static char made[128][600]; /* paths created, removed in reverse order */
static int n_made;

static const char *tmp_path(const char *name) {
    static char p[8][600];
    static int k;
    k = (k + 1) % 8;
    snprintf(p[k], sizeof p[k], "%s/%s", tmp, name);
    return p[k];
}

static void remember(const char *path) {
    if (n_made < 128)
        snprintf(made[n_made++], sizeof made[0], "%s", path);
}

static const char *mk_dir(const char *name) {
    const char *p = tmp_path(name);
    mkdir(p, 0755);
    remember(p);
    return p;
}

static const char *write_file(const char *name, const char *data, size_t n) {
    const char *p = tmp_path(name);
    FILE *f = fopen(p, "wb");
    if (f) {
        fwrite(data, 1, n, f);
        fclose(f);
    }
    remember(p);
    return p;
}

static const char *write_str(const char *name, const char *data) {
    return write_file(name, data, strlen(data));
}

/* gzip copy of a file into the temporary folder. */
static const char *gzip_copy(const char *src, const char *name) {
    const char *p = tmp_path(name);
    FILE *in = fopen(src, "rb");
    gzFile out = gzopen(p, "wb9");
    char buf[4096];
    size_t k;
    while (in && out && (k = fread(buf, 1, sizeof buf, in)) > 0)
        gzwrite(out, buf, (unsigned)k);
    if (in)
        fclose(in);
    if (out)
        gzclose(out);
    remember(p);
    return p;
}

static void cleanup(void) {
    for (int i = n_made - 1; i >= 0; i--)
        if (unlink(made[i]) != 0)
            rmdir(made[i]);
    rmdir(tmp);
}

/* ---- helpers ------------------------------------------------------------------------------ */

static rnnc_textset *read_set(int format, const char *path, const char *what) {
    rnnc_text_source src = rnnc_text_source_init();
    src.format = format, src.path = path;
    rnnc_textset *s = NULL;
    rnnc_status st = rnnc_textset_read(&src, &s);
    check(st == RNNC_OK && s, "%s: read %s (%s)", what, path, st ? rnnc_last_error() : "ok");
    return st ? NULL : s;
}

/* Checks n, texts, labels and label names against the expected values. */
static void expect_set(const rnnc_textset *s, size_t n, const char *const *texts,
                       const int32_t *labels, int n_labels, const char *const *names,
                       const char *what) {
    int ok = s && s->n == n && s->n_labels == n_labels;
    for (size_t i = 0; ok && i < n; i++)
        ok = strcmp(s->texts[i], texts[i]) == 0 && s->labels[i] == labels[i];
    for (int i = 0; ok && i < n_labels; i++)
        ok = strcmp(s->label_names[i], names[i]) == 0;
    check(ok, "%s: %zu records with the expected texts, labels and %d label names", what, n,
          n_labels);
    if (!ok && s)
        for (size_t i = 0; i < s->n && i < 8; i++)
            printf("    got [%zu] label %d \"%.60s\"\n", i, s->labels[i], s->texts[i]);
}

static int same_set(const rnnc_textset *a, const rnnc_textset *b) {
    if (!a || !b || a->n != b->n || a->n_labels != b->n_labels)
        return 0;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->texts[i], b->texts[i]) != 0 || a->labels[i] != b->labels[i])
            return 0;
    for (int i = 0; i < a->n_labels; i++)
        if (strcmp(a->label_names[i], b->label_names[i]) != 0)
            return 0;
    return 1;
}

/* Reading src must fail with status want and a message holding every fragment. */
static void expect_error(const rnnc_text_source *src, rnnc_status want, const char *frag1,
                         const char *frag2, const char *what) {
    rnnc_textset *s = (rnnc_textset *)1;
    rnnc_status st = rnnc_textset_read(src, &s);
    const char *msg = rnnc_last_error();
    check(st == want && s == NULL && strstr(msg, frag1) && (!frag2 || strstr(msg, frag2)),
          "%s: %s (got %d \"%s\")", what, frag1, st, msg);
    if (st == RNNC_OK)
        rnnc_textset_free(s);
}

static void expect_error_at(int format, const char *path, rnnc_status want, const char *frag,
                            const char *what) {
    rnnc_text_source src = rnnc_text_source_init();
    src.format = format, src.path = path;
    expect_error(&src, want, path, frag, what);
}

static const char *const imdb_names[] = {"neg", "pos"};

/* ---- aclImdb ------------------------------------------------------------------------------ */

static const char *const acl_train[] = {
    "Terrible. I walked out.", "A wonderful film.<br /><br />I loved it!",
    "Boring plot and bad acting.\nDon't watch it.", "Great acting, great story.",
    "Best movie of the year; 10/10."};
static const int32_t acl_train_labels[] = {0, 1, 0, 1, 1};
static const char *const acl_test[] = {"A waste of time.", "Loved every minute.", "Dull."};
static const int32_t acl_test_labels[] = {0, 1, 0};

/* Writes the files under tests/fixtures/text/aclImdb into a .tar.gz with members aclImdb/..., plus
 * `extra` (a member name) holding extra_len bytes of 'x' when extra is not NULL. */
static int make_tar(const char *path, const char *extra, size_t extra_len) {
    static const char *const files[] = {
        "train/pos/0_9.txt", "train/pos/1_8.txt", "train/pos/10_10.txt",
        "train/neg/0_2.txt", "train/neg/1_1.txt", "train/unsup/0_0.txt",
        "test/pos/0_10.txt", "test/neg/0_3.txt",  "test/neg/5_4.txt"};
    struct archive *a = archive_write_new();
    archive_write_add_filter_gzip(a);
    archive_write_set_format_pax_restricted(a);
    if (archive_write_open_filename(a, path) != ARCHIVE_OK)
        return 0;
    remember(path);
    int ok = 1;
    size_t nf = sizeof files / sizeof files[0];
    for (size_t i = 0; i < nf + (extra != NULL) && ok; i++) {
        char src[256], member[256], *data = NULL;
        size_t n = 0;
        if (i < nf) {
            snprintf(src, sizeof src, DATA "/aclImdb/%s", files[i]);
            snprintf(member, sizeof member, "aclImdb/%s", files[i]);
            FILE *f = fopen(src, "rb");
            data = malloc(4096);
            if (!f || !data)
                ok = 0;
            if (f)
                n = fread(data, 1, 4096, f), fclose(f);
        } else {
            snprintf(member, sizeof member, "%s", extra);
            data = malloc(extra_len + 1);
            if (!data)
                ok = 0;
            else
                memset(data, 'x', extra_len), n = extra_len;
        }
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, member);
        archive_entry_set_size(e, (la_int64_t)n);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        if (ok && archive_write_header(a, e) != ARCHIVE_OK)
            ok = 0;
        if (ok && n && archive_write_data(a, data, n) != (la_ssize_t)n)
            ok = 0;
        archive_entry_free(e);
        free(data);
    }
    if (archive_write_close(a) != ARCHIVE_OK)
        ok = 0;
    archive_write_free(a);
    return ok;
}

static void test_aclimdb(void) {
    rnnc_textset *d = read_set(RNNC_TEXT_ACLIMDB, DATA "/aclImdb", "aclImdb folder, train");
    expect_set(d, 5, acl_train, acl_train_labels, 2, imdb_names,
               "aclImdb folder train (by id, neg before pos; unsup and urls ignored)");
    rnnc_textset *a = read_set(RNNC_TEXT_AUTO, DATA "/aclImdb", "aclImdb folder, AUTO");
    check(same_set(a, d), "AUTO detects an aclImdb folder");
    rnnc_textset_free(a);

    rnnc_text_source src = rnnc_text_source_init();
    src.path = DATA "/aclImdb", src.split = "test";
    rnnc_textset *t = NULL;
    check(rnnc_textset_read(&src, &t) == RNNC_OK, "aclImdb folder, test: %s", rnnc_last_error());
    expect_set(t, 3, acl_test, acl_test_labels, 2, imdb_names, "aclImdb folder test");

    /* The same read straight from a .tar.gz. */
    const char *tgz = tmp_path("aclImdb_v1.tar.gz");
    check(make_tar(tgz, NULL, 0), "wrote %s with libarchive", tgz);
    rnnc_textset *x = read_set(RNNC_TEXT_AUTO, tgz, "aclImdb .tar.gz, AUTO");
    check(same_set(x, d), "aclImdb .tar.gz train equals the folder");
    rnnc_textset_free(x);
    rnnc_textset *y = NULL;
    src.path = tgz, src.format = RNNC_TEXT_ACLIMDB;
    check(rnnc_textset_read(&src, &y) == RNNC_OK && same_set(y, t),
          "aclImdb .tar.gz test equals the folder");
    rnnc_textset_free(y);
    rnnc_textset_free(t);
    rnnc_textset_free(d);

    /* Archive members: an empty review, one over 16 MiB; both named in the message. */
    const char *bad1 = tmp_path("empty.tar.gz");
    make_tar(bad1, "aclImdb/train/pos/7_7.txt", 0);
    expect_error_at(RNNC_TEXT_AUTO, bad1, RNNC_ERR_FORMAT,
                    "member aclImdb/train/pos/7_7.txt: empty text", "empty archive member");
    const char *bad2 = tmp_path("huge.tar.gz");
    make_tar(bad2, "aclImdb/train/neg/8_1.txt", ((size_t)16 << 20) + 1);
    expect_error_at(
        RNNC_TEXT_ACLIMDB, bad2, RNNC_ERR_FORMAT,
        "member aclImdb/train/neg/8_1.txt: document of 16777217 bytes is over the limit",
        "archive member over 16 MiB");

    /* A folder without neg/: the message names the folder. */
    mk_dir("acl");
    mk_dir("acl/train");
    mk_dir("acl/train/pos");
    write_str("acl/train/pos/0_9.txt", "fine");
    expect_error_at(RNNC_TEXT_ACLIMDB, tmp_path("acl"), RNNC_ERR_IO, "acl/train/neg: cannot open",
                    "aclImdb folder without neg/");
    src = rnnc_text_source_init();
    src.path = DATA "/aclImdb", src.split = "valid";
    expect_error(&src, RNNC_ERR_ARG, "split \"valid\"", NULL, "unknown split");
}

/* ---- IMDB TSV ----------------------------------------------------------------------------- */

static void test_imdb_tsv(void) {
    static const char *const texts[] = {
        "Terrible. I walked out.", "A wonderful film.<br /><br />I loved it!", "Boring\tplot."};
    static const int32_t labels[] = {0, 1, 0};
    rnnc_textset *s = read_set(RNNC_TEXT_IMDB_TSV, DATA "/imdb.tsv", "IMDB TSV");
    expect_set(s, 3, texts, labels, 2, imdb_names, "IMDB TSV (split on the first three TABs)");
    rnnc_textset *a = read_set(RNNC_TEXT_AUTO, DATA "/imdb.tsv", "IMDB TSV, AUTO");
    check(same_set(a, s), "AUTO detects the IMDB TSV form");
    rnnc_textset *g =
        read_set(RNNC_TEXT_AUTO, gzip_copy(DATA "/imdb.tsv", "imdb.tsv.gz"), "IMDB TSV gzip, AUTO");
    check(same_set(g, s), "gzip IMDB TSV equals the plain one");
    rnnc_textset_free(a);
    rnnc_textset_free(g);
    rnnc_textset_free(s);

    expect_error_at(RNNC_TEXT_IMDB_TSV, write_str("lab.tsv", "0\t1\t0\tok\n2\t9\t1\ttext\n"),
                    RNNC_ERR_FORMAT, ":2: label \"2\" is not 0 or 1", "IMDB TSV bad label");
    expect_error_at(RNNC_TEXT_IMDB_TSV, write_str("cols.tsv", "0\t1\tno id\n"), RNNC_ERR_FORMAT,
                    ":1: missing column 3", "IMDB TSV missing column");
    expect_error_at(RNNC_TEXT_IMDB_TSV, write_str("empty.tsv", "0\t1\t0\tok\n1\t8\t0\t \n"),
                    RNNC_ERR_FORMAT, ":2: empty text", "IMDB TSV empty text");
    expect_error_at(RNNC_TEXT_IMDB_TSV, write_str("none.tsv", "\n\n"), RNNC_ERR_FORMAT,
                    "empty data set", "IMDB TSV without records");
    /* A truncated gzip stream is an error, not a silently shorter data set. */
    {
        FILE *f = fopen(tmp_path("imdb.tsv.gz"), "rb");
        char buf[4096];
        size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
        if (f)
            fclose(f);
        expect_error_at(RNNC_TEXT_IMDB_TSV, write_file("cut.tsv.gz", buf, n / 2), RNNC_ERR_FORMAT,
                        "gzip data cut short", "truncated gzip");
    }
}

/* ---- CSV and TSV -------------------------------------------------------------------------- */

static void test_delimited(void) {
    static const char *const texts[] = {"Great, simply great.", "He said \"meh\".\r\nThen left.",
                                        "plain text here"};
    static const int32_t labels[] = {1, 0, 1};
    rnnc_text_source src = rnnc_text_source_init();
    src.path = DATA "/reviews.csv", src.label_col = "sentiment", src.text_col = "review";
    rnnc_textset *byname = NULL, *byidx = NULL, *gz = NULL;
    check(rnnc_textset_read(&src, &byname) == RNNC_OK, "CSV by header name: %s", rnnc_last_error());
    expect_set(byname, 3, texts, labels, 2, imdb_names,
               "CSV: quotes, \"\" escapes, a quoted newline, CRLF, a blank line, label trimmed");
    src.label_col = "1", src.text_col = "2", src.header = 1;
    check(rnnc_textset_read(&src, &byidx) == RNNC_OK && same_set(byidx, byname),
          "CSV by index with header 1 equals by name");
    src.path = gzip_copy(DATA "/reviews.csv", "reviews.csv.gz");
    src.format = RNNC_TEXT_AUTO;
    check(rnnc_textset_read(&src, &gz) == RNNC_OK && same_set(gz, byname),
          "gzip CSV (AUTO, .csv.gz) equals the plain one");
    rnnc_textset_free(byname);
    rnnc_textset_free(byidx);
    rnnc_textset_free(gz);

    /* TSV, no header, numeric labels sorted as numbers ("9" before "10"). */
    static const char *const ntexts[] = {"the cat sat", "column order differs"};
    static const int32_t nlabels[] = {0, 1};
    static const char *const nnames[] = {"9", "10"};
    src = rnnc_text_source_init();
    src.format = RNNC_TEXT_TSV, src.path = DATA "/numeric.tsv";
    src.label_col = "1", src.text_col = "0";
    rnnc_textset *s = NULL;
    check(rnnc_textset_read(&src, &s) == RNNC_OK, "TSV label column 1: %s", rnnc_last_error());
    expect_set(s, 2, ntexts, nlabels, 2, nnames, "TSV, numeric labels sorted as numbers");
    rnnc_textset_free(s);

    /* Multi-class with default columns (label 0, text 1); AUTO picks TSV (not the IMDB form). */
    static const char *const ctexts[] = {"nine", "ten", "two"};
    static const int32_t clabels[] = {1, 2, 0};
    static const char *const cnames[] = {"2", "9", "10"};
    s = read_set(RNNC_TEXT_AUTO, DATA "/classes.tsv", "TSV multi-class, AUTO");
    expect_set(s, 3, ctexts, clabels, 3, cnames, "TSV multi-class");
    rnnc_textset_free(s);

    /* A fixed label order (the training set's), and an unknown label in it. */
    static const char *const fixed[] = {"10", "9", "2"};
    static const int32_t flabels[] = {1, 0, 2};
    src = rnnc_text_source_init();
    src.path = DATA "/classes.tsv", src.label_names = fixed, src.n_label_names = 3;
    s = NULL;
    check(rnnc_textset_read(&src, &s) == RNNC_OK, "TSV with fixed labels: %s", rnnc_last_error());
    expect_set(s, 3, ctexts, flabels, 3, fixed, "TSV, fixed label order kept");
    rnnc_textset_free(s);
    src.n_label_names = 2;
    expect_error(&src, RNNC_ERR_FORMAT, "classes.tsv:3: unknown label \"2\"", NULL,
                 "label outside the fixed names");

    /* Malformed CSV, each with the file and line in the message. */
    src = rnnc_text_source_init();
    src.format = RNNC_TEXT_CSV;
    src.path = write_str("q.csv", "label,text\npos,\"ok\"\nneg,\"never closed\nmore\n");
    expect_error(&src, RNNC_ERR_FORMAT, "q.csv:3: unterminated quote", NULL,
                 "CSV unterminated quote (line where it opened)");
    src.path = write_str("m.csv", "pos,fine\nneg\n");
    expect_error(&src, RNNC_ERR_FORMAT, "m.csv:2: missing column 1", "has 1 field",
                 "CSV missing column");
    src.path = write_str("c.csv", "pos,\"a\"b\n");
    expect_error(&src, RNNC_ERR_FORMAT, "c.csv:1: unexpected character 'b' after a closing quote",
                 NULL, "CSV text after a closing quote");
    src.path = write_str("e.csv", "pos,fine\r\nneg,\"\"\r\n");
    expect_error(&src, RNNC_ERR_FORMAT, "e.csv:2: empty text", NULL, "CSV empty text");
    src.path = write_str("h.csv", "label,text\n");
    src.header = 1;
    expect_error(&src, RNNC_ERR_FORMAT, "h.csv: empty data set", NULL, "CSV header only");
    src.path = DATA "/reviews.csv", src.label_col = "sentiment", src.text_col = "body";
    expect_error(&src, RNNC_ERR_FORMAT, "missing column \"body\"", NULL, "CSV unknown header name");
    src.header = 0, src.text_col = "review";
    expect_error(&src, RNNC_ERR_ARG, "\"sentiment\" is a name but the file has no header", NULL,
                 "column name without a header");
    src.header = 1, src.label_col = "2", src.text_col = "2";
    expect_error(&src, RNNC_ERR_ARG, "same column 2", NULL, "label and text the same column");

    /* A document over 16 MiB in a CSV field is refused, naming the file and line. */
    size_t big = ((size_t)16 << 20) + 10;
    char *data = malloc(big + 32);
    if (data) {
        memcpy(data, "pos,ok\nneg,", 11);
        memset(data + 11, 'a', big);
        data[11 + big] = '\n';
        src = rnnc_text_source_init();
        src.format = RNNC_TEXT_CSV, src.path = write_file("big.csv", data, big + 12);
        expect_error(&src, RNNC_ERR_FORMAT,
                     "big.csv:2: document of 16777226 bytes is over the limit", NULL,
                     "CSV document over 16 MiB");
        free(data);
    }
}

/* ---- class folders ------------------------------------------------------------------------ */

static void test_folders(void) {
    static const char *const ftexts[] = {"Cats purr.", "The oak tree grows slowly.",
                                         "Roses are red."};
    static const int32_t flabels[] = {0, 1, 1};
    static const char *const fnames[] = {"animal", "plant"};
    rnnc_textset *s = read_set(RNNC_TEXT_AUTO, DATA "/folders", "folder of class folders, AUTO");
    expect_set(s, 3, ftexts, flabels, 2, fnames,
               "FOLDER_FILES (hidden folders and top-level files ignored)");
    rnnc_textset_free(s);

    static const char *const ltexts[] = {"see you at lunch", "the meeting moved", "ok",
                                         "win money now", "claim your prize"};
    static const int32_t llabels[] = {0, 0, 0, 1, 1};
    static const char *const lnames[] = {"ham", "spam"};
    s = read_set(RNNC_TEXT_FOLDER_LINES, DATA "/lines", "folder of line files");
    expect_set(s, 5, ltexts, llabels, 2, lnames, "FOLDER_LINES (blank lines skipped, CR dropped)");
    rnnc_textset_free(s);

    mk_dir("f");
    mk_dir("f/a");
    write_str("f/a/one.txt", "text");
    write_str("f/a/two.txt", " \n");
    expect_error_at(RNNC_TEXT_FOLDER_FILES, tmp_path("f"), RNNC_ERR_FORMAT,
                    "f/a/two.txt: empty text", "empty document file");
    mk_dir("flat");
    write_str("flat/x.txt", "no class folder");
    expect_error_at(RNNC_TEXT_FOLDER_FILES, tmp_path("flat"), RNNC_ERR_FORMAT, "no class folders",
                    "folder without class folders");
    mk_dir("g");
    mk_dir("g/b");
    size_t big = ((size_t)16 << 20) + 1;
    char *data = malloc(big);
    if (data) {
        memset(data, 'b', big);
        write_file("g/b/big.txt", data, big);
        free(data);
        expect_error_at(RNNC_TEXT_FOLDER_FILES, tmp_path("g"), RNNC_ERR_FORMAT,
                        "g/b/big.txt: document larger than the limit", "document file over 16 MiB");
    }
}

/* ---- streaming, read limits and gzip framing ---------------------------------------------- */

/* Reads src with its limits; returns the set (NULL on error, with the status in *st). */
static rnnc_textset *read_limited(const rnnc_text_source *src, rnnc_status *st) {
    rnnc_textset *s = NULL;
    *st = rnnc_textset_read(src, &s);
    return *st ? NULL : s;
}

/* Reading src passes with the limit at `at` and fails, naming the limit, one below it. */
static void expect_limit(rnnc_text_source *src, uint64_t *field, uint64_t at, const char *name,
                         const char *what) {
    rnnc_status st;
    *field = at;
    rnnc_textset *ok = read_limited(src, &st);
    check(ok != NULL, "%s: reads with %s = %llu (%s)", what, name, (unsigned long long)at,
          ok ? "ok" : rnnc_last_error());
    rnnc_textset_free(ok);
    *field = at - 1;
    rnnc_textset *s = read_limited(src, &st);
    const char *msg = rnnc_last_error();
    check(!s && st == RNNC_ERR_FORMAT && strstr(msg, src->path) && strstr(msg, name),
          "%s: %s = %llu is refused, naming the limit (got %d \"%s\")", what, name,
          (unsigned long long)(at - 1), st, s ? "a set" : msg);
    rnnc_textset_free(s);
    *field = 0;
}

static void test_limits(void) {
    /* 3000 CSV records whose quoted texts hold a quote, a comma and a newline, over many 64 KiB
     * chunks: streamed record by record, every text arrives whole, plain or gzip. */
    enum { N = 3000 };
    char *csv = malloc((size_t)N * 160 + 64), *want = malloc(160);
    size_t n = 0;
    uint64_t text_bytes = 0;
    if (!csv || !want) {
        check(0, "cannot allocate");
        free(csv), free(want);
        return;
    }
    n += (size_t)sprintf(csv, "label,text\n");
    for (int i = 0; i < N; i++) {
        int k = sprintf(csv + n, "%d,\"one \"\"%d\"\", two\nthree %.*s\"\r\n", i % 3, i, i % 61,
                        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
        n += (size_t)k;
    }
    const char *plain = write_file("stream.csv", csv, n);
    const char *gz = gzip_copy(plain, "stream.csv.gz");
    rnnc_text_source src = rnnc_text_source_init();
    src.format = RNNC_TEXT_CSV, src.header = 1;
    for (int pass = 0; pass < 2; pass++) {
        src.path = pass ? gz : plain;
        rnnc_status st;
        rnnc_textset *s = read_limited(&src, &st);
        int ok = s && s->n == N;
        for (int i = 0; ok && i < N; i++) {
            sprintf(want, "one \"%d\", two\nthree %.*s", i, i % 61,
                    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
            ok = strcmp(s->texts[i], want) == 0 && s->labels[i] == i % 3;
            if (pass == 0)
                text_bytes += strlen(want);
        }
        check(ok, "%s: %d quoted multi-line records over %zu bytes read whole, in order",
              pass ? "gzip CSV" : "CSV", N, n);
        rnnc_textset_free(s);
    }
    free(csv), free(want);
    for (int pass = 0; pass < 2; pass++) {
        src.path = pass ? gz : plain;
        const char *what = pass ? "gzip CSV" : "CSV";
        expect_limit(&src, &src.limits.records, N, "the record limit", what);
        expect_limit(&src, &src.limits.text_bytes, text_bytes, "the text limit", what);
        expect_limit(&src, &src.limits.read_bytes, n, "the read limit", what);
    }

    /* files of a folder and members of an archive */
    mk_dir("m");
    mk_dir("m/a");
    write_str("m/a/1.txt", "one");
    write_str("m/a/2.txt", "two");
    write_str("m/a/3.txt", "three");
    src = rnnc_text_source_init();
    src.format = RNNC_TEXT_FOLDER_FILES, src.path = tmp_path("m");
    expect_limit(&src, &src.limits.members, 3, "the member limit", "class folder");
    src.format = RNNC_TEXT_FOLDER_LINES;
    expect_limit(&src, &src.limits.text_bytes, 11, "the text limit", "line files");
    const char *tar = tmp_path("limits.tar.gz");
    if (make_tar(tar, NULL, 0)) {
        src = rnnc_text_source_init();
        src.format = RNNC_TEXT_ACLIMDB, src.path = tar;
        expect_limit(&src, &src.limits.members, 9, "the member limit", "aclImdb archive");
        uint64_t train_text = 0;
        rnnc_status st;
        rnnc_textset *all = read_limited(&src, &st);
        for (size_t i = 0; all && i < all->n; i++)
            train_text += strlen(all->texts[i]);
        rnnc_textset_free(all);
        expect_limit(&src, &src.limits.text_bytes, train_text, "the text limit", "aclImdb archive");
        expect_limit(&src, &src.limits.records, 5, "the record limit", "aclImdb archive");
    }
    if (make_tar(tmp_path("limits-big.tar.gz"), "aclImdb/train/unsup/big.txt", 200000)) {
        /* a skipped member's bytes count as read */
        src = rnnc_text_source_init();
        src.format = RNNC_TEXT_ACLIMDB, src.path = tmp_path("limits-big.tar.gz");
        src.limits.read_bytes = 150000;
        rnnc_status st;
        rnnc_textset *s = read_limited(&src, &st);
        check(!s && st == RNNC_ERR_FORMAT && strstr(rnnc_last_error(), "the read limit"),
              "aclImdb archive: a 200000-byte member skipped counts against read_bytes 150000 "
              "(got \"%s\")",
              s ? "a set" : rnnc_last_error());
        rnnc_textset_free(s);
    }

    /* gzip framing: members one after the other are one stream; anything else after the gzip
     * data is refused, as is a cut stream */
    {
        const char *a = write_str("cat-a.csv", "0,first\n");
        const char *b = write_str("cat-b.csv", "1,second\n");
        const char *ga = gzip_copy(a, "cat-a.csv.gz"), *gb = gzip_copy(b, "cat-b.csv.gz");
        char buf[2][256];
        size_t k[2] = {0, 0};
        for (int i = 0; i < 2; i++) {
            FILE *f = fopen(i ? gb : ga, "rb");
            k[i] = f ? fread(buf[i], 1, sizeof buf[i], f) : 0;
            if (f)
                fclose(f);
        }
        char both[600];
        memcpy(both, buf[0], k[0]);
        memcpy(both + k[0], buf[1], k[1]);
        rnnc_textset *s = read_set(RNNC_TEXT_CSV, write_file("cat.csv.gz", both, k[0] + k[1]),
                                   "two gzip members");
        check(s && s->n == 2 && !strcmp(s->texts[0], "first") && !strcmp(s->texts[1], "second"),
              "two gzip members one after the other read as one file (as gzip -d)");
        rnnc_textset_free(s);
        memcpy(both + k[0], "trailing junk\n", 14);
        char at[64];
        snprintf(at, sizeof at, "other bytes follow the gzip data at byte %zu", k[0]);
        expect_error_at(RNNC_TEXT_CSV, write_file("junk.csv.gz", both, k[0] + 14), RNNC_ERR_FORMAT,
                        at, "bytes after the gzip data");
        memset(both + k[0], 0, 512);
        expect_error_at(RNNC_TEXT_CSV, write_file("zeros.csv.gz", both, k[0] + 512),
                        RNNC_ERR_FORMAT, at, "zero padding after the gzip data");
        expect_error_at(RNNC_TEXT_CSV, write_file("junk1.csv.gz", both, k[0] + 1), RNNC_ERR_FORMAT,
                        "other bytes follow", "one byte after the gzip data");
        char *text;
        size_t len;
        rnnc_read_limits lim = {0};
        lim.text_bytes = 7;
        rnnc_status st = rnnc_text_file_read(ga, &lim, &text, &len);
        check(st == RNNC_ERR_FORMAT && !text && strstr(rnnc_last_error(), "the text limit"),
              "rnnc_text_file_read: a file of 8 bytes over text_bytes 7 is refused (got \"%s\")",
              rnnc_last_error());
        lim.text_bytes = 8;
        st = rnnc_text_file_read(ga, &lim, &text, &len);
        check(st == RNNC_OK && len == 8, "rnnc_text_file_read: 8 bytes within text_bytes 8");
        free(text);
        rnnc_read_limits none = {0};
        st = rnnc_text_file_read(write_file("junk.txt.gz", both, k[0] + 1), &none, &text, &len);
        check(st == RNNC_ERR_FORMAT && !text && strstr(rnnc_last_error(), "other bytes follow"),
              "rnnc_text_file_read: bytes after the gzip data are refused");
    }
}

/* ---- encodings: invalid UTF-8 counted, Latin-1 decoded ------------------------------------ */

static void test_encoding(void) {
    /* "café" and "naïve" in Latin-1 (E9, EF): 2 invalid bytes, and a label "é" in Latin-1 (labels are names, not counted); a
     * real U+FFFD (EF BF BD) and a valid "é" (C3 A9) are no invalid bytes */
    const char *lat = write_str("lat.csv", "label,text\npos,caf\xe9 ok\nneg,na\xefve\n\xe9,x\n");
    const char *utf = write_str("utf.csv", "label,text\npos,caf\xc3\xa9 \xef\xbf\xbd\n");
    rnnc_text_source src = rnnc_text_source_init();
    src.format = RNNC_TEXT_CSV, src.path = lat, src.header = 1;
    rnnc_textset *s = NULL;
    rnnc_status st = rnnc_textset_read(&src, &s);
    check(st == RNNC_OK && s && s->invalid_utf8 == 2 && !strcmp(s->texts[0], "caf\xe9 ok"),
          "a Latin-1 CSV read as UTF-8: the 2 invalid bytes of its texts counted, the texts as "
          "they were (got %zu)",
          s ? s->invalid_utf8 : 0);
    rnnc_textset_free(s), s = NULL;
    src.encoding = RNNC_TEXT_LATIN1;
    st = rnnc_textset_read(&src, &s);
    int found = 0;
    for (int i = 0; s && i < s->n_labels; i++)
        found += !strcmp(s->label_names[i], "\xc3\xa9");
    check(st == RNNC_OK && s && s->invalid_utf8 == 0 && s->n == 3 &&
              !strcmp(s->texts[0], "caf\xc3\xa9 ok") && !strcmp(s->texts[1], "na\xc3\xafve") &&
              found == 1,
          "encoding = latin-1: texts and labels decoded to UTF-8, nothing invalid");
    rnnc_textset_free(s), s = NULL;
    src = rnnc_text_source_init();
    src.format = RNNC_TEXT_CSV, src.path = utf, src.header = 1;
    st = rnnc_textset_read(&src, &s);
    check(st == RNNC_OK && s && s->invalid_utf8 == 0, "valid UTF-8 (and a real U+FFFD): none");
    rnnc_textset_free(s), s = NULL;
    src.encoding = 7;
    check(rnnc_textset_read(&src, &s) == RNNC_ERR_ARG && strstr(rnnc_last_error(), "encoding"),
          "an unknown encoding refused: %s", rnnc_last_error());
    char *u = NULL;
    size_t un = 0;
    check(rnnc_text_latin1_to_utf8("caf\xe9 \xff", 6, &u, &un) == RNNC_OK && un == 8 &&
              !strcmp(u, "caf\xc3\xa9 \xc3\xbf") && rnnc_text_invalid_utf8(u, un) == 0 &&
              rnnc_text_invalid_utf8("caf\xe9 \xff", 6) == 2,
          "plain text: Latin-1 to UTF-8, invalid bytes counted");
    free(u);
    enum rnnc_text_encoding e1 = RNNC_TEXT_UTF8, e2 = RNNC_TEXT_LATIN1, e3 = RNNC_TEXT_LATIN1;
    check(rnnc_text_encoding_parse("latin-1", &e1) == RNNC_OK && e1 == RNNC_TEXT_LATIN1 &&
              rnnc_text_encoding_parse("utf-8", &e2) == RNNC_OK && e2 == RNNC_TEXT_UTF8,
          "encoding names");
    check(rnnc_text_encoding_parse("koi8-r", &e3) == RNNC_ERR_ARG && e3 == RNNC_TEXT_LATIN1 &&
              strstr(rnnc_last_error(), "unknown text encoding 'koi8-r' (utf-8 or latin-1)"),
          "an unknown encoding is an error naming it and the valid names (%s)", rnnc_last_error());
}

/* ---- NUL bytes inside texts: whitespace for every reader ------------------------------------ */

/* An archive holding one member (name, data[0..n)), gzip-compressed. */
static void write_tar(const char *path, const char *member, const char *data, size_t n) {
    struct archive *a = archive_write_new();
    archive_write_add_filter_gzip(a);
    archive_write_set_format_pax_restricted(a);
    archive_write_open_filename(a, path);
    remember(path);
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, member);
    archive_entry_set_size(e, (la_int64_t)n);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_write_header(a, e);
    archive_write_data(a, data, n);
    archive_entry_free(e);
    archive_write_close(a);
    archive_write_free(a);
}

/* A record of the file must read as `want` (the NUL bytes of the file as spaces). */
static void expect_text(int format, const char *path, const char *want, const char *what) {
    rnnc_textset *s = read_set(format, path, what);
    size_t i = 0;
    while (s && i < s->n && strcmp(s->texts[i], want) != 0)
        i++;
    check(s && i < s->n,
          "%s: a NUL byte inside the text is a space (\"%s\"; the first record: \"%s\")", what,
          want, s && s->n ? s->texts[0] : "(nothing)");
    rnnc_textset_free(s);
}

static void test_nul(void) {
    static const char csv[] = "label,text\npos,good\0bad\nneg,\"quoted\0\0text\"\n";
    expect_text(RNNC_TEXT_CSV, write_file("nul.csv", csv, sizeof csv - 1), "quoted  text",
                "CSV (quoted field)");
    static const char csv1[] = "label,text\npos,good\0bad\n";
    expect_text(RNNC_TEXT_CSV, write_file("nul1.csv", csv1, sizeof csv1 - 1), "good bad",
                "CSV (plain field)");
    static const char tsv[] = "label\ttext\npos\ttab\0sep\n";
    rnnc_text_source src = rnnc_text_source_init();
    expect_text(RNNC_TEXT_TSV, write_file("nul.tsv", tsv, sizeof tsv - 1), "tab sep", "TSV");
    static const char imdb[] = "1\t9\t7\tan imdb\0review\n";
    expect_text(RNNC_TEXT_IMDB_TSV, write_file("nul-imdb.tsv", imdb, sizeof imdb - 1),
                "an imdb review", "IMDB TSV");
    expect_text(RNNC_TEXT_IMDB_TSV, gzip_copy(tmp_path("nul-imdb.tsv"), "nul-imdb.tsv.gz"),
                "an imdb review", "IMDB TSV, gzip");
    mk_dir("nf");
    mk_dir("nf/a");
    write_file("nf/a/1.txt", "one\0doc", 7);
    expect_text(RNNC_TEXT_FOLDER_FILES, tmp_path("nf"), "one doc", "FOLDER_FILES");
    mk_dir("nl");
    mk_dir("nl/a");
    write_file("nl/a/1.txt", "line\0one\n", 9);
    expect_text(RNNC_TEXT_FOLDER_LINES, tmp_path("nl"), "line one", "FOLDER_LINES");
    mk_dir("nacl");
    mk_dir("nacl/train");
    mk_dir("nacl/train/pos");
    mk_dir("nacl/train/neg");
    write_file("nacl/train/pos/0_9.txt", "fine\0film", 9);
    write_file("nacl/train/neg/1_1.txt", "bad", 3);
    expect_text(RNNC_TEXT_ACLIMDB, tmp_path("nacl"), "fine film", "aclImdb folder");
    write_tar(tmp_path("nul.tar.gz"), "aclImdb/train/pos/0_9.txt", "tar\0member", 10);
    expect_text(RNNC_TEXT_ACLIMDB, tmp_path("nul.tar.gz"), "tar member", "aclImdb archive");
    /* A text of NUL bytes only is whitespace only: an empty text. */
    static const char only[] = "label,text\npos,\"\0\0\"\n";
    src.format = RNNC_TEXT_CSV, src.path = write_file("nul-only.csv", only, sizeof only - 1);
    expect_error(&src, RNNC_ERR_FORMAT, "nul-only.csv:2: empty text", NULL, "CSV text of NULs");
    char line[] = "a\0b\0";
    check(rnnc_text_nul_to_space(line, 4) == line && !memcmp(line, "a b ", 4) && !line[4],
          "rnnc_text_nul_to_space replaces the NULs of the range only");
}

/* A column chosen by a header name that the header holds twice is ambiguous. */
static void test_twin_column(void) {
    rnnc_text_source src = rnnc_text_source_init();
    src.format = RNNC_TEXT_CSV, src.label_col = "label", src.text_col = "text";
    src.path = write_str("twin.csv", "label,text,text\npos,one,two\n");
    expect_error(&src, RNNC_ERR_FORMAT,
                 "twin.csv:1: text column \"text\" is named twice in the header (columns 1 and 2)",
                 NULL, "a header naming the text column twice");
}

/* ---- label lookup: many labels, and a limit on them -------------------------------------- */

static void test_many_labels(void) {
    /* 100000 distinct labels (the limit) read quickly: one hash lookup per record. */
    const size_t n = 100000;
    char *buf = malloc(n * 24 + 16), *p = buf;
    if (!buf) {
        check(0, "cannot allocate the many-labels file");
        return;
    }
    p += sprintf(p, "label\ttext\n");
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "L%zu\tw\n", i);
    const char *path = write_file("many.tsv", buf, (size_t)(p - buf));
    rnnc_text_source src = rnnc_text_source_init();
    src.format = RNNC_TEXT_TSV, src.path = path, src.header = 1;
    rnnc_textset *s = NULL;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    check(rnnc_textset_read(&src, &s) == RNNC_OK, "100000 labels: %s", rnnc_last_error());
    clock_gettime(CLOCK_MONOTONIC, &t1);
    const double sec = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    check(s && s->n_labels == (int)n && sec < 5, "100000 distinct labels read in %.2f s (< 5)",
          sec);
    int ok = s != NULL;
    for (size_t i = 0; ok && i < s->n; i++) /* numbering by sorted name keeps each record's own */
        ok = atoi(s->label_names[s->labels[i]] + 1) == (int)i;
    check(ok, "100000 labels: every record keeps its own label");
    rnnc_textset_free(s);
    p += sprintf(p, "one-too-many\tw\n");
    src.path = write_file("too-many.tsv", buf, (size_t)(p - buf));
    free(buf);
    expect_error(
        &src, RNNC_ERR_FORMAT,
        "too-many.tsv:100002: label \"one-too-many\" would be label 100001; a text set holds at "
        "most 100000 labels",
        NULL, "label 100001 refused");
}

/* ---- other errors ------------------------------------------------------------------------- */

static void test_misc(void) {
    expect_error_at(RNNC_TEXT_AUTO, DATA "/folders/README", RNNC_ERR_ARG,
                    "cannot tell the text format", "unknown extension");
    expect_error_at(RNNC_TEXT_AUTO, DATA "/missing.bin", RNNC_ERR_IO, "No such file",
                    "AUTO on a missing file");
    expect_error_at(RNNC_TEXT_CSV, tmp_path("nope.csv"), RNNC_ERR_IO, "cannot open",
                    "missing file");
    const char *plain = tmp_path("plain.tar.gz");
    {
        struct archive *a = archive_write_new();
        archive_write_add_filter_gzip(a);
        archive_write_set_format_pax_restricted(a);
        archive_write_open_filename(a, plain);
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, "other/readme.txt");
        archive_entry_set_size(e, 2);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_write_header(a, e);
        archive_write_data(a, "hi", 2);
        archive_entry_free(e);
        archive_write_close(a);
        archive_write_free(a);
        remember(plain);
    }
    expect_error_at(RNNC_TEXT_AUTO, plain, RNNC_ERR_FORMAT, "without aclImdb/ members",
                    "archive that is not aclImdb");
    rnnc_text_source src = rnnc_text_source_init();
    check(src.format == RNNC_TEXT_AUTO && src.header == -1 && !src.path && !src.label_names,
          "rnnc_text_source_init defaults");
    expect_error(&src, RNNC_ERR_ARG, "no path", NULL, "no path");
    rnnc_textset_free(NULL);
}

/* ---- the bundled sample and the shared data set ------------------------------------------- */

static void count_labels(const rnnc_textset *s, size_t want_n, const char *what) {
    size_t c[2] = {0, 0};
    int ok = s && s->n == want_n && s->n_labels == 2 && strcmp(s->label_names[0], "neg") == 0 &&
             strcmp(s->label_names[1], "pos") == 0;
    for (size_t i = 0; ok && i < s->n; i++)
        c[s->labels[i]]++;
    check(ok && c[0] == want_n / 2 && c[1] == want_n / 2, "%s: %zu reviews, %zu neg and %zu pos",
          what, s ? s->n : 0, c[0], c[1]);
}

/* ---- explicit options win over detection ------------------------------------------------ */

static void test_explicit_wins(void) {
    /* Four TAB-separated fields, the first 0/1 and the second an integer: the IMDB TSV layout as
     * far as detection can tell. A given column makes it a plain TSV read with that column. */
    const char *f = write_str("four.tsv", "1\t5\tthe summary\tthe long body\n"
                                          "0\t2\tshort take\tanother body\n");
    static const char *const texts[] = {"the summary", "short take"};
    static const int32_t labels[] = {1, 0};
    static const char *const names[] = {"0", "1"};
    rnnc_text_source src = rnnc_text_source_init();
    src.path = f, src.text_col = "2";
    rnnc_textset *s = NULL;
    check(rnnc_textset_read(&src, &s) == RNNC_OK, "text column on an IMDB-like .tsv: %s",
          rnnc_last_error());
    expect_set(s, 2, texts, labels, 2, names, "a given text column wins over imdb-tsv detection");
    check(
        s && s->format == RNNC_TEXT_TSV && s->header == 0 &&
            strstr(s->read_as, "tsv (detected from the name *.tsv; a column or header is given)") &&
            strstr(s->read_as, "no header row (detected: the columns are numbers)") &&
            strstr(s->read_as, "label column 0 (default), text column 2 (set)"),
        "the set says how it was read: \"%s\"", s ? s->read_as : "");
    rnnc_textset_free(s);

    /* Without options it is detected as the IMDB layout, and says so. */
    s = read_set(RNNC_TEXT_AUTO, f, "IMDB-like .tsv, AUTO");
    check(s && s->format == RNNC_TEXT_IMDB_TSV && s->header == -1 &&
              strstr(s->read_as, "imdb-tsv (detected from the name *.tsv and a first line") &&
              !strstr(s->read_as, "column"),
          "imdb-tsv detection says so: \"%s\"", s ? s->read_as : "");
    rnnc_textset_free(s);

    /* A header given by name on a CSV; a set format says "set". */
    src = rnnc_text_source_init();
    src.path = DATA "/reviews.csv", src.label_col = "sentiment", src.text_col = "review";
    s = NULL;
    check(rnnc_textset_read(&src, &s) == RNNC_OK && s->format == RNNC_TEXT_CSV && s->header == 1 &&
              strstr(s->read_as, "csv (detected from the name *.csv), a header row (detected: a "
                                 "column is given by name), label column sentiment (set)"),
          "CSV by name says how it was read: \"%s\"", s ? s->read_as : "");
    rnnc_textset_free(s);
    src.format = RNNC_TEXT_CSV, src.header = 1, s = NULL;
    check(rnnc_textset_read(&src, &s) == RNNC_OK &&
              strstr(s->read_as, "csv (set), a header row (set)"),
          "a set format and header say \"set\": \"%s\"", s ? s->read_as : "");
    rnnc_textset_free(s);

    /* A column or a header for a format without them is refused, never ignored. */
    src = rnnc_text_source_init();
    src.path = f, src.format = RNNC_TEXT_IMDB_TSV, src.text_col = "2";
    expect_error(&src, RNNC_ERR_ARG,
                 "a text column (\"2\") is given, but the file is read as imdb-tsv (set)",
                 "set the format to csv or tsv", "a text column with format imdb-tsv");
    src = rnnc_text_source_init();
    src.path = DATA "/aclImdb", src.label_col = "label";
    expect_error(&src, RNNC_ERR_ARG, "is read as aclimdb (detected: a folder with <split>/pos)",
                 "no columns to choose", "a label column on an aclImdb folder");
    src = rnnc_text_source_init();
    src.path = DATA "/aclImdb", src.format = RNNC_TEXT_FOLDER_LINES, src.header = 1;
    expect_error(&src, RNNC_ERR_ARG, "header = true is given, but the file is read as folder-lines",
                 "no header row", "header = true on a folder format");
    src = rnnc_text_source_init();
    src.path = f, src.format = (enum rnnc_text_format)99;
    expect_error(&src, RNNC_ERR_ARG, "unknown text format 99", NULL, "an unknown format number");
    check(!strcmp(rnnc_text_format_name(RNNC_TEXT_FOLDER_LINES), "folder-lines") &&
              !strcmp(rnnc_text_format_name(RNNC_TEXT_AUTO), "auto") && !rnnc_text_format_name(7) &&
              !rnnc_text_format_name(-1),
          "rnnc_text_format_name");
}

static void test_imdb_data(void) {
    rnnc_textset *s =
        read_set(RNNC_TEXT_AUTO, "data/imdb-sample/train.tsv.gz", "imdb-sample train");
    count_labels(s, 4000, "data/imdb-sample/train.tsv.gz");
    rnnc_textset_free(s);
    s = read_set(RNNC_TEXT_AUTO, "data/imdb-sample/test.tsv.gz", "imdb-sample test");
    count_labels(s, 1000, "data/imdb-sample/test.tsv.gz");
    rnnc_textset_free(s);

    const char *shared = "/work/shared/data/imdb/train.tsv.gz";
    if (access(shared, R_OK) != 0) {
        printf("note: %s not found; the full IMDB TSV checks are skipped (not counted)\n", shared);
        return;
    }
    s = read_set(RNNC_TEXT_AUTO, shared, "shared IMDB train");
    count_labels(s, 25000, shared);
    /* 12 training reviews hold TABs inside the text (counted with Python's split('\t', 3)). */
    size_t tabs = 0;
    for (size_t i = 0; s && i < s->n; i++)
        tabs += strchr(s->texts[i], '\t') != NULL;
    check(tabs == 12, "shared IMDB train: %zu reviews keep their inner TABs (want 12)", tabs);
    check(s && strncmp(s->texts[1], "Bromwell High is a cartoon comedy", 33) == 0 &&
              s->labels[1] == 1,
          "shared IMDB train: row 2 is pos 0 (\"Bromwell High...\")");
    rnnc_textset_free(s);
}

int main(void) {
    const char *t = getenv("TMPDIR");
    snprintf(tmp, sizeof tmp, "%s/rnnc-readers-XXXXXX", (t && *t) ? t : "/tmp");
    if (!mkdtemp(tmp)) {
        check(0, "cannot make a temporary folder");
        return check_summary();
    }
    test_aclimdb();
    test_imdb_tsv();
    test_delimited();
    test_folders();
    test_encoding();
    test_nul();
    test_twin_column();
    test_many_labels();
    test_misc();
    test_limits();
    test_explicit_wins();
    test_imdb_data();
    cleanup();
    return check_summary();
}
