/* rnnc gradflow MODEL: the norm of dL/dh_t at every time step of every recurrent layer, at
 * initialisation and after a short training, for one model or several (--compare), on the adding
 * problem or an arrays file; a table or CSV, and a plot with a log value axis
 * (docs/gradflow.md). The per-step gradients come from rnnc_model_step_grad_norms. */
#include "cli.h"
#include "plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char about[] =
    "Measures how the gradient flows back through time: for each recurrent layer (and each\n"
    "stacked layer and direction), the L2 norm of dL/dh_t over a batch at every step t, L the\n"
    "batch's mean loss. MODEL (and each --compare) is a model description or training file\n"
    "(initialised with --seed; its [optimizer] and [train] clip_norm train it) or a model\n"
    "file (Adam, no clipping). Data: the adding problem at T steps (2 features, the target\n"
    "the sum of the 2 marked values, MSE), or --data, an .npz or safetensors file of arrays\n"
    "(regression: MSE; class labels: cross-entropy). Measured at initialisation and, with\n"
    "--train-steps N, after N training steps; prints the norms (or writes --csv) and draws\n"
    "them with --plot, with each model's global gradient norm per training step and the\n"
    "grad_norm of each --steps-log (a run's steps.jsonl) in a third panel.\n";

enum { MAX_MODELS = 1 + CLI_LIST_MAX, MAX_CURVES = 64 };

typedef struct gf_opts {
    long T, B, seed, train_steps, threads;
    double lr, clip;
    const char *data, *plot, *csv;
    cli_list compare, logs, sets;
    double *log_v[CLI_LIST_MAX]; /* each --steps-log's grad_norm by step, NAN where none */
    size_t log_n[CLI_LIST_MAX];
} gf_opts;

/* One model and what was measured on it. */
typedef struct gf_model {
    const char *path;
    char label[64];
    rnnc_model *m;
    rnnc_optim_spec optim;
    double clip;
    int n_curves;
    char curve[MAX_CURVES][128]; /* the label and the layer ("a lstm", "b gru l1 rev"), or the label
                                    alone when it is the layer's name */
    char layer[MAX_CURVES][96];  /* "lstm", "gru l1 rev", ... */
    double *norm[2];             /* (n_curves,T) at initialisation, after training */
    double *gnorm;               /* (train_steps) global gradient norm before clipping */
    double loss[2];              /* the measured batch's loss at both points */
} gf_model;

/* The data: the adding problem, or the rows of an arrays file. Batches are time-major. */
typedef struct gf_data {
    const char *path; /* NULL: the adding problem */
    rnnc_arrays_file *file;
    const rnnc_arrays *a;
    int T, B, F, outputs, classes;
    size_t next;        /* the next row of a training batch */
    uint64_t eval_seed; /* the adding problem's measured batch, never trained on */
    float *x, *y;
    int32_t *ids, *len, *labels;
} gf_data;

/* The file's name without folders and extension, as a short label. */
static void label_of(const char *path, char *out, size_t n) {
    const char *s = strrchr(path, '/');
    s = s ? s + 1 : path;
    snprintf(out, n, "%s", s);
    char *dot = strrchr(out, '.');
    if (dot && dot != out)
        *dot = 0;
}

/* The adding problem at T steps (as rnnc demo, every sequence T long): x (T,B,2), y (B). */
static void adding_batch(rnnc_rng *r, int T, int B, float *x, float *y, int32_t *len) {
    memset(x, 0, (size_t)T * B * 2 * sizeof(float));
    for (int b = 0; b < B; b++) {
        len[b] = T;
        const int i = (int)rnnc_rng_below(r, (uint32_t)(T / 2)); /* one mark in each half */
        const int j = T / 2 + (int)rnnc_rng_below(r, (uint32_t)(T - T / 2));
        y[b] = 0;
        for (int t = 0; t < T; t++) {
            const float v = (float)rnnc_rng_uniform(r);
            x[((size_t)t * B + b) * 2] = v;
            if (t == i || t == j) {
                x[((size_t)t * B + b) * 2 + 1] = 1;
                y[b] += v;
            }
        }
    }
}

