#!/usr/bin/python3
"""Generate PyTorch reference fixtures for rnnc's encoder-decoder with attention: a model of an
embedding, a recurrent layer and a decoder layer (src/nn/decoder.c).

What it writes
--------------
Plain-text fixtures under tests/fixtures/ (located from this file's path), read by
tests/nn/test_seq2seq_torch.c:

  s2s_general.txt   bidirectional LSTM encoder -> 2-layer LSTM decoder, general attention,
                    input feeding, bridge linear
  s2s_dot.txt       2-layer GRU encoder -> 2-layer GRU decoder, dot attention, bridge copy,
                    tied embeddings, no input feeding
  s2s_additive.txt  LSTM encoder -> LSTM decoder, additive attention, input feeding, bridge copy

The module below is the structure rnnc computes (decoder.h), with PyTorch's own layers: the
encoder is nn.Embedding + nn.LSTM/nn.GRU (the model's first two layers) over packed sequences (pack_padded_sequence, so each
sequence's final state is the one after its last token and padded outputs are 0); the decoder
steps nn.LSTM/nn.GRU one token at a time. A batch of 3 sources post-padded to 5 steps (lengths
5, 3, 1), 4 decoder steps, and the loss L = sum(R * logits).

How to run
----------
With the benchmark environment's python (bench/setup-venv.sh installs torch):

  bench/.venv/bin/python tests/gen/gen_seq2seq_fixtures.py

Output is deterministic (fixed seeds); running it twice gives identical files.

Values
------
Parameters and R are drawn as float32 values and written exactly; the module runs in float64.

File format (tests/fixture.h)
-----------------------------
  meta: the configuration (enc_cell, enc_bi, enc_layers, enc_hidden, enc_dim, cell, layers, H, E,
  attention, A, input_feed, bridge, tie, S, T, B, VS, VT) and params (the module's count)
  tensors: src (S,B), lengths (B), tgt_in (T,B), R (T,B,VT), every parameter by its name
  (embedding.*, lstm.* or gru.*, decoder.*), logits (T,B,VT), weights (T,B,S), grad_<name> for each
  parameter.
"""

import os

import numpy as np
import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
BASE_SEED = 20261206
S, T, B, VS, VT = 5, 4, 3, 7, 9
LENGTHS = [5, 3, 1]


class Attention(nn.Module):
    def __init__(self, kind, Hk, H, A):
        super().__init__()
        self.kind = kind
        if kind == "general":
            self.Wa = nn.Linear(Hk, H, bias=False)
        if kind == "additive":
            self.Wa, self.Ua, self.Va = nn.Linear(H, A), nn.Linear(Hk, A), nn.Linear(A, 1)

    def forward(self, q, keys, mask):  # q (B,H), keys (S,B,Hk), mask (S,B)
        if self.kind == "dot":
            e = torch.einsum("sbh,bh->bs", keys, q)
        elif self.kind == "general":
            e = torch.einsum("sbh,bh->bs", self.Wa(keys), q)
        else:
            e = self.Va(torch.tanh(self.Wa(q)[None] + self.Ua(keys)))[..., 0].T
        a = torch.softmax(e.masked_fill(~mask.T, float("-inf")), dim=1)
        return a, torch.einsum("bs,sbh->bh", a, keys)


