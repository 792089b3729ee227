#!/usr/bin/python3
"""Generate PyTorch reference fixtures for rnnc's language-model training (rnnc_lm_fit).

How to run
----------
With Debian's python (torch 1.13 and numpy are installed there):

  /usr/bin/python3 tests/gen/gen_lm_fixtures.py

It writes tests/fixtures/lm_*.txt (located from this file's path) in the format tests/fixture.h
reads. Output is deterministic (fixed seeds, float64); running it twice gives identical files.
tests/tasks/test_lm_torch.c reads them; the test suite never runs Python.

The model, as PyTorch's word_language_model writes a tied LSTM language model
-----------------------------------------------------------------------------
  encoder = nn.Embedding(V, E)  ->  rnn = nn.LSTM(E, H, num_layers=2)  ->  decoder = nn.Linear(H, V)
  decoder.weight = encoder.weight   (tied; E = H)

Every parameter starts U(-0.1, 0.1) from torch.manual_seed(SEED) (Zaremba et al. 2014's init),
drawn in model.parameters() order (the tied weight once) and rounded to float32, so that rnnc,
which computes in float32, starts from exactly the same values. The reference itself runs in
float64. Parameters are written under rnnc's names: encoder.weight -> embedding.weight,
rnn.<name> -> lstm.<name>, decoder.bias -> dense.bias (rnnc's tied dense layer owns no weight).

The text and its ids (rnnc's character-level rule)
--------------------------------------------------
Every character of the text is a token (line ends included). Ids 0, 1, 2 are reserved (<pad>,
<unk>, <start>); the characters follow by decreasing frequency in the text, ties broken by first
appearance, so V = 3 + distinct characters. The texts have ties on purpose (in
lm_step_sum_clip.txt 's', 'o' and 'n' occur twice each, first appearing in that order, the reverse
of their byte order), so the ids pin the tie rule.

Training: one epoch of truncated BPTT as rnnc_lm_fit runs it
------------------------------------------------------------
The stream of n ids is cut into B rows: row b holds positions [b*(n//B), (b+1)*(n//B)), the last
row up to n. Each row predicts its own next tokens only (input ids[p..p+k), targets
ids[p+1..p+k+1) inside the row), in windows of up to bptt predictions, all rows' window w
together as step w. The LSTM state starts at zero, is carried from each window to the next and
detached there (the gradient stops at the window's start). When every row's window has the same
length the window is one (T, B) batch, as word_language_model's get_batch reads it; otherwise
(the last row being longer) each row runs alone through the same modules, which for independent
rows is the same computation as a padded batch.

The loss of a window is the softmax cross-entropy summed over its scored tokens and then divided
by B ("step_sum": the sum over the unrolled steps averaged over the batch, Zaremba et al.'s
ptb_word_lm convention) or by the number of scored tokens ("token_mean", word_language_model's
nn.CrossEntropyLoss). Then backward, optionally torch.nn.utils.clip_grad_norm_(params, clip), and
plain SGD p -= lr * grad.

Fixtures
--------
  lm_step_sum_clip.txt   loss step_sum, clip_norm CLIP (active in some steps, not in all),
                         n a multiple of B (every window full; the last one shorter than bptt)
  lm_token_mean.txt      loss token_mean, no clipping, n odd: the last row is one token longer,
                         so the last window is padded (row 0 has fewer steps than row 1)

meta: loss (step_sum | token_mean), B, bptt, E, H, layers, V, n, windows
tensors:
  text (n)                the text's bytes (ASCII)
  ids (n)                 the stream rnnc_lm_encode must give
  lr, clip_norm           scalars (clip_norm 0: off)
  init.<rnnc name>        every parameter before training
  window_loss (windows)   each window's mean loss per scored token (before its update)
  window_tokens (windows) each window's scored tokens
  grad_norm (windows)     each window's global gradient L2 norm before clipping
  final.<rnnc name>       every parameter after the epoch
  eval_loss               the final model's mean loss per token over the whole stream read as one
                          stream (B = 1, zero start state, every token after the first scored)
"""

import os
import sys
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.normpath(os.path.join(HERE, "..", "fixtures"))

SEED = 20240704
E = H = 8
LAYERS = 2
B = 2
BPTT = 4
LR = 0.5
CLIP = 1.5
RESERVED = 3  # <pad>, <unk>, <start>

# 48 characters: 24 per row, 23 predictions per row = windows of 4, 4, 4, 4, 4, 3.
TEXT_STEP_SUM = "the cat sat on the mat, the rat sat on the hat.\n"
# 49 characters: rows [0, 24) and [24, 49); row 0 has 23 predictions, row 1 24, so the sixth
# window has 3 steps in row 0 and 4 in row 1.
TEXT_TOKEN_MEAN = "a cat and a rat sat on a mat; the cat ate the rat"


