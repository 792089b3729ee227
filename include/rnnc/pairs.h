/* rnnc/pairs.h: parallel text for translation: reading sentence pairs (TSV, plain or gzip), the
 * translation tokenizer and detokenizer, the seeded split by source sentence, length and prefix
 * filters, per-side vocabularies and the encoding of pairs as ids (docs/translate.md, "Data").
 * Part of the public API; include "rnnc.h" for all of it (its conventions hold here). */
#ifndef RNNC_PAIRS_H
#define RNNC_PAIRS_H

#include "core.h"
#include "text.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Sentence pairs: src[i] and tgt[i] (NUL-terminated UTF-8, as read: not tokenized) came from
 * line line[i] of the file (1-based). Everything is owned by the set. */
typedef struct rnnc_pairs {
    size_t n;
    char **src;
    char **tgt;
    size_t *line;
} rnnc_pairs;

/* Where to read pairs from. Start from rnnc_pairs_source_init(); strings are borrowed. */
typedef struct rnnc_pairs_source {
    size_t struct_size; /* set by rnnc_pairs_source_init(); see docs/api.md, "Compatibility" */
    const char *path;   /* a TSV file, plain or gzip (told by its magic bytes) */
    /* 0: each line is source TAB target; 1: target TAB source (the sides are swapped as read). */
    int swap;
    rnnc_read_limits limits; /* all 0: the defaults (records: pairs kept) */
} rnnc_pairs_source;
/* Fills *s with the defaults: its first `size` bytes (the caller's sizeof), struct_size = size. */
void rnnc_pairs_source_defaults(rnnc_pairs_source *s, size_t size);
static inline rnnc_pairs_source rnnc_pairs_source_init(void) {
    rnnc_pairs_source s;
    rnnc_pairs_source_defaults(&s, sizeof s);
    return s;
}

/* Reads the pairs of a TSV file: one pair per line, the first two tab-separated fields (columns
 * after the second, such as Tatoeba's attribution, are ignored), '\n' or "\r\n" line ends, a
 * UTF-8 byte-order mark on the first line skipped. Blank lines (nothing but spaces, tabs and a
 * '\r') are skipped. Errors, RNNC_ERR_FORMAT naming the file and line: a line without a tab, an
 * empty side (nothing but whitespace), bytes that are not UTF-8 (with their byte column), a NUL
 * byte; a file without any pair; a limit of src->limits passed; gzip data cut short, corrupt or
 * followed by other bytes. RNNC_ERR_IO when the file cannot be opened or read, RNNC_ERR_ARG for a
 * NULL argument or path. Owned by the caller (rnnc_pairs_free). */
rnnc_status rnnc_pairs_read(const rnnc_pairs_source *src, rnnc_pairs **out);
void rnnc_pairs_free(rnnc_pairs *p); /* NULL is fine */

/* The translation tokenizer, the same for both sides, on UTF-8 (invalid bytes read as U+FFFD;
 * rnnc_pairs_read refuses them). In order:
 *   - whitespace is the tokenizer's (rnnc_tokenize): ASCII space and controls, U+00A0 (no-break
 *     space), U+202F (narrow no-break space), U+2000..U+200A, ... separate tokens;
 *   - the typographic apostrophe U+2019 is written as ' (U+0027);
 *   - lower case by the tokenizer's table (ASCII, Latin-1, Latin Extended-A with Œ -> œ, Greek,
 *     Cyrillic);
 *   - each punctuation character (the tokenizer's set) is a token of its own, except: an
 *     apostrophe between two letters or digits stays in its word, and '.', ',' and ':' between two
 *     digits stay in their number ("3.5", "1,000", "10:30");
 *   - French elision: a word whose part before such an apostrophe is one of c d j l m n s t qu
 *     jusqu lorsqu puisqu quoiqu presqu (after lower-casing) is cut after the apostrophe:
 *     "l'homme" -> "l'" "homme", "J'ai" -> "j'" "ai", "qu'il" -> "qu'" "il". Other words keep
 *     their apostrophe: "don't", "i'm", "aujourd'hui" and "o'neil" are one token each.
 * Calls fn(token, len, user) as rnnc_tokenize does (0 goes on, > 0 stops with RNNC_OK, < 0 stops
 * with that status). Errors: RNNC_ERR_ARG (fn NULL, text NULL with len > 0), RNNC_ERR_NOMEM. */
rnnc_status rnnc_pairs_tokenize(const char *text, size_t len,
                                int (*fn)(const char *tok, size_t len, void *user), void *user);
/* The tokens of text[0..len) joined by single spaces: the normalised sentence (the split's hash
 * and the prefix filter read it). *out malloc'd, NUL-terminated (free()); *n_tokens (may be NULL)
 * gets the token count. */
rnnc_status rnnc_pairs_normalize(const char *text, size_t len, char **out, size_t *n_tokens);

/* Spacing for rnnc_pairs_detokenize. */
enum rnnc_detok_style {
    RNNC_DETOK_EN = 0, /* no space before ? ! : ; */
    RNNC_DETOK_FR = 1  /* U+202F (narrow no-break space) before ? ! : ; and inside « » */
};
/* Joins tokens tok[0..n) (NUL-terminated, borrowed) back into text: one space between tokens,
 * except none before . , ) ] } % …, none after
 * ( [ { ¿ ¡ and after a token ending in an apostrophe (French elision: "l'" "homme" ->
 * "l'homme"), none on either side of a hyphen or a slash ("est" "-" "ce" -> "est-ce"), none
 * inside a pair of ASCII double quotes (the first opens, the next closes); before ? ! : ; none
 * (EN) or U+202F (FR), and U+202F after « and before » (FR; a plain space with EN). The inverse of
 * rnnc_pairs_tokenize's splitting for text written with these rules: tokenizing the result gives
 * the tokens back. *out malloc'd, NUL-terminated (free()); n 0 gives "". Errors: RNNC_ERR_ARG (a
 * NULL argument, an unknown style), RNNC_ERR_NOMEM. */
