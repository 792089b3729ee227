/* The encoder-decoder with attention (see seq2seq.h). */
#include "seq2seq.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_PARAMS = 4 * RNNC_MAX_LAYERS + 16, MAX_REC = RNNC_MAX_LAYERS };

typedef struct sparam {
    char name[64];
    int ndim;
    size_t dims[2], off, size;
    size_t fan; /* the fan-in of its initialisation's bound */
} sparam;

/* A recurrent layer of the encoder: its config index, sub-layers x directions, hidden size. */
typedef struct enc_rec {
    int layer;
    size_t LD, He;
    int has_c;
} enc_rec;

struct rnnc__s2s {
    rnnc__s2s_config c;
    rnnc__model *enc;
    int cell; /* the decoder's row in rnnc__cells */
    size_t G, I0, Hk, A;
    enc_rec rec[MAX_REC];
    int n_rec, enc_c; /* enc_c: every recurrent encoder layer has a cell state */
    size_t nin;       /* reals of the encoder's final hidden states per sequence */
    sparam p[MAX_PARAMS];
    int np;
    real *arena, *grad;
    size_t total;
    /* views into arena (offsets into grad alike) */
    size_t emb, wih[RNNC_MAX_LAYERS], whh[RNNC_MAX_LAYERS], bih[RNNC_MAX_LAYERS],
        bhh[RNNC_MAX_LAYERS], Wc, bc, Wo, bo, Wa, ba, Ua, bu, Va, bv, Wbh, bbh, Wbc, bbc;
    /* the last forward's batch and buffers, grown to the largest batch seen */
    size_t S, T, B, capS, capT, capB;
    int32_t *tgt;          /* (T,B) */
    unsigned char *active; /* (S,B) */
    unsigned char *ones;   /* (B) */
    const real *keys;      /* the encoder's output (S,B,Hk) */
    real *x0;              /* (T,B,I0) */
    real *hs, *cs;         /* (T,L,B,H): each layer's state after each step */
    real *h0, *c0;         /* (L,B,H) initial states */
    real *caches;          /* (T,L,cache) */
    size_t cache_n;
    real *ctx, *cat, *ht; /* (T,B,Hk), (T,B,Hk+H), (T,B,H) */
    real *logits, *wts;   /* (T,B,V), (T,B,S) */
    real *proj, *dproj;
    real *sin_h, *sin_c, *bout_h; /* (B,nin), (B,nin), (B,L*H) */
    real *work, *dbuf;
    size_t work_n, dbuf_n;
    double *colsum;
};

/* A parameter (d0) or (d0,d1) initialised in +-1/sqrt(fan) (an embedding: N(0,1)). */
static size_t add_param(rnnc__s2s *m, const char *name, size_t d0, size_t d1, size_t fan) {
    sparam *q = &m->p[m->np++];
    snprintf(q->name, sizeof q->name, "%s", name);
    q->ndim = d1 ? 2 : 1, q->dims[0] = d0, q->dims[1] = d1, q->fan = fan;
    q->size = d0 * (d1 ? d1 : 1), q->off = m->total;
    m->total += q->size;
    return q->off;
}

static void uniform_fill(real *p, size_t n, double k, rnnc_rng *r) {
    for (size_t i = 0; i < n; i++)
        p[i] = (real)((2 * rnnc_rng_uniform(r) - 1) * k);
}

static rnnc_status check_config(const rnnc__s2s_config *c) {
    if (c->cell != RNNC_LAYER_LSTM && c->cell != RNNC_LAYER_GRU)
        return RNNC_FAIL(RNNC_ERR_ARG, "decoder: the cell must be lstm or gru");
    if (c->layers < 1 || c->layers > RNNC_MAX_LAYERS || c->H < 1 || c->V < 1 || c->E < 1)
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "decoder: layers, hidden, vocabulary and embedding must "
                         "be >= 1 (layers at most %d)",
                         RNNC_MAX_LAYERS);
    if (c->attention < RNNC__ATTN_DOT || c->attention > RNNC__ATTN_ADDITIVE)
        return RNNC_FAIL(RNNC_ERR_ARG, "decoder: unknown attention %d", c->attention);
    if (c->bridge < RNNC__BRIDGE_NONE || c->bridge > RNNC__BRIDGE_LINEAR)
        return RNNC_FAIL(RNNC_ERR_ARG, "decoder: unknown bridge %d", c->bridge);
    if (c->tie && c->E != c->H)
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "decoder: tied embeddings need embedding size = hidden size (%zu, %zu)",
                         c->E, c->H);
    return RNNC_OK;
}

