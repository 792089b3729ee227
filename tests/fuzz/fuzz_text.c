/* Fuzz target: vocabulary text and the tokenizer. The first byte chooses the tokenizer options
 * (bits 0-2: lowercase, strip_html, split_punct) and the mode (bit 3):
 *   0  the rest is text: rnnc_tokenize must give valid, NUL-terminated, non-empty tokens without
 *      ASCII whitespace; a vocabulary built from the text must encode it to as many ids as there
 *      were tokens, each a word of the vocabulary;
 *   1  the rest is a vocabulary (rnnc_vocab_from_text); one that reads must write back
 *      (rnnc_vocab_to_text) to text that reads to the same ids, and encodes its own text. */
#include "fuzz.h"

/* Whether s[0..n) is valid UTF-8 (no overlongs, surrogates or values past U+10FFFF). */
static int valid_utf8(const unsigned char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t k = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : 9;
        if (k == 9 || k >= n - i)
            return 0;
        unsigned cp = k == 0 ? c : c & (0x3fu >> k);
        for (size_t j = 1; j <= k; j++) {
            if (i + j >= n || (s[i + j] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + j] & 0x3fu);
        }
        static const unsigned min[4] = {0, 0x80, 0x800, 0x10000};
        if (cp < min[k] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += k + 1;
    }
    return 1;
}

typedef struct {
    size_t count;
    const rnnc_vocab *v;
} tok_state;

static int on_token(const char *tok, size_t len, void *user) {
    tok_state *s = user;
    FUZZ_REQUIRE(len > 0 && strlen(tok) == len);
    FUZZ_REQUIRE(valid_utf8((const unsigned char *)tok, len));
    for (size_t i = 0; i < len; i++)
        FUZZ_REQUIRE(tok[i] != ' ' && tok[i] != '\t' && tok[i] != '\n' && tok[i] != '\r');
    s->count++;
    return 0;
}

static int fuzz_tokens(const rnnc_tokenizer_spec *spec, const uint8_t *data, size_t n) {
    tok_state s = {0, NULL};
    rnnc_status st = rnnc_tokenize(spec, (const char *)data, n, on_token, &s);
    if (st != RNNC_OK)
        return st;
    char *text = fuzz_text(data, n);
    if (!text)
        return RNNC_ERR_NOMEM;
    const char *texts[1] = {text};
    rnnc_vocab *v = NULL;
    /* The built vocabulary sees the text up to its first NUL, as a C string. */
    size_t len = strlen(text);
    if (rnnc_vocab_build(spec, texts, 1, 0, 0, &v) == RNNC_OK) {
        size_t count = 0;
        tok_state s2 = {0, v};
        FUZZ_REQUIRE(rnnc_tokenize(spec, text, len, on_token, &s2) == RNNC_OK);
        FUZZ_REQUIRE(rnnc_vocab_encode(v, spec, text, len, 1, NULL, 0, &count) == RNNC_OK);
        FUZZ_REQUIRE(count == s2.count + 1);
        int32_t *ids = malloc((count ? count : 1) * sizeof *ids);
        if (ids) {
            size_t again = 0;
            FUZZ_REQUIRE(rnnc_vocab_encode(v, spec, text, len, 1, ids, count, &again) == RNNC_OK);
            FUZZ_REQUIRE(again == count && ids[0] == RNNC_VOCAB_START);
            for (size_t i = 1; i < count; i++)
                FUZZ_REQUIRE(ids[i] == RNNC_VOCAB_OOV ||
                             (ids[i] >= RNNC_VOCAB_FIRST && ids[i] < rnnc_vocab_size(v)));
            free(ids);
        }
        rnnc_vocab_free(v);
    }
    free(text);
    return st;
}

static int fuzz_vocab(const rnnc_tokenizer_spec *spec, const uint8_t *data, size_t n) {
    char *text = fuzz_text(data, n);
    if (!text)
        return RNNC_ERR_NOMEM;
    rnnc_vocab *v = NULL, *back = NULL;
    rnnc_status st = rnnc_vocab_from_text(text, "fuzz.vocab", &v);
    FUZZ_REQUIRE((st == RNNC_OK) == (v != NULL));
    if (st != RNNC_OK)
        FUZZ_REQUIRE(rnnc_last_error()[0] != '\0');
    if (v) {
        char *w = NULL;
        FUZZ_REQUIRE(rnnc_vocab_to_text(v, &w) == RNNC_OK);
        FUZZ_REQUIRE(rnnc_vocab_from_text(w, "written", &back) == RNNC_OK);
        FUZZ_REQUIRE(rnnc_vocab_size(back) == rnnc_vocab_size(v));
        for (int i = 0; i < rnnc_vocab_size(v); i++) {
            const char *t = rnnc_vocab_token(v, i);
            FUZZ_REQUIRE(t && !strcmp(t, rnnc_vocab_token(back, i)));
            if (i >= RNNC_VOCAB_FIRST)
                FUZZ_REQUIRE(rnnc_vocab_id(v, t, strlen(t)) == i);
        }
        FUZZ_REQUIRE(rnnc_vocab_token(v, rnnc_vocab_size(v)) == NULL);
        size_t count = 0;
        int32_t ids[256];
        FUZZ_REQUIRE(rnnc_vocab_encode(v, spec, w, strlen(w), 0, ids, 256, &count) == RNNC_OK);
        for (size_t i = 0; i < count && i < 256; i++)
            FUZZ_REQUIRE(ids[i] >= RNNC_VOCAB_OOV && ids[i] < rnnc_vocab_size(v));
        free(w);
        rnnc_vocab_free(back);
        rnnc_vocab_free(v);
    }
    free(text);
    return st;
}

static int fuzz_text_target(const uint8_t *data, size_t n) {
    if (n < 1)
        return RNNC_OK;
    rnnc_tokenizer_spec spec = rnnc_tokenizer_spec_init();
    spec.lowercase = data[0] & 1;
    spec.strip_html = (data[0] >> 1) & 1;
    spec.split_punct = (data[0] >> 2) & 1;
    return (data[0] & 8) ? fuzz_vocab(&spec, data + 1, n - 1) : fuzz_tokens(&spec, data + 1, n - 1);
}

FUZZ_MAIN(fuzz_text_target)
