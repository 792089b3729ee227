/* rnnc gradcheck MODEL.ini|MODEL.safetensors: the analytic gradient of every parameter tensor
 * against central differences, in double precision (rnnc_gradcheck, docs/gradcheck.md). */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char about[] =
    "Checks the gradients of a model: a model description (docs/model-format.md), the layer\n"
    "sections of a training file, or a model file (its description and its weights). In\n"
    "double precision, on one batch (random, or --data), for L = sum(output * R) with R a\n"
    "random tensor: each parameter tensor's gradient from backward against central\n"
    "differences, entry error |a - n| / max(|a|, |n|, 1e-2). Prints each tensor's worst\n"
    "error and PASS or FAIL against --tolerance; exits 1 when a tensor fails. Dropout is off\n"
    "during the check. Sizes a training file leaves to the data (auto) are checked with a\n"
    "stand-in: vocab 50, and units = the vocabulary (language models) or 2.\n";

/* --data: the first `batch` sequences of an .npz or safetensors file of arrays, time-major. */
static int read_data(const char *path, const rnnc_config *cfg, long batch, rnnc_gradcheck_spec *s,
                     void **keep) {
    rnnc_arrays_source src = rnnc_arrays_source_init();
    src.path = path;
    src.no_target = 1;
    rnnc_arrays_file *f;
    rnnc_status st = rnnc_arrays_read(&src, &f);
    if (st)
        return cli_fail("gradcheck", st);
    const rnnc_arrays *a = rnnc_arrays_file_data(f);
    const int emb = cfg->layers[0].kind == RNNC_LAYER_EMBEDDING;
    if (emb != (a->ids != NULL) || (!emb && a->F != cfg->input_size)) {
        if (emb)
            fprintf(stderr,
                    "rnnc gradcheck: %s: the model starts with an embedding: the data "
                    "needs an array of ids\n",
                    path);
        else
            fprintf(stderr,
                    "rnnc gradcheck: %s: the model takes %d features per step, the data "
                    "has %s%d\n",
                    path, cfg->input_size, a->x ? "" : "ids, not features: ", a->F);
        rnnc_arrays_file_free(f);
        return CLI_USAGE;
    }
    const size_t B = a->n < (size_t)batch ? a->n : (size_t)batch, T = (size_t)a->T,
                 F = emb ? 1 : (size_t)a->F;
    void *buf = calloc(T * B * F + B + 1, emb ? sizeof(int32_t) : sizeof(float));
    int32_t *len = calloc(B, sizeof *len);
    if (!buf || !len) {
        free(buf), free(len), rnnc_arrays_file_free(f);
        return cli_out_of_memory("gradcheck");
    }
    for (size_t b = 0; b < B; b++) {
        len[b] = a->lengths ? a->lengths[b] : (int32_t)T;
        for (size_t t = 0; t < T; t++)
            for (size_t k = 0; k < F; k++) {
                if (emb)
                    ((int32_t *)buf)[t * B + b] = a->ids[b * T + t];
                else
                    ((float *)buf)[(t * B + b) * F + k] = a->x[(b * T + t) * F + k];
            }
    }
    s->steps = (int)T, s->batch = (int)B, s->lengths = len;
    if (emb)
        s->ids = buf;
    else
        s->x = buf;
    keep[0] = buf, keep[1] = len;
    rnnc_arrays_file_free(f);
    printf("data: %s: the first %zu sequence%s, %zu steps\n", path, B, B == 1 ? "" : "s", T);
    return CLI_OK;
}

