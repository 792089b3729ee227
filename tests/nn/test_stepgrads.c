/* The state gradients backward keeps per step (rnnc_model_set_step_grads, docs/gradflow.md),
 * checked in double precision (this file and the engine it links are compiled with
 * RNNC_REAL_F64) against computations that do not use them:
 *   - central differences: dL/dh_t of the top layer (it returns no sequence, so the loss reaches
 *     its h_t, t < T-1, only through the later steps) is the derivative of the loss of the steps
 *     after t run from the states after step t (a prefix run's final states,
 *     rnnc_model_set_state) with that h moved; every cell kind, one layer and the top of two;
 *     with return_sequences the output at t adds the head's W^T r_t;
 *   - the last step of the top layer: the dense head's W^T r, exactly;
 *   - a linear recurrence with identity weights (relu RNN, positive states): the norm is the
 *     same at every step;
 *   - padded steps hold 0; turning it on changes no parameter gradient; the calls' errors. */
#define RNNC_REAL_F64 /* the double copy of the engine */
#include "check.h"
#include "nn/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T_STEPS 6
#define B_SEQS 2
#define EPS 1e-6

typedef rnnc__model_f64 model;

/* L = sum(output * r) of a training forward over steps [t0, t1) of x (T_STEPS,B,I), from the
 * states h0, c0 (NULL: zero). hT, cT (may be NULL) get the final states of layer 0. */
static double run(model *m, const double *x, size_t I, size_t t0, size_t t1, const double *h0,
                  const double *c0, const double *r, double *hT, double *cT, size_t state) {
    rnnc__batch_f64 b = {t1 - t0, B_SEQS, NULL, x + t0 * B_SEQS * I, NULL, RNNC_PAD_POST, 0, NULL};
    if (rnnc__model_set_state_f64(m, 0, B_SEQS, h0, c0) || rnnc__model_forward_f64(m, &b, 1))
        return NAN;
    int nd;
    size_t dims[3];
    const double *out = rnnc__model_output_f64(m, &nd, dims);
    size_t n = 1;
    for (int k = 0; k < nd; k++)
        n *= dims[k];
    double L = 0;
    for (size_t i = 0; i < n; i++)
        L += out[i] * r[i];
    const double *h, *c;
    rnnc__model_final_state_f64(m, 0, &h, &c);
    if (hT)
        memcpy(hT, h, state * sizeof(double));
    if (cT && c)
        memcpy(cT, c, state * sizeof(double));
    return L;
}

/* (W^T r)[b, j] of the dense head (units 2, hidden 4): r (B,2) the loss weights of one output. */
static double head(model *m, const double *r, size_t b, size_t j) {
    const rnnc__plan *p = rnnc__model_plan_f64(m);
    for (int i = 0; i < p->n_params; i++)
        if (!strcmp(p->params[i].name, "dense.weight")) {
            const double *W = rnnc__model_params_f64(m) + p->params[i].offset; /* (2,4) */
            return W[j] * r[b * 2] + W[4 + j] * r[b * 2 + 1];
        }
    return NAN;
}

/* The top layer's kept dL/dh_t of a stack of `layers` layers of `section` against central
 * differences. */
