#!/usr/bin/python3
"""Checks that build/onednn_shapes computes the same function as torch, shape by shape.

Runs `onednn_shapes SHAPE check [cap]` (T=5, B=3, I and H capped), which prints the loss, the
outputs of a training forward, every parameter gradient, every parameter after one Adam step and
the outputs of an inference forward. The Adam step is checked against torch.optim.Adam applied to
the C program's own gradients (with |g| near eps, Adam's first step magnifies gradient differences
far below 1e-4), so gradients and optimizer are each checked on their own. Builds the same model in torch from the same formula
(parameter k, in torch's row-major layout: w[i] = scale * sin(0.37*i + 1.3*k); scale 1 for the
embedding, 1/sqrt(H) otherwise) and the same LCG data, runs forward, loss, backward and
torch.optim.Adam, and compares. For each tensor it prints the largest absolute difference and that
difference relative to the largest magnitude in torch's tensor; it fails (exit 1) when any relative
difference exceeds 1e-4. Adam's update itself (step.*: parameter after minus before) is compared
relative to the largest update, less one float32 ulp of the parameter per element, since the
stored parameter cannot resolve it finer.

Run with Debian's python (torch 1.13 + numpy):
    /usr/bin/python3 bench/onednn_check.py [--bin build/onednn_shapes] [--cap 16] [S1 ... S5]
"""
import argparse
import math
import subprocess
import sys

import numpy as np
import torch

TOL = 1e-4
SHAPES = ["S1", "S2", "S3", "S4", "S5"]
CELL_RNN, CELL_LSTM, CELL_GRU = 0, 1, 2


class Lcg:
    """The C program's generator: 64-bit LCG, 31 output bits, seed 7."""

    def __init__(self, seed=7):
        self.s = seed

    def next(self):
        self.s = (self.s * 6364136223846793005 + 1442695040888963407) & (2**64 - 1)
        return self.s >> 33

    def uniform(self):
        return np.float32(self.next() * (1.0 / 1073741824.0) - 1.0)


def formula(n, k, scale):
    i = np.arange(n, dtype=np.float64)
    return (np.float32(scale) * np.sin(0.37 * i + 1.3 * k).astype(np.float32)).astype(np.float32)


def parse(text):
    """Returns (header dict, loss, {name: np.float32 array})."""
    lines = text.splitlines()
    words = lines[0].split()
    hdr = {words[i]: (int(words[i + 1]) if words[i + 1].isdigit() else words[i + 1])
           for i in range(0, len(words), 2)}
    loss, tensors, i = None, {}, 1
    while i < len(lines):
        w = lines[i].split()
        if w[0] == "loss":
            loss = float(w[1])
            i += 1
        elif w[0] == "tensor":
            n = int(w[2])
            vals = np.array(lines[i + 1].split(), dtype=np.float64).astype(np.float32)
            if vals.size != n:
                raise ValueError(f"{w[1]}: {vals.size} values, header says {n}")
            tensors[w[1]] = vals
            i += 2
        else:
            raise ValueError(f"line {i + 1}: unexpected {lines[i][:40]!r}")
    return hdr, loss, tensors


class Net(torch.nn.Module):
    def __init__(self, h):
        super().__init__()
        cell, I, H, L, V, C = h["cell"], h["I"], h["H"], h["L"], h["V"], h["C"]
        self.emb = torch.nn.Embedding(V, I) if V else None
        kind = {CELL_LSTM: torch.nn.LSTM, CELL_GRU: torch.nn.GRU}.get(cell)
        self.rnn = kind(I, H, num_layers=L) if kind else torch.nn.RNN(I, H, num_layers=L,
                                                                      nonlinearity="tanh")
        self.head = torch.nn.Linear(H, C) if C else None

    def ordered(self):
        """(name, parameter) in the C program's order, which sets k in the formula."""
        out = [("emb.weight", self.emb.weight)] if self.emb is not None else []
        for l in range(self.rnn.num_layers):
            for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                out.append((f"rnn.{n}_l{l}", getattr(self.rnn, f"{n}_l{l}")))
        if self.head is not None:
            out += [("head.weight", self.head.weight), ("head.bias", self.head.bias)]
        return out

    def forward(self, x):
        y, _ = self.rnn(self.emb(x) if self.emb is not None else x)
        if self.head is None:
            return y
        if self.head.out_features == 1:  # S1: Dense(1) on the last step
            return self.head(y[-1]).reshape(-1)
        return self.head(y).reshape(-1, self.head.out_features)  # S2: every step, (T*B, C)


