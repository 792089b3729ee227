/* The training loop and the text classifier through the public API: learning, determinism,
 * exact resume, early stopping, model files that predict alone, training files and --set.
 * Data: a synthetic sentiment task (reviews of random filler words with one or two sentiment
 * words), so the test needs no files. */
#include "check.h"
#include "reviews.h"
#include "rnnc.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The labels s's examples hold; -99 when the call fails. */
static int labels_in(const rnnc_textset *s) {
    int n = -1;
    return rnnc_textset_labels_present(s, &n) == RNNC_OK ? n : -99;
}

static rnnc_config model_cfg(int kind) {
    rnnc_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.n_layers = 4;
    cfg.layers[0] = rnnc_layer_spec_init(RNNC_LAYER_EMBEDDING);
    cfg.layers[0].vocab = 64, cfg.layers[0].dim = 8, cfg.layers[0].padding_idx = 0;
    cfg.layers[1] = rnnc_layer_spec_init(RNNC_LAYER_DROPOUT);
    cfg.layers[1].rate = 0.1f; /* so the dropout stream matters for exact resume */
    cfg.layers[2] = rnnc_layer_spec_init(kind);
    cfg.layers[2].hidden = 12;
    cfg.layers[3] = rnnc_layer_spec_init(RNNC_LAYER_DENSE);
    cfg.layers[3].units = 1;
    return cfg;
}

static rnnc_text_spec text_spec(void) {
    rnnc_text_spec t = rnnc_text_spec_init();
    t.num_words = 64, t.maxlen = 20, t.padding = RNNC_PAD_POST, t.use_lengths = 1;
    return t;
}

static rnnc_fit_spec fit_spec(const char *dir, int epochs) {
    rnnc_fit_spec f = rnnc_fit_spec_init();
    f.epochs = epochs, f.batch_size = 16, f.seed = 5, f.out_dir = dir;
    f.optim.lr = 0.01;
    f.sched = rnnc_sched_spec_init(RNNC_SCHED_COSINE);
    f.sched.t_max = 40, f.sched_per_batch = 1; /* a schedule whose state must be resumed */
    return f;
}

/* Trains a fresh classifier; returns it (caller frees) and the last report. */
static rnnc_classifier *train(const rnnc_textset *tr, const rnnc_textset *va, rnnc_fit_spec *f,
                              rnnc_epoch_report *last, rnnc_status *st) {
    rnnc_config cfg = model_cfg(RNNC_LAYER_GRU);
    rnnc_text_spec t = text_spec();
    rnnc_classifier *c = NULL;
    *st = rnnc_classifier_create(&cfg, &t, tr, 3, &c);
    if (*st == RNNC_OK)
        *st = rnnc_classifier_fit(c, tr, va, f, last);
    return c;
}

static int same_params(rnnc_classifier *a, rnnc_classifier *b) {
    size_t na, nb;
    const float *pa = rnnc_model_params(rnnc_classifier_model(a), &na);
    const float *pb = rnnc_model_params(rnnc_classifier_model(b), &nb);
    return na == nb && memcmp(pa, pb, na * sizeof(float)) == 0;
}

static int file_params_equal(const char *p1, const char *p2) {
    rnnc_classifier *a = NULL, *b = NULL;
    int eq = rnnc_classifier_load(p1, &a) == RNNC_OK && rnnc_classifier_load(p2, &b) == RNNC_OK &&
             same_params(a, b);
    rnnc_classifier_free(a), rnnc_classifier_free(b);
    return eq;
}

