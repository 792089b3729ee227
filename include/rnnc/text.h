/* rnnc/text.h: text data: the tokenizer, vocabularies, padding, labelled-text sets, text
 * augmentation, token streams (corpora), text files and the translation metrics (BLEU, chrF).
 * Part of the public API; include "rnnc.h" for all of it (its conventions hold here). */
#ifndef RNNC_TEXT_H
#define RNNC_TEXT_H

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Text data: tokenizer, vocabulary, padding, labelled-text readers
 */
/* Tokenizer (see docs/data.md). Works on UTF-8 bytes with a small built-in table, never the C
 * locale. In order:
 *   - invalid UTF-8 (a stray byte, a truncated or overlong sequence, a surrogate) becomes U+FFFD;
 *   - strip_html: an HTML tag, '<' then a letter, '/' or '!' and up to '>' on the same line
 *     (at most 256 bytes: `<br />`, `<i>`, `</a>`, `<!-- x -->`), is replaced by a space;
 *   - whitespace (ASCII space and controls, U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028,
 *     U+2029, U+202F, U+205F, U+3000) separates tokens;
 *   - split_punct: each punctuation character is a token of its own: ASCII punctuation
 *     !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~, Latin-1 punctuation and signs (U+00A1..U+00BF except
 *     ª ² ³ µ ¹ º ¼ ½ ¾, and × ÷), and U+2010..U+205E (dashes, quotes, ellipsis, ...). The one
 *     exception: an apostrophe (' or U+2019) with a letter or digit on both sides stays inside its
 *     word, so "don't" and "o'neil" are one token each while "'hello'" gives ' hello ';
 *   - lowercase: A-Z, Latin-1 (À..Þ), Latin Extended-A (Ā..ž, with İ -> i and Ÿ -> ÿ), Greek
 *     (Α..Ω and the accented capitals) and Cyrillic (Ѐ..Я, Ѡ..ԯ) are mapped to lower case.
 * Start from rnnc_tokenizer_spec_init() (all 1 but chars). */
typedef struct rnnc_tokenizer_spec {
    int lowercase;
    int strip_html;
    int split_punct;
    /* Character mode (language models): every UTF-8 character is a token, whitespace and line
     * ends included; invalid UTF-8 gives U+FFFD and lowercase applies; strip_html and split_punct
     * are ignored. 0 in rnnc_tokenizer_spec_init(). */
    int chars;
} rnnc_tokenizer_spec;

rnnc_tokenizer_spec rnnc_tokenizer_spec_init(void);
/* Calls fn(token, len, user) for each token of text[0..len) in order; the token is valid UTF-8,
 * NUL-terminated and borrowed for the call. fn returns 0 to go on, a positive value to stop
 * there (rnnc_tokenize then returns RNNC_OK), or a negative rnnc_status to stop with that error,
 * which rnnc_tokenize returns as it is (a callback's own failure, with its message). Errors:
 * RNNC_ERR_ARG (fn NULL, text NULL with len > 0), RNNC_ERR_NOMEM (a token too long to buffer).
 * spec NULL means the defaults. */
rnnc_status rnnc_tokenize(const rnnc_tokenizer_spec *spec, const char *text, size_t len,
                          int (*fn)(const char *tok, size_t len, void *user), void *user);
/* Replaces each NUL byte of text[0..len) by a space, in place, and returns text. A NUL is
 * whitespace to the tokenizer; a text that is to be kept as a C string (a record of a text set, a
 * line given to rnnc_classifier_predict) goes through this first, so that a NUL inside it does not
 * end it. Every labelled-text reader applies it. */
char *rnnc_text_nul_to_space(char *text, size_t len);

/* Vocabulary, with Keras's imdb.load_data id convention (docs/data.md): 0 = "<pad>",
 * 1 = "<start>", 2 = "<unk>" (out of vocabulary); words from 3 in order of decreasing frequency
 * in the training texts given, ties by first appearance, so the result is deterministic. */
