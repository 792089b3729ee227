/* Training files: the model's layer sections (read by config.c) plus the training sections
 * [data], [train], [optimizer], [schedule] and [early_stopping] (read here with libinih). Both
 * readers see the whole file with the other's lines blanked, so every message names the real line.
 * Keys and defaults: docs/training.md. */
#include "../core/core.h"
#include "rnnc.h"

#include "trainconfig.h"
#include "../formats/inilines.h"
#include "../formats/values.h"
#include <errno.h>

#include <ini.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE (1 << 20)

static const char *const train_sections[] = {"data",     "train",          "optimizer",
                                             "schedule", "early_stopping", "forecast",
                                             "lm",       "finetune",       "translate"};
enum { N_TRAIN_SECTIONS = 9 };

static int is_train_section(const char *name, size_t len) {
    for (int i = 0; i < N_TRAIN_SECTIONS; i++)
        if (strlen(train_sections[i]) == len && !strncmp(name, train_sections[i], len))
            return 1;
    return 0;
}

/* ---- text editing: overrides and the split between the two readers ---- */

typedef struct text {
    char *s;
    size_t len, cap;
} text;

static int append(text *t, const char *p, size_t n) {
    if (t->len + n + 1 > t->cap) {
        size_t cap = (t->len + n + 1) * 2;
        char *q = realloc(t->s, cap);
        if (!q)
            return -1;
        t->s = q, t->cap = cap;
    }
    memcpy(t->s + t->len, p, n);
    t->len += n;
    t->s[t->len] = 0;
    return 0;
}

/* The section name of a header line "[name]" (leading blanks allowed), or NULL. */
static const char *header_name(const char *line, size_t len, size_t *n) {
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (i >= len || line[i] != '[')
        return NULL;
    const char *close = memchr(line + i, ']', len - i);
    if (!close)
        return NULL;
    *n = (size_t)(close - line - i - 1);
    return line + i + 1;
}

/* The key of a "key = value" line, or NULL. */
static const char *line_key(const char *line, size_t len, size_t *n) {
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (i >= len || line[i] == '#' || line[i] == ';')
        return NULL;
    const char *eq = memchr(line + i, '=', len - i);
    if (!eq)
        return NULL;
    size_t e = (size_t)(eq - line);
    while (e > i && (line[e - 1] == ' ' || line[e - 1] == '\t'))
        e--;
    *n = e - i;
    return line + i;
}

/* Where each line of the edited text came from: the file's line number (> 0), or -(i + 1) for a
 * line that override i wrote. Messages are given in those terms (name_lines). */
typedef struct linemap {
    int *v;
    int n, cap;
} linemap;

static int map_push(linemap *m, int origin) {
    if (!m)
        return 0;
    if (m->n == m->cap) {
        int cap = m->cap ? m->cap * 2 : 64;
        int *v = realloc(m->v, (size_t)cap * sizeof *v);
        if (!v)
            return -1;
        m->v = v, m->cap = cap;
    }
    m->v[m->n++] = origin;
    return 0;
}

/* The map of an unedited text: line i is the file's line i. */
static rnnc_status map_init(linemap *m, const text *t) {
    int line = 1;
    for (const char *p = t->s; p && *p; line++) {
        if (map_push(m, line))
            return RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    return RNNC_OK;
}

/* Applies override number ovi, "section.key=value", to t, and to m (may be NULL) the lines'
 * origins. */
static rnnc_status apply_override(text *t, const char *ov, int ovi, linemap *m) {
    const char *dot = strchr(ov, '.'), *eq = strchr(ov, '=');
    if (!dot || !eq || dot > eq || dot == ov || eq == dot + 1)
        return RNNC_FAIL(RNNC_ERR_ARG, "--set '%s': expected section.key=value", ov);
    const size_t slen = (size_t)(dot - ov), klen = (size_t)(eq - dot - 1);
    const char *value = eq + 1;
    if (strchr(value, '\n') || strchr(ov, '[') || strchr(ov, ']'))
        return RNNC_FAIL(RNNC_ERR_ARG, "--set '%s': no newlines or brackets allowed", ov);
    text out = {0};
    linemap nm = {0};
    int in_section = 0, done = 0, seen_section = 0, line = 0;
    const int mine = -(ovi + 1);
    const char *p = t->s;
    rnnc_status st = RNNC_OK;
    char kv[1200];
    snprintf(kv, sizeof kv, "%.*s = %s\n", (int)klen, dot + 1, value);
    while (*p && st == RNNC_OK) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);
        size_t n;
        const char *h = header_name(p, len, &n);
        const int origin = m && line < m->n ? m->v[line] : line + 1;
        line++;
        if (h) {
            if (in_section && !done) { /* leaving the section without the key: add it */
                if (append(&out, kv, strlen(kv)) || (m && map_push(&nm, mine)))
                    st = RNNC_ERR_NOMEM;
                done = 1;
            }
            in_section = !seen_section && n == slen && !strncmp(h, ov, slen);
            seen_section |= in_section;
        } else if (in_section && !done) {
            const char *k = line_key(p, len, &n);
            if (k && n == klen && !strncmp(k, dot + 1, klen)) {
                if (append(&out, kv, strlen(kv)) || (m && map_push(&nm, mine)))
                    st = RNNC_ERR_NOMEM;
                done = 1;
                p += len;
                continue;
            }
        }
        if (append(&out, p, len) || (m && map_push(&nm, origin)))
            st = RNNC_ERR_NOMEM;
        p += len;
    }
    if (st == RNNC_OK && !done) {
        if (out.len && out.s[out.len - 1] != '\n' && append(&out, "\n", 1))
            st = RNNC_ERR_NOMEM;
        if (!seen_section) {
            if (!is_train_section(ov, slen)) {
                free(out.s), free(nm.v);
                return RNNC_FAIL(RNNC_ERR_ARG, "--set '%s': the file has no [%.*s] section", ov,
                                 (int)slen, ov);
            }
            char hdr[80];
            snprintf(hdr, sizeof hdr, "[%.*s]\n", (int)slen, ov);
            if (append(&out, hdr, strlen(hdr)) || (m && map_push(&nm, mine)))
                st = RNNC_ERR_NOMEM;
        }
        if (st == RNNC_OK && (append(&out, kv, strlen(kv)) || (m && map_push(&nm, mine))))
            st = RNNC_ERR_NOMEM;
    }
    if (st != RNNC_OK) {
        free(out.s), free(nm.v);
        return RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory applying --set");
    }
    free(t->s);
    *t = out;
    if (m) {
        free(m->v);
        *m = nm;
    }
    return RNNC_OK;
}