static void test_learning_and_resume(const char *tmp) {
    rnnc_textset *tr = reviews_make(400, 1), *va = reviews_make(100, 2);
    char d1[512], d2[512], d3[512], p1[600], p2[600], ck[600];
    snprintf(d1, sizeof d1, "%s/full", tmp);
    snprintf(d2, sizeof d2, "%s/halves", tmp);
    snprintf(d3, sizeof d3, "%s/again", tmp);
    rnnc_status st;
    rnnc_epoch_report last, last2;
    rnnc_fit_spec f = fit_spec(d1, 4);
    rnnc_classifier *c = train(tr, va, &f, &last, &st);
    check(st == RNNC_OK, "fit 4 epochs: %s", st ? rnnc_last_error() : "ok");
    check(last.epoch == 4 && last.step == 4 * 25, "4 epochs of 25 batches (epoch %d, step %ld)",
          last.epoch, last.step);
    check(last.val.accuracy > 0.9, "the synthetic task is learned: val accuracy %.3f > 0.9",
          last.val.accuracy);
    check(last.val_loss < 0.4, "val loss %.3f < 0.4", last.val_loss);

    /* the same run again: bit-identical */
    rnnc_fit_spec f3 = fit_spec(d3, 4);
    rnnc_classifier *c3 = train(tr, va, &f3, &last2, &st);
    check(st == RNNC_OK && same_params(c, c3), "same seed, same threads: identical weights");
    check(last2.val_loss == last.val_loss, "and identical validation loss");

    /* 2 epochs, stop, resume to 4: identical to the uninterrupted run */
    rnnc_fit_spec f2 = fit_spec(d2, 2);
    rnnc_classifier *c2 = train(tr, va, &f2, &last2, &st);
    check(st == RNNC_OK && last2.epoch == 2, "first half: 2 epochs");
    snprintf(ck, sizeof ck, "%s/checkpoint.safetensors", d2);
    rnnc_classifier *r = NULL;
    st = rnnc_classifier_load(ck, &r);
    check(st == RNNC_OK, "a checkpoint loads as a classifier: %s", st ? rnnc_last_error() : "ok");
    f2.epochs = 4, f2.resume = ck;
    if (r)
        st = rnnc_classifier_fit(r, tr, va, &f2, &last2);
    check(st == RNNC_OK && last2.epoch == 4 && last2.step == 100, "resumed to epoch 4: %s",
          st ? rnnc_last_error() : "ok");
    check(r && same_params(c, r), "resumed weights are bit-identical to the uninterrupted run");
    check(last2.val_loss == last.val_loss, "resumed validation loss identical (%.9g vs %.9g)",
          last2.val_loss, last.val_loss);
    snprintf(p1, sizeof p1, "%s/model.safetensors", d1);
    snprintf(p2, sizeof p2, "%s/model.safetensors", d2);
    check(file_params_equal(p1, p2), "and so are the two model files");
    /* teeth: the comparison sees a one-epoch difference */
    check(!same_params(c, c2), "a 2-epoch model differs from the 4-epoch one");

    /* every file a run leaves in its folder is one rnnc_run_files names (the CLI keeps inputs
     * out of that list) */
    {
        char unlisted[256] = "";
        int n_files = 0;
        DIR *dd = opendir(d2);
        for (struct dirent *e; dd && (e = readdir(dd)) != NULL;) {
            if (e->d_name[0] == '.')
                continue;
            int known = 0;
            for (const char *const *w = rnnc_run_files(); *w && !known; w++)
                known = !strcmp(*w, e->d_name);
            n_files++;
            if (!known)
                snprintf(unlisted, sizeof unlisted, "%s", e->d_name);
        }
        if (dd)
            closedir(dd);
        check(dd && n_files >= 5 && !unlisted[0],
              "the %d files of a run's folder are all in rnnc_run_files (not: '%s')", n_files,
              unlisted);
    }

    /* an optimizer file from another step (a run stopped between the two writes) is refused */
    char op[640], d4[512], cmd[4096];
    snprintf(op, sizeof op, "%s/checkpoint.optim.safetensors", d2);
    snprintf(d4, sizeof d4, "%s/one", tmp);
    rnnc_fit_spec f4 = fit_spec(d4, 1);
    rnnc_classifier *c4 = train(tr, va, &f4, NULL, &st);
    rnnc_classifier_free(c4);
    snprintf(cmd, sizeof cmd, "cp '%s/checkpoint.optim.safetensors' '%s'", d4, op);
    rnnc_classifier *r2 = NULL;
    rnnc_classifier_load(ck, &r2);
    f2.epochs = 5;
    int copied = system(cmd) == 0;
    st = r2 && copied ? rnnc_classifier_fit(r2, tr, va, &f2, NULL) : RNNC_ERR_IO;
    check(st == RNNC_ERR_FORMAT && strstr(rnnc_last_error(), "after step 25") &&
              strstr(rnnc_last_error(), "at step 100"),
          "an optimizer file of another step is refused (status %d): %s", st, rnnc_last_error());
    rnnc_classifier_free(r2);
    r2 = NULL;
    rnnc_classifier_load(ck, &r2);
    /* a checkpoint without its optimizer file is refused, naming it */
    unlink(op);
    st = r2 ? rnnc_classifier_fit(r2, tr, va, &f2, NULL) : RNNC_ERR_IO;
    check(st == RNNC_ERR_IO && strstr(rnnc_last_error(), "checkpoint.optim.safetensors"),
          "resume without the optimizer file fails naming it (%s)", rnnc_last_error());
    /* killed after the checkpoint was written but before its optimizer file was renamed into
     * place: the old optimizer file (step 25) stays, the next one (step 100) is taken */
    snprintf(cmd, sizeof cmd,
             "cp '%s/checkpoint.optim.safetensors' '%s' && cp '%s/checkpoint.optim.safetensors' "
             "'%s/checkpoint.optim.next.safetensors'",
             d4, op, d3, d2);
    rnnc_classifier_free(r2);
    r2 = NULL;
    rnnc_classifier_load(ck, &r2);
    st = r2 && system(cmd) == 0 ? rnnc_classifier_fit(r2, tr, va, &f2, &last2) : RNNC_ERR_IO;
    check(st == RNNC_OK && last2.epoch == 5 && last2.step == 125,
          "a checkpoint whose optimizer file was not yet renamed resumes from the next file: %s",
          st ? rnnc_last_error() : "ok");
    /* resuming a finished run is refused */
    f2.epochs = 3;
    st = r2 ? rnnc_classifier_fit(r2, tr, va, &f2, NULL) : RNNC_OK;
    check(st != RNNC_OK, "resume with epochs below the checkpoint's is refused");

    /* the model file alone predicts */
    rnnc_classifier *m = NULL;
    st = rnnc_classifier_load(p1, &m);
    const char *texts[] = {"i loved the movie .", "the plot was awful and boring ."};
    float pr[4] = {0}, pr2[4] = {0};
    if (m)
        st = rnnc_classifier_predict(m, texts, 2, pr);
    check(st == RNNC_OK && pr[1] > 0.5 && pr[2] > 0.5,
          "loaded model predicts pos %.3f / neg %.3f on raw text", pr[1], pr[2]);
    check(fabsf(pr[0] + pr[1] - 1) < 1e-6f, "probabilities sum to 1");
    rnnc_classifier_predict(c, texts, 2, pr2);
    check(memcmp(pr, pr2, sizeof pr) == 0, "loaded and in-memory classifiers agree exactly");
    double loss;
    rnnc_metric_values v;
    st = m ? rnnc_classifier_evaluate(m, va, 7, &loss, &v) : RNNC_ERR_ARG;
    check(st == RNNC_OK && fabs(loss - last.val_loss) < 1e-6 && v.n == 100,
          "evaluate (batch 7) gives the last validation loss %.6f (got %.6f)", last.val_loss, loss);
    rnnc_classifier_free(c), rnnc_classifier_free(c2), rnnc_classifier_free(c3);
    rnnc_classifier_free(r), rnnc_classifier_free(r2), rnnc_classifier_free(m);
    rnnc_textset_free(tr), rnnc_textset_free(va);
}