/* Rows [from, from + B) of the file (wrapping around), time-major. */
static void file_batch(gf_data *d, size_t from) {
    const rnnc_arrays *a = d->a;
    const size_t T = (size_t)d->T, B = (size_t)d->B, F = (size_t)d->F;
    for (size_t b = 0; b < B; b++) {
        const size_t r = (from + b) % a->n;
        d->len[b] = a->lengths ? a->lengths[r] : (int32_t)T;
        for (size_t t = 0; t < T; t++) {
            if (a->ids)
                d->ids[t * B + b] = a->ids[r * T + t];
            else
                for (size_t k = 0; k < F; k++)
                    d->x[(t * B + b) * F + k] = a->x[(r * T + t) * F + k];
        }
        if (a->target == RNNC_TARGET_REGRESSION)
            memcpy(d->y + b * (size_t)d->outputs, a->y + r * (size_t)d->outputs,
                   (size_t)d->outputs * sizeof(float));
        else
            d->labels[b] = a->labels[r];
    }
}

/* The next batch: training (rng) or the fixed measured batch (eval). */
static rnnc_batch next_batch(gf_data *d, rnnc_rng *rng, int eval) {
    rnnc_rng fixed;
    if (!d->path && eval) {
        rnnc_rng_seed(&fixed, d->eval_seed);
        adding_batch(&fixed, d->T, d->B, d->x, d->y, d->len);
    } else if (!d->path)
        adding_batch(rng, d->T, d->B, d->x, d->y, d->len);
    else if (eval)
        file_batch(d, 0);
    else
        file_batch(d, d->next), d->next = (d->next + (size_t)d->B) % d->a->n;
    rnnc_batch b = {d->T,
                    d->B,
                    d->path && d->a->ids ? d->ids : NULL,
                    d->path && d->a->ids ? NULL : d->x,
                    d->len,
                    RNNC_PAD_POST,
                    0,
                    NULL};
    return b;
}

/* The loss of the last forward and its gradient dout (the output's shape). */
static rnnc_status loss_of(rnnc_model *m, const gf_data *d, float *dout, double *loss) {
    const float *out = rnnc_model_output(m, NULL, NULL);
    if (d->classes)
        return rnnc_loss_softmax_ce(out, d->labels, (size_t)d->B, (size_t)d->classes, -1, loss,
                                    NULL, dout);
    *loss = rnnc_loss_mse(out, d->y, (size_t)d->B * (size_t)d->outputs, dout);
    return RNNC_OK;
}

static void data_free(gf_data *d) {
    rnnc_arrays_file_free(d->file);
    free(d->x), free(d->y), free(d->ids), free(d->len), free(d->labels);
}

/* The data: the adding problem at T steps, or the file (its T, its target). */
static int data_open(gf_data *d, const gf_opts *o) {
    d->T = (int)o->T, d->B = (int)o->B, d->F = 2, d->outputs = 1;
    d->eval_seed = (uint64_t)o->seed + 1000003; /* as rnnc demo's test set */
    if (d->path) {
        rnnc_arrays_source src = rnnc_arrays_source_init();
        src.path = d->path;
        rnnc_status st = rnnc_arrays_read(&src, &d->file);
        if (st)
            return cli_fail("gradflow", st);
        d->a = rnnc_arrays_file_data(d->file);
        if (d->a->target == RNNC_TARGET_STEPS) {
            fprintf(stderr,
                    "rnnc gradflow: %s: per-step labels (y of shape (n,T)) are not measured; "
                    "give a target per sequence\n",
                    d->path);
            return CLI_USAGE;
        }
        d->T = d->a->T, d->F = d->a->F, d->outputs = d->a->outputs;
        d->classes = d->a->target == RNNC_TARGET_CLASSES ? d->a->outputs : 0;
        if ((size_t)d->B > d->a->n)
            d->B = (int)d->a->n;
    }
    const size_t TB = (size_t)d->T * (size_t)d->B;
    d->x = calloc(TB * (size_t)(d->F ? d->F : 1), sizeof(float));
    d->ids = calloc(TB, sizeof(int32_t));
    d->y = calloc((size_t)d->B * (size_t)d->outputs, sizeof(float));
    d->len = calloc((size_t)d->B, sizeof(int32_t));
    d->labels = calloc((size_t)d->B, sizeof(int32_t));
    if (!d->x || !d->ids || !d->y || !d->len || !d->labels)
        return cli_out_of_memory("gradflow");
    return CLI_OK;
}

