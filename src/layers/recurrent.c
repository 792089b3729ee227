/* One direction of one recurrent layer: the machinery the RNN, LSTM and GRU cells share.
 *
 * Forward: the input projection of all T steps is one GEMM, gates (T*B,G) = x W_ih^T, before the
 * time loop; the cell then adds b_ih + (h_{t-1} W_hh^T + b_hh) step by step.
 * Backward: the cell walks the steps in reverse processing order producing the gate gradients
 * dg (T,B,G); afterwards dx, dW_ih, dW_hh are one GEMM each and the biases column sums.
 *
 * States live in Sh (T+1,B,H): forward direction h0 in slot 0 and the state after step t in slot
 * t+1; reverse direction h0 in slot T and the state after step t in slot t. Either way the states
 * before steps 0..T-1 are T contiguous slots (see rnnc__slot_before), so dW_hh is one GEMM too. */
#include "layers.h"

#include <pthread.h>
#include <string.h>

/* Work for backward: dg (T,B,G), dh (B,H), dc (B,H), the cells' (B,G), GRU's dgh (T,B,G). Forward
 * uses its start for hh (B,G). The packed W_hh of either follows. */
static size_t backward_work(int cell, size_t T, size_t B, size_t H) {
    size_t G = (size_t)rnnc__cell_gates(cell) * H;
    size_t n = T * B * G + 2 * B * H + B * G;
    if (cell == RNNC__CELL_GRU) n += T * B * G;
    return n;
}

#ifndef RNNC_REAL_F64 /* size functions do not depend on the precision: define them once */
size_t rnnc__dir_cache_size(int cell, size_t T, size_t B, size_t H) {
    size_t G = (size_t)rnnc__cell_gates(cell) * H;
    size_t n = T * B * G + (T + 1) * B * H;
    if (cell == RNNC__CELL_LSTM) n += (T + 1) * B * H;
    if (cell == RNNC__CELL_GRU) n += T * B * H;
    return n;
}

size_t rnnc__dir_work_size(int cell, size_t T, size_t B, size_t H) {
    size_t G = (size_t)rnnc__cell_gates(cell) * H;
    size_t pf = rnnc__packed_size(H, G), pb = rnnc__packed_size(G, H);
    return backward_work(cell, T, B, H) + (pf > pb ? pf : pb);
}
#endif

/* Copies a (B,H) initial state into its slot, or zeros. */
static void put_initial(real *slot, const real *s0, size_t B, size_t H) {
    if (s0)
        memcpy(slot, s0, B * H * sizeof(real));
    else
        memset(slot, 0, B * H * sizeof(real));
}

/* The time loop in parallel over batch rows: the steps of one sequence depend on each other,
 * different sequences do not. Each of nt threads runs the cell over a contiguous slice of rows for
 * all T steps, with no synchronisation inside the loop. Threads are created per call: two calls
 * per layer and batch, each tens of microseconds against a loop of milliseconds. Every row is
 * computed the same way in any slice (the step products are rnnc__gemm_packed, row by row the same
 * sums), so the bits do not depend on the thread count. */
typedef struct RN(cell_job) {
    const RN(rnnc__cellw) *w;
    RN(rnnc__dir) d;
    int backward;
    const real *dy;
    size_t ldy;
    real *dh, *dc, *dg, *dgh, *work;
} RN(cell_job);

static void *RN(run_cell)(void *arg) {
    RN(cell_job) *j = arg;
    rnnc__worker_enter();
    const RN(rnnc__dir) *d = &j->d;
    if (!j->backward) {
        if (d->cell == RNNC__CELL_LSTM)
            RN(rnnc__lstm_forward)(j->w, d, j->work);
        else if (d->cell == RNNC__CELL_GRU)
            RN(rnnc__gru_forward)(j->w, d, j->work);
        else
            RN(rnnc__rnn_forward)(j->w, d, j->work);
    } else if (d->cell == RNNC__CELL_LSTM) {
        RN(rnnc__lstm_backward)(j->w, d, j->dy, j->ldy, j->dh, j->dc, j->dg, j->work);
    } else if (d->cell == RNNC__CELL_GRU) {
        RN(rnnc__gru_backward)(j->w, d, j->dy, j->ldy, j->dh, j->dg, j->dgh, j->work);
    } else {
        RN(rnnc__rnn_backward)(j->w, d, j->dy, j->ldy, j->dh, j->dg, j->work);
    }
    return NULL;
}

static void RN(run_cells)(RN(cell_job) *job) {
    enum { MAX_SLICES = 64, MIN_ROWS = 8 };
    const size_t B = job->d.B;
    int nt = rnnc__threads();
    if ((size_t)nt > B / MIN_ROWS) nt = (int)(B / MIN_ROWS);
    if (nt > MAX_SLICES) nt = MAX_SLICES;
    if (nt <= 1) {
        job->d.b0 = 0, job->d.b1 = B;
        RN(run_cell)(job);
        return;
    }
    RN(cell_job) jobs[MAX_SLICES];
    pthread_t tid[MAX_SLICES];
    int started[MAX_SLICES] = {0};
    for (int k = 0; k < nt; k++) {
        jobs[k] = *job;
        jobs[k].d.b0 = B * (size_t)k / (size_t)nt, jobs[k].d.b1 = B * (size_t)(k + 1) / (size_t)nt;
        if (k > 0) started[k] = pthread_create(&tid[k], NULL, RN(run_cell), &jobs[k]) == 0;
    }
    RN(run_cell)(&jobs[0]); /* marks this thread a worker, so undo it after */
    for (int k = 1; k < nt; k++) {
        if (started[k])
            pthread_join(tid[k], NULL);
        else
            RN(run_cell)(&jobs[k]); /* no thread: run the slice here */
    }
    rnnc__worker_leave();
}

