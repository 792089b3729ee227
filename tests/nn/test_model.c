/* The model API (src/nn/api.c, model.c, plan.c) on tiny inputs with hand-derivable values: names,
 * shapes and initialisation of the parameters, errors, determinism and dropout, DropConnect,
 * pooling, input gradients, Keras's initialisation. */
#include "check.h"
#include "core/real.h"
#include "rnnc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static rnnc_config lstm_cfg(int L, int bi) {
    rnnc_config cfg = {0};
    cfg.input_size = 3, cfg.n_layers = 1;
    cfg.layers[0] = rnnc_layer_spec_init(RNNC_LAYER_LSTM);
    cfg.layers[0].hidden = 4, cfg.layers[0].layers = L, cfg.layers[0].bidirectional = bi;
    return cfg;
}

static void test_names_and_init(void) {
    rnnc_config cfg = lstm_cfg(2, 1);
    rnnc_model *m;
    check(rnnc_model_create(&cfg, 3, &m) == RNNC_OK, "model: 2-layer bidirectional LSTM builds");
    static const char *want[] = {
        "weight_ih_l0",         "weight_hh_l0",         "bias_ih_l0",         "bias_hh_l0",
        "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
        "weight_ih_l1",         "weight_hh_l1",         "bias_ih_l1",         "bias_hh_l1",
        "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse"};
    static const size_t want_cols[] = {3, 4, 0, 0, 3, 4, 0, 0, 8, 4, 0, 0, 8, 4, 0, 0};
    int ok = rnnc_model_param_count(m) == 16;
    for (int i = 0; ok && i < 16; i++) {
        const char *name;
        int nd;
        size_t d[2];
        rnnc_model_param_info(m, i, &name, &nd, d);
        char full[64];
        snprintf(full, sizeof full, "lstm.%s", want[i]);
        ok &= !strcmp(name, full) && d[0] == 16 &&
              (want_cols[i] ? nd == 2 && d[1] == want_cols[i] : nd == 1);
    }
    check(ok, "model: parameter names, order and shapes are PyTorch's state_dict");
    size_t n;
    float *p = rnnc_model_params(m, &n);
    int in_range = 1;
    for (size_t i = 0; i < n; i++)
        in_range &= fabsf(p[i]) <= 0.5f; /* 1/sqrt(4) */
    check(in_range && n == 2 * (16 * 3 + 16 * 4 + 32) + 2 * (16 * 8 + 16 * 4 + 32),
          "model: %zu parameters, all in U(-1/sqrt(H), 1/sqrt(H))", n);
    rnnc_model *m2;
    rnnc_model_create(&cfg, 3, &m2);
    check(!memcmp(p, rnnc_model_params(m2, NULL), n * sizeof(float)),
          "model: same seed, same weights");
    rnnc_model_free(m2);
    rnnc_model_create(&cfg, 4, &m2);
    check(memcmp(p, rnnc_model_params(m2, NULL), n * sizeof(float)) != 0,
          "model: another seed, other weights");
    rnnc_model_free(m2);
    rnnc_model_free(m);

    cfg = lstm_cfg(1, 0);
    cfg.layers[0].set_forget_bias = 1, cfg.layers[0].forget_bias = 1;
    rnnc_model_create(&cfg, 3, &m);
    const float *bi = rnnc_model_param(m, "lstm.bias_ih_l0", NULL);
    const float *bh = rnnc_model_param(m, "lstm.bias_hh_l0", NULL);
    check(bi[4] == 1 && bi[7] == 1 && bh[4] == 0 && bh[7] == 0 && bi[0] != 1,
          "model: forget_bias sets bias_ih's forget block and zeroes bias_hh's");
    rnnc_model_free(m);

    cfg.input_size = 0, cfg.n_layers = 2;
    cfg.layers[1] = cfg.layers[0];
    cfg.layers[0] = rnnc_layer_spec_init(RNNC_LAYER_EMBEDDING);
    cfg.layers[0].vocab = 5, cfg.layers[0].dim = 3, cfg.layers[0].padding_idx = 2;
    rnnc_model_create(&cfg, 3, &m);
    const float *e = rnnc_model_param(m, "embedding.weight", NULL);
    check(e[6] == 0 && e[7] == 0 && e[8] == 0 && e[0] != 0,
          "model: embedding padding row starts at zero");
    rnnc_model_free(m);
}

