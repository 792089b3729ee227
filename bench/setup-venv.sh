#!/usr/bin/env bash
# Creates bench/.venv with the reference frameworks the benchmarks compare rnnc against:
# current PyTorch and TensorFlow/Keras from PyPI, plus safetensors, numpy and tensorboard (whose
# event reader tests/tools/check_tensorboard.py uses). Idempotent.
#   bench/setup-venv.sh              all of them
#   bench/setup-venv.sh PACKAGE...   only these (CI: tensorboard; statsforecast for
#                                    bench/forecast_refs.py)
# Only the benchmarks, fixture generators and check_tensorboard.py use it; `make check` never does.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv"
py="${PYTHON:-python3}"
[ -x "$venv/bin/python" ] || "$py" -m venv "$venv"
if [ $# -gt 0 ]; then
    "$venv/bin/pip" install -q --disable-pip-version-check "$@"
    exit 0
fi
"$venv/bin/pip" install -q --disable-pip-version-check torch tensorflow safetensors numpy tensorboard
"$venv/bin/python" -c 'import torch, tensorflow as tf; print("torch", torch.__version__, "tensorflow", tf.__version__)'
