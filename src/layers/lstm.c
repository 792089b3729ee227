/* LSTM cell as torch.nn.LSTM (Hochreiter & Schmidhuber 1997, with forget gate, Gers et al. 2000):
 *   (i, f, g, o) = (sigmoid, sigmoid, tanh, sigmoid)(W_ih x + b_ih + W_hh h + b_hh)  gate order i,f,g,o
 *   c' = f * c + i * g,   h' = o * tanh(c')
 * Forward and backward of the time loop; the shared parts are in recurrent.c. */
#include "layers.h"

#include <string.h>

/* cache: gates (T,B,4H) activated in place, Sh (T+1,B,H), Sc (T+1,B,H) */
void RN(rnnc__lstm_forward)(const RN(rnnc__cellw) *w, const RN(rnnc__dir) *d, real *work) {
    const size_t T = d->T, B = d->B, H = d->H, G = 4 * H, BH = B * H;
    real *gates = d->cache, *Sh = gates + T * B * G, *Sc = Sh + (T + 1) * BH;
    real *hh = work; /* (B,G) */
    for (size_t s = 0; s < T; s++) {
        const size_t t = d->reverse ? T - 1 - s : s;
        const real *hp = Sh + rnnc__slot_before(d->reverse, t) * BH;
        const real *cp = Sc + rnnc__slot_before(d->reverse, t) * BH;
        real *hn = Sh + rnnc__slot_after(d->reverse, t) * BH;
        real *cn = Sc + rnnc__slot_after(d->reverse, t) * BH;
        RN(rnnc__gemm_packed)(d->b1 - d->b0, G, H, hp + d->b0 * H, H, d->whh_packed, 0,
                              hh + d->b0 * G, G);
        for (size_t b = d->b0; b < d->b1; b++) {
            real *y = d->y + (t * B + b) * d->ldy;
            if (!d->active[t * B + b]) { /* padding: the state passes through unchanged */
                RN(rnnc__pass_step)(hn + b * H, hp + b * H, y, H);
                memcpy(cn + b * H, cp + b * H, H * sizeof(real));
                continue;
            }
            real *gt = gates + (t * B + b) * G, *hb = hh + b * G;
            const real *bh = w->b_hh, *cpb = cp + b * H;
            real *cnb = cn + b * H, *hnb = hn + b * H, *tc = hb; /* hb is consumed first */
            for (size_t k = 0; k < G; k++) gt[k] += hb[k] + bh[k];
            RN(rnnc__vsigmoid)(gt, 2 * H); /* i, f */
            RN(rnnc__vtanh)(gt + 2 * H, H); /* g */
            RN(rnnc__vsigmoid)(gt + 3 * H, H); /* o */
            for (size_t j = 0; j < H; j++) tc[j] = cnb[j] = gt[H + j] * cpb[j] + gt[j] * gt[2 * H + j];
            RN(rnnc__vtanh)(tc, H);
            for (size_t j = 0; j < H; j++) y[j] = hnb[j] = gt[3 * H + j] * tc[j];
        }
    }
}

/* dh, dc (B,H): on entry the gradients at the final states, on return at the initial states.
 * dg (T,B,4H): gradients of the gate pre-activations (zero at padded steps). */
void RN(rnnc__lstm_backward)(const RN(rnnc__cellw) *w, const RN(rnnc__dir) *d, const real *dy,
                             size_t ldy, real *dh, real *dc, real *dg, real *work) {
    (void)w; /* W_hh comes packed, in d->whh_packed */
    const size_t T = d->T, B = d->B, H = d->H, G = 4 * H, BH = B * H;
    const real *gates = d->cache, *Sh = gates + T * B * G, *Sc = Sh + (T + 1) * BH;
    for (size_t s = T; s-- > 0;) {
        const size_t t = d->reverse ? T - 1 - s : s;
        const real *cp = Sc + rnnc__slot_before(d->reverse, t) * BH;
        const real *cn = Sc + rnnc__slot_after(d->reverse, t) * BH;
        for (size_t b = d->b0; b < d->b1; b++) {
            real *dgt = dg + (t * B + b) * G;
            if (!d->active[t * B + b]) { /* state passed through: dh, dc flow on unchanged */
                memset(dgt, 0, G * sizeof(real));
                continue;
            }
            const real *gt = gates + (t * B + b) * G, *dyt = dy + (t * B + b) * ldy;
            real *tcs = work + b * H; /* (H) tanh(c'); work is (B,G) */
            memcpy(tcs, cn + b * H, H * sizeof(real));
            RN(rnnc__vtanh)(tcs, H);
            for (size_t j = 0; j < H; j++) {
                real i = gt[j], f = gt[H + j], g = gt[2 * H + j], o = gt[3 * H + j];
                real tc = tcs[j];
                real dht = R_FLUSH(dh[b * H + j] + dyt[j]);
                real dct = R_FLUSH(dc[b * H + j] + dht * o * (1 - tc * tc));
                dgt[j] = R_FLUSH(dct * g * i * (1 - i));
                dgt[H + j] = R_FLUSH(dct * cp[b * H + j] * f * (1 - f));
                dgt[2 * H + j] = R_FLUSH(dct * i * (1 - g * g));
                dgt[3 * H + j] = R_FLUSH(dht * tc * o * (1 - o));
                dc[b * H + j] = R_FLUSH(dct * f);
                dh[b * H + j] = 0; /* consumed; the recurrent product below refills it */
            }
        }
        /* dh += dg_t W_hh: padded rows of dg are zero and keep their carried dh */
        RN(rnnc__gemm_packed)(d->b1 - d->b0, H, G, dg + (t * B + d->b0) * G, G, d->whh_packed, 1,
                              dh + d->b0 * H, H);
    }
}