static void test_finite_differences(const char *section, size_t layers, int seq) {
    char text[256];
    snprintf(text, sizeof text,
             "[model]\ninput_size = 3\n[%s]\nhidden = 4\nlayers = %zu\nreturn_sequences = %s\n"
             "[dense]\nunits = 2\n",
             section, layers, seq ? "true" : "false");
    rnnc_config cfg;
    model *m = NULL;
    if (!check(rnnc_config_parse(text, section, &cfg) == RNNC_OK &&
                   rnnc__model_create_f64(&cfg, 5, &m) == RNNC_OK,
               "%s: model", section))
        return;
    const size_t I = 3, H = 4, LD = layers, S = LD * B_SEQS * H;
    rnnc_rng rng;
    rnnc_rng_seed(&rng, 11);
    double x[T_STEPS * B_SEQS * 3], r[T_STEPS * B_SEQS * 2];
    for (size_t i = 0; i < sizeof x / sizeof x[0]; i++)
        x[i] = rnnc_rng_normal(&rng);
    for (size_t i = 0; i < T_STEPS * B_SEQS * 2; i++)
        r[i] = rnnc_rng_normal(&rng);
        /* the loss weights of the output at step t: (B,2) of r, or of the one output */
#define R_AT(t) (seq ? r + (t)*B_SEQS * 2 : r)
    rnnc__model_set_step_grads_f64(m, 1);
    run(m, x, I, 0, T_STEPS, NULL, NULL, r, NULL, NULL, S);
    rnnc__model_backward_f64(m, r);
    const double *dhs;
    size_t d[4];
    if (!check(rnnc__model_step_grads_f64(m, 0, &dhs, d) == RNNC_OK && d[0] == LD &&
                   d[1] == T_STEPS && d[2] == B_SEQS && d[3] == H,
               "%s x %zu: the record is (L*D,T,B,H) = (%zu,%d,%d,4)", section, layers, layers,
               T_STEPS, B_SEQS))
        goto done;
    double *keep = malloc(LD * T_STEPS * B_SEQS * H * sizeof(double));
    memcpy(keep, dhs, LD * T_STEPS * B_SEQS * H * sizeof(double));
    double worst = 0;
    double hT[2 * B_SEQS * 4], cT[2 * B_SEQS * 4], h0[2 * B_SEQS * 4];
    for (size_t t = 0; t + 1 < T_STEPS; t++) {
        run(m, x, I, 0, t + 1, NULL, NULL, r, hT, cT, S);    /* the states after step t */
        for (size_t k = (LD - 1) * B_SEQS * H; k < S; k++) { /* the top layer's h */
            memcpy(h0, hT, sizeof h0);
            h0[k] += EPS;
            const double lp = run(m, x, I, t + 1, T_STEPS, h0, cT, R_AT(t + 1), NULL, NULL, S);
            h0[k] -= 2 * EPS;
            const double lm = run(m, x, I, t + 1, T_STEPS, h0, cT, R_AT(t + 1), NULL, NULL, S);
            const size_t l = k / (B_SEQS * H), bj = k % (B_SEQS * H);
            /* with sequences, the output at t adds the head's W^T r_t */
            const double num = (lp - lm) / (2 * EPS) + (seq ? head(m, R_AT(t), bj / H, bj % H) : 0);
            const double an = keep[(l * T_STEPS + t) * B_SEQS * H + bj];
            const double e = fabs(an - num) / fmax(fmax(fabs(an), fabs(num)), 1e-3);
            worst = e > worst || isnan(e) ? e : worst;
        }
    }
    check(worst < 1e-6,
          "%s x %zu%s: the top layer's dL/dh_t at t < T-1 match central differences (worst "
          "relative error %.2e)",
          section, layers, seq ? ", sequences" : "", worst);
    /* the top layer's last step: exactly the head's gradient W^T r */
    double err = 0;
    for (size_t b = 0; b < B_SEQS; b++)
        for (size_t j = 0; j < H; j++) {
            const double want = head(m, R_AT(T_STEPS - 1), b, j);
            err = fmax(err, fabs(keep[((LD - 1) * T_STEPS + T_STEPS - 1) * B_SEQS * H + b * H + j] -
                                 want));
        }
    check(err < 1e-14, "%s x %zu%s: the top layer's dL/dh_T is the head's W^T r (error %.1e)",
          section, layers, seq ? ", sequences" : "", err);
    free(keep);
done:
    rnnc__model_free_f64(m);
}

/* h_t = relu(W_ih x_t + b + I h_{t-1}) with every state positive: each step's Jacobian is the
 * identity, so dL/dh_t is the same at every step. */
