/* Elman RNN cell as torch.nn.RNN: h' = act(W_ih x + b_ih + W_hh h + b_hh), act = tanh or relu. */
#include "layers.h"

#include <string.h>

/* cache: gates (T,B,H) (the input projection), Sh (T+1,B,H) */
static void rnn_forward(const rnnc__cellw *w, const rnnc__dir *d, real *work) {
    const size_t T = d->T, B = d->B, H = d->H, BH = B * H;
    const int relu = rnnc__cells[d->cell]->act == RNNC_ACT_RELU;
    real *gates = d->cache, *Sh = gates + T * BH;
    real *hh = work; /* (B,H) */
    for (size_t s = 0; s < T; s++) {
        const size_t t = d->reverse ? T - 1 - s : s;
        const real *hp = Sh + rnnc__slot_before(d->reverse, t) * BH;
        real *hn = Sh + rnnc__slot_after(d->reverse, t) * BH;
        const size_t rows = rnnc__rows_to_compute(d->active, t, B, d->b0, d->b1);
        if (d->wih_packed) /* this step's input projection (small weights) */
            rnnc__gemm_packed(rows, H, d->I, d->x + (t * B + d->b0) * d->ldx, d->ldx, d->wih_packed,
                              0, gates + (t * B + d->b0) * H, H);
        rnnc__gemm_packed(rows, H, H, hp + d->b0 * H, H, d->whh_packed, 0, hh + d->b0 * H, H);
        for (size_t b = d->b0; b < d->b1; b++) {
            real *y = d->y + (t * B + b) * d->ldy;
            if (!d->active[t * B + b]) {
                rnnc__pass_step(hn + b * H, hp + b * H, y, H);
                continue;
            }
            const real *gt = gates + (t * B + b) * H, *hb = hh + b * H;
            real *hnb = hn + b * H;
            for (size_t j = 0; j < H; j++)
                hnb[j] = (gt[j] + w->b_ih[j]) + (hb[j] + w->b_hh[j]);
            if (relu)
                for (size_t j = 0; j < H; j++)
                    hnb[j] = hnb[j] > 0 ? hnb[j] : 0;
            else
                rnnc__vtanh(hnb, H);
            memcpy(y, hnb, H * sizeof(real));
        }
    }
}

/* One data row of a backward step: the pre-activation gradient dg (H) from the new state h (H)
 * and the output gradient dy (H); dh (H) consumed (the recurrent product refills it). */
static RNNC_HOT void back_row(size_t H, int relu, const real *restrict h, const real *restrict dy,
                              real *restrict dh, real *restrict dg) {
    for (size_t j = 0; j < H; j++) {
        const real dht = R_FLUSH(dh[j] + dy[j]);
        dg[j] = relu ? (h[j] > 0 ? dht : 0) : R_FLUSH(dht * (1 - h[j] * h[j]));
        dh[j] = 0;
    }
}

static void rnn_backward(const rnnc__cellw *w, const rnnc__dir *d, const real *dy, size_t ldy,
                         const rnnc__cell_grads *gr, real *work) {
    real *dh = gr->dh, *dg = gr->dg;
    (void)w; /* W_hh comes packed, in d->whh_packed */
    (void)work;
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
            const real *dyt = dy + (t * B + b) * ldy;
            back_row(H, relu, hn + b * H, dyt, dh + b * H, dgt);
        }
        const size_t rows = rnnc__rows_to_compute(d->active, t, B, d->b0, d->b1);
        rnnc__gemm_packed(rows, H, H, dg + t * BH + d->b0 * H, H, d->whh_packed, 1, dh + d->b0 * H,
                          H);
    }
}

/* name, kind, act, gates, has_c, forget_gate, whh_diag, split_dgh, cache_hn, units_mode */
const rnnc__cell RNNC__CELL_ROW(rnn_tanh) = {
    "rnn", RNNC_LAYER_RNN, RNNC_ACT_TANH, 1, 0, -1, 0, 0, 0, 0, rnn_forward, rnn_backward};
const rnnc__cell RNNC__CELL_ROW(rnn_relu) = {
    "rnn", RNNC_LAYER_RNN, RNNC_ACT_RELU, 1, 0, -1, 0, 0, 0, 0, rnn_forward, rnn_backward};