typedef struct rnnc_vocab rnnc_vocab;
enum { RNNC_VOCAB_PAD = 0, RNNC_VOCAB_START = 1, RNNC_VOCAB_OOV = 2, RNNC_VOCAB_FIRST = 3 };

/* Builds a vocabulary from texts[0..n) (NUL-terminated, borrowed) tokenized with tok (NULL: the
 * defaults). num_words keeps only ids < num_words, as Keras's num_words does (0 = no limit,
 * otherwise > RNNC_VOCAB_FIRST, keeping at least one word); min_freq drops words seen fewer than min_freq times (0 or 1
 * keeps all). Tokens spelled like a reserved token ("<unk>", possible only without split_punct)
 * are not counted as words. Owned by the caller; at most INT32_MAX ids. */
rnnc_status rnnc_vocab_build(const rnnc_tokenizer_spec *tok, const char *const *texts, size_t n,
                             int num_words, int min_freq, rnnc_vocab **out);
void rnnc_vocab_free(rnnc_vocab *v);
/* Number of ids, including the three reserved ones. */
int rnnc_vocab_size(const rnnc_vocab *v);
/* The token of an id ("<pad>", "<start>", "<unk>", then words; borrowed), NULL when out of range. */
const char *rnnc_vocab_token(const rnnc_vocab *v, int id);
/* The id of tok[0..len) (a hash-table lookup), RNNC_VOCAB_OOV when absent. */
int32_t rnnc_vocab_id(const rnnc_vocab *v, const char *tok, size_t len);
/* The tokens in id order joined by '\n' (no final newline), for a model file's metadata. *out is
 * malloc'd, owned by the caller (free()). A token holding whitespace, a control character or a
 * backslash (a character vocabulary's " ", "\n", "\t") is written escaped: \n, \r, \t, \s for a
 * space, \\ for a backslash, \xHH (two upper-case hex digits) for another control byte; except
 * the one-byte token "\", written as it is. Other tokens are written as they are. */
rnnc_status rnnc_vocab_to_text(const rnnc_vocab *v, char **out);
/* The reverse of rnnc_vocab_to_text; one final '\n' is accepted. A line longer than one byte has
 * its escapes read back; a backslash that starts none of them (or \x00) stands for itself, and a
 * one-byte line is the token as it is, so files written before escaping existed read the same
 * unless a token of theirs held one of the escapes. Checks that the first three lines are the
 * reserved tokens and that no line is empty or holds raw whitespace or a control character, and no
 * token is repeated; messages name `name` (e.g. the model file) and the line. */
rnnc_status rnnc_vocab_from_text(const char *text, const char *name, rnnc_vocab **out);
/* A copy of v (owned by the caller). */
rnnc_status rnnc_vocab_copy(const rnnc_vocab *v, rnnc_vocab **out);
/* Encodes text[0..len) as ids: RNNC_VOCAB_START first when add_start, then each token's id
 * (words outside the vocabulary and tokens spelled like a reserved token give RNNC_VOCAB_OOV).
 * Writes at most cap ids into ids (which may be NULL when cap is 0) and sets *n to the full
 * count, so *n > cap shows truncation. tok NULL means the defaults; use the spec the vocabulary
 * was built with. */
rnnc_status rnnc_vocab_encode(const rnnc_vocab *v, const rnnc_tokenizer_spec *tok, const char *text,
                              size_t len, int add_start, int32_t *ids, size_t cap, size_t *n);

/* Where the padding of a shorter sequence sits: after its data (post, steps [len, T) are padding)
 * or before it (pre, steps [0, T-len) are padding), as Keras's pad_sequences(padding=...). */
enum rnnc_padding { RNNC_PAD_POST = 0, RNNC_PAD_PRE = 1 };

