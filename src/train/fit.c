/* The training loop: seeded shuffled mini-batches, optimizer, schedule, clipping, validation,
 * early stopping (Keras's EarlyStopping rules), checkpoints every epoch, exact resume, and a
 * JSON-lines metrics log.
 *
 * A checkpoint is two files written at the end of every epoch: checkpoint.safetensors (the model
 * file plus "rnnc.train_state": epoch, step, both random streams, the schedule's state and early
 * stopping's) and checkpoint.optim.safetensors (the optimizer's state arena and step count,
 * rnnc_optim_save). Each is written atomically, and the pair is committed in two phases so a kill
 * at any moment leaves a matching pair: the optimizer goes to checkpoint.optim.next.safetensors,
 * then the checkpoint is written, then the next file is renamed over checkpoint.optim.safetensors;
 * a resume that finds the renaming undone takes the next file when its step count matches.
 * Doubles are stored as C99 hex floats ("%a"), so every bit comes back. The train state also
 * holds the run's setup (rnnc__task.setup and rnnc_fit_spec.setup): a resume whose setup differs
 * (another vocabulary, other text options, other training data) is refused before anything is
 * loaded or written. */
#include "fit.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void rnnc_fit_spec_defaults(rnnc_fit_spec *out, size_t size) {
    rnnc_fit_spec s;
    memset(&s, 0, sizeof s);
    s.epochs = 10;
    s.batch_size = 32;
    s.seed = 1;
    s.optim = rnnc_optim_spec_init(RNNC_OPTIM_ADAM);
    s.sched = rnnc_sched_spec_init(RNNC_SCHED_CONSTANT);
    s.monitor = RNNC_MONITOR_VAL_LOSS;
    s.struct_size = sizeof s;
    rnnc__spec_fill(out, size, &s, sizeof s);
}

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Everything besides weights and optimizer that a resumed run needs. */
typedef struct fit_state {
    int epoch; /* completed epochs */
    long step;
    rnnc_rng shuffle;
    rnnc_rng dropout;
    rnnc_sched sched;
    double best; /* monitored value, as "lower is better" (accuracy is negated) */
    int best_epoch;
    int bad_epochs;
    /* within the current epoch (a checkpoint written on should_stop): */
    long batch;            /* batches done; 0 at an epoch boundary */
    rnnc_rng epoch_rng;    /* the shuffle stream before this epoch's permutation */
    double loss_sum;       /* sum of batch loss x batch size */
    double acc_correct;    /* correct training predictions */
    long acc_n;            /* ... out of */
    long skipped;          /* batches skipped (skip_nonfinite) */
    long skipped_items;    /* ... and their examples */
    double gn_sum, gn_max; /* gradient norms */
} fit_state;

/* ---- state <-> JSON ---- */

static void put_hex(json_t *o, const char *key, double v) {
    char b[64];
    snprintf(b, sizeof b, "%a", v);
    json_object_set_new(o, key, json_string(b));
}

static void put_rng(json_t *o, const char *key, const rnnc_rng *r) {
    char b[80];
    snprintf(b, sizeof b, "%016" PRIx64 "%016" PRIx64 "%016" PRIx64 "%016" PRIx64, r->s[0], r->s[1],
             r->s[2], r->s[3]);
    json_object_set_new(o, key, json_string(b));
}

static char *state_to_json(const fit_state *s, const char *setup) {
    json_t *o = json_object();
    if (setup) /* ASCII (make_setup), so a valid JSON string */
        json_object_set_new(o, "setup", json_string(setup));
    json_object_set_new(o, "epoch", json_integer(s->epoch));
    json_object_set_new(o, "step", json_integer(s->step));
    put_rng(o, "shuffle_rng", &s->shuffle);
    put_rng(o, "dropout_rng", &s->dropout);
    json_object_set_new(o, "sched_t", json_integer(s->sched.t));
    put_hex(o, "sched_lr", s->sched.lr);
    put_hex(o, "sched_best", s->sched.best);
    json_object_set_new(o, "sched_bad", json_integer(s->sched.num_bad_epochs));
    json_object_set_new(o, "sched_cooldown", json_integer(s->sched.cooldown_counter));
    put_hex(o, "best", s->best);
    json_object_set_new(o, "best_epoch", json_integer(s->best_epoch));
    json_object_set_new(o, "bad_epochs", json_integer(s->bad_epochs));
    json_object_set_new(o, "batch", json_integer(s->batch));
    put_rng(o, "epoch_rng", &s->epoch_rng);
    put_hex(o, "loss_sum", s->loss_sum);
    put_hex(o, "acc_correct", s->acc_correct);
    json_object_set_new(o, "acc_n", json_integer(s->acc_n));
    json_object_set_new(o, "skipped", json_integer(s->skipped));
    json_object_set_new(o, "skipped_items", json_integer(s->skipped_items));
    put_hex(o, "gn_sum", s->gn_sum);
    put_hex(o, "gn_max", s->gn_max);
    char *txt = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return txt;
}

static int get_int(json_t *o, const char *key, long long *v) {
    json_t *j = json_object_get(o, key);
    if (!json_is_integer(j))
        return -1;
    *v = json_integer_value(j);
    return 0;
}

static int get_hex(json_t *o, const char *key, double *v) {
    const char *t = json_string_value(json_object_get(o, key));
    if (!t)
        return -1;
    char *end;
    errno = 0;
    *v = strtod(t, &end);
    return (end == t || *end || errno == ERANGE) ? -1 : 0;
}

static int get_rng(json_t *o, const char *key, rnnc_rng *r) {
    const char *t = json_string_value(json_object_get(o, key));
    if (!t || strlen(t) != 64)
        return -1;
    for (int i = 0; i < 4; i++) {
        char part[17];
        memcpy(part, t + 16 * i, 16);
        part[16] = 0;
        char *end;
        r->s[i] = strtoull(part, &end, 16);
        if (*end)
            return -1;
    }
    return 0;
}