/* The encoder's recurrent layers and its output width. */
static rnnc_status read_encoder(rnnc__s2s *m) {
    const rnnc_config *e = rnnc__model_config(m->enc);
    m->enc_c = 1;
    int last = -1;
    for (int i = 0; i < e->n_layers; i++) {
        const rnnc_layer_spec *s = &e->layers[i];
        if (!rnnc__is_recurrent(s->kind))
            continue;
        enc_rec *r = &m->rec[m->n_rec++];
        const int row = rnnc__cell_find(s->kind, s->nonlinearity);
        r->layer = i, r->He = (size_t)s->hidden, r->has_c = rnnc__cells[row]->has_c;
        r->LD = (size_t)s->layers * (s->bidirectional ? 2 : 1);
        m->nin += r->LD * r->He;
        m->enc_c &= r->has_c;
        last = i;
    }
    if (last < 0 || !e->layers[last].return_sequences || last + 1 != e->n_layers)
        return RNNC_FAIL(RNNC_ERR_ARG, "encoder: its last layer must be recurrent and return "
                                       "sequences (the attention reads every step)");
    const rnnc_layer_spec *s = &e->layers[last];
    m->Hk = (size_t)s->hidden * (s->bidirectional && s->merge != RNNC_MERGE_SUM ? 2 : 1);
    if (m->c.bridge == RNNC__BRIDGE_COPY) {
        const enc_rec *r = &m->rec[0];
        const size_t D = (size_t)(e->layers[r->layer].bidirectional ? 2 : 1);
        if (m->n_rec != 1 || r->LD / D != (size_t)m->c.layers || D * r->He != m->c.H)
            return RNNC_FAIL(RNNC_ERR_ARG,
                             "bridge copy: the encoder needs one recurrent layer of %d layers "
                             "whose directions together have the decoder's %zu units; use "
                             "bridge linear",
                             m->c.layers, m->c.H);
    }
    if (m->c.attention == RNNC__ATTN_DOT && m->Hk != m->c.H)
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "dot attention needs the encoder's outputs (%zu) as wide as the "
                         "decoder's hidden state (%zu); use general or additive",
                         m->Hk, m->c.H);
    return RNNC_OK;
}

static void make_params(rnnc__s2s *m) {
    const rnnc__s2s_config *c = &m->c;
    const size_t H = c->H, L = (size_t)c->layers;
    char n[64];
    m->emb = add_param(m, "decoder.embedding.weight", c->V, c->E, 0);
    for (size_t l = 0; l < L; l++) {
        snprintf(n, sizeof n, "decoder.rnn.weight_ih_l%zu", l);
        m->wih[l] = add_param(m, n, m->G, l ? H : m->I0, H);
        snprintf(n, sizeof n, "decoder.rnn.weight_hh_l%zu", l);
        m->whh[l] = add_param(m, n, m->G, H, H);
        snprintf(n, sizeof n, "decoder.rnn.bias_ih_l%zu", l);
        m->bih[l] = add_param(m, n, m->G, 0, H);
        snprintf(n, sizeof n, "decoder.rnn.bias_hh_l%zu", l);
        m->bhh[l] = add_param(m, n, m->G, 0, H);
    }
    if (c->attention == RNNC__ATTN_GENERAL)
        m->Wa = add_param(m, "decoder.attention.Wa.weight", H, m->Hk, m->Hk);
    if (c->attention == RNNC__ATTN_ADDITIVE) {
        m->Wa = add_param(m, "decoder.attention.Wa.weight", m->A, H, H);
        m->ba = add_param(m, "decoder.attention.Wa.bias", m->A, 0, H);
        m->Ua = add_param(m, "decoder.attention.Ua.weight", m->A, m->Hk, m->Hk);
        m->bu = add_param(m, "decoder.attention.Ua.bias", m->A, 0, m->Hk);
        m->Va = add_param(m, "decoder.attention.Va.weight", 1, m->A, m->A);
        m->bv = add_param(m, "decoder.attention.Va.bias", 1, 0, m->A);
    }
    m->Wc = add_param(m, "decoder.concat.weight", H, m->Hk + H, m->Hk + H);
    m->bc = add_param(m, "decoder.concat.bias", H, 0, m->Hk + H);
    m->Wo = c->tie ? m->emb : add_param(m, "decoder.out.weight", c->V, H, H);
    m->bo = add_param(m, "decoder.out.bias", c->V, 0, H);
    if (c->bridge == RNNC__BRIDGE_LINEAR) {
        m->Wbh = add_param(m, "bridge.h.weight", L * H, m->nin, m->nin);
        m->bbh = add_param(m, "bridge.h.bias", L * H, 0, m->nin);
        if (c->cell == RNNC_LAYER_LSTM) {
            m->Wbc = add_param(m, "bridge.c.weight", L * H, m->nin, m->nin);
            m->bbc = add_param(m, "bridge.c.bias", L * H, 0, m->nin);
        }
    }
}

