#!/usr/bin/env bash
# Seconds per epoch of recipe (a) (examples/imdb/recipe-a.ini: 20,000 training reviews of 500
# ids, batch 64 -> 313 batches) in rnnc, PyTorch and Keras, run one after the other in this one
# run on the same machine. Each prints the median seconds per training batch over BATCHES random
# batches (after 3 warm-up batches); an epoch is 313 of them (validation not included).
#   bench/imdb_epoch.sh [threads=2] [batches=20]
# Needs bench/setup-venv.sh (PyTorch and TensorFlow from PyPI) and `make`.
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-2}
reps=${2:-20}
py=bench/.venv/bin/python
make -s build/librnnc.a build/rnnc
cc -O2 -Iinclude bench/bench_imdb.c build/librnnc.a \
    $(pkg-config --libs inih jansson zlib libarchive) -lm -lpthread -o build/bench_imdb
echo "machine: $(bench/machine.sh)"
out=$( (build/bench_imdb "$threads" "$reps" 3; "$py" bench/imdb_torch.py "$threads" "$reps" 3;
        "$py" bench/imdb_torch.py "$threads" "$reps" 3 ftz; "$py" bench/imdb_keras.py "$threads" "$reps" 3) 2>/dev/null)
echo "$out"
echo "$out" | awk '{for (i = 1; i <= NF; i++) if ($i ~ /^median_s_per_batch=/) {split($i, a, "="); s[NR] = a[2]; n[NR] = $1}}
    END {printf "%-12s %12s %14s %16s\n", "", "s/batch", "s/epoch(313)", "rnnc speed-up";
         for (k = 1; k <= NR; k++) printf "%-12s %12.4f %14.1f %15.2fx\n", n[k], s[k], s[k] * 313, s[k] / s[1]}'