static rnnc_status state_from_json(const char *txt, const char *path, fit_state *s) {
    json_error_t err;
    json_t *o = txt ? json_loads(txt, 0, &err) : NULL;
    long long epoch, step, t, bad, cool, best_epoch, bad_epochs, batch, acc_n, skipped, sk_items;
    int ok = o && json_is_object(o) && !get_int(o, "epoch", &epoch) && !get_int(o, "step", &step) &&
             !get_rng(o, "shuffle_rng", &s->shuffle) && !get_rng(o, "dropout_rng", &s->dropout) &&
             !get_int(o, "sched_t", &t) && !get_hex(o, "sched_lr", &s->sched.lr) &&
             !get_hex(o, "sched_best", &s->sched.best) && !get_int(o, "sched_bad", &bad) &&
             !get_int(o, "sched_cooldown", &cool) && !get_hex(o, "best", &s->best) &&
             !get_int(o, "best_epoch", &best_epoch) && !get_int(o, "bad_epochs", &bad_epochs) &&
             !get_int(o, "batch", &batch) && !get_rng(o, "epoch_rng", &s->epoch_rng) &&
             !get_hex(o, "loss_sum", &s->loss_sum) && !get_hex(o, "acc_correct", &s->acc_correct) &&
             !get_int(o, "acc_n", &acc_n) && !get_int(o, "skipped", &skipped) &&
             !get_int(o, "skipped_items", &sk_items) && sk_items >= 0 &&
             !get_hex(o, "gn_sum", &s->gn_sum) && !get_hex(o, "gn_max", &s->gn_max) && epoch >= 0 &&
             epoch < (1 << 30) && step >= 0 && best_epoch >= 0 && bad_epochs >= 0 &&
             bad_epochs < (1 << 30) && best_epoch <= epoch && batch >= 0 && acc_n >= 0 &&
             skipped >= 0;
    json_decref(o);
    if (!ok)
        return RNNC_FAIL(RNNC_ERR_FORMAT,
                         "%s: metadata rnnc.train_state is missing or malformed; not a checkpoint "
                         "written by 'rnnc train'",
                         path);
    s->epoch = (int)epoch, s->step = (long)step, s->sched.t = (long)t;
    s->sched.num_bad_epochs = (long)bad, s->sched.cooldown_counter = (long)cool;
    s->best_epoch = (int)best_epoch, s->bad_epochs = (int)bad_epochs;
    s->batch = (long)batch, s->acc_n = (long)acc_n, s->skipped = (long)skipped;
    s->skipped_items = (long)sk_items;
    return RNNC_OK;
}

/* ---- files ---- */

static char *join(const char *dir, const char *name) {
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* "x/checkpoint.safetensors" -> "x/checkpoint" + suffix */
char *rnnc__sibling_path(const char *ckpt, const char *suffix) {
    size_t n = strlen(ckpt);
    const char *ext = ".safetensors";
    size_t e = strlen(ext), base = (n > e && !strcmp(ckpt + n - e, ext)) ? n - e : n;
    char *p = malloc(base + strlen(suffix) + 1);
    if (!p)
        return NULL;
    memcpy(p, ckpt, base);
    strcpy(p + base, suffix);
    return p;
}

static const char *const run_files[] = {"model.safetensors",
                                        "best.safetensors",
                                        "checkpoint.safetensors",
                                        "checkpoint.optim.safetensors",
                                        "checkpoint.optim.next.safetensors",
                                        "checkpoint.ema.safetensors",
                                        "checkpoint.ema.next.safetensors",
                                        "checkpoint.lmstate.safetensors",
                                        "checkpoint.lmstate.next.safetensors",
                                        "metrics.jsonl",
                                        "metrics.jsonl.new",
                                        "steps.jsonl",
                                        "steps.jsonl.new",
                                        "run.lock",
                                        NULL};

const char *const *rnnc_run_files(void) {
    return run_files;
}

/* A run folder belongs to one run at a time: a write lock (fcntl, POSIX) on OUT/run.lock, held
 * from before the first file is touched until the run ends (closing the file, or the process's
 * death, releases it). A second run is refused at its start, naming the process that holds the
 * folder, so two runs never interleave their checkpoints, optimizer files and logs. Returns the
 * open descriptor in *fd. */
static rnnc_status lock_dir(const char *dir, int *fd) {
    *fd = -1;
    char *p = join(dir, "run.lock");
    if (!p)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
    const int f = open(p, O_RDWR | O_CREAT, 0666);
    if (f < 0) {
        rnnc_status st = RNNC_FAIL(RNNC_ERR_IO, "%s: cannot open: %s", p, strerror(errno));
        free(p);
        return st;
    }
    struct flock lk;
    memset(&lk, 0, sizeof lk);
    lk.l_type = F_WRLCK, lk.l_whence = SEEK_SET; /* l_start 0, l_len 0: the whole file */
    if (fcntl(f, F_SETLK, &lk) == 0) {
        free(p);
        *fd = f;
        return RNNC_OK;
    }
    const int err = errno;
    struct flock who;
    memset(&who, 0, sizeof who);
    who.l_type = F_WRLCK, who.l_whence = SEEK_SET;
    rnnc_status st;
    if ((err == EACCES || err == EAGAIN) && fcntl(f, F_GETLK, &who) == 0 && who.l_type != F_UNLCK)
        st = RNNC_FAIL(RNNC_ERR_STATE,
                       "%s: another run (process %ld) is training into this folder; wait for it "
                       "to end or choose another output folder",
                       dir, (long)who.l_pid);
    else if (err == EACCES || err == EAGAIN)
        st = RNNC_FAIL(RNNC_ERR_STATE, "%s: another run is training into this folder", dir);
    else
        st = RNNC_FAIL(RNNC_ERR_IO, "%s: cannot lock: %s", p, strerror(err));
    close(f);
    free(p);
    return st;
}

/* mkdir -p */
rnnc_status rnnc__make_dir(const char *dir, const char *what) {
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf)
        return RNNC_FAIL(RNNC_ERR_ARG, "%s: name too long", what);
    for (char *p = buf + 1;; p++) {
        const int end = *p == 0;
        if (*p == '/' || end) {
            *p = 0;
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return RNNC_FAIL(RNNC_ERR_IO, "%s: cannot create %s: %s", buf, what,
                                 strerror(errno));
            if (end)
                break;
            *p = '/';
        }
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return RNNC_FAIL(RNNC_ERR_IO, "%s: exists and is not a folder", dir);
    return RNNC_OK;
}

/* Cuts a log file after its first lines for which keep() says yes (stopping at the first no):
 * truncate(2) at that byte, so nothing is copied and nothing before it can be lost. */
static void trim_lines(const char *path, int (*keep)(const char *line, void *ctx), void *ctx) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    char *line = NULL;
    size_t lcap = 0;
    off_t end = 0;
    ssize_t n;
    while ((n = getline(&line, &lcap, f)) > 0 && keep(line, ctx))
        end += n;
    free(line);
    fclose(f);
    if (truncate(path, end) != 0) { /* the log is advisory; training goes on without the cut */
    }
}

/* metrics.jsonl: one line per completed epoch; ctx counts down the epochs a resume keeps. */
static int keep_epoch_line(const char *line, void *ctx) {
    (void)line;
    int *left = ctx;
    return (*left)-- > 0;
}

static void trim_log(const char *path, int epochs) {
    trim_lines(path, keep_epoch_line, &epochs);
}

/* steps.jsonl: every batch of the completed epochs and the first `batch` batches of the next.
 * Each line starts {"step":S,"epoch":E,"batch":K. */
typedef struct step_pos {
    int epochs;
    long batch;
} step_pos;

static int keep_step_line(const char *line, void *ctx) {
    const step_pos *p = ctx;
    long step, k;
    int e;
    if (sscanf(line, "{\"step\":%ld,\"epoch\":%d,\"batch\":%ld", &step, &e, &k) != 3)
        return 0;
    return e <= p->epochs || (e == p->epochs + 1 && k <= p->batch);
}

