/* Attention (src/nn/attention.c), in the double copy of the engine: for the dot, general and
 * additive kinds over a padded batch of keys and T decoder steps, with
 *     loss = sum over t of <R[t], ctx[t]>
 * the weights, the contexts and every gradient (queries, keys, each parameter) against PyTorch
 * (tests/gen/gen_attention_fixtures.py) and against central differences. Teeth: a planted error in
 * the analytic gradient is reported by both, and padded steps get no weight. */
#define RNNC_REAL_F64 /* the double copy of the engine */
#include "check.h"
#include "fixture.h"
#include "nn/attention.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIXTURE_DIR "tests/fixtures"

static const char *const param_names[] = {"Wa.weight", "Wa.bias",   "Ua.weight",
                                          "Ua.bias",   "Va.weight", "Va.bias"};
enum { N_PARAMS = 6 };

/* One case: its sizes, the keys and queries, the parameters (index as param_names; NULL when
 * the kind has none) and the step's inputs. */
typedef struct acase {
    int kind;
    size_t S, B, T, Hk, Hq, A;
    double *keys, *q, *R, *p[N_PARAMS];
    size_t np[N_PARAMS];
    unsigned char *active;
} acase;

static rnnc__attn_w views(double *const *p) {
    rnnc__attn_w w = {p[0], p[1], p[2], p[3], p[4], p[5]};
    return w;
}

/* The loss and, when grads is not NULL, its gradients: dq (T,B,Hq), dkeys (S,B,Hk) and the
 * parameters' (as c->p). Weights and contexts of every step into weights (T,B,S) and ctx
 * (T,B,Hk) when not NULL. plant: add 1e-3 to the first query gradient. */
static double run(const acase *c, double *weights, double *ctx, double *dq, double *dkeys,
                  double **gp, int plant) {
    rnnc__attn a = {c->kind, c->S, c->B, c->Hk, c->Hq, c->A, c->keys, c->Hk, c->active, NULL};
    const rnnc__attn_w w = views(c->p);
    const size_t np = rnnc__attn_proj_size(&a), nw = rnnc__attn_work_size(&a);
    a.proj = calloc(np + 1, sizeof(double));
    double *work = calloc(nw + 1, sizeof(double)), *dproj = calloc(np + 1, sizeof(double));
    double *wt = calloc(c->T * c->B * c->S, sizeof(double));
    double *cx = calloc(c->T * c->B * c->Hk, sizeof(double));
    rnnc__attn_prepare(&a, &w);
    double loss = 0;
    for (size_t t = 0; t < c->T; t++) {
        double *wtt = wt + t * c->B * c->S, *cxt = cx + t * c->B * c->Hk;
        rnnc__attn_forward(&a, &w, c->q + t * c->B * c->Hq, wtt, cxt, work);
        for (size_t i = 0; i < c->B * c->Hk; i++)
            loss += c->R[t * c->B * c->Hk + i] * cxt[i];
    }
    if (dq) {
        const rnnc__attn_w g = views(gp);
        for (size_t t = c->T; t-- > 0;)
            rnnc__attn_backward(&a, &w, c->q + t * c->B * c->Hq, wt + t * c->B * c->S,
                                c->R + t * c->B * c->Hk, dq + t * c->B * c->Hq, dkeys, dproj, &g,
                                work);
        rnnc__attn_finish(&a, &w, dproj, dkeys, &g);
        if (plant)
            dq[0] += 1e-3;
    }
    if (weights)
        memcpy(weights, wt, c->T * c->B * c->S * sizeof(double));
    if (ctx)
        memcpy(ctx, cx, c->T * c->B * c->Hk * sizeof(double));
    free(a.proj), free(work), free(dproj), free(wt), free(cx);
    return loss;
}

/* Worst relative error of the analytic gradient g of the n values at x against central
 * differences, scaled by the largest gradient entry or 1e-4 (a gradient that is 0 in exact
 * arithmetic, the additive score's bias Va.bias under the softmax, is compared absolutely). */
