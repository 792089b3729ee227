/* Translators through the public API, on a tiny TSV written here: the token loss with label
 * smoothing against PyTorch's formula (hand values) and central differences, ignored rows, token
 * accuracy by hand; a translator created from a description with vocab = auto; its evaluation
 * against the model's own logits scored by rnnc_loss_softmax_ce, the same for any batch size;
 * padded decoder inputs changing nothing; a short training run that makes the loss fall; the
 * model file read back giving identical logits; rnnc_translate_read's split; the [translate]
 * training-file reader. */
#include "check.h"
#include "rnnc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const TSV = "I am cold.\tJ'ai froid.\n"
                               "He is tall.\tIl est grand.\n"
                               "She is happy.\tElle est heureuse.\n"
                               "You are late.\tTu es en retard.\n"
                               "We are here.\tNous sommes ici.\n"
                               "They are sad.\tIls sont tristes.\n"
                               "I am tired.\tJe suis fatigué.\n"
                               "He is old.\tIl est vieux.\n"
                               "She is young.\tElle est jeune.\n"
                               "We are ready.\tNous sommes prêts.\n"
                               "I am here.\tJe suis ici.\n"
                               "They are tall.\tIls sont grands.\n"
                               "We are very happy today.\tNous sommes très heureux aujourd'hui.\n"
                               "I am.\tJe suis.\n";

static const char *const MODEL = "[embedding]\nvocab = auto\ndim = 6\n"
                                 "[lstm]\nhidden = 5\nbidirectional = true\nreturn_sequences = "
                                 "true\n"
                                 "[decoder]\nvocab = auto\ndim = 6\nhidden = 8\n";

static char dir[] = "/tmp/rnnc_translate_XXXXXX";
static char tsv[256];

/* ---- the loss ---- */

static double smoothed_row(const float *z, int V, int t, double e) {
    double m = z[0], s = 0, sum_neg_logp = 0;
    for (int c = 1; c < V; c++)
        m = z[c] > m ? z[c] : m;
    for (int c = 0; c < V; c++)
        s += exp(z[c] - m);
    const double lse = m + log(s);
    for (int c = 0; c < V; c++)
        sum_neg_logp += lse - z[c];
    return (1 - e) * (lse - z[t]) + e / V * sum_neg_logp; /* PyTorch's formula */
}

static void test_loss(void) {
    /* rows: target 0, ignored (pad 3), target 2 */
    float z[12] = {1, 2, 3, 0.5f, 9, -9, 7, 1, 0, -1, 4, 2};
    const int32_t t[3] = {0, 3, 2};
    double loss, ce;
    size_t n, hits;
    float g[12];
    rnnc_status st = rnnc_translate_loss(z, t, 3, 4, 3, 0.1, 1.0f, g, &loss, &ce, &n, &hits);
    /* the hand values: PyTorch's CrossEntropyLoss(label_smoothing=0.1) per row, computed with
     * Python's math module: 2.3982734891568516 and 0.42375518094440034 */
    const double want = 2.3982734891568516 + 0.42375518094440034;
    check(st == RNNC_OK && fabs(loss - want) < 1e-6, "label smoothing 0.1: %.9f, hand %.9f", loss,
          want);
    check(fabs(loss - smoothed_row(z, 4, 0, 0.1) - smoothed_row(z + 8, 4, 2, 0.1)) < 1e-9,
          "label smoothing: the formula's value");
    check(n == 2 && hits == 1,
          "token accuracy by hand: 2 rows counted, 1 hit (row 2's argmax is "
          "its target, row 0's is not) (%zu, %zu)",
          n, hits);
    double ce_ref;
    size_t n_ref;
    rnnc_loss_softmax_ce(z, t, 3, 4, 3, &ce_ref, &n_ref, NULL);
    check(fabs(ce / 2 - ce_ref) < 1e-6, "plain cross-entropy = rnnc_loss_softmax_ce's (%g, %g)",
          ce / 2, ce_ref);
    double l0;
    rnnc_translate_loss(z, t, 3, 4, 3, 0, 1.0f, NULL, &l0, NULL, NULL, NULL);
    check(fabs(l0 - ce) < 1e-12, "smoothing 0: the plain cross-entropy");
    /* the gradient against central differences of the summed loss */
    double worst = 0;
    for (int i = 0; i < 12; i++) {
        const float keep = z[i];
        double lp, lm;
        z[i] = keep + 1e-2f;
        rnnc_translate_loss(z, t, 3, 4, 3, 0.1, 1.0f, NULL, &lp, NULL, NULL, NULL);
        z[i] = keep - 1e-2f;
        rnnc_translate_loss(z, t, 3, 4, 3, 0.1, 1.0f, NULL, &lm, NULL, NULL, NULL);
        z[i] = keep;
        const double num = (lp - lm) / 2e-2;
        worst = fabs(num - g[i]) > worst ? fabs(num - g[i]) : worst;
    }
    check(worst < 1e-3, "gradient = central differences (worst %.2g)", worst);
    check(g[4] == 0 && g[5] == 0 && g[6] == 0 && g[7] == 0, "ignored row: zero gradient");
    /* an ignored row's logits change nothing */
    float z2[12];
    memcpy(z2, z, sizeof z);
    z2[4] = -100, z2[6] = 50;
    double l2;
    rnnc_translate_loss(z2, t, 3, 4, 3, 0.1, 1.0f, NULL, &l2, NULL, NULL, NULL);
    check(l2 == loss, "ignored row's logits change nothing");
    const int32_t bad_t[3] = {0, 4, 2};
    check(rnnc_translate_loss(z, bad_t, 3, 4, 3, 0.1, 1.0f, NULL, &l2, NULL, NULL, NULL) ==
                  RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "row 1"),
          "a target outside [0, V): refused naming the row");
    check(rnnc_translate_loss(z, t, 3, 4, 3, 1.0, 1.0f, NULL, &l2, NULL, NULL, NULL) ==
              RNNC_ERR_ARG,
          "label smoothing 1: refused");
}

