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
 * Threads and kernels. rnnc runs its parallel work on its own threads: n <= 0 selects the number
 * of online CPUs; the default is RNNC_NUM_THREADS when set to a positive number, else the online
 * CPUs. Results are the same bits for any thread count.
 *
 * rnnc_cpu_features: the instruction sets this CPU offers that rnnc looks at, space-separated
 * ("sse2 avx avx2 fma avx512f ..."), as CPUID and the operating system report them.
 * rnnc_gemm_kernel: the matrix-product kernel picked by them: "avx512f", "avx2+fma" or "generic".
 * The AVX-512 and AVX2 kernels give the same bits; the generic one rounds products and sums
 * separately.
 */
void rnnc_set_num_threads(int n);
int rnnc_get_num_threads(void);
const char *rnnc_cpu_features(void);
const char *rnnc_gemm_kernel(void);

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
    RNNC_LAYER_GRU,           /* as torch.nn.GRU: gates r,z,n; reset applied after the recurrent product */
    RNNC_LAYER_POOL           /* (T,B,F) -> (B,F): max or mean over each sequence's data steps, as
                                 Keras's GlobalMaxPooling1D / GlobalAveragePooling1D with a mask */
};

enum rnnc_pool { RNNC_POOL_MAX = 0, RNNC_POOL_MEAN = 1 };

/* How a layer's parameters start (see rnnc_model_create): PyTorch's default initialisation, or
 * Keras's (glorot_uniform kernels, orthogonal recurrent kernels, zero biases with the LSTM forget
 * bias 1, embeddings U(-0.05, 0.05)), so a Keras recipe can be reproduced faithfully; or every
 * parameter of the layer U(-init_range, init_range), as Zaremba et al. 2014 initialise their
 * language models (the LSTM forget_bias, when set, still applies). */
enum rnnc_init { RNNC_INIT_TORCH = 0, RNNC_INIT_KERAS = 1, RNNC_INIT_UNIFORM = 2 };

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
    int init;                 /* enum rnnc_init: embedding, dense and recurrent layers */
    float init_range;         /* RNNC_INIT_UNIFORM: the bound, > 0 */
    /* embedding */
    int vocab, dim;
    int padding_idx; /* row that stays zero and gets no gradient; -1 for none */
    /* dense */
    int units;
    int activation;  /* enum rnnc_activation */
    int tie_weights; /* 1: the weight is the first layer's embedding weight (units = vocab and
                        input features = dim); the layer then owns only its bias, and both
                        uses' gradients add up in the one tensor (Press & Wolf 2017) */
    /* dropout layer */
    float rate;
    /* pool */
    int pool; /* enum rnnc_pool */
    /* recurrent (RNN, LSTM, GRU) */
    int hidden;
    int layers;           /* stacked layers, >= 1 */
    int bidirectional;    /* 0 or 1 */
    int merge;            /* enum rnnc_merge, for bidirectional layers */
    int return_sequences; /* 1: output (T,B,Hout); 0: the last output (B,Hout) */
    int nonlinearity;     /* RNN only: RNNC_ACT_TANH or RNNC_ACT_RELU */
    float dropout;        /* dropout between stacked layers (training only), as PyTorch's */
    float weight_drop;    /* DropConnect on the recurrent weights W_hh (training only): each
                             forward draws one inverted-dropout mask per weight_hh tensor, shared
                             by every step and sequence (Merity et al. 2017's WeightDrop) */
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
 * N(0, 1) with the padding row zero. Layers with init = RNNC_INIT_KERAS start as Keras's: weight_ih
 * and dense weights glorot_uniform U(-sqrt(6/(fan_in+fan_out)), ..), weight_hh orthogonal (Keras's
 * Orthogonal on the transposed kernel: orthonormal columns, from a QR of a normal matrix), biases
 * 0 with the LSTM forget block of bias_ih 1 (unit_forget_bias; forget_bias overrides it),
 * embeddings U(-0.05, 0.05) with the padding row zero. Layers without a name get their kind's name ("embedding",
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
 * the model starts with an embedding or the input gradient is off. Borrowed. */
const float *rnnc_model_input_grad(const rnnc_model *m);
/* Whether backward computes that input gradient (on by default, as rnnc_model_input_grad needs).
 * Training never needs it: rnnc's trainers turn it off, which saves the first recurrent layer a
 * GEMM as large as its input projection (as PyTorch skips inputs that do not require grad). */
void rnnc_model_set_input_grad(rnnc_model *m, int on);
/* Freezing (fine-tuning): a frozen layer's parameters get no gradient and optimizers leave them
 * unchanged; backward skips that layer's weight-gradient products, and below the lowest layer
 * that trains it stops altogether (frozen recurrent layers there report zero initial-state
 * gradients). Every layer trains by default. A tied output layer's weight belongs to the
 * embedding: it trains when the embedding does. layer is the index in the config. */
rnnc_status rnnc_model_set_trainable(rnnc_model *m, int layer, int on);
int rnnc_model_trainable(const rnnc_model *m, int layer);
/* Whether parameter i (rnnc_model_param_info's order) belongs to a layer that trains, and the
 * index of that layer (-1 for no such parameter). */
int rnnc_model_param_trainable(const rnnc_model *m, int i);
int rnnc_model_param_layer(const rnnc_model *m, int i);

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

/* The generator behind the model's dropout masks (borrowed, writable): a checkpoint copies it so
 * a resumed run draws the same masks. NULL for a NULL model. */
rnnc_rng *rnnc_model_rng(rnnc_model *m);

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
 * Losses. Each computes the mean loss with sums in double, as the matching torch.nn loss with
 * reduction='mean', and, when grad is not NULL, writes d(loss)/d(input) into grad (same shape as
 * the input). Inputs are borrowed; grad may not alias them. n == 0 gives 0 and writes nothing.
 */
/* Mean squared error over n values (torch.nn.MSELoss). pred, target, grad (n). */
double rnnc_loss_mse(const float *pred, const float *target, size_t n, float *grad);
/* Binary cross-entropy on logits (torch.nn.BCEWithLogitsLoss), stable for any logit:
 * max(z,0) - z*y + log(1 + exp(-|z|)), mean over n. logits, target, grad (n). */
double rnnc_loss_bce_logits(const float *logits, const float *target, size_t n, float *grad);
/* Mean absolute error (torch.nn.L1Loss): mean |pred - target|; the gradient is
 * sign(pred - target)/n, 0 where pred == target. pred, target, grad (n). */
double rnnc_loss_mae(const float *pred, const float *target, size_t n, float *grad);
/* Huber loss (torch.nn.HuberLoss(delta)): with d = pred - target, 0.5*d^2 where |d| < delta and
 * delta*(|d| - 0.5*delta) elsewhere, mean over n; the gradient is clamp(d, -delta, delta)/n.
 * delta must be finite and > 0: otherwise returns NAN, writes nothing and leaves a message for
 * rnnc_last_error(). pred, target, grad (n). */
double rnnc_loss_huber(const float *pred, const float *target, size_t n, double delta, float *grad);
/* Softmax cross-entropy with integer targets, as torch.nn.CrossEntropyLoss(ignore_index=...):
 * row i contributes logsumexp(logits[i,:]) - logits[i,target[i]] (stabilised by the row maximum,
 * sums in double, so logits of +-1e4 are fine), and the loss is the mean over the rows whose
 * target is not ignore_index. logits (N,C), target (N), grad (N,C) or NULL: softmax minus one-hot
 * over the count of counted rows; rows with the ignored target get 0. *loss gets the mean, 0 when
 * every row is ignored or N == 0 (PyTorch gives NaN there); counted (may be NULL) gets the number
 * of rows counted. Errors, with nothing written: RNNC_ERR_ARG for a NULL logits, target or loss,
 * C == 0, or a target outside [0,C) that is not ignore_index (the message names the row and
 * value); RNNC_ERR_NOMEM when N*C overflows. */
rnnc_status rnnc_loss_softmax_ce(const float *logits, const int32_t *target, size_t N, size_t C,
                                 int32_t ignore_index, double *loss, size_t *counted, float *grad);
/* exp(mean cross-entropy in nats): the perplexity of a language model (1 for a perfect one). */
double rnnc_metric_perplexity(double mean_ce);

/* ---------------------------------------------------------------------------------------------
 * Optimizers: torch.optim's update rules (torch 1.13, single-tensor path, maximize off), with the
 * same defaults, epsilon placement and bias correction. g is the gradient, p the parameter, t the
 * step count after increment, lr the current learning rate; state starts at zero unless stated.
 *   SGD:     g += wd p; with momentum > 0: b = g at t = 1, else b = momentum b + (1 - dampening) g;
 *            g = nesterov ? g + momentum b : b; p -= lr g.
 *   Adam:    g += wd p; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; amsgrad: vmax = max(vmax, v)
 *            and v = vmax below; p -= lr/(1-b1^t) m / (sqrt(v)/sqrt(1-b2^t) + eps).
 *   AdamW:   p *= 1 - lr wd (decoupled, no wd in g), then Adam's update.
 *   RMSprop: g += wd p; s = alpha s + (1-alpha) g^2; centered: a = alpha a + (1-alpha) g,
 *            d = sqrt(s - a^2) + eps, else d = sqrt(s) + eps; with momentum > 0: b = momentum b +
 *            g/d, p -= lr b; else p -= lr g/d.
 *   Adagrad: g += wd p; s (starts at initial_accumulator_value) += g^2;
 *            p -= lr/(1 + (t-1) lr_decay) g/(sqrt(s) + eps).
 * Arithmetic is in double with the state and parameters stored as float after each update.
 */
enum rnnc_optim_kind {
    RNNC_OPTIM_SGD = 1,
    RNNC_OPTIM_ADAM,
    RNNC_OPTIM_ADAMW,
    RNNC_OPTIM_RMSPROP,
    RNNC_OPTIM_ADAGRAD
};
/* Every field applies to the kinds named beside it and is ignored by the others. */
typedef struct rnnc_optim_spec {
    int kind;                         /* enum rnnc_optim_kind */
    double lr;                        /* SGD 1e-2 (torch has no default), Adam/AdamW 1e-3,
                                         RMSprop 1e-2, Adagrad 1e-2 */
    double beta1, beta2;              /* Adam, AdamW: 0.9, 0.999 */
    double eps;                       /* Adam/AdamW/RMSprop 1e-8, Adagrad 1e-10; always added
                                         after the square root */
    double momentum;                  /* SGD, RMSprop: 0 */
    double dampening;                 /* SGD: 0 */
    int nesterov;                     /* SGD: 0; needs momentum > 0 and dampening 0 */
    int amsgrad;                      /* Adam, AdamW: 0 */
    double alpha;                     /* RMSprop: 0.99 */
    int centered;                     /* RMSprop: 0 */
    double lr_decay;                  /* Adagrad: 0 */
    double initial_accumulator_value; /* Adagrad: 0 */
    double weight_decay;              /* AdamW 1e-2 (decoupled); others 0 (L2 added to g) */
} rnnc_optim_spec;
typedef struct rnnc_optim rnnc_optim;

/* torch.optim's defaults for `kind` (listed above). An unknown kind gives a spec that
 * rnnc_optim_create rejects. */
rnnc_optim_spec rnnc_optim_spec_init(int kind);
/* "sgd", "adam", "adamw", "rmsprop" or "adagrad" (exact, lower case) to a kind; ARG error naming
 * the valid names otherwise. */
rnnc_status rnnc_optim_kind_parse(const char *name, int *kind);
/* An optimizer for all of m's parameters; keeps m (borrowed) until freed. Checks the spec as
 * torch.optim does (lr, eps, momentum, weight_decay, alpha, lr_decay, initial_accumulator_value
 * >= 0; betas in [0, 1); Nesterov needs momentum > 0 and dampening 0) and that every value is
 * finite; the message names the field. */
