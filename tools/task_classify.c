/* A text classifier's training file (docs/training.md): read, the data read, the classifier built,
 * trained with progress and evaluated on the test set. */
#include "cli.h"
#include "tasks.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The data and model of one run (freed by run_free). */
typedef struct classify_run {
    rnnc_textset *train, *val, *test;
    rnnc_classifier *c;
} classify_run;

static void run_free(classify_run *r) {
    rnnc_classifier_free(r->c);
    rnnc_textset_free(r->train);
    rnnc_textset_free(r->val);
    rnnc_textset_free(r->test);
}

/* Reads a labelled set; names (may be NULL) fixes the label order. split names the aclImdb split
 * ("train" or "test"), so one aclImdb folder or archive can serve as both train and test. */
static rnnc_status read_set(const rnnc_classify_config *tc, const char *path, const char *split,
                            const char *const *names, int n_names, rnnc_textset **out) {
    rnnc_text_source src = rnnc_text_source_init();
    src.format = tc->format, src.path = path, src.header = tc->header, src.split = split;
    src.label_col = tc->label_column[0] ? tc->label_column : NULL;
    src.text_col = tc->text_column[0] ? tc->text_column : NULL;
    src.label_names = names, src.n_label_names = n_names;
    src.limits = tc->limits;
    src.encoding = tc->encoding;
    return rnnc_textset_read(&src, out);
}

void cli_warn_invalid_utf8(const char *cmd, const char *path, size_t n, const char *option) {
    if (n)
        fprintf(stderr,
                "rnnc %s: warning: %s: %zu invalid UTF-8 byte%s replaced by U+FFFD; set %s "
                "latin-1 if the file is Latin-1\n",
                cmd, path, n, n == 1 ? "" : "s", option);
}

/* The labels s's examples hold, for messages (0 when they cannot be counted). */
static int labels_in(const rnnc_textset *s) {
    int n = 0;
    return rnnc_textset_labels_present(s, &n) == RNNC_OK ? n : 0;
}

void cli_textset_warnings(const char *cmd, const char *role, const char *path,
                          const rnnc_textset *s) {
    if (s)
        cli_warn_invalid_utf8(cmd, path, s->invalid_utf8,
                              strcmp(cmd, "eval") ? "[data] encoding =" : "--encoding");
    if (role && s && s->n > 0 && labels_in(s) == 1)
        fprintf(stderr,
                "rnnc %s: warning: the %s set (%s) holds one label only, '%s': its accuracy, "
                "precision and recall say little%s\n",
                cmd, role, path, s->label_names[s->labels[0]],
                strcmp(role, "validation") ? ""
                                           : ", and early stopping and the best epoch are "
                                             "chosen on it");
}

/* Moves a stratified, seeded `fraction` of set into *out (rnnc_textset_split); an error names the
 * training file ini, the key and the data file. */
static rnnc_status split_off(const char *ini, const char *key, const char *file, rnnc_textset *set,
                             double fraction, uint64_t seed, rnnc_textset **out) {
    rnnc_status st = rnnc_textset_split(set, fraction, seed, out);
    if (st == RNNC_OK)
        return st;
    char msg[512];
    snprintf(msg, sizeof msg, "%s", rnnc_last_error());
    return rnnc_error(st, "%s: [data] %s = %g on %s: %s", ini, key, fraction, file, msg);
}

/* The test set when test_split makes it (first), the training set (a subset of the rest when
 * asked) and the validation set: a split of the rest or a file. */
static rnnc_status read_train(const char *ini, const rnnc_classify_config *tc, classify_run *r) {
    rnnc_status st = read_set(tc, tc->train, "train", NULL, 0, &r->train);
    if (st == RNNC_OK)
        cli_textset_warnings("train", NULL, tc->train, r->train);
    if (st == RNNC_OK && tc->test_split > 0) {
        st = split_off(ini, "test_split", tc->train, r->train, tc->test_split, tc->test_seed,
                       &r->test);
        if (st == RNNC_OK) {
            char what[1100];
            snprintf(what, sizeof what, "test_split of %s", tc->train);
            cli_textset_warnings("train", "test", what, r->test);
        }
    }
    if (st == RNNC_OK && tc->subset > 0)
        st = rnnc_textset_subset(r->train, (size_t)tc->subset, tc->subset_seed);
    if (st == RNNC_OK && tc->validation_split > 0)
        st = split_off(ini, "validation_split", tc->train, r->train, tc->validation_split,
                       tc->run.fit.seed, &r->val);
    if (st == RNNC_OK && tc->validation[0])
        st = read_set(tc, tc->validation, "train", (const char *const *)r->train->label_names,
                      r->train->n_labels, &r->val);
    if (st == RNNC_OK && r->val) {
        char what[1100];
        snprintf(what, sizeof what, tc->validation[0] ? "%s" : "validation_split of %s",
                 tc->validation[0] ? tc->validation : tc->train);
        cli_textset_warnings("train", "validation", what, r->val);
    }
    return st;
}

