/* Runs an LSTM one time step at a time, carrying its state from call to call (as a streaming
 * service would), and checks that the outputs equal one forward over the whole sequence.
 *   stream_steps                             (docs/api.md, "Step by step, keeping the state") */
#include <rnnc.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

enum { T = 20, B = 1, I = 3, H = 8 };

static int fail(const char *what) {
    fprintf(stderr, "stream_steps: %s: %s\n", what, rnnc_last_error());
    return 1;
}

int main(void) {
    rnnc_config cfg;
    rnnc_model *m = NULL;
    if (rnnc_config_parse("[model]\ninput_size = 3\n[lstm]\nhidden = 8\nreturn_sequences = true\n",
                          "stream_steps", &cfg) ||
        rnnc_model_create(&cfg, 3, &m))
        return fail("model");
    static float x[T * B * I], whole[T * B * H];
    for (int i = 0; i < T * B * I; i++)
        x[i] = (float)sin(0.3 * i);

    const rnnc_batch all = {.T = T, .B = B, .x = x}; /* the whole sequence at once */
    if (rnnc_model_forward(m, &all, 0))
        return fail("forward");
    memcpy(whole, rnnc_model_output(m, NULL, NULL), sizeof whole);

    float h[B * H] = {0}, c[B * H] = {0}; /* the state between steps, (1,B,H) each */
    double worst = 0;
    for (int t = 0; t < T; t++) {
        const rnnc_batch one = {.T = 1, .B = B, .x = x + t * B * I};
        const float *hn, *cn;
        if (rnnc_model_set_state(m, 0, B, h, c) || rnnc_model_forward(m, &one, 0) ||
            rnnc_model_final_state(m, 0, &hn, &cn))
            return fail("step");
        const float *out = rnnc_model_output(m, NULL, NULL); /* (1,B,H) */
        for (int j = 0; j < B * H; j++)
            worst = fmax(worst, fabs(out[j] - whole[t * B * H + j]));
        memcpy(h, hn, sizeof h), memcpy(c, cn, sizeof c);
    }
    printf("%d steps one at a time: largest difference from the whole-sequence forward %.3g\n", T,
           worst);
    rnnc_model_free(m);
    return worst <= 1e-5 ? 0 : 1;
}
