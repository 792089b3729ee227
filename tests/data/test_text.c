/* Text preparation: the tokenizer, the vocabulary (Keras's reserved ids, num_words and min_freq
 * against hand counts) and pad/truncate (Keras's pad_sequences), all on hand-derived values. */
#include "check.h"
#include "rnnc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- tokenizer ---------------------------------------------------------------------------- */

typedef struct joined {
    char buf[4096];
    size_t len;
    int count, stop_after;
} joined;

static int fail_second(const char *tok, size_t len, void *user) {
    (void)tok, (void)len;
    int *calls = user;
    return ++*calls == 2 ? rnnc_error(RNNC_ERR_NOMEM, "second token") : 0;
}

static int join_token(const char *tok, size_t len, void *user) {
    joined *j = user;
    if (tok[len] != '\0')
        return -100; /* tokens must be NUL-terminated */
    if (j->len + len + 2 < sizeof j->buf) {
        if (j->count)
            j->buf[j->len++] = '|';
        memcpy(j->buf + j->len, tok, len);
        j->len += len;
        j->buf[j->len] = '\0';
    }
    j->count++;
    return (j->stop_after && j->count == j->stop_after) ? 7 : 0;
}

/* text with control characters and bytes above 0x7E written as \xNN, for check names. */
static const char *esc(const char *s, char *buf, size_t cap) {
    size_t k = 0;
    for (; *s && k + 5 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c > 0x7E)
            k += (size_t)snprintf(buf + k, cap - k, "\\x%02X", c);
        else
            buf[k++] = (char)c;
    }
    buf[k] = '\0';
    return buf;
}

/* Tokenizes text with the given switches and compares the tokens joined by '|' with want. */
static void tok_case(int lower, int html, int punct, const char *text, const char *want) {
    rnnc_tokenizer_spec s = {lower, html, punct, 0};
    joined j = {{0}, 0, 0, 0};
    int r = rnnc_tokenize(&s, text, strlen(text), join_token, &j);
    char e1[512], e2[512], e3[512];
    check(r == 0 && strcmp(j.buf, want) == 0, "tokenize(%d%d%d) \"%s\" -> \"%s\" (got \"%s\", %d)",
          lower, html, punct, esc(text, e1, sizeof e1), esc(want, e2, sizeof e2),
          esc(j.buf, e3, sizeof e3), r);
}

