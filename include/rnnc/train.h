/* rnnc/train.h: training: losses, optimizers (and their saved state), metrics, learning-rate
 * schedules, and the training loop's settings and reports shared by every task.
 * Part of the public API; include "rnnc.h" for all of it (its conventions hold here). */
#ifndef RNNC_TRAIN_H
#define RNNC_TRAIN_H

#include "nn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Losses. Each computes the mean loss with sums in double, as the matching torch.nn loss with
 * reduction='mean', and, when grad is not NULL, writes d(loss)/d(input) into grad (same shape as
 * the input). Inputs are borrowed; grad may not alias them. n == 0 gives 0 and writes nothing.
 */
/* Mean squared error over n values (torch.nn.MSELoss). pred, target, grad (n). */
double rnnc_loss_mse(const float *pred, const float *target, size_t n, float *grad);
/* Binary cross-entropy on logits (torch.nn.BCEWithLogitsLoss), stable for any logit:
 * max(z,0) - z*y + log(1 + exp(-|z|)), mean over n. logits, target, grad (n). */
double rnnc_loss_bce_logits(const float *logits, const float *target, size_t n, float *grad);
/* Mean absolute error (torch.nn.L1Loss): mean |pred - target|; the gradient is
 * sign(pred - target)/n, 0 where pred == target. pred, target, grad (n). */
double rnnc_loss_mae(const float *pred, const float *target, size_t n, float *grad);
/* Huber loss (torch.nn.HuberLoss(delta)): with d = pred - target, 0.5*d^2 where |d| < delta and
 * delta*(|d| - 0.5*delta) elsewhere, mean over n, into *loss; the gradient is
 * clamp(d, -delta, delta)/n. delta must be finite and > 0: otherwise RNNC_ERR_ARG naming delta,
 * with nothing written. pred, target, grad (n). */
rnnc_status rnnc_loss_huber(const float *pred, const float *target, size_t n, double delta,
                            double *loss, float *grad);
/* Softmax cross-entropy with integer targets, as torch.nn.CrossEntropyLoss(ignore_index=...):
 * row i contributes logsumexp(logits[i,:]) - logits[i,target[i]] (stabilised by the row maximum,
 * sums in double, so logits of +-1e4 are fine), and the loss is the mean over the rows whose
 * target is not ignore_index. logits (N,C), target (N), grad (N,C) or NULL: softmax minus one-hot
 * over the count of counted rows; rows with the ignored target get 0. *loss gets the mean, 0 when
 * every row is ignored or N == 0 (PyTorch gives NaN there); counted (may be NULL) gets the number
 * of rows counted. Errors, with nothing written: RNNC_ERR_ARG for a NULL logits, target or loss,
 * C == 0, or a target outside [0,C) that is not ignore_index (the message names the row and
 * value); RNNC_ERR_NOMEM when N*C overflows. */
rnnc_status rnnc_loss_softmax_ce(const float *logits, const int32_t *target, size_t N, size_t C,
                                 int32_t ignore_index, double *loss, size_t *counted, float *grad);
/* Gaussian negative log-likelihood (torch.nn.GaussianNLLLoss(full, eps), reduction='mean'): with
 * v = max(var, eps), 0.5*(log v + (mean - target)^2 / v), plus 0.5*log(2 pi) when full, mean over
 * n, into *loss. The clamp is not differentiated (torch clamps under no_grad): grad_mean gets
 * (mean - target)/(v n) and grad_var 0.5*(1/v - (mean - target)^2/v^2)/n, both at the clamped v
 * (either may be NULL). Errors, with nothing written: RNNC_ERR_ARG for a NULL mean, var, target or
 * loss, eps not finite and > 0, or a negative or NaN variance (the message names the element).
 * mean, var, target, grad_mean, grad_var (n). */
rnnc_status rnnc_loss_gaussian_nll(const float *mean, const float *var, const float *target,
                                   size_t n, int full, double eps, double *loss, float *grad_mean,
                                   float *grad_var);
