#!/usr/bin/env bash
# Runs every test program (RNNC_BUILD names the build folder), shows the failed checks, and prints the total as the
# last line: "N passed, N failed". Exits non-zero when any check failed or any program crashed.
set -u
build=$1
shift
total_pass=0
total_fail=0
crashed=0
for t in "$@"; do
    name=$(basename "$t")
    out=$(RNNC_BUILD=$build "$t" 2>&1)
    rc=$?
    # failed checks and their detail lines; passing checks stay quiet
    printf '%s\n' "$out" | awk -v n="[$name] " '/^FAIL/ {f = 1; print n $0; next}
        /^[ \t]/ {if (f) print n $0; next} {f = 0}'
    [ "$rc" -gt 128 ] && printf '%s\n' "$out" | tail -n 20 | sed "s/^/[$name] /"
    line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
    if [ -z "$line" ]; then
        echo "[$name] ended without a summary (exit $rc)"
        crashed=$((crashed + 1))
        continue
    fi
    p=${line%% passed*}
    f=${line#*, }
    f=${f%% failed}
    printf '[%s] %s\n' "$name" "$line"
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "[$name] exited $rc with no failed check"
        crashed=$((crashed + 1))
    fi
done
total_fail=$((total_fail + crashed))
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
