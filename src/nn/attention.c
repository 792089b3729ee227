/* Attention over an encoder's outputs, one decoder step at a time (see attention.h). */
#include "attention.h"

#include <string.h>

static size_t proj_width(const rnnc__attn *a) {
    return a->kind == RNNC__ATTN_GENERAL ? a->Hq : a->kind == RNNC__ATTN_ADDITIVE ? a->A : 0;
}

size_t rnnc__attn_proj_size(const rnnc__attn *a) {
    return a->S * a->B * proj_width(a);
}

size_t rnnc__attn_work_size(const rnnc__attn *a) {
    return a->B * a->S + 2 * a->B * (a->kind == RNNC__ATTN_ADDITIVE ? a->A : 0);
}

static const real *key(const rnnc__attn *a, size_t s, size_t b) {
    return a->keys + (s * a->B + b) * a->ldk;
}

static int is_active(const rnnc__attn *a, size_t s, size_t b) {
    return !a->active || a->active[s * a->B + b];
}

static real dot(const real *x, const real *y, size_t n) {
    real acc = 0;
    for (size_t i = 0; i < n; i++)
        acc += x[i] * y[i];
    return acc;
}

void rnnc__attn_prepare(const rnnc__attn *a, const rnnc__attn_w *w) {
    const size_t P = proj_width(a), SB = a->S * a->B;
    if (a->kind == RNNC__ATTN_GENERAL)
        rnnc__gemm(0, 1, SB, P, a->Hk, a->keys, a->ldk, w->Wa, a->Hk, 0, a->proj, P);
    if (a->kind == RNNC__ATTN_ADDITIVE) {
        for (size_t r = 0; r < SB; r++)
            memcpy(a->proj + r * P, w->bu, P * sizeof(real));
        rnnc__gemm(0, 1, SB, P, a->Hk, a->keys, a->ldk, w->Ua, a->Hk, 1, a->proj, P);
    }
}

/* The additive kind's query part Wa q + ba (B,A) into pq. */
static void query_part(const rnnc__attn *a, const rnnc__attn_w *w, const real *q, real *pq) {
    for (size_t b = 0; b < a->B; b++)
        memcpy(pq + b * a->A, w->ba, a->A * sizeof(real));
    rnnc__gemm(0, 1, a->B, a->A, a->Hq, q, a->Hq, w->Wa, a->Hq, 1, pq, a->A);
}

/* The scores e[b,s] into e (B,S); pq: the additive query part. */
static void scores(const rnnc__attn *a, const rnnc__attn_w *w, const real *q, const real *pq,
                   real *e) {
    const size_t P = proj_width(a);
    for (size_t b = 0; b < a->B; b++)
        for (size_t s = 0; s < a->S; s++) {
            real v = 0;
            if (a->kind == RNNC__ATTN_DOT)
                v = dot(q + b * a->Hq, key(a, s, b), a->Hk);
            else if (a->kind == RNNC__ATTN_GENERAL)
                v = dot(q + b * a->Hq, a->proj + (s * a->B + b) * P, P);
            else {
                const real *p = a->proj + (s * a->B + b) * P, *u = pq + b * P;
                for (size_t i = 0; i < P; i++)
                    v += w->Va[i] * R_TANH(u[i] + p[i]);
                v += w->bv[0];
            }
            e[b * a->S + s] = v;
        }
}

void rnnc__attn_forward(const rnnc__attn *a, const rnnc__attn_w *w, const real *q, real *weights,
                        real *ctx, real *work) {
    real *pq = work + a->B * a->S;
    if (a->kind == RNNC__ATTN_ADDITIVE)
        query_part(a, w, q, pq);
    scores(a, w, q, pq, weights);
    for (size_t b = 0; b < a->B; b++) { /* softmax over the active steps, max-shifted */
        real *r = weights + b * a->S, mx = 0;
        int any = 0;
        for (size_t s = 0; s < a->S; s++)
            if (is_active(a, s, b) && (!any || r[s] > mx))
                mx = r[s], any = 1;
        double sum = 0;
        for (size_t s = 0; s < a->S; s++)
            sum += (r[s] = is_active(a, s, b) ? R_EXP(r[s] - mx) : 0);
        for (size_t s = 0; s < a->S; s++)
            r[s] = any ? (real)(r[s] / sum) : 0;
        real *c = ctx + b * a->Hk;
        memset(c, 0, a->Hk * sizeof(real));
        for (size_t s = 0; s < a->S; s++) {
            const real *k = key(a, s, b), ws = r[s];
            for (size_t i = 0; ws != 0 && i < a->Hk; i++)
                c[i] += ws * k[i];
        }
    }
}

