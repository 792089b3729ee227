#!/usr/bin/python3
"""Generate PyTorch reference fixtures for rnnc's recurrent layers.

What it writes
--------------
Plain-text fixtures under tests/fixtures/ (relative to the repository root,
located from this file's path):

  rnn_<cell>_l<L>_<uni|bi>_<pre|post>.txt
      cell in {rnn (tanh), lstm, gru} x L in {1, 2} x {uni, bi}
      x padding in {pre, post}: 24 files,
      T=7, B=4, I=3, H=5, lengths = [5, 7, 1, 2] (deliberately unsorted);
  rnn_rnnrelu_l1_bi_post.txt
      Elman RNN with nonlinearity relu, 1 layer, bidirectional, post-padding;
  rnn_lstm_l1_uni_full.txt
      LSTM, 1 layer, unidirectional, B=1, lengths = [7] (no padding at all).

How to run
----------
With Debian's python (torch and numpy are installed there):

  /usr/bin/python3 tests/gen/gen_rnn_fixtures.py

Output is deterministic (float64 everywhere, fixed seed per file); running
it twice produces identical files.

Layout (rnnc's, time-major)
---------------------------
x is (T, B, I).  With post-padding sequence b occupies steps [0, len_b);
with pre-padding it occupies [T - len_b, T).  Padded steps of x hold zeros.
y is (T, B, D*H) (D = 2 if bidirectional, else 1; forward direction in
[..., :H], reverse in [..., H:]) with zeros at padded steps.
h0, hn, c0, cn are (L*D, B, H), index l*D + d (PyTorch's order).

The PyTorch side runs nn.RNN / nn.LSTM / nn.GRU (default init,
batch_first=False) over pack_padded_sequence(..., enforce_sorted=False) of
the UNPADDED sequences (pre-padded data is moved to the front before packing
and the outputs are moved back afterwards), so every direction of every
sequence sees exactly its own len_b steps: the forward direction starts from
h0 at the sequence's first valid step, the reverse direction starts from h0
at the sequence's LAST VALID step (not at step T-1), and hn holds, per
direction, the state after that direction's final valid step (for the
reverse direction: after the first valid step).

Loss convention
---------------
  Lsum = sum(y * dy) + sum(hn * dhn) + sum(cn * dcn)     (cn term: LSTM only)

with dy (T, B, D*H), dhn and dcn (L*D, B, H) fixed random (randn) tensors.
dy is random at padded steps too; y is identically zero there, so those
entries must not influence any gradient.  The recorded gradients are
dLsum/d(every parameter), dLsum/dx (rnnc layout; exactly zero at padded
steps), dLsum/dh0 and dLsum/dc0.

File format
-----------
  # comment lines start with '#'
  meta <key> <value>
  tensor <name> <ndim> <d0> <d1> ...
  <the tensor's values, row-major, whitespace separated, %.17g>

meta keys: cell, nonlinearity, layers, bidirectional, padding, T, B, I, H.
Tensor order: lengths, x, h0, [c0], parameters (PyTorch state_dict names and
order), dy, dhn, [dcn], y, hn, [cn], grad.<param>..., grad.x, grad.h0,
[grad.c0].  ([...]: LSTM only.)

Besides PyTorch, the script runs an independent step-by-step reference
implementation directly in rnnc layout (no packing) and asserts that its
outputs and gradients agree with PyTorch's, which checks both the layout
conversion and the cell equations documented in `reference_forward`.
"""

import os
import sys

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

torch.set_default_dtype(torch.float64)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.normpath(os.path.join(HERE, "..", "fixtures"))

T, B, I, H = 7, 4, 3, 5
LENGTHS = [5, 7, 1, 2]
BASE_SEED = 20240611


def gate_count(cell):
    return {"rnn": 1, "lstm": 4, "gru": 3}[cell]


# ---------------------------------------------------------------------------
# Layout helpers (differentiable)
# ---------------------------------------------------------------------------

def valid_range(t_total, length, padding):
    """Steps [start, end) occupied by a sequence of `length` in rnnc layout."""
    if padding == "pre":
        return t_total - length, t_total
    return 0, length


