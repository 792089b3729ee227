/* The text side of language models, on hand-derived values: the tokenizer's character mode
 * (multibyte and invalid UTF-8), vocabulary text escaping (and files written before it), word-level
 * "<eos>" counting and encoding, reserved spellings, num_words/min_freq, documents, the validation
 * cut, text files plain and gzip; then the real corpora when ../shared/data is there (PTB's
 * 10,000-type vocabulary and 929,589 training tokens, tiny-shakespeare's 65 characters). */
#include "check.h"
#include "rnnc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/* ---- helpers -------------------------------------------------------------------------------- */

/* The tokens of one tokenize call, each copied (up to 64 tokens of up to 15 bytes). */
typedef struct tokens {
    char tok[64][16];
    size_t len[64];
    int n, stop_after, bad;
} tokens;

static int collect(const char *tok, size_t len, void *user) {
    tokens *t = user;
    if (tok[len] != '\0' || strlen(tok) != len || len == 0 || len >= 16)
        t->bad = 1; /* tokens are non-empty and NUL-terminated at len */
    if (t->n < 64 && len < 16) {
        memcpy(t->tok[t->n], tok, len + 1);
        t->len[t->n] = len;
    }
    t->n++;
    return (t->stop_after && t->n == t->stop_after) ? 9 : 0;
}

/* s with control characters, backslashes and bytes above 0x7E written as \xNN, for check names. */
static const char *esc(const char *s, size_t n, char *buf, size_t cap) {
    size_t k = 0;
    for (size_t i = 0; i < n && k + 5 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c > 0x7E || c == '\\')
            k += (size_t)snprintf(buf + k, cap - k, "\\x%02X", c);
        else
            buf[k++] = (char)c;
    }
    buf[k] = '\0';
    return buf;
}

/* Tokenizes text[0..len) in character mode and compares with want[0..n). */
static void chars_case(int lower, const char *text, size_t len, const char *const *want, int n,
                       const char *what) {
    rnnc_tokenizer_spec s = rnnc_tokenizer_spec_init();
    s.chars = 1;
    s.lowercase = lower;
    tokens t;
    memset(&t, 0, sizeof t);
    int r = rnnc_tokenize(&s, text, len, collect, &t);
    int ok = r == 0 && !t.bad && t.n == n;
    for (int i = 0; ok && i < n; i++)
        ok = strcmp(t.tok[i], want[i]) == 0;
    char e[256];
    check(ok, "chars(lower %d) %s \"%s\": %d tokens (got %d, r %d)", lower, what,
          esc(text, len, e, sizeof e), n, t.n, r);
}

/* Whether ids[0..n) equal want[0..n); prints both on a mismatch. */
static int same_ids(const int32_t *ids, size_t n, const int32_t *want, size_t wn) {
    int ok = ids && n == wn;
    for (size_t i = 0; ok && i < n; i++)
        ok = ids[i] == want[i];
    if (!ok) {
        printf("     got  (%zu):", n);
        for (size_t i = 0; ids && i < n && i < 40; i++)
            printf(" %d", ids[i]);
        printf("\n     want (%zu):", wn);
        for (size_t i = 0; i < wn; i++)
            printf(" %d", want[i]);
        printf("\n");
    }
    return ok;
}

static int same_docs(const rnnc_corpus *c, const size_t *want, size_t wn) {
    int ok = c->doc_start && c->n_docs == wn;
    for (size_t i = 0; ok && i < wn; i++)
        ok = c->doc_start[i] == want[i];
    if (!ok) {
        printf("     docs got (%zu):", c->n_docs);
        for (size_t i = 0; c->doc_start && i < c->n_docs && i < 20; i++)
            printf(" %zu", c->doc_start[i]);
        printf("\n");
    }
    return ok;
}

/* Whether v's tokens from id 3 on are want[0..n) (and each looks itself up). */
static int vocab_is(const rnnc_vocab *v, const char *const *want, int n) {
    int ok = v && rnnc_vocab_size(v) == n + RNNC_VOCAB_FIRST;
    for (int i = 0; ok && i < n; i++) {
        const char *t = rnnc_vocab_token(v, i + RNNC_VOCAB_FIRST);
        ok = t && strcmp(t, want[i]) == 0 &&
             rnnc_vocab_id(v, want[i], strlen(want[i])) == i + RNNC_VOCAB_FIRST;
    }
    if (!ok && v) {
        printf("     vocabulary (%d):", rnnc_vocab_size(v));
        char e[64];
        for (int i = RNNC_VOCAB_FIRST; i < rnnc_vocab_size(v) && i < 20; i++) {
            const char *t = rnnc_vocab_token(v, i);
            printf(" %s", esc(t, strlen(t), e, sizeof e));
        }
        printf("\n");
    }
    return ok;
}

/* ---- the tokenizer's character mode ---------------------------------------------------------- */