rnnc_status rnnc_optim_create(rnnc_model *m, const rnnc_optim_spec *spec, rnnc_optim **out);
void rnnc_optim_free(rnnc_optim *o);
/* One update from the model's gradient arena (allocates nothing). */
rnnc_status rnnc_optim_step(rnnc_optim *o);
/* Discriminative learning rates (fine-tuning): layer `layer`'s parameters update with the
 * optimizer's current rate times factor (1 by default), as a torch.optim parameter group with
 * its own lr; AdamW's decoupled decay scales with it. factor >= 0 and finite. */
rnnc_status rnnc_optim_set_layer_factor(rnnc_optim *o, int layer, double factor);
/* The steps in which layer `layer` trained (torch.optim's per-parameter state["step"]): a layer
 * frozen for a while (gradual unfreezing) starts its bias correction, momentum buffer and Adagrad
 * decay from its first trained step, as PyTorch does for parameters without gradients. Equal to
 * rnnc_optim_steps while every layer trains; kept in the optimizer's state file. set: for a
 * restore, at most rnnc_optim_steps (rnnc_optim_set_steps sets every layer's count). */
long rnnc_optim_layer_steps(const rnnc_optim *o, int layer);
rnnc_status rnnc_optim_set_layer_steps(rnnc_optim *o, int layer, long steps);
/* The learning rate the next step uses, and a new one (>= 0 and finite; a schedule sets it before
 * each step). Adagrad's lr_decay applies on top of it. */
double rnnc_optim_lr(const rnnc_optim *o);
rnnc_status rnnc_optim_set_lr(rnnc_optim *o, double lr);
/* The whole optimizer state as one float arena (borrowed, writable, lives as long as o), for
 * checkpoints: saving it with rnnc_optim_steps and restoring both into an optimizer created with
 * the same spec for the same model continues bit for bit. With P = the model's parameter count,
 * the layout is, by kind (each block P floats in the parameter arena's order):
 *   SGD:     momentum buffer if momentum > 0, else nothing;
 *   Adam, AdamW: exp_avg, exp_avg_sq, then max_exp_avg_sq if amsgrad;
 *   RMSprop: square_avg, then momentum buffer if momentum > 0, then grad_avg if centered;
 *   Adagrad: sum (created filled with initial_accumulator_value).
 * *n gets the number of floats; NULL (and *n = 0) when the kind keeps no state. */
float *rnnc_optim_state(rnnc_optim *o, size_t *n);
/* Steps taken (torch's state "step"; Adagrad's per-parameter count is the same since all
 * parameters step together), and a restored count (>= 0). */
long rnnc_optim_steps(const rnnc_optim *o);
rnnc_status rnnc_optim_set_steps(rnnc_optim *o, long steps);
/* Scales gradients so their global L2 norm is at most max_norm (clip_grad_norm_: coefficient
 * max_norm / (norm + 1e-6) when below 1); returns the norm before clipping, accumulated in
 * double. */
double rnnc_clip_grad_norm(rnnc_model *m, double max_norm);
/* Clamps every gradient into [-clip_value, clip_value] (clip_grad_value_; NaN stays NaN).
 * clip_value must be >= 0 and not NaN. */
rnnc_status rnnc_clip_grad_value(rnnc_model *m, double clip_value);

/* ---------------------------------------------------------------------------------------------
 * Metrics
 */
/* A classification metrics accumulator: add batches of scores and labels, read the metrics of
 * everything added since create or reset. It keeps every binary score, so the ROC AUC is exact
 * (8 bytes per example, for 2 classes only). */
typedef struct rnnc_metrics rnnc_metrics;
typedef struct rnnc_metric_values {
    size_t n;        /* examples seen */
    double accuracy; /* correct / n; NAN when n == 0 */
    /* Binary problems (2 classes): precision, recall and F1 of class 1 (sklearn's
     * average='binary'). More classes: macro averages over the classes that occur among the labels
     * or the predictions; a class absent from both is skipped, as sklearn's default labels=None
     * does (counting it as 0 would punish a batch for a class it never saw). Per class, F1 is
     * 2tp / (2tp + fp + fn). Any 0/0 is 0 (sklearn's zero_division=0); 0 when n == 0. */
    double precision, recall, f1;
    /* Binary ROC AUC, ties between a positive and a negative counted 1/2 (Mann-Whitney U over
     * n1*n0); NAN when only one class is present among the labels, and for more than 2 classes. */
    double auc;
} rnnc_metric_values;

/* An empty accumulator for n_classes >= 2 classes (RNNC_ERR_ARG otherwise). Owned by the
 * caller. */
rnnc_status rnnc_metrics_create(int n_classes, rnnc_metrics **out);
void rnnc_metrics_free(rnnc_metrics *m);
/* Forgets everything added (keeps the memory). */
void rnnc_metrics_reset(rnnc_metrics *m);
/* Adds n examples. scores (n,cols): cols == 1 (binary only) is the probability of class 1,
 * predicted as class 1 when > 0.5 (Keras's binary_accuracy rule: 0.5 itself is class 0), and is
 * the AUC score; cols == n_classes is one score per class, the prediction is the argmax (the first
 * on ties) and, for 2 classes, scores[:,1] is the AUC score (so pass softmax probabilities, not
 * raw logits, for the usual AUC). labels (n) in [0, n_classes). Errors, with nothing
 * added: RNNC_ERR_ARG for NULL pointers or a label out of range (naming the index and value),
 * RNNC_ERR_SHAPE for another cols, RNNC_ERR_NUMERIC for a NaN or infinite score (naming the
 * index), RNNC_ERR_NOMEM. */
rnnc_status rnnc_metrics_add(rnnc_metrics *m, const float *scores, size_t n, size_t cols,
                             const int32_t *labels);
/* The metrics of everything added so far; O(n log n) for the AUC, which sorts the kept scores in
 * place (their order means nothing) and allocates nothing. So although m is const, two threads
 * must not call it on the same accumulator at once. m NULL or empty: n 0, accuracy and auc NAN. */
rnnc_metric_values rnnc_metrics_values(const rnnc_metrics *m);

/* ---------------------------------------------------------------------------------------------
 * Learning-rate schedules
 */
/* A learning-rate schedule: rnnc_sched_lr gives the rate to use now; the caller applies it
 * (rnnc_optim_set_lr) and advances the schedule once per unit it chooses (epoch or batch), as
 * torch's scheduler.step(). Values match torch.optim.lr_scheduler's get_last_lr() after t steps:
 *   CONSTANT:    base.
 *   STEP:        base gamma^floor(t / step_size) (StepLR).
 *   EXPONENTIAL: base gamma^t (ExponentialLR).
 *   COSINE:      eta_min + (base - eta_min)(1 + cos(pi t / t_max))/2 (CosineAnnealingLR's closed
 *                form; periodic past t_max as torch's).
 *   ONECYCLE:    OneCycleLR without momentum cycling, three_phase off: from max_lr/div_factor up
 *                to max_lr over the first pct_start*total_steps - 1 steps, then down to
 *                max_lr/div_factor/final_div_factor at step total_steps - 1, by a cosine or linear
 *                anneal; base_lr is not used. After step total_steps - 1 it stays at the final
 *                rate (torch extrapolates at total_steps and raises after it).
 *   PLATEAU:     ReduceLROnPlateau: starts at base; rnnc_sched_plateau_step(metric) multiplies
 *                the rate by factor (not below min_lr, and only when that changes it by more than
 *                eps) after more than `patience` steps without improvement, then waits `cooldown`
 *                steps. rnnc_sched_step only counts steps for this kind.
 *   SLANTED:     slanted triangular (Howard & Ruder 2018, eq. 3, for fine-tuning): with T =
 *                total_steps, cut = floor(T cut_frac), p = t / cut for t < cut and
 *                1 - (t - cut) / (cut (1 / cut_frac - 1)) after (when cut = 0: p = 1 - t / T), p
 *                at least 0, the rate is base (1 + p (ratio - 1)) / ratio: a short linear rise
 *                from base / ratio to base, then a long linear fall back. Per batch, as the paper.
 * Linear warm-up (STEP, EXPONENTIAL, COSINE, CONSTANT): with warmup_steps = W > 0, the rate is
 * base (f + (1 - f) t / W) for t < W (f = warmup_start_factor, as LinearLR(f, total_iters=W)),
 * then the main schedule at t - W (as SequentialLR([LinearLR, main], milestones=[W])).
 * The structs are plain values: copy them to save or restore a schedule.
 */
enum rnnc_sched_kind {
    RNNC_SCHED_CONSTANT = 1,
    RNNC_SCHED_STEP,
    RNNC_SCHED_EXPONENTIAL,
    RNNC_SCHED_COSINE,
    RNNC_SCHED_ONECYCLE,
    RNNC_SCHED_PLATEAU,
    RNNC_SCHED_SLANTED
};
enum rnnc_anneal { RNNC_ANNEAL_COS = 0, RNNC_ANNEAL_LINEAR = 1 };
enum rnnc_plateau_mode { RNNC_PLATEAU_MIN = 0, RNNC_PLATEAU_MAX = 1 };
enum rnnc_threshold_mode { RNNC_THRESHOLD_REL = 0, RNNC_THRESHOLD_ABS = 1 };

/* Fields torch requires without a default (step_size, EXPONENTIAL's gamma, t_max, total_steps)
 * start at 0 and must be set; rnnc_sched_init names a missing one. */
typedef struct rnnc_sched_spec {
    int kind;                   /* enum rnnc_sched_kind */
    long warmup_steps;          /* linear warm-up before the main schedule: 0 (none) */
    double warmup_start_factor; /* (0, 1]: 1/3 (LinearLR's start_factor) */
    long step_size;             /* STEP: required, >= 1 */
    double gamma;               /* STEP: 0.1; EXPONENTIAL: required, > 0 */
    long delay;                 /* EXPONENTIAL: base_lr * gamma^max(0, t - delay) after t steps
                                   (0: torch's ExponentialLR; Zaremba et al.'s PTB recipe, lr 1
                                   for 4 epochs then halved every epoch, is gamma 0.5, delay 3) */
    long t_max;                 /* COSINE: required, >= 1 */
    double eta_min;             /* COSINE: 0 */
    double max_lr;              /* ONECYCLE: peak rate; 0 means base_lr */
    long total_steps;           /* ONECYCLE, SLANTED: required, >= 1 (the trainers fill in
                                   epochs x batches when 0) */
    double cut_frac;            /* SLANTED: 0.1, in (0, 1) */
    double ratio;               /* SLANTED: 32, >= 1 */
    double pct_start;           /* ONECYCLE: 0.3, in [0, 1] */
    double div_factor;          /* ONECYCLE: 25, > 0 */
    double final_div_factor;    /* ONECYCLE: 1e4, > 0 */
    int anneal;                 /* ONECYCLE: enum rnnc_anneal, RNNC_ANNEAL_COS */
    int mode;                   /* PLATEAU: enum rnnc_plateau_mode, RNNC_PLATEAU_MIN */
    double factor;              /* PLATEAU: 0.1, in [0, 1) */
    long patience;              /* PLATEAU: 10, >= 0 */
    double threshold;           /* PLATEAU: 1e-4, >= 0 */
    int threshold_mode;         /* PLATEAU: enum rnnc_threshold_mode, RNNC_THRESHOLD_REL */
    long cooldown;              /* PLATEAU: 0, >= 0 */
    double min_lr;              /* PLATEAU: 0, >= 0 */
    double eps;                 /* PLATEAU: 1e-8, >= 0 */
} rnnc_sched_spec;