static void test_identity(void) {
    rnnc_config cfg;
    model *m = NULL;
    const char *text = "[model]\ninput_size = 1\n[rnn]\nhidden = 3\nnonlinearity = relu\n"
                       "[dense]\nunits = 1\n";
    if (!check(rnnc_config_parse(text, "identity", &cfg) == RNNC_OK &&
                   rnnc__model_create_f64(&cfg, 3, &m) == RNNC_OK,
               "identity: model"))
        return;
    const rnnc__plan *p = rnnc__model_plan_f64(m);
    double *params = rnnc__model_params_f64(m);
    for (int i = 0; i < p->n_params; i++) {
        const rnnc__param *q = &p->params[i];
        double *v = params + q->offset;
        if (strstr(q->name, "weight_hh"))
            for (size_t k = 0; k < q->size; k++)
                v[k] = k % 4 == 0; /* (3,3) identity */
        else if (strstr(q->name, "rnn."))
            for (size_t k = 0; k < q->size; k++)
                v[k] = 0.1 + 0.05 * (double)k;
    }
    enum { T = 40, B = 2 };
    double x[T * B], r[B] = {0.7, -1.3};
    for (size_t i = 0; i < T * B; i++)
        x[i] = 0.5 + 0.01 * (double)(i % 7);
    rnnc__model_set_step_grads_f64(m, 1);
    rnnc__batch_f64 b = {T, B, NULL, x, NULL, RNNC_PAD_POST, 0, NULL};
    double norms[T], lo = INFINITY, hi = 0;
    const double *dhs;
    if (rnnc__model_forward_f64(m, &b, 1) == RNNC_OK && rnnc__model_backward_f64(m, r) == RNNC_OK &&
        rnnc__model_step_grads_f64(m, 0, &dhs, NULL) == RNNC_OK)
        for (size_t t = 0; t < T; t++) {
            double s = 0;
            for (size_t i = 0; i < B * 3; i++)
                s += dhs[t * B * 3 + i] * dhs[t * B * 3 + i];
            norms[t] = sqrt(s);
            lo = fmin(lo, norms[t]), hi = fmax(hi, norms[t]);
        }
    check(lo > 0 && hi - lo <= 1e-12 * hi,
          "identity recurrence: the norm is the same at all %d steps (%.15g .. %.15g)", T, lo, hi);
    rnnc__model_free_f64(m);
}

/* The float API: padded steps, bidirectional layout, parameter gradients unchanged, errors. */
static void test_api(void) {
    rnnc_config cfg;
    rnnc_model *m = NULL;
    const char *text = "[model]\ninput_size = 2\n[gru]\nhidden = 3\nbidirectional = true\n"
                       "[dense]\nunits = 1\n";
    if (!check(rnnc_config_parse(text, "api", &cfg) == RNNC_OK &&
                   rnnc_model_create(&cfg, 9, &m) == RNNC_OK,
               "api: model"))
        return;
    enum { T = 5, B = 3 };
    float x[T * B * 2], dout[B] = {1, -2, 0.5f};
    for (size_t i = 0; i < T * B * 2; i++)
        x[i] = (float)sin((double)i);
    const int32_t len[B] = {5, 2, 4};
    rnnc_batch b = {T, B, NULL, x, len, RNNC_PAD_POST, 0, NULL};
    const float *dh;
    size_t d[4], n;
    /* the parameter gradients with the record off, then on */
    rnnc_model_forward(m, &b, 1);
    rnnc_model_zero_grad(m);
    rnnc_model_backward(m, dout);
    check(rnnc_model_step_grads(m, 0, &dh, d) == RNNC_ERR_STATE, "off: RNNC_ERR_STATE");
    const float *g = rnnc_model_grads(m, &n);
    float *g_off = malloc(n * sizeof(float));
    memcpy(g_off, g, n * sizeof(float));
    rnnc_model_set_step_grads(m, 1);
    check(rnnc_model_step_grads(m, 0, &dh, d) == RNNC_ERR_STATE,
          "on, before a backward: RNNC_ERR_STATE");
    rnnc_model_forward(m, &b, 1);
    rnnc_model_zero_grad(m);
    rnnc_model_backward(m, dout);
    check(!memcmp(g_off, rnnc_model_grads(m, &n), n * sizeof(float)),
          "keeping the step gradients changes no parameter gradient");
    free(g_off);
    check(rnnc_model_step_grads(m, 1, &dh, d) == RNNC_ERR_ARG, "a dense layer: RNNC_ERR_ARG");
    if (check(rnnc_model_step_grads(m, 0, &dh, d) == RNNC_OK && d[0] == 2 && d[1] == T &&
                  d[2] == B && d[3] == 3,
              "bidirectional: (2,T,B,H)")) {
        int pad_zero = 1, data_nonzero = 1;
        for (size_t k = 0; k < 2; k++)
            for (size_t t = 0; t < T; t++)
                for (size_t bb = 0; bb < B; bb++) {
                    double s = 0;
                    for (size_t j = 0; j < 3; j++)
                        s += fabs(dh[((k * T + t) * B + bb) * 3 + j]);
                    if (t >= (size_t)len[bb])
                        pad_zero &= s == 0;
                    else
                        data_nonzero &= s > 0;
                }
        check(pad_zero && data_nonzero, "padded steps hold 0, data steps do not");
        double norms[2 * T];
        int ok = rnnc_model_step_grad_norms(m, 0, norms) == RNNC_OK;
        double err = 0;
        for (size_t k = 0; ok && k < 2 * T; k++) {
            double s = 0;
            for (size_t i = 0; i < B * 3; i++)
                s += (double)dh[k * B * 3 + i] * dh[k * B * 3 + i];
            err = fmax(err, fabs(norms[k] - sqrt(s)));
        }
        check(ok && err < 1e-12, "rnnc_model_step_grad_norms: the L2 norm of each (B,H) step");
    }
    rnnc_model_forward(m, &b, 1);
    check(rnnc_model_step_grads(m, 0, &dh, d) == RNNC_ERR_STATE,
          "after a forward without backward: RNNC_ERR_STATE");
    rnnc_model_set_step_grads(m, 0);
    check(rnnc_model_step_grads(m, 0, &dh, d) == RNNC_ERR_STATE, "turned off: RNNC_ERR_STATE");
    rnnc_model_free(m);
}

