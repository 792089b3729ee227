/* Finite-difference gradient checks in double precision (this file and the engine it links are
 * compiled with RNNC_REAL_F64). For every layer kind and many stack shapes, with pre- and
 * post-padded variable lengths, T = 6: the analytic gradient of
 *     loss = sum(output * R) + sum over recurrent layers of sum(hT * RH) + sum(cT * RC)
 * with respect to every parameter, the input and the initial states is compared with central
 * differences. Teeth: a planted error in an analytic gradient, and gradients computed with the
 * wrong padding side, must both be reported. */
#define RNNC_REAL_F64 /* the double copy of the engine */
#include "check.h"
#include "nn/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EPS 1e-6
#define TOL 1e-6
#define MAX_PER_TENSOR 40 /* finite differences on at most this many entries of each tensor */
#define T_STEPS 6
#define B_SEQS 3

typedef rnnc__model_f64 model;

typedef struct gcase {
    char label[160];
    rnnc_config cfg;
    size_t T, B;
    int padding;
    int32_t lengths[B_SEQS];
    int32_t ids[T_STEPS * B_SEQS];
    double *x;                                         /* (T,B,I) */
    double *h0[RNNC_MAX_LAYERS], *c0[RNNC_MAX_LAYERS]; /* per recurrent layer (L*D,B,H) */
    double *rh[RNNC_MAX_LAYERS], *rc[RNNC_MAX_LAYERS]; /* loss weights of the final states */
    size_t state_n[RNNC_MAX_LAYERS];
    int lstm[RNNC_MAX_LAYERS];
    double *r; /* loss weights of the output */
    size_t out_n;
    rnnc_rng rng0; /* dropout generator before the forward */
} gcase;

static int is_rec(int k) {
    return rnnc_layer_is_recurrent(k);
}

static double *randn(rnnc_rng *r, size_t n, double scale) {
    double *p = malloc((n ? n : 1) * sizeof(double));
    for (size_t i = 0; i < n; i++)
        p[i] = scale * rnnc_rng_normal(r);
    return p;
}

static void die(const char *what) {
    fprintf(stderr, "%s: %s\n", what, rnnc_last_error());
    exit(1);
}

/* The loss; with `grad` also runs backward. */
static double loss(model *m, gcase *c, int padding, int grad) {
    rnnc__batch_f64 b = {c->T, c->B, NULL, NULL, c->lengths, padding, 0, NULL};
    if (c->cfg.layers[0].kind == RNNC_LAYER_EMBEDDING)
        b.ids = c->ids;
    else
        b.x = c->x;
    for (int i = 0; i < c->cfg.n_layers; i++)
        if (c->h0[i] && rnnc__model_set_state_f64(m, i, c->B, c->h0[i], c->c0[i]))
            die("set_state");
    *rnnc__model_rng_f64(m) = c->rng0;
    if (rnnc__model_forward_f64(m, &b, 1))
        die(c->label);
    int nd;
    size_t dims[3];
    const double *out = rnnc__model_output_f64(m, &nd, dims);
    size_t n = 1;
    for (int k = 0; k < nd; k++)
        n *= dims[k];
    if (!c->r) {
        rnnc_rng r;
        rnnc_rng_seed(&r, 99);
        c->r = randn(&r, n, 1.0), c->out_n = n;
    }
    double L = 0;
    for (size_t i = 0; i < n; i++)
        L += out[i] * c->r[i];
    for (int i = 0; i < c->cfg.n_layers; i++) {
        if (!c->state_n[i])
            continue;
        const double *h, *cc;
        rnnc__model_final_state_f64(m, i, &h, &cc);
        for (size_t k = 0; k < c->state_n[i]; k++)
            L += h[k] * c->rh[i][k];
        if (c->lstm[i])
            for (size_t k = 0; k < c->state_n[i]; k++)
                L += cc[k] * c->rc[i][k];
        if (grad)
            rnnc__model_set_final_state_grad_f64(m, i, c->rh[i], c->lstm[i] ? c->rc[i] : NULL);
    }
    if (grad) {
        memset(rnnc__model_grads_f64(m), 0, rnnc__model_plan_f64(m)->total * sizeof(double));
        if (rnnc__model_backward_f64(m, c->r))
            die("backward");
    }
    return L;
}

/* Central difference of the loss with respect to v[i]. */
static double numeric(model *m, gcase *c, double *v, size_t i) {
    double keep = v[i];
    v[i] = keep + EPS;
    double lp = loss(m, c, c->padding, 0);
    v[i] = keep - EPS;
    double lm = loss(m, c, c->padding, 0);
    v[i] = keep;
    return (lp - lm) / (2 * EPS);
}