static void test_chars(void) {
    rnnc_tokenizer_spec d = rnnc_tokenizer_spec_init();
    check(d.chars == 0 && d.lowercase == 1 && d.strip_html == 1 && d.split_punct == 1,
          "tokenizer_spec_init: chars 0, the others 1");
    const char *w1[] = {"A", "b", " ", "c", "\n", "\t", "\r"};
    chars_case(0, "Ab c\n\t\r", 7, w1, 7, "whitespace and line ends are tokens");
    const char *w2[] = {"a", "b", " ", "c", "\n", "\t", "\r"};
    chars_case(1, "Ab c\n\t\r", 7, w2, 7, "lowercase applies");
    /* é (2 bytes), € (3), U+1F600 (4); É lowered by the table; Σ lowered. */
    const char *w3[] = {"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xC3\xA9", "\xCF\x83"};
    chars_case(1, "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xC3\x89\xCE\xA3", 13, w3, 5, "multibyte");
    const char *w3u[] = {"\xC3\x89"};
    chars_case(0, "\xC3\x89", 2, w3u, 1, "no lowercase keeps \xC3\x89");
    /* Invalid UTF-8: one U+FFFD per bad byte, as the word mode does. */
    const char *fffd = "\xEF\xBF\xBD";
    const char *w4[] = {"a", fffd, "b"};
    chars_case(1,
               "a\xFF"
               "b",
               3, w4, 3, "stray byte");
    const char *w5[] = {"x", fffd, fffd, "y"};
    chars_case(1, "x\xE2\x82y", 4, w5, 4, "truncated 3-byte sequence");
    const char *w6[] = {fffd, fffd};
    chars_case(1, "\xC0\xAF", 2, w6, 2, "overlong");
    const char *w7[] = {fffd, fffd, fffd};
    chars_case(1, "\xED\xA0\x80", 3, w7, 3, "surrogate");
    const char *w8[] = {"e", "n", "d", fffd};
    chars_case(1, "end\xC3", 4, w8, 4, "cut at the end");
    /* A NUL byte inside the length is a character: U+FFFD, since tokens are C strings. */
    const char *w9[] = {"a", fffd, "b"};
    chars_case(1, "a\0b", 3, w9, 3, "NUL");
    /* strip_html and split_punct do not apply. */
    const char *w10[] = {"<", "b", ">", "x", ",", "'"};
    chars_case(1, "<b>x,'", 6, w10, 6, "HTML and punctuation are plain characters");
    chars_case(1, "", 0, NULL, 0, "empty text");
    /* fn's positive return stops early, and the call succeeds. */
    rnnc_tokenizer_spec s = d;
    s.chars = 1;
    tokens t;
    memset(&t, 0, sizeof t);
    t.stop_after = 2;
    rnnc_status r = rnnc_tokenize(&s, "abcd", 4, collect, &t);
    check(r == RNNC_OK && t.n == 2, "chars: fn's positive return stops early (r %d, %d tokens)", r,
          t.n);
    check(rnnc_tokenize(&s, NULL, 3, collect, &t) == RNNC_ERR_ARG, "chars: NULL text refused");
}

/* ---- vocabulary text: escaping -------------------------------------------------------------- */

