#!/usr/bin/python3
"""Generate PyTorch reference fixtures for rnnc's losses.

What it writes
--------------
Plain-text fixtures under tests/fixtures/ (located from this file's path), one
per case, read by tests/train/test_losses.c:

  loss_mse.txt           torch.nn.MSELoss()
  loss_bce.txt           torch.nn.BCEWithLogitsLoss(), logits up to +-1e4, soft targets
  loss_mae.txt           torch.nn.L1Loss(), some pred == target exactly (gradient 0 there)
  loss_huber_d1.txt      torch.nn.HuberLoss(delta=1.0), both branches and |d| == delta
  loss_huber_d0p25.txt   torch.nn.HuberLoss(delta=0.25), both branches and |d| == delta
  loss_ce.txt            torch.nn.CrossEntropyLoss(ignore_index=-100), N=9, C=5, two ignored
                         rows, rows of logits around +-1e4 and one with a 2e4 spread
  loss_ce_ign2.txt       the same loss with ignore_index=2, a valid class id, N=8, C=4

How to run
----------
With Debian's python (torch and numpy are installed there):

  /usr/bin/python3 tests/gen/gen_loss_fixtures.py

Output is deterministic (fixed seeds); running it twice gives identical files.

Values
------
Inputs are drawn as float32 (rnnc's input type) and written exactly; torch then
computes in float64 from those same values, reduction='mean'. Every loss value
and gradient is also recomputed here with numpy from its textbook formula and
must agree with torch's to 1e-12 (relative), which checks what the fixture
claims each loss to be.

File format (tests/fixture.h)
-----------------------------
  # comments
  meta <key> <value>           loss, n (or N and C), delta, ignore_index
  tensor <name> <ndim> <dims>  then the values, %.17g, row-major
Tensors: pred (or logits), target, loss (1 value), grad (d loss / d pred).
CE targets are int64 class ids.
"""

import os
import sys

import numpy as np
import torch
import torch.nn as nn

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
BASE_SEED = 20240521


def f32(a):
    """float32 values (rnnc's input type) held as float64 for torch."""
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def close(a, b, what, tol=1e-12):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    scale = max(np.max(np.abs(b)), 1e-300)
    err = np.max(np.abs(a - b)) / scale
    assert err <= tol, "%s: torch and the formula differ (rel %g)" % (what, err)


def run_torch(loss_fn, pred, target):
    p = torch.tensor(pred, dtype=torch.float64, requires_grad=True)
    t = torch.tensor(target)
    out = loss_fn(p, t)
    out.backward()
    return float(out.item()), p.grad.numpy().copy()


def elementwise_case(kind, seed, delta=None):
    rng = np.random.default_rng(seed)
    n = 16
    pred = rng.normal(0, 1.5, n)
    target = rng.normal(0, 1.5, n)
    if kind == "bce":
        logits = rng.normal(0, 3, n)
        logits[:6] = [1e4, -1e4, 50, -50, 0, 17.5]
        target = np.concatenate([[1, 1, 0, 0, 1, 0.3], rng.uniform(0, 1, n - 6)])
        target[6:10] = [0, 1, 0, 1]
        pred, target = f32(logits), f32(target)
        loss, grad = run_torch(nn.BCEWithLogitsLoss(), pred, target)
        z, y = pred, target
        want = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
        close(loss, want.mean(), "bce loss")
        with np.errstate(over="ignore"):  # exp(1e4) = inf gives sigmoid 0, as it should
            close(grad, (1 / (1 + np.exp(-z)) - y) / n, "bce grad")
        return [("loss", "bce"), ("n", n)], pred, target, loss, grad
    if kind == "mse":
        pred[:2] = [120.25, -75.5]
        pred, target = f32(pred), f32(target)
        loss, grad = run_torch(nn.MSELoss(), pred, target)
        d = pred - target
        close(loss, (d * d).mean(), "mse loss")
        close(grad, 2 * d / n, "mse grad")
        return [("loss", "mse"), ("n", n)], pred, target, loss, grad
    if kind == "mae":
        pred, target = f32(pred), f32(target)
        pred[:3] = target[:3]  # exact ties: the gradient is 0 there
        loss, grad = run_torch(nn.L1Loss(), pred, target)
        d = pred - target
        close(loss, np.abs(d).mean(), "mae loss")
        close(grad, np.sign(d) / n, "mae grad")
        assert np.all(grad[:3] == 0)
        return [("loss", "mae"), ("n", n)], pred, target, loss, grad
    if kind == "huber":
        # Both branches on purpose, and |d| == delta exactly: the first targets are multiples of
        # 1/64, so target +- delta stays exact in float32 for these deltas and magnitudes.
        target[:5] = np.round(target[:5] * 64) / 64
        target = f32(target)
        pred = f32(pred)
        pred[0] = target[0] + np.float32(delta)
        pred[1] = target[1] - np.float32(delta)
        pred[2] = target[2] + np.float32(0.5 * delta)
        pred[3] = target[3] - np.float32(3 * delta)
        pred[4] = target[4]
        pred = f32(pred)
        d = pred - target
        assert abs(d[0]) == delta and abs(d[1]) == delta
        inside = np.abs(d) < delta
        assert inside.sum() >= 3 and (~inside).sum() >= 3, "want both branches"
        loss, grad = run_torch(nn.HuberLoss(delta=delta), pred, target)
        want = np.where(inside, 0.5 * d * d, delta * (np.abs(d) - 0.5 * delta))
        close(loss, want.mean(), "huber loss")
        close(grad, np.clip(d, -delta, delta) / n, "huber grad")
        return [("loss", "huber"), ("n", n), ("delta", repr(delta))], pred, target, loss, grad
    raise ValueError(kind)


