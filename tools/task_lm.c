/* A language model's training file (docs/lm.md: an [lm] section) read, its text read and encoded,
 * the model built, trained with progress and scored; and a language model's file scored on a
 * text file (rnnc eval). */
#include "cli.h"
#include "tasks.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* The text and model of one training run (freed by run_free). */
typedef struct lm_run {
    char *text;      /* the training file's text, until encoded */
    size_t len, cut; /* its length; where its validation part starts (len: none) */
    rnnc_lm *lm;
    rnnc_corpus train, val, test;
} lm_run;

static void run_free(lm_run *r) {
    free(r->text);
    rnnc_corpus_free(&r->train), rnnc_corpus_free(&r->val), rnnc_corpus_free(&r->test);
    rnnc_lm_free(r->lm);
}

/* A file's text: the file itself, or with [lm] format the texts of a labelled set, one per line,
 * saying how the set was read (lc NULL: plain text read within lim, which may be NULL for the
 * defaults), in encoding enc (Latin-1 decoded to UTF-8; UTF-8's invalid bytes are counted in a
 * warning of rnnc `cmd`). split names the aclImdb split. */
static rnnc_status read_text(const rnnc_lm_config *lc, const rnnc_read_limits *lim, int enc,
                             const char *cmd, const char *path, const char *split, char **text,
                             size_t *len) {
    const char *option = lc ? "[lm] encoding =" : "--encoding";
    rnnc_status st;
    if (!lc || lc->format < 0) {
        if ((st = rnnc_text_file_read(path, lc ? &lc->limits : lim, text, len)))
            return st;
        if (enc != RNNC_TEXT_LATIN1) {
            cli_warn_invalid_utf8(cmd, path, rnnc_text_invalid_utf8(*text, *len), option);
            return RNNC_OK;
        }
        char *u;
        size_t n;
        st = rnnc_text_latin1_to_utf8(*text, *len, &u, &n);
        free(*text);
        *text = st ? NULL : u, *len = st ? 0 : n;
        return st;
    }
    rnnc_text_source src = rnnc_text_source_init();
    src.limits = lc->limits;
    src.format = lc->format, src.path = path, src.split = split, src.encoding = enc;
    src.text_col = lc->text_column[0] ? lc->text_column : NULL;
    rnnc_textset *set = NULL;
    st = rnnc_textset_read(&src, &set);
    if (st == RNNC_OK) {
        printf("data: %s read as %s\n", path, set->read_as);
        cli_warn_invalid_utf8(cmd, path, set->invalid_utf8, option);
        st = rnnc_textset_join(set, text, len);
    }
    rnnc_textset_free(set);
    return st;
}

/* Reads a file and encodes it with the model's vocabulary. */
static rnnc_status read_stream(const rnnc_lm *lm, const rnnc_lm_config *lc,
                               const rnnc_read_limits *lim, int enc, const char *cmd,
                               const char *path, const char *split, rnnc_corpus *out) {
    char *text;
    size_t len;
    rnnc_status st = read_text(lc, lim, enc, cmd, path, split, &text, &len);
    if (st)
        return st;
    st = rnnc_lm_encode(lm, text, len, path, out);
    free(text);
    return st;
}

static int report_eval(rnnc_lm *lm, const char *what, const char *path, const rnnc_corpus *c,
                       int batch) {
    double loss;
    size_t n;
    const double t0 = cli_wall();
    rnnc_status st = rnnc_lm_evaluate(lm, c, batch, &loss, &n);
    if (st)
        return cli_fail(what, st);
    const int chars = rnnc_lm_get_spec(lm)->level == RNNC_LM_CHAR;
    printf("%s %s: %zu tokens scored (%d stream%s)  loss %.4f nats/token  perplexity %.3f", what,
           path, n, batch, batch == 1 ? "" : "s", loss, exp(loss));
    if (chars)
        printf("  bpc %.4f", loss / log(2.0));
    printf("  (%.1f s)\n", cli_wall() - t0);
    return CLI_OK;
}

/* The training text, its validation part cut off when asked, and the model built on the rest. */
static int build(rnnc_lm_config *lc, const cli_train_args *a, cli_make_lm make, void *user,
                 lm_run *r) {
    rnnc_status st =
        read_text(lc, NULL, lc->encoding, "train", lc->train_file, "train", &r->text, &r->len);
    if (st)
        return cli_fail("train", st);
    if (r->len == 0) {
        fprintf(stderr, "rnnc train: %s: the training text is empty\n", lc->train_file);
        return CLI_USAGE;
    }
    const rnnc_corpus_spec cspec = rnnc_lm_corpus(&lc->spec);
    r->cut = lc->validation_split > 0
                 ? rnnc_corpus_cut(&cspec, r->text, r->len, lc->validation_split)
                 : r->len;
    if (make)
        return make(user, lc, r->text, r->cut, &r->lm);
    const rnnc_run_config *tc = &lc->run;
    if ((st = rnnc_lm_create(&tc->model, &lc->spec, r->text, r->cut, tc->fit.seed, &r->lm)))
        return cli_fail(a->path, st);
    return CLI_OK;
}

