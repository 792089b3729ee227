/* Model description files: INI, one section per layer in order, read with libinih (Debian's
 * libinih-dev). Format: docs/model-format.md.
 *
 * INI has no notion of repeated sections, so our line reader gives every section header a
 * sequence number ("[lstm]" reaches the handler as "lstm#3") and counts lines, which lets every
 * message name the line. */
#include "../core/core.h"
#include "rnnc/nn.h"
#include "layers.h"
#include "plan.h"

#include <errno.h>
#include <float.h>
#include "../formats/inilines.h"
#include "../formats/values.h"

#include <ini.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE (1 << 20) /* a model description is a few hundred bytes */
#define MAX_SECTIONS (RNNC_MAX_LAYERS + 1)

typedef struct section {
    int layer; /* index into cfg->layers, or -1 for [model] */
    int line;
    unsigned seen; /* bit per key index, to find repeats and missing keys */
} section;

typedef struct parser {
    const char *name;      /* file name for messages */
    rnnc__ini_lines lines; /* the text, line by line */
    section sec[MAX_SECTIONS];
    int n_sec;
    int model_seen;
    rnnc_config *cfg;
    rnnc_status st; /* first error */
} parser;

static rnnc_status perr(parser *p, int line, const char *fmt, const char *a, const char *b) {
    if (p->st == RNNC_OK) {
        char msg[512];
        snprintf(msg, sizeof msg, fmt, a, b);
        p->st = RNNC_FAIL(RNNC_ERR_FORMAT, "%s:%d: %s", p->name, line, msg);
    }
    return p->st;
}

/* The layer kind a section is named after (rnnc__kind_name: the other layers, then the cells'
 * names from their table), or 0. */
static int kind_of_section(const char *name) {
    static const int others[] = {RNNC_LAYER_EMBEDDING, RNNC_LAYER_DENSE, RNNC_LAYER_DROPOUT,
                                 RNNC_LAYER_POOL, RNNC_LAYER_DECODER};
    for (size_t k = 0; k < sizeof others / sizeof others[0]; k++)
        if (!strcmp(name, rnnc__kind_name(others[k])))
            return others[k];
    for (int c = 0; c < rnnc__n_cells; c++)
        if (!strcmp(name, rnnc__cells[c]->name))
            return rnnc__cells[c]->kind;
    return 0;
}

/* "model, embedding, dense, dropout, rnn, lstm, gru, pool or decoder": every section name, for
 * messages. */
static void section_names(char *out, size_t cap) {
    size_t n = (size_t)snprintf(out, cap, "model, embedding, dense, dropout");
    for (int c = 0; c < rnnc__n_cells && n < cap; c++)
        if (c == 0 || strcmp(rnnc__cells[c]->name, rnnc__cells[c - 1]->name))
            n += (size_t)snprintf(out + n, cap - n, ", %s", rnnc__cells[c]->name);
    if (n < cap)
        snprintf(out + n, cap - n, ", pool or decoder");
}

/* Registers a section header seen by the reader; returns its number or -1. */
static int add_section(parser *p, const char *hdr, size_t len) {
    char name[32];
    if (len == 0 || len >= sizeof name) {
        perr(p, p->lines.line, "section header '[%s]' is not a layer kind%s", len ? "..." : "", "");
        return -1;
    }
    memcpy(name, hdr, len);
    name[len] = 0;
    if (p->n_sec >= MAX_SECTIONS) {
        perr(p, p->lines.line, "too many sections (a model has at most %s layers)", "64", "");
        return -1;
    }
    section *s = &p->sec[p->n_sec];
    s->line = p->lines.line;
    s->seen = 0;
    if (strcmp(name, "model") == 0) {
        if (p->model_seen)
            perr(p, p->lines.line, "[model] appears twice%s%s", "", "");
        p->model_seen = 1;
        s->layer = -1;
        return p->n_sec++;
    }
    const int kind = kind_of_section(name);
    if (kind) {
        if (p->cfg->n_layers >= RNNC_MAX_LAYERS) {
            perr(p, p->lines.line, "too many layers (at most %s)", "64", "");
            return -1;
        }
        s->layer = p->cfg->n_layers;
        p->cfg->layers[p->cfg->n_layers++] = rnnc_layer_spec_init(kind);
        return p->n_sec++;
    }
    char names[160];
    section_names(names, sizeof names);
    perr(p, p->lines.line, "unknown section [%s] (expected %s)", name, names);
    return -1;
}

