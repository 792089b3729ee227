/* A training file on arrays (docs/arrays.md: [data] format = npz | safetensors) read, its arrays
 * read and split, the model built with its head, trained with progress and scored; and a model
 * file of the arrays task scored (rnnc eval) or run (rnnc predict) on an array file. */
#include "cli.h"
#include "tasks.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "regression of 2 outputs", "3 classes", "per-step labels of 3 classes" */
static const char *target_text(enum rnnc_target_kind t, int outputs, char *buf, size_t cap) {
    if (t == RNNC_TARGET_REGRESSION)
        snprintf(buf, cap, "regression of %d output%s", outputs, outputs == 1 ? "" : "s");
    else
        snprintf(buf, cap, "%s%d classes", t == RNNC_TARGET_STEPS ? "per-step labels of " : "",
                 outputs);
    return buf;
}

static void print_scores(const rnnc_arrays_scores *s, enum rnnc_target_kind target) {
    if (target == RNNC_TARGET_REGRESSION) {
        printf("loss (mse) %.6g  mae %.6g  rmse %.6g  r2 %.4f\n", s->loss, s->mae, s->rmse, s->r2);
        return;
    }
    printf("loss %.4f  accuracy %.4f  precision %.4f  recall %.4f  f1 %.4f", s->loss,
           s->metrics.accuracy, s->metrics.precision, s->metrics.recall, s->metrics.f1);
    if (!isnan(s->metrics.auc))
        printf("  auc %.4f", s->metrics.auc);
    if (target == RNNC_TARGET_STEPS)
        printf("  (%zu steps)", s->n);
    printf("\n");
}

static int score(const char *cmd, rnnc_model *m, const rnnc_arrays *a, const char *name) {
    rnnc_arrays_scores s;
    const rnnc_status st = rnnc_arrays_evaluate(m, a, 256, &s);
    if (st)
        return cli_fail(cmd, st);
    printf("%s: %zu sequences  ", name, a->n);
    print_scores(&s, a->target);
    return CLI_OK;
}

/* The arrays of one more file, read as the training file was (its names, target, classes). */
static int read_more(const rnnc_arrays_config *c, const char *path, const rnnc_arrays *like,
                     rnnc_arrays_file **out) {
    rnnc_arrays_source s = c->source;
    s.path = path;
    s.target = like->target;
    s.classes = like->target == RNNC_TARGET_REGRESSION ? 0 : like->outputs;
    rnnc_status st = rnnc_arrays_read(&s, out);
    if (st)
        return cli_fail("train", st);
    return CLI_OK;
}