typedef struct rnnc_sched {
    rnnc_sched_spec spec;
    double base_lr;
    long t;    /* steps taken */
    double lr; /* the rate for step t */
    /* PLATEAU state, as ReduceLROnPlateau's */
    double best; /* +inf (min) or -inf (max) at the start */
    long num_bad_epochs;
    long cooldown_counter;
} rnnc_sched;

/* The defaults above for `kind`. */
rnnc_sched_spec rnnc_sched_spec_init(int kind);
/* "constant", "step", "exponential", "cosine", "onecycle", "plateau" or "slanted_triangular"
 * (exact, lower case) to a kind; ARG error naming the valid names otherwise. */
rnnc_status rnnc_sched_kind_parse(const char *name, int *kind);
/* Checks the spec (the message names the field) and starts the schedule at t = 0 with the
 * optimizer's rate base_lr (>= 0, finite). The spec is copied. */
rnnc_status rnnc_sched_init(rnnc_sched *s, const rnnc_sched_spec *spec, double base_lr);
/* The rate to use now. */
double rnnc_sched_lr(const rnnc_sched *s);
/* Advances one unit (torch's scheduler.step() for the closed-form kinds). */
void rnnc_sched_step(rnnc_sched *s);
/* ReduceLROnPlateau.step(metric): counts a step and may reduce the rate. A NaN metric counts as no
 * improvement, as in torch. STATE error unless the kind is PLATEAU. */
rnnc_status rnnc_sched_plateau_step(rnnc_sched *s, double metric);

/* ---------------------------------------------------------------------------------------------
 * Tensor files (safetensors) and model files
 */
/* A safetensors file (docs/model-files.md): an 8-byte little-endian header length, a JSON header
 * naming each tensor's dtype, shape and byte range, then the raw little-endian tensor bytes, and
 * optional string metadata under "__metadata__". */
enum rnnc_dtype {
    RNNC_DTYPE_F32 = 1,
    RNNC_DTYPE_F64,
    RNNC_DTYPE_I32,
    RNNC_DTYPE_I64,
    RNNC_DTYPE_U8,
    RNNC_DTYPE_F16,
    RNNC_DTYPE_BF16
};

/* One tensor. data holds nbytes = prod(dims) * element size bytes, row-major, in the host's byte
 * order (the file's little-endian bytes are swapped on a big-endian host). ndim 0 is a scalar. */
typedef struct rnnc_tensor {
    const char *name;
    int dtype; /* enum rnnc_dtype */
    int ndim;  /* 0 to 8 */
    size_t dims[8];
    const void *data;
    size_t nbytes;
} rnnc_tensor;

/* A safetensors file read whole into memory (opaque). */
typedef struct rnnc_tensor_file rnnc_tensor_file;

/* Reads and validates a whole file: header length (at most 100,000,000 bytes) and file size, the
 * JSON (UTF-8, no duplicate keys, nothing after the object), each tensor's dtype, shape and
 * data_offsets (shape * element size == bytes; the ranges, sorted, must start at 0, follow each
 * other without gap or overlap and end exactly at the end of the file), "__metadata__" holding
 * only strings. Any failure is RNNC_ERR_FORMAT (RNNC_ERR_IO if the file cannot be read) with a
 * message naming the file and the field. Owned by the caller. */
rnnc_status rnnc_tensor_file_read(const char *path, rnnc_tensor_file **out);
/* The same from n bytes in memory (copied; `bytes` is not kept). `name` stands for the file name
 * in messages (NULL: "<memory>"). For tests and fuzzing. */
rnnc_status rnnc_tensor_file_parse(const void *bytes, size_t n, const char *name,
                                   rnnc_tensor_file **out);
void rnnc_tensor_file_free(rnnc_tensor_file *f);
/* The path or name the file was read under (borrowed). */
const char *rnnc_tensor_file_name(const rnnc_tensor_file *f);
/* Number of tensors (0 for NULL). */
int rnnc_tensor_file_count(const rnnc_tensor_file *f);
/* Tensor i in file order (by data offset), or NULL when i is out of range. Borrowed; each
 * tensor's data starts at an 8-byte aligned address. */
const rnnc_tensor *rnnc_tensor_file_tensor(const rnnc_tensor_file *f, int i);
/* The tensor called `name`, or NULL if absent (not an error: nothing is recorded). Borrowed. */
const rnnc_tensor *rnnc_tensor_file_find(const rnnc_tensor_file *f, const char *name);
/* The "__metadata__" value of `key`, or NULL if absent. Borrowed. */
const char *rnnc_tensor_file_meta(const rnnc_tensor_file *f, const char *key);
/* Number of metadata entries, and entry i (in header order) through *key and *value (borrowed).
 * Returns 0, or -1 when i is out of range. */
int rnnc_tensor_file_meta_count(const rnnc_tensor_file *f);
int rnnc_tensor_file_meta_at(const rnnc_tensor_file *f, int i, const char **key,
                             const char **value);
/* Writes a safetensors file atomically: PATH.tmp.<pid> in the same directory, fwrite, fflush,
 * fsync, rename over PATH, fsync of the directory. On any failure the old file is untouched and
 * the temporary removed. Tensors are written in the given order with contiguous data_offsets; the
 * header is padded with spaces to a multiple of 8 bytes (as the reference writer does), so data
 * stays aligned when tensors come in decreasing element size. Data is written little-endian.
 * Names must be unique, valid UTF-8 and not "__metadata__"; nbytes must match dtype and dims.
 * meta_keys/meta_values (n_meta pairs of UTF-8 strings, unique keys) may be NULL when n_meta is
 * 0; with n_meta == 0 no "__metadata__" is written. */
rnnc_status rnnc_tensor_file_write(const char *path, const rnnc_tensor *tensors, int n,
                                   const char *const *meta_keys, const char *const *meta_values,
                                   int n_meta);

/* The model description as INI text that rnnc_config_parse reads back to an equal config: every
 * key of every section, defaults included, and names where set (an empty name stays empty, so
 * the model gives the layer its default name). Floats are written with 9 significant digits, so
 * they read back bit for bit. The config must pass rnnc_config_validate. *out is malloc'd; the
 * caller frees it. */
rnnc_status rnnc_config_write(const rnnc_config *cfg, char **out);

/* Saves a model file: every parameter under its PyTorch name as F32, plus metadata "format":
 * "pt" (as safetensors.torch.save_file writes), "rnnc.version", "rnnc.config" (the description
 * from rnnc_config_write) and the caller's n_meta extra pairs (e.g. "rnnc.vocab"), whose keys
 * must not repeat those. Written atomically as rnnc_tensor_file_write. */
rnnc_status rnnc_model_save(const rnnc_model *m, const char *path, const char *const *meta_keys,
                            const char *const *meta_values, int n_meta);
/* Loads a model file: builds the model from "rnnc.config" and loads every parameter as
 * rnnc_model_load_params. *file_out (may be NULL) receives the opened file so the caller can read
 * other metadata; the caller frees it. On failure *out (and *file_out) are NULL. */
rnnc_status rnnc_model_load(const char *path, rnnc_model **out, rnnc_tensor_file **file_out);
/* Copies parameters from a tensor file into an existing model, e.g. a PyTorch state_dict saved
 * with safetensors.torch.save_file. Strict: every parameter must be present with the same shape
 * and dtype F32 or F64 (converted; values beyond float's range are refused), and the file may hold
 * no other tensor; errors (RNNC_ERR_FORMAT) name the file and the tensor. Everything is checked
 * before anything is copied, so a failed load leaves the model unchanged. */
rnnc_status rnnc_model_load_params(rnnc_model *m, const rnnc_tensor_file *f);

/* Transfer learning: copies into model m the parameters of a pretrained model's file f that m has
 * under the same name, and reports what happened to each tensor (items: malloc'd, the caller
 * free()s it; may be NULL):
 *   RNNC_TRANSFER_LOADED   same name and shape: copied;
 *   RNNC_TRANSFER_MAPPED   a vocabulary-indexed tensor (the embedding's weight, and the weight and
 *                          bias of a last dense layer with one unit per token) when both
 *                          vocabularies are given: the rows of tokens both vocabularies hold are
 *                          copied (rows of rows_total), the others keep m's initialisation;
 *   RNNC_TRANSFER_NEW      not in f: keeps m's initialisation;
 *   RNNC_TRANSFER_REINIT   in f, but named in spec->reinit (a parameter name, or a layer name
 *                          standing for all of its parameters): keeps m's initialisation;
 *   RNNC_TRANSFER_DROPPED  in f only (an old task head, say).
 * A tensor whose shape fits neither way is an error (RNNC_ERR_SHAPE) naming every such tensor
 * with both shapes, unless reinit names it; nothing is copied then. Tensors must be F32 or F64. */
enum rnnc_transfer_kind {
    RNNC_TRANSFER_LOADED = 1,
    RNNC_TRANSFER_MAPPED,
    RNNC_TRANSFER_NEW,
    RNNC_TRANSFER_REINIT,
    RNNC_TRANSFER_DROPPED
};
typedef struct rnnc_transfer_item {
    char name[RNNC_NAME_MAX + 32];
    int what;                /* enum rnnc_transfer_kind */
    size_t rows, rows_total; /* MAPPED: rows carried over, of */
} rnnc_transfer_item;
typedef struct rnnc_vocab rnnc_vocab; /* (the text section below) */
typedef struct rnnc_transfer_spec {
    const rnnc_vocab *from, *to; /* the pretrained model's and m's vocabularies, or both NULL */
    const char *const *reinit;   /* n_reinit names */
    int n_reinit;
} rnnc_transfer_spec;
rnnc_status rnnc_model_transfer(rnnc_model *m, const rnnc_tensor_file *f,
                                const rnnc_transfer_spec *spec, rnnc_transfer_item **items,
                                int *n_items);
/* Optimizer state for resuming, in a second safetensors file beside the model file (written
 * atomically): tensors "optim.state" F32 (n,) (rnnc_optim_state) and "optim.steps" I64 scalar,
 * metadata "format": "rnnc-optim", "rnnc.version" and "rnnc.optim.lr" (the current learning
 * rate, 17 digits). Load into an optimizer created with the same spec for the same model: the
 * state size must match (RNNC_ERR_FORMAT naming the file and tensor otherwise); restores the
 * state, the step count and the learning rate, so training continues bit for bit. */
rnnc_status rnnc_optim_save(rnnc_optim *o, const char *path);
rnnc_status rnnc_optim_load(rnnc_optim *o, const char *path);

/* ---------------------------------------------------------------------------------------------
 * Text data: tokenizer, vocabulary, padding, labelled-text readers
 */
/* Tokenizer (see docs/data.md). Works on UTF-8 bytes with a small built-in table, never the C
 * locale. In order:
 *   - invalid UTF-8 (a stray byte, a truncated or overlong sequence, a surrogate) becomes U+FFFD;
 *   - strip_html: an HTML tag, '<' then a letter, '/' or '!' and up to '>' on the same line
 *     (at most 256 bytes: `<br />`, `<i>`, `</a>`, `<!-- x -->`), is replaced by a space;
 *   - whitespace (ASCII space and controls, U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028,
 *     U+2029, U+202F, U+205F, U+3000) separates tokens;
 *   - split_punct: each punctuation character is a token of its own: ASCII punctuation
 *     !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~, Latin-1 punctuation and signs (U+00A1..U+00BF except
 *     ª ² ³ µ ¹ º ¼ ½ ¾, and × ÷), and U+2010..U+205E (dashes, quotes, ellipsis, ...). The one
 *     exception: an apostrophe (' or U+2019) with a letter or digit on both sides stays inside its
 *     word, so "don't" and "o'neil" are one token each while "'hello'" gives ' hello ';
 *   - lowercase: A-Z, Latin-1 (À..Þ), Latin Extended-A (Ā..ž, with İ -> i and Ÿ -> ÿ), Greek
 *     (Α..Ω and the accented capitals) and Cyrillic (Ѐ..Я, Ѡ..ԯ) are mapped to lower case.
 * Start from rnnc_tokenizer_spec_init() (all 1 but chars). */
