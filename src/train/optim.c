/* Optimizers with torch.optim's update rules (torch 1.13, single-tensor path) and gradient
 * clipping as torch.nn.utils.clip_grad_norm_ / clip_grad_value_. The state lives in one float
 * arena whose layout include/rnnc/train.h documents per kind, so a checkpoint is one copy; the
 * state file that resuming reads is written and read here too. */
#include "../core/core.h"
#include "rnnc/train.h"
#include "fit.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rnnc_optim {
    rnnc_model *model; /* borrowed */
    rnnc_optim_spec spec;
    size_t n;       /* parameters */
    size_t n_state; /* floats in state: a whole number of n-float blocks */
    float *state;
    long step;
    /* per layer: the steps in which it trained (its parameters' torch.optim state["step"]: a
     * layer frozen for a while starts its bias correction and momentum when it first trains) */
    long layer_step[RNNC_MAX_LAYERS];
    double factor[RNNC_MAX_LAYERS]; /* per layer: the learning rate times this */
    int factors;                    /* some factor is not 1 */
};

static const struct {
    const char *name;
    int kind;
} optim_names[] = {{"sgd", RNNC_OPTIM_SGD},
                   {"adam", RNNC_OPTIM_ADAM},
                   {"adamw", RNNC_OPTIM_ADAMW},
                   {"rmsprop", RNNC_OPTIM_RMSPROP},
                   {"adagrad", RNNC_OPTIM_ADAGRAD}};

static const char *kind_name(int kind) {
    for (size_t i = 0; i < sizeof optim_names / sizeof optim_names[0]; i++)
        if (optim_names[i].kind == kind)
            return optim_names[i].name;
    return "unknown";
}

void rnnc_optim_spec_defaults(rnnc_optim_spec *out, size_t size, int kind) {
    rnnc_optim_spec s;
    memset(&s, 0, sizeof s);
    s.kind = kind;
    s.lr = 1e-2; /* SGD (torch requires it; 1e-2 is rnnc's choice), RMSprop, Adagrad */
    s.beta1 = 0.9, s.beta2 = 0.999;
    s.eps = kind == RNNC_OPTIM_ADAGRAD ? 1e-10 : 1e-8;
    s.alpha = 0.99;
    if (kind == RNNC_OPTIM_ADAM || kind == RNNC_OPTIM_ADAMW)
        s.lr = 1e-3;
    if (kind == RNNC_OPTIM_ADAMW)
        s.weight_decay = 1e-2;
    s.struct_size = sizeof s;
    rnnc__spec_fill(out, size, &s, sizeof s);
}

rnnc_status rnnc_optim_kind_parse(const char *name, int *kind) {
    if (!name || !kind)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_optim_kind_parse: NULL argument");
    for (size_t i = 0; i < sizeof optim_names / sizeof optim_names[0]; i++)
        if (strcmp(name, optim_names[i].name) == 0) {
            *kind = optim_names[i].kind;
            return RNNC_OK;
        }
    return RNNC_FAIL(RNNC_ERR_ARG,
                     "unknown optimizer '%s' (expected sgd, adam, adamw, rmsprop or adagrad)",
                     name);
}

/* Requires lo <= v (or lo <= v < 1 when below_one) and v finite; names the field on failure. */
static rnnc_status check_field(const char *kind, const char *field, double v, double lo,
                               int below_one) {
    if (!isfinite(v) || !(v >= lo) || (below_one && !(v < 1)))
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_optim_create: %s: %s = %g must be %s%g%s", kind, field,
                         v, below_one ? "in [" : ">= ", lo, below_one ? ", 1)" : "");
    return RNNC_OK;
}

