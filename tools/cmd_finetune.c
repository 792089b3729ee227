/* rnnc finetune PRETRAINED CONFIG: builds the model CONFIG describes, carries over what the
 * pretrained model file holds (by name and shape; vocabulary rows by token), replaces the task
 * head, and trains it with [finetune]'s controls (docs/finetune.md). A classifier's, a language
 * model's or a forecaster's training file, trained by the tasks' files as rnnc train does; the
 * hooks here build or adapt the new model. */
#include "cli.h"
#include "tasks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char about[] =
    "Fine-tunes a pretrained model file on the task CONFIG describes: a text classifier's\n"
    "training file, a language model's (continued pretraining on new text) or a forecaster's\n"
    "(a model pretrained on other series). The new model gets every pretrained tensor of the\n"
    "same name and shape (reported as loaded, mapped, new, re-initialised or dropped);\n"
    "vocabularies are mapped by token; the task head is replaced when the task changes. A shape\n"
    "that does not fit is an error naming each tensor, unless [finetune] reinit names it.\n"
    "[finetune] keys (all optional):\n"
    "  vocab = pretrained | data     the pretrained vocabulary (default), or a new one from the\n"
    "                                data with the rows of known tokens carried over\n"
    "  head = auto | new | keep      replace the last layer (auto: when the task changes)\n"
    "  reinit = NAME, ...            parameters or layers to start afresh\n"
    "  freeze = LAYER, ...           layer names or indices frozen for the whole run\n"
    "  unfreeze_every = N            gradual unfreezing: the top layer first, one more every N\n"
    "                                epochs\n"
    "  lr_decay = D                  discriminative rates: each layer below the top at lr / D^k\n"
    "  lr_factors = F, ...           or one factor per layer with parameters, from the bottom\n"
    "  l2sp = ALPHA                  L2-SP: pull the pretrained weights towards their start\n"
    "Writes the same files as rnnc train into [train] output (docs/finetune.md).\n";

typedef struct ft_ctx {
    const char *pretrained;
    rnnc_finetune_config fc;
    rnnc_tensor_file *file;
    char task[16];           /* the pretrained model's task: "lm", "classify", ... */
    rnnc_vocab *vocab;       /* its vocabulary, NULL if none */
    rnnc_tokenizer_spec tok; /* how its vocabulary was tokenized */
    int has_tok;
    unsigned char frozen[RNNC_MAX_LAYERS];
    double factor[RNNC_MAX_LAYERS];
    float *anchor;
    unsigned char *anchored;
} ft_ctx;

static const char *task_words(const char *task) {
    return !strcmp(task, "lm")         ? "language model"
           : !strcmp(task, "classify") ? "text classifier"
           : !strcmp(task, "forecast") ? "forecaster"
                                       : "model";
}

/* Reads the pretrained file and what it says about its task, vocabulary and tokenizer. */
static int load_pretrained(ft_ctx *x) {
    rnnc_status st = rnnc_tensor_file_read(x->pretrained, &x->file);
    if (st)
        return cli_fail("finetune", st);
    const char *task = rnnc_tensor_file_meta(x->file, "rnnc.task");
    snprintf(x->task, sizeof x->task, "%s", task ? task : "");
    if (!strcmp(x->task, "lm")) {
        rnnc_lm *lm = NULL;
        if ((st = rnnc_lm_load(x->pretrained, &lm)) == RNNC_OK)
            st = rnnc_vocab_copy(rnnc_lm_vocab(lm), &x->vocab);
        if (st == RNNC_OK)
            x->tok = rnnc_lm_tokenizer(rnnc_lm_get_spec(lm)), x->has_tok = 1;
        rnnc_lm_free(lm);
    } else if (!strcmp(x->task, "classify")) {
        rnnc_classifier *c = NULL;
        if ((st = rnnc_classifier_load(x->pretrained, &c)) == RNNC_OK)
            st = rnnc_vocab_copy(rnnc_classifier_vocab(c), &x->vocab);
        if (st == RNNC_OK)
            x->tok = rnnc_classifier_spec(c)->tok, x->has_tok = 1;
        rnnc_classifier_free(c);
    }
    return st ? cli_fail("finetune", st) : CLI_OK;
}