typedef struct rnnc_tokenizer_spec {
    int lowercase;
    int strip_html;
    int split_punct;
    /* Character mode (language models): every UTF-8 character is a token, whitespace and line
     * ends included; invalid UTF-8 gives U+FFFD and lowercase applies; strip_html and split_punct
     * are ignored. 0 in rnnc_tokenizer_spec_init(). */
    int chars;
} rnnc_tokenizer_spec;

rnnc_tokenizer_spec rnnc_tokenizer_spec_init(void);
/* Calls fn(token, len, user) for each token of text[0..len) in order; the token is valid UTF-8,
 * NUL-terminated and borrowed for the call. A nonzero return from fn stops early and is returned.
 * Returns 0 when every token was passed; RNNC_ERR_ARG (fn NULL, text NULL with len > 0) or
 * RNNC_ERR_NOMEM (a token too long to buffer) with a message. spec NULL means the defaults. */
int rnnc_tokenize(const rnnc_tokenizer_spec *spec, const char *text, size_t len,
                  int (*fn)(const char *tok, size_t len, void *user), void *user);

/* Vocabulary, with Keras's imdb.load_data id convention (docs/data.md): 0 = "<pad>",
 * 1 = "<start>", 2 = "<unk>" (out of vocabulary); words from 3 in order of decreasing frequency
 * in the training texts given, ties by first appearance, so the result is deterministic. */
typedef struct rnnc_vocab rnnc_vocab;
enum { RNNC_VOCAB_PAD = 0, RNNC_VOCAB_START = 1, RNNC_VOCAB_OOV = 2, RNNC_VOCAB_FIRST = 3 };

/* Builds a vocabulary from texts[0..n) (NUL-terminated, borrowed) tokenized with tok (NULL: the
 * defaults). num_words keeps only ids < num_words, as Keras's num_words does (0 = no limit,
 * otherwise >= RNNC_VOCAB_FIRST); min_freq drops words seen fewer than min_freq times (0 or 1
 * keeps all). Tokens spelled like a reserved token ("<unk>", possible only without split_punct)
 * are not counted as words. Owned by the caller; at most INT32_MAX ids. */
rnnc_status rnnc_vocab_build(const rnnc_tokenizer_spec *tok, const char *const *texts, size_t n,
                             int num_words, int min_freq, rnnc_vocab **out);
void rnnc_vocab_free(rnnc_vocab *v);
/* Number of ids, including the three reserved ones. */
int rnnc_vocab_size(const rnnc_vocab *v);
/* The token of an id ("<pad>", "<start>", "<unk>", then words; borrowed), NULL when out of range. */
const char *rnnc_vocab_token(const rnnc_vocab *v, int id);
/* The id of tok[0..len) (a hash-table lookup), RNNC_VOCAB_OOV when absent. */
int32_t rnnc_vocab_id(const rnnc_vocab *v, const char *tok, size_t len);
/* The tokens in id order joined by '\n' (no final newline), for a model file's metadata. *out is
 * malloc'd, owned by the caller (free()). A token holding whitespace, a control character or a
 * backslash (a character vocabulary's " ", "\n", "\t") is written escaped: \n, \r, \t, \s for a
 * space, \\ for a backslash, \xHH (two upper-case hex digits) for another control byte; except
 * the one-byte token "\", written as it is. Other tokens are written as they are. */
rnnc_status rnnc_vocab_to_text(const rnnc_vocab *v, char **out);
/* The reverse of rnnc_vocab_to_text; one final '\n' is accepted. A line longer than one byte has
 * its escapes read back; a backslash that starts none of them (or \x00) stands for itself, and a
 * one-byte line is the token as it is, so files written before escaping existed read the same
 * unless a token of theirs held one of the escapes. Checks that the first three lines are the
 * reserved tokens and that no line is empty or holds raw whitespace or a control character, and no
 * token is repeated; messages name `name` (e.g. the model file) and the line. */
rnnc_status rnnc_vocab_from_text(const char *text, const char *name, rnnc_vocab **out);
/* A copy of v (owned by the caller). */
rnnc_status rnnc_vocab_copy(const rnnc_vocab *v, rnnc_vocab **out);
/* Encodes text[0..len) as ids: RNNC_VOCAB_START first when add_start, then each token's id
 * (words outside the vocabulary and tokens spelled like a reserved token give RNNC_VOCAB_OOV).
 * Writes at most cap ids into ids (which may be NULL when cap is 0) and sets *n to the full
 * count, so *n > cap shows truncation. tok NULL means the defaults; use the spec the vocabulary
 * was built with. */
rnnc_status rnnc_vocab_encode(const rnnc_vocab *v, const rnnc_tokenizer_spec *tok,
                              const char *text, size_t len, int add_start, int32_t *ids,
                              size_t cap, size_t *n);

/* Keras's pad_sequences for one sequence of ids (n): out (maxlen) gets exactly maxlen values.
 * truncating (enum rnnc_padding) applies when n > maxlen: RNNC_PAD_PRE keeps the last maxlen
 * ids, RNNC_PAD_POST the first maxlen. padding: RNNC_PAD_PRE puts the `value`s before the data,
 * RNNC_PAD_POST after it. (Keras's defaults are 'pre' for both.) Returns the true length
 * min(n, maxlen), or RNNC_ERR_ARG (maxlen < 1, a NULL pointer, an unknown side) with a message. */
int rnnc_pad_ids(const int32_t *ids, size_t n, int maxlen, int padding, int truncating,
                 int32_t value, int32_t *out);

/* A labelled text set: texts[i] (NUL-terminated, raw bytes as read) has label labels[i] in
 * [0, n_labels), whose name is label_names[labels[i]]. Everything is owned by the set. */
typedef struct rnnc_textset {
    size_t n;
    char **texts;
    int32_t *labels;
    int n_labels;
    char **label_names;
} rnnc_textset;

enum rnnc_text_format {
    RNNC_TEXT_AUTO = 0,     /* decided from the path, see rnnc_textset_read */
    RNNC_TEXT_IMDB_TSV,     /* label(0/1) TAB rating TAB id TAB text, no header, plain or gzip */
    RNNC_TEXT_ACLIMDB,      /* aclImdb/<split>/{neg,pos}/<id>_<rating>.txt, folder or .tar.gz */
    RNNC_TEXT_CSV,          /* RFC 4180 CSV, plain or gzip */
    RNNC_TEXT_TSV,          /* tab-separated, no quoting, plain or gzip */
    RNNC_TEXT_FOLDER_FILES, /* path/<label>/<file>: one document per file */
    RNNC_TEXT_FOLDER_LINES  /* path/<label>/<file>: one document per non-empty line */
};

/* Where to read a labelled text set from. Start from rnnc_text_source_init(); all strings are
 * borrowed for the call. */
typedef struct rnnc_text_source {
    int format;       /* enum rnnc_text_format */
    const char *path; /* a file or folder */
    const char *split; /* aclImdb: "train" (NULL) or "test" */
    /* CSV/TSV: the label and text columns, each a 0-based index ("0") or a header name ("label").
     * NULL: label column 0, text column 1. */
    const char *label_col, *text_col;
    /* CSV/TSV: 1 the first row is a header, 0 there is none, -1 (the default) a header exactly
     * when a column is given by name. */
    int header;
    /* Optional fixed label order (e.g. the training set's label_names): label i is named
     * label_names[i] and an unknown label is an error naming the file and line. Without it the
     * labels are the names found, sorted (numerically when every name is an integer, otherwise
     * by bytes). IMDB forms name their labels "neg" (0) and "pos" (1). */
    const char *const *label_names;
    int n_label_names;
} rnnc_text_source;

/* format AUTO, header -1, everything else NULL/0. */
rnnc_text_source rnnc_text_source_init(void);
/* Reads a labelled text set; owned by the caller. AUTO picks the format from the path: a folder
 * with train/pos -> ACLIMDB; a folder of folders -> FOLDER_FILES; *.tar.gz, *.tgz or *.tar whose
 * members are under aclImdb/ -> ACLIMDB; *.tsv(.gz) whose first line has at least 4 fields, the
 * first 0 or 1 and the second an integer (and header not 1) -> IMDB_TSV, other *.tsv(.gz) -> TSV;
 * *.csv(.gz) -> CSV. Errors name the file and line, or the archive member: an unterminated quote,
 * a missing column, an empty text, an unknown label (with fixed label names), an empty data set, a
 * document over 16 MiB, a file over 2 GiB after decompression. */
rnnc_status rnnc_textset_read(const rnnc_text_source *src, rnnc_textset **out);
void rnnc_textset_free(rnnc_textset *s);
/* The texts of a set as one text for a language model (labels unused): one line per text, in
 * order, each ending in '\n', line breaks (CR, LF) inside a text replaced by spaces. *text is
 * malloc'd (NUL-terminated), the caller free()s it. */
rnnc_status rnnc_textset_join(const rnnc_textset *s, char **text, size_t *len);

/* ---------------------------------------------------------------------------------------------
 * Data augmentation for small labelled sets. The trainers apply it to training batches only,
 * never at validation, evaluation or prediction ([data] augment_* in docs/training.md, [forecast]
 * augment_* in docs/forecast.md). Each function rewrites one example in place with draws from
 * rng in the order stated below, so a seed gives the same augmented example on every platform; an
 * operation whose rate is 0 draws nothing, and with every rate 0 the example is left bit for bit
 * as it was and rng is not touched. On an error nothing is changed and nothing drawn.
 */

/* Token-level augmentation of one text: random deletion and random swap as EDA's (Wei & Zou
 * 2019), and replacement by <unk> as the word dropout of Bowman et al. 2016. Each rate is a
 * probability in [0, 1). */
typedef struct rnnc_text_augment_spec {
    double drop; /* a word is deleted. 0 */
    double swap; /* a pair of neighbouring words is exchanged. 0 */
    double oov;  /* a word becomes <unk> (RNNC_VOCAB_OOV). 0 */
} rnnc_text_augment_spec;

/* Rewrites the ids (*n) of one text in place; *n gets the new length. A word is any id but the
 * reserved RNNC_VOCAB_PAD and RNNC_VOCAB_START, which are never deleted, moved or replaced (so a
 * leading <start> stays first). Three passes, each skipped when its rate is 0:
 *   1. drop: one rnnc_rng_uniform per word, in order; the word is deleted when it is < drop. If
 *      that would delete every word of a text that has any, one rnnc_rng_below(words) more picks
 *      the one word kept (as EDA), so at least one word always remains;
 *   2. swap: scanning left to right over neighbouring pairs of words (a pair with a reserved id
 *      is passed over without a draw), one uniform per pair; below swap the two are exchanged and
 *      the scan continues after the pair, so a word takes part in at most one swap and only
 *      neighbours are exchanged (the multiset of ids is kept);
 *   3. oov: one uniform per remaining word (<unk> included); below oov it becomes RNNC_VOCAB_OOV.
 * Errors: RNNC_ERR_ARG for a NULL spec, rng or n, ids NULL with *n > 0, or a rate outside [0, 1)
 * or NaN (the message names augment_drop, augment_swap or augment_oov). */