/* Checks the fields `s->kind` uses, with torch.optim's bounds, and counts its state blocks. */
static rnnc_status check_spec(const rnnc_optim_spec *s, size_t *blocks) {
    const char *k = kind_name(s->kind);
    RNNC_TRY(check_field(k, "lr", s->lr, 0, 0));
    RNNC_TRY(check_field(k, "weight_decay", s->weight_decay, 0, 0));
    switch (s->kind) {
    case RNNC_OPTIM_SGD:
        RNNC_TRY(check_field(k, "momentum", s->momentum, 0, 0));
        if (!isfinite(s->dampening))
            return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_optim_create: sgd: dampening = %g must be finite",
                             s->dampening);
        if (s->nesterov && (s->momentum <= 0 || s->dampening != 0))
            return RNNC_FAIL(RNNC_ERR_ARG,
                             "rnnc_optim_create: sgd: nesterov momentum requires momentum > 0 and "
                             "dampening 0 (momentum = %g, dampening = %g)",
                             s->momentum, s->dampening);
        *blocks = s->momentum != 0 ? 1 : 0;
        return RNNC_OK;
    case RNNC_OPTIM_ADAM:
    case RNNC_OPTIM_ADAMW:
        RNNC_TRY(check_field(k, "eps", s->eps, 0, 0));
        RNNC_TRY(check_field(k, "beta1", s->beta1, 0, 1));
        RNNC_TRY(check_field(k, "beta2", s->beta2, 0, 1));
        *blocks = s->amsgrad ? 3 : 2;
        return RNNC_OK;
    case RNNC_OPTIM_RMSPROP:
        RNNC_TRY(check_field(k, "eps", s->eps, 0, 0));
        RNNC_TRY(check_field(k, "momentum", s->momentum, 0, 0));
        RNNC_TRY(check_field(k, "alpha", s->alpha, 0, 0));
        *blocks = 1 + (s->momentum > 0) + (s->centered != 0);
        return RNNC_OK;
    case RNNC_OPTIM_ADAGRAD:
        RNNC_TRY(check_field(k, "eps", s->eps, 0, 0));
        RNNC_TRY(check_field(k, "lr_decay", s->lr_decay, 0, 0));
        RNNC_TRY(check_field(k, "initial_accumulator_value", s->initial_accumulator_value, 0, 0));
        *blocks = 1;
        return RNNC_OK;
    default:
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_optim_create: unknown optimizer kind %d", s->kind);
    }
}

rnnc_status rnnc_optim_create(rnnc_model *m, const rnnc_optim_spec *spec, rnnc_optim **out) {
    if (!m || !spec || !out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_optim_create: NULL argument");
    RNNC_TRY(RNNC__SPEC_CHECK(spec, rnnc_optim_spec));
    *out = NULL;
    size_t blocks = 0, n_state;
    RNNC_TRY(check_spec(spec, &blocks));
    rnnc_optim *o;
    RNNC_TRY(rnnc__calloc((void **)&o, 1, sizeof *o, "optimizer"));
    o->model = m, o->spec = *spec;
    for (int i = 0; i < RNNC_MAX_LAYERS; i++)
        o->factor[i] = 1;
    rnnc_model_params(m, &o->n);
    if (rnnc__mul(blocks, o->n, &n_state) != 0) {
        free(o);
        return RNNC_FAIL(RNNC_ERR_NOMEM, "optimizer state: %zu x %zu floats overflows", blocks,
                         o->n);
    }
    o->n_state = n_state;
    rnnc_status st = rnnc__calloc((void **)&o->state, n_state, sizeof(float), "optimizer state");
    if (st != RNNC_OK) {
        free(o);
        return st;
    }
    if (spec->kind == RNNC_OPTIM_ADAGRAD)
        for (size_t i = 0; i < o->n; i++)
            o->state[i] = (float)spec->initial_accumulator_value;
    *out = o;
    return RNNC_OK;
}

void rnnc_optim_free(rnnc_optim *o) {
    if (!o)
        return;
    free(o->state);
    free(o);
}

double rnnc_optim_lr(const rnnc_optim *o) {
    return o ? o->spec.lr : 0;
}

rnnc_status rnnc_optim_set_lr(rnnc_optim *o, double lr) {
    if (!o)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_optim_set_lr: optimizer is NULL");
    if (!isfinite(lr) || !(lr >= 0))
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_optim_set_lr: lr = %g must be finite and >= 0", lr);
    o->spec.lr = lr;
    return RNNC_OK;
}

float *rnnc_optim_state(rnnc_optim *o, size_t *n) {
    if (n)
        *n = o ? o->n_state : 0;
    return o && o->n_state ? o->state : NULL;
}

long rnnc_optim_steps(const rnnc_optim *o) {
    return o ? o->step : 0;
}

rnnc_status rnnc_optim_set_steps(rnnc_optim *o, long steps) {
    if (!o)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_optim_set_steps: optimizer is NULL");
    if (steps < 0)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_optim_set_steps: steps = %ld must be >= 0", steps);
    o->step = steps;
    for (int i = 0; i < RNNC_MAX_LAYERS; i++)
        o->layer_step[i] = steps;
    return RNNC_OK;
}

long rnnc_optim_layer_steps(const rnnc_optim *o, int layer) {
    return o && layer >= 0 && layer < RNNC_MAX_LAYERS ? o->layer_step[layer] : 0;
}

rnnc_status rnnc_optim_set_layer_steps(rnnc_optim *o, int layer, long steps) {
    if (!o)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_optim_set_layer_steps: optimizer is NULL");
    const int nl = rnnc_model_config(o->model)->n_layers;
    if (layer < 0 || layer >= nl)
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "rnnc_optim_set_layer_steps: no layer %d: the model's layers are 0 to %d",
                         layer, nl - 1);
    if (steps < 0 || steps > o->step)
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "rnnc_optim_set_layer_steps: layer %d: steps %ld is outside [0, %ld]",
                         layer, steps, o->step);
    o->layer_step[layer] = steps;
    return RNNC_OK;
}