/* The training, validation and test streams, encoded with the model's vocabulary. */
static int encode(const rnnc_lm_config *lc, lm_run *r) {
    rnnc_status st;
    if ((st = rnnc_lm_encode(r->lm, r->text, r->cut, lc->train_file, &r->train)) ||
        (r->cut < r->len && (st = rnnc_lm_encode(r->lm, r->text + r->cut, r->len - r->cut,
                                                 "validation part", &r->val))) ||
        (lc->validation_file[0] && (st = read_stream(r->lm, lc, NULL, lc->encoding, "train",
                                                     lc->validation_file, "train", &r->val))) ||
        (lc->test_file[0] && (st = read_stream(r->lm, lc, NULL, lc->encoding, "train",
                                               lc->test_file, "test", &r->test))))
        return cli_fail("train", st);
    free(r->text);
    r->text = NULL;
    return CLI_OK;
}

static void print_setup(const rnnc_lm_config *lc, const lm_run *r) {
    size_t np;
    rnnc_model_params(rnnc_lm_model(r->lm), &np);
    const rnnc_lm_spec *sp = rnnc_lm_get_spec(r->lm);
    printf("data: %s: %zu training tokens", lc->train_file, r->train.n);
    if (r->val.n)
        printf(", %zu validation tokens%s", r->val.n, r->cut < r->len ? " (the file's end)" : "");
    if (r->test.n)
        printf(", %zu test tokens", r->test.n);
    printf("; vocabulary %d (%s level)\n", rnnc_vocab_size(rnnc_lm_vocab(r->lm)),
           sp->level == RNNC_LM_CHAR ? "character" : "word");
    printf("model: %zu parameters; %d epochs, batch %d x bptt %d, %d thread%s\n", np,
           lc->run.fit.epochs, lc->run.fit.batch_size, sp->bptt, rnnc_num_threads(),
           rnnc_num_threads() == 1 ? "" : "s");
    fflush(stdout);
}

int cli_train_lm(const cli_train_args *a, cli_make_lm make, void *user) {
    static rnnc_lm_config lc;
    rnnc_status st = rnnc_lm_config_parse(a->file, &lc);
    if (st)
        return cli_fail("train", st);
    rnnc_run_config *tc = &lc.run;
    static char setup[256]; /* how the text is read: a resume must read it the same way */
    snprintf(setup, sizeof setup, "format=%d\ntext_column=%s\nencoding=%s\nvalidation_split=%g\n",
             lc.format, lc.text_column[0] ? lc.text_column : "(default)",
             lc.encoding == RNNC_TEXT_LATIN1 ? "latin-1" : "utf-8", lc.validation_split);
    tc->fit.setup = setup;
    const char *data[] = {lc.train_file, lc.validation_file, lc.test_file};
    if (cli_train_prepare(tc, a, data, 3))
        return CLI_USAGE;
    const double t0 = cli_wall();
    lm_run r = {NULL, 0, 0, NULL, {0}, {0}, {0}};
    int rc = build(&lc, a, make, user, &r);
    if (rc == CLI_OK)
        rc = encode(&lc, &r);
    if (rc == CLI_OK) {
        print_setup(&lc, &r);
        const rnnc_lm_spec *sp = rnnc_lm_get_spec(r.lm);
        cli_progress ps;
        rnnc_epoch_report last;
        cli_fit_begin(&ps, sp->level == RNNC_LM_CHAR ? CLI_TASK_LM_CHAR : CLI_TASK_LM_WORD,
                      (double)sp->bptt, a, &tc->fit);
        st = rnnc_lm_fit(r.lm, &r.train, r.val.n ? &r.val : NULL, &tc->fit, &last);
        rc = cli_fit_end(&ps, st, &last, &tc->fit, a->path);
    }
    if (rc == CLI_OK)
        printf("training took %.1f s\n", cli_wall() - t0);
    if (rc == CLI_OK && r.val.n)
        rc = report_eval(r.lm, "validation",
                         lc.validation_file[0] ? lc.validation_file : "(the training file's end)",
                         &r.val, 1);
    if (rc == CLI_OK && r.test.n)
        rc = report_eval(r.lm, "test", lc.test_file, &r.test, 1);
    if (rc == CLI_OK)
        printf("total %.1f s\n", cli_wall() - t0);
    run_free(&r);
    return rc;
}

int cli_eval_lm(const char *model, const char *data, long batch, int encoding,
                const rnnc_read_limits *lim) {
    if (!data) {
        fprintf(stderr, "rnnc eval: a language model needs a text FILE to score\n");
        return CLI_USAGE;
    }
    rnnc_lm *lm = NULL;
    rnnc_status st = rnnc_lm_load(model, &lm);
    if (st)
        return cli_fail("eval", st);
    rnnc_corpus c = {0};
    int rc = CLI_OK;
    if ((st = read_stream(lm, NULL, lim, encoding, "eval", data, NULL, &c)))
        rc = cli_fail("eval", st);
    else
        rc = report_eval(lm, model, data, &c, batch > 0 ? (int)batch : 1);
    rnnc_corpus_free(&c);
    rnnc_lm_free(lm);
    return rc;
}