/* A test set made by test_split, stored as the count and hash of its examples (their label names
 * and texts, FNV-1a), so that `rnnc eval` can tell the same set re-made from the same file. */
void cli_textset_digest(const rnnc_textset *s, char *buf, size_t cap) {
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < s->n; i++) {
        const char *parts[2] = {s->label_names[s->labels[i]], s->texts[i]};
        for (int k = 0; k < 2; k++) {
            for (const unsigned char *p = (const unsigned char *)parts[k]; *p; p++)
                h = (h ^ *p) * 1099511628211ull;
            h = (h ^ (unsigned char)(k ? '\n' : '\t')) * 1099511628211ull;
        }
    }
    snprintf(buf, cap, "%zu examples #%016llx", s->n, (unsigned long long)h);
}

/* Stores in the model file how the test set was read, so that `rnnc eval MODEL` reads it the same
 * way from any folder: its absolute path, the format used and, for CSV and TSV, whether it has a
 * header and the columns. A test set made by test_split names the training file (read is the set
 * it was read into) with the fraction, the seed and the set's digest, so eval re-makes it. */
static int store_test(const rnnc_classify_config *tc, const rnnc_textset *test,
                      const rnnc_textset *read, rnnc_classifier *c) {
    char abs[4096];
    const int split = tc->test_split > 0;
    if (cli_absolute_path(split ? tc->train : tc->test, abs, sizeof abs) != CLI_OK)
        return CLI_FAIL;
    rnnc_status st = rnnc_classifier_set_info(c, "rnnc.data.test", abs);
    if (!st && split) {
        char b[128];
        snprintf(b, sizeof b, "%.17g", tc->test_split);
        st = rnnc_classifier_set_info(c, "rnnc.data.test.split", b);
        snprintf(b, sizeof b, "%llu", (unsigned long long)tc->test_seed);
        if (!st)
            st = rnnc_classifier_set_info(c, "rnnc.data.test.split_seed", b);
        cli_textset_digest(test, b, sizeof b);
        if (!st)
            st = rnnc_classifier_set_info(c, "rnnc.data.test.split_digest", b);
        test = read;
    }
    if (!st && tc->encoding == RNNC_TEXT_LATIN1)
        st = rnnc_classifier_set_info(c, "rnnc.data.test.encoding", "latin-1");
    if (!st)
        st = rnnc_classifier_set_info(c, "rnnc.data.test.format",
                                      rnnc_text_format_name(test->format));
    if (!st && test->header >= 0) {
        st = rnnc_classifier_set_info(c, "rnnc.data.test.header", test->header ? "true" : "false");
        if (!st)
            st = rnnc_classifier_set_info(c, "rnnc.data.test.label_column",
                                          tc->label_column[0] ? tc->label_column : "0");
        if (!st)
            st = rnnc_classifier_set_info(c, "rnnc.data.test.text_column",
                                          tc->text_column[0] ? tc->text_column : "1");
    }
    return st ? cli_fail("train", st) : CLI_OK;
}

/* The classifier (make's, or a new one), then the test set, read and checked before training
 * overwrites anything. */
static int build(rnnc_classify_config *tc, const cli_train_args *a, cli_make_classifier make,
                 void *user, classify_run *r) {
    rnnc_status st;
    int rc;
    if (make) {
        if ((rc = make(user, tc, r->train, &r->c)) != CLI_OK)
            return rc;
    } else if ((st = rnnc_classifier_create(&tc->run.model, &tc->text, r->train, tc->run.fit.seed,
                                            &r->c))) {
        return cli_fail(a->path, st);
    }
    if (r->test) /* test_split */
        return store_test(tc, r->test, r->train, r->c);
    if (!tc->test[0])
        return CLI_OK;
    const char *const *names;
    const int nl = rnnc_classifier_labels(r->c, &names);
    if ((st = read_set(tc, tc->test, "test", names, nl, &r->test)))
        return cli_fail("train", st);
    cli_textset_warnings("train", "test", tc->test, r->test);
    return store_test(tc, r->test, r->test, r->c);
}

