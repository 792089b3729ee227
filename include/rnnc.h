/*
 * rnnc: recurrent neural networks in C11.
 *
 * The whole public API. Conventions used throughout:
 *   - Sequences are time-major: (T,B,F) = T steps, B sequences, F features per step.
 *   - Dimension letters: T time, B batch, I input, H hidden, G gate rows (4H LSTM, 3H GRU, H RNN),
 *     V vocabulary, L stacked layers, D directions (1 or 2).
 *   - A fallible function returns rnnc_status (RNNC_OK = 0, negative on error) and leaves a message
 *     for rnnc_last_error(). The library never prints and never exits.
 *   - rnnc_x_create(..., &out) hands ownership to the caller; rnnc_x_free(x) releases it and
 *     rnnc_x_free(NULL) does nothing. Pointer arguments are borrowed for the call only.
 *   - Parameter names, shapes and gate order are PyTorch's (torch.nn.RNN/LSTM/GRU, nn.Embedding,
 *     nn.Linear), so weights move between rnnc and PyTorch without permutation.
 */
#ifndef RNNC_H
#define RNNC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RNNC_VERSION_MAJOR 0
#define RNNC_VERSION_MINOR 1
#define RNNC_VERSION_PATCH 0
#define RNNC_VERSION_STRING "0.1.0"

/* ---------------------------------------------------------------------------------------------
 * Status and errors
 */
typedef int rnnc_status;
enum {
    RNNC_OK = 0,
    RNNC_ERR_ARG = -1,     /* a bad argument from the caller (NULL, out of range, unknown name) */
    RNNC_ERR_SHAPE = -2,   /* sizes that do not fit together */
    RNNC_ERR_FORMAT = -3,  /* a malformed file or config */
    RNNC_ERR_IO = -4,      /* the operating system refused a read or write */
    RNNC_ERR_NOMEM = -5,   /* allocation failed or a size overflowed */
    RNNC_ERR_NUMERIC = -6, /* NaN or Inf where a finite number is required */
    RNNC_ERR_STATE = -7    /* a call out of order (e.g. backward before forward) */
};

/* The message of the last failure on this thread ("" if none). Valid until the next failing call
 * on the same thread. */
const char *rnnc_last_error(void);
/* A short name for a status code, e.g. "format error". */
const char *rnnc_status_name(rnnc_status s);
/* "0.1.0" and the same numbers as the macros above. */
const char *rnnc_version(void);

/* ---------------------------------------------------------------------------------------------
 * Threads. rnnc's parallel work runs in OpenBLAS; n <= 0 selects the number of online CPUs.
 * Results are bit-identical for a given thread count.
 */
void rnnc_set_num_threads(int n);
int rnnc_get_num_threads(void);

/* ---------------------------------------------------------------------------------------------
 * Random numbers: xoshiro256** (Blackman & Vigna, 2018) seeded through splitmix64. Integer
 * arithmetic only, so a seed gives the same stream on every platform and compiler. The struct is
 * a plain value: copy it to save or restore a stream (checkpoints do). Treat the fields as opaque.
 */
typedef struct rnnc_rng {
    uint64_t s[4];
} rnnc_rng;

/* Seeds the generator; every seed, including 0, gives a valid, distinct stream. */
void rnnc_rng_seed(rnnc_rng *r, uint64_t seed);
/* The next 64 random bits. */
uint64_t rnnc_rng_u64(rnnc_rng *r);
/* Uniform in [0, 1) with 53 random bits. */
double rnnc_rng_uniform(rnnc_rng *r);
/* Standard normal (Box-Muller on two uniforms; consumes two u64 per call). */
double rnnc_rng_normal(rnnc_rng *r);
/* Uniform integer in [0, n) without modulo bias; n must be > 0. */
uint32_t rnnc_rng_below(rnnc_rng *r, uint32_t n);

/* ---------------------------------------------------------------------------------------------
 * Model description: a sequential stack of layers. A model description file (INI, one section
 * per layer, see docs/model-format.md) is read into the same structures.
 */