/* Rewrites a message's first "path:N:" (N a line of the edited text) as the line's origin:
 * "path:M:" for the file's line M, or "--set OVERRIDE:" for a line an override wrote. */
static rnnc_status name_lines(rnnc_status st, const char *path, const char *const *overrides,
                              const linemap *m) {
    if (st == RNNC_OK || !m->v)
        return st;
    const char *msg = rnnc_last_error(), *at = msg;
    const size_t pl = strlen(path);
    while ((at = strstr(at, path)) != NULL) {
        const char *d = at + pl;
        if (*d == ':' && d[1] >= '0' && d[1] <= '9') {
            char *end;
            const long line = strtol(d + 1, &end, 10);
            if (*end != ':' || line < 1 || line > m->n)
                return st;
            char buf[2048];
            const int origin = m->v[line - 1];
            if (origin > 0)
                snprintf(buf, sizeof buf, "%.*s%s:%d%s", (int)(at - msg), msg, path, origin, end);
            else { /* the override quoted up to 60 bytes, as the CLI quotes a user's text */
                const char *ov = overrides[-origin - 1];
                const int cut = strlen(ov) > 60;
                snprintf(buf, sizeof buf, "%.*s--set %.*s%s%s", (int)(at - msg), msg, cut ? 57 : 60,
                         ov, cut ? "..." : "", end);
            }
            return rnnc_error(st, "%s", buf);
        }
        at = d;
    }
    return st;
}

/* Splits t into the layer part and the training part, each with the other's lines blanked. */
static rnnc_status split_text(const text *t, text *model, text *train) {
    int in_train = 0;
    const char *p = t->s;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);
        size_t n;
        const char *h = header_name(p, len, &n);
        if (h)
            in_train = is_train_section(h, n);
        text *keep = in_train ? train : model, *blank = in_train ? model : train;
        if (append(keep, p, len) || append(blank, "\n", 1))
            return RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory reading a training file");
        p += len;
    }
    if (!model->s && append(model, "", 0))
        return RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
    if (!train->s && append(train, "", 0))
        return RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
    return RNNC_OK;
}

/* ---- the training sections ---- */

typedef struct entry {
    char section[24], key[40], value[1024];
    int line;
} entry;

typedef struct collect {
    entry *e;
    int n, cap;
    const char *path;
    rnnc_status st;
} collect;

static int on_pair(void *user, const char *section, const char *key, const char *value, int line) {
    collect *c = user;
    if (c->st != RNNC_OK)
        return 1;
    if (strlen(section) >= sizeof c->e->section || strlen(key) >= sizeof c->e->key) {
        c->st = RNNC_FAIL(RNNC_ERR_FORMAT, "%s:%d: section or key name too long", c->path, line);
        return 1;
    }
    if (strlen(value) >= sizeof c->e->value) {
        c->st =
            RNNC_FAIL(RNNC_ERR_FORMAT, "%s:%d: [%s] %s: a value of %zu characters (at most %zu)",
                      c->path, line, section, key, strlen(value), sizeof c->e->value - 1);
        return 1;
    }
    for (int i = 0; i < c->n; i++)
        if (!strcmp(c->e[i].section, section) && !strcmp(c->e[i].key, key)) {
            c->st = RNNC_FAIL(RNNC_ERR_FORMAT, "%s:%d: '%s' appears twice in [%s] (line %d)",
                              c->path, line, key, section, c->e[i].line);
            return 1;
        }
    if (c->n == c->cap) {
        int cap = c->cap ? 2 * c->cap : 32;
        entry *e = realloc(c->e, (size_t)cap * sizeof *e);
        if (!e) {
            c->st = RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
            return 1;
        }
        c->e = e, c->cap = cap;
    }
    entry *e = &c->e[c->n++];
    snprintf(e->section, sizeof e->section, "%s", section);
    snprintf(e->key, sizeof e->key, "%s", key);
    snprintf(e->value, sizeof e->value, "%s", value);
    e->line = line;
    return 1;
}

/* inih's handler without line numbers: the line is tracked by a wrapper reader. */
typedef struct reader {
    rnnc__ini_lines lines;
    collect *c;
} reader;

static char *read_line(char *str, int num, void *stream) {
    reader *r = stream;
    return rnnc__ini_lines_next(&r->lines, str, num, 0);
}

static int handler(void *user, const char *section, const char *key, const char *value) {
    reader *r = user;
    return on_pair(r->c, section, key, rnnc__ini_value(&r->lines, value), r->lines.line);
}