/* Quantile (pinball) loss for nq quantiles q (each in (0,1)): pred (n,nq) holds the forecasts of
 * the quantiles of each target (n); with e = target[i] - pred[i,k], element (i,k) costs
 * max(q_k e, (q_k - 1) e), and *loss is the mean over the n*nq elements (as
 * torch.maximum(q*e, (q-1)*e).mean()). grad (n,nq) or NULL: (1 - q_k)/(n nq) where pred > target,
 * -q_k/(n nq) where pred < target, and (0.5 - q_k)/(n nq) at a tie (the mean of the two sides, as
 * torch.maximum's gradient splits a tie). Errors, with nothing written: RNNC_ERR_ARG for a NULL
 * argument, nq == 0 or a quantile outside (0,1) (naming it). */
rnnc_status rnnc_loss_pinball(const float *pred, const float *target, size_t n, const double *q,
                              size_t nq, double *loss, float *grad);
/* exp(mean cross-entropy in nats): the perplexity of a language model (1 for a perfect one). */
double rnnc_metric_perplexity(double mean_ce);

/* ---------------------------------------------------------------------------------------------
 * Optimizers: torch.optim's update rules (torch 1.13, single-tensor path, maximize off), with the
 * same defaults, epsilon placement and bias correction. g is the gradient, p the parameter, t the
 * step count after increment, lr the current learning rate; state starts at zero unless stated.
 *   SGD:     g += wd p; with momentum > 0: b = g at t = 1, else b = momentum b + (1 - dampening) g;
 *            g = nesterov ? g + momentum b : b; p -= lr g.
 *   Adam:    g += wd p; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; amsgrad: vmax = max(vmax, v)
 *            and v = vmax below; p -= lr/(1-b1^t) m / (sqrt(v)/sqrt(1-b2^t) + eps).
 *   AdamW:   p *= 1 - lr wd (decoupled, no wd in g), then Adam's update.
 *   RMSprop: g += wd p; s = alpha s + (1-alpha) g^2; centered: a = alpha a + (1-alpha) g,
 *            d = sqrt(s - a^2) + eps, else d = sqrt(s) + eps; with momentum > 0: b = momentum b +
 *            g/d, p -= lr b; else p -= lr g/d.
 *   Adagrad: g += wd p; s (starts at initial_accumulator_value) += g^2;
 *            p -= lr/(1 + (t-1) lr_decay) g/(sqrt(s) + eps).
 * Arithmetic is in double with the state and parameters stored as float after each update.
 */
enum rnnc_optim_kind {
    RNNC_OPTIM_SGD = 1,
    RNNC_OPTIM_ADAM,
    RNNC_OPTIM_ADAMW,
    RNNC_OPTIM_RMSPROP,
    RNNC_OPTIM_ADAGRAD
};
/* Every field applies to the kinds named beside it and is ignored by the others. */
typedef struct rnnc_optim_spec {
    size_t struct_size; /* set by rnnc_optim_spec_init(); see docs/api.md, "Compatibility" */
    enum rnnc_optim_kind kind;
    double lr;                        /* SGD 1e-2 (torch has no default), Adam/AdamW 1e-3,
                                         RMSprop 1e-2, Adagrad 1e-2 */
    double beta1, beta2;              /* Adam, AdamW: 0.9, 0.999 */
    double eps;                       /* Adam/AdamW/RMSprop 1e-8, Adagrad 1e-10; always added
                                         after the square root */
    double momentum;                  /* SGD, RMSprop: 0 */
    double dampening;                 /* SGD: 0 */
    int nesterov;                     /* SGD: 0; needs momentum > 0 and dampening 0 */
    int amsgrad;                      /* Adam, AdamW: 0 */
    double alpha;                     /* RMSprop: 0.99 */
    int centered;                     /* RMSprop: 0 */
    double lr_decay;                  /* Adagrad: 0 */
    double initial_accumulator_value; /* Adagrad: 0 */
    double weight_decay;              /* AdamW 1e-2 (decoupled); others 0 (L2 added to g) */
} rnnc_optim_spec;
typedef struct rnnc_optim rnnc_optim;

/* torch.optim's defaults for `kind` (listed above). An unknown kind gives a spec that
 * rnnc_optim_create rejects. */
/* Fills *s with the defaults: its first `size` bytes (the caller's sizeof), struct_size = size. */
void rnnc_optim_spec_defaults(rnnc_optim_spec *s, size_t size, int kind);
static inline rnnc_optim_spec rnnc_optim_spec_init(int kind) {
    rnnc_optim_spec s;
    rnnc_optim_spec_defaults(&s, sizeof s, kind);
    return s;
}
/* "sgd", "adam", "adamw", "rmsprop" or "adagrad" (exact, lower case) to a kind; ARG error naming
 * the valid names otherwise. */
