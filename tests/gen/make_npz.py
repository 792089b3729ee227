#!/usr/bin/env python3
"""Writes an .npz with numpy (PyPI) for rnnc's array trainer (docs/arrays.md): a regression on
variable-length sequences, x (N,T,3) float32 post-padded with zeros, lengths (N) int64 and y (N,2)
float32 with y0 = the mean of feature 0 over the sequence's steps and y1 = feature 1 at its last
step minus feature 2 at its first. The last rows serve as rnnc's validation and test parts.

    bench/.venv/bin/python tests/gen/make_npz.py OUT.npz [N] [SEED]
"""
import sys

import numpy as np


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    T, F = 20, 3
    rng = np.random.default_rng(seed)
    lengths = rng.integers(5, T + 1, size=n)
    x = np.zeros((n, T, F), dtype=np.float32)
    y = np.zeros((n, 2), dtype=np.float32)
    for i, L in enumerate(lengths):
        x[i, :L] = rng.uniform(-1, 1, size=(L, F))
        y[i, 0] = x[i, :L, 0].mean()
        y[i, 1] = x[i, L - 1, 1] - x[i, 0, 2]
    np.savez_compressed(out, x=x, lengths=lengths, y=y)
    print(f"{out}: x {x.shape} {x.dtype}, lengths {lengths.shape} {lengths.dtype}, "
          f"y {y.shape} {y.dtype}; the mean predictor's MSE {y.var(axis=0).mean():.5f}")


if __name__ == "__main__":
    main()
