/* End to end: short seeded training runs through the public API must learn, and repeat exactly.
 * Task: recall the value of a sequence's first data step after up to 12 more steps (pre-padded
 * variable lengths). Predicting the mean gives MSE 1/12 = 0.083; the bound below needs memory. */
#include "check.h"
#include "rnnc.h"

#include <stdio.h>
#include <string.h>

#define B 16
#define TMAX 12

static double train(int kind, uint64_t seed, int steps, double *first_loss) {
    rnnc_config cfg = {0};
    cfg.input_size = 1, cfg.n_layers = 2;
    cfg.layers[0] = rnnc_layer_spec_init(kind);
    cfg.layers[0].hidden = 16;
    cfg.layers[1] = rnnc_layer_spec_init(RNNC_LAYER_DENSE);
    cfg.layers[1].units = 1;
    rnnc_model *m;
    rnnc_optim *o;
    if (rnnc_model_create(&cfg, seed, &m))
        return -1;
    rnnc_optim_spec s = rnnc_optim_spec_init(RNNC_OPTIM_ADAM);
    s.lr = 0.01;
    rnnc_optim_create(m, &s, &o);
    rnnc_rng r;
    rnnc_rng_seed(&r, seed);
    float x[TMAX * B], y[B], dout[B];
    int32_t len[B];
    double recent = 0;
    for (int step = 0; step < steps; step++) {
        memset(x, 0, sizeof x);
        for (int b = 0; b < B; b++) {
            len[b] = 4 + (int32_t)rnnc_rng_below(&r, TMAX - 3);
            for (int t = TMAX - len[b]; t < TMAX; t++)
                x[t * B + b] = (float)rnnc_rng_uniform(&r);
            y[b] = x[(TMAX - len[b]) * B + b];
        }
        rnnc_batch batch = {TMAX, B, NULL, x, len, RNNC_PAD_PRE, 0, NULL};
        rnnc_model_forward(m, &batch, 1);
        double l = rnnc_loss_mse(rnnc_model_output(m, NULL, NULL), y, B, dout);
        if (step < 20)
            *first_loss = step ? *first_loss + l / 20 : l / 20;
        if (step >= steps - 50)
            recent += l / 50;
        rnnc_model_zero_grad(m);
        rnnc_model_backward(m, dout);
        rnnc_clip_grad_norm(m, 1.0, NULL);
        rnnc_optim_step(o);
    }
    rnnc_optim_free(o);
    rnnc_model_free(m);
    return recent;
}

int main(void) {
    rnnc_set_num_threads(1);
    /* the plain RNN, without gates, needs more steps to learn to hold a value: with 3000 it
     * passed for half the seeds only, and a change in float rounding order (other kernels)
     * flipped seed 11 from 0.0011 to 0.029; with 10000, seeds 1, 5, 11 and 12 all end below
     * 0.008 in either order */
    static const struct {
        int kind, steps;
        const char *name;
    } cells[] = {{RNNC_LAYER_LSTM, 600, "lstm"},
                 {RNNC_LAYER_GRU, 600, "gru"},
                 {RNNC_LAYER_RNN, 10000, "rnn"}};
    for (int i = 0; i < 3; i++) {
        double first, first2;
        double last = train(cells[i].kind, 11, cells[i].steps, &first);
        check(last < 0.01 && first > 0.05, "train %s: recall MSE falls from %.4f to %.5f (< 0.01)",
              cells[i].name, first, last);
        double again = train(cells[i].kind, 11, cells[i].steps, &first2);
        check(again == last && first2 == first, "train %s: the same seed repeats bit for bit",
              cells[i].name);
    }
    return check_summary();
}
