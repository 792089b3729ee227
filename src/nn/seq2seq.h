/* The encoder-decoder with attention, generic over `real` (see src/core/real.h): an encoder (a
 * model of an embedding and recurrent layers whose last returns sequences, src/nn/model.c) reads
 * the source; a decoder of stacked LSTM or GRU layers writes the target one step at a time:
 *   x[t]   = [E y[t-1]; h~[t-1]]            input feeding (h~[t-1] left out without it; h~[-1] = 0)
 *   h[t]   = the decoder layers' step from x[t] and their states after step t-1
 *   a[t], ctx[t] = attention of h[t] (top layer) over the encoder's outputs (src/nn/attention.c)
 *   h~[t]  = tanh(Wc [ctx[t]; h[t]] + bc)    Luong's attentional hidden state
 *   logits[t] = Wo h~[t] + bo                 (Wo = E when the embeddings are tied)
 * The decoder's initial states come from the encoder's final states through the bridge: none
 * (zeros), copy (decoder layer l starts from encoder layer l's final state, its directions
 * concatenated) or linear (tanh(Wh s + bh) from all the encoder's final hidden states s; an LSTM's
 * cell states through their own Wc' s' + bc', linear). Backward is written by hand, as for the
 * other layers. Parameter names follow the PyTorch module of the same structure
 * (tests/gen/gen_seq2seq_fixtures.py): encoder.<the encoder model's names>, decoder.embedding,
 * decoder.rnn (nn.LSTM / nn.GRU names), decoder.attention.{Wa,Ua,Va}, decoder.concat,
 * decoder.out, bridge.h, bridge.c. */
#ifndef RNNC_SRC_NN_SEQ2SEQ_H
#define RNNC_SRC_NN_SEQ2SEQ_H

#include "attention.h"
#include "model.h"

enum rnnc__bridge { RNNC__BRIDGE_NONE = 0, RNNC__BRIDGE_COPY = 1, RNNC__BRIDGE_LINEAR = 2 };

typedef struct rnnc__s2s_config {
    rnnc_config encoder; /* embedding, recurrent layers; the last returns sequences */
    int cell;            /* the decoder's layers: RNNC_LAYER_LSTM or RNNC_LAYER_GRU */
    int layers;          /* decoder layers, >= 1 */
    size_t H;            /* decoder hidden size */
    size_t V, E;         /* target vocabulary and embedding size */
    int attention;       /* enum rnnc__attn_kind */
    size_t A;            /* the additive attention's size (0: H) */
    int input_feed;      /* 1: h~[t-1] joins the embedding in x[t] */
    int bridge;          /* enum rnnc__bridge */
    int tie;             /* 1: decoder.out.weight is decoder.embedding.weight (E == H) */
} rnnc__s2s_config;

/* A batch: sources (S,B) time-major with their lengths (post-padded), the decoder's inputs (T,B)
 * (the target shifted right: y[t-1], starting with the start token). */
typedef struct rnnc__s2s_batch {
    size_t S, T, B;
    const int32_t *src;         /* (S,B) */
    const int32_t *src_lengths; /* (B), each in [1, S] */
    const int32_t *tgt_in;      /* (T,B) */
} rnnc__s2s_batch;

typedef struct rnnc__s2s rnnc__s2s;

rnnc_status rnnc__s2s_create(const rnnc__s2s_config *c, uint64_t seed, rnnc__s2s **out);
void rnnc__s2s_free(rnnc__s2s *m);
/* The encoder model (its parameters and gradients are its own arena). */
rnnc__model *rnnc__s2s_encoder(rnnc__s2s *m);
/* The decoder's and bridge's parameters: n of them; name, dims and the views into the arenas. */
int rnnc__s2s_param_count(const rnnc__s2s *m);
void rnnc__s2s_param_info(const rnnc__s2s *m, int i, const char **name, int *ndim, size_t dims[2],
                          real **value, real **grad);
/* Clears the decoder's and the encoder's gradients. */
void rnnc__s2s_zero_grads(rnnc__s2s *m);

/* Teacher-forced forward over a batch: logits (T,B,V) and attention weights (T,B,S), borrowed
 * until the next forward. */
rnnc_status rnnc__s2s_forward(rnnc__s2s *m, const rnnc__s2s_batch *b);
const real *rnnc__s2s_logits(const rnnc__s2s *m);
const real *rnnc__s2s_weights(const rnnc__s2s *m);
/* Backward from dlogits (T,B,V): adds every parameter's gradient (decoder, bridge, encoder). */
rnnc_status rnnc__s2s_backward(rnnc__s2s *m, const real *dlogits);

#endif
