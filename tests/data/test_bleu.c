/* Corpus BLEU and chrF against sacreBLEU's values (tests/fixtures/bleu.txt, written by
 * tests/gen/gen_bleu_fixtures.py), small cases by hand, the 13a tokenizer, the incremental form
 * and bad input. */
#include "check.h"

#include "rnnc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIXTURE "tests/fixtures/bleu.txt"
#define TOL 1e-9 /* on scores in percent */
#define MAX_PAIRS 64

static int near(double got, double want) {
    return fabs(got - want) <= TOL;
}

/* Undoes the fixture's escapes (\\ \n \t \r \xHH) in place. */
static char *unescape(char *s) {
    char *w = s;
    for (char *r = s; *r;) {
        if (*r != '\\') {
            *w++ = *r++;
            continue;
        }
        char c = r[1];
        if (c == 'n' || c == 't' || c == 'r' || c == '\\') {
            *w++ = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : '\\';
            r += 2;
        } else if (c == 'x' && r[2] && r[3]) {
            char hex[3] = {r[2], r[3], 0};
            *w++ = (char)strtol(hex, NULL, 16);
            r += 4;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
    return s;
}

typedef struct fcase {
    char name[64];
    char *hyp[MAX_PAIRS], *ref[MAX_PAIRS], *htok[MAX_PAIRS], *rtok[MAX_PAIRS];
    size_t n, nh, nr;
    double bleu[7]; /* score, 4 precisions, bp, ratio */
    unsigned long long hyp_len, ref_len;
    double chrf;
} fcase;

static void fcase_clear(fcase *c) {
    for (size_t i = 0; i < MAX_PAIRS; i++) {
        free(c->hyp[i]);
        free(c->ref[i]);
        free(c->htok[i]);
        free(c->rtok[i]);
    }
    memset(c, 0, sizeof *c);
}

static void check_case(const fcase *c) {
    const char *const *hyp = (const char *const *)c->hyp, *const *ref = (const char *const *)c->ref;
    rnnc_bleu_score s;
    double chrf = -1;
    int ok = rnnc_bleu(hyp, ref, c->n, &s) == RNNC_OK;
    check(ok, "%s: rnnc_bleu on %zu pairs", c->name, c->n);
    if (!ok) {
        printf("  %s\n", rnnc_last_error());
        return;
    }
    check(near(s.score, c->bleu[0]), "%s: BLEU %.17g, sacreBLEU %.17g", c->name, s.score,
          c->bleu[0]);
    for (int k = 0; k < 4; k++)
        check(near(s.precisions[k], c->bleu[1 + k]), "%s: %d-gram precision %.17g, sacreBLEU %.17g",
              c->name, k + 1, s.precisions[k], c->bleu[1 + k]);
    check(fabs(s.bp - c->bleu[5]) <= 1e-12, "%s: brevity penalty %.17g, sacreBLEU %.17g", c->name,
          s.bp, c->bleu[5]);
    check(fabs(s.ratio - c->bleu[6]) <= 1e-12, "%s: ratio %.17g, sacreBLEU %.17g", c->name, s.ratio,
          c->bleu[6]);
    check(s.hyp_len == c->hyp_len && s.ref_len == c->ref_len,
          "%s: hyp_len %llu ref_len %llu, sacreBLEU %llu %llu", c->name,
          (unsigned long long)s.hyp_len, (unsigned long long)s.ref_len, c->hyp_len, c->ref_len);
    ok = rnnc_chrf(hyp, ref, c->n, &chrf) == RNNC_OK;
    check(ok && near(chrf, c->chrf), "%s: chrF %.17g, sacreBLEU %.17g", c->name, chrf, c->chrf);
    /* the 13a tokenization of every sentence */
    int same = 1;
    for (size_t i = 0; i < c->n && same; i++) {
        for (int side = 0; side < 2 && same; side++) {
            char *t = NULL;
            const char *in = side ? c->ref[i] : c->hyp[i], *want = side ? c->rtok[i] : c->htok[i];
            if (rnnc_bleu_tokenize(in, &t) != RNNC_OK || strcmp(t, want) != 0) {
                printf("  %s[%zu]: got \"%s\", sacreBLEU \"%s\"\n", side ? "ref" : "hyp", i,
                       t ? t : rnnc_last_error(), want);
                same = 0;
            }
            free(t);
        }
    }
    check(same, "%s: 13a tokens of its %zu pairs equal sacreBLEU's", c->name, c->n);
    /* the same, a pair at a time */
    rnnc_textscore *ts = NULL;
    rnnc_bleu_score si;
    double ci = -1;
    ok = rnnc_textscore_create(&ts) == RNNC_OK;
    for (size_t i = 0; ok && i < c->n; i++)
        ok = rnnc_textscore_add(ts, c->hyp[i], c->ref[i]) == RNNC_OK;
    ok = ok && rnnc_textscore_bleu(ts, &si) == RNNC_OK && rnnc_textscore_chrf(ts, &ci) == RNNC_OK;
    check(ok && rnnc_textscore_count(ts) == c->n && si.score == s.score && si.bp == s.bp &&
              memcmp(si.precisions, s.precisions, sizeof s.precisions) == 0 && ci == chrf,
          "%s: pair by pair = the whole corpus", c->name);
    rnnc_textscore_free(ts);
}

static void fixture_cases(void) {
    FILE *f = fopen(FIXTURE, "r");
    if (!check(f != NULL, "%s opens", FIXTURE))
        return;
    static fcase c;
    char line[4096];
    int cases = 0, sig = 0;
    while (fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        if (len && line[len - 1] == '\n')
            line[--len] = '\0';
        char *arg = strchr(line, ' ');
        arg = arg ? arg + 1 : line + len;
        if (line[0] == '#' || !line[0])
            continue;
        if (!strncmp(line, "signature bleu ", 15)) {
            check(strcmp(arg + 5, rnnc_bleu_signature()) == 0,
                  "BLEU signature \"%s\" is sacreBLEU's", rnnc_bleu_signature());
            sig++;
        } else if (!strncmp(line, "signature chrf ", 15)) {
            check(strcmp(arg + 5, rnnc_chrf_signature()) == 0,
                  "chrF signature \"%s\" is sacreBLEU's", rnnc_chrf_signature());
            sig++;
        } else if (!strncmp(line, "case ", 5)) {
            fcase_clear(&c);
            snprintf(c.name, sizeof c.name, "%s", arg);
        } else if (!strncmp(line, "hyp ", 4) && c.n < MAX_PAIRS) {
            c.hyp[c.n] = unescape(strdup(arg));
        } else if (!strncmp(line, "ref ", 4) && c.n < MAX_PAIRS) {
            c.ref[c.n++] = unescape(strdup(arg));
        } else if (!strncmp(line, "htok ", 5) && c.nh < MAX_PAIRS) {
            c.htok[c.nh++] = unescape(strdup(arg));
        } else if (!strncmp(line, "rtok ", 5) && c.nr < MAX_PAIRS) {
            c.rtok[c.nr++] = unescape(strdup(arg));
        } else if (!strncmp(line, "bleu ", 5)) {
            int got = sscanf(arg, "%lf %lf %lf %lf %lf %lf %lf %llu %llu", &c.bleu[0], &c.bleu[1],
                             &c.bleu[2], &c.bleu[3], &c.bleu[4], &c.bleu[5], &c.bleu[6], &c.hyp_len,
                             &c.ref_len);
            check(got == 9, "%s: bleu line read", c.name);
        } else if (!strncmp(line, "chrf ", 5)) {
            c.chrf = strtod(arg, NULL);
        } else if (!strcmp(line, "end")) {
            if (check(c.n > 0 && c.nh == c.n && c.nr == c.n, "%s: %zu pairs read", c.name, c.n))
                check_case(&c);
            cases++;
        } else {
            check(0, "%s: unknown line \"%.40s\"", FIXTURE, line);
        }
    }
    fcase_clear(&c);
    fclose(f);
    check(cases >= 20 && sig == 2, "%d cases and 2 signatures in %s", cases, FIXTURE);
}

static void by_hand(void) {
    rnnc_bleu_score s;
    double chrf;
    /* "a b c d e" against "a b c d f": 1-grams 4/5, 2-grams 3/4 (ab bc cd), 3-grams 2/3, 4-grams
     * 1/2, equal lengths so BP 1: BLEU = 100 (0.8 * 0.75 * 2/3 * 0.5)^(1/4) = 100 * 0.2^(1/4). */
    const char *h1[] = {"a b c d e"}, *r1[] = {"a b c d f"};
    rnnc_status st = rnnc_bleu(h1, r1, 1, &s);
    check(st == RNNC_OK && fabs(s.score - 100 * pow(0.2, 0.25)) < 1e-12 && s.precisions[0] == 80 &&
              s.precisions[1] == 75 && fabs(s.precisions[2] - 200.0 / 3) < 1e-12 &&
              s.precisions[3] == 50 && s.bp == 1 && s.correct[3] == 1 && s.total[3] == 2,
          "by hand: BLEU(a b c d e | a b c d f) = 100 * 0.2^(1/4) = %.12f", s.score);
    /* every n-gram matches, but 4 tokens against 6: BLEU = BP = exp(1 - 6/4) */
    const char *h2[] = {"a b c d"}, *r2[] = {"a b c d e f"};
    st = rnnc_bleu(h2, r2, 1, &s);
    check(st == RNNC_OK && fabs(s.score - 100 * exp(-0.5)) < 1e-12 &&
              fabs(s.bp - exp(-0.5)) < 1e-15 && fabs(s.ratio - 4.0 / 6) < 1e-15,
          "by hand: brevity penalty exp(1 - 6/4), BLEU %.12f", s.score);
    /* "a b c d" against "a b x d": 3/4, 1/3, then no 3-gram (of 2) and no 4-gram (of 1) matches:
     * 'exp' smoothing gives 100/(2*2) = 25 and 100/(4*1) = 25; BLEU = (75 * 100/3 * 25 * 25)^(1/4)
     * = 1562500^(1/4) = 25 sqrt(2). */
    const char *h3[] = {"a b c d"}, *r3[] = {"a b x d"};
    st = rnnc_bleu(h3, r3, 1, &s);
    check(st == RNNC_OK && fabs(s.score - 25 * sqrt(2.0)) < 1e-12 && s.precisions[2] == 25 &&
              s.precisions[3] == 25,
          "by hand: exp smoothing, BLEU = 25 sqrt(2) = %.12f", s.score);
    /* chrF of "ab" against "abc": order 1: P 2/2, R 2/3; order 2: P 1/1, R 1/2; order 3 has no
     * hypothesis n-gram and orders 4..6 none on either side, so two orders count: P = 1,
     * R = 7/12, F2 = 5 P R / (4 P + R) = (35/12) / (55/12) = 7/11. */
    const char *h4[] = {"ab"}, *r4[] = {"abc"};
    st = rnnc_chrf(h4, r4, 1, &chrf);
    check(st == RNNC_OK && fabs(chrf - 700.0 / 11) < 1e-12,
          "by hand: chrF(ab | abc) = 700/11 = %.12f", chrf);
    /* whitespace does not count for chrF, code points do: "é t é" against "été" is 100 */
    const char *h5[] = {"\xC3\xA9 t\xE2\x80\xAF\xC3\xA9"}, *r5[] = {"\xC3\xA9t\xC3\xA9"};
    st = rnnc_chrf(h5, r5, 1, &chrf);
    check(st == RNNC_OK && chrf == 100,
          "by hand: chrF counts code points, whitespace (U+202F) removed: %g", chrf);
    char *t = NULL;
    st = rnnc_bleu_tokenize("Hello, world! 3.14 and 1,000 vs a.b 10-20 (x) &amp; don't", &t);
    check(st == RNNC_OK &&
              !strcmp(t, "Hello , world ! 3.14 and 1,000 vs a . b 10 - 20 ( x ) & don't"),
          "by hand: 13a tokens \"%s\"", t ? t : "");
    free(t);
}

static void bad_input(void) {
    rnnc_bleu_score s;
    double chrf;
    const char *hyp[] = {"a b", NULL, "c"}, *ref[] = {"a b", "x", "c"};
    rnnc_status st = rnnc_bleu(hyp, ref, 3, &s);
    check(st == RNNC_ERR_ARG && strstr(rnnc_last_error(), "hyp[1]"),
          "a NULL hypothesis: RNNC_ERR_ARG naming hyp[1] (%s)", rnnc_last_error());
    const char *hyp2[] = {"a", "b", "c"}, *ref2[] = {"a", "b", "\xC3("};
    st = rnnc_chrf(hyp2, ref2, 3, &chrf);
    check(st == RNNC_ERR_FORMAT &&
              strstr(rnnc_last_error(), "rnnc_chrf: ref[2]: invalid UTF-8 at byte 0"),
          "invalid UTF-8: RNNC_ERR_FORMAT naming ref[2] and the byte (%s)", rnnc_last_error());
    const char *trunc[] = {"caf\xC3"}, *surr[] = {"\xED\xA0\x80"}, *over[] = {"\xC0\xAF"};
    check(rnnc_bleu(trunc, ref2, 1, &s) == RNNC_ERR_FORMAT &&
              rnnc_bleu(surr, ref2, 1, &s) == RNNC_ERR_FORMAT &&
              rnnc_bleu(over, ref2, 1, &s) == RNNC_ERR_FORMAT,
          "a truncated sequence, a surrogate and an overlong form are refused");
    check(rnnc_bleu(NULL, ref, 1, &s) == RNNC_ERR_ARG &&
              rnnc_bleu(hyp, NULL, 1, &s) == RNNC_ERR_ARG &&
              rnnc_bleu(hyp, ref, 1, NULL) == RNNC_ERR_ARG &&
              rnnc_chrf(hyp, ref, 1, NULL) == RNNC_ERR_ARG,
          "NULL arrays and outputs: RNNC_ERR_ARG");
    check(rnnc_bleu(NULL, NULL, 0, &s) == RNNC_OK && s.score == 0 && s.bp == 1 && s.hyp_len == 0 &&
              rnnc_chrf(NULL, NULL, 0, &chrf) == RNNC_OK && chrf == 0,
          "no pairs: scores 0");
    char *t = (char *)1;
    check(rnnc_bleu_tokenize("\xFF", &t) == RNNC_ERR_FORMAT && t == NULL &&
              rnnc_bleu_tokenize(NULL, &t) == RNNC_ERR_ARG,
          "rnnc_bleu_tokenize refuses invalid UTF-8 and NULL");
    /* a refused pair changes nothing; the index in the message is the pair's */
    rnnc_textscore *ts = NULL;
    rnnc_bleu_score a, b;
    int ok = rnnc_textscore_create(&ts) == RNNC_OK &&
             rnnc_textscore_add(ts, "le chat est noir", "le chat est blanc") == RNNC_OK &&
             rnnc_textscore_bleu(ts, &a) == RNNC_OK;
    check(ok && rnnc_textscore_add(ts, "le chien", "le \x80 chien") == RNNC_ERR_FORMAT &&
              strstr(rnnc_last_error(), "ref[1]") && rnnc_textscore_count(ts) == 1 &&
              rnnc_textscore_bleu(ts, &b) == RNNC_OK && a.score == b.score &&
              a.hyp_len == b.hyp_len && rnnc_textscore_add(NULL, "a", "a") == RNNC_ERR_ARG,
          "textscore: a refused pair (ref[1]) leaves the statistics as they were");
    rnnc_textscore_reset(ts);
    check(rnnc_textscore_count(ts) == 0 && rnnc_textscore_bleu(ts, &b) == RNNC_OK && b.hyp_len == 0,
          "textscore: reset forgets every pair");
    rnnc_textscore_free(ts);
    rnnc_textscore_free(NULL);
}

int main(void) {
    fixture_cases();
    by_hand();
    bad_input();
    return check_summary();
}
