/* rnnc plot RUN: a training run's curves from its metrics.jsonl, drawn by plot_curves. */
#include "cli.h"
#include "outputs.h"
#include "plot.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static const char about[] =
    "Draws a training run's curves from RUN/metrics.jsonl (or RUN itself when it is\n"
    "a file): loss and every metric per epoch, one panel per quantity with its\n"
    "training and validation values (loss with val_loss, accuracy with\n"
    "val_accuracy, grad_norm_mean with grad_norm_max, lr, ...), epochs across.\n"
    "Writes curves.svg into RUN (beside it when it is a file) unless --out names\n"
    "another file.\n";

/* The keys that are no curve: the position, the count of skipped batches and the speed. */
static int not_a_curve(const char *key) {
    static const char *const skip[] = {"epoch", "step", "skipped", "seconds", "items_per_s"};
    for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++)
        if (!strcmp(key, skip[i]))
            return 1;
    return 0;
}

enum { MAX_KEYS = 64, MAX_EPOCHS = 1000000 };

typedef struct curves {
    size_t n, cap; /* epochs read */
    double *epoch; /* (n) */
    int n_keys;    /* the quantities, in the order they first appear */
    char *key[MAX_KEYS];
    double *y[MAX_KEYS]; /* (cap) each, NAN where a line has no value */
} curves;

static void curves_free(curves *c) {
    free(c->epoch);
    for (int k = 0; k < c->n_keys; k++)
        free(c->key[k]), free(c->y[k]);
}

/* Room for one more epoch in every array. */
static int grow(curves *c) {
    if (c->n < c->cap)
        return 0;
    const size_t cap = c->cap ? 2 * c->cap : 64;
    double *e = realloc(c->epoch, cap * sizeof *e);
    if (!e)
        return -1;
    c->epoch = e;
    for (int k = 0; k < c->n_keys; k++) {
        double *y = realloc(c->y[k], cap * sizeof *y);
        if (!y)
            return -1;
        for (size_t i = c->cap; i < cap; i++)
            y[i] = NAN;
        c->y[k] = y;
    }
    c->cap = cap;
    return 0;
}

static int key_index(curves *c, const char *key) {
    for (int k = 0; k < c->n_keys; k++)
        if (!strcmp(c->key[k], key))
            return k;
    if (c->n_keys == MAX_KEYS)
        return -2;
    double *y = malloc((c->cap ? c->cap : 1) * sizeof *y);
    char *name = strdup(key);
    if (!y || !name) {
        free(y), free(name);
        return -1;
    }
    for (size_t i = 0; i < c->cap; i++)
        y[i] = NAN;
    c->key[c->n_keys] = name, c->y[c->n_keys] = y;
    return c->n_keys++;
}

static const char *json_kind(const json_t *v) {
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    default: return "not a number";
    }
}

/* One line: a JSON object with "epoch" (a whole number above the previous line's) and numbers,
 * null or booleans for values. Prints the message and returns CLI_USAGE for a bad line. */
static int read_line(curves *c, const char *path, long lineno, const char *text, size_t len) {
    json_error_t err;
    json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    int rc = CLI_OK;
    if (!o) {
        fprintf(stderr, "rnnc plot: %s:%ld: not JSON (column %d: %s)\n", path, lineno, err.column,
                err.text);
        return CLI_USAGE;
    }
    const json_t *ep = json_object_get(o, "epoch");
    const double prev = c->n ? c->epoch[c->n - 1] : 0;
    if (!json_is_object(o)) {
        fprintf(stderr, "rnnc plot: %s:%ld: %s, not an object (one epoch's metrics a line)\n", path,
                lineno, json_kind(o));
        rc = CLI_USAGE;
    } else if (!json_is_integer(ep) || json_integer_value(ep) < 1 ||
               json_integer_value(ep) > MAX_EPOCHS) {
        fprintf(stderr, "rnnc plot: %s:%ld: no \"epoch\" (a whole number in [1, %d])\n", path,
                lineno, MAX_EPOCHS);
        rc = CLI_USAGE;
    } else if ((double)json_integer_value(ep) <= prev) {
        fprintf(stderr,
                "rnnc plot: %s:%ld: epoch %lld comes after epoch %.0f: one line per epoch, in "
                "order\n",
                path, lineno, (long long)json_integer_value(ep), prev);
        rc = CLI_USAGE;
    } else if (grow(c)) {
        rc = cli_out_of_memory("plot");
    }
    const char *key;
    json_t *v;
    if (rc == CLI_OK)
        json_object_foreach(o, key, v) {
            if (json_is_null(v) || json_is_boolean(v) || not_a_curve(key))
                continue;
            if (!json_is_number(v)) {
                fprintf(stderr, "rnnc plot: %s:%ld: \"%s\" is %s: a metric is a number or null\n",
                        path, lineno, cli_quote(key), json_kind(v));
                rc = CLI_USAGE;
                break;
            }
            const int k = key_index(c, key);
            if (k == -2) {
                fprintf(stderr, "rnnc plot: %s:%ld: more than %d keys\n", path, lineno, MAX_KEYS);
                rc = CLI_USAGE;
                break;
            }
            if (k < 0) {
                rc = cli_out_of_memory("plot");
                break;
            }
            c->y[k][c->n] = json_number_value(v);
        }
    if (rc == CLI_OK)
        c->epoch[c->n++] = (double)json_integer_value(ep);
    json_decref(o);
    return rc;
}

