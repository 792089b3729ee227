/* rnnc inspect MODEL: what a model file holds. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const char about[] =
    "Lists a model file's layers, output shapes, tensors (PyTorch names, shapes,\n"
    "parameter counts) and metadata (the vocabulary is summarised).\n";

static void print_layers(const char *path, const rnnc_model *m) {
    const rnnc_config *cfg = rnnc_model_config(m);
    printf("%s: %d layer%s\n", path, cfg->n_layers, cfg->n_layers == 1 ? "" : "s");
    for (int i = 0; i < cfg->n_layers; i++) {
        const char *name, *kind;
        size_t feat;
        int seq;
        rnnc_model_layer_info(m, i, &name, &kind, &feat, &seq);
        printf("  %2d  %-10s %-12s output %s%zu)\n", i, kind, name, seq ? "(T, B, " : "(B, ", feat);
    }
}

static void print_tensors(const rnnc_tensor_file *f) {
    printf("\n%-36s %-6s %-14s %10s\n", "tensor", "dtype", "shape", "count");
    size_t total = 0;
    static const char *const dt[] = {"?", "F32", "F64", "I32", "I64", "U8", "F16", "BF16"};
    for (int i = 0; i < rnnc_tensor_file_count(f); i++) {
        const rnnc_tensor *t = rnnc_tensor_file_tensor(f, i);
        char shape[64] = "(";
        size_t count = 1;
        for (int d = 0; d < t->ndim; d++) {
            char b[24];
            snprintf(b, sizeof b, "%s%zu", d ? ", " : "", t->dims[d]);
            strncat(shape, b, sizeof shape - strlen(shape) - 2);
            count *= t->dims[d];
        }
        strcat(shape, ")");
        printf("%-36s %-6s %-14s %10zu\n", t->name,
               t->dtype >= 1 && t->dtype <= 7 ? dt[t->dtype] : "?", shape, count);
        total += count;
    }
    printf("%-36s %-6s %-14s %10zu\n", "total", "", "", total);
}

/* Each key's value: one line, indented lines, or the vocabulary's size. */
static void print_metadata(const rnnc_tensor_file *f) {
    printf("\nmetadata:\n");
    for (int i = 0; i < rnnc_tensor_file_meta_count(f); i++) {
        const char *k, *v;
        rnnc_tensor_file_meta_at(f, i, &k, &v);
        size_t lines = 1;
        for (const char *p = v; *p; p++)
            lines += *p == '\n';
        printf("  ");
        cli_print_text(stdout, k, -1);
        if (!strcmp(k, "rnnc.vocab")) {
            printf(": %zu tokens\n", lines);
        } else if (!strcmp(k, "rnnc.config") || !strcmp(k, "rnnc.text") || lines > 1) {
            printf(":\n");
            for (const char *p = v; *p;) {
                const char *nl = strchr(p, '\n');
                long len = nl ? (long)(nl - p) : (long)strlen(p);
                if (len) {
                    printf("    ");
                    cli_print_text(stdout, p, len);
                    printf("\n");
                }
                p += len + (nl ? 1 : 0);
            }
        } else {
            printf(": ");
            cli_print_text(stdout, v, -1);
            printf("\n");
        }
    }
}

int cmd_inspect(int argc, char **argv) {
    const cli_command c = {"inspect", "MODEL.safetensors",  about, NULL, 0, 1,
                           1,         "one model file only"};
    int n, rc = cli_parse(&c, argc, argv, &n);
    if (rc != CLI_GO)
        return rc;
    rnnc_model *m;
    rnnc_tensor_file *f;
    rnnc_status st = rnnc_model_load(argv[1], &m, &f);
    if (st)
        return cli_fail("inspect", st);
    print_layers(argv[1], m);
    print_tensors(f);
    print_metadata(f);
    rnnc_tensor_file_free(f);
    rnnc_model_free(m);
    return CLI_OK;
}
