#!/usr/bin/env bash
# Trains every example forecaster at horizons 1 and 12 (hourly PM2.5: 1 and 24) and prints the
# table of docs/forecast.md: test MASE (the last 20% of each series) of the RNN and of every
# baseline, each computed by `rnnc eval` on the saved model file. Also draws the plots in
# docs/forecast/ with `rnnc forecast`. Usage: examples/forecast/run.sh [RNNC] (default build/rnnc),
# from the repository root; THREADS (default 2) sets the threads.
set -euo pipefail
rnnc=${1:-build/rnnc}
threads=${THREADS:-2}
dir=examples/forecast
mkdir -p docs/forecast runs/forecast
printf '| series | horizon | season m | RNN | naive | seasonal naive | moving average | AR | best |\n'
printf '|---|---|---|---|---|---|---|---|---|\n'
for spec in airline:1:12 temperatures:1:12 sunspots:1:12 pm25:1:24 sp500:1:12; do
    name=${spec%%:*}
    rest=${spec#*:}
    for h in ${rest%%:*} ${rest#*:}; do
        out=runs/forecast/$name-h$h
        "$rnnc" train "$dir/$name.ini" --quiet --threads "$threads" --set "forecast.horizon=$h" \
            --set "train.output=$out" >"$out.train.log" 2>&1 ||
            { echo "training $name h=$h failed; see $out.train.log" >&2; exit 1; }
        "$rnnc" eval "$out/model.safetensors" --threads "$threads" >"$out.eval.txt"
        m=$(sed -n 's/.*seasonal naive MAE (period \([0-9]*\)).*/\1/p' "$out.eval.txt" | head -n 1)
        awk -v name="$name" -v h="$h" -v m="$m" '
            $2 == "rnn" || $2 == "naive" || $2 == "seasonal_naive" || $2 == "moving_average" ||
            $2 == "ar" { mase[$2] = $NF; order[n++] = $2 }
            END {
                best = order[0]
                for (i = 1; i < n; i++) if (mase[order[i]] + 0 < mase[best] + 0) best = order[i]
                printf "| %s | %d | %s | %s | %s | %s | %s | %s | %s |\n", name, h, m, mase["rnn"],
                       mase["naive"], mase["seasonal_naive"], mase["moving_average"], mase["ar"],
                       best
            }' "$out.eval.txt"
    done
    "$rnnc" forecast "$out/model.safetensors" --at test --threads "$threads" \
        --out "runs/forecast/$name.forecast.csv" --plot "docs/forecast/$name.svg" >/dev/null
done
