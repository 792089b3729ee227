/* The decoder layer of an encoder-decoder with attention (see decoder.h). */
#include "decoder.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rnnc__decoder {
    rnnc_layer_spec spec;
    int cell; /* the decoder's row in rnnc__cells */
    size_t H, L, V, E, G, I0, Hk, A, nin;
    int attention, input_feed, bridge;
    /* the parameters' offsets in the model's arena */
    size_t emb, wih[RNNC__MAX_STACK], whh[RNNC__MAX_STACK], bih[RNNC__MAX_STACK],
        bhh[RNNC__MAX_STACK], Wc, bc, Wo, bo, Wa, ba, Ua, bu, Va, bv, Wbh, bbh, Wbc, bbc;
    /* the last forward's batch and its inputs */
    size_t S, T, B, capS, capT, capB;
    const real *params;  /* the arena of the last forward */
    const real *keys;    /* (S,B,Hk) */
    const real *keys_in; /* the keys of the last forward or begin (a conditioned bridge) */
    const unsigned char *active;
    int enc_c; /* every encoder layer has a cell state */
    /* buffers, grown to the largest batch seen */
    int32_t *tgt;        /* (T,B) */
    unsigned char *ones; /* (B) */
    real *x0;            /* (T,B,I0) */
    real *hs, *cs;       /* (T,L,B,H): each layer's state after each step */
    real *h0, *c0;       /* (L,B,H) initial states */
    real *caches;        /* (T,L,cache_n) */
    size_t cache_n;
    real *ctx, *cat, *ht; /* (T,B,Hk), (T,B,Hk+H), (T,B,H) */
    real *logits, *wts;   /* (T,B,V), (T,B,S) */
    real *proj, *dproj;
    real *sin_h, *sin_c, *bout_h; /* (B,nin), (B,nin), (B,L*H) */
    real *work, *dbuf;
    size_t work_n, dbuf_n;
    double *colsum;
    /* decoding (rnnc__decoder_begin / _step): R = B*K rows, sentence b's beams in rows b*K.. */
    size_t dR, dK;
    real *rkeys, *rproj;       /* (S,R,Hk), the keys' projection for the rows */
    unsigned char *ractive;    /* (S,R) */
    unsigned char *rones;      /* (R) */
    real *rh, *rc, *rh2, *rc2; /* (L,R,H) states, and room to reorder them */
    real *rfeed, *rfeed2;      /* (R,H) the last attentional state */
    real *rx0, *ry, *rcache;   /* (R,I0), (R,H), one step's cache */
    real *rctx, *rcat, *rht;   /* (R,Hk), (R,Hk+H), (R,H) */
    real *rwts, *rlogits, *rwork;
    size_t rwork_n;
};

/* The offset of parameter <layer>.<name> in the plan (the plan has made it). */
static size_t offset_of(const rnnc__plan *p, int layer, const char *name) {
    char full[RNNC_NAME_MAX + 64];
    snprintf(full, sizeof full, "%s.%s", p->layer[layer].name, name);
    const int i = rnnc__plan_find(p, full);
    RNNC_ASSERT(i >= 0);
    return p->params[i].offset;
}

rnnc_status rnnc__decoder_create(const rnnc_config *cfg, const rnnc__plan *plan, int layer,
                                 rnnc__decoder **out) {
    *out = NULL;
    rnnc__decoder *d;
    RNNC_TRY(rnnc__calloc((void **)&d, 1, sizeof *d, "decoder"));
    const rnnc_layer_spec *s = &cfg->layers[layer];
    d->spec = *s;
    d->cell = rnnc__cell_find(s->cell, 0);
    d->H = (size_t)s->hidden, d->L = (size_t)s->layers, d->V = (size_t)s->vocab;
    d->E = (size_t)s->dim, d->G = (size_t)rnnc__cell_gates(d->cell) * d->H;
    d->I0 = d->E + (s->input_feed ? d->H : 0);
    d->Hk = plan->layer[layer].in;
    d->A = s->attention_size ? (size_t)s->attention_size : d->H;
    d->nin = rnnc__plan_bridge_in(cfg, layer);
    d->attention = s->attention, d->input_feed = s->input_feed, d->bridge = s->bridge;
    d->emb = offset_of(plan, layer, "embedding.weight");
    for (size_t l = 0; l < d->L; l++) {
        char n[40];
        snprintf(n, sizeof n, "rnn.weight_ih_l%zu", l);
        d->wih[l] = offset_of(plan, layer, n);
        snprintf(n, sizeof n, "rnn.weight_hh_l%zu", l);
        d->whh[l] = offset_of(plan, layer, n);
        snprintf(n, sizeof n, "rnn.bias_ih_l%zu", l);
        d->bih[l] = offset_of(plan, layer, n);
        snprintf(n, sizeof n, "rnn.bias_hh_l%zu", l);
        d->bhh[l] = offset_of(plan, layer, n);
    }
    if (d->attention != RNNC_ATTN_DOT)
        d->Wa = offset_of(plan, layer, "attention.Wa.weight");
    if (d->attention == RNNC_ATTN_ADDITIVE) {
        d->ba = offset_of(plan, layer, "attention.Wa.bias");
        d->Ua = offset_of(plan, layer, "attention.Ua.weight");
        d->bu = offset_of(plan, layer, "attention.Ua.bias");
        d->Va = offset_of(plan, layer, "attention.Va.weight");
        d->bv = offset_of(plan, layer, "attention.Va.bias");
    }
    d->Wc = offset_of(plan, layer, "concat.weight");
    d->bc = offset_of(plan, layer, "concat.bias");
    d->Wo = s->tie_weights ? d->emb : offset_of(plan, layer, "out.weight");
    d->bo = offset_of(plan, layer, "out.bias");
    if (d->bridge == RNNC_BRIDGE_LINEAR) {
        d->Wbh = offset_of(plan, layer, "bridge.h.weight");
        d->bbh = offset_of(plan, layer, "bridge.h.bias");
        if (rnnc__cells[d->cell]->has_c) {
            d->Wbc = offset_of(plan, layer, "bridge.c.weight");
            d->bbc = offset_of(plan, layer, "bridge.c.bias");
        }
    }
    *out = d;
    return RNNC_OK;
}

