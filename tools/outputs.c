/* Output checks of the writing commands (see outputs.h). */
#include "outputs.h"

#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int cli_same_file(const char *a, const char *b) {
    struct stat sa, sb;
    return a && b && stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

int cli_outputs_apart(const char *cmd, const char *const *out, int n_out, const char *const *in,
                      int n_in) {
    for (int i = 0; i < n_out; i++) {
        if (!out[i])
            continue;
        for (int k = 0; k < n_in; k++)
            if (in[k] && cli_same_file(out[i], in[k])) {
                fprintf(stderr,
                        "rnnc %s: %s is also an input (%s): writing it would destroy it; choose "
                        "another output\n",
                        cmd, out[i], in[k]);
                return CLI_USAGE;
            }
        for (int k = 0; k < i; k++)
            if (out[k] && (!strcmp(out[i], out[k]) || cli_same_file(out[i], out[k]))) {
                fprintf(stderr, "rnnc %s: %s and %s are one file: choose two outputs\n", cmd,
                        out[k], out[i]);
                return CLI_USAGE;
            }
    }
    return CLI_OK;
}

int cli_run_folder_apart(const char *cmd, const char *dir, const char *const *in, int n_in) {
    const char *const *written = rnnc_run_files();
    if (!dir || !dir[0])
        return CLI_OK;
    char path[4200];
    for (int i = 0; written[i]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, written[i]);
        const char *one[] = {path};
        const int rc = cli_outputs_apart(cmd, one, 1, in, n_in);
        if (rc != CLI_OK)
            return rc;
    }
    return CLI_OK;
}

int cli_output_kind(const char *cmd, const char *path, const char *what, const char *const *prefix,
                    const int *prefix_len, int n, int force) {
    struct stat st;
    if (!path || stat(path, &st) != 0)
        return CLI_OK; /* nothing to replace */
    /* a folder, FIFO or device is no file of any kind (opening a FIFO would block) */
    FILE *f = S_ISREG(st.st_mode) ? fopen(path, "rb") : NULL;
    if (!f && !S_ISREG(st.st_mode) && !force) {
        fprintf(stderr, "rnnc %s: %s exists and is not a regular file: not replaced\n", cmd, path);
        return CLI_USAGE;
    }
    if (!f)
        return CLI_OK; /* the atomic write reports what it cannot do */
    char head[64] = {0};
    const size_t got = fread(head, 1, sizeof head, f);
    fclose(f);
    for (int i = 0; i < n; i++)
        if (got >= (size_t)prefix_len[i] && !memcmp(head, prefix[i], (size_t)prefix_len[i]))
            return CLI_OK;
    if (force)
        return CLI_OK;
    fprintf(stderr, "rnnc %s: %s exists and is not %s: not replaced (pass --force to replace it)\n",
            cmd, path, what);
    return CLI_USAGE;
}