void RN(rnnc__dir_forward)(const RN(rnnc__cellw) *w, const RN(rnnc__dir) *d, real *hT, real *cT,
                           real *work) {
    const size_t T = d->T, B = d->B, H = d->H, BH = B * H;
    const size_t G = (size_t)rnnc__cell_gates(d->cell) * H;
    real *gates = d->cache;       /* (T,B,G) */
    real *Sh = gates + T * B * G; /* (T+1,B,H) */
    RN(rnnc__gemm)(0, 1, T * B, G, d->I, 1, d->x, d->ldx, w->w_ih, d->I, 0, gates, G);
    const size_t h0slot = d->reverse ? T : 0, lastslot = d->reverse ? 0 : T;
    put_initial(Sh + h0slot * BH, d->h0, B, H);
    if (d->cell == RNNC__CELL_LSTM) {
        real *Sc = Sh + (T + 1) * BH;
        put_initial(Sc + h0slot * BH, d->c0, B, H);
    }
    real *packed = work + backward_work(d->cell, T, B, H);
    RN(rnnc__pack)(1, H, G, w->w_hh, H, packed);
    RN(cell_job) job = {w, *d, 0, NULL, 0, NULL, NULL, NULL, NULL, work};
    job.d.whh_packed = packed;
    RN(run_cells)(&job);
    if (cT && d->cell == RNNC__CELL_LSTM)
        memcpy(cT, Sh + (T + 1) * BH + lastslot * BH, BH * sizeof(real));
    if (hT) memcpy(hT, Sh + lastslot * BH, BH * sizeof(real));
}

/* db[j] (and db2[j] when not NULL) += sum over rows of dg[:, j]: float partial sums over blocks
 * of 64 rows (vectorized), accumulated in double across blocks. */
static void add_colsum(real *db, real *db2, const real *dg, size_t rows, size_t G) {
    enum { COLS = 256, ROWS = 64 };
    double acc[COLS];
    real part[COLS];
    for (size_t j0 = 0; j0 < G; j0 += COLS) {
        const size_t nj = G - j0 < COLS ? G - j0 : COLS;
        memset(acc, 0, sizeof acc);
        for (size_t r0 = 0; r0 < rows; r0 += ROWS) {
            const size_t r1 = rows - r0 < ROWS ? rows : r0 + ROWS;
            memset(part, 0, sizeof part);
            for (size_t r = r0; r < r1; r++) {
                const real *row = dg + r * G + j0;
                for (size_t j = 0; j < nj; j++) part[j] += row[j];
            }
            for (size_t j = 0; j < nj; j++) acc[j] += part[j];
        }
        for (size_t j = 0; j < nj; j++) {
            db[j0 + j] += (real)acc[j];
            if (db2) db2[j0 + j] += (real)acc[j];
        }
    }
}

static void add_state(real *dst, const real *src, size_t n) {
    for (size_t i = 0; i < n; i++) dst[i] += src[i];
}

void RN(rnnc__dir_backward)(const RN(rnnc__cellw) *w, const RN(rnnc__dir) *d, const real *dy,
                            size_t ldy, const real *dhT, const real *dcT, real *dx, real *dh0,
                            real *dc0, const RN(rnnc__cellw) *g, real *work) {
    const size_t T = d->T, B = d->B, H = d->H, BH = B * H;
    const size_t G = (size_t)rnnc__cell_gates(d->cell) * H;
    real *dg = work;              /* (T,B,G) gradient of the gate pre-activations (input side) */
    real *dh = dg + T * B * G;    /* (B,H) gradient flowing into the state, carried back */
    real *dc = dh + BH;           /* (B,H) LSTM cell-state gradient */
    real *cellwork = dc + BH;     /* (B,G) */
    real *dgh = cellwork + B * G; /* (T,B,G) GRU: recurrent-side gate gradient */
    put_initial(dh, dhT, B, H);
    put_initial(dc, dcT, B, H);
    real *packed = work + backward_work(d->cell, T, B, H);
    RN(rnnc__pack)(0, G, H, w->w_hh, H, packed);
    RN(cell_job) job = {w, *d, 1, dy, ldy, dh, dc, dg, dgh, cellwork};
    job.d.whh_packed = packed;
    RN(run_cells)(&job);
    if (d->cell != RNNC__CELL_GRU) dgh = dg; /* one pre-activation feeds both products */
    if (dh0) add_state(dh0, dh, BH);
    if (dc0 && d->cell == RNNC__CELL_LSTM) add_state(dc0, dc, BH);

    const real *Sh = d->cache + T * B * G;
    const real *hprev = Sh + (d->reverse ? BH : 0); /* (T,B,H): state before each step */
    if (dx) RN(rnnc__gemm)(0, 0, T * B, d->I, G, 1, dg, G, w->w_ih, d->I, 1, dx, d->ldx);
    RN(rnnc__gemm)(1, 0, G, d->I, T * B, 1, dg, G, d->x, d->ldx, 1, g->w_ih, d->I);
    RN(rnnc__gemm)(1, 0, G, H, T * B, 1, dgh, G, hprev, H, 1, g->w_hh, H);
    if (dgh == dg) { /* LSTM, RNN: both biases get the same gradient */
        add_colsum(g->b_ih, g->b_hh, dg, T * B, G);
    } else {
        add_colsum(g->b_ih, NULL, dg, T * B, G);
        add_colsum(g->b_hh, NULL, dgh, T * B, G);
    }
}
