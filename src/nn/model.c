/* The model engine: a sequential stack of layers over one parameter arena and one gradient
 * arena, forward and backward over a whole batch. Generic over `real`. */
#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DIM ((size_t)1 << 24)

typedef struct mlayer {
    real *out;      /* (N,out) output buffer of non-recurrent layers, N = T*B or B */
    const real *y;  /* the output of the last forward (out, or inside the recurrent layer) */
    real *din;      /* (N,in) gradient at this layer's input (NULL for an embedding) */
    real *mask;     /* dropout layer: (N,out) scales */
    real *work;     /* dense: (N,out) */
    double *colsum; /* dense: (out) */
    int32_t *arg;   /* pool: (B,out) the step of each max */
    rnnc__stack *rec;
    rnnc__decoder *dec;
    /* recurrent states, PyTorch's (L*D,B,H) layout */
    size_t state_n; /* L*D*H */
    real *h0, *c0;  /* set by the caller for batches of state_B */
    size_t state_B;
    real *dhT, *dcT; /* set by the caller for the next backward */
    int has_dT;
    real *dh0, *dc0; /* from the last backward */
} mlayer;

struct rnnc__model {
    rnnc_config cfg;
    rnnc__plan plan;
    real *params, *grads; /* arenas, plan.total each */
    rnnc_rng rng;         /* dropout masks */
    mlayer L[RNNC_MAX_LAYERS];
    size_t Tcap, Bcap;                     /* buffers hold this much */
    size_t T, B;                           /* the last forward's batch */
    size_t dec_T;                          /* ... and its decoder steps (a model with a decoder) */
    double teacher;                        /* a decoder's teacher-forcing ratio in training */
    int forwarded;                         /* a forward has run */
    int trained;                           /* ... in training mode, so backward may follow */
    int no_input_grad;                     /* backward skips the gradient at the float input */
    int step_grads;                        /* backward keeps each step's state gradient */
    int step_grads_ready;                  /* ... and has, since the last forward */
    unsigned char frozen[RNNC_MAX_LAYERS]; /* layers whose parameters are not trained */
    unsigned char *active;                 /* (T,B) */
    int32_t *ids;                          /* (T,B) copy of the last ids */
    real *x;                               /* (T,B,I) copy of the last features */
};

static const rnnc_layer_spec *spec(const rnnc__model *m, int i) {
    return &m->cfg.layers[i];
}
static int is_rec(int kind) {
    return rnnc__is_recurrent(kind);
}
/* The first bias row of a recurrent layer's forget gate (its cell's forget_gate block), or -1. */
static long forget_rows(const rnnc_layer_spec *s) {
    const int c = rnnc__cell_find(s->kind, s->nonlinearity);
    return c >= 0 && rnnc__cells[c]->forget_gate >= 0 ? rnnc__cells[c]->forget_gate * s->hidden
                                                      : -1;
}

/* ---- creation and initialisation ---- */

static void uniform_fill(real *p, size_t n, double k, rnnc_rng *r) {
    for (size_t i = 0; i < n; i++)
        p[i] = (real)((2 * rnnc_rng_uniform(r) - 1) * k);
}

/* Keras's Orthogonal for a (G,H) weight_hh (G >= H): a normal (G,H) matrix orthonormalised by
 * modified Gram-Schmidt, which is QR with R's diagonal positive, as Keras's sign correction
 * makes it. */
static rnnc_status orthogonal_fill(real *p, size_t G, size_t H, rnnc_rng *r) {
    double *a;
    RNNC_TRY(rnnc__calloc((void **)&a, G * H, sizeof(double), "orthogonal initialisation"));
    for (size_t i = 0; i < G * H; i++)
        a[i] = rnnc_rng_normal(r);
    for (size_t j = 0; j < H; j++) {
        for (size_t k = 0; k < j; k++) {
            double dot = 0;
            for (size_t i = 0; i < G; i++)
                dot += a[i * H + j] * a[i * H + k];
            for (size_t i = 0; i < G; i++)
                a[i * H + j] -= dot * a[i * H + k];
        }
        double norm = 0;
        for (size_t i = 0; i < G; i++)
            norm += a[i * H + j] * a[i * H + j];
        norm = sqrt(norm);
        for (size_t i = 0; i < G; i++)
            a[i * H + j] /= norm;
    }
    for (size_t i = 0; i < G * H; i++)
        p[i] = (real)a[i];
    free(a);
    return RNNC_OK;
}

