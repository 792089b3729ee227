/* rnnc summary FILE.ini: reads a model description (or a training file's) and lists layers and
 * parameters. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const char about[] =
    "Reads a model description file (docs/model-format.md), or the layer sections of a\n"
    "training file, builds the model and lists its layers and parameters with PyTorch's\n"
    "names and shapes. Sizes a training file leaves to the data (auto) need a number:\n"
    "give one with --set (e.g. --set embedding.vocab=10000).\n";

static void print_layers(const char *path, const rnnc_config *cfg, const rnnc_model *m) {
    printf("%s: %d layer%s", path, cfg->n_layers, cfg->n_layers == 1 ? "" : "s");
    if (cfg->layers[0].kind != RNNC_LAYER_EMBEDDING)
        printf(", input_size %d", cfg->input_size);
    printf("\n");
    for (int i = 0; i < cfg->n_layers; i++) {
        const rnnc_layer_spec *s = &cfg->layers[i];
        const char *name, *kind;
        size_t feat;
        int seq;
        rnnc_model_layer_info(m, i, &name, &kind, &feat, &seq);
        char detail[96] = "";
        if (s->kind == RNNC_LAYER_POOL)
            snprintf(detail, sizeof detail, "%s over time",
                     s->pool == RNNC_POOL_MEAN ? "mean" : "max");
        else if (rnnc_layer_is_recurrent(s->kind))
            snprintf(detail, sizeof detail, "%d layer%s%s", s->layers, s->layers > 1 ? "s" : "",
                     s->bidirectional ? (s->merge == RNNC_MERGE_SUM ? ", bidirectional (sum)"
                                                                    : ", bidirectional (concat)")
                                      : "");
        else if (s->kind == RNNC_LAYER_DECODER)
            snprintf(detail, sizeof detail, "%d %s, %s", s->layers,
                     s->cell == RNNC_LAYER_GRU ? "gru" : "lstm",
                     s->attention == RNNC_ATTN_DOT        ? "dot"
                     : s->attention == RNNC_ATTN_ADDITIVE ? "additive"
                                                          : "general");
        /* a decoder's output has the target's steps (dec_T), not the source's */
        printf("  %2d  %-10s %-10s %-24s output %s%zu)\n", i, kind, name, detail,
               s->kind == RNNC_LAYER_DECODER ? "(T_dec, B, "
               : seq                         ? "(T, B, "
                                             : "(B, ",
               feat);
    }
}

static void print_params(const rnnc_model *m) {
    printf("\n%-36s %-14s %10s\n", "parameter", "shape", "count");
    size_t total = 0;
    for (int i = 0; i < rnnc_model_param_count(m); i++) {
        const char *name;
        int nd;
        size_t d[2];
        rnnc_model_param_info(m, i, &name, &nd, d);
        char shape[32];
        if (nd == 1)
            snprintf(shape, sizeof shape, "(%zu)", d[0]);
        else
            snprintf(shape, sizeof shape, "(%zu, %zu)", d[0], d[1]);
        printf("%-36s %-14s %10zu\n", name, shape, nd == 1 ? d[0] : d[0] * d[1]);
        total += nd == 1 ? d[0] : d[0] * d[1];
    }
    printf("%-36s %-14s %10zu\n", "total", "", total);
}

int cmd_summary(int argc, char **argv) {
    cli_list sets = {0};
    const cli_option opts[] = {
        {"--set", CLI_LIST, &sets, "s.k=v", "override a key of the file (repeatable)", 0, 0, NULL},
    };
    const cli_command c = {"summary", "FILE.ini", about, opts, 1, 1, 1, "one file only"};
    int n, rc = cli_parse(&c, argc, argv, &n);
    if (rc != CLI_GO)
        return rc;
    const char *path = argv[1];
    rnnc_config cfg;
    rnnc_train_file *tf;
    rnnc_status st = rnnc_train_file_open(path, sets.v, sets.n, &tf);
    if (st == RNNC_OK)
        st = rnnc_train_file_model(tf, &cfg);
    rnnc_train_file_free(tf);
    if (st)
        return cli_fail("summary", st);
    for (int i = 0; i < cfg.n_layers; i++) {
        const rnnc_layer_spec *s = &cfg.layers[i];
        const char *key = s->kind == RNNC_LAYER_EMBEDDING && s->vocab == 0 ? "embedding.vocab"
                          : s->kind == RNNC_LAYER_DENSE && s->units == 0   ? "dense.units"
                                                                           : NULL;
        if (key) {
            fprintf(stderr,
                    "rnnc summary: %s: layer %d: %s = auto is set from the training data; give "
                    "a number with --set %s=N\n",
                    path, i, key, key);
            return CLI_USAGE;
        }
    }
    rnnc_model *m;
    if ((st = rnnc_model_create(&cfg, 0, &m))) {
        /* The model's messages (e.g. an arena too large to allocate) do not know the file. */
        char what[1100];
        snprintf(what, sizeof what, "summary: %.1024s", path);
        return cli_fail(what, st);
    }
    print_layers(path, &cfg, m);
    print_params(m);
    rnnc_model_free(m);
    return CLI_OK;
}
