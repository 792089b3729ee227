/* Fuzz target: language-model corpora (src/data/corpus.c). The first byte chooses the spec (bit 0
 * lowercase, bit 1 documents by line, bits 2-3 min_freq 0..3, bits 4-5 num_words 0, 3, 5 or 10),
 * the second the validation fraction (byte / 256); the rest is the text. At both levels a
 * vocabulary is built from the text and the text encoded with it; properties:
 *   - a vocabulary that builds encodes its own text; a failure leaves a message;
 *   - ids in [2, V) (never <pad> or <start>), and at character level never <unk>;
 *   - doc_start starts at 0, increases strictly and stays below n;
 *   - counts from an independent count: characters (a UTF-8 decoder written here), or words plus
 *     one "<eos>" per line; with documents only the non-empty lines, each starting a document;
 *   - the vocabulary's text form (escapes) reads back to the same tokens;
 *   - the validation cut lies on a character boundary or a line start: both parts' tokens add up
 *     to the whole text's. */
#include "fuzz.h"

/* Bytes of the character at s[0..n) (n >= 1) by the tokenizer's rules, written again here: one
 * byte for anything invalid (stray, truncated, overlong, surrogate, past U+10FFFF). */
static size_t corpus_char_len(const unsigned char *s, size_t n) {
    unsigned c = s[0];
    size_t need = c < 0x80                   ? 0
                  : (c >= 0xC2 && c <= 0xDF) ? 1
                  : (c >= 0xE0 && c <= 0xEF) ? 2
                  : (c >= 0xF0 && c <= 0xF4) ? 3
                                             : 9;
    if (need == 0 || need == 9 || n < need + 1)
        return 1;
    uint32_t v = c & (0x3Fu >> need);
    for (size_t i = 1; i <= need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 1;
        v = v << 6 | (s[i] & 0x3Fu);
    }
    static const uint32_t min[4] = {0, 0x80, 0x800, 0x10000};
    if (v < min[need] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 1;
    return need + 1;
}

static size_t corpus_chars(const char *text, size_t n) {
    const unsigned char *s = (const unsigned char *)text;
    size_t count = 0;
    for (size_t i = 0; i < n; count++)
        i += corpus_char_len(s + i, n - i);
    return count;
}

/* Words of text[0..n) by the tokenizer alone (the per-line walk and "<eos>" are what is checked).
 */
static int corpus_count_token(const char *tok, size_t len, void *user) {
    (void)tok, (void)len;
    ++*(size_t *)user;
    return 0;
}

static size_t corpus_words(const rnnc_tokenizer_spec *tok, const char *text, size_t n) {
    size_t count = 0;
    FUZZ_REQUIRE(rnnc_tokenize(tok, text, n, corpus_count_token, &count) == RNNC_OK);
    return count;
}

/* The stream's size and documents from the text alone. */
static void corpus_expect(const rnnc_corpus_spec *spec, const char *text, size_t n, size_t *tokens,
                          size_t *docs, size_t *doc_start, size_t cap) {
    rnnc_tokenizer_spec tok = rnnc_corpus_tokenizer(spec);
    int word = spec->level == RNNC_LM_WORD, lines = spec->documents == RNNC_LM_DOC_LINES;
    *tokens = 0, *docs = 0;
    const char *p = text, *end = text + n;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t body = (size_t)((nl ? nl : end) - p);
        size_t k = word ? corpus_words(&tok, p, body) : corpus_chars(p, body);
        int empty = word ? k == 0 : body == 0;
        if (!lines || !empty) {
            if (lines && *docs < cap)
                doc_start[*docs] = *tokens;
            *docs += lines;
            *tokens += k + (word || nl != NULL); /* "<eos>", or the '\n' character */
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    if (!lines && *tokens > 0)
        doc_start[0] = 0, *docs = 1;
}

static size_t corpus_count(const rnnc_corpus_spec *spec, const rnnc_vocab *v, const char *text,
                           size_t n) {
    rnnc_corpus c;
    if (n == 0 || rnnc_corpus_encode(spec, v, text, n, "part", &c) != RNNC_OK)
        return 0;
    size_t k = c.n;
    rnnc_corpus_free(&c);
    return k;
}

static int fuzz_corpus_level(rnnc_corpus_spec spec, double fraction, const char *text, size_t n) {
    rnnc_vocab *v = NULL;
    rnnc_status st = rnnc_corpus_vocab(&spec, text, n, &v);
    FUZZ_REQUIRE((st == RNNC_OK) == (v != NULL));
    size_t want_n, want_docs, want_start[64];
    corpus_expect(&spec, text, n, &want_n, &want_docs, want_start, 64);
    if (st != RNNC_OK) {
        FUZZ_REQUIRE(rnnc_last_error()[0] != '\0');
        /* Only an empty stream or limits that keep nothing refuse a text. */
        FUZZ_REQUIRE(want_n == 0 || st == RNNC_ERR_ARG);
        return st;
    }
    int V = rnnc_vocab_size(v);
    FUZZ_REQUIRE(V > RNNC_VOCAB_FIRST);
    rnnc_corpus c;
    st = rnnc_corpus_encode(&spec, v, text, n, "fuzz.txt", &c);
    FUZZ_REQUIRE(st == RNNC_OK);
    FUZZ_REQUIRE(c.n == want_n && c.n_docs == want_docs);
    for (size_t i = 0; i < c.n; i++) {
        FUZZ_REQUIRE(c.ids[i] >= RNNC_VOCAB_OOV && c.ids[i] < V);
        FUZZ_REQUIRE(spec.level == RNNC_LM_WORD || c.ids[i] >= RNNC_VOCAB_FIRST);
    }
    FUZZ_REQUIRE(c.n_docs >= 1 && c.doc_start[0] == 0);
    for (size_t d = 0; d < c.n_docs; d++) {
        FUZZ_REQUIRE(c.doc_start[d] < c.n);
        FUZZ_REQUIRE(d == 0 || c.doc_start[d] > c.doc_start[d - 1]);
        FUZZ_REQUIRE(d >= 64 || c.doc_start[d] == want_start[d]);
    }
    /* Without limits every word of the text is in the vocabulary: the <eos> id marks line ends. */
    if (spec.level == RNNC_LM_WORD && spec.num_words == 0 && spec.min_freq <= 1 &&
        spec.documents == RNNC_LM_DOC_NONE) {
        int32_t eos = rnnc_vocab_id(v, "<eos>", 5);
        FUZZ_REQUIRE(eos >= RNNC_VOCAB_FIRST && c.ids[c.n - 1] == eos);
    }
    rnnc_corpus_free(&c);
    FUZZ_REQUIRE(c.ids == NULL && c.n == 0);

    /* The vocabulary's text form reads back to the same tokens. */
    char *w = NULL;
    rnnc_vocab *back = NULL;
    FUZZ_REQUIRE(rnnc_vocab_to_text(v, &w) == RNNC_OK);
    FUZZ_REQUIRE(rnnc_vocab_from_text(w, "written", &back) == RNNC_OK);
    FUZZ_REQUIRE(rnnc_vocab_size(back) == V);
    for (int i = 0; i < V; i++)
        FUZZ_REQUIRE(strcmp(rnnc_vocab_token(v, i), rnnc_vocab_token(back, i)) == 0);
    free(w);
    rnnc_vocab_free(back);

    /* The validation cut. */
    size_t cut = rnnc_corpus_cut(&spec, text, n, fraction);
    FUZZ_REQUIRE(cut <= n);
    if (spec.level == RNNC_LM_WORD)
        FUZZ_REQUIRE(cut == 0 || cut == n || text[cut - 1] == '\n');
    if (spec.documents == RNNC_LM_DOC_NONE)
        FUZZ_REQUIRE(corpus_count(&spec, v, text, cut) +
                         corpus_count(&spec, v, text + cut, n - cut) ==
                     want_n);
    rnnc_vocab_free(v);
    return RNNC_OK;
}

static int fuzz_corpus(const uint8_t *data, size_t n) {
    if (n < 2)
        return RNNC_OK;
    static const int num_words[4] = {0, 3, 5, 10};
    rnnc_corpus_spec spec = rnnc_corpus_spec_init();
    spec.lowercase = data[0] & 1;
    spec.documents = (data[0] >> 1) & 1 ? RNNC_LM_DOC_LINES : RNNC_LM_DOC_NONE;
    spec.min_freq = (data[0] >> 2) & 3;
    spec.num_words = num_words[(data[0] >> 4) & 3];
    double fraction = data[1] / 256.0;
    const char *text = (const char *)data + 2;
    spec.level = RNNC_LM_CHAR;
    rnnc_status a = fuzz_corpus_level(spec, fraction, text, n - 2);
    spec.level = RNNC_LM_WORD;
    rnnc_status b = fuzz_corpus_level(spec, fraction, text, n - 2);
    return a ? a : b;
}

FUZZ_MAIN(fuzz_corpus)
