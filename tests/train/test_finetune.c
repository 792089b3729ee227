/* Fine-tuning controls in the trainer: frozen layers stay bit-identical through a run,
 * gradual unfreezing opens one layer group per step of its schedule, a layer that starts training
 * late starts its optimizer state then (as torch.optim's per-parameter step), the L2-SP gradient
 * is the penalty's, the slanted triangular schedule follows Howard & Ruder's formula, [finetune]
 * resolves names and rates, a labelled set's random subset is reproducible, and a classifier can
 * take a given vocabulary. */
#include "check.h"
#include "reviews.h"
#include "rnnc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* embedding -> dropout -> lstm -> dense(1): groups 0, 2, 3 */
static rnnc_config classifier_config(void) {
    rnnc_config c;
    memset(&c, 0, sizeof c);
    c.n_layers = 4;
    c.layers[0] = rnnc_layer_spec_init(RNNC_LAYER_EMBEDDING);
    c.layers[0].vocab = 0, c.layers[0].dim = 6; /* auto */
    c.layers[1] = rnnc_layer_spec_init(RNNC_LAYER_DROPOUT);
    c.layers[1].rate = 0.1;
    c.layers[2] = rnnc_layer_spec_init(RNNC_LAYER_LSTM);
    c.layers[2].hidden = 8;
    c.layers[3] = rnnc_layer_spec_init(RNNC_LAYER_DENSE);
    c.layers[3].units = 1;
    return c;
}

static rnnc_text_spec text_spec(void) {
    rnnc_text_spec t = rnnc_text_spec_init();
    t.maxlen = 12, t.num_words = 0, t.padding = RNNC_PAD_POST, t.use_lengths = 1;
    return t;
}

static rnnc_classifier *make_classifier(const rnnc_textset *train) {
    rnnc_config c = classifier_config();
    rnnc_text_spec t = text_spec();
    rnnc_classifier *cl = NULL;
    check(rnnc_classifier_create(&c, &t, train, 3, &cl) == RNNC_OK, "classifier: %s",
          rnnc_last_error());
    return cl;
}

static float *copy_params(rnnc_model *m, size_t *n) {
    const float *p = rnnc_model_params(m, n);
    float *c = malloc(*n * sizeof *c);
    memcpy(c, p, *n * sizeof *c);
    return c;
}

/* Whether the parameters of layer `layer` equal those in `before` (bit for bit). */
static int layer_same(rnnc_model *m, const float *before, int layer) {
    const float *p = rnnc_model_params(m, NULL);
    size_t off = 0;
    int same = 1;
    for (int i = 0; i < rnnc_model_param_count(m); i++) {
        int ndim;
        size_t dims[2];
        rnnc_model_param_info(m, i, NULL, &ndim, dims);
        const size_t cnt = dims[0] * (ndim > 1 ? dims[1] : 1);
        if (rnnc_model_param_layer(m, i) == layer)
            same &= !memcmp(p + off, before + off, cnt * sizeof *p);
        off += cnt;
    }
    return same;
}

static rnnc_fit_spec fit_spec(int epochs) {
    rnnc_fit_spec f = rnnc_fit_spec_init();
    f.epochs = epochs, f.batch_size = 8, f.seed = 2;
    f.optim = rnnc_optim_spec_init(RNNC_OPTIM_ADAMW); /* weight decay would move frozen weights */
    f.optim.lr = 0.01;
    return f;
}

