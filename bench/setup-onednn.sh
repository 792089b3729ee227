#!/usr/bin/env bash
# Installs Debian's oneDNN (libdnnl-dev 2.6.3) when missing and builds build/onednn_shapes, the
# oneDNN reference for the CPU benchmark contract (bench/onednn_shapes.c). Idempotent: packages are
# installed once, and the program is rebuilt only when its source or this script is newer.
#   usage: bench/setup-onednn.sh      (from anywhere; builds <repo>/build/onednn_shapes)
# Debian's libdnnl runs on GNU OpenMP (libgomp): the program is built with -fopenmp and sets its
# thread count with omp_set_num_threads(). Everything, the Dense head included, runs in oneDNN, so
# no BLAS is linked. -fno-math-errno lets GCC vectorise the Adam loop's sqrtf (no -ffast-math).
# The check against torch: /usr/bin/python3 bench/onednn_check.py
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh libdnnl-dev
mkdir -p build
src=bench/onednn_shapes.c out=build/onednn_shapes
if [ ! -x "$out" ] || [ "$src" -nt "$out" ] || [ "$0" -nt "$out" ]; then
    echo "setup-onednn: building $out" >&2
    cc -O2 -std=c11 -Wall -Wextra -Wpedantic -Wshadow -fopenmp -fno-math-errno \
        -o "$out" "$src" -ldnnl -lm
fi