def to_front(x, lengths, padding):
    """rnnc layout (T,B,F) -> front-aligned (T,B,F) with zeros after len_b.

    Built from slices of x only, so autograd gives exactly zero gradient to
    x's padded steps."""
    t_total = x.shape[0]
    cols = []
    for b, n in enumerate(lengths):
        s, e = valid_range(t_total, n, padding)
        part = x[s:e, b]
        pad = torch.zeros(t_total - n, x.shape[2])
        cols.append(torch.cat([part, pad], dim=0))
    return torch.stack(cols, dim=1)


def from_front(y, lengths, padding):
    """Front-aligned (T,B,F) -> rnnc layout (T,B,F), zeros at padded steps."""
    t_total = y.shape[0]
    cols = []
    for b, n in enumerate(lengths):
        part = y[:n, b]
        pad = torch.zeros(t_total - n, y.shape[2])
        if padding == "pre":
            cols.append(torch.cat([pad, part], dim=0))
        else:
            cols.append(torch.cat([part, pad], dim=0))
    return torch.stack(cols, dim=1)


def padded_mask(t_total, lengths, padding):
    """Bool (T,B): True at padded steps."""
    m = torch.ones(t_total, len(lengths), dtype=torch.bool)
    for b, n in enumerate(lengths):
        s, e = valid_range(t_total, n, padding)
        m[s:e, b] = False
    return m


# ---------------------------------------------------------------------------
# Independent reference (rnnc layout, explicit loops)
# ---------------------------------------------------------------------------

def cell_step(cell, nonlin, x, h, c, w_ih, w_hh, b_ih, b_hh):
    """One step for one sequence.  Gate order follows PyTorch:
    LSTM rows of W are [i, f, g, o]; GRU rows are [r, z, n].

    rnn : h' = act(W_ih x + b_ih + W_hh h + b_hh)
    lstm: i,f,o = sigmoid(.), g = tanh(.), c' = f*c + i*g, h' = o*tanh(c')
    gru : r = sig(Wir x + bir + Whr h + bhr), z = sig(Wiz x + biz + Whz h + bhz)
          n = tanh(Win x + bin + r * (Whn h + bhn))   # reset AFTER W_hn h
          h' = (1 - z) * n + z * h
    """
    gi = w_ih @ x + b_ih
    gh = w_hh @ h + b_hh
    if cell == "rnn":
        a = gi + gh
        return (torch.tanh(a) if nonlin == "tanh" else torch.relu(a)), None
    if cell == "lstm":
        i, f, g, o = (gi + gh).chunk(4)
        i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
        c2 = f * c + i * g
        return o * torch.tanh(c2), c2
    ir, iz, inn = gi.chunk(3)
    hr, hz, hn_ = gh.chunk(3)
    r = torch.sigmoid(ir + hr)
    z = torch.sigmoid(iz + hz)
    n = torch.tanh(inn + r * hn_)
    return (1 - z) * n + z * h, None


def reference_forward(cell, nonlin, layers, ndir, padding, lengths, x, h0, c0, params):
    t_total, batch = x.shape[0], x.shape[1]
    inp = x
    hn = [[None] * batch for _ in range(layers * ndir)]
    cn = [[None] * batch for _ in range(layers * ndir)]
    for l in range(layers):
        outs = []
        for d in range(ndir):
            sfx = "_l%d%s" % (l, "_reverse" if d else "")
            w_ih, w_hh = params["weight_ih" + sfx], params["weight_hh" + sfx]
            b_ih, b_hh = params["bias_ih" + sfx], params["bias_hh" + sfx]
            k = l * ndir + d
            cols = []
            for b in range(batch):
                s, e = valid_range(t_total, lengths[b], padding)
                steps = range(s, e) if d == 0 else range(e - 1, s - 1, -1)
                h = h0[k, b]
                c = c0[k, b] if c0 is not None else None
                col = [torch.zeros(H) for _ in range(t_total)]
                for t in steps:
                    h, c = cell_step(cell, nonlin, inp[t, b], h, c, w_ih, w_hh, b_ih, b_hh)
                    col[t] = h
                hn[k][b] = h
                cn[k][b] = c
                cols.append(torch.stack(col))
            outs.append(torch.stack(cols, dim=1))  # (T,B,H)
        inp = torch.cat(outs, dim=2)
    hn_t = torch.stack([torch.stack(r) for r in hn])
    cn_t = torch.stack([torch.stack(r) for r in cn]) if c0 is not None else None
    return inp, hn_t, cn_t


