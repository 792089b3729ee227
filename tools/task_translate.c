/* A translation training file (docs/translate.md, "Training": a [translate] section) read, its
 * pairs read, filtered and split, the translator built, trained with progress and scored; and a
 * translator's file scored on its test part or on a TSV file (rnnc eval). */
#include "cli.h"
#include "tasks.h"

#include <stdio.h>
#include <stdlib.h>

/* Loss, perplexity and token accuracy of t on p, one line. */
static int report(rnnc_translator *t, const char *what, const char *name, const rnnc_pairs *p,
                  const char *cmd) {
    rnnc_translate_scores sc;
    const double t0 = cli_wall();
    rnnc_status st = rnnc_translator_evaluate(t, p, 64, &sc);
    if (st)
        return cli_fail(cmd, st);
    printf("%s %s: %zu pairs, %zu target tokens  loss %.4f nats/token  perplexity %.3f  "
           "token accuracy %.4f  (%.1f s)\n",
           what, name, sc.pairs, sc.tokens, sc.loss, sc.perplexity, sc.accuracy, cli_wall() - t0);
    return CLI_OK;
}

int cli_train_translate(const cli_train_args *a) {
    static rnnc_translate_config tc;
    rnnc_status st = rnnc_translate_config_parse(a->file, &tc);
    if (st)
        return cli_fail("train", st);
    rnnc_run_config *run = &tc.run;
    const char *data[] = {tc.data};
    if (cli_train_prepare(run, a, data, 1))
        return CLI_USAGE;
    const double t0 = cli_wall();
    rnnc_pairs *train = NULL, *val = NULL, *test = NULL;
    rnnc_translator *t = NULL;
    int rc = CLI_OK;
    char abs[1024];
    if ((st = rnnc_translate_read(&tc.spec, tc.data, &tc.limits, &train, &val, &test)))
        rc = cli_fail("train", st);
    else if (train->n == 0) {
        fprintf(stderr,
                "rnnc train: %s: no training pairs are left after the split (validation_split "
                "%g, test_split %g)\n",
                tc.data, tc.spec.validation_split, tc.spec.test_split);
        rc = CLI_USAGE;
    } else if ((st = rnnc_translator_create(&run->model, &tc.spec, train, run->fit.seed, &t)))
        rc = cli_fail(a->path, st);
    else if ((rc = cli_absolute_path(tc.data, abs, sizeof abs)) == CLI_OK &&
             (st = rnnc_translator_set_data(t, abs)))
        rc = cli_fail("train", st);
    if (rc == CLI_OK) {
        size_t np;
        rnnc_model_params(rnnc_translator_model(t), &np);
        printf("data: %s: %zu training, %zu validation, %zu test pairs; vocabularies %d source, "
               "%d target\n",
               tc.data, train->n, val->n, test->n, rnnc_vocab_size(rnnc_translator_src_vocab(t)),
               rnnc_vocab_size(rnnc_translator_tgt_vocab(t)));
        printf("model: %zu parameters; %d epochs, batch %d (sorted by length), %d thread%s\n", np,
               run->fit.epochs, run->fit.batch_size, rnnc_num_threads(),
               rnnc_num_threads() == 1 ? "" : "s");
        fflush(stdout);
        cli_progress ps;
        rnnc_epoch_report last;
        cli_fit_begin(&ps, CLI_TASK_TRANSLATE, (double)run->fit.batch_size, a, &run->fit);
        st = rnnc_translator_fit(t, train, val->n ? val : NULL, &run->fit, &last);
        rc = cli_fit_end(&ps, st, &last, &run->fit, a->path);
    }
    if (rc == CLI_OK)
        printf("training took %.1f s\n", cli_wall() - t0);
    if (rc == CLI_OK && val->n)
        rc = report(t, "validation", tc.data, val, "train");
    if (rc == CLI_OK && test->n)
        rc = report(t, "test", tc.data, test, "train");
    if (rc == CLI_OK)
        printf("total %.1f s\n", cli_wall() - t0);
    rnnc_translator_free(t);
    rnnc_pairs_free(train), rnnc_pairs_free(val), rnnc_pairs_free(test);
    return rc;
}

int cli_eval_translate(const char *model, const char *data, long batch,
                       const rnnc_read_limits *lim) {
    rnnc_translator *t = NULL;
    rnnc_status st = rnnc_translator_load(model, &t);
    if (st)
        return cli_fail("eval", st);
    rnnc_pairs *p = NULL;
    int rc = CLI_OK;
    const char *name = data;
    if (data) {
        rnnc_pairs_source src = rnnc_pairs_source_init();
        src.path = data, src.swap = rnnc_translator_spec(t)->swap;
        if (lim)
            src.limits = *lim;
        st = rnnc_pairs_read(&src, &p);
    } else if (!rnnc_translator_data(t)[0]) {
        fprintf(stderr, "rnnc eval: %s names no data file; give a TSV of pairs as DATA\n", model);
        rc = CLI_USAGE;
    } else {
        name = rnnc_translator_data(t);
        st = rnnc_translate_read(rnnc_translator_spec(t), name, lim, NULL, NULL, &p);
        if (st == RNNC_OK && p->n == 0) {
            fprintf(stderr,
                    "rnnc eval: %s: the model's test part is empty (test_split %g); give a TSV "
                    "of pairs as DATA\n",
                    name, rnnc_translator_spec(t)->test_split);
            rc = CLI_USAGE;
        }
    }
    if (rc == CLI_OK && st)
        rc = cli_fail("eval", st);
    if (rc == CLI_OK) {
        rnnc_translate_scores sc;
        const double t0 = cli_wall();
        st = rnnc_translator_evaluate(t, p, batch > 0 ? (int)batch : 64, &sc);
        if (st)
            rc = cli_fail("eval", st);
        else
            printf("%s %s%s: %zu pairs, %zu target tokens  loss %.4f nats/token  perplexity "
                   "%.3f  token accuracy %.4f  (%.1f s)\n",
                   model, name, data ? "" : " (test part)", sc.pairs, sc.tokens, sc.loss,
                   sc.perplexity, sc.accuracy, cli_wall() - t0);
    }
    for (int beam = 1; rc == CLI_OK && beam <= 5; beam += 4) { /* greedy, then beam 5 */
        rnnc_decode_spec spec = rnnc_decode_spec_init();
        spec.beam = beam;
        rnnc_bleu_score b;
        double chrf;
        const double t0 = cli_wall();
        st = rnnc_translator_bleu(t, p, &spec, &b, &chrf);
        if (st)
            rc = cli_fail("eval", st);
        else
            printf("%s: BLEU %.2f  chrF %.2f  (%s; %.1f s, %.1f sentences/s)\n",
                   beam == 1 ? "greedy" : "beam 5", b.score, chrf,
                   beam == 1 ? "beam 1" : "length penalty 0.6", cli_wall() - t0,
                   (double)p->n / (cli_wall() - t0 + 1e-9));
    }
    if (rc == CLI_OK)
        printf("BLEU: %s\nchrF: %s\n", rnnc_bleu_signature(), rnnc_chrf_signature());
    rnnc_pairs_free(p);
    rnnc_translator_free(t);
    return rc;
}