/* Compares analytic gradient `an` of tensor v (n entries) with finite differences on a sample of
 * entries; returns the relative error. */
static double compare(model *m, gcase *c, double *v, const double *an, size_t n) {
    size_t step = n > MAX_PER_TENSOR ? n / MAX_PER_TENSOR : 1, k = 0;
    double *num = malloc((n / step + 1) * sizeof(double)),
           *ana = malloc((n / step + 1) * sizeof(double));
    for (size_t i = 0; i < n; i += step, k++) {
        num[k] = numeric(m, c, v, i);
        ana[k] = an[i];
    }
    double e = rel_error(ana, num, k);
    free(num), free(ana);
    return e;
}

/* Checks every parameter, the input and every initial state of one case. */
static void run_case(gcase *c) {
    model *m;
    if (rnnc__model_create_f64(&c->cfg, 7, &m))
        die(c->label);
    rnnc_rng_seed(&c->rng0, 1234);
    loss(m, c, c->padding, 1);
    const rnnc__plan *p = rnnc__model_plan_f64(m);
    double *params = rnnc__model_params_f64(m);
    double *g = malloc(p->total * sizeof(double));
    memcpy(g, rnnc__model_grads_f64(m), p->total * sizeof(double));
    double worst = 0;
    char worst_name[128] = "";
    for (int i = 0; i < p->n_params; i++) {
        const rnnc__param *q = &p->params[i];
        double e = compare(m, c, params + q->offset, g + q->offset, q->size);
        if (e >= worst)
            worst = e, snprintf(worst_name, sizeof worst_name, "%s", q->name);
    }
    check(worst <= TOL, "%s: parameters (worst %s, rel err %.1e)", c->label, worst_name, worst);
    if (c->x) {
        size_t n = c->T * c->B * (size_t)c->cfg.input_size;
        double *dx = malloc(n * sizeof(double));
        memcpy(dx, rnnc__model_input_grad_f64(m), n * sizeof(double));
        double e = compare(m, c, c->x, dx, n);
        check(e <= TOL, "%s: input x (rel err %.1e)", c->label, e);
        /* padded steps get no gradient */
        int zero = 1;
        for (size_t t = 0; t < c->T; t++)
            for (size_t b = 0; b < c->B; b++) {
                size_t len = (size_t)c->lengths[b], s = c->padding == RNNC_PAD_PRE ? c->T - len : 0;
                if (t >= s && t < s + len)
                    continue;
                for (int f = 0; f < c->cfg.input_size; f++)
                    zero &= dx[(t * c->B + b) * (size_t)c->cfg.input_size + (size_t)f] == 0;
            }
        if (is_rec(c->cfg.layers[0].kind))
            check(zero, "%s: padded steps get zero input gradient", c->label);
        free(dx);
    }
    for (int i = 0; i < c->cfg.n_layers; i++) {
        if (!c->h0[i])
            continue;
        const double *dh0, *dc0;
        rnnc__model_initial_state_grad_f64(m, i, &dh0, &dc0);
        double *a = malloc(c->state_n[i] * sizeof(double));
        memcpy(a, dh0, c->state_n[i] * sizeof(double));
        double e = compare(m, c, c->h0[i], a, c->state_n[i]);
        if (c->lstm[i]) {
            memcpy(a, dc0, c->state_n[i] * sizeof(double));
            double e2 = compare(m, c, c->c0[i], a, c->state_n[i]);
            e = e2 > e ? e2 : e;
        }
        check(e <= TOL, "%s: initial states of layer %d (rel err %.1e)", c->label, i + 1, e);
        free(a);
    }
    free(g);
    rnnc__model_free_f64(m);
}