/* A model from a description or training file: sizes left to the data filled in (the input's
 * features, an embedding's vocabulary, the last dense layer's units), a dense head added when the
 * last layer is recurrent (as an arrays training file leaves it to rnnc), the training file's
 * optimizer and clip_norm. */
static int model_from_text(gf_model *g, const gf_opts *o, const gf_data *d) {
    rnnc_config cfg;
    rnnc_run_config *run = malloc(sizeof *run);
    if (!run)
        return cli_out_of_memory("gradflow");
    rnnc_train_file *tf;
    rnnc_status st = rnnc_train_file_open(g->path, o->sets.v, o->sets.n, &tf);
    if (!st)
        st = rnnc_train_file_model(tf, &cfg);
    if (!st)
        st = rnnc_train_file_run(tf, run);
    /* an arrays training file leaves the input's size to the data */
    const int on_arrays = !st && rnnc_train_file_task(tf) == RNNC_TRAIN_ARRAYS;
    rnnc_train_file_free(tf);
    if (st) {
        free(run);
        return cli_fail("gradflow", st);
    }
    g->optim = run->fit.optim, g->clip = run->fit.clip_norm;
    free(run);
    rnnc_layer_spec *first = &cfg.layers[0], *last = &cfg.layers[cfg.n_layers - 1];
    if (first->kind == RNNC_LAYER_EMBEDDING && first->vocab == 0 && d->path && d->a->ids) {
        int32_t v = 0;
        for (size_t i = 0; i < d->a->n * (size_t)d->a->T; i++)
            v = d->a->ids[i] > v ? d->a->ids[i] : v;
        first->vocab = v + 1;
    }
    if (on_arrays && first->kind != RNNC_LAYER_EMBEDDING)
        cfg.input_size = d->F;
    if (rnnc_layer_is_recurrent(last->kind) && cfg.n_layers < RNNC_MAX_LAYERS) {
        cfg.layers[cfg.n_layers] = rnnc_layer_spec_init(RNNC_LAYER_DENSE);
        snprintf(cfg.layers[cfg.n_layers].name, RNNC_NAME_MAX, "head");
        last = &cfg.layers[cfg.n_layers++];
    }
    if (last->kind == RNNC_LAYER_DENSE && last->units == 0)
        last->units = d->outputs;
    if ((st = rnnc_model_create(&cfg, (uint64_t)o->seed, &g->m))) {
        char what[1100];
        snprintf(what, sizeof what, "gradflow: %.1024s", g->path);
        return cli_fail(what, st);
    }
    return CLI_OK;
}