static rnnc_status bad(const entry *e, const char *path, const char *want) {
    return RNNC_FAIL(RNNC_ERR_FORMAT, "%s:%d: [%s] %s = '%.60s': expected %s", path, e->line,
                     e->section, e->key, e->value, want);
}

static int to_side(const char *v, long *out) {
    if (!strcmp(v, "pre"))
        return *out = RNNC_PAD_PRE, 0;
    if (!strcmp(v, "post"))
        return *out = RNNC_PAD_POST, 0;
    return -1;
}

/* Typed key tables: where each key goes. */
enum { T_INT, T_LONG, T_DOUBLE, T_BOOL, T_SIDE, T_U64, T_PATH, T_COL, T_RATE, T_FRAC };
typedef struct key_def {
    const char *section, *name;
    int type;
    void *(*where)(rnnc_classify_config *c);
    size_t size; /* T_PATH / T_COL buffers */
} key_def;

#define FIELD(fn, expr)                                                                            \
    static void *fn(rnnc_classify_config *c) {                                                     \
        return (void *)&(expr);                                                                    \
    }
FIELD(f_epochs, c->run.fit.epochs)
FIELD(f_batch, c->run.fit.batch_size)
FIELD(f_seed, c->run.fit.seed)
FIELD(f_clipn, c->run.fit.clip_norm)
FIELD(f_ema, c->run.fit.ema)
FIELD(f_clipv, c->run.fit.clip_value)
FIELD(f_output, c->run.output)
FIELD(f_tboard, c->run.tensorboard)
FIELD(f_train, c->train)
FIELD(f_val, c->validation)
FIELD(f_test, c->test)
FIELD(f_vsplit, c->validation_split)
FIELD(f_tsplit, c->test_split)
FIELD(f_tseed, c->test_seed)
FIELD(f_lcol, c->label_column)
FIELD(f_tcol, c->text_column)
FIELD(f_numw, c->text.num_words)
FIELD(f_minf, c->text.min_freq)
FIELD(f_maxlen, c->text.maxlen)
FIELD(f_pad, c->text.padding)
FIELD(f_trunc, c->text.truncating)
FIELD(f_start, c->text.add_start)
FIELD(f_uselen, c->text.use_lengths)
FIELD(f_lower, c->text.tok.lowercase)
FIELD(f_html, c->text.tok.strip_html)
FIELD(f_punct, c->text.tok.split_punct)
FIELD(f_adrop, c->text.augment.drop)
FIELD(f_aswap, c->text.augment.swap)
FIELD(f_aoov, c->text.augment.oov)
FIELD(f_lr, c->run.fit.optim.lr)
FIELD(f_b1, c->run.fit.optim.beta1)
FIELD(f_b2, c->run.fit.optim.beta2)
FIELD(f_eps, c->run.fit.optim.eps)
FIELD(f_mom, c->run.fit.optim.momentum)
FIELD(f_damp, c->run.fit.optim.dampening)
FIELD(f_nest, c->run.fit.optim.nesterov)
FIELD(f_ams, c->run.fit.optim.amsgrad)
FIELD(f_alpha, c->run.fit.optim.alpha)
FIELD(f_cent, c->run.fit.optim.centered)
FIELD(f_lrd, c->run.fit.optim.lr_decay)
FIELD(f_iav, c->run.fit.optim.initial_accumulator_value)
FIELD(f_wd, c->run.fit.optim.weight_decay)
FIELD(f_wsteps, c->run.fit.sched.warmup_steps)
FIELD(f_wstart, c->run.fit.sched.warmup_start_factor)
FIELD(f_ssize, c->run.fit.sched.step_size)
FIELD(f_gamma, c->run.fit.sched.gamma)
FIELD(f_delay, c->run.fit.sched.delay)
FIELD(f_tmax, c->run.fit.sched.t_max)
FIELD(f_etamin, c->run.fit.sched.eta_min)
FIELD(f_maxlr, c->run.fit.sched.max_lr)
FIELD(f_total, c->run.fit.sched.total_steps)
FIELD(f_pct, c->run.fit.sched.pct_start)
FIELD(f_cutf, c->run.fit.sched.cut_frac)
FIELD(f_subset, c->subset)
FIELD(f_subseed, c->subset_seed)
FIELD(f_maxread, c->limits.read_bytes)
FIELD(f_maxtext, c->limits.text_bytes)
FIELD(f_maxrec, c->limits.records)
FIELD(f_maxmem, c->limits.members)
FIELD(f_ratio, c->run.fit.sched.ratio)
FIELD(f_div, c->run.fit.sched.div_factor)
FIELD(f_fdiv, c->run.fit.sched.final_div_factor)
FIELD(f_factor, c->run.fit.sched.factor)
FIELD(f_spat, c->run.fit.sched.patience)
FIELD(f_thr, c->run.fit.sched.threshold)
FIELD(f_cool, c->run.fit.sched.cooldown)
FIELD(f_minlr, c->run.fit.sched.min_lr)
FIELD(f_perb, c->run.fit.sched_per_batch)
FIELD(f_pat, c->run.fit.patience)
FIELD(f_mind, c->run.fit.min_delta)
FIELD(f_rest, c->run.fit.restore_best)

