/* rnnc/translate.h: translation (sequence to sequence): a model ending in a decoder trained on
 * sentence pairs with teacher forcing, its token loss with label smoothing, its evaluation, and
 * the [translate] training file (docs/translate.md, "Training").
 * Part of the public API; include "rnnc.h" for all of it (its conventions hold here). */
#ifndef RNNC_TRANSLATE_H
#define RNNC_TRANSLATE_H

#include "nn.h"
#include "pairs.h"
#include "train.h"
#include "trainfile.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Which source prefixes the data keeps (rnnc_pairs_filter): all, or the classic tutorial
 * subset's English prefixes (rnnc_pairs_tutorial_prefixes). */
enum rnnc_translate_prefix { RNNC_PREFIX_NONE = 0, RNNC_PREFIX_TUTORIAL = 1 };

/* How a translator reads its pairs and what it learns from them. The data fields say how the
 * training file's pairs were read, filtered and split (rnnc_translate_read), so that the model
 * file can make the same test part again. */
typedef struct rnnc_translate_spec {
    size_t struct_size; /* set by rnnc_translate_spec_init(); see docs/api.md, "Compatibility" */
    /* data */
    int swap;                          /* 1: each line is target TAB source. 0 */
    int max_tokens;                    /* keep pairs whose sides have at most this many tokens
                                          (0: any). 0 */
    enum rnnc_translate_prefix prefix; /* none */
    double validation_split;           /* by source sentence (rnnc_pairs_split). 0.1 */
    double test_split;                 /* 0.1 */
    uint64_t split_seed;               /* 1 */
    /* vocabularies, one per side, from the training part (rnnc_pairs_vocab) */
    int src_words, tgt_words;       /* ids kept (0: all, otherwise >= 5). 0 */
    int src_min_freq, tgt_min_freq; /* rarer words become <unk>. 1 */
    /* training */
    double label_smoothing; /* in [0, 1): as torch.nn.CrossEntropyLoss(label_smoothing=...). 0 */
    enum rnnc_detok_style detok; /* how target text is written back (decoding). fr */
    /* the probability that training feeds the decoder the target's token rather than its own
     * argmax (scheduled sampling, rnnc_model_set_teacher_forcing). 1 */
    double teacher_forcing;
} rnnc_translate_spec;
/* Fills *s with the defaults: its first `size` bytes (the caller's sizeof), struct_size = size. */
void rnnc_translate_spec_defaults(rnnc_translate_spec *s, size_t size);
static inline rnnc_translate_spec rnnc_translate_spec_init(void) {
    rnnc_translate_spec s;
    rnnc_translate_spec_defaults(&s, sizeof s);
    return s;
}

/* The pairs of a TSV file (rnnc_pairs_read with spec's swap and lim, which may be NULL for the
 * defaults), filtered by spec's max_tokens and prefix, split by spec's fractions and seed. Each of
 * train, val, test may be NULL (that part is dropped); owned by the caller (rnnc_pairs_free). A
 * filter that keeps nothing is RNNC_ERR_FORMAT naming the file. */
rnnc_status rnnc_translate_read(const rnnc_translate_spec *spec, const char *path,
                                const rnnc_read_limits *lim, rnnc_pairs **train, rnnc_pairs **val,
                                rnnc_pairs **test);

/* The token loss of translation: softmax cross-entropy of logits (N,V) against target (N), rows
 * whose target is ignore_index counting nothing, with label smoothing e as
 * torch.nn.CrossEntropyLoss(ignore_index, label_smoothing=e): a counted row's loss is
 * (1 - e) (lse - z[t]) + e (lse - mean_c z[c]), lse = log sum_c exp z[c]. *loss gets the sum over
 * the counted rows (not the mean), *ce (may be NULL) the sum of their plain cross-entropy
 * lse - z[t], *counted (may be NULL) their count and *hits (may be NULL) how many have the target
 * as their argmax (the first on ties). grad (N,V) or NULL gets scale * d(row loss)/dz =
 * scale * (softmax(z) - (1 - e) onehot(t) - e / V), 0 on ignored rows. Errors, with nothing
 * written: RNNC_ERR_ARG for a NULL logits, target or loss, V 0, e outside [0, 1), a target
 * outside [0, V) that is not ignore_index (naming the row). */
rnnc_status rnnc_translate_loss(const float *logits, const int32_t *target, size_t N, size_t V,
                                int32_t ignore_index, double smoothing, float scale, float *grad,
                                double *loss, double *ce, size_t *counted, size_t *hits);

typedef struct rnnc_translator rnnc_translator;

/* A new translator: the vocabularies from train (rnnc_pairs_vocab with spec's sizes), the model
 * from cfg initialised with seed. cfg starts with an embedding (the source's) and ends with a
 * decoder; an embedding vocab or a decoder vocab of 0 ("auto") is set to its vocabulary's size,
 * other values must equal it. Owned by the caller. */
rnnc_status rnnc_translator_create(const rnnc_config *cfg, const rnnc_translate_spec *spec,
                                   const rnnc_pairs *train, uint64_t seed, rnnc_translator **out);
/* Reads a translator's model file (or a checkpoint). */
rnnc_status rnnc_translator_load(const char *path, rnnc_translator **out);
/* Writes the model file atomically: the model, "rnnc.task" = "translate", the spec
 * ("rnnc.translate"), both vocabularies ("rnnc.vocab.src", "rnnc.vocab.tgt") and the data file
 * when set ("rnnc.translate.data"). */
