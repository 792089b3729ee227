/* rnnc generate MODEL: samples text from a language model, printing each token as it is drawn. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *usage_text =
    "usage: rnnc generate MODEL [--prime TEXT | --prime-file FILE] [--length N]\n"
    "                     [--temperature T] [--top-k K] [--top-p P] [--seed S] [--threads N]\n\n"
    "Samples N tokens (characters or words) from a language model's file (docs/lm.md) after\n"
    "the prime text, printing each as soon as it is drawn. The prime itself is printed first.\n"
    "The same seed, prime and options give the same text. Without a prime, generation starts\n"
    "as after a line end.\n\n"
    "options:\n"
    "  --prime TEXT       text to continue (its tokens must be in the vocabulary)\n"
    "  --prime-file FILE  the prime from a file\n"
    "  --length N         tokens to generate (default 200)\n"
    "  --temperature T    divide the logits by T (default 1); 0 = greedy (the most likely)\n"
    "  --top-k K          sample among the K most likely tokens only (default 0 = all)\n"
    "  --top-p P          sample among the smallest set of most likely tokens whose\n"
    "                     probability reaches P (nucleus sampling; default 1 = all)\n"
    "  --seed S           random seed (default 1)\n"
    "  --threads N        threads for the math (default 1)\n";

static int emit(const char *text, size_t len, void *user) {
    (void)user;
    fwrite(text, 1, len, stdout);
    fflush(stdout);
    return ferror(stdout) ? 1 : 0;
}

int cmd_generate(int argc, char **argv) {
    const char *model = NULL, *prime = NULL, *prime_file = NULL;
    long length = 200, top_k = 0, threads = 1, seed = 1;
    double temperature = 1, top_p = 1;
    for (int i = 1; i < argc; i++) {
        const char *v;
        int r;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("%s", usage_text);
            return CLI_OK;
        }
        if ((r = cli_opt("--prime", argc, argv, &i, &v))) {
            if (r < 0)
                return CLI_USAGE;
            prime = v;
        } else if ((r = cli_opt("--prime-file", argc, argv, &i, &v))) {
            if (r < 0)
                return CLI_USAGE;
            prime_file = v;
        } else if ((r = cli_opt("--length", argc, argv, &i, &v))) {
            if (r < 0 || cli_int("--length", v, 0, 100000000, &length))
                return CLI_USAGE;
        } else if ((r = cli_opt("--temperature", argc, argv, &i, &v))) {
            if (r < 0 || cli_double("--temperature", v, 0, 1e6, &temperature))
                return CLI_USAGE;
        } else if ((r = cli_opt("--top-k", argc, argv, &i, &v))) {
            if (r < 0 || cli_int("--top-k", v, 0, 1 << 30, &top_k))
                return CLI_USAGE;
        } else if ((r = cli_opt("--top-p", argc, argv, &i, &v))) {
            if (r < 0 || cli_double("--top-p", v, 1e-9, 1, &top_p))
                return CLI_USAGE;
        } else if ((r = cli_opt("--seed", argc, argv, &i, &v))) {
            if (r < 0 || cli_int("--seed", v, 0, 2147483647L, &seed))
                return CLI_USAGE;
        } else if ((r = cli_opt("--threads", argc, argv, &i, &v))) {
            if (r < 0 || cli_int("--threads", v, 0, 1024, &threads))
                return CLI_USAGE;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "rnnc generate: unknown option '%s' (see --help)\n", argv[i]);
            return CLI_USAGE;
        } else if (!model) {
            model = argv[i];
        } else {
            fprintf(stderr, "rnnc generate: too many arguments ('%s')\n", argv[i]);
            return CLI_USAGE;
        }
    }
    if (!model) {
        fprintf(stderr, "%s", usage_text);
        return CLI_USAGE;
    }
    if (prime && prime_file) {
        fprintf(stderr, "rnnc generate: give --prime or --prime-file, not both\n");
        return CLI_USAGE;
    }
    rnnc_set_num_threads((int)threads);
    char *text = NULL;
    size_t len = prime ? strlen(prime) : 0;
    rnnc_status st;
    if (prime_file && (st = rnnc_text_file_read(prime_file, &text, &len)))
        return cli_fail("generate", st);
    rnnc_lm *lm = NULL;
    if ((st = rnnc_lm_load(model, &lm))) {
        free(text);
        return cli_fail("generate", st);
    }
    const char *p = prime_file ? text : prime;
    if (len)
        emit(p, len, NULL);
    rnnc_sample_spec s = rnnc_sample_spec_init();
    s.temperature = temperature, s.top_k = (int)top_k, s.top_p = top_p;
    st = rnnc_lm_generate(lm, p, len, (size_t)length, &s, (uint64_t)seed, emit, NULL);
    int rc = CLI_OK;
    if (st)
        rc = cli_fail("generate", st);
    else
        printf("\n");
    free(text);
    rnnc_lm_free(lm);
    return rc;
}