static const key_def keys[] = {
    {"train", "epochs", T_INT, f_epochs, 0},
    {"train", "batch_size", T_INT, f_batch, 0},
    {"train", "seed", T_U64, f_seed, 0},
    {"data", "subset", T_LONG, f_subset, 0},
    {"data", "subset_seed", T_U64, f_subseed, 0},
    {"data", "max_read_bytes", T_U64, f_maxread, 0},
    {"data", "max_text_bytes", T_U64, f_maxtext, 0},
    {"data", "max_records", T_U64, f_maxrec, 0},
    {"data", "max_members", T_U64, f_maxmem, 0},
    {"train", "clip_norm", T_DOUBLE, f_clipn, 0},
    {"train", "ema", T_DOUBLE, f_ema, 0},
    {"train", "clip_value", T_DOUBLE, f_clipv, 0},
    {"train", "output", T_PATH, f_output, 1024},
    {"train", "tensorboard", T_PATH, f_tboard, 1024},
    {"data", "train", T_PATH, f_train, 1024},
    {"data", "validation", T_PATH, f_val, 1024},
    {"data", "test", T_PATH, f_test, 1024},
    {"data", "validation_split", T_DOUBLE, f_vsplit, 0},
    {"data", "test_split", T_FRAC, f_tsplit, 0},
    {"data", "test_seed", T_U64, f_tseed, 0},
    {"data", "label_column", T_COL, f_lcol, 64},
    {"data", "text_column", T_COL, f_tcol, 64},
    {"data", "num_words", T_INT, f_numw, 0},
    {"data", "min_freq", T_INT, f_minf, 0},
    {"data", "maxlen", T_INT, f_maxlen, 0},
    {"data", "padding", T_SIDE, f_pad, 0},
    {"data", "truncating", T_SIDE, f_trunc, 0},
    {"data", "add_start", T_BOOL, f_start, 0},
    {"data", "use_lengths", T_BOOL, f_uselen, 0},
    {"data", "lowercase", T_BOOL, f_lower, 0},
    {"data", "strip_html", T_BOOL, f_html, 0},
    {"data", "split_punct", T_BOOL, f_punct, 0},
    {"data", "augment_drop", T_RATE, f_adrop, 0},
    {"data", "augment_swap", T_RATE, f_aswap, 0},
    {"data", "augment_oov", T_RATE, f_aoov, 0},
    {"optimizer", "lr", T_DOUBLE, f_lr, 0},
    {"optimizer", "beta1", T_DOUBLE, f_b1, 0},
    {"optimizer", "beta2", T_DOUBLE, f_b2, 0},
    {"optimizer", "eps", T_DOUBLE, f_eps, 0},
    {"optimizer", "momentum", T_DOUBLE, f_mom, 0},
    {"optimizer", "dampening", T_DOUBLE, f_damp, 0},
    {"optimizer", "nesterov", T_BOOL, f_nest, 0},
    {"optimizer", "amsgrad", T_BOOL, f_ams, 0},
    {"optimizer", "alpha", T_DOUBLE, f_alpha, 0},
    {"optimizer", "centered", T_BOOL, f_cent, 0},
    {"optimizer", "lr_decay", T_DOUBLE, f_lrd, 0},
    {"optimizer", "initial_accumulator_value", T_DOUBLE, f_iav, 0},
    {"optimizer", "weight_decay", T_DOUBLE, f_wd, 0},
    {"schedule", "warmup_steps", T_LONG, f_wsteps, 0},
    {"schedule", "warmup_start_factor", T_DOUBLE, f_wstart, 0},
    {"schedule", "step_size", T_LONG, f_ssize, 0},
    {"schedule", "gamma", T_DOUBLE, f_gamma, 0},
    {"schedule", "delay", T_LONG, f_delay, 0},
    {"schedule", "t_max", T_LONG, f_tmax, 0},
    {"schedule", "eta_min", T_DOUBLE, f_etamin, 0},
    {"schedule", "max_lr", T_DOUBLE, f_maxlr, 0},
    {"schedule", "total_steps", T_LONG, f_total, 0},
    {"schedule", "pct_start", T_DOUBLE, f_pct, 0},
    {"schedule", "cut_frac", T_DOUBLE, f_cutf, 0},
    {"schedule", "ratio", T_DOUBLE, f_ratio, 0},
    {"schedule", "div_factor", T_DOUBLE, f_div, 0},
    {"schedule", "final_div_factor", T_DOUBLE, f_fdiv, 0},
    {"schedule", "factor", T_DOUBLE, f_factor, 0},
    {"schedule", "patience", T_LONG, f_spat, 0},
    {"schedule", "threshold", T_DOUBLE, f_thr, 0},
    {"schedule", "cooldown", T_LONG, f_cool, 0},
    {"schedule", "min_lr", T_DOUBLE, f_minlr, 0},
    {"schedule", "per_batch", T_BOOL, f_perb, 0},
    {"early_stopping", "patience", T_INT, f_pat, 0},
    {"early_stopping", "min_delta", T_DOUBLE, f_mind, 0},
    {"early_stopping", "restore_best", T_BOOL, f_rest, 0},
};