/* PyTorch's initialisation: nn.Embedding N(0,1), nn.LSTM/GRU U(-1/sqrt(H), 1/sqrt(H)),
 * nn.Linear U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias. */
static void init_params(rnnc__s2s *m, uint64_t seed) {
    rnnc_rng r;
    rnnc_rng_seed(&r, seed);
    for (int i = 0; i < m->np; i++) {
        const sparam *q = &m->p[i];
        real *v = m->arena + q->off;
        if (q->fan == 0)
            for (size_t j = 0; j < q->size; j++)
                v[j] = (real)rnnc_rng_normal(&r);
        else
            uniform_fill(v, q->size, 1.0 / sqrt((double)q->fan), &r);
    }
}

rnnc_status rnnc__s2s_create(const rnnc__s2s_config *c, uint64_t seed, rnnc__s2s **out) {
    *out = NULL;
    RNNC_TRY(check_config(c));
    rnnc__s2s *m;
    RNNC_TRY(rnnc__calloc((void **)&m, 1, sizeof *m, "sequence-to-sequence model"));
    m->c = *c;
    m->cell = rnnc__cell_find(c->cell, 0);
    m->G = (size_t)rnnc__cell_gates(m->cell) * c->H;
    m->I0 = c->E + (c->input_feed ? c->H : 0);
    m->A = c->A ? c->A : c->H;
    m->c.A = m->A;
    rnnc_status st = rnnc__model_create(&c->encoder, seed, &m->enc);
    if (st == RNNC_OK)
        st = read_encoder(m);
    if (st == RNNC_OK) {
        make_params(m);
        st = rnnc__calloc((void **)&m->arena, m->total, sizeof(real), "decoder parameters");
    }
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&m->grad, m->total, sizeof(real), "decoder gradients");
    if (st != RNNC_OK) {
        rnnc__s2s_free(m);
        return st;
    }
    init_params(m, seed * 0x9E3779B97F4A7C15ull + 1); /* a stream apart from the encoder's */
    *out = m;
    return RNNC_OK;
}

static void free_buffers(rnnc__s2s *m) {
    free(m->tgt), free(m->active), free(m->ones), free(m->x0), free(m->hs), free(m->cs);
    free(m->h0), free(m->c0), free(m->caches), free(m->ctx), free(m->cat), free(m->ht);
    free(m->logits), free(m->wts), free(m->proj), free(m->dproj), free(m->sin_h), free(m->sin_c);
    free(m->bout_h), free(m->work), free(m->dbuf), free(m->colsum);
}

void rnnc__s2s_free(rnnc__s2s *m) {
    if (!m)
        return;
    rnnc__model_free(m->enc);
    free_buffers(m);
    free(m->arena), free(m->grad);
    free(m);
}

rnnc__model *rnnc__s2s_encoder(rnnc__s2s *m) {
    return m->enc;
}

int rnnc__s2s_param_count(const rnnc__s2s *m) {
    return m->np;
}

void rnnc__s2s_param_info(const rnnc__s2s *m, int i, const char **name, int *ndim, size_t dims[2],
                          real **value, real **grad) {
    const sparam *q = &m->p[i];
    if (name)
        *name = q->name;
    if (ndim)
        *ndim = q->ndim;
    if (dims)
        dims[0] = q->dims[0], dims[1] = q->dims[1];
    if (value)
        *value = m->arena + q->off;
    if (grad)
        *grad = m->grad + q->off;
}