class Seq2Seq(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        rnn = {"lstm": nn.LSTM, "gru": nn.GRU}
        self.embedding = nn.Embedding(VS, c["enc_dim"])
        setattr(self, c["enc_cell"],
                rnn[c["enc_cell"]](c["enc_dim"], c["enc_hidden"], c["enc_layers"],
                                   bidirectional=bool(c["enc_bi"])))
        D = 2 if c["enc_bi"] else 1
        self.Hk = D * c["enc_hidden"]
        self.nin = c["enc_layers"] * D * c["enc_hidden"]
        H, L = c["H"], c["layers"]
        self.decoder = nn.Module()
        self.decoder.embedding = nn.Embedding(VT, c["E"])
        I0 = c["E"] + (H if c["input_feed"] else 0)
        self.decoder.rnn = rnn[c["cell"]](I0, H, L)
        self.decoder.attention = Attention(c["attention"], self.Hk, H, c["A"])
        self.decoder.concat = nn.Linear(self.Hk + H, H)
        if not c["tie"]:
            self.decoder.out = nn.Linear(H, VT)
        else:
            self.decoder.out_bias = nn.Parameter(torch.zeros(VT))
        if c["bridge"] == "linear":
            self.decoder.bridge = nn.Module()
            self.decoder.bridge.h = nn.Linear(self.nin, L * H)
            if c["cell"] == "lstm":
                self.decoder.bridge.c = nn.Linear(self.nin, L * H)

    def forward(self, src, lengths, tgt_in):
        c, H, L = self.c, self.c["H"], self.c["layers"]
        D = 2 if c["enc_bi"] else 1
        emb = self.embedding(src)
        packed = pack_padded_sequence(emb, torch.tensor(lengths), enforce_sorted=False)
        out, state = getattr(self, c["enc_cell"])(packed)
        keys, _ = pad_packed_sequence(out, total_length=S)  # (S,B,Hk), 0 at padded steps
        hn, cn = state if c["enc_cell"] == "lstm" else (state, None)
        mask = torch.tensor(np.arange(S)[:, None] < np.array(lengths)[None, :])
        if c["bridge"] == "copy":
            Le, He = c["enc_layers"], c["enc_hidden"]
            h0 = hn.view(Le, D, B, He).permute(0, 2, 1, 3).reshape(Le, B, D * He)
            c0 = (cn.view(Le, D, B, He).permute(0, 2, 1, 3).reshape(Le, B, D * He)
                  if cn is not None else torch.zeros_like(h0))
        elif c["bridge"] == "linear":
            sin_h = hn.permute(1, 0, 2).reshape(B, -1)
            h0 = torch.tanh(self.decoder.bridge.h(sin_h)).view(B, L, H).permute(1, 0, 2)
            c0 = None
            if c["cell"] == "lstm":
                sin_c = cn.permute(1, 0, 2).reshape(B, -1) if cn is not None else sin_h
                c0 = self.decoder.bridge.c(sin_c).view(B, L, H).permute(1, 0, 2)
        else:
            h0 = torch.zeros(L, B, H, dtype=torch.float64)
            c0 = torch.zeros(L, B, H, dtype=torch.float64)
        state = (h0.contiguous(), c0.contiguous()) if c["cell"] == "lstm" else h0.contiguous()
        feed = torch.zeros(B, H, dtype=torch.float64)
        logits, weights = [], []
        for t in range(tgt_in.shape[0]):
            x = self.decoder.embedding(tgt_in[t])
            if c["input_feed"]:
                x = torch.cat([x, feed], dim=1)
            out, state = self.decoder.rnn(x[None], state)
            q = out[0]
            a, ctx = self.decoder.attention(q, keys, mask)
            ht = torch.tanh(self.decoder.concat(torch.cat([ctx, q], dim=1)))
            if c["tie"]:
                logits.append(ht @ self.decoder.embedding.weight.T + self.decoder.out_bias)
            else:
                logits.append(self.decoder.out(ht))
            weights.append(a)
            feed = ht
        return torch.stack(logits), torch.stack(weights)


def rnnc_name(name):
    """The parameter's name in rnnc (the tied output bias is decoder.out.bias)."""
    return "decoder.out.bias" if name == "decoder.out_bias" else name


def case(c, seed):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    m = Seq2Seq(c).double()
    with torch.no_grad():
        for p in m.parameters():  # float32 values, written exactly
            p.copy_(torch.tensor(rng.normal(0, 0.5, tuple(p.shape)).astype(np.float32)))
    src = rng.integers(0, VS, (S, B))
    tgt = rng.integers(0, VT, (T, B))
    R = rng.normal(0, 1, (T, B, VT)).astype(np.float32).astype(np.float64)
    logits, weights = m(torch.tensor(src), LENGTHS, torch.tensor(tgt))
    (logits * torch.tensor(R)).sum().backward()
    named = list(m.named_parameters())
    meta = [(k, v) for k, v in c.items()] + [("S", S), ("T", T), ("B", B), ("VS", VS),
                                             ("VT", VT), ("params", len(named))]
    tensors = [("src", src), ("lengths", np.array(LENGTHS)), ("tgt_in", tgt), ("R", R)]
    tensors += [(rnnc_name(n), p.detach().numpy()) for n, p in named]
    tensors += [("logits", logits.detach().numpy()), ("weights", weights.detach().numpy())]
    tensors += [("grad_" + rnnc_name(n), p.grad.numpy()) for n, p in named]
    return meta, tensors


def write_fixture(path, meta, tensors, seed):
    lines = [
        "# rnnc sequence-to-sequence fixture, generated by tests/gen/gen_seq2seq_fixtures.py",
        "# do not edit; regenerate with: bench/.venv/bin/python tests/gen/gen_seq2seq_fixtures.py",
        "# reference: torch %s, float64 from float32 parameters, seed %d"
        % (torch.__version__.split("+")[0], seed),
    ]
    for k, v in meta:
        lines.append("meta %s %s" % (k, v))
    for name, a in tensors:
        a = np.asarray(a, dtype=np.float64)
        lines.append("tensor %s %d %s" % (name, a.ndim, " ".join(str(d) for d in a.shape)))
        flat = [repr(float(x)) for x in a.reshape(-1)]
        for i in range(0, len(flat), 6):
            lines.append(" ".join(flat[i:i + 6]))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


CASES = {
    "general": dict(enc_cell="lstm", enc_bi=1, enc_layers=1, enc_hidden=3, enc_dim=3, cell="lstm",
                    layers=2, H=4, E=3, attention="general", A=5, input_feed=1, bridge="linear",
                    tie=0),
    "dot": dict(enc_cell="gru", enc_bi=0, enc_layers=2, enc_hidden=4, enc_dim=3, cell="gru",
                layers=2, H=4, E=4, attention="dot", A=5, input_feed=0, bridge="copy", tie=1),
    "additive": dict(enc_cell="lstm", enc_bi=0, enc_layers=1, enc_hidden=4, enc_dim=2, cell="lstm",
                     layers=1, H=4, E=3, attention="additive", A=5, input_feed=1, bridge="copy",
                     tie=0),
}


def main():
    for i, (name, c) in enumerate(CASES.items()):
        seed = BASE_SEED + i
        meta, tensors = case(c, seed)
        write_fixture(os.path.join(OUT_DIR, "s2s_%s.txt" % name), meta, tensors, seed)


if __name__ == "__main__":
    main()
