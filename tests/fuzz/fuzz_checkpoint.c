/* Fuzz target: the training state read on --resume. The input packs the files of a checkpoint:
 *   byte 0        flags: bit 0 weight averaging on (fit spec ema 0.5: the run reads the average
 *                 file), bit 1 the optimizer file is the one a run left unrenamed
 *                 (checkpoint.optim.next.safetensors, which resume falls back to);
 *   4 bytes       n1, little-endian, then n1 bytes: checkpoint.safetensors (the model file with
 *                 rnnc.train_state: epoch, step, random streams, schedule and early stopping);
 *   4 bytes       n2, then n2 bytes: the optimizer's state file (rnnc_optim_load);
 *   the rest      checkpoint.ema.safetensors (the weight average).
 * Lengths past the end are cut to what is there. The files are written into an empty run folder
 * and a fixed small classifier resumes from them (rnnc_classifier_fit with resume, 3 epochs, so a
 * checkpoint of epoch 1 or 2 trains on). tests/fuzz/gen_seeds.sh makes the seeds with `rnnc train`
 * from the same data, description and text options as fixed_classifier below. */
#include "fuzz.h"

#include <sys/stat.h>

static const char ckpt_data[] = "label,text\n"
                                "pos,good fine great film\n"
                                "neg,bad awful poor film\n"
                                "pos,a lovely warm story\n"
                                "neg,a dull cold story\n"
                                "pos,great acting and a fine plot\n"
                                "neg,poor acting and a dull plot\n";
static const char ckpt_model[] = "[embedding]\nvocab = auto\ndim = 3\n[gru]\nhidden = 3\n"
                                 "[dense]\nunits = 1\n";

/* The files a run folder can hold; their paths are registered for cleanup after the folder's. */
static const char *const ckpt_files[] = {"ckpt/checkpoint.safetensors",
                                         "ckpt/checkpoint.optim.safetensors",
                                         "ckpt/checkpoint.optim.next.safetensors",
                                         "ckpt/checkpoint.ema.safetensors",
                                         "ckpt/checkpoint.ema.next.safetensors",
                                         "ckpt/best.safetensors",
                                         "ckpt/model.safetensors",
                                         "ckpt/metrics.jsonl",
                                         "ckpt/metrics.jsonl.new",
                                         "ckpt/steps.jsonl",
                                         "ckpt/steps.jsonl.new",
                                         "ckpt/run.lock"};
enum { N_CKPT_FILES = sizeof ckpt_files / sizeof *ckpt_files };

static rnnc_classifier *ckpt_classifier;
static rnnc_textset *ckpt_set;
static char ckpt_dir[320];

/* The fixed classifier and its training set, made once. */
static int ckpt_setup(void) {
    if (ckpt_classifier)
        return 1;
    const char *dir = fuzz_path("ckpt");
    if (!dir)
        return 0;
    snprintf(ckpt_dir, sizeof ckpt_dir, "%s", dir);
    mkdir(ckpt_dir, 0700);
    for (int i = 0; i < N_CKPT_FILES; i++)
        (void)fuzz_path(ckpt_files[i]);
    const char *csv =
        fuzz_write("ckpt-train.csv", (const uint8_t *)ckpt_data, sizeof ckpt_data - 1);
    FUZZ_REQUIRE(csv != NULL);
    rnnc_text_source src = rnnc_text_source_init();
    src.path = csv, src.label_col = "label", src.text_col = "text";
    FUZZ_REQUIRE(rnnc_textset_read(&src, &ckpt_set) == RNNC_OK);
    static rnnc_config cfg;
    FUZZ_REQUIRE(rnnc_config_parse(ckpt_model, "fixed", &cfg) == RNNC_OK);
    rnnc_text_spec text = rnnc_text_spec_init();
    text.num_words = 16, text.maxlen = 8;
    FUZZ_REQUIRE(rnnc_classifier_create(&cfg, &text, ckpt_set, 1, &ckpt_classifier) == RNNC_OK);
    return 1;
}

/* Takes the next part: a 4-byte length, then that many bytes (cut at the end of the input). */
static const uint8_t *ckpt_part(const uint8_t **p, const uint8_t *end, size_t *len) {
    size_t k = 0;
    for (int i = 0; i < 4; i++)
        k |= (*p < end ? (size_t) * (*p)++ : 0) << (8 * i);
    const uint8_t *part = *p;
    *len = k < (size_t)(end - *p) ? k : (size_t)(end - *p);
    *p += *len;
    return part;
}

static int fuzz_checkpoint(const uint8_t *data, size_t n) {
    if (n < 1 || !ckpt_setup())
        return RNNC_OK;
    for (int i = 0; i < N_CKPT_FILES; i++)
        unlink(fuzz_path(ckpt_files[i]));
    const uint8_t flags = data[0], *p = data + 1, *end = data + n;
    size_t n1, n2;
    const uint8_t *ck = ckpt_part(&p, end, &n1);
    const uint8_t *op = ckpt_part(&p, end, &n2);
    char resume[400];
    snprintf(resume, sizeof resume, "%s", fuzz_path(ckpt_files[0]));
    if (!fuzz_write(ckpt_files[0], ck, n1) ||
        !fuzz_write(ckpt_files[(flags & 2) ? 2 : 1], op, n2) ||
        ((flags & 1) && !fuzz_write(ckpt_files[3], p, (size_t)(end - p))))
        return RNNC_OK;
    rnnc_fit_spec spec = rnnc_fit_spec_init();
    spec.epochs = 3, spec.batch_size = 2;
    spec.ema = (flags & 1) ? 0.5 : 0;
    spec.out_dir = ckpt_dir, spec.resume = resume;
    rnnc_epoch_report last;
    rnnc_status st = rnnc_classifier_fit(ckpt_classifier, ckpt_set, NULL, &spec, &last);
    if (st != RNNC_OK)
        FUZZ_REQUIRE(rnnc_last_error()[0] != '\0');
    else
        FUZZ_REQUIRE(last.epoch >= 1 && last.epoch <= 3);
    return st;
}

FUZZ_MAIN(fuzz_checkpoint)
