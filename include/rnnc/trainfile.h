/* rnnc/trainfile.h: training files: the model's sections with [data], [train], [optimizer],
 * [schedule], [early_stopping] and [finetune], read into settings.
 * Part of the public API; include "rnnc.h" for all of it (its conventions hold here). */
#ifndef RNNC_TRAINFILE_H
#define RNNC_TRAINFILE_H

#include "classify.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Training files (docs/training.md, docs/finetune.md)
 */
/* What every training file gives, whatever the task (docs/training.md): the model's layer
 * sections, [train], [optimizer], [schedule] and [early_stopping]. */
typedef struct rnnc_run_config {
    rnnc_config model;
    rnnc_fit_spec fit;      /* fit.out_dir and fit.tensorboard point at output and tensorboard */
    int threads;            /* [train] threads: 0 = every core */
    char output[1024];      /* [train] output folder, "" for none */
    char tensorboard[1024]; /* [train] tensorboard: the event files' folder, "" for none */
} rnnc_run_config;

/* A training file read once (docs/training.md): the file's text after the overrides, its model
 * sections parsed into an rnnc_config, its training sections into key = value entries, and the task
 * it trains. Every config reader below takes one (rnnc_*_config_parse); rnnc_*_config_read(path,
 * ...) opens, parses and frees in one call.
 * overrides are "section.key=value" strings (the CLI's --set), applied to the text before
 * parsing: a key replaces the first such key of the first such section, or is added to it; a
 * missing training section is added. Errors name the file and line (or the override). Paths are
 * kept as written (relative to the working folder). */
typedef struct rnnc_train_file rnnc_train_file;
/* The task a training file trains: a [forecast] section makes a forecaster, an [lm] section a
 * language model, a [translate] section a translator, [data] format = npz or safetensors a model
 * on arrays, anything else a text classifier. */
enum rnnc_train_task {
    RNNC_TRAIN_CLASSIFY = 0,
    RNNC_TRAIN_LM = 1,
    RNNC_TRAIN_FORECAST = 2,
    RNNC_TRAIN_ARRAYS = 3,
    RNNC_TRAIN_TRANSLATE = 4
};
/* Reads path (at most 1 MiB of text), applies the overrides and parses the file's sections:
 * errors in the layer sections or in the syntax of the training sections are reported here, the
 * values of the training sections by the reader that takes them. */
rnnc_status rnnc_train_file_open(const char *path, const char *const *overrides, int n,
                                 rnnc_train_file **out);
void rnnc_train_file_free(rnnc_train_file *f);
const char *rnnc_train_file_path(const rnnc_train_file *f);
enum rnnc_train_task rnnc_train_file_task(const rnnc_train_file *f);
/* 1 when the file (after the overrides) has a [section] header, else 0. */
int rnnc_train_file_has_section(const rnnc_train_file *f, const char *section);
/* The model description of any training file: its layer sections. A forecaster's or arrays' file
 * without [model] gets input_size 1 (training sets it from the data), and sizes left to the data
 * ("auto") stay 0. */
rnnc_status rnnc_train_file_model(const rnnc_train_file *f, rnnc_config *out);

/* A text classifier's training file (docs/training.md): the run's sections plus [data]. */
typedef struct rnnc_classify_config {
    rnnc_run_config run;
    rnnc_text_spec text;
    /* [data] */
    enum rnnc_text_format format;
    char train[1024], validation[1024], test[1024];
    double validation_split; /* 0: none (or a validation file) */
    /* [data] test_split: this fraction of train becomes the test set (rnnc_textset_split with
     * test_seed, 1 by default), taken first: subset and validation_split take from the rest.
     * 0: none (or a test file; both is an error) */
    double test_split;
    uint64_t test_seed;
    char label_column[64], text_column[64];
    int header;                       /* -1 auto, 0, 1 */
    enum rnnc_text_encoding encoding; /* of every data file: utf-8 (default) or latin-1 */
    /* [data] subset: train on this many labelled examples drawn from train at random
     * (rnnc_textset_subset with subset_seed, 1 by default), after test_split and before
     * validation_split; 0: all */
    long subset;
    uint64_t subset_seed;
    /* [data] max_read_bytes, max_text_bytes, max_records, max_members (0: the default) */
    rnnc_read_limits limits;
} rnnc_classify_config;
rnnc_status rnnc_classify_config_parse(const rnnc_train_file *f, rnnc_classify_config *out);
/* rnnc_train_file_open + rnnc_classify_config_parse + rnnc_train_file_free. */
rnnc_status rnnc_classify_config_read(const char *path, const char *const *overrides, int n,
                                      rnnc_classify_config *out);

/* The run's sections of any training file (or of a model description alone: the defaults):
 * [train], [optimizer], [schedule], [early_stopping] and the layer sections; the task's data
 * sections ([data], [lm], [forecast]) and [finetune] are not read. Errors name the file and line,
 * or the override. */
rnnc_status rnnc_train_file_run(const rnnc_train_file *f, rnnc_run_config *out);

/* ---- Fine-tuning (docs/finetune.md) ---- */

/* The vocabulary a fine-tuned model uses: the pretrained model's (every embedding row carries
 * over; the text options must tokenize as the pretrained model did), or one built from the new
 * training data (rows of tokens both hold are carried over by token, rnnc_model_transfer). */
enum rnnc_finetune_vocab { RNNC_FT_VOCAB_PRETRAINED = 0, RNNC_FT_VOCAB_DATA = 1 };
/* The last layer (the task head): new (re-initialised) when the pretrained model did another task
 * (auto), always new, or kept (loaded like any layer). */
enum rnnc_finetune_head { RNNC_FT_HEAD_AUTO = 0, RNNC_FT_HEAD_NEW = 1, RNNC_FT_HEAD_KEEP = 2 };
/* [finetune] of a training file. Lists are comma-separated. */
typedef struct rnnc_finetune_config {
    enum rnnc_finetune_vocab vocab; /* pretrained */
    enum rnnc_finetune_head head;   /* auto */
    char reinit[1024];     /* parameter or layer names to re-initialise instead of loading */
    char freeze[1024];     /* layer names or 0-based indices frozen for the whole run */
    int unfreeze_every;    /* gradual unfreezing every N epochs; 0 off */
    double lr_decay;       /* discriminative rates: each group below the top at lr / lr_decay^k;
                              0 off (ULMFiT uses 2.6) */
    char lr_factors[1024]; /* or one factor per layer with parameters, from the bottom */
    double l2sp;           /* L2-SP strength alpha (rnnc_finetune_spec); 0 off */
} rnnc_finetune_config;
rnnc_finetune_config rnnc_finetune_config_init(void);
/* Reads [finetune]; errors name the file, line and key. */
rnnc_status rnnc_finetune_config_parse(const rnnc_train_file *f, rnnc_finetune_config *out);
rnnc_status rnnc_finetune_config_read(const char *path, const char *const *overrides, int n,
                                      rnnc_finetune_config *out);
/* Resolves freeze and the rates against model m: frozen and lr_factor (n_layers each), and
 * *has_factors = whether any rate was given. Errors name an unknown layer (listing the layers), a
 * layer without parameters, or a wrong count of lr_factors. */
rnnc_status rnnc_finetune_config_resolve(const rnnc_finetune_config *c, const rnnc_model *m,
                                         unsigned char *frozen, double *lr_factor,
                                         int *has_factors);

#ifdef __cplusplus
}
#endif
#endif /* RNNC_TRAINFILE_H */
