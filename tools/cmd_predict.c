/* rnnc predict MODEL [TEXT ... | -]: raw text in, label and probability out. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *usage_text =
    "usage: rnnc predict MODEL [TEXT ... | -] [--all]\n\n"
    "Classifies raw text with a model file: each TEXT argument, or each line of standard input\n"
    "when there is none or TEXT is '-'. Prints one line per input: the label, TAB, its\n"
    "probability (with --all: every label:probability pair, TAB-separated).\n";

static int emit(rnnc_classifier *c, const char *text, int all) {
    const char *const *names;
    int nl = rnnc_classifier_labels(c, &names);
    float probs[256], *p = nl <= 256 ? probs : malloc((size_t)nl * sizeof(float));
    if (!p)
        return cli_fail("predict", RNNC_ERR_NOMEM);
    rnnc_status st = rnnc_classifier_predict(c, &text, 1, p);
    if (st) {
        if (p != probs)
            free(p);
        return cli_fail("predict", st);
    }
    int best = 0;
    for (int k = 1; k < nl; k++)
        if (p[k] > p[best])
            best = k;
    if (all) {
        for (int k = 0; k < nl; k++)
            printf("%s%s:%.4f", k ? "\t" : "", names[k], p[k]);
        printf("\n");
    } else {
        printf("%s\t%.4f\n", names[best], p[best]);
    }
    if (p != probs)
        free(p);
    return CLI_OK;
}

int cmd_predict(int argc, char **argv) {
    const char *model = NULL;
    int all = 0, n_text = 0, use_stdin = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("%s", usage_text);
            return CLI_OK;
        }
        if (!strcmp(argv[i], "--all")) {
            all = 1;
        } else if (!strcmp(argv[i], "-")) {
            use_stdin = 1;
        } else if (argv[i][0] == '-' && argv[i][1] == '-') {
            fprintf(stderr, "rnnc predict: unknown option '%s' (see --help)\n", argv[i]);
            return CLI_USAGE;
        } else if (!model) {
            model = argv[i];
        } else {
            n_text++;
        }
    }
    if (!model) {
        fprintf(stderr, "%s", usage_text);
        return CLI_USAGE;
    }
    rnnc_classifier *c;
    rnnc_status st = rnnc_classifier_load(model, &c);
    if (st)
        return cli_fail("predict", st);
    int rc = CLI_OK, seen_model = 0;
    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        if (!strcmp(argv[i], "--all") || !strcmp(argv[i], "-"))
            continue;
        if (!seen_model) {
            seen_model = 1;
            continue;
        }
        rc = emit(c, argv[i], all);
    }
    if (rc == CLI_OK && (use_stdin || n_text == 0)) {
        char *line = NULL;
        size_t cap = 0;
        ssize_t len;
        while (rc == CLI_OK && (len = getline(&line, &cap, stdin)) >= 0) {
            while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
                line[--len] = 0;
            rc = emit(c, line, all);
        }
        free(line);
    }
    rnnc_classifier_free(c);
    return rc;
}