/* The model, checked against the data: the input and the output's shape. */
static int model_open(gf_model *g, const gf_opts *o, const gf_data *d) {
    label_of(g->path, g->label, sizeof g->label);
    g->optim = rnnc_optim_spec_init(RNNC_OPTIM_ADAM), g->clip = 0;
    int rc;
    if (cli_is_tensor_file(g->path)) {
        rnnc_status st = rnnc_model_load(g->path, &g->m, NULL);
        if (st)
            return cli_fail("gradflow", st);
    } else if ((rc = model_from_text(g, o, d)) != CLI_OK) {
        return rc;
    }
    if (o->lr > 0)
        g->optim.lr = o->lr;
    if (o->clip >= 0)
        g->clip = o->clip;
    const rnnc_config *cfg = rnnc_model_config(g->m);
    const int emb = cfg->layers[0].kind == RNNC_LAYER_EMBEDDING;
    const int ids = d->path && d->a->ids;
    size_t out = 0;
    int seq = 0, n_rec = 0;
    rnnc_model_layer_info(g->m, cfg->n_layers - 1, NULL, NULL, &out, &seq);
    for (int i = 0; i < cfg->n_layers; i++)
        n_rec += rnnc_layer_is_recurrent(cfg->layers[i].kind);
    if (emb != ids || (!emb && cfg->input_size != d->F) || seq || (int)out != d->outputs ||
        !n_rec) {
        fprintf(stderr,
                "rnnc gradflow: %s: the model takes %s%d and gives %s%zu per %s; %s needs %s%d "
                "in and %d per sequence%s\n",
                g->path, emb ? "ids, vocabulary " : "features ",
                emb ? cfg->layers[0].vocab : cfg->input_size, seq ? "a sequence of " : "", out,
                seq ? "step" : "sequence", d->path ? d->path : "the adding problem",
                ids ? "ids" : "features ", ids ? 0 : d->F, d->outputs,
                n_rec ? "" : " (and it has no recurrent layer)");
        return CLI_USAGE;
    }
    if (d->path) {
        char what[1100];
        snprintf(what, sizeof what, "%.1024s", d->path);
        rnnc_status st = rnnc_arrays_check(d->a, g->m, what);
        if (st)
            return cli_fail("gradflow", st);
    }
    /* the curves: every stacked layer and direction of every recurrent layer */
    for (int i = 0; i < cfg->n_layers; i++) {
        const rnnc_layer_spec *s = &cfg->layers[i];
        const char *name;
        if (!rnnc_layer_is_recurrent(s->kind))
            continue;
        rnnc_model_layer_info(g->m, i, &name, NULL, NULL, NULL);
        for (int l = 0; l < s->layers; l++)
            for (int k = 0; k <= s->bidirectional && g->n_curves < MAX_CURVES; k++) {
                char more[32] = "";
                if (s->layers > 1)
                    snprintf(more, sizeof more, " l%d", l);
                if (s->bidirectional)
                    strcat(more, k ? " rev" : " fwd");
                char lay[96];
                snprintf(lay, sizeof lay, "%.47s%s", name, more);
                memcpy(g->layer[g->n_curves], lay, sizeof lay);
                if (!strcmp(name, g->label))
                    snprintf(g->curve[g->n_curves], sizeof g->curve[0], "%s", lay);
                else
                    snprintf(g->curve[g->n_curves], sizeof g->curve[0], "%s %s", g->label, lay);
                g->n_curves++;
            }
    }
    for (int p = 0; p < 2; p++)
        if (!(g->norm[p] = calloc((size_t)g->n_curves * (size_t)d->T, sizeof(double))))
            return cli_out_of_memory("gradflow");
    if (!(g->gnorm = calloc((size_t)(o->train_steps ? o->train_steps : 1), sizeof(double))))
        return cli_out_of_memory("gradflow");
    return CLI_OK;
}

/* ||dL/dh_t|| on the measured batch into g->norm[phase]. */
static rnnc_status measure(gf_model *g, gf_data *d, float *dout, int phase) {
    rnnc_model *m = g->m;
    const rnnc_config *cfg = rnnc_model_config(m);
    rnnc_batch b = next_batch(d, NULL, 1);
    rnnc_model_set_step_grads(m, 1);
    rnnc_status st = rnnc_model_forward(m, &b, 1);
    if (!st)
        st = loss_of(m, d, dout, &g->loss[phase]);
    rnnc_model_zero_grad(m);
    if (!st)
        st = rnnc_model_backward(m, dout);
    for (int i = 0, c = 0; !st && i < cfg->n_layers; i++) {
        if (!rnnc_layer_is_recurrent(cfg->layers[i].kind))
            continue;
        st = rnnc_model_step_grad_norms(m, i, g->norm[phase] + (size_t)c * (size_t)d->T);
        c += cfg->layers[i].layers * (1 + cfg->layers[i].bidirectional);
    }
    rnnc_model_set_step_grads(m, 0);
    rnnc_model_zero_grad(m);
    return st;
}

/* steps training steps with the model's optimizer, clipping at g->clip (0: none); the global
 * gradient norm before clipping of each into g->gnorm. */
