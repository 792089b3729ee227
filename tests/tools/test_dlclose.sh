#!/usr/bin/env bash
# The library as a plugin: a program dlopens librnnc.so, runs a model on 2 threads (so rnnc's pool
# of worker threads starts), calls rnnc_shutdown, runs it again (the pool restarts, the same bits),
# calls rnnc_shutdown and dlcloses the library. Then only the program's own threads are left, and
# under valgrind memcheck (when installed) there is no error and nothing leaked. Built with
# RNNC_SAN=thread (scripts/check-memory.sh), the program runs under ThreadSanitizer instead.
# Run by `make check` (RNNC_BUILD names the build folder).
set -u
build=${RNNC_BUILD:-build}
san=${RNNC_SAN:-}
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

version=$(sed -n 's/^#define RNNC_VERSION_STRING "\(.*\)"/\1/p' include/rnnc/core.h)
make --no-print-directory -s SAN="$san" "$build/librnnc.so.$version" > "$tmp/make.log" 2>&1 ||
    bad "cannot build librnnc.so.$version: $(tail -n 3 "$tmp/make.log")"
so=$(cd "$build" && pwd)/librnnc.so.$version

cat > "$tmp/prog.c" << 'EOC'
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <pthread.h>
#include <rnnc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { T = 8, B = 32, I = 64 };

static int threads_now(void) { /* this process's threads */
    DIR *d = opendir("/proc/self/task");
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

static void *nothing(void *p) {
    return p;
}

#define SYM(name) __typeof__(&name) p_##name = (__typeof__(&name))dlsym(lib, #name)

int main(int argc, char **argv) {
    pthread_t t; /* a first thread made and joined: ThreadSanitizer starts its own then */
    if (pthread_create(&t, NULL, nothing, NULL) == 0)
        pthread_join(t, NULL);
    const int own = threads_now(); /* the program's own (and a sanitizer's) */
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (argc < 2 || !lib) {
        printf("dlopen: %s\n", dlerror());
        return 1;
    }
    SYM(rnnc_config_parse); SYM(rnnc_model_create); SYM(rnnc_model_forward);
    SYM(rnnc_model_output); SYM(rnnc_model_free); SYM(rnnc_set_num_threads);
    SYM(rnnc_shutdown); SYM(rnnc_last_error);
    if (!p_rnnc_config_parse || !p_rnnc_model_create || !p_rnnc_model_forward ||
        !p_rnnc_model_output || !p_rnnc_model_free || !p_rnnc_set_num_threads || !p_rnnc_shutdown ||
        !p_rnnc_last_error) {
        printf("dlsym: a function is missing: %s\n", dlerror());
        return 1;
    }
    static float x[T * B * I], first[T * B * 256];
    for (size_t i = 0; i < sizeof x / sizeof x[0]; i++)
        x[i] = (float)((i * 7919) % 1000) / 500.0f - 1.0f;
    rnnc_config cfg;
    rnnc_model *m = NULL;
    if (p_rnnc_config_parse("[model]\ninput_size = 64\n[gru]\nhidden = 128\nbidirectional = true\n"
                            "return_sequences = true\n",
                            "prog", &cfg) ||
        p_rnnc_model_create(&cfg, 1, &m)) {
        printf("model: %s\n", p_rnnc_last_error());
        return 1;
    }
    p_rnnc_set_num_threads(2);
    rnnc_batch batch = {T, B, NULL, x, NULL, RNNC_PAD_POST};
    int same = 1, started = 0;
    size_t n = 0;
    for (int round = 0; round < 2; round++) {
        if (p_rnnc_model_forward(m, &batch, 0)) {
            printf("forward: %s\n", p_rnnc_last_error());
            return 1;
        }
        int nd;
        size_t dims[3];
        const float *y = p_rnnc_model_output(m, &nd, dims);
        n = dims[0] * dims[1] * dims[2];
        if (round == 0)
            memcpy(first, y, n * sizeof(float));
        else
            same = !memcmp(first, y, n * sizeof(float));
        started += threads_now() > own;
        p_rnnc_shutdown();
    }
    p_rnnc_model_free(m);
    p_rnnc_shutdown();
    const int after_shutdown = threads_now();
    dlclose(lib);
    printf("pool started in %d of 2 runs, same bits after the restart: %s, threads before dlopen: "
           "%d, after shutdown: %d, after dlclose: %d\n",
           started, same ? "yes" : "no", own, after_shutdown, threads_now());
    return !(started == 2 && same && after_shutdown == own && threads_now() == own);
}
EOC
sanflags=${san:+-fsanitize=$san}
if cc -std=c11 -g $sanflags -Iinclude "$tmp/prog.c" -o "$tmp/prog" -ldl -lpthread 2> "$tmp/cc.log"; then
    out=$("$tmp/prog" "$so" 2>&1)
    rc=$?
    [ "$rc" -eq 0 ] && ok "dlopen, 2 runs on 2 threads with rnnc_shutdown after each, dlclose: $out" ||
        bad "exit $rc: $(echo "$out" | tail -n 20)"
else
    bad "cannot build the program: $(head -n 3 "$tmp/cc.log")"
fi
if [ -n "$san" ]; then
    echo "skip valgrind (a sanitizer build)"
elif ! command -v valgrind > /dev/null; then
    echo "skip valgrind (not installed: scripts/install-deps.sh valgrind)"
elif valgrind --quiet --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite,indirect \
    "$tmp/prog" "$so" > "$tmp/vg.log" 2>&1; then
    ok "valgrind memcheck: no error, nothing leaked"
else
    bad "valgrind: $(tail -n 20 "$tmp/vg.log")"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
