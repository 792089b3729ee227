/* rnnc train CONFIG: trains a text classifier from a training file (docs/training.md), with a
 * progress bar on a terminal and one line per epoch otherwise. */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *usage_text =
    "usage: rnnc train CONFIG [--set section.key=value ...] [--resume CHECKPOINT]\n"
    "                         [--threads N] [--quiet]\n\n"
    "Trains a text classifier as CONFIG describes: the model's layer sections plus [data],\n"
    "[train], [optimizer], [schedule] and [early_stopping] (docs/training.md; examples in\n"
    "examples/imdb/). Writes checkpoint.safetensors every epoch, best.safetensors,\n"
    "model.safetensors and metrics.jsonl into [train] output, then evaluates on [data] test.\n"
    "A file with a [forecast] section trains a forecaster instead (docs/forecast.md) and ends\n"
    "with the test part's metrics of the model and every baseline. A file with an [lm]\n"
    "section trains a language model (docs/lm.md) and ends with its validation and test\n"
    "loss, perplexity and (characters) bits per character.\n\n"
    "options:\n"
    "  --set s.k=v    override a key of the file (repeatable), e.g. --set train.epochs=2\n"
    "  --resume FILE  continue from a checkpoint.safetensors of the same setup, exactly as if\n"
    "                 the run had not stopped\n"
    "  --threads N    threads for the math (default: [train] threads, 0 = every core)\n"
    "  --quiet        no progress bar\n";

typedef struct progress_state {
    int tty, quiet;
    double last;
} progress_state;

