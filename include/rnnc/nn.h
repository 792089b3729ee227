/* rnnc/nn.h: models: the model description, the model (forward, backward, parameters), model
 * files, and weight transfer from a pretrained model.
 * Part of the public API; include "rnnc.h" for all of it (its conventions hold here). */
#ifndef RNNC_NN_H
#define RNNC_NN_H

#include "core.h"
#include "formats.h"
#include "text.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Model description: a sequential stack of layers. A model description file (INI, one section
 * per layer, see docs/model-format.md) is read into the same structures.
 */
enum rnnc_layer_kind {
    RNNC_LAYER_EMBEDDING = 1, /* ids (T,B) -> (T,B,dim); parameter "weight" (vocab,dim) */
    RNNC_LAYER_DENSE, /* (T,B,F) or (B,F) -> same leading dims, units; "weight" (units,F), "bias" */
    RNNC_LAYER_DROPOUT, /* inverted dropout, identity at inference */
    RNNC_LAYER_RNN,     /* Elman RNN, tanh or relu, as torch.nn.RNN */
    RNNC_LAYER_LSTM,    /* as torch.nn.LSTM: gates i,f,g,o */
    RNNC_LAYER_GRU, /* as torch.nn.GRU: gates r,z,n; reset applied after the recurrent product */
    /* (T,B,F) -> (B,F): max or mean over each sequence's data steps, as Keras's
     * GlobalMaxPooling1D / GlobalAveragePooling1D with a mask */
    RNNC_LAYER_POOL,
    /* IndRNN (Li et al. 2018): h' = act(W_ih x + b_ih + w_hh * h + b_hh), relu or tanh, each unit
     * with its own recurrent weight: weight_hh_l<k> is a vector (hidden) */
    RNNC_LAYER_INDRNN,
    /* The decoder of an encoder-decoder with attention (sequence to sequence): the last layer,
     * after a recurrent layer that returns sequences (the encoder's outputs, (S,B,F)); it reads
     * the batch's decoder inputs (dec_T,B) and gives logits (dec_T,B,vocab). Stacked LSTM or GRU
     * layers (cell, hidden, layers) step over the target with input feeding, attend over the
     * encoder's outputs (attention), and start from the encoder's final states (bridge):
     * docs/model-format.md, "Decoder". Its parameters: embedding.weight (vocab,dim),
     * rnn.weight_ih_l<k> ... (as torch.nn.LSTM / GRU), attention.Wa / Ua / Va, concat.weight and
     * .bias (hidden, F + hidden), out.weight (vocab,hidden) and .bias, bridge.h / bridge.c. */
    RNNC_LAYER_DECODER
};

/* A decoder's attention score of its state q over an encoder output k: Luong's dot (q.k) and
 * general (q.Wa k), Bahdanau's additive (Va.tanh(Wa q + Ua k)). */
enum rnnc_attention { RNNC_ATTN_DOT = 0, RNNC_ATTN_GENERAL = 1, RNNC_ATTN_ADDITIVE = 2 };
/* How a decoder's initial states come from the encoder's final states: zeros; copied (decoder
 * layer l from encoder layer l, its directions concatenated); or through a learnt tanh(Linear)
 * of all of them (an LSTM's cell states through their own Linear). */
enum rnnc_bridge { RNNC_BRIDGE_NONE = 0, RNNC_BRIDGE_COPY = 1, RNNC_BRIDGE_LINEAR = 2 };

enum rnnc_pool { RNNC_POOL_MAX = 0, RNNC_POOL_MEAN = 1 };

/* How a layer's parameters start (see rnnc_model_create): PyTorch's default initialisation, or
 * Keras's (glorot_uniform kernels, orthogonal recurrent kernels, zero biases with the LSTM forget
 * bias 1, embeddings U(-0.05, 0.05)), so a Keras recipe can be reproduced faithfully; or every
 * parameter of the layer U(-init_range, init_range), as Zaremba et al. 2014 initialise their
 * language models (the LSTM forget_bias, when set, still applies); or, for an RNN layer only,
 * RNNC_INIT_IDENTITY: weight_hh the identity, biases 0, weight_ih as PyTorch's default (with
 * nonlinearity relu this is the IRNN of Le et al. 2015). */