static void test_escaping(void) {
    char e[512];
    /* A character vocabulary built with rnnc_vocab_build: counts a 3, ' ' 2, '\n' 2, then b,
     * '\\', '\t', 'c' once each in order of first appearance. */
    rnnc_tokenizer_spec cs = rnnc_tokenizer_spec_init();
    cs.chars = 1;
    const char *texts[] = {"a a\n", "a\\\tb \nc"};
    rnnc_vocab *v = NULL;
    check(rnnc_vocab_build(&cs, texts, 2, 0, 0, &v) == RNNC_OK, "vocab_build with chars: %s",
          rnnc_last_error());
    const char *want[] = {"a", " ", "\n", "\\", "\t", "b", "c"};
    check(vocab_is(v, want, 7), "chars vocabulary: a ' ' '\\n' '\\\\' '\\t' b c");
    rnnc_vocab_free(v);
    check(rnnc_vocab_build(&cs, texts, 2, 5, 0, &v) == RNNC_OK && vocab_is(v, want, 2),
          "chars vocabulary with num_words 5: a ' '");
    rnnc_vocab_free(v);
    check(rnnc_vocab_build(&cs, texts, 2, 0, 0, &v) == RNNC_OK, "vocab_build again");
    char *text = NULL;
    const char *written = "<pad>\n<start>\n<unk>\na\n\\s\n\\n\n\\\n\\t\nb\nc";
    rnnc_status st = rnnc_vocab_to_text(v, &text);
    check(st == RNNC_OK && text && strcmp(text, written) == 0,
          "chars vocabulary written with \\s, \\n, \\t and a lone \\ (got \"%s\")",
          text ? esc(text, strlen(text), e, sizeof e) : "(null)");
    rnnc_vocab *back = NULL;
    check(rnnc_vocab_from_text(text, "chars.vocab", &back) == RNNC_OK && vocab_is(back, want, 7),
          "chars vocabulary reads back: %s", rnnc_last_error());
    rnnc_vocab_free(back);
    free(text);
    rnnc_vocab_free(v);

    /* Every escape, read and written: \s \n \t \r \xHH, \\ inside a longer token, a lone \. */
    const char *escaped = "<pad>\n<start>\n<unk>\n\\s\n\\n\n\\t\n\\r\n\\x01\n\\x7F\na\\\\b\n\\\n"
                          "\xC3\xA9\nx\\sy\n\\\\n\nplain";
    const char *raw[] = {" ",    "\n", "\t",       "\r",  "\x01", "\x7F",
                         "a\\b", "\\", "\xC3\xA9", "x y", "\\n",  "plain"};
    check(rnnc_vocab_from_text(escaped, "esc.vocab", &v) == RNNC_OK && vocab_is(v, raw, 12),
          "every escape reads back: %s", rnnc_last_error());
    text = NULL;
    st = rnnc_vocab_to_text(v, &text);
    check(st == RNNC_OK && text && strcmp(text, escaped) == 0,
          "and is written exactly so (got \"%s\")",
          text ? esc(text, strlen(text), e, sizeof e) : "(null)");
    free(text);
    rnnc_vocab_free(v);
    /* Lower-case hex digits read too (written upper-case). */
    check(rnnc_vocab_from_text("<pad>\n<start>\n<unk>\n\\x1f", "v", &v) == RNNC_OK &&
              rnnc_vocab_size(v) == 4 && strcmp(rnnc_vocab_token(v, 3), "\x1F") == 0,
          "\\x1f reads as byte 0x1F");
    rnnc_vocab_free(v);

    /* Files written before escaping: a lone "\" (the word tokenizer with split_punct) and
     * backslashes that start no escape stand for themselves, and write back to text that reads
     * to the same tokens. */
    const char *old = "<pad>\n<start>\n<unk>\nthe\n\\\nc:\\q\nx\\\n\\x00\n\\xZ1\n\\x4\nend\n";
    const char *old_raw[] = {"the", "\\", "c:\\q", "x\\", "\\x00", "\\xZ1", "\\x4", "end"};
    check(rnnc_vocab_from_text(old, "old.vocab", &v) == RNNC_OK && vocab_is(v, old_raw, 8),
          "an old-format vocabulary reads as written: %s", rnnc_last_error());
    text = NULL;
    st = rnnc_vocab_to_text(v, &text);
    check(st == RNNC_OK && rnnc_vocab_from_text(text, "rewritten", &back) == RNNC_OK &&
              vocab_is(back, old_raw, 8),
          "and round-trips (written \"%s\")",
          text ? esc(text, strlen(text), e, sizeof e) : "(null)");
    check(text && strstr(text, "\nthe\n\\\nc:\\\\q\n") != NULL,
          "unescaped tokens keep their form, a lone \\ stays, c:\\q is written c:\\\\q");
    free(text);
    rnnc_vocab_free(back);
    rnnc_vocab_free(v);
    /* The old word-level IMDB form still reads unchanged (the tokens test_text writes). */
    check(rnnc_vocab_from_text("<pad>\n<start>\n<unk>\nthe\ncat\n.\n", "v", &v) == RNNC_OK &&
              rnnc_vocab_size(v) == 6 && strcmp(rnnc_vocab_token(v, 5), ".") == 0,
          "plain word vocabulary unchanged");
    rnnc_vocab_free(v);

    /* Malformed: raw whitespace, two spellings of one token. */
    static const struct {
        const char *text, *frag;
    } bad[] = {
        {"<pad>\n<start>\n<unk>\n\\s\n\\x20", "esc.vocab: line 5: duplicate token"},
        {"<pad>\n<start>\n<unk>\n\\\n\\\\", "esc.vocab: line 5: duplicate token"},
        {"<pad>\n<start>\n<unk>\na\tb", "esc.vocab: line 4: token holds whitespace"},
        {"<pad>\n<start>\n<unk>\n ", "esc.vocab: line 4: token holds whitespace"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = (rnnc_vocab *)1;
        st = rnnc_vocab_from_text(bad[i].text, "esc.vocab", &v);
        check(st == RNNC_ERR_FORMAT && v == NULL && strstr(rnnc_last_error(), bad[i].frag),
              "escaped vocabulary %zu refused: \"%s\" (got \"%s\")", i, bad[i].frag,
              rnnc_last_error());
    }
}

/* ---- word level ------------------------------------------------------------------------------ */

/* Four lines: words, an empty line, words, and a last line without '\n'. By hand: the 3, cat 2,
 * sat 1, dog 1, <eos> 4 (one per line), and "<unk>" once, which is the reserved id, not a word.
 * Ranked: <eos> 4, the 3, cat 2, then sat and dog (1 each, in order of first appearance). */
static const char ptb_like[] = " the cat <unk> sat \n\nthe dog\n  the cat";

static rnnc_corpus_spec word_spec(void) {
    rnnc_corpus_spec s = rnnc_corpus_spec_init();
    s.level = RNNC_LM_WORD;
    return s;
}

static void test_word(void) {
    rnnc_corpus_spec s = word_spec();
    size_t len = strlen(ptb_like);
    rnnc_vocab *v = NULL;
    check(rnnc_corpus_vocab(&s, ptb_like, len, &v) == RNNC_OK, "word vocab: %s", rnnc_last_error());
    const char *want[] = {"<eos>", "the", "cat", "sat", "dog"};
    check(vocab_is(v, want, 5), "word vocab: <eos> the cat sat dog; <unk> is not a word");
    check(rnnc_vocab_id(v, "<unk>", 5) == RNNC_VOCAB_OOV, "\"<unk>\" is the reserved id 2");

    rnnc_corpus c;
    memset(&c, 0xAB, sizeof c); /* out is overwritten, not freed first */
    check(rnnc_corpus_encode(&s, v, ptb_like, len, "train", &c) == RNNC_OK, "word encode: %s",
          rnnc_last_error());
    const int32_t ids[] = {4, 5, 2, 6, 3, 3, 4, 7, 3, 4, 5, 3};
    const size_t one[] = {0};
    check(same_ids(c.ids, c.n, ids, 12) && same_docs(&c, one, 1),
          "word stream: the cat <unk> sat <eos> <eos> the dog <eos> the cat <eos>; one document");
    rnnc_corpus_free(&c);
    check(c.ids == NULL && c.doc_start == NULL && c.n == 0 && c.n_docs == 0,
          "corpus_free zeroes the struct");
    rnnc_corpus_free(&c);
    rnnc_corpus_free(NULL);

    /* Unknown words, reserved spellings, lowercase, CRLF, a text without a final newline. */
    const char *t2 = "the zebra <pad> <start> <UNK>\r\nThe CAT";
    const int32_t ids2[] = {4, 2, 2, 2, 2, 3, 2, 2, 3};
    check(rnnc_corpus_encode(&s, v, t2, strlen(t2), "t2", &c) == RNNC_OK &&
              same_ids(c.ids, c.n, ids2, 9),
          "unknown words and reserved spellings -> 2, case kept, CRLF is one line end");
    rnnc_corpus_free(&c);
    s.lowercase = 1;
    const int32_t ids3[] = {4, 2, 2, 2, 2, 3, 4, 5, 3};
    check(rnnc_corpus_encode(&s, v, t2, strlen(t2), "t2", &c) == RNNC_OK &&
              same_ids(c.ids, c.n, ids3, 9),
          "lowercase: <UNK> -> <unk> -> 2, The CAT -> the cat");
    rnnc_corpus_free(&c);
    s.lowercase = 0;
    /* Only line ends, and a last line of spaces: one <eos> each. */
    const int32_t ids4[] = {3, 3, 3};
    check(rnnc_corpus_encode(&s, v, "\n\n  ", 4, "t4", &c) == RNNC_OK &&
              same_ids(c.ids, c.n, ids4, 3),
          "\"\\n\\n  \": three lines, three <eos>");
    rnnc_corpus_free(&c);

    /* Documents: every non-empty line; the empty line (and its <eos>) is dropped. */
    s.documents = RNNC_LM_DOC_LINES;
    const int32_t ids5[] = {4, 5, 2, 6, 3, 4, 7, 3, 4, 5, 3};
    const size_t docs5[] = {0, 5, 8};
    check(rnnc_corpus_encode(&s, v, ptb_like, len, "train", &c) == RNNC_OK &&
              same_ids(c.ids, c.n, ids5, 11) && same_docs(&c, docs5, 3),
          "documents by line: 3 documents at 0, 5, 8, the empty line dropped");
    rnnc_corpus_free(&c);
    rnnc_vocab_free(v);
    /* The vocabulary counts that stream: <eos> 3 ties with the 3, and "the" came first. */
    check(rnnc_corpus_vocab(&s, ptb_like, len, &v) == RNNC_OK, "word vocab, documents");
    const char *want_docs[] = {"the", "<eos>", "cat", "sat", "dog"};
    check(vocab_is(v, want_docs, 5), "with documents the dropped line's <eos> is not counted");
    rnnc_vocab_free(v);
    s.documents = RNNC_LM_DOC_NONE;

    /* num_words and min_freq, as rnnc_vocab_build's. */
    s.num_words = 5;
    check(rnnc_corpus_vocab(&s, ptb_like, len, &v) == RNNC_OK && vocab_is(v, want, 2),
          "num_words 5 keeps ids < 5: <eos> the");
    const int32_t ids6[] = {4, 2, 2, 2, 3};
    check(rnnc_corpus_encode(&s, v, " the cat <unk> sat ", 19, "t", &c) == RNNC_OK &&
              same_ids(c.ids, c.n, ids6, 5),
          "words cut by num_words encode as 2");
    rnnc_corpus_free(&c);
    rnnc_vocab_free(v);
    s.num_words = 0;
    s.min_freq = 2;
    check(rnnc_corpus_vocab(&s, ptb_like, len, &v) == RNNC_OK && vocab_is(v, want, 3),
          "min_freq 2 keeps <eos> the cat");
    rnnc_vocab_free(v);
    s.min_freq = 5;
    v = (rnnc_vocab *)1;
    check(rnnc_corpus_vocab(&s, ptb_like, len, &v) == RNNC_ERR_ARG && v == NULL &&
              strstr(rnnc_last_error(), "min_freq 5"),
          "min_freq 5 keeps nothing: refused (%s)", rnnc_last_error());
    s.min_freq = 1;
    s.num_words = 2;
    check(rnnc_corpus_vocab(&s, ptb_like, len, &v) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "num_words 2"),
          "num_words 2 refused (%s)", rnnc_last_error());
}