int cmd_gradcheck(int argc, char **argv) {
    long steps = 5, batch = 3, seed = 1, max_per = 50;
    double tol = 1e-6, eps = 1e-6;
    const char *data = NULL;
    cli_list sets = {0};
    const cli_option opts[] = {
        {"--steps", CLI_INT, &steps, "T", "time steps of the random batch (5)", 1, 10000, NULL},
        {"--batch", CLI_INT, &batch, "B", "sequences of the batch (3)", 1, 10000, NULL},
        {"--seed", CLI_INT, &seed, "N",
         "parameters (of a description), batch, R and the sampled entries (1)", 0, 1L << 62, NULL},
        {"--tolerance", CLI_NUMBER, &tol, "X", "the largest entry error that passes (1e-6)", -1e300,
         1e300, NULL},
        {"--eps", CLI_NUMBER, &eps, "X", "the central differences' step (1e-6)", -1e300, 1e300,
         NULL},
        {"--max-per-tensor", CLI_INT, &max_per, "N",
         "entries compared per tensor, chosen with the seed, half\n"
         "where the gradient is nonzero (50; 0: every entry)",
         0, 1L << 30, NULL},
        {"--data", CLI_STRING, &data, "FILE",
         "an .npz or safetensors file of arrays (x or ids, lengths;\n"
         "docs/arrays.md): its first B sequences instead of a random batch",
         0, 0, NULL},
        {"--set", CLI_LIST, &sets, "s.k=v", "override a key of a description (repeatable)", 0, 0,
         NULL},
    };
    const cli_command c = {"gradcheck",
                           "MODEL.ini|MODEL.safetensors",
                           about,
                           opts,
                           sizeof opts / sizeof opts[0],
                           1,
                           1,
                           "one model only"};
    int n, rc = cli_parse(&c, argc, argv, &n);
    if (rc != CLI_GO)
        return rc;
    if (!(tol > 0) || !(eps > 0)) {
        fprintf(stderr, "rnnc gradcheck: %s %g: must be > 0\n", tol > 0 ? "--eps" : "--tolerance",
                tol > 0 ? eps : tol);
        return CLI_USAGE;
    }
    const char *path = argv[1];
    rnnc_gradcheck_spec s = rnnc_gradcheck_spec_init();
    s.steps = (int)steps, s.batch = (int)batch, s.seed = (uint64_t)seed, s.tolerance = tol;
    s.eps = eps, s.max_per_tensor = (int)max_per;
    rnnc_model *m = NULL;
    rnnc_config cfg;
    rnnc_status st;
    if (cli_is_tensor_file(path)) {
        if (sets.n) {
            fprintf(stderr,
                    "rnnc gradcheck: %s: --set applies to a description, not to a model "
                    "file\n",
                    path);
            return CLI_USAGE;
        }
        if ((st = rnnc_model_load(path, &m, NULL)))
            return cli_fail("gradcheck", st);
        cfg = *rnnc_model_config(m);
        s.weights = m;
    } else {
        rnnc_train_file *tf;
        if ((st = rnnc_train_file_open(path, sets.v, sets.n, &tf)) == RNNC_OK)
            st = rnnc_train_file_model(tf, &cfg);
        rnnc_train_file_free(tf);
        if (st)
            return cli_fail("gradcheck", st);
        int vocab = 0;
        for (int i = 0; i < cfg.n_layers; i++) { /* stand-ins for sizes left to the data */
            rnnc_layer_spec *l = &cfg.layers[i];
            if (l->kind == RNNC_LAYER_EMBEDDING && l->vocab == 0) {
                l->vocab = 50;
                printf("note: layer %d: embedding vocab = auto, checked with 50\n", i);
            }
            if (l->kind == RNNC_LAYER_EMBEDDING && !vocab)
                vocab = l->vocab;
            if (l->kind == RNNC_LAYER_DECODER && l->vocab == 0) {
                l->vocab = 50;
                printf("note: layer %d: decoder vocab = auto, checked with 50\n", i);
            }
            if (l->kind == RNNC_LAYER_DENSE && l->units == 0) {
                l->units = l->tie_weights || (vocab && i == cfg.n_layers - 1) ? vocab : 2;
                printf("note: layer %d: dense units = auto, checked with %d\n", i, l->units);
            }
        }
    }
    void *keep[2] = {NULL, NULL};
    if (data && (rc = read_data(data, &cfg, batch, &s, keep))) {
        rnnc_model_free(m);
        return rc;
    }
    rnnc_gradcheck_report r;
    st = rnnc_gradcheck(&cfg, &s, &r);
    rnnc_model_free(m);
    free(keep[0]), free(keep[1]);
    if (st) {
        char what[1100];
        snprintf(what, sizeof what, "gradcheck: %.1024s", path);
        return cli_fail(what, st);
    }
    printf("%s: gradient check in double, T = %d, B = %d, seed %ld, tolerance %.0e\n", path,
           r.steps, r.batch, seed, tol);
    printf("%-36s %10s %8s %10s %12s %12s\n", "tensor", "entries", "checked", "worst", "analytic",
           "numeric");
    int sampled = 0;
    for (int i = 0; i < r.n_tensors; i++) {
        const rnnc_gradcheck_tensor *t = &r.tensors[i];
        sampled |= t->checked < t->size;
        printf("%-36s %10zu %8zu %10.2e %12.4e %12.4e  %s\n", t->name, t->size, t->checked,
               t->worst, t->analytic, t->numeric, t->pass ? "PASS" : "FAIL");
    }
    if (sampled)
        printf("(a tensor of more than %ld entries is checked on %ld of them, chosen with the "
               "seed)\n",
               max_per, max_per);
    printf("%s: %d of %d tensors within %.0e (worst %.2e)\n", r.failed ? "FAIL" : "PASS",
           r.n_tensors - r.failed, r.n_tensors, tol, r.worst);
    rc = r.failed ? CLI_FAIL : CLI_OK;
    rnnc_gradcheck_report_free(&r);
    return rc;
}
