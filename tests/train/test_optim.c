/* Optimizers, gradient clipping and learning-rate schedules against PyTorch.
 *
 * tests/gen/gen_optim_fixtures.py (torch 1.13, run by hand) wrote tests/fixtures/optim_*.txt:
 *   - optimizer cases: 5 steps of torch.optim on a float32 two-layer dense network with the
 *     gradients torch computed; rnnc loads the same starting parameters and, before each step, the
 *     same learning rate and gradients, and its parameters after every step must match with
 *     max|rnnc - torch| / max|torch| <= 1e-5 per tensor; its state arena after 5 steps must match
 *     torch's optimizer.state in the documented layout. Options the fixture does not name keep
 *     rnnc_optim_spec_init's defaults, which must therefore be torch's.
 *   - clip_grad_norm_ and clip_grad_value_ on the same network's gradients;
 *   - get_last_lr() sequences of torch's schedulers (ReduceLROnPlateau with a metric sequence).
 * Teeth inside the suite: for each option a fixture exercises, the same fixture run with the option
 * changed (dampening, Nesterov, AMSGrad, decoupled decay, eps with small gradients, centering, ...)
 * must fail the comparison; a resumed optimizer without its state must not continue identically;
 * each schedule fixture run with a changed field must fail. */
#include "check.h"
#include "fixture.h"
#include "rnnc.h"

#include <dirent.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOL 1e-5
#define SCHED_TOL 1e-12
#define NSTEPS 5

static const char *dir = "tests/fixtures";
static const char *const names[] = {"dense.weight", "dense.bias", "dense_2.weight", "dense_2.bias"};
#define NPARAM 4

/* ---------------------------------------------------------------------------------------------
 * Helpers
 */

static void die(const char *what, const char *detail) {
    fprintf(stderr, "%s: %s\n", what, detail);
    exit(1);
}

static fixture *load(const char *file) {
    char path[1024], err[512];
    if (snprintf(path, sizeof path, "%s/%s", dir, file) >= (int)sizeof path)
        die(file, "fixture path too long");
    fixture *f = fixture_load(path, err, sizeof err);
    if (!f)
        die(path, err);
    return f;
}

static const fixture_tensor *need(const fixture *f, const char *file, const char *name) {
    const fixture_tensor *t = fixture_get(f, name);
    if (!t) {
        fprintf(stderr, "%s: fixture has no tensor '%s'\n", file, name);
        exit(1);
    }
    return t;
}

/* The fixture files whose names start with `prefix`, sorted; returns the count. */
static int list_files(const char *prefix, const char *exclude1, const char *exclude2,
                      char files[][128], int cap) {
    DIR *d = opendir(dir);
    if (!d)
        die(dir, "cannot open the fixture folder");
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *s = e->d_name;
        size_t len = strlen(s);
        if (strncmp(s, prefix, strlen(prefix)) != 0 || len < 5 || strcmp(s + len - 4, ".txt") != 0)
            continue;
        if ((exclude1 && strncmp(s, exclude1, strlen(exclude1)) == 0) ||
            (exclude2 && strncmp(s, exclude2, strlen(exclude2)) == 0))
            continue;
        if (n < cap && len < 128)
            memcpy(files[n++], s, len + 1);
    }
    closedir(d);
    qsort(files, (size_t)n, sizeof files[0], (int (*)(const void *, const void *))strcmp);
    return n;
}

/* A field of a spec struct that a fixture's meta line may set. */
typedef struct field {
    const char *key;
    size_t off;
    char type; /* 'd' double, 'i' int, 'l' long */
} field;

/* Sets every field of `spec` whose key the fixture has as a meta line. */
static void apply_meta(const fixture *f, const char *file, void *spec, const field *fields,
                       size_t n) {
    for (size_t i = 0; i < n; i++) {
        const char *v = fixture_meta(f, fields[i].key);
        if (!v)
            continue;
        char *end;
        char *dst = (char *)spec + fields[i].off;
        if (fields[i].type == 'd') {
            double x = strtod(v, &end);
            memcpy(dst, &x, sizeof x);
        } else {
            long x = strtol(v, &end, 10);
            if (fields[i].type == 'i') {
                int xi = (int)x;
                memcpy(dst, &xi, sizeof xi);
            } else {
                memcpy(dst, &x, sizeof x);
            }
        }
        if (*end) {
            fprintf(stderr, "%s: meta %s = '%s' is not a number\n", file, fields[i].key, v);
            exit(1);
        }
    }
}

