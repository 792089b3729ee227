/* The encoder-decoder with attention (a model ending in a decoder layer, src/nn/decoder.c) against
 * PyTorch, in the double copy of the engine: for each fixture of tests/gen/gen_seq2seq_fixtures.py (a padded batch of sources, the
 * module of the same structure built from nn.Embedding, nn.LSTM / nn.GRU over packed sequences and
 * nn.Linear), every parameter is loaded by its name, and the logits, the attention weights and
 * the gradient of every parameter of the loss sum(R * logits) must equal PyTorch's. Teeth: the
 * logits with one entry of decoder.concat.weight changed by 1e-3 must differ. */
#define RNNC_REAL_F64 /* the double copy of the engine */
#include "check.h"
#include "fixture.h"
#include "nn/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIXTURE_DIR "tests/fixtures"

static int pick(const char *v, const char *const *names, int n) {
    for (int i = 0; i < n; i++)
        if (v && !strcmp(v, names[i]))
            return i;
    return -1;
}

static double max_rel(const double *got, const double *want, size_t n) {
    double err = 0, scale = 1e-4; /* entries that are 0 in exact arithmetic: absolutely */
    for (size_t i = 0; i < n; i++)
        scale = fmax(scale, fabs(want[i]));
    for (size_t i = 0; i < n; i++)
        err = fmax(err, fabs(got[i] - want[i]));
    return err / scale;
}