static rnnc_status train(gf_model *g, gf_data *d, float *dout, long steps, uint64_t seed) {
    rnnc_optim *opt = NULL;
    rnnc_status st = rnnc_optim_create(g->m, &g->optim, &opt);
    if (st)
        return st;
    rnnc_rng rng;
    rnnc_rng_seed(&rng, seed);
    d->next = 0;
    for (long s = 0; s < steps && !st; s++) {
        rnnc_batch b = next_batch(d, &rng, 0);
        double loss;
        if ((st = rnnc_model_forward(g->m, &b, 1)) || (st = loss_of(g->m, d, dout, &loss)))
            break;
        rnnc_model_zero_grad(g->m);
        if ((st = rnnc_model_backward(g->m, dout)))
            break;
        if (g->clip > 0)
            st = rnnc_clip_grad_norm(g->m, g->clip, &g->gnorm[s]);
        else
            g->gnorm[s] = rnnc_grad_norm(g->m);
        if (!st)
            st = rnnc_optim_step(opt);
    }
    rnnc_optim_free(opt);
    return st;
}

/* A steps.jsonl: grad_norm by step (NAN where a line has none), steps 1..*n. */
static int read_steps(const char *path, double **out, size_t *n) {
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        fprintf(stderr, "rnnc gradflow: %s: cannot read the steps log\n", path);
        return CLI_FAIL;
    }
    char *line = NULL;
    size_t cap = 0, max = 0, got = 0;
    double *v = NULL;
    long lineno = 0, step;
    int rc = CLI_OK;
    while (getline(&line, &cap, f) > 0) {
        lineno++;
        if (line[0] == '\n')
            continue;
        const char *g = strstr(line, "\"grad_norm\":");
        if (sscanf(line, "{\"step\":%ld", &step) != 1 || step < 1 || step > 100000000 || !g) {
            fprintf(stderr,
                    "rnnc gradflow: %s:%ld: not a steps.jsonl line ({\"step\":N,... "
                    "\"grad_norm\":X,...}, N >= 1)\n",
                    path, lineno);
            rc = CLI_USAGE;
            break;
        }
        if ((size_t)step > max) {
            double *nv = realloc(v, (size_t)step * sizeof(double));
            if (!nv) {
                rc = cli_out_of_memory("gradflow");
                break;
            }
            for (size_t k = max; k < (size_t)step; k++)
                nv[k] = NAN;
            v = nv, max = (size_t)step;
        }
        char *end;
        const double x = strtod(g + 12, &end);
        v[step - 1] = end == g + 12 ? NAN : x; /* null: no value */
        got++;
    }
    free(line);
    fclose(f);
    if (rc == CLI_OK && !got) {
        fprintf(stderr, "rnnc gradflow: %s: no steps in the log\n", path);
        rc = CLI_USAGE;
    }
    if (rc != CLI_OK)
        free(v), v = NULL;
    *out = v, *n = max;
    return rc;
}

/* The steps log's label: its folder's name (runs/clip/steps.jsonl: "clip"), or its own. */
static void log_label(const char *path, char *out, size_t n) {
    const char *s = strrchr(path, '/');
    if (!s || s == path) {
        label_of(path, out, n);
        return;
    }
    const char *p = s;
    while (p > path && p[-1] != '/')
        p--;
    snprintf(out, n, "%.*s", (int)(s - p), p);
}

/* The norms as CSV (model,layer,phase,t,norm), written atomically. */
static int write_csv(const char *path, gf_model *g, int n, const gf_data *d, int phases) {
    rnnc_atomic_file *af;
    rnnc_status st = rnnc_atomic_open(path, &af);
    if (st)
        return cli_fail("gradflow --csv", st);
    FILE *f = rnnc_atomic_stream(af);
    fprintf(f, "model,layer,phase,t,norm\n");
    for (int k = 0; k < n; k++)
        for (int p = 0; p < phases; p++)
            for (int c = 0; c < g[k].n_curves; c++)
                for (int t = 0; t < d->T; t++)
                    fprintf(f, "%s,%s,%s,%d,%.9g\n", g[k].label, g[k].layer[c],
                            p ? "trained" : "init", t + 1,
                            g[k].norm[p][(size_t)c * (size_t)d->T + (size_t)t]);
    if ((st = rnnc_atomic_commit(af)))
        return cli_fail("gradflow --csv", st);
    return CLI_OK;
}

static int has_suffix(const char *s, const char *suf) {
    const size_t n = strlen(s), k = strlen(suf);
    return n >= k && !strcmp(s + n - k, suf);
}

