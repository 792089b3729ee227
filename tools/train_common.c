/* What rnnc train and rnnc finetune share: their options, the training file's kind, and the run
 * around a task's fit (progress, stop signals, the outcome). */
#include "train_common.h"

#include "outputs.h"
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_train_parse(cli_command *c, cli_train_args *a, int argc, char **argv, int *n_args) {
    memset(a, 0, sizeof *a);
    a->threads = -1;
    a->progress_every = 30;
    const cli_option opts[] = {
        {"--set", CLI_LIST, &a->sets, "s.k=v",
         "override a key of the file (repeatable), e.g. --set train.epochs=2", 0, 0, NULL},
        {"--resume", CLI_STRING, &a->resume, "FILE",
         "continue from a checkpoint.safetensors of the same setup, exactly as if\n"
         "the run had not stopped",
         0, 0, NULL},
        {"--threads", CLI_INT, &a->threads, "N",
         "threads for the math (default: [train] threads, 0 = every core)", 0, RNNC_MAX_THREADS,
         NULL},
        {"--quiet", CLI_FLAG, &a->quiet, NULL, "no progress bar or progress lines", 0, 0, NULL},
        {"--progress-every", CLI_NUMBER, &a->progress_every, "S",
         "when standard error is no terminal (a log file), a progress line every S\n"
         "seconds (default 30; 0: none)",
         0, 1e6, NULL},
    };
    c->opts = opts, c->n_opts = (int)(sizeof opts / sizeof opts[0]);
    const int rc = cli_parse(c, argc, argv, n_args);
    c->opts = NULL, c->n_opts = 0;
    return rc;
}

int cli_train_open(cli_train_args *a, const char *cmd) {
    const rnnc_status st = rnnc_train_file_open(a->path, a->sets.v, a->sets.n, &a->file);
    return st == RNNC_OK ? CLI_OK : cli_fail(cmd, st);
}

int cli_train_prepare(rnnc_run_config *tc, const cli_train_args *a, const char *const *data,
                      int n) {
    tc->fit.out_dir = tc->output[0] ? tc->output : NULL;
    tc->fit.tensorboard = tc->tensorboard[0] ? tc->tensorboard : NULL;
    if (a->resume && !tc->fit.out_dir) {
        fprintf(stderr, "rnnc train: --resume needs [train] output in %s\n", a->path);
        return -1;
    }
    const char *in[2 + 8];
    int k = 0;
    in[k++] = a->path, in[k++] = a->pretrained;
    for (int i = 0; i < n && k < (int)(sizeof in / sizeof in[0]); i++)
        in[k++] = data[i];
    if (cli_run_folder_apart(a->pretrained ? "finetune" : "train", tc->fit.out_dir, in, k))
        return -1;
    tc->fit.resume = a->resume;
    rnnc_set_num_threads(a->threads >= 0 ? (int)a->threads : tc->threads);
    return 0;
}

/* ---- the run: stop signals and the outcome ---- */

static volatile sig_atomic_t stop_signal = 0;

/* The first SIGINT or SIGTERM asks the run to stop after its batch with a checkpoint; both go
 * back to their default action, so a second one (either) ends the process at once. */
static void on_stop_signal(int sig) {
    static const char msg[] = "\nrnnc train: stopping after this batch (send the signal again "
                              "to stop at once, without a checkpoint)\n";
    stop_signal = sig;
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    ssize_t w = write(2, msg, sizeof msg - 1);
    (void)w;
}

static int should_stop(void *user) {
    (void)user;
    return stop_signal != 0;
}

void cli_fit_begin(cli_progress *p, int task, double per_item, const cli_train_args *a,
                   rnnc_fit_spec *fit) {
    cli_progress_start(p, task, a->quiet, a->progress_every, per_item, fit);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    fit->should_stop = should_stop;
}

int cli_fit_end(cli_progress *p, rnnc_status st, const rnnc_epoch_report *last,
                const rnnc_fit_spec *fit, const char *path) {
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    if (st || last->interrupted)
        cli_progress_break(p);
    if (st)
        return cli_fail("train", st);
    if (last->interrupted) {
        if (fit->out_dir)
            fprintf(stderr,
                    "rnnc train: stopped by %s in epoch %d after step %ld; checkpoint written.\n"
                    "  continue with: rnnc train %s --resume %s/checkpoint.safetensors\n",
                    stop_signal == SIGTERM ? "SIGTERM" : "SIGINT", last->epoch, last->step, path,
                    fit->out_dir);
        else
            fprintf(stderr, "rnnc train: stopped by a signal; nothing saved (no [train] output)\n");
        return 128 + (stop_signal ? (int)stop_signal : SIGINT);
    }
    if (fit->out_dir)
        printf("saved %s/model.safetensors\n", fit->out_dir);
    return CLI_OK;
}

int cli_absolute_path(const char *path, char *out, size_t cap) {
    char cwd[4096];
    int n = -1;
    if (path[0] == '/')
        n = snprintf(out, cap, "%s", path);
    else if (getcwd(cwd, sizeof cwd))
        n = snprintf(out, cap, "%s/%s", cwd, path);
    if (n < 0 || (size_t)n >= cap) {
        fprintf(stderr, "rnnc: cannot make %s an absolute path to store in the model file: %s\n",
                path, n < 0 ? strerror(errno) : "too long");
        return CLI_FAIL;
    }
    return CLI_OK;
}
