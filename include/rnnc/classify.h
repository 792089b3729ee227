/* rnnc/classify.h: text classification: raw text in, a label out.
 * Part of the public API; include "rnnc.h" for all of it (its conventions hold here). */
#ifndef RNNC_CLASSIFY_H
#define RNNC_CLASSIFY_H

#include "train.h"
#include "text.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Training
 */
/* Text classification: raw text in, a label out. A classifier bundles a model, the vocabulary
 * built from its training texts, the text options below and the label names; its model file holds
 * all of them (docs/training.md), so the file alone predicts on raw text.
 *
 * How text becomes input: tokenize, look every token up (ids below num_words, else <unk>), put
 * <start> first when add_start, pad or truncate to maxlen ids as Keras's pad_sequences. With
 * use_lengths the recurrent layers see each review's true length (padded steps are skipped) and a
 * batch is only as long as its longest review; without it every step of maxlen is run, padding
 * included, as Keras's classic recipe does. */
typedef struct rnnc_text_spec {
    size_t struct_size; /* set by rnnc_text_spec_init(); see docs/api.md, "Compatibility" */
    rnnc_tokenizer_spec tok;
    int num_words;             /* keep ids < num_words (Keras's num_words); 0: every word. 10000 */
    int min_freq;              /* drop words seen fewer times in training. 1 */
    int maxlen;                /* ids per review after padding/truncation. 500 */
    enum rnnc_padding padding; /* where the padding goes. RNNC_PAD_PRE (Keras) */
    enum rnnc_padding truncating; /* which end is cut. RNNC_PAD_PRE (Keras) */
    int add_start;                /* put <start> (id 1) first, as imdb.load_data. 1 */
    int use_lengths;              /* skip padded steps. 0 */
    /* Training only: each training batch's texts are augmented after encoding and before padding
     * and truncation (rnnc_text_augment, drawing from the model's generator). 0: off */
    rnnc_text_augment_spec augment;
} rnnc_text_spec;
/* Fills *s with the defaults: its first `size` bytes (the caller's sizeof), struct_size = size. */
void rnnc_text_spec_defaults(rnnc_text_spec *s, size_t size);
static inline rnnc_text_spec rnnc_text_spec_init(void) {
    rnnc_text_spec s;
    rnnc_text_spec_defaults(&s, sizeof s);
    return s;
}

typedef struct rnnc_classifier rnnc_classifier;

/* A new classifier: the vocabulary from train's texts (training text only), the label names from
 * train, the model from cfg initialised with seed. The model must take ids (first layer an
 * embedding with vocab >= the vocabulary's size) and end in a linear dense layer with 1 unit (two
 * labels: a logit, binary cross-entropy) or one unit per label (softmax cross-entropy). */
rnnc_status rnnc_classifier_create(const rnnc_config *cfg, const rnnc_text_spec *text,
                                   const rnnc_textset *train, uint64_t seed, rnnc_classifier **out);
/* The same with a given vocabulary (copied; NULL: built from train as above), e.g. a pretrained
 * model's, so a fine-tuned classifier keeps every row of its embedding. An [embedding] vocab of 0
 * ("auto") becomes the vocabulary's size in both. */
rnnc_status rnnc_classifier_create_vocab(const rnnc_config *cfg, const rnnc_text_spec *text,
                                         const rnnc_vocab *vocab, const rnnc_textset *train,
                                         uint64_t seed, rnnc_classifier **out);
/* Reads a classifier's model file (or a checkpoint). */
rnnc_status rnnc_classifier_load(const char *path, rnnc_classifier **out);
/* Writes the model file atomically. */
rnnc_status rnnc_classifier_save(const rnnc_classifier *c, const char *path);
void rnnc_classifier_free(rnnc_classifier *c);
/* The parts (borrowed): the model, the vocabulary, the text spec (how text becomes input), the
 * label names and their count. */
rnnc_model *rnnc_classifier_model(rnnc_classifier *c);
const rnnc_vocab *rnnc_classifier_vocab(const rnnc_classifier *c);
const rnnc_text_spec *rnnc_classifier_spec(const rnnc_classifier *c);
int rnnc_classifier_labels(const rnnc_classifier *c, const char *const **names);

/* Trains on train (labels named as the classifier's), validating on val (may be NULL) after
 * every epoch. last (may be NULL) gets the final epoch's report. */
rnnc_status rnnc_classifier_fit(rnnc_classifier *c, const rnnc_textset *train,
                                const rnnc_textset *val, const rnnc_fit_spec *spec,
                                rnnc_epoch_report *last);
/* Loss and metrics over a labelled set, in batches of batch_size (inference: no dropout). The
 * set's labels must use the classifier's names (read it with them as label_names). */
rnnc_status rnnc_classifier_evaluate(rnnc_classifier *c, const rnnc_textset *data, int batch_size,
                                     double *loss, rnnc_metric_values *values);
/* Class probabilities of n raw texts: probs (n, n_labels). */
rnnc_status rnnc_classifier_predict(rnnc_classifier *c, const char *const *texts, size_t n,
                                    float *probs);

/* Extra metadata saved in the classifier's model file; at most 16 keys, each starting
 * "rnnc.data.". Both strings are copied. The rnnc tool stores how the test set was read:
 * "rnnc.data.test" (its absolute path), "rnnc.data.test.format" (rnnc_text_format_name of the
 * format used) and, for CSV and TSV, "rnnc.data.test.header" ("true" or "false"),
 * "rnnc.data.test.label_column" and "rnnc.data.test.text_column". */
rnnc_status rnnc_classifier_set_info(rnnc_classifier *c, const char *key, const char *value);
/* Such a value from the loaded file (borrowed), NULL if absent. */
const char *rnnc_classifier_info(const rnnc_classifier *c, const char *key);

#ifdef __cplusplus
}
#endif
#endif /* RNNC_CLASSIFY_H */
