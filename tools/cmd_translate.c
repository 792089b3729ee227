/* rnnc translate MODEL [TEXT | FILE | -]: translates with a translator's model file, one output
 * line per input line, as the lines come. */
#include "cli.h"
#include "plot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char about[] =
    "Translates with a translator's model file (rnnc train on a [translate] training file,\n"
    "docs/translate.md): TEXT itself, or every line of FILE (or of standard input with -),\n"
    "writing one line per input line, in order, as soon as each batch of lines is done. Each\n"
    "sentence is tokenized as training read its sources and decoded by beam search (greedy\n"
    "with --beam 1); the output is detokenized in the model's style (fr or en). An empty\n"
    "input line gives an empty output line. An argument that looks like a file name (a '/'\n"
    "or .txt / .tsv, no space) but names no file is an error, not text to translate.\n";

enum { CHUNK = 64, MAX_LINE = 1 << 20 };

typedef struct lines {
    char *v[CHUNK];
    int n;
} lines;

static void lines_free(lines *l) {
    for (int i = 0; i < l->n; i++)
        free(l->v[i]);
    l->n = 0;
}

/* Reads up to CHUNK lines of f into l; returns -1 on a read error or a line over MAX_LINE bytes
 * (its number in *bad), else the count (0 at the end). */
static int read_chunk(FILE *f, lines *l, long *line, long *bad) {
    char *buf = NULL;
    size_t cap = 0;
    ssize_t got;
    while (l->n < CHUNK && (got = getline(&buf, &cap, f)) >= 0) {
        (*line)++;
        if (got > MAX_LINE) {
            *bad = *line;
            free(buf);
            return -1;
        }
        while (got > 0 && (buf[got - 1] == '\n' || buf[got - 1] == '\r'))
            buf[--got] = 0;
        if (!(l->v[l->n] = strdup(buf))) {
            free(buf);
            return -1;
        }
        l->n++;
    }
    free(buf);
    return ferror(f) ? -1 : l->n;
}

static int translate_lines(rnnc_translator *t, const lines *l, const rnnc_decode_spec *spec,
                           const char *where, long first_line) {
    char *out[CHUNK];
    rnnc_status st =
        rnnc_translator_translate(t, (const char *const *)l->v, (size_t)l->n, spec, out);
    if (st != RNNC_OK) {
        char what[1200];
        snprintf(what, sizeof what, "translate: %.1024s, lines %ld-%ld", where, first_line,
                 first_line + l->n - 1);
        return cli_fail(what, st);
    }
    for (int i = 0; i < l->n; i++) {
        fputs(out[i], stdout);
        fputc('\n', stdout);
        free(out[i]);
    }
    fflush(stdout);
    return ferror(stdout) ? CLI_FAIL : CLI_OK;
}

/* The attention of one translation as CSV: a header of the source's tokens, then one row per
 * output token with its weights. Tokens are quoted (CSV's doubled quotes). */
static void csv_token(FILE *f, const char *t) {
    fputc('"', f);
    for (; *t; t++) {
        if (*t == '"')
            fputc('"', f);
        fputc(*t, f);
    }
    fputc('"', f);
}

static int write_csv(const rnnc_translation *x, const char *path) {
    rnnc_atomic_file *a = NULL;
    rnnc_status st = rnnc_atomic_open(path, &a);
    FILE *f = st == RNNC_OK ? rnnc_atomic_stream(a) : NULL;
    if (f) {
        fputs("output", f);
        for (size_t j = 0; j < x->n_src; j++)
            fputc(',', f), csv_token(f, x->src[j]);
        fputc('\n', f);
        for (size_t i = 0; i < x->n_out; i++) {
            csv_token(f, x->out[i]);
            for (size_t j = 0; j < x->n_src; j++)
                fprintf(f, ",%.6f", (double)x->weights[i * x->n_src + j]);
            fputc('\n', f);
        }
        st = rnnc_atomic_commit(a);
    }
    return st == RNNC_OK ? CLI_OK : cli_fail("translate", st);
}

