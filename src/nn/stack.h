/* A recurrent layer as the user sees it: L stacked layers x D directions of one cell kind, dropout
 * between layers, DropConnect on the recurrent weights, directions merged by concat or sum, full
 * sequences or the last output. Generic over `real`. */
#ifndef RNNC_SRC_NN_STACK_H
#define RNNC_SRC_NN_STACK_H

#include "layers.h"

#define RNNC__MAX_STACK 16

typedef struct rnnc__stack {
    int cell;
    size_t I, H, L, D; /* input size of layer 0, hidden, layers, directions */
    int merge, return_sequences;
    double dropout;
    double weight_drop; /* DropConnect rate on each W_hh while training (see stack.c) */
    rnnc__cellw w[2 * RNNC__MAX_STACK]; /* index l*D + d; views into the parameter arena */
    rnnc__cellw g[2 * RNNC__MAX_STACK]; /* the same in the gradient arena */
    /* buffers sized for (Tcap, Bcap); T, B of the last forward */
    size_t Tcap, Bcap, T, B;
    int dropped;  /* dropout was applied in the last forward */
    int wdropped; /* the last forward ran on the dropped W_hh copies */
    int frozen;   /* backward computes no weight gradients (only what flows below) */
    real *cache[2 * RNNC__MAX_STACK];    /* each direction's forward cache, for backward */
    real *icache;                        /* one inference chunk's cache (rnnc__dir_infer) */
    size_t irows;                        /* the rows of its chunks */
    real *dirout[RNNC__MAX_STACK];       /* (T,B,D*H) both directions side by side */
    real *merged[RNNC__MAX_STACK];       /* (T,B,Hout): dirout itself unless summed */
    real *dropin[RNNC__MAX_STACK];       /* (T,B,Hout): input of layer l+1 after dropout */
    real *mask[RNNC__MAX_STACK];         /* (T,B,Hout) dropout scales */
    real *whh[2 * RNNC__MAX_STACK];      /* (G,H) W_hh after DropConnect, when weight_drop > 0 */
    real *whh_mask[2 * RNNC__MAX_STACK]; /* (G,H) its scales: 0 or 1/(1-weight_drop) */
    real *dwhh;                          /* (G,H) gradient at a dropped W_hh, before its mask */
    real *work, *dA, *dB, *dtmp;         /* backward workspaces */
    real *hT, *cT;                       /* (L*D,B,H) final states */
    real *last;                          /* (B,Hout) last output when !return_sequences */
    const unsigned char *active;         /* borrowed from the model for forward and backward */
    /* (L*D,T,B,H) each direction's state gradients dL/dh_t from backward (rnnc__note_dh), or
     * NULL: not kept. Sized and set by the model (rnnc__model_set_step_grads); cap in reals. */
    real *dhs;
    size_t dhs_cap;
} rnnc__stack;

/* Output features per step: H, or 2H for a concatenated bidirectional layer. */
static inline size_t rnnc__stack_out_size(size_t H, size_t D, int merge) {
    return merge == RNNC_MERGE_SUM ? H : D * H;
}

void rnnc__stack_free(rnnc__stack *s);
/* Grows the buffers to hold (T,B). */
rnnc_status rnnc__stack_reserve(rnnc__stack *s, size_t T, size_t B);
/* x (T,B,I); active (T,B); h0, c0 (L*D,B,H) or NULL. Returns the output: (T,B,Hout) or (B,Hout). */
const real *rnnc__stack_forward(rnnc__stack *s, size_t T, size_t B, const real *x,
                                const unsigned char *active, const real *h0, const real *c0,
                                int training, rnnc_rng *rng);
/* dout shaped as the output; dhT, dcT (L*D,B,H) or NULL; x as in forward. Accumulates into dx
 * (T,B,I), dh0, dc0 (L*D,B,H) (each may be NULL) and the gradient views. */
void rnnc__stack_backward(rnnc__stack *s, const real *x, const real *dout, const real *dhT,
                          const real *dcT, real *dx, real *dh0, real *dc0);

#endif