static rnnc_status keras_init(const rnnc__model *m, const rnnc__param *q, real *p, rnnc_rng *r) {
    const rnnc_layer_spec *s = spec(m, q->layer);
    if (s->kind == RNNC_LAYER_EMBEDDING) {
        uniform_fill(p, q->size, 0.05, r);
        if (s->padding_idx >= 0)
            memset(p + (size_t)s->padding_idx * q->dims[1], 0, q->dims[1] * sizeof(real));
    } else if (q->ndim == 1) { /* biases */
        memset(p, 0, q->size * sizeof(real));
        if (forget_rows(s) >= 0 && strstr(q->name, ".bias_ih_")) {
            const size_t f0 = (size_t)forget_rows(s), H = (size_t)s->hidden;
            for (size_t j = f0; j < f0 + H; j++)
                p[j] = s->set_forget_bias ? (real)s->forget_bias : 1;
        }
    } else if (strstr(q->name, ".weight_hh_")) {
        return orthogonal_fill(p, q->dims[0], q->dims[1], r);
    } else { /* weight_ih (G,I) and dense weight (O,F): glorot_uniform */
        uniform_fill(p, q->size, sqrt(6.0 / (double)(q->dims[0] + q->dims[1])), r);
    }
    return RNNC_OK;
}

/* A dense layer's weight: its own first parameter, or the embedding weight it is tied to. */
static const rnnc__param *dense_weight(const rnnc__model *m, int i) {
    const rnnc__plan_layer *pl = &m->plan.layer[i];
    return &m->plan.params[pl->tied_weight >= 0 ? pl->tied_weight : pl->first_param];
}

/* A decoder's parameter as PyTorch initialises the module of its structure: nn.Embedding N(0,1),
 * nn.LSTM/GRU U(-1/sqrt(H), 1/sqrt(H)), nn.Linear weight and bias U(-1/sqrt(fan_in), ..). */
static void decoder_init(const rnnc__model *m, int pi, real *p, rnnc_rng *r) {
    const rnnc__param *q = &m->plan.params[pi];
    const rnnc_layer_spec *s = spec(m, q->layer);
    const char *n = strchr(q->name, '.') + 1; /* after the layer's name */
    if (!strcmp(n, "embedding.weight")) {
        for (size_t i = 0; i < q->size; i++)
            p[i] = (real)rnnc_rng_normal(r);
    } else if (!strncmp(n, "rnn.", 4)) {
        uniform_fill(p, q->size, 1.0 / sqrt((double)s->hidden), r);
    } else { /* a Linear's weight, or its bias after it (the tied output's bias: fan_in hidden) */
        const size_t fan = q->ndim == 2             ? q->dims[1]
                           : !strcmp(n, "out.bias") ? (size_t)s->hidden
                                                    : m->plan.params[pi - 1].dims[1];
        uniform_fill(p, q->size, 1.0 / sqrt((double)fan), r);
    }
}

static rnnc_status init_params(rnnc__model *m, uint64_t seed) {
    rnnc_rng r;
    rnnc_rng_seed(&r, seed);
    for (int pi = 0; pi < m->plan.n_params; pi++) {
        const rnnc__param *q = &m->plan.params[pi];
        const rnnc_layer_spec *s = spec(m, q->layer);
        real *p = m->params + q->offset;
        if (s->kind == RNNC_LAYER_DECODER) {
            decoder_init(m, pi, p, &r);
        } else if (s->init == RNNC_INIT_KERAS) {
            RNNC_TRY(keras_init(m, q, p, &r));
        } else if (s->init == RNNC_INIT_IDENTITY) { /* IRNN (Le et al. 2015); plan: RNN only */
            if (strstr(q->name, ".weight_ih_")) {
                uniform_fill(p, q->size, 1.0 / sqrt((double)s->hidden), &r);
            } else { /* weight_hh (H,H) the identity, biases 0 */
                memset(p, 0, q->size * sizeof(real));
                for (size_t j = 0; q->ndim == 2 && j < q->dims[0]; j++)
                    p[j * q->dims[1] + j] = 1;
            }
        } else if (s->init == RNNC_INIT_UNIFORM) { /* Zaremba et al.: every parameter U(-a, a) */
            uniform_fill(p, q->size, (double)s->init_range, &r);
            if (s->kind == RNNC_LAYER_EMBEDDING && s->padding_idx >= 0)
                memset(p + (size_t)s->padding_idx * q->dims[1], 0, q->dims[1] * sizeof(real));
            if (forget_rows(s) >= 0 && s->set_forget_bias && q->ndim == 1) {
                const size_t f0 = (size_t)forget_rows(s), H = (size_t)s->hidden;
                const int is_ih = strstr(q->name, ".bias_ih_") != NULL;
                for (size_t j = f0; j < f0 + H; j++)
                    p[j] = is_ih ? (real)s->forget_bias : 0;
            }
        } else if (s->kind == RNNC_LAYER_EMBEDDING) { /* nn.Embedding: N(0,1), padding row zero */
            for (size_t i = 0; i < q->size; i++)
                p[i] = (real)rnnc_rng_normal(&r);
            if (s->padding_idx >= 0)
                memset(p + (size_t)s->padding_idx * q->dims[1], 0, q->dims[1] * sizeof(real));
        } else if (s->kind == RNNC_LAYER_DENSE) { /* nn.Linear: U(-1/sqrt(fan_in), ..) */
            uniform_fill(p, q->size, 1.0 / sqrt((double)m->plan.layer[q->layer].in), &r);
        } else { /* nn.RNN/LSTM/GRU: every tensor U(-1/sqrt(H), 1/sqrt(H)) */
            uniform_fill(p, q->size, 1.0 / sqrt((double)s->hidden), &r);
            if (forget_rows(s) >= 0 && s->set_forget_bias && q->ndim == 1) {
                const size_t f0 = (size_t)forget_rows(s), H = (size_t)s->hidden;
                const int is_ih = strstr(q->name, ".bias_ih_") != NULL;
                for (size_t j = f0; j < f0 + H; j++)
                    p[j] = is_ih ? (real)s->forget_bias : 0;
            }
        }
    }
    return RNNC_OK;
}