/* ---- character level ------------------------------------------------------------------------- */

static void test_char(void) {
    rnnc_corpus_spec s = rnnc_corpus_spec_init();
    rnnc_vocab *v = NULL;
    rnnc_corpus c;
    /* "ab\n\n\nba": '\n' 3, a 2, b 2 (a first). */
    const char *t = "ab\n\n\nba";
    check(rnnc_corpus_vocab(&s, t, 7, &v) == RNNC_OK, "char vocab: %s", rnnc_last_error());
    const char *want[] = {"\n", "a", "b"};
    check(vocab_is(v, want, 3), "char vocab: '\\n' a b");
    const int32_t ids[] = {4, 5, 3, 3, 3, 5, 4};
    const size_t one[] = {0};
    check(rnnc_corpus_encode(&s, v, t, 7, "t", &c) == RNNC_OK && same_ids(c.ids, c.n, ids, 7) &&
              same_docs(&c, one, 1),
          "char stream: every character, line ends included");
    rnnc_corpus_free(&c);
    check(rnnc_corpus_encode(&s, v, "abz\xC3\xA9", 5, "t", &c) == RNNC_OK && c.n == 4 &&
              c.ids[2] == RNNC_VOCAB_OOV && c.ids[3] == RNNC_VOCAB_OOV,
          "unknown characters (z, a 2-byte \xC3\xA9) -> 2, one id per character");
    rnnc_corpus_free(&c);
    rnnc_vocab_free(v);

    /* Documents: each non-empty line with its '\n'; the empty lines dropped; the vocabulary
     * then counts one '\n' (a 2, b 2, '\n' 1). */
    s.documents = RNNC_LM_DOC_LINES;
    check(rnnc_corpus_vocab(&s, t, 7, &v) == RNNC_OK, "char vocab, documents");
    const char *want_d[] = {"a", "b", "\n"};
    check(vocab_is(v, want_d, 3), "char vocab with documents: a b '\\n'");
    const int32_t ids_d[] = {3, 4, 5, 4, 3};
    const size_t docs[] = {0, 3};
    check(rnnc_corpus_encode(&s, v, t, 7, "t", &c) == RNNC_OK && same_ids(c.ids, c.n, ids_d, 5) &&
              same_docs(&c, docs, 2),
          "char documents: \"ab\\n\" at 0 and \"ba\" at 3");
    rnnc_corpus_free(&c);
    rnnc_corpus_free(&c);
    s.documents = RNNC_LM_DOC_NONE;
    rnnc_vocab_free(v);

    /* Multibyte and invalid bytes: é 2, U+FFFD 1 (from \xFF). */
    check(rnnc_corpus_vocab(&s, "\xC3\xA9\xFF\xC3\xA9", 5, &v) == RNNC_OK, "char vocab utf-8");
    const char *want_u[] = {"\xC3\xA9", "\xEF\xBF\xBD"};
    const int32_t ids_u[] = {3, 4, 3};
    check(vocab_is(v, want_u, 2) &&
              rnnc_corpus_encode(&s, v, "\xC3\xA9\xFF\xC3\xA9", 5, "u", &c) == RNNC_OK &&
              same_ids(c.ids, c.n, ids_u, 3),
          "char vocab: \xC3\xA9 and U+FFFD; encoded 3 4 3");
    rnnc_corpus_free(&c);
    rnnc_vocab_free(v);

    /* num_words and min_freq are word-level settings. */
    s.min_freq = 100;
    s.num_words = 4;
    check(rnnc_corpus_vocab(&s, t, 7, &v) == RNNC_OK && vocab_is(v, want, 3),
          "char level ignores min_freq and num_words");
    rnnc_vocab_free(v);
    s.min_freq = 1;
    s.num_words = 0;
    /* Lowercase folds characters. */
    s.lowercase = 1;
    check(rnnc_corpus_vocab(&s, "aA\xC3\x89\xC3\xA9", 6, &v) == RNNC_OK, "char vocab lowercase");
    const char *want_l[] = {"a", "\xC3\xA9"};
    check(vocab_is(v, want_l, 2), "lowercase: aA\xC3\x89\xC3\xA9 gives a and \xC3\xA9");
    rnnc_vocab_free(v);
}