static void trim_steps(const char *path, int epochs, long batch) {
    step_pos p = {epochs, batch};
    trim_lines(path, keep_step_line, &p);
}

static void log_num(FILE *f, const char *key, double v) {
    if (isfinite(v))
        fprintf(f, ",\"%s\":%.9g", key, v);
    else
        fprintf(f, ",\"%s\":null", key);
}

static void log_epoch(const char *path, const rnnc_epoch_report *r) {
    FILE *f = fopen(path, "ab");
    if (!f)
        return;
    fprintf(f, "{\"epoch\":%d,\"step\":%ld", r->epoch, r->step);
    log_num(f, "lr", r->lr);
    log_num(f, "loss", r->loss);
    log_num(f, "accuracy", r->accuracy);
    log_num(f, "val_loss", r->val_loss);
    log_num(f, "val_accuracy", r->val.accuracy);
    log_num(f, "val_precision", r->val.precision);
    log_num(f, "val_recall", r->val.recall);
    log_num(f, "val_f1", r->val.f1);
    log_num(f, "val_auc", r->val.auc);
    log_num(f, "val_score", r->val_score);
    log_num(f, "grad_norm_mean", r->grad_norm_mean);
    log_num(f, "grad_norm_max", r->grad_norm_max);
    fprintf(f, ",\"skipped\":%ld", r->skipped);
    log_num(f, "seconds", r->seconds);
    log_num(f, "items_per_s", r->items_per_s);
    fprintf(f, "}\n");
    fclose(f);
}

/* ---- evaluation ---- */

rnnc_status rnnc__evaluate(const rnnc__task *task, int set, int B, double *loss,
                           rnnc_metric_values *values) {
    const size_t n = set ? task->n_val : task->n_train;
    if (B < 1)
        return RNNC_FAIL(RNNC_ERR_ARG, "evaluate: batch size must be >= 1");
    if (n == 0)
        return RNNC_FAIL(RNNC_ERR_ARG, "evaluate: the data set is empty");
    rnnc_metrics *met = NULL;
    size_t *idx = NULL;
    RNNC_TRY(rnnc_metrics_create(task->n_classes, &met));
    rnnc_status s = rnnc__calloc((void **)&idx, (size_t)B, sizeof *idx, "batch indices");
    double sum = 0;
    for (size_t start = 0; s == RNNC_OK && start < n; start += (size_t)B) {
        const int nb = (int)(n - start < (size_t)B ? n - start : (size_t)B);
        for (int i = 0; i < nb; i++)
            idx[i] = start + (size_t)i;
        rnnc_batch batch;
        double l = 0;
        s = task->batch(task->self, set, idx, nb, &batch);
        if (s == RNNC_OK)
            s = rnnc_model_forward(task->model, &batch, 0);
        if (s == RNNC_OK)
            s = task->loss(task->self, set, idx, nb, rnnc_model_output(task->model, NULL, NULL),
                           NULL, &l, met);
        sum += l * nb;
    }
    if (s == RNNC_OK) {
        if (loss)
            *loss = sum / (double)n;
        if (values)
            *values = rnnc_metrics_values(met);
    }
    rnnc_metrics_free(met);
    free(idx);
    return s;
}

/* ---- the loop ---- */

typedef struct fit_run {
    const rnnc__task *task;
    const rnnc_fit_spec *spec;
    rnnc_optim *optim;
    rnnc_metrics *met;
    size_t *perm;
    float *dout;
    size_t dout_cap;
    float *best_params; /* restore_best: the best epoch's weights */
    float *ema, *held;  /* spec->ema: the averaged weights, and the trained ones while avg is in */
    char *ckpt_ema, *ckpt_ema_next;
    char *ckpt, *ckpt_optim, *ckpt_optim_next, *best_path, *final_path, *log_path, *steps_path;
    FILE *steps;                   /* steps.jsonl: one line per batch */
    char *steps_new, *metrics_new; /* a fresh run logs here until its first checkpoint */
    int fresh_logs;       /* the previous run's logs are replaced at the first checkpoint */
    char *setup;          /* the task's setup lines, then the caller's (NULL: none) */
    rnnc_tensorboard *tb; /* spec->tensorboard's event file, or NULL */
    fit_state st;
} fit_run;

static double monitored(const fit_run *r, const rnnc_epoch_report *e) {
    if (r->task->n_val == 0)
        return e->loss;
    return r->spec->monitor == RNNC_MONITOR_VAL_ACCURACY ? e->val.accuracy
           : r->spec->monitor == RNNC_MONITOR_VAL_SCORE  ? e->val_score
                                                         : e->val_loss;
}

/* The first parameter whose gradient holds a NaN or an infinity (for the message). */
static const char *nonfinite_param(rnnc_model *m) {
    for (int i = 0; i < rnnc_model_param_count(m); i++) {
        const char *name;
        size_t n;
        rnnc_model_param_info(m, i, &name, NULL, NULL);
        const float *g = rnnc_model_grad(m, name, &n);
        for (size_t k = 0; g && k < n; k++)
            if (!isfinite(g[k]))
                return name;
    }
    return "?";
}

static void log_step(fit_run *r, int epoch, long batch, double loss, double norm, double lr,
                     int skipped) {
    if (!r->steps)
        return;
    fprintf(r->steps, "{\"step\":%ld,\"epoch\":%d,\"batch\":%ld", r->st.step, epoch, batch);
    log_num(r->steps, "loss", loss);
    log_num(r->steps, "grad_norm", norm);
    log_num(r->steps, "lr", lr);
    fprintf(r->steps, ",\"skipped\":%s}\n", skipped ? "true" : "false");
}

/* A step's scalars for TensorBoard (a skipped batch takes no step and gives none); a failed write
 * is kept by the writer and reported at the epoch's end. */
static void board_step(fit_run *r, double loss, double norm, double lr) {
    const char *const tag[3] = {"step/loss", "step/lr", "step/grad_norm"};
    const double v[3] = {loss, lr, norm};
    for (int i = 0; r->tb && i < 3; i++)
        if (isfinite(v[i]))
            rnnc_tensorboard_scalar(r->tb, tag[i], r->st.step, v[i]);
}

/* An epoch's scalars: each finite value of its metrics.jsonl line, at the epoch number. */
static rnnc_status board_epoch(fit_run *r, const rnnc_epoch_report *e) {
    if (!r->tb)
        return RNNC_OK;
    const char *const tag[] = {"epoch/loss",           "epoch/accuracy",      "epoch/val_loss",
                               "epoch/val_accuracy",   "epoch/val_precision", "epoch/val_recall",
                               "epoch/val_f1",         "epoch/val_auc",       "epoch/lr",
                               "epoch/grad_norm_mean", "epoch/grad_norm_max", "epoch/val_score"};
    const double v[] = {
        e->loss,   e->accuracy, e->val_loss, e->val.accuracy,   e->val.precision, e->val.recall,
        e->val.f1, e->val.auc,  e->lr,       e->grad_norm_mean, e->grad_norm_max, e->val_score};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        if (isfinite(v[i]))
            rnnc_tensorboard_scalar(r->tb, tag[i], e->epoch, v[i]);
    return rnnc_tensorboard_flush(r->tb);
}