enum rnnc_init {
    RNNC_INIT_TORCH = 0,
    RNNC_INIT_KERAS = 1,
    RNNC_INIT_UNIFORM = 2,
    RNNC_INIT_IDENTITY = 3
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

#define RNNC_NAME_MAX 48
#define RNNC_MAX_LAYERS 64

/* Whether layers of this kind are recurrent (they take hidden, layers, bidirectional, ...), and
 * whether they keep a cell state c besides h (their initial and final states come in pairs). */
int rnnc_layer_is_recurrent(int kind);
int rnnc_layer_has_cell_state(int kind);

/* One layer. Start from rnnc_layer_spec_init() and set the fields of its kind. */
typedef struct rnnc_layer_spec {
    size_t struct_size; /* set by rnnc_layer_spec_init(); see docs/api.md, "Compatibility" */
    enum rnnc_layer_kind kind;
    char
        name[RNNC_NAME_MAX]; /* parameter-name prefix; "" gives a default (see rnnc_model_create) */
    enum rnnc_init init;     /* embedding, dense and recurrent layers */
    float init_range;        /* RNNC_INIT_UNIFORM: the bound, > 0 */
    /* embedding */
    int vocab, dim;
    int padding_idx; /* row that stays zero and gets no gradient; -1 for none */
    /* dense */
    int units;
    enum rnnc_activation activation;
    int tie_weights; /* 1: the weight is the first layer's embedding weight (units = vocab and
                        input features = dim); the layer then owns only its bias, and both
                        uses' gradients add up in the one tensor (Press & Wolf 2017) */
    /* dropout layer */
    float rate;
    /* pool */
    enum rnnc_pool pool;
    /* recurrent (RNN, LSTM, GRU) */
    int hidden;
    int layers;                        /* stacked layers, >= 1 */
    int bidirectional;                 /* 0 or 1 */
    enum rnnc_merge merge;             /* for bidirectional layers */
    int return_sequences;              /* 1: output (T,B,Hout); 0: the last output (B,Hout) */
    enum rnnc_activation nonlinearity; /* RNN only: RNNC_ACT_TANH or RNNC_ACT_RELU */
    float dropout;     /* dropout between stacked layers (training only), as PyTorch's */
    float weight_drop; /* DropConnect on the recurrent weights W_hh (training only): each
                             forward draws one inverted-dropout mask per weight_hh tensor, shared
                             by every step and sequence (Merity et al. 2017's WeightDrop) */
    float forget_bias; /* LSTM: initial bias_ih of the forget gate when set_forget_bias is 1
                             (bias_hh's forget part is then 0, so the sum is forget_bias) */
    int set_forget_bias;
    /* decoder (with vocab and dim of its target embedding, hidden and layers of its recurrent
     * layers, tie_weights: out.weight is its embedding's weight, dim = hidden) */
    enum rnnc_layer_kind cell;     /* RNNC_LAYER_LSTM (default) or RNNC_LAYER_GRU */
    enum rnnc_attention attention; /* general by default */
    int attention_size;            /* additive: the size of Wa's and Ua's outputs; 0: hidden */
    int input_feed;                /* 1 (default): the last attentional state joins the input */
    enum rnnc_bridge bridge;       /* linear by default */
} rnnc_layer_spec;

/* A layer of the given kind with the defaults: padding_idx -1, activation linear, layers 1,
 * unidirectional, concat, return_sequences 0, tanh, no dropout, forget bias as PyTorch's. */
/* Fills *s with the defaults: its first `size` bytes (the caller's sizeof), struct_size = size. */
void rnnc_layer_spec_defaults(rnnc_layer_spec *s, size_t size, int kind);
static inline rnnc_layer_spec rnnc_layer_spec_init(int kind) {
    rnnc_layer_spec s;
    rnnc_layer_spec_defaults(&s, sizeof s, kind);
    return s;
}

/* A whole model: the input and the layers in order. A layer's number is its index here, from 0,
 * wherever one is taken or shown: the calls below, error messages, rnnc inspect and summary. */
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
    enum rnnc_padding padding;
    /* A model ending in a decoder: its inputs (dec_T,B), the target shifted right (the start
     * token, then the target's tokens but the last); the source must be post-padded. */
    int dec_T;
    const int32_t *dec_ids;
} rnnc_batch;

/* Runs every layer forward. training = 1 enables dropout and keeps what backward needs. Buffers
 * grow to the largest (T,B) seen and are reused; a training loop with a fixed maximum allocates
 * only in its first step. */
rnnc_status rnnc_model_forward(rnnc_model *m, const rnnc_batch *batch, int training);

/* A model that ends in a decoder: the probability that a training forward feeds each sequence
 * the given decoder input at a step rather than the argmax of its own logits at the step before
 * (scheduled sampling, Bengio et al. 2015; drawn with the model's dropout generator). 1 (the
 * default): always the given input (teacher forcing). Inference forwards always read dec_ids. */
