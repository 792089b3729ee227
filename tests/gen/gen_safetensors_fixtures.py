#!/usr/bin/python3
"""Generate safetensors fixtures for tests/nn/test_modelfile.c.

What it writes (tests/fixtures/, located from this file's path)
----------------------------------------------------------------
  st_lstm_dense.safetensors
      The state_dict of a small PyTorch model, float32, exactly as
      safetensors.torch.save_file(model.state_dict(), path) writes it:

          class Net(nn.Module):
              lstm  = nn.LSTM(I, H, num_layers=2, bidirectional=True)
              dense = nn.Linear(2*H, O)

      Names: lstm.weight_ih_l0, lstm.weight_ih_l0_reverse, ..., dense.weight,
      dense.bias. Metadata {"format": "pt"}.
  st_lstm_dense_f64.safetensors
      The same values stored as float64 (each float32 widened exactly), to
      check rnnc's F64 -> float conversion.
  st_lstm_dense_io.safetensors
      Input and PyTorch's output for the model above:
        x  F32 (T, B, I)   time-major input
        y  F64 (T, B, O)   dense(lstm(x)[0]) computed in float64 from the
                           float32 weights (so it is the exact answer for
                           the stored weights, not float32 torch's rounding)
      Metadata "rnnc.config": the model as an rnnc description (INI).
  st_misc.safetensors
      Tensors of every dtype rnnc reads, a scalar and an empty tensor, with
      known values (see MISC below), to check the reader on a file from an
      independent writer.

The writer follows the reference implementation (huggingface/safetensors,
safetensors/src/tensor.rs, `prepare`): tensors sorted by decreasing dtype
alignment (the Dtype enum order, largest first) and then by name, contiguous
data_offsets, the header as compact JSON ("__metadata__" first) padded with
spaces to a multiple of 8 bytes, data little-endian. The safetensors Python
package is not installed here, so this uses only json, struct and numpy
(torch for the model).

How to run
----------
  /usr/bin/python3 tests/gen/gen_safetensors_fixtures.py

Output is deterministic (fixed seed); running it twice gives identical files.
"""

import json
import os
import struct

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.normpath(os.path.join(HERE, "..", "fixtures"))

T, B, I, H, O = 6, 3, 4, 5, 2
SEED = 20240717

# The reference Dtype enum, in increasing alignment order; the writer sorts by
# this order reversed, then by name.
DTYPE_ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16",
               "BF16", "I32", "U32", "F32", "F64", "I64", "U64"]
NUMPY_DTYPE = {"F32": "<f4", "F64": "<f8", "I32": "<i4", "I64": "<i8",
               "U8": "u1", "F16": "<f2"}


def tensor_bytes(dtype, arr):
    """Little-endian bytes of `arr` stored as `dtype`."""
    if dtype == "BF16":
        # bfloat16: the upper 16 bits of the float32 pattern (values below are
        # exactly representable, so truncation is exact).
        bits = np.ascontiguousarray(arr, dtype="<f4").view("<u4") >> 16
        return bits.astype("<u2").tobytes()
    return np.ascontiguousarray(arr, dtype=NUMPY_DTYPE[dtype]).tobytes()


def write_safetensors(path, tensors, metadata=None):
    """tensors: {name: (dtype, numpy array)}; metadata: {str: str} or None."""
    items = sorted(tensors.items(),
                   key=lambda kv: (-DTYPE_ORDER.index(kv[1][0]), kv[0]))
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    blobs = []
    offset = 0
    for name, (dtype, arr) in items:
        data = tensor_bytes(dtype, arr)
        header[name] = {"dtype": dtype, "shape": list(arr.shape),
                        "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)
    print("wrote", os.path.relpath(path), offset, "data bytes")


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(I, H, num_layers=2, bidirectional=True)
        self.dense = nn.Linear(2 * H, O)

    def forward(self, x):
        return self.dense(self.lstm(x)[0])


RNNC_CONFIG = f"""# the model of st_lstm_dense.safetensors
[model]
input_size = {I}

[lstm]
hidden = {H}
layers = 2
bidirectional = true
return_sequences = true

[dense]
units = {O}
"""

MISC = {
    "a_f32": ("F32", np.array([[1.5, -2.25, 3.0], [0.0, 1e-3, -7.0]], dtype=np.float32)),
    "b_f64": ("F64", np.array([0.1, -1e300, 2.5], dtype=np.float64)),
    "c_i32": ("I32", np.array([[-1, 2147483647], [-2147483648, 7]], dtype=np.int32)),
    "d_i64": ("I64", np.array([-(2 ** 62), 5], dtype=np.int64)),
    "e_u8": ("U8", np.array([0, 1, 255], dtype=np.uint8)),
    "f_f16": ("F16", np.array([1.0, -0.5, 65504.0], dtype=np.float16)),
    "g_bf16": ("BF16", np.array([1.0, -2.0, 0.15625], dtype=np.float32)),
    "h_scalar": ("F32", np.array(42.0, dtype=np.float32)),
    "i_empty": ("F32", np.zeros((0, 3), dtype=np.float32)),
}


def main():
    torch.manual_seed(SEED)
    net = Net()  # float32, PyTorch's default initialisation
    sd = {k: v.detach().numpy() for k, v in net.state_dict().items()}
    write_safetensors(os.path.join(OUT_DIR, "st_lstm_dense.safetensors"),
                      {k: ("F32", v) for k, v in sd.items()}, {"format": "pt"})
    write_safetensors(os.path.join(OUT_DIR, "st_lstm_dense_f64.safetensors"),
                      {k: ("F64", v.astype(np.float64)) for k, v in sd.items()},
                      {"format": "pt"})

    x = torch.randn(T, B, I, dtype=torch.float32)
    with torch.no_grad():
        y = net.double()(x.double())
    write_safetensors(os.path.join(OUT_DIR, "st_lstm_dense_io.safetensors"),
                      {"x": ("F32", x.numpy()), "y": ("F64", y.numpy())},
                      {"rnnc.config": RNNC_CONFIG})

    write_safetensors(os.path.join(OUT_DIR, "st_misc.safetensors"), MISC,
                      {"format": "pt", "note": "caf\u00e9 \u2013 UTF-8"})


if __name__ == "__main__":
    main()