static rnnc_status set_key(rnnc_classify_config *c, const entry *e, const char *path) {
    /* keys with words for values */
    if (!strcmp(e->section, "optimizer") && !strcmp(e->key, "name"))
        return RNNC_OK;
    if (!strcmp(e->section, "schedule") && !strcmp(e->key, "name"))
        return RNNC_OK;
    if (!strcmp(e->section, "data") && !strcmp(e->key, "format")) {
        static const char *const f[] = {"auto", "imdb-tsv",     "aclimdb",     "csv",
                                        "tsv",  "folder-files", "folder-lines"};
        for (int i = 0; i < 7; i++)
            if (!strcmp(e->value, f[i]))
                return c->format = i, RNNC_OK; /* enum order */
        return bad(e, path, "auto, imdb-tsv, aclimdb, csv, tsv, folder-files or folder-lines");
    }
    if (!strcmp(e->section, "data") && !strcmp(e->key, "encoding")) {
        enum rnnc_text_encoding enc;
        if (rnnc_text_encoding_parse(e->value, &enc) != RNNC_OK)
            return bad(e, path, "utf-8 or latin-1");
        return c->encoding = enc, RNNC_OK;
    }
    if (!strcmp(e->section, "data") && !strcmp(e->key, "header")) {
        if (!strcmp(e->value, "auto"))
            return c->header = -1, RNNC_OK;
        long b;
        if (rnnc__value_bool(e->value, &b))
            return bad(e, path, "auto, true or false");
        return c->header = (int)b, RNNC_OK;
    }
    if (!strcmp(e->section, "train") && !strcmp(e->key, "on_nonfinite")) {
        if (!strcmp(e->value, "stop"))
            return c->run.fit.skip_nonfinite = 0, RNNC_OK;
        if (!strcmp(e->value, "skip"))
            return c->run.fit.skip_nonfinite = 1, RNNC_OK;
        return bad(e, path, "stop or skip");
    }
    if (!strcmp(e->section, "early_stopping") && !strcmp(e->key, "monitor")) {
        if (!strcmp(e->value, "val_loss"))
            return c->run.fit.monitor = RNNC_MONITOR_VAL_LOSS, RNNC_OK;
        if (!strcmp(e->value, "val_accuracy"))
            return c->run.fit.monitor = RNNC_MONITOR_VAL_ACCURACY, RNNC_OK;
        if (!strcmp(e->value, "val_score"))
            return c->run.fit.monitor = RNNC_MONITOR_VAL_SCORE, RNNC_OK;
        return bad(e, path, "val_loss, val_accuracy or val_score");
    }
    if (!strcmp(e->section, "schedule") && !strcmp(e->key, "anneal")) {
        if (!strcmp(e->value, "cos"))
            return c->run.fit.sched.anneal = RNNC_ANNEAL_COS, RNNC_OK;
        if (!strcmp(e->value, "linear"))
            return c->run.fit.sched.anneal = RNNC_ANNEAL_LINEAR, RNNC_OK;
        return bad(e, path, "cos or linear");
    }
    if (!strcmp(e->section, "schedule") && !strcmp(e->key, "mode")) {
        if (!strcmp(e->value, "min"))
            return c->run.fit.sched.mode = RNNC_PLATEAU_MIN, RNNC_OK;
        if (!strcmp(e->value, "max"))
            return c->run.fit.sched.mode = RNNC_PLATEAU_MAX, RNNC_OK;
        return bad(e, path, "min or max");
    }
    if (!strcmp(e->section, "schedule") && !strcmp(e->key, "threshold_mode")) {
        if (!strcmp(e->value, "rel"))
            return c->run.fit.sched.threshold_mode = RNNC_THRESHOLD_REL, 0;
        if (!strcmp(e->value, "abs"))
            return c->run.fit.sched.threshold_mode = RNNC_THRESHOLD_ABS, 0;
        return bad(e, path, "rel or abs");
    }
    if (!strcmp(e->section, "train") && !strcmp(e->key, "threads")) { /* --threads's range */
        long l;
        char want[64];
        snprintf(want, sizeof want, "an integer in [0, %d]", RNNC_MAX_THREADS);
        if (rnnc__value_long(e->value, 0, RNNC_MAX_THREADS, &l))
            return bad(e, path, want);
        c->run.threads = (int)l;
        return RNNC_OK;
    }
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const key_def *k = &keys[i];
        if (strcmp(k->section, e->section) || strcmp(k->name, e->key))
            continue;
        void *dst = k->where(c);
        long l;
        double d;
        switch (k->type) {
        case T_INT:
            if (rnnc__value_long(e->value, 0, 1L << 30, &l))
                return bad(e, path, "an integer >= 0");
            *(int *)dst = (int)l;
            return RNNC_OK;
        case T_LONG:
            if (rnnc__value_long(e->value, 0, 1L << 40, &l))
                return bad(e, path, "an integer >= 0");
            *(long *)dst = l;
            return RNNC_OK;
        case T_U64:
            if (rnnc__value_long(e->value, 0, 1L << 62, &l))
                return bad(e, path, "an integer >= 0");
            *(uint64_t *)dst = (uint64_t)l;
            return RNNC_OK;
        case T_DOUBLE:
            if (rnnc__value_double(e->value, &d))
                return bad(e, path, "a finite number");
            *(double *)dst = d;
            return RNNC_OK;
        case T_FRAC: /* a part of a set: 1 would leave nothing of the rest */
            if (rnnc__value_double(e->value, &d) || d < 0 || d >= 1)
                return bad(e, path, "a number in [0, 1) (a fraction; 0 = none)");
            *(double *)dst = d;
            return RNNC_OK;
        case T_RATE: /* a probability that can be met: 1 would, say, drop every token */
            if (rnnc__value_double(e->value, &d) || d < 0 || d >= 1)
                return bad(e, path, "a number in [0, 1) (a probability; 0 = off)");
            *(double *)dst = d;
            return RNNC_OK;
        case T_BOOL:
            if (rnnc__value_bool(e->value, &l))
                return bad(e, path, "true or false");
            *(int *)dst = (int)l;
            return RNNC_OK;
        case T_SIDE:
            if (to_side(e->value, &l))
                return bad(e, path, "pre or post");
            *(int *)dst = (int)l;
            return RNNC_OK;
        default: /* T_PATH, T_COL */
            if (strlen(e->value) >= k->size)
                return bad(e, path, "a shorter value");
            snprintf((char *)dst, k->size, "%s", e->value);
            return RNNC_OK;
        }
    }
    return RNNC_FAIL(RNNC_ERR_FORMAT, "%s:%d: unknown key '%s' in [%s] (see docs/training.md)",
                     path, e->line, e->key, e->section);
}

