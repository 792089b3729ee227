/* oneDNN reference for the CPU benchmark contract (bench/README.md): the five fixed shapes (S1 imdb, S2
 * charlm, S3 gru, S4 rnn, S5 big) run with oneDNN's C API, so rnnc and PyTorch can be compared
 * with what Intel's own RNN primitives do on the same machine.
 *   usage: onednn_shapes SHAPE train|infer [steps=10] [warmup=2] [threads=2]
 *          onednn_shapes SHAPE check [cap=16]
 * SHAPE is S1..S5 or its name (imdb, charlm, gru, rnn, big). train and infer print the contract's
 * one line; check prints a reduced model's loss, outputs, gradients and Adam-updated parameters as
 * text for bench/onednn_check.py, which compares them with torch. Build: bench/setup-onednn.sh.
 *
 * What runs:
 * - Cells: dnnl_lstm, dnnl_lbr_gru (the "linear before reset" GRU, which is torch.nn.GRU) and
 *   dnnl_vanilla_rnn with tanh, unidirectional, one primitive per layer (S2's two layers differ in
 *   input width; one oneDNN primitive stacks layers of equal width only). Initial states are
 *   explicit zero buffers: with NULL src_iter/src_iter_c, 2.6.3 returns a wrong weights_iter
 *   gradient for LSTM and vanilla RNN (LBR GRU is right); bench/onednn_check.py catches it.
 * - Weight layouts: every weight descriptor is format_tag_any, so oneDNN picks. The parameters live
 *   in the forward primitive's layout when that is a strided or blocked one: with 2.6.3 on an
 *   AVX-512 Xeon, plain ldigo for training (its "ref" GEMM implementation), a blocked ldgOi32o for
 *   LSTM and RNN inference (its brgemm implementation) and ldigo for LBR GRU inference (no brgemm
 *   GRU in 2.6). Were it an opaque packed layout, the parameters would stay ldigo and be reordered
 *   into a packed copy once, before the timed steps. The backward primitive wants the weights as
 *   ldgoi: they are reordered inside every training step, since Adam has just changed them. Its
 *   weight gradients come as ldigo, the parameters' layout, so nothing is reordered back (the code
 *   would reorder them, inside the step, if they did not: Adam pairs them elementwise). Each
 *   reorder exists only when the descriptors differ; check mode prints the layouts chosen.
 * - oneDNN has one bias per gate where torch has two (b_ih, b_hh); LBR GRU has a fourth gate for
 *   b_hn. The parameters keep torch's two vectors; each training step adds them into oneDNN's bias
 *   (G*H floats) and copies oneDNN's bias gradient back into both, so Adam updates the same
 *   parameters as torch.optim.Adam.
 * - Heads: embedding gather and scatter by hand; Dense by oneDNN inner product (forward, backward
 *   data, backward weights; plain layouts, weight (C,H) as torch's); BCE-with-logits and softmax
 *   cross-entropy with their gradients by hand; Adam by hand, one plain loop over the parameter
 *   arena (vectorised by the compiler, one thread).
 * - Memory: everything, including one user-managed scratchpad shared by all primitives, is
 *   allocated before the timed steps. The RNN backward accumulates weight gradients (2.6 has no
 *   overwrite flag), so they are zeroed in each step.
 * - Threads: Debian's libdnnl uses GNU OpenMP; the `threads` argument is applied with
 *   omp_set_num_threads() before the engine is created, so it overrides OMP_NUM_THREADS.
 * - Denormals are computed as such, torch's default too. ONEDNN_SHAPES_FTZ=1 in the environment
 *   sets the SSE flush-to-zero and denormals-are-zero bits (the OpenMP threads inherit them) to
 *   measure what they cost: in S1 the gradient decays into denormals over the 500 steps back from
 *   the last one, and oneDNN's backward runs several times slower on them.
 *
 * Check mode (T=5, B=3, I and H capped at `cap`, 0 = no cap; vocabulary and classes kept):
 * parameter tensor number k (in the order emb.weight; per layer weight_ih, weight_hh, bias_ih,
 * bias_hh; head.weight, head.bias) holds w[i] = scale * sin(0.37*i + 1.3*k) over torch's row-major
 * layout, scale 1 for the embedding and 1/sqrt(H) otherwise. Ids, targets and float inputs come
 * from the LCG below (seed 7) in this order: ids (T*B), then targets (B for S1, T*B for S2); or the
 * input (T*B*I) when there is no embedding. Benchmark runs use the same initialisation. */
#define _POSIX_C_SOURCE 200809L
#include "bench.h"
#include <dnnl.h>
#include <dnnl_debug.h>
#include <omp.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

