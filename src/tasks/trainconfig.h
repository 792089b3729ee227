/* Training files for tasks beyond text classification: the generic reader of trainconfig.c with
 * one extra section handed to the task (the forecaster's [forecast]). */
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

/* The run's sections of a task's training file (what rnnc_classify_config_read reads but [data]),
 * with the keys of [hook->section] handed to hook->on_key; [data] keys are refused. A
 * forecaster's file without a [model] section gets input_size = 1 (added_input_size). */
rnnc_status rnnc__train_config_read_hooked(const char *path, const char *const *overrides, int n,
                                           rnnc_run_config *out, rnnc__train_hook *hook);
/* Hands every key of [section] in the file (after the overrides) to on_key, in file order; the
 * other sections are parsed but not checked ([finetune], which the task readers skip). */
rnnc_status rnnc__train_config_section(const char *path, const char *const *overrides, int n,
                                       const char *section,
                                       rnnc_status (*on_key)(void *user, const char *key,
                                                             const char *value, const char *path,
                                                             int line),
                                       void *user);
/* The read limits' keys of a task's data section (max_read_bytes, max_text_bytes, max_records,
 * max_members, each an integer >= 0; 0 the default): 1 with lim's field set, -1 for such a key
 * with a bad value, 0 for any other key. */
int rnnc__limit_key(const char *key, const char *value, rnnc_read_limits *lim);

/* *yes = whether the file, after the overrides, has a [section] header. */
rnnc_status rnnc__train_config_has_section(const char *path, const char *const *overrides, int n,
                                           const char *section, int *yes);

#endif
