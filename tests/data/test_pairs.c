/* Parallel text for translation, on hand-made files and hand-derived values: the TSV reader (plain
 * and gzip, extra columns, swapped sides, each bad line named by file and line, limits), the
 * translation tokenizer (case, no-break spaces, apostrophes and French elision, numbers),
 * detokenizing and its round trips, the seeded split (deterministic, disjoint by source), the
 * length and prefix filters, the vocabularies with <eos> and the encoding of pairs; then the
 * Tatoeba English-French file when ../shared/data holds it. */
#include "check.h"
#include "rnnc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static char tmp[512];

static const char *tmp_path(const char *name) {
    static char p[4][600];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", tmp, name);
    return p[k];
}

static const char *write_file(const char *name, const char *body, size_t n) {
    const char *path = tmp_path(name);
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(body, 1, n, f);
        fclose(f);
    }
    return path;
}

static const char *write_gz(const char *name, const char *body, size_t n) {
    const char *path = tmp_path(name);
    gzFile g = gzopen(path, "wb9");
    if (g) {
        gzwrite(g, body, (unsigned)n);
        gzclose(g);
    }
    return path;
}

static rnnc_status read_pairs(const char *path, int swap, rnnc_pairs **out) {
    rnnc_pairs_source s = rnnc_pairs_source_init();
    s.path = path;
    s.swap = swap;
    return rnnc_pairs_read(&s, out);
}

/* The tokens of one call joined by '|' (up to 1 KiB). */
typedef struct joined {
    char s[1024];
    size_t len;
    int n;
} joined;

static int join_tok(const char *tok, size_t len, void *user) {
    joined *j = user;
    if (j->len && j->len + 1 < sizeof j->s)
        j->s[j->len++] = '|';
    if (j->len + len < sizeof j->s) {
        memcpy(j->s + j->len, tok, len);
        j->len += len;
    }
    j->s[j->len] = '\0';
    j->n++;
    return 0;
}

static void tok_case(const char *text, const char *want, const char *what) {
    joined j = {{0}, 0, 0};
    rnnc_status st = rnnc_pairs_tokenize(text, strlen(text), join_tok, &j);
    if (!check(st == RNNC_OK && strcmp(j.s, want) == 0, "tokenize %s", what))
        printf("     got \"%s\", want \"%s\" (%s)\n", j.s, want, st ? rnnc_last_error() : "ok");
}

/* Tokenizes text, detokenizes the tokens with style and compares with want; then tokenizes the
 * result again and requires the same tokens (the round trip). */
static void round_trip(const char *text, int style, const char *want, const char *what) {
    joined j = {{0}, 0, 0};
    rnnc_status st = rnnc_pairs_tokenize(text, strlen(text), join_tok, &j);
    char copy[1024], *tok[128];
    size_t n = 0;
    memcpy(copy, j.s, j.len + 1);
    for (char *p = copy; st == RNNC_OK && *p && n < 128;) {
        tok[n++] = p;
        char *bar = strchr(p, '|');
        if (!bar)
            break;
        *bar = '\0';
        p = bar + 1;
    }
    char *out = NULL;
    if (st == RNNC_OK)
        st = rnnc_pairs_detokenize((const char *const *)tok, n, style, &out);
    int ok = st == RNNC_OK && out && strcmp(out, want) == 0;
    if (!check(ok, "detokenize %s", what))
        printf("     got \"%s\", want \"%s\" (%s)\n", out ? out : "(null)", want,
               st ? rnnc_last_error() : "ok");
    joined k = {{0}, 0, 0};
    if (out)
        st = rnnc_pairs_tokenize(out, strlen(out), join_tok, &k);
    if (!check(out && st == RNNC_OK && strcmp(k.s, j.s) == 0, "round trip %s", what))
        printf("     tokens \"%s\", again \"%s\"\n", j.s, k.s);
    free(out);
}

/* ---- the reader -------------------------------------------------------------------------- */

