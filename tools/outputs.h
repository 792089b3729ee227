/* What the commands that write files check first: an output is never one of the command's
 * inputs (the same file by device and inode, so a link or another spelling of the path counts),
 * and an existing file is replaced only when it is of the kind the command writes (or --force). */
#ifndef RNNC_CLI_OUTPUTS_H
#define RNNC_CLI_OUTPUTS_H

/* Whether a and b name the same existing file (through links); 0 when either does not exist. */
int cli_same_file(const char *a, const char *b);
/* Each of the n_out outputs (NULL entries skipped) against each of the n_in inputs and against
 * the other outputs: prints "rnnc CMD: OUT is also INPUT ..." and returns CLI_USAGE for the
 * first clash, CLI_OK when there is none. */
int cli_outputs_apart(const char *cmd, const char *const *out, int n_out, const char *const *in,
                      int n_in);
/* The files a training run writes into its output folder, against the run's inputs (as above). */
int cli_run_folder_apart(const char *cmd, const char *dir, const char *const *in, int n_in);
/* An existing file at path that does not start with one of the n prefixes (`what` names the
 * kind, e.g. "an SVG file") is refused with CLI_USAGE unless force; CLI_OK when path does not
 * exist or is of the kind. */
int cli_output_kind(const char *cmd, const char *path, const char *what, const char *const *prefix,
                    const int *prefix_len, int n, int force);

#endif