/* Keras's pad_sequences for one sequence of ids (n): out (maxlen) gets exactly maxlen values.
 * truncating (enum rnnc_padding) applies when n > maxlen: RNNC_PAD_PRE keeps the last maxlen
 * ids, RNNC_PAD_POST the first maxlen. padding: RNNC_PAD_PRE puts the `value`s before the data,
 * RNNC_PAD_POST after it. (Keras's defaults are 'pre' for both.) *len gets the true length
 * min(n, maxlen). Errors: RNNC_ERR_ARG (maxlen < 1, a NULL pointer, an unknown side). */
rnnc_status rnnc_pad_ids(const int32_t *ids, size_t n, int maxlen, int padding, int truncating,
                         int32_t value, int32_t *out, int *len);

enum rnnc_text_format {
    RNNC_TEXT_AUTO = 0,     /* decided from the path, see rnnc_textset_read */
    RNNC_TEXT_IMDB_TSV,     /* label(0/1) TAB rating TAB id TAB text, no header, plain or gzip */
    RNNC_TEXT_ACLIMDB,      /* aclImdb/<split>/{neg,pos}/<id>_<rating>.txt, folder or .tar.gz */
    RNNC_TEXT_CSV,          /* RFC 4180 CSV, plain or gzip */
    RNNC_TEXT_TSV,          /* tab-separated, no quoting, plain or gzip */
    RNNC_TEXT_FOLDER_FILES, /* path/<label>/<file>: one document per file */
    RNNC_TEXT_FOLDER_LINES  /* path/<label>/<file>: one document per non-empty line */
};
/* The name of a format as [data] format spells it ("auto", "imdb-tsv", "aclimdb", "csv", "tsv",
 * "folder-files", "folder-lines"; static), NULL when f is none of them. */
const char *rnnc_text_format_name(int f);

/* A labelled text set: texts[i] (NUL-terminated, raw bytes as read) has label labels[i] in
 * [0, n_labels), whose name is label_names[labels[i]]. Everything is owned by the set.
 * rnnc_textset_read also says how it read the file (sets made otherwise have format AUTO, header
 * -1 and read_as ""): the format it used (never AUTO), for CSV and TSV whether the first row was
 * a header (1) or not (0), -1 for the other formats, and read_as, one line of what was read how
 * and why, each property marked as set (given by the caller), detected or default, e.g.
 * "tsv (detected from the name *.tsv), no header row (detected: the columns are numbers), label
 * column 0 (default), text column 2 (set)". */
typedef struct rnnc_textset {
    size_t n;
    char **texts;
    int32_t *labels;
    int n_labels;
    char **label_names;
    enum rnnc_text_format format;
    int header;
    char read_as[384];
    /* Bytes of the texts as read that are not UTF-8: the tokenizer reads each as U+FFFD, so a
     * Latin-1 file (é as the byte E9) loses its accented words. 0 with RNNC_TEXT_LATIN1. A split
     * or subset leaves it with the set it was read into. */
    size_t invalid_utf8;
} rnnc_textset;

/* What a reader takes from one data source (a file, a folder, an archive) at most. Readers stream
 * and check each limit as data arrives, so that a gzip or archive bomb, or a file far larger than
 * meant, ends with an error naming the limit (RNNC_ERR_FORMAT) in bounded memory and time. A
 * field of 0 means its default, given after it. Raise a limit for a larger data set. */
typedef struct rnnc_read_limits {
    /* bytes read after decompression, kept or not (an archive's skipped members count too):
     * bounds the time. 4 GiB */
    uint64_t read_bytes;
    /* bytes of text kept (the texts of the records; the whole file for rnnc_text_file_read):
     * bounds the memory. 256 MiB */
    uint64_t text_bytes;
    uint64_t records; /* records kept. 5,000,000 */
    uint64_t members; /* files of a folder or members of an archive looked at. 1,000,000 */
} rnnc_read_limits;
#define RNNC_READ_BYTES_DEFAULT ((uint64_t)4 << 30)
#define RNNC_READ_TEXT_BYTES_DEFAULT ((uint64_t)256 << 20)
#define RNNC_READ_RECORDS_DEFAULT ((uint64_t)5000000)
#define RNNC_READ_MEMBERS_DEFAULT ((uint64_t)1000000)