/* Fills inputs, lengths and states for a config. */
static void setup(gcase *c, const char *label, int padding) {
    rnnc_rng r;
    rnnc_rng_seed(&r, 2024);
    snprintf(c->label, sizeof c->label, "%s %s", label, padding == RNNC_PAD_PRE ? "pre" : "post");
    c->T = T_STEPS, c->B = B_SEQS, c->padding = padding;
    const int32_t lens[B_SEQS] = {4, 6, 1};
    memcpy(c->lengths, lens, sizeof lens);
    if (c->cfg.layers[0].kind == RNNC_LAYER_EMBEDDING) {
        const int V = c->cfg.layers[0].vocab;
        for (size_t t = 0; t < c->T; t++)
            for (size_t b = 0; b < c->B; b++) { /* padding id 0 at padded steps only (its row is
                                                  * frozen by definition, as in nn.Embedding) */
                size_t len = (size_t)lens[b], s = padding == RNNC_PAD_PRE ? c->T - len : 0;
                int data = t >= s && t < s + len;
                c->ids[t * c->B + b] = data ? 1 + (int32_t)rnnc_rng_below(&r, (uint32_t)V - 1) : 0;
            }
    } else {
        c->x = randn(&r, c->T * c->B * (size_t)c->cfg.input_size, 1.0);
    }
    for (int i = 0; i < c->cfg.n_layers; i++) {
        const rnnc_layer_spec *s = &c->cfg.layers[i];
        if (!is_rec(s->kind))
            continue;
        c->state_n[i] = (size_t)s->layers * (s->bidirectional ? 2 : 1) * c->B * (size_t)s->hidden;
        c->lstm[i] = rnnc_layer_has_cell_state(s->kind);
        c->h0[i] = randn(&r, c->state_n[i], 0.5);
        c->rh[i] = randn(&r, c->state_n[i], 1.0);
        if (c->lstm[i])
            c->c0[i] = randn(&r, c->state_n[i], 0.5), c->rc[i] = randn(&r, c->state_n[i], 1.0);
    }
}

static void release(gcase *c) {
    free(c->x), free(c->r);
    for (int i = 0; i < RNNC_MAX_LAYERS; i++)
        free(c->h0[i]), free(c->c0[i]), free(c->rh[i]), free(c->rc[i]);
    memset(c, 0, sizeof *c);
}

static rnnc_layer_spec rec(int kind, int nonlin, int H, int L, int bi, int merge, int seq,
                           float drop) {
    rnnc_layer_spec s = rnnc_layer_spec_init(kind);
    s.hidden = H, s.layers = L, s.bidirectional = bi, s.merge = merge, s.return_sequences = seq;
    s.nonlinearity = nonlin, s.dropout = drop;
    return s;
}

static rnnc_layer_spec dense(int units, int act) {
    rnnc_layer_spec s = rnnc_layer_spec_init(RNNC_LAYER_DENSE);
    s.units = units, s.activation = act;
    return s;
}

static void recurrent_grid(void) {
    static const struct {
        int kind, nonlin;
        const char *name;
    } cells[] = {{RNNC_LAYER_RNN, RNNC_ACT_TANH, "rnn-tanh"},
                 {RNNC_LAYER_RNN, RNNC_ACT_RELU, "rnn-relu"},
                 {RNNC_LAYER_LSTM, RNNC_ACT_TANH, "lstm"},
                 {RNNC_LAYER_GRU, RNNC_ACT_TANH, "gru"},
                 {RNNC_LAYER_INDRNN, RNNC_ACT_TANH, "indrnn-tanh"},
                 {RNNC_LAYER_INDRNN, RNNC_ACT_RELU, "indrnn-relu"}};
    static const struct {
        int bi, merge;
        const char *name;
    } dirs[] = {{0, 0, "uni"}, {1, RNNC_MERGE_CONCAT, "bi-concat"}, {1, RNNC_MERGE_SUM, "bi-sum"}};
    for (size_t ci = 0; ci < sizeof cells / sizeof cells[0]; ci++)
        for (size_t di = 0; di < 3; di++)
            for (int L = 1; L <= 2; L++)
                for (int seq = 0; seq <= 1; seq++)
                    for (int pad = 0; pad <= 1; pad++) {
                        gcase c;
                        memset(&c, 0, sizeof c);
                        c.cfg.input_size = 3;
                        c.cfg.n_layers = 1;
                        c.cfg.layers[0] = rec(cells[ci].kind, cells[ci].nonlin, 4, L, dirs[di].bi,
                                              dirs[di].merge, seq, L == 2 ? 0.3f : 0);
                        char label[128];
                        snprintf(label, sizeof label, "%s %s L%d %s", cells[ci].name, dirs[di].name,
                                 L, seq ? "seq" : "last");
                        setup(&c, label, pad);
                        run_case(&c);
                        release(&c);
                    }
}

