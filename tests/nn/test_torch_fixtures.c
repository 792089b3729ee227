/* rnnc against PyTorch: every fixture in tests/fixtures/rnn_*.txt (written in float64 by
 * tests/gen/gen_rnn_fixtures.py with pack_padded_sequence) is run through the public float API:
 * outputs, final states and every gradient must match with max|rnnc - torch| / max|torch| <= 1e-5
 * per tensor. Teeth: a swapped gate block, the wrong padding side and a changed output gradient
 * must each be detected by the same comparison. */
#include "check.h"
#include "fixture.h"
#include "rnnc.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOL 1e-5

typedef struct fx_case {
    fixture *f;
    const char *file;
    int cell_kind, L, D, T, B, I, H, padding;
    rnnc_config cfg;
} fx_case;

static float *to_float(const fixture_tensor *t) {
    float *p = malloc((t->n ? t->n : 1) * sizeof(float));
    for (size_t i = 0; i < t->n; i++)
        p[i] = (float)t->data[i];
    return p;
}

static double *to_double(const float *p, size_t n) {
    double *d = malloc((n ? n : 1) * sizeof(double));
    for (size_t i = 0; i < n; i++)
        d[i] = p[i];
    return d;
}

/* max|got - want| / max|want| of a float result against a fixture tensor. */
static double err_of(const float *got, const fixture_tensor *want) {
    double *g = to_double(got, want->n);
    double e = rel_error(g, want->data, want->n);
    free(g);
    return e;
}

static const fixture_tensor *need(const fx_case *c, const char *name) {
    const fixture_tensor *t = fixture_get(c->f, name);
    if (!t) {
        fprintf(stderr, "%s: fixture has no tensor '%s'\n", c->file, name);
        exit(1);
    }
    return t;
}

/* Builds the model and loads the fixture's weights into it by PyTorch name. */
static rnnc_model *build(const fx_case *c) {
    rnnc_model *m;
    if (rnnc_model_create(&c->cfg, 1, &m)) {
        fprintf(stderr, "%s: %s\n", c->file, rnnc_last_error());
        exit(1);
    }
    for (int i = 0; i < rnnc_model_param_count(m); i++) {
        const char *name;
        rnnc_model_param_info(m, i, &name, NULL, NULL);
        const fixture_tensor *t = need(c, strchr(name, '.') + 1);
        float *v = to_float(t);
        if (rnnc_model_param_set(m, name, v, t->n)) {
            fprintf(stderr, "%s: %s\n", c->file, rnnc_last_error());
            exit(1);
        }
        free(v);
    }
    return m;
}

/* Runs forward (and backward when dy is given); returns the worst relative error over the
 * outputs (and all gradients), printing each tensor's check when `report` is set. */
static double run(const fx_case *c, rnnc_model *m, int padding, const float *dy, int report) {
    float *x = to_float(need(c, "x")), *h0 = to_float(need(c, "h0"));
    float *c0 = c->cell_kind == RNNC_LAYER_LSTM ? to_float(need(c, "c0")) : NULL;
    const fixture_tensor *lt = need(c, "lengths");
    int32_t *len = malloc(lt->n * sizeof(int32_t));
    for (size_t i = 0; i < lt->n; i++)
        len[i] = (int32_t)lt->data[i];
    rnnc_model_set_state(m, 0, c->B, h0, c0);
    rnnc_batch b = {c->T, c->B, NULL, x, len, padding, 0, NULL};
    double worst = 0;
    char what[256];
#define COMPARE(label, got, tname)                                                                 \
    do {                                                                                           \
        const fixture_tensor *w_ = need(c, tname);                                                 \
        double e_ = err_of(got, w_);                                                               \
        worst = e_ > worst ? e_ : worst;                                                           \
        if (report) {                                                                              \
            snprintf(what, sizeof what, "%s %s %s (rel err %.1e)", c->file, label, tname, e_);     \
            check(e_ <= TOL, "%s", what);                                                          \
        }                                                                                          \
    } while (0)
    if (rnnc_model_forward(m, &b, 1)) {
        fprintf(stderr, "%s: %s\n", c->file, rnnc_last_error());
        exit(1);
    }
    const float *hn, *cn;
    rnnc_model_final_state(m, 0, &hn, &cn);
    COMPARE("output", rnnc_model_output(m, NULL, NULL), "y");
    COMPARE("final state", hn, "hn");
    if (c0)
        COMPARE("final state", cn, "cn");
    if (dy) {
        float *dhn = to_float(need(c, "dhn"));
        float *dcn = c0 ? to_float(need(c, "dcn")) : NULL;
        rnnc_model_set_final_state_grad(m, 0, dhn, dcn);
        rnnc_model_zero_grad(m);
        if (rnnc_model_backward(m, dy)) {
            fprintf(stderr, "%s: %s\n", c->file, rnnc_last_error());
            exit(1);
        }
        for (int i = 0; i < rnnc_model_param_count(m); i++) {
            const char *name;
            rnnc_model_param_info(m, i, &name, NULL, NULL);
            char gname[128];
            snprintf(gname, sizeof gname, "grad.%s", strchr(name, '.') + 1);
            COMPARE("gradient", rnnc_model_grad(m, name, NULL), gname);
        }
        const float *dh0, *dc0;
        rnnc_model_initial_state_grad(m, 0, &dh0, &dc0);
        COMPARE("gradient", rnnc_model_input_grad(m), "grad.x");
        COMPARE("gradient", dh0, "grad.h0");
        if (c0)
            COMPARE("gradient", dc0, "grad.c0");
        free(dhn), free(dcn);
    }
#undef COMPARE
    free(x), free(h0), free(c0), free(len);
    return worst;
}