def ce_case(seed, N, C, ignore_index, ignored_rows, big_rows):
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 2, (N, C))
    target = rng.integers(0, C, N)
    if ignore_index >= 0:
        # Give the ignored class to some rows that stay ignored, and keep it out of the rest.
        target = np.where(target == ignore_index, (ignore_index + 1) % C, target)
    for r in ignored_rows:
        target[r] = ignore_index
    for r, scale in big_rows:
        logits[r] = rng.normal(0, 1, C) * scale
    if big_rows:
        logits[big_rows[0][0], target[big_rows[0][0]]] = -1e4  # the target is far below the rest
    logits = f32(logits)
    target = target.astype(np.int64)
    loss_fn = nn.CrossEntropyLoss(ignore_index=ignore_index)
    loss, grad = run_torch(loss_fn, logits, torch.tensor(target).numpy())
    keep = target != ignore_index
    m = logits.max(axis=1, keepdims=True)
    lse = (m + np.log(np.exp(logits - m).sum(axis=1, keepdims=True)))[:, 0]
    rows = np.arange(N)
    per_row = lse - logits[rows, np.where(keep, target, 0)]
    k = keep.sum()
    close(loss, per_row[keep].sum() / k, "ce loss")
    p = np.exp(logits - lse[:, None])
    onehot = np.zeros((N, C))
    onehot[rows[keep], target[keep]] = 1
    close(grad, np.where(keep[:, None], (p - onehot) / k, 0), "ce grad")
    assert np.all(grad[~keep] == 0)
    meta = [("loss", "softmax_ce"), ("N", N), ("C", C), ("ignore_index", ignore_index),
            ("counted", int(k))]
    return meta, logits, target, loss, grad


def fmt(v, is_int):
    if is_int:
        return "%d" % v
    s = "%.17g" % v
    assert s not in ("nan", "inf", "-inf")
    return s


def write_fixture(path, meta, tensors, seed):
    lines = [
        "# rnnc loss fixture, generated by tests/gen/gen_loss_fixtures.py",
        "# do not edit; regenerate with: /usr/bin/python3 tests/gen/gen_loss_fixtures.py",
        "# reference: torch %s, float64 from float32 inputs, reduction='mean', seed %d"
        % (torch.__version__.split("+")[0], seed),
    ]
    for k, v in meta:
        lines.append("meta %s %s" % (k, v))
    for name, a in tensors:
        a = np.asarray(a)
        is_int = a.dtype.kind == "i"
        dims = list(a.shape)
        lines.append("tensor %s %d %s" % (name, len(dims), " ".join(str(d) for d in dims)))
        vals = [fmt(v, is_int) for v in a.reshape(-1).tolist()]
        for i in range(0, len(vals), 6):
            lines.append(" ".join(vals[i:i + 6]))
    tmp = path + ".tmp"
    with open(tmp, "w", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, path)


def main():
    torch.set_default_dtype(torch.float64)
    os.makedirs(OUT_DIR, exist_ok=True)
    cases = [
        ("loss_mse.txt", lambda s: elementwise_case("mse", s)),
        ("loss_bce.txt", lambda s: elementwise_case("bce", s)),
        ("loss_mae.txt", lambda s: elementwise_case("mae", s)),
        ("loss_huber_d1.txt", lambda s: elementwise_case("huber", s, 1.0)),
        ("loss_huber_d0p25.txt", lambda s: elementwise_case("huber", s, 0.25)),
        ("loss_ce.txt", lambda s: ce_case(s, 9, 5, -100, [2, 6], [(4, 1e4), (7, -1e4), (8, 2e4)])),
        ("loss_ce_ign2.txt", lambda s: ce_case(s, 8, 4, 2, [0, 5], [])),
    ]
    for idx, (name, make) in enumerate(cases):
        seed = BASE_SEED + idx
        meta, pred, target, loss, grad = make(seed)
        first = "logits" if name.startswith("loss_ce") else ("logits" if "bce" in name else "pred")
        tensors = [(first, pred), ("target", target), ("loss", np.array([loss])), ("grad", grad)]
        path = os.path.join(OUT_DIR, name)
        write_fixture(path, meta, tensors, seed)
        print("wrote %s (loss %.17g)" % (os.path.relpath(path), loss))
    return 0


if __name__ == "__main__":
    sys.exit(main())
