/* rnnc generate MODEL: samples text from a language model, printing each token as it is drawn. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char about[] =
    "Samples N tokens (characters or words) from a language model's file (docs/lm.md) after\n"
    "the prime text, printing each as soon as it is drawn. The prime itself is printed first.\n"
    "The same seed, prime and options give the same text. Without a prime, generation starts\n"
    "as after a line end. A word model reads a prime word outside its vocabulary as <unk>\n"
    "(as training read such words) and says so on standard error; a character model refuses\n"
    "a character it never saw.\n";

static int emit(const char *text, size_t len, void *user) {
    (void)user;
    fwrite(text, 1, len, stdout);
    fflush(stdout);
    return ferror(stdout) ? 1 : 0;
}

int cmd_generate(int argc, char **argv) {
    const char *prime = NULL, *prime_file = NULL;
    long length = 200, top_k = 0, threads = 1, seed = 1;
    double temperature = 1, top_p = 1;
    const cli_option opts[] = {
        {"--prime", CLI_STRING, &prime, "TEXT",
         "text to continue (word level: a word outside the vocabulary is read as\n"
         "<unk>, with a notice; character level: every character must be in it)",
         0, 0, NULL},
        {"--prime-file", CLI_STRING, &prime_file, "FILE", "the prime from a file", 0, 0, NULL},
        {"--length", CLI_INT, &length, "N", "tokens to generate (default 200)", 0, 100000000, NULL},
        {"--temperature", CLI_NUMBER, &temperature, "T",
         "divide the logits by T (default 1); 0 = greedy (the most likely)", 0, 1e6, NULL},
        {"--top-k", CLI_INT, &top_k, "K",
         "sample among the K most likely tokens only (default 0 = all)", 0, 1 << 30, NULL},
        {"--top-p", CLI_NUMBER, &top_p, "P",
         "sample among the smallest set of most likely tokens whose\n"
         "probability reaches P (nucleus sampling; default 1 = all)",
         1e-9, 1, NULL},
        {"--seed", CLI_INT, &seed, "S", "random seed (default 1)", 0, 2147483647.0, NULL},
        {"--threads", CLI_INT, &threads, "N", "threads for the math (default 1)", 0,
         RNNC_MAX_THREADS, NULL},
    };
    const cli_command c = {"generate", "MODEL", about, opts, (int)(sizeof opts / sizeof *opts),
                           1,          1,       NULL};
    int n, rc = cli_parse(&c, argc, argv, &n);
    if (rc != CLI_GO)
        return rc;
    const char *model = argv[1];
    if (prime && prime_file) {
        fprintf(stderr, "rnnc generate: give --prime or --prime-file, not both\n");
        return CLI_USAGE;
    }
    rnnc_set_num_threads((int)threads);
    char *text = NULL;
    size_t len = prime ? strlen(prime) : 0;
    rnnc_status st;
    if (prime_file && (st = rnnc_text_file_read(prime_file, NULL, &text, &len)))
        return cli_fail("generate", st);
    rnnc_lm *lm = NULL;
    if ((st = rnnc_lm_load(model, &lm))) {
        free(text);
        return cli_fail("generate", st);
    }
    const char *p = prime_file ? text : prime;
    /* The prime is checked before it is echoed: a bad one is refused without printing it. */
    rnnc_prime_info info;
    if ((st = rnnc_lm_check_prime(lm, p, len, &info))) {
        if (prime_file)
            fprintf(stderr, "rnnc: generate: %s: %s\n", prime_file, rnnc_last_error());
        else
            fprintf(stderr, "rnnc: generate: --prime: %s\n", rnnc_last_error());
        free(text);
        rnnc_lm_free(lm);
        return st == RNNC_ERR_NOMEM ? CLI_FAIL : CLI_USAGE;
    }
    if (info.unknown) { /* word level: read as <unk>, as training read such words */
        fprintf(stderr,
                "rnnc generate: notice: %s: %zu word%s of the prime %s not in the model's "
                "vocabulary, read as <unk>: ",
                prime_file ? prime_file : "--prime", info.unknown, info.unknown == 1 ? "" : "s",
                info.unknown == 1 ? "is" : "are");
        for (int i = 0; i < info.n_first; i++) {
            fprintf(stderr, "%s'", i ? ", " : "");
            cli_print_text(stderr, info.first[i], -1);
            fprintf(stderr, "'");
        }
        fprintf(stderr, "%s\n", info.unknown > (size_t)info.n_first ? ", ..." : "");
    }
    if (len)
        emit(p, len, NULL);
    rnnc_sample_spec s = rnnc_sample_spec_init();
    s.temperature = temperature, s.top_k = (int)top_k, s.top_p = top_p;
    st = rnnc_lm_generate(lm, p, len, (size_t)length, &s, (uint64_t)seed, emit, NULL);
    rc = CLI_OK;
    if (st)
        rc = cli_fail("generate", st);
    else
        printf("\n");
    free(text);
    rnnc_lm_free(lm);
    return rc;
}
