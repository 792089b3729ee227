/* The model engine, generic over `real` (see src/core/real.h): the public API in api.c uses the
 * float copy; tests use the double copy for finite-difference checks. */
#ifndef RNNC_SRC_NN_MODEL_H
#define RNNC_SRC_NN_MODEL_H

#include "stack.h"
#include "plan.h"

typedef struct RN(rnnc__batch) {
    size_t T, B;
    const int32_t *ids;     /* (T,B) */
    const real *x;          /* (T,B,I) */
    const int32_t *lengths; /* (B) or NULL */
    int padding;
} RN(rnnc__batch);

typedef struct RN(rnnc__model) RN(rnnc__model);

rnnc_status RN(rnnc__model_create)(const rnnc_config *cfg, uint64_t seed, RN(rnnc__model) **out);
void RN(rnnc__model_free)(RN(rnnc__model) *m);
const rnnc_config *RN(rnnc__model_config)(const RN(rnnc__model) *m);
const rnnc__plan *RN(rnnc__model_plan)(const RN(rnnc__model) *m);
real *RN(rnnc__model_params)(RN(rnnc__model) *m);
real *RN(rnnc__model_grads)(RN(rnnc__model) *m);
/* The generator of dropout masks (tests restore it to repeat a forward exactly). */
rnnc_rng *RN(rnnc__model_rng)(RN(rnnc__model) *m);

rnnc_status RN(rnnc__model_forward)(RN(rnnc__model) *m, const RN(rnnc__batch) *b, int training);
const real *RN(rnnc__model_output)(const RN(rnnc__model) *m, int *ndim, size_t dims[3]);
rnnc_status RN(rnnc__model_backward)(RN(rnnc__model) *m, const real *dout);
const real *RN(rnnc__model_input_grad)(const RN(rnnc__model) *m);
void RN(rnnc__model_set_input_grad)(RN(rnnc__model) *m, int on);
/* Freezing: a frozen layer's parameters get no gradient (its weight-gradient products are
 * skipped, and the whole backward below the lowest trainable layer). */
rnnc_status RN(rnnc__model_set_trainable)(RN(rnnc__model) *m, int layer, int on);
int RN(rnnc__model_trainable)(const RN(rnnc__model) *m, int layer);

rnnc_status RN(rnnc__model_set_state)(RN(rnnc__model) *m, int layer, size_t B, const real *h0,
                                      const real *c0);
rnnc_status RN(rnnc__model_final_state)(const RN(rnnc__model) *m, int layer, const real **h,
                                        const real **c);
rnnc_status RN(rnnc__model_set_final_state_grad)(RN(rnnc__model) *m, int layer, const real *dh,
                                                 const real *dc);
rnnc_status RN(rnnc__model_initial_state_grad)(const RN(rnnc__model) *m, int layer,
                                               const real **dh0, const real **dc0);

#endif
