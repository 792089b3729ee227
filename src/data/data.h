/* Internal to src/data: shared helpers of the text readers. Not part of the public API. */
#ifndef RNNC_SRC_DATA_DATA_H
#define RNNC_SRC_DATA_DATA_H

#include "../core/core.h"
#include "rnnc/text.h"
#include "rnnc/series.h"

#include <stddef.h>
#include <stdint.h>

/* The largest single document (a review, a CSV text field, a line, a file of FOLDER_FILES). */
#define RNNC__TEXT_MAX_DOC ((size_t)16 << 20)
/* The largest file a reader loads (after decompression): a guard against gzip bombs. */
#define RNNC__TEXT_MAX_FILE ((size_t)2 << 30)

/* Decodes one UTF-8 code point from s[0..n) (n >= 1). Returns the bytes consumed (>= 1) and sets
 * *cp; an invalid or truncated sequence, an overlong form, a surrogate or a value above U+10FFFF
 * consumes one byte and gives U+FFFD. */
size_t rnnc__utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
/* Writes cp as UTF-8 into out (room for 4 bytes); returns the number of bytes. */
size_t rnnc__utf8_encode(uint32_t cp, char *out);
/* The lower-case form of cp from the tokenizer's table (ASCII, Latin-1, Latin Extended-A, Greek,
 * Cyrillic); other code points are returned unchanged. */
uint32_t rnnc__lower(uint32_t cp);

/* Building a vocabulary from tokens fed one at a time (rnnc_vocab_build and the language-model
 * corpus use it). rnnc__vocab_counter_new makes an empty counting table (release it with
 * rnnc_vocab_free); rnnc__vocab_count counts one token into it (an rnnc_tokenize callback: returns
 * 0 or a status); rnnc__vocab_rank makes the vocabulary of the counts: the reserved ids, then the
 * tokens by decreasing count, ties by first appearance, with rnnc_vocab_build's num_words and
 * min_freq, reserved spellings left out; messages name `what`. */
rnnc_status rnnc__vocab_counter_new(rnnc_vocab **counter);
int rnnc__vocab_count(const char *tok, size_t len, void *counter);
rnnc_status rnnc__vocab_rank(const rnnc_vocab *counter, int num_words, int min_freq,
                             const char *what, rnnc_vocab **out);
/* Checks rnnc_vocab_build's num_words and min_freq; messages name `what`. */
rnnc_status rnnc__vocab_limits(int num_words, int min_freq, const char *what);

/* Reads a whole file, plain or gzip (detected by its magic bytes), into a malloc'd buffer with a
 * NUL after the last byte. Files larger than `max` bytes after decompression are refused with a
 * message naming `what` (e.g. "document" or "file"). */
rnnc_status rnnc__read_file(const char *path, size_t max, const char *what, char **out, size_t *n);

/* Builds an rnnc_textset record by record. Labels are collected by name; finish() numbers them
 * (fixed order when the source gives one, else sorted). */
typedef struct rnnc__textbuild {
    rnnc_textset *set;
    size_t cap;
    char **names; /* label names seen so far, in order of first appearance (or the fixed list) */
    int n_names, cap_names;
    int fixed;  /* names is the caller's fixed list: unknown labels are errors */
    int *slots; /* open-addressing hash of names: index + 1, 0 empty; n_slots a power of 2 */
    size_t n_slots;
} rnnc__textbuild;

/* The most distinct labels a text set may hold: a classifier has one output per label, so more
 * than this is a column mix-up (text read as labels), not a task. */
#define RNNC__TEXT_MAX_LABELS 100000

rnnc_status rnnc__textbuild_init(rnnc__textbuild *b, const rnnc_text_source *src);
/* Adds a copy of text[0..len) with the label named label[0..label_len). `where` and `line` name the
 * record in messages (line 0: no line, e.g. a file or an archive member). A NUL byte in the text is
 * whitespace: the copy holds a space in its place, so every reader keeps the whole text. Refuses
 * empty text (whitespace only), documents over RNNC__TEXT_MAX_DOC and more than
 * RNNC__TEXT_MAX_LABELS labels. */
rnnc_status rnnc__textbuild_add(rnnc__textbuild *b, const char *text, size_t len, const char *label,
                                size_t label_len, const char *where, size_t line);
/* Numbers the labels and hands the set over in *out; the builder is emptied either way. */
rnnc_status rnnc__textbuild_finish(rnnc__textbuild *b, const char *where, rnnc_textset **out);
void rnnc__textbuild_free(rnnc__textbuild *b);

/* The readers, one per format; src->path and the format's fields are already checked. */
rnnc_status rnnc__read_imdb_tsv(const rnnc_text_source *src, rnnc__textbuild *b);
rnnc_status rnnc__read_aclimdb_dir(const rnnc_text_source *src, rnnc__textbuild *b);
rnnc_status rnnc__read_aclimdb_tar(const rnnc_text_source *src, rnnc__textbuild *b);
rnnc_status rnnc__read_delimited(const rnnc_text_source *src, int tsv, rnnc__textbuild *b);
rnnc_status rnnc__read_folder(const rnnc_text_source *src, int lines, rnnc__textbuild *b);
/* Whether the archive at path has a member under aclImdb/ (looks at the first few members). */
int rnnc__archive_is_aclimdb(const char *path);

#endif