/* avg = ema avg + (1 - ema) w after a step; the first step of the run copies w. */
static void ema_update(fit_run *r) {
    size_t n;
    const float *restrict w = rnnc_model_params(r->task->model, &n);
    float *restrict a = r->ema;
    const float d = (float)r->spec->ema, e = 1.0f - d;
    if (r->st.step == 1)
        memcpy(a, w, n * sizeof(float));
    else
        for (size_t i = 0; i < n; i++)
            a[i] = d * a[i] + e * w[i];
}

/* The model takes the averaged weights (use 1) or gets its trained ones back (use 0). */
static void ema_use(fit_run *r, int use) {
    size_t n;
    float *p = rnnc_model_params(r->task->model, &n);
    if (use)
        memcpy(r->held, p, n * sizeof(float)), memcpy(p, r->ema, n * sizeof(float));
    else
        memcpy(p, r->held, n * sizeof(float));
}

/* One epoch from batch r->st.batch on (0, or where an interrupted run stopped). */
static rnnc_status train_epoch(fit_run *r, rnnc_epoch_report *rep) {
    const rnnc__task *task = r->task;
    const rnnc_fit_spec *spec = r->spec;
    const size_t n = task->n_train, B = (size_t)spec->batch_size;
    const size_t batches = (n + B - 1) / B;
    fit_state *st = &r->st;
    if (st->batch == 0) { /* a fresh epoch */
        st->epoch_rng = st->shuffle;
        st->loss_sum = st->acc_correct = st->gn_sum = st->gn_max = 0;
        st->acc_n = st->skipped = st->skipped_items = 0;
    } else { /* resuming inside it: the same permutation again */
        st->shuffle = st->epoch_rng;
    }
    /* Fisher-Yates with the shuffle stream */
    for (size_t i = 0; i < n; i++)
        r->perm[i] = i;
    for (size_t i = n; i > 1 && !task->ordered; i--) {
        size_t j = rnnc_rng_below(&st->shuffle, (uint32_t)i);
        size_t t = r->perm[i - 1];
        r->perm[i - 1] = r->perm[j], r->perm[j] = t;
    }
    rnnc_metrics_reset(r->met);
    const double t0 = now_s();
    const size_t first = (size_t)st->batch;
    for (size_t k = first; k < batches; k++) {
        const size_t *idx = r->perm + k * B;
        const int nb = (int)(n - k * B < B ? n - k * B : B);
        rnnc_batch batch;
        RNNC_TRY(task->batch(task->self, 0, idx, nb, &batch));
        RNNC_TRY(rnnc_model_forward(task->model, &batch, 1));
        int ndim;
        size_t dims[3];
        const float *out = rnnc_model_output(task->model, &ndim, dims);
        size_t need = dims[0] * dims[1] * (ndim == 3 ? dims[2] : 1);
        if (need > r->dout_cap) {
            float *d = realloc(r->dout, need * sizeof(float));
            if (!d)
                return RNNC_FAIL(RNNC_ERR_NOMEM, "cannot allocate the output gradient");
            r->dout = d, r->dout_cap = need;
        }
        double l, norm = NAN;
        rep->lr = rnnc_sched_lr(&st->sched);
        RNNC_TRY(task->loss(task->self, 0, idx, nb, out, r->dout, &l, r->met));
        const char *bad = NULL; /* what is not finite */
        char what[96] = "the loss";
        if (!isfinite(l)) {
            bad = what;
        } else {
            rnnc_model_zero_grad(task->model);
            rnnc_model_set_input_grad(task->model, 0); /* never used here */
            RNNC_TRY(rnnc_model_backward(task->model, r->dout));
            rnnc__finetune_l2sp(&spec->finetune, task->model);
            norm = rnnc_grad_norm(task->model);
            if (!isfinite(norm)) {
                snprintf(what, sizeof what, "the gradient of %s", nonfinite_param(task->model));
                bad = what;
            }
        }
        if (bad && !spec->skip_nonfinite)
            return RNNC_FAIL(RNNC_ERR_NUMERIC,
                             "epoch %d, batch %zu (step %ld): %s is %s (try a lower learning rate "
                             "or clip_norm, or [train] on_nonfinite = skip)",
                             rep->epoch, k + 1, st->step + 1, bad,
                             isfinite(l) ? "not finite" : (isnan(l) ? "NaN" : "infinite"));
        if (bad) {
            st->skipped++;
            st->skipped_items += nb;
            log_step(r, rep->epoch, (long)k + 1, l, norm, rep->lr, 1);
        } else {
            if (spec->clip_value > 0)
                RNNC_TRY(rnnc_clip_grad_value(task->model, spec->clip_value));
            if (spec->clip_norm > 0 && spec->clip_value > 0)
                RNNC_TRY(rnnc_clip_grad_norm(task->model, spec->clip_norm, NULL));
            else if (spec->clip_norm > 0 && spec->clip_norm / (norm + 1e-6) < 1)
                rnnc__scale_grads(task->model, spec->clip_norm / (norm + 1e-6)); /* as measured */
            RNNC_TRY(rnnc_optim_set_lr(r->optim, rep->lr));
            RNNC_TRY(rnnc_optim_step(r->optim));
            st->step++;
            if (r->ema)
                ema_update(r);
            if (spec->sched_per_batch && spec->sched.kind != RNNC_SCHED_PLATEAU)
                rnnc_sched_step(&st->sched);
            st->loss_sum += l * nb;
            st->gn_sum += norm;
            st->gn_max = norm > st->gn_max ? norm : st->gn_max;
            log_step(r, rep->epoch, (long)k + 1, l, norm, rep->lr, 0);
            board_step(r, l, norm, rep->lr);
        }
        const size_t done = k * B + (size_t)nb;
        if (spec->on_progress) {
            rnnc_progress p;
            const double dt = now_s() - t0;
            p.epoch = rep->epoch, p.epochs = rep->epochs;
            p.batch = k + 1, p.batches = batches;
            p.items = done;
            p.loss = done > (size_t)st->skipped_items
                         ? st->loss_sum / (double)(done - (size_t)st->skipped_items)
                         : NAN;
            p.items_per_s = dt > 0 ? (double)(done - first * B) / dt : 0;
            p.eta_s = dt / (double)(k + 1 - first) * (double)(batches - k - 1);
            spec->on_progress(&p, spec->user);
        }
        if (k + 1 < batches && spec->should_stop && spec->should_stop(spec->user)) {
            const rnnc_metric_values v = rnnc_metrics_values(r->met);
            st->batch = (long)k + 1;
            st->acc_correct += v.n ? round(v.accuracy * (double)v.n) : 0;
            st->acc_n += (long)v.n;
            rep->interrupted = 1;
            rep->loss = st->loss_sum / (double)(done - (size_t)st->skipped_items);
            rep->step = st->step;
            return RNNC_OK;
        }
    }
    const double dt = now_s() - t0;
    const rnnc_metric_values v = rnnc_metrics_values(r->met);
    const long counted = (long)(batches - (size_t)st->skipped);
    rep->loss = n > (size_t)st->skipped_items
                    ? st->loss_sum / (double)(n - (size_t)st->skipped_items)
                    : NAN;
    rep->accuracy = (st->acc_correct + (v.n ? round(v.accuracy * (double)v.n) : 0)) /
                    (double)(st->acc_n + (long)v.n);
    rep->items_per_s = dt > 0 ? (double)(n - first * B) / dt : 0;
    rep->step = st->step;
    rep->skipped = st->skipped;
    rep->grad_norm_mean = counted > 0 ? st->gn_sum / (double)counted : NAN;
    rep->grad_norm_max = st->gn_max;
    st->batch = 0;
    return RNNC_OK;
}