def char_vocab(text):
    """rnnc's rule: reserved ids first, then characters by decreasing count, ties by first
    appearance."""
    count, first = {}, {}
    for i, ch in enumerate(text):
        count[ch] = count.get(ch, 0) + 1
        first.setdefault(ch, i)
    order = sorted(count, key=lambda ch: (-count[ch], first[ch]))
    return {ch: RESERVED + i for i, ch in enumerate(order)}, count


class CharLM(nn.Module):
    def __init__(self, V):
        super().__init__()
        self.encoder = nn.Embedding(V, E)
        self.rnn = nn.LSTM(E, H, num_layers=LAYERS)
        self.decoder = nn.Linear(H, V)
        self.decoder.weight = self.encoder.weight  # tied (Press & Wolf 2017)

    def forward(self, x, hidden):  # x (T,B) ids
        y, hidden = self.rnn(self.encoder(x), hidden)
        return self.decoder(y), hidden  # (T,B,V)


def rnnc_name(torch_name):
    if torch_name == "encoder.weight":
        return "embedding.weight"
    if torch_name.startswith("rnn."):
        return "lstm." + torch_name[4:]
    if torch_name == "decoder.bias":
        return "dense.bias"
    raise ValueError(torch_name)


def make_model(V):
    torch.manual_seed(SEED)
    model = CharLM(V)
    names = [n for n, _ in model.named_parameters()]
    assert names == ["encoder.weight"] + ["rnn.%s_l%d" % (k, l) for l in range(LAYERS)
                                          for k in ("weight_ih", "weight_hh", "bias_ih",
                                                    "bias_hh")] + ["decoder.bias"], names
    with torch.no_grad():
        for p in model.parameters():
            p.uniform_(-0.1, 0.1)
            p.copy_(p.float().double())  # the values rnnc holds in float32
    assert model.decoder.weight is model.encoder.weight
    return model


def params_of(model):
    return OrderedDict((rnnc_name(n), p.detach().clone()) for n, p in model.named_parameters())


def schedule(n, rows, bptt):
    """rnnc's windows: for each window w and row b, (start position, predictions) or None."""
    bl = n // rows
    per_row = []
    for b in range(rows):
        lo, hi = b * bl, (n if b + 1 == rows else (b + 1) * bl)
        wins, p = [], lo
        while p + 1 < hi:
            k = min(bptt, hi - 1 - p)
            wins.append((p, k))
            p += k
        per_row.append(wins)
    nw = max(len(w) for w in per_row)
    return [[per_row[b][w] if w < len(per_row[b]) else None for b in range(rows)]
            for w in range(nw)]


def zero_state(rows):
    return (torch.zeros(LAYERS, rows, H), torch.zeros(LAYERS, rows, H))


def window_loss_sum(model, ids, win, state):
    """Summed cross-entropy of one window and the new (detached) state. Rows of equal length run
    as one (T, B) batch; otherwise each row runs alone with its own slice of the state."""
    h, c = state
    ks = [w[1] if w else 0 for w in win]
    assert all(k > 0 for k in ks), "a row without a window (idle row) is not handled here"
    if len(set(ks)) == 1:
        k = ks[0]
        x = torch.stack([ids[p:p + k] for p, _ in win], dim=1)  # (T,B)
        y = torch.stack([ids[p + 1:p + k + 1] for p, _ in win], dim=1)
        logits, (h2, c2) = model(x, (h, c))
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1),
                               reduction="sum")
        return loss, k * len(win), (h2.detach(), c2.detach())
    total, hs, cs = 0.0, [], []
    for b, (p, k) in enumerate(win):
        x = ids[p:p + k].unsqueeze(1)  # (T,1)
        y = ids[p + 1:p + k + 1]
        logits, (hb, cb) = model(x, (h[:, b:b + 1], c[:, b:b + 1]))
        total = total + F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y, reduction="sum")
        hs.append(hb.detach())
        cs.append(cb.detach())
    return total, sum(ks), (torch.cat(hs, dim=1), torch.cat(cs, dim=1))


def train_epoch(model, ids, loss_mode, clip):
    wins = schedule(len(ids), B, BPTT)
    state = zero_state(B)
    losses, tokens, norms = [], [], []
    for win in wins:
        model.zero_grad()
        total, counted, state = window_loss_sum(model, ids, win, state)
        loss = total / B if loss_mode == "step_sum" else total / counted
        loss.backward()
        # the norm before clipping; clip_grad_norm_ with an infinite bound only measures
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), float("inf")).item()
        if clip > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        with torch.no_grad():
            for p in model.parameters():
                p.add_(p.grad, alpha=-LR)
        losses.append(total.item() / counted)
        tokens.append(counted)
        norms.append(norm)
    return wins, losses, tokens, norms


def evaluate(model, ids):
    with torch.no_grad():
        logits, _ = model(ids[:-1].unsqueeze(1), zero_state(1))
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), ids[1:]).item()