int cli_train_arrays(const cli_train_args *a) {
    static rnnc_arrays_config c;
    rnnc_status st = rnnc_arrays_config_parse(a->file, &c);
    if (st)
        return cli_fail("train", st);
    rnnc_run_config *tc = &c.run;
    const char *data[] = {c.train, c.validation, c.test};
    if (cli_train_prepare(tc, a, data, 3))
        return CLI_USAGE;
    const double t0 = cli_wall();
    rnnc_arrays_file *ftrain = NULL, *fval = NULL, *ftest = NULL;
    rnnc_model *m = NULL;
    int rc = CLI_OK;
    if ((st = rnnc_arrays_read(&c.source, &ftrain)))
        rc = cli_fail("train", st);
    const rnnc_arrays *all = rc == CLI_OK ? rnnc_arrays_file_data(ftrain) : NULL;
    rnnc_arrays train, val, test;
    int has_val = 0, has_test = 0;
    if (rc == CLI_OK) {
        /* the last rows, as Keras's validation_split: the test part first, then validation */
        const size_t n = all->n;
        const size_t nt = (size_t)floor(c.test_split * (double)n);
        const size_t nv = (size_t)floor(c.validation_split * (double)(n - nt));
        if ((c.test_split > 0 && nt == 0) || (c.validation_split > 0 && nv == 0) ||
            n - nt - nv < 1) {
            fprintf(stderr,
                    "rnnc train: %s: %zu sequences leave no room for test_split %g and "
                    "validation_split %g (each part needs a sequence)\n",
                    c.train, n, c.test_split, c.validation_split);
            rc = CLI_USAGE;
        } else {
            rnnc_arrays_slice(all, 0, n - nt - nv, &train);
            if (nv)
                rnnc_arrays_slice(all, n - nt - nv, nv, &val), has_val = 1;
            if (nt)
                rnnc_arrays_slice(all, n - nt, nt, &test), has_test = 1;
        }
    }
    if (rc == CLI_OK && c.validation[0] && (rc = read_more(&c, c.validation, all, &fval)) == CLI_OK)
        val = *rnnc_arrays_file_data(fval), has_val = 1;
    if (rc == CLI_OK && c.test[0] && (rc = read_more(&c, c.test, all, &ftest)) == CLI_OK)
        test = *rnnc_arrays_file_data(ftest), has_test = 1;
    if (rc == CLI_OK) { /* the model: its layers, the data's input size, a dense head */
        rnnc_config mc = tc->model;
        if (mc.input_size == 0 || mc.layers[0].kind != RNNC_LAYER_EMBEDDING)
            mc.input_size = all->F;
        if (mc.n_layers >= RNNC_MAX_LAYERS) {
            fprintf(stderr, "rnnc train: %s: no room for the head layer (at most %d layers)\n",
                    a->path, RNNC_MAX_LAYERS - 1);
            rc = CLI_USAGE;
        } else {
            rnnc_layer_spec *h = &mc.layers[mc.n_layers++];
            *h = rnnc_layer_spec_init(RNNC_LAYER_DENSE);
            snprintf(h->name, sizeof h->name, "head");
            h->units = all->outputs;
            h->activation = RNNC_ACT_LINEAR;
            if ((st = rnnc_model_create(&mc, tc->fit.seed, &m)))
                rc = cli_fail(a->path, st);
        }
    }
    if (rc == CLI_OK) {
        size_t np;
        rnnc_model_params(m, &np);
        char tt[64];
        printf("data: %s, %zu sequences of %d steps x %d %s; %s; %zu training, %zu validation, %zu "
               "test\n",
               c.train, all->n, all->T, all->F ? all->F : 1, all->F ? "features" : "id",
               target_text(all->target, all->outputs, tt, sizeof tt), train.n, has_val ? val.n : 0,
               has_test ? test.n : 0);
        printf("model: %zu parameters; %d epochs, batch %d, %d thread%s\n", np, tc->fit.epochs,
               tc->fit.batch_size, rnnc_num_threads(), rnnc_num_threads() == 1 ? "" : "s");
        fflush(stdout);
        cli_progress ps;
        rnnc_epoch_report last;
        cli_fit_begin(
            &ps, all->target == RNNC_TARGET_REGRESSION ? CLI_TASK_REGRESSION : CLI_TASK_CLASSIFY, 1,
            a, &tc->fit);
        st = rnnc_fit_arrays(m, &train, has_val ? &val : NULL, &tc->fit, &last);
        rc = cli_fit_end(&ps, st, &last, &tc->fit, a->path);
    }
    if (rc == CLI_OK && has_test)
        rc = score("train", m, &test, "test");
    else if (rc == CLI_OK && has_val)
        rc = score("train", m, &val, "validation");
    if (rc == CLI_OK)
        printf("total %.1f s\n", cli_wall() - t0);
    rnnc_model_free(m);
    rnnc_arrays_file_free(ftrain), rnnc_arrays_file_free(fval), rnnc_arrays_file_free(ftest);
    return rc;
}