static void expect_error_n(const char *name, const char *body, size_t n, const char *pattern,
                           const char *what) {
    const char *path = write_file(name, body, n);
    rnnc_pairs *p = (rnnc_pairs *)1;
    rnnc_status st = read_pairs(path, 0, &p);
    const char *msg = st ? rnnc_last_error() : "";
    int ok = st == RNNC_ERR_FORMAT && p == NULL && strstr(msg, path) && strstr(msg, pattern);
    if (!check(ok, "read refuses %s (\"%s\")", what, pattern))
        printf("     status %d, message: %s\n", (int)st, msg);
    if (st == RNNC_OK)
        rnnc_pairs_free(p);
}

static void expect_error(const char *name, const char *body, const char *pattern,
                         const char *what) {
    expect_error_n(name, body, strlen(body), pattern, what);
}

static void test_read(void) {
    const char body[] = "\xEF\xBB\xBFGo.\tVa !\tCC-BY 2.0 (France) Attribution: tatoeba.org #1\n"
                        "I'm cold.\tJ\xE2\x80\x99"
                        "ai froid.\r\n"
                        "\n"
                        "  \t \r\n"
                        "He is tall.\tIl est grand.\textra\tmore";
    char plain[600]; /* tmp_path's buffers are reused */
    snprintf(plain, sizeof plain, "%s", write_file("pairs.tsv", body, sizeof body - 1));
    rnnc_pairs *p = NULL;
    rnnc_status st = read_pairs(plain, 0, &p);
    int ok = st == RNNC_OK && p && p->n == 3;
    if (!check(ok, "plain TSV: 3 pairs (BOM, CRLF, blank lines, extra columns)"))
        printf("     %s\n", st ? rnnc_last_error() : "wrong count");
    if (ok) {
        check(strcmp(p->src[0], "Go.") == 0 && strcmp(p->tgt[0], "Va !") == 0 && p->line[0] == 1,
              "pair 1: the BOM skipped, the third column ignored");
        check(strcmp(p->src[1], "I'm cold.") == 0 &&
                  strcmp(p->tgt[1], "J\xE2\x80\x99"
                                    "ai froid.") == 0 &&
                  p->line[1] == 2,
              "pair 2: the CR dropped, the text as read");
        check(strcmp(p->src[2], "He is tall.") == 0 && strcmp(p->tgt[2], "Il est grand.") == 0 &&
                  p->line[2] == 5,
              "pair 3: line 5 (blank lines skipped), a last line without '\\n'");
    }
    rnnc_pairs_free(p);
    p = NULL;

    const char *gz = write_gz("pairs.tsv.gz", body, sizeof body - 1);
    st = read_pairs(gz, 1, &p);
    ok = st == RNNC_OK && p && p->n == 3;
    if (!check(ok, "gzip TSV, swapped: 3 pairs"))
        printf("     %s\n", st ? rnnc_last_error() : "wrong count");
    if (ok)
        check(strcmp(p->src[0], "Va !") == 0 && strcmp(p->tgt[0], "Go.") == 0 &&
                  strcmp(p->src[2], "Il est grand.") == 0 && strcmp(p->tgt[2], "He is tall.") == 0,
              "swap: the second column is the source");
    rnnc_pairs_free(p);
    p = NULL;

    /* gzip cut short */
    FILE *f = fopen(gz, "rb");
    char buf[4096];
    size_t k = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f)
        fclose(f);
    const char *cut = write_file("cut.tsv.gz", buf, k > 10 ? k - 10 : 0);
    st = read_pairs(cut, 0, &p);
    check(st == RNNC_ERR_FORMAT && p == NULL && strstr(rnnc_last_error(), "cut short"),
          "gzip cut short refused");

    expect_error("notab.tsv", "Go.\tVa !\nHello there\n", "notab.tsv:2: no tab",
                 "a line without a tab");
    expect_error("emptysrc.tsv", "Go.\tVa !\nHi.\tSalut.\n \tRien\n",
                 "emptysrc.tsv:3: empty source", "an empty source");
    expect_error("emptytgt.tsv", "Go.\t\xE2\x80\xAF\n", "emptytgt.tsv:1: empty target",
                 "an empty target (a narrow no-break space only)");
    expect_error("bad8.tsv", "Go.\tVa !\nCaf\xE9.\tCaf\xC3\xA9.\n", "bad8.tsv:2: invalid UTF-8",
                 "invalid UTF-8 (a Latin-1 byte)");
    expect_error("bad8b.tsv", "Go.\tVa \xE2\x80!\n", "bad8b.tsv:1: invalid UTF-8",
                 "invalid UTF-8 (a truncated sequence)");
    expect_error_n("nul.tsv", "Go.\tVa\0!\n", 9, "nul.tsv:1: a NUL byte", "a NUL byte");
    expect_error("empty.tsv", "", "no sentence pairs", "an empty file");
    expect_error("blank.tsv", "\n \n\r\n", "no sentence pairs", "a file of blank lines");

    /* the record limit */
    rnnc_pairs_source s = rnnc_pairs_source_init();
    s.path = plain;
    s.limits.records = 2;
    p = (rnnc_pairs *)1;
    st = rnnc_pairs_read(&s, &p);
    if (!check(st == RNNC_ERR_FORMAT && p == NULL && strstr(rnnc_last_error(), "record limit"),
               "the record limit is checked"))
        printf("     status %d: %s\n", (int)st, st ? rnnc_last_error() : "");
    s.path = tmp_path("missing.tsv");
    st = rnnc_pairs_read(&s, &p);
    check(st == RNNC_ERR_IO && strstr(rnnc_last_error(), "missing.tsv"), "a missing file is IO");
    check(rnnc_pairs_read(NULL, &p) == RNNC_ERR_ARG, "NULL source refused");
    rnnc_pairs_source s2 = rnnc_pairs_source_init();
    check(s2.struct_size == sizeof s2 && s2.swap == 0 && s2.path == NULL,
          "rnnc_pairs_source_init: struct_size, no swap");
    s2.path = plain;
    s2.struct_size -= 8;
    st = rnnc_pairs_read(&s2, &p);
    check(st == RNNC_ERR_ARG && strstr(rnnc_last_error(), "rnnc_pairs_source: struct_size is"),
          "a wrong struct_size refused");
}

