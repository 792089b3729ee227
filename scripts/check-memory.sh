#!/usr/bin/env bash
# Memory and thread checks beyond `make check`: a short training run under valgrind
# memcheck (no error, no leak), and rnnc's threaded code under ThreadSanitizer (the thread test,
# a 2-thread training run, which split both the time loops and the large GEMMs, 4 threads sharing
# one classifier, forecaster and language model, and a program that dlopens the library, runs it,
# calls rnnc_shutdown and dlcloses it).
# Installs valgrind (scripts/install-deps.sh) when missing. Run from anywhere; CI runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh valgrind
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/t.ini" <<EOF
[data]
train = data/imdb-sample/test.tsv.gz
validation_split = 0.2
num_words = 300
maxlen = 40
padding = post
use_lengths = true
[embedding]
vocab = 300
dim = 16
[lstm]
hidden = 32
bidirectional = true
[dense]
units = 1
[train]
epochs = 1
batch_size = 64
output = $tmp/run
EOF
make -s build/rnnc
echo "valgrind memcheck: rnnc train (1 epoch, 2 threads)"
valgrind --quiet --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite,indirect \
    build/rnnc train "$tmp/t.ini" --threads 2 --quiet > "$tmp/vg.log" 2>&1 ||
    { tail -n 30 "$tmp/vg.log"; echo "check-memory: valgrind found errors"; exit 1; }
echo "  clean"
make -s SAN=thread build-tsan/tests/nn/test_threads build-tsan/tests/tasks/test_concurrent build-tsan/rnnc
echo "ThreadSanitizer: tests/nn/test_threads (3 threads), tests/tasks/test_concurrent (4 threads"
echo "sharing one model), tests/tools/test_dlclose.sh (dlopen, rnnc_shutdown, dlclose) and rnnc"
echo "train (2 threads)"
export TSAN_OPTIONS="halt_on_error=1 exitcode=66"
build-tsan/tests/nn/test_threads > "$tmp/ts1.log" 2>&1 ||
    { tail -n 40 "$tmp/ts1.log"; echo "check-memory: TSan report in test_threads"; exit 1; }
build-tsan/tests/tasks/test_concurrent > "$tmp/ts3.log" 2>&1 ||
    { tail -n 40 "$tmp/ts3.log"; echo "check-memory: TSan report in test_concurrent"; exit 1; }
RNNC_BUILD=build-tsan RNNC_SAN=thread tests/tools/test_dlclose.sh > "$tmp/ts4.log" 2>&1 ||
    { tail -n 40 "$tmp/ts4.log"; echo "check-memory: TSan report in test_dlclose.sh"; exit 1; }
sed -i "s|^output = .*|output = $tmp/run2|" "$tmp/t.ini"
build-tsan/rnnc train "$tmp/t.ini" --threads 2 --quiet > "$tmp/ts2.log" 2>&1 ||
    { tail -n 40 "$tmp/ts2.log"; echo "check-memory: TSan report in rnnc train"; exit 1; }
echo "  clean ($(grep -E '^[0-9]+ passed' "$tmp/ts1.log"))"