/* torch.optim.SGD. The momentum buffer is the first gradient itself at step 1 (torch clones d_p
 * when the buffer does not exist yet). p, g, buf (n). */
static void sgd_step(const rnnc_optim_spec *s, long step, size_t n, float *restrict p,
                     const float *restrict g, float *restrict buf) {
    if (s->momentum == 0 && s->weight_decay == 0) { /* plain SGD: vectorizes */
        for (size_t i = 0; i < n; i++)
            p[i] = (float)(p[i] - s->lr * (double)g[i]);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        double d = (double)g[i] + s->weight_decay * p[i];
        if (s->momentum != 0) {
            buf[i] = step == 1 ? (float)d : (float)(s->momentum * buf[i] + (1 - s->dampening) * d);
            d = s->nesterov ? d + s->momentum * buf[i] : buf[i];
        }
        p[i] = (float)(p[i] - s->lr * d);
    }
}

/* torch.optim.Adam and AdamW (Kingma & Ba 2015, Algorithm 1 with eps after the bias-corrected
 * square root; Loshchilov & Hutter 2019 for the decoupled decay). p, g, m1, m2, vmax (n). */
static void adam_step(const rnnc_optim_spec *s, long step, size_t n, float *p, const float *g,
                      float *m1, float *m2, float *vmax) {
    const int decoupled = s->kind == RNNC_OPTIM_ADAMW;
    const double bc1 = 1 - pow(s->beta1, (double)step), bc2 = 1 - pow(s->beta2, (double)step);
    const double step_size = s->lr / bc1, sqrt_bc2 = sqrt(bc2);
    const double l2 = decoupled ? 0 : s->weight_decay, shrink = 1 - s->lr * s->weight_decay;
    for (size_t i = 0; i < n; i++) {
        if (decoupled)
            p[i] = (float)(p[i] * shrink);
        double d = (double)g[i] + l2 * p[i];
        m1[i] = (float)(s->beta1 * m1[i] + (1 - s->beta1) * d);
        m2[i] = (float)(s->beta2 * m2[i] + (1 - s->beta2) * d * d);
        double v = m2[i];
        if (vmax) {
            if (m2[i] > vmax[i])
                vmax[i] = m2[i];
            v = vmax[i];
        }
        double denom = sqrt(v) / sqrt_bc2 + s->eps;
        p[i] = (float)(p[i] - step_size * m1[i] / denom);
    }
}

/* torch.optim.RMSprop (Hinton's lecture 6e; centered as Graves 2013, eq. 38-40). p, g, sq, buf,
 * ga (n); buf and ga may be NULL when momentum is 0 or centered is off. */
