/* rnnc eval MODEL [DATA]: loss and metrics of a model file: a text classifier's on a labelled set
 * (here), a forecaster's or a language model's (tasks.h). */
#include "cli.h"
#include "tasks.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char about[] =
    "Evaluates a text classifier's model file on a labelled set: loss, accuracy, precision,\n"
    "recall, F1 and (two labels) ROC AUC. DATA defaults to the test set named in the model file\n"
    "(the [data] test of its training file), read as its training read it (the format, header\n"
    "and columns stored there; options given here win). Formats as in [data] format\n"
    "(docs/training.md): auto, imdb-tsv, aclimdb, csv, tsv, folder-files, folder-lines. For an\n"
    "aclImdb folder or archive, --split picks the split (default test). A test set that\n"
    "[data] test_split held out of the training data is re-made from that file with the\n"
    "stored fraction and seed, and refused if the file has changed since training.\n\n"
    "For a forecaster's model file (docs/forecast.md), DATA is a CSV (default: the training\n"
    "data named in the model file) and one table gives MAE, RMSE, MAPE, sMAPE and MASE of the\n"
    "model and of every baseline over the windows of its test part.\n\n"
    "For a language model's file (docs/lm.md), DATA is a text file (required): every token\n"
    "after the first is scored with its whole history (--batch-size N cuts the text into N\n"
    "parallel streams instead: faster, each stream starting from a zero state) and the loss\n"
    "per token, the perplexity and (character models) the bits per character are printed.\n\n"
    "For a translator's file (docs/translate.md), DATA is a TSV of sentence pairs (default:\n"
    "the test part of the data named in the model file, made again with its filters and\n"
    "split): the loss per target token, the perplexity and the token accuracy, with teacher\n"
    "forcing.\n\n"
    "For a model trained on arrays (docs/arrays.md), DATA is an .npz or safetensors file of\n"
    "the training file's layout (required): its loss, and MAE, RMSE and R^2 (regression) or\n"
    "accuracy, precision, recall, F1 and AUC (classes).\n";

/* enum rnnc_text_format's order */
static const char *const formats[] = {"auto", "imdb-tsv",     "aclimdb",      "csv",
                                      "tsv",  "folder-files", "folder-lines", NULL};
static const char *const headers[] = {"auto", "true", "false", NULL};
static const char *const splits[] = {"train", "test", NULL};
static const char *const encodings[] = {"utf-8", "latin-1", NULL}; /* enum rnnc_text_encoding */

typedef struct eval_opts {
    const char *model, *data, *label_col, *text_col;
    long batch, threads;
    int format, header, split, encoding, sort_time;
    double max_read, max_text, max_records, max_members; /* the read limits; 0 the defaults */
    rnnc_read_limits limits;
} eval_opts;

/* The task a model file was trained for ("" when it cannot be read here: its loader says why). */
static void task_of(const char *model, char *task, size_t n) {
    rnnc_tensor_file *tf = NULL;
    const char *t = NULL;
    if (rnnc_tensor_file_read(model, &tf) == RNNC_OK)
        t = rnnc_tensor_file_meta(tf, "rnnc.task");
    snprintf(task, n, "%s", t ? t : "");
    rnnc_tensor_file_free(tf);
}

/* How the test set stored in the model file is read (DATA not given): its absolute path and the
 * format, header and columns its training used, each unless given on the command line (a given
 * --format drops the stored header and columns, which belong to the stored format). A file that
 * names its test set without saying how it was read is refused rather than guessed. */
static int stored_source(const eval_opts *o, const rnnc_classifier *c, rnnc_text_source *src) {
    const char *data = rnnc_classifier_info(c, "rnnc.data.test");
    if (!data) {
        fprintf(stderr, "rnnc eval: %s names no test set; give DATA\n", o->model);
        return CLI_USAGE;
    }
    const char *fmt = rnnc_classifier_info(c, "rnnc.data.test.format");
    if (!fmt || data[0] != '/') {
        fprintf(stderr, "rnnc eval: %s names its test set '", o->model);
        cli_print_text(stderr, data, -1);
        fprintf(stderr, "' but not how it was read (its absolute path, format, header and "
                        "columns); give DATA and its options (--format, --header, ...)\n");
        return CLI_USAGE;
    }
    src->path = data;
    if (o->split < 0 && rnnc_classifier_info(c, "rnnc.data.test.split"))
        src->split = "train"; /* test_split takes from the training data */
    const char *enc = rnnc_classifier_info(c, "rnnc.data.test.encoding");
    if (o->encoding < 0 && enc && !strcmp(enc, "latin-1"))
        src->encoding = RNNC_TEXT_LATIN1;
    if (o->format >= 0)
        return CLI_OK;
    int f = 0;
    while (rnnc_text_format_name(f) && strcmp(rnnc_text_format_name(f), fmt))
        f++;
    if (!rnnc_text_format_name(f) || f == RNNC_TEXT_AUTO) {
        fprintf(stderr, "rnnc eval: %s: rnnc.data.test.format '", o->model);
        cli_print_text(stderr, fmt, -1);
        fprintf(stderr, "' is no text format; give DATA and its options\n");
        return CLI_USAGE;
    }
    src->format = (enum rnnc_text_format)f;
    const char *h = rnnc_classifier_info(c, "rnnc.data.test.header");
    if (o->header < 0 && h)
        src->header = !strcmp(h, "true") ? 1 : !strcmp(h, "false") ? 0 : -1;
    if (!o->label_col)
        src->label_col = rnnc_classifier_info(c, "rnnc.data.test.label_column");
    if (!o->text_col)
        src->text_col = rnnc_classifier_info(c, "rnnc.data.test.text_column");
    return CLI_OK;
}