/* ---- tokenize / detokenize ---------------------------------------------------------------- */

static void test_tokenize(void) {
    tok_case("Go.", "go|.", "splits punctuation");
    tok_case("\xC3\x89T\xC3\x89 \xC3\x80 PARIS \xC5\x92UVRE", /* ÉTÉ À PARIS ŒUVRE */
             "\xC3\xA9t\xC3\xA9|\xC3\xA0|paris|\xC5\x93uvre", "lower-cases É À Œ");
    tok_case("Va\xE2\x80\xAF!", "va|!", "U+202F is a space");
    tok_case("Salut\xC2\xA0!", "salut|!", "U+00A0 is a space");
    tok_case("L'homme", "l'|homme", "elision l'");
    tok_case("J\xE2\x80\x99"
             "ai froid.",
             "j'|ai|froid|.", "U+2019 becomes ' and elides");
    tok_case("Qu'est-ce qu'il n'a pas ?", "qu'|est|-|ce|qu'|il|n'|a|pas|?", "qu' and n'");
    tok_case("Jusqu'ici, c'est d'accord.", "jusqu'|ici|,|c'|est|d'|accord|.", "jusqu' c' d'");
    tok_case("Aujourd'hui", "aujourd'hui", "aujourd'hui kept whole");
    tok_case("I'm sure you don't know O'Neil's dog.", "i'm|sure|you|don't|know|o'neil's|dog|.",
             "English contractions kept whole");
    tok_case("I\xE2\x80\x99m here.", "i'm|here|.", "U+2019 inside an English word");
    tok_case("'Hello'", "'|hello|'", "quoting apostrophes split");
    tok_case("It costs 3.50 dollars, 1,000 at 10:30.", "it|costs|3.50|dollars|,|1,000|at|10:30|.",
             "numbers keep . , :");
    tok_case("\xC2\xAB Bonjour \xC2\xBB, dit-il.", "\xC2\xAB|bonjour|\xC2\xBB|,|dit|-|il|.",
             "guillemets and a hyphen");
    tok_case("Wait...", "wait|.|.|.", "each dot a token");
    tok_case("", "", "empty text");

    char *norm = NULL;
    size_t nt = 0;
    rnnc_status st = rnnc_pairs_normalize(" I\xE2\x80\x99m  COLD. ", 13, &norm, &nt);
    check(st == RNNC_OK && norm && strcmp(norm, "i'm cold .") == 0 && nt == 3,
          "normalize joins tokens by single spaces (\"%s\", %zu)", norm ? norm : "", nt);
    free(norm);
    check(rnnc_pairs_tokenize("x", 1, NULL, NULL) == RNNC_ERR_ARG, "tokenize: fn NULL refused");

    round_trip("I'm cold.", RNNC_DETOK_EN, "i'm cold.", "EN: a period");
    round_trip("Is he here? Yes! Note: it's (really) 50% done; fine.", RNNC_DETOK_EN,
               "is he here? yes! note: it's (really) 50% done; fine.", "EN: ? ! : ; ( ) %");
    round_trip("He said \"no\", I think.", RNNC_DETOK_EN, "he said \"no\", i think.",
               "EN: double quotes");
    round_trip("L'homme est-il l\xC3\xA0 ?", RNNC_DETOK_FR, "l'homme est-il l\xC3\xA0\xE2\x80\xAF?",
               "FR: elision, hyphen, U+202F before ?");
    round_trip("J'ai dit\xC2\xA0: \xC2\xAB Non ! \xC2\xBB", RNNC_DETOK_FR,
               "j'ai dit\xE2\x80\xAF: \xC2\xAB\xE2\x80\xAFnon\xE2\x80\xAF!\xE2\x80\xAF\xC2\xBB",
               "FR: : « ! »");
    round_trip("Qu'est-ce que c'est ?", RNNC_DETOK_FR, "qu'est-ce que c'est\xE2\x80\xAF?",
               "FR: qu'est-ce");
    round_trip("Il co\xC3\xBBte 3,50 euros.", RNNC_DETOK_FR, "il co\xC3\xBBte 3,50 euros.",
               "FR: a decimal comma");
    round_trip("Wait... what?", RNNC_DETOK_EN, "wait... what?", "EN: an ellipsis of dots");
    char *out = NULL;
    check(rnnc_pairs_detokenize(NULL, 0, RNNC_DETOK_EN, &out) == RNNC_OK && out &&
              strcmp(out, "") == 0,
          "detokenize: no tokens give \"\"");
    free(out);
    const char *one[] = {"a"};
    check(rnnc_pairs_detokenize(one, 1, 7, &out) == RNNC_ERR_ARG, "detokenize: unknown style");
}