/* ---- the translator ---- */

static rnnc_pairs *all_pairs(void) {
    rnnc_translate_spec sp = rnnc_translate_spec_init();
    sp.validation_split = sp.test_split = 0;
    rnnc_pairs *p = NULL;
    rnnc_status st = rnnc_translate_read(&sp, tsv, NULL, &p, NULL, NULL);
    check(st == RNNC_OK && p && p->n == 14, "read: 14 pairs (%s)", st ? rnnc_last_error() : "");
    return p;
}

static rnnc_translator *make(const rnnc_pairs *p, double smoothing) {
    rnnc_config cfg;
    rnnc_status st = rnnc_config_parse(MODEL, "model", &cfg);
    rnnc_translate_spec sp = rnnc_translate_spec_init();
    sp.label_smoothing = smoothing;
    rnnc_translator *t = NULL;
    if (st == RNNC_OK)
        st = rnnc_translator_create(&cfg, &sp, p, 7, &t);
    check(st == RNNC_OK, "created (%s)", st ? rnnc_last_error() : "");
    return t;
}

/* A batch of pairs i0 and i1 by hand: sources post-padded, decoder inputs and targets. */
typedef struct hand_batch {
    int32_t src[32], len[2], dec[32], tgt[32];
    rnnc_batch b;
    size_t rows;
} hand_batch;

static void hand(const rnnc_translator *t, const rnnc_pairs *p, size_t i0, size_t i1,
                 hand_batch *h) {
    rnnc_pairs_ids ids;
    rnnc_pairs_encode(p, rnnc_translator_src_vocab(t), rnnc_translator_tgt_vocab(t), &ids);
    const size_t pick[2] = {i0, i1};
    size_t T = 0, D = 0;
    for (int b = 0; b < 2; b++) {
        const size_t ls = ids.src_start[pick[b] + 1] - ids.src_start[pick[b]];
        const size_t lt = ids.tgt_start[pick[b] + 1] - ids.tgt_start[pick[b]];
        T = ls > T ? ls : T, D = lt - 1 > D ? lt - 1 : D;
    }
    memset(h, 0, sizeof *h);
    for (int b = 0; b < 2; b++) {
        const size_t ls = ids.src_start[pick[b] + 1] - ids.src_start[pick[b]];
        const size_t lt = ids.tgt_start[pick[b] + 1] - ids.tgt_start[pick[b]];
        for (size_t i = 0; i < ls; i++)
            h->src[i * 2 + b] = ids.src_ids[ids.src_start[pick[b]] + i];
        for (size_t i = 0; i + 1 < lt; i++) {
            h->dec[i * 2 + b] = ids.tgt_ids[ids.tgt_start[pick[b]] + i];
            h->tgt[i * 2 + b] = ids.tgt_ids[ids.tgt_start[pick[b]] + i + 1];
        }
        h->len[b] = (int32_t)ls;
    }
    rnnc_pairs_ids_free(&ids);
    h->b.T = (int)T, h->b.B = 2, h->b.ids = h->src, h->b.lengths = h->len;
    h->b.padding = RNNC_PAD_POST, h->b.dec_T = (int)D, h->b.dec_ids = h->dec;
    h->rows = D * 2;
}

