/* rnnc: the command-line tool. Dispatches to one file per subcommand. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct command {
    const char *name;
    int (*run)(int, char **);
    const char *summary;
} commands[] = {
    {"demo", cmd_demo, "train a small LSTM on the built-in adding problem"},
    {"train", cmd_train, "train a text classifier, a forecaster or a language model"},
    {"eval", cmd_eval, "metrics of a model file: labelled set, series, or text (perplexity)"},
    {"forecast", cmd_forecast, "forecast a series with a forecaster's model file"},
    {"generate", cmd_generate, "sample text from a language model's file"},
    {"finetune", cmd_finetune, "adapt a pretrained model file to a new task or new text"},
    {"predict", cmd_predict, "classify raw text with a model file"},
    {"inspect", cmd_inspect, "list a model file's layers, tensors and metadata"},
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

int cli_fail(const char *what, rnnc_status st) {
    fprintf(stderr, "rnnc: %s: %s\n", what, rnnc_last_error());
    return (st == RNNC_ERR_ARG || st == RNNC_ERR_FORMAT || st == RNNC_ERR_SHAPE) ? CLI_USAGE
                                                                                 : CLI_FAIL;
}

int cli_text_format(const char *v) {
    static const char *const f[] = {"auto", "imdb-tsv",     "aclimdb",     "csv",
                                    "tsv",  "folder-files", "folder-lines"};
    for (int i = 0; i < 7; i++)
        if (!strcmp(v, f[i]))
            return i; /* enum rnnc_text_format order */
    fprintf(stderr,
            "rnnc: unknown format '%s' (auto, imdb-tsv, aclimdb, csv, tsv, folder-files, "
            "folder-lines)\n",
            v);
    return -1;
}

int cli_int(const char *opt, const char *v, long lo, long hi, long *out) {
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || end == v || *end || x < lo || x > hi) {
        fprintf(stderr, "rnnc: %s '%s': expected an integer in [%ld, %ld]\n", opt, v, lo, hi);
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
        fprintf(stderr, "rnnc: %s '%s': expected a number in [%g, %g]\n", opt, v, lo, hi);
        return -1;
    }
    *out = x;
    return 0;
}

static volatile sig_atomic_t stop_signal = 0;

static void on_stop_signal(int sig) {
    stop_signal = sig;
    signal(sig, SIG_DFL);
}

static int should_stop(void *user) {
    (void)user;
    return stop_signal != 0;
}

void cli_catch_stop_signals(rnnc_fit_spec *fit) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    fit->should_stop = should_stop;
}

void cli_release_stop_signals(void) {
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
}

int cli_report_stop(const rnnc_epoch_report *last, const rnnc_fit_spec *fit, const char *path) {
    if (fit->out_dir)
        fprintf(stderr,
                "rnnc train: stopped by %s in epoch %d after step %ld; checkpoint written.\n"
                "  continue with: rnnc train %s --resume %s/checkpoint.safetensors\n",
                stop_signal == SIGTERM ? "SIGTERM" : "SIGINT", last->epoch, last->step, path,
                fit->out_dir);
    else
        fprintf(stderr, "rnnc train: stopped by a signal; nothing saved (no [train] output)\n");
    return 128 + (stop_signal ? (int)stop_signal : SIGINT);
}

int cli_opt(const char *name, int argc, char **argv, int *i, const char **val) {
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0)
        return 0;
    if (a[n] == '=') {
        *val = a + n + 1;
        return 1;
    }
    if (a[n] != 0)
        return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "rnnc: option %s needs a value\n", name);
        return -1;
    }
    *val = argv[++*i];
    return 1;
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
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "rnnc: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return CLI_USAGE;
}
