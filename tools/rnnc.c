/* rnnc: the command-line tool. Dispatches to one file per subcommand. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct command {
    const char *name;
    int (*run)(int, char **);
    const char *summary;
} commands[] = {
    {"demo", cmd_demo, "train a small recurrent model on the adding problem or the copy task"},
    {"train", cmd_train, "train a text classifier, a forecaster or a language model"},
    {"eval", cmd_eval, "metrics of a model file: labelled set, series, or text (perplexity)"},
    {"forecast", cmd_forecast, "forecast a series with a forecaster's model file"},
    {"generate", cmd_generate, "sample text from a language model's file"},
    {"finetune", cmd_finetune, "adapt a pretrained model file to a new task or new text"},
    {"predict", cmd_predict, "classify raw text with a model file"},
    {"inspect", cmd_inspect, "list a model file's layers, tensors and metadata"},
    {"plot", cmd_plot, "draw a training run's loss and metrics per epoch (SVG or PNG)"},
    {"gradcheck", cmd_gradcheck, "check a model's gradients against finite differences (double)"},
    {"gradflow", cmd_gradflow,
     "the gradient norm at every time step, at initialisation and after training"},
    {"bleu", cmd_bleu, "corpus BLEU and chrF of a hypothesis file against a reference file"},
    {"translate", cmd_translate, "translate text or lines of a file with a translator's model"},
    {"summary", cmd_summary, "read a model description file and list its layers and parameters"},
    {"info", cmd_info, "this CPU's instruction sets and the kernels rnnc runs on it"},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f) {
    fprintf(f, "usage: rnnc <command> [options]\n"
               "       rnnc --help | --version\n\n"
               "Recurrent neural networks (RNN, LSTM, GRU) in C.\n\ncommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'rnnc <command> --help' describes each command.\n");
}

void cli_print_text(FILE *f, const char *s, long n) {
    for (long i = 0; n < 0 ? s[i] != 0 : i < n; i++) {
        const unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            fprintf(f, "\\x%02x", c);
        else
            fputc(c, f);
    }
}

int cli_plot_path_ok(const char *cmd, const char *path) {
    const size_t n = strlen(path);
    if (n > 4 && (!strcasecmp(path + n - 4, ".svg") || !strcasecmp(path + n - 4, ".png")))
        return 1;
    fprintf(stderr, "rnnc %s: --plot %s: the plot is written as .png or .svg\n", cmd, path);
    return 0;
}

int cli_is_tensor_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    unsigned char b[9];
    const int yes = fread(b, 1, 9, f) == 9 && b[8] == '{';
    fclose(f);
    return yes;
}

int cli_fail(const char *what, rnnc_status st) {
    fprintf(stderr, "rnnc: %s: %s\n", what, rnnc_last_error());
    return (st == RNNC_ERR_ARG || st == RNNC_ERR_FORMAT || st == RNNC_ERR_SHAPE) ? CLI_USAGE
                                                                                 : CLI_FAIL;
}

const char *cli_quote(const char *s) {
    static char buf[64];
    const size_t n = strlen(s);
    if (n < sizeof buf)
        return s;
    memcpy(buf, s, 60);
    memcpy(buf + 60, "...", 4);
    return buf;
}

int cli_int(const char *opt, const char *v, long lo, long hi, long *out) {
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || end == v || *end || x < lo || x > hi) {
        fprintf(stderr, "rnnc: %s '%s': expected an integer in [%ld, %ld]\n", opt, cli_quote(v), lo,
                hi);
        return -1;
    }
    *out = x;
    return 0;
}

int cli_double(const char *opt, const char *v, double lo, double hi, double *out) {
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (errno || end == v || *end || !isfinite(x) || x < lo || x > hi) {
        fprintf(stderr, "rnnc: %s '%s': expected a number in [%g, %g]\n", opt, cli_quote(v), lo,
                hi);
        return -1;
    }
    *out = x;
    return 0;
}

int cli_out_of_memory(const char *what) {
    fprintf(stderr, "rnnc %s: out of memory\n", what);
    return CLI_FAIL;
}

int main(int argc, char **argv) {
    /* A write past the file-size limit (ulimit -f) would otherwise kill the process with SIGXFSZ
     * in the middle of an atomic write, leaving its temporary behind; ignored, the write fails
     * with EFBIG, and the writer reports it and removes the temporary. */
    signal(SIGXFSZ, SIG_IGN);
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return CLI_OK;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
        cli_print_info();
        return CLI_OK;
    }
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (!strcmp(argv[1], commands[i].name)) {
            const int rc = commands[i].run(argc - 1, argv + 1);
            rnnc_shutdown(); /* the library's threads joined, its buffers freed */
            return rc;
        }
    fprintf(stderr, "rnnc: unknown command '%s'\n\n", cli_quote(argv[1]));
    usage(stderr);
    return CLI_USAGE;
}