static double wall(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void fmt_time(char *b, size_t n, double s) {
    if (!(s >= 0) || s > 1e7)
        s = 0;
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(b, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(b, n, "%ld:%02ld", t / 60, t % 60);
}

static void on_progress(const rnnc_progress *p, void *user) {
    progress_state *ps = user;
    if (!ps->tty || ps->quiet)
        return;
    double t = wall();
    if (p->batch != p->batches && t - ps->last < 0.1)
        return;
    ps->last = t;
    enum { W = 24 };
    char bar[W + 1];
    size_t fill = p->batches ? p->batch * W / p->batches : 0;
    for (size_t i = 0; i < W; i++)
        bar[i] = i < fill ? '=' : (i == fill ? '>' : ' ');
    bar[W] = 0;
    char eta[32];
    fmt_time(eta, sizeof eta, p->eta_s);
    fprintf(stderr, "\repoch %d/%d [%s] %zu/%zu  loss %.4f  %.0f items/s  ETA %s   ", p->epoch,
            p->epochs, bar, p->batch, p->batches, p->loss, p->items_per_s, eta);
    fflush(stderr);
}

static void on_epoch(const rnnc_epoch_report *r, void *user) {
    progress_state *ps = user;
    if (ps->tty && !ps->quiet)
        fprintf(stderr, "\r%100s\r", "");
    printf("epoch %d/%d  loss %.4f  accuracy %.4f", r->epoch, r->epochs, r->loss, r->accuracy);
    if (!isnan(r->val_loss))
        printf("  val_loss %.4f  val_accuracy %.4f", r->val_loss, r->val.accuracy);
    printf("  lr %.3g  %.1f s  %.0f items/s%s%s\n", r->lr, r->seconds, r->items_per_s,
           r->improved ? "  *" : "", r->stop ? "  (early stop)" : "");
    fflush(stdout);
}

/* Reads a labelled set; names (may be NULL) fixes the label order. split names the aclImdb split
 * ("train" or "test"), so one aclImdb folder or archive can serve as both train and test. */
static rnnc_status read_set(const rnnc_train_config *tc, const char *path, const char *split,
                            char *const *names, int n_names, rnnc_textset **out) {
    rnnc_text_source src = rnnc_text_source_init();
    src.format = tc->format, src.path = path, src.header = tc->header, src.split = split;
    src.label_col = tc->label_column[0] ? tc->label_column : NULL;
    src.text_col = tc->text_column[0] ? tc->text_column : NULL;
    src.label_names = (const char *const *)names, src.n_label_names = n_names;
    return rnnc_textset_read(&src, out);
}

int cli_train_prepare(rnnc_train_config *tc, const char *path, const char *resume, long threads) {
    tc->fit.out_dir = tc->output[0] ? tc->output : NULL;
    if (resume && !tc->fit.out_dir) {
        fprintf(stderr, "rnnc train: --resume needs [train] output in %s\n", path);
        return -1;
    }
    tc->fit.resume = resume;
    rnnc_set_num_threads(threads >= 0 ? (int)threads : tc->threads);
    return 0;
}

int cmd_train(int argc, char **argv) {
    const char *path = NULL, *resume = NULL;
    const char *sets[64];
    int n_sets = 0, quiet = 0;
    long threads = -1;
    for (int i = 1; i < argc; i++) {
        const char *v;
        int r;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("%s", usage_text);
            return CLI_OK;
        }
        if ((r = cli_opt("--set", argc, argv, &i, &v))) {
            if (r < 0)
                return CLI_USAGE;
            if (n_sets == 64) {
                fprintf(stderr, "rnnc train: at most 64 --set options\n");
                return CLI_USAGE;
            }
            sets[n_sets++] = v;
        } else if ((r = cli_opt("--resume", argc, argv, &i, &v))) {
            if (r < 0)
                return CLI_USAGE;
            resume = v;
        } else if ((r = cli_opt("--threads", argc, argv, &i, &v))) {
            if (r < 0 || cli_int("--threads", v, 0, 1024, &threads))
                return CLI_USAGE;
        } else if (!strcmp(argv[i], "--quiet")) {
            quiet = 1;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "rnnc train: unknown option '%s' (see --help)\n", argv[i]);
            return CLI_USAGE;
        } else if (path) {
            fprintf(stderr, "rnnc train: one training file only (got '%s' and '%s')\n", path,
                    argv[i]);
            return CLI_USAGE;
        } else {
            path = argv[i];
        }
    }
    if (!path) {
        fprintf(stderr, "%s", usage_text);
        return CLI_USAGE;
    }
    int forecast = 0;
    rnnc_status st = rnnc_forecast_config_detect(path, sets, n_sets, &forecast);
    if (st)
        return cli_fail("train", st);
    if (forecast) /* a [forecast] section: docs/forecast.md */
        return cli_train_forecast(path, sets, n_sets, threads, quiet, resume, NULL, NULL);
    int lm = 0;
    if ((st = rnnc_lm_config_detect(path, sets, n_sets, &lm)))
        return cli_fail("train", st);
    int ft = 0;
    if ((st = rnnc_finetune_config_detect(path, sets, n_sets, &ft)))
        return cli_fail("train", st);
    if (ft) {
        fprintf(stderr,
                "rnnc train: %s has a [finetune] section: run it with 'rnnc finetune "
                "PRETRAINED %s' (or remove the section to train from scratch)\n",
                path, path);
        return CLI_USAGE;
    }
    if (lm) /* an [lm] section: docs/lm.md */
        return cli_train_lm(path, sets, n_sets, threads, quiet, resume, NULL, NULL);
    static rnnc_train_config tc;
    st = rnnc_train_config_read(path, sets, n_sets, &tc);
    if (st)
        return cli_fail("train", st);
    if (cli_train_prepare(&tc, path, resume, threads))
        return CLI_USAGE;
    return cli_train_classifier(&tc, path, resume, quiet, NULL, NULL);
}