static void print_setup(const rnnc_classify_config *tc, const cli_train_args *a,
                        const classify_run *r, double seconds) {
    const char *paths[] = {tc->train, tc->validation, tc->test};
    const rnnc_textset *sets[] = {r->train, tc->validation[0] ? r->val : NULL,
                                  tc->test[0] ? r->test : NULL};
    for (int i = 0; i < 3; i++)
        if (sets[i])
            printf("data: %s read as %s\n", paths[i], sets[i]->read_as);
    if (tc->test_split > 0)
        printf("data: test_split %g of %s (seed %llu): %zu test examples, %d labels in them\n",
               tc->test_split, tc->train, (unsigned long long)tc->test_seed, r->test->n,
               labels_in(r->test));
    printf("data: %zu training, %zu validation examples, %d labels", r->train->n,
           r->val ? r->val->n : 0, r->train->n_labels);
    if (r->val)
        printf(" (%d in the validation set)", labels_in(r->val));
    printf("; vocabulary %d ids; read in %.1f s\n", rnnc_vocab_size(rnnc_classifier_vocab(r->c)),
           seconds);
    size_t n_params;
    rnnc_model_params(rnnc_classifier_model(r->c), &n_params);
    printf("model: %d layers, %zu parameters; %d epochs, batch %d, %d thread%s%s%s\n",
           tc->run.model.n_layers, n_params, tc->run.fit.epochs, tc->run.fit.batch_size,
           rnnc_num_threads(), rnnc_num_threads() == 1 ? "" : "s",
           a->resume ? "; resuming from " : "", a->resume ? a->resume : "");
    fflush(stdout);
}

static int report_test(const classify_run *r) {
    double loss;
    rnnc_metric_values v;
    rnnc_status st = rnnc_classifier_evaluate(r->c, r->test, 256, &loss, &v);
    if (st)
        return cli_fail("train", st);
    printf("test: %zu examples  loss %.4f  accuracy %.4f  precision %.4f  recall %.4f  f1 %.4f",
           v.n, loss, v.accuracy, v.precision, v.recall, v.f1);
    if (!isnan(v.auc))
        printf("  auc %.4f", v.auc);
    printf("\n");
    return CLI_OK;
}

/* How the training data is read, for the checkpoint's setup (rnnc_fit_spec.setup): a resume must
 * read it the same way. */
static void data_setup(const rnnc_classify_config *tc, char *buf, size_t cap) {
    int n =
        snprintf(buf, cap, "label_column=%s\ntext_column=%s\nencoding=%s\nvalidation_split=%g\n",
                 tc->label_column[0] ? tc->label_column : "(default)",
                 tc->text_column[0] ? tc->text_column : "(default)",
                 tc->encoding == RNNC_TEXT_LATIN1 ? "latin-1" : "utf-8", tc->validation_split);
    if (tc->subset > 0 && n > 0 && (size_t)n < cap)
        n += snprintf(buf + n, cap - (size_t)n, "subset=%ld\nsubset_seed=%llu\n", tc->subset,
                      (unsigned long long)tc->subset_seed);
    if (tc->test_split > 0 && n > 0 && (size_t)n < cap)
        snprintf(buf + n, cap - (size_t)n, "test_split=%g\ntest_seed=%llu\n", tc->test_split,
                 (unsigned long long)tc->test_seed);
}

int cli_train_classifier(const cli_train_args *a, cli_make_classifier make, void *user) {
    static rnnc_classify_config tc;
    static char setup[512];
    rnnc_status st = rnnc_classify_config_parse(a->file, &tc);
    if (st)
        return cli_fail("train", st);
    data_setup(&tc, setup, sizeof setup);
    tc.run.fit.setup = setup;
    const char *data[] = {tc.train, tc.validation, tc.test};
    if (cli_train_prepare(&tc.run, a, data, 3))
        return CLI_USAGE;
    const double t0 = cli_wall();
    classify_run r = {NULL, NULL, NULL, NULL};
    int rc = CLI_OK;
    if ((st = read_train(a->path, &tc, &r)))
        rc = cli_fail("train", st);
    else
        rc = build(&tc, a, make, user, &r);
    if (rc == CLI_OK) {
        print_setup(&tc, a, &r, cli_wall() - t0);
        cli_progress ps;
        rnnc_epoch_report last;
        cli_fit_begin(&ps, CLI_TASK_CLASSIFY, 1, a, &tc.run.fit);
        st = rnnc_classifier_fit(r.c, r.train, r.val, &tc.run.fit, &last);
        rc = cli_fit_end(&ps, st, &last, &tc.run.fit, a->path);
    }
    if (rc == CLI_OK && r.test)
        rc = report_test(&r);
    if (rc == CLI_OK)
        printf("total %.1f s\n", cli_wall() - t0);
    run_free(&r);
    return rc;
}