rnnc_status rnnc_optim_kind_parse(const char *name, int *kind);
/* An optimizer for all of m's parameters; keeps m (borrowed) until freed. Checks the spec as
 * torch.optim does (lr, eps, momentum, weight_decay, alpha, lr_decay, initial_accumulator_value
 * >= 0; betas in [0, 1); Nesterov needs momentum > 0 and dampening 0) and that every value is
 * finite; the message names the field. */
rnnc_status rnnc_optim_create(rnnc_model *m, const rnnc_optim_spec *spec, rnnc_optim **out);
void rnnc_optim_free(rnnc_optim *o);
/* One update from the model's gradient arena (allocates nothing). */
rnnc_status rnnc_optim_step(rnnc_optim *o);
/* Discriminative learning rates (fine-tuning): layer `layer`'s parameters update with the
 * optimizer's current rate times factor (1 by default), as a torch.optim parameter group with
 * its own lr; AdamW's decoupled decay scales with it. factor >= 0 and finite. */
rnnc_status rnnc_optim_set_layer_factor(rnnc_optim *o, int layer, double factor);
/* The steps in which layer `layer` trained (torch.optim's per-parameter state["step"]): a layer
 * frozen for a while (gradual unfreezing) starts its bias correction, momentum buffer and Adagrad
 * decay from its first trained step, as PyTorch does for parameters without gradients. Equal to
 * rnnc_optim_steps while every layer trains; kept in the optimizer's state file. set: for a
 * restore, at most rnnc_optim_steps (rnnc_optim_set_steps sets every layer's count). */
long rnnc_optim_layer_steps(const rnnc_optim *o, int layer);
rnnc_status rnnc_optim_set_layer_steps(rnnc_optim *o, int layer, long steps);
/* The learning rate the next step uses, and a new one (>= 0 and finite; a schedule sets it before
 * each step). Adagrad's lr_decay applies on top of it. */
double rnnc_optim_lr(const rnnc_optim *o);
rnnc_status rnnc_optim_set_lr(rnnc_optim *o, double lr);
/* The whole optimizer state as one float arena (borrowed, writable, lives as long as o), for
 * checkpoints: saving it with rnnc_optim_steps and restoring both into an optimizer created with
 * the same spec for the same model continues bit for bit. With P = the model's parameter count,
 * the layout is, by kind (each block P floats in the parameter arena's order):
 *   SGD:     momentum buffer if momentum > 0, else nothing;
 *   Adam, AdamW: exp_avg, exp_avg_sq, then max_exp_avg_sq if amsgrad;
 *   RMSprop: square_avg, then momentum buffer if momentum > 0, then grad_avg if centered;
 *   Adagrad: sum (created filled with initial_accumulator_value).
 * *n gets the number of floats; NULL (and *n = 0) when the kind keeps no state. */
float *rnnc_optim_state(rnnc_optim *o, size_t *n);
/* Steps taken (torch's state "step"; Adagrad's per-parameter count is the same since all
 * parameters step together), and a restored count (>= 0). */
long rnnc_optim_steps(const rnnc_optim *o);
rnnc_status rnnc_optim_set_steps(rnnc_optim *o, long steps);
/* The global L2 norm of m's gradients, accumulated in double (0 for a model without any). */
double rnnc_grad_norm(rnnc_model *m);
/* Scales gradients so their global L2 norm is at most max_norm (clip_grad_norm_: coefficient
 * max_norm / (norm + 1e-6) when below 1); *norm (may be NULL) gets the norm before clipping
 * (rnnc_grad_norm). max_norm must be >= 0 and not NaN (RNNC_ERR_ARG, nothing changed). */
rnnc_status rnnc_clip_grad_norm(rnnc_model *m, double max_norm, double *norm);
/* Clamps every gradient into [-clip_value, clip_value] (clip_grad_value_; NaN stays NaN).
 * clip_value must be >= 0 and not NaN. */
rnnc_status rnnc_clip_grad_value(rnnc_model *m, double clip_value);

/* ---------------------------------------------------------------------------------------------
 * Metrics
 */