/* Where to read a labelled text set from. Start from rnnc_text_source_init(); all strings are
 * borrowed for the call. */
/* How a file's bytes are text (rnnc_text_source.encoding). */
enum rnnc_text_encoding { RNNC_TEXT_UTF8 = 0, RNNC_TEXT_LATIN1 = 1 };
typedef struct rnnc_text_source {
    size_t struct_size; /* set by rnnc_text_source_init(); see docs/api.md, "Compatibility" */
    enum rnnc_text_format format;
    const char *path;  /* a file or folder */
    const char *split; /* aclImdb: "train" (NULL) or "test" */
    /* CSV/TSV: the label and text columns, each a 0-based index ("0") or a header name ("label").
     * NULL: label column 0, text column 1. */
    const char *label_col, *text_col;
    /* CSV/TSV: 1 the first row is a header, 0 there is none, -1 (the default) a header exactly
     * when a column is given by name. */
    int header;
    /* Optional fixed label order (e.g. the training set's label_names): label i is named
     * label_names[i] and an unknown label is an error naming the file and line. Without it the
     * labels are the names found, sorted (numerically when every name is an integer, otherwise
     * by bytes). IMDB forms name their labels "neg" (0) and "pos" (1). */
    const char *const *label_names;
    int n_label_names;
    rnnc_read_limits limits; /* all 0: the defaults */
    /* How the file's bytes are text. UTF-8 (the default) keeps them as
     * they are (invalid bytes counted in rnnc_textset.invalid_utf8); LATIN1 (ISO 8859-1) decodes
     * every byte to its code point, written as UTF-8, for texts and labels alike. */
    enum rnnc_text_encoding encoding;
} rnnc_text_source;
/* "utf-8" (or "utf8") and "latin-1" (or "latin1", "iso-8859-1") to an encoding; RNNC_ERR_ARG
 * naming the valid names otherwise (*encoding unchanged). */
rnnc_status rnnc_text_encoding_parse(const char *name, enum rnnc_text_encoding *encoding);

/* format AUTO, header -1, everything else NULL/0. */
/* Fills *s with the defaults: its first `size` bytes (the caller's sizeof), struct_size = size. */
void rnnc_text_source_defaults(rnnc_text_source *s, size_t size);
static inline rnnc_text_source rnnc_text_source_init(void) {
    rnnc_text_source s;
    rnnc_text_source_defaults(&s, sizeof s);
    return s;
}
/* Reads a labelled text set; owned by the caller. AUTO picks the format from the path: a folder
 * with train/pos -> ACLIMDB; a folder of folders -> FOLDER_FILES; *.tar.gz, *.tgz or *.tar whose
 * members are under aclImdb/ -> ACLIMDB; *.tsv(.gz) whose first line has at least 4 fields, the
 * first 0 or 1 and the second an integer -> IMDB_TSV, unless a column or header = 1 is given,
 * other *.tsv(.gz) -> TSV; *.csv(.gz) -> CSV. What the caller gives always wins over detection,
 * and is never ignored: a column or header = 1 with a format that has neither (IMDB_TSV,
 * ACLIMDB, the folder formats; given or detected) is an RNNC_ERR_ARG error naming the file and the
 * format chosen. The set's format, header and read_as say what was used. Errors name the file and
 * line, or the archive member: an unterminated quote,
 * a missing column, an empty text, an unknown label (with fixed label names), an empty data set, a
 * document over 16 MiB, a limit of src->limits passed, gzip data cut short or followed by other
 * bytes. */
