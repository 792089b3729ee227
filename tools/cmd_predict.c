/* rnnc predict MODEL [TEXT ... | -]: raw text in, label and probability out. */
#include "cli.h"
#include "tasks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char about[] =
    "Classifies raw text with a model file: each TEXT argument, or each line of standard input\n"
    "when there is none or TEXT is '-' (a NUL byte in a line is a space, as in data files).\n"
    "Prints one line per input: the label, TAB, its probability (with --all: every\n"
    "label:probability pair, TAB-separated). A TEXT that starts with '-' goes after '--'.\n\n"
    "A model trained on arrays (docs/arrays.md) takes one DATA file (.npz or .safetensors,\n"
    "targets not needed) and prints CSV: a header, then per sequence 'row,y0,...' (regression)\n"
    "or 'row,label,p0,p1,...' (classes), or per step 'row,step,label,p0,...' (per-step).\n";

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
        for (int k = 0; k < nl; k++) {
            printf("%s", k ? "\t" : "");
            cli_print_text(stdout, names[k], -1);
            printf(":%.4f", p[k]);
        }
        printf("\n");
    } else {
        cli_print_text(stdout, names[best], -1);
        printf("\t%.4f\n", p[best]);
    }
    if (p != probs)
        free(p);
    return CLI_OK;
}

/* The longest line predict reads: a document (a line is one text to classify). */
enum { LINE_MAX_BYTES = 16 << 20 };

/* Reads the next line of f (its '\n' kept; NUL bytes kept too) into *line, grown as needed
 * (*cap bytes) up to LINE_MAX_BYTES; *more is 0 at the end of the input. A longer line is
 * refused, naming its number. */
static int read_line(FILE *f, char **line, size_t *cap, size_t *len, int *more, size_t lineno) {
    *len = 0, *more = 0;
    int c;
    while ((c = getc(f)) != EOF) {
        if (*len + 2 > *cap) {
            if (*cap >= LINE_MAX_BYTES) {
                fprintf(stderr, "rnnc predict: standard input:%zu: line longer than %d bytes\n",
                        lineno, LINE_MAX_BYTES);
                return CLI_USAGE;
            }
            const size_t ncap = *cap ? 2 * *cap : 4096;
            char *p = realloc(*line, ncap);
            if (!p) {
                fprintf(stderr, "rnnc predict: out of memory reading line %zu\n", lineno);
                return CLI_FAIL;
            }
            *line = p, *cap = ncap;
        }
        (*line)[(*len)++] = (char)c;
        *more = 1;
        if (c == '\n')
            break;
    }
    if (*line)
        (*line)[*len] = 0;
    if (ferror(f)) {
        perror("rnnc predict: standard input");
        return CLI_FAIL;
    }
    return CLI_OK;
}

int cmd_predict(int argc, char **argv) {
    int all = 0, n;
    const cli_option opts[] = {
        {"--all", CLI_FLAG, &all, NULL, "every label's probability", 0, 0, NULL},
    };
    const cli_command c = {"predict", "MODEL [TEXT ... | - | DATA]", about, opts, 1, 1, -1, NULL};
    int rc = cli_parse(&c, argc, argv, &n);
    if (rc != CLI_GO)
        return rc;
    rnnc_tensor_file *tf = NULL;
    int arrays = 0;
    if (rnnc_tensor_file_read(argv[1], &tf) == RNNC_OK) {
        const char *t = rnnc_tensor_file_meta(tf, "rnnc.task");
        arrays = t && !strcmp(t, "arrays");
    }
    rnnc_tensor_file_free(tf);
    if (arrays) {
        if (n != 2 || all) {
            fprintf(stderr,
                    "rnnc predict: %s is a model on arrays: give one DATA file (.npz or "
                    ".safetensors) and no --all\n",
                    argv[1]);
            return CLI_USAGE;
        }
        return cli_predict_arrays(argv[1], argv[2]);
    }
    rnnc_classifier *m;
    rnnc_status st = rnnc_classifier_load(argv[1], &m);
    if (st)
        return cli_fail("predict", st);
    int use_stdin = n == 1;
    rc = CLI_OK;
    for (int i = 2; i <= n && rc == CLI_OK; i++) {
        if (!strcmp(argv[i], "-"))
            use_stdin = 1;
        else
            rc = emit(m, argv[i], all);
    }
    if (rc == CLI_OK && use_stdin) {
        char *line = NULL;
        size_t cap = 0, len, lineno = 0;
        int more;
        while (rc == CLI_OK &&
               (rc = read_line(stdin, &line, &cap, &len, &more, ++lineno)) == CLI_OK && more) {
            while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
                line[--len] = 0;
            rc = emit(m, rnnc_text_nul_to_space(line, len), all);
        }
        free(line);
    }
    rnnc_classifier_free(m);
    return rc;
}