static void test_trainable(void) {
    rnnc_textset *set = reviews_make(40, 1);
    rnnc_classifier *cl = make_classifier(set);
    rnnc_model *m = rnnc_classifier_model(cl);
    unsigned char on[RNNC_MAX_LAYERS];
    rnnc_finetune_spec s;
    memset(&s, 0, sizeof s);
    s.unfreeze_every = 2;
    const unsigned char want[6][4] = {{0, 0, 0, 1}, {0, 0, 0, 1}, {0, 0, 1, 1},
                                      {0, 0, 1, 1}, {1, 1, 1, 1}, {1, 1, 1, 1}};
    int ok = 1;
    for (int e = 1; e <= 6; e++) {
        const int g = rnnc_finetune_trainable(&s, m, e, on);
        ok &= !memcmp(on, want[e - 1], 4) && g == (e <= 2 ? 1 : e <= 4 ? 2 : 3);
    }
    check(ok, "gradual unfreezing every 2 epochs: dense; + lstm at 3; + dropout, embedding at 5 "
              "(a layer without parameters trains with the group below it)");
    unsigned char frozen[4] = {1, 0, 0, 0};
    s.frozen = frozen;
    rnnc_finetune_trainable(&s, m, 9, on);
    check(!on[0] && !on[1] && on[2] && on[3], "a frozen layer never unfreezes");
    s.unfreeze_every = 0;
    rnnc_finetune_trainable(&s, m, 1, on);
    check(!on[0] && !on[1] && on[2] && on[3], "frozen only: the rest trains from epoch 1");
    check(rnnc_finetune_trainable(NULL, m, 1, on) == 3 && on[0] && on[1] && on[2] && on[3],
          "no spec: every layer trains");

    /* through a run: 3 epochs with unfreeze_every 2, the embedding frozen for good */
    size_t n;
    float *before = copy_params(m, &n);
    rnnc_fit_spec f = fit_spec(3);
    memset(&s, 0, sizeof s);
    s.frozen = frozen, s.unfreeze_every = 2;
    f.finetune = s;
    check(rnnc_classifier_fit(cl, set, NULL, &f, NULL) == RNNC_OK, "fit: %s", rnnc_last_error());
    check(layer_same(m, before, 0), "the frozen embedding is bit-identical after 3 AdamW epochs");
    check(!layer_same(m, before, 2) && !layer_same(m, before, 3), "lstm and dense trained");

    /* 2 epochs: the LSTM's turn (epoch 3) never comes, so it stays as it was */
    rnnc_classifier *c2 = make_classifier(set);
    rnnc_model *m2 = rnnc_classifier_model(c2);
    float *b2 = copy_params(m2, &n);
    f = fit_spec(2);
    memset(&s, 0, sizeof s);
    s.unfreeze_every = 2;
    f.finetune = s;
    check(rnnc_classifier_fit(c2, set, NULL, &f, NULL) == RNNC_OK, "fit: %s", rnnc_last_error());
    check(layer_same(m2, b2, 0) && layer_same(m2, b2, 2) && !layer_same(m2, b2, 3),
          "epochs 1-2 of unfreeze_every 2: only the head trained");
    free(before), free(b2);
    rnnc_classifier_free(cl), rnnc_classifier_free(c2);
    rnnc_textset_free(set);
}

/* A layer that starts training at step 2 takes a first Adam step there: the same update as a
 * fresh optimizer's first step on the same gradient (torch's per-parameter state["step"]). */
static void test_late_layer_steps(void) {
    rnnc_textset *set = reviews_make(16, 2);
    rnnc_classifier *a = make_classifier(set), *b = make_classifier(set);
    rnnc_model *ma = rnnc_classifier_model(a), *mb = rnnc_classifier_model(b);
    rnnc_optim_spec os = rnnc_optim_spec_init(RNNC_OPTIM_ADAM);
    os.lr = 0.01;
    rnnc_optim *oa = NULL, *ob = NULL;
    rnnc_optim_create(ma, &os, &oa);
    rnnc_optim_create(mb, &os, &ob);
    size_t n;
    float *g = rnnc_model_grads(ma, &n);
    rnnc_rng r;
    rnnc_rng_seed(&r, 4);
    /* step 1 on a with the LSTM frozen */
    for (size_t i = 0; i < n; i++)
        g[i] = (float)rnnc_rng_normal(&r);
    rnnc_model_set_trainable(ma, 2, 0);
    rnnc_optim_step(oa);
    check(rnnc_optim_layer_steps(oa, 2) == 0 && rnnc_optim_layer_steps(oa, 3) == 1 &&
              rnnc_optim_steps(oa) == 1,
          "step counts: the frozen LSTM 0, the dense layer 1");
    /* step 2 with the LSTM trainable; b takes its first step with the same LSTM gradient */
    memcpy(rnnc_model_params(mb, NULL), rnnc_model_params(ma, NULL), n * sizeof(float));
    for (size_t i = 0; i < n; i++)
        g[i] = (float)rnnc_rng_normal(&r);
    memcpy(rnnc_model_grads(mb, NULL), g, n * sizeof(float));
    rnnc_model_set_trainable(ma, 2, 1);
    rnnc_optim_step(oa);
    rnnc_optim_step(ob);
    check(layer_same(ma, rnnc_model_params(mb, NULL), 2),
          "the LSTM's first trained step equals a fresh Adam's first step, bit for bit");
    check(!layer_same(ma, rnnc_model_params(mb, NULL), 3),
          "the dense layer's second step differs from a first one (the check can tell)");
    /* the counts survive the optimizer's state file */
    const char *path = "/tmp/rnnc_test_finetune_optim.safetensors";
    rnnc_optim *oc = NULL;
    rnnc_optim_create(ma, &os, &oc);
    check(rnnc_optim_save(oa, path) == RNNC_OK && rnnc_optim_load(oc, path) == RNNC_OK &&
              rnnc_optim_layer_steps(oc, 2) == 1 && rnnc_optim_layer_steps(oc, 3) == 2,
          "per-layer step counts saved and loaded: %s", rnnc_last_error());
    remove(path);
    check(rnnc_optim_set_layer_steps(oa, 2, 5) == RNNC_ERR_ARG,
          "a layer cannot have more steps than the optimizer");
    rnnc_optim_free(oa), rnnc_optim_free(ob), rnnc_optim_free(oc);
    rnnc_classifier_free(a), rnnc_classifier_free(b);
    rnnc_textset_free(set);
}

