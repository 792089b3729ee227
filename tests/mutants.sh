#!/usr/bin/env bash
# A test of the tests: plants one known bug at a time in a copy of the tree and checks that
# `make check` fails. Not part of `make check` (each mutant is a full rebuild); run by hand:
#   tests/mutants.sh
# Prints one line per mutant and exits non-zero when a planted bug survives the suite.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/rnnc-mutants.XXXXXX)
trap 'rm -rf "$work"' EXIT
survived=0

# file | text to replace | replacement | what the bug is
mutants=(
  "src/layers/lstm.c|dc[b * H + j] = dct * f;|dc[b * H + j] = dct;|LSTM cell-state gradient skips the forget gate"
  "src/layers/gru.c|gh[2 * H + j] = dn * r;|gh[2 * H + j] = dn;|GRU recurrent n-gradient misses the reset gate"
  "src/layers/rnn.c|dht * (1 - h * h)|dht * (1 - h)|tanh derivative written as 1 - h"
  "src/model/model.c|m->active[t * b->B + j] = t >= start \&\& t < start + len;|m->active[t * b->B + j] = 1;|padded steps treated as data"
  "src/layers/embedding.c|if (ids[n] == padding_idx) continue;|(void)padding_idx;|padding row receives gradient"
  "src/layers/dense.c|dzr[o] = yr[o] * (dyr[o] - (real)dot);|dzr[o] = yr[o] * dyr[o];|softmax backward without the Jacobian's second term"
  "src/layers/stack.c|r.reverse = (int)d;|r.reverse = 0;|second direction runs forward"
  "src/layers/recurrent.c|add_colsum(g->b_hh, dgh, T * B, G);|(void)dgh;|bias_hh gets no gradient"
)

for m in "${mutants[@]}"; do
    IFS='|' read -r file from to what <<<"$m"
    rm -rf "$work/tree"
    mkdir -p "$work/tree"
    (cd "$top" && git ls-files -z | xargs -0 cp --parents -t "$work/tree")
    python3 - "$work/tree/$file" "$from" "$to" <<'PY' || { echo "mutant not applied: $what"; survived=1; continue; }
import sys
path, a, b = sys.argv[1], sys.argv[2].replace("\\&", "&"), sys.argv[3]
s = open(path).read()
if a not in s:
    sys.exit(1)
open(path, "w").write(s.replace(a, b, 1))
PY
    out=$(cd "$work/tree" && make -s check 2>&1)
    rc=$?
    last=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
    if [ $rc -ne 0 ]; then
        echo "killed    ($last): $what"
    else
        echo "SURVIVED  ($last): $what"
        survived=1
    fi
done
exit $survived