/* ini_reader: one line per call, section headers numbered. */
static char *read_line(char *str, int num, void *stream) {
    parser *p = stream;
    if (!rnnc__ini_lines_next(&p->lines, str, num, 8)) /* room for the "#nn" we may add */
        return NULL;
    char *h = str;
    while (*h == ' ' || *h == '\t')
        h++;
    if (*h == '[') {
        char *close = strchr(h, ']');
        if (close) {
            int k = add_section(p, h + 1, (size_t)(close - h - 1));
            if (k >= 0) { /* "[lstm]..." -> "[lstm#k]..." */
                char tail[256];
                snprintf(tail, sizeof tail, "%s", close);
                snprintf(close, (size_t)num - (size_t)(close - str), "#%d%s", k, tail);
            }
        }
    }
    return str;
}

static int parse_choice(const char *v, const char *const *names, const int *vals, int n,
                        long *out) {
    for (int i = 0; i < n; i++)
        if (!strcmp(v, names[i]))
            return *out = vals[i], 0;
    return -1;
}

/* Keys; `kinds` is a bit set of the sections that accept the key (bit 0: [model]), to which the
 * top bits add recurrent kinds by what their cells have (rnnc__cells): REC every one, REC_ACT
 * those with a nonlinearity to choose, REC_FORGET those with a forget gate. */
enum {
    K_INT,
    K_FLOAT,
    K_BOOL,
    K_ACT,
    K_MERGE,
    K_NONLIN,
    K_NAME,
    K_POOL,
    K_INIT,
    K_CELL,
    K_ATTN,
    K_BRIDGE
};
#define BIT(kind) (1u << (kind))
#define REC (1u << 29)
#define REC_ACT (1u << 30)
#define REC_FORGET (1u << 31)
#define DEC BIT(RNNC_LAYER_DECODER)
static const struct key {
    const char *name;
    unsigned kinds;
    int type;
    size_t offset;
} keys[] = {
    {"input_size", 1, K_INT, offsetof(rnnc_config, input_size)},
    {"name", ~1u, K_NAME, offsetof(rnnc_layer_spec, name)},
    {"vocab", BIT(RNNC_LAYER_EMBEDDING) | DEC, K_INT, offsetof(rnnc_layer_spec, vocab)},
    {"dim", BIT(RNNC_LAYER_EMBEDDING) | DEC, K_INT, offsetof(rnnc_layer_spec, dim)},
    {"padding_idx", BIT(RNNC_LAYER_EMBEDDING), K_INT, offsetof(rnnc_layer_spec, padding_idx)},
    {"units", BIT(RNNC_LAYER_DENSE), K_INT, offsetof(rnnc_layer_spec, units)},
    {"activation", BIT(RNNC_LAYER_DENSE), K_ACT, offsetof(rnnc_layer_spec, activation)},
    {"rate", BIT(RNNC_LAYER_DROPOUT), K_FLOAT, offsetof(rnnc_layer_spec, rate)},
    {"hidden", REC | DEC, K_INT, offsetof(rnnc_layer_spec, hidden)},
    {"layers", REC | DEC, K_INT, offsetof(rnnc_layer_spec, layers)},
    {"bidirectional", REC, K_BOOL, offsetof(rnnc_layer_spec, bidirectional)},
    {"merge", REC, K_MERGE, offsetof(rnnc_layer_spec, merge)},
    {"return_sequences", REC, K_BOOL, offsetof(rnnc_layer_spec, return_sequences)},
    {"dropout", REC, K_FLOAT, offsetof(rnnc_layer_spec, dropout)},
    {"weight_drop", REC, K_FLOAT, offsetof(rnnc_layer_spec, weight_drop)},
    {"nonlinearity", REC_ACT, K_NONLIN, offsetof(rnnc_layer_spec, nonlinearity)},
    {"forget_bias", REC_FORGET, K_FLOAT, offsetof(rnnc_layer_spec, forget_bias)},
    {"mode", BIT(RNNC_LAYER_POOL), K_POOL, offsetof(rnnc_layer_spec, pool)},
    {"init", BIT(RNNC_LAYER_EMBEDDING) | BIT(RNNC_LAYER_DENSE) | REC, K_INIT,
     offsetof(rnnc_layer_spec, init)},
    {"init_range", BIT(RNNC_LAYER_EMBEDDING) | BIT(RNNC_LAYER_DENSE) | REC, K_FLOAT,
     offsetof(rnnc_layer_spec, init_range)},
    {"tie_weights", BIT(RNNC_LAYER_DENSE) | DEC, K_BOOL, offsetof(rnnc_layer_spec, tie_weights)},
    {"cell", DEC, K_CELL, offsetof(rnnc_layer_spec, cell)},
    {"attention", DEC, K_ATTN, offsetof(rnnc_layer_spec, attention)},
    {"attention_size", DEC, K_INT, offsetof(rnnc_layer_spec, attention_size)},
    {"input_feed", DEC, K_BOOL, offsetof(rnnc_layer_spec, input_feed)},
    {"bridge", DEC, K_BRIDGE, offsetof(rnnc_layer_spec, bridge)},
};
#define N_KEYS (int)(sizeof keys / sizeof keys[0])

