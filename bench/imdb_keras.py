"""Training throughput of recipe (a) in Keras (TensorFlow, CPU), as the recipe is taught:
Embedding(10000,128) -> LSTM(128) -> Dense(1, sigmoid), binary cross-entropy, Adam, batch 64 of
500 random ids, train_on_batch. Prints the median seconds per batch.
usage: imdb_keras.py [threads] [batches] [warmup]"""
import os, statistics, sys, time

threads, reps, warm = (int(a) for a in (sys.argv[1:4] + ["2", "20", "3"][len(sys.argv[1:4]):])[:3])
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np
import tensorflow as tf

tf.config.threading.set_intra_op_parallelism_threads(threads)
tf.config.threading.set_inter_op_parallelism_threads(threads)
keras = tf.keras
T, B, V, E, H = 500, 64, 10000, 128, 128
model = keras.Sequential([keras.Input((T,), dtype="int32"), keras.layers.Embedding(V, E),
                          keras.layers.LSTM(H), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
rng = np.random.default_rng(1)
times = []
for it in range(warm + reps):
    x = rng.integers(0, V, (B, T), dtype=np.int32)
    y = rng.integers(0, 2, (B,)).astype("float32")
    t0 = time.perf_counter()
    model.train_on_batch(x, y)
    if it >= warm:
        times.append(time.perf_counter() - t0)
print(f"keras {keras.__version__} tensorflow {tf.__version__} threads={threads} "
      f"median_s_per_batch={statistics.median(times):.5f}")
