/* What every task (classify, lm, forecast) does the same way with its model file: the model plus
 * string metadata, "rnnc.task" naming the task first, then the task's own keys. Not part of the
 * public API. */
#ifndef RNNC_SRC_TASKS_TASK_H
#define RNNC_SRC_TASKS_TASK_H

#include "../core/core.h"
#include "rnnc.h"

#include <pthread.h>

/* A task object's lock (docs/api.md#threads): its inference calls (predict, evaluate, generate)
 * write the model's buffers and the object's workspaces, so they take the lock for the whole
 * call, and threads may share one loaded object for them. rnnc__lock_init right after the
 * object is allocated (RNNC_ERR_NOMEM when the system has no lock to give); rnnc__lock_free
 * with the object. */
rnnc_status rnnc__lock_init(pthread_mutex_t *m);
void rnnc__lock_free(pthread_mutex_t *m);

/* Writes m to path (atomically, rnnc_model_save) with "rnnc.task" = task, the task's n keys and
 * values, and key = value after them when key is not NULL (the training loop's train state). */
rnnc_status rnnc__task_save(const rnnc_model *m, const char *path, const char *task,
                            const char *const *keys, const char *const *values, int n,
                            const char *key, const char *value);
/* Reads a model file written for task: the model and the open file (for the task's own metadata;
 * the caller frees both). A file of another task, or of none, is RNNC_ERR_FORMAT naming the
 * file, `what` ("a language model") and the task it holds. On failure both are NULL. */
rnnc_status rnnc__task_load(const char *path, const char *task, const char *what, rnnc_model **m,
                            rnnc_tensor_file **f);
/* The vocabulary in the file's "rnnc.vocab" (RNNC_ERR_FORMAT naming path when missing). */
rnnc_status rnnc__task_vocab(const rnnc_tensor_file *f, const char *path, rnnc_vocab **out);

/* A run's setup for the training loop (rnnc__task.setup): "key=value" lines, built one line at a
 * time. rnnc__setup_add appends key=value (printf-style, newlines in the value become spaces);
 * on a failed allocation the setup is freed and *s is NULL, which the finished setup reports. */
typedef struct rnnc__setup {
    char *s;
    size_t len, cap;
    int failed;
} rnnc__setup;
void rnnc__setup_add(rnnc__setup *b, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* key=<n> <what> #<hash of the bytes, 8 hex digits> */
void rnnc__setup_hash(rnnc__setup *b, const char *key, size_t n, const char *what, uint64_t hash);
/* Hands the lines over (the caller frees them); RNNC_ERR_NOMEM when an addition failed. */
rnnc_status rnnc__setup_done(rnnc__setup *b, char **out);

/* What is wrong with a forecaster's quantiles (n values, rnnc_forecast_spec's rules), or NULL
 * when nothing is: a sentence to follow "quantiles ...". */
const char *rnnc__forecast_quantiles_problem(const double *q, int n);

#endif