static void test_errors(void) {
    rnnc_config cfg = lstm_cfg(1, 0);
    rnnc_model *m;
    rnnc_model_create(&cfg, 1, &m);
    float x[2 * 2 * 3] = {0}, dy[2 * 4] = {0};
    int32_t len[2] = {2, 0};
    rnnc_batch b = {2, 2, NULL, x, len, RNNC_PAD_POST, 0, NULL};
    check(rnnc_model_backward(m, dy) == RNNC_ERR_STATE, "errors: backward before forward");
    check(rnnc_model_forward(m, &b, 1) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "lengths[1] = 0"),
          "errors: a zero length is named (%s)", rnnc_last_error());
    len[1] = 3;
    check(rnnc_model_forward(m, &b, 1) == RNNC_ERR_ARG, "errors: a length above T");
    len[1] = 1;
    b.padding = 7;
    check(rnnc_model_forward(m, &b, 1) == RNNC_ERR_ARG, "errors: unknown padding side");
    b.padding = RNNC_PAD_PRE;
    check(rnnc_model_forward(m, &b, 0) == RNNC_OK, "errors: a good batch passes");
    check(rnnc_model_backward(m, dy) == RNNC_ERR_STATE,
          "errors: backward after an inference forward");
    float h0[4] = {0};
    rnnc_model_set_state(m, 0, 1, h0, NULL);
    check(rnnc_model_forward(m, &b, 1) == RNNC_ERR_SHAPE,
          "errors: state set for another batch size (%s)", rnnc_last_error());
    check(rnnc_model_set_state(m, 3, 1, h0, NULL) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "no layer 3: the model's layers are 0 to 0"),
          "errors: state of a missing layer, said so (%s)", rnnc_last_error());
    {
        rnnc_config two = lstm_cfg(1, 0);
        two.n_layers = 2;
        two.layers[1] = rnnc_layer_spec_init(RNNC_LAYER_DENSE);
        two.layers[1].units = 1;
        rnnc_model *md = NULL;
        const float *hh, *cc;
        rnnc_model_create(&two, 1, &md);
        check(md && rnnc_model_final_state(md, 1, &hh, &cc) == RNNC_ERR_ARG &&
                  strstr(rnnc_last_error(), "layer 1 is a dense layer, which has no recurrent"),
              "errors: the state of a layer that is not recurrent, said so (%s)",
              rnnc_last_error());
        rnnc_model_free(md);
    }
    float w[5] = {0};
    check(rnnc_model_param_set(m, "lstm.bias_ih_l0", w, 5) == RNNC_ERR_SHAPE &&
              strstr(rnnc_last_error(), "16 values, not 5"),
          "errors: param_set with the wrong size (%s)", rnnc_last_error());
    check(rnnc_model_param(m, "lstm.nope", NULL) == NULL && strstr(rnnc_last_error(), "lstm.nope"),
          "errors: unknown parameter name is named");
    rnnc_model_free(m);
    rnnc_model_free(NULL);

    rnnc_config lc = lstm_cfg(2, 1);
    lc.layers[0].merge = RNNC_MERGE_SUM, lc.layers[0].return_sequences = 1;
    rnnc_model_create(&lc, 1, &m);
    const char *lname, *lkind;
    size_t feat;
    int seq;
    check(rnnc_model_layer_info(m, 0, &lname, &lkind, &feat, &seq) == RNNC_OK &&
              !strcmp(lname, "lstm") && !strcmp(lkind, "lstm") && feat == 4 && seq == 1,
          "layer info: a summed bidirectional LSTM gives H features per step");
    check(rnnc_model_layer_info(m, 1, NULL, NULL, NULL, NULL) == RNNC_ERR_ARG,
          "layer info: index past the end");
    rnnc_model_free(m);

    cfg = lstm_cfg(1, 0);
    cfg.n_layers = 2;
    cfg.layers[1] = cfg.layers[0]; /* LSTM (last output) -> LSTM: needs a sequence */
    check(rnnc_model_create(&cfg, 1, &m) == RNNC_ERR_SHAPE &&
              strstr(rnnc_last_error(), "layer 1 (lstm)"),
          "errors: recurrent layer after a last-output layer (%s)", rnnc_last_error());
    cfg = lstm_cfg(1, 0);
    cfg.layers[0].hidden = 0;
    check(rnnc_model_create(&cfg, 1, &m) == RNNC_ERR_ARG && strstr(rnnc_last_error(), "hidden = 0"),
          "errors: hidden 0 (%s)", rnnc_last_error());
    cfg.layers[0].hidden = 1 << 30;
    check(rnnc_model_create(&cfg, 1, &m) == RNNC_ERR_ARG, "errors: a huge hidden size is refused");
    cfg = lstm_cfg(1, 0);
    cfg.n_layers = 2;
    cfg.layers[1] = rnnc_layer_spec_init(RNNC_LAYER_EMBEDDING);
    cfg.layers[1].vocab = cfg.layers[1].dim = 3;
    check(rnnc_model_create(&cfg, 1, &m) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "first layer"),
          "errors: embedding not first (%s)", rnnc_last_error());

    rnnc_config e = {0};
    e.n_layers = 1;
    e.layers[0] = rnnc_layer_spec_init(RNNC_LAYER_EMBEDDING);
    e.layers[0].vocab = 4, e.layers[0].dim = 2;
    rnnc_model_create(&e, 1, &m);
    int32_t ids[2] = {1, 4};
    rnnc_batch bi = {1, 2, ids, NULL, NULL, RNNC_PAD_POST, 0, NULL};
    check(rnnc_model_forward(m, &bi, 0) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "ids[t=0, b=1] = 4"),
          "errors: an id outside the vocabulary is located (%s)", rnnc_last_error());
    rnnc_model_free(m);
    check(!strcmp(rnnc_status_name(RNNC_ERR_FORMAT), "format error"), "errors: status names");
}