/* A test set that test_split made: re-made from the training data *set (read as training read
 * it) with the stored fraction and seed; refused unless it is the set training held out (the
 * stored count and hash of its examples). *set becomes the test set. */
static int remake_split(const eval_opts *o, const rnnc_classifier *c, const char *path,
                        rnnc_textset **set, char *note, size_t cap) {
    const char *f = rnnc_classifier_info(c, "rnnc.data.test.split");
    const char *sd = rnnc_classifier_info(c, "rnnc.data.test.split_seed");
    const char *dg = rnnc_classifier_info(c, "rnnc.data.test.split_digest");
    if (!f)
        return CLI_OK;
    char *end1 = NULL, *end2 = NULL;
    const double frac = strtod(f, &end1);
    const unsigned long long seed = sd ? strtoull(sd, &end2, 10) : 0;
    if (!sd || !dg || *end1 || !(frac > 0 && frac < 1) || !end2 || *end2 || sd[0] == '-') {
        fprintf(stderr,
                "rnnc eval: %s: rnnc.data.test.split needs a fraction in (0, 1), "
                "rnnc.data.test.split_seed and rnnc.data.test.split_digest to re-make its test "
                "set; give DATA\n",
                o->model);
        return CLI_USAGE;
    }
    rnnc_textset *test = NULL;
    rnnc_status st = rnnc_textset_split(*set, frac, (uint64_t)seed, &test);
    if (st) {
        fprintf(stderr, "rnnc eval: %s: re-making its test set (test_split %g of %s): %s\n",
                o->model, frac, path, rnnc_last_error());
        return CLI_USAGE;
    }
    char d[128];
    cli_textset_digest(test, d, sizeof d);
    if (strcmp(d, dg)) {
        fprintf(stderr,
                "rnnc eval: %s: the test set re-made from %s (test_split %g, seed %llu) is not "
                "the one training held out: %s (training's: ",
                o->model, path, frac, seed, d);
        cli_print_text(stderr, dg, strlen(dg) < 64 ? (long)strlen(dg) : 64);
        fprintf(stderr, "); the file has changed since training. Give DATA\n");
        rnnc_textset_free(test);
        return CLI_USAGE;
    }
    test->format = (*set)->format, test->header = (*set)->header;
    memcpy(test->read_as, (*set)->read_as, sizeof test->read_as);
    rnnc_textset_free(*set);
    *set = test;
    snprintf(note, cap, "; its test_split %g (seed %llu) re-made as training made it", frac, seed);
    return CLI_OK;
}

static int eval_classifier(const eval_opts *o) {
    rnnc_classifier *c;
    rnnc_status st = rnnc_classifier_load(o->model, &c);
    if (st)
        return cli_fail("eval", st);
    const char *const *names;
    int nl = rnnc_classifier_labels(c, &names);
    rnnc_text_source src = rnnc_text_source_init();
    src.format = o->format >= 0 ? (enum rnnc_text_format)o->format : RNNC_TEXT_AUTO;
    src.path = o->data, src.split = splits[o->split >= 0 ? o->split : 1];
    src.header = o->header <= 0 ? -1 : o->header == 1 ? 1 : 0;
    src.label_col = o->label_col, src.text_col = o->text_col;
    src.label_names = names, src.n_label_names = nl;
    src.encoding = o->encoding >= 0 ? o->encoding : RNNC_TEXT_UTF8;
    src.limits = o->limits;
    int rc = o->data ? CLI_OK : stored_source(o, c, &src);
    if (rc != CLI_OK) {
        rnnc_classifier_free(c);
        return rc;
    }
    rnnc_textset *set = NULL;
    double loss;
    rnnc_metric_values v;
    char note[160] = "";
    if ((st = rnnc_textset_read(&src, &set))) {
        rc = cli_fail("eval", st);
    } else if (!o->data && (rc = remake_split(o, c, src.path, &set, note, sizeof note))) {
        /* said */
    } else if (o->split >= 0 && set->format != RNNC_TEXT_ACLIMDB) {
        fprintf(stderr, "rnnc eval: --split applies to aclImdb data only; %s was read as %s\n",
                src.path, set->read_as);
        rc = CLI_USAGE;
    } else if ((cli_textset_warnings("eval", "test", src.path, set),
                st = rnnc_classifier_evaluate(c, set, (int)o->batch, &loss, &v))) {
        rc = cli_fail("eval", st);
    } else {
        printf("data: %s read as %s%s%s\n", src.path, set->read_as,
               o->data ? "" : "; the test set and options stored in the model file", note);
        printf("%s on %s: %zu examples\n", o->model, src.path, v.n);
        printf("loss %.4f  accuracy %.4f  precision %.4f  recall %.4f  f1 %.4f", loss, v.accuracy,
               v.precision, v.recall, v.f1);
        if (!isnan(v.auc))
            printf("  auc %.4f", v.auc);
        printf("\n");
    }
    rnnc_textset_free(set);
    rnnc_classifier_free(c);
    return rc;
}