/* The model and the arrays of data read for it (targets optional when predicting). */
static int load(const char *cmd, const char *model, const char *data, int predict, rnnc_model **m,
                rnnc_arrays_info *info, rnnc_arrays_file **f) {
    *m = NULL, *f = NULL;
    rnnc_status st = rnnc_arrays_load(model, m, info);
    if (st)
        return cli_fail(cmd, st);
    if (!data) {
        fprintf(stderr, "rnnc %s: %s is a model on arrays; give DATA (.npz or .safetensors)\n", cmd,
                model);
        rnnc_model_free(*m);
        *m = NULL;
        return CLI_USAGE;
    }
    rnnc_arrays_source s = rnnc_arrays_source_init();
    s.path = data;
    s.target = info->target;
    s.classes = info->target == RNNC_TARGET_REGRESSION ? 0 : info->outputs;
    s.no_target = predict;
    st = rnnc_arrays_read(&s, f);
    const rnnc_arrays *a = st ? NULL : rnnc_arrays_file_data(*f);
    if (!st && (a->F != info->F || (a->y && a->outputs != info->outputs)))
        st = rnnc_error(RNNC_ERR_FORMAT,
                        "%s: the arrays (%d features, %d outputs) do not fit %s (%d features, %d "
                        "outputs)",
                        data, a->F, a->outputs, model, info->F, info->outputs);
    if (st) {
        rnnc_model_free(*m), rnnc_arrays_file_free(*f);
        *m = NULL, *f = NULL;
        return cli_fail(cmd, st);
    }
    return CLI_OK;
}

int cli_eval_arrays(const char *model, const char *data) {
    rnnc_model *m;
    rnnc_arrays_info info;
    rnnc_arrays_file *f;
    int rc = load("eval", model, data, 0, &m, &info, &f);
    if (rc != CLI_OK)
        return rc;
    const rnnc_arrays *a = rnnc_arrays_file_data(f);
    char tt[64];
    printf("%s on %s: %s\n", model, data, target_text(info.target, info.outputs, tt, sizeof tt));
    rc = score("eval", m, a, "data");
    rnnc_model_free(m);
    rnnc_arrays_file_free(f);
    return rc;
}

int cli_predict_arrays(const char *model, const char *data) {
    rnnc_model *m;
    rnnc_arrays_info info;
    rnnc_arrays_file *f;
    int rc = load("predict", model, data, 1, &m, &info, &f);
    if (rc != CLI_OK)
        return rc;
    rnnc_arrays a = *rnnc_arrays_file_data(f);
    a.target = info.target, a.outputs = info.outputs;
    const size_t C = (size_t)info.outputs, T = (size_t)a.T;
    const size_t per = info.target == RNNC_TARGET_STEPS ? T * C : C;
    float *out = malloc(a.n * per * sizeof *out);
    rnnc_status st = out ? rnnc_arrays_predict(m, &a, 256, out) : RNNC_ERR_NOMEM;
    if (st) {
        rc = out ? cli_fail("predict", st) : cli_out_of_memory("predict");
    } else {
        const int steps = info.target == RNNC_TARGET_STEPS,
                  reg = info.target == RNNC_TARGET_REGRESSION;
        printf("row%s%s", steps ? ",step" : "", reg ? "" : ",label");
        for (size_t k = 0; k < C; k++)
            printf(reg ? ",y%zu" : ",p%zu", k);
        printf("\n");
        for (size_t i = 0; i < a.n; i++) {
            const size_t len = a.lengths ? (size_t)a.lengths[i] : T;
            for (size_t t = 0; t < (steps ? len : 1); t++) {
                const float *p = out + i * per + t * C;
                size_t best = 0;
                for (size_t k = 1; k < C; k++)
                    best = p[k] > p[best] ? k : best;
                printf("%zu", i);
                if (steps)
                    printf(",%zu", t);
                if (!reg)
                    printf(",%zu", best);
                for (size_t k = 0; k < C; k++)
                    printf(",%.9g", (double)p[k]);
                printf("\n");
            }
        }
    }
    free(out);
    rnnc_model_free(m);
    rnnc_arrays_file_free(f);
    return rc;
}