static void test_determinism_and_dropout(void) {
    rnnc_config cfg = lstm_cfg(2, 0);
    cfg.layers[0].dropout = 0.5f, cfg.layers[0].return_sequences = 1;
    rnnc_model *m;
    rnnc_model_create(&cfg, 1, &m);
    float x[4 * 2 * 3];
    for (int i = 0; i < 24; i++)
        x[i] = (float)sin(i);
    rnnc_batch b = {4, 2, NULL, x, NULL, RNNC_PAD_POST, 0, NULL};
    float y1[32], y2[32], y3[32];
    rnnc_model_forward(m, &b, 0);
    memcpy(y1, rnnc_model_output(m, NULL, NULL), sizeof y1);
    rnnc_model_forward(m, &b, 0);
    memcpy(y2, rnnc_model_output(m, NULL, NULL), sizeof y2);
    check(!memcmp(y1, y2, sizeof y1), "dropout: off at inference (two forwards agree)");
    rnnc_model_forward(m, &b, 1);
    memcpy(y3, rnnc_model_output(m, NULL, NULL), sizeof y3);
    check(memcmp(y1, y3, sizeof y1) != 0, "dropout: on in training");
    rnnc_model_free(m);
    rnnc_set_num_threads(2);
    check(rnnc_num_threads() == 2, "threads: set 2, get 2");
    rnnc_set_num_threads(1);
}

/* weight_drop: a training forward runs on W_hh times one inverted-dropout mask (drawn first, from
 * the model's generator), the same at every step and for every sequence: it equals, bit for bit,
 * an inference forward of the same model with W_hh replaced by the masked weights. Inference uses
 * W_hh itself, and each training forward draws a new mask. */
