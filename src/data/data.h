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

/* Decodes one UTF-8 code point from s[0..n) (n >= 1). Returns the bytes consumed (>= 1) and sets
 * *cp; an invalid or truncated sequence, an overlong form, a surrogate or a value above U+10FFFF
 * consumes one byte and gives U+FFFD. */
size_t rnnc__utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
/* Writes cp as UTF-8 into out (room for 4 bytes); returns the number of bytes. */
size_t rnnc__utf8_encode(uint32_t cp, char *out);
/* The lower-case form of cp from the tokenizer's table (ASCII, Latin-1, Latin Extended-A, Greek,
 * Cyrillic); other code points are returned unchanged. */
uint32_t rnnc__lower(uint32_t cp);
/* The tokenizer's whitespace and punctuation (rnnc_tokenize's rules, rnnc/text.h). */
int rnnc__is_space(uint32_t cp);
int rnnc__is_punct(uint32_t cp);

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
/* rnnc__vocab_rank with the tokens first[0..n_first) given the ids right after the reserved ones
 * (RNNC_VOCAB_FIRST on), whatever their counts (translation's "<eos>"); num_words counts them and
 * must leave room for one word after them. */
rnnc_status rnnc__vocab_rank_first(const rnnc_vocab *counter, const char *const *first, int n_first,
                                   int num_words, int min_freq, const char *what, rnnc_vocab **out);
/* Checks rnnc_vocab_build's num_words and min_freq; messages name `what`. */
rnnc_status rnnc__vocab_limits(int num_words, int min_freq, const char *what);

/* ---- reading within limits (instream.c) ---- */

/* What one data source has taken so far against its limits (rnnc_read_limits, defaults filled
 * in). Each function adds to a count and fails with RNNC_ERR_FORMAT, naming `where`, the limit and
 * the [data] key that raises it, once the count passes its limit. */
typedef struct rnnc__budget {
    rnnc_read_limits lim;
    uint64_t read, text, records, members;
} rnnc__budget;
void rnnc__budget_init(rnnc__budget *b, const rnnc_read_limits *lim); /* lim NULL: defaults */
rnnc_status rnnc__budget_read(rnnc__budget *b, uint64_t n, const char *where);
rnnc_status rnnc__budget_keep(rnnc__budget *b, uint64_t bytes, uint64_t records, const char *where);
rnnc_status rnnc__budget_member(rnnc__budget *b, const char *where);

/* A growing, NUL-terminated byte buffer; free(p) releases it. */
typedef struct rnnc__buf {
    char *p;
    size_t len, cap;
} rnnc__buf;
/* Appends p[0..n); refuses to grow past max bytes ("<where>: <what> larger than the limit"). */
rnnc_status rnnc__buf_append(rnnc__buf *b, const char *p, size_t n, size_t max, const char *where,
                             const char *what);

/* A file read as a stream of bytes: plain, or gzip when it starts with the magic bytes 1f 8b
 * (concatenated gzip members are read as one stream, as gzip -d does). Every byte decoded counts
 * against budget's read limit as it arrives. Gzip data that is cut short, corrupt or followed by
 * anything but another gzip member is refused (RNNC_ERR_FORMAT), naming the path and byte. */
typedef struct rnnc__instream rnnc__instream;
rnnc_status rnnc__instream_open(const char *path, rnnc__budget *budget, rnnc__instream **out);
void rnnc__instream_close(rnnc__instream *s); /* NULL is fine */
/* Reads up to want bytes; *got < want only at the end of the data. */
rnnc_status rnnc__instream_read(rnnc__instream *s, char *dst, size_t want, size_t *got);
/* Appends the next line, its '\n' included (the last line may lack one), to line; *got is 0 at
 * the end of the data. Lines that would make `line` longer than max are refused, naming `what`. */
rnnc_status rnnc__instream_line(rnnc__instream *s, rnnc__buf *line, size_t max, const char *what,
                                int *got);

/* Reads a whole file, plain or gzip, into a malloc'd buffer with a NUL after the last byte. Files
 * larger than `max` bytes after decompression are refused with a message naming `what` (e.g.
 * "document"). keep: the bytes count as kept text against budget's text limit as they arrive.
 * budget NULL: a budget of the default limits for this file alone. */
rnnc_status rnnc__read_file(const char *path, size_t max, const char *what, rnnc__budget *budget,
                            int keep, char **out, size_t *n);

/* Builds an rnnc_textset record by record. Labels are collected by name; finish() numbers them
 * (fixed order when the source gives one, else sorted). */
typedef struct rnnc__textbuild {
    rnnc_textset *set;
    size_t cap;
    char **names; /* label names seen so far, in order of first appearance (or the fixed list) */
    int n_names, cap_names;
    int fixed;           /* names is the caller's fixed list: unknown labels are errors */
    rnnc__budget budget; /* the source's limits: add() counts each record's text */
    int encoding;        /* enum rnnc_text_encoding: LATIN1 records are decoded to UTF-8 as added */
    char *conv;          /* the decoding's buffer */
    size_t conv_cap;
    int *slots; /* open-addressing hash of names: index + 1, 0 empty; n_slots a power of 2 */
    size_t n_slots;
} rnnc__textbuild;

/* The most distinct labels a text set may hold: a classifier has one output per label, so more
 * than this is a column mix-up (text read as labels), not a task. */
#define RNNC__TEXT_MAX_LABELS 100000

rnnc_status rnnc__textbuild_init(rnnc__textbuild *b, const rnnc_text_source *src);
/* Adds a copy of text[0..len) with the label named label[0..label_len), both decoded from Latin-1
 * to UTF-8 when the source says so (otherwise the text's invalid UTF-8 bytes are counted in
 * set->invalid_utf8). `where` and `line` name the record in messages (line 0: no line, e.g. a file
 * or an archive member). A NUL byte in the text is whitespace: the copy holds a space in its
 * place, so every reader keeps the whole text. Refuses empty text (whitespace only), documents
 * over RNNC__TEXT_MAX_DOC, more than RNNC__TEXT_MAX_LABELS labels and passing the source's read
 * limits. */
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

/* n bytes of s as a NUL-terminated string (malloc'd; NULs inside are kept, unlike strndup), or
 * NULL when out of memory. */
char *rnnc__copy_bytes(const char *s, size_t n);

#endif
