/* rnnc forecast MODEL [DATA.csv]: a forecaster's forecast as CSV with time stamps, and an SVG or
 * PNG plot of history, forecast and actuals (drawn by plot_forecast). */
#include "cli.h"
#include "outputs.h"
#include "plot.h"
#include "tasks.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char about[] =
    "Forecasts N steps of a forecaster's targets from the model file alone (its scaling, columns\n"
    "and how to read the CSV are stored in it). DATA defaults to the training data named in the\n"
    "model file. The forecast starts after the last row of DATA, or at row ROW (0-based; 'test':\n"
    "the first row of the test part), where actual values exist to compare with.\n";

typedef struct forecast_opts {
    const char *model, *data, *out, *plot, *at;
    long horizon, history, threads;
    int force, sort_time;
} forecast_opts;

/* One forecast: the model, its series, and H rows of predictions from row at. */
typedef struct forecast_run {
    rnnc_forecaster *f;
    rnnc_series *s;
    const char *const *names; /* the targets */
    int nt;
    int cols[RNNC_SERIES_MAX_FEATURES]; /* their columns in s */
    size_t at, H;
    double *pred;                               /* (H, nt) */
    int ni;                                     /* intervals (0: a point forecaster) */
    double levels[RNNC_FORECAST_MAX_INTERVALS]; /* their levels, percent, ascending */
    double *lo, *hi;                            /* (H, nt, ni) */
    char **stamp;                               /* (H) time stamps of the forecast rows */
} forecast_run;

static void run_free(forecast_run *r) {
    for (size_t h = 0; r->stamp && h < r->H; h++)
        free(r->stamp[h]);
    free(r->stamp), free(r->pred), free(r->lo), free(r->hi);
    rnnc_series_free(r->s);
    rnnc_forecaster_free(r->f);
}

static int has_suffix(const char *s, const char *suf) {
    size_t n = strlen(s), k = strlen(suf);
    return n >= k && !strcasecmp(s + n - k, suf);
}

/* The last folder and the file name of a path ("runs/x/model.safetensors" -> "x/model..."). */
static const char *short_name(const char *path) {
    const char *a = NULL, *b = NULL;
    for (const char *q = path; *q; q++)
        if (*q == '/')
            a = b, b = q;
    return a ? a + 1 : path;
}

/* The first forecast row: after the last row, the test part's first ("test") or a row number. */
static int origin(const forecast_opts *o, forecast_run *r) {
    const rnnc_series *s = r->s;
    r->at = s->T;
    if (o->at && !strcmp(o->at, "test")) {
        const rnnc_forecast_spec *sp = rnnc_forecaster_spec(r->f);
        size_t tr, va, te;
        rnnc_series_split(s->T, sp->val_fraction, sp->test_fraction, &tr, &va, &te);
        r->at = tr + va;
    } else if (o->at) {
        long a;
        if (cli_int("--at", o->at, 0, (long)s->T, &a))
            return CLI_USAGE;
        r->at = (size_t)a;
    }
    return CLI_OK;
}

/* The predictions, the targets' columns and the forecast rows' time stamps (read where the rows
 * exist, else after the last row). */
static int predict(forecast_run *r) {
    const rnnc_series *s = r->s;
    rnnc_forecaster_inputs(r->f, &r->names, &r->nt);
    for (int j = 0; j < r->nt; j++)
        r->cols[j] = rnnc_series_column(s, r->names[j]);
    r->pred = calloc(r->H * (size_t)r->nt, sizeof *r->pred);
    r->stamp = calloc(r->H, sizeof *r->stamp);
    if (!r->pred || !r->stamp)
        return cli_out_of_memory("forecast");
    r->ni = rnnc_forecaster_intervals(r->f, r->levels);
    const size_t nb = r->H * (size_t)r->nt * (size_t)(r->ni ? r->ni : 1);
    if (r->ni && (!(r->lo = calloc(nb, sizeof *r->lo)) || !(r->hi = calloc(nb, sizeof *r->hi))))
        return cli_out_of_memory("forecast");
    rnnc_status st =
        r->ni ? rnnc_forecaster_predict_intervals(r->f, s, r->at, r->H, r->pred, r->lo, r->hi)
              : rnnc_forecaster_predict(r->f, s, r->at, r->H, r->pred);
    if (st)
        return cli_fail("forecast", st);
    for (size_t h = 0, row = r->at; h < r->H; h++, row++) {
        char b[64];
        if (row < s->T && s->time)
            snprintf(b, sizeof b, "%s", s->time[row]);
        else if (row < s->T)
            snprintf(b, sizeof b, "%zu", row);
        else if (rnnc_series_time_after(s, row - s->T + 1, b, sizeof b))
            b[0] = 0;
        if (!(r->stamp[h] = strdup(b)))
            return cli_out_of_memory("forecast");
    }
    return CLI_OK;
}

/* The forecast as CSV: time, each target, <target>_lo<level> and <target>_hi<level> for each
 * interval, and <target>_actual where the rows exist. */
