/* Stacked and bidirectional recurrent layers (see stack.h). Layer l > 0 reads the merged output
 * of layer l-1 (after dropout while training), as torch.nn.LSTM(num_layers, dropout,
 * bidirectional) does for concat. The backward direction of each layer starts at every
 * sequence's own last data step because padded steps pass its state through unchanged.
 *
 * weight_drop is DropConnect on the hidden-to-hidden weights (Wan et al. 2013), as AWD-LSTM's
 * WeightDrop applies it (Merity et al. 2017): while training, each forward draws one inverted
 * dropout mask per W_hh tensor and runs the cells on W_hh * mask, the same weights at every step
 * and for every sequence of the batch; backward multiplies the gradient at those weights by the
 * mask. Evaluation uses W_hh itself (the masks are scaled by 1/(1-p), so its expectation). */
#include "stack.h"

#include <stdlib.h>
#include <string.h>

static size_t out_size(const rnnc__stack *s) {
    return rnnc__stack_out_size(s->H, s->D, s->merge);
}

void rnnc__stack_free(rnnc__stack *s) {
    if (!s)
        return;
    for (size_t i = 0; i < 2 * RNNC__MAX_STACK; i++)
        free(s->cache[i]), free(s->whh[i]), free(s->whh_mask[i]);
    for (size_t l = 0; l < RNNC__MAX_STACK; l++) {
        if (s->merged[l] != s->dirout[l])
            free(s->merged[l]);
        free(s->dirout[l]);
        free(s->dropin[l]);
        free(s->mask[l]);
    }
    free(s->work), free(s->dA), free(s->dB), free(s->dtmp), free(s->dwhh);
    free(s->hT), free(s->cT), free(s->last), free(s->icache), free(s->dhs);
    s->dhs = NULL, s->dhs_cap = 0;
    memset(s->cache, 0, sizeof s->cache);
    memset(s->whh, 0, sizeof s->whh);
    memset(s->whh_mask, 0, sizeof s->whh_mask);
    memset(s->dirout, 0, sizeof s->dirout);
    memset(s->merged, 0, sizeof s->merged);
    memset(s->dropin, 0, sizeof s->dropin);
    memset(s->mask, 0, sizeof s->mask);
    s->work = s->dA = s->dB = s->dtmp = s->dwhh = s->hT = s->cT = s->last = s->icache = NULL;
    s->Tcap = s->Bcap = 0;
}

static rnnc_status alloc_real(real **p, size_t n) {
    return rnnc__calloc((void **)p, n, sizeof(real), "recurrent layer buffer");
}

rnnc_status rnnc__stack_reserve(rnnc__stack *s, size_t T, size_t B) {
    if (T <= s->Tcap && B <= s->Bcap)
        return RNNC_OK;
    T = T > s->Tcap ? T : s->Tcap;
    B = B > s->Bcap ? B : s->Bcap;
    rnnc__stack_free(s);
    const size_t H = s->H, D = s->D, O = out_size(s), TB = T * B;
    const size_t In = s->I > O ? s->I : O;
    const size_t GH = rnnc__whh_size(s->cell, H);
    for (size_t l = 0; l < s->L; l++) {
        for (size_t d = 0; d < D; d++) {
            RNNC_TRY(alloc_real(&s->cache[l * D + d], rnnc__dir_cache_size(s->cell, T, B, H)));
            if (s->weight_drop > 0) {
                RNNC_TRY(alloc_real(&s->whh[l * D + d], GH));
                RNNC_TRY(alloc_real(&s->whh_mask[l * D + d], GH));
            }
        }
        RNNC_TRY(alloc_real(&s->dirout[l], TB * D * H));
        if (s->merge == RNNC_MERGE_SUM && D == 2)
            RNNC_TRY(alloc_real(&s->merged[l], TB * O));
        else
            s->merged[l] = s->dirout[l];
        if (l + 1 < s->L && s->dropout > 0) {
            RNNC_TRY(alloc_real(&s->dropin[l], TB * O));
            RNNC_TRY(alloc_real(&s->mask[l], TB * O));
        }
    }
    RNNC_TRY(alloc_real(&s->work, rnnc__dir_work_size(s->cell, T, B, In, H)));
    RNNC_TRY(alloc_real(&s->dA, TB * In));
    RNNC_TRY(alloc_real(&s->dB, TB * In));
    RNNC_TRY(alloc_real(&s->dtmp, 2 * B * H));
    if (s->weight_drop > 0)
        RNNC_TRY(alloc_real(&s->dwhh, GH));
    RNNC_TRY(alloc_real(&s->hT, s->L * D * B * H));
    if (rnnc__cells[s->cell]->has_c)
        RNNC_TRY(alloc_real(&s->cT, s->L * D * B * H));
    RNNC_TRY(alloc_real(&s->last, B * O));
    s->irows = rnnc__infer_rows();
    RNNC_TRY(alloc_real(&s->icache, rnnc__dir_infer_cache_size(s->cell, T, B, H, s->irows)));
    s->Tcap = T, s->Bcap = B;
    return RNNC_OK;
}