void rnnc__s2s_zero_grads(rnnc__s2s *m) {
    memset(m->grad, 0, m->total * sizeof(real));
    memset(rnnc__model_grads(m->enc), 0, rnnc__model_plan(m->enc)->total * sizeof(real));
}

/* Buffers for a batch of S source steps, T target steps and B sequences. */
static rnnc_status reserve(rnnc__s2s *m, size_t S, size_t T, size_t B) {
    if (m->tgt && S <= m->capS && T <= m->capT && B <= m->capB)
        return RNNC_OK;
    free_buffers(m);
    S = S > m->capS ? S : m->capS, T = T > m->capT ? T : m->capT, B = B > m->capB ? B : m->capB;
    const size_t H = m->c.H, L = (size_t)m->c.layers, V = m->c.V, Hk = m->Hk;
    m->cache_n = rnnc__dir_cache_size(m->cell, 1, B, H);
    size_t wn = rnnc__dir_work_size(m->cell, 1, B, m->I0 > H ? m->I0 : H, H);
    const rnnc__attn sizes = {m->c.attention, S, B, Hk, H, m->A, NULL, 0, NULL, NULL};
    const size_t an = rnnc__attn_work_size(&sizes);
    wn = wn > an ? wn : an;
    const size_t rows[] = {B * V, B * L * H, B * (Hk + H)}; /* the dense layers' backward */
    for (int i = 0; i < 3; i++)
        wn = wn > rows[i] ? wn : rows[i];
    m->work_n = wn;
    m->dbuf_n = S * B * Hk + B * (3 * L * H + 8 * H + 2 * (Hk + H) + 2 * m->I0 + m->c.E +
                                  4 * m->nin + 2 * L * H);
    const size_t P = S * B * (m->c.attention == RNNC__ATTN_ADDITIVE ? m->A : H);
    size_t col = V > Hk + H ? V : Hk + H;
    col = col > L * H ? col : L * H;
    m->tgt = malloc(T * B * sizeof *m->tgt);
    m->active = malloc(S * B), m->ones = malloc(B);
    m->x0 = malloc(T * B * m->I0 * sizeof(real));
    m->hs = malloc(T * L * B * H * sizeof(real)), m->cs = malloc(T * L * B * H * sizeof(real));
    m->h0 = malloc(L * B * H * sizeof(real)), m->c0 = malloc(L * B * H * sizeof(real));
    m->caches = malloc(T * L * m->cache_n * sizeof(real));
    m->ctx = malloc(T * B * Hk * sizeof(real)), m->cat = malloc(T * B * (Hk + H) * sizeof(real));
    m->ht = malloc(T * B * H * sizeof(real)), m->logits = malloc(T * B * V * sizeof(real));
    m->wts = malloc(T * B * S * sizeof(real));
    m->proj = malloc((P + 1) * sizeof(real)), m->dproj = malloc((P + 1) * sizeof(real));
    m->sin_h = malloc((B * m->nin + 1) * sizeof(real));
    m->sin_c = malloc((B * m->nin + 1) * sizeof(real));
    m->bout_h = malloc(B * L * H * sizeof(real));
    m->work = malloc(m->work_n * sizeof(real)), m->dbuf = malloc(m->dbuf_n * sizeof(real));
    m->colsum = malloc(col * sizeof(double));
    if (!m->tgt || !m->active || !m->ones || !m->x0 || !m->hs || !m->cs || !m->h0 || !m->c0 ||
        !m->caches || !m->ctx || !m->cat || !m->ht || !m->logits || !m->wts || !m->proj ||
        !m->dproj || !m->sin_h || !m->sin_c || !m->bout_h || !m->work || !m->dbuf || !m->colsum) {
        free_buffers(m);
        m->tgt = NULL;
        return RNNC_FAIL(RNNC_ERR_NOMEM, "sequence-to-sequence batch: out of memory");
    }
    m->capS = S, m->capT = T, m->capB = B;
    memset(m->ones, 1, B);
    return RNNC_OK;
}

static rnnc__cellw weights(const rnnc__s2s *m, const real *base, size_t l) {
    rnnc__cellw w = {(real *)base + m->wih[l], (real *)base + m->whh[l], (real *)base + m->bih[l],
                     (real *)base + m->bhh[l]};
    return w;
}

