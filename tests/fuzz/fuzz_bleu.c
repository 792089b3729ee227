/* Fuzz target: the translation metrics (rnnc_bleu, rnnc_chrf, rnnc_bleu_tokenize, rnnc_textscore).
 * The input up to its first NUL byte is the hypothesis and what follows (up to the next NUL) the
 * reference; without a NUL the reference is the hypothesis itself. Properties: the calls succeed
 * exactly when both texts are UTF-8, and otherwise fail with RNNC_ERR_FORMAT and a message; the
 * scores are finite percentages, BP in [0, 1], every order's matches at most its n-grams, which
 * number hyp_len - n + 1; the 13a tokens are UTF-8 joined by single spaces, hyp_len of them; a
 * text against itself scores BLEU 100 (4 tokens or more, else 0) and chrF 100 when it has a
 * token (0 or 100 otherwise); a refused pair leaves an rnnc_textscore as it was. */
#include "fuzz.h"

#include <math.h>

static int in_percent(double x) {
    return isfinite(x) && x >= 0 && x <= 100 + 1e-9;
}

static int fuzz_bleu(const uint8_t *data, size_t n) {
    char *text = fuzz_text(data, n);
    if (!text)
        return RNNC_ERR_NOMEM;
    size_t lh = strlen(text);
    const char *hyp = text, *ref = lh < n ? text + lh + 1 : text;
    int same = ref == hyp;
    int utf8 =
        rnnc_text_invalid_utf8(hyp, lh) == 0 && rnnc_text_invalid_utf8(ref, strlen(ref)) == 0;
    rnnc_bleu_score s;
    double chrf = -1;
    rnnc_status st = rnnc_bleu(&hyp, &ref, 1, &s);
    FUZZ_REQUIRE(utf8 ? st == RNNC_OK : st == RNNC_ERR_FORMAT && rnnc_last_error()[0]);
    rnnc_status st2 = rnnc_chrf(&hyp, &ref, 1, &chrf);
    FUZZ_REQUIRE(st2 == st);
    if (st == RNNC_OK) {
        FUZZ_REQUIRE(in_percent(s.score) && in_percent(chrf) && s.bp >= 0 && s.bp <= 1);
        for (int k = 0; k < 4; k++) {
            FUZZ_REQUIRE(in_percent(s.precisions[k]) && s.correct[k] <= s.total[k]);
            FUZZ_REQUIRE(s.total[k] == (s.hyp_len > (uint64_t)k ? s.hyp_len - (uint64_t)k : 0));
        }
        char *tok = NULL;
        FUZZ_REQUIRE(rnnc_bleu_tokenize(hyp, &tok) == RNNC_OK);
        size_t lt = strlen(tok), count = lt > 0;
        FUZZ_REQUIRE(rnnc_text_invalid_utf8(tok, lt) == 0);
        FUZZ_REQUIRE(lt == 0 || (tok[0] != ' ' && tok[lt - 1] != ' ' && !strstr(tok, "  ")));
        for (size_t i = 0; i < lt; i++)
            count += tok[i] == ' ';
        FUZZ_REQUIRE(count == s.hyp_len);
        free(tok);
        if (same) { /* a token is a character; "<skipped>" alone has characters but no token */
            FUZZ_REQUIRE(s.hyp_len >= 4 ? fabs(s.score - 100) < 1e-9 : s.score == 0);
            FUZZ_REQUIRE(s.hyp_len > 0 ? fabs(chrf - 100) < 1e-9
                                       : chrf == 0 || fabs(chrf - 100) < 1e-9);
        }
    }
    /* a refused pair changes nothing */
    rnnc_textscore *ts = NULL;
    if (rnnc_textscore_create(&ts) == RNNC_OK) {
        rnnc_bleu_score a, b;
        FUZZ_REQUIRE(rnnc_textscore_add(ts, "le chat noir dort ici", "le chat dort ici") ==
                     RNNC_OK);
        FUZZ_REQUIRE(rnnc_textscore_bleu(ts, &a) == RNNC_OK);
        FUZZ_REQUIRE(rnnc_textscore_add(ts, hyp, ref) == st);
        if (st != RNNC_OK) {
            FUZZ_REQUIRE(rnnc_textscore_count(ts) == 1 && rnnc_textscore_bleu(ts, &b) == RNNC_OK);
            FUZZ_REQUIRE(memcmp(&a, &b, sizeof a) == 0);
        }
        rnnc_textscore_free(ts);
    }
    free(text);
    return st;
}

FUZZ_MAIN(fuzz_bleu)
