/* Lines for libinih's ini_parse_stream without its line limit. Debian's libinih reads into a
 * buffer of INI_MAX_LINE (200) bytes and splits a longer line, so a long data path would be
 * misread. This reader hands inih each line as it is when it fits; a longer `key = value` line
 * goes in as `key = -` (indentation kept) and its value is kept here, where the handler takes it
 * with rnnc__ini_value. The value is cut as inih cuts one: spaces around it and an inline comment
 * (`;` after a space or TAB) removed. Shared by the model-description and training-file readers. */
#ifndef RNNC_SRC_FORMATS_INILINES_H
#define RNNC_SRC_FORMATS_INILINES_H

typedef struct rnnc__ini_lines {
    const char *text; /* what is left to read */
    int line;         /* the number of the line read last */
    int long_line;    /* the number of a line that cannot be read (a long section header or key,
                       * or no memory for its value); the reader stops there */
    int nomem;        /* long_line stopped for want of memory */
    char *long_value; /* the value of the line read last when it was too long for inih, or NULL */
} rnnc__ini_lines;

/* Starts reading text (borrowed; NUL-terminated). */
void rnnc__ini_lines_init(rnnc__ini_lines *r, const char *text);
/* An ini_reader step: the next line into str (num bytes, of which the line takes at most
 * num - 1 - reserve, so that the caller may add `reserve` bytes to it), or NULL at the end or at
 * a line that cannot be read (r->long_line). */
char *rnnc__ini_lines_next(rnnc__ini_lines *r, char *str, int num, int reserve);
/* The value a handler should use for the line read last: the long value kept, else value. */
const char *rnnc__ini_value(const rnnc__ini_lines *r, const char *value);
void rnnc__ini_lines_free(rnnc__ini_lines *r);

#endif