static void test_tokenizer(void) {
    rnnc_tokenizer_spec d = rnnc_tokenizer_spec_init();
    check(d.lowercase == 1 && d.strip_html == 1 && d.split_punct == 1, "tokenizer defaults all 1");
    /* Punctuation and case. */
    tok_case(1, 1, 1, "Hello, World!", "hello|,|world|!");
    tok_case(1, 1, 1, "  spaces\tand\nnewlines  ", "spaces|and|newlines");
    tok_case(1, 1, 1, "well-known (1999)...", "well|-|known|(|1999|)|.|.|.");
    tok_case(1, 1, 1, "", "");
    /* HTML tags become spaces; a '<' that does not open a tag is punctuation. */
    tok_case(1, 1, 1, "Great<br /><br />movie", "great|movie");
    tok_case(1, 1, 1, "a<br/>b <i>really</i> good<BR>", "a|b|really|good");
    tok_case(1, 1, 1, "<!-- note -->x", "x");
    tok_case(1, 1, 1, "a < b and x<y", "a|<|b|and|x|<|y");
    tok_case(1, 1, 1, "unclosed <b tag", "unclosed|<|b|tag");
    tok_case(1, 1, 1, "a<b\nc> d", "a|<|b|c|>|d"); /* a tag does not span lines */
    tok_case(1, 0, 1, "a<br />b", "a|<|br|/|>|b");
    /* Apostrophes: inside a word they stay; at a word's edge they are punctuation. */
    tok_case(1, 1, 1, "Don't stop", "don't|stop");
    tok_case(1, 1, 1, "'hello'", "'|hello|'");
    tok_case(1, 1, 1, "rock'n'roll O'Neil", "rock'n'roll|o'neil");
    tok_case(1, 1, 1, "the cats' toys", "the|cats|'|toys");
    tok_case(1, 1, 1, "it\xE2\x80\x99s", "it\xE2\x80\x99s"); /* U+2019 inside a word */
    tok_case(1, 1, 1, "\xE2\x80\x99quoted\xE2\x80\x99", "\xE2\x80\x99|quoted|\xE2\x80\x99");
    tok_case(1, 1, 1, "x''y", "x|'|'|y");
    /* UTF-8 case mapping: Latin-1, Latin Extended-A (incl. İ -> i, Ÿ -> ÿ), Greek, Cyrillic. */
    tok_case(1, 1, 1,
             "\xC3\x89"
             "COLE",
             "\xC3\xA9"
             "cole");                                                           /* ÉCOLE */
    tok_case(1, 1, 1, "\xC3\x80\xC3\x9E\xC3\x97", "\xC3\xA0\xC3\xBE|\xC3\x97"); /* ÀÞ then × */
    tok_case(1, 1, 1, "\xC4\x80 \xC5\x81 \xC5\xBD \xC4\xB0 \xC5\xB8",
             "\xC4\x81|\xC5\x82|\xC5\xBE|i|\xC3\xBF"); /* Ā Ł Ž İ Ÿ */
    tok_case(1, 1, 1, "\xCE\xA3\xCE\x9F\xCE\xA6\xCE\x99\xCE\x91 \xCE\x86\xCE\x8F",
             "\xCF\x83\xCE\xBF\xCF\x86\xCE\xB9\xCE\xB1|\xCE\xAC\xCF\x8E"); /* ΣΟΦΙΑ ΆΏ */
    tok_case(1, 1, 1, "\xD0\x9F\xD0\xA0\xD0\x98\xD0\x92\xD0\x95\xD0\xA2 \xD0\x81",
             "\xD0\xBF\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82|\xD1\x91"); /* ПРИВЕТ Ё */
    tok_case(1, 1, 1, "\xC7\x84", "\xC7\x84"); /* Ǆ is outside the table: unchanged */
    tok_case(0, 1, 1,
             "\xC3\x89"
             "COLE Hi",
             "\xC3\x89"
             "COLE|Hi");
    /* Invalid UTF-8 becomes U+FFFD, one per bad byte; nothing crashes. */
    tok_case(1, 1, 1,
             "a\xFF"
             "b",
             "a\xEF\xBF\xBD"
             "b");
    tok_case(1, 1, 1, "end\xC3", "end\xEF\xBF\xBD");           /* truncated */
    tok_case(1, 1, 1, "\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD"); /* overlong '/' */
    tok_case(1, 1, 1, "\xE0\x80\xAF",
             "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"); /* overlong 3-byte '/' */
    tok_case(1, 1, 1, "\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"); /* surrogate */
    tok_case(1, 1, 1, "\xF4\x90\x80\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    /* Unicode spaces and punctuation. */
    tok_case(1, 1, 1,
             "a\xC2\xA0"
             "b\xE3\x80\x80"
             "c",
             "a|b|c");
    tok_case(1, 1, 1,
             "wait\xE2\x80\xA6 \xC2\xAB"
             "oui\xC2\xBB \xC2\xBF"
             "qu\xC3\xA9?",
             "wait|\xE2\x80\xA6|\xC2\xAB|oui|\xC2\xBB|\xC2\xBF|qu\xC3\xA9|?");
    /* Switches off. */
    tok_case(0, 1, 0, "Hello, World!", "Hello,|World!");
    tok_case(1, 0, 0, "a<br />B", "a<br|/>b");
    /* A NUL byte inside the given length is a control character: a separator. */
    {
        joined j = {{0}, 0, 0, 0};
        int r = rnnc_tokenize(NULL, "ab\0cd", 5, join_token, &j);
        check(r == 0 && strcmp(j.buf, "ab|cd") == 0, "embedded NUL separates (got \"%s\")", j.buf);
    }
    /* A token longer than the inline buffer. */
    {
        static char text[3000];
        memset(text, 'A', 2999);
        joined j = {{0}, 0, 0, 0};
        int r = rnnc_tokenize(NULL, text, 2999, join_token, &j);
        int ok = r == 0 && j.count == 1 && j.len == 2999;
        for (size_t i = 0; ok && i < j.len; i++)
            ok = j.buf[i] == 'a';
        check(ok, "a 2999-byte token is one lower-cased token");
    }
    /* fn's positive return stops early without an error; a negative one is the call's error. */
    {
        joined j = {{0}, 0, 0, 2};
        rnnc_status r = rnnc_tokenize(NULL, "one two three four", 18, join_token, &j);
        check(r == RNNC_OK && j.count == 2,
              "fn's positive return stops early, and the call succeeds (%d, %d)", r, j.count);
        int calls = 0;
        r = rnnc_tokenize(NULL, "one two three four", 18, fail_second, &calls);
        check(r == RNNC_ERR_NOMEM && calls == 2 && strstr(rnnc_last_error(), "second token"),
              "fn's negative status stops early and is returned with its message (%d, %d)", r,
              calls);
    }
    check(rnnc_tokenize(NULL, "x", 1, NULL, NULL) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "fn") != NULL,
          "NULL fn refused: %s", rnnc_last_error());
}