static void dnnl_die(const char *call, dnnl_status_t st, int line) {
    fprintf(stderr, "onednn_shapes:%d: %s failed: %s\n", line, call, dnnl_status2str(st));
    exit(1);
}
#define DN(call)                                                                                   \
    do {                                                                                           \
        dnnl_status_t st_ = (call);                                                                \
        if (st_ != dnnl_success)                                                                   \
            dnnl_die(#call, st_, __LINE__);                                                        \
    } while (0)

static void die(const char *what) {
    fprintf(stderr, "onednn_shapes: %s\n", what);
    exit(1);
}

enum { CELL_RNN, CELL_LSTM, CELL_GRU };
enum { HEAD_NONE, HEAD_BCE_LAST, HEAD_CE_ALL };

typedef struct {
    const char *id, *name;
    int cell, I, H, L, T, B;
    int V;    // embedding rows; 0: float input
    int head; // HEAD_*
    int C;    // head outputs
} shape;

static const shape SHAPES[] = {
    {"S1", "imdb", CELL_LSTM, 128, 128, 1, 500, 64, 10000, HEAD_BCE_LAST, 1},
    {"S2", "charlm", CELL_LSTM, 64, 512, 2, 100, 64, 65, HEAD_CE_ALL, 65},
    {"S3", "gru", CELL_GRU, 64, 256, 1, 200, 32, 0, HEAD_NONE, 0},
    {"S4", "rnn", CELL_RNN, 64, 256, 1, 200, 32, 0, HEAD_NONE, 0},
    {"S5", "big", CELL_LSTM, 512, 1024, 1, 100, 64, 0, HEAD_NONE, 0},
};

static int cell_gates(int cell) {
    return cell == CELL_LSTM ? 4 : cell == CELL_GRU ? 3 : 1;
}

// oneDNN's GRU gate order is (u, r, o) = torch's (z, r, n): oneDNN gate g is torch gate
// gate_perm(cell, g). LSTM (i, f, g, o) and RNN gates are in the same order in both.
static int gate_perm(int cell, int g) {
    return cell == CELL_GRU && g < 2 ? 1 - g : g;
}

/* ---- LCG shared with bench/onednn_check.py: 64-bit state, 31 output bits. ---- */
static uint64_t g_lcg = 7;
static uint32_t lcg_next(void) {
    g_lcg = g_lcg * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(g_lcg >> 33);
}
static float lcg_uniform(void) {
    return (float)((double)lcg_next() * (1.0 / 1073741824.0) - 1.0);
}

/* ---- Pools: every buffer, memory object and primitive, released together. ---- */
typedef struct {
    dnnl_primitive_desc_t pd;
    dnnl_primitive_t prim;
    int n;
    dnnl_exec_arg_t a[20];
} op;

enum { MAX_OPS = 48, MAX_MEMS = 400, MAX_BUFS = 200 };
static op g_ops[MAX_OPS];
static int g_nops;
static dnnl_memory_t g_mems[MAX_MEMS];
static int g_nmems;
static void *g_bufs[MAX_BUFS];
static int g_nbufs;

static dnnl_engine_t g_eng;
static dnnl_stream_t g_strm;
static dnnl_primitive_attr_t g_attr; // user scratchpad

// A zeroed, 64-byte aligned buffer owned by the pool.
static void *buf(size_t bytes) {
    size_t n = (bytes + 63) / 64 * 64;
    if (g_nbufs == MAX_BUFS)
        die("too many buffers");
    void *p = aligned_alloc(64, n ? n : 64);
    if (!p)
        die("out of memory");
    memset(p, 0, n ? n : 64);
    return g_bufs[g_nbufs++] = p;
}

static dnnl_memory_t mem(const dnnl_memory_desc_t *md, const void *p) {
    if (g_nmems == MAX_MEMS)
        die("too many memory objects");
    DN(dnnl_memory_create(&g_mems[g_nmems], md, g_eng, (void *)p));
    return g_mems[g_nmems++];
}

static op *op_new(dnnl_primitive_desc_t pd) {
    if (g_nops == MAX_OPS)
        die("too many primitives");
    op *o = &g_ops[g_nops++];
    o->pd = pd, o->n = 0;
    DN(dnnl_primitive_create(&o->prim, pd));
    return o;
}

static const dnnl_memory_desc_t *pd_md(const_dnnl_primitive_desc_t pd, int arg) {
    return dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, arg);
}

// Binds argument `arg` to p, in the layout the primitive expects for it.
static void op_arg(op *o, int arg, const void *p) {
    if (o->n == (int)(sizeof o->a / sizeof *o->a))
        die("too many primitive arguments");
    o->a[o->n].arg = arg;
    o->a[o->n++].memory = mem(pd_md(o->pd, arg), p);
}

static void op_run(const op *o) {
    DN(dnnl_primitive_execute(o->prim, g_strm, o->n, o->a));
}

static op *reorder_new(const dnnl_memory_desc_t *from, const void *src,
                       const dnnl_memory_desc_t *to, void *dst) {
    dnnl_primitive_desc_t pd;
    DN(dnnl_reorder_primitive_desc_create(&pd, from, g_eng, to, g_eng, g_attr));
    op *o = op_new(pd);
    op_arg(o, DNNL_ARG_FROM, src);
    op_arg(o, DNNL_ARG_TO, dst);
    return o;
}

// Gives every primitive one shared scratchpad, sized for the largest; they run one at a time.
static void scratchpad_bind(void) {
    size_t most = 0;
    for (int i = 0; i < g_nops; i++) {
        size_t n = dnnl_memory_desc_get_size(
            dnnl_primitive_desc_query_md(g_ops[i].pd, dnnl_query_scratchpad_md, 0));
        most = n > most ? n : most;
    }
    void *p = buf(most);
    for (int i = 0; i < g_nops; i++)
        op_arg(&g_ops[i], DNNL_ARG_SCRATCHPAD, p);
}

static void pool_release(void) {
    for (int i = 0; i < g_nops; i++) {
        dnnl_primitive_destroy(g_ops[i].prim);
        dnnl_primitive_desc_destroy(g_ops[i].pd);
    }
    for (int i = 0; i < g_nmems; i++)
        dnnl_memory_destroy(g_mems[i]);
    for (int i = 0; i < g_nbufs; i++)
        free(g_bufs[i]);
    g_nops = g_nmems = g_nbufs = 0;
}

static dnnl_memory_desc_t md_tag(int nd, dnnl_dim_t d0, dnnl_dim_t d1, dnnl_dim_t d2, dnnl_dim_t d3,
                                 dnnl_dim_t d4, dnnl_format_tag_t tag) {
    dnnl_dims_t dims = {d0, d1, d2, d3, d4};
    dnnl_memory_desc_t md;
    DN(dnnl_memory_desc_init_by_tag(&md, nd, dims, dnnl_f32, tag));
    return md;
}

// A one-off reorder outside the timed steps (initialisation and check output).
static void reorder_once(const dnnl_memory_desc_t *from, const void *src,
                         const dnnl_memory_desc_t *to, void *dst) {
    dnnl_primitive_desc_t pd;
    dnnl_primitive_t prim;
    dnnl_memory_t a, b;
    DN(dnnl_reorder_primitive_desc_create(&pd, from, g_eng, to, g_eng, NULL));
    DN(dnnl_primitive_create(&prim, pd));
    DN(dnnl_memory_create(&a, from, g_eng, (void *)src));
    DN(dnnl_memory_create(&b, to, g_eng, dst));
    dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, a}, {DNNL_ARG_TO, b}};
    DN(dnnl_primitive_execute(prim, g_strm, 2, args));
    DN(dnnl_stream_wait(g_strm));
    dnnl_memory_destroy(a), dnnl_memory_destroy(b);
    dnnl_primitive_destroy(prim), dnnl_primitive_desc_destroy(pd);
}

