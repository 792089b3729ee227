#!/usr/bin/env bash
# Training on arrays through the command line (docs/arrays.md), on .npz and safetensors files that
# tests/tasks/test_arrays --write-fixtures writes (no Python): a 2-layer GRU regressor trained by
# `rnnc train`, resumed exactly (the model file equal byte for byte to an uninterrupted run's),
# scored by `rnnc eval` and run by `rnnc predict`; the same from safetensors. Run by `make check`
# (RNNC_BUILD names the build folder); prints one line per check and "N passed, N failed".
set -u
build=${RNNC_BUILD:-build}
rnnc=$build/rnnc
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

if ! "$build/tests/tasks/test_arrays" --write-fixtures "$tmp" 2> "$tmp/w.log"; then
    bad "tests/tasks/test_arrays --write-fixtures: $(tail -n 2 "$tmp/w.log")"
    echo "$pass passed, $fail failed"
    exit 1
fi
cat > "$tmp/gru.ini" << EOC
[gru]
hidden = 24
layers = 2
[data]
format = npz
train = $tmp/reg.npz
validation_split = 0.1
test_split = 0.1
[train]
epochs = 10
batch_size = 32
seed = 3
output = $tmp/full
[optimizer]
name = adam
lr = 0.01
EOC
T="$rnnc train $tmp/gru.ini --quiet --threads 1"

# trained: the test part's R^2 (1 - MSE / the mean predictor's) well above 0
if out=$($T 2>&1) && r2=$(grep -o 'r2 [0-9.-]*' <<< "$out" | awk '{print $2}') &&
    awk -v r="$r2" 'BEGIN { exit !(r > 0.8) }'; then
    ok "rnnc train: $(grep '^data:' <<< "$out" | cut -c1-100)...; $(grep '^test:' <<< "$out")"
else
    bad "rnnc train: $(tail -n 3 <<< "$out")"
fi
grep -q '"val_loss"' "$tmp/full/metrics.jsonl" 2> /dev/null && ok "metrics.jsonl has val_loss" ||
    bad "no val_loss in metrics.jsonl"

# resumed exactly: 4 epochs, then on to 10 from the checkpoint
$T --set train.epochs=4 --set train.output="$tmp/half" > /dev/null 2>&1
if out=$($T --set train.output="$tmp/half" --resume "$tmp/half/checkpoint.safetensors" 2>&1) &&
    cmp -s "$tmp/full/model.safetensors" "$tmp/half/model.safetensors"; then
    ok "4 epochs, then --resume to 10: model.safetensors equal byte for byte to the uninterrupted run's"
else
    bad "resume: $(tail -n 2 <<< "$out")"
fi

# eval and predict on the model file
if out=$("$rnnc" eval "$tmp/full/model.safetensors" "$tmp/reg.npz" 2>&1) &&
    grep -qE 'regression of 2 outputs' <<< "$out" && grep -qE '^data: 512 sequences  loss \(mse\) [0-9.e-]+  mae [0-9.e-]+  rmse [0-9.e-]+  r2 0\.[0-9]+$' <<< "$out"; then
    ok "rnnc eval: $(tail -n 1 <<< "$out")"
else
    bad "rnnc eval: $out"
fi
if out=$("$rnnc" predict "$tmp/full/model.safetensors" "$tmp/x_only.npz" 2>&1) &&
    [ "$(head -n 1 <<< "$out")" = "row,y0,y1" ] && [ "$(wc -l <<< "$out")" -eq 513 ] &&
    grep -qE '^511,-?[0-9.e-]+,-?[0-9.e-]+$' <<< "$out"; then
    ok "rnnc predict on x without y: a CSV header and 512 rows ($(sed -n 2p <<< "$out"))"
else
    bad "rnnc predict: $(head -n 3 <<< "$out")"
fi
"$rnnc" predict "$tmp/full/model.safetensors" "$tmp/reg.npz" > "$tmp/p2.csv" 2>&1 &&
    cmp -s <(tail -n +2 "$tmp/p2.csv" | head -n 5) <(sed -n 2,6p <<< "$out") &&
    ok "predict gives the same rows whether the file holds y or not" ||
    bad "predict differs with y: $(head -n 3 "$tmp/p2.csv")"

# the same data as safetensors
if out=$($T --set data.format=safetensors --set data.train="$tmp/reg.safetensors" --set train.epochs=1 --set train.output="$tmp/st" 2>&1) &&
    grep -q '^test: 51 sequences' <<< "$out" &&
    "$rnnc" eval "$tmp/st/model.safetensors" "$tmp/reg.safetensors" > /dev/null 2>&1; then
    ok "[data] format = safetensors: trained one epoch, evaluated ($(grep '^test:' <<< "$out"))"
else
    bad "safetensors: $(tail -n 3 <<< "$out")"
fi

# per-step labels of token ids: an embedding, return_sequences, CSV per step
cat > "$tmp/steps.ini" << EOC
[embedding]
vocab = 12
dim = 8
[gru]
hidden = 16
return_sequences = true
[data]
format = npz
train = $tmp/steps.npz
validation_split = 0.2
[train]
epochs = 6
output = $tmp/steps
[optimizer]
lr = 0.02
EOC
if out=$("$rnnc" train "$tmp/steps.ini" --quiet --threads 1 2>&1) &&
    grep -q 'per-step labels of 2 classes' <<< "$out" &&
    ev=$("$rnnc" eval "$tmp/steps/model.safetensors" "$tmp/steps.npz" 2>&1) &&
    acc=$(grep -o 'accuracy [0-9.]*' <<< "$ev" | awk '{print $2}') &&
    awk -v a="$acc" 'BEGIN { exit !(a > 0.9) }' &&
    pr=$("$rnnc" predict "$tmp/steps/model.safetensors" "$tmp/steps.npz" 2>&1) &&
    [ "$(head -n 1 <<< "$pr")" = "row,step,label,p0,p1" ] &&
    [ "$(($(wc -l <<< "$pr") - 1))" -eq "$(grep -o '([0-9]* steps)' <<< "$ev" | tr -dc 0-9)" ]; then
    ok "per-step labels on ids: $(tail -n 1 <<< "$ev"); predict: one CSV line per step"
else
    bad "per-step labels: $(tail -n 2 <<< "$out") $ev $(head -n 2 <<< "${pr:-}")"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
