/* rnnc info: what this machine offers and what rnnc runs on it (instruction sets, kernel, threads).
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

/* The CPU's model name from /proc/cpuinfo, for the record only: no choice depends on it. */
static void cpu_model(char *out, size_t n) {
    snprintf(out, n, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        const char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) || !colon)
            continue;
        colon++;
        while (*colon == ' ' || *colon == '\t')
            colon++;
        snprintf(out, n, "%s", colon);
        out[strcspn(out, "\n")] = '\0';
        break;
    }
    fclose(f);
}

void cli_print_info(void) {
    char model[256];
    cpu_model(model, sizeof model);
    printf("rnnc %s\n", rnnc_version());
    printf("cpu:          %s\n", model);
    printf("instructions: %s\n", rnnc_cpu_features());
    printf("gemm kernel:  %s (rnnc's own; chosen by the instruction sets above)\n",
           rnnc_gemm_kernel());
    printf("blas:         none\n");
    printf("threads:      %d\n", rnnc_num_threads());
}

int cmd_info(int argc, char **argv) {
    const cli_command c = {
        "info",
        NULL,
        "Prints rnnc's version, this CPU's model name and the instruction sets rnnc\n"
        "looks at, the matrix-product kernel they select (avx512f, avx2+fma or\n"
        "generic), and the default thread count (RNNC_NUM_THREADS, else the cores).\n"
        "The kernel depends on the instruction sets only, never on the model name.\n",
        NULL,
        0,
        0,
        0,
        NULL};
    int n, rc = cli_parse(&c, argc, argv, &n);
    if (rc != CLI_GO)
        return rc;
    cli_print_info();
    return CLI_OK;
}