/* With the pretrained vocabulary, the new texts must be split into tokens the same way. */
static int check_tokenizer(const ft_ctx *x, const rnnc_tokenizer_spec *t, const char *section) {
    if (!x->vocab) {
        fprintf(stderr, "rnnc finetune: %s has no vocabulary (a %s); set [finetune] vocab = data\n",
                x->pretrained, task_words(x->task));
        return CLI_USAGE;
    }
    const char *keys[] = {"lowercase", "strip_html", "split_punct", "level"};
    const int a[] = {x->tok.lowercase, x->tok.strip_html, x->tok.split_punct, x->tok.chars};
    const int b[] = {t->lowercase, t->strip_html, t->split_punct, t->chars};
    for (int i = 0; i < 4; i++)
        if ((a[i] != 0) != (b[i] != 0)) {
            fprintf(stderr,
                    "rnnc finetune: the pretrained vocabulary of %s was built with %s = %s, but "
                    "[%s] gives %s; use the same setting, or [finetune] vocab = data\n",
                    x->pretrained, keys[i],
                    i == 3 ? (a[i] ? "char" : "word")
                    : a[i] ? "true"
                           : "false",
                    section,
                    i == 3 ? (b[i] ? "char" : "word")
                    : b[i] ? "true"
                           : "false");
            return CLI_USAGE;
        }
    return CLI_OK;
}

static const char *what_words(int what) {
    switch (what) {
    case RNNC_TRANSFER_LOADED: return "loaded";
    case RNNC_TRANSFER_MAPPED: return "mapped";
    case RNNC_TRANSFER_NEW: return "new";
    case RNNC_TRANSFER_REINIT: return "reinit";
    default: return "dropped";
    }
}

/* Splits a comma-separated list into up to cap trimmed names (in buf). */
static int split_names(const char *list, char *buf, size_t bufsize, const char **names, int cap) {
    snprintf(buf, bufsize, "%s", list);
    int n = 0;
    for (char *p = strtok(buf, ","); p && n < cap; p = strtok(NULL, ",")) {
        while (*p == ' ' || *p == '\t')
            p++;
        char *e = p + strlen(p);
        while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
            *--e = 0;
        if (*p)
            names[n++] = p;
    }
    return n;
}

/* Carries the pretrained weights over to m (a new head when the task changes or [finetune] head
 * says so) and lists what happened to each tensor; *items (freed by the caller) in parameter order
 * first. */
static int transfer(ft_ctx *x, rnnc_model *m, const char *new_task, const rnnc_vocab *model_vocab,
                    rnnc_transfer_item **items, int *n_items) {
    char buf[1100];
    const char *reinit[66], *head;
    int n_reinit = split_names(x->fc.reinit, buf, sizeof buf, reinit, 64);
    rnnc_model_layer_info(m, rnnc_model_config(m)->n_layers - 1, &head, NULL, NULL, NULL);
    const int new_head = x->fc.head == RNNC_FT_HEAD_NEW ||
                         (x->fc.head == RNNC_FT_HEAD_AUTO && strcmp(x->task, new_task) != 0);
    if (new_head)
        reinit[n_reinit++] = head;
    rnnc_transfer_spec ts = {NULL, NULL, reinit, n_reinit};
    if (x->fc.vocab == RNNC_FT_VOCAB_DATA && x->vocab && model_vocab)
        ts.from = x->vocab, ts.to = model_vocab;
    rnnc_status st = rnnc_model_transfer(m, x->file, &ts, items, n_items);
    if (st)
        return cli_fail("finetune", st);
    int count[6] = {0};
    printf("pretrained %s (%s", x->pretrained, task_words(x->task));
    if (x->vocab)
        printf(", vocabulary %d", rnnc_vocab_size(x->vocab));
    printf("):\n");
    for (int i = 0; i < *n_items; i++) {
        const rnnc_transfer_item *it = &(*items)[i];
        count[it->what]++;
        printf("  %-8s %s", what_words(it->what), it->name);
        if (it->what == RNNC_TRANSFER_MAPPED)
            printf("  (%zu of %zu rows carried over by token)", it->rows, it->rows_total);
        if (new_head && !strncmp(it->name, head, strlen(head)) && it->name[strlen(head)] == '.' &&
            it->what != RNNC_TRANSFER_DROPPED)
            printf("  (the new task head)");
        printf("\n");
    }
    printf("  %d loaded, %d mapped, %d new, %d re-initialised, %d dropped\n",
           count[RNNC_TRANSFER_LOADED], count[RNNC_TRANSFER_MAPPED], count[RNNC_TRANSFER_NEW],
           count[RNNC_TRANSFER_REINIT], count[RNNC_TRANSFER_DROPPED]);
    return CLI_OK;
}

