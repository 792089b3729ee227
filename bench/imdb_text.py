"""The IMDB text preparation shared by the Keras and PyTorch recipe scripts, made like rnnc's
(see docs/data.md): lower-case, <br /> and other tags removed, words (apostrophes inside kept)
and single punctuation marks as tokens; the 9,997 most frequent words of the first 80% of the
training reviews (the part not used for validation) with Keras's imdb.load_data ids (0 pad,
1 start, 2 OOV, words from 3); pad_sequences(maxlen=500): pre padding, pre truncation."""
import collections, gzip, os, re

import numpy as np

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data", "imdb")
TAG = re.compile(r"<[^>]*>")
TOKEN = re.compile(r"\w+(?:'\w+)*|[^\w\s]")


def read(name):
    texts, labels = [], []
    with gzip.open(os.path.join(DATA, name), "rt", encoding="utf-8") as f:
        for line in f:
            label, _rating, _id, text = line.rstrip("\n").split("\t", 3)
            texts.append(TOKEN.findall(TAG.sub(" ", text).lower()))
            labels.append(int(label))
    return texts, np.array(labels, dtype="float32")


def pad(seqs, maxlen=500):
    out = np.zeros((len(seqs), maxlen), dtype="int64")
    for i, s in enumerate(seqs):
        s = s[-maxlen:]
        out[i, maxlen - len(s):] = s
    return out


def load(num_words=10000, maxlen=500):
    xtr, ytr = read("train.tsv.gz")
    xte, yte = read("test.tsv.gz")
    split = int(len(xtr) * 0.8)  # Keras's validation_split takes the last 20%
    counts = collections.Counter(w for t in xtr[:split] for w in t)
    index = {w: i + 3 for i, (w, _) in enumerate(counts.most_common(num_words - 3))}

    def encode(texts):
        return pad([[1] + [index.get(w, 2) for w in t] for t in texts], maxlen)

    return (encode(xtr), ytr), (encode(xte), yte)
