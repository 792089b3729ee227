/* Model plan: validation of a config, layer sizes, parameter names and arena offsets. */
#include "plan.h"

#include "layers.h"
#include "stack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Any single dimension above this is surely a mistake (and keeps products far from overflow). */
#define MAX_DIM (1 << 24)

const char *rnnc__kind_name(int kind) {
    switch (kind) {
    case RNNC_LAYER_EMBEDDING: return "embedding";
    case RNNC_LAYER_DENSE: return "dense";
    case RNNC_LAYER_DROPOUT: return "dropout";
    case RNNC_LAYER_POOL: return "pool";
    case RNNC_LAYER_DECODER: return "decoder";
    default: /* a recurrent kind: its cell's name */
        for (int c = 0; c < rnnc__n_cells; c++)
            if (rnnc__cells[c]->kind == kind)
                return rnnc__cells[c]->name;
        return NULL;
    }
}

void rnnc_layer_spec_defaults(rnnc_layer_spec *out, size_t size, int kind) {
    rnnc_layer_spec s;
    memset(&s, 0, sizeof s);
    s.kind = kind;
    s.padding_idx = -1;
    s.activation = RNNC_ACT_LINEAR;
    s.layers = 1;
    s.merge = RNNC_MERGE_CONCAT;
    s.nonlinearity = RNNC_ACT_TANH;
    s.cell = RNNC_LAYER_LSTM;
    s.attention = RNNC_ATTN_GENERAL;
    s.input_feed = 1;
    s.bridge = RNNC_BRIDGE_LINEAR;
    s.struct_size = sizeof s;
    rnnc__spec_fill(out, size, &s, sizeof s);
}

int rnnc__plan_cell(const rnnc_layer_spec *s) {
    return rnnc__cell_find(s->kind, s->nonlinearity);
}

static int is_recurrent(int kind) {
    return rnnc__is_recurrent(kind);
}