/* A classification metrics accumulator: add batches of scores and labels, read the metrics of
 * everything added since create or reset. It keeps every binary score, so the ROC AUC is exact
 * (8 bytes per example, for 2 classes only). */
typedef struct rnnc_metrics rnnc_metrics;
typedef struct rnnc_metric_values {
    size_t n;        /* examples seen */
    double accuracy; /* correct / n; NAN when n == 0 */
    /* Binary problems (2 classes): precision, recall and F1 of class 1 (sklearn's
     * average='binary'). More classes: macro averages over the classes that occur among the labels
     * or the predictions; a class absent from both is skipped, as sklearn's default labels=None
     * does (counting it as 0 would punish a batch for a class it never saw). Per class, F1 is
     * 2tp / (2tp + fp + fn). Any 0/0 is 0 (sklearn's zero_division=0); 0 when n == 0. */
    double precision, recall, f1;
    /* Binary ROC AUC, ties between a positive and a negative counted 1/2 (Mann-Whitney U over
     * n1*n0); NAN when only one class is present among the labels, and for more than 2 classes. */
    double auc;
} rnnc_metric_values;

/* An empty accumulator for n_classes >= 2 classes (RNNC_ERR_ARG otherwise). Owned by the
 * caller. */
rnnc_status rnnc_metrics_create(int n_classes, rnnc_metrics **out);
void rnnc_metrics_free(rnnc_metrics *m);
/* Forgets everything added (keeps the memory). */
void rnnc_metrics_reset(rnnc_metrics *m);
/* Adds n examples. scores (n,cols): cols == 1 (binary only) is the probability of class 1,
 * predicted as class 1 when > 0.5 (Keras's binary_accuracy rule: 0.5 itself is class 0), and is
 * the AUC score; cols == n_classes is one score per class, the prediction is the argmax (the first
 * on ties) and, for 2 classes, scores[:,1] is the AUC score (so pass softmax probabilities, not
 * raw logits, for the usual AUC). labels (n) in [0, n_classes). Errors, with nothing
 * added: RNNC_ERR_ARG for NULL pointers or a label out of range (naming the index and value),
 * RNNC_ERR_SHAPE for another cols, RNNC_ERR_NUMERIC for a NaN or infinite score (naming the
 * index), RNNC_ERR_NOMEM. */
rnnc_status rnnc_metrics_add(rnnc_metrics *m, const float *scores, size_t n, size_t cols,
                             const int32_t *labels);
/* The metrics of everything added so far; O(n log n) for the AUC, which sorts the kept scores in
 * place (their order means nothing, so later calls give the same values) and allocates nothing.
 * m NULL or empty: n 0, accuracy and auc NAN. */
rnnc_metric_values rnnc_metrics_values(rnnc_metrics *m);

/* ---------------------------------------------------------------------------------------------
 * Learning-rate schedules
 */
/* A learning-rate schedule: rnnc_sched_lr gives the rate to use now; the caller applies it
 * (rnnc_optim_set_lr) and advances the schedule once per unit it chooses (epoch or batch), as
 * torch's scheduler.step(). Values match torch.optim.lr_scheduler's get_last_lr() after t steps:
 *   CONSTANT:    base.
 *   STEP:        base gamma^floor(t / step_size) (StepLR).
 *   EXPONENTIAL: base gamma^t (ExponentialLR).
 *   COSINE:      eta_min + (base - eta_min)(1 + cos(pi t / t_max))/2 (CosineAnnealingLR's closed
 *                form; periodic past t_max as torch's).
 *   ONECYCLE:    OneCycleLR without momentum cycling, three_phase off: from max_lr/div_factor up
 *                to max_lr over the first pct_start*total_steps - 1 steps, then down to
 *                max_lr/div_factor/final_div_factor at step total_steps - 1, by a cosine or linear
 *                anneal; base_lr is not used. After step total_steps - 1 it stays at the final
 *                rate (torch extrapolates at total_steps and raises after it).
 *   PLATEAU:     ReduceLROnPlateau: starts at base; rnnc_sched_plateau_step(metric) multiplies
 *                the rate by factor (not below min_lr, and only when that changes it by more than
 *                eps) after more than `patience` steps without improvement, then waits `cooldown`
 *                steps. rnnc_sched_step only counts steps for this kind.
 *   SLANTED:     slanted triangular (Howard & Ruder 2018, eq. 3, for fine-tuning): with T =
 *                total_steps, cut = floor(T cut_frac), p = t / cut for t < cut and
 *                1 - (t - cut) / (cut (1 / cut_frac - 1)) after (when cut = 0: p = 1 - t / T), p
 *                at least 0, the rate is base (1 + p (ratio - 1)) / ratio: a short linear rise
 *                from base / ratio to base, then a long linear fall back. Per batch, as the paper.
 * Linear warm-up (STEP, EXPONENTIAL, COSINE, CONSTANT): with warmup_steps = W > 0, the rate is
 * base (f + (1 - f) t / W) for t < W (f = warmup_start_factor, as LinearLR(f, total_iters=W)),
 * then the main schedule at t - W (as SequentialLR([LinearLR, main], milestones=[W])).
 * The structs are plain values: copy them to save or restore a schedule.
 */
