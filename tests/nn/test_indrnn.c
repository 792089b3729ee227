/* IndRNN (src/nn/indrnn.c): its parameters and their shapes, forward values worked out by hand
 * for relu and tanh, padding and a reverse direction, its model-description section and keys,
 * and a model file round trip. Its gradients are checked by finite differences in
 * test_gradcheck (every direction, stacking, padding and DropConnect case of the other cells). */
#include "check.h"
#include "rnnc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One IndRNN layer, input 1, hidden 2: W_ih = (1, -1), w_hh = (0.5, 2), biases b_ih = (0, 0.5),
 * b_hh = (0, -0.5) (each unit's two biases sum to 0). */
static rnnc_model *tiny(int act, int bidirectional) {
    rnnc_config cfg = {0};
    cfg.input_size = 1, cfg.n_layers = 1;
    cfg.layers[0] = rnnc_layer_spec_init(RNNC_LAYER_INDRNN);
    cfg.layers[0].hidden = 2, cfg.layers[0].nonlinearity = act;
    cfg.layers[0].bidirectional = bidirectional, cfg.layers[0].return_sequences = 1;
    rnnc_model *m = NULL;
    if (rnnc_model_create(&cfg, 1, &m) != RNNC_OK)
        return NULL;
    for (int d = 0; d <= bidirectional; d++) {
        const char *sfx = d ? "_reverse" : "";
        char n[4][48];
        snprintf(n[0], sizeof n[0], "indrnn.weight_ih_l0%s", sfx);
        snprintf(n[1], sizeof n[1], "indrnn.weight_hh_l0%s", sfx);
        snprintf(n[2], sizeof n[2], "indrnn.bias_ih_l0%s", sfx);
        snprintf(n[3], sizeof n[3], "indrnn.bias_hh_l0%s", sfx);
        float *wih = rnnc_model_param(m, n[0], NULL), *whh = rnnc_model_param(m, n[1], NULL);
        float *bih = rnnc_model_param(m, n[2], NULL), *bhh = rnnc_model_param(m, n[3], NULL);
        wih[0] = 1, wih[1] = -1, whh[0] = 0.5f, whh[1] = 2;
        bih[0] = 0, bih[1] = 0.5f, bhh[0] = 0, bhh[1] = -0.5f;
    }
    return m;
}

static void test_params(void) {
    rnnc_config cfg = {0};
    cfg.input_size = 3, cfg.n_layers = 1;
    cfg.layers[0] = rnnc_layer_spec_init(RNNC_LAYER_INDRNN);
    cfg.layers[0].hidden = 4, cfg.layers[0].layers = 2;
    rnnc_model *m;
    check(rnnc_model_create(&cfg, 3, &m) == RNNC_OK, "a 2-layer IndRNN builds");
    static const char *want[] = {"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                                 "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1"};
    static const size_t cols[] = {3, 0, 0, 0, 4, 0, 0, 0}; /* 0: a vector */
    int ok = rnnc_model_param_count(m) == 8;
    for (int i = 0; ok && i < 8; i++) {
        const char *name;
        int nd;
        size_t d[2];
        rnnc_model_param_info(m, i, &name, &nd, d);
        char full[64];
        snprintf(full, sizeof full, "indrnn.%s", want[i]);
        ok &= !strcmp(name, full) && d[0] == 4 && (cols[i] ? nd == 2 && d[1] == cols[i] : nd == 1);
    }
    check(ok, "parameters: torch.nn.RNN's names, weight_hh a vector of hidden");
    size_t n;
    rnnc_model_params(m, &n);
    check(n == 4 * 3 + 3 * 4 + 4 * 4 + 3 * 4, "%zu parameters (W_ih, w_hh, two biases per layer)",
          n);
    check(rnnc_layer_is_recurrent(RNNC_LAYER_INDRNN) &&
              !rnnc_layer_has_cell_state(RNNC_LAYER_INDRNN),
          "recurrent, without a cell state");
    rnnc_model_free(m);
}

static const float *run(rnnc_model *m, const float *x, int T, int B, const int32_t *len) {
    rnnc_batch b = {T, B, NULL, x, len, RNNC_PAD_POST, 0, NULL};
    if (rnnc_model_forward(m, &b, 0) != RNNC_OK)
        return NULL;
    return rnnc_model_output(m, NULL, NULL);
}

static void test_forward(void) {
    /* x = 1, 2, -1. relu:
     *   t0: pre = (1, -1 + 0) = (1, -1)                     -> h = (1, 0)
     *   t1: pre = (2 + 0.5*1, -2 + 2*0) = (2.5, -2)         -> h = (2.5, 0)
     *   t2: pre = (-1 + 0.5*2.5, 1 + 2*0) = (0.25, 1)       -> h = (0.25, 1) */
    const float x[3] = {1, 2, -1};
    rnnc_model *m = tiny(RNNC_ACT_RELU, 0);
    const float *y = m ? run(m, x, 3, 1, NULL) : NULL;
    const float want[6] = {1, 0, 2.5f, 0, 0.25f, 1};
    check(y != NULL, "relu: forward runs");
    if (y)
        check_close("relu: h by hand (each unit sees only its own past)", y, want, 6, 1e-6, 0);
    rnnc_model_free(m);

    /* tanh: h0 = tanh(1, -1); h1 = tanh(2 + 0.5 h0[0], -2 + 2 h0[1]) */
    m = tiny(RNNC_ACT_TANH, 0);
    y = m ? run(m, x, 2, 1, NULL) : NULL;
    const double a0 = tanh(1), b0 = tanh(-1), a1 = tanh(2 + 0.5 * a0), b1 = tanh(-2 + 2 * b0);
    const float want_t[4] = {(float)a0, (float)b0, (float)a1, (float)b1};
    if (y)
        check_close("tanh: h by hand", y, want_t, 4, 1e-6, 1e-6);
    else
        check(0, "tanh: forward runs");
    rnnc_model_free(m);

    /* Two sequences, lengths 3 and 1 (post padding), both directions: the reverse direction of
     * a sequence starts at its own last data step, so the short one's reverse output at step 0
     * is its forward one; padded steps output 0. */
    m = tiny(RNNC_ACT_RELU, 1);
    const float xb[6] = {1, 2, 2, 7, -1, 7}; /* (T,B,1): sequence 0 = 1,2,-1; sequence 1 = 2 */
    const int32_t len[2] = {3, 1};
    y = m ? run(m, xb, 3, 2, len) : NULL;
    if (y) {
        /* (T,B,4): forward (2) then reverse (2). Sequence 1, step 0: relu(2, -2 + 0.5 - 0.5) */
        const float s1[4] = {2, 0, 2, 0};
        check_close("bidirectional: a one-step sequence's reverse output equals its forward", y + 4,
                    s1, 4, 1e-6, 0);
        /* sequence 0 reversed: x = -1, 2, 1 -> (0, 1), (2, 0) [-2 + 2*1 = 0], (1 + 1, 0) */
        const float r0[3][2] = {{2, 0}, {2, 0}, {0, 1}}; /* at steps 0, 1, 2 */
        int ok = 1;
        for (int t = 0; t < 3; t++)
            ok &= fabsf(y[(t * 2) * 4 + 2] - r0[t][0]) < 1e-6f &&
                  fabsf(y[(t * 2) * 4 + 3] - r0[t][1]) < 1e-6f;
        check(ok, "bidirectional: the reverse direction by hand");
        int zero = 1;
        for (int t = 1; t < 3; t++)
            for (int k = 0; k < 4; k++)
                zero &= y[(t * 2 + 1) * 4 + k] == 0;
        check(zero, "padded steps output 0");
    } else {
        check(0, "bidirectional forward runs");
    }
    rnnc_model_free(m);
}

static void test_description(void) {
    rnnc_config cfg;
    const char *text = "[model]\ninput_size = 2\n[indrnn]\nhidden = 3\nnonlinearity = relu\n"
                       "layers = 2\n";
    check(rnnc_config_parse(text, "indrnn.ini", &cfg) == RNNC_OK &&
              cfg.layers[0].kind == RNNC_LAYER_INDRNN && cfg.layers[0].hidden == 3 &&
              cfg.layers[0].nonlinearity == RNNC_ACT_RELU && cfg.layers[0].layers == 2,
          "[indrnn] with hidden, nonlinearity and layers reads");
    char *out = NULL;
    rnnc_config back;
    check(rnnc_config_write(&cfg, &out) == RNNC_OK && strstr(out, "[indrnn]") &&
              rnnc_config_parse(out, "written", &back) == RNNC_OK &&
              back.layers[0].kind == RNNC_LAYER_INDRNN &&
              back.layers[0].nonlinearity == RNNC_ACT_RELU,
          "the description written reads back as an IndRNN");
    free(out);
    rnnc_status st = rnnc_config_parse("[model]\ninput_size = 2\n[indrnn]\nhidden = 3\n"
                                       "forget_bias = 1\n",
                                       "fb.ini", &cfg);
    check(st == RNNC_ERR_FORMAT && strstr(rnnc_last_error(), "fb.ini:5") &&
              strstr(rnnc_last_error(), "unknown key 'forget_bias' in [indrnn]"),
          "forget_bias (an LSTM key) is refused naming the line: %s", rnnc_last_error());
    st = rnnc_config_parse("[model]\ninput_size = 2\n[indrnn]\nnonlinearity = relu\n", "h.ini",
                           &cfg);
    check(st == RNNC_ERR_FORMAT && strstr(rnnc_last_error(), "needs 'hidden"),
          "hidden is required: %s", rnnc_last_error());
    st = rnnc_config_parse("[model]\ninput_size = 2\n[indrnn2]\nhidden = 3\n", "k.ini", &cfg);
    check(st == RNNC_ERR_FORMAT && strstr(rnnc_last_error(), "gru, indrnn, pool or decoder"),
          "an unknown section lists indrnn among the kinds: %s", rnnc_last_error());
}

static void test_model_file(void) {
    rnnc_model *m = tiny(RNNC_ACT_RELU, 1);
    char path[] = "/tmp/rnnc-indrnn-XXXXXX";
    const int fd = mkstemp(path);
    check(fd >= 0, "a temporary file");
    if (fd < 0)
        return;
    close(fd);
    rnnc_model *back = NULL;
    check(rnnc_model_save(m, path, NULL, NULL, 0) == RNNC_OK &&
              rnnc_model_load(path, &back, NULL) == RNNC_OK,
          "an IndRNN model file saves and loads");
    size_t n1, n2;
    const float *p1 = rnnc_model_params(m, &n1), *p2 = back ? rnnc_model_params(back, &n2) : NULL;
    check(p2 && n1 == n2 && !memcmp(p1, p2, n1 * sizeof(float)),
          "the loaded model has the same %zu parameters, bit for bit", n1);
    remove(path);
    rnnc_model_free(back);
    rnnc_model_free(m);
}

int main(void) {
    test_params();
    test_forward();
    test_description();
    test_model_file();
    return check_summary();
}
