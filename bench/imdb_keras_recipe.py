"""Recipe (a) trained end to end in Keras, for the accuracy comparison with rnnc's
examples/imdb/recipe-a.ini: the same data files (../shared/data/imdb), a tokenizer like rnnc's
(lower-case, <br /> and tags removed, punctuation split off), the top 9,997 training words with
Keras's imdb.load_data ids (0 pad, 1 start, 2 OOV, words from 3), pad_sequences(maxlen=500),
Embedding(10000,128) -> LSTM(128) -> Dense(1, sigmoid), Adam, binary cross-entropy, batch 64,
10 epochs, validation_split=0.2, the best epoch by val_accuracy restored (as rnnc's restore_best).
Prints per-epoch times and the test accuracy.  usage: imdb_keras_recipe.py [threads] [epochs]"""
import os, sys, time

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np
import tensorflow as tf

tf.config.threading.set_intra_op_parallelism_threads(threads)
tf.config.threading.set_inter_op_parallelism_threads(threads)
keras = tf.keras
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imdb_text import load

(Xtr, ytr), (Xte, yte) = load()
model = keras.Sequential([keras.Input((500,), dtype="int32"), keras.layers.Embedding(10000, 128),
                          keras.layers.LSTM(128), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])


class Timer(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.t0 = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        print(f"epoch {epoch + 1}: {time.perf_counter() - self.t0:.1f} s  "
              f"loss {logs['loss']:.4f} val_accuracy {logs['val_accuracy']:.4f}", flush=True)


best = keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=epochs,
                                     restore_best_weights=True)
model.fit(Xtr, ytr, batch_size=64, epochs=epochs, validation_split=0.2, verbose=0,
          callbacks=[Timer(), best])
loss, acc = model.evaluate(Xte, yte, batch_size=256, verbose=0)
print(f"keras {keras.__version__} tensorflow {tf.__version__} test_accuracy {acc:.4f} "
      f"test_loss {loss:.4f}")
