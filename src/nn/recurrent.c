/* One direction of one recurrent layer: the machinery every recurrent cell shares.
 *
 * Forward: the input projection gates (T*B,G) = x W_ih^T is one GEMM for all T steps before the
 * time loop when the weights are large; when W_ih and W_hh fit a core's cache together it is
 * computed step by step inside the loop, right before the recurrent product, so the T*B*G gates
 * never make a round trip through memory (STYLE.md's one GEMM, measured: S1 inference 43 -> 38.5
 * ms, S3 12.7 -> 11.9, bench/README.md). The cell then adds b_ih + (h_{t-1} W_hh^T + b_hh).
 * Backward: the cell walks the steps in reverse processing order producing the gate gradients
 * dg (T,B,G); afterwards dx, dW_ih, dW_hh are one GEMM each and the biases column sums.
 *
 * States live in Sh (T+1,B,H): forward direction h0 in slot 0 and the state after step t in slot
 * t+1; reverse direction h0 in slot T and the state after step t in slot t. Either way the states
 * before steps 0..T-1 are T contiguous slots (see rnnc__slot_before), so dW_hh is one GEMM too. */
#include "layers.h"

#include <string.h>

/* Units mode: at most this many threads, each with a multiple of 16 units but the last, so the
 * threads' packed shares of W_hh take at most 16 columns per gate and thread more than the whole;
 * and at least UNIT_MIN units each. */
enum { UNIT_THREADS = 8, UNIT_MIN = 64 };

/* Room for forward's packed W_hh in either mode: units mode's shares take at most 16 columns per
 * gate and thread more than the whole. W_ih^T follows it. */
static size_t whh_room(size_t H, size_t G) {
    return rnnc__packed_size(H, G + 4 * 16 * UNIT_THREADS);
}

/* Steps per inference chunk: enough for `rows` rows (steps x B), at most T. */
static size_t infer_steps(size_t T, size_t B, size_t rows) {
    const size_t steps = B > 0 ? (rows + B - 1) / B : T;
    return steps < T ? steps : T;
}

/* Work for backward: dg (T,B,G), dh (B,H), dc (B,H), the cells' (B,G), a split dgh (T,B,G).
 * The packed W_hh follows. Forward uses only hh (B,G), then its packed weights. */
static size_t backward_work(int cell, size_t T, size_t B, size_t H) {
    size_t G = (size_t)rnnc__cell_gates(cell) * H;
    size_t n = T * B * G + 2 * B * H + B * G;
    if (rnnc__cells[cell]->split_dgh)
        n += T * B * G;
    return n;
}

#ifndef RNNC_REAL_F64 /* size functions do not depend on the precision: define them once */
static size_t step_projection_limit = 1u << 20;

void rnnc__set_step_projection_limit(size_t bytes) {
    step_projection_limit = bytes;
}
size_t rnnc__step_projection_limit(void) {
    return step_projection_limit;
}

static size_t infer_rows = 1024;

void rnnc__set_infer_rows(size_t rows) {
    infer_rows = rows > 0 ? rows : 1;
}
size_t rnnc__infer_rows(void) {
    return infer_rows;
}

size_t rnnc__dir_infer_cache_size(int cell, size_t T, size_t B, size_t H, size_t rows) {
    /* a chunk of T' <= T steps of B' <= B rows has T'B' <= min(TB, rows + B - 1) */
    const size_t G = (size_t)rnnc__cell_gates(cell) * H;
    const size_t R = T * B < rows + B - 1 ? T * B : rows + B - 1;
    size_t n = R * G + (R + B) * H; /* gates, Sh */
    if (rnnc__cells[cell]->has_c)
        n += (R + B) * H;
    if (rnnc__cells[cell]->cache_hn)
        n += R * H;
    return n;
}

size_t rnnc__dir_cache_size(int cell, size_t T, size_t B, size_t H) {
    size_t G = (size_t)rnnc__cell_gates(cell) * H;
    size_t n = T * B * G + (T + 1) * B * H;
    if (rnnc__cells[cell]->has_c)
        n += (T + 1) * B * H;
    if (rnnc__cells[cell]->cache_hn)
        n += T * B * H;
    return n;
}

