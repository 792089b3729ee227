/* Transfer learning's first step, rnnc_model_transfer: a pretrained language model's parameters
 * copied into a new model by name and shape, embedding (and output) rows mapped between two
 * vocabularies by token, a new head kept fresh, the old head dropped, and shapes that do not fit
 * refused with every tensor named unless they are to be re-initialised. */
#include "check.h"
#include "rnnc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static rnnc_config cfg(int V, int H, int units, const char *head) {
    rnnc_config c;
    memset(&c, 0, sizeof c);
    c.n_layers = 3;
    c.layers[0] = rnnc_layer_spec_init(RNNC_LAYER_EMBEDDING);
    c.layers[0].vocab = V, c.layers[0].dim = 4;
    c.layers[1] = rnnc_layer_spec_init(RNNC_LAYER_LSTM);
    c.layers[1].hidden = H, c.layers[1].return_sequences = units == V;
    c.layers[2] = rnnc_layer_spec_init(RNNC_LAYER_DENSE);
    c.layers[2].units = units;
    snprintf(c.layers[2].name, sizeof c.layers[2].name, "%s", head);
    return c;
}

static const rnnc_transfer_item *find(const rnnc_transfer_item *it, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (!strcmp(it[i].name, name))
            return &it[i];
    return NULL;
}