static void other_layers(void) {
    static const char *acts[] = {"linear", "sigmoid", "tanh", "relu", "softmax"};
    for (int a = RNNC_ACT_LINEAR; a <= RNNC_ACT_SOFTMAX; a++) { /* dense on sequences */
        gcase c;
        memset(&c, 0, sizeof c);
        c.cfg.input_size = 3, c.cfg.n_layers = 2;
        c.cfg.layers[0] = dense(5, a);
        c.cfg.layers[1] = dense(2, RNNC_ACT_LINEAR);
        char label[64];
        snprintf(label, sizeof label, "dense-%s", acts[a]);
        setup(&c, label, RNNC_PAD_POST);
        run_case(&c);
        release(&c);
    }
    for (int pad = 0; pad <= 1; pad++) { /* embedding with padding index, LSTM, softmax head */
        gcase c;
        memset(&c, 0, sizeof c);
        c.cfg.n_layers = 3;
        c.cfg.layers[0] = rnnc_layer_spec_init(RNNC_LAYER_EMBEDDING);
        c.cfg.layers[0].vocab = 7, c.cfg.layers[0].dim = 3, c.cfg.layers[0].padding_idx = 0;
        c.cfg.layers[1] = rec(RNNC_LAYER_LSTM, RNNC_ACT_TANH, 4, 1, 0, 0, 0, 0);
        c.cfg.layers[2] = dense(3, RNNC_ACT_SOFTMAX);
        setup(&c, "embedding+lstm+softmax", pad);
        run_case(&c);
        /* the padding id at a data step: its row still gets no gradient (nn.Embedding) */
        model *m;
        rnnc__model_create_f64(&c.cfg, 7, &m);
        rnnc_rng_seed(&c.rng0, 1);
        c.ids[(pad == RNNC_PAD_PRE ? c.T - 1 : 0) * c.B + 1] = 0; /* sequence 1 has length T */
        loss(m, &c, pad, 1);
        const double *ge = rnnc__model_grads_f64(m) + rnnc__model_plan_f64(m)->params[0].offset;
        int others = 0;
        for (int k = 3; k < 21; k++)
            others |= ge[k] != 0;
        check(ge[0] == 0 && ge[1] == 0 && ge[2] == 0 && others,
              "%s: padding row gets no gradient, even at a data step", c.label);
        rnnc__model_free_f64(m);
        release(&c);
    }
    for (int pad = 0; pad <= 1; pad++) { /* a language model: the output layer's weight is the
                                           * embedding's (tie_weights), uniform init */
        gcase c;
        memset(&c, 0, sizeof c);
        c.cfg.n_layers = 4;
        c.cfg.layers[0] = rnnc_layer_spec_init(RNNC_LAYER_EMBEDDING);
        c.cfg.layers[0].vocab = 7, c.cfg.layers[0].dim = 4;
        c.cfg.layers[1] = rec(RNNC_LAYER_LSTM, RNNC_ACT_TANH, 4, 2, 0, 0, 1, 0.2f);
        c.cfg.layers[2] = rnnc_layer_spec_init(RNNC_LAYER_DROPOUT);
        c.cfg.layers[2].rate = 0.3f;
        c.cfg.layers[3] = dense(7, RNNC_ACT_LINEAR);
        c.cfg.layers[3].tie_weights = 1;
        for (int i = 0; i < 4; i++)
            c.cfg.layers[i].init = RNNC_INIT_UNIFORM, c.cfg.layers[i].init_range = 0.5f;
        setup(&c, "embedding+lstm2+dropout+tied dense", pad);
        run_case(&c);
        model *m;
        rnnc__model_create_f64(&c.cfg, 7, &m);
        const rnnc__plan *p = rnnc__model_plan_f64(m);
        check(p->n_params == 1 + 8 + 1 && rnnc__plan_find(p, "dense.weight") < 0 &&
                  rnnc__plan_find(p, "dense.bias") >= 0,
              "tied dense owns only its bias (%d parameters)", p->n_params);
        const double *w = rnnc__model_params_f64(m);
        double lo = 1, hi = -1;
        for (size_t k = 0; k < p->total; k++)
            lo = w[k] < lo ? w[k] : lo, hi = w[k] > hi ? w[k] : hi;
        check(lo >= -0.5 && hi <= 0.5 && lo < -0.45 && hi > 0.45,
              "uniform init within +-0.5 (%g..%g)", lo, hi);
        rnnc__model_free_f64(m);
        release(&c);
    }
    for (int pad = 0; pad <= 1; pad++) { /* dropout layer, then a mixed stack */
        gcase c;
        memset(&c, 0, sizeof c);
        c.cfg.input_size = 3, c.cfg.n_layers = 5;
        c.cfg.layers[0] = rnnc_layer_spec_init(RNNC_LAYER_DROPOUT);
        c.cfg.layers[0].rate = 0.4f;
        c.cfg.layers[1] = rec(RNNC_LAYER_GRU, RNNC_ACT_TANH, 4, 2, 1, RNNC_MERGE_SUM, 1, 0.25f);
        c.cfg.layers[2] = dense(3, RNNC_ACT_TANH);
        c.cfg.layers[3] = rec(RNNC_LAYER_LSTM, RNNC_ACT_TANH, 3, 1, 1, RNNC_MERGE_CONCAT, 0, 0);
        c.cfg.layers[4] = dense(2, RNNC_ACT_SIGMOID);
        setup(&c, "dropout+gru2-bi-sum+dense+lstm-bi+dense", pad);
        run_case(&c);
        release(&c);
    }
    static const struct {
        int kind, nonlin;
        const char *name;
    } wd[] = {{RNNC_LAYER_RNN, RNNC_ACT_TANH, "rnn"},
              {RNNC_LAYER_LSTM, RNNC_ACT_TANH, "lstm"},
              {RNNC_LAYER_GRU, RNNC_ACT_TANH, "gru"},
              {RNNC_LAYER_INDRNN, RNNC_ACT_RELU, "indrnn"}};
    for (size_t ci = 0; ci < sizeof wd / sizeof wd[0];
         ci++) /* DropConnect on W_hh: the same mask */
        for (int pad = 0; pad <= 1; pad++) {
            gcase c;
            memset(&c, 0, sizeof c);
            c.cfg.input_size = 3, c.cfg.n_layers = 1;
            c.cfg.layers[0] = rec(wd[ci].kind, wd[ci].nonlin, 4, 2, 1, RNNC_MERGE_CONCAT, 1, 0.2f);
            c.cfg.layers[0].weight_drop = 0.4f;
            char label[64];
            snprintf(label, sizeof label, "%s2-bi weight_drop 0.4", wd[ci].name);
            setup(&c, label, pad);
            run_case(&c);
            release(&c);
        }
    for (int pad = 0; pad <= 1; pad++) /* pooling over time after a bidirectional GRU */
        for (int mode = RNNC_POOL_MAX; mode <= RNNC_POOL_MEAN; mode++) {
            gcase c;
            memset(&c, 0, sizeof c);
            c.cfg.input_size = 3, c.cfg.n_layers = 3;
            c.cfg.layers[0] = rec(RNNC_LAYER_GRU, RNNC_ACT_TANH, 4, 1, 1, RNNC_MERGE_CONCAT, 1, 0);
            c.cfg.layers[1] = rnnc_layer_spec_init(RNNC_LAYER_POOL);
            c.cfg.layers[1].pool = mode;
            c.cfg.layers[2] = dense(2, RNNC_ACT_LINEAR);
            setup(&c, mode == RNNC_POOL_MAX ? "gru-bi+pool-max+dense" : "gru-bi+pool-mean+dense",
                  pad);
            run_case(&c);
            release(&c);
        }
}