/* ---- split, filters ------------------------------------------------------------------------ */

/* 300 pairs over 100 distinct sources (each 3 times, spelled differently). */
static rnnc_pairs *many_pairs(void) {
    char *body = malloc(64 * 1024);
    size_t len = 0;
    for (int rep = 0; rep < 3; rep++)
        for (int i = 0; i < 100; i++) {
            const char *who = i % 4 == 0 ? "I am" : i % 4 == 1 ? "I\xE2\x80\x99m" : "She is";
            if (rep == 1)
                who = i % 4 == 0 ? "i  AM" : i % 4 == 1 ? "I'M" : "SHE is";
            len += (size_t)snprintf(body + len, 64 * 1024 - len,
                                    "%s number %d%s\tJe suis le num\xC3\xA9ro %d (v%d).\n", who, i,
                                    i % 5 == 0 ? " and more words here" : "", i, rep);
        }
    const char *path = write_file("many.tsv", body, len);
    free(body);
    rnnc_pairs *p = NULL;
    if (read_pairs(path, 0, &p) != RNNC_OK)
        printf("     %s\n", rnnc_last_error());
    return p;
}

static int source_part(const char *s, uint64_t seed) {
    int part = -1;
    rnnc_pairs_part(s, strlen(s), 0.1, 0.1, seed, &part);
    return part;
}