static const entry *find(const collect *c, const char *section, const char *key) {
    for (int i = 0; i < c->n; i++)
        if (!strcmp(c->e[i].section, section) && !strcmp(c->e[i].key, key))
            return &c->e[i];
    return NULL;
}

/* The key = value entries of the training sections' text, in file order (c->e: the caller
 * frees it). */
static rnnc_status collect_entries(const char *txt, const char *path, collect *c) {
    memset(c, 0, sizeof *c);
    c->path = path, c->st = RNNC_OK;
    reader r;
    rnnc__ini_lines_init(&r.lines, txt);
    r.c = c;
    int e = ini_parse_stream(read_line, &r, handler, &r);
    rnnc__ini_lines_free(&r.lines);
    rnnc_status st = c->st;
    if (st == RNNC_OK && r.lines.nomem)
        st = RNNC_FAIL(RNNC_ERR_NOMEM, "%s:%d: out of memory", path, r.lines.long_line);
    else if (st == RNNC_OK && r.lines.long_line)
        st = RNNC_FAIL(RNNC_ERR_FORMAT,
                       "%s:%d: line too long: only a 'key = value' line with a short key may be "
                       "longer than %d characters",
                       path, r.lines.long_line, 190);
    if (st == RNNC_OK && e > 0)
        st = RNNC_FAIL(RNNC_ERR_FORMAT, "%s:%d: not a 'key = value' line or [section] header", path,
                       e);
    return st;
}

/* The training sections' entries c into out; with a hook, its section's keys go to the hook. */
static rnnc_status parse_training(const collect *c, const char *path, rnnc_classify_config *out,
                                  rnnc__train_hook *hook) {
    rnnc_status st = RNNC_OK;
    /* the optimizer and schedule names come first: they pick the defaults the other keys edit */
    const entry *on = st == RNNC_OK ? find(c, "optimizer", "name") : NULL;
    if (on) {
        int kind;
        if (rnnc_optim_kind_parse(on->value, &kind) != RNNC_OK)
            st = bad(on, path, "sgd, adam, adamw, rmsprop or adagrad");
        else
            out->run.fit.optim = rnnc_optim_spec_init(kind);
    }
    const entry *sn = st == RNNC_OK ? find(c, "schedule", "name") : NULL;
    if (sn) {
        int kind;
        if (rnnc_sched_kind_parse(sn->value, &kind) != RNNC_OK)
            st =
                bad(sn, path,
                    "constant, step, exponential, cosine, onecycle, plateau or slanted_triangular");
        else
            out->run.fit.sched = rnnc_sched_spec_init(kind);
    }
    for (int i = 0; st == RNNC_OK && i < c->n; i++) {
        const entry *en = &c->e[i];
        if (hook && hook->any_task &&
            (!strcmp(en->section, "data") || !strcmp(en->section, "lm") ||
             !strcmp(en->section, "forecast") || !strcmp(en->section, "translate"))) {
            /* rnnc_train_file_run: the task's sections are not read */
        } else if (hook && !strcmp(en->section, hook->section)) {
            st = hook->on_key(hook->user, en->key, en->value, path, en->line);
        } else if (!strcmp(en->section, "finetune")) {
            /* rnnc_finetune_config_read's (rnnc train refuses a file with it) */
        } else if (!strcmp(en->section, "forecast") || !strcmp(en->section, "lm") ||
                   !strcmp(en->section, "translate")) {
            st = RNNC_FAIL(RNNC_ERR_FORMAT, "%s:%d: [%s] in a %s training file", path, en->line,
                           en->section,
                           !hook                                 ? "text classifier's"
                           : !strcmp(hook->section, "lm")        ? "language model's"
                           : !strcmp(hook->section, "translate") ? "translator's"
                           : !strcmp(hook->section, "data")      ? "arrays'"
                                                                 : "forecaster's");
        } else if (hook && !strcmp(en->section, "data")) {
            st = RNNC_FAIL(RNNC_ERR_FORMAT,
                           "%s:%d: [data] is for text classifiers; this file names its data in "
                           "[%s] (docs/%s.md)",
                           path, en->line, hook->section, hook->section);
        } else {
            st = set_key(out, en, path);
        }
    }
    return st;
}

static rnnc_status read_file(const char *path, text *t) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return RNNC_FAIL(RNNC_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    char *buf = malloc(MAX_FILE + 1);
    size_t n = buf ? fread(buf, 1, MAX_FILE + 1, f) : 0;
    int err = ferror(f);
    fclose(f);
    rnnc_status st = RNNC_OK;
    if (!buf)
        st = RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
    else if (err)
        st = RNNC_FAIL(RNNC_ERR_IO, "%s: read error (is it a folder?)", path);
    else if (n > MAX_FILE)
        st = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: larger than 1 MiB; not a training file", path);
    else if (memchr(buf, 0, n))
        st = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: contains NUL bytes; not a text file", path);
    if (st != RNNC_OK) {
        free(buf);
        return st;
    }
    if (n >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3)) { /* a UTF-8 byte order mark: not text */
        memmove(buf, buf + 3, n - 3);
        n -= 3;
    }
    buf[n] = 0;
    t->s = buf, t->len = n, t->cap = MAX_FILE + 1;
    return RNNC_OK;
}