enum rnnc_layer_kind {
    RNNC_LAYER_EMBEDDING = 1, /* ids (T,B) -> (T,B,dim); parameter "weight" (vocab,dim) */
    RNNC_LAYER_DENSE,         /* (T,B,F) or (B,F) -> same leading dims, units; "weight" (units,F), "bias" */
    RNNC_LAYER_DROPOUT,       /* inverted dropout, identity at inference */
    RNNC_LAYER_RNN,           /* Elman RNN, tanh or relu, as torch.nn.RNN */
    RNNC_LAYER_LSTM,          /* as torch.nn.LSTM: gates i,f,g,o */
    RNNC_LAYER_GRU            /* as torch.nn.GRU: gates r,z,n; reset applied after the recurrent product */
};

enum rnnc_activation {
    RNNC_ACT_LINEAR = 0,
    RNNC_ACT_SIGMOID,
    RNNC_ACT_TANH,
    RNNC_ACT_RELU,
    RNNC_ACT_SOFTMAX /* over the last dimension */
};

/* How a bidirectional layer combines its two directions (Keras's merge_mode). Concat gives 2H
 * features (PyTorch's layout: forward first), sum gives H. */
enum rnnc_merge { RNNC_MERGE_CONCAT = 0, RNNC_MERGE_SUM = 1 };

/* Where the padding of a shorter sequence sits: after its data (post, steps [len, T) are padding)
 * or before it (pre, steps [0, T-len) are padding), as Keras's pad_sequences(padding=...). */
enum rnnc_padding { RNNC_PAD_POST = 0, RNNC_PAD_PRE = 1 };

#define RNNC_NAME_MAX 48
#define RNNC_MAX_LAYERS 64

/* One layer. Start from rnnc_layer_spec_init() and set the fields of its kind. */
typedef struct rnnc_layer_spec {
    int kind;                 /* enum rnnc_layer_kind */
    char name[RNNC_NAME_MAX]; /* parameter-name prefix; "" gives a default (see rnnc_model_create) */
    /* embedding */
    int vocab, dim;
    int padding_idx; /* row that stays zero and gets no gradient; -1 for none */
    /* dense */
    int units;
    int activation; /* enum rnnc_activation */
    /* dropout layer */
    float rate;
    /* recurrent (RNN, LSTM, GRU) */
    int hidden;
    int layers;           /* stacked layers, >= 1 */
    int bidirectional;    /* 0 or 1 */
    int merge;            /* enum rnnc_merge, for bidirectional layers */
    int return_sequences; /* 1: output (T,B,Hout); 0: the last output (B,Hout) */
    int nonlinearity;     /* RNN only: RNNC_ACT_TANH or RNNC_ACT_RELU */
    float dropout;        /* dropout between stacked layers (training only), as PyTorch's */
    float forget_bias;    /* LSTM: initial bias_ih of the forget gate when set_forget_bias is 1
                             (bias_hh's forget part is then 0, so the sum is forget_bias) */
    int set_forget_bias;
} rnnc_layer_spec;

/* A layer of the given kind with the defaults: padding_idx -1, activation linear, layers 1,
 * unidirectional, concat, return_sequences 0, tanh, no dropout, forget bias as PyTorch's. */
rnnc_layer_spec rnnc_layer_spec_init(int kind);

/* A whole model: the input and the layers in order. */
typedef struct rnnc_config {
    int input_size; /* features per step when the first layer is not an embedding */
    int n_layers;
    rnnc_layer_spec layers[RNNC_MAX_LAYERS];
} rnnc_config;

/* Reads a model description file. Errors name the file, line and key. */
rnnc_status rnnc_config_read(const char *path, rnnc_config *out);
/* The same from text in memory; `name` is used in messages in place of a file name. */
rnnc_status rnnc_config_parse(const char *text, const char *name, rnnc_config *out);
/* Checks that the layers fit together (sizes, kinds, order); the message names the layer. */
rnnc_status rnnc_config_validate(const rnnc_config *cfg);

