/* The decoder layer of an encoder-decoder with attention (RNNC_LAYER_DECODER), generic over `real`
 * (see src/core/real.h). The model's layers before it are the encoder: their last returns the
 * encoder's outputs, the keys k (S,B,Hk); the decoder writes the target one step at a time:
 *   x[t]   = [E y[t-1]; h~[t-1]]             input feeding (h~[t-1] left out without it; h~[-1] = 0)
 *   h[t]   = the decoder's stacked LSTM/GRU step from x[t] and its states after step t-1
 *   a[t], ctx[t] = attention of h[t] (the top layer's) over the keys (src/nn/attention.c)
 *   h~[t]  = tanh(Wc [ctx[t]; h[t]] + bc)     Luong's attentional hidden state
 *   logits[t] = Wo h~[t] + bo                  (Wo = E when tie_weights)
 * The initial states come from the encoder's final states through the bridge: none (zeros), copy
 * (decoder layer l from encoder layer l's final state, its directions concatenated) or linear
 * (tanh(Wh s + bh) of all the encoder's final hidden states s, concatenated per sequence; an
 * LSTM's cell states through Wc' s' + bc', linear, from the encoder's cell states when every
 * recurrent encoder layer has them, else from s). Backward is written by hand, as for the other
 * layers. The parameters are the plan's (plan.c, decoder_params), named as the PyTorch module of
 * the same structure names them (tests/gen/gen_seq2seq_fixtures.py). */
#ifndef RNNC_SRC_NN_DECODER_H
#define RNNC_SRC_NN_DECODER_H

#include "attention.h"
#include "plan.h"
#include "stack.h"

/* The final states of one recurrent encoder layer, (LD,B,He) each (LD = layers x directions), as
 * the bridge reads them, and where its backward writes their gradients. */
typedef struct rnnc__enc_state {
    const real *h, *c; /* c NULL: no cell state */
    real *dh, *dc;
    size_t LD, He;
} rnnc__enc_state;

typedef struct rnnc__decoder rnnc__decoder;

/* The decoder of layer `layer` of cfg, its parameters at plan's offsets. */
rnnc_status rnnc__decoder_create(const rnnc_config *cfg, const rnnc__plan *plan, int layer,
                                 rnnc__decoder **out);
void rnnc__decoder_free(rnnc__decoder *d);

/* Teacher-forced forward: keys (S,B,Hk) with active (S,B) (1 at source steps holding data), the
 * encoder's n_enc recurrent layers' final states, decoder inputs ids (T,B) in [0, vocab). The
 * logits (T,B,vocab) and attention weights (T,B,S) stay until the next forward. With rng (not
 * NULL), scheduled sampling (Bengio et al. 2015): at each step after the first, each sequence
 * reads ids' token with probability `teacher` and otherwise the argmax of its own logits at the
 * step before (a constant to the backward, as PyTorch's detached argmax). */
rnnc_status rnnc__decoder_forward(rnnc__decoder *d, const real *params, const real *keys,
                                  const unsigned char *active, size_t S, size_t B,
                                  const rnnc__enc_state *enc, int n_enc, size_t T,
                                  const int32_t *ids, double teacher, rnnc_rng *rng);
const real *rnnc__decoder_logits(const rnnc__decoder *d);
const real *rnnc__decoder_weights(const rnnc__decoder *d);
/* The source steps S of the last forward (the weights' last dimension). */
size_t rnnc__decoder_source_steps(const rnnc__decoder *d);
/* Backward from dlogits (T,B,vocab): adds the decoder's parameter gradients into grads, the
 * keys' gradient into dkeys (S,B,Hk), and writes each encoder layer's final-state gradients
 * (enc[k].dh, .dc; zeros without a bridge). */
rnnc_status rnnc__decoder_backward(rnnc__decoder *d, const real *params, real *grads,
                                   const real *dlogits, real *dkeys, const rnnc__enc_state *enc,
                                   int n_enc);

/* Decoding one token at a time (inference), B sentences of K rows each (R = B*K rows, sentence
 * b's in rows b*K .. b*K+K-1, beams of a search): begin takes the encoder's outputs and final
 * states as forward does and starts every row from its sentence's initial states; each step
 * first reorders the rows (row r continues row parent[r]'s state), then feeds ids[r] and gives the
 * logits (R,vocab), borrowed until the next step, and its attention weights (R,S). */
rnnc_status rnnc__decoder_begin(rnnc__decoder *d, const real *params, const real *keys,
                                const unsigned char *active, size_t S, size_t B,
                                const rnnc__enc_state *enc, int n_enc, size_t K);
rnnc_status rnnc__decoder_step(rnnc__decoder *d, const int32_t *parent, const int32_t *ids,
                               const real **logits);
const real *rnnc__decoder_step_weights(const rnnc__decoder *d);

#endif