rnnc_status rnnc_model_set_teacher_forcing(rnnc_model *m, double ratio);

/* A model that ends in a decoder: the attention weights of its last forward, (dec_T,B,S) with S
 * the source's steps (borrowed until the next forward; NULL for another model or before a
 * forward). Each row sums to 1 over the source's data steps and is 0 at its padding. */
const float *rnnc_model_attention(const rnnc_model *m, size_t dims[3]);

/* How a model that ends in a decoder writes its output sequences (rnnc_model_decode): a beam
 * search, greedy with beam = 1. Hypotheses are ranked by their log-probability divided by GNMT's
 * length penalty ((5 + n) / 6)^length_penalty (n tokens with the end token; 0: none). Each
 * sentence decodes at most ceil(max_ratio x its source length) tokens, at most max_len. */
typedef struct rnnc_decode_spec {
    size_t struct_size;    /* set by rnnc_decode_spec_init(); see docs/api.md, "Compatibility" */
    int beam;              /* beams per sentence: 5 (1: greedy) */
    double length_penalty; /* GNMT's alpha: 0.6 (0: none) */
    double max_ratio;      /* 2 */
    int max_len;           /* 200 */
    int no_repeat_ngram;   /* an n-gram a hypothesis holds is not repeated in it; 0 (off) */
    int32_t start, end;    /* the decoder vocabulary's start and end tokens: 1 and 3 */
} rnnc_decode_spec;
/* Fills *s with the defaults: its first `size` bytes (the caller's sizeof), struct_size = size. */
void rnnc_decode_spec_defaults(rnnc_decode_spec *s, size_t size);
static inline rnnc_decode_spec rnnc_decode_spec_init(void) {
    rnnc_decode_spec s;
    rnnc_decode_spec_defaults(&s, sizeof s);
    return s;
}
/* Decodes the sources of batch (ids or x, lengths; no decoder inputs) with the model's decoder:
 * out (B,cap) gets each sentence's best output without its end token, len (B) their lengths,
 * score (B, may be NULL) their ranking score. cap must hold the longest possible output
 * (min(max_len, ceil(max_ratio x T))). The same model, batch and spec give the same output. */
rnnc_status rnnc_model_decode(rnnc_model *m, const rnnc_batch *batch, const rnnc_decode_spec *spec,
                              int32_t *out, size_t cap, int32_t *len, float *score);
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
rnnc_status rnnc_model_final_state(const rnnc_model *m, int layer, const float **h,
                                   const float **c);
/* Gradients with respect to the final states (L*D,B,H), used by the next backward (copied; NULL =
 * zero). Call it after the forward it belongs to: every forward clears them. */
rnnc_status rnnc_model_set_final_state_grad(rnnc_model *m, int layer, const float *dh,
                                            const float *dc);
/* Gradients with respect to the initial states from the last backward (borrowed). */
rnnc_status rnnc_model_initial_state_grad(const rnnc_model *m, int layer, const float **dh0,
                                          const float **dc0);

/* Gradient flow through time (docs/gradflow.md). With on = 1, every later backward also keeps,
 * for each recurrent layer, the gradient of the loss at the hidden state after every step:
 * dL/dh_t, what flows back from the later steps plus what the output at t receives (an LSTM's
 * h, not its cell state c). Off by default, when it costs nothing; on, backward grows and zeroes
 * an (L*D,T,B,H) float buffer per recurrent layer. Off frees the buffers. */
void rnnc_model_set_step_grads(rnnc_model *m, int on);
/* The state gradients the last backward kept for recurrent layer `layer` (its index in the
 * config): (L*D,T,B,H) with index l*D + d as the states' layout, the step t in the data's order
 * (a reverse direction's too), 0 at padded steps; dims (may be NULL) gets {L*D, T, B, H}.
 * Borrowed, valid until the next forward. Errors: RNNC_ERR_ARG for a layer that is not
 * recurrent, RNNC_ERR_STATE while they are off or before a backward that kept them. */
rnnc_status rnnc_model_step_grads(const rnnc_model *m, int layer, const float **dh, size_t dims[4]);
/* Their L2 norms per step, ||dL/dh_t|| over the batch and the units (sums in double): norms
 * (L*D,T), the caller's. Errors as rnnc_model_step_grads. */