/* ---- The model ---- */

// One recurrent layer. Weight tensors: which 0 = weights_layer (I inputs), 1 = weights_iter (H).
typedef struct {
    int cell, I, H, G, Gb;             // G gates; Gb bias gates (G+1 for LBR GRU)
    dnnl_primitive_desc_t fpd, bpd;    // planned primitives (owned by the ops once bound)
    dnnl_memory_desc_t pmd[2];         // parameter layouts of weights_layer, weights_iter
    size_t off_w[2], off_bih, off_bhh; // offsets into the arena
    const float *x;                    // (T,B,I) input
    float *y, *dy, *dx;                // (T,B,H) output and its gradient; (T,B,I) input gradient
    float *zero, *dh0, *dc0;           // (B,H) zero initial state; initial-state gradients
    float *bias, *dbias;               // (Gb,H) oneDNN's bias and its gradient
    float *ws;                         // forward-training workspace
    op *fwd, *bwd;
    op *re_fwd[2], *re_bwd[2], *re_grad[2]; // per-step reorders, NULL when not needed
    float *bgrad[2];                        // backward's weight-gradient buffers (arena or own)
    size_t bgrad_bytes[2];
} layer;

typedef struct {
    char name[32];
    size_t off, n; // arena offset and size in floats
    layer *l;      // weights of a layer (layout pmd[which]); NULL for plain torch-layout tensors
    int which, rows, cols;
} tensor;

typedef struct {
    const shape *s;
    int train, T, B, I, H, L, V, C, N; // N rows through the head
    layer lay[2];
    tensor ten[12];
    int nten;
    size_t np;            // floats in the parameter arena
    float *p, *g, *m, *v; // parameters, gradients, Adam moments (g, m, v: train only)
    int adam_t;
    int32_t *ids;            // (T,B) token ids
    int32_t *cls;            // (T,B) S2 targets
    float *tgt;              // (B) S1 targets
    float *x0, *dx0;         // (T,B,I) first layer input and its gradient
    float *logits, *dlogits; // (N,C)
    op *ip_fwd, *ip_bwd_d, *ip_bwd_w;
    size_t off_emb, off_hw, off_hb;
    double loss;
} model;

static float *P(const model *m, size_t off) {
    return m->p + off;
}

static int md_is(const dnnl_memory_desc_t *md, dnnl_format_tag_t tag) {
    dnnl_memory_desc_t t;
    if (dnnl_memory_desc_init_by_tag(&t, md->ndims, md->dims, dnnl_f32, tag) != dnnl_success)
        return 0;
    return dnnl_memory_desc_equal(md, &t);
}

static const char *md_name(const dnnl_memory_desc_t *md) {
    if (md->format_kind == dnnl_format_kind_rnn_packed)
        return "packed";
    return md_is(md, dnnl_ldigo) ? "ldigo" : md_is(md, dnnl_ldgoi) ? "ldgoi" : "blocked";
}

// Plans one layer's primitives (descriptors only; memory is bound later).
static void layer_plan(layer *l, int cell, int I, int H, int T, int B, int train) {
    l->cell = cell, l->I = I, l->H = H, l->G = cell_gates(cell);
    l->Gb = l->G + (cell == CELL_GRU);
    dnnl_memory_desc_t x = md_tag(3, T, B, I, 0, 0, dnnl_tnc),
                       y = md_tag(3, T, B, H, 0, 0, dnnl_tnc);
    dnnl_memory_desc_t h0 = md_tag(4, 1, 1, B, H, 0, dnnl_ldnc);
    dnnl_memory_desc_t wl = md_tag(5, 1, 1, I, l->G, H, dnnl_format_tag_any);
    dnnl_memory_desc_t wi = md_tag(5, 1, 1, H, l->G, H, dnnl_format_tag_any);
    dnnl_memory_desc_t b = md_tag(4, 1, 1, l->Gb, H, 0, dnnl_ldgo);
    dnnl_prop_kind_t prop = train ? dnnl_forward_training : dnnl_forward_inference;
    dnnl_rnn_direction_t dir = dnnl_unidirectional_left2right;
    dnnl_rnn_desc_t d;
    if (cell == CELL_LSTM)
        DN(dnnl_lstm_forward_desc_init(&d, prop, dir, &x, &h0, &h0, &wl, &wi, &b, &y, NULL, NULL,
                                       0));
    else if (cell == CELL_GRU)
        DN(dnnl_lbr_gru_forward_desc_init(&d, prop, dir, &x, &h0, &wl, &wi, &b, &y, NULL, 0));
    else
        DN(dnnl_vanilla_rnn_forward_desc_init(&d, prop, dnnl_eltwise_tanh, dir, &x, &h0, &wl, &wi,
                                              &b, &y, NULL, 0, 0.f, 0.f));
    DN(dnnl_primitive_desc_create(&l->fpd, &d, g_attr, g_eng, NULL));
    for (int w = 0; w < 2; w++) {
        const dnnl_memory_desc_t *f =
            pd_md(l->fpd, w ? DNNL_ARG_WEIGHTS_ITER : DNNL_ARG_WEIGHTS_LAYER);
        l->pmd[w] =
            f->format_kind == dnnl_blocked ? *f : md_tag(5, 1, 1, w ? H : I, l->G, H, dnnl_ldigo);
    }
    l->bpd = NULL;
    if (!train)
        return;
    if (cell == CELL_LSTM)
        DN(dnnl_lstm_backward_desc_init(&d, dnnl_backward, dir, &x, &h0, &h0, &wl, &wi, &b, &y,
                                        NULL, NULL, &x, &h0, &h0, &wl, &wi, &b, &y, NULL, NULL, 0));
    else if (cell == CELL_GRU)
        DN(dnnl_lbr_gru_backward_desc_init(&d, dnnl_backward, dir, &x, &h0, &wl, &wi, &b, &y, NULL,
                                           &x, &h0, &wl, &wi, &b, &y, NULL, 0));
    else
        DN(dnnl_vanilla_rnn_backward_desc_init(&d, dnnl_backward, dnnl_eltwise_tanh, dir, &x, &h0,
                                               &wl, &wi, &b, &y, NULL, &x, &h0, &wl, &wi, &b, &y,
                                               NULL, 0, 0.f, 0.f));
    DN(dnnl_primitive_desc_create(&l->bpd, &d, g_attr, g_eng, l->fpd));
}