static void rmsprop_step(const rnnc_optim_spec *s, size_t n, float *p, const float *g, float *sq,
                         float *buf, float *ga) {
    for (size_t i = 0; i < n; i++) {
        double d = (double)g[i] + s->weight_decay * p[i];
        sq[i] = (float)(s->alpha * sq[i] + (1 - s->alpha) * d * d);
        double avg;
        if (ga) {
            ga[i] = (float)(s->alpha * ga[i] + (1 - s->alpha) * d);
            avg = sqrt((double)sq[i] - (double)ga[i] * ga[i]) + s->eps;
        } else {
            avg = sqrt((double)sq[i]) + s->eps;
        }
        if (buf) {
            buf[i] = (float)(s->momentum * buf[i] + d / avg);
            p[i] = (float)(p[i] - s->lr * buf[i]);
        } else {
            p[i] = (float)(p[i] - s->lr * d / avg);
        }
    }
}

/* torch.optim.Adagrad (Duchi et al. 2011) with torch's lr_decay. p, g, sum (n). */
static void adagrad_step(const rnnc_optim_spec *s, long step, size_t n, float *p, const float *g,
                         float *sum) {
    const double clr = s->lr / (1 + (double)(step - 1) * s->lr_decay);
    for (size_t i = 0; i < n; i++) {
        double d = (double)g[i] + s->weight_decay * p[i];
        sum[i] = (float)(sum[i] + d * d);
        p[i] = (float)(p[i] - clr * d / (sqrt((double)sum[i]) + s->eps));
    }
}

/* The update rule on elements [a, a+cnt) of the arena (parameters p, gradients g, and each state
 * array at the same offsets). */
static void update_range(rnnc_optim *o, float *p, float *g, size_t a, size_t cnt, double factor,
                         long step) {
    rnnc_optim_spec scaled = o->spec;
    scaled.lr = o->spec.lr * factor; /* a parameter group's rate, as torch.optim's groups */
    const rnnc_optim_spec *s = factor == 1 ? &o->spec : &scaled;
    const size_t n = o->n;
    float *st = o->state ? o->state + a : NULL;
    p += a, g += a;
    switch (s->kind) {
    case RNNC_OPTIM_SGD: sgd_step(s, step, cnt, p, g, st); break;
    case RNNC_OPTIM_ADAM:
    case RNNC_OPTIM_ADAMW:
        adam_step(s, step, cnt, p, g, st, st + n, s->amsgrad ? st + 2 * n : NULL);
        break;
    case RNNC_OPTIM_RMSPROP: {
        float *buf = s->momentum > 0 ? st + n : NULL;
        float *ga = s->centered ? st + (buf ? 2 : 1) * n : NULL;
        rmsprop_step(s, cnt, p, g, st, buf, ga);
        break;
    }
    case RNNC_OPTIM_ADAGRAD: adagrad_step(s, step, cnt, p, g, st); break;
    default: RNNC_ASSERT(!"optimizer kind checked at creation");
    }
}

rnnc_status rnnc_optim_set_layer_factor(rnnc_optim *o, int layer, double factor) {
    if (!o)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_optim_set_layer_factor: optimizer is NULL");
    const int nl = rnnc_model_config(o->model)->n_layers;
    if (layer < 0 || layer >= nl)
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "learning-rate factor: no layer %d: the model's layers are 0 to %d", layer,
                         nl - 1);
    if (!(factor >= 0) || !isfinite(factor))
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "learning-rate factor of layer %d: %g is not a finite "
                         "number >= 0",
                         layer, factor);
    o->factor[layer] = factor;
    o->factors = 0;
    for (int i = 0; i < nl; i++)
        o->factors |= o->factor[i] != 1;
    return RNNC_OK;
}