void rnnc__attn_backward(const rnnc__attn *a, const rnnc__attn_w *w, const real *q,
                         const real *weights, const real *dctx, real *dq, real *dkeys, real *dproj,
                         const rnnc__attn_w *g, real *work) {
    const size_t S = a->S, B = a->B, Hk = a->Hk, Hq = a->Hq, P = proj_width(a);
    real *de = work, *pq = work + B * S, *dpq = pq + B * a->A;
    for (size_t b = 0; b < B; b++) { /* through the context and the softmax */
        const real *wr = weights + b * S, *dc = dctx + b * Hk;
        real *der = de + b * S;
        double mean = 0;
        for (size_t s = 0; s < S; s++) {
            der[s] = dot(dc, key(a, s, b), Hk); /* d weight */
            mean += (double)wr[s] * der[s];
            if (dkeys && wr[s] != 0) {
                real *dk = dkeys + (s * B + b) * a->ldk;
                for (size_t i = 0; i < Hk; i++)
                    dk[i] += wr[s] * dc[i];
            }
        }
        for (size_t s = 0; s < S; s++)
            der[s] = wr[s] * (der[s] - (real)mean);
    }
    if (a->kind == RNNC__ATTN_ADDITIVE) {
        query_part(a, w, q, pq);
        memset(dpq, 0, B * P * sizeof(real));
    }
    for (size_t b = 0; b < B; b++)
        for (size_t s = 0; s < S; s++) {
            const real d = de[b * S + s];
            if (d == 0)
                continue;
            const real *qb = q + b * Hq;
            real *dqb = dq + b * Hq;
            if (a->kind == RNNC__ATTN_DOT) {
                const real *k = key(a, s, b);
                for (size_t i = 0; i < Hk; i++)
                    dqb[i] += d * k[i];
                if (dkeys) {
                    real *dk = dkeys + (s * B + b) * a->ldk;
                    for (size_t i = 0; i < Hk; i++)
                        dk[i] += d * qb[i];
                }
            } else if (a->kind == RNNC__ATTN_GENERAL) {
                const real *p = a->proj + (s * B + b) * P;
                real *dp = dproj + (s * B + b) * P;
                for (size_t i = 0; i < P; i++)
                    dqb[i] += d * p[i], dp[i] += d * qb[i];
            } else {
                const real *p = a->proj + (s * B + b) * P, *u = pq + b * P;
                real *dp = dproj + (s * B + b) * P, *du = dpq + b * P;
                g->bv[0] += d;
                for (size_t i = 0; i < P; i++) {
                    const real z = R_TANH(u[i] + p[i]), gz = d * w->Va[i] * (1 - z * z);
                    g->Va[i] += d * z;
                    dp[i] += gz, du[i] += gz;
                }
            }
        }
    if (a->kind == RNNC__ATTN_ADDITIVE) { /* the query part: Wa, ba and dq */
        rnnc__gemm(1, 0, P, Hq, B, dpq, P, q, Hq, 1, g->Wa, Hq);
        for (size_t b = 0; b < B; b++)
            for (size_t i = 0; i < P; i++)
                g->ba[i] += dpq[b * P + i];
        rnnc__gemm(0, 0, B, Hq, P, dpq, P, w->Wa, Hq, 1, dq, Hq);
    }
}

void rnnc__attn_finish(const rnnc__attn *a, const rnnc__attn_w *w, const real *dproj, real *dkeys,
                       const rnnc__attn_w *g) {
    const size_t P = proj_width(a), SB = a->S * a->B;
    if (!P)
        return;
    const real *W = a->kind == RNNC__ATTN_GENERAL ? w->Wa : w->Ua;
    real *gW = a->kind == RNNC__ATTN_GENERAL ? g->Wa : g->Ua;
    if (dkeys)
        rnnc__gemm(0, 0, SB, a->Hk, P, dproj, P, W, a->Hk, 1, dkeys, a->ldk);
    rnnc__gemm(1, 0, P, a->Hk, SB, dproj, P, a->keys, a->ldk, 1, gW, a->Hk);
    if (a->kind == RNNC__ATTN_ADDITIVE)
        for (size_t r = 0; r < SB; r++)
            for (size_t i = 0; i < P; i++)
                g->bu[i] += dproj[r * P + i];
}
