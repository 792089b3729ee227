/* rnnc_gradcheck, the gradient check of any model description (src/nn/gradcheck.c): it passes on
 * correct gradients of every layer kind, fails on a planted wrong gradient (the test-only
 * rnnc__gradcheck_plant) naming that tensor and no other, checks a float model's weights and
 * given data, and refuses bad arguments. */
#include "check.h"
#include "nn/gradcheck.h"
#include "rnnc.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const models[] = {
    "[model]\ninput_size = 3\n[lstm]\nhidden = 4\nlayers = 2\ndropout = 0.5\n"
    "return_sequences = true\n[dropout]\nrate = 0.4\n[dense]\nunits = 2\n",
    "[model]\ninput_size = 2\n[gru]\nhidden = 3\nbidirectional = true\nmerge = sum\n"
    "return_sequences = true\n[pool]\nmode = mean\n[dense]\nunits = 3\nactivation = softmax\n",
    "[embedding]\nvocab = 9\ndim = 3\npadding_idx = 0\n[rnn]\nhidden = 4\nweight_drop = 0.3\n"
    "[dense]\nunits = 1\nactivation = sigmoid\n",
    "[model]\ninput_size = 2\n[indrnn]\nhidden = 4\nlayers = 2\nnonlinearity = tanh\n"
    "return_sequences = true\n[dense]\nunits = 2\n",
    "[embedding]\nvocab = 7\ndim = 4\n[lstm]\nhidden = 4\nreturn_sequences = true\n"
    "[dense]\nunits = 7\ntie_weights = true\n",
};

static int find(const rnnc_gradcheck_report *r, const char *name) {
    for (int i = 0; i < r->n_tensors; i++)
        if (!strcmp(r->tensors[i].name, name))
            return i;
    return -1;
}

static void test_passes_and_plant(void) {
    for (size_t k = 0; k < sizeof models / sizeof models[0]; k++) {
        rnnc_config cfg;
        char name[16];
        snprintf(name, sizeof name, "model %zu", k);
        if (!check(rnnc_config_parse(models[k], name, &cfg) == RNNC_OK, "%s parses", name))
            continue;
        rnnc_gradcheck_spec s = rnnc_gradcheck_spec_init();
        rnnc_gradcheck_report r;
        int ok = rnnc_gradcheck(&cfg, &s, &r) == RNNC_OK;
        check(ok && r.failed == 0 && r.n_tensors > 0 && r.worst <= s.tolerance,
              "%s: every tensor within %.0e (worst %.2e)", name, s.tolerance, ok ? r.worst : -1.0);
        if (!ok)
            continue;
        /* plant a wrong gradient in each tensor in turn: that tensor fails, no other */
        const int n = r.n_tensors;
        char names[16][96];
        for (int i = 0; i < n && i < 16; i++)
            snprintf(names[i], sizeof names[i], "%s", r.tensors[i].name);
        rnnc_gradcheck_report_free(&r);
        int caught = 0;
        for (int i = 0; i < n && i < 16; i++) {
            rnnc__gradcheck_plant(names[i]);
            rnnc_gradcheck_report p;
            if (rnnc_gradcheck(&cfg, &s, &p) == RNNC_OK) {
                int j = find(&p, names[i]);
                caught +=
                    p.failed == 1 && j >= 0 && !p.tensors[j].pass && p.tensors[j].worst > 1e-3;
                rnnc_gradcheck_report_free(&p);
            }
        }
        rnnc__gradcheck_plant(NULL);
        check(caught == (n < 16 ? n : 16),
              "%s: a 1%% error planted in each of %d tensors fails "
              "that tensor alone (%d caught)",
              name, n, caught);
        check(rnnc_gradcheck(&cfg, &s, &r) == RNNC_OK && r.failed == 0,
              "%s: passes again once the plant is gone", name);
        rnnc_gradcheck_report_free(&r);
    }
}

/* The weights of a float model (a model file's) and a given batch. */
static void test_weights_and_data(void) {
    rnnc_config cfg;
    check(rnnc_config_parse(models[0], "m", &cfg) == RNNC_OK, "a description");
    rnnc_model *m;
    check(rnnc_model_create(&cfg, 42, &m) == RNNC_OK, "a float model");
    size_t n;
    float *w = rnnc_model_params(m, &n);
    for (size_t i = 0; i < n; i++)
        w[i] *= 1.5f; /* not what the seed gives */
    rnnc_gradcheck_spec s = rnnc_gradcheck_spec_init();
    s.weights = m;
    rnnc_gradcheck_report a, b;
    int ok = rnnc_gradcheck(NULL, &s, &a) == RNNC_OK;
    check(ok && a.failed == 0, "a float model's weights pass (its own description)");
    s.weights = NULL;
    ok = rnnc_gradcheck(&cfg, &s, &b) == RNNC_OK;
    check(ok && b.failed == 0 && b.loss != a.loss,
          "the seed's parameters are other weights (loss %g vs %g)", b.loss, a.loss);
    rnnc_gradcheck_report_free(&a), rnnc_gradcheck_report_free(&b);

    float x[4 * 2 * 3];
    for (int i = 0; i < 24; i++)
        x[i] = (float)sin(i + 1.0);
    const int32_t len[2] = {4, 2};
    s = rnnc_gradcheck_spec_init();
    s.steps = 4, s.batch = 2, s.x = x, s.lengths = len, s.padding = RNNC_PAD_PRE;
    s.max_per_tensor = 0;
    ok = rnnc_gradcheck(&cfg, &s, &a) == RNNC_OK;
    int all = ok;
    for (int i = 0; ok && i < a.n_tensors; i++)
        all &= a.tensors[i].checked == a.tensors[i].size;
    check(ok && a.failed == 0 && all && find(&a, "input") >= 0 && a.steps == 4,
          "given data, pre-padded, every entry of every tensor and of the input");
    rnnc_gradcheck_report_free(&a);

    /* errors */
    const int32_t bad[2] = {5, 1};
    s.lengths = bad;
    check(rnnc_gradcheck(&cfg, &s, &a) == RNNC_ERR_SHAPE && a.tensors == NULL &&
              strstr(rnnc_last_error(), "length 5 of sequence 0"),
          "a length beyond steps refused (%s)", rnnc_last_error());
    s = rnnc_gradcheck_spec_init();
    s.tolerance = 0;
    check(rnnc_gradcheck(&cfg, &s, &a) == RNNC_ERR_ARG && strstr(rnnc_last_error(), "tolerance"),
          "tolerance 0 refused");
    s = rnnc_gradcheck_spec_init();
    s.struct_size -= 8;
    check(rnnc_gradcheck(&cfg, &s, &a) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "rnnc_gradcheck_spec: struct_size"),
          "a spec of another size refused");
    rnnc_config other;
    check(rnnc_config_parse(models[3], "other", &other) == RNNC_OK, "another description");
    s = rnnc_gradcheck_spec_init();
    s.weights = m;
    check(rnnc_gradcheck(&other, &s, &a) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "the weights' model"),
          "weights of another description refused (%s)", rnnc_last_error());
    rnnc_model_free(m);
}

int main(void) {
    rnnc_set_num_threads(1);
    test_passes_and_plant();
    test_weights_and_data();
    return check_summary();
}
