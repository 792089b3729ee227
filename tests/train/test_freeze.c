/* Freezing layers (fine-tuning): a frozen layer's parameters stay bit-identical through training
 * with Adam and weight decay, the layers that train get exactly the gradients they get when
 * nothing is frozen, and the skipped work is counted: the weight-gradient products of a frozen
 * layer, and the whole backward below the lowest layer that trains. Discriminative learning
 * rates: a layer's factor steps it exactly as an optimizer at that rate would. */
#include "check.h"
#include "core/core.h"
#include "rnnc.h"

#include <stdlib.h>
#include <string.h>

enum { T = 7, B = 5, V = 30, E = 6, H = 8 };

static rnnc_model *make(void) {
    rnnc_config c;
    memset(&c, 0, sizeof c);
    c.n_layers = 4;
    c.layers[0] = rnnc_layer_spec_init(RNNC_LAYER_EMBEDDING);
    c.layers[0].vocab = V, c.layers[0].dim = E;
    c.layers[1] = rnnc_layer_spec_init(RNNC_LAYER_LSTM);
    c.layers[1].hidden = H, c.layers[1].return_sequences = 1;
    c.layers[2] = rnnc_layer_spec_init(RNNC_LAYER_GRU);
    c.layers[2].hidden = H;
    c.layers[3] = rnnc_layer_spec_init(RNNC_LAYER_DENSE);
    c.layers[3].units = 3;
    rnnc_model *m = NULL;
    rnnc_model_create(&c, 5, &m);
    return m;
}

static int32_t ids[T * B];
static float dout[B * 3];

/* One forward and backward; returns the multiply-adds of the backward's GEMMs. */
static unsigned long long step(rnnc_model *m) {
    rnnc_batch b = {T, B, ids, NULL, NULL, RNNC_PAD_POST, 0, NULL};
    rnnc_model_forward(m, &b, 1);
    rnnc_model_zero_grad(m);
    const unsigned long long before = rnnc__gemm_macs;
    rnnc_model_backward(m, dout);
    return rnnc__gemm_macs - before;
}