# ---------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------

def make_case(cell, nonlin, layers, bidir, padding, lengths, t_total, seed):
    ndir = 2 if bidir else 1
    batch = len(lengths)
    torch.manual_seed(seed)
    if cell == "rnn":
        mod = nn.RNN(I, H, num_layers=layers, nonlinearity=nonlin, bidirectional=bidir)
    elif cell == "lstm":
        mod = nn.LSTM(I, H, num_layers=layers, bidirectional=bidir)
    else:
        mod = nn.GRU(I, H, num_layers=layers, bidirectional=bidir)
    mod = mod.double()

    mask = padded_mask(t_total, lengths, padding)
    x = torch.randn(t_total, batch, I)
    x[mask] = 0.0
    x.requires_grad_(True)
    h0 = (torch.randn(layers * ndir, batch, H) * 0.5).requires_grad_(True)
    c0 = (torch.randn(layers * ndir, batch, H) * 0.5).requires_grad_(True) if cell == "lstm" else None
    dy = torch.randn(t_total, batch, ndir * H)
    dhn = torch.randn(layers * ndir, batch, H)
    dcn = torch.randn(layers * ndir, batch, H) if cell == "lstm" else None

    len_t = torch.tensor(lengths, dtype=torch.int64)
    packed = pack_padded_sequence(to_front(x, lengths, padding), len_t, enforce_sorted=False)
    if cell == "lstm":
        out, (hn, cn) = mod(packed, (h0, c0))
    else:
        out, hn = mod(packed, h0)
        cn = None
    yf, out_len = pad_packed_sequence(out, total_length=t_total)
    assert out_len.tolist() == lengths
    y = from_front(yf, lengths, padding)

    loss = (y * dy).sum() + (hn * dhn).sum()
    if cn is not None:
        loss = loss + (cn * dcn).sum()

    pnames = [n for n, _ in mod.named_parameters()]
    assert pnames == list(mod.state_dict().keys())
    params = [p for _, p in mod.named_parameters()]
    leaves = params + [x, h0] + ([c0] if c0 is not None else [])
    grads = torch.autograd.grad(loss, leaves)
    g_params = grads[:len(params)]
    g_x, g_h0 = grads[len(params)], grads[len(params) + 1]
    g_c0 = grads[len(params) + 2] if c0 is not None else None

    # --- sanity checks -----------------------------------------------------
    assert torch.all(y.detach()[mask] == 0.0), "y not zero at padded steps"
    assert torch.all(g_x[mask] == 0.0), "grad.x not exactly zero at padded steps"
    assert torch.all(x.detach()[mask] == 0.0)

    # Independent reference in rnnc layout; must agree with PyTorch.
    rp = {n: p.detach().clone().requires_grad_(True) for n, p in zip(pnames, params)}
    rx = x.detach().clone().requires_grad_(True)
    rh0 = h0.detach().clone().requires_grad_(True)
    rc0 = c0.detach().clone().requires_grad_(True) if c0 is not None else None
    ry, rhn, rcn = reference_forward(cell, nonlin, layers, ndir, padding, lengths,
                                     rx, rh0, rc0, rp)
    rloss = (ry * dy).sum() + (rhn * dhn).sum()
    if rcn is not None:
        rloss = rloss + (rcn * dcn).sum()
    rleaves = [rp[n] for n in pnames] + [rx, rh0] + ([rc0] if rc0 is not None else [])
    rgrads = torch.autograd.grad(rloss, rleaves)

    def close(a, b, what):
        err = (a - b).abs().max().item() if a.numel() else 0.0
        assert err <= 1e-12, "%s: reference mismatch %g" % (what, err)

    close(y.detach(), ry.detach(), "y")
    close(hn.detach(), rhn.detach(), "hn")
    if cn is not None:
        close(cn.detach(), rcn.detach(), "cn")
    for n, g, rg in zip(pnames + ["x", "h0", "c0"], grads, rgrads):
        close(g, rg, "grad." + n)

    # --- assemble tensors in file order -----------------------------------
    tensors = [("lengths", torch.tensor(lengths, dtype=torch.int64)),
               ("x", x.detach()), ("h0", h0.detach())]
    if c0 is not None:
        tensors.append(("c0", c0.detach()))
    for n, p in zip(pnames, params):
        tensors.append((n, p.detach()))
    tensors.append(("dy", dy))
    tensors.append(("dhn", dhn))
    if dcn is not None:
        tensors.append(("dcn", dcn))
    tensors.append(("y", y.detach()))
    tensors.append(("hn", hn.detach()))
    if cn is not None:
        tensors.append(("cn", cn.detach()))
    for n, g in zip(pnames, g_params):
        tensors.append(("grad." + n, g))
    tensors.append(("grad.x", g_x))
    tensors.append(("grad.h0", g_h0))
    if g_c0 is not None:
        tensors.append(("grad.c0", g_c0))

    meta = [("cell", cell), ("nonlinearity", nonlin), ("layers", layers),
            ("bidirectional", 1 if bidir else 0), ("padding", padding),
            ("T", t_total), ("B", batch), ("I", I), ("H", H)]
    return meta, tensors, float(loss.item())