static int blank(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return 0;
    return 1;
}

static int read_metrics(curves *c, const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "rnnc plot: %s: cannot open: %s\n", path, strerror(errno));
        return CLI_FAIL;
    }
    char *line = NULL;
    size_t cap = 0;
    long lineno = 0;
    int rc = CLI_OK;
    ssize_t len;
    while (rc == CLI_OK && (len = getline(&line, &cap, f)) > 0) {
        lineno++;
        if (!blank(line, (size_t)len))
            rc = read_line(c, path, lineno, line, (size_t)len);
    }
    if (rc == CLI_OK && ferror(f)) {
        fprintf(stderr, "rnnc plot: %s: cannot read: %s\n", path, strerror(errno));
        rc = CLI_FAIL;
    }
    free(line);
    fclose(f);
    if (rc == CLI_OK && c->n == 0) {
        fprintf(stderr, "rnnc plot: %s: no epochs (a run writes a line when each epoch ends)\n",
                path);
        rc = CLI_USAGE;
    }
    return rc;
}

/* The panel a key belongs to: the key without "val_" in front and "_mean" or "_max" behind. */
static void panel_name(const char *key, char *out, size_t cap) {
    snprintf(out, cap, "%s", strncmp(key, "val_", 4) ? key : key + 4);
    const size_t n = strlen(out);
    if (n > 5 && !strcmp(out + n - 5, "_mean"))
        out[n - 5] = 0;
    else if (n > 4 && !strcmp(out + n - 4, "_max"))
        out[n - 4] = 0;
}

static int has_value(const curves *c, int k) {
    for (size_t i = 0; i < c->n; i++)
        if (isfinite(c->y[k][i]))
            return 1;
    return 0;
}

/* Where a panel goes: loss first, the training diagnostics (lr, grad_norm) last, the others in
 * between in the order their keys first appear. */
static int panel_rank(const char *name) {
    return !strcmp(name, "loss") ? 0 : !strcmp(name, "lr") || !strcmp(name, "grad_norm") ? 2 : 1;
}

/* The panels in panel_rank's order; keys without any value left out. In a panel, training
 * values are drawn solid (styles 0, 2, 4) and validation values dashed (1, 3, 5). */
static int draw(const curves *c, const char *out, const char *title) {
    char names[MAX_KEYS][128];
    plot_panel panels[MAX_KEYS];
    plot_curve lines[MAX_KEYS][PLOT_PANEL_CURVES];
    int n_panels = 0, dropped = 0;
    int solid[MAX_KEYS] = {0}, dashed[MAX_KEYS] = {0}; /* the styles each panel has used */
    for (int pass = 0; pass < 3; pass++)
        for (int k = 0; k < c->n_keys; k++) {
            char name[128];
            panel_name(c->key[k], name, sizeof name);
            if (panel_rank(name) != pass || !has_value(c, k))
                continue;
            int p = 0;
            while (p < n_panels && strcmp(names[p], name))
                p++;
            if (p == n_panels) {
                if (n_panels == PLOT_PANELS_MAX) {
                    dropped++;
                    continue;
                }
                snprintf(names[p], sizeof names[p], "%s", name);
                panels[p].title = names[p], panels[p].curves = lines[p], panels[p].n_curves = 0;
                n_panels++;
            }
            const int val = !strncmp(c->key[k], "val_", 4);
            int *used = val ? &dashed[p] : &solid[p];
            if (*used == PLOT_PANEL_CURVES / 2) {
                dropped++;
                continue;
            }
            lines[p][panels[p].n_curves++] = (plot_curve){c->key[k], c->y[k], 2 * (*used)++ + val};
        }
    if (n_panels == 0) {
        fprintf(stderr, "rnnc plot: no metric has a value in any epoch: nothing to draw\n");
        return CLI_USAGE;
    }
    if (dropped)
        fprintf(stderr, "rnnc plot: note: %d curve%s left out (at most %d panels of %d)\n", dropped,
                dropped == 1 ? "" : "s", PLOT_PANELS_MAX, PLOT_PANEL_CURVES);
    const plot_curves_spec spec = {title, "epoch", c->n, c->epoch, panels, n_panels};
    const rnnc_status st = plot_curves(out, &spec);
    return st ? cli_fail("plot", st) : CLI_OK;
}

