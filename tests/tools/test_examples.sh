#!/usr/bin/env bash
# The C examples of docs/api.md (examples/c/, built by `make check` into RNNC_BUILD/examples/):
# each runs and does what the guide says. Prints one line per check and "N passed, N failed".
set -u
build=${RNNC_BUILD:-build}
rnnc=$build/rnnc
ex=$build/examples
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

# A GRU regressor built and trained in code: the loss falls to under a quarter (its exit status),
# and the model file it saves loads in rnnc.
if out=$("$ex/train_arrays" "$tmp/reg.safetensors" 2>&1) && grep -q 'mse fell from' <<< "$out" &&
    "$rnnc" inspect "$tmp/reg.safetensors" | grep -q 'gru.weight_hh_l0 .*(48, 16)'; then
    ok "train_arrays: $(tail -n 1 <<< "$out"); its file loads (gru.weight_hh_l0 (48, 16))"
else
    bad "train_arrays: $(tail -n 2 <<< "$out")"
fi

# The trainer on arrays in memory: R^2 above 0.8 on the validation rows (its exit status), and the
# run's model file is one rnnc eval and predict take (they ask for its DATA).
if out=$("$ex/fit_arrays" "$tmp/fit" 2>&1) && grep -q 'R^2' <<< "$out" &&
    "$rnnc" eval "$tmp/fit/model.safetensors" 2>&1 | grep -q 'is a model on arrays; give DATA'; then
    ok "fit_arrays: $out; rnnc eval knows its model file"
else
    bad "fit_arrays: $(tail -n 2 <<< "$out")"
fi

# An .npz through the C API (the file written by tests/tasks/test_arrays): 3 epochs, then resumed
# to 6 from the checkpoint, ends with the same model file as 6 epochs at once, which rnnc eval scores.
if "$build/tests/tasks/test_arrays" --write-fixtures "$tmp" 2> /dev/null &&
    "$ex/fit_npz" "$tmp/reg.npz" "$tmp/npz6" 6 > /dev/null 2>&1 &&
    "$ex/fit_npz" "$tmp/reg.npz" "$tmp/npz3" 3 > /dev/null 2>&1 &&
    out=$("$ex/fit_npz" "$tmp/reg.npz" "$tmp/npz3" 6 "$tmp/npz3/checkpoint.safetensors" 2>&1) &&
    cmp -s "$tmp/npz6/model.safetensors" "$tmp/npz3/model.safetensors" &&
    "$rnnc" eval "$tmp/npz3/model.safetensors" "$tmp/reg.npz" | grep -q 'r2 '; then
    ok "fit_npz: $(head -n 1 <<< "$out"); resumed from epoch 3, equal to the uninterrupted run"
else
    bad "fit_npz: ${out:-did not run}"
fi

# Step by step with the state carried: the same outputs as one forward over the sequence.
out=$("$ex/stream_steps" 2>&1) && ok "stream_steps: $out" || bad "stream_steps: $out"

# A model file from `rnnc train`, raw text in: the same labels and probabilities as rnnc predict.
awk 'BEGIN { print "label,text"
    for (i = 0; i < 60; i++) print (i % 2 ? "pos" : "neg") "," (i % 2 ? "good fine great" : "bad awful poor") " movie " i }' > "$tmp/t.csv"
cat > "$tmp/t.ini" << EOC
[data]
train = $tmp/t.csv
label_column = label
text_column = text
num_words = 30
maxlen = 8
[embedding]
vocab = 30
dim = 8
[gru]
hidden = 8
[dense]
units = 1
[train]
epochs = 8
batch_size = 8
output = $tmp/run
[optimizer]
lr = 0.05
EOC
if "$rnnc" train "$tmp/t.ini" --quiet --threads 1 > "$tmp/train.log" 2>&1; then
    mine=$("$ex/predict_text" "$tmp/run/model.safetensors" "good fine movie" "bad awful movie" | cut -f1,2)
    theirs=$(printf 'good fine movie\nbad awful movie\n' | "$rnnc" predict "$tmp/run/model.safetensors")
    [ "$mine" = "$theirs" ] && [ "$(cut -f1 <<< "$mine" | tr '\n' ' ')" = "pos neg " ] &&
        ok "predict_text: $(tr '\n\t' '; ' <<< "$mine")as rnnc predict" ||
        bad "predict_text: '$mine', rnnc predict: '$theirs'"
else
    bad "the classifier to predict with did not train: $(tail -n 2 "$tmp/train.log")"
fi
"$ex/predict_text" "$tmp/nothere.safetensors" hi > /dev/null 2> "$tmp/err"
[ $? -eq 1 ] && grep -q 'nothere.safetensors' "$tmp/err" && ok "predict_text: a missing file is reported" ||
    bad "predict_text on a missing file: $(cat "$tmp/err")"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
