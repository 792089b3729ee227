"""PyTorch on the five fixed benchmark shapes of bench/README.md: one (shape, mode) per process.

    python torch_shapes.py SHAPE MODE [steps=10] [warmup=2] [threads=2] [config=fast]

SHAPE is S1..S5, MODE train (forward, loss, backward, Adam step) or infer (forward under
torch.inference_mode). config: "fast" = torch.set_flush_denormal(True) with torch using `threads`
threads (the fastest setting measured here, see bench/README.md); "default" = torch as installed
with `threads` threads; "blas" = one torch thread and OPENBLAS_NUM_THREADS=threads (the fastest
setting for Debian's OpenBLAS-based torch 1.13). Prints the same one line as bench/rnnc_shapes.c.
"""
import os
import sys
import time

SHAPES = {  # cell, input, hidden, layers, T, B, vocab (0: float input), head
    "S1": ("lstm", 128, 128, 1, 500, 64, 10000, "bce_last"),
    "S2": ("lstm", 64, 512, 2, 100, 64, 65, "ce_all"),
    "S3": ("gru", 64, 256, 1, 200, 32, 0, "mean"),
    "S4": ("rnn", 64, 256, 1, 200, 32, 0, "mean"),
    "S5": ("lstm", 512, 1024, 1, 100, 64, 0, "mean"),
}


def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main():
    name, mode = sys.argv[1], sys.argv[2]
    steps = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    warm = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    threads = int(sys.argv[5]) if len(sys.argv) > 5 else 2
    config = sys.argv[6] if len(sys.argv) > 6 else "fast"
    if config == "blas":
        os.environ["OPENBLAS_NUM_THREADS"] = str(threads)
    import resource

    import torch

    torch.set_num_threads(1 if config == "blas" else threads)
    if config != "default":
        torch.set_flush_denormal(True)
    cell, I, H, L, T, B, V, head = SHAPES[name]
    train = mode == "train"
    torch.manual_seed(7)
    rss0 = rss_mb()

    rnn_cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[cell]
    layers = []
    emb = torch.nn.Embedding(V, I) if V else None
    rnn = rnn_cls(I, H, num_layers=L)
    dense = None
    if head == "bce_last":
        dense = torch.nn.Linear(H, 1)
    elif head == "ce_all":
        dense = torch.nn.Linear(H, V)
    mods = [m for m in (emb, rnn, dense) if m is not None]
    params = [p for m in mods for p in m.parameters()]
    opt = torch.optim.Adam(params, lr=1e-3) if train else None
    if V:
        inp = torch.randint(0, V, (T, B))
    else:
        inp = torch.rand(T, B, I) * 2 - 1
    tgt = torch.randint(0, V if V else 2, (T, B))
    ybin = torch.randint(0, 2, (B,)).float()
    bce = torch.nn.BCEWithLogitsLoss()
    ce = torch.nn.CrossEntropyLoss()

    def forward():
        x = emb(inp) if emb is not None else inp
        out, _ = rnn(x)
        if head == "bce_last":
            return dense(out[-1]).squeeze(1)
        if head == "ce_all":
            return dense(out)
        return out

    def step():
        if train:
            out = forward()
            if head == "bce_last":
                loss = bce(out, ybin)
            elif head == "ce_all":
                loss = ce(out.reshape(T * B, V), tgt.reshape(T * B))
            else:
                loss = out.mean()
            opt.zero_grad(set_to_none=False)
            loss.backward()
            opt.step()
        else:
            with torch.inference_mode():
                forward()

    # warm-up: at least `warm` steps and 0.5 s; timed: at least `steps` steps and 1 s
    start, it = time.perf_counter(), 0
    while it < warm or time.perf_counter() - start < 0.5:
        step()
        it += 1
    times, start = [], time.perf_counter()
    while len(times) < 10000 and (len(times) < steps or time.perf_counter() - start < 1.0):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    steps = len(times)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - rss0
    t = sorted(times)
    med = t[len(t) // 2]
    G = {"lstm": 4, "gru": 3, "rnn": 1}[cell]
    flops = sum(2.0 * T * B * ((I if l == 0 else H) + H) * G * H for l in range(L))
    if train:
        flops *= 3
    print(
        f"engine=torch-{torch.__version__.split('+')[0]}-{config} shape={name} mode={mode} "
        f"threads={threads} steps={steps} ms_median={1e3 * med:.3f} ms_min={1e3 * t[0]:.3f} "
        f"ms_max={1e3 * t[-1]:.3f} tokens_per_s={T * B / med:.0f} gflops={flops / med / 1e9:.2f} "
        f"peak_mb={peak:.1f}"
    )


if __name__ == "__main__":
    main()