/* Whether each panel of the plot has room for its curves (before any work is done). */
static int plot_fits(const gf_opts *o, const gf_model *g, int n) {
    int curves = 0;
    for (int k = 0; k < n; k++)
        curves += g[k].n_curves;
    const int third = (int)o->logs.n + (o->train_steps ? n : 0);
    if (o->plot && (curves > PLOT_PANEL_CURVES || third > PLOT_PANEL_CURVES)) {
        fprintf(stderr,
                "rnnc gradflow: --plot %s: %d curves in one panel; a plot shows at most %d "
                "(fewer models, layers or steps logs)\n",
                o->plot, curves > PLOT_PANEL_CURVES ? curves : third, PLOT_PANEL_CURVES);
        return CLI_USAGE;
    }
    return CLI_OK;
}

/* The plot: the norms at initialisation, after training, and the global norm per step. */
static int draw(const gf_opts *o, gf_model *g, int n, const gf_data *d) {
    int curves = 0;
    for (int k = 0; k < n; k++)
        curves += g[k].n_curves;
    const int third = (int)o->logs.n + (o->train_steps ? n : 0);
    double *x = calloc((size_t)d->T, sizeof *x), *sx = NULL, *gy = NULL;
    char(*names)[128] = calloc((size_t)PLOT_PANEL_CURVES, sizeof *names);
    int rc = x && names ? CLI_OK : cli_out_of_memory("gradflow");
    size_t steps = (size_t)o->train_steps;
    for (int k = 0; k < o->logs.n; k++)
        steps = o->log_n[k] > steps ? o->log_n[k] : steps;
    if (rc == CLI_OK && third &&
        (!(sx = calloc(steps, sizeof *sx)) || !(gy = calloc(steps * (size_t)third, sizeof *gy))))
        rc = cli_out_of_memory("gradflow");
    if (rc != CLI_OK)
        goto done;
    for (int t = 0; t < d->T; t++)
        x[t] = t + 1;
    plot_curve pc[2][PLOT_PANEL_CURVES], sc[PLOT_PANEL_CURVES];
    for (int p = 0; p < 2; p++)
        for (int k = 0, c = 0; k < n; k++)
            for (int j = 0; j < g[k].n_curves; j++, c++)
                pc[p][c] = (plot_curve){g[k].curve[j], g[k].norm[p] + (size_t)j * d->T, c};
    for (size_t s = 0; s < steps; s++)
        sx[s] = (double)(s + 1);
    int m = 0;
    for (int k = 0; o->train_steps && k < n; k++, m++) {
        for (size_t s = 0; s < steps; s++)
            gy[(size_t)m * steps + s] = s < (size_t)o->train_steps ? g[k].gnorm[s] : NAN;
        snprintf(names[m], sizeof names[m], "%s", g[k].label);
        sc[m] = (plot_curve){names[m], gy + (size_t)m * steps, m};
    }
    for (int k = 0; k < o->logs.n; k++, m++) {
        for (size_t s = 0; s < steps; s++)
            gy[(size_t)m * steps + s] = s < o->log_n[k] ? o->log_v[k][s] : NAN;
        log_label(o->logs.v[k], names[m], sizeof names[m]);
        sc[m] = (plot_curve){names[m], gy + (size_t)m * steps, m};
    }
    char t0[96], t1[96], title[1200];
    snprintf(t0, sizeof t0, "at initialisation");
    snprintf(t1, sizeof t1, "after %ld training steps", o->train_steps);
    plot_panel panels[3];
    int np = 0;
    panels[np++] = (plot_panel){t0, pc[0], curves, 1, 0, NULL, NULL};
    if (o->train_steps)
        panels[np++] = (plot_panel){t1, pc[1], curves, 1, 0, NULL, NULL};
    if (third)
        panels[np++] =
            (plot_panel){"global norm per step", sc, third, 1, steps, sx, "optimizer step"};
    if (d->path)
        snprintf(title, sizeof title, "||dL/dh_t|| through time: %.1000s, T = %d, batch %d",
                 d->path, d->T, d->B);
    else
        snprintf(title, sizeof title,
                 "||dL/dh_t|| through time: the adding problem, T = %d, "
                 "batch %d",
                 d->T, d->B);
    plot_curves_spec spec = {title, "time step t", (size_t)d->T, x, panels, np};
    rnnc_status st = plot_curves(o->plot, &spec);
    if (st)
        rc = cli_fail("gradflow --plot", st);
    else
        printf("plot: %s\n", o->plot);
done:
    free(x), free(sx), free(gy), free(names);
    return rc;
}

