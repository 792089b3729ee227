/* Learning-rate schedules with torch.optim.lr_scheduler's values (torch 1.13): closed forms of
 * StepLR, ExponentialLR, CosineAnnealingLR and OneCycleLR (without momentum cycling), a linear
 * warm-up as LinearLR in front of them, and ReduceLROnPlateau's state machine. */
#include "../core/core.h"
#include "rnnc/train.h"

#include <math.h>
#include <string.h>

static const double PI = 3.14159265358979323846;

static const struct {
    const char *name;
    int kind;
} sched_names[] = {{"constant", RNNC_SCHED_CONSTANT},         {"step", RNNC_SCHED_STEP},
                   {"exponential", RNNC_SCHED_EXPONENTIAL},   {"cosine", RNNC_SCHED_COSINE},
                   {"onecycle", RNNC_SCHED_ONECYCLE},         {"plateau", RNNC_SCHED_PLATEAU},
                   {"slanted_triangular", RNNC_SCHED_SLANTED}};

static const char *kind_name(int kind) {
    for (size_t i = 0; i < sizeof sched_names / sizeof sched_names[0]; i++)
        if (sched_names[i].kind == kind)
            return sched_names[i].name;
    return "unknown";
}

void rnnc_sched_spec_defaults(rnnc_sched_spec *out, size_t size, int kind) {
    rnnc_sched_spec s;
    memset(&s, 0, sizeof s);
    s.kind = kind;
    s.warmup_start_factor = 1.0 / 3; /* LinearLR's default start_factor */
    s.gamma = kind == RNNC_SCHED_STEP ? 0.1 : 0;
    s.pct_start = 0.3, s.div_factor = 25, s.final_div_factor = 1e4, s.anneal = RNNC_ANNEAL_COS;
    s.mode = RNNC_PLATEAU_MIN, s.factor = 0.1, s.patience = 10, s.threshold = 1e-4;
    s.threshold_mode = RNNC_THRESHOLD_REL, s.cooldown = 0, s.min_lr = 0, s.eps = 1e-8;
    s.cut_frac = 0.1, s.ratio = 32;
    s.struct_size = sizeof s;
    rnnc__spec_fill(out, size, &s, sizeof s);
}

rnnc_status rnnc_sched_kind_parse(const char *name, int *kind) {
    if (!name || !kind)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_sched_kind_parse: NULL argument");
    for (size_t i = 0; i < sizeof sched_names / sizeof sched_names[0]; i++)
        if (strcmp(name, sched_names[i].name) == 0) {
            *kind = sched_names[i].kind;
            return RNNC_OK;
        }
    return RNNC_FAIL(RNNC_ERR_ARG,
                     "unknown schedule '%s' (expected constant, step, exponential, cosine, "
                     "onecycle, plateau or slanted_triangular)",
                     name);
}

#define BAD(...) RNNC_FAIL(RNNC_ERR_ARG, "rnnc_sched_init: " __VA_ARGS__)