size_t rnnc__dir_work_size(int cell, size_t T, size_t B, size_t I, size_t H) {
    size_t G = (size_t)rnnc__cell_gates(cell) * H, slack = 4 * 16 * UNIT_THREADS;
    size_t pf = whh_room(H, G) + rnnc__packed_size(I, G + slack);
    size_t pb = rnnc__packed_size(G, H + 16 * UNIT_THREADS);
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

/* The time loop in parallel. Rows mode: the steps of one sequence depend on each other, different
 * sequences do not, so each of nt threads runs the cell over a contiguous slice of batch rows for
 * all T steps with no synchronisation inside the loop. Units mode (a units_mode cell, the LSTM,
 * each thread takes a slice of the hidden units of every row and packs only its share of W_hh,
 * so each step's product streams half (a thread's share) of the weights over twice the rows, and
 * the threads meet once per step. The threads are rnnc's pool (src/core/threads.c); when it is
 * busy, rows mode runs its slices one after the other. Every element is computed the same way in
 * any slice of either mode (the step products are rnnc__gemm_packed, element by element the same
 * sums), so the bits do not depend on the thread count or the mode. */
typedef struct cell_job {
    const rnnc__cellw *w;
    rnnc__dir d;
    int backward;
    const real *dy;
    size_t ldy;
    real *dh, *dc, *dg, *dgh, *work;
} cell_job;

static void run_cell(cell_job *j) {
    const rnnc__dir *d = &j->d;
    const rnnc__cell *c = rnnc__cells[d->cell];
    if (!j->backward) {
        c->forward(j->w, d, j->work);
    } else {
        const rnnc__cell_grads gr = {j->dh, j->dc, j->dg, j->dgh};
        c->backward(j->w, d, j->dy, j->ldy, &gr, j->work);
    }
}

static void cell_task(void *jobs, int k) {
    run_cell((cell_job *)jobs + k);
}

/* Units mode over nt threads of the pool; returns 0, having done nothing, when the pool cannot
 * run them all at once (they meet at a barrier; the caller then runs rows mode). */
static int run_units(cell_job *job, int nt) {
    const size_t H = job->d.H, chunks = (H + 15) / 16;
    const size_t gates = (size_t)rnnc__cell_gates(job->d.cell);
    cell_job jobs[UNIT_THREADS];
    rnnc__barrier barrier;
    rnnc__barrier_init(&barrier, nt);
    real *packed = job->d.packed_own;
    for (int k = 0; k < nt; k++) {
        const size_t u0 = 16 * (chunks * (size_t)k / (size_t)nt);
        const size_t u1 = 16 * (chunks * (size_t)(k + 1) / (size_t)nt);
        jobs[k] = *job;
        jobs[k].d.b0 = 0, jobs[k].d.b1 = job->d.B;
        jobs[k].d.u0 = u0, jobs[k].d.u1 = u1 < H ? u1 : H;
        jobs[k].d.barrier = &barrier, jobs[k].d.packed_own = packed;
        const size_t nu = jobs[k].d.u1 - u0;
        const size_t pf = gates * rnnc__packed_size(H, nu), pb = rnnc__packed_size(gates * H, nu);
        packed += pf > pb ? pf : pb;
    }
    return rnnc__pool_run(nt, cell_task, jobs);
}

static void run_cells(cell_job *job) {
    enum { MAX_SLICES = RNNC__POOL_MAX, MIN_ROWS = 8 };
    const size_t B = job->d.B, H = job->d.H, G = (size_t)rnnc__cell_gates(job->d.cell) * H;
    job->d.u0 = 0, job->d.u1 = H, job->d.barrier = NULL;
    int nt = rnnc__in_worker() ? 1 : rnnc__threads();
    if (rnnc__cells[job->d.cell]->units_mode && G * H * sizeof(real) > (1u << 20)) {
        int nu = nt < UNIT_THREADS ? nt : UNIT_THREADS;
        if ((size_t)nu > H / UNIT_MIN)
            nu = (int)(H / UNIT_MIN);
        const rnnc__dir *d = &job->d;
        if (nu > 1 && d->wih_packed) { /* units mode projects all steps first */
            rnnc__gemm(0, 1, d->T * B, G, d->I, d->x, d->ldx, job->w->w_ih, d->I, 0, d->cache, G);
            job->d.wih_packed = NULL;
        }
        if (nu > 1) {
            rnnc__packed *as = job->backward ? NULL : job->d.packed_as;
            job->d.skip_pack = as && as->whh == nu;
            if (run_units(job, nu)) {
                if (as)
                    as->whh = nu;
                return;
            }
        }
    }
    /* rows mode: all of a full W_hh packed once, shared (forward W_hh^T, backward W_hh); forward
     * also W_ih^T after it (a diagonal W_hh is read as it is) */
    const int bw = job->backward;
    rnnc__packed *as = bw ? NULL : job->d.packed_as;
    const int packed = as && as->whh == 1; /* an earlier forward of this inference packed them */
    job->d.whh_packed = NULL;
    if (!rnnc__cells[job->d.cell]->whh_diag) {
        if (!packed)
            rnnc__pack(!bw, bw ? G : H, bw ? H : G, job->w->w_hh, H, job->d.packed_own);
        job->d.whh_packed = job->d.packed_own;
    }
    if (job->d.wih_packed) { /* forward with the input projection step by step */
        real *pih = job->d.packed_own + rnnc__packed_size(H, G);
        if (!packed)
            rnnc__pack(1, job->d.I, G, job->w->w_ih, job->d.I, pih);
        job->d.wih_packed = pih;
    }
    if (as)
        as->whh = 1;
    if ((size_t)nt > B / MIN_ROWS)
        nt = (int)(B / MIN_ROWS);
    if (nt > MAX_SLICES)
        nt = MAX_SLICES;
    if (nt < 1)
        nt = 1;
    cell_job jobs[MAX_SLICES];
    for (int k = 0; k < nt; k++) {
        jobs[k] = *job;
        jobs[k].d.b0 = B * (size_t)k / (size_t)nt, jobs[k].d.b1 = B * (size_t)(k + 1) / (size_t)nt;
    }
    if (nt == 1 || !rnnc__pool_run(nt, cell_task, jobs))
        for (int k = 0; k < nt; k++)
            run_cell(&jobs[k]); /* the same slices, one by one */
}

void rnnc__dir_forward(const rnnc__cellw *w, const rnnc__dir *d, real *hT, real *cT, real *work) {
    const size_t T = d->T, B = d->B, H = d->H, BH = B * H;
    const size_t G = (size_t)rnnc__cell_gates(d->cell) * H;
    real *gates = d->cache, *Sh = gates + T * B * G; /* (T,B,G), (T+1,B,H) */
    const size_t h0slot = d->reverse ? T : 0, lastslot = d->reverse ? 0 : T;
    put_initial(Sh + h0slot * BH, d->h0, B, H);
    if (rnnc__cells[d->cell]->has_c) {
        real *Sc = Sh + (T + 1) * BH;
        put_initial(Sc + h0slot * BH, d->c0, B, H);
    }
    cell_job job = {w, *d, 0, NULL, 0, NULL, NULL, NULL, NULL, work};
    job.d.packed_own = work + B * G; /* the packed weights go after hh (B,G), whatever T is */
    /* The input projection: when W_ih and W_hh fit a core's cache together, step by step in the
     * time loop (rnnc__gemm_packed, right before the recurrent product, from cache: no pass of
     * T*B*G gates through memory); otherwise one GEMM for all steps before it. */
    const int by_step = (d->I + H) * G * sizeof(real) <= rnnc__step_projection_limit();
    job.d.wih_packed = by_step ? job.d.packed_own : NULL; /* run_cells packs it */
    if (!by_step && d->packed_as) { /* inference: W_ih^T packed once for all its chunks */
        real *pih = job.d.packed_own + whh_room(H, G);
        if (!d->packed_as->wih)
            rnnc__pack(1, d->I, G, w->w_ih, d->I, pih);
        d->packed_as->wih = 1;
        rnnc__gemm_packed_rows(T * B, G, d->I, d->x, d->ldx, pih, 0, gates, G);
    } else if (!by_step) {
        rnnc__gemm(0, 1, T * B, G, d->I, d->x, d->ldx, w->w_ih, d->I, 0, gates, G);
    }
    run_cells(&job);
    if (cT && rnnc__cells[d->cell]->has_c)
        memcpy(cT, Sh + (T + 1) * BH + lastslot * BH, BH * sizeof(real));
    if (hT)
        memcpy(hT, Sh + lastslot * BH, BH * sizeof(real));
}

/* Inference runs the steps in chunks of `rows` rows (steps x B), each a forward over its steps that
 * starts from the state the chunk before it ended with, so its cache holds one chunk's gates and
 * states instead of all T steps' (nothing is kept for a backward). The first chunk packs the
 * weights and the others reuse them (packed_as), unless the pool could not give them the same
 * threads, in which case they pack for the mode they run in. Each step is computed exactly
 * as in one forward over all steps (the input projection's rows are independent sums), so the
 * outputs are the same bits. */
void rnnc__dir_infer(const rnnc__cellw *w, const rnnc__dir *d, real *hT, real *cT, real *work,
                     size_t rows) {
    const size_t T = d->T, B = d->B, steps = infer_steps(T, B, rows);
    if (steps >= T) { /* one chunk (or no step: hT = h0) */
        rnnc__dir_forward(w, d, hT, cT, work);
        return;
    }
    rnnc__dir c = *d;
    rnnc__packed packed = {0, 0}; /* the weights are packed once, by the first chunk, for all */
    c.packed_as = &packed;
    for (size_t done = 0; done < T; done += steps) {
        const size_t n = T - done < steps ? T - done : steps;
        const size_t t0 = d->reverse ? T - done - n : done; /* reverse: the last chunk first */
        c.T = n;
        c.x = d->x + t0 * B * d->ldx;
        c.y = d->y + t0 * B * d->ldy;
        c.active = d->active + t0 * B;
        c.h0 = done ? hT : d->h0;
        c.c0 = done ? cT : d->c0;
        rnnc__dir_forward(w, &c, hT, cT, work);
    }
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
                for (size_t j = 0; j < nj; j++)
                    part[j] += row[j];
            }
            for (size_t j = 0; j < nj; j++)
                acc[j] += part[j];
        }
        for (size_t j = 0; j < nj; j++) {
            db[j0 + j] += (real)acc[j];
            if (db2)
                db2[j0 + j] += (real)acc[j];
        }
    }
}

