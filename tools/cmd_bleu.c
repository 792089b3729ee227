/* rnnc bleu HYP REF: corpus BLEU and chrF of two text files, line by line, as sacreBLEU's
 * `sacrebleu REF -i HYP -m bleu chrf -f text` prints them. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char about[] =
    "Scores the hypotheses in HYP (one sentence a line, detokenised) against the\n"
    "references in REF (the same number of lines) with corpus BLEU and chrF exactly\n"
    "as sacreBLEU 2.6.0 computes them with its defaults (13a tokenization, mixed case,\n"
    "exp smoothing; chrF2 of character 6-grams), and prints sacreBLEU's text lines:\n"
    "  BLEU|<signature> = <score> <1..4-gram precisions> (BP = .. ratio = ..\n"
    "  hyp_len = .. ref_len = ..)\n"
    "  chrF2|<signature> = <score>\n"
    "Files may be gzip. Every line must be UTF-8. See docs/metrics.md.\n";

/* The file's lines: '\n' ends each (the last may lack one), as Python reads a text file. Cut in
 * place; *lines is malloc'd. */
static int split_lines(char *text, size_t len, char ***lines, size_t *n) {
    size_t count = 0;
    for (size_t i = 0; i < len; i++)
        count += text[i] == '\n';
    if (len && text[len - 1] != '\n')
        count++;
    *lines = malloc((count + 1) * sizeof **lines);
    if (!*lines)
        return -1;
    size_t k = 0;
    for (size_t i = 0; i < len;) {
        char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - text) : len;
        text[end] = '\0';
        (*lines)[k++] = text + i;
        i = end + 1;
    }
    *n = k;
    return 0;
}

static int read_lines(const char *path, char **text, char ***lines, size_t *n) {
    size_t len;
    rnnc_status st = rnnc_text_file_read(path, NULL, text, &len);
    if (st)
        return cli_fail("bleu", st);
    /* a NUL would end a line early: the file is text, so it is refused */
    const char *nul = memchr(*text, '\0', len);
    if (nul) {
        size_t line = 1;
        for (const char *p = *text; p < nul; p++)
            line += *p == '\n';
        fprintf(stderr, "rnnc: bleu: %s:%zu: a NUL byte in the line\n", path, line);
        return CLI_USAGE;
    }
    if (split_lines(*text, len, lines, n))
        return cli_out_of_memory("bleu");
    return CLI_OK;
}

int cmd_bleu(int argc, char **argv) {
    long width = 1;
    const cli_option opts[] = {
        {"--width", CLI_INT, &width, "N", "decimals of the scores (sacreBLEU's -w; default 1)", 0,
         16, NULL},
    };
    const cli_command c = {"bleu", "HYP REF", about, opts, 1, 2, 2, NULL};
    int nargs, rc = cli_parse(&c, argc, argv, &nargs);
    if (rc != CLI_GO)
        return rc;
    const char *paths[2] = {argv[1], argv[2]};
    char *text[2] = {NULL, NULL}, **lines[2] = {NULL, NULL};
    size_t n[2] = {0, 0};
    rnnc_textscore *ts = NULL;
    for (int f = 0; f < 2 && rc == CLI_GO; f++) {
        int r = read_lines(paths[f], &text[f], &lines[f], &n[f]);
        if (r != CLI_OK)
            rc = r;
    }
    if (rc == CLI_GO && n[0] != n[1]) {
        fprintf(stderr,
                "rnnc: bleu: %s has %zu lines but %s has %zu: one reference per hypothesis\n",
                paths[0], n[0], paths[1], n[1]);
        rc = CLI_USAGE;
    }
    rnnc_status st = RNNC_OK;
    if (rc == CLI_GO && (st = rnnc_textscore_create(&ts)))
        rc = cli_fail("bleu", st);
    for (size_t i = 0; rc == CLI_GO && i < n[0]; i++) {
        for (int f = 0; f < 2; f++) {
            size_t bad = rnnc_text_invalid_utf8(lines[f][i], strlen(lines[f][i]));
            if (bad) {
                fprintf(stderr, "rnnc: bleu: %s:%zu: not UTF-8 (%zu invalid byte%s)\n", paths[f],
                        i + 1, bad, bad == 1 ? "" : "s");
                rc = CLI_USAGE;
                break;
            }
        }
        if (rc == CLI_GO && (st = rnnc_textscore_add(ts, lines[0][i], lines[1][i])))
            rc = cli_fail("bleu", st);
    }
    if (rc == CLI_GO) {
        rnnc_bleu_score s;
        double chrf;
        if ((st = rnnc_textscore_bleu(ts, &s)) || (st = rnnc_textscore_chrf(ts, &chrf))) {
            rc = cli_fail("bleu", st);
        } else {
            int w = (int)width;
            printf("BLEU|%s = %.*f %.1f/%.1f/%.1f/%.1f (BP = %.3f ratio = %.3f hyp_len = %llu "
                   "ref_len = %llu)\n",
                   rnnc_bleu_signature(), w, s.score, s.precisions[0], s.precisions[1],
                   s.precisions[2], s.precisions[3], s.bp, s.ratio, (unsigned long long)s.hyp_len,
                   (unsigned long long)s.ref_len);
            printf("chrF2|%s = %.*f\n", rnnc_chrf_signature(), w, chrf);
            rc = CLI_OK;
        }
    }
    rnnc_textscore_free(ts);
    for (int f = 0; f < 2; f++) {
        free(lines[f]);
        free(text[f]);
    }
    return rc;
}