// Creates the layer's memory and primitives; m's arena must exist.
static void layer_bind(layer *l, model *m) {
    size_t TB = (size_t)m->T * m->B, BH = (size_t)m->B * l->H;
    static const int WARG[2] = {DNNL_ARG_WEIGHTS_LAYER, DNNL_ARG_WEIGHTS_ITER};
    static const int GARG[2] = {DNNL_ARG_DIFF_WEIGHTS_LAYER, DNNL_ARG_DIFF_WEIGHTS_ITER};
    l->y = buf(sizeof(float) * TB * l->H);
    l->zero = buf(sizeof(float) * BH);
    l->bias = buf(sizeof(float) * l->Gb * l->H);
    const float *fw[2];
    for (int w = 0; w < 2; w++) {
        const dnnl_memory_desc_t *f = pd_md(l->fpd, WARG[w]);
        l->re_fwd[w] = l->re_bwd[w] = l->re_grad[w] = NULL;
        fw[w] = P(m, l->off_w[w]);
        if (!dnnl_memory_desc_equal(f, &l->pmd[w])) {
            float *own = buf(dnnl_memory_desc_get_size(f));
            l->re_fwd[w] = reorder_new(&l->pmd[w], P(m, l->off_w[w]), f, own);
            fw[w] = own;
        }
    }
    l->fwd = op_new(l->fpd);
    op_arg(l->fwd, DNNL_ARG_SRC_LAYER, l->x);
    op_arg(l->fwd, DNNL_ARG_SRC_ITER, l->zero);
    if (l->cell == CELL_LSTM)
        op_arg(l->fwd, DNNL_ARG_SRC_ITER_C, l->zero);
    op_arg(l->fwd, DNNL_ARG_WEIGHTS_LAYER, fw[0]);
    op_arg(l->fwd, DNNL_ARG_WEIGHTS_ITER, fw[1]);
    op_arg(l->fwd, DNNL_ARG_BIAS, l->bias);
    op_arg(l->fwd, DNNL_ARG_DST_LAYER, l->y);
    l->bwd = NULL;
    if (!m->train)
        return;
    l->ws = buf(dnnl_memory_desc_get_size(
        dnnl_primitive_desc_query_md(l->fpd, dnnl_query_workspace_md, 0)));
    op_arg(l->fwd, DNNL_ARG_WORKSPACE, l->ws);
    l->dy = buf(sizeof(float) * TB * l->H);
    if (!l->dx) // layers above the first write into the gradient of the layer below's output
        l->dx = buf(sizeof(float) * TB * l->I);
    l->dh0 = buf(sizeof(float) * BH);
    l->dc0 = buf(sizeof(float) * BH);
    l->dbias = buf(sizeof(float) * l->Gb * l->H);
    const float *bw[2];
    for (int w = 0; w < 2; w++) {
        const dnnl_memory_desc_t *bm = pd_md(l->bpd, WARG[w]), *gm = pd_md(l->bpd, GARG[w]);
        bw[w] = P(m, l->off_w[w]);
        if (!dnnl_memory_desc_equal(bm, &l->pmd[w])) {
            float *own = buf(dnnl_memory_desc_get_size(bm));
            l->re_bwd[w] = reorder_new(&l->pmd[w], P(m, l->off_w[w]), bm, own);
            bw[w] = own;
        }
        l->bgrad[w] = m->g + l->off_w[w];
        l->bgrad_bytes[w] = dnnl_memory_desc_get_size(gm);
        if (!dnnl_memory_desc_equal(gm, &l->pmd[w])) {
            l->bgrad[w] = buf(l->bgrad_bytes[w]);
            l->re_grad[w] = reorder_new(gm, l->bgrad[w], &l->pmd[w], m->g + l->off_w[w]);
        }
    }
    l->bwd = op_new(l->bpd);
    op_arg(l->bwd, DNNL_ARG_SRC_LAYER, l->x);
    op_arg(l->bwd, DNNL_ARG_SRC_ITER, l->zero);
    if (l->cell == CELL_LSTM)
        op_arg(l->bwd, DNNL_ARG_SRC_ITER_C, l->zero);
    op_arg(l->bwd, DNNL_ARG_WEIGHTS_LAYER, bw[0]);
    op_arg(l->bwd, DNNL_ARG_WEIGHTS_ITER, bw[1]);
    op_arg(l->bwd, DNNL_ARG_BIAS, l->bias);
    op_arg(l->bwd, DNNL_ARG_DST_LAYER, l->y);
    op_arg(l->bwd, DNNL_ARG_DIFF_DST_LAYER, l->dy);
    op_arg(l->bwd, DNNL_ARG_WORKSPACE, l->ws);
    op_arg(l->bwd, DNNL_ARG_DIFF_SRC_LAYER, l->dx);
    op_arg(l->bwd, DNNL_ARG_DIFF_SRC_ITER, l->dh0);
    if (l->cell == CELL_LSTM)
        op_arg(l->bwd, DNNL_ARG_DIFF_SRC_ITER_C, l->dc0);
    op_arg(l->bwd, DNNL_ARG_DIFF_WEIGHTS_LAYER, l->bgrad[0]);
    op_arg(l->bwd, DNNL_ARG_DIFF_WEIGHTS_ITER, l->bgrad[1]);
    op_arg(l->bwd, DNNL_ARG_DIFF_BIAS, l->dbias);
}

