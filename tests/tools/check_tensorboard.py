#!/usr/bin/env python3
"""rnnc's TensorBoard event files read by TensorBoard's own reader (EventAccumulator).

Trains a small classifier on the bundled IMDB sample for 2 epochs with [train] tensorboard set,
resumes it to 3 epochs (a second event file, starting with a restart), and checks that
TensorBoard reads both files (their CRCs included), that every step/* scalar equals steps.jsonl's
value and every epoch/* scalar metrics.jsonl's (as float32), at the right steps, with nothing
twice. Not part of `make check` (which never needs Python): run it after building, by hand or in
CI, with a Python that has the tensorboard package from PyPI:

    bench/.venv/bin/python tests/tools/check_tensorboard.py [BUILD]     # BUILD: build (default)

Prints one line per check and "N passed, N failed"; exits 1 when a check fails.
"""
import json
import os
import struct
import subprocess
import sys
import tempfile
import time

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.compat.proto import event_pb2, summary_pb2
from tensorboard.summary.writer.record_writer import RecordWriter

build = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("RNNC_BUILD", "build")
rnnc = os.path.join(build, "rnnc")
passed = failed = 0


def check(cond, what):
    global passed, failed
    print(("ok   " if cond else "FAIL ") + what)
    if cond:
        passed += 1
    else:
        failed += 1
    return cond


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


with tempfile.TemporaryDirectory() as tmp:
    ini = os.path.join(tmp, "t.ini")
    run, tb = os.path.join(tmp, "run"), os.path.join(tmp, "tb")
    with open(ini, "w") as f:
        f.write(f"""[data]
train = data/imdb-sample/train.tsv.gz
validation_split = 0.2
num_words = 500
maxlen = 40
[embedding]
vocab = 500
dim = 8
[gru]
hidden = 8
[dense]
units = 1
[train]
epochs = 2
batch_size = 64
output = {run}
tensorboard = {tb}
""")
    base = [rnnc, "train", ini, "--threads", "1", "--quiet"]
    r = subprocess.run(base, capture_output=True, text=True)
    check(r.returncode == 0, f"rnnc train with [train] tensorboard (exit {r.returncode} {r.stderr[-200:]})")
    # the second file must be of another second or get a suffix: either way a file of its own
    r = subprocess.run(base + ["--set", "train.epochs=3", "--resume", os.path.join(run, "checkpoint.safetensors")],
                       capture_output=True, text=True)
    check(r.returncode == 0, f"resumed to 3 epochs (exit {r.returncode} {r.stderr[-200:]})")
    files = sorted(os.listdir(tb))
    check(len(files) == 2 and all(n.startswith("events.out.tfevents.") for n in files),
          f"two event files named events.out.tfevents.*: {files}")

    acc = EventAccumulator(tb, size_guidance={"scalars": 0})  # 0: keep every event
    acc.Reload()
    tags = set(acc.Tags()["scalars"])
    want_tags = {"step/loss", "step/lr", "step/grad_norm", "epoch/loss", "epoch/accuracy",
                 "epoch/val_loss", "epoch/val_accuracy", "epoch/val_precision", "epoch/val_recall",
                 "epoch/val_f1", "epoch/val_auc", "epoch/lr", "epoch/grad_norm_mean",
                 "epoch/grad_norm_max"}
    check(tags == want_tags, f"TensorBoard reads the scalars {sorted(tags)}")

    steps = lines(os.path.join(run, "steps.jsonl"))
    metrics = lines(os.path.join(run, "metrics.jsonl"))
    check(len(metrics) == 3 and steps[-1]["step"] == 150, f"the run: {len(metrics)} epochs, {steps[-1]['step']} steps")
    for tag, key in (("step/loss", "loss"), ("step/lr", "lr"), ("step/grad_norm", "grad_norm")):
        got = [(e.step, e.value) for e in acc.Scalars(tag)]
        want = [(s["step"], f32(s[key])) for s in steps if not s["skipped"]]
        # steps.jsonl keeps 9 digits of the double, the event its float32: equal within a float step
        same = len(got) == len(want) and all(
            g[0] == w[0] and abs(g[1] - w[1]) <= 1.2e-7 * abs(w[1]) for g, w in zip(got, want))
        check(same, f"{tag}: {len(got)} values at steps {got[0][0]}..{got[-1][0]} equal steps.jsonl's {key}")
    for tag in sorted(t for t in want_tags if t.startswith("epoch/")):
        key = tag[len("epoch/"):]
        got = [(e.step, e.value) for e in acc.Scalars(tag)]
        want = [(m["epoch"], f32(m[key])) for m in metrics if m[key] is not None]
        same = len(got) == len(want) == 3 and all(
            g[0] == w[0] and abs(g[1] - w[1]) <= 1.2e-7 * abs(w[1]) for g, w in zip(got, want))
        check(same, f"{tag}: {[round(v, 4) for _, v in got]} at epochs "
              f"{[s for s, _ in got]} equal metrics.jsonl's {key}")
    wall = [e.wall_time for e in acc.Scalars("step/loss")]
    check(all(b >= a for a, b in zip(wall, wall[1:])) and abs(wall[-1] - time.time()) < 600,
          "wall times are in order and recent")

    # A run killed after its checkpoint left steps that the resumed run repeats: the restart
    # event at the resumed step makes TensorBoard drop the old ones.
    tb2 = os.path.join(tmp, "tb2")
    ini2 = os.path.join(tmp, "t2.ini")
    with open(ini) as f:
        text = f.read().replace(tb, tb2).replace(f"output = {run}", f"output = {run}2")
    with open(ini2, "w") as f:
        f.write(text)
    r = subprocess.run([rnnc, "train", ini2, "--threads", "1", "--quiet", "--set", "train.epochs=1"],
                       capture_output=True, text=True)
    first = os.path.join(tb2, os.listdir(tb2)[0])
    # what the killed run would have written after its checkpoint: steps 51..55 of epoch 2
    with open(first, "ab") as f:
        w = RecordWriter(f)
        for s in range(51, 56):
            ev = event_pb2.Event(wall_time=1.0, step=s, summary=summary_pb2.Summary(
                value=[summary_pb2.Summary.Value(tag="step/loss", simple_value=99.0)]))
            w.write(ev.SerializeToString())
    r = subprocess.run([rnnc, "train", ini2, "--threads", "1", "--quiet", "--set", "train.epochs=2",
                        "--resume", os.path.join(run + "2", "checkpoint.safetensors")],
                       capture_output=True, text=True)
    acc = EventAccumulator(tb2, size_guidance={"scalars": 0})
    acc.Reload()
    got = [e.step for e in acc.Scalars("step/loss")]
    check(r.returncode == 0 and got == list(range(1, 101)) and
          99.0 not in [e.value for e in acc.Scalars("step/loss")],
          f"after a resume the orphaned steps 51..55 are dropped: steps {got[0]}..{got[-1]}, {len(got)} values, none twice")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