static void free_buffers(rnnc__decoder *d) {
    free(d->tgt), free(d->ones), free(d->x0), free(d->hs), free(d->cs), free(d->h0), free(d->c0);
    free(d->caches), free(d->ctx), free(d->cat), free(d->ht), free(d->logits), free(d->wts);
    free(d->proj), free(d->dproj), free(d->sin_h), free(d->sin_c), free(d->bout_h);
    free(d->work), free(d->dbuf), free(d->colsum);
    d->tgt = NULL;
}

static void free_decoding(rnnc__decoder *d) {
    free(d->rkeys), free(d->rproj), free(d->ractive), free(d->rones), free(d->rh), free(d->rc);
    free(d->rh2), free(d->rc2), free(d->rfeed), free(d->rfeed2), free(d->rx0), free(d->ry);
    free(d->rcache), free(d->rctx), free(d->rcat), free(d->rht), free(d->rwts), free(d->rlogits);
    free(d->rwork);
    d->rkeys = NULL, d->dR = 0;
}

void rnnc__decoder_free(rnnc__decoder *d) {
    if (!d)
        return;
    free_decoding(d);
    free_buffers(d);
    free(d);
}

/* Buffers for a batch of S source steps, T target steps and B sequences; grows only. */
static rnnc_status reserve(rnnc__decoder *d, size_t S, size_t T, size_t B) {
    if (d->tgt && S <= d->capS && T <= d->capT && B <= d->capB)
        return RNNC_OK;
    free_buffers(d);
    S = S > d->capS ? S : d->capS, T = T > d->capT ? T : d->capT, B = B > d->capB ? B : d->capB;
    const size_t H = d->H, L = d->L, V = d->V, Hk = d->Hk;
    d->cache_n = rnnc__dir_cache_size(d->cell, 1, B, H);
    size_t wn = rnnc__dir_work_size(d->cell, 1, B, d->I0 > H ? d->I0 : H, H);
    const rnnc__attn sizes = {d->attention, S, B, Hk, H, d->A, NULL, 0, NULL, NULL};
    const size_t an = rnnc__attn_work_size(&sizes);
    wn = wn > an ? wn : an;
    const size_t rows[] = {B * V, B * L * H, B * (Hk + H)}; /* the dense layers' backward */
    for (int i = 0; i < 3; i++)
        wn = wn > rows[i] ? wn : rows[i];
    d->work_n = wn;
    d->dbuf_n = B * (3 * L * H + 8 * H + 2 * (Hk + H) + 2 * d->I0 + d->E + 4 * d->nin + 2 * L * H) +
                T * B * H; /* the output layer's gradient at every step's h~ */
    const size_t P = S * B * (d->attention == RNNC_ATTN_ADDITIVE ? d->A : H);
    size_t col = V > Hk + H ? V : Hk + H;
    col = col > L * H ? col : L * H;
    d->tgt = malloc(T * B * sizeof *d->tgt);
    d->ones = malloc(B);
    d->x0 = malloc(T * B * d->I0 * sizeof(real));
    d->hs = malloc(T * L * B * H * sizeof(real)), d->cs = malloc(T * L * B * H * sizeof(real));
    d->h0 = malloc(L * B * H * sizeof(real)), d->c0 = malloc(L * B * H * sizeof(real));
    d->caches = malloc(T * L * d->cache_n * sizeof(real));
    d->ctx = malloc(T * B * Hk * sizeof(real)), d->cat = malloc(T * B * (Hk + H) * sizeof(real));
    d->ht = malloc(T * B * H * sizeof(real)), d->logits = malloc(T * B * V * sizeof(real));
    d->wts = malloc(T * B * S * sizeof(real));
    d->proj = malloc((P + 1) * sizeof(real)), d->dproj = malloc((P + 1) * sizeof(real));
    d->sin_h = malloc((B * d->nin + 1) * sizeof(real));
    d->sin_c = malloc((B * d->nin + 1) * sizeof(real));
    d->bout_h = malloc(B * L * H * sizeof(real));
    d->work = malloc(d->work_n * sizeof(real)), d->dbuf = malloc(d->dbuf_n * sizeof(real));
    d->colsum = malloc(col * sizeof(double));
    if (!d->tgt || !d->ones || !d->x0 || !d->hs || !d->cs || !d->h0 || !d->c0 || !d->caches ||
        !d->ctx || !d->cat || !d->ht || !d->logits || !d->wts || !d->proj || !d->dproj ||
        !d->sin_h || !d->sin_c || !d->bout_h || !d->work || !d->dbuf || !d->colsum) {
        free_buffers(d);
        return RNNC_FAIL(RNNC_ERR_NOMEM, "decoder: out of memory for a batch of %zu x %zu", T, B);
    }
    d->capS = S, d->capT = T, d->capB = B;
    memset(d->ones, 1, B);
    return RNNC_OK;
}