// oneDNN bias (Gb,H) from torch's b_ih and b_hh (G*H each, torch gate order).
static void bias_compose(const layer *l, const model *m) {
    const float *bi = P(m, l->off_bih), *bh = P(m, l->off_bhh);
    int H = l->H;
    for (int g = 0; g < l->G; g++) {
        const float *a = bi + (size_t)gate_perm(l->cell, g) * H;
        const float *b = bh + (size_t)gate_perm(l->cell, g) * H;
        float *o = l->bias + (size_t)g * H;
        if (l->cell == CELL_GRU && g == 2) // b_hn sits inside r * (W_hn h + b_hn): gate u'
            memcpy(o, a, sizeof(float) * H), memcpy(o + H, b, sizeof(float) * H);
        else
            for (int j = 0; j < H; j++)
                o[j] = a[j] + b[j];
    }
}

// Gradients of b_ih and b_hh from oneDNN's bias gradient (the inverse map of bias_compose).
static void bias_grad_expand(const layer *l, model *m) {
    float *gi = m->g + l->off_bih, *gh = m->g + l->off_bhh;
    int H = l->H;
    for (int g = 0; g < l->G; g++) {
        size_t t = (size_t)gate_perm(l->cell, g) * H;
        const float *d = l->dbias + (size_t)g * H;
        memcpy(gi + t, d, sizeof(float) * H);
        memcpy(gh + t, l->cell == CELL_GRU && g == 2 ? d + H : d, sizeof(float) * H);
    }
}

static size_t arena_add(model *m, const char *name, size_t n, layer *l, int which, int rows,
                        int cols) {
    tensor *t = &m->ten[m->nten++];
    snprintf(t->name, sizeof t->name, "%s", name);
    t->off = m->np, t->n = n, t->l = l, t->which = which, t->rows = rows, t->cols = cols;
    m->np += (n + 15) / 16 * 16; // 64-byte aligned tensors
    return t->off;
}

// Torch layout (G*H, In) <-> a layer's weight in its parameter layout.
static void weight_from_torch(const layer *l, int which, const float *src, float *dst) {
    int In = which ? l->H : l->I;
    size_t blk = (size_t)l->H * In;
    float *tmp = malloc(sizeof(float) * blk * l->G);
    if (!tmp)
        die("out of memory");
    for (int g = 0; g < l->G; g++) // ldgoi with oneDNN's gate order is torch's (G*H, In)
        memcpy(tmp + g * blk, src + gate_perm(l->cell, g) * blk, sizeof(float) * blk);
    dnnl_memory_desc_t u = md_tag(5, 1, 1, In, l->G, l->H, dnnl_ldgoi);
    reorder_once(&u, tmp, &l->pmd[which], dst);
    free(tmp);
}

static void weight_to_torch(const layer *l, int which, const float *src, float *dst) {
    int In = which ? l->H : l->I;
    size_t blk = (size_t)l->H * In;
    float *tmp = malloc(sizeof(float) * blk * l->G);
    if (!tmp)
        die("out of memory");
    dnnl_memory_desc_t u = md_tag(5, 1, 1, In, l->G, l->H, dnnl_ldgoi);
    reorder_once(&l->pmd[which], src, &u, tmp);
    for (int g = 0; g < l->G; g++)
        memcpy(dst + gate_perm(l->cell, g) * blk, tmp + g * blk, sizeof(float) * blk);
    free(tmp);
}

// The Dense head: oneDNN inner product, src (N,H) -> logits (N,C), weight (C,H), bias (C).
static void head_bind(model *m, const float *src, float *dsrc) {
    int N = m->N, H = m->H, C = m->C;
    dnnl_memory_desc_t s = md_tag(2, N, H, 0, 0, 0, dnnl_nc), w = md_tag(2, C, H, 0, 0, 0, dnnl_oi);
    dnnl_memory_desc_t b = md_tag(1, C, 0, 0, 0, 0, dnnl_x), d = md_tag(2, N, C, 0, 0, 0, dnnl_nc);
    dnnl_inner_product_desc_t ipd;
    dnnl_primitive_desc_t fpd, pd;
    DN(dnnl_inner_product_forward_desc_init(
        &ipd, m->train ? dnnl_forward_training : dnnl_forward_inference, &s, &w, &b, &d));
    DN(dnnl_primitive_desc_create(&fpd, &ipd, g_attr, g_eng, NULL));
    m->ip_fwd = op_new(fpd);
    op_arg(m->ip_fwd, DNNL_ARG_SRC, src);
    op_arg(m->ip_fwd, DNNL_ARG_WEIGHTS, P(m, m->off_hw));
    op_arg(m->ip_fwd, DNNL_ARG_BIAS, P(m, m->off_hb));
    op_arg(m->ip_fwd, DNNL_ARG_DST, m->logits);
    if (!m->train)
        return;
    DN(dnnl_inner_product_backward_data_desc_init(&ipd, &s, &w, &d));
    DN(dnnl_primitive_desc_create(&pd, &ipd, g_attr, g_eng, fpd));
    m->ip_bwd_d = op_new(pd);
    op_arg(m->ip_bwd_d, DNNL_ARG_DIFF_DST, m->dlogits);
    op_arg(m->ip_bwd_d, DNNL_ARG_WEIGHTS, P(m, m->off_hw));
    op_arg(m->ip_bwd_d, DNNL_ARG_DIFF_SRC, dsrc);
    DN(dnnl_inner_product_backward_weights_desc_init(&ipd, &s, &w, &b, &d));
    DN(dnnl_primitive_desc_create(&pd, &ipd, g_attr, g_eng, fpd));
    m->ip_bwd_w = op_new(pd);
    op_arg(m->ip_bwd_w, DNNL_ARG_SRC, src);
    op_arg(m->ip_bwd_w, DNNL_ARG_DIFF_DST, m->dlogits);
    op_arg(m->ip_bwd_w, DNNL_ARG_DIFF_WEIGHTS, m->g + m->off_hw);
    op_arg(m->ip_bwd_w, DNNL_ARG_DIFF_BIAS, m->g + m->off_hb);
}

static void fill_formula(float *p, size_t n, int k, float scale) {
    for (size_t i = 0; i < n; i++)
        p[i] = scale * (float)sin(0.37 * (double)i + 1.3 * k);
}