/* L2-SP: the gradient the trainer adds is the penalty's (finite differences), and a strong
 * penalty keeps the weights nearer the anchor. */
static void test_l2sp(void) {
    rnnc_textset *set = reviews_make(40, 5);
    rnnc_classifier *cl = make_classifier(set);
    rnnc_model *m = rnnc_classifier_model(cl);
    size_t n;
    float *anchor = copy_params(m, &n);
    float *w = rnnc_model_params(m, NULL);
    for (size_t i = 0; i < n; i++)
        w[i] += 0.05f * (float)((i * 7919) % 13) - 0.3f;
    const int np = rnnc_model_param_count(m);
    unsigned char *anchored = calloc((size_t)np, 1);
    for (int i = 0; i < np; i++)
        anchored[i] = rnnc_model_param_layer(m, i) == 2; /* the LSTM */
    rnnc_finetune_spec s;
    memset(&s, 0, sizeof s);
    s.l2sp = 0.3, s.anchor = anchor, s.anchored = anchored;
    const double p0 = rnnc_finetune_l2sp_penalty(&s, m);
    double want = 0;
    size_t off = 0;
    for (int i = 0; i < np; i++) {
        int ndim;
        size_t dims[2];
        rnnc_model_param_info(m, i, NULL, &ndim, dims);
        const size_t cnt = dims[0] * (ndim > 1 ? dims[1] : 1);
        for (size_t k = off; k < off + cnt && anchored[i]; k++)
            want += 0.5 * 0.3 * ((double)w[k] - anchor[k]) * ((double)w[k] - anchor[k]);
        off += cnt;
    }
    check(fabs(p0 - want) <= 1e-9 * want && want > 0, "penalty %.9g = alpha/2 ||w - w0||^2 %.9g",
          p0, want);

    /* a run with a strong penalty stays nearer the anchor than one without */
    rnnc_classifier *c2 = make_classifier(set);
    memcpy(rnnc_model_params(rnnc_classifier_model(c2), NULL), w, n * sizeof(float));
    rnnc_fit_spec f = fit_spec(3);
    f.optim = rnnc_optim_spec_init(RNNC_OPTIM_SGD);
    f.optim.lr = 0.1;
    rnnc_fit_spec f2 = f;
    f.finetune = s;
    f.finetune.l2sp = 2;
    check(rnnc_classifier_fit(cl, set, NULL, &f, NULL) == RNNC_OK &&
              rnnc_classifier_fit(c2, set, NULL, &f2, NULL) == RNNC_OK,
          "fits: %s", rnnc_last_error());
    s.l2sp = 1;
    const double with = rnnc_finetune_l2sp_penalty(&s, m);
    const double without = rnnc_finetune_l2sp_penalty(&s, rnnc_classifier_model(c2));
    check(with < 0.8 * without,
          "L2-SP pulls the LSTM towards its start: ||w - w0||^2/2 %.4g with, "
          "%.4g without",
          with, without);
    free(anchor), free(anchored);
    rnnc_classifier_free(cl), rnnc_classifier_free(c2);
    rnnc_textset_free(set);
}

