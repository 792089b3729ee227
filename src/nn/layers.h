/* Layer kernels: forward and backward over a whole time-major sequence. Generic over `real`
 * (see src/core/real.h): every function exists as _f32 and _f64.
 *
 * Backward functions ACCUMULATE (+=) into input gradients and parameter gradients; callers zero
 * them once per step. Padded steps (active[t*B+b] == 0) never change a recurrent state, produce
 * zero outputs and receive no gradient. */
#ifndef RNNC_SRC_NN_LAYERS_H
#define RNNC_SRC_NN_LAYERS_H

#include "../core/core.h"
#include "rnnc/nn.h"
#include "../core/real.h"

#include <string.h>

/* One direction of one recurrent layer: views into a parameter (or gradient) arena, PyTorch's
 * layout: w_ih (G,I), w_hh (G,H), b_ih (G), b_hh (G). */
typedef struct rnnc__cellw {
    real *w_ih, *w_hh, *b_ih, *b_hh;
} rnnc__cellw;

/* What one run of one direction reads and writes. */
/* What an inference's forwards have packed into packed_own: whh, W_hh's layout (0 none, 1 rows
 * mode, n > 1 units mode over n threads); wih, 1 when W_ih^T is packed for the projection of
 * all steps (large weights). */
typedef struct rnnc__packed {
    int whh, wih;
} rnnc__packed;

typedef struct rnnc__dir {
    int cell; /* its row in rnnc__cells */
    size_t T, B, I, H;
    int reverse;                 /* 1: steps T-1 .. 0 */
    const unsigned char *active; /* (T,B) 1 where step t of sequence b holds data */
    const real *x;               /* (T,B,I) rows of stride ldx */
    size_t ldx;
    real *y; /* (T,B,H) rows of stride ldy; written at offset 0 of each row, 0 at padded steps */
    size_t ldy;
    const real *h0, *c0; /* (B,H) initial states, NULL for zeros (c0: LSTM only) */
    real *cache;         /* rnnc__dir_cache_size reals, filled by forward for backward */
    size_t b0, b1;       /* the cells' time loops process batch rows [b0, b1); set by recurrent.c */
    /* W_hh packed for the step products (rnnc__pack), set by recurrent.c: op = W_hh^T (K = H,
     * N = G) in forward, W_hh (K = G, N = H) in backward; forward also W_ih^T (K = I, N = G):
     * each step's input projection is computed right before its recurrent product */
    const real *whh_packed, *wih_packed;
    /* Units mode (LSTM with a large W_hh, see recurrent.c): when barrier is not NULL, this thread
     * computes hidden units [u0, u1) of every row, packs its share of W_hh (and in forward of
     * W_ih after it) into packed_own and meets the other threads at the barrier after each step.
     * Rows mode: u0 = 0, u1 = H. */
    size_t u0, u1;
    rnnc__barrier *barrier;
    real *packed_own;
    /* Forward: NULL, or what packed_own already holds, kept across the forwards of one
     * inference (rnnc__dir_infer); a forward packs only what is missing and records it. */
    rnnc__packed *packed_as;
    int skip_pack; /* units mode: this thread's share is already in packed_own */
    /* Backward: NULL, or (T,B,H) that receives each step's state gradient (rnnc__note_dh) */
    real *dhs;
} rnnc__dir;

/* Backward's record of the gradient at the state after step t, dL/dh_t: what flows back from the
 * later steps (dh, (B,H)) plus the output's gradient at t (dy, rows of stride ldy), for the rows
 * [b0, b1) and units [u0, u1) this thread computes; 0 at padded steps. Each cell calls it at the
 * start of every backward step; it does nothing (one test) unless d->dhs is set. */
static inline void rnnc__note_dh(const rnnc__dir *d, size_t t, const real *dh, const real *dy,
                                 size_t ldy) {
    if (!d->dhs)
        return;
    const size_t B = d->B, H = d->H;
    for (size_t b = d->b0; b < d->b1; b++) {
        real *o = d->dhs + (t * B + b) * H;
        const int on = d->active[t * B + b];
        for (size_t j = d->u0; j < d->u1; j++)
            o[j] = on ? dh[b * H + j] + dy[(t * B + b) * ldy + j] : 0;
    }
}

