/* What the CPU offers, as CPUID reports it (with the operating system's support for the wider
 * registers), and what rnnc runs on it. rnnc picks its kernels by these instruction sets alone
 * (src/core/gemm.c, and GCC's target_clones for the element-wise loops), never by a CPU model
 * number. */
#include "core.h"

#include <pthread.h>
#include <string.h>

static char features[256];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void add(const char *name, int has) {
    const size_t n = strlen(features), len = strlen(name);
    if (!has || n + len + 2 > sizeof features)
        return;
    if (n)
        features[n] = ' ';
    memcpy(features + n + (n ? 1 : 0), name, len + 1);
}

static void find(void) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    add("sse2", __builtin_cpu_supports("sse2"));
    add("sse4.2", __builtin_cpu_supports("sse4.2"));
    add("avx", __builtin_cpu_supports("avx"));
    add("avx2", __builtin_cpu_supports("avx2"));
    add("fma", __builtin_cpu_supports("fma"));
    add("avx512f", __builtin_cpu_supports("avx512f"));
    add("avx512bw", __builtin_cpu_supports("avx512bw"));
    add("avx512vl", __builtin_cpu_supports("avx512vl"));
    add("avx512vnni", __builtin_cpu_supports("avx512vnni"));
    add("avx512bf16", __builtin_cpu_supports("avx512bf16"));
#if !defined(__clang__) /* names clang 14 does not know */
    add("f16c", __builtin_cpu_supports("f16c"));
    add("avx512fp16", __builtin_cpu_supports("avx512fp16"));
    add("avxvnni", __builtin_cpu_supports("avxvnni"));
    add("amx-tile", __builtin_cpu_supports("amx-tile"));
    add("amx-bf16", __builtin_cpu_supports("amx-bf16"));
#endif
#endif
    if (!features[0])
        add("(none of the x86-64 extensions rnnc uses)", 1);
}

const char *rnnc_cpu_features(void) {
    pthread_once(&once, find);
    return features;
}

const char *rnnc_gemm_kernel(void) {
    return rnnc__gemm_kernel();
}