def reference(h, got):
    T, B, I, H, V, C = h["T"], h["B"], h["I"], h["H"], h["V"], h["C"]
    torch.manual_seed(0)
    net = Net(h)
    with torch.no_grad():
        for k, (name, p) in enumerate(net.ordered()):
            scale = 1.0 if name == "emb.weight" else 1.0 / math.sqrt(H)
            p.copy_(torch.from_numpy(formula(p.numel(), k, scale)).reshape(p.shape))
    rng = Lcg()
    tgt = None
    if V:
        x = torch.tensor([rng.next() % V for _ in range(T * B)], dtype=torch.long).reshape(T, B)
        if C == 1:
            tgt = torch.tensor([float(rng.next() % 2) for _ in range(B)])
        else:
            tgt = torch.tensor([rng.next() % C for _ in range(T * B)], dtype=torch.long)
    else:
        x = torch.tensor(np.array([rng.uniform() for _ in range(T * B * I)])).reshape(T, B, I)
    ref = {}
    with torch.no_grad():
        ref["out.infer"] = net(x).reshape(-1).numpy().copy()
    out = net(x)
    if tgt is None:
        loss = out.mean()
    elif C == 1:
        loss = torch.nn.functional.binary_cross_entropy_with_logits(out, tgt)
    else:
        loss = torch.nn.functional.cross_entropy(out, tgt)
    loss.backward()
    ref["out.train"] = out.detach().reshape(-1).numpy().copy()
    for name, p in net.ordered():
        ref["grad." + name] = p.grad.reshape(-1).numpy().copy()
    # Adam from the C program's own gradients: with |g| near eps, Adam's first step turns gradient
    # differences far below the 1e-4 into large update differences, so the optimizer is checked on
    # the same gradients and the gradients on their own above.
    init = {name: p.detach().reshape(-1).numpy().copy() for name, p in net.ordered()}
    with torch.no_grad():
        for name, p in net.ordered():
            c = got.get("grad." + name)
            p.grad.copy_(torch.from_numpy(c).reshape(p.shape) if c is not None and
                         c.size == p.numel() else torch.full(p.shape, float("nan")))
    opt = torch.optim.Adam([p for _, p in net.ordered()], lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    opt.step()
    for name, p in net.ordered():
        ref["param." + name] = p.detach().reshape(-1).numpy().copy()
    return float(loss), ref, init


def compare(name, got, want):
    if got.shape != want.shape:
        print(f"  {name:26s} FAIL: {got.size} values, torch has {want.size}")
        return False
    d = float(np.max(np.abs(got.astype(np.float64) - want.astype(np.float64)))) if got.size else 0.0
    scale = float(np.max(np.abs(want))) if want.size else 0.0
    rel = d / max(scale, 1e-6)
    ok = rel <= TOL
    print(f"  {name:26s} max_abs {d:9.3e}  rel {rel:9.3e}  {'ok' if ok else 'FAIL'}")
    return ok


def compare_step(name, got, want, init):
    """Adam's update (parameter after minus before), resolved to one float32 step of the parameter:
    the part of a difference beyond one ulp of the stored value counts against the 1e-4."""
    if got.shape != want.shape:
        return False  # compare() reported it
    i64 = init.astype(np.float64)
    dg, dw = got.astype(np.float64) - i64, want.astype(np.float64) - i64
    excess = np.maximum(np.abs(dg - dw) - np.spacing(np.abs(want)).astype(np.float64), 0.0)
    d = float(np.max(excess)) if excess.size else 0.0
    rel = d / max(float(np.max(np.abs(dw))) if dw.size else 0.0, 1e-12)
    ok = rel <= TOL
    print(f"  {name:26s} max_abs {d:9.3e}  rel {rel:9.3e}  {'ok' if ok else 'FAIL'}")
    return ok


def check(binary, shape, cap):
    cmd = [binary, shape, "check"] + ([str(cap)] if cap is not None else [])
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode != 0:
        print(f"{shape}: {' '.join(cmd)} failed ({run.returncode}):\n{run.stderr}")
        return False
    hdr, loss, got = parse(run.stdout)
    want_loss, want, init = reference(hdr, got)
    print(f"{shape}: T={hdr['T']} B={hdr['B']} I={hdr['I']} H={hdr['H']} L={hdr['L']} "
          f"V={hdr['V']} C={hdr['C']}")
    ok = compare("loss", np.array([loss]), np.array([want_loss]))
    for name in want:
        if name not in got:
            print(f"  {name:26s} FAIL: missing from the C output")
            ok = False
        else:
            ok &= compare(name, got[name], want[name])
            if name.startswith("param."):
                ok &= compare_step("step." + name[6:], got[name], want[name], init[name[6:]])
    for name in got:
        if name not in want:
            print(f"  {name:26s} FAIL: not in the torch model")
            ok = False
    print(f"{shape}: {'ok' if ok else 'FAIL'}")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default="build/onednn_shapes")
    ap.add_argument("--cap", type=int, default=None, help="I/H cap (the program's default: 16)")
    ap.add_argument("shapes", nargs="*", default=SHAPES)
    a = ap.parse_args()
    torch.set_num_threads(1)
    results = [check(a.bin, s, a.cap) for s in a.shapes]
    print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
