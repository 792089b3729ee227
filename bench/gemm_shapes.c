/* GEMM rates at the products of one training step of a benchmark shape (bench/README.md): rnnc's
 * own GEMM (each kernel this CPU runs) and OpenBLAS sgemm (the build Debian ships, whatever core
 * type it picks here), in one process, each product timed as the median of reps.
 *   gemm_shapes SHAPE [threads=2] [reps=5] [openblas]   (openblas: that line only)
 * (The generic kernel, for CPUs without FMA, is left out: it is 10-20x slower.)
 * Products per recurrent layer: the input projection of all steps (TB,G,I), one step's recurrent
 * product (B,G,H) (counted T times), the input gradient (TB,I,G), the two weight gradients
 * (G,I,TB) and (G,H,TB), and one step's state gradient (B,H,G) (T times). Prints one line per
 * engine: the FLOP-weighted GFLOP/s over all of them and each product's own rate. Every product
 * here is a whole GEMM call, packing included (rnnc's time loops pack W_hh once per call instead;
 * src/core/gemm.c). */
#define _POSIX_C_SOURCE 200809L
#include "bench.h"
#include "rnnc.h"
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void openblas_set_num_threads(int num_threads);
char *openblas_get_corename(void);
/* rnnc's internal GEMM and kernel table (src/core/real.h, src/core/core.h) */
void rnnc__gemm_f32(int ta, int tb, size_t M, size_t N, size_t K, const float *A, size_t lda,
                    const float *B, size_t ldb, int accumulate, float *C, size_t ldc);
int rnnc__gemm_kernel_count(void);
const char *rnnc__gemm_kernel_info(int i, int *fused, int *runs_here);
int rnnc__gemm_use(int i);

static double time_gemm(int engine, int ta, int tb, int M, int N, int K, int reps) {
    float *A = malloc(sizeof(float) * (size_t)M * (size_t)K);
    float *B = malloc(sizeof(float) * (size_t)K * (size_t)N);
    float *C = malloc(sizeof(float) * (size_t)M * (size_t)N);
    double *t = malloc(sizeof(double) * (size_t)reps);
    if (!A || !B || !C || !t) {
        fprintf(stderr, "gemm_shapes: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < (size_t)M * (size_t)K; i++)
        A[i] = (float)(i % 17) * 0.01f - 0.08f;
    for (size_t i = 0; i < (size_t)K * (size_t)N; i++)
        B[i] = (float)(i % 13) * 0.01f - 0.06f;
    memset(C, 0, sizeof(float) * (size_t)M * (size_t)N);
    for (int r = -1; r < reps; r++) { /* one warm-up */
        double t0 = bench_now();
        if (engine < 0)
            cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans,
                        tb ? CblasTrans : CblasNoTrans, M, N, K, 1.0f, A, ta ? M : K, B, tb ? K : N,
                        1.0f, C, N);
        else
            rnnc__gemm_f32(ta, tb, (size_t)M, (size_t)N, (size_t)K, A, (size_t)(ta ? M : K), B,
                           (size_t)(tb ? K : N), 1, C, (size_t)N);
        if (r >= 0)
            t[r] = bench_now() - t0;
    }
    qsort(t, (size_t)reps, sizeof *t, bench_cmp);
    double med = t[reps / 2];
    free(A), free(B), free(C), free(t);
    return med;
}

int main(int argc, char **argv) {
    static const struct {
        const char *name;
        int G, In, H, L, T, B;
    } shapes[] = {{"S1", 4, 128, 128, 1, 500, 64},
                  {"S2", 4, 64, 512, 2, 100, 64},
                  {"S3", 3, 64, 256, 1, 200, 32},
                  {"S4", 1, 64, 256, 1, 200, 32},
                  {"S5", 4, 512, 1024, 1, 100, 64}};
    int k = -1;
    for (int i = 0; argc > 1 && i < 5; i++)
        if (strcmp(argv[1], shapes[i].name) == 0)
            k = i;
    const int threads = argc > 2 ? atoi(argv[2]) : 2, reps = argc > 3 ? atoi(argv[3]) : 5;
    if (k < 0 || threads < 1 || reps < 1) {
        fprintf(stderr, "usage: gemm_shapes S1..S5 [threads=2] [reps=5]\n");
        return 2;
    }
    openblas_set_num_threads(threads);
    rnnc_set_num_threads(threads);
    const int only_openblas = argc > 4 && !strcmp(argv[4], "openblas");
    for (int e = -1; e < (only_openblas ? 0 : rnnc__gemm_kernel_count()); e++) {
        int fused, runs = 1;
        const char *kname =
            e < 0 ? openblas_get_corename() : rnnc__gemm_kernel_info(e, &fused, &runs);
        if (!runs || (e >= 0 && fused != 1))
            continue; /* the generic kernel: minutes per shape */
        if (e >= 0)
            rnnc__gemm_use(e);
        const int T = shapes[k].T, B = shapes[k].B, H = shapes[k].H, G = shapes[k].G * H;
        double flops = 0, secs = 0;
        char detail[1024] = "";
        for (int l = 0; l < shapes[k].L; l++) {
            const int In = l == 0 ? shapes[k].In : H, TB = T * B;
            const struct {
                int ta, tb, M, N, K, times;
            } p[] = {{0, 1, TB, G, In, 1}, {0, 1, B, G, H, T},  {0, 0, TB, In, G, 1},
                     {1, 0, G, In, TB, 1}, {1, 0, G, H, TB, 1}, {0, 0, B, H, G, T}};
            for (size_t j = 0; j < sizeof p / sizeof *p; j++) {
                double s = time_gemm(e, p[j].ta, p[j].tb, p[j].M, p[j].N, p[j].K, reps);
                double f = 2.0 * p[j].M * p[j].N * p[j].K;
                flops += f * p[j].times, secs += s * p[j].times;
                if (l == 0)
                    snprintf(detail + strlen(detail), sizeof detail - strlen(detail),
                             " %dx%dx%d=%.0f", p[j].M, p[j].N, p[j].K, f / s / 1e9);
            }
        }
        printf("engine=%s kernel=%s shape=%s threads=%d gflops=%.2f products(MxNxK=GFLOP/s):%s\n",
               e < 0 ? "openblas-sgemm" : "rnnc-gemm", kname, shapes[k].name, threads,
               flops / secs / 1e9, detail);
    }
    return 0;
}