/* Whether a section of this kind (0: [model]) takes the key. */
static int accepts(const struct key *k, int kind) {
    if (k->kinds & BIT(kind))
        return 1;
    for (int c = 0; c < rnnc__n_cells; c++)
        if (rnnc__cells[c]->kind == kind &&
            ((k->kinds & REC) || ((k->kinds & REC_ACT) && rnnc__cells[c]->act >= 0) ||
             ((k->kinds & REC_FORGET) && rnnc__cells[c]->forget_gate >= 0)))
            return 1;
    return 0;
}

static int handler(void *user, const char *sec_name, const char *name, const char *value) {
    parser *p = user;
    value = rnnc__ini_value(&p->lines, value);
    const char *hash = strrchr(sec_name, '#');
    if (!hash)
        return 0; /* only when add_section failed; the error is recorded */
    /* The number must be one read_line added: a header that read_line did not number (it failed,
     * or inih saw a header read_line did not, e.g. after a '\v') may hold any '#' text. */
    char *end;
    const long idx = strtol(hash + 1, &end, 10);
    if (p->st != RNNC_OK)
        return 0;
    if (*end || end == hash + 1 || idx < 0 || idx >= p->n_sec) {
        perr(p, p->lines.line, "section header '[%s]' is not a layer kind%s", sec_name, "");
        return 0;
    }
    section *s = &p->sec[idx];
    const int kind = s->layer < 0 ? 0 : p->cfg->layers[s->layer].kind;
    const char *kname = s->layer < 0 ? "model" : rnnc__kind_name(kind);
    int ki = -1;
    for (int k = 0; k < N_KEYS; k++)
        if (!strcmp(keys[k].name, name) && accepts(&keys[k], kind))
            ki = k;
    if (ki < 0) {
        perr(p, p->lines.line, "unknown key '%s' in [%s] (see docs/model-format.md)", name, kname);
        return 0;
    }
    if (s->seen & (1u << ki)) {
        perr(p, p->lines.line, "key '%s' appears twice in [%s]", name, kname);
        return 0;
    }
    s->seen |= 1u << ki;
    char *base = s->layer < 0 ? (char *)p->cfg : (char *)&p->cfg->layers[s->layer];
    const struct key *k = &keys[ki];
    long iv = 0;
    double fv = 0;
    static const char *const acts[] = {"linear", "sigmoid", "tanh", "relu", "softmax"};
    static const int act_v[] = {RNNC_ACT_LINEAR, RNNC_ACT_SIGMOID, RNNC_ACT_TANH, RNNC_ACT_RELU,
                                RNNC_ACT_SOFTMAX};
    static const char *const merges[] = {"concat", "sum"};
    static const int merge_v[] = {RNNC_MERGE_CONCAT, RNNC_MERGE_SUM};
    static const char *const pools[] = {"max", "mean"};
    static const int pool_v[] = {RNNC_POOL_MAX, RNNC_POOL_MEAN};
    static const char *const inits[] = {"torch", "keras", "uniform", "identity"};
    static const int init_v[] = {RNNC_INIT_TORCH, RNNC_INIT_KERAS, RNNC_INIT_UNIFORM,
                                 RNNC_INIT_IDENTITY};
    static const char *const cells[] = {"lstm", "gru"};
    static const int cell_v[] = {RNNC_LAYER_LSTM, RNNC_LAYER_GRU};
    static const char *const attns[] = {"dot", "general", "additive"};
    static const int attn_v[] = {RNNC_ATTN_DOT, RNNC_ATTN_GENERAL, RNNC_ATTN_ADDITIVE};
    static const char *const bridges[] = {"none", "copy", "linear"};
    static const int bridge_v[] = {RNNC_BRIDGE_NONE, RNNC_BRIDGE_COPY, RNNC_BRIDGE_LINEAR};
    int bad = 0;
    switch (k->type) {
    case K_INT:
        /* "auto": a task sets the size from its data (a language model's vocabulary) */
        if ((!strcmp(name, "vocab") || !strcmp(name, "units")) && !strcmp(value, "auto"))
            iv = 0;
        else
            bad = rnnc__value_long(value, -1, 1L << 30, &iv);
        break;
    case K_FLOAT: /* stored as float: a larger magnitude would become infinity */
        bad = rnnc__value_double(value, &fv) || !(fabs(fv) <= FLT_MAX);
        break;
    case K_BOOL: bad = rnnc__value_bool(value, &iv); break;
    case K_ACT: bad = parse_choice(value, acts, act_v, 5, &iv); break;
    case K_MERGE: bad = parse_choice(value, merges, merge_v, 2, &iv); break;
    case K_NONLIN: bad = parse_choice(value, acts + 2, act_v + 2, 2, &iv); break;
    case K_POOL: bad = parse_choice(value, pools, pool_v, 2, &iv); break;
    case K_INIT: bad = parse_choice(value, inits, init_v, 4, &iv); break;
    case K_CELL: bad = parse_choice(value, cells, cell_v, 2, &iv); break;
    case K_ATTN: bad = parse_choice(value, attns, attn_v, 3, &iv); break;
    case K_BRIDGE: bad = parse_choice(value, bridges, bridge_v, 3, &iv); break;
    case K_NAME:
        if (strlen(value) >= RNNC_NAME_MAX)
            bad = -1;
        else
            snprintf(base + k->offset, RNNC_NAME_MAX, "%s", value);
        break;
    }
    if (bad) {
        static const char *const want[] = {"an integer in [-1, 1073741824]",
                                           "a finite number of magnitude at most 3.4e38",
                                           "0/1/true/false",
                                           "linear, sigmoid, tanh, relu or softmax",
                                           "concat or sum",
                                           "tanh or relu",
                                           "a name shorter than 48 characters",
                                           "max or mean",
                                           "torch, keras, uniform or identity",
                                           "lstm or gru",
                                           "dot, general or additive",
                                           "none, copy or linear"};
        char what[96];
        snprintf(what, sizeof what, "%s = '%.40s'", name, value);
        perr(p, p->lines.line, "%s: expected %s", what, want[k->type]);
        return 0;
    }
    if (k->type == K_FLOAT)
        *(float *)(base + k->offset) = (float)fv;
    else if (k->type != K_NAME)
        *(int *)(base + k->offset) = (int)iv;
    if (!strcmp(name, "forget_bias"))
        p->cfg->layers[s->layer].set_forget_bias = 1;
    return 1;
}