/* [finetune]'s controls in fit's fine-tuning spec: frozen layers, gradual unfreezing, the rates
 * per layer and L2-SP's anchor (the weights as carried over, items saying which). */
static int controls(ft_ctx *x, rnnc_model *m, rnnc_fit_spec *fit, const rnnc_transfer_item *items,
                    int *has_factors) {
    rnnc_status st = rnnc_finetune_config_resolve(&x->fc, m, x->frozen, x->factor, has_factors);
    if (st)
        return cli_fail("finetune", st);
    int any_frozen = 0;
    for (int i = 0; i < rnnc_model_config(m)->n_layers; i++)
        any_frozen |= x->frozen[i];
    rnnc_finetune_spec *fs = &fit->finetune;
    fs->frozen = any_frozen ? x->frozen : NULL;
    fs->unfreeze_every = x->fc.unfreeze_every;
    fs->lr_factor = *has_factors ? x->factor : NULL;
    if (x->fc.l2sp <= 0)
        return CLI_OK;
    size_t n;
    const float *w = rnnc_model_params(m, &n);
    const int np = rnnc_model_param_count(m);
    x->anchor = malloc(n * sizeof(float));
    x->anchored = calloc((size_t)np, 1);
    if (!x->anchor || !x->anchored) {
        fprintf(stderr, "rnnc finetune: out of memory\n");
        return CLI_FAIL;
    }
    memcpy(x->anchor, w, n * sizeof(float));
    for (int i = 0; i < np; i++) /* items come in parameter order first */
        x->anchored[i] =
            items[i].what == RNNC_TRANSFER_LOADED || items[i].what == RNNC_TRANSFER_MAPPED;
    fs->l2sp = x->fc.l2sp, fs->anchor = x->anchor, fs->anchored = x->anchored;
    return CLI_OK;
}

/* The plan, layer by layer: frozen, from which epoch, at which rate. */
static void print_plan(const ft_ctx *x, rnnc_model *m, const rnnc_fit_spec *fit, int has_factors) {
    const rnnc_finetune_spec *fs = &fit->finetune;
    printf("layers:");
    for (int i = 0; i < rnnc_model_config(m)->n_layers; i++) {
        const char *name;
        rnnc_model_layer_info(m, i, &name, NULL, NULL, NULL);
        unsigned char on[RNNC_MAX_LAYERS];
        int from = 0; /* the first epoch the layer trains in */
        for (int e = 1; e <= fit->epochs && !from; e++) {
            rnnc_finetune_trainable(fs, m, e, on);
            if (on[i])
                from = e;
        }
        int params = 0;
        for (int k = 0; k < rnnc_model_param_count(m); k++)
            params |= rnnc_model_param_layer(m, k) == i;
        if (!params)
            continue;
        printf("  %s", name);
        if (x->frozen[i])
            printf(" (frozen)");
        else if (!from)
            printf(" (frozen: %d epochs end before its turn)", fit->epochs);
        else if (from > 1)
            printf(" (from epoch %d)", from);
        if (has_factors)
            printf(" lr x%.3g", x->factor[i]);
    }
    if (fs->l2sp > 0)
        printf("; L2-SP %g", fs->l2sp);
    printf("\n");
    fflush(stdout);
}

