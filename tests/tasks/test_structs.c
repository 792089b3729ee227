/* Versioned option structs (docs/api.md, "Compatibility"): every struct a caller fills and passes
 * in starts with struct_size, which its _init() sets to the caller's sizeof; every call that takes
 * one refuses another size (a program built against another rnnc.h, or a struct not started from
 * its _init()) with RNNC_ERR_ARG naming the type, before reading any other field. */
#include "check.h"
#include "rnnc.h"

#include <stdio.h>
#include <string.h>

/* The message of a refused size names the type, both sizes and the init function. */
static int says(const char *type, size_t have, size_t want) {
    char a[160], b[160];
    snprintf(a, sizeof a, "%s: struct_size is %zu, but this library's %s has %zu bytes", type, have,
             type, want);
    snprintf(b, sizeof b, "start it from %s_init()", type);
    return strstr(rnnc_last_error(), a) && strstr(rnnc_last_error(), b);
}

static void test_init_sets_size(void) {
    check(rnnc_fit_spec_init().struct_size == sizeof(rnnc_fit_spec) &&
              rnnc_fit_spec_init().optim.struct_size == sizeof(rnnc_optim_spec) &&
              rnnc_fit_spec_init().sched.struct_size == sizeof(rnnc_sched_spec),
          "rnnc_fit_spec_init: struct_size of the spec and of its optimizer and schedule");
    check(rnnc_layer_spec_init(RNNC_LAYER_GRU).struct_size == sizeof(rnnc_layer_spec) &&
              rnnc_text_spec_init().struct_size == sizeof(rnnc_text_spec) &&
              rnnc_lm_spec_init().struct_size == sizeof(rnnc_lm_spec) &&
              rnnc_forecast_spec_init().struct_size == sizeof(rnnc_forecast_spec) &&
              rnnc_sample_spec_init().struct_size == sizeof(rnnc_sample_spec) &&
              rnnc_text_source_init().struct_size == sizeof(rnnc_text_source) &&
              rnnc_series_source_init().struct_size == sizeof(rnnc_series_source) &&
              rnnc_arrays_source_init().struct_size == sizeof(rnnc_arrays_source) &&
              rnnc_gradcheck_spec_init().struct_size == sizeof(rnnc_gradcheck_spec) &&
              rnnc_translate_spec_init().struct_size == sizeof(rnnc_translate_spec),
          "every _init() sets struct_size to the caller's sizeof");
    /* A caller built against a shorter struct gets the defaults of the fields it knows, and the
     * library writes no byte past its size. */
    unsigned char buf[sizeof(rnnc_fit_spec) + 8];
    memset(buf, 0xAB, sizeof buf);
    const size_t part = offsetof(rnnc_fit_spec, seed);
    rnnc_fit_spec_defaults((rnnc_fit_spec *)buf, part);
    rnnc_fit_spec full = rnnc_fit_spec_init();
    size_t got;
    memcpy(&got, buf, sizeof got);
    int epochs;
    memcpy(&epochs, buf + offsetof(rnnc_fit_spec, epochs), sizeof epochs);
    check(got == part && epochs == full.epochs && buf[part] == 0xAB,
          "rnnc_fit_spec_defaults on a shorter struct: its size, its fields' defaults, nothing "
          "written past it");
}

static int emit(const char *text, size_t len, void *user) {
    (void)text, (void)len, (void)user;
    return 0;
}

