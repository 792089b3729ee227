#!/usr/bin/env python3
"""Writes data/imdb-sample/{train,test}.tsv.gz: a small, balanced, deterministic sample of the
aclImdb reviews in ../shared/data/imdb (the IMDB TSV form: label TAB rating TAB id TAB text).

Usage: scripts/make-imdb-sample.py [SOURCE_DIR [OUT_DIR]]
       (defaults: /work/shared/data/imdb and data/imdb-sample)

Selection: within each split and label, the reviews are ranked by sha256("<split>/<label>/<id>")
and the first N/2 are kept (4,000 train and 1,000 test reviews in all, half of each label). The
rows are written interleaved, neg then pos, in that rank order, as the source interleaves them.
Standard library only; gzip level 9 with no name and no timestamp (as gzip -9n), so the output is
byte-for-byte the same on every run.
"""
import gzip
import hashlib
import os
import sys

COUNTS = {"train": 4000, "test": 1000}


def read_rows(path):
    rows = {"0": [], "1": []}
    with gzip.open(path, "rb") as f:
        for line in f:
            line = line.rstrip(b"\n")
            label, rating, rid, _text = line.split(b"\t", 3)
            rows[label.decode()].append((rid.decode(), line))
    return rows


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/imdb"
    out = sys.argv[2] if len(sys.argv) > 2 else "data/imdb-sample"
    os.makedirs(out, exist_ok=True)
    for split, total in COUNTS.items():
        rows = read_rows(os.path.join(src, split + ".tsv.gz"))
        picked = {}
        for label, items in rows.items():
            key = lambda it: hashlib.sha256(f"{split}/{label}/{it[0]}".encode()).hexdigest()
            picked[label] = sorted(items, key=key)[: total // 2]
        lines = []
        for i in range(total // 2):
            lines.append(picked["0"][i][1])
            lines.append(picked["1"][i][1])
        data = b"".join(line + b"\n" for line in lines)
        path = os.path.join(out, split + ".tsv.gz")
        with open(path, "wb") as f:
            f.write(gzip.compress(data, compresslevel=9, mtime=0))
        print(f"{path}: {len(lines)} reviews, {len(data)} bytes, {os.path.getsize(path)} compressed")


if __name__ == "__main__":
    main()
