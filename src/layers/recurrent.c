/* One direction of one recurrent layer: the machinery the RNN, LSTM and GRU cells share.
 *
 * Forward: the input projection of all T steps is one GEMM, gates (T*B,G) = x W_ih^T + b_ih,
 * before the time loop; the cell then adds h_{t-1} W_hh^T + b_hh step by step.
 * Backward: the cell walks the steps in reverse processing order producing the gate gradients
 * dg (T,B,G); afterwards dx, dW_ih, dW_hh are one GEMM each and the biases column sums.
 *
 * States live in Sh (T+1,B,H): forward direction h0 in slot 0 and the state after step t in slot
 * t+1; reverse direction h0 in slot T and the state after step t in slot t. Either way the states
 * before steps 0..T-1 are T contiguous slots (see rnnc__slot_before), so dW_hh is one GEMM too. */
#include "layers.h"

#include <string.h>

#ifndef RNNC_REAL_F64 /* size functions do not depend on the precision: define them once */
size_t rnnc__dir_cache_size(int cell, size_t T, size_t B, size_t H) {
    size_t G = (size_t)rnnc__cell_gates(cell) * H;
    size_t n = T * B * G + (T + 1) * B * H;
    if (cell == RNNC__CELL_LSTM) n += (T + 1) * B * H;
    if (cell == RNNC__CELL_GRU) n += T * B * H;
    return n;
}

size_t rnnc__dir_work_size(int cell, size_t T, size_t B, size_t H) {
    size_t G = (size_t)rnnc__cell_gates(cell) * H;
    size_t n = T * B * G + 2 * B * H + B * G;
    if (cell == RNNC__CELL_GRU) n += T * B * G;
    return n;
}
#endif

/* Copies a (B,H) initial state into its slot, or zeros. */
static void put_initial(real *slot, const real *s0, size_t B, size_t H) {
    if (s0)
        memcpy(slot, s0, B * H * sizeof(real));
    else
        memset(slot, 0, B * H * sizeof(real));
}

void RN(rnnc__dir_forward)(const RN(rnnc__cellw) *w, const RN(rnnc__dir) *d, real *hT, real *cT,
                           real *work) {
    const size_t T = d->T, B = d->B, H = d->H, BH = B * H;
    const size_t G = (size_t)rnnc__cell_gates(d->cell) * H;
    real *gates = d->cache;       /* (T,B,G) */
    real *Sh = gates + T * B * G; /* (T+1,B,H) */
    /* gates = b_ih broadcast, then += x W_ih^T */
    for (size_t r = 0; r < T * B; r++) memcpy(gates + r * G, w->b_ih, G * sizeof(real));
    RN(rnnc__gemm)(0, 1, T * B, G, d->I, 1, d->x, d->ldx, w->w_ih, d->I, 1, gates, G);
    const size_t h0slot = d->reverse ? T : 0, lastslot = d->reverse ? 0 : T;
    put_initial(Sh + h0slot * BH, d->h0, B, H);
    if (d->cell == RNNC__CELL_LSTM) {
        real *Sc = Sh + (T + 1) * BH;
        put_initial(Sc + h0slot * BH, d->c0, B, H);
        RN(rnnc__lstm_forward)(w, d, work);
        if (cT) memcpy(cT, Sc + lastslot * BH, BH * sizeof(real));
    } else if (d->cell == RNNC__CELL_GRU) {
        RN(rnnc__gru_forward)(w, d, work);
    } else {
        RN(rnnc__rnn_forward)(w, d, work);
    }
    if (hT) memcpy(hT, Sh + lastslot * BH, BH * sizeof(real));
}

/* db[j] += sum over rows of dg[:, j], accumulated in double, a block of columns at a time so the
 * rows are read in memory order. */
static void add_colsum(real *db, const real *dg, size_t rows, size_t G) {
    enum { BLOCK = 256 };
    double acc[BLOCK];
    for (size_t j0 = 0; j0 < G; j0 += BLOCK) {
        const size_t nj = G - j0 < BLOCK ? G - j0 : BLOCK;
        memset(acc, 0, sizeof acc);
        for (size_t r = 0; r < rows; r++) {
            const real *row = dg + r * G + j0;
            for (size_t j = 0; j < nj; j++) acc[j] += row[j];
        }
        for (size_t j = 0; j < nj; j++) db[j0 + j] += (real)acc[j];
    }
}

static void add_state(real *dst, const real *src, size_t n) {
    for (size_t i = 0; i < n; i++) dst[i] += src[i];
}

void RN(rnnc__dir_backward)(const RN(rnnc__cellw) *w, const RN(rnnc__dir) *d, const real *dy,
                            size_t ldy, const real *dhT, const real *dcT, real *dx, real *dh0,
                            real *dc0, const RN(rnnc__cellw) *g, real *work) {
    const size_t T = d->T, B = d->B, H = d->H, BH = B * H;
    const size_t G = (size_t)rnnc__cell_gates(d->cell) * H;
    real *dg = work;              /* (T,B,G) gradient of the gate pre-activations (input side) */
    real *dh = dg + T * B * G;    /* (B,H) gradient flowing into the state, carried back */
    real *dc = dh + BH;           /* (B,H) LSTM cell-state gradient */
    real *cellwork = dc + BH;     /* (B,G) */
    real *dgh = cellwork + B * G; /* (T,B,G) GRU: recurrent-side gate gradient */
    put_initial(dh, dhT, B, H);
    put_initial(dc, dcT, B, H);
    if (d->cell == RNNC__CELL_LSTM)
        RN(rnnc__lstm_backward)(w, d, dy, ldy, dh, dc, dg, cellwork);
    else if (d->cell == RNNC__CELL_GRU)
        RN(rnnc__gru_backward)(w, d, dy, ldy, dh, dg, dgh, cellwork);
    else
        RN(rnnc__rnn_backward)(w, d, dy, ldy, dh, dg, cellwork);
    if (d->cell != RNNC__CELL_GRU) dgh = dg; /* one pre-activation feeds both products */
    if (dh0) add_state(dh0, dh, BH);
    if (dc0 && d->cell == RNNC__CELL_LSTM) add_state(dc0, dc, BH);

    const real *Sh = d->cache + T * B * G;
    const real *hprev = Sh + (d->reverse ? BH : 0); /* (T,B,H): state before each step */
    if (dx) RN(rnnc__gemm)(0, 0, T * B, d->I, G, 1, dg, G, w->w_ih, d->I, 1, dx, d->ldx);
    RN(rnnc__gemm)(1, 0, G, d->I, T * B, 1, dg, G, d->x, d->ldx, 1, g->w_ih, d->I);
    RN(rnnc__gemm)(1, 0, G, H, T * B, 1, dgh, G, hprev, H, 1, g->w_hh, H);
    add_colsum(g->b_ih, dg, T * B, G);
    add_colsum(g->b_hh, dgh, T * B, G);
}