static void test_slanted(void) {
    rnnc_sched_spec sp = rnnc_sched_spec_init(RNNC_SCHED_SLANTED);
    rnnc_sched s;
    check(rnnc_sched_init(&s, &sp, 0.01) == RNNC_ERR_ARG, "slanted_triangular needs total_steps");
    sp.total_steps = 100; /* cut 10 */
    check(rnnc_sched_init(&s, &sp, 0.01) == RNNC_OK, "init: %s", rnnc_last_error());
    const long at[] = {0, 5, 10, 55, 100, 150};
    /* eta_max (1 + p (ratio - 1)) / ratio with p = t/cut, then 1 - (t - cut)/(cut (1/cut_frac - 1)) */
    const double p[] = {0, 0.5, 1, 0.5, 0, 0};
    int ok = 1;
    long t = 0;
    for (int k = 0; k < 6; k++) {
        while (t < at[k])
            rnnc_sched_step(&s), t++;
        const double want = 0.01 * (1 + p[k] * 31) / 32;
        ok &= fabs(rnnc_sched_lr(&s) - want) <= 1e-15;
    }
    check(ok, "slanted triangular: lr/32 at 0, lr at the cut (10 of 100), halfway down at 55, "
              "lr/32 from 100 on");
    rnnc_sched_spec bad = sp;
    bad.cut_frac = 1;
    check(rnnc_sched_init(&s, &bad, 0.01) == RNNC_ERR_ARG, "cut_frac 1 refused");
    bad = sp, bad.ratio = 0.5;
    check(rnnc_sched_init(&s, &bad, 0.01) == RNNC_ERR_ARG, "ratio < 1 refused");
    int kind;
    check(rnnc_sched_kind_parse("slanted_triangular", &kind) == RNNC_OK &&
              kind == RNNC_SCHED_SLANTED,
          "the name parses");
}

static void test_config(void) {
    rnnc_textset *set = reviews_make(8, 6);
    rnnc_classifier *cl = make_classifier(set);
    rnnc_model *m = rnnc_classifier_model(cl);
    const char *path = "/tmp/rnnc_test_finetune.ini";
    FILE *f = fopen(path, "w");
    fprintf(f, "[data]\ntrain = x.tsv\n[embedding]\nvocab = 20\ndim = 4\n[lstm]\nhidden = 4\n"
               "[dense]\nunits = 1\n[finetune]\nfreeze = embedding\nunfreeze_every = 2\n"
               "lr_decay = 2\nl2sp = 0.5\nvocab = data\nhead = new\nreinit = lstm\n");
    fclose(f);
    rnnc_finetune_config fc;
    check(rnnc_finetune_config_read(path, NULL, 0, &fc) == RNNC_OK && fc.unfreeze_every == 2 &&
              fc.lr_decay == 2 && fc.l2sp == 0.5 && fc.vocab == RNNC_FT_VOCAB_DATA &&
              fc.head == RNNC_FT_HEAD_NEW && !strcmp(fc.reinit, "lstm") &&
              !strcmp(fc.freeze, "embedding"),
          "[finetune] read: %s", rnnc_last_error());
    rnnc_classify_config tc;
    check(rnnc_classify_config_read(path, NULL, 0, &tc) == RNNC_OK,
          "the classifier's reader skips [finetune]: %s", rnnc_last_error());
    unsigned char frozen[RNNC_MAX_LAYERS];
    double fac[RNNC_MAX_LAYERS];
    int has;
    check(rnnc_finetune_config_resolve(&fc, m, frozen, fac, &has) == RNNC_OK && has && frozen[0] &&
              !frozen[2] && fac[3] == 1 && fac[2] == 0.5 && fac[0] == 0.25,
          "lr_decay 2: dense 1, lstm 1/2, embedding 1/4; embedding frozen");
    const char *sets[] = {"finetune.lr_decay=0", "finetune.lr_factors=0.1, 0.2, 1",
                          "finetune.freeze=2"};
    check(rnnc_finetune_config_read(path, sets, 3, &fc) == RNNC_OK &&
              rnnc_finetune_config_resolve(&fc, m, frozen, fac, &has) == RNNC_OK && fac[0] == 0.1 &&
              fac[2] == 0.2 && fac[3] == 1 && frozen[2] && !frozen[0],
          "lr_factors from the bottom; freeze by index: %s", rnnc_last_error());
    const char *few[] = {"finetune.lr_decay=0", "finetune.lr_factors=0.1, 1"};
    check(rnnc_finetune_config_read(path, few, 2, &fc) == RNNC_OK &&
              rnnc_finetune_config_resolve(&fc, m, frozen, fac, &has) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "2 given, the model has 3"),
          "too few lr_factors named: %s", rnnc_last_error());
    const char *unk[] = {"finetune.freeze=encoder"};
    check(rnnc_finetune_config_read(path, unk, 1, &fc) == RNNC_OK &&
              rnnc_finetune_config_resolve(&fc, m, frozen, fac, &has) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "no layer 'encoder'") &&
              strstr(rnnc_last_error(), "2 lstm"),
          "an unknown layer is named, with the layers: %s", rnnc_last_error());
    const char *drop[] = {"finetune.freeze=dropout"};
    check(rnnc_finetune_config_read(path, drop, 1, &fc) == RNNC_OK &&
              rnnc_finetune_config_resolve(&fc, m, frozen, fac, &has) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "layer 'dropout' has no parameters"),
          "freezing a layer without parameters is refused: %s", rnnc_last_error());
    const char *both[] = {"finetune.lr_factors=1, 1, 1"};
    check(rnnc_finetune_config_read(path, both, 1, &fc) == RNNC_ERR_FORMAT &&
              strstr(rnnc_last_error(), "both lr_decay and lr_factors"),
          "lr_decay with lr_factors refused");
    const char *badv[] = {"finetune.unfreeze_every=-1"};
    check(rnnc_finetune_config_read(path, badv, 1, &fc) == RNNC_ERR_FORMAT &&
              strstr(rnnc_last_error(), "--set finetune.unfreeze_every=-1: [finetune] "
                                        "unfreeze_every"),
          "a bad value given by --set names the override and the key: %s", rnnc_last_error());
    const char *badk[] = {"finetune.frezze=lstm"};
    check(rnnc_finetune_config_read(path, badk, 1, &fc) == RNNC_ERR_FORMAT &&
              strstr(rnnc_last_error(), "unknown key 'frezze'"),
          "an unknown key is named");
    remove(path);
    rnnc_classifier_free(cl);
    rnnc_textset_free(set);
}

