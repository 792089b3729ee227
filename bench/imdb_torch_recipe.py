"""Recipe (a) trained end to end in PyTorch (CPU), for the accuracy comparison with rnnc's
examples/imdb/recipe-a.ini and bench/imdb_keras_recipe.py: the same data, tokenizer, ids and
padding as imdb_keras_recipe.py; Embedding(10000,128) -> LSTM(128) -> Linear(1), BCEWithLogits,
Adam(1e-3), batch 64, 10 epochs, the last 20% of the training reviews for validation, the best
epoch by validation accuracy kept. torch.set_flush_denormal(True) (see bench/imdb_torch.py).
usage: imdb_torch_recipe.py [threads] [epochs]"""
import os, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
import numpy as np
import torch
from imdb_text import load

torch.set_num_threads(threads)
torch.set_flush_denormal(True)
torch.manual_seed(1)
(Xtr, ytr), (Xte, yte) = load()
split = int(len(Xtr) * 0.8)
Xva, yva, Xtr, ytr = Xtr[split:], ytr[split:], Xtr[:split], ytr[:split]


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = torch.nn.Embedding(10000, 128)
        self.lstm = torch.nn.LSTM(128, 128, batch_first=True)
        self.out = torch.nn.Linear(128, 1)

    def forward(self, x):
        _, (h, _) = self.lstm(self.emb(x))
        return self.out(h[-1]).squeeze(1)


def accuracy(net, X, y):
    net.eval()
    right = 0
    with torch.no_grad():
        for i in range(0, len(X), 256):
            right += ((net(torch.from_numpy(X[i:i + 256])) > 0).numpy() == (y[i:i + 256] > 0.5)).sum()
    net.train()
    return right / len(X)


net = Net()
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
loss_fn = torch.nn.BCEWithLogitsLoss()
rng = np.random.default_rng(1)
best, best_state = -1.0, None
for epoch in range(epochs):
    t0 = time.perf_counter()
    order = rng.permutation(len(Xtr))
    for i in range(0, len(order), 64):
        idx = order[i:i + 64]
        opt.zero_grad()
        loss = loss_fn(net(torch.from_numpy(Xtr[idx])), torch.from_numpy(ytr[idx]))
        loss.backward()
        opt.step()
    va = accuracy(net, Xva, yva)
    print(f"epoch {epoch + 1}: {time.perf_counter() - t0:.1f} s  val_accuracy {va:.4f}", flush=True)
    if va > best:
        best, best_state = va, {k: v.clone() for k, v in net.state_dict().items()}
net.load_state_dict(best_state)
print(f"pytorch {torch.__version__} test_accuracy {accuracy(net, Xte, yte):.4f}")