/* Gradients a cell's backward fills (see rnnc__dir_backward): dh (B,H) and dc (B,H) flow back
 * through the steps (dc: a cell with a cell state); dg (T,B,G) the gate pre-activations' gradient
 * on the input side; dgh (T,B,G) on the recurrent side (only a cell with split_dgh). */
typedef struct rnnc__cell_grads {
    real *dh, *dc, *dg, *dgh;
} rnnc__cell_grads;

/* A recurrent cell's row: what the shared machinery (recurrent.c, stack.c, the plan, the model,
 * model descriptions) knows of it. Each cell's file defines its row (RNNC__CELL_ROW) beside its
 * forward and backward over a direction's time loop; src/nn/cells.c lists the rows. A new cell is
 * its file, one line in that list, and its tests. */
typedef struct rnnc__cell {
    const char *name; /* its model-description section, and the default layer name: "lstm" */
    int kind;         /* enum rnnc_layer_kind */
    int act;          /* the nonlinearity (enum rnnc_activation) this row runs for a kind that has
                         the key `nonlinearity`; -1: none to choose (the cell fixes its own) */
    int gates;        /* gate blocks: W_ih is (G,I) with G = gates * H */
    int has_c;        /* a cell state c besides h (initial and final states, its gradient) */
    int forget_gate;  /* the gate block whose bias `forget_bias` sets; -1: none */
    int whh_diag;     /* W_hh is a vector (G): each unit sees only its own past; else (G,H) */
    int split_dgh;    /* the recurrent side's gate gradient differs from the input side's (the
                         reset gate multiplies GRU's recurrent product): its own (T,B,G) */
    int cache_hn;     /* (T,B,H) more cache: the recurrent product of GRU's n gate */
    int units_mode;   /* may split the hidden units over threads when W_hh is large */
    void (*forward)(const rnnc__cellw *w, const rnnc__dir *d, real *work);
    void (*backward)(const rnnc__cellw *w, const rnnc__dir *d, const real *dy, size_t ldy,
                     const rnnc__cell_grads *gr, real *work);
} rnnc__cell;
/* The row of a cell in its file: const rnnc__cell RNNC__CELL_ROW(lstm) = {...}. */
#define RNNC__CELL_ROW(name) RNNC__TWIN(rnnc__cell_##name)
/* Every cell's row, in the order of the list in src/nn/cells.c; a direction's cell is its index. */
extern const rnnc__cell *const rnnc__cells[];
extern const int rnnc__n_cells;
/* The row of a recurrent layer kind with nonlinearity act (ignored by a kind without the key), or
 * -1 when kind is not recurrent or has no row for act. */
int rnnc__cell_find(int kind, int act);
/* Whether a layer kind is recurrent (has a row). */
int rnnc__is_recurrent(int kind);
/* Gate blocks per cell: G = gates * H. */
static inline int rnnc__cell_gates(int cell) {
    return rnnc__cells[cell]->gates;
}
/* Reals of one direction's W_hh: (G,H), or G for a diagonal one. */
static inline size_t rnnc__whh_size(int cell, size_t H) {
    const size_t G = (size_t)rnnc__cells[cell]->gates * H;
    return rnnc__cells[cell]->whh_diag ? G : G * H;
}

/* Sizes (in reals) of a direction's forward cache and of the workspaces of forward / backward. */
size_t rnnc__dir_cache_size(int cell, size_t T, size_t B, size_t H);
size_t rnnc__dir_work_size(int cell, size_t T, size_t B, size_t I, size_t H);
/* Forward computes the input projection step by step when W_ih and W_hh together take at most
 * this many bytes (default 1 MB), else as one GEMM before the loop. Tests set it to 0 or SIZE_MAX
 * to compare the two paths; not thread-safe against running forwards. */
void rnnc__set_step_projection_limit(size_t bytes);
size_t rnnc__step_projection_limit(void);

/* Forward over all steps. hT, cT (B,H): the state after each sequence's last data step (c: LSTM). */
void rnnc__dir_forward(const rnnc__cellw *w, const rnnc__dir *d, real *hT, real *cT, real *work);
/* The same outputs, y, hT and cT, bit for bit, for inference: the steps in chunks of at least
 * `rows` rows (steps x B), so d->cache needs only rnnc__dir_infer_cache_size(cell, T, B, H, rows)
 * reals (for this T and B or any larger) and keeps nothing for a backward. hT and cT (a cell
 * with a cell state) must not be NULL. */
void rnnc__dir_infer(const rnnc__cellw *w, const rnnc__dir *d, real *hT, real *cT, real *work,
                     size_t rows);