static void test_weight_drop(void) {
    for (int H = 4; H <= 288; H += 284) { /* H 288, 2 threads: W_hh over 1 MB, units mode */
        rnnc_set_num_threads(H > 4 ? 2 : 1);
        rnnc_config cfg = lstm_cfg(1, 0);
        cfg.layers[0].hidden = H, cfg.layers[0].return_sequences = 1;
        cfg.layers[0].weight_drop = 0.5f;
        rnnc_config plain = cfg;
        plain.layers[0].weight_drop = 0;
        rnnc_model *m, *p;
        rnnc_model_create(&cfg, 1, &m);
        rnnc_model_create(&plain, 1, &p);
        enum { T = 5, B = 3 };
        float x[T * B * 3];
        for (int i = 0; i < T * B * 3; i++)
            x[i] = (float)sin(0.7 * i);
        rnnc_batch b = {T, B, NULL, x, NULL, RNNC_PAD_POST, 0, NULL};
        const size_t out = (size_t)T * B * H;
        float *y = malloc(out * sizeof *y), *yp = malloc(out * sizeof *yp);
        rnnc_model_forward(m, &b, 0);
        memcpy(y, rnnc_model_output(m, NULL, NULL), out * sizeof *y);
        rnnc_model_forward(p, &b, 0);
        check(!memcmp(y, rnnc_model_output(p, NULL, NULL), out * sizeof *y),
              "weight_drop H=%d: inference runs on W_hh itself", H);
        rnnc_rng r = *rnnc_model_rng(m);
        rnnc_model_forward(m, &b, 1);
        memcpy(y, rnnc_model_output(m, NULL, NULL), out * sizeof *y);
        size_t n, dropped = 0;
        float *w = rnnc_model_param(p, "lstm.weight_hh_l0", &n);
        for (size_t i = 0; i < n; i++) {
            const int drop = rnnc_rng_uniform(&r) < 0.5;
            w[i] = drop ? 0 : w[i] * 2.0f;
            dropped += (size_t)drop;
        }
        rnnc_model_forward(p, &b, 0);
        memcpy(yp, rnnc_model_output(p, NULL, NULL), out * sizeof *yp);
        check(!memcmp(y, yp, out * sizeof *y) && dropped > n / 3 && dropped < 2 * n / 3,
              "weight_drop H=%d: a training forward = W_hh times one mask for all steps and rows "
              "(%zu of %zu weights dropped)",
              H, dropped, n);
        rnnc_model_forward(m, &b, 1);
        check(memcmp(y, rnnc_model_output(m, NULL, NULL), out * sizeof *y) != 0,
              "weight_drop H=%d: the next training forward draws a new mask", H);
        free(y), free(yp);
        rnnc_model_free(m), rnnc_model_free(p);
    }
    rnnc_set_num_threads(1);
    rnnc_config bad = lstm_cfg(1, 0);
    bad.layers[0].weight_drop = 1;
    rnnc_model *m;
    check(rnnc_model_create(&bad, 1, &m) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "weight_drop = 1 is outside [0, 1)"),
          "weight_drop 1 is refused (%s)", rnnc_last_error());
}