rnnc_status rnnc_model_step_grad_norms(const rnnc_model *m, int layer, double *norms);

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
    enum rnnc_transfer_kind what;
    size_t rows, rows_total; /* MAPPED: rows carried over, of */
} rnnc_transfer_item;
typedef struct rnnc_transfer_spec {
    const rnnc_vocab *from, *to; /* the pretrained model's and m's vocabularies, or both NULL */
    const char *const *reinit;   /* n_reinit names */
    int n_reinit;
} rnnc_transfer_spec;
rnnc_status rnnc_model_transfer(rnnc_model *m, const rnnc_tensor_file *f,
                                const rnnc_transfer_spec *spec, rnnc_transfer_item **items,
                                int *n_items);

/* ---------------------------------------------------------------------------------------------
 * Gradient check (docs/gradcheck.md): the analytic gradient of every parameter tensor, from
 * backward, against central differences, in double precision (the double build of the engine),
 * on one batch. The loss is L = sum(output * R) with R a fixed random tensor of the output's
 * shape, so every output entry carries some of the gradient. Dropout (layers, between stacked
 * layers and on the recurrent weights) is off: the check runs a training forward of the model
 * with every dropout rate 0, so that every forward of the check computes the same function.
 */
typedef struct rnnc_gradcheck_spec {
    size_t struct_size; /* set by rnnc_gradcheck_spec_init(); see docs/api.md, "Compatibility" */
    /* A model built from the same description whose (float) parameters are checked, converted
     * to double; NULL: parameters initialised from seed as rnnc_model_create does. Borrowed. */
    const rnnc_model *weights;
    int steps, batch; /* T and B of the batch: 5 and 3 */
    uint64_t seed;    /* parameters (without weights), the random batch, R and the sample: 1 */
    double tolerance; /* the largest relative error that passes: 1e-6 */
    double eps;       /* the central differences' step: 1e-6 */
    /* entry error |a - n| / max(|a|, |n|, floor), a analytic and n numeric: 1e-4 */
    double floor;
    /* entries of each tensor compared, chosen with the seed: half of them among the entries
     * with a nonzero analytic gradient (so a large, sparsely reached tensor such as an
     * embedding is compared where the batch reaches it), the rest among all; 50. 0: every
     * entry. */
    int max_per_tensor;
    /* The batch, borrowed; all NULL: random. ids (steps,batch) for a model that starts with an
     * embedding, x (steps,batch,input_size) otherwise, time-major as rnnc_batch; lengths
     * (batch) or NULL. Random: ids in [0, vocab) (not padding_idx), x N(0, 1), the first
     * sequence steps long and the others of random lengths in [1, steps]. */
    const int32_t *ids;
    const float *x;
    const int32_t *lengths;
    enum rnnc_padding padding; /* RNNC_PAD_POST */
} rnnc_gradcheck_spec;
/* Fills *s with the defaults: its first `size` bytes (the caller's sizeof), struct_size = size. */
void rnnc_gradcheck_spec_defaults(rnnc_gradcheck_spec *s, size_t size);
static inline rnnc_gradcheck_spec rnnc_gradcheck_spec_init(void) {
    rnnc_gradcheck_spec s;
    rnnc_gradcheck_spec_defaults(&s, sizeof s);
    return s;
}

/* One checked tensor: a parameter under its name, or the input x ("input", for a model that
 * takes features) */
typedef struct rnnc_gradcheck_tensor {
    char name[RNNC_NAME_MAX + 32];
    size_t size, checked;     /* entries, and entries compared */
    double worst;             /* the largest relative error of the compared entries */
    size_t worst_index;       /* its entry (row-major) */
    double analytic, numeric; /* the gradients there */
    int pass;                 /* worst <= tolerance */
} rnnc_gradcheck_tensor;
typedef struct rnnc_gradcheck_report {
    int n_tensors;
    rnnc_gradcheck_tensor *tensors; /* n_tensors, malloc'd: rnnc_gradcheck_report_free */
    int failed;                     /* tensors over the tolerance */
    double worst;                   /* the largest relative error of all */
    double loss;                    /* L at the checked parameters */
    int steps, batch;               /* the batch's T and B */
} rnnc_gradcheck_report;
/* Checks the gradients of the model cfg describes (NULL: spec->weights' description) and fills
 * *out (a failed check is RNNC_OK with out->failed > 0). Errors: a description that does not
 * validate, spec->weights built from another description, a given batch with ids or lengths
 * out of range (RNNC_ERR_ARG or RNNC_ERR_SHAPE). */
rnnc_status rnnc_gradcheck(const rnnc_config *cfg, const rnnc_gradcheck_spec *spec,
                           rnnc_gradcheck_report *out);
void rnnc_gradcheck_report_free(rnnc_gradcheck_report *r);

#ifdef __cplusplus
}
#endif
#endif /* RNNC_NN_H */