enum rnnc_sched_kind {
    RNNC_SCHED_CONSTANT = 1,
    RNNC_SCHED_STEP,
    RNNC_SCHED_EXPONENTIAL,
    RNNC_SCHED_COSINE,
    RNNC_SCHED_ONECYCLE,
    RNNC_SCHED_PLATEAU,
    RNNC_SCHED_SLANTED
};
enum rnnc_anneal { RNNC_ANNEAL_COS = 0, RNNC_ANNEAL_LINEAR = 1 };
enum rnnc_plateau_mode { RNNC_PLATEAU_MIN = 0, RNNC_PLATEAU_MAX = 1 };
enum rnnc_threshold_mode { RNNC_THRESHOLD_REL = 0, RNNC_THRESHOLD_ABS = 1 };

/* Fields torch requires without a default (step_size, EXPONENTIAL's gamma, t_max, total_steps)
 * start at 0 and must be set; rnnc_sched_init names a missing one. */
typedef struct rnnc_sched_spec {
    size_t struct_size; /* set by rnnc_sched_spec_init(); see docs/api.md, "Compatibility" */
    enum rnnc_sched_kind kind;
    long warmup_steps;           /* linear warm-up before the main schedule: 0 (none) */
    double warmup_start_factor;  /* (0, 1]: 1/3 (LinearLR's start_factor) */
    long step_size;              /* STEP: required, >= 1 */
    double gamma;                /* STEP: 0.1; EXPONENTIAL: required, > 0 */
    long delay;                  /* EXPONENTIAL: base_lr * gamma^max(0, t - delay) after t steps
                                   (0: torch's ExponentialLR; Zaremba et al.'s PTB recipe, lr 1
                                   for 4 epochs then halved every epoch, is gamma 0.5, delay 3) */
    long t_max;                  /* COSINE: required, >= 1 */
    double eta_min;              /* COSINE: 0 */
    double max_lr;               /* ONECYCLE: peak rate; 0 means base_lr */
    long total_steps;            /* ONECYCLE, SLANTED: required, >= 1 (the trainers fill in
                                   the run's steps when 0, and refuse fewer) */
    double cut_frac;             /* SLANTED: 0.1, in (0, 1) */
    double ratio;                /* SLANTED: 32, >= 1 */
    double pct_start;            /* ONECYCLE: 0.3, in [0, 1] */
    double div_factor;           /* ONECYCLE: 25, > 0 */
    double final_div_factor;     /* ONECYCLE: 1e4, > 0 */
    enum rnnc_anneal anneal;     /* ONECYCLE: RNNC_ANNEAL_COS */
    enum rnnc_plateau_mode mode; /* PLATEAU: RNNC_PLATEAU_MIN */
    double factor;               /* PLATEAU: 0.1, in [0, 1) */
    long patience;               /* PLATEAU: 10, >= 0 */
    double threshold;            /* PLATEAU: 1e-4, >= 0 */
    enum rnnc_threshold_mode threshold_mode; /* PLATEAU: RNNC_THRESHOLD_REL */
    long cooldown;                           /* PLATEAU: 0, >= 0 */
    double min_lr;                           /* PLATEAU: 0, >= 0 */
    double eps;                              /* PLATEAU: 1e-8, >= 0 */
} rnnc_sched_spec;

