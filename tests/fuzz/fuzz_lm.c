/* Fuzz target: a language model's file (rnnc_lm_load: the model, the metadata rnnc.lm (the spec)
 * and the vocabulary rnnc.vocab). A file that loads must keep the loader's promises (a vocabulary
 * with its reserved ids and the embedding's and output layer's size, a spec inside its documented
 * ranges), and is then used as `rnnc eval` and `rnnc generate` use it: a short text is encoded
 * with its vocabulary and spec (rnnc_lm_encode), scored (rnnc_lm_evaluate, whole history and two
 * streams), and a few tokens are generated after an empty and a short prime (rnnc_lm_generate). */
#include "fuzz.h"

#include <math.h>

static int fuzz_lm_emit(const char *text, size_t len, void *user) {
    FUZZ_REQUIRE(text != NULL && len > 0);
    *(size_t *)user += len;
    return 0;
}

static int fuzz_lm(const uint8_t *data, size_t n) {
    const char *path = fuzz_write("lm.safetensors", data, n);
    if (!path)
        return RNNC_OK;
    rnnc_lm *lm = NULL;
    rnnc_status st = rnnc_lm_load(path, &lm);
    FUZZ_REQUIRE((st == RNNC_OK) == (lm != NULL));
    if (st != RNNC_OK) {
        FUZZ_REQUIRE(rnnc_last_error()[0] != '\0');
        return st;
    }
    const rnnc_vocab *v = rnnc_lm_vocab(lm);
    const rnnc_lm_spec *spec = rnnc_lm_get_spec(lm);
    const int V = rnnc_vocab_size(v);
    const rnnc_config *cfg = rnnc_model_config(rnnc_lm_model(lm));
    FUZZ_REQUIRE(V > RNNC_VOCAB_FIRST - 1 && cfg->layers[0].vocab == V &&
                 cfg->layers[cfg->n_layers - 1].units == V);
    FUZZ_REQUIRE(!strcmp(rnnc_vocab_token(v, RNNC_VOCAB_OOV), "<unk>"));
    FUZZ_REQUIRE((spec->level == RNNC_LM_CHAR || spec->level == RNNC_LM_WORD) && spec->bptt >= 1 &&
                 spec->eval_batch >= 1);

    static const char text[] = "the cat sat on the mat.\nthe dog sat on the log.\n";
    rnnc_corpus c;
    if (rnnc_lm_encode(lm, text, sizeof text - 1, "fuzz.txt", &c) == RNNC_OK) {
        FUZZ_REQUIRE(c.n >= 1 && c.n_docs >= 1);
        for (size_t i = 0; i < c.n; i++)
            FUZZ_REQUIRE(c.ids[i] >= 0 && c.ids[i] < V);
        double loss;
        size_t scored = 0;
        if (rnnc_lm_evaluate(lm, &c, 1, &loss, &scored) == RNNC_OK && scored > 0)
            FUZZ_REQUIRE(!(loss < 0));
        (void)rnnc_lm_evaluate(lm, &c, 2, &loss, &scored);
        rnnc_corpus_free(&c);
    }
    rnnc_sample_spec ss = rnnc_sample_spec_init();
    size_t emitted = 0;
    (void)rnnc_lm_generate(lm, "", 0, 6, &ss, 1, fuzz_lm_emit, &emitted);
    ss.temperature = 0.7, ss.top_k = 3;
    (void)rnnc_lm_generate(lm, "the ", 4, 6, &ss, 2, fuzz_lm_emit, &emitted);
    rnnc_lm_free(lm);
    return st;
}

FUZZ_MAIN(fuzz_lm)
