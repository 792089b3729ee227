/* rnnc/arrays.h: training on arrays (docs/arrays.md): any model of the library trained by the
 * shared training loop on sequences held in memory or filled by a callback, with a regression,
 * classification or per-step target; .npz and safetensors files read into such arrays; the model
 * file that records the task, so that rnnc eval and rnnc predict work on it.
 * Part of the public API; include "rnnc.h" for all of it (its conventions hold here). */
#ifndef RNNC_ARRAYS_H
#define RNNC_ARRAYS_H

#include "train.h"
#include "trainfile.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the model learns to give for each sequence. */
enum rnnc_target_kind {
    RNNC_TARGET_REGRESSION = 1, /* `outputs` numbers per sequence (y), mean squared error */
    RNNC_TARGET_CLASSES,        /* one of `outputs` classes per sequence (labels), cross-entropy */
    RNNC_TARGET_STEPS           /* one of `outputs` classes per step (labels), cross-entropy */
};

/* n sequences of T steps, borrowed (nothing is copied: the arrays must outlive every call that
 * takes them). Row-major, sequence first, as numpy writes them. Give either the pointers or the
 * callback `fill`.
 *   Regression: the model's output is (B,outputs): its last layer returns no sequence.
 *   Classes:    (B,outputs) logits; outputs >= 2.
 *   Steps:      (T,B,outputs) logits: its last layer returns sequences; outputs >= 2.
 * A sequence shorter than T (lengths) holds its steps first and padding after (post-padding):
 * padded steps change no state and count in no loss. */
typedef struct rnnc_arrays {
    size_t n;               /* sequences */
    int T;                  /* steps per sequence (the padded length), >= 1 */
    int F;                  /* features per step of x; 0 when the inputs are ids */
    const float *x;         /* (n,T,F), or NULL with ids */
    const int32_t *ids;     /* (n,T) token ids for a model that starts with an embedding */
    const int32_t *lengths; /* (n) true lengths in [1,T], or NULL: every sequence is T long */
    enum rnnc_target_kind target;
    int outputs;           /* regression: numbers per sequence; classes, steps: classes */
    const float *y;        /* regression: (n,outputs) */
    const int32_t *labels; /* classes: (n) in [0,outputs); steps: (n,T), -1 = not counted */
    /* Instead of the pointers (all NULL then): fills the rows idx[0..B) of the data into the
     * batch buffers, batch-major: x (B,T,F) (NULL with ids), ids (B,T) (NULL with x), lengths
     * (B) (holding T when called; change it for shorter sequences), y (B,outputs) (regression,
     * else NULL), labels (B) or (B,T) (classes or steps, else NULL). Must give the same rows for
     * the same idx every time (validation and an exact resume depend on it). A failure stops the
     * run with its status. */
    rnnc_status (*fill)(void *user, const size_t *idx, int B, float *x, int32_t *ids,
                        int32_t *lengths, float *y, int32_t *labels);
    void *user;
    size_t first; /* the callback is given first + idx (rnnc_arrays_slice sets it); 0 */
} rnnc_arrays;

/* Checks that a's fields fit together and with model m (NULL: not checked): the sizes, one input
 * kind, the target's arrays, every length, id and label in range, the model's input (features or
 * embedding) and output (sequence or not, `outputs` features). Errors are RNNC_ERR_ARG or
 * RNNC_ERR_SHAPE naming `what` (e.g. "the training data") and the field, row and value. */
rnnc_status rnnc_arrays_check(const rnnc_arrays *a, const rnnc_model *m, const char *what);
/* A view of rows [from, from + count) of a (no copy): the pointers advanced, or for a callback
 * `first` advanced. RNNC_ERR_ARG when the rows are not inside a. */
rnnc_status rnnc_arrays_slice(const rnnc_arrays *a, size_t from, size_t count, rnnc_arrays *out);

/* Trains m on train with the shared loop (rnnc_fit_spec: epochs, batches, optimizer, schedule,
 * clipping, early stopping, checkpoints, exact resume, metrics.jsonl, TensorBoard, progress).
 * val (may be NULL) is the validation data. The files the run writes (spec->out_dir) are model
 * files of the arrays task (rnnc_arrays_save), which rnnc eval and rnnc predict take. Resuming
 * refuses a checkpoint of another setup: the target, the shapes and (pointer data) a fingerprint
 * of the arrays. m is trained in place. */
rnnc_status rnnc_fit_arrays(rnnc_model *m, const rnnc_arrays *train, const rnnc_arrays *val,
                            const rnnc_fit_spec *spec, rnnc_epoch_report *last);

/* Scores of a model on arrays. */
typedef struct rnnc_arrays_scores {
    size_t n;    /* sequences (regression, classes) or counted steps (steps) */
    double loss; /* the training loss: mean squared error, or mean cross-entropy */
    /* regression, over every output: mean absolute error, root mean squared error, and
     * R^2 = 1 - MSE / (the MSE of predicting each output's mean over these data); NAN otherwise */
    double mae, rmse, r2;
    rnnc_metric_values metrics; /* classes, steps: accuracy, precision, recall, F1, AUC */
} rnnc_arrays_scores;
/* Scores m on a in batches of batch_size (0: 256). */
rnnc_status rnnc_arrays_evaluate(rnnc_model *m, const rnnc_arrays *a, int batch_size,
                                 rnnc_arrays_scores *out);