/* Points the recurrent layer's weight views into the arenas (plan order: l, d, then w_ih, w_hh,
 * b_ih, b_hh). */
static void bind_stack(rnnc__model *m, int i) {
    rnnc__stack *s = m->L[i].rec;
    const rnnc__plan_layer *pl = &m->plan.layer[i];
    for (size_t k = 0; k < s->L * s->D; k++) {
        const rnnc__param *q = &m->plan.params[pl->first_param + 4 * (int)k];
        s->w[k].w_ih = m->params + q[0].offset, s->g[k].w_ih = m->grads + q[0].offset;
        s->w[k].w_hh = m->params + q[1].offset, s->g[k].w_hh = m->grads + q[1].offset;
        s->w[k].b_ih = m->params + q[2].offset, s->g[k].b_ih = m->grads + q[2].offset;
        s->w[k].b_hh = m->params + q[3].offset, s->g[k].b_hh = m->grads + q[3].offset;
    }
}

rnnc_status rnnc__model_create(const rnnc_config *cfg, uint64_t seed, rnnc__model **out) {
    if (!out)
        return RNNC_FAIL(RNNC_ERR_ARG, "model_create: out is NULL");
    *out = NULL;
    rnnc__model *m;
    RNNC_TRY(rnnc__calloc((void **)&m, 1, sizeof *m, "model"));
    rnnc_status st = rnnc__plan_build(cfg, &m->plan);
    if (st != RNNC_OK) {
        free(m);
        return st;
    }
    m->cfg = *cfg;
    st = rnnc__calloc((void **)&m->params, m->plan.total, sizeof(real), "parameter arena");
    if (st == RNNC_OK)
        st = rnnc__calloc((void **)&m->grads, m->plan.total, sizeof(real), "gradient arena");
    for (int i = 0; i < cfg->n_layers && st == RNNC_OK; i++) {
        const rnnc_layer_spec *s = spec(m, i);
        if (s->kind == RNNC_LAYER_DECODER)
            st = rnnc__decoder_create(&m->cfg, &m->plan, i, &m->L[i].dec);
        if (!is_rec(s->kind))
            continue;
        st = rnnc__calloc((void **)&m->L[i].rec, 1, sizeof *m->L[i].rec, "recurrent layer");
        if (st != RNNC_OK)
            break;
        rnnc__stack *r = m->L[i].rec;
        r->cell = rnnc__plan_cell(s);
        r->I = m->plan.layer[i].in, r->H = (size_t)s->hidden, r->L = (size_t)s->layers;
        r->D = s->bidirectional ? 2 : 1;
        r->merge = s->merge, r->return_sequences = s->return_sequences;
        r->dropout = s->dropout, r->weight_drop = s->weight_drop;
        m->L[i].state_n = r->L * r->D * r->H;
        bind_stack(m, i);
    }
    if (st != RNNC_OK) {
        rnnc__model_free(m);
        return st;
    }
    st = init_params(m, seed);
    if (st != RNNC_OK) {
        rnnc__model_free(m);
        return st;
    }
    rnnc_rng_seed(&m->rng, seed ^ UINT64_C(0x5DEECE66D2545F49));
    m->teacher = 1;
    *out = m;
    return RNNC_OK;
}

static void free_buffers(rnnc__model *m) {
    for (int i = 0; i < m->cfg.n_layers; i++) {
        mlayer *L = &m->L[i];
        free(L->out), free(L->din), free(L->mask), free(L->work), free(L->dh0), free(L->dc0);
        L->out = L->din = L->mask = L->work = L->dh0 = L->dc0 = NULL;
        free(L->dhT), free(L->dcT), free(L->arg), free(L->colsum);
        L->colsum = NULL;
        L->dhT = L->dcT = NULL;
        L->arg = NULL;
        L->has_dT = 0;
    }
    free(m->active), free(m->ids), free(m->x);
    m->active = NULL, m->ids = NULL, m->x = NULL;
    m->Tcap = m->Bcap = 0;
}

void rnnc__model_free(rnnc__model *m) {
    if (!m)
        return;
    free_buffers(m);
    for (int i = 0; i < m->cfg.n_layers; i++) {
        rnnc__stack_free(m->L[i].rec);
        free(m->L[i].rec);
        rnnc__decoder_free(m->L[i].dec);
        free(m->L[i].h0), free(m->L[i].c0);
    }
    free(m->params), free(m->grads);
    rnnc__plan_free(&m->plan);
    free(m);
}