/* ---- vocabulary --------------------------------------------------------------------------- */

static const char *const corpus[] = {"The cat sat on the mat.", "the dog sat", "a cat and a dog"};

/* Expected tokens by id, from hand counts over `corpus`: the 3; cat, sat, dog, a 2 (ties in order
 * of first appearance); on, mat, and, '.' 1 (the '.' appears after "mat"). */
static const char *const want_tokens[] = {"<pad>", "<start>", "<unk>", "the", "cat", "sat",
                                          "dog",   "a",       "on",    "mat", ".",   "and"};

static void check_tokens(const rnnc_vocab *v, int size, const char *what) {
    int ok = rnnc_vocab_size(v) == size;
    for (int i = 0; ok && i < size; i++) {
        const char *t = rnnc_vocab_token(v, i);
        ok = t && strcmp(t, want_tokens[i]) == 0 &&
             rnnc_vocab_id(v, want_tokens[i], strlen(want_tokens[i])) == i;
    }
    check(ok, "%s: %d ids in the hand-computed order (size %d)", what, size, rnnc_vocab_size(v));
}

static void test_vocab(void) {
    rnnc_vocab *v = NULL;
    check(rnnc_vocab_build(NULL, corpus, 3, 0, 0, &v) == RNNC_OK, "vocab_build: %s",
          rnnc_last_error());
    check_tokens(v, 12, "no limit");
    check(RNNC_VOCAB_PAD == 0 && RNNC_VOCAB_START == 1 && RNNC_VOCAB_OOV == 2 &&
              RNNC_VOCAB_FIRST == 3,
          "Keras's reserved ids: 0 pad, 1 start, 2 OOV, words from index_from=3");
    check(rnnc_vocab_id(v, "zebra", 5) == RNNC_VOCAB_OOV && rnnc_vocab_id(v, "ca", 2) == 2 &&
              rnnc_vocab_id(v, "cat", 3) == 4 && rnnc_vocab_id(v, "cats", 3) == 4,
          "vocab_id: absent -> OOV, length respected");
    check(rnnc_vocab_token(v, -1) == NULL && rnnc_vocab_token(v, 12) == NULL,
          "vocab_token out of range -> NULL");

    /* Encoding: <start>, then ids, OOV for unknown words; truncation reported through *n. */
    int32_t ids[8];
    size_t n = 0;
    for (int i = 0; i < 8; i++)
        ids[i] = -9;
    const char *text = "The CAT, the zebra<br />";
    check(rnnc_vocab_encode(v, NULL, text, strlen(text), 1, ids, 8, &n) == RNNC_OK && n == 6 &&
              ids[0] == 1 && ids[1] == 3 && ids[2] == 4 && ids[3] == 2 && ids[4] == 3 &&
              ids[5] == 2 && ids[6] == -9,
          "encode \"%s\" -> 1 3 4 2 3 2 (n %zu: %d %d %d %d %d %d)", text, n, ids[0], ids[1],
          ids[2], ids[3], ids[4], ids[5]);
    for (int i = 0; i < 8; i++)
        ids[i] = -9;
    check(rnnc_vocab_encode(v, NULL, text, strlen(text), 0, ids, 3, &n) == RNNC_OK && n == 5 &&
              ids[0] == 3 && ids[1] == 4 && ids[2] == 2 && ids[3] == -9,
          "encode with cap 3 writes 3 ids and reports all 5 (n %zu)", n);
    check(rnnc_vocab_encode(v, NULL, text, strlen(text), 1, NULL, 0, &n) == RNNC_OK && n == 6,
          "encode with cap 0 counts (n %zu)", n);

    /* Serialisation round trip. */
    char *t = NULL;
    rnnc_vocab *w = NULL;
    check(rnnc_vocab_to_text(v, &t) == RNNC_OK && t &&
              strcmp(t, "<pad>\n<start>\n<unk>\nthe\ncat\nsat\ndog\na\non\nmat\n.\nand") == 0,
          "vocab_to_text: tokens in id order joined by newlines");
    check(rnnc_vocab_from_text(t, "model.safetensors", &w) == RNNC_OK, "vocab_from_text: %s",
          rnnc_last_error());
    check_tokens(w, 12, "round trip");
    rnnc_vocab_free(w);
    free(t);
    rnnc_vocab_free(v);

    /* num_words keeps ids < num_words; min_freq drops rarer words; both together. */
    check(rnnc_vocab_build(NULL, corpus, 3, 6, 0, &v) == RNNC_OK, "build num_words 6");
    check_tokens(v, 6, "num_words 6");
    rnnc_vocab_free(v);
    check(rnnc_vocab_build(NULL, corpus, 3, 0, 2, &v) == RNNC_OK, "build min_freq 2");
    check_tokens(v, 8, "min_freq 2");
    rnnc_vocab_free(v);
    check(rnnc_vocab_build(NULL, corpus, 3, 7, 2, &v) == RNNC_OK, "build num_words 7, min_freq 2");
    check_tokens(v, 7, "num_words 7 and min_freq 2");
    rnnc_vocab_free(v);
    check(rnnc_vocab_build(NULL, corpus, 3, 100, 3, &v) == RNNC_OK, "build min_freq 3");
    check_tokens(v, 4, "min_freq 3");
    rnnc_vocab_free(v);
    check(rnnc_vocab_build(NULL, corpus, 0, 0, 0, &v) == RNNC_OK && rnnc_vocab_size(v) == 3,
          "no texts: only the reserved ids");
    rnnc_vocab_free(v);
    check(rnnc_vocab_build(NULL, corpus, 3, 4, 0, &v) == RNNC_OK && rnnc_vocab_size(v) == 4,
          "num_words 4: the most frequent word beside the reserved ids");
    rnnc_vocab_free(v);
    v = NULL;
    check(rnnc_vocab_build(NULL, corpus, 3, 3, 0, &v) == RNNC_ERR_ARG && v == NULL &&
              strstr(rnnc_last_error(), "at least 4"),
          "num_words 3 (no word left) refused: %s", rnnc_last_error());

    /* Without punctuation splitting a text can spell a reserved token: never a word, and OOV when
     * encoded, so a <pad> id can only come from padding. */
    rnnc_tokenizer_spec raw = {1, 0, 0, 0};
    const char *tricky[] = {"<unk> <pad> <pad> word"};
    check(rnnc_vocab_build(&raw, tricky, 1, 0, 0, &v) == RNNC_OK && rnnc_vocab_size(v) == 4 &&
              strcmp(rnnc_vocab_token(v, 3), "word") == 0,
          "reserved spellings are not words");
    check(rnnc_vocab_encode(v, &raw, "<pad> word <start>", 18, 0, ids, 8, &n) == RNNC_OK &&
              n == 3 && ids[0] == 2 && ids[1] == 3 && ids[2] == 2,
          "reserved spellings encode as OOV (%d %d %d)", ids[0], ids[1], ids[2]);
    rnnc_vocab_free(v);

    /* Bad arguments and malformed vocabulary text, each with its message. */
    check(rnnc_vocab_build(NULL, corpus, 3, 2, 0, &v) == RNNC_ERR_ARG && v == NULL &&
              strstr(rnnc_last_error(), "num_words 2") != NULL,
          "num_words 2 refused: %s", rnnc_last_error());
    check(rnnc_vocab_build(NULL, corpus, 3, 0, -1, &v) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "min_freq -1") != NULL,
          "min_freq -1 refused: %s", rnnc_last_error());
    static const struct {
        const char *text, *frag;
    } bad[] = {
        {"<pad>\n<start>\n<unk>\na\nb\na", "vocab.txt: line 6: duplicate token \"a\""},
        {"<pad>\n<unk>\n<start>\na", "vocab.txt: line 2: expected the reserved token <start>"},
        {"<pad>\n<start>\n<unk>\n\nx", "vocab.txt: line 4: empty token"},
        {"<pad>\n<start>", "fewer than the 3 reserved"},
        {"<pad>\n<start>\n<unk>\na b", "line 4: token holds whitespace"},
        {"<pad>\n<start>\n<unk>\nx\r", "line 4: token holds whitespace"},
        {"", "line 1: empty token"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = (rnnc_vocab *)1;
        rnnc_status s = rnnc_vocab_from_text(bad[i].text, "vocab.txt", &v);
        check(s == RNNC_ERR_FORMAT && v == NULL && strstr(rnnc_last_error(), bad[i].frag) != NULL,
              "malformed vocabulary %zu: \"%s\" (got \"%s\")", i, bad[i].frag, rnnc_last_error());
    }
    check(rnnc_vocab_from_text("<pad>\n<start>\n<unk>\nword\n", "v", &v) == RNNC_OK &&
              rnnc_vocab_size(v) == 4,
          "one final newline accepted");
    rnnc_vocab_free(v);
    rnnc_vocab_free(NULL);
}

