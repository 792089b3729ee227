/* Thread control: rnnc's thread count, its pool of worker threads, and the barrier of the
 * recurrent time loops. */
#include "core.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <unistd.h>

/* rnnc's thread count; 0 until first asked for, then RNNC_NUM_THREADS when it holds a positive
 * number (an optional setting, like OMP_NUM_THREADS), else the online cores. Atomic: callers on
 * several threads may ask for it at once. */
static _Atomic int n_threads = 0;
static _Thread_local int worker = 0;

static int online_cpus(void) {
    long c = sysconf(_SC_NPROCESSORS_ONLN);
    return c > 0 ? (int)c : 1;
}

int rnnc__threads(void) {
    int nt = atomic_load(&n_threads);
    if (nt <= 0) {
        const char *env = getenv("RNNC_NUM_THREADS");
        char *end = NULL;
        const long n = env ? strtol(env, &end, 10) : 0;
        nt = env && end != env && *end == '\0' && n > 0 && n <= RNNC_MAX_THREADS ? (int)n
                                                                                 : online_cpus();
        int unset = 0; /* a count set meanwhile by rnnc_set_num_threads wins */
        if (!atomic_compare_exchange_strong(&n_threads, &unset, nt))
            nt = unset;
    }
    return nt;
}

int rnnc__in_worker(void) {
    return worker;
}

void rnnc_set_num_threads(int n) {
    atomic_store(&n_threads, n > 0 ? n : online_cpus());
}

int rnnc_num_threads(void) {
    return rnnc__threads();
}

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
        if (spins > 2000)
            sched_yield();
}

/* The pool. Workers are persistent, so a job starts in microseconds on threads the scheduler has
 * already spread over the cores (threads created per call were sometimes left on one core for a
 * whole short run: S4 inference took 8.0 instead of 4.4 ms in some runs). One job at a time.
 * rnnc_shutdown joins the workers; the next job creates them again. */
static struct {
    pthread_mutex_t busy; /* held by the caller whose job runs, and by rnnc_shutdown */
    pthread_mutex_t m;    /* with cv: sleeping workers wait for a new generation */
    pthread_cond_t cv;
    int made;                       /* workers created (1 .. made) */
    _Atomic unsigned generation;    /* a new job each time it changes */
    _Atomic int pending;            /* workers not yet done with the job (each acknowledges every
                                       job, so none still reads it when the next is set up) */
    void (*task)(void *arg, int k); /* the job; written before generation changes */
    void *arg;
    int n;
    _Atomic int stop;               /* set by rnnc_shutdown: the new generation ends the workers */
    unsigned first[RNNC__POOL_MAX]; /* the generation current when worker k was created */
    pthread_t thread[RNNC__POOL_MAX];
} pool = {.busy = PTHREAD_MUTEX_INITIALIZER,
          .m = PTHREAD_MUTEX_INITIALIZER,
          .cv = PTHREAD_COND_INITIALIZER};

static void *pool_worker(void *p) {
    const int k = (int)(intptr_t)p;
    worker = 1;
    unsigned seen = pool.first[k]; /* jobs before this worker existed are not its own */
    for (;;) {
        unsigned g;
        for (int spins = 0; (g = atomic_load(&pool.generation)) == seen && spins < 20000; spins++)
            ;
        if (g == seen) {
            pthread_mutex_lock(&pool.m);
            while ((g = atomic_load(&pool.generation)) == seen)
                pthread_cond_wait(&pool.cv, &pool.m);
            pthread_mutex_unlock(&pool.m);
        }
        seen = g;
        if (atomic_load(&pool.stop))
            break;
        if (k < pool.n)
            pool.task(pool.arg, k);
        atomic_fetch_sub(&pool.pending, 1);
    }
    return NULL;
}

int rnnc__pool_run(int n, void (*task)(void *arg, int k), void *arg) {
    if (n < 1 || n > RNNC__POOL_MAX || worker)
        return 0;
    if (pthread_mutex_trylock(&pool.busy) != 0)
        return 0;
    while (pool.made < n - 1) {
        const int k = pool.made + 1;
        pool.first[k] = atomic_load(&pool.generation);
        if (pthread_create(&pool.thread[k], NULL, pool_worker, (void *)(intptr_t)k) != 0) {
            pthread_mutex_unlock(&pool.busy);
            return 0;
        }
        pool.made++;
    }
    pool.task = task, pool.arg = arg, pool.n = n;
    atomic_store(&pool.pending, pool.made);
    pthread_mutex_lock(&pool.m);
    atomic_fetch_add(&pool.generation, 1);
    pthread_cond_broadcast(&pool.cv);
    pthread_mutex_unlock(&pool.m);
    worker = 1; /* the caller's own task: nested work stays on this thread */
    task(arg, 0);
    worker = 0;
    for (int spins = 0; atomic_load(&pool.pending) > 0; spins++)
        if (spins > 2000)
            sched_yield();
    pthread_mutex_unlock(&pool.busy);
    return 1;
}

/* Waits for a job in progress (the busy lock), then wakes every worker with a generation that
 * tells it to stop, and joins them. The packing buffers go too (src/core/gemm.c). */
void rnnc_shutdown(void) {
    pthread_mutex_lock(&pool.busy);
    if (pool.made > 0) {
        atomic_store(&pool.stop, 1);
        pthread_mutex_lock(&pool.m);
        atomic_fetch_add(&pool.generation, 1);
        pthread_cond_broadcast(&pool.cv);
        pthread_mutex_unlock(&pool.m);
        for (int k = 1; k <= pool.made; k++)
            pthread_join(pool.thread[k], NULL);
        pool.made = 0;
        atomic_store(&pool.stop, 0);
    }
    rnnc__gemm_release_f32();
    rnnc__gemm_release_f64();
    pthread_mutex_unlock(&pool.busy);
}