/* The average of the checkpoint's own state: from checkpoint.ema.safetensors or (a kill between
 * the checkpoint and the rename) its .next file. */
static rnnc_status ema_resume(fit_run *r, const char *state) {
    size_t n;
    rnnc_model_params(r->task->model, &n);
    char *paths[2] = {rnnc__sibling_path(r->spec->resume, ".ema.safetensors"),
                      rnnc__sibling_path(r->spec->resume, ".ema.next.safetensors")};
    int found = 0;
    rnnc_status s = RNNC_OK;
    for (int k = 0; k < 2 && state && !found && s == RNNC_OK; k++) {
        rnnc_tensor_file *f = NULL;
        if (!paths[k] || rnnc_tensor_file_read(paths[k], &f) != RNNC_OK)
            continue;
        const char *tag = rnnc_tensor_file_meta(f, "rnnc.train_state");
        const rnnc_tensor *t = rnnc_tensor_file_find(f, "ema");
        const int good = tag && !strcmp(tag, state) && t && t->dtype == RNNC_DTYPE_F32 &&
                         t->nbytes == n * sizeof(float);
        if (good && (s = rnnc_tensor_check_finite(t, paths[k])) == RNNC_OK)
            memcpy(r->ema, t->data, t->nbytes), found = 1;
        rnnc_tensor_file_free(f);
    }
    if (s == RNNC_OK && !found && r->st.step > 0) /* with no step yet there is nothing to average */
        s = RNNC_FAIL(RNNC_ERR_FORMAT,
                      "%s: no weight average for this checkpoint (the run had [train] ema = 0, "
                      "or the file was removed); resume with the same ema setting",
                      paths[0] ? paths[0] : r->spec->resume);
    free(paths[0]), free(paths[1]);
    return s;
}

/* ---- the setup ---- */

/* The task's setup lines, then the caller's, with every byte outside printable ASCII (but the
 * line ends) written as \xNN: the text goes into the train state's JSON, and into messages. */
static rnnc_status make_setup(const char *task, const char *caller, char **out) {
    *out = NULL;
    if (!task && !caller)
        return RNNC_OK;
    const char *part[2] = {task ? task : "", caller ? caller : ""};
    size_t n = 3; /* a line end after each part, and the NUL */
    for (int k = 0; k < 2; k++)
        n += 4 * strlen(part[k]);
    char *s = malloc(n);
    if (!s)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
    size_t w = 0;
    for (int k = 0; k < 2; k++) {
        for (const unsigned char *p = (const unsigned char *)part[k]; *p; p++)
            w += (size_t)((*p >= 0x20 && *p < 0x7f) || *p == '\n'
                              ? snprintf(s + w, n - w, "%c", *p)
                              : snprintf(s + w, n - w, "\\x%02X", *p));
        if (w && s[w - 1] != '\n')
            s[w++] = '\n', s[w] = 0;
    }
    s[w] = 0;
    *out = s;
    return RNNC_OK;
}

/* The value of `key` in setup lines (len bytes, into v), or 0 when the lines lack it. */
static int setup_value(const char *lines, const char *key, size_t klen, char *v, size_t cap) {
    for (const char *p = lines; *p;) {
        const char *nl = strchr(p, '\n'), *end = nl ? nl : p + strlen(p);
        const char *eq = memchr(p, '=', (size_t)(end - p));
        if (eq && (size_t)(eq - p) == klen && !memcmp(p, key, klen)) {
            const size_t n = (size_t)(end - eq - 1) < cap - 1 ? (size_t)(end - eq - 1) : cap - 1;
            memcpy(v, eq + 1, n);
            v[n] = 0;
            return 1;
        }
        p = nl ? nl + 1 : end;
    }
    return 0;
}

/* Appends "key: now 'x', the checkpoint's 'y'" for every key whose value differs, a key only one
 * side has included. Returns the number of keys that differ. */
static int setup_diff(const char *was, const char *now, char *msg, size_t cap) {
    int n = 0;
    size_t w = strlen(msg);
    for (int side = 0; side < 2; side++) {
        const char *lines = side ? now : was;
        for (const char *p = lines; *p;) {
            const char *nl = strchr(p, '\n'), *end = nl ? nl : p + strlen(p);
            const char *eq = memchr(p, '=', (size_t)(end - p));
            const size_t klen = eq ? (size_t)(eq - p) : (size_t)(end - p);
            char a[160], b[160];
            const int in_was = setup_value(was, p, klen, a, sizeof a);
            const int in_now = setup_value(now, p, klen, b, sizeof b);
            /* each key once: from the checkpoint's side, or from now's when the checkpoint lacks
             * it */
            if (klen && (side == 0 || !in_was) && (!in_was || !in_now || strcmp(a, b))) {
                if (w < cap)
                    w += (size_t)snprintf(
                        msg + w, cap - w, "%s%.*s is %s%s%s (the checkpoint's: %s%s%s)",
                        n ? "; " : "", (int)klen, p, in_now ? "'" : "", in_now ? b : "not set",
                        in_now ? "'" : "", in_was ? "'" : "", in_was ? a : "not set",
                        in_was ? "'" : "");
                n++;
            }
            p = nl ? nl + 1 : end;
        }
    }
    return n;
}

/* Refuses a checkpoint whose setup differs from this run's. A checkpoint without one (no task
 * setup when it was written) is not compared. */
static rnnc_status check_setup(const char *path, const char *state, const char *now) {
    json_error_t err;
    json_t *o = state ? json_loads(state, 0, &err) : NULL;
    const char *was = o ? json_string_value(json_object_get(o, "setup")) : NULL;
    rnnc_status s = RNNC_OK;
    char diff[768] = "";
    if (was && now && setup_diff(was, now, diff, sizeof diff) > 0)
        s = RNNC_FAIL(RNNC_ERR_ARG,
                      "%s: the checkpoint was trained on another setup: %s. Resuming continues "
                      "the same run: give it the same data and options, or train into another "
                      "output folder (or fine-tune from the checkpoint)",
                      path, diff);
    json_decref(o);
    return s;
}