/* ---- spec, tokenizer of a spec, bad input ---------------------------------------------------- */

static void test_spec_and_errors(void) {
    const rnnc_lm_spec ls = rnnc_lm_spec_init();
    check(ls.level == RNNC_LM_CHAR && ls.lowercase == 0 && ls.num_words == 0 && ls.min_freq == 1 &&
              ls.documents == RNNC_LM_DOC_NONE && ls.bptt == 35 &&
              ls.loss == RNNC_LM_LOSS_TOKEN_MEAN && ls.eval_batch == 1,
          "lm_spec_init: char, no lowercase, all words, min_freq 1, no documents, bptt 35, "
          "token mean, eval_batch 1");
    rnnc_lm_spec lw = ls;
    lw.level = RNNC_LM_WORD, lw.lowercase = 1, lw.strip_html = 1, lw.split_punct = 1;
    lw.num_words = 7, lw.min_freq = 3, lw.documents = RNNC_LM_DOC_LINES;
    const rnnc_corpus_spec cw = rnnc_lm_corpus(&lw);
    check(cw.level == RNNC_LM_WORD && cw.lowercase == 1 && cw.strip_html == 1 &&
              cw.split_punct == 1 && cw.num_words == 7 && cw.min_freq == 3 &&
              cw.documents == RNNC_LM_DOC_LINES,
          "lm_corpus: the language model's spec's seven text fields, each carried over");
    rnnc_corpus_spec s = rnnc_corpus_spec_init();
    check(s.level == RNNC_LM_CHAR && s.lowercase == 0 && s.num_words == 0 && s.min_freq == 1 &&
              s.documents == RNNC_LM_DOC_NONE && s.strip_html == 0 && s.split_punct == 0,
          "corpus_spec_init: char, no lowercase, all words, min_freq 1, no documents");
    rnnc_tokenizer_spec t = rnnc_corpus_tokenizer(&s);
    check(t.chars == 1 && t.lowercase == 0 && t.strip_html == 0 && t.split_punct == 0,
          "corpus_tokenizer, char level: chars, nothing else");
    s.level = RNNC_LM_WORD;
    s.lowercase = 1;
    t = rnnc_corpus_tokenizer(&s);
    check(t.chars == 0 && t.lowercase == 1 && t.strip_html == 0 && t.split_punct == 0,
          "corpus_tokenizer, word level, lowercase: words as written, lowered");
    t = rnnc_corpus_tokenizer(NULL);
    check(t.chars == 1 && t.lowercase == 0, "corpus_tokenizer(NULL): the defaults (char level)");

    s = rnnc_corpus_spec_init();
    rnnc_vocab *v = NULL;
    check(rnnc_corpus_vocab(&s, "abc", 3, &v) == RNNC_OK, "a small vocabulary");
    rnnc_corpus c;
    memset(&c, 0x5A, sizeof c);
    rnnc_status st = rnnc_corpus_encode(&s, v, "", 0, "valid.txt", &c);
    check(st == RNNC_ERR_FORMAT && strstr(rnnc_last_error(), "valid.txt") &&
              strstr(rnnc_last_error(), "empty") && c.ids == NULL && c.n == 0 &&
              c.doc_start == NULL,
          "empty text refused naming valid.txt, out zeroed (%s)", rnnc_last_error());
    s.documents = RNNC_LM_DOC_LINES;
    st = rnnc_corpus_encode(&s, v, "\n\n", 2, "blank.txt", &c);
    check(st == RNNC_ERR_FORMAT && strstr(rnnc_last_error(), "blank.txt: the text has no tokens"),
          "only empty lines with documents: no tokens, refused (%s)", rnnc_last_error());
    s.level = RNNC_LM_WORD;
    st = rnnc_corpus_encode(&s, v, " \n\t\n", 4, "blank.txt", &c);
    check(st == RNNC_ERR_FORMAT && strstr(rnnc_last_error(), "blank.txt: the text has no tokens"),
          "word level, lines without words, documents: refused (%s)", rnnc_last_error());
    rnnc_vocab_free(v);
    check(rnnc_corpus_vocab(&s, " \n\t\n", 4, &v) == RNNC_ERR_FORMAT && v == NULL &&
              strstr(rnnc_last_error(), "no tokens"),
          "and no vocabulary from it (%s)", rnnc_last_error());
    s = rnnc_corpus_spec_init();
    check(rnnc_corpus_vocab(&s, "abc", 3, &v) == RNNC_OK, "a small vocabulary again");
    check(rnnc_corpus_encode(NULL, v, "a", 1, "x.txt", &c) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "x.txt") && strstr(rnnc_last_error(), "spec"),
          "NULL spec refused naming x.txt (%s)", rnnc_last_error());
    check(rnnc_corpus_encode(&s, NULL, "a", 1, "x.txt", &c) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "vocabulary"),
          "NULL vocabulary refused (%s)", rnnc_last_error());
    check(rnnc_corpus_encode(&s, v, NULL, 1, "x.txt", &c) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "text"),
          "NULL text refused (%s)", rnnc_last_error());
    check(rnnc_corpus_encode(&s, v, "a", 1, "x.txt", NULL) == RNNC_ERR_ARG, "NULL out refused (%s)",
          rnnc_last_error());
    check(rnnc_corpus_encode(&s, v, "a", 1, NULL, &c) == RNNC_OK && c.n == 1,
          "NULL name is allowed");
    rnnc_corpus_free(&c);
    s.level = 7;
    check(rnnc_corpus_encode(&s, v, "a", 1, "x.txt", &c) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "x.txt: level 7"),
          "level 7 refused (%s)", rnnc_last_error());
    s.level = RNNC_LM_CHAR;
    s.documents = 3;
    check(rnnc_corpus_encode(&s, v, "a", 1, "x.txt", &c) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "x.txt: documents 3"),
          "documents 3 refused (%s)", rnnc_last_error());
    s.documents = RNNC_LM_DOC_NONE;
    rnnc_vocab_free(v);
    v = (rnnc_vocab *)1;
    check(rnnc_corpus_vocab(&s, "", 0, &v) == RNNC_ERR_FORMAT && v == NULL &&
              strstr(rnnc_last_error(), "empty"),
          "empty training text refused (%s)", rnnc_last_error());
    check(rnnc_corpus_vocab(NULL, "a", 1, &v) == RNNC_ERR_ARG &&
              rnnc_corpus_vocab(&s, NULL, 1, &v) == RNNC_ERR_ARG &&
              rnnc_corpus_vocab(&s, "a", 1, NULL) == RNNC_ERR_ARG,
          "corpus_vocab: NULL spec, text, out refused");
}

