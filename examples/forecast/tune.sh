#!/usr/bin/env bash
# The tuning behind the example configs, on the validation part only (the 10% before the test
# part; the test part is never looked at): for each series at its longer horizon, LSTM width x
# lookback x relative windows, each run's best validation loss (MSE in scaled units, so
# comparable between settings of one series) from its metrics.jsonl. Usage, from the repository
# root: examples/forecast/tune.sh [RNNC] [SERIES...]
set -euo pipefail
rnnc=${1:-build/rnnc}
shift || true
threads=${THREADS:-2}
declare -A lookbacks=([airline]="12 24" [temperatures]="30 60" [sunspots]="48 132"
                      [pm25]="24 48" [sp500]="30 60")
declare -A horizon=([airline]=12 [temperatures]=12 [sunspots]=12 [pm25]=24 [sp500]=12)
series=${*:-airline temperatures sunspots pm25 sp500}
printf '| series | horizon | lookback | hidden | relative | best val_loss | epoch |\n'
printf '|---|---|---|---|---|---|---|\n'
for name in $series; do
    for lb in ${lookbacks[$name]}; do
        for hid in 32 64; do
            for rel in false true; do
                out=runs/forecast-tune/$name-l$lb-h$hid-r$rel
                "$rnnc" train "examples/forecast/$name.ini" --quiet --threads "$threads" \
                    --set "forecast.horizon=${horizon[$name]}" --set "forecast.lookback=$lb" \
                    --set "lstm.hidden=$hid" --set "forecast.relative=$rel" \
                    --set "train.output=$out" >/dev/null 2>&1 ||
                    { echo "| $name | ${horizon[$name]} | $lb | $hid | $rel | failed | |"; continue; }
                awk -F'"val_loss":' -v n="$name" -v h="${horizon[$name]}" -v lb="$lb" \
                    -v hid="$hid" -v rel="$rel" '
                    { split($2, a, ","); v = a[1] + 0; e++
                      if (best == "" || v < best) { best = v; be = e } }
                    END { printf "| %s | %s | %s | %s | %s | %.5f | %d |\n", n, h, lb, hid, rel,
                                 best, be }' "$out/metrics.jsonl"
            done
        done
    done
done