rnnc_status rnnc_textset_read(const rnnc_text_source *src, rnnc_textset **out);
void rnnc_textset_free(rnnc_textset *s);
/* The texts of a set as one text for a language model (labels unused): one line per text, in
 * order, each ending in '\n', line breaks (CR, LF) inside a text replaced by spaces. *text is
 * malloc'd (NUL-terminated), the caller free()s it. */
rnnc_status rnnc_textset_join(const rnnc_textset *s, char **text, size_t *len);

/* ---------------------------------------------------------------------------------------------
 * Data augmentation for small labelled sets. The trainers apply it to training batches only,
 * never at validation, evaluation or prediction ([data] augment_* in docs/training.md, [forecast]
 * augment_* in docs/forecast.md). Each function rewrites one example in place with draws from
 * rng in the order stated below, so a seed gives the same augmented example on every platform; an
 * operation whose rate is 0 draws nothing, and with every rate 0 the example is left bit for bit
 * as it was and rng is not touched. On an error nothing is changed and nothing drawn.
 */

/* Token-level augmentation of one text: random deletion and random swap as EDA's (Wei & Zou
 * 2019), and replacement by <unk> as the word dropout of Bowman et al. 2016. Each rate is a
 * probability in [0, 1). */
typedef struct rnnc_text_augment_spec {
    double drop; /* a word is deleted. 0 */
    double swap; /* a pair of neighbouring words is exchanged. 0 */
    double oov;  /* a word becomes <unk> (RNNC_VOCAB_OOV). 0 */
} rnnc_text_augment_spec;

/* Rewrites the ids (*n) of one text in place; *n gets the new length. A word is any id but the
 * reserved RNNC_VOCAB_PAD and RNNC_VOCAB_START, which are never deleted, moved or replaced (so a
 * leading <start> stays first). Three passes, each skipped when its rate is 0:
 *   1. drop: one rnnc_rng_uniform per word, in order; the word is deleted when it is < drop. If
 *      that would delete every word of a text that has any, one rnnc_rng_below(words) more picks
 *      the one word kept (as EDA), so at least one word always remains;
 *   2. swap: scanning left to right over neighbouring pairs of words (a pair with a reserved id
 *      is passed over without a draw), one uniform per pair; below swap the two are exchanged and
 *      the scan continues after the pair, so a word takes part in at most one swap and only
 *      neighbours are exchanged (the multiset of ids is kept);
 *   3. oov: one uniform per remaining word (<unk> included); below oov it becomes RNNC_VOCAB_OOV.
 * Errors: RNNC_ERR_ARG for a NULL spec, rng or n, ids NULL with *n > 0, or a rate outside [0, 1)
 * or NaN (the message names augment_drop, augment_swap or augment_oov). */
rnnc_status rnnc_text_augment(const rnnc_text_augment_spec *spec, rnnc_rng *rng, int32_t *ids,
                              size_t *n);

/* validation_split and test_split: n - int(n (1 - fraction)) examples (Keras's count) move into a
 * new set *val (its label names are set's; format, header and read_as are not set);
 * set keeps the rest. Stratified: each label gives its share of them (largest remainders, and at
 * least one of every label that has two or more examples, so data sorted by label, as a folder
 * per class reads, still validates on every label), the examples of a label drawn in a random
 * order from `seed`: the same set and seed give the same split. Both parts keep the file order.
 * fraction in (0, 1); both parts non-empty. */
rnnc_status rnnc_textset_split(rnnc_textset *set, double fraction, uint64_t seed,
                               rnnc_textset **val);
/* *count = how many different labels set's examples hold (0 for NULL or an empty set).
 * A validation or test set with one cannot tell a classifier from one that always answers that
 * label (accuracy, precision and recall mean little); rnnc train warns about it. Errors:
 * RNNC_ERR_ARG (count NULL), RNNC_ERR_NOMEM. */