rnnc_status rnnc_text_augment(const rnnc_text_augment_spec *spec, rnnc_rng *rng, int32_t *ids,
                              size_t *n);

/* Augmentation of one forecasting window, in the scaled (and, with relative windows, relative)
 * units the model sees: window slicing (Le Guennec et al. 2016), scaling and jittering (Um et al.
 * 2017). */
typedef struct rnnc_series_augment_spec {
    double jitter; /* standard deviation of the noise added to every input value; >= 0. 0 */
    double scale;  /* standard deviation of the window's factor, drawn from N(1, scale^2); in
                      [0, 1). 0 */
    double slice;  /* the fraction r of the input steps a slice keeps; in [0, 1], 0 and 1 off. 0 */
} rnnc_series_augment_spec;

/* Rewrites one window: x (L,I) its inputs, whose first n_targets columns are the targets' (the
 * forecaster's layout: targets, then covariates), and y (n_y) its targets, e.g. (H,n_targets).
 * In order, each step skipped when off:
 *   1. slice: m = ceil(r L) steps (a product within 1e-9 of an integer counts as that integer;
 *      at least 1); when m < L, one rnnc_rng_below(L - m + 1) draws the slice's first step s, and
 *      input step j = 0..L-1 of every column becomes the linear interpolation of steps
 *      [s, s + m) at position s + j (m - 1) / (L - 1): the slice, stretched back to L steps, its
 *      first and last steps on the window's first and last. The targets are unchanged;
 *   2. scale: one rnnc_rng_normal z gives the factor k = 1 + scale z, which multiplies the first
 *      n_targets columns of every input step and every target;
 *   3. jitter: jitter times one rnnc_rng_normal is added to every input value, in x's row-major
 *      order (covariates too); the targets get no noise.
 * Arithmetic in double, stored as float. work (L,I) is scratch for slicing (may be NULL when
 * slicing is off). Errors: RNNC_ERR_ARG for a NULL spec or rng, x or y NULL with a size > 0,
 * n_targets > I, jitter negative or not finite, scale outside [0, 1), slice outside [0, 1] (the
 * message names augment_jitter, augment_scale or augment_slice), work NULL when slicing;
 * RNNC_ERR_NOMEM when L * I overflows. */
rnnc_status rnnc_series_augment(const rnnc_series_augment_spec *spec, rnnc_rng *rng, size_t L,
                                size_t I, size_t n_targets, float *x, float *y, size_t n_y,
                                float *work);

/* ---------------------------------------------------------------------------------------------
 * Training
 */
/* Text classification: raw text in, a label out. A classifier bundles a model, the vocabulary
 * built from its training texts, the text options below and the label names; its model file holds
 * all of them (docs/training.md), so the file alone predicts on raw text.
 *
 * How text becomes input: tokenize, look every token up (ids below num_words, else <unk>), put
 * <start> first when add_start, pad or truncate to maxlen ids as Keras's pad_sequences. With
 * use_lengths the recurrent layers see each review's true length (padded steps are skipped) and a
 * batch is only as long as its longest review; without it every step of maxlen is run, padding
 * included, as Keras's classic recipe does. */
typedef struct rnnc_text_spec {
    rnnc_tokenizer_spec tok;
    int num_words;   /* keep ids < num_words (Keras's num_words); 0: every word. 10000 */
    int min_freq;    /* drop words seen fewer times in training. 1 */
    int maxlen;      /* ids per review after padding/truncation. 500 */
    int padding;     /* enum rnnc_padding: where the padding goes. RNNC_PAD_PRE (Keras) */
    int truncating;  /* enum rnnc_padding: which end is cut. RNNC_PAD_PRE (Keras) */
    int add_start;   /* put <start> (id 1) first, as imdb.load_data. 1 */
    int use_lengths; /* skip padded steps. 0 */
    /* Training only: each training batch's texts are augmented after encoding and before padding
     * and truncation (rnnc_text_augment, drawing from the model's generator). 0: off */
    rnnc_text_augment_spec augment;
} rnnc_text_spec;
rnnc_text_spec rnnc_text_spec_init(void);

/* What to monitor for early stopping and the best checkpoint. */
enum rnnc_monitor { RNNC_MONITOR_VAL_LOSS = 0, RNNC_MONITOR_VAL_ACCURACY };

/* Progress inside an epoch, reported after every batch. */
typedef struct rnnc_progress {
    int epoch, epochs;      /* 1-based */
    size_t batch, batches;  /* batches done in this epoch, of */
    size_t items;           /* examples done in this epoch */
    double loss;            /* mean training loss so far in this epoch */
    double items_per_s;     /* this epoch so far */
    double eta_s;           /* to the end of the epoch */
} rnnc_progress;

/* The summary of one epoch. Validation fields are NAN without validation data. */
typedef struct rnnc_epoch_report {
    int epoch, epochs;
    long step; /* optimizer steps so far */
    double lr; /* the rate used in this epoch's last step */
    double loss, accuracy; /* training, over the epoch's batches (dropout on, as Keras reports) */
    double val_loss;
    rnnc_metric_values val;
    double seconds;        /* training and validation of this epoch */
    double items_per_s;    /* training examples per second */
    int improved;          /* the monitored value improved (the best model was saved) */
    int stop;              /* early stopping ends training after this epoch */
    double grad_norm_mean, grad_norm_max; /* global L2 norm of the gradients (before clipping) */
    long skipped;          /* batches skipped for non-finite loss or gradients (skip_nonfinite) */
    int interrupted;       /* should_stop asked to stop inside this epoch: the report covers the
                              batches done; a checkpoint holds the position within the epoch */
} rnnc_epoch_report;

/* How rnnc_*_fit adapts a pretrained model (docs/finetune.md). A layer "group" is a layer with
 * parameters; layers without (dropout, pooling) train when a group below them does. */
typedef struct rnnc_finetune_spec {
    /* (n_layers) nonzero: the layer stays frozen for the whole run (rnnc_model_set_trainable);
     * NULL: none. */
    const unsigned char *frozen;
    /* Gradual unfreezing (Howard & Ruder 2018): 0 off; N > 0: epochs 1..N train only the top
     * group (of those not frozen), and every N epochs one more group below starts to train. */
    int unfreeze_every;
    /* (n_layers) discriminative learning rates: each layer's rate is the schedule's times its
     * factor (rnnc_optim_set_layer_factor); NULL: all 1. */
    const double *lr_factor;
    /* L2-SP (Li et al. 2018): adds l2sp/2 * ||w - w0||^2 over the anchored parameters to the loss
     * (its gradient l2sp * (w - w0) joins the gradient before clipping; the reported loss is the
     * data loss alone). anchor (n params, rnnc_model_params' layout) holds w0; anchored (param
     * count, rnnc_model_param_info's order) says which parameters the penalty covers (NULL: all).
     * 0: off. */
    double l2sp;
    const float *anchor;
    const unsigned char *anchored;
} rnnc_finetune_spec;
/* Which layers train in epoch `epoch` (1-based) under spec (NULL: every layer): on (n_layers) gets
 * 1 or 0 per layer of m. Returns the number of groups that train. */
int rnnc_finetune_trainable(const rnnc_finetune_spec *spec, const rnnc_model *m, int epoch,
                            unsigned char *on);
/* The L2-SP penalty l2sp/2 * ||w - w0||^2 of m's current weights (0 when off). */
double rnnc_finetune_l2sp_penalty(const rnnc_finetune_spec *spec, const rnnc_model *m);

typedef struct rnnc_fit_spec {
    int epochs;      /* 10 */
    int batch_size;  /* 32 */
    uint64_t seed;   /* shuffling and dropout masks. 1 */
    rnnc_optim_spec optim; /* Adam, torch's defaults */
    rnnc_sched_spec sched; /* constant */
    int sched_per_batch;   /* 0: the schedule steps once per epoch; 1: after every batch */
    double clip_norm;      /* clip_grad_norm_ before each step; 0: off */
    double clip_value;     /* clip_grad_value_; 0: off */
    int monitor;           /* enum rnnc_monitor. val_loss (training loss without validation) */
    double min_delta;      /* an improvement must exceed this. 0 */
    int patience;          /* stop after this many epochs without improvement; 0: never */
    int restore_best;      /* end with the best epoch's weights (needs validation). 0 */
    /* A folder for checkpoint.safetensors (+ checkpoint.optim.safetensors), best.safetensors,
     * model.safetensors and metrics.jsonl; created if missing. NULL: no files. */
    const char *out_dir;
    /* A checkpoint.safetensors of an earlier run of the same setup: training continues from its
     * epoch exactly as if never stopped (same weights, optimizer, schedule, RNG streams). */
    const char *resume;
    void (*on_progress)(const rnnc_progress *p, void *user); /* may be NULL */
    void (*on_epoch)(const rnnc_epoch_report *r, void *user);
    /* Asked after every batch (may be NULL): nonzero stops training there, after writing a
     * checkpoint of the position within the epoch (with out_dir), from which --resume continues
     * exactly. rnnc train sets it from SIGINT and SIGTERM. The last report has interrupted = 1. */
    int (*should_stop)(void *user);
    void *user;
    /* A batch whose loss or gradients are not finite: 0 stops training with an error naming the
     * step and the first parameter whose gradient is not finite (default); 1 skips the batch (no
     * update) and counts it in the report. */
    int skip_nonfinite;
    /* Weight averaging (Polyak; PyTorch's AveragedModel with get_ema_multi_avg_fn, Keras's
     * use_ema): 0 off (default); in (0, 1) an exponential moving average of the weights is kept,
     * avg = ema * avg + (1 - ema) * w after every optimizer step (the first step copies w), and
     * validation, best.safetensors and the final model use avg. A checkpoint keeps avg beside it
     * (checkpoint.ema.safetensors), so resuming stays exact. */
    double ema;
    /* Fine-tuning controls (docs/finetune.md); all off when zero. */
    rnnc_finetune_spec finetune;
} rnnc_fit_spec;
rnnc_fit_spec rnnc_fit_spec_init(void);

typedef struct rnnc_classifier rnnc_classifier;

/* A new classifier: the vocabulary from train's texts (training text only), the label names from
 * train, the model from cfg initialised with seed. The model must take ids (first layer an
 * embedding with vocab >= the vocabulary's size) and end in a linear dense layer with 1 unit (two
 * labels: a logit, binary cross-entropy) or one unit per label (softmax cross-entropy). */
rnnc_status rnnc_classifier_create(const rnnc_config *cfg, const rnnc_text_spec *text,
                                   const rnnc_textset *train, uint64_t seed,
                                   rnnc_classifier **out);
/* The same with a given vocabulary (copied; NULL: built from train as above), e.g. a pretrained
 * model's, so a fine-tuned classifier keeps every row of its embedding. An [embedding] vocab of 0
 * ("auto") becomes the vocabulary's size in both. */
rnnc_status rnnc_classifier_create_vocab(const rnnc_config *cfg, const rnnc_text_spec *text,
                                         const rnnc_vocab *vocab, const rnnc_textset *train,
                                         uint64_t seed, rnnc_classifier **out);
/* Reads a classifier's model file (or a checkpoint). */
rnnc_status rnnc_classifier_load(const char *path, rnnc_classifier **out);
/* Writes the model file atomically. */
rnnc_status rnnc_classifier_save(const rnnc_classifier *c, const char *path);
void rnnc_classifier_free(rnnc_classifier *c);
/* The parts (borrowed). */
rnnc_model *rnnc_classifier_model(rnnc_classifier *c);
const rnnc_vocab *rnnc_classifier_vocab(const rnnc_classifier *c);
const rnnc_text_spec *rnnc_classifier_text(const rnnc_classifier *c);
int rnnc_classifier_labels(const rnnc_classifier *c, const char *const **names);

