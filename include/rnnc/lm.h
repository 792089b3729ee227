/* rnnc/lm.h: language models: training on token streams, evaluation and sampling.
 * Part of the public API; include "rnnc.h" for all of it (its conventions hold here). */
#ifndef RNNC_LM_H
#define RNNC_LM_H

#include "trainfile.h"
#include "text.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Language models (docs/lm.md): a text read as one stream of tokens (characters, or words with
 * <eos> at line ends), an embedding -> recurrent -> dense model predicting the next token at every
 * step, trained by truncated backpropagation through time with the state carried from window to
 * window, evaluated by per-token loss, perplexity and bits per character, and sampled from.
 */
/* How the loss of a training window is reduced before the backward (the reported loss is always
 * the mean per token): the mean over the window's tokens (PyTorch's word_language_model), or the
 * sum over the unrolled steps averaged over the batch (Zaremba et al. 2014's ptb_word_lm: the same
 * learning rate then takes steps bptt times larger). */
enum rnnc_lm_loss { RNNC_LM_LOSS_TOKEN_MEAN = 0, RNNC_LM_LOSS_STEP_SUM = 1 };

/* How a language model reads text. */
typedef struct rnnc_lm_spec {
    size_t struct_size; /* set by rnnc_lm_spec_init(); see docs/api.md, "Compatibility" */
    /* how text becomes tokens: as rnnc_corpus_spec (rnnc_lm_corpus) */
    enum rnnc_lm_level level; /* char */
    int lowercase;            /* fold case first (the tokenizer's table). 0 */
    int strip_html;           /* word level: HTML tags become spaces (the tokenizer's rule). 0 */
    int split_punct; /* word level: each punctuation character is a token (the tokenizer's rule,
                        as a classifier's; needed for a vocabulary a classifier can share). 0 */
    int num_words;   /* word level: keep ids < num_words (the most frequent words; 0: all). 0 */
    int min_freq;    /* word level: words seen fewer times in training become <unk>. 1 */
    enum rnnc_lm_documents documents; /* none */
    int bptt;                         /* unrolled steps per training window. 35 */
    enum rnnc_lm_loss loss;           /* token_mean */
    int eval_batch; /* parallel streams when validating (the text is cut into eval_batch
                       contiguous parts, each starting from a zero state); 1 scores every token
                       with its whole history. 1 */
} rnnc_lm_spec;
/* The defaults given after each field above. */
/* Fills *s with the defaults: its first `size` bytes (the caller's sizeof), struct_size = size. */
void rnnc_lm_spec_defaults(rnnc_lm_spec *s, size_t size);
static inline rnnc_lm_spec rnnc_lm_spec_init(void) {
    rnnc_lm_spec s;
    rnnc_lm_spec_defaults(&s, sizeof s);
    return s;
}
/* The part of the spec that says how text becomes the model's token stream (its first seven
 * fields); spec NULL means rnnc_lm_spec_init(). */
rnnc_corpus_spec rnnc_lm_corpus(const rnnc_lm_spec *spec);
/* The tokenizer spec a language model of this spec uses (rnnc_corpus_tokenizer of its corpus
 * spec). */
rnnc_tokenizer_spec rnnc_lm_tokenizer(const rnnc_lm_spec *spec);

typedef struct rnnc_lm rnnc_lm;

/* A new language model: the vocabulary from train_text, the model from cfg initialised with seed.
 * The model must start with an embedding and end with a linear dense layer over the vocabulary,
 * with every layer in between returning sequences; an embedding vocab or dense units of 0 in cfg
 * are set to the vocabulary's size, other values must equal it. Owned by the caller. */
rnnc_status rnnc_lm_create(const rnnc_config *cfg, const rnnc_lm_spec *spec, const char *train_text,
                           size_t len, uint64_t seed, rnnc_lm **out);
/* The same with a given vocabulary (copied; NULL: from train_text as above), e.g. a pretrained
 * model's for continued pretraining; train_text may then be NULL. */
rnnc_status rnnc_lm_create_vocab(const rnnc_config *cfg, const rnnc_lm_spec *spec,
                                 const rnnc_vocab *vocab, const char *train_text, size_t len,
                                 uint64_t seed, rnnc_lm **out);
/* Reads a language model's file (or a checkpoint). */
rnnc_status rnnc_lm_load(const char *path, rnnc_lm **out);
/* Writes the model file atomically: the model, the spec and the vocabulary. */
rnnc_status rnnc_lm_save(const rnnc_lm *lm, const char *path);
void rnnc_lm_free(rnnc_lm *lm);
/* The parts (borrowed). The spec's getter says "get" because rnnc_lm_spec names its type. */
rnnc_model *rnnc_lm_model(rnnc_lm *lm);
const rnnc_vocab *rnnc_lm_vocab(const rnnc_lm *lm);
const rnnc_lm_spec *rnnc_lm_get_spec(const rnnc_lm *lm);
/* Encodes text with the model's vocabulary and spec (rnnc_corpus_encode). */
rnnc_status rnnc_lm_encode(const rnnc_lm *lm, const char *text, size_t len, const char *name,
                           rnnc_corpus *out);

/* Trains on the stream train (fit.batch_size parallel streams, bptt steps per window, the state
 * carried from window to window and reset at document starts and at each epoch's start),
 * validating on val (may be NULL) after every epoch; the epoch report's loss and val_loss are in
 * nats per token (accuracy: next-token accuracy). */
