/* GRU cell as torch.nn.GRU (Cho et al. 2014), gate order r,z,n, the reset gate applied after the
 * recurrent product:
 *   r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
 *   z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
 *   n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
 *   h' = (1 - z) * n + z * h                                                                  */
#include "layers.h"

#include <string.h>

/* One data row of a forward step: g (3H) holds the input projection and becomes r, z, n; hh (3H)
 * the recurrent product; bi, bh b_ih, b_hh (3H); hp (H) the previous state; hnc (H) keeps
 * W_hn h + b_hn for backward; hn, y (H) the new state and the output. */
static RNNC_HOT void forward_row(size_t H, real *restrict g, const real *restrict hh,
                                 const real *restrict bi, const real *restrict bh,
                                 const real *restrict hp, real *restrict hnc, real *restrict hn,
                                 real *restrict y) {
    for (size_t k = 0; k < 2 * H; k++)
        g[k] = (g[k] + bi[k]) + (hh[k] + bh[k]);
    rnnc__vsigmoid(g, 2 * H); /* r, z */
    for (size_t j = 0; j < H; j++) {
        hnc[j] = hh[2 * H + j] + bh[2 * H + j];
        g[2 * H + j] = (g[2 * H + j] + bi[2 * H + j]) + g[j] * hnc[j];
    }
    rnnc__vtanh(g + 2 * H, H); /* n */
    for (size_t j = 0; j < H; j++) {
        const real z = g[H + j];
        y[j] = hn[j] = (1 - z) * g[2 * H + j] + z * hp[j];
    }
}

/* cache: gates (T,B,3H) holding r,z,n after forward, Sh (T+1,B,H), hn (T,B,H) = W_hn h + b_hn */
static void gru_forward(const rnnc__cellw *w, const rnnc__dir *d, real *work) {
    const size_t T = d->T, B = d->B, H = d->H, G = 3 * H, BH = B * H;
    real *gates = d->cache, *Sh = gates + T * B * G, *HN = Sh + (T + 1) * BH;
    real *hh = work; /* (B,G) */
    for (size_t s = 0; s < T; s++) {
        const size_t t = d->reverse ? T - 1 - s : s;
        const real *hp = Sh + rnnc__slot_before(d->reverse, t) * BH;
        real *hn = Sh + rnnc__slot_after(d->reverse, t) * BH;
        const size_t rows = rnnc__rows_to_compute(d->active, t, B, d->b0, d->b1);
        if (d->wih_packed) /* this step's input projection (small weights) */
            rnnc__gemm_packed(rows, G, d->I, d->x + (t * B + d->b0) * d->ldx, d->ldx, d->wih_packed,
                              0, gates + (t * B + d->b0) * G, G);
        rnnc__gemm_packed(rows, G, H, hp + d->b0 * H, H, d->whh_packed, 0, hh + d->b0 * G, G);
        for (size_t b = d->b0; b < d->b1; b++) {
            real *y = d->y + (t * B + b) * d->ldy;
            if (!d->active[t * B + b]) {
                rnnc__pass_step(hn + b * H, hp + b * H, y, H);
                continue;
            }
            forward_row(H, gates + (t * B + b) * G, hh + b * G, w->b_ih, w->b_hh, hp + b * H,
                        HN + (t * B + b) * H, hn + b * H, y);
        }
    }
}

/* One data row of a backward step: from the activated gates g (3H), hn = W_hn h + b_hn (H), the
 * previous state hp (H) and the output gradient dy (H), the input-side and recurrent-side gate
 * gradients gi, gh (3H); dh (H) becomes the direct path dh * z (the recurrent product adds the
 * rest). Separate, restrict-qualified arrays, so the loop is vectorized. */
static RNNC_HOT void back_row(size_t H, const real *restrict g, const real *restrict hn,
                              const real *restrict hp, const real *restrict dy, real *restrict dh,
                              real *restrict gi, real *restrict gh) {
    for (size_t j = 0; j < H; j++) {
        const real r = g[j], z = g[H + j], n = g[2 * H + j];
        const real dht = R_FLUSH(dh[j] + dy[j]);
        const real dn = R_FLUSH(dht * (1 - z) * (1 - n * n));
        const real dz = R_FLUSH(dht * (hp[j] - n) * z * (1 - z));
        const real dr = R_FLUSH(dn * hn[j] * r * (1 - r));
        gi[j] = gh[j] = dr;
        gi[H + j] = gh[H + j] = dz;
        gi[2 * H + j] = dn;
        gh[2 * H + j] = R_FLUSH(dn * r);
        dh[j] = R_FLUSH(dht * z);
    }
}

/* dgi: gradient of the input-side pre-activations (W_i x + b_i); dgh: of the recurrent-side ones
 * (W_h h + b_h). They differ in the n block, where the recurrent part is scaled by r. */
static void gru_backward(const rnnc__cellw *w, const rnnc__dir *d, const real *dy, size_t ldy,
                         const rnnc__cell_grads *gr, real *work) {
    real *dh = gr->dh, *dgi = gr->dg, *dgh = gr->dgh;
    (void)w; /* W_hh comes packed, in d->whh_packed */
    (void)work;
    const size_t T = d->T, B = d->B, H = d->H, G = 3 * H, BH = B * H;
    const real *gates = d->cache, *Sh = gates + T * B * G, *HN = Sh + (T + 1) * BH;
    for (size_t s = T; s-- > 0;) {
        const size_t t = d->reverse ? T - 1 - s : s;
        const real *hp = Sh + rnnc__slot_before(d->reverse, t) * BH;
        rnnc__note_dh(d, t, dh, dy, ldy);
        for (size_t b = d->b0; b < d->b1; b++) {
            real *gi = dgi + (t * B + b) * G, *gh = dgh + (t * B + b) * G;
            if (!d->active[t * B + b]) {
                memset(gi, 0, G * sizeof(real));
                memset(gh, 0, G * sizeof(real));
                continue;
            }
            const real *gt = gates + (t * B + b) * G, *hnc = HN + (t * B + b) * H;
            const real *dyt = dy + (t * B + b) * ldy;
            back_row(H, gt, hnc, hp + b * H, dyt, dh + b * H, gi, gh);
        }
        const size_t rows = rnnc__rows_to_compute(d->active, t, B, d->b0, d->b1);
        rnnc__gemm_packed(rows, H, G, dgh + (t * B + d->b0) * G, G, d->whh_packed, 1,
                          dh + d->b0 * H, H);
    }
}

/* gates r,z,n; the reset gate multiplies the recurrent product of n, so the recurrent side has
 * its own gate gradient and n's product is cached */
const rnnc__cell RNNC__CELL_ROW(gru) = {"gru", RNNC_LAYER_GRU, -1,          3, 0, -1, 0, 1, 1,
                                        0,     gru_forward,    gru_backward};
