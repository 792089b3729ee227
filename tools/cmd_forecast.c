/* Forecasting in the CLI: `rnnc forecast MODEL [DATA.csv]` (the forecast as CSV with time stamps
 * and an SVG or PNG plot of history, forecast and actuals, drawn by plot_forecast), and the
 * forecasting sides of `rnnc train` (a training file with [forecast]) and `rnnc eval` (a
 * forecaster's model file: every metric of the model and of every baseline on the test part, one
 * table). */
#include "cli.h"
#include "plot.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static const char *usage_text =
    "usage: rnnc forecast MODEL [DATA.csv] [--horizon N] [--at ROW|test] [--out FILE.csv]\n"
    "                     [--plot FILE.svg|FILE.png] [--history N] [--threads N]\n\n"
    "Forecasts N steps of a forecaster's targets from the model file alone (its scaling, columns\n"
    "and how to read the CSV are stored in it). DATA defaults to the training data named in the\n"
    "model file. The forecast starts after the last row of DATA, or at row ROW (0-based; 'test':\n"
    "the first row of the test part), where actual values exist to compare with.\n\n"
    "options:\n"
    "  --horizon N    steps to forecast (default: the model's horizon); beyond it forecasts are\n"
    "                 fed back as inputs (models without covariates only)\n"
    "  --at ROW|test  the first forecast row (default: after the last row)\n"
    "  --out FILE     write the forecast as CSV (time, each target, and <target>_actual where\n"
    "                 known); default: standard output\n"
    "  --plot FILE    a plot of the first target: history, actual values and forecast, as SVG\n"
    "                 (FILE.svg) or PNG (FILE.png, 1920 x 960)\n"
    "  --history N    history rows in the plot (default 4 x horizon, at least 48)\n"
    "  --threads N    threads for the math (default: every core)\n";

static int has_suffix(const char *s, const char *suf) {
    size_t n = strlen(s), k = strlen(suf);
    return n >= k && !strcasecmp(s + n - k, suf);
}

/* ---- the metrics table ---- */

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
    return rc;
}

static rnnc_status read_data(rnnc_forecaster *f, const char *data, rnnc_series **s) {
    rnnc_series_source src = rnnc_forecaster_source(f);
    if (data)
        src.path = data;
    if (!src.path || !src.path[0])
        return RNNC_ERR_ARG;
    return rnnc_series_read(&src, s);
}

int cli_eval_forecast(const char *model, const char *data) {
    rnnc_forecaster *f = NULL;
    rnnc_series *s = NULL;
    rnnc_status st = rnnc_forecaster_load(model, &f);
    if (st)
        return cli_fail("eval", st);
    if ((st = read_data(f, data, &s))) {
        rnnc_forecaster_free(f);
        if (st == RNNC_ERR_ARG) {
            fprintf(stderr, "rnnc eval: %s names no data; give DATA.csv\n", model);
            return CLI_USAGE;
        }
        return cli_fail("eval", st);
    }
    printf("%s on %s: %zu rows\n", model, data ? data : rnnc_forecaster_source(f).path, s->T);
    int rc = evaluate_and_print(f, s);
    rnnc_series_free(s);
    rnnc_forecaster_free(f);
    return rc;
}

/* ---- training ---- */

static void on_epoch(const rnnc_epoch_report *r, void *user) {
    (void)user;
    printf("epoch %d/%d  loss %.5f", r->epoch, r->epochs, r->loss);
    if (!isnan(r->val_loss))
        printf("  val_loss %.5f", r->val_loss);
    printf("  lr %.3g  %.1f s%s%s\n", r->lr, r->seconds, r->improved ? "  *" : "",
           r->stop ? "  (early stop)" : "");
    fflush(stdout);
}