int cmd_eval(int argc, char **argv) {
    /* -1: not given (format, header, split, encoding) */
    eval_opts o = {NULL, NULL, NULL, NULL, 0, 0, -1, -1, -1, -1, 0, 0, 0, 0, 0, {0}};
    const cli_option opts[] = {
        {"--format", CLI_CHOICE, &o.format, "F",
         "the data's format: auto (default), imdb-tsv, aclimdb, csv, tsv,\n"
         "folder-files or folder-lines",
         0, 0, formats},
        {"--label-column", CLI_STRING, &o.label_col, "C", "the label's column (csv, tsv)", 0, 0,
         NULL},
        {"--text-column", CLI_STRING, &o.text_col, "C", "the text's column (csv, tsv)", 0, 0, NULL},
        {"--header", CLI_CHOICE, &o.header, "auto|true|false",
         "whether the first line is a header (default auto)", 0, 0, headers},
        {"--split", CLI_CHOICE, &o.split, "train|test", "an aclImdb split (default test)", 0, 0,
         splits},
        {"--encoding", CLI_CHOICE, &o.encoding, "utf-8|latin-1",
         "the data's text encoding (default utf-8)", 0, 0, encodings},
        {"--batch-size", CLI_INT, &o.batch, "N",
         "examples per batch (default 256); a language model: parallel streams\n"
         "(default 1)",
         1, 1 << 20, NULL},
        {"--threads", CLI_INT, &o.threads, "N", "threads for the math (default: every core)", 0,
         RNNC_MAX_THREADS, NULL},
        {"--sort-time", CLI_FLAG, &o.sort_time, NULL,
         "a forecaster: sort DATA's rows by their time stamps (default: rows out of\n"
         "order are refused)",
         0, 0, NULL},
        {"--max-text-bytes", CLI_NUMBER, &o.max_text, "N",
         "DATA's read limits (docs/data.md): bytes of text kept (default 256 MiB),", 0, 0x1p53,
         NULL},
        {"--max-records", CLI_NUMBER, &o.max_records, "N", "records kept (5,000,000),", 0, 0x1p53,
         NULL},
        {"--max-read-bytes", CLI_NUMBER, &o.max_read, "N",
         "bytes read after decompression (4 GiB),", 0, 0x1p53, NULL},
        {"--max-members", CLI_NUMBER, &o.max_members, "N",
         "files or archive members looked at (1,000,000)", 0, 0x1p53, NULL},
    };
    const cli_command c = {
        "eval", "MODEL [DATA]", about, opts, (int)(sizeof opts / sizeof *opts), 1, 2, NULL};
    int n, rc = cli_parse(&c, argc, argv, &n);
    if (rc != CLI_GO)
        return rc;
    o.model = argv[1], o.data = n > 1 ? argv[2] : NULL;
    o.limits.text_bytes = (uint64_t)o.max_text, o.limits.records = (uint64_t)o.max_records;
    o.limits.read_bytes = (uint64_t)o.max_read, o.limits.members = (uint64_t)o.max_members;
    rnnc_set_num_threads((int)o.threads);
    char task[16];
    task_of(o.model, task, sizeof task);
    if (!strcmp(task, "arrays"))
        return cli_eval_arrays(o.model, o.data);
    if (!strcmp(task, "forecast"))
        return cli_eval_forecast(o.model, o.data, o.sort_time, &o.limits);
    if (!strcmp(task, "translate"))
        return cli_eval_translate(o.model, o.data, o.batch, &o.limits);
    if (!strcmp(task, "lm"))
        return cli_eval_lm(o.model, o.data, o.batch, o.encoding >= 0 ? o.encoding : RNNC_TEXT_UTF8,
                           &o.limits);
    if (!o.batch)
        o.batch = 256;
    return eval_classifier(&o);
}
