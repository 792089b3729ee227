#!/usr/bin/env bash
# rnnc gradflow (docs/gradflow.md): the examples/gradflow models on a short adding problem write
# a CSV of one row per model, layer, phase and step (positive norms, the last step's the largest
# for a plain RNN at initialisation), a PNG and an SVG; a bidirectional stack on an arrays file
# gives one curve per layer and direction; a steps.jsonl of a real run is read; bad input exits 2
# naming the file (more in test_errors.sh, row gradflow-input); nothing is left behind. The
# per-step gradients themselves are checked in tests/nn/test_stepgrads. Run by `make check`, which
# names the build folder in RNNC_BUILD; prints one line per check and "N passed, N failed".
set -u
build=${RNNC_BUILD:-build}
rnnc=$build/rnnc
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

# expect CODE PATTERN -- COMMAND...: exit status CODE and PATTERN (grep -E) in stdout+stderr
expect() {
    local code=$1 pattern=$2
    shift 3
    local out rc
    out=$("$@" 2>&1)
    rc=$?
    if [ "$rc" -eq "$code" ] && printf '%s\n' "$out" | grep -qE -- "$pattern"; then
        ok "$* -> $code /$pattern/"
    else
        bad "$* -> exit $rc, wanted $code /$pattern/"
        printf '%s\n' "$out" | tail -n 8 | sed 's/^/     /'
    fi
}

ex=examples/gradflow
expect 0 'plot: .*a\.png' -- "$rnnc" gradflow "$ex/rnn.ini" --compare "$ex/gru.ini" \
    --compare "$ex/lstm.ini" --steps 12 --batch 4 --train-steps 3 --csv "$tmp/a.csv" \
    --plot "$tmp/a.png"
# 3 models x 1 layer x 2 phases x 12 steps, and the header
if [ -f "$tmp/a.csv" ] && [ "$(head -n 1 "$tmp/a.csv")" = "model,layer,phase,t,norm" ] &&
    [ "$(wc -l < "$tmp/a.csv")" -eq 73 ]; then
    ok "a.csv: the header and 72 rows"
else
    bad "a.csv: $(head -n 2 "$tmp/a.csv" 2> /dev/null) ($(wc -l < "$tmp/a.csv" 2> /dev/null) lines)"
fi
if awk -F, 'NR > 1 && !($5 > 0) { bad = 1 } END { exit bad }' "$tmp/a.csv"; then
    ok "a.csv: every norm is positive"
else
    bad "a.csv: a norm that is not positive"
fi
if awk -F, '$1 == "rnn" && $3 == "init" { if ($5 > max) max = $5; last = $5 }
    END { exit !(last == max && max > 0) }' "$tmp/a.csv"; then
    ok "a.csv: the RNN's norm at initialisation is largest at the last step"
else
    bad "a.csv: the RNN's norm at initialisation is not largest at the last step"
fi
if [ "$(od -An -tx1 -N8 "$tmp/a.png" 2> /dev/null | tr -d ' ')" = "89504e470d0a1a0a" ]; then
    ok "a.png starts with the PNG signature"
else
    bad "a.png is not a PNG"
fi
expect 0 'plot: .*b\.svg' -- "$rnnc" gradflow "$ex/lstm.ini" --steps 8 --batch 2 --plot "$tmp/b.svg"
if grep -q '^<svg ' "$tmp/b.svg" 2> /dev/null && grep -q '>at initialisation</text>' "$tmp/b.svg" &&
    grep -q '>1e-[0-9]*</text>' "$tmp/b.svg"; then
    ok "b.svg: an SVG with the panel and a log axis"
else
    bad "b.svg: $(head -c 200 "$tmp/b.svg" 2> /dev/null)"
fi
# the table on stdout without --csv: a row per step
expect 0 '^8 +lstm +init +[0-9.e+-]+$' -- "$rnnc" gradflow "$ex/lstm.ini" --steps 8 --batch 2

# an arrays file and a bidirectional stack of 2 layers: 4 curves; its [optimizer] trains
if "$build/tests/tasks/test_arrays" --write-fixtures "$tmp" > /dev/null 2>&1; then
    printf '[gru]\nhidden = 4\nlayers = 2\nbidirectional = true\n[data]\nformat = npz\ntrain = %s\n[optimizer]\nname = sgd\nlr = 0.05\n' \
        "$tmp/reg.npz" > "$tmp/bi.ini"
    expect 0 'bi\.ini: .* after 2 steps \(lr 0\.05, clip 0\)' -- "$rnnc" gradflow "$tmp/bi.ini" \
        --data "$tmp/reg.npz" --train-steps 2 --csv "$tmp/bi.csv"
    if [ "$(cut -d, -f2 "$tmp/bi.csv" | sort -u | tr '\n' ' ')" = "gru l0 fwd gru l0 rev gru l1 fwd gru l1 rev layer " ]; then
        ok "bi.csv: one curve per layer and direction"
    else
        bad "bi.csv: layers $(cut -d, -f2 "$tmp/bi.csv" | sort -u | tr '\n' ' ')"
    fi
else
    bad "tests/tasks/test_arrays --write-fixtures failed"
fi

# a real run's steps.jsonl
printf '[model]\ninput_size = 2\n[rnn]\nhidden = 4\n[dense]\nunits = 1\n[data]\nformat = npz\ntrain = %s\n[train]\nepochs = 1\nbatch_size = 64\noutput = %s\n' \
    "$tmp/reg.npz" "$tmp/run" > "$tmp/run.ini"
if "$rnnc" train "$tmp/run.ini" --quiet --threads 1 > "$tmp/run.log" 2>&1; then
    expect 0 'run/steps\.jsonl: grad_norm [0-9.e+-]+ at step 1, [0-9.e+-]+ at step [0-9]+' -- \
        "$rnnc" gradflow "$ex/rnn.ini" --steps 6 --steps-log "$tmp/run/steps.jsonl" \
        --train-steps 2 --plot "$tmp/c.svg" --csv "$tmp/c.csv"
    if grep -q '>run</text>' "$tmp/c.svg" 2> /dev/null &&
        grep -q '>global norm per step</text>' "$tmp/c.svg"; then
        ok "c.svg: the steps log's curve, named by its folder, in the third panel"
    else
        bad "c.svg has no steps-log curve"
    fi
else
    bad "the run for steps.jsonl: $(tail -n 3 "$tmp/run.log")"
fi

# bad input: exit 2 naming the file, and no output file
printf '[model]\ninput_size = 5\n[lstm]\nhidden = 3\n' > "$tmp/five.ini"
expect 2 'five\.ini: the model takes features 5' -- "$rnnc" gradflow "$tmp/five.ini" \
    --csv "$tmp/d.csv" --plot "$tmp/d.png"
[ ! -e "$tmp/d.csv" ] && [ ! -e "$tmp/d.png" ] && ok "no CSV or plot after bad input" ||
    bad "a CSV or plot after bad input"
expect 2 'set lstm\.hidde=3: unknown key .hidde. in \[lstm\]' -- "$rnnc" gradflow --set lstm.hidde=3 "$tmp/five.ini"
left=$(find "$tmp" -name '*.tmp.*')
[ -z "$left" ] && ok "no temporary file is left" || bad "left behind: $left"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
