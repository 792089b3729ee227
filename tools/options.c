/* The table-driven option parser and the --help built from the same table (options.h). */
#include "options.h"
#include "cli.h"

#include <stdio.h>
#include <string.h>

/* The table's entry for argument a ("--name" or "--name=value"), or NULL; *eq is the '=' or NULL. */
static const cli_option *find(const cli_command *c, const char *a, const char **eq) {
    const char *e = strchr(a, '=');
    const size_t n = e ? (size_t)(e - a) : strlen(a);
    for (int k = 0; k < c->n_opts; k++)
        if (strlen(c->opts[k].name) == n && !strncmp(c->opts[k].name, a, n)) {
            *eq = e;
            return &c->opts[k];
        }
    return NULL;
}

/* Stores value v of option o; prints and returns -1 when it does not fit. */
static int store(const cli_command *c, const cli_option *o, const char *v) {
    switch (o->kind) {
    case CLI_STRING: *(const char **)o->dest = v; return 0;
    case CLI_INT: return cli_int(o->name, v, (long)o->lo, (long)o->hi, o->dest);
    case CLI_NUMBER: return cli_double(o->name, v, o->lo, o->hi, o->dest);
    case CLI_LIST: {
        cli_list *l = o->dest;
        if (l->n == CLI_LIST_MAX) {
            fprintf(stderr, "rnnc %s: at most %d %s options\n", c->name, CLI_LIST_MAX, o->name);
            return -1;
        }
        l->v[l->n++] = v;
        return 0;
    }
    case CLI_CHOICE:
        for (int k = 0; o->choices[k]; k++)
            if (!strcmp(v, o->choices[k])) {
                *(int *)o->dest = k;
                return 0;
            }
        fprintf(stderr, "rnnc %s: %s must be ", c->name, o->name);
        for (int k = 0; o->choices[k]; k++)
            fprintf(stderr, "%s%s", k == 0 ? "" : o->choices[k + 1] ? ", " : " or ", o->choices[k]);
        fprintf(stderr, " (got '%s')\n", cli_quote(v));
        return -1;
    default: return -1;
    }
}

/* One option at argv[*i]; moves *i past its value. Returns 0, or -1 after a message. */
static int option(const cli_command *c, int argc, char **argv, int *i) {
    const char *a = argv[*i], *eq;
    const cli_option *o = find(c, a, &eq);
    if (!o) {
        fprintf(stderr, "rnnc %s: unknown option '%s' (see --help)\n", c->name, cli_quote(a));
        return -1;
    }
    if (o->kind == CLI_FLAG) {
        if (eq) {
            fprintf(stderr, "rnnc %s: option %s takes no value\n", c->name, o->name);
            return -1;
        }
        *(int *)o->dest = 1;
        return 0;
    }
    if (!eq && *i + 1 >= argc) {
        fprintf(stderr, "rnnc: option %s needs a value\n", o->name);
        return -1;
    }
    return store(c, o, eq ? eq + 1 : argv[++*i]);
}

int cli_parse(const cli_command *c, int argc, char **argv, int *n_args) {
    int n = 0, options = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (options && (!strcmp(a, "--help") || !strcmp(a, "-h"))) {
            cli_help(c, stdout);
            return CLI_OK;
        }
        if (options && !strcmp(a, "--")) {
            options = 0;
        } else if (options && a[0] == '-' && a[1]) {
            if (option(c, argc, argv, &i))
                return CLI_USAGE;
        } else if (c->max_args >= 0 && n == c->max_args) {
            if (c->max_args == 0)
                fprintf(stderr, "rnnc %s: unknown argument '%s' (see --help)\n", c->name,
                        cli_quote(a));
            else
                fprintf(stderr, "rnnc %s: %s (also got '%s')\n", c->name,
                        c->too_many ? c->too_many : "too many arguments", cli_quote(a));
            return CLI_USAGE;
        } else {
            argv[++n] = (char *)a;
        }
    }
    if (n < c->min_args) {
        cli_help(c, stderr);
        return CLI_USAGE;
    }
    *n_args = n;
    return CLI_GO;
}

/* "--name VALUE" of an option, in buf. */
static const char *spelling(const cli_option *o, char *buf, size_t n) {
    snprintf(buf, n, "%s%s%s", o->name, o->value ? " " : "", o->value ? o->value : "");
    return buf;
}

void cli_help(const cli_command *c, FILE *f) {
    enum { WIDTH = 100 };
    char buf[128];
    int col = fprintf(f, "usage: rnnc %s%s%s", c->name, c->args ? " " : "", c->args ? c->args : "");
    const int indent = (int)strlen("usage: rnnc  ") + (int)strlen(c->name);
    for (int k = 0; k < c->n_opts; k++) {
        const cli_option *o = &c->opts[k];
        const int len = (int)strlen(spelling(o, buf, sizeof buf)) + 3 + (o->kind == CLI_LIST) * 4;
        if (col + len > WIDTH) { /* the next line, the brackets under the arguments */
            fprintf(f, "\n%*s", indent - 1, "");
            col = indent - 1;
        }
        col += fprintf(f, " [%s%s]", buf, o->kind == CLI_LIST ? " ..." : "");
    }
    fprintf(f, "\n\n%s", c->about);
    if (!c->n_opts)
        return;
    int w = 0; /* the help column */
    for (int k = 0; k < c->n_opts; k++) {
        const int len = (int)strlen(spelling(&c->opts[k], buf, sizeof buf));
        w = len > w ? len : w;
    }
    fprintf(f, "\noptions:\n");
    for (int k = 0; k < c->n_opts; k++) {
        fprintf(f, "  %-*s  ", w, spelling(&c->opts[k], buf, sizeof buf));
        for (const char *p = c->opts[k].help; *p; p++) {
            fputc(*p, f);
            if (*p == '\n')
                fprintf(f, "  %-*s  ", w, "");
        }
        fprintf(f, "\n");
    }
}
