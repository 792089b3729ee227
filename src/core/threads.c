/* Thread control. The parallel work of rnnc runs inside OpenBLAS, so its thread count is ours. */
#include "core.h"

#include <sched.h>
#include <stdatomic.h>
#include <unistd.h>

/* Declared by OpenBLAS's cblas.h; repeated here so the build does not depend on which cblas.h the
 * system's alternatives select. */
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);

/* rnnc's thread count; 0 until first asked for, then OpenBLAS's default (OPENBLAS_NUM_THREADS or
 * the cores). OpenBLAS is then set to one thread for good: rnnc runs its own threads. */
static int n_threads = 0;
static _Thread_local int worker = 0;

static int online_cpus(void) {
    long c = sysconf(_SC_NPROCESSORS_ONLN);
    return c > 0 ? (int)c : 1;
}

int rnnc__threads(void) {
    if (n_threads <= 0) {
        int n = openblas_get_num_threads();
        n_threads = n > 0 ? n : online_cpus();
        openblas_set_num_threads(1);
    }
    return n_threads;
}

void rnnc__worker_enter(void) { worker = 1; }
void rnnc__worker_leave(void) { worker = 0; }
int rnnc__in_worker(void) { return worker; }

void rnnc_set_num_threads(int n) {
    n_threads = n > 0 ? n : online_cpus();
    openblas_set_num_threads(1);
}

int rnnc_get_num_threads(void) { return rnnc__threads(); }

void rnnc__barrier_init(rnnc__barrier *b, int n) {
    atomic_store(&b->count, 0);
    atomic_store(&b->phase, 0);
    b->n = n;
}

/* The last to arrive resets the count and opens the next phase; the others wait for the phase to
 * change, spinning a while, then yielding the core (in case threads outnumber cores). */
void rnnc__barrier_wait(rnnc__barrier *b) {
    const int phase = atomic_load(&b->phase);
    if (atomic_fetch_add(&b->count, 1) == b->n - 1) {
        atomic_store(&b->count, 0);
        atomic_fetch_add(&b->phase, 1);
        return;
    }
    for (int spins = 0; atomic_load(&b->phase) == phase; spins++)
        if (spins > 2000) sched_yield();
}