/* Whether t has a header [name]. */
static int has_section(const text *t, const char *name) {
    const char *p = t->s;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p), n;
        const char *h = header_name(p, len, &n);
        if (h && n == strlen(name) && !strncmp(h, name, n))
            return 1;
        p = nl ? nl + 1 : NULL;
    }
    return 0;
}

/* ---- the training file, read once ---- */

struct rnnc_train_file {
    char *path;
    char **overrides; /* copies, for messages naming an override's line */
    int n_overrides;
    text t;          /* the file after the overrides */
    linemap map;     /* where each line of t came from */
    collect entries; /* the training sections' key = value entries, in file order */
    rnnc_config model;
    enum rnnc_train_task task;
    int added_input_size; /* a forecaster's or arrays' file without [model]: input_size = 1 added */
};

/* Whether the training sections' entries hold [data] format = npz or safetensors (a file on
 * arrays, whose input size comes from its data). */
static int on_arrays(const collect *c) {
    const entry *f = find(c, "data", "format");
    return f && (!strcmp(f->value, "npz") || !strcmp(f->value, "safetensors"));
}

static rnnc_status keep_args(rnnc_train_file *f, const char *path, const char *const *overrides,
                             int n) {
    f->path = strdup(path);
    f->overrides = n > 0 ? calloc((size_t)n, sizeof *f->overrides) : NULL;
    if (!f->path || (n > 0 && !f->overrides))
        return RNNC_FAIL(RNNC_ERR_NOMEM, "%s: out of memory", path);
    for (; f->n_overrides < n; f->n_overrides++)
        if (!(f->overrides[f->n_overrides] = strdup(overrides[f->n_overrides])))
            return RNNC_FAIL(RNNC_ERR_NOMEM, "%s: out of memory", path);
    return RNNC_OK;
}

rnnc_status rnnc_train_file_open(const char *path, const char *const *overrides, int n,
                                 rnnc_train_file **out) {
    if (!path || !out || n < 0 || (n > 0 && !overrides))
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_train_file_open: NULL argument");
    *out = NULL;
    rnnc_train_file *f;
    RNNC_TRY(rnnc__calloc((void **)&f, 1, sizeof *f, "training file"));
    text model = {0}, train = {0};
    rnnc_status st = keep_args(f, path, overrides, n), collected = RNNC_OK;
    if (st == RNNC_OK)
        st = read_file(path, &f->t);
    if (st == RNNC_OK)
        st = map_init(&f->map, &f->t);
    for (int i = 0; st == RNNC_OK && i < n; i++)
        st = apply_override(&f->t, overrides[i], i, &f->map);
    if (st == RNNC_OK)
        st = split_text(&f->t, &model, &train);
    if (st == RNNC_OK) {
        collected = collect_entries(train.s, path, &f->entries);
        f->task = has_section(&train, "forecast")    ? RNNC_TRAIN_FORECAST
                  : has_section(&train, "lm")        ? RNNC_TRAIN_LM
                  : has_section(&train, "translate") ? RNNC_TRAIN_TRANSLATE
                  : on_arrays(&f->entries)           ? RNNC_TRAIN_ARRAYS
                                                     : RNNC_TRAIN_CLASSIFY;
    }
    /* A forecaster's or arrays' encoder gets its input size from the data: without a [model]
     * section one is added at the end (after every real line, so messages keep their lines). */
    if (st == RNNC_OK && (f->task == RNNC_TRAIN_FORECAST || f->task == RNNC_TRAIN_ARRAYS) &&
        !has_section(&model, "model")) {
        static const char add[] = "\n[model]\ninput_size = 1\n";
        if (append(&model, add, strlen(add)))
            st = RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
        f->added_input_size = 1;
    }
    if (st == RNNC_OK)
        st = rnnc_config_parse(model.s, path, &f->model);
    if (st == RNNC_OK)
        st = collected;
    st = name_lines(st, path, overrides, &f->map);
    free(model.s), free(train.s);
    if (st != RNNC_OK) {
        rnnc_train_file_free(f);
        return st;
    }
    *out = f;
    return RNNC_OK;
}

void rnnc_train_file_free(rnnc_train_file *f) {
    if (!f)
        return;
    for (int i = 0; i < f->n_overrides; i++)
        free(f->overrides[i]);
    free(f->overrides), free(f->path), free(f->t.s), free(f->map.v), free(f->entries.e);
    free(f);
}

const char *rnnc_train_file_path(const rnnc_train_file *f) {
    return f ? f->path : NULL;
}

enum rnnc_train_task rnnc_train_file_task(const rnnc_train_file *f) {
    return f ? f->task : RNNC_TRAIN_CLASSIFY;
}

int rnnc_train_file_has_section(const rnnc_train_file *f, const char *section) {
    return f && section && has_section(&f->t, section);
}