static rnnc__cellw weights(const rnnc__decoder *d, const real *base, size_t l) {
    rnnc__cellw w = {(real *)base + d->wih[l], (real *)base + d->whh[l], (real *)base + d->bih[l],
                     (real *)base + d->bhh[l]};
    return w;
}

static rnnc__attn_w attn_views(const rnnc__decoder *d, const real *base) {
    rnnc__attn_w w = {0};
    if (d->attention >= RNNC_ATTN_GENERAL)
        w.Wa = (real *)base + d->Wa;
    if (d->attention == RNNC_ATTN_ADDITIVE) {
        w.ba = (real *)base + d->ba, w.Ua = (real *)base + d->Ua, w.bu = (real *)base + d->bu;
        w.Va = (real *)base + d->Va, w.bv = (real *)base + d->bv;
    }
    return w;
}

static rnnc__attn attention(const rnnc__decoder *d) {
    rnnc__attn a = {d->attention, d->S,    d->B,  d->Hk,     d->H,
                    d->A,         d->keys, d->Hk, d->active, d->proj};
    return a;
}

/* The state of layer l after step t (t = -1: the initial state), h or c. */
static real *state(const rnnc__decoder *d, int c, long t, size_t l) {
    const size_t BH = d->B * d->H;
    if (t < 0)
        return (c ? d->c0 : d->h0) + l * BH;
    return (c ? d->cs : d->hs) + ((size_t)t * d->L + l) * BH;
}

/* Layer l's direction record at step t. */
static rnnc__dir dir_at(const rnnc__decoder *d, size_t t, size_t l) {
    const int has_c = rnnc__cells[d->cell]->has_c;
    rnnc__dir r;
    memset(&r, 0, sizeof r);
    r.cell = d->cell, r.T = 1, r.B = d->B, r.I = l ? d->H : d->I0, r.H = d->H, r.reverse = 0;
    r.active = d->ones;
    r.x = l ? state(d, 0, (long)t, l - 1) : d->x0 + t * d->B * d->I0;
    r.ldx = r.I;
    r.y = state(d, 0, (long)t, l), r.ldy = d->H;
    r.h0 = state(d, 0, (long)t - 1, l);
    r.c0 = has_c ? state(d, 1, (long)t - 1, l) : NULL;
    r.cache = d->caches + (t * d->L + l) * d->cache_n;
    r.b0 = 0, r.b1 = d->B;
    return r;
}

/* The encoder's final states concatenated per sequence into in (B,nin): its recurrent layers in
 * order, each's LD slices in order (c: the cell states). */
static void gather_states(const rnnc__decoder *d, const rnnc__enc_state *enc, int n_enc, int c,
                          real *in) {
    size_t at = 0;
    for (int k = 0; k < n_enc; k++) {
        const rnnc__enc_state *e = &enc[k];
        const real *s = c ? e->c : e->h;
        for (size_t ld = 0; ld < e->LD; ld++, at += e->He)
            for (size_t b = 0; b < d->B; b++)
                memcpy(in + b * d->nin + at, s + (ld * d->B + b) * e->He, e->He * sizeof(real));
    }
}

