/* Optimizers with torch.optim's update rules. The moments live in one arena. */
#include "../core/core.h"

#include <math.h>
#include <stdlib.h>

struct rnnc_optim {
    rnnc_model *model; /* borrowed */
    rnnc_optim_spec spec;
    size_t n;
    float *state; /* Adam: m then v (2n); SGD with momentum: buffer (n) */
    long step;
};

rnnc_optim_spec rnnc_optim_spec_init(int kind) {
    rnnc_optim_spec s = {0};
    s.kind = kind;
    s.lr = kind == RNNC_OPTIM_ADAM ? 1e-3 : 1e-2;
    s.beta1 = 0.9, s.beta2 = 0.999, s.eps = 1e-8;
    return s;
}

rnnc_status rnnc_optim_create(rnnc_model *m, const rnnc_optim_spec *spec, rnnc_optim **out) {
    if (!m || !spec || !out) return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_optim_create: NULL argument");
    *out = NULL;
    if (spec->kind != RNNC_OPTIM_SGD && spec->kind != RNNC_OPTIM_ADAM)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_optim_create: unknown optimizer %d", spec->kind);
    if (!(spec->lr >= 0) || !(spec->eps >= 0) || !(spec->beta1 >= 0 && spec->beta1 < 1) ||
        !(spec->beta2 >= 0 && spec->beta2 < 1) || !(spec->weight_decay >= 0) ||
        !(spec->momentum >= 0))
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_optim_create: lr, eps, weight_decay and momentum "
                                       "must be >= 0 and betas in [0, 1)");
    rnnc_optim *o;
    RNNC_TRY(rnnc__calloc((void **)&o, 1, sizeof *o, "optimizer"));
    o->model = m, o->spec = *spec;
    rnnc_model_params(m, &o->n);
    rnnc_status st = rnnc__calloc((void **)&o->state, 2 * o->n, sizeof(float), "optimizer state");
    if (st != RNNC_OK) {
        free(o);
        return st;
    }
    *out = o;
    return RNNC_OK;
}

void rnnc_optim_free(rnnc_optim *o) {
    if (!o) return;
    free(o->state);
    free(o);
}

rnnc_status rnnc_optim_step(rnnc_optim *o) {
    if (!o) return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_optim_step: optimizer is NULL");
    float *p = rnnc_model_params(o->model, NULL), *g = rnnc_model_grads(o->model, NULL);
    const rnnc_optim_spec *s = &o->spec;
    o->step++;
    if (s->kind == RNNC_OPTIM_ADAM) { /* torch.optim.Adam, amsgrad off */
        float *m1 = o->state, *m2 = o->state + o->n;
        const double bc1 = 1 - pow(s->beta1, (double)o->step);
        const double bc2 = 1 - pow(s->beta2, (double)o->step);
        const double step_size = s->lr / bc1, sqrt_bc2 = sqrt(bc2);
        for (size_t i = 0; i < o->n; i++) {
            double gi = (double)g[i] + s->weight_decay * p[i];
            m1[i] = (float)(s->beta1 * m1[i] + (1 - s->beta1) * gi);
            m2[i] = (float)(s->beta2 * m2[i] + (1 - s->beta2) * gi * gi);
            double denom = sqrt((double)m2[i]) / sqrt_bc2 + s->eps;
            p[i] = (float)(p[i] - step_size * m1[i] / denom);
        }
    } else { /* torch.optim.SGD, dampening 0, no Nesterov */
        float *buf = o->state;
        for (size_t i = 0; i < o->n; i++) {
            double gi = (double)g[i] + s->weight_decay * p[i];
            if (s->momentum > 0) {
                buf[i] = o->step == 1 ? (float)gi : (float)(s->momentum * buf[i] + gi);
                gi = buf[i];
            }
            p[i] = (float)(p[i] - s->lr * gi);
        }
    }
    return RNNC_OK;
}

double rnnc_clip_grad_norm(rnnc_model *m, double max_norm) {
    size_t n;
    float *g = rnnc_model_grads(m, &n);
    if (!g) return 0;
    double sq = 0;
    for (size_t i = 0; i < n; i++) sq += (double)g[i] * g[i];
    double norm = sqrt(sq);
    double coef = max_norm / (norm + 1e-6); /* clip_grad_norm_'s epsilon */
    if (coef < 1)
        for (size_t i = 0; i < n; i++) g[i] = (float)(g[i] * coef);
    return norm;
}