static rnnc__attn_w attn_views(const rnnc__s2s *m, const real *base) {
    const int k = m->c.attention;
    rnnc__attn_w w = {0};
    if (k >= RNNC__ATTN_GENERAL)
        w.Wa = (real *)base + m->Wa;
    if (k == RNNC__ATTN_ADDITIVE) {
        w.ba = (real *)base + m->ba, w.Ua = (real *)base + m->Ua, w.bu = (real *)base + m->bu;
        w.Va = (real *)base + m->Va, w.bv = (real *)base + m->bv;
    }
    return w;
}

static rnnc__attn attention(const rnnc__s2s *m) {
    rnnc__attn a = {m->c.attention, m->S,    m->B,  m->Hk,     m->c.H,
                    m->A,           m->keys, m->Hk, m->active, m->proj};
    return a;
}

/* The state of layer l after step t (t = -1: the initial state), h or c. */
static real *state(const rnnc__s2s *m, int c, long t, size_t l) {
    const size_t BH = m->B * m->c.H;
    if (t < 0)
        return (c ? m->c0 : m->h0) + l * BH;
    return (c ? m->cs : m->hs) + ((size_t)t * (size_t)m->c.layers + l) * BH;
}

/* Layer l's direction record at step t. */
static rnnc__dir dir_at(const rnnc__s2s *m, size_t t, size_t l) {
    const size_t H = m->c.H, B = m->B;
    const int has_c = rnnc__cells[m->cell]->has_c;
    rnnc__dir d;
    memset(&d, 0, sizeof d);
    d.cell = m->cell, d.T = 1, d.B = B, d.I = l ? H : m->I0, d.H = H, d.reverse = 0;
    d.active = m->ones;
    d.x = l ? state(m, 0, (long)t, l - 1) : m->x0 + t * B * m->I0;
    d.ldx = d.I;
    d.y = state(m, 0, (long)t, l), d.ldy = H;
    d.h0 = state(m, 0, (long)t - 1, l);
    d.c0 = has_c ? state(m, 1, (long)t - 1, l) : NULL;
    d.cache = m->caches + (t * (size_t)m->c.layers + l) * m->cache_n;
    d.b0 = 0, d.b1 = B;
    return d;
}

/* The encoder's final states of every sequence, concatenated per sequence into in (B,nin): its
 * recurrent layers in order, each's L*D slices in order (c: cell states). */
static rnnc_status gather_states(const rnnc__s2s *m, int c, real *in) {
    const size_t B = m->B;
    size_t at = 0;
    for (int k = 0; k < m->n_rec; k++) {
        const enc_rec *r = &m->rec[k];
        const real *h, *cc;
        RNNC_TRY(rnnc__model_final_state(m->enc, r->layer, &h, &cc));
        const real *s = c ? cc : h;
        for (size_t ld = 0; ld < r->LD; ld++, at += r->He)
            for (size_t b = 0; b < B; b++)
                memcpy(in + b * m->nin + at, s + (ld * B + b) * r->He, r->He * sizeof(real));
    }
    return RNNC_OK;
}