static void test_translator(void) {
    rnnc_pairs *p = all_pairs();
    rnnc_translator *t = p ? make(p, 0.1) : NULL;
    if (!t) {
        rnnc_pairs_free(p);
        return;
    }
    const rnnc_config *cfg = rnnc_model_config(rnnc_translator_model(t));
    const int Vs = rnnc_vocab_size(rnnc_translator_src_vocab(t));
    const int Vt = rnnc_vocab_size(rnnc_translator_tgt_vocab(t));
    check(cfg->layers[0].vocab == Vs && cfg->layers[2].vocab == Vt && Vs > 4 && Vt > Vs,
          "vocab = auto: the embedding's %d and the decoder's %d from the vocabularies", Vs, Vt);
    /* the evaluation against the model's logits scored by hand: pairs 2 (4 target tokens after
     * <start>) and 3 (5) in one batch */
    hand_batch h;
    hand(t, p, 2, 3, &h);
    rnnc_model *m = rnnc_translator_model(t);
    rnnc_status st = rnnc_model_forward(m, &h.b, 0);
    size_t dims[3];
    int nd;
    const float *out = rnnc_model_output(m, &nd, dims);
    check(st == RNNC_OK && nd == 3 && dims[0] == (size_t)h.b.dec_T && dims[1] == 2 &&
              dims[2] == (size_t)Vt,
          "logits (dec_T, B, V)");
    float *logits = malloc(h.rows * (size_t)Vt * sizeof *logits);
    memcpy(logits, out, h.rows * (size_t)Vt * sizeof *logits);
    double ce_ref;
    size_t n_ref, hits = 0;
    rnnc_loss_softmax_ce(logits, h.tgt, h.rows, (size_t)Vt, RNNC_VOCAB_PAD, &ce_ref, &n_ref, NULL);
    for (size_t r = 0; r < h.rows; r++) {
        if (h.tgt[r] == RNNC_VOCAB_PAD)
            continue;
        int am = 0;
        for (int c = 1; c < Vt; c++)
            am = logits[r * (size_t)Vt + c] > logits[r * (size_t)Vt + am] ? c : am;
        hits += am == h.tgt[r];
    }
    rnnc_pairs two = {2, p->src + 2, p->tgt + 2, p->line + 2};
    rnnc_translate_scores sc;
    st = rnnc_translator_evaluate(t, &two, 2, &sc);
    check(st == RNNC_OK && sc.tokens == n_ref && n_ref == 11 && fabs(sc.loss - ce_ref) < 1e-5 &&
              fabs(sc.perplexity - exp(ce_ref)) < 1e-4 * exp(ce_ref) &&
              fabs(sc.accuracy - (double)hits / (double)n_ref) < 1e-12,
          "evaluate: %zu tokens, loss %.6f, accuracy %.4f = the logits scored by hand (%zu, %.6f, "
          "%.4f)",
          sc.tokens, sc.loss, sc.accuracy, n_ref, ce_ref, (double)hits / (double)n_ref);
    check(sc.smoothed_loss > 0 && sc.smoothed_loss != sc.loss, "evaluate: the smoothed loss too");
    /* padded decoder inputs change nothing: pair 2's position after its end reads another id */
    for (size_t r = 0; r < h.rows; r++)
        if (h.tgt[r] == RNNC_VOCAB_PAD)
            h.dec[r] = 5;
    st = rnnc_model_forward(m, &h.b, 0);
    out = rnnc_model_output(m, NULL, NULL);
    double ce2;
    rnnc_loss_softmax_ce(out, h.tgt, h.rows, (size_t)Vt, RNNC_VOCAB_PAD, &ce2, NULL, NULL);
    int same = st == RNNC_OK && ce2 == ce_ref;
    for (size_t r = 0; r < h.rows; r++)
        if (h.tgt[r] != RNNC_VOCAB_PAD)
            same &= !memcmp(out + r * (size_t)Vt, logits + r * (size_t)Vt, (size_t)Vt * 4);
    check(same, "a padded decoder input changes no counted logit and not the loss");
    free(logits);
    /* any batch size gives the same scores (padding ignored on both sides) */
    rnnc_translate_scores s1, s5;
    rnnc_translator_evaluate(t, p, 1, &s1);
    rnnc_translator_evaluate(t, p, 5, &s5);
    check(s1.tokens == s5.tokens && fabs(s1.loss - s5.loss) < 1e-5 && s1.accuracy == s5.accuracy,
          "evaluate: batch 1 and batch 5 agree (%.6f, %.6f)", s1.loss, s5.loss);
    /* training: the loss falls */
    rnnc_fit_spec f = rnnc_fit_spec_init();
    f.epochs = 15, f.batch_size = 4, f.seed = 3;
    f.optim = rnnc_optim_spec_init(RNNC_OPTIM_ADAM);
    f.optim.lr = 0.02;
    rnnc_epoch_report rep;
    st = rnnc_translator_fit(t, p, p, &f, &rep);
    rnnc_translate_scores after;
    rnnc_translator_evaluate(t, p, 4, &after);
    check(st == RNNC_OK && after.loss < 0.5 * s1.loss && after.accuracy > s1.accuracy &&
              fabs(rep.val_loss - after.loss) < 1e-5,
          "15 epochs: loss %.4f -> %.4f, token accuracy %.3f -> %.3f, val_loss %.4f (%s)", s1.loss,
          after.loss, s1.accuracy, after.accuracy, rep.val_loss, st ? rnnc_last_error() : "");
    /* translating: what the model learnt, the same alone as together, blank -> "" */
    const char *srcs[3] = {p->src[0], "   ", p->src[1]};
    char *all[3], *one[1], *again[3];
    rnnc_decode_spec ds = rnnc_decode_spec_init();
    ds.beam = 3;
    st = rnnc_translator_translate(t, srcs, 3, &ds, all);
    int same_one = st == RNNC_OK;
    if (same_one && rnnc_translator_translate(t, srcs + 2, 1, &ds, one) == RNNC_OK) {
        same_one = !strcmp(one[0], all[2]);
        free(one[0]);
    }
    const int again_ok = st == RNNC_OK && rnnc_translator_translate(t, srcs, 3, &ds, again) == 0;
    check(same_one && again_ok && !strcmp(all[1], "") && !strcmp(all[0], again[0]) &&
              !strcmp(all[2], again[2]),
          "translate: a sentence alone as together, twice the same, a blank one \"\" (\"%s\", "
          "\"%s\")",
          st == RNNC_OK ? all[0] : "", st == RNNC_OK ? all[2] : "");
    for (int i = 0; st == RNNC_OK && i < 3; i++)
        free(all[i]), free(again_ok ? again[i] : NULL);
    rnnc_translation x;
    ds.beam = 3;
    st = rnnc_translator_attend(t, p->src[0], &ds, &x);
    int rows = st == RNNC_OK;
    for (size_t i = 0; rows && i < x.n_out; i++) {
        double sum = 0;
        for (size_t j = 0; j < x.n_src; j++)
            sum += x.weights[i * x.n_src + j];
        rows &= fabs(sum - 1) < 1e-5;
    }
    char *plain[1] = {NULL};
    const int same_text =
        st == RNNC_OK &&
        rnnc_translator_translate(t, (const char *const *)p->src, 1, &ds, plain) == RNNC_OK &&
        !strcmp(plain[0], x.text);
    check(rows && same_text && x.n_src >= 2 && !strcmp(x.src[x.n_src - 1], "<eos>") &&
              !strcmp(x.out[x.n_out - 1], "<eos>"),
          "attend: the same translation, %zu x %zu weights whose rows sum to 1 (%s)", x.n_out,
          x.n_src, st ? rnnc_last_error() : "");
    free(plain[0]);
    rnnc_translation_free(&x);
    rnnc_bleu_score bs;
    double chrf = -1;
    ds.beam = 1;
    st = rnnc_translator_bleu(t, p, &ds, &bs, &chrf);
    check(st == RNNC_OK && bs.score >= 0 && bs.score <= 100 && chrf >= 0 && chrf <= 100 &&
              bs.ref_len > 0 && bs.score == rep.val_score,
          "BLEU %.2f and chrF %.2f of its greedy translations of its training pairs: the last "
          "epoch's val_score (%.2f) (%s)",
          bs.score, chrf, rep.val_score, st ? rnnc_last_error() : "");
    /* the model file */
    char path[300];
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    rnnc_translator_set_data(t, tsv);
    st = rnnc_translator_save(t, path);
    rnnc_translator *r = NULL;
    if (st == RNNC_OK)
        st = rnnc_translator_load(path, &r);
    check(st == RNNC_OK, "saved and read back (%s)", st ? rnnc_last_error() : "");
    if (r) {
        hand(t, p, 0, 5, &h);
        rnnc_model_forward(m, &h.b, 0);
        size_t n = h.rows * (size_t)Vt;
        float *a = malloc(n * sizeof *a);
        memcpy(a, rnnc_model_output(m, NULL, NULL), n * sizeof *a);
        st = rnnc_model_forward(rnnc_translator_model(r), &h.b, 0);
        check(st == RNNC_OK && !memcmp(a, rnnc_model_output(rnnc_translator_model(r), NULL, NULL),
                                       n * sizeof *a),
              "read back: identical logits");
        free(a);
        const rnnc_translate_spec *sa = rnnc_translator_spec(t), *sb = rnnc_translator_spec(r);
        char *va, *vb;
        rnnc_vocab_to_text(rnnc_translator_tgt_vocab(t), &va);
        rnnc_vocab_to_text(rnnc_translator_tgt_vocab(r), &vb);
        check(sb->label_smoothing == sa->label_smoothing && sb->detok == sa->detok &&
                  sb->split_seed == sa->split_seed && !strcmp(va, vb) &&
                  !strcmp(rnnc_translator_data(r), tsv),
              "read back: the spec, the vocabularies and the data file");
        free(va), free(vb);
        rnnc_translator_free(r);
    }
    /* a file of another task */
    rnnc_lm *lm = NULL;
    check(rnnc_lm_load(path, &lm) == RNNC_ERR_FORMAT && strstr(rnnc_last_error(), "translate"),
          "a language model's loader names the file's task (%s)", rnnc_last_error());
    rnnc_translator_free(t);
    rnnc_pairs_free(p);
}

