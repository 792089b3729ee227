/* Elman RNN cell as torch.nn.RNN: h' = act(W_ih x + b_ih + W_hh h + b_hh), act = tanh or relu. */
#include "layers.h"

#include <string.h>

/* cache: gates (T,B,H) (the input projection), Sh (T+1,B,H) */
void RN(rnnc__rnn_forward)(const RN(rnnc__cellw) *w, const RN(rnnc__dir) *d, real *work) {
    const size_t T = d->T, B = d->B, H = d->H, BH = B * H;
    const int relu = d->cell == RNNC__CELL_RNN_RELU;
    real *gates = d->cache, *Sh = gates + T * BH;
    real *hh = work; /* (B,H) */
    for (size_t s = 0; s < T; s++) {
        const size_t t = d->reverse ? T - 1 - s : s;
        const real *hp = Sh + rnnc__slot_before(d->reverse, t) * BH;
        real *hn = Sh + rnnc__slot_after(d->reverse, t) * BH;
        RN(rnnc__gemm)(0, 1, B, H, H, 1, hp, H, w->w_hh, H, 0, hh, H);
        for (size_t b = 0; b < B; b++) {
            real *y = d->y + (t * B + b) * d->ldy;
            if (!d->active[t * B + b]) {
                RN(rnnc__pass_step)(hn + b * H, hp + b * H, y, H);
                continue;
            }
            const real *gt = gates + (t * B + b) * H, *hb = hh + b * H;
            for (size_t j = 0; j < H; j++) {
                real a = gt[j] + hb[j] + w->b_hh[j];
                real h = relu ? (a > 0 ? a : 0) : R_TANH(a);
                hn[b * H + j] = h;
                y[j] = h;
            }
        }
    }
}

void RN(rnnc__rnn_backward)(const RN(rnnc__cellw) *w, const RN(rnnc__dir) *d, const real *dy,
                            size_t ldy, real *dh, real *dg, real *work) {
    (void)work;
    const size_t T = d->T, B = d->B, H = d->H, BH = B * H;
    const int relu = d->cell == RNNC__CELL_RNN_RELU;
    const real *Sh = d->cache + T * BH;
    for (size_t s = T; s-- > 0;) {
        const size_t t = d->reverse ? T - 1 - s : s;
        const real *hn = Sh + rnnc__slot_after(d->reverse, t) * BH;
        for (size_t b = 0; b < B; b++) {
            real *dgt = dg + (t * B + b) * H;
            if (!d->active[t * B + b]) {
                memset(dgt, 0, H * sizeof(real));
                continue;
            }
            const real *dyt = dy + (t * B + b) * ldy;
            for (size_t j = 0; j < H; j++) {
                real h = hn[b * H + j], dht = R_FLUSH(dh[b * H + j] + dyt[j]);
                dgt[j] = relu ? (h > 0 ? dht : 0) : R_FLUSH(dht * (1 - h * h));
                dh[b * H + j] = 0;
            }
        }
        RN(rnnc__gemm)(0, 0, B, H, H, 1, dg + t * BH, H, w->w_hh, H, 1, dh, H);
    }
}
