/* The encoder-decoder with attention (a model ending in a decoder layer, src/nn/decoder.c) by
 * finite differences, in the double copy of the engine. Over a batch of 3 sources post-padded to 5 steps (lengths 5, 3, 1) and 4 decoder
 * steps, the loss
 *     loss = sum over t, b, v of R[t,b,v] logits[t,b,v]
 * and its analytic gradient with respect to every tensor of the decoder, the bridge and the
 * encoder (up to 24 entries of each) are compared with central differences (step 1e-5), for each attention
 * kind, each bridge, input feeding on and off, LSTM and GRU on either side, a bidirectional
 * encoder, two decoder layers and tied embeddings. Teeth: a planted error in one gradient entry is
 * reported. */
#define RNNC_REAL_F64 /* the double copy of the engine */
#include "check.h"
#include "nn/model.h"
#include "rnnc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { S = 5, T = 4, B = 3, VS = 7, VT = 9, PER_TENSOR = 24 };

static const int32_t src_len[B] = {5, 3, 1};

typedef struct scase {
    const char *label;
    int enc_cell, enc_bi, enc_layers, enc_hidden;
    int cell, layers, H, E, attention, input_feed, bridge, tie;
    double teacher; /* the teacher-forcing ratio (0: 1) */
} scase;

static rnnc_config config_of(const scase *k) {
    rnnc_config c;
    memset(&c, 0, sizeof c);
    c.n_layers = 3;
    c.layers[0] = rnnc_layer_spec_init(RNNC_LAYER_EMBEDDING);
    c.layers[0].vocab = VS, c.layers[0].dim = 3;
    c.layers[1] = rnnc_layer_spec_init(k->enc_cell);
    c.layers[1].hidden = k->enc_hidden, c.layers[1].layers = k->enc_layers;
    c.layers[1].bidirectional = k->enc_bi, c.layers[1].return_sequences = 1;
    rnnc_layer_spec *d = &c.layers[2];
    *d = rnnc_layer_spec_init(RNNC_LAYER_DECODER);
    d->cell = k->cell, d->layers = k->layers, d->hidden = k->H, d->vocab = VT, d->dim = k->E;
    d->attention = k->attention, d->attention_size = 5, d->input_feed = k->input_feed;
    d->bridge = k->bridge, d->tie_weights = k->tie;
    return c;
}

typedef struct run_in {
    rnnc_rng rng0; /* the model's generator before the first forward: every forward starts there */
    int32_t src[S * B], tgt[T * B];
    double R[T * B * VT];
} run_in;

static double loss_of(rnnc__model *m, const run_in *in, int backward) {
    const rnnc__batch b = {S, B, in->src, NULL, src_len, RNNC_PAD_POST, T, in->tgt};
    *rnnc__model_rng(m) = in->rng0; /* the same scheduled-sampling draws every time */
    if (rnnc__model_forward(m, &b, 1) != RNNC_OK) {
        fprintf(stderr, "forward: %s\n", rnnc_last_error());
        exit(1);
    }
    int nd;
    size_t dims[3];
    const double *lg = rnnc__model_output(m, &nd, dims);
    if (nd != 3 || dims[0] != T || dims[1] != B || dims[2] != VT) {
        fprintf(stderr, "the output is not (T,B,V)\n");
        exit(1);
    }
    double loss = 0;
    for (size_t i = 0; i < (size_t)T * B * VT; i++)
        loss += in->R[i] * lg[i];
    if (backward) {
        memset(rnnc__model_grads(m), 0, rnnc__model_plan(m)->total * sizeof(double));
        if (rnnc__model_backward(m, in->R) != RNNC_OK) {
            fprintf(stderr, "backward: %s\n", rnnc_last_error());
            exit(1);
        }
    }
    return loss;
}

/* Worst relative error over up to PER_TENSOR entries of the tensor v (n values) whose analytic
 * gradient is g (a copy taken after the backward), scaled by max(|g|, 1e-3). */
static double tensor_error(rnnc__model *m, const run_in *in, double *v, const double *g, size_t n) {
    double worst = 0, scale = 1e-3;
    for (size_t i = 0; i < n; i++)
        scale = fmax(scale, fabs(g[i]));
    const size_t step = n > PER_TENSOR ? n / PER_TENSOR : 1;
    for (size_t i = 0; i < n; i += step) {
        const double keep = v[i], h = 1e-5;
        v[i] = keep + h;
        const double up = loss_of(m, in, 0);
        v[i] = keep - h;
        const double down = loss_of(m, in, 0);
        v[i] = keep;
        worst = fmax(worst, fabs((up - down) / (2 * h) - g[i]) / scale);
    }
    return worst;
}