static rnnc__dir dir_of(const rnnc__stack *s, size_t l, size_t d, const real *x) {
    rnnc__dir r;
    memset(&r, 0, sizeof r);
    r.cell = s->cell;
    r.T = s->T, r.B = s->B, r.H = s->H;
    r.I = l == 0 ? s->I : out_size(s);
    r.reverse = (int)d;
    r.active = s->active;
    r.x = x, r.ldx = r.I;
    r.y = s->dirout[l] + d * s->H, r.ldy = s->D * s->H;
    r.cache = s->cache[l * s->D + d];
    return r;
}

/* The weights direction k runs on: its own, or with the W_hh its last forward dropped. */
static rnnc__cellw weights_of(const rnnc__stack *s, size_t k) {
    rnnc__cellw w = s->w[k];
    if (s->wdropped)
        w.w_hh = s->whh[k];
    return w;
}

/* The input of layer l: the user's x for l = 0, else the previous layer's (dropped-out) output. */
static const real *layer_input(const rnnc__stack *s, size_t l, const real *x) {
    if (l == 0)
        return x;
    return s->dropped ? s->dropin[l - 1] : s->merged[l - 1];
}

const real *rnnc__stack_forward(rnnc__stack *s, size_t T, size_t B, const real *x,
                                const unsigned char *active, const real *h0, const real *c0,
                                int training, rnnc_rng *rng) {
    RNNC_ASSERT(T <= s->Tcap && B <= s->Bcap);
    const size_t H = s->H, D = s->D, O = out_size(s), BH = B * H;
    s->T = T, s->B = B, s->active = active;
    s->dropped = training && s->dropout > 0 && s->L > 1;
    s->wdropped = training && s->weight_drop > 0;
    const size_t GH = rnnc__whh_size(s->cell, H);
    for (size_t l = 0; l < s->L; l++) {
        const real *in = layer_input(s, l, x);
        for (size_t d = 0; d < D; d++) {
            rnnc__dir r = dir_of(s, l, d, in);
            const size_t k = l * D + d;
            r.h0 = h0 ? h0 + k * BH : NULL;
            r.c0 = c0 ? c0 + k * BH : NULL;
            if (s->wdropped)
                rnnc__dropout_forward(rng, s->weight_drop, GH, s->w[k].w_hh, s->whh[k],
                                      s->whh_mask[k]);
            const rnnc__cellw w = weights_of(s, k);
            real *hT = s->hT + k * BH, *cT = s->cT ? s->cT + k * BH : NULL;
            if (training) {
                rnnc__dir_forward(&w, &r, hT, cT, s->work);
            } else { /* no backward follows: one chunk of steps at a time, one cache for all */
                r.cache = s->icache;
                rnnc__dir_infer(&w, &r, hT, cT, s->work, s->irows);
            }
        }
        if (s->merged[l] != s->dirout[l]) /* sum of the two directions */
            for (size_t i = 0; i < T * B; i++)
                for (size_t j = 0; j < H; j++)
                    s->merged[l][i * H + j] =
                        s->dirout[l][i * 2 * H + j] + s->dirout[l][i * 2 * H + H + j];
        if (s->dropped && l + 1 < s->L)
            rnnc__dropout_forward(rng, s->dropout, T * B * O, s->merged[l], s->dropin[l],
                                  s->mask[l]);
    }
    if (s->return_sequences)
        return s->merged[s->L - 1];
    /* The last output is the final state of the top layer in each direction: the forward one at
     * each sequence's last data step, the backward one at its first. */
    const real *top = s->hT + (s->L - 1) * D * BH;
    for (size_t b = 0; b < B; b++)
        for (size_t j = 0; j < H; j++) {
            if (D == 1)
                s->last[b * O + j] = top[b * H + j];
            else if (s->merge == RNNC_MERGE_SUM)
                s->last[b * O + j] = top[b * H + j] + top[BH + b * H + j];
            else
                s->last[b * O + j] = top[b * H + j], s->last[b * O + H + j] = top[BH + b * H + j];
        }
    return s->last;
}