static void test_split(void) {
    rnnc_pairs *p = many_pairs();
    if (!check(p && p->n == 300, "300 pairs for the split"))
        return;
    rnnc_pairs *tr = NULL, *va = NULL, *te = NULL;
    rnnc_status st = rnnc_pairs_split(p, 0.2, 0.1, 42, &tr, &va, &te);
    int ok = st == RNNC_OK && tr && va && te && tr->n + va->n + te->n == 300;
    if (!check(ok, "split: every pair in one part"))
        printf("     %s\n", st ? rnnc_last_error() : "counts");
    if (ok) {
        check(va->n >= 30 && va->n <= 90 && te->n >= 9 && te->n <= 60,
              "split: sizes near the fractions (valid %zu, test %zu of 300)", va->n, te->n);
        /* disjoint by normalised source: each source's 3 spellings together */
        int disjoint = 1;
        rnnc_pairs *parts[3] = {tr, va, te};
        for (int a = 0; a < 3; a++)
            for (size_t i = 0; i < parts[a]->n; i++)
                for (int b = 0; b < 3; b++) {
                    if (b == a)
                        continue;
                    for (size_t j = 0; j < parts[b]->n; j++) {
                        char *x = NULL, *y = NULL;
                        rnnc_pairs_normalize(parts[a]->src[i], strlen(parts[a]->src[i]), &x, NULL);
                        rnnc_pairs_normalize(parts[b]->src[j], strlen(parts[b]->src[j]), &y, NULL);
                        if (x && y && strcmp(x, y) == 0)
                            disjoint = 0;
                        free(x), free(y);
                    }
                }
        check(disjoint, "split: no normalised source in two parts");
        check(tr->n % 3 == 0 && va->n % 3 == 0 && te->n % 3 == 0,
              "split: each source's 3 spellings in one part (%zu %zu %zu)", tr->n, va->n, te->n);
        int order = 1;
        for (size_t i = 1; i < tr->n; i++)
            order &= tr->line[i] > tr->line[i - 1];
        check(order, "split: the file order kept");
        rnnc_pairs *tr2 = NULL, *va2 = NULL, *te2 = NULL;
        st = rnnc_pairs_split(p, 0.2, 0.1, 42, &tr2, &va2, &te2);
        int same = st == RNNC_OK && tr2->n == tr->n && va2->n == va->n;
        for (size_t i = 0; same && i < va->n; i++)
            same = va2->line[i] == va->line[i];
        check(same, "split: the same seed gives the same parts");
        rnnc_pairs_free(tr2), rnnc_pairs_free(va2), rnnc_pairs_free(te2);
        st = rnnc_pairs_split(p, 0.2, 0.1, 43, &tr2, &va2, &te2);
        int differ = st == RNNC_OK && va2->n != va->n;
        for (size_t i = 0; st == RNNC_OK && !differ && i < va->n; i++)
            differ = va2->line[i] != va->line[i];
        check(differ, "split: another seed gives other parts");
        rnnc_pairs_free(tr2), rnnc_pairs_free(va2), rnnc_pairs_free(te2);
    }
    rnnc_pairs_free(tr), rnnc_pairs_free(va), rnnc_pairs_free(te);

    /* one sentence's part does not depend on its neighbours, only on its normalised form */
    check(source_part("I'm cold.", 7) == source_part("  i\xE2\x80\x99M COLD . ", 7),
          "rnnc_pairs_part: spelling variants of one source agree");
    int counts[3] = {0, 0, 0};
    char s[64];
    for (int i = 0; i < 2000; i++) {
        snprintf(s, sizeof s, "sentence %d", i);
        int k = source_part(s, 1);
        if (k >= 0 && k < 3)
            counts[k]++;
    }
    check(counts[1] > 130 && counts[1] < 270 && counts[2] > 130 && counts[2] < 270,
          "rnnc_pairs_part: 10%%/10%% of 2000 sentences (%d valid, %d test)", counts[1], counts[2]);
    int part = -1;
    check(rnnc_pairs_part("x", 1, 0.6, 0.5, 1, &part) == RNNC_ERR_ARG,
          "rnnc_pairs_part: valid + test >= 1 refused");
    check(rnnc_pairs_part("x", 1, -0.1, 0.5, 1, &part) == RNNC_ERR_ARG,
          "rnnc_pairs_part: a negative fraction refused");
    rnnc_pairs_free(p);
}