static double fd_error(const acase *c, double *x, const double *g, size_t n) {
    double worst = 0, scale = 1e-4;
    for (size_t i = 0; i < n; i++)
        scale = fmax(scale, fabs(g[i]));
    for (size_t i = 0; i < n; i++) {
        const double keep = x[i], h = 1e-6;
        x[i] = keep + h;
        const double up = run(c, NULL, NULL, NULL, NULL, NULL, 0);
        x[i] = keep - h;
        const double down = run(c, NULL, NULL, NULL, NULL, NULL, 0);
        x[i] = keep;
        worst = fmax(worst, fabs((up - down) / (2 * h) - g[i]) / scale);
    }
    return worst;
}

/* max|got - want| / max(max|want|, 1e-4): entries that are 0 in exact arithmetic (Va.bias's
 * gradient) are compared absolutely. */
static double max_rel(const double *got, const double *want, size_t n) {
    double err = 0, scale = 1e-4;
    for (size_t i = 0; i < n; i++)
        scale = fmax(scale, fabs(want[i]));
    for (size_t i = 0; i < n; i++)
        err = fmax(err, fabs(got[i] - want[i]));
    return err / scale;
}

static double *copy_of(const fixture_tensor *t) {
    double *v = malloc((t->n ? t->n : 1) * sizeof(double));
    memcpy(v, t->data, t->n * sizeof(double));
    return v;
}