/* The decoder's initial states from the encoder's final states. */
static void bridge_forward(rnnc__decoder *d, const real *p, const rnnc__enc_state *enc, int n_enc) {
    const size_t B = d->B, H = d->H, L = d->L, BH = B * H;
    const int dec_c = rnnc__cells[d->cell]->has_c;
    memset(d->h0, 0, L * BH * sizeof(real));
    memset(d->c0, 0, L * BH * sizeof(real));
    if (d->bridge == RNNC_BRIDGE_NONE)
        return;
    if (n_enc == 0) { /* a conditioned decoder: the mean of the input over its data steps */
        for (size_t b = 0; b < B; b++) {
            real *v = d->sin_h + b * d->nin;
            size_t cnt = 0;
            memset(v, 0, d->nin * sizeof(real));
            for (size_t s = 0; s < d->S; s++)
                if (d->active[s * B + b]) {
                    const real *k = d->keys_in + (s * B + b) * d->Hk;
                    for (size_t i = 0; i < d->nin; i++)
                        v[i] += k[i];
                    cnt++;
                }
            for (size_t i = 0; cnt && i < d->nin; i++)
                v[i] /= (real)cnt;
        }
    }
    gather_states(d, enc, n_enc, 0, d->sin_h);
    if (d->enc_c)
        gather_states(d, enc, n_enc, 1, d->sin_c);
    if (d->bridge == RNNC_BRIDGE_COPY) { /* layer l, sequence b: [fwd_l; bwd_l] */
        const size_t He = enc[0].He, D = H / He;
        for (size_t l = 0; l < L; l++)
            for (size_t b = 0; b < B; b++)
                for (size_t k = 0; k < D; k++) {
                    const size_t from = b * d->nin + (l * D + k) * He, to = l * BH + b * H + k * He;
                    memcpy(d->h0 + to, d->sin_h + from, He * sizeof(real));
                    if (dec_c && d->enc_c)
                        memcpy(d->c0 + to, d->sin_c + from, He * sizeof(real));
                }
        return;
    }
    /* linear: (B, L*H) = tanh(sin_h Wbh^T + bbh), and for an LSTM c = sin_c' Wbc^T + bbc */
    rnnc__dense_forward(p + d->Wbh, p + d->bbh, RNNC_ACT_TANH, B, d->nin, L * H, d->sin_h,
                        d->bout_h);
    for (size_t l = 0; l < L; l++)
        for (size_t b = 0; b < B; b++)
            memcpy(d->h0 + l * BH + b * H, d->bout_h + b * L * H + l * H, H * sizeof(real));
    if (dec_c) {
        real *cout = d->work;
        rnnc__dense_forward(p + d->Wbc, p + d->bbc, RNNC_ACT_LINEAR, B, d->nin, L * H,
                            d->enc_c ? d->sin_c : d->sin_h, cout);
        for (size_t l = 0; l < L; l++)
            for (size_t b = 0; b < B; b++)
                memcpy(d->c0 + l * BH + b * H, cout + b * L * H + l * H, H * sizeof(real));
    }
}

