#!/usr/bin/env bash
# PTB word-level language model, Zaremba et al. 2014's "small" configuration (small.ini): trains
# 13 epochs, then prints the validation and test perplexity (every token with its whole history)
# and the time. The log goes to runs/ptb-small.log. Extra arguments go to `rnnc train`
# (e.g. --set train.epochs=1 for a quick look). Run from anywhere.
set -euo pipefail
cd "$(dirname "$0")/../.."
make -s build/rnnc
mkdir -p runs
build/rnnc train examples/ptb/small.ini --quiet "$@" | tee runs/ptb-small.log