/* Trains on train (labels named as the classifier's), validating on val (may be NULL) after
 * every epoch. last (may be NULL) gets the final epoch's report. */
rnnc_status rnnc_classifier_fit(rnnc_classifier *c, const rnnc_textset *train,
                                const rnnc_textset *val, const rnnc_fit_spec *spec,
                                rnnc_epoch_report *last);
/* Loss and metrics over a labelled set, in batches of batch_size (inference: no dropout). The
 * set's labels must use the classifier's names (read it with them as label_names). */
rnnc_status rnnc_classifier_evaluate(rnnc_classifier *c, const rnnc_textset *data, int batch_size,
                                     double *loss, rnnc_metric_values *values);
/* Class probabilities of n raw texts: probs (n, n_labels). */
rnnc_status rnnc_classifier_predict(rnnc_classifier *c, const char *const *texts, size_t n,
                                    float *probs);

/* Extra metadata saved in the classifier's model file (e.g. "rnnc.data.test", the test set it
 * was trained for); at most 16 keys, each starting "rnnc.data.". Both strings are copied. */
rnnc_status rnnc_classifier_set_info(rnnc_classifier *c, const char *key, const char *value);
/* Such a value from the loaded file (borrowed), NULL if absent. */
const char *rnnc_classifier_info(const rnnc_classifier *c, const char *key);

/* A training file (docs/training.md): the model's layer sections plus [data], [train],
 * [optimizer], [schedule] and [early_stopping]. overrides are "section.key=value" strings
 * (the CLI's --set), applied to the text before parsing: a key replaces the first such key of
 * the first such section, or is added to it; a missing training section is added. Errors name
 * the file and line (or the override). Paths are kept as written (relative to the working
 * folder). */
typedef struct rnnc_train_config {
    rnnc_config model;
    rnnc_text_spec text;
    rnnc_fit_spec fit; /* fit.out_dir points at output below */
    int threads;       /* [train] threads: 0 = every core */
    /* [data] */
    int format;        /* enum rnnc_text_format */
    char train[1024], validation[1024], test[1024];
    double validation_split; /* 0: none (or a validation file) */
    char label_column[64], text_column[64];
    int header;        /* -1 auto, 0, 1 */
    /* [data] subset: train on this many labelled examples drawn from train at random
     * (rnnc_textset_subset with subset_seed, 1 by default), before validation_split; 0: all */
    long subset;
    uint64_t subset_seed;
    char output[1024]; /* [train] output folder, "" for none */
} rnnc_train_config;
rnnc_status rnnc_train_config_read(const char *path, const char *const *overrides, int n,
                                   rnnc_train_config *out);

/* Keras's validation_split: the last `fraction` of set (in file order, before any shuffling)
 * moves into a new set *val; set keeps the rest. fraction in (0, 1); both parts non-empty. */
rnnc_status rnnc_textset_split(rnnc_textset *set, double fraction, rnnc_textset **val);
/* Keeps n examples of set drawn at random without replacement (seeded; the same seed and set give
 * the same examples), in their file order; the others are freed. n >= set->n keeps every one. */
rnnc_status rnnc_textset_subset(rnnc_textset *set, size_t n, uint64_t seed);

/* ---------------------------------------------------------------------------------------------
 * Time series (docs/forecast.md): a CSV file read as a (T,F) table of numbers, its chronological
 * split, scaling fitted on the training part only, baselines, forecast metrics and a forecaster
 * (an RNN encoder with a dense multi-output head) that plugs into the same trainer as the text
 * classifier.
 */
#define RNNC_SERIES_MAX_FEATURES 256

/* What to do with a missing value (the text NA, NaN or an empty field) in a numeric column:
 * refuse the file naming the line and column, carry the last value forward, or interpolate
 * linearly between the neighbouring values (by row). With either fill, values before a column's
 * first number take that first number; a column with no number at all is refused. */
enum rnnc_missing { RNNC_MISSING_REJECT = 0, RNNC_MISSING_FFILL, RNNC_MISSING_INTERPOLATE };

/* Where and how to read a series. Column lists are comma-separated header names or 0-based
 * indices. Start from rnnc_series_source_init(); strings are borrowed for the call. */
typedef struct rnnc_series_source {
    const char *path;
    /* Time stamp column(s); several (e.g. "year,month,day,hour") are composed into one stamp:
     * "YYYY-MM-DD HH:00" when they are named year, month, day and hour (any case), otherwise
     * their texts joined by spaces. NULL: no time column (stamps are the row numbers). */
    const char *time;
    /* Numeric columns, in the order wanted. NULL: every column that is neither time nor
     * categorical, in file order. */
    const char *columns;
    /* Columns one-hot encoded: one 0/1 column "name=value" per distinct value, values sorted by
     * bytes, placed after the numeric columns. NULL: none. */
    const char *categorical;
    int missing; /* enum rnnc_missing */
} rnnc_series_source;

/* A series of T rows (time steps) and F numeric columns. Everything is owned by the series. */
typedef struct rnnc_series {
    size_t T, F;
    double *x;            /* (T,F) row-major values */
    char **names;         /* (F) column names; one-hot columns are "column=value" */
    unsigned char *onehot; /* (F) 1 for one-hot columns */
    char **time;          /* (T) time stamps as read or composed; NULL without a time column */
    size_t filled;        /* missing values filled (0 with RNNC_MISSING_REJECT) */
} rnnc_series;

/* path NULL, no time column, every column numeric, RNNC_MISSING_REJECT. */
rnnc_series_source rnnc_series_source_init(void);
/* Reads a CSV file: a header row, then one row per time step, oldest first. LF or CRLF line ends
 * (the last line may lack one), RFC 4180 quoting ("a ""b""", commas inside quotes), blank lines
 * skipped. Errors (RNNC_ERR_FORMAT) name the file, the line and the column: a row with another
 * number of fields, a text that is not a number, a missing value with RNNC_MISSING_REJECT, an
 * unknown column, an unterminated quote, no data rows, more than RNNC_SERIES_MAX_FEATURES
 * columns. Owned by the caller. */
rnnc_status rnnc_series_read(const rnnc_series_source *src, rnnc_series **out);
/* The same from text[0..len) in memory; `name` stands for the file in messages (src->path is not
 * used). For tests and fuzzing. */
rnnc_status rnnc_series_parse(const char *text, size_t len, const char *name,
                              const rnnc_series_source *src, rnnc_series **out);
void rnnc_series_free(rnnc_series *s);
/* The index of the column called `name`, or -1. */
int rnnc_series_column(const rnnc_series *s, const char *name);
/* The time stamp k >= 1 steps after the last row, written into buf (cap bytes), in the format of
 * the stamps read: YYYY-MM (steps of months), YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS] or DD-MM-YY,
 * with the step taken as the most common difference between the last 64 stamps (a daily series
 * without any Saturday or Sunday steps over weekends). Other formats, or no time column, give
 * "+k". RNNC_ERR_ARG when buf is too small. */
rnnc_status rnnc_series_time_after(const rnnc_series *s, size_t k, char *buf, size_t cap);

/* Chronological split of T rows: the last round(T*test_fraction) rows are the test part, the
 * round(T*val_fraction) rows before them the validation part, the rest the training part (which
 * must be non-empty). Fractions in [0, 1) with a sum < 1. */
rnnc_status rnnc_series_split(size_t T, double val_fraction, double test_fraction,
                              size_t *n_train, size_t *n_val, size_t *n_test);

/* Scaling of each column: z = (f(x) - shift) / scale, with f = log1p for columns with log set
 * (values must be > -1), else the identity. Z-score: shift the mean, scale the standard deviation
 * (divisor n, as sklearn's StandardScaler); min-max: shift the minimum, scale max - min (to
 * [0, 1], as MinMaxScaler); none: 0 and 1. A constant column gets scale 1. A plain value. */
enum rnnc_scaling { RNNC_SCALE_NONE = 0, RNNC_SCALE_ZSCORE, RNNC_SCALE_MINMAX };
typedef struct rnnc_scaler {
    int kind; /* enum rnnc_scaling */
    size_t F;
    double shift[RNNC_SERIES_MAX_FEATURES], scale[RNNC_SERIES_MAX_FEATURES];
    unsigned char on[RNNC_SERIES_MAX_FEATURES];  /* 0: the column is left as it is (one-hot) */
    unsigned char log[RNNC_SERIES_MAX_FEATURES]; /* 1: log1p before scaling */
} rnnc_scaler;
/* Fits the statistics on rows [0, n_fit) of x (T,F) only: the training part, so no value after
 * it can leak into the scaling. on and log (F) may be NULL (every column on, none logged).
 * Errors: F outside [1, RNNC_SERIES_MAX_FEATURES], n_fit 0, a non-finite value, a logged value
 * <= -1 (the message names the row and column index). */
rnnc_status rnnc_scaler_fit(rnnc_scaler *sc, int kind, const double *x, size_t n_fit, size_t F,
                            const unsigned char *on, const unsigned char *log);
/* z (T,F) = the scaled x (T,F); RNNC_ERR_NUMERIC naming the row and column for a logged value
 * <= -1 or a non-finite result. */
rnnc_status rnnc_scaler_apply(const rnnc_scaler *sc, const double *x, size_t T, float *z);
/* The original value of column f's scaled value z. */
double rnnc_scaler_invert(const rnnc_scaler *sc, size_t f, double z);

/* Baselines, each forecasting y[t..t+H) from the history y[0..t) alone (t >= 1):
 *   NAIVE:          y[t-1] for every step (the random walk);
 *   SEASONAL_NAIVE: step h (0-based) gets y[t+h-m*k], k = floor(h/m)+1: the last value of the
 *                   same season (param = period m >= 1; m = 1 is NAIVE);
 *   MEAN:           the mean of the last w = param values (a moving average), every step;
 *   AR:             an autoregression of order p = param with intercept, coef (p+1) =
 *                   (c, a_1..a_p) from rnnc_ar_fit: y_t = c + sum_k a_k y_{t-k}, iterated over
 *                   the H steps on its own forecasts.
 * RNNC_ERR_ARG when the history is shorter than the method needs (m, w or p values). */
enum rnnc_baseline {
    RNNC_BASELINE_NAIVE = 1,
    RNNC_BASELINE_SEASONAL_NAIVE,
    RNNC_BASELINE_MEAN,
    RNNC_BASELINE_AR
};
rnnc_status rnnc_baseline_forecast(int kind, const double *y, size_t t, size_t H, size_t param,
                                   const double *coef, double *out);
/* Least-squares fit of an AR(p) with intercept on y (n) (Householder QR on the n - p equations
 * y_t = c + sum_k a_k y_{t-k}, t = p..n-1): coef (p+1) = (c, a_1..a_p). Needs n - p > p + 1. A lag
 * that is a combination of the columns before it (an exactly linear or periodic series) gets
 * coefficient 0: a basic solution, which fits as well as any. */
rnnc_status rnnc_ar_fit(const double *y, size_t n, size_t p, double *coef);
/* The seasonal period of y (n): the lag in [2, max_lag] with the highest autocorrelation among
 * the local maxima of the autocorrelation function of y minus its least-squares line, when that
 * value is at least 0.3; otherwise 1 (no season). */
size_t rnnc_season_detect(const double *y, size_t n, size_t max_lag);
/* The in-sample seasonal naive error: mean |y[t] - y[t-m]| over t in [m, n); the MASE scale.
 * NAN when n <= m. */
double rnnc_mase_scale(const double *y, size_t n, size_t m);