static void write_csv(const forecast_run *r, FILE *o) {
    const rnnc_series *s = r->s;
    const int have_act = r->at < s->T;
    fprintf(o, "time");
    for (int j = 0; j < r->nt; j++)
        fprintf(o, ",%s", r->names[j]);
    for (int j = 0; j < r->nt; j++)
        for (int k = 0; k < r->ni; k++)
            fprintf(o, ",%s_lo%g,%s_hi%g", r->names[j], r->levels[k], r->names[j], r->levels[k]);
    for (int j = 0; have_act && j < r->nt; j++)
        fprintf(o, ",%s_actual", r->names[j]);
    fprintf(o, "\n");
    for (size_t h = 0, row = r->at; h < r->H; h++, row++) {
        fprintf(o, "%s", r->stamp[h]);
        for (int j = 0; j < r->nt; j++)
            fprintf(o, ",%.9g", r->pred[h * (size_t)r->nt + (size_t)j]);
        for (int j = 0; j < r->nt; j++)
            for (int k = 0; k < r->ni; k++) {
                const size_t at = (h * (size_t)r->nt + (size_t)j) * (size_t)r->ni + (size_t)k;
                fprintf(o, ",%.9g,%.9g", r->lo[at], r->hi[at]);
            }
        for (int j = 0; have_act && j < r->nt; j++) {
            if (row < s->T)
                fprintf(o, ",%.9g", s->x[row * s->F + (size_t)r->cols[j]]);
            else
                fprintf(o, ",");
        }
        fprintf(o, "\n");
    }
}

/* To standard output, or to the file (written atomically). */
static int output(const forecast_run *r, const char *out) {
    if (!out) {
        write_csv(r, stdout);
        return CLI_OK;
    }
    rnnc_atomic_file *of = NULL;
    if (rnnc_atomic_open(out, &of) == RNNC_OK) {
        write_csv(r, rnnc_atomic_stream(of));
        if (rnnc_atomic_commit(of) == RNNC_OK)
            return CLI_OK;
    }
    fprintf(stderr, "rnnc forecast: %s\n", rnnc_last_error());
    return CLI_FAIL;
}

/* The plot of the first target: hist rows of history, then the actual values and the forecast,
 * joined to the last observed value. */
static int plot(const forecast_run *r, const forecast_opts *o) {
    const rnnc_series *s = r->s;
    const size_t H = r->H, c0 = (size_t)r->cols[0];
    size_t hist = o->history ? (size_t)o->history : (4 * H > 48 ? 4 * H : 48);
    hist = hist > r->at ? r->at : hist;
    const size_t n = hist + H, first = r->at - hist;
    double *hv = malloc(n * sizeof *hv), *av = malloc(n * sizeof *av), *fv = malloc(n * sizeof *fv);
    const int nband = r->ni < PLOT_BANDS_MAX ? r->ni : PLOT_BANDS_MAX;
    double *bl = malloc(n * PLOT_BANDS_MAX * sizeof *bl),
           *bh = malloc(n * PLOT_BANDS_MAX * sizeof *bh);
    char **lab = calloc(n, sizeof *lab);
    int rc = hv && av && fv && lab && bl && bh ? CLI_OK : cli_out_of_memory("forecast");
    for (size_t i = 0; rc == CLI_OK && i < n; i++) {
        const size_t row = first + i;
        hv[i] = i < hist ? s->x[row * s->F + c0] : NAN;
        av[i] = i >= hist && row < s->T ? s->x[row * s->F + c0] : NAN;
        fv[i] = i >= hist ? r->pred[(i - hist) * (size_t)r->nt] : NAN;
        /* the widest intervals of the first target, drawn as bands (band 0 the widest) */
        for (int k = 0; k < nband; k++) {
            const size_t at = (i - hist) * (size_t)r->nt * (size_t)r->ni + (size_t)(r->ni - 1 - k);
            bl[(size_t)k * n + i] = i >= hist ? r->lo[at] : NAN;
            bh[(size_t)k * n + i] = i >= hist ? r->hi[at] : NAN;
        }
        char b[64];
        if (i >= hist)
            snprintf(b, sizeof b, "%s", r->stamp[i - hist]);
        else if (s->time)
            snprintf(b, sizeof b, "%s", s->time[row]);
        else
            snprintf(b, sizeof b, "%zu", row);
        if (!(lab[i] = strdup(b)))
            rc = cli_out_of_memory("forecast");
    }
    if (rc == CLI_OK) {
        if (hist)
            fv[hist - 1] = hv[hist - 1];
        char title[512];
        snprintf(title, sizeof title, "%s: %zu-step forecast of %s from %s (%s)",
                 short_name(o->model), H, r->names[0], r->stamp[0],
                 rnnc_forecaster_spec(r->f)->decoder == RNNC_DECODER_DIRECT ? "direct"
                                                                            : "recursive");
        plot_forecast_spec pd;
        memset(&pd, 0, sizeof pd);
        pd.title = title, pd.ylabel = r->names[0], pd.n = n, pd.labels = (const char *const *)lab;
        pd.history = hv, pd.actual = av, pd.forecast = fv, pd.origin = hist ? hist - 1 : 0;
        pd.n_bands = nband;
        for (int k = 0; k < nband; k++)
            pd.band_lo[k] = bl + (size_t)k * n, pd.band_hi[k] = bh + (size_t)k * n,
            pd.band_level[k] = r->levels[r->ni - 1 - k];
        rnnc_status st = plot_forecast(o->plot, &pd);
        if (st)
            rc = cli_fail("forecast", st);
    }
    for (size_t i = 0; lab && i < n; i++)
        free(lab[i]);
    free(hv), free(av), free(fv), free(lab), free(bl), free(bh);
    return rc;
}

