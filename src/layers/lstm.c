/* LSTM cell as torch.nn.LSTM (Hochreiter & Schmidhuber 1997, with forget gate, Gers et al. 2000):
 *   (i, f, g, o) = (sigmoid, sigmoid, tanh, sigmoid)(W_ih x + b_ih + W_hh h + b_hh)  gate order i,f,g,o
 *   c' = f * c + i * g,   h' = o * tanh(c')
 * Forward and backward of the time loop; the shared parts are in recurrent.c. */
#include "layers.h"

#include <string.h>

/* One data row of a forward step: g (4H) holds the input projection and becomes the activated
 * gates; hh (4H) the recurrent product (used as scratch after); bi, bh b_ih, b_hh (4H); cp (H) the
 * previous cell state; cn, hn (H) the new states; y (H) the output. */
static RNNC_HOT void RN(forward_row)(size_t H, real *restrict g, real *restrict hh,
                                     const real *restrict bi, const real *restrict bh,
                                     const real *restrict cp,
                                     real *restrict cn, real *restrict hn, real *restrict y) {
    for (size_t k = 0; k < 4 * H; k++) g[k] = (g[k] + bi[k]) + (hh[k] + bh[k]);
    RN(rnnc__vsigmoid)(g, 2 * H);     /* i, f */
    RN(rnnc__vtanh)(g + 2 * H, H);    /* g */
    RN(rnnc__vsigmoid)(g + 3 * H, H); /* o */
    real *tc = hh; /* hh is consumed */
    for (size_t j = 0; j < H; j++) tc[j] = cn[j] = g[H + j] * cp[j] + g[j] * g[2 * H + j];
    RN(rnnc__vtanh)(tc, H);
    for (size_t j = 0; j < H; j++) y[j] = hn[j] = g[3 * H + j] * tc[j];
}

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
        const size_t rows = rnnc__rows_to_compute(d->active, t, B, d->b0, d->b1);
        RN(rnnc__gemm_packed)(rows, G, H, hp + d->b0 * H, H, d->whh_packed, 0, hh + d->b0 * G, G);
        for (size_t b = d->b0; b < d->b1; b++) {
            real *y = d->y + (t * B + b) * d->ldy;
            if (!d->active[t * B + b]) { /* padding: the state passes through unchanged */
                RN(rnnc__pass_step)(hn + b * H, hp + b * H, y, H);
                memcpy(cn + b * H, cp + b * H, H * sizeof(real));
                continue;
            }
            RN(forward_row)(H, gates + (t * B + b) * G, hh + b * G, w->b_ih, w->b_hh, cp + b * H,
                            cn + b * H, hn + b * H, y);
        }
    }
}

/* One data row of a backward step: the gate gradients dg (4H) from the activated gates g (4H),
 * tanh of the new cell state tc (H), the previous cell state cp (H) and the output gradient dy
 * (H); dc (H) carried to the previous step, dh (H) consumed (zeroed: the recurrent product
 * refills it). Separate, restrict-qualified arrays, so the loop is vectorized. */
static RNNC_HOT void RN(back_row)(size_t H, const real *restrict g, const real *restrict tc,
                                  const real *restrict cp, const real *restrict dy,
                                  real *restrict dh, real *restrict dc, real *restrict dg) {
    for (size_t j = 0; j < H; j++) {
        const real i = g[j], f = g[H + j], gg = g[2 * H + j], o = g[3 * H + j], t = tc[j];
        const real dht = R_FLUSH(dh[j] + dy[j]);
        const real dct = R_FLUSH(dc[j] + dht * o * (1 - t * t));
        dg[j] = R_FLUSH(dct * gg * i * (1 - i));
        dg[H + j] = R_FLUSH(dct * cp[j] * f * (1 - f));
        dg[2 * H + j] = R_FLUSH(dct * i * (1 - gg * gg));
        dg[3 * H + j] = R_FLUSH(dht * t * o * (1 - o));
        dc[j] = R_FLUSH(dct * f);
        dh[j] = 0;
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
            RN(back_row)(H, gt, tcs, cp + b * H, dyt, dh + b * H, dc + b * H, dgt);
        }
        /* dh += dg_t W_hh: padded rows of dg are zero and keep their carried dh */
        const size_t rows = rnnc__rows_to_compute(d->active, t, B, d->b0, d->b1);
        RN(rnnc__gemm_packed)(rows, H, G, dg + (t * B + d->b0) * G, G, d->whh_packed, 1,
                              dh + d->b0 * H, H);
    }
}