/* The decoder's initial states from the encoder's final states. */
static rnnc_status bridge_forward(rnnc__s2s *m) {
    const size_t B = m->B, H = m->c.H, L = (size_t)m->c.layers, BH = B * H;
    const int dec_c = rnnc__cells[m->cell]->has_c;
    memset(m->h0, 0, L * BH * sizeof(real));
    memset(m->c0, 0, L * BH * sizeof(real));
    if (m->c.bridge == RNNC__BRIDGE_NONE)
        return RNNC_OK;
    RNNC_TRY(gather_states(m, 0, m->sin_h));
    if (m->enc_c)
        RNNC_TRY(gather_states(m, 1, m->sin_c));
    if (m->c.bridge == RNNC__BRIDGE_COPY) { /* layer l, sequence b: [fwd_l; bwd_l] */
        const size_t He = m->rec[0].He, D = H / He;
        for (size_t l = 0; l < L; l++)
            for (size_t b = 0; b < B; b++)
                for (size_t d = 0; d < D; d++) {
                    const size_t from = b * m->nin + (l * D + d) * He, to = l * BH + b * H + d * He;
                    memcpy(m->h0 + to, m->sin_h + from, He * sizeof(real));
                    if (dec_c && m->enc_c)
                        memcpy(m->c0 + to, m->sin_c + from, He * sizeof(real));
                }
        return RNNC_OK;
    }
    /* linear: (B, L*H) = tanh(sin_h Wbh^T + bbh), and for an LSTM c = sin_c' Wbc^T + bbc */
    rnnc__dense_forward(m->arena + m->Wbh, m->arena + m->bbh, RNNC_ACT_TANH, B, m->nin, L * H,
                        m->sin_h, m->bout_h);
    for (size_t l = 0; l < L; l++)
        for (size_t b = 0; b < B; b++)
            memcpy(m->h0 + l * BH + b * H, m->bout_h + b * L * H + l * H, H * sizeof(real));
    if (dec_c) {
        real *cout = m->work;
        rnnc__dense_forward(m->arena + m->Wbc, m->arena + m->bbc, RNNC_ACT_LINEAR, B, m->nin, L * H,
                            m->enc_c ? m->sin_c : m->sin_h, cout);
        for (size_t l = 0; l < L; l++)
            for (size_t b = 0; b < B; b++)
                memcpy(m->c0 + l * BH + b * H, cout + b * L * H + l * H, H * sizeof(real));
    }
    return RNNC_OK;
}

rnnc_status rnnc__s2s_forward(rnnc__s2s *m, const rnnc__s2s_batch *b) {
    const size_t S = b->S, T = b->T, B = b->B, H = m->c.H, E = m->c.E, V = m->c.V, Hk = m->Hk;
    if (!S || !T || !B)
        return RNNC_FAIL(RNNC_ERR_ARG, "sequence-to-sequence batch: empty (S %zu, T %zu, B %zu)", S,
                         T, B);
    for (size_t i = 0; i < T * B; i++)
        if (b->tgt_in[i] < 0 || (size_t)b->tgt_in[i] >= V)
            return RNNC_FAIL(RNNC_ERR_ARG, "decoder input %zu: id %d is outside [0, %zu)", i,
                             (int)b->tgt_in[i], V);
    RNNC_TRY(reserve(m, S, T, B));
    m->S = S, m->T = T, m->B = B;
    memcpy(m->tgt, b->tgt_in, T * B * sizeof *m->tgt);
    for (size_t s = 0; s < S; s++)
        for (size_t j = 0; j < B; j++)
            m->active[s * B + j] = (int32_t)s < b->src_lengths[j];
    const rnnc__batch eb = {S, B, b->src, NULL, b->src_lengths, RNNC_PAD_POST};
    RNNC_TRY(rnnc__model_forward(m->enc, &eb, 1));
    int nd;
    size_t dims[3];
    m->keys = rnnc__model_output(m->enc, &nd, dims);
    const rnnc__attn a = attention(m);
    const rnnc__attn_w aw = attn_views(m, m->arena);
    rnnc__attn_prepare(&a, &aw);
    RNNC_TRY(bridge_forward(m));
    for (size_t t = 0; t < T; t++) {
        real *x0 = m->x0 + t * B * m->I0;
        for (size_t j = 0; j < B; j++) {
            memcpy(x0 + j * m->I0, m->arena + m->emb + (size_t)m->tgt[t * B + j] * E,
                   E * sizeof(real));
            if (m->c.input_feed && t == 0)
                memset(x0 + j * m->I0 + E, 0, H * sizeof(real));
            else if (m->c.input_feed)
                memcpy(x0 + j * m->I0 + E, m->ht + ((t - 1) * B + j) * H, H * sizeof(real));
        }
        for (size_t l = 0; l < (size_t)m->c.layers; l++) {
            const rnnc__dir d = dir_at(m, t, l);
            const rnnc__cellw w = weights(m, m->arena, l);
            rnnc__dir_forward(&w, &d, NULL, d.c0 ? state(m, 1, (long)t, l) : NULL, m->work);
        }
        const real *q = state(m, 0, (long)t, (size_t)m->c.layers - 1);
        real *ctx = m->ctx + t * B * Hk, *cat = m->cat + t * B * (Hk + H);
        rnnc__attn_forward(&a, &aw, q, m->wts + t * B * S, ctx, m->work);
        for (size_t j = 0; j < B; j++) {
            memcpy(cat + j * (Hk + H), ctx + j * Hk, Hk * sizeof(real));
            memcpy(cat + j * (Hk + H) + Hk, q + j * H, H * sizeof(real));
        }
        real *ht = m->ht + t * B * H;
        rnnc__dense_forward(m->arena + m->Wc, m->arena + m->bc, RNNC_ACT_TANH, B, Hk + H, H, cat,
                            ht);
        rnnc__dense_forward(m->arena + m->Wo, m->arena + m->bo, RNNC_ACT_LINEAR, B, H, V, ht,
                            m->logits + t * B * V);
    }
    return RNNC_OK;
}

