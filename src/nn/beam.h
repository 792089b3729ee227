/* Beam search over any step function (greedy is a beam of 1): the search of a decoder's output
 * sequence, written once for every model that decodes token by token. B sentences of K rows each
 * (R = B*K rows, sentence b's beams in rows b*K .. b*K+K-1). Scores are sums of log-probabilities;
 * finished hypotheses are ranked by score / lp(length) with GNMT's length penalty
 * lp(n) = ((5 + n) / 6)^alpha (Wu et al. 2016), n counting the end token. Each step keeps, in rank
 * order of the candidates (score, then row, then token: ties go to the lower), an end token among
 * the first K candidates as a finished hypothesis and the first K other candidates as the beams;
 * a sentence is done when it holds K finished hypotheses or reaches its step limit (its beams
 * then finish as they are, without the end token). With K = 1 that is greedy decoding token for
 * token. A candidate token that would repeat an n-gram already in its hypothesis (n =
 * no_repeat_ngram, 0: off) is not taken. */
#ifndef RNNC_SRC_NN_BEAM_H
#define RNNC_SRC_NN_BEAM_H

#include "../core/core.h"

/* Advances every row by one token: rows are first reordered, row r continuing the state of row
 * parent[r], then appending token ids[r]; writes the log-probabilities of the next token (R,V). */
typedef rnnc_status (*rnnc__beam_step)(void *ctx, size_t R, const int32_t *parent,
                                       const int32_t *ids, float *logp);

typedef struct rnnc__beam_spec {
    int K;               /* beams per sentence, >= 1 */
    double alpha;        /* length penalty; 0: none */
    int no_repeat_ngram; /* 0: off */
    int32_t start, end;  /* the first input token and the end token */
} rnnc__beam_spec;

/* Searches B sentences over a vocabulary of V tokens, sentence b for at most max_len[b] >= 1
 * steps. out (B,cap): each sentence's best hypothesis without its end token (len[b] tokens,
 * cap >= every max_len[b]); score[b]: its score / lp(n) (may be NULL). */
rnnc_status rnnc__beam_search(const rnnc__beam_spec *s, size_t B, size_t V, const size_t *max_len,
                              rnnc__beam_step step, void *ctx, int32_t *out, size_t cap,
                              int32_t *len, double *score);

#endif