static double *copy(const double *g, size_t n) {
    double *c = malloc((n ? n : 1) * sizeof(double));
    memcpy(c, g, n * sizeof(double));
    return c;
}

/* The worst error over every tensor; plant: add 1e-3 to the first entry of the decoder's first
 * tensor's analytic gradient. The tensor with the worst error into worst_name. */
static double check_case(const scase *k, int plant, char *worst_name, size_t cap) {
    const rnnc_config c = config_of(k);
    rnnc__model *m;
    if (rnnc__model_create(&c, 7, &m) != RNNC_OK) {
        fprintf(stderr, "%s: %s\n", k->label, rnnc_last_error());
        return INFINITY;
    }
    if (k->teacher > 0 && rnnc__model_set_teacher_forcing(m, k->teacher) != RNNC_OK)
        return INFINITY;
    run_in in;
    in.rng0 = *rnnc__model_rng(m);
    rnnc_rng r;
    rnnc_rng_seed(&r, 11);
    for (size_t i = 0; i < (size_t)S * B; i++)
        in.src[i] = (int32_t)rnnc_rng_below(&r, VS);
    for (size_t i = 0; i < (size_t)T * B; i++)
        in.tgt[i] = (int32_t)rnnc_rng_below(&r, VT);
    for (size_t i = 0; i < (size_t)T * B * VT; i++)
        in.R[i] = rnnc_rng_normal(&r);
    loss_of(m, &in, 1);
    const rnnc__plan *p = rnnc__model_plan(m);
    double *g = copy(rnnc__model_grads(m), p->total), worst = 0;
    snprintf(worst_name, cap, "-");
    int planted = 0;
    for (int i = 0; i < p->n_params; i++) {
        const rnnc__param *q = &p->params[i];
        if (plant && !planted && !strncmp(q->name, "decoder.", 8))
            g[q->offset] += 1e-3, planted = 1;
        const double e =
            tensor_error(m, &in, rnnc__model_params(m) + q->offset, g + q->offset, q->size);
        if (e > worst)
            worst = e, snprintf(worst_name, cap, "%s", q->name);
    }
    free(g);
    rnnc__model_free(m);
    return worst;
}

static const scase cases[] = {
    {"lstm->lstm, general, input feeding, bridge linear", RNNC_LAYER_LSTM, 0, 1, 4, RNNC_LAYER_LSTM,
     1, 4, 3, RNNC_ATTN_GENERAL, 1, RNNC_BRIDGE_LINEAR, 0, 0},
    {"bidirectional gru->lstm, additive, bridge copy", RNNC_LAYER_GRU, 1, 1, 3, RNNC_LAYER_LSTM, 1,
     6, 4, RNNC_ATTN_ADDITIVE, 0, RNNC_BRIDGE_COPY, 0, 0},
    {"2-layer lstm->2-layer gru, dot, input feeding, bridge linear, tied", RNNC_LAYER_LSTM, 0, 2, 4,
     RNNC_LAYER_GRU, 2, 4, 4, RNNC_ATTN_DOT, 1, RNNC_BRIDGE_LINEAR, 1, 0},
    {"gru->gru, additive, input feeding, no bridge", RNNC_LAYER_GRU, 0, 1, 3, RNNC_LAYER_GRU, 1, 4,
     2, RNNC_ATTN_ADDITIVE, 1, RNNC_BRIDGE_NONE, 0, 0},
    {"2-layer bidirectional lstm->2-layer lstm, general, bridge copy", RNNC_LAYER_LSTM, 1, 2, 2,
     RNNC_LAYER_LSTM, 2, 4, 3, RNNC_ATTN_GENERAL, 1, RNNC_BRIDGE_COPY, 0, 0},
    {"lstm->lstm, additive, scheduled sampling (teacher forcing 0.5)", RNNC_LAYER_LSTM, 0, 1, 4,
     RNNC_LAYER_LSTM, 1, 4, 3, RNNC_ATTN_ADDITIVE, 1, RNNC_BRIDGE_LINEAR, 0, 0.5},
};

static const char desc[] = "[embedding]\nvocab = 7\ndim = 3\n[lstm]\nhidden = 4\n"
                           "return_sequences = true\n[decoder]\nvocab = 9\ndim = 3\nhidden = 4\n"
                           "cell = gru\nattention = additive\nattention_size = 5\n"
                           "input_feed = false\nbridge = linear\n";

