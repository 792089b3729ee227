/* Fuzz target: safetensors files. The bytes are parsed in memory (rnnc_tensor_file_parse) and
 * every accessor is walked; a file that parses is loaded into a fixed small model
 * (rnnc_model_load_params), then written out and opened as a classifier (rnnc_classifier_load:
 * model description, parameters, vocabulary, labels and text options from the metadata), which,
 * when it loads, predicts one text. */
#include "fuzz.h"

/* The model of tests/fixtures/st_lstm_dense.safetensors. */
static const char fixed_model[] = "[model]\ninput_size = 4\n[lstm]\nhidden = 5\nlayers = 2\n"
                                  "bidirectional = true\nreturn_sequences = true\n"
                                  "[dense]\nunits = 2\n";

static size_t elem_size(int dtype) {
    switch (dtype) {
    case RNNC_DTYPE_F64:
    case RNNC_DTYPE_I64: return 8;
    case RNNC_DTYPE_F32:
    case RNNC_DTYPE_I32: return 4;
    case RNNC_DTYPE_F16:
    case RNNC_DTYPE_BF16: return 2;
    case RNNC_DTYPE_U8: return 1;
    default: return 0;
    }
}

/* The documented promises about a file that parsed. */
static void walk(const rnnc_tensor_file *f, size_t n) {
    size_t total = 0;
    for (int i = 0; i < rnnc_tensor_file_count(f); i++) {
        const rnnc_tensor *t = rnnc_tensor_file_tensor(f, i);
        FUZZ_REQUIRE(t && t->name && t->ndim >= 0 && t->ndim <= 8);
        size_t count = 1;
        for (int d = 0; d < t->ndim; d++)
            count *= t->dims[d];
        FUZZ_REQUIRE(elem_size(t->dtype) != 0 && t->nbytes == count * elem_size(t->dtype));
        FUZZ_REQUIRE(((uintptr_t)t->data & 7) == 0 || t->nbytes == 0);
        FUZZ_REQUIRE(rnnc_tensor_file_find(f, t->name) == t);
        /* Touch every byte, so a range past the buffer is caught by AddressSanitizer. */
        unsigned sum = 0;
        for (size_t k = 0; k < t->nbytes; k++)
            sum += ((const unsigned char *)t->data)[k];
        (void)sum;
        total += t->nbytes;
    }
    FUZZ_REQUIRE(total <= n);
    FUZZ_REQUIRE(rnnc_tensor_file_tensor(f, rnnc_tensor_file_count(f)) == NULL);
    for (int i = 0; i < rnnc_tensor_file_meta_count(f); i++) {
        const char *k, *v;
        FUZZ_REQUIRE(rnnc_tensor_file_meta_at(f, i, &k, &v) == 0);
        FUZZ_REQUIRE(rnnc_tensor_file_meta(f, k) == v);
        (void)strlen(v);
    }
    FUZZ_REQUIRE(rnnc_tensor_file_meta_at(f, -1, NULL, NULL) == RNNC_ERR_ARG);
}

static int fuzz_safetensors(const uint8_t *data, size_t n) {
    rnnc_tensor_file *f = NULL;
    rnnc_status st = rnnc_tensor_file_parse(data, n, "fuzz.safetensors", &f);
    FUZZ_REQUIRE((st == RNNC_OK) == (f != NULL));
    if (st != RNNC_OK) {
        FUZZ_REQUIRE(st == RNNC_ERR_FORMAT || st == RNNC_ERR_NOMEM);
        FUZZ_REQUIRE(rnnc_last_error()[0] != '\0');
        return st;
    }
    walk(f, n);

    static rnnc_model *fixed;
    if (!fixed) {
        static rnnc_config cfg;
        FUZZ_REQUIRE(rnnc_config_parse(fixed_model, "fixed", &cfg) == RNNC_OK);
        FUZZ_REQUIRE(rnnc_model_create(&cfg, 1, &fixed) == RNNC_OK);
    }
    (void)rnnc_model_load_params(fixed, f);
    rnnc_tensor_file_free(f);

    const char *path = fuzz_write("model.safetensors", data, n);
    if (!path)
        return st;
    rnnc_classifier *c = NULL;
    st = rnnc_classifier_load(path, &c);
    FUZZ_REQUIRE((st == RNNC_OK) == (c != NULL));
    if (c && rnnc_classifier_spec(c)->maxlen <= 64) {
        const char *const *names;
        int k = rnnc_classifier_labels(c, &names);
        float probs[64];
        const char *text = "A good film, not a bad one.";
        if (k > 0 && k <= 64)
            (void)rnnc_classifier_predict(c, &text, 1, probs);
    }
    rnnc_classifier_free(c);
    return st;
}

FUZZ_MAIN(fuzz_safetensors)
