/* Shared pieces of the rnnc command-line tool: one file per subcommand, dispatched by rnnc.c. */
#ifndef RNNC_CLI_H
#define RNNC_CLI_H

#include "rnnc.h"

/* Exit codes: 0 ok, 1 runtime failure, 2 bad usage or bad input. */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

int cmd_demo(int argc, char **argv);
int cmd_summary(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_forecast(int argc, char **argv);
int cmd_generate(int argc, char **argv);
int cmd_finetune(int argc, char **argv);
int cmd_info(int argc, char **argv);
/* rnnc info's report (tools/cmd_info.c), also printed by rnnc --version. */
void cli_print_info(void);

/* What every kind of training file does after reading: the output folder, --resume (which needs
 * one: prints and returns -1 without), the thread count (--threads, else [train] threads). */
int cli_train_prepare(rnnc_train_config *tc, const char *path, const char *resume, long threads);

/* The forecasting sides of train and eval (tools/cmd_forecast.c): a training file with a
 * [forecast] section, and a forecaster's model file (data NULL: the CSV named in it). */
/* adapt (may be NULL): rnnc finetune's step once the new model exists (carries the pretrained
 * weights over and sets the fit spec's controls); returns an exit code. */
typedef int (*cli_adapt_model)(void *user, rnnc_model *m, rnnc_fit_spec *fit);
int cli_train_forecast(const char *path, const char *const *sets, int n_sets, long threads,
                       int quiet, const char *resume, cli_adapt_model adapt, void *user);
int cli_eval_forecast(const char *model, const char *data);
/* The language-model sides (tools/cmd_lm.c): a training file with an [lm] section, and a language
 * model's file scored on a text file (batch: parallel streams, 0 for the default 1). */
typedef int (*cli_make_lm)(void *user, rnnc_lm_config *lc, const char *text, size_t len,
                           rnnc_lm **out);
int cli_train_lm(const char *path, const char *const *sets, int n_sets, long threads, int quiet,
                 const char *resume, cli_make_lm make, void *user);
/* The classifier side of train (tools/cmd_train.c), after the training file was read and
 * prepared: reads the data, builds the classifier (make, when not NULL, builds it instead: rnnc
 * finetune's pretrained one; it returns an exit code and may edit tc's fit spec), trains, reports
 * and evaluates on the test set. */
typedef int (*cli_make_classifier)(void *user, rnnc_train_config *tc, const rnnc_textset *train,
                                   rnnc_classifier **out);
int cli_train_classifier(rnnc_train_config *tc, const char *path, const char *resume, int quiet,
                         cli_make_classifier make, void *user);
int cli_eval_lm(const char *model, const char *data, long batch);

/* Prints "rnnc: <what>: <rnnc_last_error()>" and returns the exit code that fits the status. */
int cli_fail(const char *what, rnnc_status st);
/* Parses a whole-string integer / number option value; prints a message and returns -1 if bad. */
int cli_int(const char *opt, const char *v, long lo, long hi, long *out);
int cli_double(const char *opt, const char *v, double lo, double hi, double *out);
/* Matches "--name" or "--name=value"; sets *val (from the next argument when needed). Returns 1
 * on a match, 0 if not this option, -1 when the value is missing. */
int cli_opt(const char *name, int argc, char **argv, int *i, const char **val);

/* Training stopped by SIGINT / SIGTERM: cli_catch_stop_signals installs the handlers and sets
 * fit->should_stop, so the run finishes its batch, writes a checkpoint and returns (a second
 * signal kills); cli_release_stop_signals restores the defaults; cli_report_stop prints where an
 * interrupted run stopped and how to resume it, and returns the exit code 128 + the signal. */
void cli_catch_stop_signals(rnnc_fit_spec *fit);
void cli_release_stop_signals(void);
int cli_report_stop(const rnnc_epoch_report *last, const rnnc_fit_spec *fit, const char *path);

/* A [data] format name (auto, imdb-tsv, ...) to enum rnnc_text_format; prints and returns -1
 * if unknown. */
int cli_text_format(const char *v);

#endif