static int valid_name(const char *n) {
    if (!n[0])
        return 0;
    for (const char *p = n; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_'))
            return 0;
    return 1;
}

#define LAYER_FAIL(code, i, s, fmt, ...)                                                           \
    RNNC_FAIL(code, "layer %d (%s): " fmt, (i), rnnc__kind_name((s)->kind), __VA_ARGS__)

static rnnc_status check_dim(int i, const rnnc_layer_spec *s, const char *field, long v, long lo) {
    if (v < lo || v > MAX_DIM)
        return LAYER_FAIL(RNNC_ERR_ARG, i, s, "%s = %ld is outside [%ld, %d]", field, v, lo,
                          MAX_DIM);
    return RNNC_OK;
}

static rnnc_status check_rate(int i, const rnnc_layer_spec *s, const char *field, float p) {
    if (!(p >= 0 && p < 1))
        return LAYER_FAIL(RNNC_ERR_ARG, i, s, "%s = %g is outside [0, 1)", field, (double)p);
    return RNNC_OK;
}

size_t rnnc__plan_bridge_in(const rnnc_config *cfg, int upto) {
    if (upto == 0) /* a conditioned decoder: the mean of its input features */
        return (size_t)cfg->input_size;
    size_t n = 0;
    for (int k = 0; k < upto; k++) {
        const rnnc_layer_spec *e = &cfg->layers[k];
        if (is_recurrent(e->kind))
            n += (size_t)e->layers * (e->bidirectional ? 2 : 1) * (size_t)e->hidden;
    }
    return n;
}

/* A decoder: the last layer, over a recurrent layer's sequence of feat features. */
static rnnc_status validate_decoder(const rnnc_config *cfg, int i, int seq, size_t feat) {
    const rnnc_layer_spec *s = &cfg->layers[i], *prev = i > 0 ? &cfg->layers[i - 1] : NULL;
    if (i + 1 != cfg->n_layers || (prev && (!is_recurrent(prev->kind) || !seq)))
        return LAYER_FAIL(RNNC_ERR_SHAPE, i, s, "%s",
                          "a decoder is the last layer, right after a recurrent layer with "
                          "return_sequences = 1 (the encoder whose outputs it attends over), "
                          "or the only layer (over the input features)");
    if (!prev && s->bridge == RNNC_BRIDGE_COPY)
        return LAYER_FAIL(RNNC_ERR_ARG, i, s, "%s",
                          "bridge = copy needs an encoder's final states; a decoder over the "
                          "input features starts from none or linear (their mean)");
    if (s->vocab == 0)
        return LAYER_FAIL(RNNC_ERR_ARG, i, s, "%s",
                          "vocab = auto is set by a translator from its data; give a number here");
    RNNC_TRY(check_dim(i, s, "vocab", s->vocab, 1));
    RNNC_TRY(check_dim(i, s, "dim", s->dim, 1));
    RNNC_TRY(check_dim(i, s, "hidden", s->hidden, 1));
    if (s->layers < 1 || s->layers > RNNC__MAX_STACK)
        return LAYER_FAIL(RNNC_ERR_ARG, i, s, "layers = %d is outside [1, %d]", s->layers,
                          RNNC__MAX_STACK);
    if (s->cell != RNNC_LAYER_LSTM && s->cell != RNNC_LAYER_GRU)
        return LAYER_FAIL(RNNC_ERR_ARG, i, s, "cell %d must be lstm or gru", s->cell);
    if (s->attention < RNNC_ATTN_DOT || s->attention > RNNC_ATTN_ADDITIVE)
        return LAYER_FAIL(RNNC_ERR_ARG, i, s, "unknown attention %d", s->attention);
    if (s->attention_size < 0 || s->attention_size > MAX_DIM)
        return LAYER_FAIL(RNNC_ERR_ARG, i, s, "attention_size = %d is outside [0, %d]",
                          s->attention_size, MAX_DIM);
    if (s->input_feed != 0 && s->input_feed != 1)
        return LAYER_FAIL(RNNC_ERR_ARG, i, s, "input_feed = %d must be 0 or 1", s->input_feed);
    if (s->tie_weights != 0 && s->tie_weights != 1)
        return LAYER_FAIL(RNNC_ERR_ARG, i, s, "tie_weights = %d must be 0 or 1", s->tie_weights);
    if (s->tie_weights && s->dim != s->hidden)
        return LAYER_FAIL(RNNC_ERR_SHAPE, i, s,
                          "tie_weights needs dim = hidden (the output layer reads the hidden "
                          "state with the embedding's rows), not %d and %d",
                          s->dim, s->hidden);
    if (s->attention == RNNC_ATTN_DOT && feat != (size_t)s->hidden)
        return LAYER_FAIL(RNNC_ERR_SHAPE, i, s,
                          "dot attention needs the encoder's %zu output features = hidden %d; "
                          "use attention = general or additive",
                          feat, s->hidden);
    if (s->bridge < RNNC_BRIDGE_NONE || s->bridge > RNNC_BRIDGE_LINEAR)
        return LAYER_FAIL(RNNC_ERR_ARG, i, s, "unknown bridge %d", s->bridge);
    if (prev && s->bridge == RNNC_BRIDGE_COPY) {
        int n_rec = 0;
        for (int k = 0; k < i; k++)
            n_rec += is_recurrent(cfg->layers[k].kind);
        const int D = prev->bidirectional ? 2 : 1;
        if (n_rec != 1 || prev->layers != s->layers || D * prev->hidden != s->hidden)
            return LAYER_FAIL(RNNC_ERR_SHAPE, i, s,
                              "bridge = copy needs one recurrent encoder layer with the decoder's "
                              "%d layers and hidden x directions = the decoder's hidden %d; use "
                              "bridge = linear",
                              s->layers, s->hidden);
    }
    return RNNC_OK;
}

static rnnc_status validate_layer(const rnnc_config *cfg, int i, int *seq, size_t *feat) {
    const rnnc_layer_spec *s = &cfg->layers[i];
    if (RNNC__SPEC_CHECK(s, rnnc_layer_spec)) {
        char where[32];
        snprintf(where, sizeof where, "layer %d", i);
        return rnnc__fail_prefix(RNNC_ERR_ARG, where);
    }
    if (!rnnc__kind_name(s->kind))
        return RNNC_FAIL(RNNC_ERR_ARG, "layer %d: unknown kind %d", i, s->kind);
    if (s->name[0] && !valid_name(s->name))
        return LAYER_FAIL(RNNC_ERR_ARG, i, s, "name '%s' may hold only letters, digits and '_'",
                          s->name);
    if (s->init != RNNC_INIT_TORCH && s->init != RNNC_INIT_KERAS && s->init != RNNC_INIT_UNIFORM &&
        s->init != RNNC_INIT_IDENTITY)
        return LAYER_FAIL(RNNC_ERR_ARG, i, s, "unknown init %d (torch, keras, uniform or identity)",
                          s->init);
    if (s->init == RNNC_INIT_IDENTITY && s->kind != RNNC_LAYER_RNN)
        return LAYER_FAIL(RNNC_ERR_ARG, i, s, "%s",
                          "init = identity is for [rnn] layers only (their square weight_hh)");
    if (s->init == RNNC_INIT_UNIFORM && !(s->init_range > 0 && s->init_range < 1e6))
        return LAYER_FAIL(RNNC_ERR_ARG, i, s, "init = uniform needs init_range in (0, 1e6), not %g",
                          (double)s->init_range);
    switch (s->kind) {
    case RNNC_LAYER_EMBEDDING:
        if (i != 0)
            return LAYER_FAIL(RNNC_ERR_ARG, i, s, "%s", "an embedding must be the first layer");
        if (s->vocab == 0)
            return LAYER_FAIL(RNNC_ERR_ARG, i, s, "%s",
                              "vocab = auto is set by a language model from its data; give a "
                              "number here");
        RNNC_TRY(check_dim(i, s, "vocab", s->vocab, 1));
        RNNC_TRY(check_dim(i, s, "dim", s->dim, 1));
        if (s->padding_idx < -1 || s->padding_idx >= s->vocab)
            return LAYER_FAIL(RNNC_ERR_ARG, i, s, "padding_idx = %d is outside [-1, vocab %d)",
                              s->padding_idx, s->vocab);
        *feat = (size_t)s->dim;
        break;
    case RNNC_LAYER_DENSE:
        if (s->units == 0)
            return LAYER_FAIL(RNNC_ERR_ARG, i, s, "%s",
                              "units = auto is set by a language model from its data; give a "
                              "number here");
        RNNC_TRY(check_dim(i, s, "units", s->units, 1));
        if (s->activation < RNNC_ACT_LINEAR || s->activation > RNNC_ACT_SOFTMAX)
            return LAYER_FAIL(RNNC_ERR_ARG, i, s, "unknown activation %d", s->activation);
        if (s->tie_weights != 0 && s->tie_weights != 1)
            return LAYER_FAIL(RNNC_ERR_ARG, i, s, "tie_weights = %d must be 0 or 1",
                              s->tie_weights);
        if (s->tie_weights) {
            const rnnc_layer_spec *e = &cfg->layers[0];
            if (e->kind != RNNC_LAYER_EMBEDDING)
                return LAYER_FAIL(RNNC_ERR_ARG, i, s, "%s",
                                  "tie_weights needs an embedding as the first layer");
            if (s->units != e->vocab || *feat != (size_t)e->dim)
                return LAYER_FAIL(RNNC_ERR_SHAPE, i, s,
                                  "tie_weights needs units = the embedding's vocab (%d, not %d) "
                                  "and %d input features (the embedding's dim), not %zu",
                                  e->vocab, s->units, e->dim, *feat);
        }
        *feat = (size_t)s->units;
        break;
    case RNNC_LAYER_DROPOUT: RNNC_TRY(check_rate(i, s, "rate", s->rate)); break;
    case RNNC_LAYER_DECODER:
        RNNC_TRY(validate_decoder(cfg, i, *seq, *feat));
        *feat = (size_t)s->vocab;
        break;
    case RNNC_LAYER_POOL:
        if (!*seq)
            return LAYER_FAIL(RNNC_ERR_SHAPE, i, s, "%s",
                              "pools over time, but the layer before returns only the last step "
                              "(set return_sequences = 1 there)");
        if (s->pool != RNNC_POOL_MAX && s->pool != RNNC_POOL_MEAN)
            return LAYER_FAIL(RNNC_ERR_ARG, i, s, "unknown pool mode %d", s->pool);
        *seq = 0;
        break;
    default: /* recurrent */
        if (!*seq)
            return LAYER_FAIL(RNNC_ERR_SHAPE, i, s, "%s",
                              "needs a sequence input, but the layer before returns only the "
                              "last step (set return_sequences = 1 there)");
        RNNC_TRY(check_dim(i, s, "hidden", s->hidden, 1));
        if (s->layers < 1 || s->layers > RNNC__MAX_STACK)
            return LAYER_FAIL(RNNC_ERR_ARG, i, s, "layers = %d is outside [1, %d]", s->layers,
                              RNNC__MAX_STACK);
        if (s->bidirectional != 0 && s->bidirectional != 1)
            return LAYER_FAIL(RNNC_ERR_ARG, i, s, "bidirectional = %d must be 0 or 1",
                              s->bidirectional);
        if (s->merge != RNNC_MERGE_CONCAT && s->merge != RNNC_MERGE_SUM)
            return LAYER_FAIL(RNNC_ERR_ARG, i, s, "unknown merge mode %d", s->merge);
        if (s->return_sequences != 0 && s->return_sequences != 1)
            return LAYER_FAIL(RNNC_ERR_ARG, i, s, "return_sequences = %d must be 0 or 1",
                              s->return_sequences);
        if (rnnc__cell_find(s->kind, s->nonlinearity) < 0)
            return LAYER_FAIL(RNNC_ERR_ARG, i, s, "%s", "nonlinearity must be tanh or relu");
        RNNC_TRY(check_rate(i, s, "dropout", s->dropout));
        RNNC_TRY(check_rate(i, s, "weight_drop", s->weight_drop));
        *feat = rnnc__stack_out_size((size_t)s->hidden, s->bidirectional ? 2 : 1, s->merge);
        *seq = s->return_sequences;
    }
    return RNNC_OK;
}

rnnc_status rnnc_config_validate(const rnnc_config *cfg) {
    if (!cfg)
        return RNNC_FAIL(RNNC_ERR_ARG, "config is NULL");
    if (cfg->n_layers < 1 || cfg->n_layers > RNNC_MAX_LAYERS)
        return RNNC_FAIL(RNNC_ERR_ARG, "a model needs 1 to %d layers, not %d", RNNC_MAX_LAYERS,
                         cfg->n_layers);
    int seq = 1;
    size_t feat = 0;
    if (cfg->layers[0].kind != RNNC_LAYER_EMBEDDING) {
        if (cfg->input_size < 1 || cfg->input_size > MAX_DIM)
            return RNNC_FAIL(RNNC_ERR_ARG,
                             "input_size = %d is outside [1, %d] (needed when the first layer "
                             "is not an embedding)",
                             cfg->input_size, MAX_DIM);
        feat = (size_t)cfg->input_size;
    }
    for (int i = 0; i < cfg->n_layers; i++)
        RNNC_TRY(validate_layer(cfg, i, &seq, &feat));
    return RNNC_OK;
}

static rnnc_status add_param(rnnc__plan *p, int layer, const char *lname, const char *pname,
                             int ndim, size_t d0, size_t d1) {
    rnnc__param *q = &p->params[p->n_params++];
    snprintf(q->name, sizeof q->name, "%s.%s", lname, pname);
    q->ndim = ndim, q->dims[0] = d0, q->dims[1] = ndim > 1 ? d1 : 1;
    q->layer = layer;
    q->offset = p->total;
    if (rnnc__mul(d0, q->dims[1], &q->size) || rnnc__add(p->total, q->size, &p->total))
        return RNNC_FAIL(RNNC_ERR_NOMEM, "parameter %s: size overflows", q->name);
    return RNNC_OK;
}

static int count_params(const rnnc_config *cfg) {
    int n = 0;
    for (int i = 0; i < cfg->n_layers; i++) {
        const rnnc_layer_spec *s = &cfg->layers[i];
        if (s->kind == RNNC_LAYER_EMBEDDING)
            n += 1;
        if (s->kind == RNNC_LAYER_DENSE)
            n += s->tie_weights ? 1 : 2;
        if (is_recurrent(s->kind))
            n += 4 * s->layers * (s->bidirectional ? 2 : 1);
        if (s->kind == RNNC_LAYER_DECODER)
            n += 1 + 4 * s->layers + 6 + 2 + 2 + 4; /* at most */
    }
    return n;
}

/* Default names: the kind's name; repeats get _2, _3, ... in order. */
static void name_layer(const rnnc_config *cfg, int i, char *out) {
    const rnnc_layer_spec *s = &cfg->layers[i];
    if (s->name[0]) {
        snprintf(out, RNNC_NAME_MAX, "%s", s->name);
        return;
    }
    int nth = 1;
    for (int k = 0; k < i; k++)
        nth += cfg->layers[k].kind == s->kind && !cfg->layers[k].name[0];
    if (nth == 1)
        snprintf(out, RNNC_NAME_MAX, "%s", rnnc__kind_name(s->kind));
    else
        snprintf(out, RNNC_NAME_MAX, "%s_%d", rnnc__kind_name(s->kind), nth);
}

/* A decoder's parameters, named as the PyTorch module of seq2seq.h's structure names them. */
static rnnc_status decoder_params(rnnc__plan *p, int i, const char *ln, const rnnc_layer_spec *s,
                                  size_t Hk, size_t nin) {
    const size_t H = (size_t)s->hidden, V = (size_t)s->vocab, E = (size_t)s->dim;
    const size_t G = (size_t)rnnc__cell_gates(rnnc__cell_find(s->cell, 0)) * H;
    const size_t A = s->attention_size ? (size_t)s->attention_size : H;
    rnnc_status st = add_param(p, i, ln, "embedding.weight", 2, V, E);
    for (int l = 0; l < s->layers && st == RNNC_OK; l++) {
        char n[4][40];
        snprintf(n[0], sizeof n[0], "rnn.weight_ih_l%d", l);
        snprintf(n[1], sizeof n[1], "rnn.weight_hh_l%d", l);
        snprintf(n[2], sizeof n[2], "rnn.bias_ih_l%d", l);
        snprintf(n[3], sizeof n[3], "rnn.bias_hh_l%d", l);
        st = add_param(p, i, ln, n[0], 2, G, l ? H : E + (s->input_feed ? H : 0));
        if (st == RNNC_OK)
            st = add_param(p, i, ln, n[1], 2, G, H);
        if (st == RNNC_OK)
            st = add_param(p, i, ln, n[2], 1, G, 0);
        if (st == RNNC_OK)
            st = add_param(p, i, ln, n[3], 1, G, 0);
    }
    if (st == RNNC_OK && s->attention == RNNC_ATTN_GENERAL)
        st = add_param(p, i, ln, "attention.Wa.weight", 2, H, Hk);
    if (st == RNNC_OK && s->attention == RNNC_ATTN_ADDITIVE) {
        static const char *const names[] = {"attention.Wa.weight", "attention.Wa.bias",
                                            "attention.Ua.weight", "attention.Ua.bias",
                                            "attention.Va.weight", "attention.Va.bias"};
        const size_t d0[] = {A, A, A, A, 1, 1}, d1[] = {H, 0, Hk, 0, A, 0};
        for (int k = 0; k < 6 && st == RNNC_OK; k++)
            st = add_param(p, i, ln, names[k], d1[k] ? 2 : 1, d0[k], d1[k]);
    }
    if (st == RNNC_OK)
        st = add_param(p, i, ln, "concat.weight", 2, H, Hk + H);
    if (st == RNNC_OK)
        st = add_param(p, i, ln, "concat.bias", 1, H, 0);
    if (st == RNNC_OK && !s->tie_weights)
        st = add_param(p, i, ln, "out.weight", 2, V, H);
    if (st == RNNC_OK)
        st = add_param(p, i, ln, "out.bias", 1, V, 0);
    if (st == RNNC_OK && s->bridge == RNNC_BRIDGE_LINEAR) {
        st = add_param(p, i, ln, "bridge.h.weight", 2, (size_t)s->layers * H, nin);
        if (st == RNNC_OK)
            st = add_param(p, i, ln, "bridge.h.bias", 1, (size_t)s->layers * H, 0);
        if (st == RNNC_OK && s->cell == RNNC_LAYER_LSTM)
            st = add_param(p, i, ln, "bridge.c.weight", 2, (size_t)s->layers * H, nin);
        if (st == RNNC_OK && s->cell == RNNC_LAYER_LSTM)
            st = add_param(p, i, ln, "bridge.c.bias", 1, (size_t)s->layers * H, 0);
    }
    return st;
}

rnnc_status rnnc__plan_build(const rnnc_config *cfg, rnnc__plan *p) {
    memset(p, 0, sizeof *p);
    RNNC_TRY(rnnc_config_validate(cfg));
    RNNC_TRY(rnnc__calloc((void **)&p->params, (size_t)count_params(cfg) + 1, sizeof *p->params,
                          "parameter table"));
    p->n_layers = cfg->n_layers;
    int seq = 1;
    size_t feat = (size_t)cfg->input_size;
    rnnc_status st = RNNC_OK;
    for (int i = 0; i < cfg->n_layers && st == RNNC_OK; i++) {
        const rnnc_layer_spec *s = &cfg->layers[i];
        rnnc__plan_layer *L = &p->layer[i];
        L->kind = s->kind;
        name_layer(cfg, i, L->name);
        for (int k = 0; k < i; k++)
            if (strcmp(p->layer[k].name, L->name) == 0)
                st = RNNC_FAIL(RNNC_ERR_ARG, "layers %d and %d are both named '%s'", k, i, L->name);
        L->in = feat, L->seq_in = seq;
        L->tied_weight = -1;
        L->first_param = p->n_params;
        if (s->kind == RNNC_LAYER_EMBEDDING) {
            if (st == RNNC_OK)
                st = add_param(p, i, L->name, "weight", 2, (size_t)s->vocab, (size_t)s->dim);
            feat = (size_t)s->dim;
        } else if (s->kind == RNNC_LAYER_DENSE) {
            if (st == RNNC_OK && s->tie_weights)
                L->tied_weight = 0; /* the embedding's weight, parameter 0 */
            else if (st == RNNC_OK)
                st = add_param(p, i, L->name, "weight", 2, (size_t)s->units, feat);
            if (st == RNNC_OK)
                st = add_param(p, i, L->name, "bias", 1, (size_t)s->units, 0);
            feat = (size_t)s->units;
        } else if (is_recurrent(s->kind)) {
            const size_t H = (size_t)s->hidden, D = s->bidirectional ? 2 : 1;
            const size_t G = (size_t)rnnc__cell_gates(rnnc__plan_cell(s)) * H;
            const int diag = rnnc__cells[rnnc__plan_cell(s)]->whh_diag;
            const size_t O = rnnc__stack_out_size(H, D, s->merge);
            for (int l = 0; l < s->layers && st == RNNC_OK; l++)
                for (size_t d = 0; d < D && st == RNNC_OK; d++) {
                    char n[4][40];
                    const char *sfx = d ? "_reverse" : "";
                    snprintf(n[0], sizeof n[0], "weight_ih_l%d%s", l, sfx);
                    snprintf(n[1], sizeof n[1], "weight_hh_l%d%s", l, sfx);
                    snprintf(n[2], sizeof n[2], "bias_ih_l%d%s", l, sfx);
                    snprintf(n[3], sizeof n[3], "bias_hh_l%d%s", l, sfx);
                    st = add_param(p, i, L->name, n[0], 2, G, l == 0 ? feat : O);
                    if (st == RNNC_OK && diag) /* each unit's own recurrent weight */
                        st = add_param(p, i, L->name, n[1], 1, G, 0);
                    else if (st == RNNC_OK)
                        st = add_param(p, i, L->name, n[1], 2, G, H);
                    if (st == RNNC_OK)
                        st = add_param(p, i, L->name, n[2], 1, G, 0);
                    if (st == RNNC_OK)
                        st = add_param(p, i, L->name, n[3], 1, G, 0);
                }
            feat = O;
            seq = s->return_sequences;
        } else if (s->kind == RNNC_LAYER_POOL) {
            seq = 0;
        } else if (s->kind == RNNC_LAYER_DECODER) {
            if (st == RNNC_OK)
                st = decoder_params(p, i, L->name, s, feat, rnnc__plan_bridge_in(cfg, i));
            feat = (size_t)s->vocab;
        }
        L->n_params = p->n_params - L->first_param;
        L->out = feat, L->seq_out = seq;
    }
    if (st != RNNC_OK)
        rnnc__plan_free(p);
    return st;
}

void rnnc__plan_free(rnnc__plan *p) {
    free(p->params);
    p->params = NULL;
    p->n_params = 0;
}

int rnnc__plan_find(const rnnc__plan *p, const char *name) {
    for (int i = 0; i < p->n_params; i++)
        if (strcmp(p->params[i].name, name) == 0)
            return i;
    return -1;
}