/* The attention as a heat map: output tokens down, source tokens across (rotated), darker for
 * more weight. */
static int write_plot(const rnnc_translation *x, const char *path) {
    enum { CELL = 24, LEFT = 140, TOP = 120, PAD = 20 };
    const int w = LEFT + (int)x->n_src * CELL + PAD, h = TOP + (int)x->n_out * CELL + PAD;
    if (w > 8192 || h > 8192) {
        fprintf(stderr, "rnnc translate: --plot: %zu x %zu tokens do not fit a plot\n", x->n_out,
                x->n_src);
        return CLI_USAGE;
    }
    plot_canvas *c = NULL;
    rnnc_status st = plot_canvas_create(w, h, "#ffffff", &c);
    const plot_font across = {NULL, 11, PLOT_ANCHOR_START, -60};
    const plot_font down = {NULL, 11, PLOT_ANCHOR_END, 0};
    for (size_t j = 0; st == RNNC_OK && j < x->n_src; j++)
        plot_canvas_text(c, LEFT + (double)j * CELL + CELL / 2.0, TOP - 6, x->src[j], &across,
                         PLOT_XY_DEC);
    for (size_t i = 0; st == RNNC_OK && i < x->n_out; i++) {
        plot_canvas_text(c, LEFT - 6, TOP + (double)i * CELL + CELL * 0.65, x->out[i], &down,
                         PLOT_XY_DEC);
        for (size_t j = 0; j < x->n_src; j++) {
            double v = x->weights[i * x->n_src + j];
            v = v < 0 ? 0 : v > 1 ? 1 : v;
            const int g = (int)(255 * (1 - v) + 0.5);
            char fill[8];
            snprintf(fill, sizeof fill, "#%02x%02x%02x", g, g, g);
            plot_canvas_rect(c, LEFT + (double)j * CELL, TOP + (double)i * CELL, CELL, CELL, fill,
                             PLOT_XY_INT);
        }
    }
    if (st == RNNC_OK)
        st = plot_canvas_write(c, path, 2);
    plot_canvas_free(c);
    return st == RNNC_OK ? CLI_OK : cli_fail("translate", st);
}