int cli_train_classifier(rnnc_train_config *tcp, const char *path, const char *resume, int quiet,
                         cli_make_classifier make, void *user) {
    rnnc_train_config tc = *tcp;
    tc.fit.out_dir = tc.output[0] ? tc.output : NULL;
    rnnc_status st;
    double t0 = wall();
    rnnc_textset *train = NULL, *val = NULL, *test = NULL;
    rnnc_classifier *c = NULL;
    int rc = CLI_OK;
    if ((st = read_set(&tc, tc.train, "train", NULL, 0, &train))) {
        rc = cli_fail("train", st);
        goto done;
    }
    if (tc.subset > 0 && (st = rnnc_textset_subset(train, (size_t)tc.subset, tc.subset_seed))) {
        rc = cli_fail("train", st);
        goto done;
    }
    if (tc.validation_split > 0 && (st = rnnc_textset_split(train, tc.validation_split, &val))) {
        rc = cli_fail("train", st);
        goto done;
    }
    if (tc.validation[0] &&
        (st = read_set(&tc, tc.validation, "train", train->label_names, train->n_labels, &val))) {
        rc = cli_fail("train", st);
        goto done;
    }
    if (make) {
        if ((rc = make(user, &tc, train, &c)) != CLI_OK)
            goto done;
    } else if ((st = rnnc_classifier_create(&tc.model, &tc.text, train, tc.fit.seed, &c))) {
        rc = cli_fail(path, st);
        goto done;
    }
    if (tc.test[0]) { /* read (and check) the test set before training overwrites anything */
        const char *const *names;
        int nl = rnnc_classifier_labels(c, &names);
        if ((st = read_set(&tc, tc.test, "test", (char *const *)names, nl, &test))) {
            rc = cli_fail("train", st);
            goto done;
        }
    }
    if (tc.test[0])
        rnnc_classifier_set_info(c, "rnnc.data.test", tc.test);
    printf("data: %zu training, %zu validation examples, %d labels; vocabulary %d ids; read in "
           "%.1f s\n",
           train->n, val ? val->n : 0, train->n_labels, rnnc_vocab_size(rnnc_classifier_vocab(c)),
           wall() - t0);
    size_t n_params;
    rnnc_model_params(rnnc_classifier_model(c), &n_params);
    printf("model: %d layers, %zu parameters; %d epochs, batch %d, %d thread%s%s%s\n",
           tc.model.n_layers, n_params, tc.fit.epochs, tc.fit.batch_size, rnnc_get_num_threads(),
           rnnc_get_num_threads() == 1 ? "" : "s", resume ? "; resuming from " : "",
           resume ? resume : "");
    fflush(stdout);
    progress_state ps = {isatty(2), quiet, 0};
    tc.fit.on_progress = on_progress, tc.fit.on_epoch = on_epoch, tc.fit.user = &ps;
    rnnc_epoch_report last;
    cli_catch_stop_signals(&tc.fit);
    st = rnnc_classifier_fit(c, train, val, &tc.fit, &last);
    cli_release_stop_signals();
    if (st) {
        if (ps.tty && !quiet)
            fprintf(stderr, "\n");
        rc = cli_fail("train", st);
        goto done;
    }
    if (last.interrupted) {
        if (ps.tty && !quiet)
            fprintf(stderr, "\n");
        rc = cli_report_stop(&last, &tc.fit, path);
        goto done;
    }
    if (tc.fit.out_dir)
        printf("saved %s/model.safetensors\n", tc.fit.out_dir);
    if (test) {
        double loss;
        rnnc_metric_values v;
        if ((st = rnnc_classifier_evaluate(c, test, 256, &loss, &v))) {
            rc = cli_fail("train", st);
            goto done;
        }
        printf("test: %zu examples  loss %.4f  accuracy %.4f  precision %.4f  recall %.4f  "
               "f1 %.4f",
               v.n, loss, v.accuracy, v.precision, v.recall, v.f1);
        if (!isnan(v.auc))
            printf("  auc %.4f", v.auc);
        printf("\n");
    }
    printf("total %.1f s\n", wall() - t0);
done:
    rnnc_classifier_free(c);
    rnnc_textset_free(train);
    rnnc_textset_free(val);
    rnnc_textset_free(test);
    return rc;
}
