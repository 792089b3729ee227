#!/usr/bin/env bash
# Writes the seed corpora of the model-file and checkpoint fuzz targets from real files made by
# `rnnc train` (docs/fuzzing.md): tests/fuzz/forecaster/ (forecasters' model files),
# tests/fuzz/lm/ (language models' model files) and tests/fuzz/checkpoint/ (a checkpoint with its
# optimizer file, packed as fuzz_checkpoint.c reads them), and the accepted regression input
# tests/fuzz/regress/checkpoint/epoch.ok. Run from the repository root after `make`:
#   tests/fuzz/gen_seeds.sh [build/rnnc]
# The classifier here must stay the one fuzz_checkpoint.c builds (same data, description and
# text options); regress/checkpoint/epoch.ok fails in `make check` when they differ.
set -euo pipefail
rnnc=${1:-build/rnnc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p tests/fuzz/forecaster tests/fuzz/lm tests/fuzz/checkpoint tests/fuzz/regress/checkpoint

# ---- forecasters: direct with a covariate, a time column and log; recursive with min-max ----
awk 'BEGIN { print "t,y,x"; for (i = 0; i < 60; i++) printf "2020-%02d-%02d,%.3f,%.3f\n", int(i / 28) + 1, i % 28 + 1, 10 + 3 * sin(i / 3) + i / 10, cos(i / 5) }' > "$tmp/s.csv"
cat > "$tmp/f.ini" <<INI
[forecast]
data = $tmp/s.csv
time = t
targets = y
covariates = x
lookback = 6
horizon = 3
log = true
[gru]
hidden = 3
[train]
epochs = 1
batch_size = 8
output = $tmp/f1
INI
"$rnnc" train "$tmp/f.ini" --quiet --threads 1 > /dev/null
cp "$tmp/f1/model.safetensors" tests/fuzz/forecaster/direct-covariate.safetensors
"$rnnc" train "$tmp/f.ini" --quiet --threads 1 --set forecast.covariates= --set forecast.decoder=recursive \
    --set forecast.scaling=minmax --set forecast.relative=true --set forecast.log=false \
    --set train.output="$tmp/f2" > /dev/null
cp "$tmp/f2/model.safetensors" tests/fuzz/forecaster/recursive-minmax.safetensors

# ---- language models: characters; words with documents per line ----
printf 'the cat sat on the mat.\nthe dog sat on the log.\na cat and a dog.\n' > "$tmp/lm.txt"
cat > "$tmp/l.ini" <<INI
[lm]
train = $tmp/lm.txt
level = char
bptt = 8
[embedding]
vocab = auto
dim = 3
[gru]
hidden = 4
return_sequences = true
[dense]
units = auto
[train]
epochs = 1
batch_size = 2
output = $tmp/l1
INI
"$rnnc" train "$tmp/l.ini" --quiet --threads 1 > /dev/null
cp "$tmp/l1/model.safetensors" tests/fuzz/lm/char.safetensors
"$rnnc" train "$tmp/l.ini" --quiet --threads 1 --set lm.level=word --set lm.documents=lines \
    --set lm.num_words=12 --set train.output="$tmp/l2" > /dev/null
cp "$tmp/l2/model.safetensors" tests/fuzz/lm/word-lines.safetensors

# ---- a classifier's checkpoint (fuzz_checkpoint.c's fixed classifier) ----
cat > "$tmp/c.csv" <<CSV
label,text
pos,good fine great film
neg,bad awful poor film
pos,a lovely warm story
neg,a dull cold story
pos,great acting and a fine plot
neg,poor acting and a dull plot
CSV
cat > "$tmp/c.ini" <<INI
[data]
train = $tmp/c.csv
label_column = label
text_column = text
num_words = 16
maxlen = 8
[embedding]
vocab = auto
dim = 3
[gru]
hidden = 3
[dense]
units = 1
[train]
epochs = 2
batch_size = 2
output = $tmp/c1
INI
"$rnnc" train "$tmp/c.ini" --quiet --threads 1 > /dev/null
"$rnnc" train "$tmp/c.ini" --quiet --threads 1 --set train.ema=0.5 --set train.output="$tmp/c2" > /dev/null
le32() {
    local n=$1 i
    for i in 0 1 2 3; do printf "\\$(printf %03o $(((n >> (8 * i)) & 255)))"; done
}
# pack FLAGS DIR: the flags byte, the checkpoint and the optimizer file, each after its length
# (4 bytes, little-endian), then the weight average when the run kept one.
pack() {
    printf "\\$(printf %03o "$1")"
    le32 "$(wc -c < "$2/checkpoint.safetensors")"
    cat "$2/checkpoint.safetensors"
    le32 "$(wc -c < "$2/checkpoint.optim.safetensors")"
    cat "$2/checkpoint.optim.safetensors"
    [ ! -f "$2/checkpoint.ema.safetensors" ] || cat "$2/checkpoint.ema.safetensors"
}
pack 0 "$tmp/c1" > tests/fuzz/checkpoint/epoch.bin
pack 2 "$tmp/c1" > tests/fuzz/checkpoint/optim-next.bin
pack 1 "$tmp/c2" > tests/fuzz/checkpoint/ema.bin
cp tests/fuzz/checkpoint/epoch.bin tests/fuzz/regress/checkpoint/epoch.ok
ls -l tests/fuzz/forecaster tests/fuzz/lm tests/fuzz/checkpoint
