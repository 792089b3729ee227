#!/usr/bin/env python3
"""Statistical reference forecasts on exactly rnnc's test windows: AutoETS, AutoARIMA and Theta
(statsforecast) beside the rnnc forecaster and its own baselines, by MASE.

Usage:
  bench/setup-venv.sh statsforecast                      # once: adds statsforecast to bench/.venv
  bench/.venv/bin/python bench/forecast_refs.py runs/forecast/airline-h12/model.safetensors ...
      [--rnnc build/rnnc] [--forecasts DIR]

For each forecaster model file (rnnc train's model.safetensors):
- `rnnc eval MODEL` gives the split, the horizon H, the seasonal period m, the MASE scale (the
  in-sample seasonal naive MAE of rnnc's training part) and the MASE of the RNN and of rnnc's
  baselines;
- the series is the model's first target, read from the CSV its file names (missing values filled
  as the model file says: ffill, or linear interpolation by row; values before the first number
  take it), in file order;
- the references are fitted once on every row before the test part (rnnc's training and
  validation parts) and forecast H steps from every test origin (every row of the test part from
  which H steps remain, as rnnc's test windows) with their parameters fixed: statsforecast's
  cross_validation(h=H, step_size=1, n_windows=W, refit=False), whose first cutoff is the first
  test row;
- season length m for AutoETS and AutoARIMA when m <= 24, else 1 (ETS does not fit longer
  seasons, and a seasonal ARIMA of period 127 or 365 does not finish in reasonable time); Theta
  (AutoTheta) uses m as given (classical decomposition);
- MASE = MAE over every test window and step / rnnc's MASE scale, so the numbers sit in rnnc's
  own table; sMAPE as rnnc computes it.
With --forecasts DIR, each model's reference forecasts go to DIR/<folder>.refs.csv (origin row,
step, actual, one column per method).
"""

import argparse
import json
import os
import re
import struct
import subprocess
import sys

import numpy as np
import pandas as pd


def model_meta(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
    return header.get("__metadata__", {})


def parse_eval(text):
    m = re.search(r"test part: rows (\d+)-(\d+) of (\d+) \((\d+) rows\), (\d+) windows of (\d+) step",
                  text)
    if not m:
        raise ValueError("rnnc eval: no 'test part' line:\n" + text)
    first, _, total, _, windows, horizon = map(int, m.groups())
    s = re.search(r"MASE scale of .*?\(period (\d+)\) on the training part \(rows 0-(\d+)\) = (\S+)",
                  text)
    period, train_last, scale = int(s.group(1)), int(s.group(2)), float(s.group(3))
    mase = {}
    for line in text.splitlines():
        f = line.split()
        if len(f) == 7 and f[1] in ("rnn", "naive", "seasonal_naive", "moving_average", "ar"):
            mase.setdefault(f[1], float(f[6]))
    return dict(first=first, total=total, windows=windows, H=horizon, m=period,
                n_train=train_last + 1, scale=scale, mase=mase)


def read_series(meta):
    path = meta["rnnc.forecast.data"]
    target = meta["rnnc.forecast.inputs"].split("\n")[0]
    missing = "reject"
    for line in meta["rnnc.forecast"].split("\n"):
        if line.startswith("missing="):
            missing = line.split("=", 1)[1]
    df = pd.read_csv(path, skip_blank_lines=True)
    y = pd.to_numeric(df[target], errors="coerce")
    if missing == "ffill":
        y = y.ffill()
    elif missing == "interpolate":
        y = y.interpolate(method="linear", limit_area="inside").ffill()
    y = y.bfill()  # values before the first number take it
    if y.isna().any():
        raise ValueError("%s: column '%s' has values rnnc would refuse" % (path, target))
    return target, y.to_numpy(dtype=np.float64)


def smape(f, a):
    den = np.abs(a) + np.abs(f)
    return 100 * np.mean(np.where(den > 0, 2 * np.abs(f - a) / np.where(den > 0, den, 1), 0))


def references(y, ev):
    from statsforecast import StatsForecast
    from statsforecast.models import AutoARIMA, AutoETS, AutoTheta

    H, m, W = ev["H"], ev["m"], ev["windows"]
    sm = m if m <= 24 else 1
    models = [AutoETS(season_length=sm, alias="AutoETS"),
              AutoARIMA(season_length=sm, alias="AutoARIMA"),
              AutoTheta(season_length=m, alias="Theta")]
    df = pd.DataFrame({"unique_id": "s", "ds": np.arange(len(y)), "y": y})
    sf = StatsForecast(models=models, freq=1, n_jobs=1)
    cv = sf.cross_validation(df=df, h=H, step_size=1, n_windows=W, refit=False)
    cv = cv.sort_values(["cutoff", "ds"]).reset_index(drop=True)
    origins = cv["cutoff"].to_numpy() + 1
    if origins.min() != ev["first"] or len(cv) != W * H:
        raise ValueError("the references' windows are not rnnc's (first origin %d, rnnc %d)"
                         % (origins.min(), ev["first"]))
    return cv, [m_.alias for m_ in models], sm


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("models", nargs="+")
    ap.add_argument("--rnnc", default="build/rnnc")
    ap.add_argument("--forecasts", default=None)
    a = ap.parse_args()
    cols = ["rnn", "naive", "seasonal_naive", "ar", "AutoETS", "AutoARIMA", "Theta"]
    print("| model | horizon | season m (ETS/ARIMA) | " + " | ".join(cols) + " | best |")
    print("|---" * (len(cols) + 4) + "|")
    for path in a.models:
        ev = parse_eval(subprocess.run([a.rnnc, "eval", path, "--threads", "1"], check=True,
                                       capture_output=True, text=True).stdout)
        target, y = read_series(model_meta(path))
        if len(y) != ev["total"]:
            raise ValueError("%s: %d rows read, rnnc read %d" % (path, len(y), ev["total"]))
        cv, names, sm = references(y, ev)
        mase = dict(ev["mase"])
        for n in names:
            mase[n] = np.mean(np.abs(cv[n].to_numpy() - cv["y"].to_numpy())) / ev["scale"]
            print("# %s %s: sMAPE %.3f" % (path, n, smape(cv[n].to_numpy(), cv["y"].to_numpy())),
                  file=sys.stderr)
        best = min(cols, key=lambda c: mase.get(c, np.inf))
        name = os.path.basename(os.path.dirname(os.path.abspath(path)))
        print("| %s | %d | %d (%d) | %s | %s |" % (
            name, ev["H"], ev["m"], sm, " | ".join("%.4f" % mase.get(c, np.nan) for c in cols),
            best))
        if a.forecasts:
            os.makedirs(a.forecasts, exist_ok=True)
            out = pd.DataFrame({"origin": cv["cutoff"] + 1, "step": cv["ds"] - cv["cutoff"] - 1,
                                "actual": cv["y"]})
            for n in names:
                out[n] = cv[n]
            out.to_csv(os.path.join(a.forecasts, name + ".refs.csv"), index=False)
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