static void test_fixture(const char *file) {
    char path[256], err[512];
    snprintf(path, sizeof path, "%s/%s", FIXTURE_DIR, file);
    fixture *f = fixture_load(path, err, sizeof err);
    if (!check(f != NULL, "load %s: %s", path, f ? "" : err))
        return;
    static const char *const cells[] = {"lstm", "gru"}, *const kinds[] = {"dot", "general",
                                                                          "additive"};
    static const char *const bridges[] = {"none", "copy", "linear"};
    const int cell_kind[] = {RNNC_LAYER_LSTM, RNNC_LAYER_GRU};
    const int ec = pick(fixture_meta(f, "enc_cell"), cells, 2);
    const int dc = pick(fixture_meta(f, "cell"), cells, 2);
    const int ak = pick(fixture_meta(f, "attention"), kinds, 3);
    const int br = pick(fixture_meta(f, "bridge"), bridges, 3);
    const size_t S = (size_t)fixture_meta_int(f, "S", 0), T = (size_t)fixture_meta_int(f, "T", 0);
    const size_t B = (size_t)fixture_meta_int(f, "B", 0), VT = (size_t)fixture_meta_int(f, "VT", 0);
    if (!check(ec >= 0 && dc >= 0 && ak >= 0 && br >= 0 && S && T && B && VT,
               "%s: the configuration is one rnnc builds", file)) {
        fixture_free(f);
        return;
    }
    rnnc_config c;
    memset(&c, 0, sizeof c);
    c.n_layers = 3;
    c.layers[0] = rnnc_layer_spec_init(RNNC_LAYER_EMBEDDING);
    c.layers[0].vocab = fixture_meta_int(f, "VS", 0);
    c.layers[0].dim = fixture_meta_int(f, "enc_dim", 0);
    c.layers[1] = rnnc_layer_spec_init(cell_kind[ec]);
    c.layers[1].hidden = fixture_meta_int(f, "enc_hidden", 0);
    c.layers[1].layers = fixture_meta_int(f, "enc_layers", 0);
    c.layers[1].bidirectional = fixture_meta_int(f, "enc_bi", 0);
    c.layers[1].return_sequences = 1;
    rnnc_layer_spec *d = &c.layers[2];
    *d = rnnc_layer_spec_init(RNNC_LAYER_DECODER);
    d->cell = cell_kind[dc], d->layers = fixture_meta_int(f, "layers", 0);
    d->hidden = fixture_meta_int(f, "H", 0), d->dim = fixture_meta_int(f, "E", 0);
    d->vocab = (int)VT, d->attention = ak, d->attention_size = fixture_meta_int(f, "A", 0);
    d->input_feed = fixture_meta_int(f, "input_feed", 0), d->bridge = br;
    d->tie_weights = fixture_meta_int(f, "tie", 0);
    rnnc__model *m;
    if (!check(rnnc__model_create(&c, 1, &m) == RNNC_OK, "%s: the model builds (%s)", file,
               rnnc_last_error())) {
        fixture_free(f);
        return;
    }
    const rnnc__plan *p = rnnc__model_plan(m);
    double *params = rnnc__model_params(m), *grads = rnnc__model_grads(m);
    int loaded = 1;
    for (int i = 0; i < p->n_params; i++) {
        const rnnc__param *q = &p->params[i];
        const fixture_tensor *t = fixture_get(f, q->name);
        if (t && t->n == q->size)
            memcpy(params + q->offset, t->data, q->size * sizeof(double));
        else
            loaded = 0, fprintf(stderr, "%s: no tensor %s of %zu values\n", file, q->name, q->size);
    }
    check(loaded && fixture_meta_int(f, "params", -1) == p->n_params,
          "%s: the %d parameters of PyTorch's module load by name", file, p->n_params);
    const fixture_tensor *src = fixture_get(f, "src"), *len = fixture_get(f, "lengths");
    const fixture_tensor *tgt = fixture_get(f, "tgt_in"), *R = fixture_get(f, "R");
    const fixture_tensor *lg = fixture_get(f, "logits"), *wt = fixture_get(f, "weights");
    int32_t s32[64], l32[8], t32[64];
    for (size_t i = 0; i < S * B; i++)
        s32[i] = (int32_t)src->data[i];
    for (size_t i = 0; i < B; i++)
        l32[i] = (int32_t)len->data[i];
    for (size_t i = 0; i < T * B; i++)
        t32[i] = (int32_t)tgt->data[i];
    const rnnc__batch b = {S, B, s32, NULL, l32, RNNC_PAD_POST, T, t32};
    memset(grads, 0, p->total * sizeof(double));
    const int ran = rnnc__model_forward(m, &b, 1) == RNNC_OK;
    const double *logits = ran ? rnnc__model_output(m, NULL, NULL) : NULL;
    const double lerr = ran ? max_rel(logits, lg->data, lg->n) : INFINITY;
    const double werr =
        ran ? max_rel(rnnc__decoder_weights(rnnc__model_decoder(m)), wt->data, wt->n) : INFINITY;
    check(lerr <= 1e-12 && werr <= 1e-12,
          "%s: the logits and attention weights are PyTorch's (rel %.2g, %.2g)", file, lerr, werr);
    check(ran && rnnc__model_backward(m, R->data) == RNNC_OK, "%s: backward runs", file);
    double worst = 0;
    const char *worst_name = "-";
    for (int i = 0; i < p->n_params; i++) {
        const rnnc__param *q = &p->params[i];
        char gname[128];
        snprintf(gname, sizeof gname, "grad_%.100s", q->name);
        const fixture_tensor *g = fixture_get(f, gname);
        const double e =
            g && g->n == q->size ? max_rel(grads + q->offset, g->data, g->n) : INFINITY;
        if (e > worst)
            worst = e, worst_name = q->name;
    }
    check(worst <= 1e-10, "%s: every parameter's gradient is PyTorch's (worst rel %.2g, %s)", file,
          worst, worst_name);
    /* teeth: a changed weight changes the logits beyond the tolerance */
    const int wc = rnnc__plan_find(p, "decoder.concat.weight");
    if (wc >= 0)
        params[p->params[wc].offset] += 1e-3;
    rnnc__model_forward(m, &b, 1);
    check(wc >= 0 && max_rel(rnnc__model_output(m, NULL, NULL), lg->data, lg->n) > 1e-8,
          "%s: a weight changed by 1e-3 is seen in the logits", file);
    rnnc__model_free(m);
    fixture_free(f);
}

int main(void) {
    test_fixture("s2s_general.txt");
    test_fixture("s2s_dot.txt");
    test_fixture("s2s_additive.txt");
    return check_summary();
}