size_t rnnc__dir_infer_cache_size(int cell, size_t T, size_t B, size_t H, size_t rows);
/* The rows of an inference chunk for the stacks reserved from now on: 1024 unless tests set
 * fewer, to cut sequences into many chunks. Not thread-safe against reserving stacks. */
size_t rnnc__infer_rows(void);
void rnnc__set_infer_rows(size_t rows);
/* Backward through the forward that filled d->cache. dy (T,B,H) rows of stride ldy (only active
 * steps are read); dhT, dcT (B,H) or NULL; dx (T,B,I) rows of stride d->ldx or NULL; dh0, dc0
 * (B,H) or NULL; g the gradient views. */
void rnnc__dir_backward(const rnnc__cellw *w, const rnnc__dir *d, const real *dy, size_t ldy,
                        const real *dhT, const real *dcT, real *dx, real *dh0, real *dc0,
                        const rnnc__cellw *g, real *work);

/* Cache layout shared by the cells (see recurrent.c): gates (T,B,G), then the hidden states
 * Sh (T+1,B,H), then for a cell with a cell state the cell states Sc (T+1,B,H), for one with
 * cache_hn hn (T,B,H). Slot s of Sh holds h0 (s = rnnc__slot_h0) or the state after a step
 * (s = rnnc__slot_after). */
static inline size_t rnnc__slot_after(const int reverse, size_t t) {
    return reverse ? t : t + 1;
}
static inline size_t rnnc__slot_before(const int reverse, size_t t) {
    return reverse ? t + 1 : t;
}

/* The rows of [b0, b1) that a step's recurrent product needs: up to the last one holding data at
 * step t (rows after it are padding, whose states pass through; b0 when none). With a batch
 * sorted by length, the padded steps of short sequences cost nothing. */
static inline size_t rnnc__rows_to_compute(const unsigned char *active, size_t t, size_t B,
                                           size_t b0, size_t b1) {
    size_t e = b1;
    while (e > b0 && !active[t * B + e - 1])
        e--;
    return e - b0;
}

/* A padded step of one sequence: its state (H values) passes through unchanged, its output is 0. */
static inline void rnnc__pass_step(real *next, const real *prev, real *y, size_t H) {
    memcpy(next, prev, H * sizeof(real));
    memset(y, 0, H * sizeof(real));
}

/* Dense: x (N,F) -> y (N,O) = act(x W^T + b); W (O,F), b (O). y is kept for backward. */
void rnnc__dense_forward(const real *W, const real *b, int act, size_t N, size_t F, size_t O,
                         const real *x, real *y);
/* dy (N,O) -> dx (N,F) (+=, may be NULL), dW, db (+=; both NULL for a frozen layer); work (N,O)
 * (unused for a linear layer), colsum (O) scratch for the bias gradient. */
void rnnc__dense_backward(const real *W, int act, size_t N, size_t F, size_t O, const real *x,
                          const real *y, const real *dy, real *dx, real *dW, real *db, real *work,
                          double *colsum);

/* Embedding: ids (N) -> y (N,E) rows of W (V,E). Ids must be in [0,V) (checked by the caller). */
void rnnc__embedding_forward(const real *W, size_t E, size_t N, const int32_t *ids, real *y);
/* dW[id] += dy for every id except padding_idx (-1: none). */
void rnnc__embedding_backward(size_t E, size_t N, const int32_t *ids, int padding_idx,
                              const real *dy, real *dW);

/* Global pooling over time (mode: enum rnnc_pool): x (T,B,F) rows at the active steps -> y (B,F);
 * arg (B,F) keeps the step each max came from. dx (T,B,F) += the gradient of dy (B,F). */
void rnnc__pool_forward(int mode, size_t T, size_t B, size_t F, const real *x,
                        const unsigned char *active, real *y, int32_t *arg);
void rnnc__pool_backward(int mode, size_t T, size_t B, size_t F, const unsigned char *active,
                         const int32_t *arg, const real *dy, real *dx);

/* Inverted dropout: mask[i] = 0 with probability p, else 1/(1-p); y = x * mask. */
void rnnc__dropout_forward(rnnc_rng *rng, double p, size_t n, const real *x, real *y, real *mask);
/* dx += dy * mask. */
void rnnc__dropout_backward(size_t n, const real *mask, const real *dy, real *dx);

#endif
