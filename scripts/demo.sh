#!/usr/bin/env bash
# The sentiment demo behind `make demo`: trains examples/imdb/demo.ini on the bundled IMDB sample
# (data/imdb-sample), prints the test accuracy, then classifies a few raw sentences with the saved
# model file alone. `make demo FULL=1` trains on the full 25,000 + 25,000 reviews instead, when
# ../shared/data/imdb is present (examples/imdb/demo-full.ini).
#   scripts/demo.sh [--full]  (run from the repository root; `make demo` builds first)
set -euo pipefail
cd "$(dirname "$0")/.."
rnnc=${RNNC:-build/rnnc}
config=examples/imdb/demo.ini
if [ "${1:-}" = "--full" ]; then
    if [ ! -f ../shared/data/imdb/train.tsv.gz ]; then
        echo "demo: --full needs ../shared/data/imdb/{train,test}.tsv.gz (see data/imdb-sample/README.md)" >&2
        exit 2
    fi
    config=examples/imdb/demo-full.ini
fi
out=$(sed -n 's/^output *= *//p' "$config")
echo "== rnnc train $config"
"$rnnc" train "$config"
echo
echo "== rnnc predict $out/model.safetensors (label, probability, text)"
sentences=(
    "One of the best films I have seen in years: moving, funny and beautifully acted."
    "A dull, predictable mess. I want my two hours back."
    "The plot was thin, but the performances were wonderful and I loved the ending."
    "Terrible acting, awful script, and the worst soundtrack imaginable."
)
for s in "${sentences[@]}"; do
    printf '%s\t%s\n' "$("$rnnc" predict "$out/model.safetensors" "$s")" "$s"
done