rnnc_status rnnc__decoder_forward(rnnc__decoder *d, const real *params, const real *keys,
                                  const unsigned char *active, size_t S, size_t B,
                                  const rnnc__enc_state *enc, int n_enc, size_t T,
                                  const int32_t *ids, double teacher, rnnc_rng *rng) {
    const size_t H = d->H, E = d->E, V = d->V, Hk = d->Hk;
    RNNC_TRY(reserve(d, S, T, B));
    d->S = S, d->T = T, d->B = B, d->params = params, d->keys = keys, d->active = active;
    d->keys_in = keys;
    d->enc_c = n_enc > 0;
    for (int k = 0; k < n_enc; k++)
        d->enc_c &= enc[k].c != NULL;
    memcpy(d->tgt, ids, T * B * sizeof *d->tgt);
    const rnnc__attn a = attention(d);
    const rnnc__attn_w aw = attn_views(d, params);
    rnnc__attn_prepare(&a, &aw);
    bridge_forward(d, params, enc, n_enc);
    for (size_t t = 0; t < T; t++) {
        real *x0 = d->x0 + t * B * d->I0;
        for (size_t j = 0; t > 0 && rng && j < B; j++) /* scheduled sampling */
            if (rnnc_rng_uniform(rng) >= teacher) {
                const real *lg = d->logits + ((t - 1) * B + j) * V;
                int32_t best = 0;
                for (size_t v = 1; v < V; v++)
                    best = lg[v] > lg[best] ? (int32_t)v : best;
                d->tgt[t * B + j] = best;
            }
        for (size_t j = 0; j < B; j++) {
            memcpy(x0 + j * d->I0, params + d->emb + (size_t)d->tgt[t * B + j] * E,
                   E * sizeof(real));
            if (d->input_feed && t == 0)
                memset(x0 + j * d->I0 + E, 0, H * sizeof(real));
            else if (d->input_feed)
                memcpy(x0 + j * d->I0 + E, d->ht + ((t - 1) * B + j) * H, H * sizeof(real));
        }
        for (size_t l = 0; l < d->L; l++) {
            const rnnc__dir r = dir_at(d, t, l);
            const rnnc__cellw w = weights(d, params, l);
            rnnc__dir_forward(&w, &r, NULL, r.c0 ? state(d, 1, (long)t, l) : NULL, d->work);
        }
        const real *q = state(d, 0, (long)t, d->L - 1);
        real *ctx = d->ctx + t * B * Hk, *cat = d->cat + t * B * (Hk + H);
        rnnc__attn_forward(&a, &aw, q, d->wts + t * B * S, ctx, d->work);
        for (size_t j = 0; j < B; j++) {
            memcpy(cat + j * (Hk + H), ctx + j * Hk, Hk * sizeof(real));
            memcpy(cat + j * (Hk + H) + Hk, q + j * H, H * sizeof(real));
        }
        real *ht = d->ht + t * B * H;
        rnnc__dense_forward(params + d->Wc, params + d->bc, RNNC_ACT_TANH, B, Hk + H, H, cat, ht);
        if (rng) /* scheduled sampling reads this step's logits at the next */
            rnnc__dense_forward(params + d->Wo, params + d->bo, RNNC_ACT_LINEAR, B, H, V, ht,
                                d->logits + t * B * V);
    }
    if (!rng) /* the output layer of every step at once (the same bits row by row) */
        rnnc__dense_forward(params + d->Wo, params + d->bo, RNNC_ACT_LINEAR, T * B, H, V, d->ht,
                            d->logits);
    return RNNC_OK;
}

const real *rnnc__decoder_logits(const rnnc__decoder *d) {
    return d->logits;
}

const real *rnnc__decoder_weights(const rnnc__decoder *d) {
    return d->wts;
}

size_t rnnc__decoder_source_steps(const rnnc__decoder *d) {
    return d->S;
}

/* The bridge's backward: the initial states' gradients dh0, dc0 (L,B,H) to the encoder's final
 * states (written into enc[k].dh, .dc) and to the bridge's weights. */
static void bridge_backward(rnnc__decoder *d, real *grads, const real *dh0, const real *dc0,
                            const rnnc__enc_state *enc, int n_enc, real *buf, real *dkeys) {
    const real *p = d->params;
    const size_t B = d->B, H = d->H, L = d->L, BH = B * H, N = d->nin;
    const int dec_c = rnnc__cells[d->cell]->has_c;
    real *din_h = buf, *din_c = buf + B * N, *dout = din_c + B * N;
    memset(din_h, 0, 2 * B * N * sizeof(real));
    if (d->bridge == RNNC_BRIDGE_COPY) {
        const size_t He = enc[0].He, D = H / He;
        for (size_t l = 0; l < L; l++)
            for (size_t b = 0; b < B; b++)
                for (size_t k = 0; k < D; k++) {
                    const size_t to = b * N + (l * D + k) * He, from = l * BH + b * H + k * He;
                    memcpy(din_h + to, dh0 + from, He * sizeof(real));
                    if (dec_c && d->enc_c)
                        memcpy(din_c + to, dc0 + from, He * sizeof(real));
                }
    } else if (d->bridge == RNNC_BRIDGE_LINEAR) {
        for (size_t l = 0; l < L; l++)
            for (size_t b = 0; b < B; b++)
                memcpy(dout + b * L * H + l * H, dh0 + l * BH + b * H, H * sizeof(real));
        rnnc__dense_backward(p + d->Wbh, RNNC_ACT_TANH, B, N, L * H, d->sin_h, d->bout_h, dout,
                             din_h, grads + d->Wbh, grads + d->bbh, d->work, d->colsum);
        if (dec_c) {
            for (size_t l = 0; l < L; l++)
                for (size_t b = 0; b < B; b++)
                    memcpy(dout + b * L * H + l * H, dc0 + l * BH + b * H, H * sizeof(real));
            rnnc__dense_backward(
                p + d->Wbc, RNNC_ACT_LINEAR, B, N, L * H, d->enc_c ? d->sin_c : d->sin_h, NULL,
                dout, d->enc_c ? din_c : din_h, grads + d->Wbc, grads + d->bbc, d->work, d->colsum);
        }
    }
    if (n_enc == 0 && dkeys && d->bridge == RNNC_BRIDGE_LINEAR) /* the mean's gradient */
        for (size_t b = 0; b < B; b++) {
            size_t cnt = 0;
            for (size_t s = 0; s < d->S; s++)
                cnt += d->active[s * B + b];
            for (size_t s = 0; cnt && s < d->S; s++)
                if (d->active[s * B + b]) {
                    real *k = dkeys + (s * B + b) * d->Hk;
                    for (size_t i = 0; i < N; i++)
                        k[i] += din_h[b * N + i] / (real)cnt;
                }
        }
    size_t at = 0; /* scatter to each encoder layer's (LD,B,He) gradients */
    for (int k = 0; k < n_enc; k++) {
        const rnnc__enc_state *e = &enc[k];
        for (size_t ld = 0; ld < e->LD; ld++, at += e->He)
            for (size_t b = 0; b < B; b++) {
                memcpy(e->dh + (ld * B + b) * e->He, din_h + b * N + at, e->He * sizeof(real));
                if (e->dc)
                    memcpy(e->dc + (ld * B + b) * e->He, din_c + b * N + at, e->He * sizeof(real));
            }
    }
}