const rnnc_config *rnnc__model_config(const rnnc__model *m) {
    return &m->cfg;
}
const rnnc__plan *rnnc__model_plan(const rnnc__model *m) {
    return &m->plan;
}
real *rnnc__model_params(rnnc__model *m) {
    return m->params;
}
real *rnnc__model_grads(rnnc__model *m) {
    return m->grads;
}
rnnc_rng *rnnc__model_rng(rnnc__model *m) {
    return &m->rng;
}

/* ---- buffers ---- */

static rnnc_status alloc_real(real **p, size_t a, size_t b) {
    return rnnc__calloc((void **)p, a, b * sizeof(real), "model buffer");
}

/* Sizes every buffer for (T,B); grows only. */
static rnnc_status reserve(rnnc__model *m, size_t T, size_t B) {
    if (T <= m->Tcap && B <= m->Bcap)
        return RNNC_OK;
    T = T > m->Tcap ? T : m->Tcap;
    B = B > m->Bcap ? B : m->Bcap;
    free_buffers(m);
    const size_t TB = T * B;
    RNNC_TRY(rnnc__calloc((void **)&m->active, TB, 1, "model buffer"));
    RNNC_TRY(rnnc__calloc((void **)&m->ids, TB, sizeof(int32_t), "model buffer"));
    if (spec(m, 0)->kind != RNNC_LAYER_EMBEDDING)
        RNNC_TRY(alloc_real(&m->x, TB, (size_t)m->cfg.input_size));
    for (int i = 0; i < m->cfg.n_layers; i++) {
        const rnnc__plan_layer *pl = &m->plan.layer[i];
        mlayer *L = &m->L[i];
        const size_t Nin = pl->seq_in ? TB : B, Nout = pl->seq_out ? TB : B;
        if (!L->rec && !L->dec) /* a decoder keeps its own, (dec_T,B,vocab) */
            RNNC_TRY(alloc_real(&L->out, Nout, pl->out));
        if (pl->kind != RNNC_LAYER_EMBEDDING)
            RNNC_TRY(alloc_real(&L->din, Nin, pl->in));
        if (pl->kind == RNNC_LAYER_DROPOUT)
            RNNC_TRY(alloc_real(&L->mask, Nout, pl->out));
        if (pl->kind == RNNC_LAYER_DENSE) {
            RNNC_TRY(alloc_real(&L->work, Nout, pl->out));
            RNNC_TRY(rnnc__calloc((void **)&L->colsum, pl->out, sizeof(double), "model buffer"));
        }
        if (pl->kind == RNNC_LAYER_POOL)
            RNNC_TRY(rnnc__calloc((void **)&L->arg, B, pl->out * sizeof(int32_t), "model buffer"));
        if (L->rec) {
            RNNC_TRY(rnnc__stack_reserve(L->rec, T, B));
            RNNC_TRY(alloc_real(&L->dh0, B, L->state_n));
            RNNC_TRY(alloc_real(&L->dhT, B, L->state_n));
            if (rnnc__cells[L->rec->cell]->has_c) {
                RNNC_TRY(alloc_real(&L->dc0, B, L->state_n));
                RNNC_TRY(alloc_real(&L->dcT, B, L->state_n));
            }
        }
    }
    m->Tcap = T, m->Bcap = B;
    return RNNC_OK;
}

/* ---- forward ---- */

/* upto: the layers the forward runs (a decoding runs all but the decoder, which needs no inputs). */
static rnnc_status check_batch(const rnnc__model *m, const rnnc__batch *b, int upto) {
    const int emb = spec(m, 0)->kind == RNNC_LAYER_EMBEDDING;
    if (b->T < 1 || b->B < 1 || b->T > MAX_DIM || b->B > MAX_DIM)
        return RNNC_FAIL(RNNC_ERR_SHAPE, "batch: T = %zu and B = %zu must be in [1, %zu]", b->T,
                         b->B, MAX_DIM);
    size_t tb;
    if (rnnc__mul(b->T, b->B, &tb) || tb > ((size_t)1 << 31))
        return RNNC_FAIL(RNNC_ERR_SHAPE, "batch: T*B = %zu*%zu is too large", b->T, b->B);
    if (emb && !b->ids)
        return RNNC_FAIL(RNNC_ERR_ARG, "batch: the model starts with an embedding; give ids");
    if (!emb && !b->x)
        return RNNC_FAIL(RNNC_ERR_ARG, "batch: the model takes features; give x");
    if (b->ids && b->x)
        return RNNC_FAIL(RNNC_ERR_ARG, "batch: give ids or x, not both");
    if (b->padding != RNNC_PAD_POST && b->padding != RNNC_PAD_PRE)
        return RNNC_FAIL(RNNC_ERR_ARG, "batch: padding %d is neither post nor pre", b->padding);
    if (emb) {
        const int V = spec(m, 0)->vocab;
        for (size_t i = 0; i < tb; i++)
            if (b->ids[i] < 0 || b->ids[i] >= V)
                return RNNC_FAIL(RNNC_ERR_ARG,
                                 "batch: ids[t=%zu, b=%zu] = %d is outside the vocabulary [0, %d)",
                                 i / b->B, i % b->B, (int)b->ids[i], V);
    }
    if (b->lengths)
        for (size_t i = 0; i < b->B; i++)
            if (b->lengths[i] < 1 || (size_t)b->lengths[i] > b->T)
                return RNNC_FAIL(RNNC_ERR_ARG, "batch: lengths[%zu] = %d is outside [1, T = %zu]",
                                 i, (int)b->lengths[i], b->T);
    const rnnc_layer_spec *last = spec(m, m->cfg.n_layers - 1);
    if (last->kind == RNNC_LAYER_DECODER && upto == m->cfg.n_layers) {
        if (!b->dec_ids || b->dec_T < 1 || b->dec_T > MAX_DIM)
            return RNNC_FAIL(RNNC_ERR_ARG,
                             "batch: the model ends in a decoder; give its inputs dec_ids "
                             "(dec_T,B) with dec_T in [1, %zu]",
                             MAX_DIM);
        for (size_t i = 0; i < b->dec_T * b->B; i++)
            if (b->dec_ids[i] < 0 || b->dec_ids[i] >= last->vocab)
                return RNNC_FAIL(RNNC_ERR_ARG,
                                 "batch: dec_ids[t=%zu, b=%zu] = %d is outside the decoder's "
                                 "vocabulary [0, %d)",
                                 i / b->B, i % b->B, (int)b->dec_ids[i], last->vocab);
    }
    for (int i = 0; i < m->cfg.n_layers; i++)
        if (m->L[i].h0 && m->L[i].state_B != b->B)
            return RNNC_FAIL(RNNC_ERR_SHAPE,
                             "batch: B = %zu but the initial state of layer %d was set for B = %zu",
                             b->B, i, m->L[i].state_B);
    return RNNC_OK;
}