/* ---- the validation cut ---------------------------------------------------------------------- */

/* The number of tokens of text[0..len) at the spec's level (0 for an empty text). */
static size_t n_tokens(const rnnc_corpus_spec *s, const rnnc_vocab *v, const char *text,
                       size_t len) {
    rnnc_corpus c;
    if (len == 0 || rnnc_corpus_encode(s, v, text, len, "part", &c) != RNNC_OK)
        return 0;
    size_t n = c.n;
    rnnc_corpus_free(&c);
    return n;
}

static void cut_case(const rnnc_corpus_spec *s, const char *text, size_t len, double f, size_t want,
                     const char *what) {
    size_t got = rnnc_corpus_cut(s, text, len, f);
    check(got == want, "cut %s at fraction %g: %zu (got %zu)", what, f, want, got);
}

static void test_cut(void) {
    rnnc_corpus_spec c = rnnc_corpus_spec_init(), w = word_spec();
    /* "abcd\xC3\xA9": 6 bytes, é at 4..5. */
    const char *t = "abcd\xC3\xA9";
    cut_case(&c, t, 6, 0.2, 4, "abcd\xC3\xA9 (floor(4.8) = 4, a boundary)");
    cut_case(&c, t, 6, 0.1, 6, "abcd\xC3\xA9 (floor(5.4) = 5, inside \xC3\xA9)");
    cut_case(&c, t, 6, 0.0, 6, "abcd\xC3\xA9 (nothing)");
    cut_case(&c, t, 6, 0.999, 0, "abcd\xC3\xA9 (floor(0.006) = 0)");
    /* "ab\xE2\x82\xAC" + "c" (€ at 2..4): floor(6 * 0.5) = 3 is inside it. */
    cut_case(&c,
             "ab\xE2\x82\xAC"
             "c",
             6, 0.5, 5,
             "ab\xE2\x82\xAC"
             "c (inside \xE2\x82\xAC)");
    /* "ab\xE2\x82" "cd": \xE2 then \x82 are each one bad character, so 3 is a boundary. */
    cut_case(&c,
             "ab\xE2\x82"
             "cd",
             6, 0.5, 3, "a stray continuation byte (a character of its own)");
    cut_case(NULL, t, 6, 0.2, 4, "spec NULL (character level)");
    /* Word level: "one two\n" 0..7, "three\n" 8..13, "four five\n" 14..23. */
    const char *l = "one two\nthree\nfour five\n";
    cut_case(&w, l, 24, 0.5, 14, "lines (floor(12) inside the second line: the third)");
    cut_case(&w, l, 24, 2.0 / 3.0, 8, "lines (floor(8.000000000000002) = 8, a line start)");
    cut_case(&w, l, 24, 0.25, 24, "lines (inside the last line: the end)");
    cut_case(&w, l, 23, 0.25, 23, "lines without a final newline (none after: len)");
    cut_case(&w, l, 24, 0.99, 0, "lines (floor(0.24) = 0: the start)");
    /* Out of range: clamped. */
    cut_case(&w, l, 24, 1.0, 0, "lines, fraction 1");
    cut_case(&c, l, 24, -0.5, 24, "fraction -0.5");
    cut_case(&c, l, 24, NAN, 24, "fraction NaN");
    check(rnnc_corpus_cut(&c, NULL, 5, 0.5) == 0, "cut of NULL text: 0");

    /* The two parts hold the whole text's tokens, at both levels, for every fraction. */
    const char *mix = "Der Hund\n\xC3\xA9t\xC3\xA9 \xFF\xE2\x82 x\n\nfin \xF0\x9F\x98\x80 y z\n"
                      "last";
    size_t len = strlen(mix);
    for (int level = 0; level < 2; level++) {
        rnnc_corpus_spec s = level ? w : c;
        rnnc_vocab *v = NULL;
        rnnc_corpus_vocab(&s, mix, len, &v);
        size_t whole = n_tokens(&s, v, mix, len);
        int ok = whole > 0;
        for (int k = 0; k <= 100 && ok; k++) {
            size_t cut = rnnc_corpus_cut(&s, mix, len, k / 100.0);
            ok = cut <= len &&
                 n_tokens(&s, v, mix, cut) + n_tokens(&s, v, mix + cut, len - cut) == whole;
            if (!ok)
                printf("     fraction %.2f: cut %zu\n", k / 100.0, cut);
        }
        check(ok, "%s level: for fractions 0, 0.01, .., 1 the parts' tokens add up to %zu",
              level ? "word" : "char", whole);
        rnnc_vocab_free(v);
    }
}

/* ---- text files --------------------------------------------------------------------------------
 */

