#!/usr/bin/env bash
# Tiny-shakespeare character LSTM: trains char-small.ini (or char-large.ini with `run.sh large`),
# prints the validation loss in nats/char and bits/char (every character with its whole history)
# and the time, then a 600-character sample. Logs go to runs/shakespeare-<size>.log. Extra
# arguments go to `rnnc train`. The large run is long: stop it with Ctrl-C and continue with
#   build/rnnc train examples/shakespeare/char-large.ini --resume runs/shakespeare-large/checkpoint.safetensors
set -euo pipefail
cd "$(dirname "$0")/../.."
size=small
if [ "${1:-}" = large ] || [ "${1:-}" = small ]; then size=$1; shift; fi
make -s build/rnnc
mkdir -p runs
build/rnnc train "examples/shakespeare/char-$size.ini" --quiet "$@" | tee "runs/shakespeare-$size.log"
echo "--- sample (rnnc generate --prime 'ROMEO:' --length 600 --temperature 0.8 --seed 1)"
build/rnnc generate "runs/shakespeare-$size/model.safetensors" --prime "ROMEO:" --length 600 \
    --temperature 0.8 --seed 1