rnnc_status rnnc_optim_step(rnnc_optim *o) {
    if (!o)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_optim_step: optimizer is NULL");
    size_t n;
    float *p = rnnc_model_params(o->model, &n), *g = rnnc_model_grads(o->model, NULL);
    RNNC_ASSERT(n == o->n);
    o->step++;
    const int nl = rnnc_model_config(o->model)->n_layers;
    int all = !o->factors; /* every layer trains, and has trained at every step */
    for (int l = 0; l < nl; l++) {
        const int on = rnnc_model_trainable(o->model, l);
        o->layer_step[l] += on;
        all = all && on && o->layer_step[l] == o->step;
    }
    /* the whole arena in one range, or parameter by parameter when some layers are frozen */
    const int np = rnnc_model_param_count(o->model);
    if (all) {
        update_range(o, p, g, 0, n, 1, o->step);
        return RNNC_OK;
    }
    size_t off = 0;
    for (int i = 0; i < np; i++) {
        int ndim;
        size_t dims[2];
        rnnc_model_param_info(o->model, i, NULL, &ndim, dims);
        const size_t cnt = dims[0] * (ndim > 1 ? dims[1] : 1);
        const int l = rnnc_model_param_layer(o->model, i);
        if (rnnc_model_param_trainable(o->model, i))
            update_range(o, p, g, off, cnt, o->factor[l], o->layer_step[l]);
        off += cnt;
    }
    return RNNC_OK;
}

/* The sum of squares in double with 8 running sums (element i goes to sum i mod 8), added up in
 * a fixed order: the same bits on every run, and no single chain of n dependent additions. */
static double sum_squares(const float *restrict g, size_t n) {
    double s[8] = {0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int l = 0; l < 8; l++)
            s[l] += (double)g[i + (size_t)l] * g[i + (size_t)l];
    for (; i < n; i++)
        s[i % 8] += (double)g[i] * g[i];
    return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

void rnnc__scale_grads(rnnc_model *m, double coef) {
    size_t n;
    float *restrict g = rnnc_model_grads(m, &n);
    for (size_t i = 0; g && i < n; i++)
        g[i] = (float)(g[i] * coef);
}

double rnnc_grad_norm(rnnc_model *m) {
    size_t n;
    const float *g = rnnc_model_grads(m, &n);
    return g ? sqrt(sum_squares(g, n)) : 0;
}

rnnc_status rnnc_clip_grad_norm(rnnc_model *m, double max_norm, double *norm) {
    if (!m)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_clip_grad_norm: model is NULL");
    if (!(max_norm >= 0))
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_clip_grad_norm: max_norm = %g must be >= 0", max_norm);
    const double n = rnnc_grad_norm(m);
    const double coef = max_norm / (n + 1e-6); /* clip_grad_norm_'s epsilon */
    if (coef < 1)
        rnnc__scale_grads(m, coef);
    if (norm)
        *norm = n;
    return RNNC_OK;
}

rnnc_status rnnc_clip_grad_value(rnnc_model *m, double clip_value) {
    if (!m)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_clip_grad_value: model is NULL");
    if (!(clip_value >= 0))
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_clip_grad_value: clip_value = %g must be >= 0",
                         clip_value);
    size_t n;
    float *g = rnnc_model_grads(m, &n);
    /* Comparisons rather than fmin/fmax so that a NaN gradient stays NaN, as torch.clamp. */
    const float hi = clip_value > FLT_MAX ? INFINITY : (float)clip_value, lo = -hi;
    for (size_t i = 0; i < n; i++) {
        if (g[i] > hi)
            g[i] = hi;
        else if (g[i] < lo)
            g[i] = lo;
    }
    return RNNC_OK;
}

/* ---------------------------------------------------------------------------------------------
 * Optimizer state: a second safetensors file beside the model file, so training can resume.
 */

#define OPT_STATE "optim.state"
#define OPT_STEPS "optim.steps"
#define OPT_LAYER_STEPS "optim.layer_steps"
#define KEY_FORMAT "format"
#define KEY_VERSION "rnnc.version"
#define KEY_LR "rnnc.optim.lr"