static rnnc_status resume(fit_run *r) {
    const char *path = r->spec->resume;
    rnnc_tensor_file *f;
    RNNC_TRY(rnnc_tensor_file_read(path, &f));
    /* first: another vocabulary would otherwise show as a tensor of another shape */
    rnnc_status s = check_setup(path, rnnc_tensor_file_meta(f, "rnnc.train_state"), r->setup);
    if (s == RNNC_OK)
        s = rnnc_model_load_params(r->task->model, f);
    if (s == RNNC_OK)
        s = state_from_json(rnnc_tensor_file_meta(f, "rnnc.train_state"), path, &r->st);
    if (s == RNNC_OK && r->task->resumed)
        s = r->task->resumed(r->task->self, path, rnnc_tensor_file_meta(f, "rnnc.train_state"));
    if (s == RNNC_OK && r->ema)
        s = ema_resume(r, rnnc_tensor_file_meta(f, "rnnc.train_state"));
    rnnc_tensor_file_free(f);
    RNNC_TRY(s);
    *rnnc_model_rng(r->task->model) = r->st.dropout;
    char *op = rnnc__sibling_path(path, ".optim.safetensors");
    char *next = rnnc__sibling_path(path, ".optim.next.safetensors");
    if (!op || !next) {
        free(op), free(next);
        return RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
    }
    s = rnnc_optim_load(r->optim, op);
    if (s == RNNC_OK && rnnc_optim_steps(r->optim) != r->st.step)
        s = RNNC_FAIL(RNNC_ERR_FORMAT,
                      "%s: holds the optimizer after step %ld, the checkpoint is at step %ld", op,
                      rnnc_optim_steps(r->optim), r->st.step);
    if (s != RNNC_OK && access(next, F_OK) == 0) {
        /* a run stopped between writing the checkpoint and renaming its optimizer file */
        char first[512];
        snprintf(first, sizeof first, "%s", rnnc_last_error());
        rnnc_status s2 = rnnc_optim_load(r->optim, next);
        if (s2 == RNNC_OK && rnnc_optim_steps(r->optim) == r->st.step)
            s = RNNC_OK;
        else
            s = RNNC_FAIL(RNNC_ERR_FORMAT, "%s; and %s does not match either", first, next);
    }
    free(op), free(next);
    RNNC_TRY(s);
    if (r->best_params) { /* the best weights so far come from best.safetensors */
        size_t n;
        float *p = rnnc_model_params(r->task->model, &n);
        memcpy(r->best_params, p, n * sizeof(float));
        /* the checkpoint's weights are the best ones only when it closed the best epoch; a
         * mid-epoch checkpoint (batch > 0) holds weights from the epoch after */
        if (r->best_path && r->st.best_epoch > 0 &&
            (r->ema || r->st.best_epoch != r->st.epoch || r->st.batch > 0)) {
            rnnc_model *tmp = NULL;
            rnnc_tensor_file *bf = NULL;
            s = rnnc_tensor_file_read(r->best_path, &bf);
            if (s == RNNC_OK)
                s = rnnc_model_create(rnnc_model_config(r->task->model), 0, &tmp);
            if (s == RNNC_OK)
                s = rnnc_model_load_params(tmp, bf);
            if (s == RNNC_OK)
                memcpy(r->best_params, rnnc_model_params(tmp, NULL), n * sizeof(float));
            rnnc_model_free(tmp);
            rnnc_tensor_file_free(bf);
            RNNC_TRY(s);
        }
    }
    if (r->log_path)
        trim_log(r->log_path, r->st.epoch);
    if (r->steps_path)
        trim_steps(r->steps_path, r->st.epoch, r->st.batch);
    return RNNC_OK;
}

/* checkpoint.optim.safetensors, then checkpoint.safetensors with the state (rnnc_optim_save and
 * the model file are each atomic; the step count ties the two together). */
static rnnc_status write_checkpoint(fit_run *r) {
    r->st.dropout = *rnnc_model_rng(r->task->model);
    if (!r->spec->out_dir)
        return RNNC_OK;
    if (r->steps)
        fflush(r->steps);
    char *js = state_to_json(&r->st, r->setup);
    if (!js)
        return RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
    rnnc_status s = rnnc_optim_save(r->optim, r->ckpt_optim_next);
    if (s == RNNC_OK && r->ema) { /* the average, tagged with the state it belongs to */
        size_t n;
        rnnc_model_params(r->task->model, &n);
        rnnc_tensor t;
        memset(&t, 0, sizeof t);
        t.name = "ema", t.dtype = RNNC_DTYPE_F32, t.ndim = 1, t.dims[0] = n;
        t.data = r->ema, t.nbytes = n * sizeof(float);
        const char *key = "rnnc.train_state", *val = js;
        s = rnnc_tensor_file_write(r->ckpt_ema_next, &t, 1, &key, &val, 1);
    }
    if (s == RNNC_OK)
        s = r->task->save(r->task->self, r->ckpt, "rnnc.train_state", js);
    free(js);
    if (s == RNNC_OK && rename(r->ckpt_optim_next, r->ckpt_optim) != 0)
        s = RNNC_FAIL(RNNC_ERR_IO, "%s: cannot rename to %s: %s", r->ckpt_optim_next, r->ckpt_optim,
                      strerror(errno));
    if (s == RNNC_OK && r->ema && rename(r->ckpt_ema_next, r->ckpt_ema) != 0)
        s = RNNC_FAIL(RNNC_ERR_IO, "%s: cannot rename to %s: %s", r->ckpt_ema_next, r->ckpt_ema,
                      strerror(errno));
    if (s == RNNC_OK && r->fresh_logs) { /* this run's logs replace the previous run's now */
        r->fresh_logs = 0;
        if (rename(r->metrics_new, r->log_path) != 0)
            trim_log(r->log_path, 0); /* no line yet */
        if (r->steps)
            fclose(r->steps);
        r->steps = NULL;
        if (rename(r->steps_new, r->steps_path) != 0 || !(r->steps = fopen(r->steps_path, "ab")))
            s = RNNC_FAIL(RNNC_ERR_IO, "%s: cannot start the step log: %s", r->steps_path,
                          strerror(errno));
    }
    return s;
}