/* The [decoder] section: its keys, a written description read back the same, its errors. */
static void test_description(void) {
    rnnc_config c, back;
    rnnc_status st = rnnc_config_parse(desc, "s2s.ini", &c);
    const rnnc_layer_spec *d = &c.layers[2];
    check(st == RNNC_OK && c.n_layers == 3 && d->kind == RNNC_LAYER_DECODER && d->vocab == 9 &&
              d->dim == 3 && d->hidden == 4 && d->cell == RNNC_LAYER_GRU &&
              d->attention == RNNC_ATTN_ADDITIVE && d->attention_size == 5 && !d->input_feed &&
              d->bridge == RNNC_BRIDGE_LINEAR && d->layers == 1,
          "[decoder] keys read (%s)", st ? rnnc_last_error() : "");
    char *text = NULL;
    st = rnnc_config_write(&c, &text);
    if (st == RNNC_OK)
        st = rnnc_config_parse(text, "written", &back);
    check(st == RNNC_OK && !memcmp(&back.layers[2], d, sizeof *d),
          "a written description reads back the same decoder");
    free(text);
    static const struct {
        const char *text, *want;
    } bad[] = {
        {"[embedding]\nvocab = 7\ndim = 3\n[lstm]\nhidden = 4\nreturn_sequences = true\n"
         "[decoder]\nvocab = 9\ndim = 3\nhidden = 4\nattention = cosine\n",
         "b.ini:11: attention = 'cosine': expected dot, general or additive"},
        {"[embedding]\nvocab = 7\ndim = 3\n[lstm]\nhidden = 4\n[decoder]\nvocab = 9\ndim = 3\n"
         "hidden = 4\n",
         "layer 2 (decoder): a decoder is the last layer, right after a recurrent layer with "
         "return_sequences = 1"},
        {"[embedding]\nvocab = 7\ndim = 3\n[lstm]\nhidden = 4\nreturn_sequences = true\n"
         "[decoder]\nvocab = 9\ndim = 3\nhidden = 6\nattention = dot\n",
         "dot attention needs the encoder's 4 output features = hidden 6"},
        {"[embedding]\nvocab = 7\ndim = 3\n[lstm]\nhidden = 4\nreturn_sequences = true\n"
         "[decoder]\nvocab = 9\ndim = 3\nhidden = 6\nbridge = copy\n",
         "bridge = copy needs one recurrent encoder layer"},
        {"[embedding]\nvocab = 7\ndim = 3\n[lstm]\nhidden = 4\nreturn_sequences = true\n"
         "[decoder]\nvocab = 9\nhidden = 4\n",
         "b.ini:7: this section needs 'dim = ...'"},
        {"[model]\ninput_size = 3\n[decoder]\nvocab = 5\ndim = 2\nhidden = 3\nbridge = copy\n",
         "bridge = copy needs an encoder's final states; a decoder over the input features"},
        {"[model]\ninput_size = 3\n[dense]\nunits = 4\n[decoder]\nvocab = 5\ndim = 2\nhidden = 3\n",
         "a decoder is the last layer, right after a recurrent layer"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        st = rnnc_config_parse(bad[i].text, "b.ini", &back);
        check(st != RNNC_OK && strstr(rnnc_last_error(), bad[i].want), "refused: %s (%s)",
              bad[i].want, rnnc_last_error());
    }
}

/* A model file of an encoder-decoder: written, read back, the same logits (float, public API). */
static void test_model_file(void) {
    rnnc_config c;
    rnnc_model *m = NULL, *back = NULL;
    char path[] = "/tmp/rnnc_s2s_XXXXXX";
    const int fd = mkstemp(path);
    if (fd >= 0)
        close(fd);
    rnnc_status st = rnnc_config_parse(desc, "s2s.ini", &c);
    if (st == RNNC_OK)
        st = rnnc_model_create(&c, 3, &m);
    if (st == RNNC_OK)
        st = rnnc_model_save(m, path, NULL, NULL, 0);
    if (st == RNNC_OK)
        st = rnnc_model_load(path, &back, NULL);
    const int32_t src[6] = {1, 2, 3, 4, 5, 0}, len[2] = {3, 2}, tgt[4] = {0, 1, 2, 3};
    const rnnc_batch b = {3, 2, src, NULL, len, RNNC_PAD_POST, 2, tgt};
    float a[36], z[36];
    size_t dims[3] = {0};
    int nd = 0;
    if (st == RNNC_OK)
        st = rnnc_model_forward(m, &b, 0);
    if (st == RNNC_OK)
        memcpy(a, rnnc_model_output(m, &nd, dims), sizeof a);
    if (st == RNNC_OK)
        st = rnnc_model_forward(back, &b, 0);
    if (st == RNNC_OK)
        memcpy(z, rnnc_model_output(back, NULL, NULL), sizeof z);
    check(st == RNNC_OK && nd == 3 && dims[0] == 2 && dims[1] == 2 && dims[2] == 9 &&
              !memcmp(a, z, sizeof a),
          "a model file of an encoder-decoder reads back: the same (2,2,9) logits (%s)",
          st ? rnnc_last_error() : "");
    const rnnc_batch none = {3, 2, src, NULL, len, RNNC_PAD_POST, 0, NULL};
    check(m && rnnc_model_forward(m, &none, 0) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "the model ends in a decoder; give its inputs dec_ids"),
          "a batch without the decoder's inputs is refused (%s)", rnnc_last_error());
    rnnc_model_free(m), rnnc_model_free(back);
    unlink(path);
}