/* Checks the fields `s->kind` uses; the message names the schedule and the field. */
static rnnc_status check_spec(const rnnc_sched_spec *s) {
    const char *k = kind_name(s->kind);
    if (s->kind < RNNC_SCHED_CONSTANT || s->kind > RNNC_SCHED_SLANTED)
        return BAD("unknown schedule kind %d", s->kind);
    if (s->warmup_steps < 0)
        return BAD("%s: warmup_steps = %ld must be >= 0", k, s->warmup_steps);
    if (s->warmup_steps > 0) {
        if (s->kind == RNNC_SCHED_ONECYCLE || s->kind == RNNC_SCHED_PLATEAU ||
            s->kind == RNNC_SCHED_SLANTED)
            return BAD("%s: warmup_steps must be 0 (warm-up goes in front of constant, step, "
                       "exponential and cosine; onecycle and slanted_triangular have their own)",
                       k);
        if (!(s->warmup_start_factor > 0 && s->warmup_start_factor <= 1))
            return BAD("%s: warmup_start_factor = %g must be in (0, 1]", k, s->warmup_start_factor);
    }
    switch (s->kind) {
    case RNNC_SCHED_STEP:
        if (s->step_size < 1)
            return BAD("step: step_size = %ld must be >= 1", s->step_size);
        if (!(s->gamma > 0) || !isfinite(s->gamma))
            return BAD("step: gamma = %g must be finite and > 0", s->gamma);
        break;
    case RNNC_SCHED_EXPONENTIAL:
        if (!(s->gamma > 0) || !isfinite(s->gamma))
            return BAD("exponential: gamma = %g must be finite and > 0 (there is no default)",
                       s->gamma);
        if (s->delay < 0)
            return BAD("exponential: delay = %ld must be >= 0", s->delay);
        break;
    case RNNC_SCHED_COSINE:
        if (s->t_max < 1)
            return BAD("cosine: t_max = %ld must be >= 1", s->t_max);
        if (!isfinite(s->eta_min) || !(s->eta_min >= 0))
            return BAD("cosine: eta_min = %g must be finite and >= 0", s->eta_min);
        break;
    case RNNC_SCHED_ONECYCLE:
        if (s->total_steps < 1)
            return BAD("onecycle: total_steps = %ld must be >= 1", s->total_steps);
        if (!isfinite(s->max_lr) || !(s->max_lr >= 0))
            return BAD("onecycle: max_lr = %g must be finite and >= 0", s->max_lr);
        if (!(s->pct_start >= 0 && s->pct_start <= 1))
            return BAD("onecycle: pct_start = %g must be in [0, 1]", s->pct_start);
        if (!(s->div_factor > 0) || !isfinite(s->div_factor))
            return BAD("onecycle: div_factor = %g must be finite and > 0", s->div_factor);
        if (!(s->final_div_factor > 0) || !isfinite(s->final_div_factor))
            return BAD("onecycle: final_div_factor = %g must be finite and > 0",
                       s->final_div_factor);
        if (s->anneal != RNNC_ANNEAL_COS && s->anneal != RNNC_ANNEAL_LINEAR)
            return BAD("onecycle: anneal = %d must be RNNC_ANNEAL_COS or RNNC_ANNEAL_LINEAR",
                       s->anneal);
        break;
    case RNNC_SCHED_SLANTED:
        if (s->total_steps < 1)
            return BAD("slanted_triangular: total_steps = %ld must be >= 1", s->total_steps);
        if (!(s->cut_frac > 0 && s->cut_frac < 1))
            return BAD("slanted_triangular: cut_frac = %g must be in (0, 1)", s->cut_frac);
        if (!(s->ratio >= 1) || !isfinite(s->ratio))
            return BAD("slanted_triangular: ratio = %g must be finite and >= 1", s->ratio);
        break;
    case RNNC_SCHED_PLATEAU:
        if (s->mode != RNNC_PLATEAU_MIN && s->mode != RNNC_PLATEAU_MAX)
            return BAD("plateau: mode = %d must be RNNC_PLATEAU_MIN or RNNC_PLATEAU_MAX", s->mode);
        if (!(s->factor >= 0 && s->factor < 1))
            return BAD("plateau: factor = %g must be in [0, 1)", s->factor);
        if (s->patience < 0)
            return BAD("plateau: patience = %ld must be >= 0", s->patience);
        if (!isfinite(s->threshold) || !(s->threshold >= 0))
            return BAD("plateau: threshold = %g must be finite and >= 0", s->threshold);
        if (s->threshold_mode != RNNC_THRESHOLD_REL && s->threshold_mode != RNNC_THRESHOLD_ABS)
            return BAD("plateau: threshold_mode = %d must be RNNC_THRESHOLD_REL or "
                       "RNNC_THRESHOLD_ABS",
                       s->threshold_mode);
        if (s->cooldown < 0)
            return BAD("plateau: cooldown = %ld must be >= 0", s->cooldown);
        if (!isfinite(s->min_lr) || !(s->min_lr >= 0))
            return BAD("plateau: min_lr = %g must be finite and >= 0", s->min_lr);
        if (!isfinite(s->eps) || !(s->eps >= 0))
            return BAD("plateau: eps = %g must be finite and >= 0", s->eps);
        break;
    default: break;
    }
    return RNNC_OK;
}

/* OneCycleLR.get_lr for two phases: phase 1 ends at step pct_start*total - 1 (a real number, as in
 * torch), phase 2 at total - 1; steps past the end keep the last rate. */
static double onecycle_lr(const rnnc_sched_spec *s, double base, long t) {
    const double max_lr = s->max_lr > 0 ? s->max_lr : base;
    const double initial = max_lr / s->div_factor, min_lr = initial / s->final_div_factor;
    const double end1 = s->pct_start * (double)s->total_steps - 1,
                 end2 = (double)s->total_steps - 1;
    const double step = (double)(t < s->total_steps - 1 ? t : s->total_steps - 1);
    double from, to, lo, hi;
    if (step <= end1)
        from = initial, to = max_lr, lo = 0, hi = end1;
    else
        from = max_lr, to = min_lr, lo = end1, hi = end2;
    /* A phase of zero length (torch divides by zero there) is taken as finished. */
    const double pct = hi > lo ? (step - lo) / (hi - lo) : 1;
    if (s->anneal == RNNC_ANNEAL_LINEAR)
        return (to - from) * pct + from;
    return to + (from - to) / 2.0 * (cos(PI * pct) + 1);
}