static void test_filter(void) {
    const char body[] = "I am cold.\tJ'ai froid.\n"
                        "I amused them.\tJe les ai amus\xC3\xA9s.\n"
                        "I\xE2\x80\x99m here.\tJe suis l\xC3\xA0.\n"
                        "They're out.\tIls sont sortis.\n"
                        "He's a very tall man with a hat.\tC'est un homme tr\xC3\xA8s grand.\n"
                        "Go.\tVa !\n"
                        "YOU ARE late.\tTu es en retard.\n"
                        "Heist.\tCasse.\n";
    const char *path = write_file("filter.tsv", body, sizeof body - 1);
    rnnc_pairs *p = NULL;
    if (!check(read_pairs(path, 0, &p) == RNNC_OK && p->n == 8, "8 pairs for the filters"))
        return;
    rnnc_pairs_filter_spec f = rnnc_pairs_filter_init();
    f.prefixes = rnnc_pairs_tutorial_prefixes(&f.n_prefixes);
    check(f.n_prefixes == 12, "12 tutorial prefixes");
    rnnc_status st = rnnc_pairs_filter(p, &f);
    int ok = st == RNNC_OK && p->n == 5 && p->line[0] == 1 && p->line[1] == 3 && p->line[2] == 4 &&
             p->line[3] == 5 && p->line[4] == 7;
    if (!check(ok, "prefix filter: whole tokens, contractions, case, U+2019"))
        for (size_t i = 0; i < p->n; i++)
            printf("     kept line %zu: %s\n", p->line[i], p->src[i]);
    f = rnnc_pairs_filter_init();
    f.max_src_tokens = 4; /* "i am cold ." is 4; "he's a very tall man ..." is 9 */
    st = rnnc_pairs_filter(p, &f);
    ok = st == RNNC_OK && p->n == 4 && p->line[3] == 7;
    check(ok, "max source tokens 4 drops the long source (%zu left)", p->n);
    f.max_src_tokens = 0;
    f.max_tgt_tokens = 4; /* "je suis là ." 4, "ils sont sortis ." 4, "j' ai froid ." 4,
                             "tu es en retard ." 5 */
    st = rnnc_pairs_filter(p, &f);
    check(st == RNNC_OK && p->n == 3 && p->line[2] == 4,
          "max target tokens 4 counts j' as a token (%zu left)", p->n);
    rnnc_pairs_free(p);
}

/* ---- vocabularies and encoding -------------------------------------------------------------- */

