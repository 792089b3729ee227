/* The tasks' sides of the CLI, which rnnc train, finetune, eval and forecast dispatch to: a
 * training file of each kind trained and reported, and a model file of each kind evaluated
 * (task_classify.c, task_lm.c, task_forecast.c). rnnc finetune's hooks build or adapt the new
 * model; every function returns an exit code. */
#ifndef RNNC_CLI_TASKS_H
#define RNNC_CLI_TASKS_H

#include "train_common.h"

/* A text classifier's training file (task_classify.c): reads it and the data, builds the
 * classifier (make, when not NULL, builds it instead and may edit tc's fit spec), trains, reports
 * and evaluates on the test set. */
typedef int (*cli_make_classifier)(void *user, rnnc_classify_config *tc, const rnnc_textset *train,
                                   rnnc_classifier **out);
int cli_train_classifier(const cli_train_args *a, cli_make_classifier make, void *user);
/* Warnings about a labelled set that rnnc `cmd` read as its `role` ("validation", "test") from
 * path, on stderr: invalid UTF-8 bytes in its texts (with the option that reads Latin-1), and a
 * set whose examples hold one label only (role NULL: not checked). */
void cli_textset_warnings(const char *cmd, const char *role, const char *path,
                          const rnnc_textset *s);
/* "N examples #<16 hex digits>": the count and a hash (FNV-1a) of s's label names and texts, as
 * a model file stores the test set its test_split made (rnnc.data.test.split_digest). */
void cli_textset_digest(const rnnc_textset *s, char *buf, size_t cap);
/* The warning for n (> 0) invalid UTF-8 bytes in the file at path, naming the option that reads
 * Latin-1 ("[data] encoding =", "--encoding"); nothing when n is 0. */
void cli_warn_invalid_utf8(const char *cmd, const char *path, size_t n, const char *option);

/* A language model's training file (task_lm.c); make as above. A language model's file scored
 * on a text file (batch: parallel streams, 0 for the default 1; encoding: enum
 * rnnc_text_encoding). */
typedef int (*cli_make_lm)(void *user, rnnc_lm_config *lc, const char *text, size_t len,
                           rnnc_lm **out);
int cli_train_lm(const cli_train_args *a, cli_make_lm make, void *user);
int cli_eval_lm(const char *model, const char *data, long batch, int encoding,
                const rnnc_read_limits *lim);

/* A forecaster's training file (task_forecast.c); adapt (may be NULL) runs once the new model
 * exists. A forecaster's model file evaluated with every baseline on the test part of data (NULL:
 * the CSV named in it). cli_forecast_load loads a forecaster and its series (data as above; rows
 * sorted by time when sort_time or the model file says so) for rnnc `what`; returns an exit
 * code. */
typedef int (*cli_adapt_model)(void *user, rnnc_model *m, rnnc_fit_spec *fit);
int cli_train_forecast(const cli_train_args *a, cli_adapt_model adapt, void *user);
int cli_eval_forecast(const char *model, const char *data, int sort_time,
                      const rnnc_read_limits *lim);
int cli_forecast_load(const char *what, const char *model, const char *data, int sort_time,
                      const rnnc_read_limits *lim, rnnc_forecaster **f, rnnc_series **s);

/* A training file on arrays (task_arrays.c: [data] format = npz | safetensors), trained, reported
 * and scored on its test (or validation) part; a model file of the arrays task scored on an array
 * file (rnnc eval) or run on one, its outputs as CSV on standard output (rnnc predict). */
int cli_train_arrays(const cli_train_args *a);
int cli_eval_arrays(const char *model, const char *data);
int cli_predict_arrays(const char *model, const char *data);

/* A translation training file (task_translate.c: a [translate] section), trained, reported and
 * scored on its validation and test parts; a translator's file scored on the test part of the
 * data it names (data NULL) or on a TSV of pairs (batch: pairs per batch, 0 for 64). */
int cli_train_translate(const cli_train_args *a);
int cli_eval_translate(const char *model, const char *data, long batch,
                       const rnnc_read_limits *lim);

#endif