/* The checks above must be able to fail. */
static void teeth(void) {
    gcase c;
    memset(&c, 0, sizeof c);
    c.cfg.input_size = 3, c.cfg.n_layers = 1;
    c.cfg.layers[0] = rec(RNNC_LAYER_LSTM, RNNC_ACT_TANH, 4, 1, 1, RNNC_MERGE_CONCAT, 1, 0);
    setup(&c, "teeth lstm bi", RNNC_PAD_POST);
    model *m;
    rnnc__model_create_f64(&c.cfg, 7, &m);
    rnnc_rng_seed(&c.rng0, 1);
    const rnnc__plan *p = rnnc__model_plan_f64(m);
    const rnnc__param *whh = &p->params[rnnc__plan_find(p, "lstm.weight_hh_l0")];
    double *w = rnnc__model_params_f64(m) + whh->offset;
    double *g = malloc(whh->size * sizeof(double));
    /* 1: one analytic entry off by 1% */
    loss(m, &c, RNNC_PAD_POST, 1);
    memcpy(g, rnnc__model_grads_f64(m) + whh->offset, whh->size * sizeof(double));
    g[5] *= 1.01;
    check(compare(m, &c, w, g, whh->size) > TOL,
          "teeth: a 1%% error in one gradient entry is reported");
    /* 2: analytic gradients from the other padding side */
    loss(m, &c, RNNC_PAD_PRE, 1);
    memcpy(g, rnnc__model_grads_f64(m) + whh->offset, whh->size * sizeof(double));
    check(compare(m, &c, w, g, whh->size) > TOL,
          "teeth: gradients of the wrong padding side are reported");
    free(g);
    rnnc__model_free_f64(m);
    release(&c);
}

int main(void) {
    rnnc_set_num_threads(1);
    recurrent_grid();
    other_layers();
    teeth();
    return check_summary();
}
