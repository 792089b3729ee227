/* A forecaster's training file (docs/forecast.md: a [forecast] section) read, its series read, the
 * model built, trained with progress and evaluated; and a forecaster's model file evaluated (rnnc
 * eval): every metric of the model and of every baseline on the test part, one table. */
#include "cli.h"
#include "tasks.h"

#include <stdio.h>
#include <stdlib.h>

static void print_table(rnnc_forecaster *f, const rnnc_series *s, const rnnc_forecast_metrics *m,
                        const double *scale) {
    const rnnc_forecast_spec *sp = rnnc_forecaster_spec(f);
    const char *const *names;
    int nt;
    rnnc_forecaster_inputs(f, &names, &nt);
    size_t tr, va, te;
    rnnc_series_split(s->T, sp->val_fraction, sp->test_fraction, &tr, &va, &te);
    size_t season = (size_t)sp->season >= 1 && (size_t)sp->season < tr ? (size_t)sp->season : 1;
    printf("test part: rows %zu-%zu of %zu (%zu rows), %zu windows of %d step%s, every row;"
           " %s decoder, lookback %d\n",
           tr + va, s->T - 1, s->T, te, m[0].n / (size_t)sp->horizon, sp->horizon,
           sp->horizon == 1 ? "" : "s", sp->decoder == RNNC_DECODER_DIRECT ? "direct" : "recursive",
           sp->lookback);
    if ((size_t)sp->season != season)
        printf("note: the model's season %d is not shorter than this training part (%zu rows): "
               "seasonal naive and MASE use period 1\n",
               sp->season, tr);
    for (int j = 0; j < nt; j++)
        printf("MASE scale of %s: in-sample seasonal naive MAE (period %zu) on the training part "
               "(rows 0-%zu) = %.6g\n",
               names[j], season, tr - 1, scale[j]);
    printf("%-16s %-15s %12s %12s %9s %9s %8s\n", "target", "method", "MAE", "RMSE", "MAPE%",
           "sMAPE%", "MASE");
    for (int j = 0; j < nt; j++)
        for (int k = 0; k < RNNC_FM_COUNT; k++) {
            const rnnc_forecast_metrics *x = &m[(size_t)k * (size_t)nt + (size_t)j];
            printf("%-16s %-15s %12.5g %12.5g %9.3f %9.3f %8.4f\n", names[j],
                   rnnc_forecast_method_name(k), x->mae, x->rmse, x->mape, x->smape, x->mase);
        }
}

/* A forecaster with intervals: each interval's empirical coverage and MSIS on the test part, and
 * the mean CRPS of a Gaussian head (in original units; without log only). */
static int print_intervals(rnnc_forecaster *f, const rnnc_series *s) {
    const char *const *names;
    int nt;
    rnnc_forecaster_inputs(f, &names, &nt);
    const int ni = rnnc_forecaster_intervals(f, NULL);
    if (ni == 0)
        return CLI_OK;
    rnnc_interval_metrics *im = calloc((size_t)ni * (size_t)nt, sizeof *im);
    double *crps = calloc((size_t)nt, sizeof *crps);
    rnnc_status st =
        im && crps ? rnnc_forecaster_evaluate_intervals(f, s, im, crps) : RNNC_ERR_NOMEM;
    int rc = CLI_OK;
    if (st) {
        rc = cli_fail("eval", st);
    } else {
        printf("prediction intervals of the rnn (%s head) on the same windows; MSIS as M4 "
               "(scaled like MASE):\n",
               rnnc_forecaster_spec(f)->loss == RNNC_FLOSS_GAUSSIAN ? "gaussian" : "quantile");
        printf("%-16s %-9s %9s %12s\n", "target", "interval", "coverage", "MSIS");
        for (int j = 0; j < nt; j++)
            for (int k = 0; k < ni; k++) {
                const rnnc_interval_metrics *x = &im[(size_t)k * (size_t)nt + (size_t)j];
                char lv[24];
                snprintf(lv, sizeof lv, "%g%%", x->level);
                printf("%-16s %-9s %8.1f%% %12.5g\n", names[j], lv, 100 * x->coverage, x->msis);
            }
        for (int j = 0; j < nt; j++)
            if (crps[j] == crps[j])
                printf("CRPS of %s (Gaussian, closed form, original units): %.6g\n", names[j],
                       crps[j]);
    }
    free(im), free(crps);
    return rc;
}

static int evaluate_and_print(rnnc_forecaster *f, const rnnc_series *s) {
    int nt;
    rnnc_forecaster_inputs(f, NULL, &nt);
    rnnc_forecast_metrics *m = calloc((size_t)RNNC_FM_COUNT * (size_t)nt, sizeof *m);
    double *scale = calloc((size_t)nt, sizeof *scale);
    rnnc_status st = m && scale ? rnnc_forecaster_evaluate(f, s, m, scale) : RNNC_ERR_NOMEM;
    int rc = CLI_OK;
    if (st)
        rc = cli_fail("eval", st);
    else
        print_table(f, s, m, scale);
    free(m), free(scale);
    return rc == CLI_OK ? print_intervals(f, s) : rc;
}

