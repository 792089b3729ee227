/* LSTM cell as torch.nn.LSTM (Hochreiter & Schmidhuber 1997, with forget gate, Gers et al. 2000):
 *   (i, f, g, o) = (sigmoid, sigmoid, tanh, sigmoid)(W_ih x + b_ih + W_hh h + b_hh)  gate order i,f,g,o
 *   c' = f * c + i * g,   h' = o * tanh(c')
 * Forward and backward of the time loop; the shared parts are in recurrent.c. */
#include "layers.h"

#include <string.h>

/* One data row of a forward step over n hidden units: g holds the input projection of the four
 * gates (blocks gs apart) and becomes the activated gates; hh the recurrent product (blocks hs
 * apart; used as scratch after); bi, bh b_ih, b_hh (blocks gs apart); cp (n) the previous cell
 * state; cn, hn (n) the new states; y (n) the output. Restrict-qualified, so it vectorizes. */
static RNNC_HOT void forward_row(size_t n, size_t gs, size_t hs, real *restrict g,
                                 real *restrict hh, const real *restrict bi,
                                 const real *restrict bh, const real *restrict cp,
                                 real *restrict cn, real *restrict hn, real *restrict y) {
    for (size_t q = 0; q < 4; q++)
        for (size_t j = 0; j < n; j++)
            g[q * gs + j] = (g[q * gs + j] + bi[q * gs + j]) + (hh[q * hs + j] + bh[q * gs + j]);
    rnnc__vsigmoid(g, n);          /* i */
    rnnc__vsigmoid(g + gs, n);     /* f */
    rnnc__vtanh(g + 2 * gs, n);    /* g */
    rnnc__vsigmoid(g + 3 * gs, n); /* o */
    real *tc = hh;                 /* hh is consumed */
    for (size_t j = 0; j < n; j++)
        tc[j] = cn[j] = g[gs + j] * cp[j] + g[j] * g[2 * gs + j];
    rnnc__vtanh(tc, n);
    for (size_t j = 0; j < n; j++)
        y[j] = hn[j] = g[3 * gs + j] * tc[j];
}

/* A thread's part of the time loop is rows [b0, b1) x units [u0, u1) (see recurrent.c: rows mode
 * takes all units of some rows, units mode some units of all rows). Its recurrent product goes
 * to hh (rows, 4 blocks of nu units): rows mode, one product with the shared packed W_hh^T;
 * units mode, one per gate with its own packed slice of W_hh^T, and the barrier closes each step
 * (every thread's next product reads all of this step's state).
 * cache: gates (T,B,4H) activated in place, Sh (T+1,B,H), Sc (T+1,B,H). */
static void lstm_forward(const rnnc__cellw *w, const rnnc__dir *d, real *work) {
    const size_t T = d->T, B = d->B, H = d->H, G = 4 * H, BH = B * H;
    const size_t u0 = d->u0, nu = d->u1 - d->u0, psz = rnnc__packed_size(H, nu);
    real *gates = d->cache, *Sh = gates + T * B * G, *Sc = Sh + (T + 1) * BH;
    real *hh = work + 4 * B * u0; /* (B, 4nu) rows of this thread */
    if (d->barrier && !d->skip_pack)
        for (size_t q = 0; q < 4; q++)
            rnnc__pack(1, H, nu, w->w_hh + (q * H + u0) * H, H, d->packed_own + q * psz);
    for (size_t s = 0; s < T; s++) {
        const size_t t = d->reverse ? T - 1 - s : s;
        const real *hp = Sh + rnnc__slot_before(d->reverse, t) * BH;
        const real *cp = Sc + rnnc__slot_before(d->reverse, t) * BH;
        real *hn = Sh + rnnc__slot_after(d->reverse, t) * BH;
        real *cn = Sc + rnnc__slot_after(d->reverse, t) * BH;
        const size_t rows = rnnc__rows_to_compute(d->active, t, B, d->b0, d->b1);
        if (d->wih_packed) /* this step's input projection (rows mode, small weights) */
            rnnc__gemm_packed(rows, G, d->I, d->x + (t * B + d->b0) * d->ldx, d->ldx, d->wih_packed,
                              0, gates + (t * B + d->b0) * G, G);
        if (d->barrier)
            rnnc__gemm_packed_n(rows, nu, H, hp, H, 4, d->packed_own, psz, 0, hh, nu, 4 * nu);
        else
            rnnc__gemm_packed(rows, G, H, hp + d->b0 * H, H, d->whh_packed, 0, hh + d->b0 * G, G);
        for (size_t b = d->b0; b < d->b1; b++) {
            real *y = d->y + (t * B + b) * d->ldy + u0;
            const size_t o = b * H + u0;
            if (!d->active[t * B + b]) { /* padding: the state passes through unchanged */
                rnnc__pass_step(hn + o, hp + o, y, nu);
                memcpy(cn + o, cp + o, nu * sizeof(real));
                continue;
            }
            forward_row(nu, H, nu, gates + (t * B + b) * G + u0, hh + b * 4 * nu, w->b_ih + u0,
                        w->b_hh + u0, cp + o, cn + o, hn + o, y);
        }
        if (d->barrier)
            rnnc__barrier_wait(d->barrier);
    }
}