static int stop_after;
static int stop_now(void *user) {
    (void)user;
    return --stop_after == 0;
}

/* A run stopped inside an epoch and resumed from its checkpoint ends with the weights of the
 * uninterrupted run (the batches are shuffled as wholes by the trainer's seeded stream). */
static void test_resume(void) {
    rnnc_pairs *p = all_pairs();
    rnnc_translator *a = make(p, 0.1), *b = make(p, 0.1), *r = NULL;
    rnnc_fit_spec f = rnnc_fit_spec_init();
    f.epochs = 2, f.batch_size = 3, f.seed = 5;
    rnnc_epoch_report ra, rb;
    rnnc_status st = rnnc_translator_fit(a, p, p, &f, &ra);
    char out[300], ck[400];
    snprintf(out, sizeof out, "%s/run", dir);
    f.out_dir = out, f.should_stop = stop_now, stop_after = 2;
    if (st == RNNC_OK)
        st = rnnc_translator_fit(b, p, p, &f, &rb);
    check(st == RNNC_OK && rb.interrupted && rb.epoch == 1, "stopped inside epoch 1 (%s)",
          st ? rnnc_last_error() : "");
    snprintf(ck, sizeof ck, "%s/checkpoint.safetensors", out);
    if (st == RNNC_OK)
        st = rnnc_translator_load(ck, &r);
    f.should_stop = NULL, f.resume = ck;
    if (st == RNNC_OK)
        st = rnnc_translator_fit(r, p, p, &f, &rb);
    size_t np;
    const float *pa = rnnc_model_params(rnnc_translator_model(a), &np);
    const float *pr = r ? rnnc_model_params(rnnc_translator_model(r), NULL) : NULL;
    check(st == RNNC_OK && pr && !memcmp(pa, pr, np * sizeof *pa) && rb.val_loss == ra.val_loss,
          "resumed: the uninterrupted run's weights and validation loss (%s)",
          st ? rnnc_last_error() : "");
    rnnc_translator_free(a), rnnc_translator_free(b), rnnc_translator_free(r);
    rnnc_pairs_free(p);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", out);
    check(system(cmd) == 0, "run folder removed");
}