rnnc_status rnnc_textset_labels_present(const rnnc_textset *set, int *count);
/* Keeps n examples of set drawn at random without replacement (seeded; the same seed and set give
 * the same examples), in their file order; the others are freed. n >= set->n keeps every one. */
rnnc_status rnnc_textset_subset(rnnc_textset *set, size_t n, uint64_t seed);

/* A token stream: ids[0..n); document d starts at doc_start[d] (doc_start[0] = 0), in order.
 * Owned by whoever filled it; rnnc_corpus_free releases the arrays (not the struct). */
typedef struct rnnc_corpus {
    size_t n;
    int32_t *ids;
    size_t n_docs;
    size_t *doc_start;
} rnnc_corpus;
/* Frees ids and doc_start and zeroes *c; c NULL or already freed does nothing. */
void rnnc_corpus_free(rnnc_corpus *c);

enum rnnc_lm_level { RNNC_LM_CHAR = 0, RNNC_LM_WORD = 1 };
/* Documents: none (the whole text is one), or each non-empty line is one (a language model resets
 * its state where one starts). */
enum rnnc_lm_documents { RNNC_LM_DOC_NONE = 0, RNNC_LM_DOC_LINES = 1 };
/* How a text becomes a token stream (a language model's spec gives one: rnnc_lm_corpus). */
typedef struct rnnc_corpus_spec {
    enum rnnc_lm_level level; /* char */
    int lowercase;            /* fold case first (the tokenizer's table). 0 */
    int strip_html;           /* word level: HTML tags become spaces (the tokenizer's rule). 0 */
    int split_punct; /* word level: each punctuation character is a token (the tokenizer's rule,
                        as a classifier's; needed for a vocabulary a classifier can share). 0 */
    int num_words;   /* word level: keep ids < num_words (the most frequent words; 0: all). 0 */
    int min_freq;    /* word level: words seen fewer times in training become <unk>. 1 */
    enum rnnc_lm_documents documents; /* none */
} rnnc_corpus_spec;
/* The defaults given after each field above. */
rnnc_corpus_spec rnnc_corpus_spec_init(void);
/* The tokenizer spec a stream of this spec uses: chars at character level; at word level
 * whitespace-separated words as written unless the spec's strip_html and split_punct ask for the
 * classifier's rules; lowercase as the spec's. spec NULL means rnnc_corpus_spec_init(). */
rnnc_tokenizer_spec rnnc_corpus_tokenizer(const rnnc_corpus_spec *spec);

/* Builds a token stream's vocabulary (a language model's) from the training text (the rnnc_vocab conventions: ids 0-2
 * reserved, then tokens by decreasing frequency, ties by first appearance). It counts the tokens
 * of the stream rnnc_corpus_encode makes of the text: at word level every line end counts as one
 * "<eos>" token (a last line without '\n' too; with RNNC_LM_DOC_LINES not the dropped empty
 * lines'), and a word spelled like a reserved token (PTB's "<unk>") is not counted. num_words and
 * min_freq apply at word level only, as in rnnc_vocab_build. Owned by the caller. Errors:
 * RNNC_ERR_ARG for a NULL argument, an unknown level or documents value, bad num_words/min_freq,
 * or limits that keep no token; RNNC_ERR_FORMAT for an empty text or one without tokens. */
rnnc_status rnnc_corpus_vocab(const rnnc_corpus_spec *spec, const char *text, size_t len,
                              rnnc_vocab **out);
/* Encodes text as a stream with vocabulary v: at character level every character (line ends
 * included), at word level each line's words followed by "<eos>" (a last line without its newline
 * too; an empty line gives just "<eos>"). Lines end at '\n' only. Unknown tokens and tokens
 * spelled like a reserved one ("<unk>", "<pad>") become <unk> (RNNC_VOCAB_OOV). With
 * RNNC_LM_DOC_LINES every non-empty line starts a document and empty lines belong to none and are
 * dropped; a line is empty when it has no word (word level) or no byte before its '\n' (character
 * level, where each line's '\n' belongs to its line's document). Without it the whole text is one
 * document. Linear in len. out is overwritten (not freed first); on error it is left zeroed.
 * Errors name `name` (NULL: "text"): RNNC_ERR_ARG for a NULL argument or an unknown level or
 * documents value, RNNC_ERR_FORMAT for an empty text or an empty result. */
