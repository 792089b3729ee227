/* The training loop, shared by the tasks (src/tasks/). A task turns its examples into batches and
 * its model output into a loss; the loop owns epochs, shuffling, the optimizer, the schedule,
 * clipping, validation, early stopping, checkpoints, resuming and the metrics log. */
#ifndef RNNC_SRC_TRAIN_FIT_H
#define RNNC_SRC_TRAIN_FIT_H

#include "../core/core.h"
#include "rnnc/train.h"

typedef struct rnnc__task {
    void *self;
    rnnc_model *model;
    int n_classes; /* for the metrics accumulator */
    size_t n_train, n_val;
    /* Builds the model input for examples idx[0..B) of set 0 (train) or 1 (validation). The
     * task may put them in another row order (the classifier sorts by length); loss, always
     * called next with the same idx, follows that order. */
    rnnc_status (*batch)(void *self, int set, const size_t *idx, int B, rnnc_batch *out);
    /* From the model output of that batch: mean loss over the batch, dout (may be NULL at
     * validation) for the backward, and the batch's scores added to met. */
    rnnc_status (*loss)(void *self, int set, const size_t *idx, int B, const float *out,
                        float *dout, double *loss, rnnc_metrics *met);
    /* Writes the model file with the task's metadata plus one extra pair (may be NULL). */
    rnnc_status (*save)(void *self, const char *path, const char *key, const char *value);
    /* 1: batches in index order every epoch, never shuffled (a language model's windows follow
     * each other in its streams). */
    int ordered;
    /* May be NULL: validation by the task itself instead of batches of set 1 (a language model
     * scores its validation stream with the state carried). */
    rnnc_status (*validate)(void *self, double *loss, rnnc_metric_values *values);
    /* May be NULL: the task's own validation score after each epoch's validation, higher is
     * better (a translator's BLEU): the report's val_score, monitor = val_score. */
    rnnc_status (*score)(void *self, double *score);
    /* May be NULL: told that training resumes from checkpoint `path`, whose train state is
     * `state` (a language model restores the recurrent state it carries mid-epoch). */
    rnnc_status (*resumed)(void *self, const char *path, const char *state);
    /* May be NULL: what shaped the model, as "key=value" lines (the vocabulary, the text options,
     * the labels, the training data). Every checkpoint keeps it with the caller's
     * rnnc_fit_spec.setup lines after it, and a resume refuses a checkpoint whose setup differs,
     * naming each key that does. */
    const char *setup;
} rnnc__task;

/* "<dir>/checkpoint" + suffix for "<dir>/checkpoint.safetensors" (malloc'd; NULL when out of
 * memory): the files that travel with a checkpoint. */
char *rnnc__sibling_path(const char *ckpt, const char *suffix);

/* Fine-tuning (src/train/finetune.c): sets which layers train in epoch `epoch` (nothing when the
 * spec freezes nothing); gives the optimizer the layer factors; adds the L2-SP gradient. */
rnnc_status rnnc__finetune_epoch(const rnnc_finetune_spec *spec, rnnc_model *m, int epoch);
rnnc_status rnnc__finetune_optim(const rnnc_finetune_spec *spec, rnnc_optim *o,
                                 const rnnc_model *m);
void rnnc__finetune_l2sp(const rnnc_finetune_spec *spec, rnnc_model *m);

/* Multiplies every gradient by coef (src/train/optim.c; clipping by a norm already measured). */
void rnnc__scale_grads(rnnc_model *m, double coef);

/* Creates the folder dir and its missing parents; RNNC_ERR_IO naming the folder ("cannot create
 * <what>") when that fails or dir exists and is not a folder. */
rnnc_status rnnc__make_dir(const char *dir, const char *what);

rnnc_status rnnc__fit(const rnnc__task *task, const rnnc_fit_spec *spec, rnnc_epoch_report *last);
/* Mean loss and metrics over set 1 (validation) or 0, in batches of B. */
rnnc_status rnnc__evaluate(const rnnc__task *task, int set, int B, double *loss,
                           rnnc_metric_values *values);

#endif