/* Point forecast errors over n values: MAE, RMSE, MAPE (percent, over the actuals that are not
 * 0; NAN when all are), sMAPE (percent, 200 |e| / (|y| + |f|), 0 when both are 0) and MASE (MAE /
 * scale, Hyndman & Koehler 2006). */
typedef struct rnnc_forecast_metrics {
    size_t n;
    double mae, rmse, mape, smape, mase;
} rnnc_forecast_metrics;
rnnc_forecast_metrics rnnc_forecast_score(const double *pred, const double *actual, size_t n,
                                          double scale);

/* How a forecaster predicts H steps: the head gives all H steps at once from the encoder's last
 * state (direct), or one step that is fed back as the next input H times (recursive; trained
 * one step ahead on true inputs, i.e. teacher forcing; needs no covariates). */
enum rnnc_decoder { RNNC_DECODER_DIRECT = 0, RNNC_DECODER_RECURSIVE = 1 };
enum rnnc_forecast_loss { RNNC_FLOSS_MSE = 0, RNNC_FLOSS_MAE, RNNC_FLOSS_HUBER };

/* A forecaster's setup. Column lists are comma-separated names of the series' columns. */
typedef struct rnnc_forecast_spec {
    int lookback;         /* L input steps per window. 24 */
    int horizon;          /* H steps predicted. 1 */
    int stride;           /* steps between the starts of training windows. 1 */
    char targets[512];    /* the predicted columns; "" = the series' first column */
    char covariates[1024]; /* further input columns (their future is not predicted); "" = none */
    int scaling;          /* enum rnnc_scaling. RNNC_SCALE_ZSCORE */
    int log;              /* log1p of the targets before scaling. 0 */
    int relative;         /* each window's target inputs and outputs are taken relative to the
                             last input value of the target (scaled units), so the model learns
                             changes, not levels, and follows a trend out of the training range.
                             0 */
    double val_fraction;  /* the validation part, before the test part. 0.1 */
    double test_fraction; /* the test part, the last rows. 0.2 */
    int decoder;          /* enum rnnc_decoder. RNNC_DECODER_DIRECT */
    int loss;             /* enum rnnc_forecast_loss. RNNC_FLOSS_MSE (in scaled units) */
    double huber_delta;   /* 1 */
    int season;           /* period m of seasonal naive and MASE; 0: rnnc_season_detect on the
                             training part of the first target (lags up to min(n/3, 400)) */
    int ma_window;        /* moving-average window; 0: lookback */
    int ar_order;         /* AR order; 0: lookback, at most (training rows - 2)/3 */
    /* Training only: each training window is augmented (rnnc_series_augment, drawing from the
     * model's generator); validation, evaluation and forecasts never are. 0: off */
    rnnc_series_augment_spec augment;
} rnnc_forecast_spec;
rnnc_forecast_spec rnnc_forecast_spec_init(void);

typedef struct rnnc_forecaster rnnc_forecaster;

/* A new forecaster for series s: resolves the columns (inputs are the targets then the
 * covariates, I = their count), splits s, fits the scaling on the training part only, fixes the
 * season, and builds the model: the encoder layers of cfg (recurrent layers; cfg->input_size 0 or
 * I), then a linear dense head named "head" with H*targets units (direct) or targets units
 * (recursive), on the encoder's last output. src (may be NULL) is how s was read; it is stored
 * so that the model file alone reads new data the same way. Owned by the caller. */
rnnc_status rnnc_forecaster_create(const rnnc_config *cfg, const rnnc_forecast_spec *spec,
                                   const rnnc_series *s, const rnnc_series_source *src,
                                   uint64_t seed, rnnc_forecaster **out);
rnnc_status rnnc_forecaster_load(const char *path, rnnc_forecaster **out);
/* Writes the model file atomically: the model plus metadata "rnnc.task" = "forecast" and
 * "rnnc.forecast" (the spec, the columns, how to read the CSV, the scaling statistics). */
rnnc_status rnnc_forecaster_save(const rnnc_forecaster *f, const char *path);
void rnnc_forecaster_free(rnnc_forecaster *f);
/* The parts (borrowed). The spec's season is the period in use (detected or given). */
rnnc_model *rnnc_forecaster_model(rnnc_forecaster *f);
const rnnc_forecast_spec *rnnc_forecaster_spec(const rnnc_forecaster *f);
const rnnc_scaler *rnnc_forecaster_scaler(const rnnc_forecaster *f);
/* The CSV reading options stored with the forecaster (strings borrowed; path is the training
 * data's, "" when unknown). */
rnnc_series_source rnnc_forecaster_source(const rnnc_forecaster *f);
/* Input names (targets first) and their count; *n_targets gets the number of targets. */
int rnnc_forecaster_inputs(const rnnc_forecaster *f, const char *const **names, int *n_targets);

/* Windows of series s in part 0 (training), 1 (validation) or 2 (test), with s split as at
 * creation. A window whose first target row is t has inputs rows [t-L, t) and targets rows
 * [t, t+H) (H = 1 for a recursive decoder's training windows, parts 0 and 1); every target row
 * lies inside the part, inputs may reach back into earlier parts. Training windows start every
 * stride rows, the others every row. */
rnnc_status rnnc_forecaster_windows(rnnc_forecaster *f, const rnnc_series *s, int part,
                                    size_t *count);
/* Window w of that part: its first target row, the scaled inputs x (L,I) and targets y
 * (Hw,targets) (either may be NULL). */
rnnc_status rnnc_forecaster_window(rnnc_forecaster *f, const rnnc_series *s, int part, size_t w,
                                   size_t *t, float *x, float *y);

/* Trains on s's training windows, validating on its validation windows (if any) after every
 * epoch, with the shared trainer (checkpoints, early stopping, schedules, metrics.jsonl). The loss
 * is in scaled units. */
rnnc_status rnnc_forecaster_fit(rnnc_forecaster *f, const rnnc_series *s,
                                const rnnc_fit_spec *spec, rnnc_epoch_report *last);
/* Forecasts `steps` values of every target after row end-1 from rows [end-L, end) of s:
 * out (steps, targets) in original units. steps beyond the horizon roll forecasts forward as
 * inputs (only without covariates). */
rnnc_status rnnc_forecaster_predict(rnnc_forecaster *f, const rnnc_series *s, size_t end,
                                    size_t steps, double *out);

/* Methods compared by rnnc_forecaster_evaluate, in this order. */
enum rnnc_forecast_method {
    RNNC_FM_MODEL = 0,
    RNNC_FM_NAIVE,
    RNNC_FM_SEASONAL_NAIVE,
    RNNC_FM_MEAN,
    RNNC_FM_AR,
    RNNC_FM_COUNT
};
/* "rnn", "naive", "seasonal_naive", "moving_average", "ar" (NULL out of range). */
const char *rnnc_forecast_method_name(int method);
/* The model and every baseline over every test window (H steps each, origins every row), per
 * target: m (RNNC_FM_COUNT, targets). MASE is scaled by the seasonal naive error (period: the
 * spec's season, 1 when it is not shorter than the training part) of the training part; AR is
 * fitted on the training part. *scale (may be NULL) gets each target's scale (targets). */
rnnc_status rnnc_forecaster_evaluate(rnnc_forecaster *f, const rnnc_series *s,
                                     rnnc_forecast_metrics *m, double *scale);

/* A forecasting training file: a training file (rnnc_train_config_read) with a [forecast]
 * section naming the CSV and the keys of docs/forecast.md; the layer sections describe the
 * encoder ([model] input_size may be left out: the data sets it) and [data] is not used. */
typedef struct rnnc_forecast_config {
    rnnc_train_config train; /* model, fit, threads, output ([data] fields unused) */
    rnnc_forecast_spec spec;
    char data[1024];          /* the CSV */
    char time[256], columns[1024], categorical[256];
    int missing;              /* enum rnnc_missing */
} rnnc_forecast_config;
/* Whether a training file (after overrides) has a [forecast] section: *yes 1 or 0. */
rnnc_status rnnc_forecast_config_detect(const char *path, const char *const *overrides, int n,
                                        int *yes);
/* Reads a forecasting training file; errors name the file and line. */
rnnc_status rnnc_forecast_config_read(const char *path, const char *const *overrides, int n,
                                      rnnc_forecast_config *out);

/* ---------------------------------------------------------------------------------------------
 * Language models (docs/lm.md): a text read as one stream of tokens (characters, or words with
 * <eos> at line ends), an embedding -> recurrent -> dense model predicting the next token at every
 * step, trained by truncated backpropagation through time with the state carried from window to
 * window, evaluated by per-token loss, perplexity and bits per character, and sampled from.
 */
enum rnnc_lm_level { RNNC_LM_CHAR = 0, RNNC_LM_WORD = 1 };
/* How the loss of a training window is reduced before the backward (the reported loss is always
 * the mean per token): the mean over the window's tokens (PyTorch's word_language_model), or the
 * sum over the unrolled steps averaged over the batch (Zaremba et al. 2014's ptb_word_lm: the same
 * learning rate then takes steps bptt times larger). */
enum rnnc_lm_loss { RNNC_LM_LOSS_TOKEN_MEAN = 0, RNNC_LM_LOSS_STEP_SUM = 1 };
/* Where the recurrent state is reset: only at the start of each pass over the stream (PTB's
 * convention), or also where a document starts (each non-empty line is a document). */
enum rnnc_lm_documents { RNNC_LM_DOC_NONE = 0, RNNC_LM_DOC_LINES = 1 };

/* A token stream: ids[0..n); document d starts at doc_start[d] (doc_start[0] = 0), in order.
 * Owned by whoever filled it; rnnc_corpus_free releases the arrays (not the struct). */
typedef struct rnnc_corpus {
    size_t n;
    int32_t *ids;
    size_t n_docs;
    size_t *doc_start;
} rnnc_corpus;
/* Frees ids and doc_start and zeroes *c; c NULL or already freed does nothing. */
void rnnc_corpus_free(rnnc_corpus *c);

/* How a language model reads text. */
typedef struct rnnc_lm_spec {
    int level;      /* enum rnnc_lm_level. char */
    int lowercase;  /* fold case first (the tokenizer's table). 0 */
    int strip_html; /* word level: HTML tags become spaces (the tokenizer's rule). 0 */
    int split_punct; /* word level: each punctuation character is a token (the tokenizer's rule,
                        as a classifier's; needed for a vocabulary a classifier can share). 0 */
    int num_words;  /* word level: keep ids < num_words (the most frequent words; 0: all). 0 */
    int min_freq;   /* word level: words seen fewer times in training become <unk>. 1 */
    int documents;  /* enum rnnc_lm_documents. none */
    int bptt;       /* unrolled steps per training window. 35 */
    int loss;       /* enum rnnc_lm_loss. token_mean */
    int eval_batch; /* parallel streams when validating (the text is cut into eval_batch
                       contiguous parts, each starting from a zero state); 1 scores every token
                       with its whole history. 1 */
} rnnc_lm_spec;
/* The defaults given after each field above. */
rnnc_lm_spec rnnc_lm_spec_init(void);
/* The tokenizer spec a language model of this spec uses: chars at character level; at word level
 * whitespace-separated words as written unless the spec's strip_html and split_punct ask for the
 * classifier's rules; lowercase as the spec's. spec NULL means rnnc_lm_spec_init(). */
rnnc_tokenizer_spec rnnc_lm_tokenizer(const rnnc_lm_spec *spec);