def fmt_value(v, is_int):
    if is_int:
        return "%d" % v
    s = "%.17g" % v
    assert s not in ("nan", "inf", "-inf")
    return s


def write_fixture(path, meta, tensors, loss, seed):
    per_line = 6
    lines = [
        "# rnnc recurrent-layer fixture, generated by tests/gen/gen_rnn_fixtures.py",
        "# do not edit; regenerate with: /usr/bin/python3 tests/gen/gen_rnn_fixtures.py",
        "# reference: torch %s, float64, seed %d" % (torch.__version__.split("+")[0], seed),
        "# layout: x (T,B,I), y (T,B,D*H), h0/hn/c0/cn (L*D,B,H); padded steps are zero",
        "# loss: Lsum = sum(y*dy) + sum(hn*dhn) [+ sum(cn*dcn) for lstm]",
        "# Lsum = %.17g" % loss,
    ]
    for k, v in meta:
        lines.append("meta %s %s" % (k, v))
    for name, t in tensors:
        is_int = t.dtype == torch.int64
        dims = list(t.shape)
        lines.append("tensor %s %d %s" % (name, len(dims), " ".join(str(d) for d in dims)))
        vals = [fmt_value(v, is_int) for v in t.reshape(-1).tolist()]
        for i in range(0, len(vals), per_line):
            lines.append(" ".join(vals[i:i + per_line]))
    data = "\n".join(lines) + "\n"
    tmp = path + ".tmp"
    with open(tmp, "w", newline="\n") as f:
        f.write(data)
    os.replace(tmp, path)


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    cases = []
    for cell in ("rnn", "lstm", "gru"):
        for layers in (1, 2):
            for bidir in (False, True):
                for padding in ("pre", "post"):
                    name = "rnn_%s_l%d_%s_%s.txt" % (cell, layers, "bi" if bidir else "uni", padding)
                    cases.append((name, cell, "tanh", layers, bidir, padding, LENGTHS, T))
    cases.append(("rnn_rnnrelu_l1_bi_post.txt", "rnn", "relu", 1, True, "post", LENGTHS, T))
    cases.append(("rnn_lstm_l1_uni_full.txt", "lstm", "tanh", 1, False, "post", [T], T))

    for idx, (name, cell, nonlin, layers, bidir, padding, lengths, t_total) in enumerate(cases):
        seed = BASE_SEED + idx
        meta, tensors, loss = make_case(cell, nonlin, layers, bidir, padding, lengths, t_total, seed)
        path = os.path.join(OUT_DIR, name)
        write_fixture(path, meta, tensors, loss, seed)
        print("wrote %s (%d tensors)" % (os.path.relpath(path), len(tensors)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