static void test_sizes_refused(void) {
    rnnc_config cfg;
    check(rnnc_config_parse("[model]\ninput_size = 2\n[gru]\nhidden = 3\n", "m", &cfg) == RNNC_OK,
          "a model description");
    rnnc_model *m = NULL;
    cfg.layers[0].struct_size = sizeof(rnnc_layer_spec) - 8;
    check(rnnc_model_create(&cfg, 1, &m) == RNNC_ERR_ARG && !m &&
              strstr(rnnc_last_error(), "layer 0: rnnc_layer_spec: struct_size is ") &&
              says("rnnc_layer_spec", sizeof(rnnc_layer_spec) - 8, sizeof(rnnc_layer_spec)),
          "rnnc_model_create: a layer spec of another size refused (%s)", rnnc_last_error());
    memset(&cfg.layers[0], 0, sizeof cfg.layers[0]);
    check(rnnc_config_validate(&cfg) == RNNC_ERR_ARG &&
              says("rnnc_layer_spec", 0, sizeof(rnnc_layer_spec)),
          "rnnc_config_validate: a zeroed layer spec (not from rnnc_layer_spec_init) refused");
    cfg.layers[0] = rnnc_layer_spec_init(RNNC_LAYER_GRU);
    cfg.layers[0].hidden = 3;
    check(rnnc_model_create(&cfg, 1, &m) == RNNC_OK, "the same layer from its _init builds");

    rnnc_optim *o = NULL;
    rnnc_optim_spec os = rnnc_optim_spec_init(RNNC_OPTIM_ADAM);
    os.struct_size += 8;
    check(rnnc_optim_create(m, &os, &o) == RNNC_ERR_ARG && !o &&
              says("rnnc_optim_spec", sizeof os + 8, sizeof os),
          "rnnc_optim_create: a larger optimizer spec refused (%s)", rnnc_last_error());
    rnnc_sched sc;
    rnnc_sched_spec ss = rnnc_sched_spec_init(RNNC_SCHED_CONSTANT);
    ss.struct_size = 0;
    check(rnnc_sched_init(&sc, &ss, 0.1) == RNNC_ERR_ARG && says("rnnc_sched_spec", 0, sizeof ss),
          "rnnc_sched_init: a zeroed struct_size refused");

    const float logits[3] = {0, 1, 2};
    rnnc_rng r;
    rnnc_rng_seed(&r, 1);
    int32_t id = -1;
    rnnc_sample_spec sp = {0};
    sp.temperature = 1, sp.top_p = 1;
    check(rnnc_sample_logits(logits, 3, &sp, &r, &id) == RNNC_ERR_ARG && id == -1 &&
              says("rnnc_sample_spec", 0, sizeof sp),
          "rnnc_sample_logits: a spec set field by field without its _init refused");

    rnnc_text_source ts = rnnc_text_source_init();
    ts.path = "no-such.csv";
    ts.struct_size--;
    rnnc_textset *set = NULL;
    check(rnnc_textset_read(&ts, &set) == RNNC_ERR_ARG && !set &&
              says("rnnc_text_source", sizeof ts - 1, sizeof ts),
          "rnnc_textset_read: refused before the file is looked at");
    rnnc_series_source ss2 = rnnc_series_source_init();
    ss2.path = "no-such.csv";
    ss2.struct_size = 1;
    rnnc_series *ser = NULL;
    check(rnnc_series_read(&ss2, &ser) == RNNC_ERR_ARG && !ser &&
              says("rnnc_series_source", 1, sizeof ss2),
          "rnnc_series_read: refused before the file is looked at");
    rnnc_arrays_source as = rnnc_arrays_source_init();
    as.path = "no-such.npz";
    as.struct_size += 8;
    rnnc_arrays_file *af = NULL;
    check(rnnc_arrays_read(&as, &af) == RNNC_ERR_ARG && !af &&
              says("rnnc_arrays_source", sizeof as + 8, sizeof as),
          "rnnc_arrays_read: refused before the file is looked at");

    rnnc_gradcheck_spec gcs = rnnc_gradcheck_spec_init();
    gcs.struct_size -= 8;
    rnnc_gradcheck_report gr;
    check(rnnc_gradcheck(&cfg, &gcs, &gr) == RNNC_ERR_ARG && gr.tensors == NULL &&
              says("rnnc_gradcheck_spec", sizeof gcs - 8, sizeof gcs),
          "rnnc_gradcheck: refused (%s)", rnnc_last_error());

    rnnc_config lmc;
    check(rnnc_config_parse("[embedding]\nvocab = 0\ndim = 4\n[gru]\nhidden = 4\n"
                            "return_sequences = true\n[dense]\nunits = 0\n",
                            "lm", &lmc) == RNNC_OK,
          "a language model's description");
    rnnc_lm_spec ls = rnnc_lm_spec_init();
    ls.struct_size = 4;
    rnnc_lm *lm = NULL;
    check(rnnc_lm_create(&lmc, &ls, "abcabc\n", 7, 1, &lm) == RNNC_ERR_ARG && !lm &&
              says("rnnc_lm_spec", 4, sizeof ls),
          "rnnc_lm_create: refused");
    ls = rnnc_lm_spec_init();
    ls.bptt = 2;
    check(rnnc_lm_create(&lmc, &ls, "abcabc\n", 7, 1, &lm) == RNNC_OK, "the same from _init");
    rnnc_corpus c;
    check(rnnc_lm_encode(lm, "abcabcabc\n", 10, NULL, &c) == RNNC_OK, "a corpus");
    rnnc_fit_spec fs = rnnc_fit_spec_init();
    fs.epochs = 1, fs.batch_size = 1;
    fs.struct_size -= sizeof(double);
    check(rnnc_lm_fit(lm, &c, NULL, &fs, NULL) == RNNC_ERR_ARG &&
              says("rnnc_fit_spec", sizeof fs - sizeof(double), sizeof fs),
          "rnnc_lm_fit: a fit spec of another size refused (%s)", rnnc_last_error());
    fs.struct_size = sizeof fs;
    fs.optim.struct_size = 0;
    check(rnnc_lm_fit(lm, &c, NULL, &fs, NULL) == RNNC_ERR_ARG &&
              says("rnnc_optim_spec", 0, sizeof fs.optim),
          "rnnc_lm_fit: the optimizer spec inside the fit spec is checked too (%s)",
          rnnc_last_error());
    rnnc_sample_spec gs = rnnc_sample_spec_init();
    gs.struct_size = 2;
    check(rnnc_lm_generate(lm, "a", 1, 3, &gs, 1, emit, NULL) == RNNC_ERR_ARG &&
              says("rnnc_sample_spec", 2, sizeof gs),
          "rnnc_lm_generate: refused");
    rnnc_corpus_free(&c);
    rnnc_lm_free(lm);

    rnnc_textset dummy = {0};
    rnnc_text_spec tx = rnnc_text_spec_init();
    tx.struct_size = sizeof tx * 2;
    rnnc_classifier *cl = NULL;
    check(rnnc_classifier_create(&lmc, &tx, &dummy, 1, &cl) == RNNC_ERR_ARG && !cl &&
              says("rnnc_text_spec", sizeof tx * 2, sizeof tx),
          "rnnc_classifier_create: refused");
    rnnc_series dser = {0};
    rnnc_forecast_spec fc = rnnc_forecast_spec_init();
    fc.struct_size = 3;
    rnnc_forecaster *f = NULL;
    check(rnnc_forecaster_create(&cfg, &fc, &dser, NULL, 1, &f) == RNNC_ERR_ARG && !f &&
              says("rnnc_forecast_spec", 3, sizeof fc),
          "rnnc_forecaster_create: refused");
    rnnc_translate_spec trs = rnnc_translate_spec_init();
    trs.struct_size = 5;
    rnnc_pairs dpairs = {0};
    rnnc_translator *tr = NULL;
    check(rnnc_translator_create(&cfg, &trs, &dpairs, 1, &tr) == RNNC_ERR_ARG && !tr &&
              says("rnnc_translate_spec", 5, sizeof trs),
          "rnnc_translator_create: refused");
    rnnc_pairs *tp = NULL;
    check(rnnc_translate_read(&trs, "pairs.tsv", NULL, &tp, NULL, NULL) == RNNC_ERR_ARG && !tp &&
              says("rnnc_translate_spec", 5, sizeof trs),
          "rnnc_translate_read: refused");
    rnnc_model_free(m);
}

int main(void) {
    rnnc_set_num_threads(1);
    test_init_sets_size();
    test_sizes_refused();
    return check_summary();
}