typedef struct rnnc_sched {
    rnnc_sched_spec spec;
    double base_lr;
    long t;    /* steps taken */
    double lr; /* the rate for step t */
    /* PLATEAU state, as ReduceLROnPlateau's */
    double best; /* +inf (min) or -inf (max) at the start */
    long num_bad_epochs;
    long cooldown_counter;
} rnnc_sched;

/* The defaults above for `kind`. */
/* Fills *s with the defaults: its first `size` bytes (the caller's sizeof), struct_size = size. */
void rnnc_sched_spec_defaults(rnnc_sched_spec *s, size_t size, int kind);
static inline rnnc_sched_spec rnnc_sched_spec_init(int kind) {
    rnnc_sched_spec s;
    rnnc_sched_spec_defaults(&s, sizeof s, kind);
    return s;
}
/* "constant", "step", "exponential", "cosine", "onecycle", "plateau" or "slanted_triangular"
 * (exact, lower case) to a kind; ARG error naming the valid names otherwise. */
rnnc_status rnnc_sched_kind_parse(const char *name, int *kind);
/* Checks the spec (the message names the field) and starts the schedule at t = 0 with the
 * optimizer's rate base_lr (>= 0, finite). The spec is copied. */
rnnc_status rnnc_sched_init(rnnc_sched *s, const rnnc_sched_spec *spec, double base_lr);
/* The rate to use now. */
double rnnc_sched_lr(const rnnc_sched *s);
/* Advances one unit (torch's scheduler.step() for the closed-form kinds). */
void rnnc_sched_step(rnnc_sched *s);
/* ReduceLROnPlateau.step(metric): counts a step and may reduce the rate. A NaN metric counts as no
 * improvement, as in torch. STATE error unless the kind is PLATEAU. */
rnnc_status rnnc_sched_plateau_step(rnnc_sched *s, double metric);

/* ---------------------------------------------------------------------------------------------
 * Training: the loop shared by every task (rnnc_classifier_fit, rnnc_lm_fit, rnnc_forecaster_fit)
 */
/* What to monitor for early stopping and the best checkpoint. */
/* val_score: the task's own validation score, higher is better (a translator's BLEU). */
enum rnnc_monitor { RNNC_MONITOR_VAL_LOSS = 0, RNNC_MONITOR_VAL_ACCURACY, RNNC_MONITOR_VAL_SCORE };

/* Progress inside an epoch, reported after every batch. */
typedef struct rnnc_progress {
    int epoch, epochs;     /* 1-based */
    size_t batch, batches; /* batches done in this epoch, of */
    size_t items;          /* examples done in this epoch */
    double loss;           /* mean training loss so far in this epoch */
    double items_per_s;    /* this epoch so far */
    double eta_s;          /* to the end of the epoch */
} rnnc_progress;

/* The summary of one epoch. Validation fields are NAN without validation data. */
typedef struct rnnc_epoch_report {
    int epoch, epochs;
    long step;             /* optimizer steps so far */
    double lr;             /* the rate used in this epoch's last step */
    double loss, accuracy; /* training, over the epoch's batches (dropout on, as Keras reports) */
    double val_loss;
    rnnc_metric_values val;
    double seconds;     /* training and validation of this epoch */
    double items_per_s; /* training examples per second */
    int improved;       /* the monitored value improved (the best model was saved) */
    int stop;           /* early stopping ends training after this epoch */
    double grad_norm_mean, grad_norm_max; /* global L2 norm of the gradients (before clipping) */
    long skipped;     /* batches skipped for non-finite loss or gradients (skip_nonfinite) */
    int interrupted;  /* should_stop asked to stop inside this epoch: the report covers the
                              batches done; a checkpoint holds the position within the epoch */
    double val_score; /* the task's own validation score (a translator's BLEU of its greedy
                         translations), NAN for a task without one */
} rnnc_epoch_report;

/* How rnnc_*_fit adapts a pretrained model (docs/finetune.md). A layer "group" is a layer with
 * parameters; layers without (dropout, pooling) train when a group below them does. */
