#!/usr/bin/env bash
# rnnc gradcheck (docs/gradcheck.md): every .ini under examples/ (model descriptions and training
# files, whose layer sections are read) passes; a tolerance no double computation meets fails with
# exit 1 and names the failing tensors; a model file trained on arrays passes on its own data.
# The planted wrong gradient is tests/nn/test_gradcheck_call. Run by `make check`, which names the
# build folder in RNNC_BUILD; prints one line per check and "N passed, N failed".
set -u
rnnc=${RNNC_BUILD:-build}/rnnc
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect CODE PATTERN -- COMMAND...: exit status CODE and PATTERN (grep -E) in stdout+stderr
expect() {
    local code=$1 pattern=$2
    shift 3
    local out rc
    out=$("$@" 2>&1)
    rc=$?
    if [ "$rc" -eq "$code" ] && printf '%s\n' "$out" | grep -qE -- "$pattern"; then
        echo "ok   $* -> $code /$pattern/"
        pass=$((pass + 1))
    else
        echo "FAIL $* -> exit $rc, wanted $code /$pattern/"
        printf '%s\n' "$out" | tail -n 8 | sed 's/^/     /'
        fail=$((fail + 1))
    fi
}

# Small batches and samples keep the largest examples (2 x 768 LSTMs) quick; rnnc gradcheck's
# defaults (T 5, B 3, 50 entries per tensor) are for people checking one model.
small="--steps 2 --batch 2 --max-per-tensor 2"
n=0
while IFS= read -r f; do
    # A decoder's loss sums T*B*vocab logits (18,000 here): their rounding, over 2 eps, is some
    # 1e-7 of a gradient of 1e-2 at eps 1e-6, so its files take eps 1e-5 (truncation ~1e-10).
    eps=
    grep -q '^\[decoder\]' "$f" && eps="--eps 1e-5"
    expect 0 '^PASS: ([0-9]+) of \1 tensors within 1e-06' -- "$rnnc" gradcheck $small $eps "$f"
    n=$((n + 1))
done < <(find examples -name '*.ini' | sort)
[ "$n" -ge 20 ] && { echo "ok   $n example files"; pass=$((pass + 1)); } ||
    { echo "FAIL only $n example files found (run from the repository root)"; fail=$((fail + 1)); }

expect 0 'note: layer 0: embedding vocab = auto, checked with 50' -- "$rnnc" gradcheck $small examples/ptb/small.ini
expect 0 'note: layer [0-9]: dense units = auto, checked with 50' -- "$rnnc" gradcheck $small examples/ptb/small.ini
expect 0 '\(a tensor of more than 2 entries is checked on 2 of them' -- "$rnnc" gradcheck $small examples/models/imdb-lstm.ini
expect 0 '^lstm\.weight_hh_l0 +65536 +2 .* PASS$' -- "$rnnc" gradcheck $small examples/models/imdb-lstm.ini
# an encoder-decoder: random decoder inputs, every decoder tensor checked
expect 0 '^decoder\.attention\.Wa\.weight +65536 +2 .* PASS$' -- "$rnnc" gradcheck $small --eps 1e-5 examples/models/translate-attention.ini
expect 0 '^decoder\.bridge\.c\.weight ' -- "$rnnc" gradcheck $small --eps 1e-5 examples/models/translate-attention.ini
expect 0 '^input +6 +6 .* PASS$' -- "$rnnc" gradcheck --steps 2 --batch 3 --max-per-tensor 0 examples/forecast/sunspots.ini
# the bad case: a tolerance below double's rounding fails, exit 1, each tensor named
expect 1 '^lstm\.weight_ih_l0 .* FAIL$' -- "$rnnc" gradcheck $small --tolerance 1e-15 examples/models/imdb-lstm.ini
expect 1 '^FAIL: [0-6] of 7 tensors within 1e-15' -- "$rnnc" gradcheck $small --tolerance 1e-15 examples/models/imdb-lstm.ini
expect 0 'usage: rnnc gradcheck' -- "$rnnc" gradcheck --help

# a model file (description and weights) on its own data
mkdir -p "$tmp/arr"
if "${RNNC_BUILD:-build}/tests/tasks/test_arrays" --write-fixtures "$tmp/arr" 2> "$tmp/arr.log"; then
    cat > "$tmp/arr.ini" <<EOT
[gru]
hidden = 4
[data]
format = npz
train = $tmp/arr/reg.npz
[train]
epochs = 1
output = $tmp/run
EOT
    if "$rnnc" train "$tmp/arr.ini" --quiet --threads 1 > "$tmp/train.log" 2>&1; then
        expect 0 '^PASS: 7 of 7 tensors' -- "$rnnc" gradcheck "$tmp/run/model.safetensors"
        expect 0 'data: .*reg\.npz: the first 3 sequences, [0-9]+ steps' -- "$rnnc" gradcheck --data "$tmp/arr/reg.npz" "$tmp/run/model.safetensors"
        expect 0 '^head\.weight .* PASS$' -- "$rnnc" gradcheck --data "$tmp/arr/reg.npz" "$tmp/run/model.safetensors"
    else
        echo "FAIL training the arrays model: $(tail -n 2 "$tmp/train.log")"
        fail=$((fail + 1))
    fi
else
    echo "FAIL tests/tasks/test_arrays --write-fixtures (build it first): $(tail -n 2 "$tmp/arr.log")"
    fail=$((fail + 1))
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