/* Keys every section of a kind must give. */
static void check_required(parser *p) {
    static const struct {
        int kind;
        const char *key;
    } req[] = {{RNNC_LAYER_EMBEDDING, "vocab"}, {RNNC_LAYER_EMBEDDING, "dim"},
               {RNNC_LAYER_DENSE, "units"},     {RNNC_LAYER_DROPOUT, "rate"},
               {RNNC_LAYER_DECODER, "vocab"},   {RNNC_LAYER_DECODER, "dim"},
               {RNNC_LAYER_DECODER, "hidden"},  {-1, "hidden"}}; /* -1: every recurrent kind */
    for (int i = 0; i < p->n_sec; i++) {
        const section *s = &p->sec[i];
        if (s->layer < 0)
            continue;
        const int kind = p->cfg->layers[s->layer].kind;
        for (size_t r = 0; r < sizeof req / sizeof req[0]; r++) {
            if (req[r].kind != kind && !(req[r].kind < 0 && rnnc__is_recurrent(kind)))
                continue;
            for (int k = 0; k < N_KEYS; k++)
                if (!strcmp(keys[k].name, req[r].key) && !(s->seen & (1u << k)))
                    perr(p, s->line, "this section needs '%s = ...'%s", req[r].key, "");
        }
    }
}

