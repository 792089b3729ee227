/* The progress reporter of every training run (rnnc train, rnnc finetune): a progress bar on a
 * terminal after each batch (a progress line every few seconds when standard error is a file or a
 * pipe instead), one line per epoch on standard output, and the wall clock. */
#ifndef RNNC_CLI_PROGRESS_H
#define RNNC_CLI_PROGRESS_H

#include "rnnc.h"

/* How an epoch line reads: a classifier's loss and accuracy, a language model's loss with its
 * perplexity (words) or bits per character, a forecaster's or a regression's loss. */
enum cli_task {
    CLI_TASK_CLASSIFY,
    CLI_TASK_LM_WORD,
    CLI_TASK_LM_CHAR,
    CLI_TASK_FORECAST,
    CLI_TASK_REGRESSION, /* a regression on arrays: a forecaster's lines, counted in sequences */
    /* a translator: the training loss (label smoothing included) and token accuracy, the
     * validation loss per target token with its perplexity, counted in sentence pairs */
    CLI_TASK_TRANSLATE
};

typedef struct cli_progress {
    int task;        /* enum cli_task */
    int bar;         /* draw the bar: standard error is a terminal and not --quiet */
    int shown;       /* the bar is on the screen */
    double per_item; /* units per trainer item (a language model's: bptt tokens per row) */
    double last;     /* when the bar or the last line was drawn */
    double every;    /* seconds between progress lines (no terminal); 0: no lines */
} cli_progress;

/* Seconds on a monotonic clock. */
double cli_wall(void);
/* A reporter for task (per_item as above; 1 for the others), installed in fit's callbacks. */
void cli_progress_start(cli_progress *p, int task, int quiet, double every, double per_item,
                        rnnc_fit_spec *fit);
/* Ends the bar's line when training stops before an epoch line does it (an error, a signal). */
void cli_progress_break(cli_progress *p);

#endif