/* Global pooling: hand values; padding never wins a max or counts in a mean. */
static void test_pool(void) {
    for (int mode = RNNC_POOL_MAX; mode <= RNNC_POOL_MEAN; mode++) {
        rnnc_config cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.input_size = 2, cfg.n_layers = 1;
        cfg.layers[0] = rnnc_layer_spec_init(RNNC_LAYER_POOL);
        cfg.layers[0].pool = mode;
        rnnc_model *m;
        if (!check(rnnc_model_create(&cfg, 1, &m) == RNNC_OK, "pool model builds"))
            return;
        /* T = 3, B = 2: sequence 0 has 2 steps (pre-padded), sequence 1 all 3 */
        const float x[] = {/* t0 */ 9, 9, -1,          4,  /* t1 */ -3, -5,
                           2,          6, /* t2 */ -2, -7, 5,           1};
        const int32_t len[] = {2, 3};
        rnnc_batch b = {3, 2, NULL, x, len, RNNC_PAD_PRE, 0, NULL};
        rnnc_model_forward(m, &b, 1);
        int nd;
        size_t dims[3];
        const float *y = rnnc_model_output(m, &nd, dims);
        const float want_max[] = {-2, -5, 5, 6}, want_mean[] = {-2.5f, -6, 2, 11.0f / 3};
        check(nd == 2 && dims[0] == 2 && dims[1] == 2 &&
                  !memcmp(y, mode == RNNC_POOL_MAX ? want_max : want_mean, sizeof want_max),
              "pool %s: (%g %g | %g %g) by hand", mode ? "mean" : "max", y[0], y[1], y[2], y[3]);
        const float dy[] = {1, 2, 3, 4};
        rnnc_model_zero_grad(m);
        rnnc_model_backward(m, dy);
        const float *dx = rnnc_model_input_grad(m);
        const float want_dmax[] = {0, 0, 0, 0, 0, 2, 0, 4, 1, 0, 3, 0};
        const float want_dmean[] = {0, 0, 1, 4.0f / 3, 0.5f, 1, 1, 4.0f / 3, 0.5f, 1, 1, 4.0f / 3};
        check(!memcmp(dx, mode == RNNC_POOL_MAX ? want_dmax : want_dmean, sizeof want_dmax),
              "pool %s: input gradient by hand, none at the padded step", mode ? "mean" : "max");
        rnnc_model_free(m);
    }
    rnnc_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.input_size = 2, cfg.n_layers = 2;
    cfg.layers[0] = rnnc_layer_spec_init(RNNC_LAYER_POOL);
    cfg.layers[1] = rnnc_layer_spec_init(RNNC_LAYER_POOL);
    check(rnnc_config_validate(&cfg) == RNNC_ERR_SHAPE &&
              strstr(rnnc_last_error(), "pools over time"),
          "pooling a non-sequence is refused: %s", rnnc_last_error());
}

/* rnnc_model_set_input_grad(m, 0): no input gradient, the same parameter gradients bit for bit
 * (LSTM then dense; the first layer's input-gradient GEMM is what is skipped). */
static void test_input_grad_off(void) {
    rnnc_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.input_size = 5, cfg.n_layers = 2;
    cfg.layers[0] = rnnc_layer_spec_init(RNNC_LAYER_LSTM);
    cfg.layers[0].hidden = 7, cfg.layers[0].layers = 2;
    cfg.layers[1] = rnnc_layer_spec_init(RNNC_LAYER_DENSE);
    cfg.layers[1].units = 3;
    rnnc_model *m;
    if (!check(rnnc_model_create(&cfg, 3, &m) == RNNC_OK, "input-grad model builds"))
        return;
    float x[4 * 3 * 5], dy[3 * 3];
    for (size_t i = 0; i < sizeof x / sizeof *x; i++)
        x[i] = (float)((i * 37) % 11) / 5 - 1;
    for (size_t i = 0; i < sizeof dy / sizeof *dy; i++)
        dy[i] = (float)i / 4 - 1;
    rnnc_batch b = {4, 3, NULL, x, NULL, RNNC_PAD_POST, 0, NULL};
    size_t n;
    rnnc_model_forward(m, &b, 1);
    rnnc_model_zero_grad(m);
    rnnc_model_backward(m, dy);
    const float *dx = rnnc_model_input_grad(m);
    float nonzero = 0;
    for (size_t i = 0; dx && i < sizeof x / sizeof *x; i++)
        nonzero += dx[i] != 0;
    check(dx && nonzero > 0, "input gradient on by default (%g nonzero values)", nonzero);
    const float *g = rnnc_model_grads(m, &n);
    float *with = malloc(n * sizeof *with);
    if (with)
        memcpy(with, g, n * sizeof *with);
    rnnc_model_set_input_grad(m, 0);
    rnnc_model_forward(m, &b, 1);
    rnnc_model_zero_grad(m);
    rnnc_model_backward(m, dy);
    check(rnnc_model_input_grad(m) == NULL, "input gradient off: rnnc_model_input_grad is NULL");
    g = rnnc_model_grads(m, &n);
    check(with && !memcmp(with, g, n * sizeof *with),
          "input gradient off: parameter gradients unchanged, bit for bit");
    rnnc_model_set_input_grad(m, 1);
    rnnc_model_backward(m, dy);
    check(rnnc_model_input_grad(m) != NULL, "input gradient back on");
    free(with);
    rnnc_model_free(m);
}