/* The norms as a table on stdout. */
static void print_table(const gf_model *g, int n, const gf_data *d, int phases) {
    printf("%-8s %-28s %-8s %12s\n", "t", "layer", "phase", "norm");
    for (int k = 0; k < n; k++)
        for (int p = 0; p < phases; p++)
            for (int c = 0; c < g[k].n_curves; c++)
                for (int t = 0; t < d->T; t++)
                    printf("%-8d %-28s %-8s %12.4e\n", t + 1, g[k].curve[c], p ? "trained" : "init",
                           g[k].norm[p][(size_t)c * (size_t)d->T + (size_t)t]);
}

static int parse(gf_opts *o, int argc, char **argv) {
    const cli_option opts[] = {
        {"--compare", CLI_LIST, &o->compare, "MODEL",
         "another model on the same data and plot (repeatable)", 0, 0, NULL},
        {"--data", CLI_STRING, &o->data, "FILE",
         "an .npz or safetensors file of arrays (docs/arrays.md)\n"
         "instead of the adding problem",
         0, 0, NULL},
        {"--steps", CLI_INT, &o->T, "T", "the adding problem's length (100)", 2, 100000, NULL},
        {"--batch", CLI_INT, &o->B, "B", "sequences per batch (32)", 1, 65536, NULL},
        {"--seed", CLI_INT, &o->seed, "N", "initialisation and data (1)", 0, 2147483647.0, NULL},
        {"--train-steps", CLI_INT, &o->train_steps, "N",
         "train N steps, then measure again (0: only at\ninitialisation)", 0, 10000000, NULL},
        {"--lr", CLI_NUMBER, &o->lr, "X", "the optimizer's learning rate (the file's)", 0, 1e6,
         NULL},
        {"--clip", CLI_NUMBER, &o->clip, "X",
         "clip the global gradient norm at X while training\n(0: off; default: the file's "
         "clip_norm)",
         0, 1e300, NULL},
        {"--csv", CLI_STRING, &o->csv, "FILE", "write the norms as CSV instead of the table", 0, 0,
         NULL},
        {"--plot", CLI_STRING, &o->plot, "FILE.png|svg", "draw the norms", 0, 0, NULL},
        {"--steps-log", CLI_LIST, &o->logs, "FILE",
         "a run's steps.jsonl: its grad_norm per step in the\nplot (repeatable)", 0, 0, NULL},
        {"--set", CLI_LIST, &o->sets, "s.k=v", "override a key of a description (repeatable)", 0, 0,
         NULL},
        {"--threads", CLI_INT, &o->threads, "N", "threads (default 1)", 0, RNNC_MAX_THREADS, NULL},
    };
    const cli_command c = {"gradflow",
                           "MODEL",
                           about,
                           opts,
                           (int)(sizeof opts / sizeof *opts),
                           1,
                           1,
                           "one model; more with --compare"};
    int n;
    return cli_parse(&c, argc, argv, &n);
}

