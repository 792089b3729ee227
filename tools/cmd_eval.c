/* rnnc eval MODEL [DATA]: loss and metrics of a text classifier on a labelled set. */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *usage_text =
    "usage: rnnc eval MODEL [DATA] [--format F] [--label-column C] [--text-column C]\n"
    "                 [--header auto|true|false] [--split train|test] [--batch-size N]\n"
    "                 [--threads N]\n\n"
    "Evaluates a text classifier's model file on a labelled set: loss, accuracy, precision,\n"
    "recall, F1 and (two labels) ROC AUC. DATA defaults to the test set named in the model file\n"
    "(the [data] test of its training file). Formats as in [data] format (docs/training.md):\n"
    "auto, imdb-tsv, aclimdb, csv, tsv, folder-files, folder-lines. For an aclImdb folder or\n"
    "archive, --split picks the split (default test).\n\n"
    "For a forecaster's model file (docs/forecast.md), DATA is a CSV (default: the training\n"
    "data named in the model file) and one table gives MAE, RMSE, MAPE, sMAPE and MASE of the\n"
    "model and of every baseline over the windows of its test part.\n\n"
    "For a language model's file (docs/lm.md), DATA is a text file (required): every token\n"
    "after the first is scored with its whole history (--batch-size N cuts the text into N\n"
    "parallel streams instead: faster, each stream starting from a zero state) and the loss\n"
    "per token, the perplexity and (character models) the bits per character are printed.\n";

int cmd_eval(int argc, char **argv) {
    const char *model = NULL, *data = NULL, *label_col = NULL, *text_col = NULL, *split = "test";
    long batch = 256, threads = 0;
    int format = RNNC_TEXT_AUTO, header = -1, batch_given = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        int r;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("%s", usage_text);
            return CLI_OK;
        }
        if ((r = cli_opt("--format", argc, argv, &i, &v))) {
            if (r < 0 || (format = cli_text_format(v)) < 0)
                return CLI_USAGE;
        } else if ((r = cli_opt("--label-column", argc, argv, &i, &v))) {
            if (r < 0)
                return CLI_USAGE;
            label_col = v;
        } else if ((r = cli_opt("--text-column", argc, argv, &i, &v))) {
            if (r < 0)
                return CLI_USAGE;
            text_col = v;
        } else if ((r = cli_opt("--header", argc, argv, &i, &v))) {
            if (r < 0)
                return CLI_USAGE;
            header = !strcmp(v, "auto")    ? -1
                     : !strcmp(v, "true")  ? 1
                     : !strcmp(v, "false") ? 0
                                           : -2;
            if (header == -2) {
                fprintf(stderr, "rnnc eval: --header must be auto, true or false\n");
                return CLI_USAGE;
            }
        } else if ((r = cli_opt("--split", argc, argv, &i, &v))) {
            if (r < 0)
                return CLI_USAGE;
            if (strcmp(v, "train") && strcmp(v, "test")) {
                fprintf(stderr, "rnnc eval: --split must be train or test\n");
                return CLI_USAGE;
            }
            split = v;
        } else if ((r = cli_opt("--batch-size", argc, argv, &i, &v))) {
            if (r < 0 || cli_int("--batch-size", v, 1, 1 << 20, &batch))
                return CLI_USAGE;
            batch_given = 1;
        } else if ((r = cli_opt("--threads", argc, argv, &i, &v))) {
            if (r < 0 || cli_int("--threads", v, 0, 1024, &threads))
                return CLI_USAGE;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "rnnc eval: unknown option '%s' (see --help)\n", argv[i]);
            return CLI_USAGE;
        } else if (!model) {
            model = argv[i];
        } else if (!data) {
            data = argv[i];
        } else {
            fprintf(stderr, "rnnc eval: too many arguments ('%s')\n", argv[i]);
            return CLI_USAGE;
        }
    }
    if (!model) {
        fprintf(stderr, "%s", usage_text);
        return CLI_USAGE;
    }
    rnnc_set_num_threads((int)threads);
    rnnc_tensor_file *tf = NULL;
    if (rnnc_tensor_file_read(model, &tf) == RNNC_OK) { /* a forecaster? */
        const char *task = rnnc_tensor_file_meta(tf, "rnnc.task");
        const int forecast = task && !strcmp(task, "forecast"), lm = task && !strcmp(task, "lm");
        rnnc_tensor_file_free(tf);
        if (forecast)
            return cli_eval_forecast(model, data);
        if (lm)
            return cli_eval_lm(model, data, batch_given ? batch : 0);
    }
    rnnc_classifier *c;
    rnnc_status st = rnnc_classifier_load(model, &c);
    if (st)
        return cli_fail("eval", st);
    if (!data)
        data = rnnc_classifier_info(c, "rnnc.data.test");
    if (!data) {
        fprintf(stderr, "rnnc eval: %s names no test set; give DATA\n", model);
        rnnc_classifier_free(c);
        return CLI_USAGE;
    }
    const char *const *names;
    int nl = rnnc_classifier_labels(c, &names);
    rnnc_text_source src = rnnc_text_source_init();
    src.format = format, src.path = data, src.header = header, src.split = split;
    src.label_col = label_col, src.text_col = text_col;
    src.label_names = names, src.n_label_names = nl;
    rnnc_textset *set = NULL;
    double loss;
    rnnc_metric_values v;
    int rc = CLI_OK;
    if ((st = rnnc_textset_read(&src, &set)) ||
        (st = rnnc_classifier_evaluate(c, set, (int)batch, &loss, &v))) {
        rc = cli_fail("eval", st);
    } else {
        printf("%s on %s: %zu examples\n", model, data, v.n);
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
