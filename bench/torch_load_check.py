"""Loads a recipe (a) model file written by rnnc (runs/imdb-a/model.safetensors) into the same
network built from PyTorch modules, with the official safetensors library and strict
load_state_dict: names, shapes and layouts must all match. Prints the tensors and metadata keys.
usage: bench/.venv/bin/python bench/torch_load_check.py [MODEL]"""
import sys

import torch
from safetensors import safe_open
from safetensors.torch import load_file

path = sys.argv[1] if len(sys.argv) > 1 else "runs/imdb-a/model.safetensors"


class Net(torch.nn.Module):  # Embedding(10000,128) -> LSTM(128) -> Dense(1), rnnc's layer names
    def __init__(self):
        super().__init__()
        self.embedding = torch.nn.Embedding(10000, 128)
        self.lstm = torch.nn.LSTM(128, 128)
        self.dense = torch.nn.Linear(128, 1)


sd = load_file(path)
print({k: tuple(v.shape) for k, v in sd.items()})
with safe_open(path, "pt") as f:
    print("metadata:", sorted(f.metadata().keys()))
print(Net().load_state_dict(sd, strict=True))