/* A batch with use_lengths runs its rows longest first: the predictions must come back in the
 * caller's order, each the same bits as the text predicted alone. */
static void test_sorted_batches(void) {
    rnnc_textset *tr = reviews_make(60, 4);
    rnnc_config cfg = model_cfg(RNNC_LAYER_LSTM);
    rnnc_text_spec t = text_spec();
    rnnc_classifier *c = NULL;
    rnnc_status st = rnnc_classifier_create(&cfg, &t, tr, 9, &c);
    const char *texts[] = {"great .", "the movie was a story of the director and it was awful .",
                           "i hated it", "superb film with a plot and a scene and an actor ."};
    float all[8], one[2];
    if (st == RNNC_OK)
        st = rnnc_classifier_predict(c, texts, 4, all);
    int same = st == RNNC_OK;
    for (int i = 0; same && i < 4; i++)
        same = rnnc_classifier_predict(c, &texts[i], 1, one) == RNNC_OK &&
               !memcmp(one, all + 2 * i, sizeof one);
    check(same, "texts of different lengths predicted together = each alone, in the given order");
    rnnc_classifier_free(c);
    rnnc_textset_free(tr);
}

/* should_stop after a given number of batches. */
typedef struct stopper {
    int batches, after;
} stopper;
static int stop_after(void *u) {
    stopper *st = u;
    return ++st->batches >= st->after;
}
static void note_best(const rnnc_epoch_report *r, void *u) {
    if (r->improved)
        *(int *)u = r->epoch;
}

/* restore_best with a run stopped inside the epoch after its best one: the resumed run must end
 * with the best epoch's weights, as the uninterrupted run does (the mid-epoch weights of the
 * checkpoint are not the best ones, though the checkpoint's epoch count equals the best epoch). */