rnnc_status rnnc_corpus_encode(const rnnc_corpus_spec *spec, const rnnc_vocab *v, const char *text,
                               size_t len, const char *name, rnnc_corpus *out);
/* The byte offset where the last `fraction` of text[0..len) begins, fraction in [0, 1): at
 * character level the first UTF-8 character boundary at or after floor(len * (1 - fraction)) (a
 * boundary of the tokenizer's decoding from the start, so an invalid byte is a character), at word
 * level the first line start at or after it (len when there is none). The two parts then encode
 * to the whole text's tokens. The caller checks the range: outside it the result is clamped
 * (fraction <= 0 or NaN gives len, fraction >= 1 gives 0); spec NULL means character level; text
 * NULL gives 0. */
size_t rnnc_corpus_cut(const rnnc_corpus_spec *spec, const char *text, size_t len, double fraction);

/* Reads a whole text file (plain or gzip, told by its magic bytes) into a malloc'd, NUL-terminated
 * buffer (free()); *len is its length without the NUL (an empty file reads as ""). limits NULL
 * means the defaults (its text_bytes bounds the file's length after decompression). Errors name
 * the path: RNNC_ERR_IO (cannot open or read), RNNC_ERR_FORMAT (gzip data cut short, corrupt or
 * followed by other bytes, a limit passed); RNNC_ERR_ARG for a NULL argument. On error *text is
 * NULL. */
rnnc_status rnnc_text_file_read(const char *path, const rnnc_read_limits *limits, char **text,
                                size_t *len);
/* The bytes of text[0..len) that are not UTF-8 (the tokenizer reads each as U+FFFD). */
size_t rnnc_text_invalid_utf8(const char *text, size_t len);
/* Latin-1 (ISO 8859-1) text[0..len) as UTF-8 in a malloc'd buffer (*out, NUL after; *out_len
 * bytes): each byte >= 0x80 becomes its two-byte code point. RNNC_ERR_NOMEM, RNNC_ERR_ARG for a
 * NULL argument; on error *out is NULL. */
rnnc_status rnnc_text_latin1_to_utf8(const char *text, size_t len, char **out, size_t *out_len);

/* ---------------------------------------------------------------------------------------------
 * Translation metrics: corpus BLEU and chrF exactly as sacreBLEU 2.6.0 computes them with its
 * defaults (docs/metrics.md), one reference per sentence. Sentences are detokenised UTF-8 text.
 *
 * BLEU: each sentence loses its trailing whitespace and goes through sacreBLEU's 13a tokenizer
 * (rnnc_bleu_tokenize); case-sensitive; n-grams of orders 1..4 are counted per sentence, the
 * hypothesis's clipped by the reference's counts, and summed over the corpus; the score is the
 * brevity penalty times the geometric mean of the four precisions, 'exp' smoothing for an order
 * without a match (the k-th such order counts as 1/2^k of a match), and 0 when no n-gram of any
 * order matches or the corpus has no n-gram of some order (a corpus of 3-word sentences scores
 * 0, as in sacreBLEU). Signature: rnnc_bleu_signature().
 * chrF: character n-grams of orders 1..6 over the code points of each sentence with whitespace
 * removed, beta 2, no word n-grams, case-sensitive; precision and recall are averaged over the
 * orders that have n-grams on both sides of the corpus (sacreBLEU's default, eps_smoothing off);
 * a hypothesis's n-grams of an order count only where its reference has n-grams of that order.
 * Signature: rnnc_chrf_signature().
 * Whitespace is what Python's str.split() splits on (ASCII space, \t \n \v \f \r, 0x1C..0x1F,
 * U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000).
 *
 * Input: every sentence must be valid UTF-8 (sacreBLEU reads only text): invalid UTF-8 is refused
 * with RNNC_ERR_FORMAT naming the side and the index (counted from 0) and the byte, as in
 * "rnnc_bleu: hyp[3]: invalid UTF-8 at byte 7"; a NULL sentence is RNNC_ERR_ARG naming it the
 * same way; a sentence longer than 16 MiB is RNNC_ERR_FORMAT. An empty sentence is fine (it has no
 * n-grams). Scores are percentages in [0, 100]. */