void rnnc__stack_backward(rnnc__stack *s, const real *x, const real *dout, const real *dhT,
                          const real *dcT, real *dx, real *dh0, real *dc0) {
    const size_t T = s->T, B = s->B, H = s->H, D = s->D, O = out_size(s), BH = B * H;
    real *dmerged = s->dA, *dnext = s->dB;
    /* gradient at the top layer's merged sequence output */
    if (s->return_sequences)
        memcpy(dmerged, dout, T * B * O * sizeof(real));
    else
        memset(dmerged, 0, T * B * O * sizeof(real));
    for (size_t l = s->L; l-- > 0;) {
        const real *in = layer_input(s, l, x);
        const size_t I = l == 0 ? s->I : O;
        real *dxl = l == 0 ? dx : dnext;
        if (l > 0)
            memset(dnext, 0, T * B * I * sizeof(real));
        for (size_t d = 0; d < D; d++) {
            rnnc__dir r = dir_of(s, l, d, in);
            const size_t k = l * D + d;
            r.dhs = s->dhs ? s->dhs + k * T * BH : NULL;
            const int sum = s->merge == RNNC_MERGE_SUM;
            const real *dy = sum ? dmerged : dmerged + d * H;
            const size_t ldy = sum ? H : D * H;
            /* gradient at this direction's final state: the caller's, plus the last output's */
            real *dh = s->dtmp, *dc = s->dtmp + BH;
            for (size_t i = 0; i < BH; i++)
                dh[i] = dhT ? dhT[k * BH + i] : 0;
            if (!s->return_sequences && l + 1 == s->L)
                for (size_t b = 0; b < B; b++)
                    for (size_t j = 0; j < H; j++)
                        dh[b * H + j] += dout[b * O + (sum ? 0 : d * H) + j];
            for (size_t i = 0; i < BH; i++)
                dc[i] = dcT ? dcT[k * BH + i] : 0;
            if (s->frozen && !dxl && !dh0 && !dc0)
                continue; /* nothing of this direction's backward is wanted */
            const rnnc__cellw w = weights_of(s, k);
            rnnc__cellw g = s->g[k];
            const size_t GH = rnnc__whh_size(s->cell, H);
            if (s->wdropped) { /* dW_hh lands in dwhh, then goes through the mask */
                g.w_hh = s->dwhh;
                memset(s->dwhh, 0, GH * sizeof(real));
            }
            rnnc__dir_backward(&w, &r, dy, ldy, dh, dc, dxl, dh0 ? dh0 + k * BH : NULL,
                               dc0 ? dc0 + k * BH : NULL, s->frozen ? NULL : &g, s->work);
            if (s->wdropped && !s->frozen)
                rnnc__dropout_backward(GH, s->whh_mask[k], s->dwhh, s->g[k].w_hh);
        }
        if (l > 0) {
            if (s->dropped)
                for (size_t i = 0; i < T * B * O; i++)
                    dnext[i] *= s->mask[l - 1][i];
            real *t = dmerged; /* dnext becomes the gradient at layer l-1's merged output */
            dmerged = dnext, dnext = t;
        }
    }
}
