"""Training throughput of recipe (a)'s model in PyTorch (CPU): Embedding(10000,128) -> LSTM(128)
-> Linear(1), BCEWithLogitsLoss, Adam, batch 64 of 500 random ids. Prints the median seconds per
batch. usage: imdb_torch.py [threads] [batches] [warmup] [ftz]
With "ftz", torch.set_flush_denormal(True): gradients fading through 500 steps reach the subnormal
range, which slows x86 arithmetic; rnnc flushes them, PyTorch does not unless asked."""
import statistics, sys, time
import torch

threads, reps, warm = (int(a) for a in (sys.argv[1:4] + ["2", "20", "3"][len(sys.argv[1:4]):])[:3])
ftz = len(sys.argv) > 4 and sys.argv[4] == "ftz"
torch.set_num_threads(threads)
if ftz:
    torch.set_flush_denormal(True)
torch.manual_seed(1)
T, B, V, E, H = 500, 64, 10000, 128, 128


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = torch.nn.Embedding(V, E)
        self.lstm = torch.nn.LSTM(E, H, batch_first=True)
        self.out = torch.nn.Linear(H, 1)

    def forward(self, x):
        _, (h, _) = self.lstm(self.emb(x))
        return self.out(h[-1]).squeeze(1)


net = Net()
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
loss_fn = torch.nn.BCEWithLogitsLoss()
times = []
for it in range(warm + reps):
    x = torch.randint(0, V, (B, T))
    y = torch.randint(0, 2, (B,)).float()
    t0 = time.perf_counter()
    opt.zero_grad()
    loss = loss_fn(net(x), y)
    loss.backward()
    opt.step()
    if it >= warm:
        times.append(time.perf_counter() - t0)
print(f"pytorch{'+ftz' if ftz else ''} {torch.__version__} threads={threads} median_s_per_batch={statistics.median(times):.5f}")