/* Decoding (rnnc_model_decode) against the teacher-forced forward, on a bidirectional GRU encoder
 * and a 2-layer LSTM decoder with input feeding and the linear bridge: greedy by hand, feeding the
 * argmax back through rnnc_model_forward with one more decoder step each time, gives the tokens
 * and the log-probability that a beam of 1 gives; a sentence decodes the same alone as in a batch;
 * the same call twice gives the same output. */
static void test_decode(void) {
    static const char dec_desc[] = "[embedding]\nvocab = 7\ndim = 3\n[gru]\nhidden = 3\n"
                                   "bidirectional = true\nreturn_sequences = true\n[decoder]\n"
                                   "vocab = 9\ndim = 3\nhidden = 4\nlayers = 2\n";
    rnnc_config c;
    rnnc_model *m = NULL;
    rnnc_status st = rnnc_config_parse(dec_desc, "dec.ini", &c);
    if (st == RNNC_OK)
        st = rnnc_model_create(&c, 5, &m);
    if (!check(st == RNNC_OK, "a model to decode with (%s)", st ? rnnc_last_error() : ""))
        return;
    enum { SB = 3, SS = 4, CAPN = 8 };
    const int32_t src[SS * SB] = {1, 2, 3, 4, 5, 6, 0, 1, 0, 2, 0, 0}, len[SB] = {4, 3, 2};
    const rnnc_batch b = {SS, SB, src, NULL, len, RNNC_PAD_POST, 0, NULL};
    rnnc_decode_spec spec = rnnc_decode_spec_init();
    spec.beam = 1, spec.length_penalty = 0, spec.max_ratio = 2, spec.end = 8;
    int32_t out[SB * CAPN], olen[SB];
    float score[SB];
    st = rnnc_model_decode(m, &b, &spec, out, CAPN, olen, score);
    int same = st == RNNC_OK;
    for (int s = 0; s < SB && same; s++) { /* greedy by hand for sentence s */
        int32_t dec[CAPN + 1] = {spec.start}, n = 0;
        double lp = 0;
        const int32_t one_src[SS] = {src[0 * SB + s], src[1 * SB + s], src[2 * SB + s],
                                     src[3 * SB + s]};
        const int limit = 2 * len[s] < CAPN ? 2 * len[s] : CAPN;
        while (n < limit) {
            const rnnc_batch fb = {SS, 1, one_src, NULL, &len[s], RNNC_PAD_POST, n + 1, dec};
            if (rnnc_model_forward(m, &fb, 0) != RNNC_OK) {
                same = 0;
                break;
            }
            const float *lg = rnnc_model_output(m, NULL, NULL) + (size_t)n * 9;
            int32_t best = 0;
            double mx = lg[0], sum = 0;
            for (int v = 1; v < 9; v++)
                if (lg[v] > lg[best])
                    best = v;
            mx = lg[best];
            for (int v = 0; v < 9; v++)
                sum += exp((double)lg[v] - mx);
            lp += (double)lg[best] - mx - log(sum);
            if (best == spec.end)
                break;
            dec[++n] = best;
        }
        same &= olen[s] == n && !memcmp(out + s * CAPN, dec + 1, (size_t)n * sizeof *dec) &&
                fabs(score[s] - lp) < 1e-4;
    }
    check(same,
          "a beam of 1 is greedy decoding through the teacher-forced forward: the same "
          "tokens and log-probability (%s)",
          st ? rnnc_last_error() : "");
    /* teacher forcing 0: a training forward feeds back its own argmax, as greedy decoding does */
    int fed = rnnc_model_set_teacher_forcing(m, 0) == RNNC_OK;
    for (int s = 0; s < SB && fed; s++) {
        const int32_t one_src[SS] = {src[s], src[SB + s], src[2 * SB + s], src[3 * SB + s]};
        int32_t dec[CAPN] = {spec.start}; /* the rest is never read */
        const int32_t steps = olen[s] + (olen[s] < 2 * len[s] ? 1 : 0);
        const rnnc_batch fb = {SS, 1, one_src, NULL, &len[s], RNNC_PAD_POST, steps, dec};
        fed = rnnc_model_forward(m, &fb, 1) == RNNC_OK;
        const float *lg = fed ? rnnc_model_output(m, NULL, NULL) : NULL;
        for (int t = 0; fed && t < steps; t++) {
            int32_t best = 0;
            for (int v = 1; v < 9; v++)
                best = lg[t * 9 + v] > lg[t * 9 + best] ? v : best;
            fed = best == (t < olen[s] ? out[s * CAPN + t] : spec.end);
        }
    }
    rnnc_model_set_teacher_forcing(m, 1);
    check(fed, "teacher forcing 0: a training forward feeds its own argmax, greedy's tokens");
    check(rnnc_model_set_teacher_forcing(m, 1.5) == RNNC_ERR_ARG, "a ratio above 1 is refused");
    spec.beam = 3, spec.length_penalty = 0.6;
    int32_t out3[SB * CAPN] = {0}, len3[SB], out1[CAPN], len1[1], again[SB * CAPN] = {0}, lena[SB];
    st = rnnc_model_decode(m, &b, &spec, out3, CAPN, len3, NULL);
    int alone = st == RNNC_OK, longest = 0;
    for (int k = 0; k < SB && alone; k++) { /* each sentence alone */
        const int32_t one[SS] = {src[k], src[SB + k], src[2 * SB + k], src[3 * SB + k]};
        const rnnc_batch b1 = {SS, 1, one, NULL, &len[k], RNNC_PAD_POST, 0, NULL};
        alone = rnnc_model_decode(m, &b1, &spec, out1, CAPN, len1, NULL) == RNNC_OK &&
                len1[0] == len3[k] &&
                !memcmp(out1, out3 + k * CAPN, (size_t)len1[0] * sizeof *out1);
        longest = len3[k] > longest ? len3[k] : longest;
    }
    if (st == RNNC_OK)
        st = rnnc_model_decode(m, &b, &spec, again, CAPN, lena, NULL);
    check(alone && longest > 0 && st == RNNC_OK && !memcmp(len3, lena, sizeof len3) &&
              !memcmp(out3, again, sizeof out3),
          "beam 3: each sentence decodes alone as in its batch (the longest %d tokens), and "
          "twice the same (%s)",
          longest, st ? rnnc_last_error() : "");
    spec.max_len = 2;
    int32_t small[SB * 1];
    check(rnnc_model_decode(m, &b, &spec, small, 1, olen, NULL) == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "may take 2 tokens, but out holds 1"),
          "an output buffer too short is refused (%s)", rnnc_last_error());
    rnnc_model_free(m);
}