/* A large LSTM splits its hidden units over threads (units mode): the record is the same bits
 * with 1 and 2 threads. */
static void test_threads(void) {
    rnnc_config cfg;
    const char *text = "[model]\ninput_size = 2\n[lstm]\nhidden = 256\n[dense]\nunits = 1\n";
    rnnc_model *m = NULL;
    if (!check(rnnc_config_parse(text, "threads", &cfg) == RNNC_OK &&
                   rnnc_model_create(&cfg, 4, &m) == RNNC_OK,
               "threads: model"))
        return;
    enum { T = 4, B = 2 };
    float x[T * B * 2], dout[B] = {1, -1};
    for (size_t i = 0; i < T * B * 2; i++)
        x[i] = (float)cos((double)i);
    rnnc_batch b = {T, B, NULL, x, NULL, RNNC_PAD_POST, 0, NULL};
    rnnc_model_set_step_grads(m, 1);
    float *rec[2] = {NULL, NULL};
    const size_t n = (size_t)T * B * 256;
    for (int k = 0; k < 2; k++) {
        rnnc_set_num_threads(k + 1);
        const float *dh;
        rnnc_model_forward(m, &b, 1);
        rnnc_model_zero_grad(m);
        rnnc_model_backward(m, dout);
        if (rnnc_model_step_grads(m, 0, &dh, NULL) == RNNC_OK) {
            rec[k] = malloc(n * sizeof(float));
            memcpy(rec[k], dh, n * sizeof(float));
        }
    }
    rnnc_set_num_threads(1);
    check(rec[0] && rec[1] && !memcmp(rec[0], rec[1], n * sizeof(float)),
          "LSTM hidden 256: the same record with 1 and 2 threads");
    free(rec[0]), free(rec[1]);
    rnnc_model_free(m);
}

int main(void) {
    const char *const cells[] = {"rnn", "gru", "lstm", "indrnn"};
    for (size_t i = 0; i < 4; i++)
        for (size_t layers = 1; layers <= 2; layers++)
            for (int seq = 0; seq <= 1; seq++)
                test_finite_differences(cells[i], layers, seq);
    test_identity();
    test_api();
    test_threads();
    return check_summary();
}