int cmd_translate(int argc, char **argv) {
    long beam = 5, max_len = 200, no_repeat = 0, threads = 1;
    double alpha = 0.6, max_ratio = 2;
    const char *attention = NULL, *plot = NULL;
    const cli_option opts[] = {
        {"--beam", CLI_INT, &beam, "K", "beams per sentence (default 5; 1 = greedy)", 1, 64, NULL},
        {"--length-penalty", CLI_NUMBER, &alpha, "A",
         "GNMT's length penalty alpha: hypotheses ranked by log-probability\n"
         "/ ((5 + length) / 6)^A (default 0.6; 0 = none)",
         0, 10, NULL},
        {"--max-ratio", CLI_NUMBER, &max_ratio, "R",
         "at most R x the source's tokens per output (default 2)", 0.01, 1000, NULL},
        {"--max-len", CLI_INT, &max_len, "N", "at most N tokens per output (default 200)", 1,
         100000, NULL},
        {"--no-repeat", CLI_INT, &no_repeat, "N",
         "never repeat an n-gram of N tokens within an output (default 0 = off)", 0, 100, NULL},
        {"--threads", CLI_INT, &threads, "N", "threads for the math (default 1)", 0,
         RNNC_MAX_THREADS, NULL},
        {"--attention", CLI_STRING, &attention, "FILE.csv",
         "TEXT only: write each output token's attention over the source's\n"
         "tokens (one row per output token)",
         0, 0, NULL},
        {"--plot", CLI_STRING, &plot, "FILE.svg|png",
         "TEXT only: draw that attention as a heat map", 0, 0, NULL},
    };
    const cli_command c = {"translate",
                           "MODEL [TEXT | FILE | -]",
                           about,
                           opts,
                           (int)(sizeof opts / sizeof *opts),
                           1,
                           2,
                           NULL};
    int n, rc = cli_parse(&c, argc, argv, &n);
    if (rc != CLI_GO)
        return rc;
    rnnc_set_num_threads((int)threads);
    rnnc_translator *t = NULL;
    rnnc_status st = rnnc_translator_load(argv[1], &t);
    if (st)
        return cli_fail("translate", st);
    rnnc_decode_spec spec = rnnc_decode_spec_init();
    spec.beam = (int)beam, spec.length_penalty = alpha, spec.max_ratio = max_ratio;
    spec.max_len = (int)max_len, spec.no_repeat_ngram = (int)no_repeat;
    const char *arg = n == 2 ? argv[2] : "-";
    struct stat sb;
    const int is_file = strcmp(arg, "-") && stat(arg, &sb) == 0 && S_ISREG(sb.st_mode);
    const size_t al = strlen(arg);
    const int path_like =
        strchr(arg, '/') ||
        (al > 4 && (!strcmp(arg + al - 4, ".txt") || !strcmp(arg + al - 4, ".tsv")));
    if (strcmp(arg, "-") && !is_file && path_like && !strchr(arg, ' ')) {
        /* a file name that names no file: not text to translate */
        fprintf(stderr, "rnnc: translate: %s: cannot open: %s\n", arg,
                stat(arg, &sb) == 0 ? "not a regular file" : strerror(errno));
        rnnc_translator_free(t);
        return CLI_FAIL;
    }
    if ((attention || plot) && (!strcmp(arg, "-") || is_file)) {
        fprintf(stderr, "rnnc translate: --attention and --plot take one sentence (TEXT), not "
                        "lines of a file\n");
        rnnc_translator_free(t);
        return CLI_USAGE;
    }
    if (plot && !cli_plot_path_ok("translate", plot)) {
        rnnc_translator_free(t);
        return CLI_USAGE;
    }
    if (attention || plot) { /* one sentence, with where it looked */
        rnnc_translation x;
        st = rnnc_translator_attend(t, arg, &spec, &x);
        rc = st ? cli_fail("translate", st) : CLI_OK;
        if (rc == CLI_OK)
            printf("%s\n", x.text);
        if (rc == CLI_OK && attention)
            rc = write_csv(&x, attention);
        if (rc == CLI_OK && plot)
            rc = write_plot(&x, plot);
        rnnc_translation_free(&x);
        rnnc_translator_free(t);
        return rc;
    }
    if (strcmp(arg, "-") && !is_file) { /* the text itself */
        lines l = {{NULL}, 0};
        l.v[0] = strdup(arg), l.n = 1;
        rc = l.v[0] ? translate_lines(t, &l, &spec, "the text", 1) : cli_out_of_memory("translate");
        lines_free(&l);
        rnnc_translator_free(t);
        return rc;
    }
    FILE *f = is_file ? fopen(arg, "rb") : stdin;
    const char *where = is_file ? arg : "standard input";
    if (!f) {
        fprintf(stderr, "rnnc: translate: %s: cannot open: %s\n", arg, strerror(errno));
        rnnc_translator_free(t);
        return CLI_FAIL;
    }
    long line = 0, bad = 0;
    rc = CLI_OK;
    for (;;) {
        lines l = {{NULL}, 0};
        const long first = line + 1;
        const int got = read_chunk(f, &l, &line, &bad);
        if (got < 0) {
            if (bad)
                fprintf(stderr, "rnnc: translate: %s:%ld: a line over %d bytes\n", where, bad,
                        MAX_LINE);
            else
                fprintf(stderr, "rnnc: translate: %s: read error: %s\n", where, strerror(errno));
            rc = bad ? CLI_USAGE : CLI_FAIL;
        } else if (got > 0) {
            rc = translate_lines(t, &l, &spec, where, first);
        }
        lines_free(&l);
        if (got <= 0 || rc != CLI_OK)
            break;
    }
    if (is_file)
        fclose(f);
    rnnc_translator_free(t);
    return rc;
}