static void make_active(rnnc__model *m, const rnnc__batch *b) {
    for (size_t t = 0; t < b->T; t++)
        for (size_t j = 0; j < b->B; j++) {
            size_t len = b->lengths ? (size_t)b->lengths[j] : b->T;
            size_t start = b->padding == RNNC_PAD_PRE ? b->T - len : 0;
            m->active[t * b->B + j] = t >= start && t < start + len;
        }
}

/* The final states of the recurrent layers before layer i (a decoder's encoder), with where
 * their gradients go; returns their count. */
static int enc_states(rnnc__model *m, int i, rnnc__enc_state *enc) {
    int n = 0;
    for (int k = 0; k < i; k++) {
        mlayer *L = &m->L[k];
        if (!L->rec)
            continue;
        const int has_c = rnnc__cells[L->rec->cell]->has_c;
        enc[n].h = L->rec->hT, enc[n].c = has_c ? L->rec->cT : NULL;
        enc[n].dh = L->dhT, enc[n].dc = has_c ? L->dcT : NULL;
        enc[n].LD = L->rec->L * L->rec->D, enc[n].He = L->rec->H;
        n++;
    }
    return n;
}

/* The input of layer i in the last forward. */
static const real *layer_in(const rnnc__model *m, int i) {
    return i > 0 ? m->L[i - 1].y : m->x;
}

/* The forward of layers [0, upto). */
static rnnc_status forward_upto(rnnc__model *m, const rnnc__batch *b, int training, int upto) {
    m->forwarded = m->trained = 0;
    RNNC_TRY(check_batch(m, b, upto));
    RNNC_TRY(reserve(m, b->T, b->B));
    const size_t T = b->T, B = b->B, TB = T * B;
    m->T = T, m->B = B;
    make_active(m, b);
    if (b->ids)
        memcpy(m->ids, b->ids, TB * sizeof(int32_t));
    else
        memcpy(m->x, b->x, TB * (size_t)m->cfg.input_size * sizeof(real));
    for (int i = 0; i < upto; i++) {
        const rnnc_layer_spec *s = spec(m, i);
        const rnnc__plan_layer *pl = &m->plan.layer[i];
        const rnnc__param *q = &m->plan.params[pl->first_param];
        mlayer *L = &m->L[i];
        const real *in = layer_in(m, i);
        const size_t N = pl->seq_in ? TB : B;
        L->has_dT = 0;
        switch (s->kind) {
        case RNNC_LAYER_EMBEDDING:
            rnnc__embedding_forward(m->params + q[0].offset, pl->out, N, m->ids, L->out);
            L->y = L->out;
            break;
        case RNNC_LAYER_DENSE:
            rnnc__dense_forward(m->params + dense_weight(m, i)->offset,
                                m->params + q[pl->n_params - 1].offset, s->activation, N, pl->in,
                                pl->out, in, L->out);
            L->y = L->out;
            break;
        case RNNC_LAYER_DROPOUT:
            if (training && s->rate > 0)
                rnnc__dropout_forward(&m->rng, s->rate, N * pl->out, in, L->out, L->mask);
            else
                memcpy(L->out, in, N * pl->out * sizeof(real));
            L->y = L->out;
            break;
        case RNNC_LAYER_POOL:
            rnnc__pool_forward(s->pool, T, B, pl->in, in, m->active, L->out, L->arg);
            L->y = L->out;
            break;
        case RNNC_LAYER_DECODER: {
            rnnc__enc_state enc[RNNC_MAX_LAYERS];
            const int n_enc = enc_states(m, i, enc);
            const int sample = training && m->teacher < 1;
            RNNC_TRY(rnnc__decoder_forward(L->dec, m->params, in, m->active, T, B, enc, n_enc,
                                           b->dec_T, b->dec_ids, m->teacher,
                                           sample ? &m->rng : NULL));
            m->dec_T = b->dec_T;
            L->y = rnnc__decoder_logits(L->dec);
            break;
        }
        default:
            L->y =
                rnnc__stack_forward(L->rec, T, B, in, m->active, L->h0, L->c0, training, &m->rng);
        }
    }
    m->forwarded = 1;
    m->trained = training != 0;
    m->step_grads_ready = 0;
    return RNNC_OK;
}