static rnnc_status fit_run_epochs(fit_run *r, rnnc_epoch_report *last) {
    const rnnc__task *task = r->task;
    const rnnc_fit_spec *spec = r->spec;
    rnnc_epoch_report rep;
    memset(&rep, 0, sizeof rep);
    rep.epoch = r->st.epoch, rep.epochs = spec->epochs, rep.step = r->st.step;
    rep.lr = rnnc_sched_lr(&r->st.sched);
    rep.loss = rep.accuracy = rep.val_loss = NAN;
    for (int e = r->st.epoch + 1; e <= spec->epochs; e++) {
        const double t0 = now_s();
        memset(&rep, 0, sizeof rep);
        rep.epoch = e, rep.epochs = spec->epochs;
        RNNC_TRY(rnnc__finetune_epoch(&spec->finetune, task->model, e));
        RNNC_TRY(train_epoch(r, &rep));
        if (rep.interrupted) { /* stopped inside the epoch: save the position, end here */
            rep.seconds = now_s() - t0;
            rep.val_loss = NAN;
            rep.val.accuracy = rep.val.precision = rep.val.recall = rep.val.f1 = NAN;
            rep.val.auc = rep.accuracy = rep.val_score = NAN;
            RNNC_TRY(write_checkpoint(r));
            if (r->tb)
                RNNC_TRY(rnnc_tensorboard_flush(r->tb));
            if (last)
                *last = rep;
            return RNNC_OK;
        }
        rep.val_loss = rep.val_score = NAN;
        rep.val.accuracy = rep.val.precision = rep.val.recall = rep.val.f1 = rep.val.auc = NAN;
        if (r->ema) /* validation and the best model see the averaged weights */
            ema_use(r, 1);
        if (task->n_val && task->validate)
            RNNC_TRY(task->validate(task->self, &rep.val_loss, &rep.val));
        else if (task->n_val)
            RNNC_TRY(rnnc__evaluate(task, 1, spec->batch_size, &rep.val_loss, &rep.val));
        if (task->n_val && task->score)
            RNNC_TRY(task->score(task->self, &rep.val_score));
        rep.seconds = now_s() - t0;
        const double mon = monitored(r, &rep);
        const double cur = spec->monitor != RNNC_MONITOR_VAL_LOSS && task->n_val ? -mon : mon;
        if (spec->sched.kind == RNNC_SCHED_PLATEAU)
            RNNC_TRY(rnnc_sched_plateau_step(&r->st.sched, mon));
        else if (!spec->sched_per_batch)
            rnnc_sched_step(&r->st.sched);
        /* Keras's EarlyStopping: an improvement must beat the best by more than min_delta */
        if (isfinite(cur) && cur < r->st.best - spec->min_delta) {
            r->st.best = cur, r->st.best_epoch = e, r->st.bad_epochs = 0, rep.improved = 1;
        } else {
            r->st.bad_epochs++;
        }
        rep.stop = spec->patience > 0 && r->st.bad_epochs >= spec->patience;
        r->st.epoch = e;
        if (rep.improved && r->best_params) {
            size_t n;
            const float *p = rnnc_model_params(task->model, &n);
            memcpy(r->best_params, p, n * sizeof(float));
        }
        if (spec->out_dir && rep.improved)
            RNNC_TRY(task->save(task->self, r->best_path, NULL, NULL));
        if (r->ema)
            ema_use(r, 0);
        /* the log line first: a kill between the two leaves a line the resume trims away,
         * never a finished epoch without its line */
        if (spec->out_dir)
            log_epoch(r->fresh_logs ? r->metrics_new : r->log_path, &rep);
        RNNC_TRY(write_checkpoint(r));
        RNNC_TRY(board_epoch(r, &rep));
        if (spec->on_epoch)
            spec->on_epoch(&rep, spec->user);
        if (rep.stop)
            break;
        if (e < spec->epochs && spec->should_stop && spec->should_stop(spec->user)) {
            rep.interrupted = 1; /* asked to stop at the epoch's end: the checkpoint is written */
            if (last)
                *last = rep;
            return RNNC_OK;
        }
    }
    if (spec->restore_best && r->best_params && r->st.best_epoch > 0) {
        size_t n;
        float *p = rnnc_model_params(task->model, &n);
        memcpy(p, r->best_params, n * sizeof(float));
    } else if (r->ema && r->st.step > 0) { /* the final model is the average */
        ema_use(r, 1);
    }
    if (spec->out_dir)
        RNNC_TRY(task->save(task->self, r->final_path, NULL, NULL));
    if (last)
        *last = rep;
    return RNNC_OK;
}

static rnnc_status check_spec(const rnnc__task *task, const rnnc_fit_spec *s) {
    if (s->epochs < 1 || s->epochs > 1000000)
        return RNNC_FAIL(RNNC_ERR_ARG, "epochs must be in [1, 1000000], got %d", s->epochs);
    if (s->batch_size < 1 || s->batch_size > (1 << 20))
        return RNNC_FAIL(RNNC_ERR_ARG, "batch_size must be in [1, 1048576], got %d", s->batch_size);
    if (!(s->clip_norm >= 0) || !(s->clip_value >= 0) || !(s->min_delta >= 0) || s->patience < 0)
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "clip_norm, clip_value, min_delta and patience must be >= 0");
    if (!(s->ema >= 0 && s->ema < 1))
        return RNNC_FAIL(RNNC_ERR_ARG, "ema must be in [0, 1), got %g", s->ema);
    if (s->finetune.unfreeze_every < 0 || !(s->finetune.l2sp >= 0) || !isfinite(s->finetune.l2sp))
        return RNNC_FAIL(RNNC_ERR_ARG, "unfreeze_every and l2sp must be >= 0 and finite");
    if (s->finetune.l2sp > 0 && !s->finetune.anchor)
        return RNNC_FAIL(RNNC_ERR_ARG, "l2sp needs the pretrained weights (finetune.anchor)");
    if (s->monitor != RNNC_MONITOR_VAL_LOSS && s->monitor != RNNC_MONITOR_VAL_ACCURACY &&
        s->monitor != RNNC_MONITOR_VAL_SCORE)
        return RNNC_FAIL(RNNC_ERR_ARG, "unknown monitor %d", s->monitor);
    if (task->n_train == 0)
        return RNNC_FAIL(RNNC_ERR_ARG, "the training set is empty");
    if (task->n_train > UINT32_MAX)
        return RNNC_FAIL(RNNC_ERR_ARG, "more than 2^32 training examples");
    if (s->restore_best && task->n_val == 0)
        return RNNC_FAIL(RNNC_ERR_ARG, "restore_best needs validation data");
    if (s->monitor == RNNC_MONITOR_VAL_ACCURACY && task->n_val == 0)
        return RNNC_FAIL(RNNC_ERR_ARG, "monitor = val_accuracy needs validation data");
    if (s->monitor == RNNC_MONITOR_VAL_SCORE && (task->n_val == 0 || !task->score))
        return RNNC_FAIL(RNNC_ERR_ARG,
                         "monitor = val_score needs validation data and a task with a score of "
                         "its own (a translator's BLEU)");
    return RNNC_OK;
}