/* Howard & Ruder 2018, eq. 3. */
static double slanted_lr(const rnnc_sched_spec *s, double base, long t) {
    const long cut = (long)floor((double)s->total_steps * s->cut_frac);
    double p;
    if (cut == 0)
        p = 1 - (double)t / (double)s->total_steps;
    else if (t < cut)
        p = (double)t / (double)cut;
    else
        p = 1 - (double)(t - cut) / ((double)cut * (1 / s->cut_frac - 1));
    if (p < 0)
        p = 0;
    return base * (1 + p * (s->ratio - 1)) / s->ratio;
}

/* The rate after t steps of a closed-form schedule (all kinds but PLATEAU). */
static double closed_form_lr(const rnnc_sched_spec *s, double base, long t) {
    const long w = s->warmup_steps;
    if (t < w)
        return base * (s->warmup_start_factor + (1 - s->warmup_start_factor) * t / w);
    t -= w;
    switch (s->kind) {
    case RNNC_SCHED_STEP: return base * pow(s->gamma, (double)(t / s->step_size));
    case RNNC_SCHED_EXPONENTIAL:
        return base * pow(s->gamma, (double)(t > s->delay ? t - s->delay : 0));
    case RNNC_SCHED_COSINE:
        return s->eta_min + (base - s->eta_min) * (1 + cos(PI * (double)t / s->t_max)) / 2;
    case RNNC_SCHED_ONECYCLE: return onecycle_lr(s, base, t);
    case RNNC_SCHED_SLANTED: return slanted_lr(s, base, t);
    default: return base;
    }
}

rnnc_status rnnc_sched_init(rnnc_sched *s, const rnnc_sched_spec *spec, double base_lr) {
    if (!s || !spec)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_sched_init: NULL argument");
    RNNC_TRY(RNNC__SPEC_CHECK(spec, rnnc_sched_spec));
    if (!isfinite(base_lr) || !(base_lr >= 0))
        return BAD("base_lr = %g must be finite and >= 0", base_lr);
    RNNC_TRY(check_spec(spec));
    memset(s, 0, sizeof *s);
    s->spec = *spec;
    s->base_lr = base_lr;
    s->t = 0;
    s->lr = spec->kind == RNNC_SCHED_PLATEAU ? base_lr : closed_form_lr(spec, base_lr, 0);
    s->best = spec->mode == RNNC_PLATEAU_MAX ? -INFINITY : INFINITY;
    s->num_bad_epochs = 0, s->cooldown_counter = 0;
    return RNNC_OK;
}

double rnnc_sched_lr(const rnnc_sched *s) {
    return s ? s->lr : 0;
}

void rnnc_sched_step(rnnc_sched *s) {
    if (!s)
        return;
    s->t++;
    if (s->spec.kind != RNNC_SCHED_PLATEAU)
        s->lr = closed_form_lr(&s->spec, s->base_lr, s->t);
}

/* ReduceLROnPlateau.is_better. */
static int is_better(const rnnc_sched_spec *s, double a, double best) {
    if (s->mode == RNNC_PLATEAU_MIN)
        return s->threshold_mode == RNNC_THRESHOLD_REL ? a < best * (1 - s->threshold)
                                                       : a < best - s->threshold;
    return s->threshold_mode == RNNC_THRESHOLD_REL ? a > best * (s->threshold + 1)
                                                   : a > best + s->threshold;
}

rnnc_status rnnc_sched_plateau_step(rnnc_sched *s, double metric) {
    if (!s)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_sched_plateau_step: schedule is NULL");
    if (s->spec.kind != RNNC_SCHED_PLATEAU)
        return RNNC_FAIL(RNNC_ERR_STATE,
                         "rnnc_sched_plateau_step: the schedule is '%s', not 'plateau' (use "
                         "rnnc_sched_step)",
                         kind_name(s->spec.kind));
    s->t++;
    if (is_better(&s->spec, metric, s->best)) {
        s->best = metric;
        s->num_bad_epochs = 0;
    } else {
        s->num_bad_epochs++;
    }
    if (s->cooldown_counter > 0) { /* bad steps in the cooldown do not count */
        s->cooldown_counter--;
        s->num_bad_epochs = 0;
    }
    if (s->num_bad_epochs > s->spec.patience) {
        double reduced = s->lr * s->spec.factor;
        if (reduced < s->spec.min_lr)
            reduced = s->spec.min_lr;
        if (s->lr - reduced > s->spec.eps)
            s->lr = reduced;
        s->cooldown_counter = s->spec.cooldown;
        s->num_bad_epochs = 0;
    }
    return RNNC_OK;
}