/* Builds a language model's vocabulary from the training text (the rnnc_vocab conventions: ids 0-2
 * reserved, then tokens by decreasing frequency, ties by first appearance). It counts the tokens
 * of the stream rnnc_corpus_encode makes of the text: at word level every line end counts as one
 * "<eos>" token (a last line without '\n' too; with RNNC_LM_DOC_LINES not the dropped empty
 * lines'), and a word spelled like a reserved token (PTB's "<unk>") is not counted. num_words and
 * min_freq apply at word level only, as in rnnc_vocab_build. Owned by the caller. Errors:
 * RNNC_ERR_ARG for a NULL argument, an unknown level or documents value, bad num_words/min_freq,
 * or limits that keep no token; RNNC_ERR_FORMAT for an empty text or one without tokens. */
rnnc_status rnnc_corpus_vocab(const rnnc_lm_spec *spec, const char *text, size_t len,
                              rnnc_vocab **out);
/* Encodes text as a stream with vocabulary v: at character level every character (line ends
 * included), at word level each line's words followed by "<eos>" (a last line without its newline
 * too; an empty line gives just "<eos>"). Lines end at '\n' only. Unknown tokens and tokens
 * spelled like a reserved one ("<unk>", "<pad>") become <unk> (RNNC_VOCAB_OOV). With
 * RNNC_LM_DOC_LINES every non-empty line starts a document and empty lines belong to none and are
 * dropped; a line is empty when it has no word (word level) or no byte before its '\n' (character
 * level, where each line's '\n' belongs to its line's document). Without it the whole text is one
 * document. Linear in len. out is overwritten (not freed first); on error it is left zeroed.
 * Errors name `name` (NULL: "text"): RNNC_ERR_ARG for a NULL argument or an unknown level or
 * documents value, RNNC_ERR_FORMAT for an empty text or an empty result. */
rnnc_status rnnc_corpus_encode(const rnnc_lm_spec *spec, const rnnc_vocab *v, const char *text,
                               size_t len, const char *name, rnnc_corpus *out);
/* The byte offset where the last `fraction` of text[0..len) begins, fraction in [0, 1): at
 * character level the first UTF-8 character boundary at or after floor(len * (1 - fraction)) (a
 * boundary of the tokenizer's decoding from the start, so an invalid byte is a character), at word
 * level the first line start at or after it (len when there is none). The two parts then encode
 * to the whole text's tokens. The caller checks the range: outside it the result is clamped
 * (fraction <= 0 or NaN gives len, fraction >= 1 gives 0); spec NULL means character level; text
 * NULL gives 0. */
size_t rnnc_corpus_cut(const rnnc_lm_spec *spec, const char *text, size_t len, double fraction);
/* Reads a whole text file (plain or gzip, told by its magic bytes) into a malloc'd, NUL-terminated
 * buffer (free()); *len is its length without the NUL (an empty file reads as ""). Errors name
 * the path: RNNC_ERR_IO (cannot open or read), RNNC_ERR_FORMAT (truncated gzip data, over 2 GiB
 * after decompression); RNNC_ERR_ARG for a NULL argument. On error *text is NULL. */
rnnc_status rnnc_text_file_read(const char *path, char **text, size_t *len);

typedef struct rnnc_lm rnnc_lm;

/* A new language model: the vocabulary from train_text, the model from cfg initialised with seed.
 * The model must start with an embedding and end with a linear dense layer over the vocabulary,
 * with every layer in between returning sequences; an embedding vocab or dense units of 0 in cfg
 * are set to the vocabulary's size, other values must equal it. Owned by the caller. */
rnnc_status rnnc_lm_create(const rnnc_config *cfg, const rnnc_lm_spec *spec,
                           const char *train_text, size_t len, uint64_t seed, rnnc_lm **out);
/* The same with a given vocabulary (copied; NULL: from train_text as above), e.g. a pretrained
 * model's for continued pretraining; train_text may then be NULL. */
rnnc_status rnnc_lm_create_vocab(const rnnc_config *cfg, const rnnc_lm_spec *spec,
                                 const rnnc_vocab *vocab, const char *train_text, size_t len,
                                 uint64_t seed, rnnc_lm **out);
/* Reads a language model's file (or a checkpoint). */
rnnc_status rnnc_lm_load(const char *path, rnnc_lm **out);
/* Writes the model file atomically: the model, the spec and the vocabulary. */
rnnc_status rnnc_lm_save(const rnnc_lm *lm, const char *path);
void rnnc_lm_free(rnnc_lm *lm);
/* The parts (borrowed). */
rnnc_model *rnnc_lm_model(rnnc_lm *lm);
const rnnc_vocab *rnnc_lm_vocab(const rnnc_lm *lm);
const rnnc_lm_spec *rnnc_lm_spec_of(const rnnc_lm *lm);
/* Encodes text with the model's vocabulary and spec (rnnc_corpus_encode). */
rnnc_status rnnc_lm_encode(const rnnc_lm *lm, const char *text, size_t len, const char *name,
                           rnnc_corpus *out);

/* Trains on the stream train (fit.batch_size parallel streams, bptt steps per window, the state
 * carried from window to window and reset at document starts and at each epoch's start),
 * validating on val (may be NULL) after every epoch; the epoch report's loss and val_loss are in
 * nats per token (accuracy: next-token accuracy). */
rnnc_status rnnc_lm_fit(rnnc_lm *lm, const rnnc_corpus *train, const rnnc_corpus *val,
                        const rnnc_fit_spec *spec, rnnc_epoch_report *last);
/* Scores every token of c after the first of each document (and of each of the `batch` parts):
 * *loss the mean cross-entropy in nats per scored token, *scored their count (may be NULL).
 * batch 1 gives every token its whole history. */
rnnc_status rnnc_lm_evaluate(rnnc_lm *lm, const rnnc_corpus *c, int batch, double *loss,
                             size_t *scored);

/* Sampling one token from logits (V): divided by temperature, then only the top_k most likely
 * (0: all), then only the smallest set of most likely tokens whose probability reaches top_p
 * (1: all), renormalised, drawn with one rnnc_rng_uniform from rng. temperature 0 or top_k 1
 * picks the most likely token (the lowest id among ties) and draws nothing. Allocates V entries
 * for the duration of the call when top_k or top_p restrict the choice. Errors: RNNC_ERR_ARG for
 * V = 0, a negative or non-finite temperature, top_k < 0, top_p outside (0, 1];
 * RNNC_ERR_NUMERIC for a NaN or +Inf logit (-Inf marks a token that is never drawn). */
typedef struct rnnc_sample_spec {
    double temperature; /* 1 */
    int top_k;          /* 0 */
    double top_p;       /* 1 */
} rnnc_sample_spec;
rnnc_sample_spec rnnc_sample_spec_init(void);
rnnc_status rnnc_sample_logits(const float *logits, size_t V, const rnnc_sample_spec *spec,
                               rnnc_rng *rng, int32_t *id);
/* Generates n tokens after prime (may be empty: generation then starts as after a line end, from
 * "<eos>" at word level and "\n" at character level). The prime is run through the model, then
 * each sampled token is fed back. emit gets each token's text as it should be printed (a
 * character; at word level the word with a space before it unless a line starts, and a line end
 * for <eos>) as soon as it is drawn; a nonzero return stops early. The same seed, prime and spec
 * give the same tokens. <pad> and <start> are never drawn (<unk> is, as a token the model
 * learnt). A prime token outside the vocabulary is an error naming it. */
rnnc_status rnnc_lm_generate(rnnc_lm *lm, const char *prime, size_t len, size_t n,
                             const rnnc_sample_spec *spec, uint64_t seed,
                             int (*emit)(const char *text, size_t len, void *user), void *user);

/* A language-model training file (docs/lm.md): the model's layer sections, [train], [optimizer],
 * [schedule], [early_stopping] and an [lm] section with the text files and the spec. */
typedef struct rnnc_lm_config {
    rnnc_train_config train; /* model, fit, threads, output ([data] fields unused) */
    rnnc_lm_spec spec;
    char train_file[1024], validation_file[1024], test_file[1024];
    double validation_split; /* the last fraction of train_file validates when no file is named */
    /* [lm] format: -1 plain text (default); otherwise an enum rnnc_text_format: the files are
     * labelled-text sets (rnnc_textset_read; labels unused), read with rnnc_textset_join, one
     * document per text. text_column as [data] text_column ("" for the default). */
    int format;
    char text_column[64];
} rnnc_lm_config;
/* Whether a training file (after overrides) has an [lm] section: *yes 1 or 0. */
rnnc_status rnnc_lm_config_detect(const char *path, const char *const *overrides, int n, int *yes);
/* Reads a language-model training file; errors name the file and line. */
rnnc_status rnnc_lm_config_read(const char *path, const char *const *overrides, int n,
                                rnnc_lm_config *out);

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
    int vocab;             /* enum rnnc_finetune_vocab. pretrained */
    int head;              /* enum rnnc_finetune_head. auto */
    char reinit[1024];     /* parameter or layer names to re-initialise instead of loading */
    char freeze[1024];     /* layer names or 0-based indices frozen for the whole run */
    int unfreeze_every;    /* gradual unfreezing every N epochs; 0 off */
    double lr_decay;       /* discriminative rates: each group below the top at lr / lr_decay^k;
                              0 off (ULMFiT uses 2.6) */
    char lr_factors[1024]; /* or one factor per layer with parameters, from the bottom */
    double l2sp;           /* L2-SP strength alpha (rnnc_finetune_spec); 0 off */
} rnnc_finetune_config;
rnnc_finetune_config rnnc_finetune_config_init(void);
/* Reads [finetune] (after the overrides); errors name the file, line and key. */
rnnc_status rnnc_finetune_config_read(const char *path, const char *const *overrides, int n,
                                      rnnc_finetune_config *out);
/* Whether the file (after the overrides) has a [finetune] section. */
rnnc_status rnnc_finetune_config_detect(const char *path, const char *const *overrides, int n,
                                        int *yes);
/* Resolves freeze and the rates against model m: frozen and lr_factor (n_layers each), and
 * *has_factors = whether any rate was given. Errors name an unknown layer (listing the layers), a
 * layer without parameters, or a wrong count of lr_factors. */
rnnc_status rnnc_finetune_config_resolve(const rnnc_finetune_config *c, const rnnc_model *m,
                                         unsigned char *frozen, double *lr_factor,
                                         int *has_factors);

/* ---- Plots ---- */

/* A forecast plot (what `rnnc forecast --plot` draws): over x positions 0..n-1, the history
 * (blue), the actual values after the origin (black, dashed) and the forecast (red), each NAN
 * where it has no value, with a value axis and grid, a time axis with about 8 labels, a dashed
 * line at the origin, a title and a legend. Every pointer is borrowed for the call. */
typedef struct rnnc_forecast_plot {
    const char *title;         /* above the plot (NULL: none) */
    const char *ylabel;        /* the value axis's name (NULL: none) */
    size_t n;                  /* x positions, at least 1 */
    const char *const *labels; /* (n) time stamps */
    const double *history;     /* (n) */
    const double *actual;      /* (n) */
    const double *forecast;    /* (n) */
    size_t origin;             /* the position of the dashed line, < n */
} rnnc_forecast_plot;
/* Writes the plot to path as SVG (960 x 480) when path ends in .svg, or as an 8-bit RGB PNG
 * (1920 x 960: the same drawing at 2 pixels per SVG unit, text in a built-in 5x7 bitmap font)
 * when it ends in .png (either case). The file is written atomically (a temporary, fsync,
 * rename): on failure none is left and an earlier file at path is unchanged. Errors:
 * RNNC_ERR_ARG (another suffix, a NULL pointer, n = 0, origin >= n), RNNC_ERR_IO naming the file,
 * RNNC_ERR_NOMEM. */
rnnc_status rnnc_plot_forecast(const char *path, const rnnc_forecast_plot *p);

#ifdef __cplusplus
}
#endif
#endif /* RNNC_H */