int cli_forecast_load(const char *what, const char *model, const char *data, int sort_time,
                      const rnnc_read_limits *lim, rnnc_forecaster **f, rnnc_series **s) {
    *f = NULL, *s = NULL;
    rnnc_status st = rnnc_forecaster_load(model, f);
    if (st)
        return cli_fail(what, st);
    rnnc_series_source src = rnnc_forecaster_source(*f);
    if (data)
        src.path = data;
    if (sort_time)
        src.sort_time = 1;
    if (lim)
        src.limits = *lim;
    int rc = CLI_OK;
    if (!src.path || !src.path[0]) {
        fprintf(stderr, "rnnc %s: %s names no data; give DATA.csv\n", what, model);
        rc = CLI_USAGE;
    } else if (!data && src.path[0] != '/') {
        fprintf(stderr, "rnnc %s: %s names its data '", what, model);
        cli_print_text(stderr, src.path, -1);
        fprintf(stderr, "' relative to the folder it was trained in, which it does not record; "
                        "give DATA.csv\n");
        rc = CLI_USAGE;
    } else if ((st = rnnc_series_read(&src, s))) {
        rc = cli_fail(what, st);
    }
    if (rc != CLI_OK) {
        rnnc_forecaster_free(*f);
        *f = NULL;
    }
    return rc;
}

int cli_eval_forecast(const char *model, const char *data, int sort_time,
                      const rnnc_read_limits *lim) {
    rnnc_forecaster *f;
    rnnc_series *s;
    int rc = cli_forecast_load("eval", model, data, sort_time, lim, &f, &s);
    if (rc != CLI_OK)
        return rc;
    printf("%s on %s: %zu rows\n", model, data ? data : rnnc_forecaster_source(f).path, s->T);
    rc = evaluate_and_print(f, s);
    rnnc_series_free(s);
    rnnc_forecaster_free(f);
    return rc;
}

static void print_setup(const rnnc_forecast_config *fc, rnnc_forecaster *f, const rnnc_series *s) {
    size_t nw[3] = {0, 0, 0}, np;
    for (int p = 0; p < 3; p++)
        rnnc_forecaster_windows(f, s, p, &nw[p]);
    const char *const *names;
    int nt;
    const int ni = rnnc_forecaster_inputs(f, &names, &nt);
    rnnc_model_params(rnnc_forecaster_model(f), &np);
    printf("data: %s, %zu rows x %zu columns (%zu missing values filled); %d input%s, %d "
           "target%s; windows: %zu training, %zu validation, %zu test; season %d\n",
           fc->data, s->T, s->F, s->filled, ni, ni == 1 ? "" : "s", nt, nt == 1 ? "" : "s", nw[0],
           nw[1], nw[2], rnnc_forecaster_spec(f)->season);
    printf("model: %zu parameters; lookback %d, horizon %d; %d epochs, batch %d, %d thread%s\n", np,
           fc->spec.lookback, fc->spec.horizon, fc->run.fit.epochs, fc->run.fit.batch_size,
           rnnc_num_threads(), rnnc_num_threads() == 1 ? "" : "s");
    if (fc->spec.ensemble > 1)
        printf("ensemble: %d models trained one after the other with seeds %llu to %llu (member k "
               ">= 1 in %s/member-k); forecasts are their median\n",
               fc->spec.ensemble, (unsigned long long)fc->run.fit.seed,
               (unsigned long long)fc->run.fit.seed + (unsigned long long)fc->spec.ensemble - 1,
               fc->run.fit.out_dir ? fc->run.fit.out_dir : "the output folder");
    fflush(stdout);
}

/* The series and the new forecaster (adapted when asked); returns an exit code. */
static int build(rnnc_forecast_config *fc, const cli_train_args *a, cli_adapt_model adapt,
                 void *user, rnnc_series **s, rnnc_forecaster **f) {
    rnnc_series_source src = rnnc_series_source_init();
    src.path = fc->data;
    src.time = fc->time[0] ? fc->time : NULL;
    src.columns = fc->columns[0] ? fc->columns : NULL;
    src.categorical = fc->categorical[0] ? fc->categorical : NULL;
    src.missing = fc->missing;
    src.sort_time = fc->sort_time;
    src.limits = fc->limits;
    const rnnc_run_config *tc = &fc->run;
    rnnc_status st;
    if ((st = rnnc_series_read(&src, s)))
        return cli_fail("train", st);
    char abs[4096]; /* the model file names its data from any folder */
    if (cli_absolute_path(fc->data, abs, sizeof abs) != CLI_OK)
        return CLI_FAIL;
    src.path = abs;
    if ((st = rnnc_forecaster_create(&tc->model, &fc->spec, *s, &src, tc->fit.seed, f)))
        return cli_fail(a->path, st);
    return adapt ? adapt(user, rnnc_forecaster_model(*f), &fc->run.fit) : CLI_OK;
}

int cli_train_forecast(const cli_train_args *a, cli_adapt_model adapt, void *user) {
    static rnnc_forecast_config fc;
    rnnc_status st = rnnc_forecast_config_parse(a->file, &fc);
    if (st)
        return cli_fail("train", st);
    rnnc_run_config *tc = &fc.run;
    const char *data[] = {fc.data};
    if (cli_train_prepare(tc, a, data, 1))
        return CLI_USAGE;
    const double t0 = cli_wall();
    rnnc_series *s = NULL;
    rnnc_forecaster *f = NULL;
    int rc = build(&fc, a, adapt, user, &s, &f);
    if (rc == CLI_OK) {
        print_setup(&fc, f, s);
        cli_progress ps;
        rnnc_epoch_report last;
        cli_fit_begin(&ps, CLI_TASK_FORECAST, 1, a, &tc->fit);
        st = rnnc_forecaster_fit(f, s, &tc->fit, &last);
        rc = cli_fit_end(&ps, st, &last, &tc->fit, a->path);
    }
    if (rc == CLI_OK)
        rc = evaluate_and_print(f, s);
    if (rc == CLI_OK)
        printf("total %.1f s\n", cli_wall() - t0);
    rnnc_forecaster_free(f);
    rnnc_series_free(s);
    return rc;
}
