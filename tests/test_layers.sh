#!/usr/bin/env bash
# The layer check (scripts/check-layers.sh): the tree as it is passes, and each kind of wrong-way
# dependency planted in a copy of it fails with a message naming the file: an include from a lower
# layer to a higher one, a public header including a higher layer's, tools/ including an internal
# header, a folder that is no layer, and a call from a lower layer's object file into a higher
# one's. Run by `make check` (RNNC_BUILD names the build folder); prints "N passed, N failed".
set -u
build=${RNNC_BUILD:-build}
check=scripts/check-layers.sh
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() {
    echo "ok   $1"
    pass=$((pass + 1))
}
bad() {
    echo "FAIL $1"
    shift
    for l in "$@"; do printf '     %s\n' "$l"; done
    fail=$((fail + 1))
}

# expect_fail WHAT ROOT [BUILD] PATTERN...: the check exits 1 and its output matches each pattern
expect_fail() {
    local what=$1 root=$2 b=$3
    shift 3
    local out rc
    out=$("$check" "$root" $b 2>&1)
    rc=$?
    local missing=""
    for p in "$@"; do
        printf '%s\n' "$out" | grep -q -- "$p" || missing="$missing '$p'"
    done
    if [ "$rc" -eq 1 ] && [ -z "$missing" ]; then
        ok "$what"
    else
        bad "$what" "exit $rc (want 1), missing:${missing:- none}" "$(printf '%s\n' "$out" | tail -n 5)"
    fi
}

# a fresh copy of the sources for each planted fault
fresh() {
    rm -rf "$tmp/tree"
    mkdir -p "$tmp/tree"
    cp -r src include tools "$tmp/tree/"
}

out=$("$check" . "$build" 2>&1)
rc=$?
if [ "$rc" -eq 0 ]; then
    ok "the tree: every include and every symbol follows the layer order"
else
    bad "the tree: every include and every symbol follows the layer order" "exit $rc" "$out"
fi

fresh
sed -i '0,/#include/s//#include "..\/tasks\/lm.h"\n#include/' "$tmp/tree/src/core/rng.c"
expect_fail "planted: src/core/rng.c includes ../tasks/lm.h" "$tmp/tree" "" \
    'src/core/rng.c:[0-9]*: #include "../tasks/lm.h": core includes tasks'

fresh
sed -i '0,/#include/s//#include "..\/train\/fit.h"\n#include/' "$tmp/tree/src/data/vocab.c"
expect_fail "planted: src/data/vocab.c includes ../train/fit.h" "$tmp/tree" "" \
    'src/data/vocab.c:[0-9]*: #include "../train/fit.h": data includes train'

fresh
sed -i '0,/#include "core.h"/s//#include "core.h"\n#include "nn.h"/' "$tmp/tree/include/rnnc/formats.h"
expect_fail "planted: include/rnnc/formats.h includes nn.h" "$tmp/tree" "" \
    'include/rnnc/formats.h:[0-9]*: #include "nn.h": formats includes nn'

fresh
sed -i '0,/#include/s//#include "..\/src\/core\/core.h"\n#include/' "$tmp/tree/tools/rnnc.c"
expect_fail "planted: tools/rnnc.c includes an internal header" "$tmp/tree" "" \
    'tools/rnnc.c:[0-9]*: #include "../src/core/core.h": tools/ may include only the public headers'

fresh
mkdir -p "$tmp/tree/src/misc"
echo 'int rnnc__misc;' >"$tmp/tree/src/misc/misc.c"
expect_fail "planted: a folder that is no layer" "$tmp/tree" "" 'src/misc/: a folder that is no layer'

# A call the wrong way with no include at all: an object of core that uses the LM task.
fresh
mkdir -p "$tmp/build"
cp -r "$build/f32" "$build/f64" "$build/obj" "$tmp/build/" 2>/dev/null
printf '%s\n' 'struct rnnc_lm;' 'int rnnc_lm_create(void);' 'int rnnc__planted(void) { return rnnc_lm_create(); }' \
    >"$tmp/planted.c"
if cc -c "$tmp/planted.c" -o "$tmp/build/obj/core/planted.o"; then
    expect_fail "planted: an object of core calls rnnc_lm_create (tasks)" "$tmp/tree" "$tmp/build" \
        'obj/core/planted.o: uses rnnc_lm_create from tasks, a layer above core'
else
    bad "planted: an object of core calls rnnc_lm_create (tasks)" "cc could not compile it"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
