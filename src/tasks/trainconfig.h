/* Training files for every task: the generic reader of trainconfig.c, with the task's own section
 * handed to the task (the forecaster's [forecast], the language model's [lm], the arrays' [data]). */
#ifndef RNNC_SRC_TASKS_TRAINCONFIG_H
#define RNNC_SRC_TASKS_TRAINCONFIG_H

#include "../core/core.h"
#include "rnnc.h"

typedef struct rnnc__train_hook {
    const char *section; /* the task's section: "forecast" or "lm" */
    /* Called for every key of the task's section, in file order; a failure stops the reading. */
    rnnc_status (*on_key)(void *user, const char *key, const char *value, const char *path,
                          int line);
    void *user;
    /* Set by the reader when the file had no [model] section and input_size = 1 was supplied
     * (the task sets the real size from its data). */
    int added_input_size;
    /* 1: [data], [lm] and [forecast] are skipped, whichever task the file is for (the hook's
     * own section too: on_key may be NULL) */
    int any_task;
} rnnc__train_hook;

/* The run's sections of a task's training file (what rnnc_classify_config_parse reads but [data]),
 * with the keys of [hook->section] handed to hook->on_key; [data] keys are refused unless the hook
 * takes them. hook->added_input_size tells whether the file had no [model] section and
 * input_size = 1 was supplied (a forecaster's or arrays' file). */
rnnc_status rnnc__train_file_run(const rnnc_train_file *f, rnnc_run_config *out,
                                 rnnc__train_hook *hook);
/* Hands every key of [section] in the file to on_key, in file order; the other sections are not
 * checked ([finetune], which the task readers skip). */
rnnc_status rnnc__train_file_section(const rnnc_train_file *f, const char *section,
                                     rnnc_status (*on_key)(void *user, const char *key,
                                                           const char *value, const char *path,
                                                           int line),
                                     void *user);
/* Where line `line` of the file's edited text came from, as messages name it: "PATH:N" for the
 * file's line N, "--set OVERRIDE" for a line an override wrote. */
void rnnc__train_file_where(const rnnc_train_file *f, int line, char *buf, size_t cap);
/* The path readers (rnnc_*_config_read): opens path with the overrides, parses it with the
 * reader's rnnc_*_config_parse into out, frees the file. */
enum rnnc__reader {
    RNNC__READ_CLASSIFY,
    RNNC__READ_LM,
    RNNC__READ_FORECAST,
    RNNC__READ_ARRAYS,
    RNNC__READ_FINETUNE,
    RNNC__READ_TRANSLATE
};
rnnc_status rnnc__train_file_read(const char *path, const char *const *overrides, int n,
                                  enum rnnc__reader reader, void *out);
/* The read limits' keys of a task's data section (max_read_bytes, max_text_bytes, max_records,
 * max_members, each an integer >= 0; 0 the default): 1 with lim's field set, -1 for such a key
 * with a bad value, 0 for any other key. */
int rnnc__limit_key(const char *key, const char *value, rnnc_read_limits *lim);

#endif