enum { RB = 32, RS = 5, RT = 6, RV = 10 }; /* the reversal task's batch, steps and vocabulary */

/* A batch of the reversal task: sources of 3 to 5 symbols from {4..9}, post-padded to 5 steps;
 * decoder inputs <start> (1) then the reversed source; targets the reversed source then <eos>
 * (3), -1 after it. */
static void reversal_batch(rnnc_rng *r, int32_t *src, int32_t *len, int32_t *din, int32_t *tgt) {
    for (int b = 0; b < RB; b++) {
        int x[RS];
        len[b] = 3 + (int)rnnc_rng_below(r, 3);
        for (int s = 0; s < RS; s++)
            src[s * RB + b] = x[s] = s < len[b] ? 4 + (int)rnnc_rng_below(r, 6) : 0;
        for (int t = 0; t < RT; t++) {
            din[t * RB + b] = t == 0 ? 1 : t <= len[b] ? x[len[b] - t] : 0;
            tgt[t * RB + b] = t < len[b] ? x[len[b] - 1 - t] : t == len[b] ? 3 : -1;
        }
    }
}

/* The model learns: Adam on token cross-entropy for 500 batches of the reversal task, then greedy
 * decoding reverses most unseen sources exactly (float, the public API). */
static void test_learns(void) {
    static const char rd[] = "[embedding]\nvocab = 10\ndim = 16\n[lstm]\nhidden = 32\n"
                             "return_sequences = true\n[decoder]\nvocab = 10\ndim = 16\n"
                             "hidden = 32\n";
    rnnc_config c;
    rnnc_model *m = NULL;
    rnnc_optim *o = NULL;
    rnnc_optim_spec os = rnnc_optim_spec_init(RNNC_OPTIM_ADAM);
    os.lr = 0.01;
    rnnc_status st = rnnc_config_parse(rd, "reverse.ini", &c);
    if (st == RNNC_OK)
        st = rnnc_model_create(&c, 1, &m);
    if (st == RNNC_OK)
        st = rnnc_optim_create(m, &os, &o);
    rnnc_rng r;
    rnnc_rng_seed(&r, 3);
    int32_t src[RS * RB], len[RB], din[RT * RB], tgt[RT * RB];
    static float dl[RT * RB * RV];
    double first = 0, last = 0;
    for (int step = 0; step < 500 && st == RNNC_OK; step++) {
        reversal_batch(&r, src, len, din, tgt);
        const rnnc_batch bt = {RS, RB, src, NULL, len, RNNC_PAD_POST, RT, din};
        rnnc_model_zero_grad(m);
        st = rnnc_model_forward(m, &bt, 1);
        const float *lg = st == RNNC_OK ? rnnc_model_output(m, NULL, NULL) : NULL;
        double loss = 0;
        int n = 0;
        for (int i = 0; i < RT * RB; i++)
            n += tgt[i] >= 0;
        for (int i = 0; lg && i < RT * RB; i++) { /* softmax cross-entropy, mean over targets */
            float *g = dl + i * RV;
            const float *x = lg + i * RV;
            memset(g, 0, RV * sizeof *g);
            if (tgt[i] < 0)
                continue;
            float mx = x[0];
            for (int v = 1; v < RV; v++)
                mx = x[v] > mx ? x[v] : mx;
            double sum = 0;
            for (int v = 0; v < RV; v++)
                sum += exp(x[v] - mx);
            for (int v = 0; v < RV; v++)
                g[v] = (float)(exp(x[v] - mx) / sum / n);
            g[tgt[i]] -= 1.0f / (float)n;
            loss -= x[tgt[i]] - mx - log(sum);
        }
        if (st == RNNC_OK)
            st = rnnc_model_backward(m, dl);
        if (st == RNNC_OK)
            st = rnnc_optim_step(o);
        if (step == 0)
            first = loss / n;
        last = loss / n;
    }
    reversal_batch(&r, src, len, din, tgt); /* unseen sources */
    const rnnc_batch bt = {RS, RB, src, NULL, len, RNNC_PAD_POST, 0, NULL};
    rnnc_decode_spec ds = rnnc_decode_spec_init();
    ds.beam = 1;
    int32_t out[RB * 10], ol[RB];
    int right = 0;
    if (st == RNNC_OK)
        st = rnnc_model_decode(m, &bt, &ds, out, 10, ol, NULL);
    for (int b = 0; st == RNNC_OK && b < RB; b++) {
        int ok = ol[b] == len[b];
        for (int t = 0; ok && t < len[b]; t++)
            ok = out[b * 10 + t] == src[(len[b] - 1 - t) * RB + b];
        right += ok;
    }
    check(st == RNNC_OK && first > 2 && last < 0.3 && right >= 24,
          "the reversal task is learnt: loss %.3f -> %.3f in 500 steps, greedy decoding reverses "
          "%d of 32 unseen sources exactly (%s)",
          first, last, right, st ? rnnc_last_error() : "");
    rnnc_optim_free(o);
    rnnc_model_free(m);
}

int main(void) {
    test_learns();
    test_decode();
    test_description();
    test_model_file();
    char name[96];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const double e = check_case(&cases[i], 0, name, sizeof name);
        check(e <= 1e-6, "%s: every gradient against central differences (worst %.2g, %s)",
              cases[i].label, e, name);
    }
    const double e = check_case(&cases[0], 1, name, sizeof name);
    check(e > 1e-4, "a planted error of 1e-3 in one gradient entry is reported (%.2g, %s)", e,
          name);
    return check_summary();
}