/* One data row of a backward step over n hidden units: the gate gradients dg from the activated
 * gates g (both 4 blocks gs apart), tanh of the new cell state tc (n), the previous cell state cp
 * (n) and the output gradient dy (n); dc (n) carried to the previous step, dh (n) consumed
 * (zeroed: the recurrent product refills it). Restrict-qualified, so it vectorizes. */
static RNNC_HOT void back_row(size_t n, size_t gs, const real *restrict g, const real *restrict tc,
                              const real *restrict cp, const real *restrict dy, real *restrict dh,
                              real *restrict dc, real *restrict dg) {
    for (size_t j = 0; j < n; j++) {
        const real i = g[j], f = g[gs + j], gg = g[2 * gs + j], o = g[3 * gs + j], t = tc[j];
        const real dht = R_FLUSH(dh[j] + dy[j]);
        const real dct = R_FLUSH(dc[j] + dht * o * (1 - t * t));
        dg[j] = R_FLUSH(dct * gg * i * (1 - i));
        dg[gs + j] = R_FLUSH(dct * cp[j] * f * (1 - f));
        dg[2 * gs + j] = R_FLUSH(dct * i * (1 - gg * gg));
        dg[3 * gs + j] = R_FLUSH(dht * t * o * (1 - o));
        dc[j] = R_FLUSH(dct * f);
        dh[j] = 0;
    }
}

/* dh, dc (B,H): on entry the gradients at the final states, on return at the initial states.
 * dg (T,B,4H): gradients of the gate pre-activations (zero at padded steps). Threads split as in
 * forward; in units mode the barrier sits between a step's element-wise part and its product
 * dh += dg_t W_hh, which reads every unit's gate gradients. */
static void lstm_backward(const rnnc__cellw *w, const rnnc__dir *d, const real *dy, size_t ldy,
                          const rnnc__cell_grads *gr, real *work) {
    real *dh = gr->dh, *dc = gr->dc, *dg = gr->dg;
    const size_t T = d->T, B = d->B, H = d->H, G = 4 * H, BH = B * H;
    const size_t u0 = d->u0, nu = d->u1 - d->u0;
    const real *gates = d->cache, *Sh = gates + T * B * G, *Sc = Sh + (T + 1) * BH;
    if (d->barrier)
        rnnc__pack(0, G, nu, w->w_hh + u0, H, d->packed_own);
    for (size_t s = T; s-- > 0;) {
        const size_t t = d->reverse ? T - 1 - s : s;
        const real *cp = Sc + rnnc__slot_before(d->reverse, t) * BH;
        const real *cn = Sc + rnnc__slot_after(d->reverse, t) * BH;
        rnnc__note_dh(d, t, dh, dy, ldy);
        for (size_t b = d->b0; b < d->b1; b++) {
            real *dgt = dg + (t * B + b) * G + u0;
            if (!d->active[t * B + b]) { /* state passed through: dh, dc flow on unchanged */
                for (size_t q = 0; q < 4; q++)
                    memset(dgt + q * H, 0, nu * sizeof(real));
                continue;
            }
            const real *gt = gates + (t * B + b) * G + u0, *dyt = dy + (t * B + b) * ldy + u0;
            const size_t o = b * H + u0;
            real *tcs = work + B * u0 + b * nu; /* (nu) tanh(c'); work is (B,G) */
            memcpy(tcs, cn + o, nu * sizeof(real));
            rnnc__vtanh(tcs, nu);
            back_row(nu, H, gt, tcs, cp + o, dyt, dh + o, dc + o, dgt);
        }
        /* dh += dg_t W_hh: padded rows of dg are zero and keep their carried dh */
        const size_t rows = rnnc__rows_to_compute(d->active, t, B, d->b0, d->b1);
        if (d->barrier) {
            rnnc__barrier_wait(d->barrier);
            rnnc__gemm_packed(rows, nu, G, dg + t * B * G, G, d->packed_own, 1, dh + u0, H);
        } else {
            rnnc__gemm_packed(rows, H, G, dg + (t * B + d->b0) * G, G, d->whh_packed, 1,
                              dh + d->b0 * H, H);
        }
    }
}

/* gates i,f,g,o: the forget gate is block 1; a cell state; units mode for a large W_hh */
const rnnc__cell RNNC__CELL_ROW(lstm) = {"lstm", RNNC_LAYER_LSTM, -1,           4, 1, 1, 0, 0, 0,
                                         1,      lstm_forward,    lstm_backward};
