#!/usr/bin/env bash
# Creates bench/.venv with the reference frameworks the benchmarks compare rnnc against:
# current PyTorch and TensorFlow/Keras from PyPI, plus safetensors and numpy. Idempotent.
# Only the benchmarks and fixture generators use it; `make check` never does.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv"
py="${PYTHON:-python3}"
[ -x "$venv/bin/python" ] || "$py" -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check torch tensorflow safetensors numpy
"$venv/bin/python" -c 'import torch, tensorflow as tf; print("torch", torch.__version__, "tensorflow", tf.__version__)'