static void test_resume_restore_best(const char *tmp) {
    rnnc_textset *tr = reviews_make(400, 1), *va = reviews_make(100, 2);
    char d1[512], d2[512], ck[600];
    snprintf(d1, sizeof d1, "%s/best-full", tmp);
    snprintf(d2, sizeof d2, "%s/best-stopped", tmp);
    rnnc_status st;
    int best = 0;
    rnnc_fit_spec f = fit_spec(d1, 3);
    f.restore_best = 1, f.min_delta = 1e9; /* only epoch 1 counts as an improvement */
    f.on_epoch = note_best, f.user = &best;
    rnnc_classifier *c = train(tr, va, &f, NULL, &st);
    check(st == RNNC_OK && best == 1, "uninterrupted: best epoch %d of 3", best);
    stopper sp = {0, best * 25 + 10}; /* 10 batches into the epoch after the best */
    rnnc_fit_spec f2 = fit_spec(d2, 3);
    f2.restore_best = 1, f2.min_delta = 1e9;
    f2.should_stop = stop_after, f2.user = &sp;
    rnnc_classifier *c2 = train(tr, va, &f2, NULL, &st);
    snprintf(ck, sizeof ck, "%s/checkpoint.safetensors", d2);
    rnnc_classifier *r = NULL;
    if (st == RNNC_OK)
        st = rnnc_classifier_load(ck, &r);
    f2.resume = ck, f2.should_stop = NULL, f2.user = NULL;
    if (st == RNNC_OK)
        st = rnnc_classifier_fit(r, tr, va, &f2, NULL);
    check(st == RNNC_OK && c && r && same_params(c, r),
          "stopped 10 batches after the best epoch and resumed: the best epoch's weights, as "
          "without the stop (%s)",
          st ? rnnc_last_error() : "ok");
    rnnc_classifier_free(c), rnnc_classifier_free(c2), rnnc_classifier_free(r);
    rnnc_textset_free(tr), rnnc_textset_free(va);
}

typedef struct counter {
    int epochs, progress;
} counter;
static void count_epoch(const rnnc_epoch_report *r, void *u) {
    (void)r;
    ((counter *)u)->epochs++;
}
static void count_progress(const rnnc_progress *p, void *u) {
    (void)p;
    ((counter *)u)->progress++;
}

static void test_early_stopping(void) {
    rnnc_textset *tr = reviews_make(64, 3), *va = reviews_make(32, 4);
    rnnc_fit_spec f = fit_spec(NULL, 10);
    /* nothing beats the first epoch by 1e9: patience 2 stops after epoch 3 */
    f.min_delta = 1e9, f.patience = 2, f.restore_best = 1;
    counter cnt = {0, 0};
    f.on_epoch = count_epoch, f.on_progress = count_progress, f.user = &cnt;
    rnnc_status st;
    rnnc_epoch_report last;
    rnnc_classifier *c = train(tr, va, &f, &last, &st);
    check(st == RNNC_OK && last.epoch == 3 && last.stop, "early stop after epoch 3 (got %d)",
          last.epoch);
    check(cnt.epochs == 3 && cnt.progress == 3 * 4, "callbacks: %d epochs, %d batches", cnt.epochs,
          cnt.progress);
    /* restore_best: the weights are those of epoch 1 */
    rnnc_fit_spec f1 = fit_spec(NULL, 1);
    rnnc_classifier *c1 = train(tr, va, &f1, &last, &st);
    check(c && c1 && same_params(c, c1), "restore_best went back to epoch 1's weights");
    rnnc_classifier_free(c), rnnc_classifier_free(c1);
    /* bad specs */
    f = fit_spec(NULL, 0);
    c = train(tr, va, &f, &last, &st);
    check(st == RNNC_ERR_ARG && strstr(rnnc_last_error(), "epochs"), "epochs 0 refused: %s",
          rnnc_last_error());
    rnnc_classifier_free(c);
    f = fit_spec(NULL, 1);
    f.restore_best = 1;
    c = train(tr, NULL, &f, &last, &st);
    check(st == RNNC_ERR_ARG && strstr(rnnc_last_error(), "validation"),
          "restore_best without validation refused: %s", rnnc_last_error());
    rnnc_classifier_free(c);
    rnnc_textset_free(tr), rnnc_textset_free(va);
}

static void test_create_checks(void) {
    rnnc_textset *tr = reviews_make(20, 5);
    rnnc_text_spec t = text_spec();
    rnnc_config cfg = model_cfg(RNNC_LAYER_LSTM);
    rnnc_classifier *c = NULL;
    cfg.layers[0].vocab = 10;
    rnnc_status st = rnnc_classifier_create(&cfg, &t, tr, 1, &c);
    check(st == RNNC_ERR_ARG && strstr(rnnc_last_error(), "vocab = 10"),
          "embedding smaller than the vocabulary refused: %s", rnnc_last_error());
    cfg = model_cfg(RNNC_LAYER_LSTM);
    cfg.layers[3].activation = RNNC_ACT_SIGMOID;
    st = rnnc_classifier_create(&cfg, &t, tr, 1, &c);
    check(st == RNNC_ERR_ARG && strstr(rnnc_last_error(), "linear"),
          "a sigmoid head is refused with advice: %s", rnnc_last_error());
    cfg = model_cfg(RNNC_LAYER_LSTM);
    cfg.layers[3].units = 3;
    st = rnnc_classifier_create(&cfg, &t, tr, 1, &c);
    check(st == RNNC_ERR_ARG && strstr(rnnc_last_error(), "3 units"),
          "3 outputs for 2 labels refused: %s", rnnc_last_error());
    cfg.layers[3].units = 2; /* two logits and softmax cross-entropy also work */
    st = rnnc_classifier_create(&cfg, &t, tr, 1, &c);
    check(st == RNNC_OK, "2 units for 2 labels accepted");
    float p[2];
    const char *txt = "x";
    check(c && rnnc_classifier_predict(c, &txt, 1, p) == RNNC_OK && fabsf(p[0] + p[1] - 1) < 1e-6f,
          "softmax head predicts probabilities");
    rnnc_classifier_free(c);
    /* validation split: Keras's int(n * (1 - f)) */
    rnnc_textset *v = NULL;
    st = rnnc_textset_split(tr, 0.25, 1, &v);
    check(st == RNNC_OK && tr->n == 15 && v && v->n == 5 && !strcmp(v->texts[0], "") == 0,
          "split 20 at 0.25: 15 + 5");
    rnnc_textset *w = NULL;
    check(rnnc_textset_split(tr, 1.0, 1, &w) == RNNC_ERR_ARG, "split fraction 1 refused");
    rnnc_textset_free(v);
    rnnc_textset_free(tr);
}