rnnc_status rnnc_train_file_model(const rnnc_train_file *f, rnnc_config *out) {
    if (!f || !out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_train_file_model: NULL argument");
    *out = f->model;
    return RNNC_OK;
}

rnnc_status rnnc__train_file_section(const rnnc_train_file *f, const char *section,
                                     rnnc_status (*on_key)(void *user, const char *key,
                                                           const char *value, const char *path,
                                                           int line),
                                     void *user) {
    if (!f || !section || !on_key)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc__train_file_section: NULL argument");
    rnnc_status st = RNNC_OK;
    for (int i = 0; st == RNNC_OK && i < f->entries.n; i++)
        if (!strcmp(f->entries.e[i].section, section))
            st = on_key(user, f->entries.e[i].key, f->entries.e[i].value, f->path,
                        f->entries.e[i].line);
    return name_lines(st, f->path, (const char *const *)f->overrides, &f->map);
}

/* The reader of every training file: a classifier's whole (hook NULL), or with a hook the run's
 * sections and the task's own (see trainconfig.h). */
static rnnc_status read_config(const rnnc_train_file *f, rnnc_classify_config *out,
                               rnnc__train_hook *hook) {
    if (!f || !out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_classify_config_parse: NULL argument");
    const char *path = f->path;
    memset(out, 0, sizeof *out);
    out->text = rnnc_text_spec_init();
    out->run.fit = rnnc_fit_spec_init();
    out->header = -1;
    out->subset_seed = 1, out->test_seed = 1;
    out->run.model = f->model;
    if (hook)
        hook->added_input_size = f->added_input_size;
    rnnc_status st = parse_training(&f->entries, path, out, hook);
    st = name_lines(st, path, (const char *const *)f->overrides, &f->map);
    if (st == RNNC_OK && !hook && !out->train[0])
        st = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: [data] needs 'train = PATH'", path);
    if (st == RNNC_OK && out->validation[0] && out->validation_split > 0)
        st = RNNC_FAIL(RNNC_ERR_FORMAT,
                       "%s: [data] gives both validation and validation_split; choose one", path);
    if (st == RNNC_OK && out->test[0] && out->test_split > 0)
        st = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: [data] gives both test and test_split; choose one",
                       path);
    if (st == RNNC_OK && out->validation_split != 0 &&
        !(out->validation_split > 0 && out->validation_split < 1))
        st = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: [data] validation_split must be in (0, 1)", path);
    out->run.fit.out_dir = out->run.output[0] ? out->run.output : NULL;
    out->run.fit.tensorboard = out->run.tensorboard[0] ? out->run.tensorboard : NULL;
    return st;
}

int rnnc__limit_key(const char *key, const char *value, rnnc_read_limits *lim) {
    static const char *const names[] = {"max_read_bytes", "max_text_bytes", "max_records",
                                        "max_members"};
    uint64_t *dst[] = {&lim->read_bytes, &lim->text_bytes, &lim->records, &lim->members};
    for (int i = 0; i < 4; i++)
        if (!strcmp(key, names[i])) {
            long l;
            if (rnnc__value_long(value, 0, 1L << 62, &l))
                return -1;
            *dst[i] = (uint64_t)l;
            return 1;
        }
    return 0;
}

rnnc_status rnnc_classify_config_parse(const rnnc_train_file *f, rnnc_classify_config *out) {
    return read_config(f, out, NULL);
}

rnnc_status rnnc__train_file_run(const rnnc_train_file *f, rnnc_run_config *out,
                                 rnnc__train_hook *hook) {
    if (!f || !out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc__train_file_run: NULL argument");
    rnnc_classify_config *c = malloc(sizeof *c);
    if (!c)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "%s: out of memory", f->path);
    const rnnc_status st = read_config(f, c, hook);
    *out = c->run;
    out->fit.out_dir = out->output[0] ? out->output : NULL; /* its own copy of the folder */
    out->fit.tensorboard = out->tensorboard[0] ? out->tensorboard : NULL;
    free(c);
    return st;
}

void rnnc__train_file_where(const rnnc_train_file *f, int line, char *buf, size_t cap) {
    if (line < 1 || line > f->map.n) {
        snprintf(buf, cap, "%s", f->path);
        return;
    }
    const int origin = f->map.v[line - 1];
    if (origin > 0) {
        snprintf(buf, cap, "%s:%d", f->path, origin);
    } else { /* the override quoted up to 60 bytes, as name_lines quotes it */
        const char *ov = f->overrides[-origin - 1];
        const int cut = strlen(ov) > 60;
        snprintf(buf, cap, "--set %.*s%s", cut ? 57 : 60, ov, cut ? "..." : "");
    }
}

rnnc_status rnnc_train_file_run(const rnnc_train_file *f, rnnc_run_config *out) {
    rnnc__train_hook hook = {"data", NULL, NULL, 0, 1};
    return rnnc__train_file_run(f, out, &hook);
}

rnnc_status rnnc__train_file_read(const char *path, const char *const *overrides, int n,
                                  enum rnnc__reader which, void *out) {
    if (!out)
        return RNNC_FAIL(RNNC_ERR_ARG, "reading a training file: NULL argument");
    rnnc_train_file *f;
    RNNC_TRY(rnnc_train_file_open(path, overrides, n, &f));
    rnnc_status st;
    switch (which) {
    case RNNC__READ_CLASSIFY: st = rnnc_classify_config_parse(f, out); break;
    case RNNC__READ_LM: st = rnnc_lm_config_parse(f, out); break;
    case RNNC__READ_FORECAST: st = rnnc_forecast_config_parse(f, out); break;
    case RNNC__READ_ARRAYS: st = rnnc_arrays_config_parse(f, out); break;
    case RNNC__READ_TRANSLATE: st = rnnc_translate_config_parse(f, out); break;
    default: st = rnnc_finetune_config_parse(f, out); break;
    }
    rnnc_train_file_free(f);
    return st;
}

rnnc_status rnnc_classify_config_read(const char *path, const char *const *overrides, int n,
                                      rnnc_classify_config *out) {
    return rnnc__train_file_read(path, overrides, n, RNNC__READ_CLASSIFY, out);
}
