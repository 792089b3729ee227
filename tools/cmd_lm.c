/* The language-model sides of rnnc train and rnnc eval (docs/lm.md): a training file with an
 * [lm] section, and a language model's file scored on a text file. */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double wall(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

typedef struct lm_run {
    int tty, quiet, chars;
    double tokens_per_item; /* a trainer "item" is one row of one window: bptt tokens */
    double last;
} lm_run;

/* "loss 1.2345 (bpc 1.781)" or "loss 4.5678 (ppl 96.4)". */
static void print_loss(const char *name, double loss, int chars) {
    if (chars)
        printf("%s %.4f (bpc %.4f)", name, loss, loss / log(2.0));
    else
        printf("%s %.4f (ppl %.2f)", name, loss, exp(loss));
}

static void on_progress(const rnnc_progress *p, void *user) {
    lm_run *r = user;
    if (!r->tty || r->quiet)
        return;
    const double t = wall();
    if (p->batch != p->batches && t - r->last < 0.2)
        return;
    r->last = t;
    enum { W = 24 };
    char bar[W + 1];
    const size_t fill = p->batches ? p->batch * W / p->batches : 0;
    for (size_t i = 0; i < W; i++)
        bar[i] = i < fill ? '=' : (i == fill ? '>' : ' ');
    bar[W] = 0;
    const long eta = (long)(p->eta_s >= 0 && p->eta_s < 1e7 ? p->eta_s + 0.5 : 0);
    fprintf(stderr, "\repoch %d/%d [%s] %zu/%zu  loss %.4f  %.0f tokens/s  ETA %ld:%02ld   ",
            p->epoch, p->epochs, bar, p->batch, p->batches, p->loss,
            p->items_per_s * r->tokens_per_item, eta / 60, eta % 60);
    fflush(stderr);
}

static void on_epoch(const rnnc_epoch_report *e, void *user) {
    lm_run *r = user;
    if (r->tty && !r->quiet)
        fprintf(stderr, "\r%110s\r", "");
    printf("epoch %d/%d  ", e->epoch, e->epochs);
    print_loss("loss", e->loss, r->chars);
    if (!isnan(e->val_loss)) {
        printf("  ");
        print_loss("val_loss", e->val_loss, r->chars);
        printf("  val_accuracy %.4f", e->val.accuracy);
    }
    printf("  lr %.3g  %.1f s  %.0f tokens/s%s%s\n", e->lr, e->seconds,
           e->items_per_s * r->tokens_per_item, e->improved ? "  *" : "",
           e->stop ? "  (early stop)" : "");
    fflush(stdout);
}

/* A file's text: the file itself, or with [lm] format the texts of a labelled set, one per line
 * (lc NULL: plain text). split names the aclImdb split. */
static rnnc_status read_text(const rnnc_lm_config *lc, const char *path, const char *split,
                             char **text, size_t *len) {
    if (!lc || lc->format < 0)
        return rnnc_text_file_read(path, text, len);
    rnnc_text_source src = rnnc_text_source_init();
    src.format = lc->format, src.path = path, src.split = split;
    src.text_col = lc->text_column[0] ? lc->text_column : NULL;
    rnnc_textset *set = NULL;
    rnnc_status st = rnnc_textset_read(&src, &set);
    if (st == RNNC_OK)
        st = rnnc_textset_join(set, text, len);
    rnnc_textset_free(set);
    return st;
}

/* Reads a file and encodes it with the model's vocabulary; name for messages. */
static rnnc_status read_stream(const rnnc_lm *lm, const rnnc_lm_config *lc, const char *path,
                               const char *split, rnnc_corpus *out) {
    char *text;
    size_t len;
    rnnc_status st = read_text(lc, path, split, &text, &len);
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
    const double t0 = wall();
    rnnc_status st = rnnc_lm_evaluate(lm, c, batch, &loss, &n);
    if (st)
        return cli_fail(what, st);
    const int chars = rnnc_lm_spec_of(lm)->level == RNNC_LM_CHAR;
    printf("%s %s: %zu tokens scored (%d stream%s)  loss %.4f nats/token  perplexity %.3f", what,
           path, n, batch, batch == 1 ? "" : "s", loss, exp(loss));
    if (chars)
        printf("  bpc %.4f", loss / log(2.0));
    printf("  (%.1f s)\n", wall() - t0);
    return CLI_OK;
}

int cli_train_lm(const char *path, const char *const *sets, int n_sets, long threads, int quiet,
                 const char *resume, cli_make_lm make, void *user) {
    static rnnc_lm_config lc;
    rnnc_status st = rnnc_lm_config_read(path, sets, n_sets, &lc);
    if (st)
        return cli_fail("train", st);
    rnnc_train_config *tc = &lc.train;
    if (cli_train_prepare(tc, path, resume, threads))
        return CLI_USAGE;
    const double t0 = wall();
    char *text = NULL;
    size_t len = 0, cut;
    rnnc_lm *lm = NULL;
    rnnc_corpus train = {0}, val = {0}, test = {0};
    int rc = CLI_OK;
    if ((st = read_text(&lc, lc.train_file, "train", &text, &len))) {
        rc = cli_fail("train", st);
        goto done;
    }
    if (len == 0) {
        fprintf(stderr, "rnnc train: %s: the training text is empty\n", lc.train_file);
        rc = CLI_USAGE;
        goto done;
    }
    const rnnc_corpus_spec cspec = rnnc_lm_corpus(&lc.spec);
    cut = lc.validation_split > 0 ? rnnc_corpus_cut(&cspec, text, len, lc.validation_split) : len;
    if (make) {
        if ((rc = make(user, &lc, text, cut, &lm)) != CLI_OK)
            goto done;
    } else if ((st = rnnc_lm_create(&tc->model, &lc.spec, text, cut, tc->fit.seed, &lm))) {
        rc = cli_fail(path, st);
        goto done;
    }
    if ((st = rnnc_lm_encode(lm, text, cut, lc.train_file, &train)) ||
        (cut < len && (st = rnnc_lm_encode(lm, text + cut, len - cut, "validation part", &val))) ||
        (lc.validation_file[0] && (st = read_stream(lm, &lc, lc.validation_file, "train", &val))) ||
        (lc.test_file[0] && (st = read_stream(lm, &lc, lc.test_file, "test", &test)))) {
        rc = cli_fail("train", st);
        goto done;
    }
    free(text);
    text = NULL;
    size_t np;
    rnnc_model_params(rnnc_lm_model(lm), &np);
    const rnnc_lm_spec *sp = rnnc_lm_spec_of(lm);
    printf("data: %s: %zu training tokens", lc.train_file, train.n);
    if (val.n)
        printf(", %zu validation tokens%s", val.n, cut < len ? " (the file's end)" : "");
    if (test.n)
        printf(", %zu test tokens", test.n);
    printf("; vocabulary %d (%s level)\n", rnnc_vocab_size(rnnc_lm_vocab(lm)),
           sp->level == RNNC_LM_CHAR ? "character" : "word");
    printf("model: %zu parameters; %d epochs, batch %d x bptt %d, %d thread%s\n", np,
           tc->fit.epochs, tc->fit.batch_size, sp->bptt, rnnc_get_num_threads(),
           rnnc_get_num_threads() == 1 ? "" : "s");
    fflush(stdout);
    lm_run run = {isatty(2), quiet, sp->level == RNNC_LM_CHAR, (double)sp->bptt, 0};
    tc->fit.on_progress = on_progress, tc->fit.on_epoch = on_epoch, tc->fit.user = &run;
    cli_catch_stop_signals(&tc->fit);
    rnnc_epoch_report last;
    st = rnnc_lm_fit(lm, &train, val.n ? &val : NULL, &tc->fit, &last);
    cli_release_stop_signals();
    if (st) {
        rc = cli_fail("train", st);
        goto done;
    }
    if (last.interrupted) {
        rc = cli_report_stop(&last, &tc->fit, path);
        goto done;
    }
    printf("training took %.1f s\n", wall() - t0);
    if (tc->fit.out_dir)
        printf("saved %s/model.safetensors\n", tc->fit.out_dir);
    if (val.n)
        rc = report_eval(lm, "validation",
                         lc.validation_file[0] ? lc.validation_file : "(the training file's end)",
                         &val, 1);
    if (rc == CLI_OK && test.n)
        rc = report_eval(lm, "test", lc.test_file, &test, 1);
    printf("total %.1f s\n", wall() - t0);
done:
    free(text);
    rnnc_corpus_free(&train), rnnc_corpus_free(&val), rnnc_corpus_free(&test);
    rnnc_lm_free(lm);
    return rc;
}

int cli_eval_lm(const char *model, const char *data, long batch) {
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
    if ((st = read_stream(lm, NULL, data, NULL, &c)))
        rc = cli_fail("eval", st);
    else
        rc = report_eval(lm, model, data, &c, batch > 0 ? (int)batch : 1);
    rnnc_corpus_free(&c);
    rnnc_lm_free(lm);
    return rc;
}