/* A set sorted by label, as a folder per class reads: n_neg "neg" examples, then n_pos "pos". */
static rnnc_textset *sorted_set(size_t n_neg, size_t n_pos) {
    rnnc_textset *s = calloc(1, sizeof *s);
    s->n = n_neg + n_pos;
    s->texts = calloc(s->n, sizeof *s->texts);
    s->labels = calloc(s->n, sizeof *s->labels);
    s->n_labels = 2;
    s->label_names = calloc(2, sizeof *s->label_names);
    s->label_names[0] = strdup("neg"), s->label_names[1] = strdup("pos");
    for (size_t i = 0; i < s->n; i++) {
        char t[32];
        snprintf(t, sizeof t, "text %zu", i);
        s->texts[i] = strdup(t);
        s->labels[i] = i >= n_neg;
    }
    return s;
}

/* validation_split on data sorted by label: every label in both parts, in proportion (stratified,
 * the examples drawn with the seed), the same seed the same split; a one-label set is reported. */
static void test_split_stratified(void) {
    rnnc_textset *a = sorted_set(30, 10), *va = NULL;
    rnnc_status st = rnnc_textset_split(a, 0.2, 7, &va);
    size_t pos_v = 0, pos_t = 0;
    for (size_t i = 0; va && i < va->n; i++)
        pos_v += va->labels[i] == 1;
    for (size_t i = 0; i < a->n; i++)
        pos_t += a->labels[i] == 1;
    check(st == RNNC_OK && va && va->n == 8 && a->n == 32 && pos_v == 2 && pos_t == 8,
          "split 30 neg + 10 pos at 0.2: validation 6 neg + 2 pos (got %zu, %zu pos), training "
          "24 + 8 (got %zu, %zu pos)",
          va ? va->n : 0, pos_v, a->n, pos_t);
    check(va && labels_in(va) == 2 && labels_in(a) == 2, "both parts hold both labels");
    int ordered = 1; /* each part keeps the file order */
    for (size_t i = 1; va && i < va->n; i++)
        ordered = ordered && atoi(va->texts[i - 1] + 5) < atoi(va->texts[i] + 5);
    for (size_t i = 1; i < a->n; i++)
        ordered = ordered && atoi(a->texts[i - 1] + 5) < atoi(a->texts[i] + 5);
    check(ordered, "both parts keep the file order");
    rnnc_textset *b = sorted_set(30, 10), *vb = NULL, *c = sorted_set(30, 10), *vc = NULL;
    rnnc_textset_split(b, 0.2, 7, &vb);
    rnnc_textset_split(c, 0.2, 8, &vc);
    int same = vb && va && vb->n == va->n, other = 0;
    for (size_t i = 0; same && i < va->n; i++)
        same = !strcmp(va->texts[i], vb->texts[i]);
    for (size_t i = 0; vc && va && i < va->n && i < vc->n; i++)
        other = other || strcmp(va->texts[i], vc->texts[i]);
    check(same && other, "the same seed gives the same split, another seed another");
    rnnc_textset_free(a), rnnc_textset_free(va), rnnc_textset_free(b), rnnc_textset_free(vb);
    rnnc_textset_free(c), rnnc_textset_free(vc);
    /* 3 examples of a rare label among 97: still one in validation at 0.1 */
    rnnc_textset *d = sorted_set(97, 3), *vd = NULL;
    st = rnnc_textset_split(d, 0.1, 1, &vd);
    check(st == RNNC_OK && vd && vd->n == 10 && labels_in(vd) == 2,
          "a rare label (3 of 100) is in the validation part too");
    rnnc_textset_free(d), rnnc_textset_free(vd);
    rnnc_textset *e = sorted_set(5, 0);
    check(labels_in(e) == 1 && labels_in(NULL) == 0, "a set of one label reports 1");
    check(rnnc_textset_labels_present(e, NULL) == RNNC_ERR_ARG,
          "labels present: NULL count refused");
    rnnc_textset_free(e);
}