rnnc_status rnnc__decoder_backward(rnnc__decoder *d, const real *params, real *grads,
                                   const real *dlogits, real *dkeys, const rnnc__enc_state *enc,
                                   int n_enc) {
    if (!d->keys || params != d->params)
        return RNNC_FAIL(RNNC_ERR_STATE, "decoder backward: no forward of these parameters");
    const size_t S = d->S, T = d->T, B = d->B, H = d->H, E = d->E, V = d->V, Hk = d->Hk;
    const size_t L = d->L, BH = B * H, I0 = d->I0;
    const int has_c = rnnc__cells[d->cell]->has_c;
    /* scratch: dh/dc carried per layer (L,B,H), dfeed (B,H), dht (B,H), dcat (B,Hk+H), dctx
     * (B,Hk), dq (B,H), dx for a layer (B,I0) twice, dh/dc before a step (B,H), demb (B,E) */
    real *dhn = d->dbuf, *dcn = dhn + L * BH, *dfeed = dcn + L * BH, *dht = dfeed + BH;
    real *dcat = dht + BH, *dctx = dcat + B * (Hk + H), *dq = dctx + B * Hk, *dxa = dq + BH;
    real *dxb = dxa + B * I0, *dhp = dxb + B * I0, *dcp = dhp + BH, *demb = dcp + BH;
    real *bbuf = demb + B * E;
    memset(dhn, 0, 2 * L * BH * sizeof(real));
    memset(dfeed, 0, BH * sizeof(real));
    const rnnc__attn a = attention(d);
    memset(d->dproj, 0, rnnc__attn_proj_size(&a) * sizeof(real));
    const rnnc__attn_w aw = attn_views(d, params), ag = attn_views(d, grads);
    /* the output layer of every step at once: dout (T,B,H) at each h~, Wo's and bo's gradients */
    real *dout = bbuf + B * (4 * d->nin + 2 * L * H);
    memset(dout, 0, T * BH * sizeof(real));
    rnnc__dense_backward(params + d->Wo, RNNC_ACT_LINEAR, T * B, H, V, d->ht, NULL, dlogits, dout,
                         grads + d->Wo, grads + d->bo, d->work, d->colsum);
    for (size_t t = T; t-- > 0;) {
        const real *ht = d->ht + t * BH, *cat = d->cat + t * B * (Hk + H);
        for (size_t i = 0; i < BH; i++)
            dht[i] = dout[t * BH + i] + dfeed[i];
        memset(dcat, 0, B * (Hk + H) * sizeof(real));
        rnnc__dense_backward(params + d->Wc, RNNC_ACT_TANH, B, Hk + H, H, cat, ht, dht, dcat,
                             grads + d->Wc, grads + d->bc, d->work, d->colsum);
        for (size_t j = 0; j < B; j++) {
            memcpy(dctx + j * Hk, dcat + j * (Hk + H), Hk * sizeof(real));
            memcpy(dq + j * H, dcat + j * (Hk + H) + Hk, H * sizeof(real));
        }
        const real *q = state(d, 0, (long)t, L - 1);
        rnnc__attn_backward(&a, &aw, q, d->wts + t * B * S, dctx, dq, dkeys, d->dproj, &ag,
                            d->work);
        const real *dy = dq;
        for (size_t l = L; l-- > 0;) {
            const rnnc__dir r = dir_at(d, t, l);
            const rnnc__cellw w = weights(d, params, l), g = weights(d, grads, l);
            real *dx = dy == dxa ? dxb : dxa;
            memset(dx, 0, B * r.I * sizeof(real));
            memset(dhp, 0, 2 * BH * sizeof(real));
            rnnc__dir_backward(&w, &r, dy, H, dhn + l * BH, has_c ? dcn + l * BH : NULL, dx, dhp,
                               has_c ? dcp : NULL, &g, d->work);
            memcpy(dhn + l * BH, dhp, BH * sizeof(real));
            if (has_c)
                memcpy(dcn + l * BH, dcp, BH * sizeof(real));
            dy = dx;
        }
        for (size_t j = 0; j < B; j++) { /* layer 0's input: the embedding and the fed h~ */
            memcpy(demb + j * E, dy + j * I0, E * sizeof(real));
            if (d->input_feed)
                memcpy(dfeed + j * H, dy + j * I0 + E, H * sizeof(real));
        }
        rnnc__embedding_backward(E, B, d->tgt + t * B, -1, demb, grads + d->emb);
    }
    rnnc__attn_finish(&a, &aw, d->dproj, dkeys, &ag);
    bridge_backward(d, grads, dhn, dcn, enc, n_enc, bbuf, dkeys);
    return RNNC_OK;
}