/* ---- padding ------------------------------------------------------------------------------ */

static int same(const int32_t *a, const int32_t *b, int n) {
    for (int i = 0; i < n; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}

static void pad_case(const int32_t *ids, size_t n, int maxlen, int padding, int truncating,
                     int32_t value, const int32_t *want, int want_len, const char *what) {
    int32_t out[16];
    for (int i = 0; i < 16; i++)
        out[i] = -99;
    int r = -1;
    const rnnc_status st = rnnc_pad_ids(ids, n, maxlen, padding, truncating, value, out, &r);
    check(st == RNNC_OK && r == want_len && same(out, want, maxlen) && out[maxlen] == -99,
          "pad %s (length %d)", what, r);
}

static void test_pad(void) {
    enum { PRE = RNNC_PAD_PRE, POST = RNNC_PAD_POST };
    const int32_t longer[] = {1, 2, 3, 4, 5}, shorter[] = {1, 2};
    /* Long sequences: truncating decides, padding does not matter. */
    const int32_t last3[] = {3, 4, 5}, first3[] = {1, 2, 3};
    pad_case(longer, 5, 3, PRE, PRE, 0, last3, 3, "long, padding pre, truncating pre");
    pad_case(longer, 5, 3, POST, PRE, 0, last3, 3, "long, padding post, truncating pre");
    pad_case(longer, 5, 3, PRE, POST, 0, first3, 3, "long, padding pre, truncating post");
    pad_case(longer, 5, 3, POST, POST, 0, first3, 3, "long, padding post, truncating post");
    /* Short sequences: padding decides. */
    const int32_t before[] = {0, 0, 1, 2}, after[] = {1, 2, 0, 0}, after_m1[] = {1, 2, -1, -1};
    pad_case(shorter, 2, 4, PRE, PRE, 0, before, 2, "short, padding pre, truncating pre");
    pad_case(shorter, 2, 4, PRE, POST, 0, before, 2, "short, padding pre, truncating post");
    pad_case(shorter, 2, 4, POST, PRE, 0, after, 2, "short, padding post, truncating pre");
    pad_case(shorter, 2, 4, POST, POST, 0, after, 2, "short, padding post, truncating post");
    pad_case(shorter, 2, 4, POST, POST, -1, after_m1, 2, "short, value -1");
    pad_case(longer, 5, 5, PRE, PRE, 0, longer, 5, "exact length unchanged");
    const int32_t zeros[] = {0, 0, 0};
    pad_case(NULL, 0, 3, PRE, PRE, 0, zeros, 0, "empty sequence");
    /* The example in Keras's pad_sequences documentation: [[1], [2, 3], [4, 5, 6]]. */
    const int32_t s1[] = {1}, s2[] = {2, 3}, s3[] = {4, 5, 6};
    const int32_t *seqs[] = {s1, s2, s3};
    const int32_t k_pre[3][3] = {{0, 0, 1}, {0, 2, 3}, {4, 5, 6}};
    const int32_t k_post[3][3] = {{1, 0, 0}, {2, 3, 0}, {4, 5, 6}};
    const int32_t k_max2[3][2] = {{0, 1}, {2, 3}, {5, 6}};
    for (int i = 0; i < 3; i++) {
        char what[64];
        snprintf(what, sizeof what, "Keras docs example %d (defaults: pre, pre)", i);
        pad_case(seqs[i], (size_t)i + 1, 3, PRE, PRE, 0, k_pre[i], i + 1, what);
        snprintf(what, sizeof what, "Keras docs example %d, padding='post'", i);
        pad_case(seqs[i], (size_t)i + 1, 3, POST, PRE, 0, k_post[i], i + 1, what);
        snprintf(what, sizeof what, "Keras docs example %d, maxlen=2", i);
        pad_case(seqs[i], (size_t)i + 1, 2, PRE, PRE, 0, k_max2[i], i < 2 ? i + 1 : 2, what);
    }
    int32_t out[4];
    int len = 0;
    check(rnnc_pad_ids(longer, 5, 0, PRE, PRE, 0, out, &len) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "maxlen 0") != NULL,
          "maxlen 0 refused: %s", rnnc_last_error());
    check(rnnc_pad_ids(longer, 5, 3, 5, PRE, 0, out, &len) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "padding 5") != NULL,
          "padding 5 refused: %s", rnnc_last_error());
    check(rnnc_pad_ids(longer, 5, 3, PRE, 9, 0, out, &len) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "truncating 9") != NULL,
          "truncating 9 refused: %s", rnnc_last_error());
    check(rnnc_pad_ids(longer, 5, 3, PRE, PRE, 0, out, NULL) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "len is NULL") != NULL,
          "no place for the length refused: %s", rnnc_last_error());
}

int main(void) {
    test_tokenizer();
    test_vocab();
    test_pad();
    return check_summary();
}