rnnc_status rnnc_pairs_detokenize(const char *const *tok, size_t n, int style, char **out);

/* The part of the data a pair belongs to. */
enum rnnc_pairs_part { RNNC_PAIRS_TRAIN = 0, RNNC_PAIRS_VALID = 1, RNNC_PAIRS_TEST = 2 };
/* The part of a source sentence: h = FNV-1a (64 bits) over the seed's 8 bytes (little-endian)
 * then the normalised sentence (rnnc_pairs_normalize), mixed by the splitmix64 finaliser; u = its
 * top 53 bits as a fraction in [0, 1);
 * u < test gives TEST, u < test + valid VALID, otherwise TRAIN. The same source (after
 * normalisation: case, spacing and apostrophes aside) always lands in the same part, whatever the
 * pairs around it. valid, test >= 0 and valid + test < 1, else RNNC_ERR_ARG. */
rnnc_status rnnc_pairs_part(const char *src, size_t len, double valid, double test, uint64_t seed,
                            int *part);
/* Splits p into train, valid and test by rnnc_pairs_part of each source; the three sets
 * (owned by the caller; a part may be empty, n 0) keep the file order. p is left as it is. */
rnnc_status rnnc_pairs_split(const rnnc_pairs *p, double valid, double test, uint64_t seed,
                             rnnc_pairs **train, rnnc_pairs **val, rnnc_pairs **test_out);

/* Filters (rnnc_pairs_filter). Start from rnnc_pairs_filter_init() (everything off). */
typedef struct rnnc_pairs_filter_spec {
    size_t max_src_tokens; /* keep pairs whose source has at most this many tokens (0: any) */
    size_t max_tgt_tokens; /* the same for the target (0: any) */
    /* Keep pairs whose normalised source starts with one of prefixes[0..n_prefixes), whole tokens
     * ("i am" keeps "i am cold ." but not "i amused"); the prefixes are normalised too, so "I'm"
     * and "i’m" match "i'm". n_prefixes 0: no prefix filter. */
    const char *const *prefixes;
    size_t n_prefixes;
} rnnc_pairs_filter_spec;
rnnc_pairs_filter_spec rnnc_pairs_filter_init(void);
/* The classic tutorial subset's English prefixes: "i am", "i'm", "he is", "he's", "she is",
 * "she's", "you are", "you're", "we are", "we're", "they are", "they're" (static; *n gets 12). */
const char *const *rnnc_pairs_tutorial_prefixes(size_t *n);
/* Keeps the pairs of p that pass every filter of f, in order; the others are freed. */
rnnc_status rnnc_pairs_filter(rnnc_pairs *p, const rnnc_pairs_filter_spec *f);

/* Vocabularies: the rnnc_vocab conventions (0 "<pad>", 1 "<start>" (the start token <s>),
 * 2 "<unk>") with the end token "<eos>" (</s>) always at id 3, then the words of one side of p
 * (the training part) by decreasing count, ties by first appearance. num_words (0: no limit,
 * otherwise > RNNC_PAIRS_EOS + 1) counts every id; min_freq as in rnnc_vocab_build. */
enum { RNNC_PAIRS_EOS = 3 };
enum rnnc_pairs_side { RNNC_PAIRS_SRC = 0, RNNC_PAIRS_TGT = 1 };
rnnc_status rnnc_pairs_vocab(const rnnc_pairs *p, int side, int num_words, int min_freq,
                             rnnc_vocab **out);
/* The ids of text[0..len) with v (tokens as rnnc_pairs_tokenize; unknown ones RNNC_VOCAB_OOV):
 * RNNC_VOCAB_START first when add_start, RNNC_PAIRS_EOS last when add_end. Writes at most cap
 * ids and sets *n to the full count (*n > cap: truncated), as rnnc_vocab_encode. */
rnnc_status rnnc_pairs_encode_text(const rnnc_vocab *v, const char *text, size_t len, int add_start,
                                   int add_end, int32_t *ids, size_t cap, size_t *n);

/* Pairs as ids: pair i's source is src_ids[src_start[i] .. src_start[i+1]) (its tokens, then
 * <eos>), its target tgt_ids[tgt_start[i] .. tgt_start[i+1]) (<start>, its tokens, <eos>). */
typedef struct rnnc_pairs_ids {
    size_t n;
    int32_t *src_ids, *tgt_ids;
    size_t *src_start, *tgt_start; /* (n + 1) each */
} rnnc_pairs_ids;
/* Encodes every pair of p with the source vocabulary vs and the target vocabulary vt (one
 * vocabulary for both is fine). out is overwritten; release it with rnnc_pairs_ids_free. */
rnnc_status rnnc_pairs_encode(const rnnc_pairs *p, const rnnc_vocab *vs, const rnnc_vocab *vt,
                              rnnc_pairs_ids *out);
/* Frees the arrays and zeroes *ids; NULL or already freed does nothing. */
void rnnc_pairs_ids_free(rnnc_pairs_ids *ids);

#ifdef __cplusplus
}
#endif
#endif /* RNNC_PAIRS_H */