/* ---------------------------------------------------------------------------------------------
 * Models
 */
typedef struct rnnc_model rnnc_model;

/* Builds a model and initialises its parameters from `seed` as PyTorch does: recurrent weights and
 * biases U(-1/sqrt(H), 1/sqrt(H)); dense weight and bias U(-1/sqrt(F), 1/sqrt(F)); embedding
 * N(0, 1) with the padding row zero. Layers without a name get their kind's name ("embedding",
 * "dense", "lstm", ...), with "_2", "_3", ... added to repeats. Owned by the caller. */
rnnc_status rnnc_model_create(const rnnc_config *cfg, uint64_t seed, rnnc_model **out);
void rnnc_model_free(rnnc_model *m);
/* The description the model was built from (borrowed, lives as long as the model). */
const rnnc_config *rnnc_model_config(const rnnc_model *m);

/* One batch of input, borrowed for the call. Exactly one of ids / x is set: ids when the first
 * layer is an embedding, x otherwise. lengths may be NULL (every sequence is T long); otherwise
 * 1 <= lengths[b] <= T and `padding` says on which side the padding is. Padded steps never change
 * a recurrent state, give zero outputs and receive no gradient. */
typedef struct rnnc_batch {
    int T, B;
    const int32_t *ids;     /* (T,B) token ids in [0, vocab) */
    const float *x;         /* (T,B,I) features */
    const int32_t *lengths; /* (B) true lengths, or NULL */
    int padding;            /* enum rnnc_padding */
} rnnc_batch;

/* Runs every layer forward. training = 1 enables dropout and keeps what backward needs. Buffers
 * grow to the largest (T,B) seen and are reused; a training loop with a fixed maximum allocates
 * only in its first step. */
rnnc_status rnnc_model_forward(rnnc_model *m, const rnnc_batch *batch, int training);
/* The output of the last forward (borrowed, valid until the next forward): dims[0..ndim) is
 * (T,B,O) when the last layer returns sequences, (B,O) otherwise. */
const float *rnnc_model_output(const rnnc_model *m, int *ndim, size_t dims[3]);
/* Backpropagates dout (same shape as the output) through the last training forward and ADDS the
 * parameter gradients into the gradient arena (call rnnc_model_zero_grad once per step). */
rnnc_status rnnc_model_backward(rnnc_model *m, const float *dout);
void rnnc_model_zero_grad(rnnc_model *m);
/* Gradient of the loss with respect to the float input x (T,B,I) of the last backward; NULL when
 * the model starts with an embedding. Borrowed. */
const float *rnnc_model_input_grad(const rnnc_model *m);

/* Recurrent state of layer `layer` (its index in the config), PyTorch's layout (L*D,B,H) with
 * index l*D + d. set_state copies h0 (and c0 for LSTM; ignored otherwise) for the following
 * forwards, whose batch size must then be B; NULL h0 returns to zero initial states. */
rnnc_status rnnc_model_set_state(rnnc_model *m, int layer, int B, const float *h0, const float *c0);
/* Final states of the last forward (borrowed; c is NULL unless LSTM). */
rnnc_status rnnc_model_final_state(const rnnc_model *m, int layer, const float **h, const float **c);
/* Gradients with respect to the final states (L*D,B,H), used by the next backward (copied; NULL =
 * zero). Call it after the forward it belongs to: every forward clears them. */
rnnc_status rnnc_model_set_final_state_grad(rnnc_model *m, int layer, const float *dh, const float *dc);
/* Gradients with respect to the initial states from the last backward (borrowed). */
rnnc_status rnnc_model_initial_state_grad(const rnnc_model *m, int layer, const float **dh0,
                                          const float **dc0);

/* Layer i of the model: its name (the parameter-name prefix), its kind's name ("lstm", ...), the
 * features of its output and whether that output is a sequence (T,B,F) or not (B,F). Any pointer
 * may be NULL; strings are borrowed. */