// Builds the model for shape s; T, B and the I/H cap are the check mode's reductions (cap 0: none).
static void model_build(model *m, const shape *s, int train, int T, int B, int cap) {
    memset(m, 0, sizeof *m);
    m->s = s, m->train = train, m->T = T, m->B = B, m->L = s->L, m->V = s->V, m->C = s->C;
    m->I = cap && s->I > cap ? cap : s->I;
    m->H = cap && s->H > cap ? cap : s->H;
    m->N = s->head == HEAD_CE_ALL ? T * B : B;
    size_t TB = (size_t)T * B;
    for (int i = 0; i < m->L; i++)
        layer_plan(&m->lay[i], s->cell, i ? m->H : m->I, m->H, T, B, train);
    char nm[32];
    if (m->V)
        m->off_emb = arena_add(m, "emb.weight", (size_t)m->V * m->I, NULL, 0, m->V, m->I);
    for (int i = 0; i < m->L; i++) {
        layer *l = &m->lay[i];
        size_t GH = (size_t)l->G * l->H;
        snprintf(nm, sizeof nm, "rnn.weight_ih_l%d", i);
        l->off_w[0] = arena_add(m, nm, dnnl_memory_desc_get_size(&l->pmd[0]) / sizeof(float), l, 0,
                                (int)GH, l->I);
        snprintf(nm, sizeof nm, "rnn.weight_hh_l%d", i);
        l->off_w[1] = arena_add(m, nm, dnnl_memory_desc_get_size(&l->pmd[1]) / sizeof(float), l, 1,
                                (int)GH, l->H);
        snprintf(nm, sizeof nm, "rnn.bias_ih_l%d", i);
        l->off_bih = arena_add(m, nm, GH, NULL, 0, 1, (int)GH);
        snprintf(nm, sizeof nm, "rnn.bias_hh_l%d", i);
        l->off_bhh = arena_add(m, nm, GH, NULL, 0, 1, (int)GH);
    }
    if (s->head) {
        m->off_hw = arena_add(m, "head.weight", (size_t)m->C * m->H, NULL, 0, m->C, m->H);
        m->off_hb = arena_add(m, "head.bias", (size_t)m->C, NULL, 0, 1, m->C);
    }
    m->p = buf(sizeof(float) * m->np);
    if (train) {
        m->g = buf(sizeof(float) * m->np);
        m->m = buf(sizeof(float) * m->np);
        m->v = buf(sizeof(float) * m->np);
    }
    // Initial parameters from the formula, in torch's layout, then into the parameter layouts.
    for (int k = 0; k < m->nten; k++) {
        tensor *t = &m->ten[k];
        size_t n = (size_t)t->rows * t->cols;
        float scale = k == 0 && m->V ? 1.f : 1.f / sqrtf((float)m->H);
        if (!t->l) {
            fill_formula(P(m, t->off), n, k, scale);
            continue;
        }
        float *tmp = malloc(sizeof(float) * n);
        if (!tmp)
            die("out of memory");
        fill_formula(tmp, n, k, scale);
        weight_from_torch(t->l, t->which, tmp, P(m, t->off));
        free(tmp);
    }
    // Data: ids and targets, or a float input.
    g_lcg = 7;
    m->x0 = buf(sizeof(float) * TB * m->I);
    if (m->V) {
        m->ids = buf(sizeof(int32_t) * TB);
        for (size_t i = 0; i < TB; i++)
            m->ids[i] = (int32_t)(lcg_next() % (uint32_t)m->V);
        if (s->head == HEAD_BCE_LAST) {
            m->tgt = buf(sizeof(float) * B);
            for (int b = 0; b < B; b++)
                m->tgt[b] = (float)(lcg_next() % 2);
        } else {
            m->cls = buf(sizeof(int32_t) * TB);
            for (size_t i = 0; i < TB; i++)
                m->cls[i] = (int32_t)(lcg_next() % (uint32_t)m->C);
        }
    } else {
        for (size_t i = 0; i < TB * m->I; i++)
            m->x0[i] = lcg_uniform();
    }
    // Layers, chained: layer i reads layer i-1's output and writes its input gradient.
    for (int i = 0; i < m->L; i++) {
        layer *l = &m->lay[i];
        l->x = i ? m->lay[i - 1].y : m->x0;
        l->dx = train && i ? m->lay[i - 1].dy : NULL;
        layer_bind(l, m);
    }
    m->dx0 = m->lay[0].dx;
    layer *top = &m->lay[m->L - 1];
    if (s->head) {
        m->logits = buf(sizeof(float) * m->N * m->C);
        if (train)
            m->dlogits = buf(sizeof(float) * m->N * m->C);
        // S1 reads only the last step; the other steps of dy stay zero from allocation.
        size_t last = s->head == HEAD_BCE_LAST ? (TB - B) * m->H : 0;
        head_bind(m, top->y + last, top->dy ? top->dy + last : NULL);
    } else if (train) {
        // Loss = mean of all outputs, so dL/dy is one constant, set once.
        float c = 1.f / (float)(TB * m->H);
        for (size_t i = 0; i < TB * m->H; i++)
            top->dy[i] = c;
    }
    scratchpad_bind();
    if (!train) { // Inference weights never change: compose the bias and pack once.
        for (int i = 0; i < m->L; i++) {
            bias_compose(&m->lay[i], m);
            for (int w = 0; w < 2; w++)
                if (m->lay[i].re_fwd[w])
                    op_run(m->lay[i].re_fwd[w]);
        }
        DN(dnnl_stream_wait(g_strm));
    }
}

/* ---- One step ---- */

static void embed_forward(model *m) {
    size_t TB = (size_t)m->T * m->B, row = sizeof(float) * m->I;
    const float *E = P(m, m->off_emb);
    for (size_t i = 0; i < TB; i++)
        memcpy(m->x0 + i * m->I, E + (size_t)m->ids[i] * m->I, row);
}