int main(void) {
    rnnc_set_num_threads(1);
    rnnc_rng r;
    rnnc_rng_seed(&r, 3);
    for (int i = 0; i < T * B; i++)
        ids[i] = (int32_t)rnnc_rng_below(&r, V);
    for (int i = 0; i < B * 3; i++)
        dout[i] = (float)rnnc_rng_normal(&r);

    rnnc_model *a = make(), *f = make();
    size_t n;
    rnnc_model_params(a, &n);
    const unsigned long long full = step(a);
    float *ga = malloc(n * sizeof *ga);
    memcpy(ga, rnnc_model_grads(a, NULL), n * sizeof *ga);

    /* freeze the LSTM (layer 1): the GRU and dense get the same gradients, the embedding too
     * (its gradient flows through the frozen LSTM), the LSTM none */
    check(rnnc_model_set_trainable(f, 1, 0) == RNNC_OK && !rnnc_model_trainable(f, 1) &&
              rnnc_model_trainable(f, 0),
          "layer 1 frozen");
    check(rnnc_model_set_trainable(f, 9, 0) == RNNC_ERR_ARG, "no layer 9: refused");
    const unsigned long long mid = step(f);
    const float *gf = rnnc_model_grads(f, NULL);
    int same = 1, zero = 1;
    for (int i = 0; i < rnnc_model_param_count(f); i++) {
        const char *name;
        size_t cnt;
        rnnc_model_param_info(f, i, &name, NULL, NULL);
        const float *g = rnnc_model_grad(f, name, &cnt);
        const size_t off = (size_t)(g - gf);
        if (rnnc_model_param_trainable(f, i))
            same &= !memcmp(g, ga + off, cnt * sizeof *g);
        else
            for (size_t k = 0; k < cnt; k++)
                zero &= g[k] == 0;
    }
    check(same, "layers that train: the same gradient bits as with nothing frozen");
    check(zero, "the frozen LSTM: no gradient");
    /* the LSTM's weight-gradient products: G x I x TB and G x H x TB with G = 4H */
    const unsigned long long lstm_dw = (unsigned long long)4 * H * (E + H) * T * B;
    check(full - mid == lstm_dw,
          "the frozen layer's weight-gradient products are skipped: %llu of "
          "%llu multiply-adds saved (want %llu)",
          full - mid, full, lstm_dw);

    /* freeze the embedding as well: nothing below the GRU trains, so the LSTM's whole backward
     * (its input-gradient product and its time loop) is skipped too */
    rnnc_model_set_trainable(f, 0, 0);
    const unsigned long long top = step(f);
    const unsigned long long lstm_dx = (unsigned long long)T * B * E * 4 * H;
    const unsigned long long gru_dx = (unsigned long long)T * B * H * 3 * H;
    check(mid - top == lstm_dx + gru_dx,
          "with the embedding frozen too, the LSTM's input gradient and the GRU's are skipped: "
          "%llu saved (want %llu)",
          mid - top, lstm_dx + gru_dx);

    /* training: Adam with weight decay leaves the frozen layers bit-identical */
    float *before = malloc(n * sizeof *before);
    memcpy(before, rnnc_model_params(f, NULL), n * sizeof *before);
    rnnc_optim_spec os = rnnc_optim_spec_init(RNNC_OPTIM_ADAMW);
    os.lr = 0.05, os.weight_decay = 0.1;
    rnnc_optim *o = NULL;
    rnnc_optim_create(f, &os, &o);
    for (int k = 0; k < 5; k++) {
        step(f);
        rnnc_optim_step(o);
    }
    const float *p = rnnc_model_params(f, NULL);
    int frozen_same = 1, moved = 1;
    for (int i = 0; i < rnnc_model_param_count(f); i++) {
        const char *name;
        size_t cnt;
        rnnc_model_param_info(f, i, &name, NULL, NULL);
        const float *q = rnnc_model_param(f, name, &cnt);
        const size_t off = (size_t)(q - p);
        const int eq = !memcmp(q, before + off, cnt * sizeof *q);
        if (rnnc_model_param_trainable(f, i))
            moved &= !eq;
        else
            frozen_same &= eq;
    }
    check(frozen_same,
          "5 AdamW steps with weight decay: the frozen embedding and LSTM bit-identical");
    check(moved, "and every parameter of the GRU and the dense layer moved");
    rnnc_optim_free(o);

    /* discriminative rates: one step of an optimizer with layer 1 at lr x 0.25 moves layer 1
     * exactly as an optimizer whose rate is lr x 0.25, and the other layers as the full rate */
    const char *kinds[] = {"", "sgd", "adam", "adamw", "rmsprop", "adagrad"};
    for (int kind = RNNC_OPTIM_SGD; kind <= RNNC_OPTIM_ADAGRAD; kind++) {
        rnnc_model *x = make(), *y = make(), *z = make();
        rnnc_optim_spec base = rnnc_optim_spec_init(kind), quarter;
        base.lr = 0.05, base.weight_decay = 0.01;
        quarter = base, quarter.lr = 0.05 * 0.25;
        rnnc_optim *ox = NULL, *oy = NULL, *oz = NULL;
        rnnc_optim_create(x, &base, &ox), rnnc_optim_create(y, &quarter, &oy);
        rnnc_optim_create(z, &base, &oz);
        check(rnnc_optim_set_layer_factor(ox, 1, 0.25) == RNNC_OK, "%s: factor 0.25 on layer 1",
              kinds[kind]);
        step(x), rnnc_optim_step(ox);
        step(y), rnnc_optim_step(oy);
        step(z), rnnc_optim_step(oz);
        int l1 = 1, rest = 1, moved1 = 0;
        for (int i = 0; i < rnnc_model_param_count(x); i++) {
            const char *name;
            size_t cnt;
            rnnc_model_param_info(x, i, &name, NULL, NULL);
            const float *px = rnnc_model_param(x, name, &cnt);
            const float *py = rnnc_model_param(y, name, NULL),
                        *pz = rnnc_model_param(z, name, NULL);
            if (rnnc_model_param_layer(x, i) == 1) {
                l1 &= !memcmp(px, py, cnt * sizeof *px);
                moved1 |= memcmp(px, pz, cnt * sizeof *px) != 0;
            } else {
                rest &= !memcmp(px, pz, cnt * sizeof *px);
            }
        }
        check(l1 && moved1 && rest,
              "%s: layer 1 steps as at lr x 0.25 (%d), the others as at lr (%d)", kinds[kind], l1,
              rest);
        rnnc_optim_free(ox), rnnc_optim_free(oy), rnnc_optim_free(oz);
        rnnc_model_free(x), rnnc_model_free(y), rnnc_model_free(z);
    }
    rnnc_optim *oo = NULL;
    rnnc_optim_spec sgd = rnnc_optim_spec_init(RNNC_OPTIM_SGD);
    rnnc_optim_create(f, &sgd, &oo);
    check(rnnc_optim_set_layer_factor(oo, 1, -1) == RNNC_ERR_ARG &&
              rnnc_optim_set_layer_factor(oo, 7, 1) == RNNC_ERR_ARG,
          "a negative factor or a missing layer: refused");
    rnnc_optim_free(oo);
    free(before), free(ga);
    rnnc_model_free(a), rnnc_model_free(f);
    return check_summary();
}