rnnc_status rnnc__model_forward(rnnc__model *m, const rnnc__batch *b, int training) {
    if (!m || !b)
        return RNNC_FAIL(RNNC_ERR_ARG, "model_forward: NULL argument");
    return forward_upto(m, b, training, m->cfg.n_layers);
}

rnnc_status rnnc__model_decode_begin(rnnc__model *m, const rnnc__batch *b, size_t K) {
    if (!m || !b || K < 1)
        return RNNC_FAIL(RNNC_ERR_ARG, "model_decode_begin: NULL argument or no beam");
    const int n = m->cfg.n_layers;
    if (spec(m, n - 1)->kind != RNNC_LAYER_DECODER)
        return RNNC_FAIL(RNNC_ERR_ARG, "decoding needs a model that ends in a decoder layer");
    RNNC_TRY(forward_upto(m, b, 0, n - 1));
    m->forwarded = 0; /* no output until a step */
    rnnc__enc_state enc[RNNC_MAX_LAYERS];
    const int n_enc = enc_states(m, n - 1, enc);
    return rnnc__decoder_begin(m->L[n - 1].dec, m->params, layer_in(m, n - 1), m->active, b->T,
                               b->B, enc, n_enc, K);
}

rnnc_status rnnc__model_decode_step(rnnc__model *m, const int32_t *parent, const int32_t *ids,
                                    const real **logits) {
    if (!m || !parent || !ids || !logits)
        return RNNC_FAIL(RNNC_ERR_ARG, "model_decode_step: NULL argument");
    rnnc__decoder *d = m->L[m->cfg.n_layers - 1].dec;
    if (!d)
        return RNNC_FAIL(RNNC_ERR_ARG, "decoding needs a model that ends in a decoder layer");
    return rnnc__decoder_step(d, parent, ids, logits);
}

rnnc_status rnnc__model_set_teacher_forcing(rnnc__model *m, double ratio) {
    if (!(ratio >= 0 && ratio <= 1))
        return RNNC_FAIL(RNNC_ERR_ARG, "teacher forcing ratio %g is outside [0, 1]", ratio);
    if (spec(m, m->cfg.n_layers - 1)->kind != RNNC_LAYER_DECODER)
        return RNNC_FAIL(RNNC_ERR_ARG, "teacher forcing needs a model that ends in a decoder");
    m->teacher = ratio;
    return RNNC_OK;
}

const rnnc__decoder *rnnc__model_decoder(const rnnc__model *m) {
    return m ? m->L[m->cfg.n_layers - 1].dec : NULL;
}

const real *rnnc__model_output(const rnnc__model *m, int *ndim, size_t dims[3]) {
    if (!m || !m->forwarded)
        return NULL;
    const rnnc__plan_layer *pl = &m->plan.layer[m->cfg.n_layers - 1];
    if (ndim && dims) {
        *ndim = pl->seq_out ? 3 : 2;
        size_t k = 0;
        if (pl->seq_out)
            dims[k++] = pl->kind == RNNC_LAYER_DECODER ? m->dec_T : m->T;
        dims[k++] = m->B;
        dims[k++] = pl->out;
    }
    return m->L[m->cfg.n_layers - 1].y;
}

/* ---- backward ---- */

/* Each recurrent layer's (L*D,T,B,H) record of its state gradients, zeroed (a layer that backward
 * skips, frozen below the lowest that trains, keeps zeros). Only while step_grads is on. */
static rnnc_status reserve_step_grads(rnnc__model *m) {
    for (int i = 0; i < m->cfg.n_layers; i++) {
        rnnc__stack *s = m->L[i].rec;
        if (!s)
            continue;
        const size_t n = s->L * s->D * m->T * m->B * s->H;
        if (n > s->dhs_cap) {
            free(s->dhs);
            s->dhs = NULL, s->dhs_cap = 0;
            RNNC_TRY(alloc_real(&s->dhs, n, 1));
            s->dhs_cap = n;
        }
        memset(s->dhs, 0, n * sizeof(real));
    }
    return RNNC_OK;
}