// Scatter-add of the input gradient into the rows used; the other rows' gradient stays zero.
static void embed_backward(model *m) {
    size_t TB = (size_t)m->T * m->B, I = (size_t)m->I;
    float *gE = m->g + m->off_emb;
    for (size_t i = 0; i < TB; i++)
        memset(gE + (size_t)m->ids[i] * I, 0, sizeof(float) * I);
    for (size_t i = 0; i < TB; i++) {
        float *r = gE + (size_t)m->ids[i] * I;
        const float *d = m->dx0 + i * I;
        for (size_t j = 0; j < I; j++)
            r[j] += d[j];
    }
}

// Loss of the head's logits and, when training, its gradient.
static void head_loss(model *m) {
    double L = 0;
    if (m->s->head == HEAD_BCE_LAST) { // BCE with logits, mean over B
        for (int b = 0; b < m->B; b++) {
            double z = m->logits[b], t = m->tgt[b];
            L += (z > 0 ? z : 0) - z * t + log1p(exp(-fabs(z)));
            if (m->train)
                m->dlogits[b] = (float)((1 / (1 + exp(-z)) - t) / m->B);
        }
        m->loss = L / m->B;
        return;
    }
    int C = m->C, N = m->N; // softmax cross-entropy, mean over T*B
    for (int n = 0; n < N; n++) {
        const float *z = m->logits + (size_t)n * C;
        float *d = m->dlogits + (size_t)n * C, mx = z[0];
        for (int c = 1; c < C; c++)
            mx = z[c] > mx ? z[c] : mx;
        double sum = 0;
        for (int c = 0; c < C; c++) {
            d[c] = expf(z[c] - mx);
            sum += d[c];
        }
        L += log(sum) + mx - z[m->cls[n]];
        float r = (float)(1 / (sum * N));
        for (int c = 0; c < C; c++)
            d[c] *= r;
        d[m->cls[n]] -= 1.f / (float)N;
    }
    m->loss = L / N;
}

static void adam_step(model *m) {
    const float lr = 1e-3f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
    m->adam_t++;
    float step = lr / (1.f - powf(b1, (float)m->adam_t));
    float rsq2 = 1.f / sqrtf(1.f - powf(b2, (float)m->adam_t));
    float *restrict p = m->p, *restrict mo = m->m, *restrict v = m->v;
    const float *restrict g = m->g;
    size_t n = m->np;
#pragma omp simd
    for (size_t i = 0; i < n; i++) {
        mo[i] = b1 * mo[i] + (1.f - b1) * g[i];
        v[i] = b2 * v[i] + (1.f - b2) * g[i] * g[i];
        p[i] -= step * mo[i] / (sqrtf(v[i]) * rsq2 + eps);
    }
}

static void model_forward(model *m) {
    if (m->V)
        embed_forward(m);
    for (int i = 0; i < m->L; i++) {
        layer *l = &m->lay[i];
        if (m->train) {
            bias_compose(l, m);
            for (int w = 0; w < 2; w++)
                if (l->re_fwd[w])
                    op_run(l->re_fwd[w]);
        }
        op_run(l->fwd);
    }
    if (m->s->head)
        op_run(m->ip_fwd);
}

static void train_step(model *m) {
    model_forward(m);
    DN(dnnl_stream_wait(g_strm));
    if (m->s->head) {
        head_loss(m);
        op_run(m->ip_bwd_w);
        op_run(m->ip_bwd_d);
    } else {
        const float *y = m->lay[m->L - 1].y;
        size_t n = (size_t)m->T * m->B * m->H;
        double sum = 0;
        for (size_t i = 0; i < n; i++)
            sum += y[i];
        m->loss = sum / (double)n;
    }
    for (int i = m->L - 1; i >= 0; i--) {
        layer *l = &m->lay[i];
        for (int w = 0; w < 2; w++) {
            memset(l->bgrad[w], 0, l->bgrad_bytes[w]);
            if (l->re_bwd[w])
                op_run(l->re_bwd[w]);
        }
        memset(l->dbias, 0, sizeof(float) * l->Gb * l->H);
        op_run(l->bwd);
        for (int w = 0; w < 2; w++)
            if (l->re_grad[w])
                op_run(l->re_grad[w]);
        DN(dnnl_stream_wait(g_strm));
        bias_grad_expand(l, m);
    }
    if (m->V)
        embed_backward(m);
    adam_step(m);
}

static void infer_step(model *m) {
    model_forward(m);
    DN(dnnl_stream_wait(g_strm));
}

/* ---- Check mode ---- */

static void print_vec(const char *name, const float *x, size_t n) {
    printf("tensor %s %zu\n", name, n);
    for (size_t i = 0; i < n; i++)
        printf("%.9g%c", x[i], i + 1 == n ? '\n' : ' ');
}

// Prints every parameter (or its gradient) of the arena `a` in torch's layout.
static void print_arena(const model *m, const char *prefix, const float *a) {
    char nm[48];
    for (int k = 0; k < m->nten; k++) {
        const tensor *t = &m->ten[k];
        size_t n = (size_t)t->rows * t->cols;
        snprintf(nm, sizeof nm, "%s.%s", prefix, t->name);
        if (!t->l) {
            print_vec(nm, a + t->off, n);
            continue;
        }
        float *tmp = malloc(sizeof(float) * n);
        if (!tmp)
            die("out of memory");
        weight_to_torch(t->l, t->which, a + t->off, tmp);
        print_vec(nm, tmp, n);
        free(tmp);
    }
}

static void print_output(const model *m, const char *name) {
    if (m->s->head)
        print_vec(name, m->logits, (size_t)m->N * m->C);
    else
        print_vec(name, m->lay[m->L - 1].y, (size_t)m->T * m->B * m->H);
}

static void print_layouts(const model *m, const char *mode) {
    for (int i = 0; i < m->L; i++) {
        const layer *l = &m->lay[i];
        for (int w = 0; w < 2; w++) {
            int wa = w ? DNNL_ARG_WEIGHTS_ITER : DNNL_ARG_WEIGHTS_LAYER;
            fprintf(stderr, "layout %s layer %d %s: params %s, forward %s", mode, i,
                    w ? "weights_iter" : "weights_layer", md_name(&l->pmd[w]),
                    md_name(pd_md(l->fpd, wa)));
            if (l->bpd)
                fprintf(stderr, ", backward %s, gradient %s", md_name(pd_md(l->bpd, wa)),
                        md_name(pd_md(l->bpd, w ? DNNL_ARG_DIFF_WEIGHTS_ITER
                                                : DNNL_ARG_DIFF_WEIGHTS_LAYER)));
            fprintf(stderr, "\n");
        }
    }
}