/* test_split then validation_split from the rest, as rnnc train makes them: sizes by Keras's
 * count at each step, the three parts disjoint and together the whole set, each holding both
 * labels in proportion, and the same seeds the same parts. */
static void test_split_test_then_validation(void) {
    size_t n_part[2][3] = {{0}};
    char *first_test[2] = {NULL, NULL};
    for (int run = 0; run < 2; run++) {
        rnnc_textset *tr = sorted_set(75, 25), *te = NULL, *va = NULL;
        rnnc_status st = rnnc_textset_split(tr, 0.2, 1, &te);
        if (st == RNNC_OK)
            st = rnnc_textset_split(tr, 0.25, 7, &va);
        /* 100 - int(100 * 0.8) = 20 test; 80 - int(80 * 0.75) = 20 validation; 60 train */
        check(st == RNNC_OK && te && va && te->n == 20 && va->n == 20 && tr->n == 60,
              "test_split 0.2 then validation_split 0.25 of 100: 20 test, 20 validation, 60 "
              "training (got %zu, %zu, %zu)",
              te ? te->n : 0, va ? va->n : 0, tr->n);
        if (!te || !va) {
            rnnc_textset_free(tr), rnnc_textset_free(te), rnnc_textset_free(va);
            return;
        }
        int seen[100] = {0}, twice = 0;
        const rnnc_textset *parts[3] = {tr, va, te};
        for (int k = 0; k < 3; k++)
            for (size_t i = 0; i < parts[k]->n; i++) {
                const int id = atoi(parts[k]->texts[i] + 5);
                twice |= id < 0 || id >= 100 || seen[id];
                if (id >= 0 && id < 100)
                    seen[id] = 1;
                n_part[run][k] += parts[k]->labels[i] == 1;
            }
        int all = 1;
        for (int i = 0; i < 100; i++)
            all &= seen[i];
        check(!twice && all, "the three parts are disjoint and hold every example");
        check(n_part[run][2] == 5 && n_part[run][1] == 5 && n_part[run][0] == 15,
              "stratified: 5 of 20 test, 5 of 20 validation, 15 of 60 training examples are "
              "'pos' (got %zu, %zu, %zu)",
              n_part[run][2], n_part[run][1], n_part[run][0]);
        first_test[run] = strdup(te->texts[0]);
        rnnc_textset_free(tr), rnnc_textset_free(te), rnnc_textset_free(va);
    }
    check(first_test[0] && first_test[1] && !strcmp(first_test[0], first_test[1]),
          "the same seeds give the same test set");
    free(first_test[0]), free(first_test[1]);
}

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static void test_train_file(const char *tmp) {
    char path[600];
    snprintf(path, sizeof path, "%s/t.ini", tmp);
    write_file(path,
               "# a training file\n[data]\ntrain = a.tsv\nmaxlen = 50\n\n[embedding]\nvocab = "
               "100\ndim = 8\n\n[lstm]\nhidden = 4\n\n[dense]\nunits = 1\n\n[train]\nepochs = "
               "3\n[optimizer]\nname = sgd\nmomentum = 0.9\n");
    rnnc_classify_config tc;
    rnnc_status st = rnnc_classify_config_read(path, NULL, 0, &tc);
    check(st == RNNC_OK, "training file reads: %s", st ? rnnc_last_error() : "ok");
    check(tc.run.model.n_layers == 3 && tc.run.model.layers[1].hidden == 4 &&
              tc.text.maxlen == 50 && tc.run.fit.epochs == 3 &&
              tc.run.fit.optim.kind == RNNC_OPTIM_SGD && tc.run.fit.optim.momentum == 0.9 &&
              !strcmp(tc.train, "a.tsv"),
          "layers, [data], [train] and [optimizer] keys land");
    const char *sets[] = {"train.epochs=7", "lstm.hidden=9", "optimizer.lr=0.5",
                          "early_stopping.patience=2", "data.num_words=77"};
    st = rnnc_classify_config_read(path, sets, 5, &tc);
    check(st == RNNC_OK && tc.run.fit.epochs == 7 && tc.run.model.layers[1].hidden == 9 &&
              tc.run.fit.optim.lr == 0.5 && tc.run.fit.patience == 2 && tc.text.num_words == 77 &&
              tc.run.fit.optim.momentum == 0.9,
          "--set replaces keys, adds keys and adds a missing training section");
    const char *bad1[] = {"gru.hidden=3"};
    st = rnnc_classify_config_read(path, bad1, 1, &tc);
    check(st == RNNC_ERR_ARG && strstr(rnnc_last_error(), "no [gru] section"),
          "--set on a missing layer section: %s", rnnc_last_error());
    const char *bad2[] = {"epochs=3"};
    st = rnnc_classify_config_read(path, bad2, 1, &tc);
    check(st == RNNC_ERR_ARG && strstr(rnnc_last_error(), "section.key=value"),
          "--set without a section: %s", rnnc_last_error());
    write_file(path, "[embedding]\nvocab = 9\ndim = 2\n[data]\ntrain = a\n[lstm]\nhidden = "
                     "4\n[train]\nepoch = 3\n");
    st = rnnc_classify_config_read(path, NULL, 0, &tc);
    check(st == RNNC_ERR_FORMAT && strstr(rnnc_last_error(), ":9: unknown key 'epoch' in [train]"),
          "unknown key named with its line: %s", rnnc_last_error());
    write_file(path, "[embedding]\nvocab = 9\ndim = 2\n[data]\ntrain = a\n[lstm]\nhiden = 4\n");
    st = rnnc_classify_config_read(path, NULL, 0, &tc);
    check(st == RNNC_ERR_FORMAT && strstr(rnnc_last_error(), ":7:"),
          "a layer-section error keeps its real line number: %s", rnnc_last_error());
    write_file(path, "[embedding]\nvocab = 9\ndim = 2\n[data]\ntrain = a\n[lstm]\nhidden = "
                     "4\n[optimizer]\nname = adamax\n");
    st = rnnc_classify_config_read(path, NULL, 0, &tc);
    check(st == RNNC_ERR_FORMAT && strstr(rnnc_last_error(), ":9:") &&
              strstr(rnnc_last_error(), "adamw"),
          "unknown optimizer lists the known ones: %s", rnnc_last_error());
    write_file(
        path,
        "[embedding]\nvocab = 9\ndim = 2\n[data]\ntrain = a\nmaxlen = -3\n[lstm]\nhidden = 4\n");
    st = rnnc_classify_config_read(path, NULL, 0, &tc);
    check(st == RNNC_ERR_FORMAT && strstr(rnnc_last_error(), ":6:"), "negative maxlen: %s",
          rnnc_last_error());
    write_file(path, "[embedding]\nvocab = 9\ndim = 2\n[data]\ntrain = a\nvalidation = "
                     "b\nvalidation_split = 0.2\n[lstm]\nhidden = 4\n");
    st = rnnc_classify_config_read(path, NULL, 0, &tc);
    check(st == RNNC_ERR_FORMAT && strstr(rnnc_last_error(), "choose one"),
          "validation file and split together: %s", rnnc_last_error());
    write_file(path, "[embedding]\nvocab = 9\ndim = 2\n[data]\ntrain = a\ntest_split = "
                     "0.1\n[lstm]\nhidden = 4\n");
    st = rnnc_classify_config_read(path, NULL, 0, &tc);
    check(st == RNNC_OK && tc.test_split == 0.1 && tc.test_seed == 1 && !tc.test[0],
          "test_split read, test_seed 1 by default: %s", st ? rnnc_last_error() : "ok");
    const char *seed9[] = {"data.test_seed=9"};
    st = rnnc_classify_config_read(path, seed9, 1, &tc);
    check(st == RNNC_OK && tc.test_seed == 9, "test_seed read");
    const char *both[] = {"data.test=t.csv"};
    st = rnnc_classify_config_read(path, both, 1, &tc);
    check(st == RNNC_ERR_FORMAT && strstr(rnnc_last_error(), "both test and test_split"),
          "test file and test_split together: %s", rnnc_last_error());
    const char *whole[] = {"data.test_split=1"};
    st = rnnc_classify_config_read(path, whole, 1, &tc);
    check(st == RNNC_ERR_FORMAT && strstr(rnnc_last_error(), "test_split") &&
              strstr(rnnc_last_error(), "[0, 1)"),
          "test_split 1 refused: %s", rnnc_last_error());
    char longline[400] = "[embedding]\nvocab = 9\ndim = 2\n[lstm]\nhidden = 4\n[data]\ntrain = ";
    memset(longline + strlen(longline), 'x', 250);
    strcpy(longline + strlen(longline), ".tsv\n");
    write_file(path, longline);
    st = rnnc_classify_config_read(path, NULL, 0, &tc);
    check(st == RNNC_OK && strlen(tc.train) == 254 && !strcmp(tc.train + 250, ".tsv"),
          "a line longer than libinih's buffer is read whole, not cut: %s",
          st ? rnnc_last_error() : tc.train);
    write_file(path, "[embedding]\nvocab = 9\ndim = 2\n[lstm]\nhidden = 4\n");
    st = rnnc_classify_config_read(path, NULL, 0, &tc);
    check(st == RNNC_ERR_FORMAT && strstr(rnnc_last_error(), "train = PATH"),
          "no training data: %s", rnnc_last_error());
}