/* Keras's initialisation: ranges, orthonormal recurrent columns, biases, the config key. */
static void test_keras_init(void) {
    const char *text = "[embedding]\nvocab = 50\ndim = 8\npadding_idx = 0\ninit = keras\n"
                       "[lstm]\nhidden = 6\nlayers = 2\nbidirectional = true\ninit = keras\n"
                       "[dense]\nunits = 3\ninit = keras\n";
    rnnc_config cfg;
    rnnc_model *m = NULL;
    if (!check(rnnc_config_parse(text, "k.ini", &cfg) == RNNC_OK &&
                   rnnc_model_create(&cfg, 5, &m) == RNNC_OK,
               "keras-initialised model builds: %s", rnnc_last_error()))
        return;
    size_t n;
    const float *e = rnnc_model_param(m, "embedding.weight", &n);
    int ok = 1, spread = 0;
    for (size_t i = 0; i < n; i++) {
        ok &= fabsf(e[i]) <= 0.05f && (i >= 8 || e[i] == 0);
        spread |= fabsf(e[i]) > 0.04f;
    }
    check(ok && spread, "embedding U(-0.05, 0.05), padding row zero");
    const float *w = rnnc_model_param(m, "lstm.weight_hh_l1_reverse", &n); /* (24, 6) */
    double worst = 0;
    for (int a = 0; a < 6; a++)
        for (int b = 0; b < 6; b++) {
            double dot = 0;
            for (int i = 0; i < 24; i++)
                dot += (double)w[i * 6 + a] * w[i * 6 + b];
            worst = fmax(worst, fabs(dot - (a == b)));
        }
    check(n == 144 && worst < 1e-6, "weight_hh has orthonormal columns (worst %.1e)", worst);
    const float *wi = rnnc_model_param(m, "lstm.weight_ih_l1", &n); /* (24, 12) */
    double lim = sqrt(6.0 / 36), mx = 0;
    for (size_t i = 0; i < n; i++)
        mx = fmax(mx, fabs(wi[i]));
    check(mx <= lim && mx > 0.8 * lim, "weight_ih glorot_uniform: max %.3f of limit %.3f", mx, lim);
    const float *bi = rnnc_model_param(m, "lstm.bias_ih_l0", &n);
    const float *bh = rnnc_model_param(m, "lstm.bias_hh_l0", NULL);
    ok = 1;
    for (size_t j = 0; j < n; j++)
        ok &= bi[j] == (j >= 6 && j < 12 ? 1.0f : 0.0f) && bh[j] == 0;
    check(ok, "LSTM biases 0 with the forget block of bias_ih 1 (unit_forget_bias)");
    const float *dw = rnnc_model_param(m, "dense.weight", &n);
    mx = 0;
    for (size_t i = 0; i < n; i++)
        mx = fmax(mx, fabs(dw[i]));
    check(mx <= sqrt(6.0 / 15) && rnnc_model_param(m, "dense.bias", NULL)[0] == 0,
          "dense glorot_uniform, bias 0");
    char *back = NULL;
    check(rnnc_config_write(&cfg, &back) == RNNC_OK && strstr(back, "init = keras"),
          "the description written back keeps init = keras");
    free(back);
    rnnc_model_free(m);
    check(rnnc_config_parse("[lstm]\nhidden = 2\ninit = xavier\n", "k.ini", &cfg) ==
                  RNNC_ERR_FORMAT &&
              strstr(rnnc_last_error(),
                     "k.ini:3: init = 'xavier': expected torch, keras, uniform or identity"),
          "unknown init named with its line: %s", rnnc_last_error());
}

