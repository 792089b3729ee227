/* Thread control. The parallel work of rnnc runs inside OpenBLAS, so its thread count is ours. */
#include "rnnc.h"

#include <unistd.h>

/* Declared by OpenBLAS's cblas.h; repeated here so the build does not depend on which cblas.h the
 * system's alternatives select. */
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);

void rnnc_set_num_threads(int n) {
    if (n <= 0) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        n = c > 0 ? (int)c : 1;
    }
    openblas_set_num_threads(n);
}

int rnnc_get_num_threads(void) { return openblas_get_num_threads(); }