/* The common part once the new model exists: transfer, report, and the fit spec's controls. */
static int setup(ft_ctx *x, rnnc_model *m, rnnc_fit_spec *fit, const char *new_task,
                 const rnnc_vocab *model_vocab) {
    rnnc_transfer_item *items = NULL;
    int n_items = 0, has_factors = 0;
    int rc = transfer(x, m, new_task, model_vocab, &items, &n_items);
    if (rc == CLI_OK)
        rc = controls(x, m, fit, items, &has_factors);
    free(items);
    if (rc == CLI_OK)
        print_plan(x, m, fit, has_factors);
    return rc;
}

static int make_classifier(void *user, rnnc_classify_config *tc, const rnnc_textset *train,
                           rnnc_classifier **out) {
    ft_ctx *x = user;
    int rc;
    if (x->fc.vocab == RNNC_FT_VOCAB_PRETRAINED) {
        if ((rc = check_tokenizer(x, &tc->text.tok, "data")) != CLI_OK)
            return rc;
        tc->text.num_words = 0; /* every id of the pretrained vocabulary */
    }
    rnnc_status st = rnnc_classifier_create_vocab(
        &tc->run.model, &tc->text, x->fc.vocab == RNNC_FT_VOCAB_PRETRAINED ? x->vocab : NULL, train,
        tc->run.fit.seed, out);
    if (st)
        return cli_fail("finetune", st);
    rnnc_classifier_set_info(*out, "rnnc.data.pretrained", x->pretrained);
    return setup(x, rnnc_classifier_model(*out), &tc->run.fit, "classify",
                 rnnc_classifier_vocab(*out));
}

static int make_lm(void *user, rnnc_lm_config *lc, const char *text, size_t len, rnnc_lm **out) {
    ft_ctx *x = user;
    int rc;
    if (x->fc.vocab == RNNC_FT_VOCAB_PRETRAINED) {
        rnnc_tokenizer_spec t = rnnc_lm_tokenizer(&lc->spec);
        if ((rc = check_tokenizer(x, &t, "lm")) != CLI_OK)
            return rc;
    }
    rnnc_status st = rnnc_lm_create_vocab(&lc->run.model, &lc->spec,
                                          x->fc.vocab == RNNC_FT_VOCAB_PRETRAINED ? x->vocab : NULL,
                                          text, len, lc->run.fit.seed, out);
    if (st)
        return cli_fail("finetune", st);
    return setup(x, rnnc_lm_model(*out), &lc->run.fit, "lm", rnnc_lm_vocab(*out));
}

static int adapt_forecaster(void *user, rnnc_model *m, rnnc_fit_spec *fit) {
    return setup(user, m, fit, "forecast", NULL);
}

int cmd_finetune(int argc, char **argv) {
    cli_command c = {
        "finetune", "PRETRAINED CONFIG", about, NULL, 0, 2, 2, "takes PRETRAINED and CONFIG only"};
    cli_train_args a;
    int n, rc = cli_train_parse(&c, &a, argc, argv, &n);
    if (rc != CLI_GO)
        return rc;
    a.path = argv[2];
    ft_ctx x;
    memset(&x, 0, sizeof x);
    x.pretrained = argv[1];
    a.pretrained = argv[1];
    if ((rc = cli_train_open(&a, "finetune")) != CLI_OK)
        return rc;
    const enum rnnc_train_task task = rnnc_train_file_task(a.file);
    rnnc_status st = rnnc_finetune_config_parse(a.file, &x.fc);
    if (st)
        rc = cli_fail("finetune", st);
    else if (task == RNNC_TRAIN_ARRAYS) {
        fprintf(stderr,
                "rnnc finetune: %s trains on arrays ([data] format = %s): fine-tuning takes a "
                "text classifier's, a language model's or a forecaster's training file\n",
                a.path, "npz or safetensors");
        rc = CLI_USAGE;
    } else if ((rc = load_pretrained(&x)) == CLI_OK)
        rc = task == RNNC_TRAIN_FORECAST ? cli_train_forecast(&a, adapt_forecaster, &x)
             : task == RNNC_TRAIN_LM     ? cli_train_lm(&a, make_lm, &x)
                                         : cli_train_classifier(&a, make_classifier, &x);
    rnnc_train_file_free(a.file);
    rnnc_tensor_file_free(x.file);
    rnnc_vocab_free(x.vocab);
    free(x.anchor);
    free(x.anchored);
    return rc;
}