/* Weight averaging: the final model is the average computed by hand from the weights after every
 * step, validation sees it, and a run stopped and resumed ends with the same bits. */
typedef struct ema_probe {
    rnnc_model *m;
    double *avg; /* the average by hand, in double */
    long steps;
} ema_probe;

static void ema_step(const rnnc_progress *p, void *user) {
    (void)p;
    ema_probe *e = user;
    size_t n;
    const float *w = rnnc_model_params(e->m, &n);
    for (size_t i = 0; i < n; i++)
        e->avg[i] = e->steps == 0 ? w[i] : 0.9 * e->avg[i] + 0.1 * w[i];
    e->steps++;
}

static void test_ema(const char *tmp) {
    rnnc_textset *tr = reviews_make(200, 1), *va = reviews_make(60, 2);
    char d1[512], d2[512], ck[600], p1[600], p2[600];
    snprintf(d1, sizeof d1, "%s/ema-full", tmp);
    snprintf(d2, sizeof d2, "%s/ema-halves", tmp);
    rnnc_config cfg = model_cfg(RNNC_LAYER_GRU);
    rnnc_text_spec t = text_spec();
    rnnc_classifier *c = NULL;
    rnnc_status st = rnnc_classifier_create(&cfg, &t, tr, 3, &c);
    size_t n;
    rnnc_model_params(rnnc_classifier_model(c), &n);
    ema_probe e = {rnnc_classifier_model(c), calloc(n, sizeof(double)), 0};
    rnnc_fit_spec f = fit_spec(d1, 3);
    f.ema = 0.9, f.on_progress = ema_step, f.user = &e;
    rnnc_epoch_report last;
    if (st == RNNC_OK)
        st = rnnc_classifier_fit(c, tr, va, &f, &last);
    check(st == RNNC_OK && e.steps == 3 * 13, "ema: 3 epochs of 13 steps (%s)",
          st ? rnnc_last_error() : "");
    const float *w = rnnc_model_params(rnnc_classifier_model(c), NULL);
    double worst = 0;
    for (size_t i = 0; i < n; i++)
        worst = fmax(worst, fabs(w[i] - e.avg[i]));
    check(worst < 1e-5, "the final model is the moving average of the step weights (max diff %.2g)",
          worst);
    double lv;
    rnnc_metric_values mv;
    st = rnnc_classifier_evaluate(c, va, 16, &lv, &mv);
    check(st == RNNC_OK && fabs(lv - last.val_loss) < 1e-6,
          "the last validation loss is the average's (%.9g vs %.9g)", last.val_loss, lv);
    /* stopped after 1 epoch, resumed to 3: the same model file */
    rnnc_fit_spec f2 = fit_spec(d2, 1);
    f2.ema = 0.9;
    rnnc_epoch_report l2;
    rnnc_classifier *c2 = train(tr, va, &f2, &l2, &st);
    snprintf(ck, sizeof ck, "%s/checkpoint.safetensors", d2);
    rnnc_classifier *r = NULL;
    if (st == RNNC_OK)
        st = rnnc_classifier_load(ck, &r);
    f2.epochs = 3, f2.resume = ck;
    if (st == RNNC_OK)
        st = rnnc_classifier_fit(r, tr, va, &f2, &l2);
    snprintf(p1, sizeof p1, "%s/model.safetensors", d1);
    snprintf(p2, sizeof p2, "%s/model.safetensors", d2);
    check(st == RNNC_OK && file_params_equal(p1, p2) && l2.val_loss == last.val_loss,
          "ema: stopped after 1 epoch and resumed to 3, the same model file (%s)",
          st ? rnnc_last_error() : "");
    f2.ema = 0, f2.resume = ck, f2.epochs = 4;
    rnnc_classifier *r2 = NULL;
    rnnc_classifier_load(ck, &r2);
    st = r2 ? rnnc_classifier_fit(r2, tr, va, &f2, &l2) : RNNC_ERR_ARG;
    check(st == RNNC_OK, "resuming without ema is allowed (the average is then dropped)");
    free(e.avg);
    rnnc_classifier_free(c), rnnc_classifier_free(c2), rnnc_classifier_free(r),
        rnnc_classifier_free(r2);
    rnnc_textset_free(tr), rnnc_textset_free(va);
}

int main(void) {
    char tmp[] = "/tmp/rnnc_fit_XXXXXX";
    if (!mkdtemp(tmp))
        return 1;
    rnnc_set_num_threads(1);
    test_learning_and_resume(tmp);
    test_resume_restore_best(tmp);
    test_ema(tmp);
    test_sorted_batches();
    test_early_stopping();
    test_create_checks();
    test_split_stratified();
    test_split_test_then_validation();
    test_train_file(tmp);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmp);
    return check_summary();
}