#define OF(f, t)                                                                                   \
    { #f, offsetof(rnnc_optim_spec, f), t }
static const field optim_fields[] = {
    OF(lr, 'd'),          OF(beta1, 'd'),     OF(beta2, 'd'),    OF(eps, 'd'),
    OF(momentum, 'd'),    OF(dampening, 'd'), OF(nesterov, 'i'), OF(amsgrad, 'i'),
    OF(alpha, 'd'),       OF(centered, 'i'),  OF(lr_decay, 'd'), OF(initial_accumulator_value, 'd'),
    OF(weight_decay, 'd')};
#define SF(f, t)                                                                                   \
    { #f, offsetof(rnnc_sched_spec, f), t }
static const field sched_fields[] = {SF(warmup_steps, 'l'),
                                     SF(warmup_start_factor, 'd'),
                                     SF(step_size, 'l'),
                                     SF(gamma, 'd'),
                                     SF(t_max, 'l'),
                                     SF(eta_min, 'd'),
                                     SF(max_lr, 'd'),
                                     SF(total_steps, 'l'),
                                     SF(pct_start, 'd'),
                                     SF(div_factor, 'd'),
                                     SF(final_div_factor, 'd'),
                                     SF(anneal, 'i'),
                                     SF(mode, 'i'),
                                     SF(factor, 'd'),
                                     SF(patience, 'l'),
                                     SF(threshold, 'd'),
                                     SF(threshold_mode, 'i'),
                                     SF(cooldown, 'l'),
                                     SF(min_lr, 'd'),
                                     SF(eps, 'd')};

/* The model whose parameters the fixtures name: dense 3 -> 4 (tanh), dense 4 -> 2. */
static rnnc_model *dense_model(void) {
    rnnc_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.input_size = 3, cfg.n_layers = 2;
    cfg.layers[0] = rnnc_layer_spec_init(RNNC_LAYER_DENSE);
    cfg.layers[0].units = 4, cfg.layers[0].activation = RNNC_ACT_TANH;
    cfg.layers[1] = rnnc_layer_spec_init(RNNC_LAYER_DENSE);
    cfg.layers[1].units = 2;
    rnnc_model *m;
    if (rnnc_model_create(&cfg, 1, &m))
        die("dense model", rnnc_last_error());
    return m;
}

/* Copies the fixture tensors "<prefix>.<name>" into the parameters (grad = 0) or gradients. */
static void load_into(rnnc_model *m, const fixture *f, const char *file, const char *prefix,
                      int grad) {
    for (int i = 0; i < NPARAM; i++) {
        char tn[128];
        snprintf(tn, sizeof tn, "%s.%s", prefix, names[i]);
        const fixture_tensor *t = need(f, file, tn);
        size_t n;
        float *dst = grad ? rnnc_model_grad(m, names[i], &n) : rnnc_model_param(m, names[i], &n);
        if (!dst || n != t->n)
            die(file, "parameter size differs from the fixture");
        for (size_t j = 0; j < n; j++)
            dst[j] = (float)t->data[j];
    }
}

/* Worst max|got - want| / max|want| over the parameters against "<prefix>.<name>". */
static double param_error(rnnc_model *m, const fixture *f, const char *file, const char *prefix,
                          int grad) {
    double worst = 0;
    for (int i = 0; i < NPARAM; i++) {
        char tn[128];
        snprintf(tn, sizeof tn, "%s.%s", prefix, names[i]);
        const fixture_tensor *t = need(f, file, tn);
        size_t n;
        const float *got =
            grad ? rnnc_model_grad(m, names[i], &n) : rnnc_model_param(m, names[i], &n);
        double *g = malloc(n * sizeof *g);
        for (size_t j = 0; j < n; j++)
            g[j] = got[j];
        double e = rel_error(g, t->data, n);
        free(g);
        if (!(e <= worst))
            worst = e; /* NaN propagates as the worst */
    }
    return worst;
}

/* ---------------------------------------------------------------------------------------------
 * Optimizers
 */

static rnnc_optim_spec spec_of(const fixture *f, const char *file) {
    int kind;
    const char *opt = fixture_meta(f, "opt");
    if (!opt || rnnc_optim_kind_parse(opt, &kind))
        die(file, "meta opt is missing or unknown");
    rnnc_optim_spec s = rnnc_optim_spec_init(kind);
    apply_meta(f, file, &s, optim_fields, sizeof optim_fields / sizeof optim_fields[0]);
    return s;
}

/* Steps first..last (1-based) of the fixture on m with o: set the step's lr (unless fixed_lr) and
 * gradients, step. Returns the worst parameter error after any of these steps. */
static double run_steps(rnnc_model *m, rnnc_optim *o, const fixture *f, const char *file, int first,
                        int last, int fixed_lr) {
    const fixture_tensor *lr = need(f, file, "lr");
    double worst = 0;
    for (int k = first; k <= last; k++) {
        char prefix[16];
        if (!fixed_lr && rnnc_optim_set_lr(o, lr->data[k - 1]))
            die(file, rnnc_last_error());
        snprintf(prefix, sizeof prefix, "g%d", k);
        load_into(m, f, file, prefix, 1);
        if (rnnc_optim_step(o))
            die(file, rnnc_last_error());
        snprintf(prefix, sizeof prefix, "p%d", k);
        double e = param_error(m, f, file, prefix, 0);
        if (!(e <= worst))
            worst = e;
    }
    return worst;
}

/* A fresh model with the fixture's starting parameters and an optimizer for it; runs all steps
 * and returns the worst error (the model and optimizer stay for the caller). */
static double run_case(const fixture *f, const char *file, const rnnc_optim_spec *s, int fixed_lr,
                       rnnc_model **mo, rnnc_optim **oo) {
    rnnc_model *m = dense_model();
    load_into(m, f, file, "p0", 0);
    rnnc_optim *o;
    if (rnnc_optim_create(m, s, &o))
        die(file, rnnc_last_error());
    double e = run_steps(m, o, f, file, 1, NSTEPS, fixed_lr);
    *mo = m, *oo = o;
    return e;
}

/* The state arena after 5 steps against torch's optimizer.state, block by block in the
 * documented order: the keys of the kind, those present in the fixture. */
static void check_state(rnnc_model *m, rnnc_optim *o, const fixture *f, const char *file,
                        const rnnc_optim_spec *s) {
    static const char *const keys_sgd[] = {"momentum_buffer", NULL};
    static const char *const keys_adam[] = {"exp_avg", "exp_avg_sq", "max_exp_avg_sq", NULL};
    static const char *const keys_rms[] = {"square_avg", "momentum_buffer", "grad_avg", NULL};
    static const char *const keys_adagrad[] = {"sum", NULL};
    const char *const *keys = s->kind == RNNC_OPTIM_SGD       ? keys_sgd
                              : s->kind == RNNC_OPTIM_RMSPROP ? keys_rms
                              : s->kind == RNNC_OPTIM_ADAGRAD ? keys_adagrad
                                                              : keys_adam;
    size_t P, n_state;
    const float *base = rnnc_model_params(m, &P);
    const float *st = rnnc_optim_state(o, &n_state);
    size_t block = 0;
    double worst = 0;
    char tn[160];
    for (int k = 0; keys[k]; k++) {
        snprintf(tn, sizeof tn, "state.%s.%s", keys[k], names[0]);
        if (!fixture_get(f, tn))
            continue;
        for (int i = 0; i < NPARAM; i++) {
            snprintf(tn, sizeof tn, "state.%s.%s", keys[k], names[i]);
            const fixture_tensor *t = need(f, file, tn);
            size_t n;
            const float *p = rnnc_model_param(m, names[i], &n);
            size_t off = block * P + (size_t)(p - base);
            double e = INFINITY;
            if (st && off + n <= n_state) {
                double *g = malloc(n * sizeof *g);
                for (size_t j = 0; j < n; j++)
                    g[j] = st[off + j];
                e = rel_error(g, t->data, n);
                free(g);
            }
            if (!(e <= worst))
                worst = e;
        }
        block++;
    }
    check(n_state == block * P && (block == 0) == (st == NULL),
          "optim %s: state arena holds %zu blocks of %zu (torch keeps %zu)", file, n_state / P, P,
          block);
    check(rnnc_optim_steps(o) == NSTEPS, "optim %s: step count %ld after %d steps", file,
          rnnc_optim_steps(o), NSTEPS);
    if (block)
        check(worst <= TOL,
              "optim %s: state after %d steps equals torch's optimizer.state "
              "(rel err %.2e <= %.0e)",
              file, NSTEPS, worst, TOL);
}

/* Checkpoint: 2 steps, then a new optimizer with a copy of the state arena and step count does
 * steps 3..5; the parameters must equal the uninterrupted run's bit for bit. With copy_state 0
 * the state is left fresh (the teeth of the check); returns whether the results are identical. */
static int resumed_equal(const fixture *f, const char *file, const rnnc_optim_spec *s,
                         rnnc_model *uninterrupted, int copy_state) {
    rnnc_model *m = dense_model();
    load_into(m, f, file, "p0", 0);
    rnnc_optim *o1, *o2;
    if (rnnc_optim_create(m, s, &o1) || rnnc_optim_create(m, s, &o2))
        die(file, rnnc_last_error());
    run_steps(m, o1, f, file, 1, 2, 0);
    size_t n1, n2;
    float *s1 = rnnc_optim_state(o1, &n1), *s2 = rnnc_optim_state(o2, &n2);
    if (n1 != n2)
        die(file, "two optimizers with the same spec have different state sizes");
    if (copy_state && n1)
        memcpy(s2, s1, n1 * sizeof(float));
    if (rnnc_optim_set_steps(o2, rnnc_optim_steps(o1)))
        die(file, rnnc_last_error());
    rnnc_optim_free(o1);
    run_steps(m, o2, f, file, 3, NSTEPS, 0);
    size_t n;
    const float *a = rnnc_model_params(m, &n), *b = rnnc_model_params(uninterrupted, NULL);
    int same = memcmp(a, b, n * sizeof(float)) == 0;
    rnnc_optim_free(o2);
    rnnc_model_free(m);
    return same;
}

/* A changed option must make a fixture fail: the option has a visible effect there. */
typedef struct mutation {
    const char *file;
    const char *what;
    int field; /* which change, see mutate() */
} mutation;

static const mutation mutations[] = {
    {"optim_sgd_momentum.txt", "momentum 0", 0},
    {"optim_sgd_dampening.txt", "dampening 0", 1},
    {"optim_sgd_nesterov.txt", "Nesterov off", 2},
    {"optim_sgd_weight_decay.txt", "weight_decay 0", 3},
    {"optim_sgd_lr_change.txt", "the lr changes ignored", 4},
    {"optim_adam_plain.txt", "beta2 0.99", 5},
    {"optim_adam_amsgrad.txt", "AMSGrad off", 6},
    {"optim_adam_weight_decay.txt", "decoupled decay (AdamW)", 7},
    {"optim_adam_small_grad.txt", "eps 0", 8},
    {"optim_adam_lr_change.txt", "the lr changes ignored", 4},
    {"optim_adamw_plain.txt", "weight_decay 0", 3},
    {"optim_adamw_weight_decay.txt", "L2 decay in the gradient (Adam)", 9},
    {"optim_adamw_amsgrad.txt", "AMSGrad off", 6},
    {"optim_rmsprop_plain.txt", "alpha 0.9", 10},
    {"optim_rmsprop_momentum.txt", "momentum 0", 0},
    {"optim_rmsprop_centered.txt", "centering off", 11},
    {"optim_rmsprop_centered_momentum.txt", "momentum 0", 0},
    {"optim_rmsprop_weight_decay.txt", "weight_decay 0", 3},
    {"optim_adagrad_plain.txt", "lr_decay 0.1", 12},
    {"optim_adagrad_lr_decay.txt", "lr_decay 0", 13},
    {"optim_adagrad_initial_accumulator.txt", "initial_accumulator_value 0", 14},
    {"optim_adagrad_weight_decay.txt", "weight_decay 0", 3},
    {"optim_adagrad_small_grad.txt", "eps 1e-6", 15},
};

static int mutate(rnnc_optim_spec *s, int which) {
    switch (which) {
    case 0: s->momentum = 0; break;
    case 1: s->dampening = 0; break;
    case 2: s->nesterov = 0; break;
    case 3: s->weight_decay = 0; break;
    case 4: return 1; /* keep the first lr */
    case 5: s->beta2 = 0.99; break;
    case 6: s->amsgrad = 0; break;
    case 7: s->kind = RNNC_OPTIM_ADAMW; break;
    case 8: s->eps = 0; break;
    case 9: s->kind = RNNC_OPTIM_ADAM; break;
    case 10: s->alpha = 0.9; break;
    case 11: s->centered = 0; break;
    case 12: s->lr_decay = 0.1; break;
    case 13: s->lr_decay = 0; break;
    case 14: s->initial_accumulator_value = 0; break;
    case 15: s->eps = 1e-6; break;
    }
    return 0;
}

static void test_optim_fixtures(void) {
    static char files[64][128];
    int n = list_files("optim_", "optim_sched_", "optim_clip_", files, 64);
    check(n >= 24, "found %d optimizer fixtures (the generator writes 24)", n);
    for (int i = 0; i < n; i++) {
        fixture *f = load(files[i]);
        rnnc_optim_spec s = spec_of(f, files[i]);
        rnnc_model *m;
        rnnc_optim *o;
        double e = run_case(f, files[i], &s, 0, &m, &o);
        check(e <= TOL,
              "optim %s: parameters after each of %d steps match torch (rel err %.2e <= "
              "%.0e)",
              files[i], NSTEPS, e, TOL);
        check_state(m, o, f, files[i], &s);
        check(resumed_equal(f, files[i], &s, m, 1),
              "optim %s: resumed after 2 steps from a copy of the state arena and step count, "
              "it continues bit for bit",
              files[i]);
        size_t n_state;
        rnnc_optim_state(o, &n_state);
        if (n_state)
            check(!resumed_equal(f, files[i], &s, m, 0),
                  "optim %s: teeth: resumed without the state arena it does not", files[i]);
        rnnc_optim_free(o);
        rnnc_model_free(m);
        fixture_free(f);
    }
    /* teeth: a changed option fails the fixture */
    int found = 0;
    for (size_t i = 0; i < sizeof mutations / sizeof mutations[0]; i++) {
        char path[1024];
        if (snprintf(path, sizeof path, "%s/%s", dir, mutations[i].file) >= (int)sizeof path)
            die(mutations[i].file, "fixture path too long");
        FILE *fp = fopen(path, "r");
        if (!fp)
            continue;
        fclose(fp);
        found++;
        fixture *f = load(mutations[i].file);
        rnnc_optim_spec s = spec_of(f, mutations[i].file);
        int fixed_lr = mutate(&s, mutations[i].field);
        rnnc_model *m;
        rnnc_optim *o;
        double e = run_case(f, mutations[i].file, &s, fixed_lr, &m, &o);
        check(e > TOL, "optim %s: teeth: with %s it fails (rel err %.2e > %.0e)", mutations[i].file,
              mutations[i].what, e, TOL);
        rnnc_optim_free(o);
        rnnc_model_free(m);
        fixture_free(f);
    }
    check(found == (int)(sizeof mutations / sizeof mutations[0]),
          "every fixture named by the teeth table exists (%d of %zu)", found,
          sizeof mutations / sizeof mutations[0]);
}

/* Defaults, parsing and validation, by hand from torch.optim's signatures. */
static void test_optim_api(void) {
    rnnc_optim_spec s = rnnc_optim_spec_init(RNNC_OPTIM_ADAMW);
    check(s.lr == 1e-3 && s.weight_decay == 1e-2 && s.beta1 == 0.9 && s.beta2 == 0.999 &&
              s.eps == 1e-8 && !s.amsgrad,
          "spec_init adamw: lr 1e-3, weight_decay 1e-2, betas (0.9, 0.999), eps 1e-8");
    s = rnnc_optim_spec_init(RNNC_OPTIM_ADAM);
    check(s.lr == 1e-3 && s.weight_decay == 0 && s.eps == 1e-8, "spec_init adam: lr 1e-3, wd 0");
    s = rnnc_optim_spec_init(RNNC_OPTIM_RMSPROP);
    check(s.lr == 1e-2 && s.alpha == 0.99 && s.eps == 1e-8 && s.momentum == 0 && !s.centered,
          "spec_init rmsprop: lr 1e-2, alpha 0.99, eps 1e-8, momentum 0, not centered");
    s = rnnc_optim_spec_init(RNNC_OPTIM_ADAGRAD);
    check(s.lr == 1e-2 && s.eps == 1e-10 && s.lr_decay == 0 && s.initial_accumulator_value == 0,
          "spec_init adagrad: lr 1e-2, eps 1e-10, lr_decay 0, initial_accumulator_value 0");
    s = rnnc_optim_spec_init(RNNC_OPTIM_SGD);
    check(s.momentum == 0 && s.dampening == 0 && !s.nesterov && s.weight_decay == 0,
          "spec_init sgd: momentum, dampening, nesterov, weight_decay 0");

    static const char *const kinds[] = {"sgd", "adam", "adamw", "rmsprop", "adagrad"};
    int ok = 1, k;
    for (int i = 0; i < 5; i++)
        ok &= rnnc_optim_kind_parse(kinds[i], &k) == RNNC_OK && k == i + 1;
    check(ok, "optim_kind_parse: the five names give kinds 1..5");
    check(rnnc_optim_kind_parse("Adam", &k) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "'Adam'") && strstr(rnnc_last_error(), "rmsprop"),
          "optim_kind_parse: 'Adam' is refused naming the valid names (%s)", rnnc_last_error());

    rnnc_model *m = dense_model();
    rnnc_optim *o = NULL;
#define REFUSED(kind_, stmt, needle)                                                               \
    do {                                                                                           \
        rnnc_optim_spec b = rnnc_optim_spec_init(kind_);                                           \
        stmt;                                                                                      \
        rnnc_status st_ = rnnc_optim_create(m, &b, &o);                                            \
        check(st_ == RNNC_ERR_ARG && o == NULL && strstr(rnnc_last_error(), needle),               \
              "optim_create refuses " #stmt ": %s", rnnc_last_error());                            \
    } while (0)
    REFUSED(RNNC_OPTIM_SGD, b.nesterov = 1, "nesterov");
    REFUSED(RNNC_OPTIM_SGD, (b.nesterov = 1, b.momentum = 0.9, b.dampening = 0.1), "dampening");
    REFUSED(RNNC_OPTIM_SGD, b.lr = -0.1, "lr");
    REFUSED(RNNC_OPTIM_SGD, b.momentum = -1, "momentum");
    REFUSED(RNNC_OPTIM_ADAM, b.beta1 = 1, "beta1");
    REFUSED(RNNC_OPTIM_ADAMW, b.beta2 = -0.1, "beta2");
    REFUSED(RNNC_OPTIM_ADAM, b.eps = NAN, "eps");
    REFUSED(RNNC_OPTIM_ADAM, b.lr = INFINITY, "lr");
    REFUSED(RNNC_OPTIM_ADAMW, b.weight_decay = -1e-2, "weight_decay");
    REFUSED(RNNC_OPTIM_RMSPROP, b.alpha = -0.5, "alpha");
    REFUSED(RNNC_OPTIM_ADAGRAD, b.lr_decay = -1, "lr_decay");
    REFUSED(RNNC_OPTIM_ADAGRAD, b.initial_accumulator_value = -1, "initial_accumulator_value");
    REFUSED(7, (void)0, "unknown");
#undef REFUSED
    rnnc_optim_spec g = rnnc_optim_spec_init(RNNC_OPTIM_SGD);
    g.nesterov = 1, g.momentum = 0.9;
    check(rnnc_optim_create(m, &g, &o) == RNNC_OK, "optim_create: nesterov with momentum 0.9");
    size_t n_state, P;
    rnnc_model_params(m, &P);
    check(rnnc_optim_state(o, &n_state) != NULL && n_state == P,
          "sgd with momentum keeps one buffer of %zu (%zu)", P, n_state);
    check(rnnc_optim_set_lr(o, 0.25) == RNNC_OK && rnnc_optim_lr(o) == 0.25, "set_lr then lr");
    check(rnnc_optim_set_lr(o, -1) == RNNC_ERR_ARG && rnnc_optim_lr(o) == 0.25 &&
              strstr(rnnc_last_error(), "lr"),
          "set_lr refuses -1 and keeps 0.25: %s", rnnc_last_error());
    check(rnnc_optim_set_lr(o, NAN) == RNNC_ERR_ARG, "set_lr refuses NaN");
    check(rnnc_optim_set_steps(o, 12) == RNNC_OK && rnnc_optim_steps(o) == 12 &&
              rnnc_optim_set_steps(o, -1) == RNNC_ERR_ARG && rnnc_optim_steps(o) == 12,
          "set_steps 12 then steps; -1 refused");
    rnnc_optim_free(o);
    g = rnnc_optim_spec_init(RNNC_OPTIM_SGD);
    rnnc_optim_create(m, &g, &o);
    check(rnnc_optim_state(o, &n_state) == NULL && n_state == 0,
          "plain sgd keeps no state (NULL, 0)");
    rnnc_optim_free(o);
    g = rnnc_optim_spec_init(RNNC_OPTIM_ADAGRAD);
    g.initial_accumulator_value = 0.75;
    rnnc_optim_create(m, &g, &o);
    const float *st = rnnc_optim_state(o, &n_state);
    ok = st && n_state == P;
    for (size_t i = 0; ok && i < n_state; i++)
        ok = st[i] == 0.75f;
    check(ok, "adagrad's state starts at initial_accumulator_value");
    rnnc_optim_free(o);
    g = rnnc_optim_spec_init(RNNC_OPTIM_RMSPROP);
    g.momentum = 0.1, g.centered = 1;
    rnnc_optim_create(m, &g, &o);
    rnnc_optim_state(o, &n_state);
    check(n_state == 3 * P, "centered rmsprop with momentum keeps 3 blocks");
    rnnc_optim_free(o);
    rnnc_optim_free(NULL);
    check(rnnc_optim_step(NULL) == RNNC_ERR_ARG, "optim_step(NULL) is an ARG error");
    rnnc_model_free(m);
}

/* ---------------------------------------------------------------------------------------------
 * Clipping
 */

static void test_clip(void) {
    static const char *const norm_files[] = {"optim_clip_norm_clipped.txt",
                                             "optim_clip_norm_unclipped.txt"};
    for (int i = 0; i < 2; i++) {
        fixture *f = load(norm_files[i]);
        rnnc_model *m = dense_model();
        load_into(m, f, norm_files[i], "g", 1);
        double max_norm = strtod(fixture_meta(f, "max_norm"), NULL);
        double norm = NAN;
        check(rnnc_clip_grad_norm(m, max_norm, &norm) == RNNC_OK, "%s: clipped", norm_files[i]);
        double want = need(f, norm_files[i], "norm")->data[0];
        check(fabs(norm - want) <= 1e-6 * want, "%s: total norm %.9g, torch %.9g", norm_files[i],
              norm, want);
        double e = param_error(m, f, norm_files[i], "c", 1);
        check(e <= 1e-6, "%s: clipped gradients match torch (rel err %.2e <= 1e-06)", norm_files[i],
              e);
        /* teeth: the unclipped gradients must differ from the clipped ones where torch clipped */
        load_into(m, f, norm_files[i], "g", 1);
        if (max_norm < want)
            check(param_error(m, f, norm_files[i], "c", 1) > 1e-6,
                  "%s: teeth: unclipped gradients fail the same comparison", norm_files[i]);
        rnnc_model_free(m);
        fixture_free(f);
    }
    const char *file = "optim_clip_value.txt";
    fixture *f = load(file);
    rnnc_model *m = dense_model();
    load_into(m, f, file, "g", 1);
    double v = strtod(fixture_meta(f, "clip_value"), NULL);
    check(rnnc_clip_grad_value(m, v) == RNNC_OK, "clip_grad_value(%g)", v);
    double e = param_error(m, f, file, "c", 1);
    check(e == 0, "%s: clamped gradients equal torch's exactly (max diff %.2e)", file, e);
    load_into(m, f, file, "g", 1);
    rnnc_clip_grad_value(m, v * 1.01);
    check(param_error(m, f, file, "c", 1) > 0, "%s: teeth: clip value 1%% off differs", file);
    size_t n;
    float *g = rnnc_model_grads(m, &n);
    g[0] = NAN, g[1] = -INFINITY, g[2] = 0.5f, g[3] = -0.5f, g[4] = 0.1f;
    check(rnnc_clip_grad_value(m, 0.25) == RNNC_OK && isnan(g[0]) && g[1] == -0.25f &&
              g[2] == 0.25f && g[3] == -0.25f && g[4] == 0.1f,
          "clip_grad_value(0.25): NaN stays, -inf -> -0.25, 0.5 -> 0.25, 0.1 stays");
    check(rnnc_clip_grad_value(m, 0) == RNNC_OK && g[2] == 0 && g[4] == 0,
          "clip_grad_value(0) zeroes the gradients");
    check(rnnc_clip_grad_value(m, -1) == RNNC_ERR_ARG && strstr(rnnc_last_error(), "clip_value"),
          "clip_grad_value(-1) is refused: %s", rnnc_last_error());
    check(rnnc_clip_grad_value(m, NAN) == RNNC_ERR_ARG, "clip_grad_value(NaN) is refused");
    check(rnnc_clip_grad_value(NULL, 1) == RNNC_ERR_ARG, "clip_grad_value(NULL model) is refused");
    g[5] = 1e30f;
    check(rnnc_clip_grad_value(m, 1e300) == RNNC_OK && g[5] == 1e30f,
          "clip_grad_value above float's range clamps nothing");
    rnnc_model_free(m);
    fixture_free(f);
}

/* ---------------------------------------------------------------------------------------------
 * Schedules
 */

/* The schedule's rates for t = 0 .. n-1 (metrics: plateau steps) against the fixture's;
 * returns the relative error max|got - want| / max|want|. */
static double sched_error(const rnnc_sched_spec *spec, double base, const fixture_tensor *want,
                          const fixture_tensor *metric, const char *file) {
    rnnc_sched s;
    if (rnnc_sched_init(&s, spec, base))
        die(file, rnnc_last_error());
    double *got = malloc(want->n * sizeof *got);
    for (size_t t = 0; t < want->n; t++) {
        got[t] = rnnc_sched_lr(&s);
        if (t + 1 == want->n)
            break;
        if (metric) {
            if (rnnc_sched_plateau_step(&s, metric->data[t]))
                die(file, rnnc_last_error());
        } else {
            rnnc_sched_step(&s);
        }
    }
    double e = rel_error(got, want->data, want->n);
    free(got);
    return e;
}

/* One changed field per kind: the fixture must detect it. */
static void mutate_sched(rnnc_sched_spec *s) {
    if (s->warmup_steps > 0) {
        s->warmup_steps++;
        return;
    }
    switch (s->kind) {
    case RNNC_SCHED_STEP: s->step_size++; break;
    case RNNC_SCHED_EXPONENTIAL: s->gamma *= 1.01; break;
    case RNNC_SCHED_COSINE: s->eta_min += 1e-3; break;
    case RNNC_SCHED_ONECYCLE: s->pct_start += 0.05; break;
    case RNNC_SCHED_PLATEAU: s->cooldown++, s->patience++; break;
    default: break;
    }
}

static void test_sched_fixtures(void) {
    static char files[64][128];
    int n = list_files("optim_sched_", NULL, NULL, files, 64);
    check(n >= 13, "found %d schedule fixtures (the generator writes 13)", n);
    for (int i = 0; i < n; i++) {
        fixture *f = load(files[i]);
        int kind;
        const char *kname = fixture_meta(f, "kind");
        if (!kname || rnnc_sched_kind_parse(kname, &kind))
            die(files[i], "meta kind");
        rnnc_sched_spec spec = rnnc_sched_spec_init(kind);
        apply_meta(f, files[i], &spec, sched_fields, sizeof sched_fields / sizeof sched_fields[0]);
        double base = strtod(fixture_meta(f, "base_lr"), NULL);
        const fixture_tensor *want = need(f, files[i], "lr");
        const fixture_tensor *metric =
            kind == RNNC_SCHED_PLATEAU ? need(f, files[i], "metric") : NULL;
        double e = sched_error(&spec, base, want, metric, files[i]);
        check(e <= SCHED_TOL,
              "sched %s: %zu rates match torch's get_last_lr (rel err %.2e <= %.0e)", files[i],
              want->n, e, SCHED_TOL);
        mutate_sched(&spec);
        e = sched_error(&spec, base, want, metric, files[i]);
        check(e > SCHED_TOL, "sched %s: teeth: a changed field fails (rel err %.2e)", files[i], e);
        fixture_free(f);
    }
}

static void test_sched_api(void) {
    static const char *const kinds[] = {"constant", "step",     "exponential",
                                        "cosine",   "onecycle", "plateau"};
    int ok = 1, k;
    for (int i = 0; i < 6; i++)
        ok &= rnnc_sched_kind_parse(kinds[i], &k) == RNNC_OK && k == i + 1;
    check(ok, "sched_kind_parse: the six names give kinds 1..6");
    check(rnnc_sched_kind_parse("cos", &k) == RNNC_ERR_ARG && strstr(rnnc_last_error(), "'cos'") &&
              strstr(rnnc_last_error(), "onecycle"),
          "sched_kind_parse refuses 'cos' naming the valid names: %s", rnnc_last_error());

    rnnc_sched s;
#define REFUSED(kind_, stmt, needle)                                                               \
    do {                                                                                           \
        rnnc_sched_spec b = rnnc_sched_spec_init(kind_);                                           \
        stmt;                                                                                      \
        check(rnnc_sched_init(&s, &b, 0.1) == RNNC_ERR_ARG && strstr(rnnc_last_error(), needle),   \
              "sched_init refuses " #kind_ " with " #stmt ": %s", rnnc_last_error());              \
    } while (0)
    REFUSED(RNNC_SCHED_STEP, (void)0, "step_size");
    REFUSED(RNNC_SCHED_EXPONENTIAL, (void)0, "gamma");
    REFUSED(RNNC_SCHED_COSINE, (void)0, "t_max");
    REFUSED(RNNC_SCHED_ONECYCLE, (void)0, "total_steps");
    REFUSED(RNNC_SCHED_ONECYCLE, (b.total_steps = 10, b.pct_start = 1.5), "pct_start");
    REFUSED(RNNC_SCHED_ONECYCLE, (b.total_steps = 10, b.warmup_steps = 3), "warmup_steps");
    REFUSED(RNNC_SCHED_PLATEAU, b.factor = 1, "factor");
    REFUSED(RNNC_SCHED_PLATEAU, b.mode = 2, "mode");
    REFUSED(RNNC_SCHED_PLATEAU, b.threshold_mode = 5, "threshold_mode");
    REFUSED(RNNC_SCHED_CONSTANT, (b.warmup_steps = 2, b.warmup_start_factor = 0), "warmup_start");
    REFUSED(RNNC_SCHED_CONSTANT, b.kind = 99, "unknown");
#undef REFUSED
    rnnc_sched_spec c = rnnc_sched_spec_init(RNNC_SCHED_CONSTANT);
    check(rnnc_sched_init(&s, &c, -1) == RNNC_ERR_ARG && strstr(rnnc_last_error(), "base_lr"),
          "sched_init refuses base_lr -1: %s", rnnc_last_error());
    check(rnnc_sched_init(&s, &c, 0.1) == RNNC_OK &&
              rnnc_sched_plateau_step(&s, 1.0) == RNNC_ERR_STATE,
          "plateau_step on a constant schedule is a STATE error: %s", rnnc_last_error());

    /* A copied schedule continues exactly as the original. */
    rnnc_sched_spec p = rnnc_sched_spec_init(RNNC_SCHED_PLATEAU);
    p.patience = 1;
    rnnc_sched a, b;
    rnnc_sched_init(&a, &p, 1.0);
    for (int t = 0; t < 4; t++)
        rnnc_sched_plateau_step(&a, 1.0);
    b = a;
    ok = 1;
    for (int t = 0; t < 10; t++) {
        rnnc_sched_plateau_step(&a, 1.0 - 0.01 * (t % 3));
        rnnc_sched_plateau_step(&b, 1.0 - 0.01 * (t % 3));
        ok &= rnnc_sched_lr(&a) == rnnc_sched_lr(&b);
    }
    check(ok && rnnc_sched_lr(&a) < 0.01, "a copied plateau schedule continues identically (%g)",
          rnnc_sched_lr(&a));
    rnnc_sched_init(&a, &p, 1.0);
    check(rnnc_sched_plateau_step(&a, NAN) == RNNC_OK && a.num_bad_epochs == 1,
          "a NaN metric counts as a bad step, as in torch");

    /* OneCycle: max_lr 0 takes base_lr; after total_steps - 1 the last rate stays. */
    rnnc_sched_spec oc = rnnc_sched_spec_init(RNNC_SCHED_ONECYCLE);
    oc.total_steps = 10;
    rnnc_sched_init(&a, &oc, 0.5);
    check(fabs(rnnc_sched_lr(&a) - 0.5 / 25) < 1e-15, "onecycle starts at base_lr / div_factor");
    for (int t = 0; t < 9; t++)
        rnnc_sched_step(&a);
    double last = rnnc_sched_lr(&a);
    for (int t = 0; t < 5; t++)
        rnnc_sched_step(&a);
    check(fabs(last - 0.5 / 25 / 1e4) < 1e-15 && rnnc_sched_lr(&a) == last,
          "onecycle ends at max_lr / 25 / 1e4 and stays there (%g)", last);
    /* Plateau's step does not change a closed-form rate; rnnc_sched_step does not change
     * plateau's. */
    rnnc_sched_init(&a, &p, 0.3);
    for (int t = 0; t < 20; t++)
        rnnc_sched_step(&a);
    check(rnnc_sched_lr(&a) == 0.3 && a.t == 20, "rnnc_sched_step only counts plateau steps");
}

static rnnc_config tiny_dense(void) {
    rnnc_config cfg = {0};
    cfg.input_size = 2, cfg.n_layers = 1;
    cfg.layers[0] = rnnc_layer_spec_init(RNNC_LAYER_DENSE);
    cfg.layers[0].units = 1;
    return cfg;
}

/* Adam's and SGD with momentum's first steps and clip_grad_norm worked out by hand. */
static void hand_steps(void) {
    rnnc_config cfg = tiny_dense();
    rnnc_model *m;
    rnnc_model_create(&cfg, 1, &m);
    size_t n;
    float *p = rnnc_model_params(m, &n), *g = rnnc_model_grads(m, NULL);
    const float p0[3] = {1, -2, 0.5f};
    memcpy(p, p0, sizeof p0);
    rnnc_optim_spec s = rnnc_optim_spec_init(RNNC_OPTIM_ADAM);
    s.lr = 0.1;
    rnnc_optim *o;
    rnnc_optim_create(m, &s, &o);
    g[0] = 0.5f, g[1] = -3, g[2] = 0;
    rnnc_optim_step(o);
    /* Adam's first step moves each parameter by lr * sign(g) (m/sqrt(v) = +-1 after correction) */
    const float want1[3] = {0.9f, -1.9f, 0.5f};
    check_close("adam: first step is lr * sign(g)", p, want1, 3, 1e-6, 0);
    g[0] = 0.5f, g[1] = -3, g[2] = 0;
    rnnc_optim_step(o);
    check_close("adam: second step with the same gradient again moves lr", p,
                (const float[3]){0.8f, -1.8f, 0.5f}, 3, 1e-6, 0);
    rnnc_optim_free(o);
    s = rnnc_optim_spec_init(RNNC_OPTIM_SGD);
    s.lr = 0.5, s.momentum = 0.9;
    rnnc_optim_create(m, &s, &o);
    memcpy(p, p0, sizeof p0);
    g[0] = 1, g[1] = 2, g[2] = 0;
    rnnc_optim_step(o); /* buf = g */
    rnnc_optim_step(o); /* buf = 0.9 g + g = 1.9 g */
    check_close("sgd momentum: p - lr (g + 1.9 g)", p,
                (const float[3]){1 - 0.5f * 2.9f, -2 - 0.5f * 5.8f, 0.5f}, 3, 1e-6, 0);
    rnnc_optim_free(o);
    g[0] = 3, g[1] = 4, g[2] = 0;
    double norm = NAN;
    check(rnnc_clip_grad_norm(m, 1.0, &norm) == RNNC_OK && fabs(norm - 5) < 1e-9,
          "clip: norm before clipping is 5 (%g)", norm);
    check_close("clip: scaled to norm 1", g, (const float[3]){0.6f, 0.8f, 0}, 3, 1e-6, 0);
    /* a negative or NaN max_norm would flip or erase the gradients: refused, nothing changed */
    norm = -1;
    check(rnnc_clip_grad_norm(m, -1.0, &norm) == RNNC_ERR_ARG && norm == -1 &&
              strstr(rnnc_last_error(), "max_norm = -1 must be >= 0") &&
              rnnc_clip_grad_norm(m, NAN, NULL) == RNNC_ERR_ARG,
          "clip: max_norm -1 and NaN refused (%s)", rnnc_last_error());
    check_close("clip: gradients unchanged by a refused clip", g, (const float[3]){0.6f, 0.8f, 0},
                3, 1e-6, 0);
    rnnc_model_free(m);
}

int main(int argc, char **argv) {
    if (argc > 1)
        dir = argv[1];
    test_optim_api();
    test_optim_fixtures();
    test_clip();
    hand_steps();
    test_sched_api();
    test_sched_fixtures();
    return check_summary();
}