rnnc_status rnnc_lm_fit(rnnc_lm *lm, const rnnc_corpus *train, const rnnc_corpus *val,
                        const rnnc_fit_spec *spec, rnnc_epoch_report *last);
/* Scores every token of c after the first of each document (and of each of the `batch` parts):
 * *loss the mean cross-entropy in nats per scored token, *scored their count (may be NULL).
 * batch 1 gives every token its whole history. */
rnnc_status rnnc_lm_evaluate(rnnc_lm *lm, const rnnc_corpus *c, int batch, double *loss,
                             size_t *scored);

/* Sampling one token from logits (V): divided by temperature, then only the top_k most likely
 * (0: all), then only the smallest set of most likely tokens whose probability reaches top_p
 * (1: all), renormalised, drawn with one rnnc_rng_uniform from rng. temperature 0 or top_k 1
 * picks the most likely token (the lowest id among ties) and draws nothing. Allocates V entries
 * for the duration of the call when top_k or top_p restrict the choice. Errors: RNNC_ERR_ARG for
 * V = 0, a negative or non-finite temperature, top_k < 0, top_p outside (0, 1];
 * RNNC_ERR_NUMERIC for a NaN or +Inf logit (-Inf marks a token that is never drawn). */
typedef struct rnnc_sample_spec {
    size_t struct_size; /* set by rnnc_sample_spec_init(); see docs/api.md, "Compatibility" */
    double temperature; /* 1 */
    int top_k;          /* 0 */
    double top_p;       /* 1 */
} rnnc_sample_spec;
/* Fills *s with the defaults: its first `size` bytes (the caller's sizeof), struct_size = size. */
void rnnc_sample_spec_defaults(rnnc_sample_spec *s, size_t size);
static inline rnnc_sample_spec rnnc_sample_spec_init(void) {
    rnnc_sample_spec s;
    rnnc_sample_spec_defaults(&s, sizeof s);
    return s;
}
rnnc_status rnnc_sample_logits(const float *logits, size_t V, const rnnc_sample_spec *spec,
                               rnnc_rng *rng, int32_t *id);
/* Generates n tokens after prime (may be empty: generation then starts as after a line end, from
 * "<eos>" at word level and "\n" at character level). The prime is run through the model, then
 * each sampled token is fed back. emit gets each token's text as it should be printed (a
 * character; at word level the word with a space before it unless a line starts, and a line end
 * for <eos>) as soon as it is drawn; a nonzero return stops early. The same seed, prime and spec
 * give the same tokens. <pad> and <start> are never drawn (<unk> is, as a token the model
 * learnt). The prime is read as training read text: at word level a word outside the vocabulary
 * (or spelled like a reserved token) is <unk>; at character level a character outside the
 * vocabulary is an error naming it (a character model's <unk> never occurred in its training
 * text, so its embedding row is untrained). */
rnnc_status rnnc_lm_generate(rnnc_lm *lm, const char *prime, size_t len, size_t n,
                             const rnnc_sample_spec *spec, uint64_t seed,
                             int (*emit)(const char *text, size_t len, void *user), void *user);
/* What rnnc_lm_check_prime found in a prime. */
typedef struct rnnc_prime_info {
    size_t tokens;     /* the prime's tokens (at word level each line end is one, <eos>) */
    size_t unknown;    /* word level: words outside the vocabulary, read as <unk> */
    int n_first;       /* how many of them first holds (at most 3) */
    char first[3][64]; /* the first unknown words, in prime order, each cut to 60 bytes */
} rnnc_prime_info;
/* Checks a prime as rnnc_lm_generate would, without running the model: at character level every
 * character in the vocabulary (an error names the first that is not, at most 60 bytes of it), at
 * word level a line end only where the model has "<eos>"; *info (may be NULL; zeroed first) gets
 * the count of tokens and the word-level words read as <unk>, for a notice. For a caller that
 * shows the prime before generating: check it first, so a bad prime is refused before any of it
 * is printed. */
rnnc_status rnnc_lm_check_prime(const rnnc_lm *lm, const char *prime, size_t len,
                                rnnc_prime_info *info);

/* A language-model training file (docs/lm.md): the model's layer sections, [train], [optimizer],
 * [schedule], [early_stopping] and an [lm] section with the text files and the spec. */
typedef struct rnnc_lm_config {
    rnnc_run_config run;
    rnnc_lm_spec spec;
    char train_file[1024], validation_file[1024], test_file[1024];
    double validation_split; /* the last fraction of train_file validates when no file is named */
    /* [lm] format: -1 plain text (default); otherwise an enum rnnc_text_format: the files are
     * labelled-text sets (rnnc_textset_read; labels unused), read with rnnc_textset_join, one
     * document per text. text_column as [data] text_column ("" for the default). */
    int format;
    char text_column[64];
    /* [lm] max_read_bytes, max_text_bytes, max_records, max_members (0: the default) */
    rnnc_read_limits limits;
    enum rnnc_text_encoding encoding; /* of the text files: utf-8 (default) or latin-1 */
} rnnc_lm_config;
/* Reads a language-model training file (rnnc_train_file_open); errors name the file and line. */
rnnc_status rnnc_lm_config_parse(const rnnc_train_file *f, rnnc_lm_config *out);
/* rnnc_train_file_open + rnnc_lm_config_parse + rnnc_train_file_free. */
rnnc_status rnnc_lm_config_read(const char *path, const char *const *overrides, int n,
                                rnnc_lm_config *out);

#ifdef __cplusplus
}
#endif
#endif /* RNNC_LM_H */