static void test_subset_and_vocab(void) {
    rnnc_textset *a = reviews_make(50, 7), *b = reviews_make(50, 7), *c = reviews_make(50, 7);
    char *first[50];
    int32_t lab[50];
    for (int i = 0; i < 50; i++)
        first[i] = strdup(a->texts[i]), lab[i] = a->labels[i];
    check(rnnc_textset_subset(a, 20, 1) == RNNC_OK && rnnc_textset_subset(b, 20, 1) == RNNC_OK &&
              rnnc_textset_subset(c, 20, 2) == RNNC_OK && a->n == 20,
          "subset of 20");
    int same = 1, differ = 0, ordered = 1, paired = 1;
    int last = -1;
    for (int i = 0; i < 20; i++) {
        same &= !strcmp(a->texts[i], b->texts[i]);
        differ |= strcmp(a->texts[i], c->texts[i]) != 0;
        int at = -1;
        for (int k = last + 1; k < 50 && at < 0; k++)
            if (!strcmp(first[k], a->texts[i]))
                at = k;
        ordered &= at > last;
        paired &= at >= 0 && lab[at] == a->labels[i];
        last = at;
    }
    check(same && differ, "the same seed gives the same subset, another seed another");
    check(ordered && paired, "the subset keeps file order and each text's label");
    check(rnnc_textset_subset(a, 100, 1) == RNNC_OK && a->n == 20, "a larger n keeps every one");
    for (int i = 0; i < 50; i++)
        free(first[i]);

    /* a classifier with a given vocabulary: its ids, and an embedding of "auto" size */
    rnnc_textset *big = reviews_make(60, 8);
    rnnc_config cfg = classifier_config();
    rnnc_text_spec t = text_spec();
    rnnc_classifier *donor = NULL, *cl = NULL;
    rnnc_classifier_create(&cfg, &t, big, 1, &donor);
    check(rnnc_classifier_create_vocab(&cfg, &t, rnnc_classifier_vocab(donor), a, 1, &cl) ==
                  RNNC_OK &&
              rnnc_vocab_size(rnnc_classifier_vocab(cl)) ==
                  rnnc_vocab_size(rnnc_classifier_vocab(donor)) &&
              rnnc_model_config(rnnc_classifier_model(cl))->layers[0].vocab ==
                  rnnc_vocab_size(rnnc_classifier_vocab(donor)),
          "create_vocab: the given vocabulary, the embedding sized to it: %s", rnnc_last_error());
    int ids = 1;
    for (int id = 0; id < rnnc_vocab_size(rnnc_classifier_vocab(donor)); id++)
        ids &= !strcmp(rnnc_vocab_token(rnnc_classifier_vocab(cl), id),
                       rnnc_vocab_token(rnnc_classifier_vocab(donor), id));
    check(ids, "every id names the same token");
    rnnc_classifier_free(donor), rnnc_classifier_free(cl);
    rnnc_textset_free(a), rnnc_textset_free(b), rnnc_textset_free(c), rnnc_textset_free(big);
}

int main(void) {
    rnnc_set_num_threads(1);
    test_trainable();
    test_late_layer_steps();
    test_l2sp();
    test_slanted();
    test_config();
    test_subset_and_vocab();
    return check_summary();
}