static void test_vocab(void) {
    const char body[] = "I am cold.\tJ'ai froid.\n"
                        "I am here.\tJe suis l\xC3\xA0.\n"
                        "You are cold.\tTu as froid.\n";
    const char *path = write_file("vocab.tsv", body, sizeof body - 1);
    rnnc_pairs *p = NULL;
    if (!check(read_pairs(path, 0, &p) == RNNC_OK && p->n == 3, "3 pairs for the vocabularies"))
        return;
    rnnc_vocab *vs = NULL, *vt = NULL;
    rnnc_status st = rnnc_pairs_vocab(p, RNNC_PAIRS_SRC, 0, 0, &vs);
    /* source counts: i 2, am 2, cold 2, . 3, here 1, you 1, are 1 */
    const char *ws[] = {"<pad>", "<start>", "<unk>", "<eos>", ".",  "i",
                        "am",    "cold",    "here",  "you",   "are"};
    int ok = st == RNNC_OK && rnnc_vocab_size(vs) == 11;
    for (int i = 0; ok && i < 11; i++)
        ok = strcmp(rnnc_vocab_token(vs, i), ws[i]) == 0;
    if (!check(ok, "source vocabulary: reserved, <eos> at 3, then by count"))
        for (int i = 0; i < rnnc_vocab_size(vs); i++)
            printf("     %d %s\n", i, rnnc_vocab_token(vs, i));
    st = rnnc_pairs_vocab(p, RNNC_PAIRS_TGT, 0, 2, &vt);
    /* target counts: froid 2, . 3; min_freq 2 keeps those two */
    ok = st == RNNC_OK && rnnc_vocab_size(vt) == 6 &&
         strcmp(rnnc_vocab_token(vt, RNNC_PAIRS_EOS), "<eos>") == 0 &&
         strcmp(rnnc_vocab_token(vt, 4), ".") == 0 && strcmp(rnnc_vocab_token(vt, 5), "froid") == 0;
    check(ok, "target vocabulary with min_freq 2 keeps <eos>, '.' and 'froid'");
    rnnc_vocab *v5 = NULL;
    st = rnnc_pairs_vocab(p, RNNC_PAIRS_SRC, 6, 0, &v5);
    check(st == RNNC_OK && rnnc_vocab_size(v5) == 6 && strcmp(rnnc_vocab_token(v5, 5), "i") == 0,
          "num_words 6 keeps ids 0-5");
    rnnc_vocab_free(v5);
    check(rnnc_pairs_vocab(p, RNNC_PAIRS_SRC, 4, 0, &v5) == RNNC_ERR_ARG,
          "num_words 4 (no word) refused");
    check(rnnc_pairs_vocab(p, 2, 0, 0, &v5) == RNNC_ERR_ARG, "an unknown side refused");

    rnnc_pairs_ids ids;
    st = rnnc_pairs_encode(p, vs, vt, &ids);
    ok = st == RNNC_OK && ids.n == 3 && ids.src_start[0] == 0 && ids.src_start[1] == 5 &&
         ids.tgt_start[1] == 6;
    if (!check(ok, "encode: offsets (source 4 tokens + <eos>, target <start> + 4 + <eos>)"))
        printf("     %s\n", st ? rnnc_last_error() : "offsets");
    if (ok) {
        const int32_t s0[] = {5, 6, 7, 4, RNNC_PAIRS_EOS};
        const int32_t t0[] = {RNNC_VOCAB_START, RNNC_VOCAB_OOV, RNNC_VOCAB_OOV, 5, 4,
                              RNNC_PAIRS_EOS}; /* j' ai froid . */
        check(memcmp(ids.src_ids, s0, sizeof s0) == 0, "encode: source ids of pair 1");
        check(memcmp(ids.tgt_ids, t0, sizeof t0) == 0, "encode: target ids of pair 1");
        check(ids.src_start[3] == 15 && ids.tgt_start[3] == 18, "encode: totals");
    }
    rnnc_pairs_ids_free(&ids);
    rnnc_pairs_ids_free(&ids);
    int32_t buf[8];
    size_t n = 0;
    st = rnnc_pairs_encode_text(vs, "I am nowhere.", 13, 1, 1, buf, 8, &n);
    const int32_t w[] = {RNNC_VOCAB_START, 5, 6, RNNC_VOCAB_OOV, 4, RNNC_PAIRS_EOS};
    check(st == RNNC_OK && n == 6 && memcmp(buf, w, sizeof w) == 0,
          "encode_text: <start>, an unknown word, <eos>");
    st = rnnc_pairs_encode_text(vs, "<eos> <pad>", 11, 0, 0, buf, 8, &n);
    check(st == RNNC_OK && n == 6 && buf[0] == RNNC_VOCAB_OOV,
          "encode_text: '<' 'eos' '>' are punctuation and words, never id 3 (%zu ids)", n);
    st = rnnc_pairs_encode_text(vs, "i am cold .", 11, 0, 1, buf, 2, &n);
    check(st == RNNC_OK && n == 5 && buf[0] == 5 && buf[1] == 6, "encode_text: truncation shown");
    rnnc_vocab_free(vs), rnnc_vocab_free(vt);
    rnnc_pairs_free(p);
}

/* ---- the real file ---------------------------------------------------------------------------- */