int cmd_gradflow(int argc, char **argv) {
    gf_opts o;
    memset(&o, 0, sizeof o);
    o.T = 100, o.B = 32, o.seed = 1, o.threads = 1, o.lr = -1, o.clip = -1;
    int rc = parse(&o, argc, argv);
    if (rc != CLI_GO)
        return rc;
    if (o.plot && !has_suffix(o.plot, ".png") && !has_suffix(o.plot, ".svg") &&
        !has_suffix(o.plot, ".PNG") && !has_suffix(o.plot, ".SVG")) {
        fprintf(stderr, "rnnc gradflow: --plot %s: the plot is written as .png or .svg\n", o.plot);
        return CLI_USAGE;
    }
    if (o.lr == 0) {
        fprintf(stderr, "rnnc gradflow: --lr 0: must be > 0\n");
        return CLI_USAGE;
    }
    for (int k = 0; k < o.logs.n; k++)
        if ((rc = read_steps(o.logs.v[k], &o.log_v[k], &o.log_n[k])) != CLI_OK) {
            while (k-- > 0)
                free(o.log_v[k]);
            return rc;
        }
    rnnc_set_num_threads((int)o.threads);
    const int n = 1 + o.compare.n;
    gf_model *g = calloc((size_t)n, sizeof *g);
    gf_data d;
    memset(&d, 0, sizeof d);
    d.path = o.data;
    float *dout = NULL;
    if (!g)
        return cli_out_of_memory("gradflow");
    rc = data_open(&d, &o);
    for (int k = 0; rc == CLI_OK && k < n; k++) {
        g[k].path = k ? o.compare.v[k - 1] : argv[1];
        rc = model_open(&g[k], &o, &d);
    }
    if (rc == CLI_OK)
        rc = plot_fits(&o, g, n);
    if (rc == CLI_OK &&
        !(dout = calloc((size_t)d.B * (size_t)(d.classes ? d.classes : d.outputs), sizeof(float))))
        rc = cli_out_of_memory("gradflow");
    if (rc != CLI_OK)
        goto done;
    if (d.path)
        printf("gradflow: %s: %d sequences of %d steps measured (the first), seed %ld\n", d.path,
               d.B, d.T, o.seed);
    else
        printf("gradflow: the adding problem, T = %d, batch %d, seed %ld\n", d.T, d.B, o.seed);
    const int phases = o.train_steps ? 2 : 1;
    for (int k = 0; k < n; k++) {
        rnnc_status st = measure(&g[k], &d, dout, 0);
        if (!st && o.train_steps) {
            st = train(&g[k], &d, dout, o.train_steps, (uint64_t)o.seed);
            if (!st)
                st = measure(&g[k], &d, dout, 1);
        }
        if (st) {
            char what[1100];
            snprintf(what, sizeof what, "gradflow: %.1024s", g[k].path);
            rc = cli_fail(what, st);
            goto done;
        }
        size_t np;
        rnnc_model_params(g[k].m, &np);
        printf("%s: %zu parameters; loss %.5f at initialisation", g[k].path, np, g[k].loss[0]);
        if (o.train_steps)
            printf(", %.5f after %ld steps (lr %g, clip %g)", g[k].loss[1], o.train_steps,
                   g[k].optim.lr, g[k].clip);
        printf("\n");
        for (int c = 0; c < g[k].n_curves; c++)
            for (int p = 0; p < phases; p++) {
                const double *v = g[k].norm[p] + (size_t)c * (size_t)d.T;
                printf("  %-28s %-8s ||dL/dh_1|| %.3e  ||dL/dh_T|| %.3e  ratio %.3e\n",
                       g[k].curve[c], p ? "trained" : "init", v[0], v[d.T - 1],
                       v[d.T - 1] > 0 ? v[0] / v[d.T - 1] : NAN);
            }
    }
    for (int k = 0; k < o.logs.n; k++) {
        const double *v = o.log_v[k];
        size_t a = 0, b = o.log_n[k];
        while (a < b && !isfinite(v[a]))
            a++;
        while (b > a && !isfinite(v[b - 1]))
            b--;
        if (a < b)
            printf("%s: grad_norm %.3e at step %zu, %.3e at step %zu\n", o.logs.v[k], v[a], a + 1,
                   v[b - 1], b);
        else
            printf("%s: no grad_norm value\n", o.logs.v[k]);
    }
    if (o.csv) {
        if ((rc = write_csv(o.csv, g, n, &d, phases)) == CLI_OK)
            printf("csv: %s\n", o.csv);
    } else {
        print_table(g, n, &d, phases);
    }
    if (rc == CLI_OK && o.plot)
        rc = draw(&o, g, n, &d);
done:
    for (int k = 0; k < n; k++) {
        rnnc_model_free(g[k].m);
        free(g[k].norm[0]), free(g[k].norm[1]), free(g[k].gnorm);
    }
    free(g), free(dout);
    data_free(&d);
    for (int k = 0; k < o.logs.n; k++)
        free(o.log_v[k]);
    return rc;
}