static int has_suffix(const char *s, const char *suf) {
    const size_t n = strlen(s), k = strlen(suf);
    return n >= k && !strcasecmp(s + n - k, suf);
}

int cmd_plot(int argc, char **argv) {
    const char *out = NULL;
    int force = 0;
    const cli_option opts[] = {
        {"--out", CLI_STRING, &out, "FILE.svg|FILE.png",
         "where to draw: SVG (FILE.svg) or PNG (FILE.png, 2 pixels per SVG unit);\n"
         "default RUN/curves.svg (beside RUN when it is a file)",
         0, 0, NULL},
        {"--force", CLI_FLAG, &force, NULL,
         "replace an existing --out file that is not an SVG or PNG file", 0, 0, NULL},
    };
    const cli_command c = {
        "plot", "RUN", about, opts, (int)(sizeof opts / sizeof *opts), 1, 1, "one run folder only"};
    int n, rc = cli_parse(&c, argc, argv, &n);
    if (rc != CLI_GO)
        return rc;
    const char *run = argv[1];
    struct stat st;
    if (stat(run, &st) != 0) {
        fprintf(stderr, "rnnc plot: %s: cannot open: %s\n", run, strerror(errno));
        return CLI_FAIL;
    }
    const int folder = S_ISDIR(st.st_mode);
    if (!folder && !S_ISREG(st.st_mode)) {
        fprintf(stderr, "rnnc plot: %s: neither a folder nor a file\n", run);
        return CLI_USAGE;
    }
    char in[4200], def[4200];
    snprintf(in, sizeof in, folder ? "%s/metrics.jsonl" : "%s", run);
    if (folder && stat(in, &st) != 0) {
        fprintf(stderr,
                "rnnc plot: %s: no metrics.jsonl here: give a training run's output folder "
                "([train] output), which holds one from its first epoch on\n",
                run);
        return CLI_USAGE;
    }
    if (!out) {
        if (folder) {
            snprintf(def, sizeof def, "%s/curves.svg", run);
        } else {
            const char *slash = strrchr(run, '/');
            snprintf(def, sizeof def, "%.*scurves.svg", slash ? (int)(slash - run + 1) : 0, run);
        }
        out = def;
    }
    if (!has_suffix(out, ".svg") && !has_suffix(out, ".png")) {
        fprintf(stderr,
                "rnnc plot: --out %s: the curves are drawn as SVG or PNG; name it .svg or .png\n",
                cli_quote(out));
        return CLI_USAGE;
    }
    const char *ins[] = {in}, *outs[] = {out};
    static const char *const svg[] = {"<svg", "<?xml"}, *const png[] = {"\x89PNG\r\n\x1a\n"};
    static const int svg_len[] = {4, 5}, png_len[] = {8};
    rc = cli_outputs_apart("plot", outs, 1, ins, 1);
    if (rc == CLI_OK)
        rc = has_suffix(out, ".svg")
                 ? cli_output_kind("plot", out, "an SVG file", svg, svg_len, 2, force)
                 : cli_output_kind("plot", out, "a PNG file", png, png_len, 1, force);
    if (rc != CLI_OK)
        return rc;
    curves cv;
    memset(&cv, 0, sizeof cv);
    rc = read_metrics(&cv, in);
    if (rc == CLI_OK) {
        char title[512];
        snprintf(title, sizeof title, "%s: %zu epoch%s", cli_quote(run), cv.n,
                 cv.n == 1 ? "" : "s");
        rc = draw(&cv, out, title);
    }
    if (rc == CLI_OK)
        printf("saved %s\n", out);
    curves_free(&cv);
    return rc;
}