/* The model's outputs for every sequence of a (its targets are not needed): regression
 * (n,outputs) numbers; classes (n,outputs) probabilities (softmax); steps (n,T,outputs)
 * probabilities, zero for padded steps. out is the caller's. */
rnnc_status rnnc_arrays_predict(rnnc_model *m, const rnnc_arrays *a, int batch_size, float *out);

/* What a model file of the arrays task records (metadata "rnnc.task" = "arrays" and
 * "rnnc.arrays", key=value lines): the target, outputs, and the input (features per step, or ids
 * for an embedding). */
typedef struct rnnc_arrays_info {
    enum rnnc_target_kind target;
    int outputs;
    int F; /* 0: ids */
} rnnc_arrays_info;
/* The info of arrays a. */
rnnc_arrays_info rnnc_arrays_describe(const rnnc_arrays *a);
/* Writes m with that metadata (atomically); the model must fit the info (RNNC_ERR_ARG). */
rnnc_status rnnc_arrays_save(const rnnc_model *m, const rnnc_arrays_info *info, const char *path);
/* Reads a model file of the arrays task: the model (owned by the caller) and its info. Another
 * task's file is RNNC_ERR_FORMAT naming it. */
rnnc_status rnnc_arrays_load(const char *path, rnnc_model **m, rnnc_arrays_info *info);

/* ---------------------------------------------------------------------------------------------
 * Array files: .npz (numpy.savez, savez_compressed: a zip of .npy members) and safetensors.
 * The file holds x (n,T,F) or (n,T) (F = 1) of any float or integer dtype (converted to float),
 * or ids (n,T) of an integer dtype; optional lengths (n); and the target: y (n) or (n,K) of a
 * float dtype for regression, or of an integer dtype for class labels (n) or per-step labels
 * (n,T). .npy members must be little-endian, C order, of dtype float32, float64, int8, int16,
 * int32, int64, uint8 or bool; anything else, a shape that does not fit, or an id, length or
 * label out of range is RNNC_ERR_FORMAT naming the file, the array and the field.
 */
enum rnnc_arrays_format { RNNC_ARRAYS_AUTO = 0, RNNC_ARRAYS_NPZ, RNNC_ARRAYS_SAFETENSORS };
typedef struct rnnc_arrays_source {
    size_t struct_size; /* set by rnnc_arrays_source_init(); see docs/api.md, "Compatibility" */
    const char *path;
    enum rnnc_arrays_format format; /* AUTO: by the name (.npz, else safetensors) */
    /* the arrays' names; NULL: "x", "ids", "lengths", "y" */
    const char *x, *ids, *lengths, *y;
    /* 0 (auto): regression for a float y, classes for an integer y (n), steps for (n,T) */
    enum rnnc_target_kind target;
    int classes;         /* classes, steps: 0 = the largest label + 1 (at least 2) */
    int no_target;       /* 1: y may be absent (prediction) */
    uint64_t read_bytes; /* the most bytes read after decompression; 0: 4 GiB */
} rnnc_arrays_source;
/* Fills *s with the defaults: its first `size` bytes (the caller's sizeof), struct_size = size. */
void rnnc_arrays_source_defaults(rnnc_arrays_source *s, size_t size);
static inline rnnc_arrays_source rnnc_arrays_source_init(void) {
    rnnc_arrays_source s;
    rnnc_arrays_source_defaults(&s, sizeof s);
    return s;
}
typedef struct rnnc_arrays_file rnnc_arrays_file;
/* Reads the arrays of a file into memory, owned by *out. */
rnnc_status rnnc_arrays_read(const rnnc_arrays_source *src, rnnc_arrays_file **out);
/* The same from the bytes of an .npz in memory (name stands for the file in messages). */
rnnc_status rnnc_arrays_parse_npz(const void *bytes, size_t n, const char *name,
                                  const rnnc_arrays_source *src, rnnc_arrays_file **out);
/* The arrays (borrowed; live as long as f). */
const rnnc_arrays *rnnc_arrays_file_data(const rnnc_arrays_file *f);
void rnnc_arrays_file_free(rnnc_arrays_file *f);

/* ---------------------------------------------------------------------------------------------
 * Training files on arrays (docs/arrays.md): the run's sections, the model's layer sections
 * (without the output layer, which is added: a dense "head" of `outputs` units) and
 * [data] format = npz | safetensors with train = FILE and optionally validation = FILE or
 * validation_split, test = FILE or test_split (the last rows of train, as Keras's
 * validation_split takes them: test first, then validation from the rest), target, classes and
 * the arrays' names.
 */
typedef struct rnnc_arrays_config {
    rnnc_run_config run;
    rnnc_arrays_source source; /* the strings point into the fields below */
    char train[1024], validation[1024], test[1024];
    double validation_split, test_split;
    char x[64], ids[64], lengths[64], y[64];
} rnnc_arrays_config;
/* Reads a training file on arrays (rnnc_train_file_open); errors name the file and line. */
rnnc_status rnnc_arrays_config_parse(const rnnc_train_file *f, rnnc_arrays_config *out);
/* rnnc_train_file_open + rnnc_arrays_config_parse + rnnc_train_file_free. */
rnnc_status rnnc_arrays_config_read(const char *path, const char *const *overrides, int n,
                                    rnnc_arrays_config *out);

#ifdef __cplusplus
}
#endif
#endif /* RNNC_ARRAYS_H */