static double wall(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int cli_train_forecast(const char *path, const char *const *sets, int n_sets, long threads,
                       int quiet, const char *resume, cli_adapt_model adapt, void *user) {
    (void)quiet;
    static rnnc_forecast_config fc;
    rnnc_status st = rnnc_forecast_config_read(path, sets, n_sets, &fc);
    if (st)
        return cli_fail("train", st);
    rnnc_train_config *tc = &fc.train;
    if (cli_train_prepare(tc, path, resume, threads))
        return CLI_USAGE;
    const double t0 = wall();
    rnnc_series_source src = rnnc_series_source_init();
    src.path = fc.data;
    src.time = fc.time[0] ? fc.time : NULL;
    src.columns = fc.columns[0] ? fc.columns : NULL;
    src.categorical = fc.categorical[0] ? fc.categorical : NULL;
    src.missing = fc.missing;
    rnnc_series *s = NULL;
    rnnc_forecaster *f = NULL;
    int rc = CLI_OK;
    if ((st = rnnc_series_read(&src, &s))) {
        rc = cli_fail("train", st);
        goto done;
    }
    if ((st = rnnc_forecaster_create(&tc->model, &fc.spec, s, &src, tc->fit.seed, &f))) {
        rc = cli_fail(path, st);
        goto done;
    }
    if (adapt && (rc = adapt(user, rnnc_forecaster_model(f), &tc->fit)) != CLI_OK)
        goto done;
    size_t nw[3] = {0, 0, 0}, np;
    for (int p = 0; p < 3; p++)
        rnnc_forecaster_windows(f, s, p, &nw[p]);
    const char *const *names;
    int nt;
    const int ni = rnnc_forecaster_inputs(f, &names, &nt);
    rnnc_model_params(rnnc_forecaster_model(f), &np);
    printf("data: %s, %zu rows x %zu columns (%zu missing values filled); %d input%s, %d "
           "target%s; windows: %zu training, %zu validation, %zu test; season %d\n",
           fc.data, s->T, s->F, s->filled, ni, ni == 1 ? "" : "s", nt, nt == 1 ? "" : "s", nw[0],
           nw[1], nw[2], rnnc_forecaster_spec(f)->season);
    printf("model: %zu parameters; lookback %d, horizon %d; %d epochs, batch %d, %d thread%s\n", np,
           fc.spec.lookback, fc.spec.horizon, tc->fit.epochs, tc->fit.batch_size,
           rnnc_get_num_threads(), rnnc_get_num_threads() == 1 ? "" : "s");
    fflush(stdout);
    tc->fit.on_epoch = on_epoch;
    cli_catch_stop_signals(&tc->fit);
    rnnc_epoch_report last;
    st = rnnc_forecaster_fit(f, s, &tc->fit, &last);
    cli_release_stop_signals();
    if (st) {
        rc = cli_fail("train", st);
        goto done;
    }
    if (last.interrupted) {
        rc = cli_report_stop(&last, &tc->fit, path);
        goto done;
    }
    if (tc->fit.out_dir)
        printf("saved %s/model.safetensors\n", tc->fit.out_dir);
    rc = evaluate_and_print(f, s);
    printf("total %.1f s\n", wall() - t0);
done:
    rnnc_forecaster_free(f);
    rnnc_series_free(s);
    return rc;
}

/* ---- rnnc forecast ---- */

/* The last folder and the file name of a path ("runs/x/model.safetensors" -> "x/model..."). */
static const char *short_name(const char *path) {
    const char *a = NULL, *b = NULL;
    for (const char *q = path; *q; q++)
        if (*q == '/')
            a = b, b = q;
    return a ? a + 1 : path;
}

int cmd_forecast(int argc, char **argv) {
    const char *model = NULL, *data = NULL, *out = NULL, *plot = NULL, *at_s = NULL;
    long horizon = 0, history = 0, threads = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        int r;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("%s", usage_text);
            return CLI_OK;
        }
        if ((r = cli_opt("--horizon", argc, argv, &i, &v))) {
            if (r < 0 || cli_int("--horizon", v, 1, 100000, &horizon))
                return CLI_USAGE;
        } else if ((r = cli_opt("--history", argc, argv, &i, &v))) {
            if (r < 0 || cli_int("--history", v, 1, 10000000, &history))
                return CLI_USAGE;
        } else if ((r = cli_opt("--threads", argc, argv, &i, &v))) {
            if (r < 0 || cli_int("--threads", v, 0, 1024, &threads))
                return CLI_USAGE;
        } else if ((r = cli_opt("--at", argc, argv, &i, &v))) {
            if (r < 0)
                return CLI_USAGE;
            at_s = v;
        } else if ((r = cli_opt("--out", argc, argv, &i, &v))) {
            if (r < 0)
                return CLI_USAGE;
            out = v;
        } else if ((r = cli_opt("--plot", argc, argv, &i, &v))) {
            if (r < 0)
                return CLI_USAGE;
            plot = v;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "rnnc forecast: unknown option '%s' (see --help)\n", argv[i]);
            return CLI_USAGE;
        } else if (!model) {
            model = argv[i];
        } else if (!data) {
            data = argv[i];
        } else {
            fprintf(stderr, "rnnc forecast: too many arguments ('%s')\n", argv[i]);
            return CLI_USAGE;
        }
    }
    if (!model) {
        fprintf(stderr, "%s", usage_text);
        return CLI_USAGE;
    }
    if (plot && !has_suffix(plot, ".svg") && !has_suffix(plot, ".png")) {
        fprintf(stderr,
                "rnnc forecast: --plot %s: the plot is written as SVG or PNG; name it .svg or "
                ".png\n",
                plot);
        return CLI_USAGE;
    }
    rnnc_set_num_threads((int)threads);
    rnnc_forecaster *f = NULL;
    rnnc_series *s = NULL;
    rnnc_status st = rnnc_forecaster_load(model, &f);
    if (st)
        return cli_fail("forecast", st);
    if ((st = read_data(f, data, &s))) {
        rnnc_forecaster_free(f);
        if (st == RNNC_ERR_ARG) {
            fprintf(stderr, "rnnc forecast: %s names no data; give DATA.csv\n", model);
            return CLI_USAGE;
        }
        return cli_fail("forecast", st);
    }
    const rnnc_forecast_spec *sp = rnnc_forecaster_spec(f);
    const size_t H = horizon ? (size_t)horizon : (size_t)sp->horizon;
    size_t at = s->T;
    int rc = CLI_OK;
    if (at_s && !strcmp(at_s, "test")) {
        size_t tr, va, te;
        rnnc_series_split(s->T, sp->val_fraction, sp->test_fraction, &tr, &va, &te);
        at = tr + va;
    } else if (at_s) {
        long a;
        if (cli_int("--at", at_s, 0, (long)s->T, &a)) {
            rc = CLI_USAGE;
            goto done;
        }
        at = (size_t)a;
    }
    const char *const *names;
    int nt;
    rnnc_forecaster_inputs(f, &names, &nt);
    double *pred = calloc(H * (size_t)nt, sizeof *pred);
    if (!pred || (st = rnnc_forecaster_predict(f, s, at, H, pred))) {
        rc = pred ? cli_fail("forecast", st) : CLI_FAIL;
        free(pred);
        goto done;
    }
    /* time stamps of the forecast rows: read, or after the last row */
    char **stamp = calloc(H, sizeof *stamp);
    for (size_t h = 0; stamp && h < H; h++) {
        char b[64];
        if (at + h < s->T)
            snprintf(b, sizeof b, "%s", s->time ? s->time[at + h] : "");
        else if (rnnc_series_time_after(s, at + h - s->T + 1, b, sizeof b))
            b[0] = 0;
        if (!s->time && at + h < s->T)
            snprintf(b, sizeof b, "%zu", at + h);
        stamp[h] = strdup(b);
    }
    int cols[RNNC_SERIES_MAX_FEATURES];
    for (int j = 0; j < nt; j++)
        cols[j] = rnnc_series_column(s, names[j]);
    rnnc_atomic_file *of = NULL; /* --out: written atomically */
    FILE *o = stdout;
    if (out) {
        if (rnnc_atomic_open(out, &of) != RNNC_OK) {
            fprintf(stderr, "rnnc forecast: %s\n", rnnc_last_error());
            rc = CLI_FAIL;
            goto freeall;
        }
        o = rnnc_atomic_stream(of);
    }
    fprintf(o, "time");
    for (int j = 0; j < nt; j++)
        fprintf(o, ",%s", names[j]);
    const int have_act = at < s->T;
    for (int j = 0; have_act && j < nt; j++)
        fprintf(o, ",%s_actual", names[j]);
    fprintf(o, "\n");
    for (size_t h = 0; h < H; h++) {
        fprintf(o, "%s", stamp && stamp[h] ? stamp[h] : "");
        for (int j = 0; j < nt; j++)
            fprintf(o, ",%.9g", pred[h * (size_t)nt + (size_t)j]);
        for (int j = 0; have_act && j < nt; j++) {
            if (at + h < s->T)
                fprintf(o, ",%.9g", s->x[(at + h) * s->F + (size_t)cols[j]]);
            else
                fprintf(o, ",");
        }
        fprintf(o, "\n");
    }
    if (out && rnnc_atomic_commit(of) != RNNC_OK) {
        fprintf(stderr, "rnnc forecast: %s\n", rnnc_last_error());
        rc = CLI_FAIL;
    }
    if (rc == CLI_OK && plot) {
        size_t hist = history ? (size_t)history : (4 * H > 48 ? 4 * H : 48);
        if (hist > at)
            hist = at;
        const size_t n = hist + H, first = at - hist;
        double *hv = malloc(n * sizeof *hv), *av = malloc(n * sizeof *av),
               *fv = malloc(n * sizeof *fv);
        char **lab = calloc(n, sizeof *lab);
        if (!hv || !av || !fv || !lab) {
            rc = CLI_FAIL;
        } else {
            for (size_t i = 0; i < n; i++) {
                const size_t row = first + i;
                hv[i] = i < hist ? s->x[row * s->F + (size_t)cols[0]] : NAN;
                av[i] = i >= hist && row < s->T ? s->x[row * s->F + (size_t)cols[0]] : NAN;
                fv[i] = i >= hist ? pred[(i - hist) * (size_t)nt] : NAN;
                char b[64];
                if (i >= hist)
                    snprintf(b, sizeof b, "%s", stamp && stamp[i - hist] ? stamp[i - hist] : "");
                else if (s->time)
                    snprintf(b, sizeof b, "%s", s->time[row]);
                else
                    snprintf(b, sizeof b, "%zu", row);
                lab[i] = strdup(b);
            }
            if (hist) /* join the forecast to the last observed value */
                fv[hist - 1] = hv[hist - 1];
            for (size_t i = 0; i < n; i++)
                if (!lab[i])
                    lab[i] = strdup("");
            char title[512];
            snprintf(title, sizeof title, "%s: %zu-step forecast of %s from %s (%s)",
                     short_name(model), H, names[0], stamp && stamp[0] ? stamp[0] : "",
                     sp->decoder == RNNC_DECODER_DIRECT ? "direct" : "recursive");
            const plot_forecast_spec pd = {title, names[0], n,  (const char *const *)lab,
                                           hv,    av,       fv, hist ? hist - 1 : 0};
            if ((st = plot_forecast(plot, &pd)))
                rc = cli_fail("forecast", st);
        }
        for (size_t i = 0; lab && i < n; i++)
            free(lab[i]);
        free(hv), free(av), free(fv), free(lab);
    }
freeall:
    for (size_t h = 0; stamp && h < H; h++)
        free(stamp[h]);
    free(stamp), free(pred);
done:
    rnnc_series_free(s);
    rnnc_forecaster_free(f);
    return rc;
}
