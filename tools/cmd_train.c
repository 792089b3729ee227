/* rnnc train CONFIG: trains what a training file describes (a text classifier, a forecaster or a
 * language model: tasks.h), with a progress bar on a terminal and one line per epoch. */
#include "cli.h"
#include "tasks.h"

#include <stdio.h>

static const char about[] =
    "Trains a text classifier as CONFIG describes: the model's layer sections plus [data],\n"
    "[train], [optimizer], [schedule] and [early_stopping] (docs/training.md; examples in\n"
    "examples/imdb/). Writes checkpoint.safetensors every epoch, best.safetensors,\n"
    "model.safetensors and metrics.jsonl into [train] output, then evaluates on [data] test.\n"
    "A file with a [forecast] section trains a forecaster instead (docs/forecast.md) and ends\n"
    "with the test part's metrics of the model and every baseline. A file with an [lm]\n"
    "section trains a language model (docs/lm.md) and ends with its validation and test\n"
    "loss, perplexity and (characters) bits per character. A file whose [data] format is npz\n"
    "or safetensors trains on arrays (docs/arrays.md) and ends with its test part's scores.\n"
    "A file with a [translate] section trains a translator on sentence pairs\n"
    "(docs/translate.md) and ends with its validation and test loss, perplexity and token\n"
    "accuracy.\n";

int cmd_train(int argc, char **argv) {
    cli_command c = {"train", "CONFIG", about, NULL, 0, 1, 1, "one training file only"};
    cli_train_args a;
    int n, rc = cli_train_parse(&c, &a, argc, argv, &n);
    if (rc != CLI_GO)
        return rc;
    a.path = argv[1];
    if ((rc = cli_train_open(&a, "train")) != CLI_OK)
        return rc;
    if (rnnc_train_file_has_section(a.file, "finetune")) {
        fprintf(stderr,
                "rnnc train: %s has a [finetune] section: run it with 'rnnc finetune "
                "PRETRAINED %s' (or remove the section to train from scratch)\n",
                a.path, a.path);
        rc = CLI_USAGE;
    } else
        switch (rnnc_train_file_task(a.file)) {
        case RNNC_TRAIN_FORECAST: rc = cli_train_forecast(&a, NULL, NULL); break; /* forecast.md */
        case RNNC_TRAIN_LM: rc = cli_train_lm(&a, NULL, NULL); break;             /* docs/lm.md */
        case RNNC_TRAIN_ARRAYS: rc = cli_train_arrays(&a); break;                 /* arrays.md */
        case RNNC_TRAIN_TRANSLATE: rc = cli_train_translate(&a); break; /* docs/translate.md */
        default: rc = cli_train_classifier(&a, NULL, NULL); break;
        }
    rnnc_train_file_free(a.file);
    return rc;
}
