/* Attention of a decoder state over an encoder's outputs (the keys), one decoder step at a time,
 * with its backward written by hand. For sequence b and source step s with key k[s,b] (Hk) and
 * query q[b] (Hq):
 *   dot (Luong):         e[b,s] = <q[b], k[s,b]>                             (Hq = Hk)
 *   general (Luong):     e[b,s] = <q[b], Wa k[s,b]>                          Wa (Hq,Hk)
 *   additive (Bahdanau): e[b,s] = <Va, tanh(Wa q[b] + ba + Ua k[s,b] + bu)> + bv
 *                        Wa (A,Hq), ba (A), Ua (A,Hk), bu (A), Va (A), bv (1)
 *   a[b,:] = softmax of e[b,:] over the active source steps (0 at padded ones; a sequence with no
 *            active step has a = 0 and a zero context)
 *   ctx[b] = sum over s of a[b,s] k[s,b]
 * The names are those of the PyTorch modules that compute the same (the seq2seq tutorial's
 * BahdanauAttention: Wa, Ua, Va as nn.Linear; Luong's general: Wa as nn.Linear(Hk, Hq,
 * bias=False)). The keys' projection (Wa k for general, Ua k + bu for additive) does not depend on
 * the step: rnnc__attn_prepare computes it once per batch, each step's backward adds to its
 * gradient, and rnnc__attn_finish takes that gradient back to the keys and the weights once. */
#ifndef RNNC_SRC_NN_ATTENTION_H
#define RNNC_SRC_NN_ATTENTION_H

#include "../core/real.h"

#include <stddef.h>

enum rnnc__attn_kind { RNNC__ATTN_DOT = 0, RNNC__ATTN_GENERAL = 1, RNNC__ATTN_ADDITIVE = 2 };

/* The parameters (or their gradients) as views: NULL where the kind has none. */
typedef struct rnnc__attn_w {
    real *Wa, *ba, *Ua, *bu, *Va, *bv;
} rnnc__attn_w;

typedef struct rnnc__attn {
    int kind;               /* enum rnnc__attn_kind */
    size_t S, B, Hk, Hq, A; /* source steps, sequences, key, query and additive sizes */
    const real *keys;       /* (S,B,Hk), rows of stride ldk */
    size_t ldk;
    const unsigned char *active; /* (S,B): 1 at source steps that hold data; NULL: all */
    real *proj;                  /* rnnc__attn_proj_size reals: the keys' projection */
} rnnc__attn;

/* Reals of the keys' projection: general (S,B,Hq), additive (S,B,A), dot 0. */
size_t rnnc__attn_proj_size(const rnnc__attn *a);
/* Reals of the workspace of one step's forward or backward. */
size_t rnnc__attn_work_size(const rnnc__attn *a);

/* Fills a->proj from the keys (once per batch of sources). */
void rnnc__attn_prepare(const rnnc__attn *a, const rnnc__attn_w *w);
/* One step: q (B,Hq) -> weights (B,S) and ctx (B,Hk). */
void rnnc__attn_forward(const rnnc__attn *a, const rnnc__attn_w *w, const real *q, real *weights,
                        real *ctx, real *work);
/* Its backward, from dctx (B,Hk) and the step's q and weights: adds to dq (B,Hq), to dkeys (S,B,Hk,
 * stride ldk) the part through the context and the dot score, to dproj (the projection's
 * gradient, rnnc__attn_proj_size reals) and to g's step parameters (additive: Wa, ba, Va, bv). */
void rnnc__attn_backward(const rnnc__attn *a, const rnnc__attn_w *w, const real *q,
                         const real *weights, const real *dctx, real *dq, real *dkeys, real *dproj,
                         const rnnc__attn_w *g, real *work);
/* After the last step's backward: dproj back to dkeys and to g's projection weights (general Wa;
 * additive Ua and bu). */
void rnnc__attn_finish(const rnnc__attn *a, const rnnc__attn_w *w, const real *dproj, real *dkeys,
                       const rnnc__attn_w *g);

#endif