rnnc_status rnnc_config_parse(const char *text, const char *name, rnnc_config *out) {
    if (!text || !out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_config_parse: NULL argument");
    if (!name)
        name = "<config>";
    if (!strncmp(text, "\xEF\xBB\xBF", 3)) /* a UTF-8 byte order mark (editors on Windows) */
        text += 3;
    parser p;
    memset(&p, 0, sizeof p);
    memset(out, 0, sizeof *out);
    p.name = name, p.cfg = out, p.st = RNNC_OK;
    rnnc__ini_lines_init(&p.lines, text);
    int r = ini_parse_stream(read_line, &p, handler, &p);
    rnnc__ini_lines_free(&p.lines);
    if (p.lines.nomem)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "%s:%d: out of memory", name, p.lines.long_line);
    if (p.lines.long_line)
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s:%d: line too long: only a 'key = value' line with a short key may be "
                         "longer than %d characters",
                         name, p.lines.long_line, 180);
    if (p.st != RNNC_OK)
        return p.st;
    if (r > 0)
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s:%d: not a 'key = value' line or [section] header",
                         name, r);
    if (r < 0)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "%s: the INI parser ran out of memory", name);
    check_required(&p);
    if (p.st != RNNC_OK)
        return p.st;
    if (out->n_layers == 0)
        return RNNC_FAIL(RNNC_ERR_FORMAT, "%s: no layers (add sections such as [lstm])", name);
    /* sizes left to the task ("auto", kept as 0) are checked with a stand-in value */
    rnnc_config *probe = malloc(sizeof *probe);
    if (!probe)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "%s: out of memory", name);
    *probe = *out;
    for (int i = 0; i < probe->n_layers; i++) {
        rnnc_layer_spec *s = &probe->layers[i];
        if ((s->kind == RNNC_LAYER_EMBEDDING || s->kind == RNNC_LAYER_DECODER) && s->vocab == 0)
            s->vocab = 2;
        if (s->kind == RNNC_LAYER_DENSE && s->units == 0)
            s->units = s->tie_weights && probe->layers[0].kind == RNNC_LAYER_EMBEDDING
                           ? probe->layers[0].vocab
                           : 2;
    }
    rnnc_status st = rnnc_config_validate(probe);
    free(probe);
    return st == RNNC_OK ? RNNC_OK : rnnc__fail_prefix(st, name);
}