def check_batched_equals_rows(V, ids):
    """The (T, B) batch and the per-row runs are the same computation (float64, one window)."""
    model = make_model(V)
    win = schedule(len(ids), B, BPTT)[0]
    a, _, (ha, ca) = window_loss_sum(model, ids, win, zero_state(B))
    parts = [window_loss_sum(model, ids, [w], zero_state(1)) for w in win]
    b = sum(p[0] for p in parts)
    assert abs(a.item() - b.item()) <= 1e-12 * abs(a.item())
    assert torch.allclose(ha, torch.cat([p[2][0] for p in parts], dim=1), rtol=0, atol=1e-14)
    assert torch.allclose(ca, torch.cat([p[2][1] for p in parts], dim=1), rtol=0, atol=1e-14)


def fmt(v, is_int):
    if is_int:
        return "%d" % v
    s = "%.17g" % v
    assert s not in ("nan", "inf", "-inf")
    return s


def write_fixture(path, comments, meta, tensors):
    lines = ["# rnnc language-model training fixture, generated by tests/gen/gen_lm_fixtures.py",
             "# do not edit; regenerate with: /usr/bin/python3 tests/gen/gen_lm_fixtures.py",
             "# reference: torch %s, float64, seed %d" % (torch.__version__.split("+")[0], SEED)]
    lines += ["# " + c for c in comments]
    for k, v in meta:
        lines.append("meta %s %s" % (k, v))
    for name, t in tensors:
        t = torch.as_tensor(t)
        is_int = t.dtype in (torch.int64, torch.int32)
        dims = list(t.shape)
        lines.append("tensor %s %d%s" % (name, len(dims), "".join(" %d" % d for d in dims)))
        vals = [fmt(v, is_int) for v in t.reshape(-1).tolist()]
        for i in range(0, len(vals), 6):
            lines.append(" ".join(vals[i:i + 6]))
    tmp = path + ".tmp"
    with open(tmp, "w", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, path)


def make_fixture(name, text, loss_mode, clip):
    assert all(32 <= ord(ch) < 127 or ch == "\n" for ch in text), "ASCII only"
    vocab, count = char_vocab(text)
    assert any(list(count.values()).count(k) > 1 for k in count.values()), "no tie to pin"
    V = RESERVED + len(vocab)
    ids = torch.tensor([vocab[ch] for ch in text], dtype=torch.int64)
    n = len(ids)
    check_batched_equals_rows(V, ids)
    model = make_model(V)
    init = params_of(model)
    wins, losses, tokens, norms = train_epoch(model, ids, loss_mode, clip)
    assert len(wins) >= 2 * 2 and all(len(set(w[1] for w in win)) == 1 for win in wins[:-1])
    padded = len(set(w[1] for w in wins[-1])) > 1
    if loss_mode == "token_mean":
        assert padded, "the token_mean fixture is meant to end with a padded window"
    else:
        assert not padded and n % B == 0
    if clip > 0:
        clipped = sum(nm > clip for nm in norms)
        assert 0 < clipped < len(norms), "clip %g should be active in some steps only: %s" % (
            clip, norms)
    final = params_of(model)
    eval_loss = evaluate(model, ids)
    moved = max((final[k] - init[k]).abs().max().item() for k in init)
    assert moved > 1e-2, moved
    comments = ["text: %r" % text,
                "loss %s, B %d, bptt %d, SGD lr %g, clip_norm %g, one epoch of %d windows"
                % (loss_mode, B, BPTT, LR, clip, len(wins)),
                "window lengths (row 0, row 1): %s" % " ".join("%d,%d" % tuple(w[1] for w in win)
                                                               for win in wins),
                "grad norms before clipping: %s" % " ".join("%.4f" % x for x in norms),
                "eval loss of the final model (B = 1, %d tokens scored): %.9f" % (n - 1, eval_loss)]
    meta = [("loss", loss_mode), ("B", B), ("bptt", BPTT), ("E", E), ("H", H),
            ("layers", LAYERS), ("V", V), ("n", n), ("windows", len(wins))]
    tensors = [("text", torch.tensor([ord(ch) for ch in text], dtype=torch.int64)),
               ("ids", ids), ("lr", torch.tensor(LR)), ("clip_norm", torch.tensor(float(clip)))]
    tensors += [("init." + k, v) for k, v in init.items()]
    tensors += [("window_loss", torch.tensor(losses)),
                ("window_tokens", torch.tensor(tokens, dtype=torch.int64)),
                ("grad_norm", torch.tensor(norms))]
    tensors += [("final." + k, v) for k, v in final.items()]
    tensors.append(("eval_loss", torch.tensor(eval_loss)))
    path = os.path.join(OUT_DIR, name)
    write_fixture(path, comments, meta, tensors)
    print("wrote %s: V %d, n %d, %d windows, grad norms %s, eval loss %.6f"
          % (os.path.relpath(path), V, n, len(wins), " ".join("%.3f" % x for x in norms),
             eval_loss))


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    make_fixture("lm_step_sum_clip.txt", TEXT_STEP_SUM, "step_sum", CLIP)
    make_fixture("lm_token_mean.txt", TEXT_TOKEN_MEAN, "token_mean", 0.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