/* ---- decoding, one token at a time ---- */

static rnnc__attn row_attention(const rnnc__decoder *d) {
    rnnc__attn a = {d->attention, d->S,     d->dR, d->Hk,      d->H,
                    d->A,         d->rkeys, d->Hk, d->ractive, d->rproj};
    return a;
}

rnnc_status rnnc__decoder_begin(rnnc__decoder *d, const real *params, const real *keys,
                                const unsigned char *active, size_t S, size_t B,
                                const rnnc__enc_state *enc, int n_enc, size_t K) {
    const size_t H = d->H, L = d->L, Hk = d->Hk, R = B * K, BH = B * H;
    RNNC_TRY(reserve(d, S, 1, B));
    d->S = S, d->T = 0, d->B = B, d->params = params, d->keys = NULL, d->active = active;
    d->keys_in = keys;
    d->enc_c = n_enc > 0;
    for (int k = 0; k < n_enc; k++)
        d->enc_c &= enc[k].c != NULL;
    bridge_forward(d, params, enc, n_enc);
    free_decoding(d);
    d->dR = R, d->dK = K;
    const rnnc__attn sizes = {d->attention, S, R, Hk, H, d->A, NULL, 0, NULL, NULL};
    const size_t P = rnnc__attn_proj_size(&sizes) + 1,
                 cache = rnnc__dir_cache_size(d->cell, 1, R, H);
    size_t wn = rnnc__dir_work_size(d->cell, 1, R, d->I0 > H ? d->I0 : H, H);
    wn = wn > rnnc__attn_work_size(&sizes) ? wn : rnnc__attn_work_size(&sizes);
    d->rwork_n = wn;
    d->rkeys = malloc(S * R * Hk * sizeof(real)), d->rproj = malloc(P * sizeof(real));
    d->ractive = malloc(S * R), d->rones = malloc(R);
    d->rh = malloc(L * R * H * sizeof(real)), d->rc = malloc(L * R * H * sizeof(real));
    d->rh2 = malloc(L * R * H * sizeof(real)), d->rc2 = malloc(L * R * H * sizeof(real));
    d->rfeed = calloc(R * H, sizeof(real)), d->rfeed2 = malloc(R * H * sizeof(real));
    d->rx0 = malloc(R * d->I0 * sizeof(real)), d->ry = malloc(R * H * sizeof(real));
    d->rcache = malloc(cache * sizeof(real)), d->rctx = malloc(R * Hk * sizeof(real));
    d->rcat = malloc(R * (Hk + H) * sizeof(real)), d->rht = malloc(R * H * sizeof(real));
    d->rwts = malloc(R * S * sizeof(real)), d->rlogits = malloc(R * d->V * sizeof(real));
    d->rwork = malloc(wn * sizeof(real));
    if (!d->rkeys || !d->rproj || !d->ractive || !d->rones || !d->rh || !d->rc || !d->rh2 ||
        !d->rc2 || !d->rfeed || !d->rfeed2 || !d->rx0 || !d->ry || !d->rcache || !d->rctx ||
        !d->rcat || !d->rht || !d->rwts || !d->rlogits || !d->rwork) {
        free_decoding(d);
        return RNNC_FAIL(RNNC_ERR_NOMEM, "decoder: out of memory for %zu rows", R);
    }
    memset(d->rones, 1, R);
    for (size_t s = 0; s < S; s++)
        for (size_t r = 0; r < R; r++) {
            const size_t b = r / K;
            memcpy(d->rkeys + (s * R + r) * Hk, keys + (s * B + b) * Hk, Hk * sizeof(real));
            d->ractive[s * R + r] = active[s * B + b];
        }
    const rnnc__attn a = row_attention(d);
    const rnnc__attn_w aw = attn_views(d, params);
    rnnc__attn_prepare(&a, &aw);
    for (size_t l = 0; l < L; l++)
        for (size_t r = 0; r < R; r++) {
            memcpy(d->rh + (l * R + r) * H, d->h0 + l * BH + (r / K) * H, H * sizeof(real));
            memcpy(d->rc + (l * R + r) * H, d->c0 + l * BH + (r / K) * H, H * sizeof(real));
        }
    return RNNC_OK;
}