typedef struct rnnc_finetune_spec {
    /* (n_layers) nonzero: the layer stays frozen for the whole run (rnnc_model_set_trainable);
     * NULL: none. */
    const unsigned char *frozen;
    /* Gradual unfreezing (Howard & Ruder 2018): 0 off; N > 0: epochs 1..N train only the top
     * group (of those not frozen), and every N epochs one more group below starts to train. */
    int unfreeze_every;
    /* (n_layers) discriminative learning rates: each layer's rate is the schedule's times its
     * factor (rnnc_optim_set_layer_factor); NULL: all 1. */
    const double *lr_factor;
    /* L2-SP (Li et al. 2018): adds l2sp/2 * ||w - w0||^2 over the anchored parameters to the loss
     * (its gradient l2sp * (w - w0) joins the gradient before clipping; the reported loss is the
     * data loss alone). anchor (n params, rnnc_model_params' layout) holds w0; anchored (param
     * count, rnnc_model_param_info's order) says which parameters the penalty covers (NULL: all).
     * 0: off. */
    double l2sp;
    const float *anchor;
    const unsigned char *anchored;
} rnnc_finetune_spec;
/* Which layers train in epoch `epoch` (1-based) under spec (NULL: every layer): on (n_layers) gets
 * 1 or 0 per layer of m. Returns the number of groups that train. */
int rnnc_finetune_trainable(const rnnc_finetune_spec *spec, const rnnc_model *m, int epoch,
                            unsigned char *on);
/* The L2-SP penalty l2sp/2 * ||w - w0||^2 of m's current weights (0 when off). */
double rnnc_finetune_l2sp_penalty(const rnnc_finetune_spec *spec, const rnnc_model *m);

typedef struct rnnc_fit_spec {
    size_t struct_size;        /* set by rnnc_fit_spec_init(); see docs/api.md, "Compatibility" */
    int epochs;                /* 10 */
    int batch_size;            /* 32 */
    uint64_t seed;             /* shuffling and dropout masks. 1 */
    rnnc_optim_spec optim;     /* Adam, torch's defaults */
    rnnc_sched_spec sched;     /* constant */
    int sched_per_batch;       /* 0: the schedule steps once per epoch; 1: after every batch */
    double clip_norm;          /* clip_grad_norm_ before each step; 0: off */
    double clip_value;         /* clip_grad_value_; 0: off */
    enum rnnc_monitor monitor; /* val_loss (training loss without validation) */
    double min_delta;          /* an improvement must exceed this. 0 */
    int patience;              /* stop after this many epochs without improvement; 0: never */
    int restore_best;          /* end with the best epoch's weights (needs validation). 0 */
    /* A folder for checkpoint.safetensors (+ checkpoint.optim.safetensors), best.safetensors,
     * model.safetensors and metrics.jsonl; created if missing. NULL: no files. */
    const char *out_dir;
    /* A checkpoint.safetensors of an earlier run of the same setup (see `setup` below): training
     * continues from its epoch exactly as if never stopped (same weights, optimizer, schedule,
     * RNG streams). */
    const char *resume;
    void (*on_progress)(const rnnc_progress *p, void *user); /* may be NULL */
    void (*on_epoch)(const rnnc_epoch_report *r, void *user);
    /* Asked after every batch (may be NULL): nonzero stops training there, after writing a
     * checkpoint of the position within the epoch (with out_dir), from which --resume continues
     * exactly. rnnc train sets it from SIGINT and SIGTERM. The last report has interrupted = 1. */
    int (*should_stop)(void *user);
    void *user;
    /* A batch whose loss or gradients are not finite: 0 stops training with an error naming the
     * step and the first parameter whose gradient is not finite (default); 1 skips the batch (no
     * update) and counts it in the report. */
    int skip_nonfinite;
    /* Weight averaging (Polyak; PyTorch's AveragedModel with get_ema_multi_avg_fn, Keras's
     * use_ema): 0 off (default); in (0, 1) an exponential moving average of the weights is kept,
     * avg = ema * avg + (1 - ema) * w after every optimizer step (the first step copies w), and
     * validation, best.safetensors and the final model use avg. A checkpoint keeps avg beside it
     * (checkpoint.ema.safetensors), so resuming stays exact. */
    double ema;
    /* Fine-tuning controls (docs/finetune.md); all off when zero. */
    rnnc_finetune_spec finetune;
    /* "key=value" lines (may be NULL) the caller adds to the run's setup: how it read the data
     * (format, columns, encoding, split). A checkpoint keeps the setup, the task's own (its
     * vocabulary, text options, labels, columns and a fingerprint of the training data) and
     * these, and resuming from it refuses another setup with RNNC_ERR_ARG naming each key that
     * differs, before any file is touched. */
    const char *setup;
    /* A folder for TensorBoard (rnnc_tensorboard below), created if missing: the run writes one
     * new event file there with the scalars step/loss, step/lr and step/grad_norm after every
     * optimizer step (at the step count) and epoch/<key> for each finite value of the epoch's
     * metrics.jsonl line (at the epoch number; the keys of docs/training.md). A resumed run
     * starts its file with a restart at its next step. NULL: none. */
    const char *tensorboard;
} rnnc_fit_spec;
/* Fills *s with the defaults: its first `size` bytes (the caller's sizeof), struct_size = size. */
void rnnc_fit_spec_defaults(rnnc_fit_spec *s, size_t size);
static inline rnnc_fit_spec rnnc_fit_spec_init(void) {
    rnnc_fit_spec s;
    rnnc_fit_spec_defaults(&s, sizeof s);
    return s;
}
/* The names of the files a run writes into its output folder (rnnc_fit_spec.out_dir), NULL after
 * the last: the model files, the checkpoint and the files beside it (optimizer state, weight
 * average, a language model's carried state, each with the ".next" file of its two-phase write),
 * the logs and the lock. A program that must not let a run overwrite its inputs checks them. */