/* The model must end in a decoder; sizes that contradict the vocabularies are refused. */
static void test_refused(void) {
    rnnc_pairs *p = all_pairs();
    rnnc_config cfg;
    rnnc_config_parse(
        "[embedding]\nvocab = auto\ndim = 4\n[lstm]\nhidden = 4\n[dense]\nunits = 3\n", "m", &cfg);
    rnnc_translate_spec sp = rnnc_translate_spec_init();
    rnnc_translator *t = NULL;
    check(rnnc_translator_create(&cfg, &sp, p, 1, &t) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "decoder"),
          "no decoder: refused (%s)", rnnc_last_error());
    rnnc_config_parse("[embedding]\nvocab = 3\ndim = 4\n[lstm]\nhidden = 4\nreturn_sequences = "
                      "true\n[decoder]\nvocab = auto\ndim = 4\nhidden = 4\n",
                      "m", &cfg);
    check(rnnc_translator_create(&cfg, &sp, p, 1, &t) == RNNC_ERR_SHAPE,
          "an embedding vocab other than the source vocabulary's: refused (%s)", rnnc_last_error());
    sp.label_smoothing = 1;
    check(rnnc_translator_create(&cfg, &sp, p, 1, &t) == RNNC_ERR_ARG,
          "label smoothing 1: refused");
    rnnc_pairs_free(p);
}