rnnc_status rnnc__decoder_step(rnnc__decoder *d, const int32_t *parent, const int32_t *ids,
                               const real **logits) {
    const size_t R = d->dR, H = d->H, L = d->L, Hk = d->Hk, E = d->E, V = d->V;
    const real *p = d->params;
    if (!d->rkeys)
        return RNNC_FAIL(RNNC_ERR_STATE, "decoder step: no rnnc__decoder_begin");
    for (size_t r = 0; r < R; r++) {
        if (parent[r] < 0 || (size_t)parent[r] >= R || ids[r] < 0 || (size_t)ids[r] >= V)
            return RNNC_FAIL(RNNC_ERR_ARG, "decoder step: row %zu: parent %d or id %d out of range",
                             r, (int)parent[r], (int)ids[r]);
        for (size_t l = 0; l < L; l++) { /* each row continues its parent's state */
            memcpy(d->rh2 + (l * R + r) * H, d->rh + (l * R + (size_t)parent[r]) * H,
                   H * sizeof(real));
            memcpy(d->rc2 + (l * R + r) * H, d->rc + (l * R + (size_t)parent[r]) * H,
                   H * sizeof(real));
        }
        memcpy(d->rfeed2 + r * H, d->rfeed + (size_t)parent[r] * H, H * sizeof(real));
    }
    real *t;
    t = d->rh, d->rh = d->rh2, d->rh2 = t;
    t = d->rc, d->rc = d->rc2, d->rc2 = t;
    t = d->rfeed, d->rfeed = d->rfeed2, d->rfeed2 = t;
    for (size_t r = 0; r < R; r++) {
        memcpy(d->rx0 + r * d->I0, p + d->emb + (size_t)ids[r] * E, E * sizeof(real));
        if (d->input_feed)
            memcpy(d->rx0 + r * d->I0 + E, d->rfeed + r * H, H * sizeof(real));
    }
    const int has_c = rnnc__cells[d->cell]->has_c;
    for (size_t l = 0; l < L; l++) {
        rnnc__dir r;
        memset(&r, 0, sizeof r);
        r.cell = d->cell, r.T = 1, r.B = R, r.I = l ? H : d->I0, r.H = H, r.reverse = 0;
        r.active = d->rones, r.x = l ? d->rh + (l - 1) * R * H : d->rx0, r.ldx = r.I;
        r.y = d->ry, r.ldy = H, r.h0 = d->rh + l * R * H;
        r.c0 = has_c ? d->rc + l * R * H : NULL;
        r.cache = d->rcache, r.b0 = 0, r.b1 = R;
        const rnnc__cellw w = weights(d, p, l);
        rnnc__dir_forward(&w, &r, NULL, has_c ? d->rc2 + l * R * H : NULL, d->rwork);
        memcpy(d->rh + l * R * H, d->ry, R * H * sizeof(real));
        if (has_c)
            memcpy(d->rc + l * R * H, d->rc2 + l * R * H, R * H * sizeof(real));
    }
    const real *q = d->rh + (L - 1) * R * H;
    const rnnc__attn a = row_attention(d);
    const rnnc__attn_w aw = attn_views(d, p);
    rnnc__attn_forward(&a, &aw, q, d->rwts, d->rctx, d->rwork);
    for (size_t r = 0; r < R; r++) {
        memcpy(d->rcat + r * (Hk + H), d->rctx + r * Hk, Hk * sizeof(real));
        memcpy(d->rcat + r * (Hk + H) + Hk, q + r * H, H * sizeof(real));
    }
    rnnc__dense_forward(p + d->Wc, p + d->bc, RNNC_ACT_TANH, R, Hk + H, H, d->rcat, d->rht);
    memcpy(d->rfeed, d->rht, R * H * sizeof(real));
    rnnc__dense_forward(p + d->Wo, p + d->bo, RNNC_ACT_LINEAR, R, H, V, d->rht, d->rlogits);
    *logits = d->rlogits;
    return RNNC_OK;
}

const real *rnnc__decoder_step_weights(const rnnc__decoder *d) {
    return d->rwts;
}