rnnc_status rnnc_translator_save(const rnnc_translator *t, const char *path);
void rnnc_translator_free(rnnc_translator *t);
/* The parts (borrowed). */
rnnc_model *rnnc_translator_model(rnnc_translator *t);
const rnnc_vocab *rnnc_translator_src_vocab(const rnnc_translator *t);
const rnnc_vocab *rnnc_translator_tgt_vocab(const rnnc_translator *t);
const rnnc_translate_spec *rnnc_translator_spec(const rnnc_translator *t);
/* The data file the translator was trained on ("" when not set), and setting it (copied, at
 * most 1023 bytes): the model file keeps it so that rnnc eval can make its test part again. */
const char *rnnc_translator_data(const rnnc_translator *t);
rnnc_status rnnc_translator_set_data(rnnc_translator *t, const char *path);

/* Trains on train (encoded with the translator's vocabularies), validating on val (may be NULL)
 * after every epoch, on the shared trainer (checkpoints, resume, early stopping, schedules,
 * clipping as rnnc_fit_spec says). The pairs are sorted by source length (then target length,
 * then file order) and cut into batches of fit.batch_size; the trainer shuffles the batches, not
 * the pairs, so a batch holds sentences of similar length. Teacher forcing: the decoder reads the
 * target shifted right. A batch's loss is its mean token loss (rnnc_translate_loss with the spec's
 * label smoothing); the epoch report's loss is the mean over its batches, its accuracy the token
 * accuracy; val_loss is the plain cross-entropy per target token (no smoothing) and val accuracy
 * the token accuracy. */
rnnc_status rnnc_translator_fit(rnnc_translator *t, const rnnc_pairs *train, const rnnc_pairs *val,
                                const rnnc_fit_spec *spec, rnnc_epoch_report *last);

/* Scores of a translator on pairs, with teacher forcing. */
typedef struct rnnc_translate_scores {
    size_t pairs, tokens; /* target tokens scored: each target's words and its <eos> */
    double loss;          /* cross-entropy in nats per target token */
    double perplexity;    /* exp(loss) */
    double accuracy;      /* tokens whose argmax is the target */
    double smoothed_loss; /* the training objective: the loss with the spec's label smoothing */
} rnnc_translate_scores;
/* Scores p in batches of batch pairs (sorted by length as training does; the result does not
 * depend on batch). Errors: RNNC_ERR_ARG for an empty p or batch < 1. */
rnnc_status rnnc_translator_evaluate(rnnc_translator *t, const rnnc_pairs *p, int batch,
                                     rnnc_translate_scores *out);

/* Translates n sentences: each tokenized and encoded as training encodes a source (its tokens,
 * then <eos>; words outside the vocabulary as <unk>), decoded by rnnc_model_decode with spec (its
 * start and end tokens are set to the target vocabulary's <start> and <eos>), and the output's
 * tokens detokenized in the spec's detok style; a sentence without tokens (empty or blank) gives
 * "" without decoding. out[i] is malloc'd text (the caller frees each);
 * on failure every out[i] is NULL. Sentences are decoded 64 at a time, sorted by length; the
 * output of a sentence does not depend on the others. */
rnnc_status rnnc_translator_translate(rnnc_translator *t, const char *const *sources, size_t n,
                                      const rnnc_decode_spec *spec, char **out);

/* One sentence translated, with where it looked: the output text (as rnnc_translator_translate
 * writes it), the source's tokens as the tokenizer reads them with "<eos>" last (n_src), the
 * output's tokens with "<eos>" last (n_out; the last row is the step that ends the output, or the
 * one after a length limit), and the attention weights (n_out, n_src) of each output step over
 * the source's tokens: those of the teacher-forced forward over the chosen output, which are the
 * search's own along that path (rnnc_model_attention). Owned by the caller
 * (rnnc_translation_free). */
typedef struct rnnc_translation {
    char *text;
    size_t n_src, n_out;
    char **src, **out;
    float *weights;
} rnnc_translation;
rnnc_status rnnc_translator_attend(rnnc_translator *t, const char *source,
                                   const rnnc_decode_spec *spec, rnnc_translation *out);
void rnnc_translation_free(rnnc_translation *x);

/* Corpus BLEU and chrF (as sacreBLEU's defaults, rnnc_bleu and rnnc_chrf) of t's translations of
 * p's sources (rnnc_translator_translate with spec) against p's targets as the model would write
 * them: their tokens (lower case, normalised) detokenized in the spec's style. */
rnnc_status rnnc_translator_bleu(rnnc_translator *t, const rnnc_pairs *p,
                                 const rnnc_decode_spec *spec, rnnc_bleu_score *bleu, double *chrf);

/* A translation training file (docs/translate.md, "Training"): the model's layer sections,
 * [train], [optimizer], [schedule], [early_stopping] and a [translate] section with the data file
 * and the spec. */
typedef struct rnnc_translate_config {
    rnnc_run_config run;
    rnnc_translate_spec spec;
    char data[1024];         /* [translate] data: the TSV file */
    rnnc_read_limits limits; /* [translate] max_read_bytes, max_records, ... (0: the default) */
} rnnc_translate_config;
/* Reads a translation training file (rnnc_train_file_open); errors name the file and line. */
rnnc_status rnnc_translate_config_parse(const rnnc_train_file *f, rnnc_translate_config *out);
/* rnnc_train_file_open + rnnc_translate_config_parse + rnnc_train_file_free. */
rnnc_status rnnc_translate_config_read(const char *path, const char *const *overrides, int n,
                                       rnnc_translate_config *out);

#ifdef __cplusplus
}
#endif
#endif /* RNNC_TRANSLATE_H */