rnnc_status rnnc_config_read(const char *path, rnnc_config *out) {
    if (!path || !out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_config_read: NULL argument");
    FILE *f = fopen(path, "rb");
    if (!f)
        return RNNC_FAIL(RNNC_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    char *buf = malloc(MAX_FILE + 1);
    if (!buf) {
        fclose(f);
        return RNNC_FAIL(RNNC_ERR_NOMEM, "%s: cannot allocate a read buffer", path);
    }
    size_t n = fread(buf, 1, MAX_FILE + 1, f);
    int err = ferror(f);
    fclose(f);
    rnnc_status st;
    if (err)
        st = RNNC_FAIL(RNNC_ERR_IO, "%s: read error (is it a directory?)", path);
    else if (n > MAX_FILE)
        st = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: larger than %d bytes; not a model description", path,
                       MAX_FILE);
    else if (memchr(buf, 0, n))
        st = RNNC_FAIL(RNNC_ERR_FORMAT, "%s: contains NUL bytes; not a text file", path);
    else {
        buf[n] = 0;
        st = rnnc_config_parse(buf, path, out);
    }
    free(buf);
    return st;
}

/* ---------------------------------------------------------------------------------------------
 * Writing: every key of every section in the order of the key table, so that rnnc_config_parse
 * reads the text back to an equal config.
 */

/* The shortest "%.Ng" that reads back to the same float through parse_float. */
static void format_float(float v, char *buf, size_t size) {
    for (int digits = 6; digits <= 9; digits++) {
        snprintf(buf, size, "%.*g", digits, (double)v);
        double back;
        if (rnnc__value_double(buf, &back) == 0 && (float)back == v)
            return;
    }
}

static const char *choice_name(int type, int v) {
    static const char *const acts[] = {"linear", "sigmoid", "tanh", "relu", "softmax"};
    switch (type) {
    case K_BOOL: return v ? "true" : "false";
    case K_ACT:
    case K_NONLIN: return v >= RNNC_ACT_LINEAR && v <= RNNC_ACT_SOFTMAX ? acts[v] : "?";
    case K_MERGE: return v == RNNC_MERGE_SUM ? "sum" : "concat";
    case K_POOL: return v == RNNC_POOL_MEAN ? "mean" : "max";
    case K_INIT:
        return v == RNNC_INIT_KERAS      ? "keras"
               : v == RNNC_INIT_UNIFORM  ? "uniform"
               : v == RNNC_INIT_IDENTITY ? "identity"
                                         : "torch";
    case K_CELL: return v == RNNC_LAYER_GRU ? "gru" : "lstm";
    case K_ATTN:
        return v == RNNC_ATTN_DOT ? "dot" : v == RNNC_ATTN_ADDITIVE ? "additive" : "general";
    case K_BRIDGE:
        return v == RNNC_BRIDGE_NONE ? "none" : v == RNNC_BRIDGE_COPY ? "copy" : "linear";
    default: return "?";
    }
}

/* Writes the keys of one section; kind 0 is [model]. */
static void write_section(FILE *fp, const char *base, int kind, const rnnc_layer_spec *s) {
    for (int k = 0; k < N_KEYS; k++) {
        const struct key *key = &keys[k];
        if (!accepts(key, kind))
            continue;
        const char *field = base + key->offset;
        /* An empty name means "the default name"; writing none keeps it empty. */
        if (key->type == K_NAME && !field[0])
            continue;
        /* forget_bias present means "set it"; absent means PyTorch's initialisation. */
        if (!strcmp(key->name, "forget_bias") && !s->set_forget_bias)
            continue;
        if (!strcmp(key->name, "init_range") && s->init != RNNC_INIT_UNIFORM)
            continue;
        if (!strcmp(key->name, "tie_weights") && !s->tie_weights)
            continue;
        if (!strcmp(key->name, "weight_drop") && !s->weight_drop)
            continue;
        char num[32];
        const char *val;
        switch (key->type) {
        case K_INT:
            snprintf(num, sizeof num, "%d", *(const int *)field);
            val = num;
            break;
        case K_FLOAT:
            format_float(*(const float *)field, num, sizeof num);
            val = num;
            break;
        case K_NAME: val = field; break;
        default: val = choice_name(key->type, *(const int *)field);
        }
        fprintf(fp, "%s = %s\n", key->name, val);
    }
}

rnnc_status rnnc_config_write(const rnnc_config *cfg, char **out) {
    if (!cfg || !out)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_config_write: NULL argument");
    *out = NULL;
    rnnc_status st = rnnc_config_validate(cfg);
    if (st != RNNC_OK)
        return rnnc__fail_prefix(st, "rnnc_config_write");
    for (int i = 0; i < cfg->n_layers; i++) {
        const rnnc_layer_spec *s = &cfg->layers[i];
        if (s->set_forget_bias && rnnc__is_recurrent(s->kind) && !isfinite(s->forget_bias))
            return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_config_write: layer %d: forget_bias is %g", i,
                             (double)s->forget_bias);
    }
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);
    if (!fp)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "rnnc_config_write: cannot open a memory stream");
    fprintf(fp, "# rnnc %s model description\n[model]\n", rnnc_version());
    write_section(fp, (const char *)cfg, 0, &cfg->layers[0]);
    for (int i = 0; i < cfg->n_layers; i++) {
        const rnnc_layer_spec *s = &cfg->layers[i];
        fprintf(fp, "\n[%s]\n", rnnc__kind_name(s->kind));
        write_section(fp, (const char *)s, s->kind, s);
    }
    int bad = ferror(fp);
    if (fclose(fp) != 0 || bad || !text) {
        free(text);
        return RNNC_FAIL(RNNC_ERR_NOMEM, "rnnc_config_write: cannot write to a memory stream");
    }
    *out = text;
    return RNNC_OK;
}