const char *const *rnnc_run_files(void);

/* ---------------------------------------------------------------------------------------------
 * TensorBoard event files (docs/training.md, "Curves"), written without TensorFlow: a file of
 * TFRecords, each an Event protocol buffer (src/train/tensorboard.c has the bytes), which
 * TensorBoard and tf.compat.v1.train.summary_iterator read.
 */
typedef struct rnnc_tensorboard rnnc_tensorboard;
/* Creates the folder dir if missing (and its parents) and a new event file in it,
 * dir/events.out.tfevents.<seconds since 1970>.<host> (".1", ".2", ... appended when that name
 * exists: an existing file is never opened), starting with the file version record. *out is
 * owned by the caller (rnnc_tensorboard_free). Errors: RNNC_ERR_ARG (NULL or empty dir),
 * RNNC_ERR_IO naming the folder or the file (dir is a file, no permission), RNNC_ERR_NOMEM. */
rnnc_status rnnc_tensorboard_open(const char *dir, rnnc_tensorboard **out);
/* The event file's path (owned by tb). */
const char *rnnc_tensorboard_path(const rnnc_tensorboard *tb);
/* Appends Event{wall_time: now, step, summary{value{tag, simple_value: (float)value}}}. tag is
 * 1 to 1024 bytes (TensorBoard groups the charts by the part before a '/'); step >= 0
 * (RNNC_ERR_ARG otherwise). A failed write is RNNC_ERR_IO naming the file, and is returned again
 * by every later call. Writes are buffered: rnnc_tensorboard_flush hands them to the system. */
rnnc_status rnnc_tensorboard_scalar(rnnc_tensorboard *tb, const char *tag, long step, double value);
/* Appends Event{wall_time: now, step, session_log{status: START}}: TensorBoard drops the events
 * at step and after it that earlier files in the folder hold (a resumed run's first step). */
rnnc_status rnnc_tensorboard_restart(rnnc_tensorboard *tb, long step);
/* Writes the buffered events to the file; returns the first error of any earlier call. */
rnnc_status rnnc_tensorboard_flush(rnnc_tensorboard *tb);
/* Flushes and closes the file and frees tb (errors are lost: flush first to see them). NULL does
 * nothing. */
void rnnc_tensorboard_free(rnnc_tensorboard *tb);

/* Optimizer state for resuming, in a second safetensors file beside the model file (written
 * atomically): tensors "optim.state" F32 (n,) (rnnc_optim_state) and "optim.steps" I64 scalar,
 * metadata "format": "rnnc-optim", "rnnc.version" and "rnnc.optim.lr" (the current learning
 * rate, 17 digits). Load into an optimizer created with the same spec for the same model: the
 * state size must match (RNNC_ERR_FORMAT naming the file and tensor otherwise); restores the
 * state, the step count and the learning rate, so training continues bit for bit. */
rnnc_status rnnc_optim_save(rnnc_optim *o, const char *path);
rnnc_status rnnc_optim_load(rnnc_optim *o, const char *path);

#ifdef __cplusplus
}
#endif
#endif /* RNNC_TRAIN_H */
