/* Shared pieces of the rnnc command-line tool: one file per subcommand (cmd_*.c), dispatched by
 * rnnc.c, each parsing its options with options.h; the training subcommands go through
 * train_common.h to the tasks' files (tasks.h). */
#ifndef RNNC_CLI_H
#define RNNC_CLI_H

#include "options.h"
#include "rnnc.h"

#include <stdio.h>

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
int cmd_plot(int argc, char **argv);
int cmd_gradcheck(int argc, char **argv);
int cmd_gradflow(int argc, char **argv);
int cmd_bleu(int argc, char **argv);
int cmd_translate(int argc, char **argv);
/* rnnc info's report (tools/cmd_info.c), also printed by rnnc --version. */
void cli_print_info(void);

/* Whether a plot's path ends in .svg or .png (either case); else prints why, naming the command,
 * and returns 0. */
int cli_plot_path_ok(const char *cmd, const char *path);
/* Whether the file starts as a safetensors file does: an 8-byte header length, then '{' (a model
 * file, as against a model description or training file). */
int cli_is_tensor_file(const char *path);
/* Prints "rnnc: <what>: <rnnc_last_error()>" and returns the exit code that fits the status. */
int cli_fail(const char *what, rnnc_status st);
/* s as a message quotes it: at most its first 60 bytes, with "..." after a longer one (a user's
 * text can be megabytes). The result lives in a static buffer until the next call. */
const char *cli_quote(const char *s);
/* Prints n bytes of s (n < 0: up to its NUL) with control characters and DEL as \xNN, so text
 * from a file (metadata, label names) cannot move the cursor or rewrite the terminal. */
void cli_print_text(FILE *f, const char *s, long n);
/* Parses a whole-string integer / number option value; prints a message and returns -1 if bad. */
int cli_int(const char *opt, const char *v, long lo, long hi, long *out);
int cli_double(const char *opt, const char *v, double lo, double hi, double *out);
/* Prints "rnnc <what>: out of memory" and returns CLI_FAIL. */
int cli_out_of_memory(const char *what);

#endif