static int run_check(const shape *s, int cap) {
    model m;
    model_build(&m, s, 1, 5, 3, cap);
    print_layouts(&m, "train");
    printf("shape %s T %d B %d I %d H %d L %d V %d C %d cell %d\n", s->id, m.T, m.B, m.I, m.H, m.L,
           m.V, m.C, s->cell);
    train_step(&m);
    printf("loss %.9g\n", m.loss);
    print_output(&m, "out.train");
    print_arena(&m, "grad", m.g);
    print_arena(&m, "param", m.p);
    pool_release();
    model_build(&m, s, 0, 5, 3, cap);
    print_layouts(&m, "infer");
    infer_step(&m);
    print_output(&m, "out.infer");
    pool_release();
    return 0;
}

/* ---- Benchmark driver ---- */

// Resident set size now, in bytes, from /proc/self/statm.
static double rss_now(void) {
    long pages = 0, res = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f || fscanf(f, "%ld %ld", &pages, &res) != 2)
        die("cannot read /proc/self/statm");
    fclose(f);
    return (double)res * (double)sysconf(_SC_PAGESIZE);
}

static int arg_int(const char *s, int lo, int hi, int *out) {
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < lo || v > hi)
        return 0;
    *out = (int)v;
    return 1;
}

static int usage(void) {
    fprintf(stderr, "usage: onednn_shapes SHAPE train|infer [steps=10] [warmup=2] [threads=2]\n"
                    "       onednn_shapes SHAPE check [cap=16]\n"
                    "SHAPE: S1 imdb, S2 charlm, S3 gru, S4 rnn, S5 big\n");
    return 2;
}

int main(int argc, char **argv) {
    if (argc < 3)
        return usage();
    const shape *s = NULL;
    for (size_t i = 0; i < sizeof SHAPES / sizeof *SHAPES; i++)
        if (!strcasecmp(argv[1], SHAPES[i].id) || !strcasecmp(argv[1], SHAPES[i].name))
            s = &SHAPES[i];
    int train = !strcmp(argv[2], "train"), check = !strcmp(argv[2], "check");
    if (!s || (!train && !check && strcmp(argv[2], "infer")))
        return usage();
    int steps = 10, warm = 2, threads = 2, cap = 16;
    if (check ? (argc > 4 || (argc > 3 && !arg_int(argv[3], 0, 1 << 20, &cap)))
              : (argc > 6 || (argc > 3 && !arg_int(argv[3], 1, 100000, &steps)) ||
                 (argc > 4 && !arg_int(argv[4], 0, 100000, &warm)) ||
                 (argc > 5 && !arg_int(argv[5], 1, 4096, &threads))))
        return usage();

    const char *ftz = getenv("ONEDNN_SHAPES_FTZ");
    if (ftz && !strcmp(ftz, "1")) {
#if defined(__SSE__)
        _mm_setcsr(_mm_getcsr() | 0x8040); // FTZ (bit 15) and DAZ (bit 6)
        fprintf(stderr, "onednn_shapes: denormals flushed to zero (ONEDNN_SHAPES_FTZ=1)\n");
#else
        die("ONEDNN_SHAPES_FTZ=1 needs SSE");
#endif
    }
    omp_set_num_threads(threads);
    DN(dnnl_engine_create(&g_eng, dnnl_cpu, 0));
    DN(dnnl_stream_create(&g_strm, g_eng, dnnl_stream_default_flags));
    DN(dnnl_primitive_attr_create(&g_attr));
    DN(dnnl_primitive_attr_set_scratchpad_mode(g_attr, dnnl_scratchpad_mode_user));
    if (check)
        return run_check(s, cap);

    double base = rss_now();
    model m;
    model_build(&m, s, train, s->T, s->B, 0);
    // Warm-up: at least `warm` steps and 0.5 s; timed: at least `steps` steps and 1 s (at most
    // 10000), so short steps are not timed before the threads have settled (bench/README.md).
    double *ms = malloc(sizeof(double) * 10000);
    if (!ms)
        die("out of memory");
    double start = bench_now();
    for (int it = 0; it < warm || bench_now() - start < 0.5; it++)
        train ? train_step(&m) : infer_step(&m);
    start = bench_now();
    int n = 0;
    while (n < 10000 && (n < steps || bench_now() - start < 1.0)) {
        double t0 = bench_now();
        if (train)
            train_step(&m);
        else
            infer_step(&m);
        ms[n++] = 1e3 * (bench_now() - t0);
    }
    steps = n;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    if (!isfinite(m.loss) && train)
        die("the loss is not finite");

    qsort(ms, (size_t)steps, sizeof *ms, bench_cmp);
    double med = steps % 2 ? ms[steps / 2] : 0.5 * (ms[steps / 2 - 1] + ms[steps / 2]);
    double flops = 0;
    for (int i = 0; i < m.L; i++) {
        const layer *l = &m.lay[i];
        flops += 2.0 * s->T * s->B * (double)(l->I + l->H) * l->G * l->H;
    }
    flops *= train ? 3 : 1;
    printf("engine=onednn shape=%s mode=%s threads=%d steps=%d ms_median=%.3f ms_min=%.3f "
           "ms_max=%.3f tokens_per_s=%.1f gflops=%.3f peak_mb=%.1f\n",
           s->id, argv[2], threads, steps, med, ms[0], ms[steps - 1],
           (double)s->T * s->B / (med * 1e-3), flops / (med * 1e-3) / 1e9,
           ((double)ru.ru_maxrss * 1024.0 - base) / (1024.0 * 1024.0));
    free(ms);
    pool_release();
    dnnl_primitive_attr_destroy(g_attr);
    dnnl_stream_destroy(g_strm);
    dnnl_engine_destroy(g_eng);
    return 0;
}