/* The split of rnnc_translate_read: by source, every pair in one part; the filters. */
static void test_read(void) {
    rnnc_translate_spec sp = rnnc_translate_spec_init();
    sp.validation_split = 0.25, sp.test_split = 0.25, sp.split_seed = 4;
    rnnc_pairs *a = NULL, *b = NULL, *c = NULL;
    rnnc_status st = rnnc_translate_read(&sp, tsv, NULL, &a, &b, &c);
    check(st == RNNC_OK && a->n + b->n + c->n == 14, "split: %zu + %zu + %zu = 14", a ? a->n : 0,
          b ? b->n : 0, c ? c->n : 0);
    rnnc_pairs_free(a), rnnc_pairs_free(b), rnnc_pairs_free(c);
    sp.validation_split = sp.test_split = 0, sp.max_tokens = 4;
    st = rnnc_translate_read(&sp, tsv, NULL, &a, NULL, NULL);
    check(st == RNNC_OK && a->n == 12,
          "max_tokens 4 keeps the 12 pairs of at most 4 tokens a side "
          "(%zu)",
          a ? a->n : 0);
    rnnc_pairs_free(a);
    sp.max_tokens = 1;
    st = rnnc_translate_read(&sp, tsv, NULL, &a, NULL, NULL);
    check(st == RNNC_ERR_FORMAT && strstr(rnnc_last_error(), "passes the filters"),
          "a filter that keeps nothing: refused naming the file (%s)", rnnc_last_error());
}

static void test_config(void) {
    char ini[300];
    snprintf(ini, sizeof ini, "%s/t.ini", dir);
    FILE *f = fopen(ini, "w");
    fprintf(f,
            "[translate]\ndata = %s\nswap = true\nprefix = tutorial\nmax_tokens = 10\n"
            "validation_split = 0.2\ntest_split = 0.05\nsplit_seed = 9\nsrc_words = 100\n"
            "tgt_min_freq = 2\nlabel_smoothing = 0.1\ndetok = en\nteacher_forcing = 0.75\n"
            "%s[train]\nepochs = 2\n",
            tsv, MODEL);
    fclose(f);
    rnnc_train_file *tf = NULL;
    rnnc_status st = rnnc_train_file_open(ini, NULL, 0, &tf);
    check(st == RNNC_OK && rnnc_train_file_task(tf) == RNNC_TRAIN_TRANSLATE,
          "a [translate] section: a translator's file");
    rnnc_translate_config c;
    if (st == RNNC_OK)
        st = rnnc_translate_config_parse(tf, &c);
    rnnc_train_file_free(tf);
    check(st == RNNC_OK && !strcmp(c.data, tsv) && c.spec.swap == 1 &&
              c.spec.prefix == RNNC_PREFIX_TUTORIAL && c.spec.max_tokens == 10 &&
              c.spec.validation_split == 0.2 && c.spec.test_split == 0.05 &&
              c.spec.split_seed == 9 && c.spec.src_words == 100 && c.spec.tgt_min_freq == 2 &&
              c.spec.label_smoothing == 0.1 && c.spec.detok == RNNC_DETOK_EN &&
              c.spec.teacher_forcing == 0.75 && c.run.fit.epochs == 2 && c.run.model.n_layers == 3,
          "[translate] keys read (%s)", st ? rnnc_last_error() : "");
    unlink(ini);
}

int main(void) {
    rnnc_set_num_threads(2);
    check(mkdtemp(dir) != NULL, "temporary folder");
    snprintf(tsv, sizeof tsv, "%s/pairs.tsv", dir);
    FILE *f = fopen(tsv, "w");
    fputs(TSV, f);
    fclose(f);
    test_loss();
    test_translator();
    test_resume();
    test_refused();
    test_read();
    test_config();
    char path[300];
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    unlink(path), unlink(tsv), rmdir(dir);
    return check_summary();
}