static char tmp[512];

static const char *tmp_path(const char *name) {
    static char p[4][600];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", tmp, name);
    return p[k];
}

static void test_files(void) {
    const char *t = getenv("TMPDIR");
    snprintf(tmp, sizeof tmp, "%s/rnnc-corpus-XXXXXX", (t && *t) ? t : "/tmp");
    if (!check(mkdtemp(tmp) != NULL, "a temporary folder"))
        return;
    const char body[] = "First line\n\xC3\xA9t\xC3\xA9\n\0after NUL\n";
    size_t n = sizeof body - 1;
    const char *plain = tmp_path("plain.txt");
    FILE *f = fopen(plain, "wb");
    if (f) {
        fwrite(body, 1, n, f);
        fclose(f);
    }
    char *text = NULL;
    size_t len = 0;
    rnnc_status st = rnnc_text_file_read(plain, NULL, &text, &len);
    check(st == RNNC_OK && len == n && memcmp(text, body, n) == 0 && text[len] == '\0',
          "plain file read whole (%zu bytes, an inner NUL kept), NUL-terminated", len);
    free(text);
    const char *gz = tmp_path("text.txt.gz");
    gzFile g = gzopen(gz, "wb9");
    if (g) {
        gzwrite(g, body, (unsigned)n);
        gzclose(g);
    }
    text = NULL;
    st = rnnc_text_file_read(gz, NULL, &text, &len);
    check(st == RNNC_OK && len == n && memcmp(text, body, n) == 0 && text[len] == '\0',
          "gzip file read decompressed (%zu bytes)", len);
    free(text);
    /* A gzip file cut short. */
    FILE *in = fopen(gz, "rb");
    char buf[256];
    size_t k = in ? fread(buf, 1, sizeof buf, in) : 0;
    if (in)
        fclose(in);
    const char *cut = tmp_path("cut.txt.gz");
    f = fopen(cut, "wb");
    if (f) {
        fwrite(buf, 1, k > 12 ? k - 12 : 0, f);
        fclose(f);
    }
    text = (char *)1;
    check(rnnc_text_file_read(cut, NULL, &text, &len) == RNNC_ERR_FORMAT && text == NULL &&
              strstr(rnnc_last_error(), "cut.txt.gz"),
          "truncated gzip refused naming the file (%s)", rnnc_last_error());
    const char *empty = tmp_path("empty.txt");
    f = fopen(empty, "wb");
    if (f)
        fclose(f);
    check(rnnc_text_file_read(empty, NULL, &text, &len) == RNNC_OK && len == 0 && text &&
              text[0] == '\0',
          "an empty file reads as \"\"");
    free(text);
    const char *missing = tmp_path("missing.txt");
    check(rnnc_text_file_read(missing, NULL, &text, &len) == RNNC_ERR_IO &&
              strstr(rnnc_last_error(), "missing.txt"),
          "missing file: an I/O error naming it (%s)", rnnc_last_error());
    check(rnnc_text_file_read(NULL, NULL, &text, &len) == RNNC_ERR_ARG &&
              rnnc_text_file_read(plain, NULL, NULL, &len) == RNNC_ERR_ARG &&
              rnnc_text_file_read(plain, NULL, &text, NULL) == RNNC_ERR_ARG,
          "text_file_read: NULL arguments refused");
    unlink(plain);
    unlink(gz);
    unlink(cut);
    unlink(empty);
    rmdir(tmp);
}

/* ---- the real corpora ------------------------------------------------------------------------ */

/* The shared data folder, or NULL (the checks are then skipped, not counted). */
static const char *shared_file(const char *rel, char *buf, size_t cap) {
    static const char *const roots[] = {"../shared/data", "/work/shared/data"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(buf, cap, "%s/%s", roots[i], rel);
        if (access(buf, R_OK) == 0)
            return buf;
    }
    return NULL;
}

static void test_ptb(void) {
    char path[600];
    if (!shared_file("ptb/ptb.train.txt", path, sizeof path)) {
        printf("note: ../shared/data/ptb/ptb.train.txt not found; the PTB checks are skipped "
               "(not counted)\n");
        return;
    }
    char *text = NULL;
    size_t len = 0;
    rnnc_status st = rnnc_text_file_read(path, NULL, &text, &len);
    if (!check(st == RNNC_OK && len == 5101618, "PTB train read (%zu bytes)", len)) {
        free(text);
        return;
    }
    rnnc_corpus_spec s = word_spec();
    rnnc_vocab *v = NULL;
    check(rnnc_corpus_vocab(&s, text, len, &v) == RNNC_OK, "PTB vocabulary built");
    /* PTB's 10,000 types are 9,999 words (one of them "<unk>") and <eos>; "<unk>" is the
     * reserved id 2, so 9,998 words + <eos> + 3 reserved = 10,002 ids (counted with awk). */
    check(rnnc_vocab_size(v) == 10002 && rnnc_vocab_id(v, "<unk>", 5) == RNNC_VOCAB_OOV,
          "PTB train: 10,000 types (<unk> the reserved id 2) = 10,002 ids (got %d)",
          rnnc_vocab_size(v));
    /* "the" 50,770 and <eos> 42,068 times (awk): the two most frequent. */
    check(rnnc_vocab_id(v, "the", 3) == 3 && rnnc_vocab_id(v, "<eos>", 5) == 4,
          "PTB: the is id 3, <eos> id 4");
    rnnc_corpus c;
    check(rnnc_corpus_encode(&s, v, text, len, path, &c) == RNNC_OK, "PTB encode");
    size_t unk = 0, eos = 0;
    for (size_t i = 0; i < c.n; i++)
        unk += c.ids[i] == RNNC_VOCAB_OOV, eos += c.ids[i] == 4;
    check(c.n == 929589 && unk == 45020 && eos == 42068 && c.n_docs == 1,
          "PTB train: 929,589 tokens (887,521 words + 42,068 <eos>), 45,020 <unk> (got %zu, %zu, "
          "%zu)",
          c.n, unk, eos);
    rnnc_corpus_free(&c);
    /* The vocabulary survives its text form. */
    char *vt = NULL;
    rnnc_vocab *back = NULL;
    check(rnnc_vocab_to_text(v, &vt) == RNNC_OK && rnnc_vocab_from_text(vt, "ptb", &back) == 0 &&
              rnnc_vocab_size(back) == 10002,
          "PTB vocabulary text round trip");
    free(vt);
    rnnc_vocab_free(back);
    free(text);
    if (shared_file("ptb/ptb.valid.txt", path, sizeof path) &&
        rnnc_text_file_read(path, NULL, &text, &len) == RNNC_OK) {
        st = rnnc_corpus_encode(&s, v, text, len, path, &c);
        check(st == RNNC_OK && c.n == 73760,
              "PTB valid: 73,760 tokens (70,390 words + 3,370 <eos>; got %zu)", c.n);
        rnnc_corpus_free(&c);
        free(text);
    }
    rnnc_vocab_free(v);
}