/* --out and --plot: neither is the model or the data, nor each other, and an existing file is
 * replaced only when it is a forecast CSV or a plot of its format (or with --force). */
static int outputs_checked(const forecast_opts *o, const rnnc_forecaster *f) {
    const char *in[] = {o->model, o->data ? o->data : rnnc_forecaster_source(f).path};
    const char *out[] = {o->out, o->plot};
    int rc = cli_outputs_apart("forecast", out, 2, in, 2);
    static const char *const csv[] = {"time,"};
    static const int csv_len[] = {5};
    if (rc == CLI_OK && o->out)
        rc = cli_output_kind("forecast", o->out, "a forecast CSV", csv, csv_len, 1, o->force);
    static const char *const svg[] = {"<svg", "<?xml"}, *const png[] = {"\x89PNG\r\n\x1a\n"};
    static const int svg_len[] = {4, 5}, png_len[] = {8};
    if (rc == CLI_OK && o->plot)
        rc = has_suffix(o->plot, ".svg")
                 ? cli_output_kind("forecast", o->plot, "an SVG file", svg, svg_len, 2, o->force)
                 : cli_output_kind("forecast", o->plot, "a PNG file", png, png_len, 1, o->force);
    return rc;
}

int cmd_forecast(int argc, char **argv) {
    forecast_opts o = {NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0};
    const cli_option opts[] = {
        {"--horizon", CLI_INT, &o.horizon, "N",
         "steps to forecast (default: the model's horizon); beyond it forecasts are\n"
         "fed back as inputs (models without covariates only)",
         1, 100000, NULL},
        {"--at", CLI_STRING, &o.at, "ROW|test",
         "the first forecast row (default: after the last row)", 0, 0, NULL},
        {"--out", CLI_STRING, &o.out, "FILE",
         "write the forecast as CSV (time, each target, <target>_lo80/_hi80 ... for a\n"
         "model with intervals, and <target>_actual where known); default: standard output",
         0, 0, NULL},
        {"--plot", CLI_STRING, &o.plot, "FILE.svg|FILE.png",
         "a plot of the first target: history, actual values and forecast (with its\n"
         "intervals as bands), as SVG\n"
         "(FILE.svg) or PNG (FILE.png, 1920 x 960)",
         0, 0, NULL},
        {"--history", CLI_INT, &o.history, "N",
         "history rows in the plot (default 4 x horizon, at least 48)", 1, 10000000, NULL},
        {"--threads", CLI_INT, &o.threads, "N", "threads for the math (default: every core)", 0,
         RNNC_MAX_THREADS, NULL},
        {"--force", CLI_FLAG, &o.force, NULL,
         "replace an existing --out or --plot file that is not a forecast CSV or a plot", 0, 0,
         NULL},
        {"--sort-time", CLI_FLAG, &o.sort_time, NULL,
         "sort DATA's rows by their time stamps (default: rows out of order are refused)", 0, 0,
         NULL},
    };
    const cli_command c = {
        "forecast", "MODEL [DATA.csv]", about, opts, (int)(sizeof opts / sizeof *opts), 1, 2, NULL};
    int n, rc = cli_parse(&c, argc, argv, &n);
    if (rc != CLI_GO)
        return rc;
    o.model = argv[1], o.data = n > 1 ? argv[2] : NULL;
    if (o.plot && !has_suffix(o.plot, ".svg") && !has_suffix(o.plot, ".png")) {
        fprintf(stderr,
                "rnnc forecast: --plot %s: the plot is written as SVG or PNG; name it .svg or "
                ".png\n",
                o.plot);
        return CLI_USAGE;
    }
    rnnc_set_num_threads((int)o.threads);
    forecast_run r;
    memset(&r, 0, sizeof r);
    if ((rc = cli_forecast_load("forecast", o.model, o.data, o.sort_time, NULL, &r.f, &r.s)) !=
        CLI_OK)
        return rc;
    r.H = o.horizon ? (size_t)o.horizon : (size_t)rnnc_forecaster_spec(r.f)->horizon;
    rc = outputs_checked(&o, r.f);
    if (rc == CLI_OK && (rc = origin(&o, &r)) == CLI_OK && (rc = predict(&r)) == CLI_OK &&
        (rc = output(&r, o.out)) == CLI_OK && o.plot)
        rc = plot(&r, &o);
    run_free(&r);
    return rc;
}