const real *rnnc__s2s_logits(const rnnc__s2s *m) {
    return m->logits;
}

const real *rnnc__s2s_weights(const rnnc__s2s *m) {
    return m->wts;
}

/* The bridge's backward: the initial states' gradients dh0, dc0 (L,B,H) to the encoder's final
 * states (and the bridge's weights). */
static rnnc_status bridge_backward(rnnc__s2s *m, const real *dh0, const real *dc0, real *buf) {
    const size_t B = m->B, H = m->c.H, L = (size_t)m->c.layers, BH = B * H, N = m->nin;
    const int dec_c = rnnc__cells[m->cell]->has_c;
    if (m->c.bridge == RNNC__BRIDGE_NONE)
        return RNNC_OK;
    real *din_h = buf, *din_c = buf + B * N, *dout = din_c + B * N;
    memset(din_h, 0, 2 * B * N * sizeof(real));
    if (m->c.bridge == RNNC__BRIDGE_COPY) {
        const size_t He = m->rec[0].He, D = H / He;
        for (size_t l = 0; l < L; l++)
            for (size_t b = 0; b < B; b++)
                for (size_t d = 0; d < D; d++) {
                    const size_t to = b * N + (l * D + d) * He, from = l * BH + b * H + d * He;
                    memcpy(din_h + to, dh0 + from, He * sizeof(real));
                    if (dec_c && m->enc_c)
                        memcpy(din_c + to, dc0 + from, He * sizeof(real));
                }
    } else {
        for (size_t l = 0; l < L; l++)
            for (size_t b = 0; b < B; b++)
                memcpy(dout + b * L * H + l * H, dh0 + l * BH + b * H, H * sizeof(real));
        rnnc__dense_backward(m->arena + m->Wbh, RNNC_ACT_TANH, B, N, L * H, m->sin_h, m->bout_h,
                             dout, din_h, m->grad + m->Wbh, m->grad + m->bbh, m->work, m->colsum);
        if (dec_c) {
            for (size_t l = 0; l < L; l++)
                for (size_t b = 0; b < B; b++)
                    memcpy(dout + b * L * H + l * H, dc0 + l * BH + b * H, H * sizeof(real));
            rnnc__dense_backward(m->arena + m->Wbc, RNNC_ACT_LINEAR, B, N, L * H,
                                 m->enc_c ? m->sin_c : m->sin_h, NULL, dout,
                                 m->enc_c ? din_c : din_h, m->grad + m->Wbc, m->grad + m->bbc,
                                 m->work, m->colsum);
        }
    }
    /* scatter to each recurrent encoder layer's final-state gradient (L*D,B,He) */
    size_t at = 0;
    for (int k = 0; k < m->n_rec; k++) {
        const enc_rec *r = &m->rec[k];
        real *gh = dout, *gc = dout + r->LD * B * r->He;
        for (size_t ld = 0; ld < r->LD; ld++, at += r->He)
            for (size_t b = 0; b < B; b++) {
                memcpy(gh + (ld * B + b) * r->He, din_h + b * N + at, r->He * sizeof(real));
                memcpy(gc + (ld * B + b) * r->He, din_c + b * N + at, r->He * sizeof(real));
            }
        RNNC_TRY(rnnc__model_set_final_state_grad(m->enc, r->layer, gh, r->has_c ? gc : NULL));
    }
    return RNNC_OK;
}