static int load_case(fx_case *c, const char *dir, const char *file) {
    char path[512], err[512];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    memset(c, 0, sizeof *c);
    c->file = file;
    c->f = fixture_load(path, err, sizeof err);
    if (!check(c->f != NULL, "load %s %s", file, c->f ? "" : err))
        return 0;
    const char *cell = fixture_meta(c->f, "cell"), *pad = fixture_meta(c->f, "padding");
    const char *nl = fixture_meta(c->f, "nonlinearity");
    c->cell_kind = !strcmp(cell, "lstm")  ? RNNC_LAYER_LSTM
                   : !strcmp(cell, "gru") ? RNNC_LAYER_GRU
                                          : RNNC_LAYER_RNN;
    c->L = fixture_meta_int(c->f, "layers", 0);
    c->D = fixture_meta_int(c->f, "bidirectional", 0) ? 2 : 1;
    c->T = fixture_meta_int(c->f, "T", 0), c->B = fixture_meta_int(c->f, "B", 0);
    c->I = fixture_meta_int(c->f, "I", 0), c->H = fixture_meta_int(c->f, "H", 0);
    c->padding = pad && !strcmp(pad, "pre") ? RNNC_PAD_PRE : RNNC_PAD_POST;
    c->cfg.input_size = c->I;
    c->cfg.n_layers = 1;
    rnnc_layer_spec *s = &c->cfg.layers[0];
    *s = rnnc_layer_spec_init(c->cell_kind);
    s->hidden = c->H, s->layers = c->L, s->bidirectional = c->D == 2, s->return_sequences = 1;
    s->nonlinearity = nl && !strcmp(nl, "relu") ? RNNC_ACT_RELU : RNNC_ACT_TANH;
    return 1;
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "tests/fixtures";
    rnnc_set_num_threads(1);
    DIR *d = opendir(dir);
    if (!check(d != NULL, "open fixture folder %s", dir))
        return check_summary();
    char *files[256];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 256)
        if (!strncmp(e->d_name, "rnn_", 4) && strstr(e->d_name, ".txt"))
            files[n++] = strdup(e->d_name);
    closedir(d);
    qsort(files, (size_t)n, sizeof files[0], by_name);
    check(n >= 24, "found %d fixtures (the grid has 24)", n);
    for (int k = 0; k < n; k++) {
        fx_case c;
        if (!load_case(&c, dir, files[k]))
            continue;
        float *dy = to_float(need(&c, "dy"));
        rnnc_model *m = build(&c);
        run(&c, m, c.padding, dy, 1);
        /* teeth 1: the gate blocks 0 and 1 of weight_ih_l0 swapped (for RNN, two rows) */
        size_t nw;
        char wname[64];
        snprintf(wname, sizeof wname, "%s.weight_ih_l0",
                 c.cell_kind == RNNC_LAYER_LSTM  ? "lstm"
                 : c.cell_kind == RNNC_LAYER_GRU ? "gru"
                                                 : "rnn");
        float *w = rnnc_model_param(m, wname, &nw);
        size_t rows = c.cell_kind == RNNC_LAYER_RNN ? 1 : (size_t)c.H, blk = rows * (size_t)c.I;
        for (size_t i = 0; i < blk; i++) {
            float t = w[i];
            w[i] = w[blk + i], w[blk + i] = t;
        }
        check(run(&c, m, c.padding, NULL, 0) > TOL, "teeth %s: swapped gate rows are detected",
              c.file);
        rnnc_model_free(m);
        /* teeth 2: the other padding side (only where some sequence is shorter than T) */
        m = build(&c);
        int padded = 0;
        const fixture_tensor *lt = need(&c, "lengths");
        for (size_t i = 0; i < lt->n; i++)
            padded |= (int)lt->data[i] < c.T;
        if (padded)
            check(run(&c, m, 1 - c.padding, NULL, 0) > TOL,
                  "teeth %s: the wrong padding side is detected", c.file);
        /* teeth 3: the output gradient of one data step changed by 1e-3 */
        size_t i0 =
            (size_t)(c.padding == RNNC_PAD_PRE ? c.T - 1 : 0) * (size_t)c.B * (size_t)(c.D * c.H);
        for (int j = 0; j < c.D * c.H; j++)
            dy[i0 + (size_t)j] += 1e-3f;
        check(run(&c, m, c.padding, dy, 0) > TOL, "teeth %s: a changed output gradient is detected",
              c.file);
        rnnc_model_free(m);
        free(dy);
        fixture_free(c.f);
    }
    for (int k = 0; k < n; k++)
        free(files[k]);
    return check_summary();
}
