/* IndRNN, the independently recurrent cell (Li, Li, Cook, Zhu & Gao 2018, "Independently Recurrent
 * Neural Network (IndRNN): Building A Longer and Deeper RNN"): each unit sees only its own past,
 *     h' = act(W_ih x + b_ih + w_hh * h + b_hh),   act = relu (the paper's) or tanh,
 * with w_hh a vector (H): weight_hh_l<k> is (H), the other parameters as torch.nn.RNN's. Since
 * no unit mixes with another through time, a unit's gradient through T steps is the product of
 * its own w_hh and activation slopes, which the paper bounds to keep long memories trainable
 * (constraints on |w_hh| are left to the user here). */
#include "layers.h"

#include <string.h>

/* cache: gates (T,B,H) (the input projection), Sh (T+1,B,H) */
static void indrnn_forward(const rnnc__cellw *w, const rnnc__dir *d, real *work) {
    (void)work;
    const size_t T = d->T, B = d->B, H = d->H, BH = B * H;
    const int relu = rnnc__cells[d->cell]->act == RNNC_ACT_RELU;
    real *gates = d->cache, *Sh = gates + T * BH;
    for (size_t s = 0; s < T; s++) {
        const size_t t = d->reverse ? T - 1 - s : s;
        const real *hp = Sh + rnnc__slot_before(d->reverse, t) * BH;
        real *hn = Sh + rnnc__slot_after(d->reverse, t) * BH;
        const size_t rows = rnnc__rows_to_compute(d->active, t, B, d->b0, d->b1);
        if (d->wih_packed) /* this step's input projection (small weights) */
            rnnc__gemm_packed(rows, H, d->I, d->x + (t * B + d->b0) * d->ldx, d->ldx, d->wih_packed,
                              0, gates + (t * B + d->b0) * H, H);
        for (size_t b = d->b0; b < d->b1; b++) {
            real *y = d->y + (t * B + b) * d->ldy;
            if (!d->active[t * B + b]) {
                rnnc__pass_step(hn + b * H, hp + b * H, y, H);
                continue;
            }
            const real *gt = gates + (t * B + b) * H, *hb = hp + b * H;
            real *hnb = hn + b * H;
            for (size_t j = 0; j < H; j++)
                hnb[j] = (gt[j] + w->b_ih[j]) + (w->w_hh[j] * hb[j] + w->b_hh[j]);
            if (relu)
                for (size_t j = 0; j < H; j++)
                    hnb[j] = hnb[j] > 0 ? hnb[j] : 0;
            else
                rnnc__vtanh(hnb, H);
            memcpy(y, hnb, H * sizeof(real));
        }
    }
}

/* Steps in reverse: the pre-activation gradient dg = act'(h) (dh + dy), and the gradient that
 * reaches the state before the step, dh = w_hh * dg; a padded step passes dh on unchanged. */
static void indrnn_backward(const rnnc__cellw *w, const rnnc__dir *d, const real *dy, size_t ldy,
                            const rnnc__cell_grads *gr, real *work) {
    (void)work;
    real *dh = gr->dh, *dg = gr->dg;
    const size_t T = d->T, B = d->B, H = d->H, BH = B * H;
    const int relu = rnnc__cells[d->cell]->act == RNNC_ACT_RELU;
    const real *Sh = d->cache + T * BH;
    for (size_t s = T; s-- > 0;) {
        const size_t t = d->reverse ? T - 1 - s : s;
        const real *hn = Sh + rnnc__slot_after(d->reverse, t) * BH;
        rnnc__note_dh(d, t, dh, dy, ldy);
        for (size_t b = d->b0; b < d->b1; b++) {
            real *dgt = dg + (t * B + b) * H;
            if (!d->active[t * B + b]) {
                memset(dgt, 0, H * sizeof(real));
                continue;
            }
            const real *dyt = dy + (t * B + b) * ldy, *h = hn + b * H;
            real *dhb = dh + b * H;
            for (size_t j = 0; j < H; j++) {
                const real dht = R_FLUSH(dhb[j] + dyt[j]);
                dgt[j] = relu ? (h[j] > 0 ? dht : 0) : R_FLUSH(dht * (1 - h[j] * h[j]));
                dhb[j] = R_FLUSH(w->w_hh[j] * dgt[j]);
            }
        }
    }
}

/* name, kind, act, gates, has_c, forget_gate, whh_diag, split_dgh, cache_hn, units_mode */
const rnnc__cell RNNC__CELL_ROW(indrnn_relu) = {
    "indrnn", RNNC_LAYER_INDRNN, RNNC_ACT_RELU,  1, 0, -1, 1, 0, 0,
    0,        indrnn_forward,    indrnn_backward};
const rnnc__cell RNNC__CELL_ROW(indrnn_tanh) = {
    "indrnn", RNNC_LAYER_INDRNN, RNNC_ACT_TANH,  1, 0, -1, 1, 0, 0,
    0,        indrnn_forward,    indrnn_backward};