rnnc_status rnnc__model_backward(rnnc__model *m, const real *dout) {
    if (!m || !dout)
        return RNNC_FAIL(RNNC_ERR_ARG, "model_backward: NULL argument");
    if (!m->trained)
        return RNNC_FAIL(RNNC_ERR_STATE, "model_backward: needs a forward with training = 1");
    const size_t T = m->T, B = m->B, TB = T * B;
    /* A layer's input gradient is wanted when a layer below it trains, or when the caller wants
     * the gradient at the float input; below the lowest layer that trains, frozen layers have
     * no backward at all (their initial-state gradients are zero). */
    const int input_grad = !m->no_input_grad && spec(m, 0)->kind != RNNC_LAYER_EMBEDDING;
    int lowest = input_grad ? -1 : m->cfg.n_layers; /* the lowest layer with work to do */
    for (int i = m->cfg.n_layers - 1; i >= 0; i--)
        if (!m->frozen[i])
            lowest = lowest < i ? lowest : i;
    if (m->step_grads)
        RNNC_TRY(reserve_step_grads(m));
    for (int i = m->cfg.n_layers - 1; i >= 0; i--) {
        const rnnc_layer_spec *s = spec(m, i);
        const rnnc__plan_layer *pl = &m->plan.layer[i];
        const rnnc__param *q = &m->plan.params[pl->first_param];
        mlayer *L = &m->L[i];
        const real *dy = i == m->cfg.n_layers - 1 ? dout : m->L[i + 1].din;
        const real *in = layer_in(m, i);
        const size_t N = pl->seq_in ? TB : B, Nout = pl->seq_out ? TB : B;
        const int frozen = m->frozen[i];
        if (i < lowest) { /* frozen, and nothing below wants a gradient */
            if (L->dh0)
                memset(L->dh0, 0, B * L->state_n * sizeof(real));
            if (L->dc0)
                memset(L->dc0, 0, B * L->state_n * sizeof(real));
            continue;
        }
        /* the first layer's input gradient only on request: for a recurrent layer it is a GEMM
         * as large as the input projection; above, only when a layer below trains */
        real *din = (i == 0 && m->no_input_grad) || (i <= lowest && !input_grad) ? NULL : L->din;
        if (din)
            memset(din, 0, N * pl->in * sizeof(real));
        switch (s->kind) {
        case RNNC_LAYER_EMBEDDING:
            if (!frozen)
                rnnc__embedding_backward(pl->out, N, m->ids, s->padding_idx, dy,
                                         m->grads + q[0].offset);
            break;
        case RNNC_LAYER_DENSE:
            rnnc__dense_backward(
                m->params + dense_weight(m, i)->offset, s->activation, N, pl->in, pl->out, in, L->y,
                dy, din, frozen ? NULL : m->grads + dense_weight(m, i)->offset,
                frozen ? NULL : m->grads + q[pl->n_params - 1].offset, L->work, L->colsum);
            break;
        case RNNC_LAYER_DROPOUT:
            if (!din)
                break;
            if (s->rate > 0)
                rnnc__dropout_backward(Nout * pl->out, L->mask, dy, din);
            else
                for (size_t k = 0; k < Nout * pl->out; k++)
                    din[k] += dy[k];
            break;
        case RNNC_LAYER_POOL:
            if (din)
                rnnc__pool_backward(s->pool, T, B, pl->in, m->active, L->arg, dy, din);
            break;
        case RNNC_LAYER_DECODER: {
            rnnc__enc_state enc[RNNC_MAX_LAYERS];
            const int n_enc = enc_states(m, i, enc);
            RNNC_TRY(rnnc__decoder_backward(L->dec, m->params, m->grads, dy, din, enc, n_enc));
            for (int k = 0; k < i; k++)
                m->L[k].has_dT = m->L[k].rec != NULL;
            if (frozen) { /* its parameters' gradients are not kept */
                const rnnc__param *a = &q[0], *z = &q[pl->n_params - 1];
                memset(m->grads + a->offset, 0, (z->offset + z->size - a->offset) * sizeof(real));
            }
            break;
        }
        default:
            memset(L->dh0, 0, B * L->state_n * sizeof(real));
            if (L->dc0)
                memset(L->dc0, 0, B * L->state_n * sizeof(real));
            L->rec->frozen = frozen;
            rnnc__stack_backward(L->rec, in, dy, L->has_dT ? L->dhT : NULL,
                                 L->has_dT && L->dcT ? L->dcT : NULL, din, L->dh0, L->dc0);
        }
    }
    m->step_grads_ready = m->step_grads;
    return RNNC_OK;
}

const real *rnnc__model_input_grad(const rnnc__model *m) {
    return m && !m->no_input_grad ? m->L[0].din : NULL;
}

rnnc_status rnnc__model_set_trainable(rnnc__model *m, int layer, int on) {
    if (!m || layer < 0 || layer >= m->cfg.n_layers)
        return RNNC_FAIL(RNNC_ERR_ARG, "set_trainable: no layer %d: the model's layers are 0 to %d",
                         layer, m ? m->cfg.n_layers - 1 : -1);
    m->frozen[layer] = !on;
    return RNNC_OK;
}

