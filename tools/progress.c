/* The progress reporter shared by every training run (progress.h). */
#include "progress.h"

#include <math.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

double cli_wall(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* "m:ss" or "h:mm:ss". */
static void fmt_time(char *b, size_t n, double s) {
    if (!(s >= 0) || s > 1e7)
        s = 0;
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(b, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(b, n, "%ld:%02ld", t / 60, t % 60);
}

static const char *unit(int task) {
    return task == CLI_TASK_CLASSIFY     ? "items"
           : task == CLI_TASK_FORECAST   ? "windows"
           : task == CLI_TASK_REGRESSION ? "sequences"
           : task == CLI_TASK_TRANSLATE  ? "pairs"
                                         : "tokens";
}

static void on_progress(const rnnc_progress *p, void *user) {
    cli_progress *ps = user;
    const double t = cli_wall();
    if (!ps->bar) {
        if (ps->every > 0 && t - ps->last >= ps->every && p->batch != p->batches) {
            char eta[32];
            fmt_time(eta, sizeof eta, p->eta_s);
            fprintf(stderr, "epoch %d/%d  batch %zu/%zu  loss %.4f  %.0f %s/s  ETA %s\n", p->epoch,
                    p->epochs, p->batch, p->batches, p->loss, p->items_per_s * ps->per_item,
                    unit(ps->task), eta);
            fflush(stderr);
            ps->last = t;
        }
        return;
    }
    if (p->batch != p->batches && t - ps->last < 0.1)
        return;
    ps->last = t;
    enum { W = 24 };
    char bar[W + 1], eta[32];
    const size_t fill = p->batches ? p->batch * W / p->batches : 0;
    for (size_t i = 0; i < W; i++)
        bar[i] = i < fill ? '=' : (i == fill ? '>' : ' ');
    bar[W] = 0;
    fmt_time(eta, sizeof eta, p->eta_s);
    fprintf(stderr, "\repoch %d/%d [%s] %zu/%zu  loss %.4f  %.0f %s/s  ETA %s   ", p->epoch,
            p->epochs, bar, p->batch, p->batches, p->loss, p->items_per_s * ps->per_item,
            unit(ps->task), eta);
    fflush(stderr);
    ps->shown = 1;
}

/* "loss 1.2345", "loss 4.5678 (ppl 96.4)" or "loss 1.2345 (bpc 1.781)"; a forecaster's "%.5f". */
static void print_loss(const char *name, double loss, int task) {
    printf(task == CLI_TASK_FORECAST || task == CLI_TASK_REGRESSION ? "%s %.5f" : "%s %.4f", name,
           loss);
    if (task == CLI_TASK_LM_WORD)
        printf(" (ppl %.2f)", exp(loss));
    else if (task == CLI_TASK_LM_CHAR)
        printf(" (bpc %.4f)", loss / log(2.0));
}

static void on_epoch(const rnnc_epoch_report *r, void *user) {
    cli_progress *ps = user;
    if (ps->shown)
        fprintf(stderr, "\r%110s\r", "");
    ps->shown = 0;
    const int task = ps->task;
    printf("epoch %d/%d  ", r->epoch, r->epochs);
    print_loss("loss", r->loss, task);
    if (task == CLI_TASK_CLASSIFY || task == CLI_TASK_TRANSLATE)
        printf("  accuracy %.4f", r->accuracy);
    if (!isnan(r->val_loss)) {
        printf("  ");
        print_loss("val_loss", r->val_loss, task == CLI_TASK_TRANSLATE ? CLI_TASK_LM_WORD : task);
        if (task != CLI_TASK_FORECAST && task != CLI_TASK_REGRESSION)
            printf("  val_accuracy %.4f", r->val.accuracy);
        if (!isnan(r->val_score))
            printf("  %s %.2f", task == CLI_TASK_TRANSLATE ? "val_bleu" : "val_score",
                   r->val_score);
    }
    printf("  lr %.3g  %.1f s", r->lr, r->seconds);
    if (task != CLI_TASK_FORECAST)
        printf("  %.0f %s/s", r->items_per_s * ps->per_item, unit(task));
    printf("%s%s\n", r->improved ? "  *" : "", r->stop ? "  (early stop)" : "");
    fflush(stdout);
}

void cli_progress_start(cli_progress *p, int task, int quiet, double every, double per_item,
                        rnnc_fit_spec *fit) {
    p->task = task;
    p->bar = !quiet && isatty(2);
    p->every = quiet ? 0 : every;
    p->shown = 0;
    p->per_item = per_item;
    p->last = cli_wall(); /* the first line comes `every` seconds in */
    fit->on_progress = on_progress, fit->on_epoch = on_epoch, fit->user = p;
}

void cli_progress_break(cli_progress *p) {
    if (p->shown)
        fprintf(stderr, "\n");
    p->shown = 0;
}
