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

/* What a task's object is to the code every task shares: the task's name in "rnnc.task", the
 * object's size and where its model and lock sit in it, how it reads its own metadata from a model
 * file, and how it is freed. A task declares one (classify.c, lm.c, forecast.c) and its create and
 * load calls go through rnnc__task_new and rnnc__task_open. */
typedef struct rnnc__task_kind {
    const char *name; /* "rnnc.task": "classify", "lm", "forecast" */
    const char *what; /* for messages: "a text classifier" */
    size_t size;      /* sizeof the object */
    size_t model_at;  /* offsetof its rnnc_model * */
    size_t lock_at;   /* offsetof its pthread_mutex_t */
    /* Reads the object's metadata from f (the model is loaded) and checks that the model fits
     * it; messages name path. */
    rnnc_status (*read_meta)(void *obj, const rnnc_tensor_file *f, const char *path);
    void (*free)(void *obj); /* frees whatever the object holds, and the object */
} rnnc__task_kind;

/* A new zeroed object of kind k with its lock initialised (the caller fills the rest). */
rnnc_status rnnc__task_new(const rnnc__task_kind *k, void **out);
/* A model file of kind k: a new object, its model and its metadata (k->read_meta). On failure
 * the object is freed, *out is NULL and the message names path (a file of another task names the
 * task it holds). */
rnnc_status rnnc__task_open(const rnnc__task_kind *k, const char *path, void **out);

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