/* A diagonal W_hh's gradient: dw[j] += sum over rows of dg[:, j] * h[:, j] (G = H), in double. */
static void add_diag_grad(real *dw, const real *dg, const real *h, size_t rows, size_t G) {
    enum { COLS = 256 };
    double acc[COLS];
    for (size_t j0 = 0; j0 < G; j0 += COLS) {
        const size_t nj = G - j0 < COLS ? G - j0 : COLS;
        memset(acc, 0, sizeof acc);
        for (size_t r = 0; r < rows; r++)
            for (size_t j = 0; j < nj; j++)
                acc[j] += (double)dg[r * G + j0 + j] * h[r * G + j0 + j];
        for (size_t j = 0; j < nj; j++)
            dw[j0 + j] += (real)acc[j];
    }
}

static void add_state(real *dst, const real *src, size_t n) {
    for (size_t i = 0; i < n; i++)
        dst[i] += src[i];
}

void rnnc__dir_backward(const rnnc__cellw *w, const rnnc__dir *d, const real *dy, size_t ldy,
                        const real *dhT, const real *dcT, real *dx, real *dh0, real *dc0,
                        const rnnc__cellw *g, real *work) {
    const size_t T = d->T, B = d->B, H = d->H, BH = B * H;
    const size_t G = (size_t)rnnc__cell_gates(d->cell) * H;
    real *dg = work;              /* (T,B,G) gradient of the gate pre-activations (input side) */
    real *dh = dg + T * B * G;    /* (B,H) gradient flowing into the state, carried back */
    real *dc = dh + BH;           /* (B,H) cell-state gradient */
    real *cellwork = dc + BH;     /* (B,G) */
    real *dgh = cellwork + B * G; /* (T,B,G) split_dgh: the recurrent side's gate gradient */
    put_initial(dh, dhT, B, H);
    put_initial(dc, dcT, B, H);
    cell_job job = {w, *d, 1, dy, ldy, dh, dc, dg, dgh, cellwork};
    job.d.packed_own = work + backward_work(d->cell, T, B, H); /* the packed W_hh goes here */
    run_cells(&job);
    if (!rnnc__cells[d->cell]->split_dgh)
        dgh = dg; /* one pre-activation feeds both products */
    if (dh0)
        add_state(dh0, dh, BH);
    if (dc0 && rnnc__cells[d->cell]->has_c)
        add_state(dc0, dc, BH);

    const real *Sh = d->cache + T * B * G;
    const real *hprev = Sh + (d->reverse ? BH : 0); /* (T,B,H): state before each step */
    if (dx)
        rnnc__gemm(0, 0, T * B, d->I, G, dg, G, w->w_ih, d->I, 1, dx, d->ldx);
    if (!g)
        return; /* a frozen layer: no weight gradients */
    rnnc__gemm(1, 0, G, d->I, T * B, dg, G, d->x, d->ldx, 1, g->w_ih, d->I);
    if (rnnc__cells[d->cell]->whh_diag)
        add_diag_grad(g->w_hh, dgh, hprev, T * B, G);
    else
        rnnc__gemm(1, 0, G, H, T * B, dgh, G, hprev, H, 1, g->w_hh, H);
    if (dgh == dg) { /* one pre-activation: both biases get the same gradient */
        add_colsum(g->b_ih, g->b_hh, dg, T * B, G);
    } else {
        add_colsum(g->b_ih, NULL, dg, T * B, G);
        add_colsum(g->b_hh, NULL, dgh, T * B, G);
    }
}
