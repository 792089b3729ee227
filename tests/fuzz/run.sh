#!/usr/bin/env bash
# Runs libFuzzer targets (make fuzz calls this; docs/fuzzing.md).
#   tests/fuzz/run.sh BUILD SECONDS TARGET:MAX_LEN...
# Each target BUILD/fuzz_TARGET runs for SECONDS on a working corpus BUILD/corpus/TARGET (new
# inputs land there) plus the seeds in tests/fuzz/TARGET (read only). Crash inputs are written to
# BUILD/crashes/. Prints one line per target: executions, exec/s, corpus size, result. Exits 1 when
# any target crashed, leaked, timed out or ran out of memory.
set -uo pipefail
build=$1 seconds=$2
shift 2
mkdir -p "$build/crashes" "$build/logs"
export RNNC_NUM_THREADS=1
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
fail=0
printf '%-12s %12s %8s %7s %s\n' target executions exec/s corpus result
for spec in "$@"; do
    t=${spec%%:*} max_len=${spec##*:}
    mkdir -p "$build/corpus/$t"
    log="$build/logs/$t.log"
    "$build/fuzz_$t" -max_total_time="$seconds" -max_len="$max_len" -timeout=20 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$build/crashes/$t-" \
        "$build/corpus/$t" "tests/fuzz/$t" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    corp=$(grep -oE 'corp: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
    if [ $rc -eq 0 ]; then
        result=ok
    else
        result="FAILED (exit $rc; see $log and $build/crashes/)"
        fail=1
    fi
    printf '%-12s %12s %8s %7s %s\n' "$t" "${execs:-?}" "${rate:-?}" "${corp:-?}" "$result"
    [ $rc -eq 0 ] || grep -E 'ERROR|SUMMARY|runtime error|fuzz property' "$log" | head -5 >&2
done
exit $fail