int rnnc__model_trainable(const rnnc__model *m, int layer) {
    return m && layer >= 0 && layer < m->cfg.n_layers && !m->frozen[layer];
}

void rnnc__model_set_input_grad(rnnc__model *m, int on) {
    if (m)
        m->no_input_grad = !on;
}

void rnnc__model_set_step_grads(rnnc__model *m, int on) {
    if (!m)
        return;
    m->step_grads = on != 0;
    m->step_grads_ready = 0;
    for (int i = 0; !on && i < m->cfg.n_layers; i++)
        if (m->L[i].rec) { /* off: the cells see no record to write */
            free(m->L[i].rec->dhs);
            m->L[i].rec->dhs = NULL, m->L[i].rec->dhs_cap = 0;
        }
}

/* ---- recurrent states ---- */

static rnnc_status rec_layer(const rnnc__model *m, int layer, const char *fn) {
    if (!m)
        return RNNC_FAIL(RNNC_ERR_ARG, "%s: model is NULL", fn);
    if (layer < 0 || layer >= m->cfg.n_layers)
        return RNNC_FAIL(RNNC_ERR_ARG, "%s: no layer %d: the model's layers are 0 to %d", fn, layer,
                         m->cfg.n_layers - 1);
    if (!m->L[layer].rec)
        return RNNC_FAIL(RNNC_ERR_ARG, "%s: layer %d is a %s layer, which has no recurrent state",
                         fn, layer, rnnc__kind_name(m->cfg.layers[layer].kind));
    return RNNC_OK;
}

rnnc_status rnnc__model_set_state(rnnc__model *m, int layer, size_t B, const real *h0,
                                  const real *c0) {
    RNNC_TRY(rec_layer(m, layer, "model_set_state"));
    mlayer *L = &m->L[layer];
    free(L->h0), free(L->c0);
    L->h0 = L->c0 = NULL;
    L->state_B = 0;
    if (!h0)
        return RNNC_OK;
    if (B < 1 || B > MAX_DIM)
        return RNNC_FAIL(RNNC_ERR_SHAPE, "model_set_state: B = %zu is outside [1, %zu]", B,
                         MAX_DIM);
    RNNC_TRY(alloc_real(&L->h0, B, L->state_n));
    memcpy(L->h0, h0, B * L->state_n * sizeof(real));
    if (c0 && rnnc__cells[L->rec->cell]->has_c) {
        RNNC_TRY(alloc_real(&L->c0, B, L->state_n));
        memcpy(L->c0, c0, B * L->state_n * sizeof(real));
    }
    L->state_B = B;
    return RNNC_OK;
}

rnnc_status rnnc__model_final_state(const rnnc__model *m, int layer, const real **h,
                                    const real **c) {
    RNNC_TRY(rec_layer(m, layer, "model_final_state"));
    if (!m->forwarded)
        return RNNC_FAIL(RNNC_ERR_STATE, "model_final_state: no forward yet");
    if (h)
        *h = m->L[layer].rec->hT;
    if (c)
        *c = m->L[layer].rec->cT;
    return RNNC_OK;
}

rnnc_status rnnc__model_set_final_state_grad(rnnc__model *m, int layer, const real *dh,
                                             const real *dc) {
    RNNC_TRY(rec_layer(m, layer, "model_set_final_state_grad"));
    if (!m->forwarded)
        return RNNC_FAIL(RNNC_ERR_STATE, "model_set_final_state_grad: call it after forward");
    mlayer *L = &m->L[layer];
    const size_t n = m->B * L->state_n;
    L->has_dT = dh || dc;
    for (size_t i = 0; i < n; i++)
        L->dhT[i] = dh ? dh[i] : 0;
    if (L->dcT)
        for (size_t i = 0; i < n; i++)
            L->dcT[i] = dc ? dc[i] : 0;
    return RNNC_OK;
}

rnnc_status rnnc__model_initial_state_grad(const rnnc__model *m, int layer, const real **dh0,
                                           const real **dc0) {
    RNNC_TRY(rec_layer(m, layer, "model_initial_state_grad"));
    if (dh0)
        *dh0 = m->L[layer].dh0;
    if (dc0)
        *dc0 = m->L[layer].dc0;
    return RNNC_OK;
}

rnnc_status rnnc__model_step_grads(const rnnc__model *m, int layer, const real **dh,
                                   size_t dims[4]) {
    RNNC_TRY(rec_layer(m, layer, "model_step_grads"));
    if (!m->step_grads)
        return RNNC_FAIL(RNNC_ERR_STATE, "model_step_grads: the step gradients are not kept "
                                         "(rnnc_model_set_step_grads)");
    if (!m->step_grads_ready)
        return RNNC_FAIL(RNNC_ERR_STATE,
                         "model_step_grads: no backward since the last forward or since they "
                         "were turned on");
    const rnnc__stack *s = m->L[layer].rec;
    if (dh)
        *dh = s->dhs;
    if (dims)
        dims[0] = s->L * s->D, dims[1] = m->T, dims[2] = m->B, dims[3] = s->H;
    return RNNC_OK;
}
