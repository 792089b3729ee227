#!/usr/bin/env bash
# Fine-tuning on IMDB (docs/finetune.md): pretrain a word-level LSTM language model on the text of
# the 25,000 training reviews (pretrain.ini; labels unused; skipped when its model file exists),
# then for each N train the sentiment classifier from scratch on N labelled reviews (scratch.ini)
# and fine-tune it from the language model on the same N reviews (finetune.ini), same seed, same
# epochs, and test both on the 25,000 test reviews. Prints the table README shows.
# Usage: examples/finetune-imdb/run.sh [N ...]   (default: 100 1000 5000). Run from anywhere.
# Logs: runs/finetune-imdb/*.log. RNNC=path runs another rnnc binary (default build/rnnc, built
# first).
set -euo pipefail
cd "$(dirname "$0")/../.."
rnnc=${RNNC:-build/rnnc}
[ -n "${RNNC:-}" ] || make -s build/rnnc
out=runs/finetune-imdb
mkdir -p "$out"
ns=("$@")
[ ${#ns[@]} -gt 0 ] || ns=(100 1000 5000)
lm=$out/lm/model.safetensors
if [ ! -f "$lm" ]; then
    echo "pretraining the language model (log: $out/pretrain.log)"
    "$rnnc" train examples/finetune-imdb/pretrain.ini --quiet > "$out/pretrain.log"
fi
acc() { sed -n 's/^test: .* accuracy \([0-9.]*\) .*/\1/p' "$1" | tail -n 1; }
for n in "${ns[@]}"; do
    echo "N = $n: from scratch (log: $out/scratch-$n.log)"
    "$rnnc" train examples/finetune-imdb/scratch.ini --quiet --set data.subset="$n" \
        --set train.output="$out/scratch-$n" > "$out/scratch-$n.log"
    echo "N = $n: fine-tuned (log: $out/finetune-$n.log)"
    "$rnnc" finetune "$lm" examples/finetune-imdb/finetune.ini --quiet --set data.subset="$n" \
        --set train.output="$out/finetune-$n" > "$out/finetune-$n.log"
done
echo
echo "| labelled reviews N | from scratch | fine-tuned | difference |"
echo "|---:|---:|---:|---:|"
for n in "${ns[@]}"; do
    s=$(acc "$out/scratch-$n.log") f=$(acc "$out/finetune-$n.log")
    awk -v n="$n" -v s="$s" -v f="$f" \
        'BEGIN { printf "| %d | %.2f%% | %.2f%% | %+.2f points |\n", n, 100 * s, 100 * f, 100 * (f - s) }'
done