int main(void) {
    char path[] = "/tmp/rnnc_transfer_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 1;
    close(fd);
    /* the pretrained model: vocabulary A, an output layer over it */
    const char *a_text = "the cat sat on the mat the cat ran";
    const char *b_text = "a dog sat on the log the dog ran far";
    rnnc_tokenizer_spec tok = rnnc_tokenizer_spec_init();
    rnnc_vocab *va = NULL, *vb = NULL;
    rnnc_vocab_build(&tok, &a_text, 1, 0, 0, &va);
    rnnc_vocab_build(&tok, &b_text, 1, 0, 0, &vb);
    const int VA = rnnc_vocab_size(va), VB = rnnc_vocab_size(vb);
    rnnc_config ca = cfg(VA, 5, VA, "dense");
    rnnc_model *pre = NULL, *m = NULL;
    check(rnnc_model_create(&ca, 1, &pre) == RNNC_OK &&
              rnnc_model_save(pre, path, NULL, NULL, 0) == RNNC_OK,
          "a pretrained model written (%d ids)", VA);
    rnnc_tensor_file *f = NULL;
    rnnc_tensor_file_read(path, &f);

    /* a classifier over vocabulary B: same embedding size and LSTM, a new head "head" */
    rnnc_config cb = cfg(VB, 5, 1, "head");
    rnnc_model_create(&cb, 2, &m);
    size_t ne;
    float *fresh = malloc(sizeof(float) * (size_t)VB * 4);
    const float *e0 = rnnc_model_param(m, "embedding.weight", &ne);
    memcpy(fresh, e0, ne * sizeof(float));
    rnnc_transfer_spec s = {va, vb, NULL, 0};
    rnnc_transfer_item *it = NULL;
    int n = 0;
    rnnc_status st = rnnc_model_transfer(m, f, &s, &it, &n);
    check(st == RNNC_OK, "transfer into a classifier (%s)", st ? rnnc_last_error() : "");
    const rnnc_transfer_item *e = find(it, n, "embedding.weight");
    /* tokens of B that A knows: the 3 reserved ids, and "the", "sat", "on", "ran" */
    int shared = 0;
    for (int id = 0; id < VB; id++) {
        const char *t = rnnc_vocab_token(vb, id);
        shared += id < RNNC_VOCAB_FIRST || rnnc_vocab_id(va, t, strlen(t)) != RNNC_VOCAB_OOV;
    }
    check(e && e->what == RNNC_TRANSFER_MAPPED && e->rows == (size_t)shared &&
              e->rows_total == (size_t)VB,
          "embedding rows mapped by token: %zu of %zu (want %d of %d)", e ? e->rows : 0,
          e ? e->rows_total : 0, shared, VB);
    const float *w = rnnc_model_param(m, "embedding.weight", NULL);
    const float *pw = rnnc_model_param(pre, "embedding.weight", NULL);
    int rows_ok = 1;
    for (int id = 0; id < VB; id++) {
        const char *t = rnnc_vocab_token(vb, id);
        const int32_t from = rnnc_vocab_id(va, t, strlen(t));
        const int known = id < RNNC_VOCAB_FIRST || from != RNNC_VOCAB_OOV;
        const float *want =
            known ? pw + (size_t)(id < RNNC_VOCAB_FIRST ? id : from) * 4 : fresh + (size_t)id * 4;
        rows_ok &= !memcmp(w + (size_t)id * 4, want, 4 * sizeof(float));
    }
    check(rows_ok, "each row is the pretrained row of its token, or its own fresh one");
    const rnnc_transfer_item *l = find(it, n, "lstm.weight_hh_l0");
    size_t nl;
    const float *lw = rnnc_model_param(m, "lstm.weight_hh_l0", &nl);
    check(l && l->what == RNNC_TRANSFER_LOADED &&
              !memcmp(lw, rnnc_model_param(pre, "lstm.weight_hh_l0", NULL), nl * sizeof(float)),
          "recurrent weights loaded as they are");
    const rnnc_transfer_item *h = find(it, n, "head.weight"), *d = find(it, n, "dense.weight");
    check(h && h->what == RNNC_TRANSFER_NEW && d && d->what == RNNC_TRANSFER_DROPPED && n == 7 + 2,
          "the new head is new, the old one dropped (%d items)", n);
    free(it);
    rnnc_model_free(m);

    /* a language model over B: the output layer's rows are mapped too */
    rnnc_config cl = cfg(VB, 5, VB, "dense");
    rnnc_model_create(&cl, 3, &m);
    st = rnnc_model_transfer(m, f, &s, &it, &n);
    const rnnc_transfer_item *ow = find(it, n, "dense.weight"), *ob = find(it, n, "dense.bias");
    check(st == RNNC_OK && ow && ow->what == RNNC_TRANSFER_MAPPED && ob &&
              ob->what == RNNC_TRANSFER_MAPPED && ob->rows == (size_t)shared,
          "an LM's output weight and bias are mapped by token as well");
    free(it);
    rnnc_model_free(m);

    /* shapes that do not fit: every tensor named; reinit keeps them fresh */
    rnnc_config cw = cfg(VA, 6, VA, "dense"); /* hidden 6, not 5 */
    rnnc_model_create(&cw, 4, &m);
    float *before = malloc(sizeof(float) * (size_t)VA * 4);
    memcpy(before, rnnc_model_param(m, "embedding.weight", NULL), sizeof(float) * (size_t)VA * 4);
    st = rnnc_model_transfer(m, f, NULL, NULL, NULL);
    const char *err = rnnc_last_error();
    check(st == RNNC_ERR_SHAPE && strstr(err, "5 tensors do not fit") &&
              strstr(err, "'lstm.weight_ih_l0' is (20, 4), the model needs (24, 4)") &&
              strstr(err, "'dense.weight' is (") && strstr(err, "reinit"),
          "mismatched shapes: each named (%s)", err);
    check(!memcmp(before, rnnc_model_param(m, "embedding.weight", NULL),
                  sizeof(float) * (size_t)VA * 4),
          "and nothing was copied");
    const char *re[] = {"lstm", "dense.weight"};
    rnnc_transfer_spec r = {NULL, NULL, re, 2};
    st = rnnc_model_transfer(m, f, &r, &it, &n);
    check(st == RNNC_OK && find(it, n, "lstm.bias_hh_l0")->what == RNNC_TRANSFER_REINIT &&
              find(it, n, "embedding.weight")->what == RNNC_TRANSFER_LOADED &&
              find(it, n, "dense.bias")->what == RNNC_TRANSFER_LOADED,
          "reinit by layer name and by parameter name; the rest loaded (%s)",
          st ? rnnc_last_error() : "");
    free(it);
    rnnc_transfer_spec half = {va, NULL, NULL, 0};
    check(rnnc_model_transfer(m, f, &half, NULL, NULL) == RNNC_ERR_ARG,
          "one vocabulary alone: refused");

    free(before), free(fresh);
    rnnc_model_free(m), rnnc_model_free(pre);
    rnnc_tensor_file_free(f);
    rnnc_vocab_free(va), rnnc_vocab_free(vb);
    unlink(path);
    return check_summary();
}