rnnc_status rnnc_optim_save(rnnc_optim *o, const char *path) {
    if (!o || !path)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_optim_save: NULL optimizer or path");
    size_t n = 0;
    const float *state = rnnc_optim_state(o, &n);
    int64_t steps = rnnc_optim_steps(o), layer_steps[RNNC_MAX_LAYERS];
    const size_t nl = (size_t)rnnc_model_config(o->model)->n_layers;
    for (size_t l = 0; l < nl; l++)
        layer_steps[l] = rnnc_optim_layer_steps(o, (int)l);
    rnnc_tensor ts[3] = {
        {OPT_STATE, RNNC_DTYPE_F32, 1, {n}, state, n * sizeof(float)},
        {OPT_STEPS, RNNC_DTYPE_I64, 0, {0}, &steps, sizeof steps},
        {OPT_LAYER_STEPS, RNNC_DTYPE_I64, 1, {nl}, layer_steps, nl * sizeof(int64_t)}};
    char lr[40];
    snprintf(lr, sizeof lr, "%.17g", rnnc_optim_lr(o));
    const char *keys[] = {KEY_FORMAT, KEY_VERSION, KEY_LR};
    const char *values[] = {"rnnc-optim", rnnc_version(), lr};
    return rnnc_tensor_file_write(path, ts, 3, keys, values, 3);
}

rnnc_status rnnc_optim_load(rnnc_optim *o, const char *path) {
    if (!o || !path)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_optim_load: NULL optimizer or path");
    rnnc_tensor_file *f;
    RNNC_TRY(rnnc_tensor_file_read(path, &f));
    size_t n = 0;
    float *state = rnnc_optim_state(o, &n);
    const rnnc_tensor *ts = rnnc_tensor_file_find(f, OPT_STATE);
    const rnnc_tensor *tn = rnnc_tensor_file_find(f, OPT_STEPS);
    const rnnc_tensor *tl = rnnc_tensor_file_find(f, OPT_LAYER_STEPS); /* none before 0.5 */
    const size_t nl = (size_t)rnnc_model_config(o->model)->n_layers;
    const char *lr_text = rnnc_tensor_file_meta(f, KEY_LR);
    rnnc_status st = RNNC_OK;
    int64_t steps = 0;
    double lr = 0;
    char *end = NULL;
    if (lr_text)
        lr = strtod(lr_text, &end);
    if (!ts || !tn || rnnc_tensor_file_count(f) != 2 + (tl != NULL))
        st = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: expected exactly the tensors '%s', '%s' and '%s'",
                       path, OPT_STATE, OPT_STEPS, OPT_LAYER_STEPS);
    else if (tl && (tl->dtype != RNNC_DTYPE_I64 || tl->ndim != 1 || tl->dims[0] != nl))
        st = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: tensor '%s' must be I64 (%zu,) for this model", path,
                       OPT_LAYER_STEPS, nl);
    else if (ts->dtype != RNNC_DTYPE_F32 || ts->ndim != 1 || ts->dims[0] != n)
        st = RNNC_FAIL(RNNC_ERR_FORMAT,
                       "%s: tensor '%s' must be F32 (%zu,) for this optimizer and model", path,
                       OPT_STATE, n);
    else if (tn->dtype != RNNC_DTYPE_I64 || tn->ndim != 0)
        st = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: tensor '%s' must be an I64 scalar", path, OPT_STEPS);
    else if (!lr_text || end == lr_text || *end || !isfinite(lr) || lr < 0)
        st = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: metadata '%s' must be a finite number >= 0", path,
                       KEY_LR);
    if (st == RNNC_OK)
        st = rnnc_tensor_check_finite(ts, path);
    if (st == RNNC_OK) {
        memcpy(&steps, tn->data, sizeof steps);
        if (steps < 0 || steps > (int64_t)LONG_MAX)
            st = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: tensor '%s' = %lld is out of range", path,
                           OPT_STEPS, (long long)steps);
    }
    if (st == RNNC_OK)
        st = rnnc_optim_set_lr(o, lr);
    if (st == RNNC_OK)
        st = rnnc_optim_set_steps(o, (long)steps);
    for (size_t l = 0; st == RNNC_OK && tl && l < nl; l++) {
        int64_t k;
        memcpy(&k, (const char *)tl->data + l * sizeof k, sizeof k);
        if (k < 0 || k > steps)
            st = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: tensor '%s'[%zu] = %lld is out of [0, %lld]", path,
                           OPT_LAYER_STEPS, l, (long long)k, (long long)steps);
        else
            st = rnnc_optim_set_layer_steps(o, (int)l, (long)k);
    }
    if (st == RNNC_OK && n)
        memcpy(state, ts->data, n * sizeof(float));
    rnnc_tensor_file_free(f);
    return st;
}