typedef struct rnnc_bleu_score {
    double score;              /* BLEU, 0..100 */
    double precisions[4];      /* n-gram precisions in percent, orders 1..4 (smoothed) */
    double bp;                 /* brevity penalty: 1, or exp(1 - ref_len / hyp_len) if shorter */
    double ratio;              /* hyp_len / ref_len; 0 when ref_len is 0 */
    uint64_t hyp_len, ref_len; /* tokens of the hypotheses and of the references */
    uint64_t correct[4], total[4]; /* clipped matches and hypothesis n-grams, orders 1..4 */
} rnnc_bleu_score;

/* Corpus BLEU of hypotheses hyp[0..n) against references ref[0..n) (borrowed). n 0 gives all
 * zeros (bp 1). Errors: RNNC_ERR_ARG (hyp, ref or out NULL, a NULL sentence), RNNC_ERR_FORMAT (a
 * sentence that is not UTF-8 or too long), RNNC_ERR_NOMEM. */
rnnc_status rnnc_bleu(const char *const *hyp, const char *const *ref, size_t n,
                      rnnc_bleu_score *out);
/* Corpus chrF (chrF2) into *out, 0..100; as rnnc_bleu. */
rnnc_status rnnc_chrf(const char *const *hyp, const char *const *ref, size_t n, double *out);
/* sacreBLEU's signature strings of these settings (static):
 * "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0" and
 * "nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0". */
const char *rnnc_bleu_signature(void);
const char *rnnc_chrf_signature(void);
/* text tokenized as BLEU sees it: sacreBLEU's Tokenizer13a applied to text.rstrip(), tokens
 * joined by single spaces, in a malloc'd string *out (free()). Errors as rnnc_bleu's (the text
 * is named "text[0]"); on error *out is NULL. */
rnnc_status rnnc_bleu_tokenize(const char *text, char **out);

/* The same statistics gathered one sentence pair at a time (a decoder's output as it streams):
 * after the pairs of a corpus are added, rnnc_textscore_bleu and rnnc_textscore_chrf give what
 * rnnc_bleu and rnnc_chrf give on the whole corpus, and may be read at any point. Owned by the
 * caller; one object is not to be used by two threads at once. */
typedef struct rnnc_textscore rnnc_textscore;
rnnc_status rnnc_textscore_create(rnnc_textscore **out);
void rnnc_textscore_free(rnnc_textscore *ts); /* NULL is fine */
/* Adds one pair (hyp and ref borrowed for the call). Errors as rnnc_bleu's, the pair named by
 * its index (the number of pairs added before it); a refused pair changes nothing. */
rnnc_status rnnc_textscore_add(rnnc_textscore *ts, const char *hyp, const char *ref);
/* The number of pairs added (0 for NULL). */
size_t rnnc_textscore_count(const rnnc_textscore *ts);
/* Forgets every pair. */
void rnnc_textscore_reset(rnnc_textscore *ts);
rnnc_status rnnc_textscore_bleu(const rnnc_textscore *ts, rnnc_bleu_score *out);
rnnc_status rnnc_textscore_chrf(const rnnc_textscore *ts, double *out);

#ifdef __cplusplus
}
#endif
#endif /* RNNC_TEXT_H */