static void test_shakespeare(void) {
    char path[600];
    if (!shared_file("tinyshakespeare/input.txt", path, sizeof path)) {
        printf("note: ../shared/data/tinyshakespeare/input.txt not found; its checks are skipped "
               "(not counted)\n");
        return;
    }
    char *text = NULL;
    size_t len = 0;
    rnnc_status st = rnnc_text_file_read(path, NULL, &text, &len);
    if (!check(st == RNNC_OK && len == 1115394, "tiny-shakespeare read (%zu bytes)", len)) {
        free(text);
        return;
    }
    rnnc_corpus_spec s = rnnc_corpus_spec_init();
    rnnc_vocab *v = NULL;
    st = rnnc_corpus_vocab(&s, text, len, &v);
    check(st == RNNC_OK && rnnc_vocab_size(v) == 68,
          "tiny-shakespeare: 65 characters + 3 = 68 ids (got %d)", rnnc_vocab_size(v));
    /* The 90% / 10% split: ASCII, so the cut is floor(0.9 * len) = 1003854. */
    size_t cut = rnnc_corpus_cut(&s, text, len, 0.1);
    rnnc_corpus tr, va;
    check(cut == 1003854 && rnnc_corpus_encode(&s, v, text, cut, "train", &tr) == RNNC_OK &&
              rnnc_corpus_encode(&s, v, text + cut, len - cut, "valid", &va) == RNNC_OK &&
              tr.n + va.n == len,
          "tiny-shakespeare: 90%% / 10%% at byte %zu, one token per byte", cut);
    size_t unk = 0;
    for (size_t i = 0; i < tr.n; i++)
        unk += tr.ids[i] < RNNC_VOCAB_FIRST;
    check(unk == 0, "tiny-shakespeare: no <unk> in the training part");
    rnnc_corpus_free(&tr);
    rnnc_corpus_free(&va);
    char *vt = NULL;
    rnnc_vocab *back = NULL;
    int ok = rnnc_vocab_to_text(v, &vt) == RNNC_OK &&
             rnnc_vocab_from_text(vt, "shakespeare", &back) == RNNC_OK &&
             rnnc_vocab_size(back) == 68;
    for (int i = 0; ok && i < 68; i++)
        ok = strcmp(rnnc_vocab_token(v, i), rnnc_vocab_token(back, i)) == 0;
    check(ok, "tiny-shakespeare character vocabulary (with ' ' and '\\n') survives its text form");
    free(vt);
    rnnc_vocab_free(back);
    rnnc_vocab_free(v);
    free(text);
}

/* Word level with the classifier's tokenizer rules, and labelled texts joined into documents. */
static void test_classifier_rules(void) {
    rnnc_corpus_spec s = word_spec();
    s.lowercase = 1, s.strip_html = 1, s.split_punct = 1, s.documents = RNNC_LM_DOC_LINES;
    rnnc_tokenizer_spec t = rnnc_corpus_tokenizer(&s);
    check(t.strip_html == 1 && t.split_punct == 1 && t.lowercase == 1 && t.chars == 0,
          "word level takes strip_html and split_punct from the spec");
    s.level = RNNC_LM_CHAR;
    t = rnnc_corpus_tokenizer(&s);
    check(t.strip_html == 0 && t.split_punct == 0 && t.chars == 1,
          "character level ignores strip_html and split_punct");
    s.level = RNNC_LM_WORD;

    char *texts[] = {"Great film!<br />Loved it.", "Bad,\r\nbad."};
    rnnc_textset set = {.n = 2, .texts = texts};
    char *joined = NULL;
    size_t len = 0;
    check(rnnc_textset_join(&set, &joined, &len) == RNNC_OK && joined &&
              !strcmp(joined, "Great film!<br />Loved it.\nBad,  bad.\n") && len == strlen(joined),
          "textset_join: one line per text, line breaks inside a text become spaces");
    rnnc_vocab *v = NULL;
    check(rnnc_corpus_vocab(&s, joined, len, &v) == RNNC_OK, "vocab: %s", rnnc_last_error());
    const char *want[] = {".", "<eos>", "bad", "great", "film", "!", "loved", "it", ","};
    check(vocab_is(v, want, 9), "the classifier's rules: lower case, no tags, punctuation split");
    rnnc_corpus c;
    check(rnnc_corpus_encode(&s, v, joined, len, "joined", &c) == RNNC_OK && c.n_docs == 2 &&
              c.doc_start[1] == 7 && c.n == 12,
          "every text is a document (got %zu documents, %zu tokens)", c.n_docs, c.n);
    rnnc_corpus_free(&c);
    rnnc_vocab_free(v);
    free(joined);
    check(rnnc_textset_join(NULL, &joined, &len) == RNNC_ERR_ARG && !joined && len == 0,
          "textset_join: NULL set is an argument error");
}

int main(void) {
    test_classifier_rules();
    test_chars();
    test_escaping();
    test_word();
    test_char();
    test_spec_and_errors();
    test_cut();
    test_files();
    test_ptb();
    test_shakespeare();
    return check_summary();
}