static void test_kind(const char *name) {
    char path[256], err[512];
    snprintf(path, sizeof path, "%s/attn_%s.txt", FIXTURE_DIR, name);
    fixture *f = fixture_load(path, err, sizeof err);
    if (!check(f != NULL, "load %s: %s", path, f ? "" : err))
        return;
    acase c = {0};
    c.kind = !strcmp(name, "dot")       ? RNNC__ATTN_DOT
             : !strcmp(name, "general") ? RNNC__ATTN_GENERAL
                                        : RNNC__ATTN_ADDITIVE;
    c.S = (size_t)fixture_meta_int(f, "S", 0), c.B = (size_t)fixture_meta_int(f, "B", 0);
    c.T = (size_t)fixture_meta_int(f, "T", 0), c.Hk = (size_t)fixture_meta_int(f, "Hk", 0);
    c.Hq = (size_t)fixture_meta_int(f, "Hq", 0), c.A = (size_t)fixture_meta_int(f, "A", 0);
    const fixture_tensor *keys = fixture_get(f, "keys"), *q = fixture_get(f, "q");
    const fixture_tensor *R = fixture_get(f, "R"), *len = fixture_get(f, "lengths");
    const fixture_tensor *wt = fixture_get(f, "weights"), *cx = fixture_get(f, "ctx");
    const fixture_tensor *gq = fixture_get(f, "grad_q"), *gk = fixture_get(f, "grad_keys");
    if (!check(keys && q && R && len && wt && cx && gq && gk && c.S && c.B && c.T,
               "%s: the fixture has its tensors and sizes", name)) {
        fixture_free(f);
        return;
    }
    c.keys = copy_of(keys), c.q = copy_of(q), c.R = copy_of(R);
    c.active = calloc(c.S * c.B, 1);
    for (size_t s = 0; s < c.S; s++)
        for (size_t b = 0; b < c.B; b++)
            c.active[s * c.B + b] = (double)s < len->data[b];
    double *gp[N_PARAMS] = {0};
    const fixture_tensor *want_g[N_PARAMS] = {0};
    for (int i = 0; i < N_PARAMS; i++) {
        const fixture_tensor *t = fixture_get(f, param_names[i]);
        char gname[80];
        snprintf(gname, sizeof gname, "grad_%s", param_names[i]);
        if (t) {
            c.p[i] = copy_of(t), c.np[i] = t->n;
            gp[i] = calloc(t->n, sizeof(double));
            want_g[i] = fixture_get(f, gname);
        }
    }
    const size_t nq = c.T * c.B * c.Hq, nk = c.S * c.B * c.Hk;
    double *weights = calloc(wt->n, sizeof(double)), *ctx = calloc(cx->n, sizeof(double));
    double *dq = calloc(nq, sizeof(double)), *dk = calloc(nk, sizeof(double));
    run(&c, weights, ctx, dq, dk, gp, 0);
    check(wt->n == c.T * c.B * c.S && max_rel(weights, wt->data, wt->n) <= 1e-12,
          "%s: the weights are PyTorch's (masked softmax; rel %.2g)", name,
          max_rel(weights, wt->data, wt->n));
    check(cx->n == c.T * c.B * c.Hk && max_rel(ctx, cx->data, cx->n) <= 1e-12,
          "%s: the contexts are PyTorch's (rel %.2g)", name, max_rel(ctx, cx->data, cx->n));
    int padded_zero = 1;
    for (size_t t = 0; t < c.T; t++)
        for (size_t b = 0; b < c.B; b++)
            for (size_t s = 0; s < c.S; s++)
                if (!c.active[s * c.B + b] && weights[(t * c.B + b) * c.S + s] != 0)
                    padded_zero = 0;
    check(padded_zero, "%s: padded source steps get weight 0", name);
    double worst = fmax(max_rel(dq, gq->data, nq), max_rel(dk, gk->data, nk));
    int all = 1;
    for (int i = 0; i < N_PARAMS; i++)
        if (c.p[i]) {
            all &= want_g[i] && want_g[i]->n == c.np[i];
            if (want_g[i])
                worst = fmax(worst, max_rel(gp[i], want_g[i]->data, c.np[i]));
        }
    check(all && worst <= 1e-10,
          "%s: the gradients of the queries, keys and parameters are PyTorch's (rel %.2g)", name,
          worst);
    /* central differences on every input and parameter */
    double fd = fmax(fd_error(&c, c.q, dq, nq), fd_error(&c, c.keys, dk, nk));
    for (int i = 0; i < N_PARAMS; i++)
        if (c.p[i])
            fd = fmax(fd, fd_error(&c, c.p[i], gp[i], c.np[i]));
    check(fd <= 1e-7, "%s: every gradient against central differences (rel %.2g)", name, fd);
    /* teeth: a planted error is seen by both */
    memset(dq, 0, nq * sizeof(double)), memset(dk, 0, nk * sizeof(double));
    for (int i = 0; i < N_PARAMS; i++)
        if (gp[i])
            memset(gp[i], 0, c.np[i] * sizeof(double));
    run(&c, NULL, NULL, dq, dk, gp, 1);
    check(max_rel(dq, gq->data, nq) > 1e-6 && fd_error(&c, c.q, dq, nq) > 1e-6,
          "%s: a planted error of 1e-3 in one query gradient is reported", name);
    for (int i = 0; i < N_PARAMS; i++)
        free(c.p[i]), free(gp[i]);
    free(c.keys), free(c.q), free(c.R), free(c.active);
    free(weights), free(ctx), free(dq), free(dk);
    fixture_free(f);
}

/* A sequence whose every source step is padded attends to nothing: weights 0, context 0, and
 * no gradient. */
static void test_empty_sequence(void) {
    double keys[2 * 1 * 2] = {1, 2, 3, 4}, q[2] = {0.5, -1}, w[2], ctx[2], work[8];
    const unsigned char active[2] = {0, 0};
    rnnc__attn a = {RNNC__ATTN_DOT, 2, 1, 2, 2, 0, keys, 2, active, NULL};
    const rnnc__attn_w none = {0};
    rnnc__attn_forward(&a, &none, q, w, ctx, work);
    check(w[0] == 0 && w[1] == 0 && ctx[0] == 0 && ctx[1] == 0,
          "no active source step: weights and context 0");
    double dq[2] = {0}, dk[4] = {0}, dctx[2] = {1, 1};
    rnnc__attn_backward(&a, &none, q, w, dctx, dq, dk, NULL, &none, work);
    check(dq[0] == 0 && dq[1] == 0 && dk[0] == 0 && dk[3] == 0, "... and no gradient");
}

int main(void) {
    test_kind("dot");
    test_kind("general");
    test_kind("additive");
    test_empty_sequence();
    return check_summary();
}