rnnc_status rnnc__s2s_backward(rnnc__s2s *m, const real *dlogits) {
    if (!m->keys)
        return RNNC_FAIL(RNNC_ERR_STATE, "sequence-to-sequence backward: no forward yet");
    const size_t S = m->S, T = m->T, B = m->B, H = m->c.H, E = m->c.E, V = m->c.V, Hk = m->Hk;
    const size_t L = (size_t)m->c.layers, BH = B * H, I0 = m->I0;
    const int has_c = rnnc__cells[m->cell]->has_c;
    /* scratch: dkeys (S,B,Hk), dh/dc carried per layer (L,B,H), dfeed (B,H), dht (B,H), dcat
     * (B,Hk+H), dctx (B,Hk), dq (B,H), dx for a layer (B,I0) twice, dh/dc before a step (B,H) */
    real *dkeys = m->dbuf, *dhn = dkeys + S * B * Hk, *dcn = dhn + L * BH, *dfeed = dcn + L * BH;
    real *dht = dfeed + BH, *dcat = dht + BH, *dctx = dcat + B * (Hk + H), *dq = dctx + B * Hk;
    real *dxa = dq + BH, *dxb = dxa + B * I0, *dhp = dxb + B * I0, *dcp = dhp + BH;
    real *demb = dcp + BH, *bbuf = demb + B * E;
    memset(dkeys, 0, S * B * Hk * sizeof(real));
    memset(dhn, 0, 2 * L * BH * sizeof(real));
    memset(dfeed, 0, BH * sizeof(real));
    const rnnc__attn a = attention(m);
    memset(m->dproj, 0, rnnc__attn_proj_size(&a) * sizeof(real));
    const rnnc__attn_w aw = attn_views(m, m->arena), ag = attn_views(m, m->grad);
    for (size_t t = T; t-- > 0;) {
        const real *ht = m->ht + t * BH, *cat = m->cat + t * B * (Hk + H);
        memcpy(dht, dfeed, BH * sizeof(real));
        rnnc__dense_backward(m->arena + m->Wo, RNNC_ACT_LINEAR, B, H, V, ht, NULL,
                             dlogits + t * B * V, dht, m->grad + m->Wo, m->grad + m->bo, m->work,
                             m->colsum);
        memset(dcat, 0, B * (Hk + H) * sizeof(real));
        rnnc__dense_backward(m->arena + m->Wc, RNNC_ACT_TANH, B, Hk + H, H, cat, ht, dht, dcat,
                             m->grad + m->Wc, m->grad + m->bc, m->work, m->colsum);
        for (size_t j = 0; j < B; j++) {
            memcpy(dctx + j * Hk, dcat + j * (Hk + H), Hk * sizeof(real));
            memcpy(dq + j * H, dcat + j * (Hk + H) + Hk, H * sizeof(real));
        }
        const real *q = state(m, 0, (long)t, L - 1);
        rnnc__attn_backward(&a, &aw, q, m->wts + t * B * S, dctx, dq, dkeys, m->dproj, &ag,
                            m->work);
        const real *dy = dq;
        for (size_t l = L; l-- > 0;) {
            const rnnc__dir d = dir_at(m, t, l);
            const rnnc__cellw w = weights(m, m->arena, l), g = weights(m, m->grad, l);
            real *dx = dy == dxa ? dxb : dxa;
            memset(dx, 0, B * d.I * sizeof(real));
            memset(dhp, 0, 2 * BH * sizeof(real));
            rnnc__dir_backward(&w, &d, dy, H, dhn + l * BH, has_c ? dcn + l * BH : NULL, dx, dhp,
                               has_c ? dcp : NULL, &g, m->work);
            memcpy(dhn + l * BH, dhp, BH * sizeof(real));
            if (has_c)
                memcpy(dcn + l * BH, dcp, BH * sizeof(real));
            dy = dx;
        }
        for (size_t j = 0; j < B; j++) { /* layer 0's input: the embedding and the fed h~ */
            memcpy(demb + j * E, dy + j * I0, E * sizeof(real));
            if (m->c.input_feed)
                memcpy(dfeed + j * H, dy + j * I0 + E, H * sizeof(real));
        }
        rnnc__embedding_backward(E, B, m->tgt + t * B, -1, demb, m->grad + m->emb);
    }
    rnnc__attn_finish(&a, &aw, m->dproj, dkeys, &ag);
    RNNC_TRY(bridge_backward(m, dhn, dcn, bbuf));
    return rnnc__model_backward(m->enc, dkeys);
}