rnnc_status rnnc__fit(const rnnc__task *task, const rnnc_fit_spec *spec, rnnc_epoch_report *last) {
    if (!task || !spec)
        return RNNC_FAIL(RNNC_ERR_ARG, "fit: NULL argument");
    RNNC_TRY(RNNC__SPEC_CHECK(spec, rnnc_fit_spec));
    RNNC_TRY(check_spec(task, spec));
    if (spec->resume && !spec->out_dir)
        return RNNC_FAIL(RNNC_ERR_ARG, "resuming needs an output folder");
    fit_run r;
    memset(&r, 0, sizeof r);
    r.task = task, r.spec = spec;
    size_t np;
    rnnc_model_params(task->model, &np);
    rnnc_status s = rnnc_optim_create(task->model, &spec->optim, &r.optim);
    if (s == RNNC_OK)
        s = rnnc__finetune_optim(&spec->finetune, r.optim, task->model);
    /* a schedule over the whole run may leave its length out, and may not end before the run */
    rnnc_sched_spec sched = spec->sched;
    const long per_epoch =
        spec->sched_per_batch
            ? (long)((task->n_train + (size_t)spec->batch_size - 1) / (size_t)spec->batch_size)
            : 1L;
    const long run_steps = (long)spec->epochs * per_epoch;
    const int whole_run = sched.kind == RNNC_SCHED_ONECYCLE || sched.kind == RNNC_SCHED_SLANTED;
    if (whole_run && sched.total_steps == 0)
        sched.total_steps = run_steps;
    if (s == RNNC_OK && whole_run && sched.total_steps < run_steps)
        s = RNNC_FAIL(RNNC_ERR_ARG,
                      "[schedule] total_steps = %ld is shorter than the run's %ld steps (%d "
                      "epochs x %ld %s): the %s schedule would end at step %ld and hold its last "
                      "rate after it; raise total_steps to %ld or leave it out (the run's length)",
                      sched.total_steps, run_steps, spec->epochs, per_epoch,
                      spec->sched_per_batch ? "batches" : "step per epoch",
                      sched.kind == RNNC_SCHED_ONECYCLE ? "one-cycle" : "slanted triangular",
                      sched.total_steps, run_steps);
    if (s == RNNC_OK)
        s = rnnc_sched_init(&r.st.sched, &sched, spec->optim.lr);
    if (s == RNNC_OK)
        s = rnnc_metrics_create(task->n_classes, &r.met);
    if (s == RNNC_OK)
        s = rnnc__calloc((void **)&r.perm, task->n_train, sizeof *r.perm, "order");
    if (s == RNNC_OK && spec->restore_best)
        s = rnnc__calloc((void **)&r.best_params, np, sizeof(float), "best weights");
    if (s == RNNC_OK && spec->ema > 0) {
        s = rnnc__calloc((void **)&r.ema, np, sizeof(float), "weight average");
        if (s == RNNC_OK)
            s = rnnc__calloc((void **)&r.held, np, sizeof(float), "weight average");
    }
    int lock = -1;
    if (s == RNNC_OK && spec->out_dir) {
        s = rnnc__make_dir(spec->out_dir, "the output folder");
        if (s == RNNC_OK)
            s = lock_dir(spec->out_dir, &lock);
        r.ckpt = join(spec->out_dir, "checkpoint.safetensors");
        r.best_path = join(spec->out_dir, "best.safetensors");
        r.final_path = join(spec->out_dir, "model.safetensors");
        r.log_path = join(spec->out_dir, "metrics.jsonl");
        r.steps_path = join(spec->out_dir, "steps.jsonl");
        r.steps_new = join(spec->out_dir, "steps.jsonl.new");
        r.metrics_new = join(spec->out_dir, "metrics.jsonl.new");
        r.ckpt_optim = r.ckpt ? rnnc__sibling_path(r.ckpt, ".optim.safetensors") : NULL;
        r.ckpt_optim_next = r.ckpt ? rnnc__sibling_path(r.ckpt, ".optim.next.safetensors") : NULL;
        r.ckpt_ema = r.ckpt ? rnnc__sibling_path(r.ckpt, ".ema.safetensors") : NULL;
        r.ckpt_ema_next = r.ckpt ? rnnc__sibling_path(r.ckpt, ".ema.next.safetensors") : NULL;
        if (s == RNNC_OK && !(r.ckpt && r.best_path && r.final_path && r.log_path && r.ckpt_optim &&
                              r.ckpt_optim_next && r.steps_path && r.steps_new && r.metrics_new &&
                              r.ckpt_ema && r.ckpt_ema_next))
            s = RNNC_FAIL(RNNC_ERR_NOMEM, "out of memory");
    }
    if (s == RNNC_OK)
        s = make_setup(task->setup, spec->setup, &r.setup);
    if (s == RNNC_OK) {
        rnnc_rng_seed(&r.st.shuffle, spec->seed);
        rnnc_rng_seed(rnnc_model_rng(task->model), spec->seed ^ UINT64_C(0x9E3779B97F4A7C15));
        r.st.best = INFINITY;
        if (spec->resume)
            s = resume(&r);
        else
            r.fresh_logs = r.steps_path != NULL;
        if (r.fresh_logs)
            unlink(r.metrics_new); /* a stale one from a killed fresh run */
        const char *sp = r.fresh_logs ? r.steps_new : r.steps_path;
        if (s == RNNC_OK && sp && !(r.steps = fopen(sp, r.fresh_logs ? "wb" : "ab")))
            s = RNNC_FAIL(RNNC_ERR_IO, "%s: cannot open: %s", sp, strerror(errno));
    }
    if (s == RNNC_OK && spec->tensorboard && !(r.st.epoch >= spec->epochs && spec->resume)) {
        s = rnnc_tensorboard_open(spec->tensorboard, &r.tb);
        if (s == RNNC_OK && spec->resume) /* the steps after the checkpoint are this run's */
            s = rnnc_tensorboard_restart(r.tb, r.st.step + 1);
    }
    if (s == RNNC_OK && r.st.epoch >= spec->epochs && spec->resume)
        s = RNNC_FAIL(RNNC_ERR_ARG, "%s: the checkpoint already finished epoch %d of %d",
                      spec->resume, r.st.epoch, spec->epochs);
    if (s == RNNC_OK)
        s = fit_run_epochs(&r, last);
    rnnc_optim_free(r.optim);
    rnnc_metrics_free(r.met);
    free(r.perm);
    free(r.dout);
    free(r.best_params);
    free(r.ema), free(r.held), free(r.setup);
    rnnc_tensorboard_free(r.tb);
    free(r.ckpt_ema), free(r.ckpt_ema_next);
    if (r.steps)
        fclose(r.steps);
    if (r.fresh_logs) { /* failed before its first checkpoint */
        unlink(r.steps_new);
        unlink(r.metrics_new);
    }
    free(r.ckpt), free(r.ckpt_optim), free(r.best_path), free(r.final_path), free(r.log_path);
    free(r.steps_path), free(r.ckpt_optim_next), free(r.steps_new), free(r.metrics_new);
    if (lock >= 0)
        close(lock); /* the folder is free for the next run */
    return s;
}
