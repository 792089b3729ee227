/* The model engine, generic over `real` (see src/core/real.h): the public API in api.c uses the
 * float copy; tests use the double copy for finite-difference checks. */
#ifndef RNNC_SRC_NN_MODEL_H
#define RNNC_SRC_NN_MODEL_H

#include "decoder.h"
#include "stack.h"
#include "plan.h"

typedef struct rnnc__batch {
    size_t T, B;
    const int32_t *ids;     /* (T,B) */
    const real *x;          /* (T,B,I) */
    const int32_t *lengths; /* (B) or NULL */
    int padding;
    size_t dec_T; /* a model ending in a decoder: its inputs (dec_T,B) */
    const int32_t *dec_ids;
} rnnc__batch;

typedef struct rnnc__model rnnc__model;

rnnc_status rnnc__model_create(const rnnc_config *cfg, uint64_t seed, rnnc__model **out);
void rnnc__model_free(rnnc__model *m);
const rnnc_config *rnnc__model_config(const rnnc__model *m);
const rnnc__plan *rnnc__model_plan(const rnnc__model *m);
real *rnnc__model_params(rnnc__model *m);
real *rnnc__model_grads(rnnc__model *m);
/* The generator of dropout masks (tests restore it to repeat a forward exactly). */
rnnc_rng *rnnc__model_rng(rnnc__model *m);

rnnc_status rnnc__model_forward(rnnc__model *m, const rnnc__batch *b, int training);
/* Decoding a model that ends in a decoder, one token at a time (rnnc__decoder_begin / _step):
 * begin runs the encoder (every layer but the decoder, in inference) on the batch's sources and
 * starts K rows per sentence; each step reorders the rows, feeds one id per row and gives the
 * logits (B*K, vocab). */
rnnc_status rnnc__model_decode_begin(rnnc__model *m, const rnnc__batch *b, size_t K);
rnnc_status rnnc__model_decode_step(rnnc__model *m, const int32_t *parent, const int32_t *ids,
                                    const real **logits);
/* A decoder's teacher-forcing ratio in training forwards (1: always the given inputs; below 1:
 * scheduled sampling, rnnc__decoder_forward, with the model's dropout generator). */
rnnc_status rnnc__model_set_teacher_forcing(rnnc__model *m, double ratio);
/* The decoder of a model that ends in one (its attention weights), or NULL. */
const rnnc__decoder *rnnc__model_decoder(const rnnc__model *m);
const real *rnnc__model_output(const rnnc__model *m, int *ndim, size_t dims[3]);
rnnc_status rnnc__model_backward(rnnc__model *m, const real *dout);
const real *rnnc__model_input_grad(const rnnc__model *m);
void rnnc__model_set_input_grad(rnnc__model *m, int on);
/* Whether backward keeps each recurrent layer's state gradients dL/dh_t, and the record of the
 * last backward: (L*D,T,B,H), dims {L*D, T, B, H} (see rnnc_model_step_grads). */
void rnnc__model_set_step_grads(rnnc__model *m, int on);
rnnc_status rnnc__model_step_grads(const rnnc__model *m, int layer, const real **dh,
                                   size_t dims[4]);
/* Freezing: a frozen layer's parameters get no gradient (its weight-gradient products are
 * skipped, and the whole backward below the lowest trainable layer). */
rnnc_status rnnc__model_set_trainable(rnnc__model *m, int layer, int on);
int rnnc__model_trainable(const rnnc__model *m, int layer);

rnnc_status rnnc__model_set_state(rnnc__model *m, int layer, size_t B, const real *h0,
                                  const real *c0);
rnnc_status rnnc__model_final_state(const rnnc__model *m, int layer, const real **h,
                                    const real **c);
rnnc_status rnnc__model_set_final_state_grad(rnnc__model *m, int layer, const real *dh,
                                             const real *dc);
rnnc_status rnnc__model_initial_state_grad(const rnnc__model *m, int layer, const real **dh0,
                                           const real **dc0);

#endif