/* init = identity (IRNN): weight_hh the identity, biases 0, weight_ih PyTorch's range; the model
 * trains (plain SGD on a fixed batch lowers the loss); refused outside [rnn]. */
static void test_identity_init(void) {
    const char *text = "[model]\ninput_size = 2\n[rnn]\nhidden = 5\nnonlinearity = relu\n"
                       "init = identity\n[dense]\nunits = 1\n";
    rnnc_config cfg;
    rnnc_model *m = NULL;
    if (!check(rnnc_config_parse(text, "i.ini", &cfg) == RNNC_OK &&
                   rnnc_model_create(&cfg, 3, &m) == RNNC_OK,
               "identity-initialised RNN builds: %s", rnnc_last_error()))
        return;
    size_t n;
    const float *w = rnnc_model_param(m, "rnn.weight_hh_l0", &n);
    int ok = n == 25;
    for (size_t i = 0; ok && i < n; i++)
        ok &= w[i] == (i % 6 == 0 ? 1.0f : 0.0f);
    check(ok, "weight_hh is the 5x5 identity");
    const float *bi = rnnc_model_param(m, "rnn.bias_ih_l0", &n);
    const float *bh = rnnc_model_param(m, "rnn.bias_hh_l0", NULL);
    ok = 1;
    for (size_t j = 0; j < n; j++)
        ok &= bi[j] == 0 && bh[j] == 0;
    check(ok, "biases 0");
    const float *wi = rnnc_model_param(m, "rnn.weight_ih_l0", &n);
    double mx = 0;
    for (size_t i = 0; i < n; i++)
        mx = fmax(mx, fabs(wi[i]));
    check(mx <= 1 / sqrt(5.0) && mx > 0.2, "weight_ih U(-1/sqrt(H), ..): max %.3f", mx);
    float x[6 * 4 * 2], y[4], dy[4];
    for (int i = 0; i < 48; i++)
        x[i] = (float)((i * 7) % 11) / 11.0f;
    for (int b = 0; b < 4; b++)
        y[b] = 0.25f * (float)b;
    const rnnc_batch batch = {6, 4, NULL, x, NULL, RNNC_PAD_POST, 0, NULL};
    double first = 0, last = 0;
    size_t np;
    for (int step = 0; step < 50; step++) {
        check(rnnc_model_forward(m, &batch, 1) == RNNC_OK, "forward");
        last = rnnc_loss_mse(rnnc_model_output(m, NULL, NULL), y, 4, dy);
        first = step == 0 ? last : first;
        rnnc_model_zero_grad(m);
        check(rnnc_model_backward(m, dy) == RNNC_OK, "backward");
        float *p = rnnc_model_params(m, &np);
        const float *g = rnnc_model_grads(m, NULL);
        for (size_t i = 0; i < np; i++)
            p[i] -= 0.05f * g[i];
    }
    check(last < 0.5 * first, "the IRNN trains: loss %.4f -> %.4f", first, last);
    char *back = NULL;
    check(rnnc_config_write(&cfg, &back) == RNNC_OK && strstr(back, "init = identity"),
          "the description written back keeps init = identity");
    free(back);
    rnnc_model_free(m);
    check(rnnc_config_parse("[model]\ninput_size = 2\n[gru]\nhidden = 2\ninit = identity\n",
                            "i.ini", &cfg) != RNNC_OK &&
              strstr(rnnc_last_error(), "layer 0 (gru): init = identity is for [rnn] layers only"),
          "init = identity on a GRU refused: %s", rnnc_last_error());
}

int main(void) {
    rnnc_set_num_threads(1);
    test_names_and_init();
    test_errors();
    test_determinism_and_dropout();
    test_weight_drop();
    test_pool();
    test_keras_init();
    test_input_grad_off();
    test_identity_init();
    return check_summary();
}
