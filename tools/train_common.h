/* What every training run of the CLI shares (rnnc train and rnnc finetune): the command line, the
 * training file's kind, and the run around a task's fit (train_common.c). */
#ifndef RNNC_CLI_TRAIN_COMMON_H
#define RNNC_CLI_TRAIN_COMMON_H

#include "options.h"
#include "progress.h"
#include "rnnc.h"

/* A training run's command line: the training file, its --set overrides, --resume (NULL: none),
 * --threads (-1: [train] threads) and --quiet. */
typedef struct cli_train_args {
    const char *path;
    cli_list sets;
    rnnc_train_file *file; /* path read with the overrides (cli_train_open) */
    const char *resume;
    long threads;
    int quiet;
    double progress_every;  /* seconds between progress lines when stderr is no terminal; 0 none */
    const char *pretrained; /* rnnc finetune's pretrained model file (an input), or NULL */
} cli_train_args;

/* Parses rnnc train's and rnnc finetune's options into a (its defaults set here) with c's name,
 * arguments and description; returns as cli_parse. */
int cli_train_parse(cli_command *c, cli_train_args *a, int argc, char **argv, int *n_args);

/* Reads a->path with a's overrides into a->file (the only reading of the training file; the
 * caller frees a->file). Prints why and returns the exit code when it cannot (CLI_OK else). */
int cli_train_open(cli_train_args *a, const char *cmd);

/* What every kind of training file does after reading: the output folder, --resume (which needs
 * one: prints and returns -1 without), the thread count (--threads, else [train] threads). */
/* Before a run: the output folder and --resume (which needs one), the thread count, and that no
 * file the run writes into its folder is one of its inputs: the training file, the pretrained
 * model, and the task's n data files (prints and returns nonzero otherwise). */
int cli_train_prepare(rnnc_run_config *tc, const cli_train_args *a, const char *const *data, int n);

/* Around a task's rnnc_*_fit: cli_fit_begin starts the progress reporter for task (per_item as
 * cli_progress_start) and makes SIGINT / SIGTERM stop the run after its batch with a checkpoint (a
 * second signal kills). cli_fit_end restores the signals' defaults and turns the fit's status and
 * last report into an exit code: a message for a failure, where an interrupted run stopped and how
 * to resume it (128 + the signal), else "saved" with the output folder and CLI_OK. */
void cli_fit_begin(cli_progress *p, int task, double per_item, const cli_train_args *a,
                   rnnc_fit_spec *fit);
int cli_fit_end(cli_progress *p, rnnc_status st, const rnnc_epoch_report *last,
                const rnnc_fit_spec *fit, const char *path);

/* path made absolute (the current folder before a relative one) into out (cap bytes), for a model
 * file that names its data, so that the name holds from any folder. Prints why and returns
 * CLI_FAIL when the current folder is unknown or the result does not fit. */
int cli_absolute_path(const char *path, char *out, size_t cap);

#endif