static const char *shared_file(const char *rel, char *buf, size_t cap) {
    static const char *const roots[] = {"../shared/data", "/work/shared/data"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(buf, cap, "%s/%s", roots[i], rel);
        if (access(buf, R_OK) == 0)
            return buf;
    }
    return NULL;
}

static void test_tatoeba(void) {
    char path[600];
    if (!shared_file("tatoeba-eng-fra/fra.txt.gz", path, sizeof path)) {
        printf("skipped: ../shared/data/tatoeba-eng-fra/fra.txt.gz not found; the Tatoeba checks "
               "are not run (not counted)\n");
        return;
    }
    rnnc_pairs *p = NULL;
    rnnc_status st = read_pairs(path, 0, &p);
    if (!check(st == RNNC_OK && p && p->n == 167130, "Tatoeba eng-fra: 167,130 pairs read (%zu)",
               p ? p->n : 0)) {
        if (st)
            printf("     %s\n", rnnc_last_error());
        rnnc_pairs_free(p);
        return;
    }
    rnnc_pairs_filter_spec f = rnnc_pairs_filter_init();
    f.max_src_tokens = 20, f.max_tgt_tokens = 20;
    rnnc_pairs *all20 = NULL, *tr = NULL, *va = NULL, *te = NULL;
    st = rnnc_pairs_split(p, 0, 0, 1, &all20, &va, &te); /* a copy: everything in train */
    rnnc_pairs_free(va), rnnc_pairs_free(te);
    va = te = NULL;
    if (st == RNNC_OK)
        st = rnnc_pairs_filter(all20, &f);
    printf("     Tatoeba: %zu pairs with both sides at most 20 tokens\n", all20 ? all20->n : 0);
    check(st == RNNC_OK && all20->n > 160000 && all20->n < 167130,
          "Tatoeba: most pairs have at most 20 tokens a side (%zu)", all20 ? all20->n : 0);
    rnnc_pairs_free(all20);
    f.max_src_tokens = 10, f.max_tgt_tokens = 10;
    f.prefixes = rnnc_pairs_tutorial_prefixes(&f.n_prefixes);
    st = rnnc_pairs_filter(p, &f);
    printf("     Tatoeba: tutorial subset %zu pairs (English prefixes, both sides at most 10 "
           "tokens)\n",
           p->n);
    check(st == RNNC_OK && p->n > 5000 && p->n < 30000, "Tatoeba: tutorial subset size (%zu)",
          p->n);
    st = rnnc_pairs_split(p, 0.1, 0.1, 1, &tr, &va, &te);
    if (st == RNNC_OK)
        printf("     Tatoeba tutorial subset split (seed 1, 0.1/0.1): train %zu, valid %zu, test "
               "%zu\n",
               tr->n, va->n, te->n);
    rnnc_vocab *vs = NULL, *vt = NULL;
    if (st == RNNC_OK)
        st = rnnc_pairs_vocab(tr, RNNC_PAIRS_SRC, 0, 1, &vs);
    if (st == RNNC_OK)
        st = rnnc_pairs_vocab(tr, RNNC_PAIRS_TGT, 0, 1, &vt);
    if (st == RNNC_OK)
        printf("     Tatoeba tutorial vocabularies: English %d, French %d ids\n",
               rnnc_vocab_size(vs), rnnc_vocab_size(vt));
    check(st == RNNC_OK, "Tatoeba: split and vocabularies");
    rnnc_vocab_free(vs), rnnc_vocab_free(vt);
    rnnc_pairs_free(tr), rnnc_pairs_free(va), rnnc_pairs_free(te);
    rnnc_pairs_free(p);
}

int main(void) {
    const char *t = getenv("TMPDIR");
    snprintf(tmp, sizeof tmp, "%s/rnnc-pairs-XXXXXX", (t && *t) ? t : "/tmp");
    if (!check(mkdtemp(tmp) != NULL, "a temporary folder"))
        return check_summary();
    test_read();
    test_tokenize();
    test_split();
    test_filter();
    test_vocab();
    test_tatoeba();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        printf("note: could not remove %s\n", tmp);
    return check_summary();
}