rnnc_status rnnc_model_layer_info(const rnnc_model *m, int i, const char **name, const char **kind,
                                  size_t *out_features, int *sequence);

/* Parameters, in one contiguous arena; gradients in a second of the same layout. */
int rnnc_model_param_count(const rnnc_model *m);
/* Name (e.g. "lstm.weight_ih_l0"), rank and dims of parameter i; pointers borrowed. */
rnnc_status rnnc_model_param_info(const rnnc_model *m, int i, const char **name, int *ndim,
                                  size_t dims[2]);
/* A parameter's values by name (borrowed, writable view into the arena); n gets its size. NULL and
 * an error when no parameter has that name. */
float *rnnc_model_param(rnnc_model *m, const char *name, size_t *n);
/* The matching gradient view. */
float *rnnc_model_grad(rnnc_model *m, const char *name, size_t *n);
/* Copies n values into a parameter; n must equal its size. */
rnnc_status rnnc_model_param_set(rnnc_model *m, const char *name, const float *src, size_t n);
/* The whole arenas (borrowed): n gets the total number of parameters. */
float *rnnc_model_params(rnnc_model *m, size_t *n);
float *rnnc_model_grads(rnnc_model *m, size_t *n);

/* ---------------------------------------------------------------------------------------------
 * Losses (a first few; the training issue adds the rest). Each returns the mean loss over the
 * counted elements and, when grad is not NULL, writes d(loss)/d(input) into grad.
 */
/* Mean squared error over n values. */
double rnnc_loss_mse(const float *pred, const float *target, size_t n, float *grad);
/* Binary cross-entropy on logits (stable: max(z,0) - z*y + log(1 + exp(-|z|))), mean over n. */
double rnnc_loss_bce_logits(const float *logits, const float *target, size_t n, float *grad);

/* ---------------------------------------------------------------------------------------------
 * Optimizers. State (moments) lives in one arena beside the model's parameter arena.
 */
enum rnnc_optim_kind { RNNC_OPTIM_SGD = 1, RNNC_OPTIM_ADAM };
typedef struct rnnc_optim_spec {
    int kind;
    double lr;           /* default 1e-3 (Adam), 1e-2 (SGD) */
    double beta1, beta2; /* Adam: 0.9, 0.999 */
    double eps;          /* Adam: 1e-8, added after the square root as torch.optim.Adam */
    double momentum;     /* SGD */
    double weight_decay; /* L2 added to the gradient, as torch.optim.Adam/SGD */
} rnnc_optim_spec;
typedef struct rnnc_optim rnnc_optim;

rnnc_optim_spec rnnc_optim_spec_init(int kind);
/* An optimizer for all of m's parameters; keeps m (borrowed) until freed. */
rnnc_status rnnc_optim_create(rnnc_model *m, const rnnc_optim_spec *spec, rnnc_optim **out);
void rnnc_optim_free(rnnc_optim *o);
/* One update from the model's gradient arena. */
rnnc_status rnnc_optim_step(rnnc_optim *o);
/* Scales gradients so their global L2 norm is at most max_norm (clip_grad_norm_); returns the norm
 * before clipping, accumulated in double. */
double rnnc_clip_grad_norm(rnnc_model *m, double max_norm);

/* ---------------------------------------------------------------------------------------------
 * Metrics
 */
/* [metrics: declarations go here] */

/* ---------------------------------------------------------------------------------------------
 * Learning-rate schedules
 */
/* [schedules: declarations go here] */

/* ---------------------------------------------------------------------------------------------
 * Tensor files (safetensors) and model files
 */
/* [files: declarations go here] */

/* ---------------------------------------------------------------------------------------------
 * Text data: tokenizer, vocabulary, padding, labelled-text readers
 */
/* [text: declarations go here] */

/* ---------------------------------------------------------------------------------------------
 * Training
 */
/* [training: declarations go here] */

#ifdef __cplusplus
}
#endif
#endif /* RNNC_H */
