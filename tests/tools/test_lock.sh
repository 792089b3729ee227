#!/usr/bin/env bash
# One run folder, one run: two `rnnc train` started at once into the same output folder, PAIRS
# times. Each time exactly one trains and the other is refused at its start (exit 1, naming the
# process that holds the folder), and the winner's model file is byte for byte a lone run's: the
# loser wrote nothing into the folder. Run by `make check` (RNNC_BUILD names the build folder).
set -u
rnnc=${RNNC_BUILD:-build}/rnnc
pairs=${PAIRS:-20}
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

cat > "$tmp/c.ini" <<CONFIG
[data]
train = data/imdb-sample/test.tsv.gz
validation_split = 0.2
num_words = 300
maxlen = 64
padding = post
use_lengths = true
[embedding]
vocab = 300
dim = 8
[gru]
hidden = 24
[dense]
units = 1
[train]
epochs = 25
batch_size = 50
seed = 3
CONFIG
run() { "$rnnc" train "$tmp/c.ini" --threads 1 --quiet --set train.output="$1"; }

if run "$tmp/ref" > "$tmp/ref.log" 2>&1; then ok "a lone run"; else bad "a lone run"; fi

one_won=0
refused=0
same=0
for i in $(seq 1 "$pairs"); do
    out="$tmp/pair$i"
    run "$out" > "$tmp/a$i.log" 2>&1 &
    a=$!
    run "$out" > "$tmp/b$i.log" 2>&1 &
    b=$!
    wait "$a"
    ra=$?
    wait "$b"
    rb=$?
    if { [ "$ra" -eq 0 ] && [ "$rb" -eq 1 ]; } || { [ "$ra" -eq 1 ] && [ "$rb" -eq 0 ]; }; then
        one_won=$((one_won + 1))
    else
        echo "     pair $i: exits $ra and $rb"
    fi
    loser=$([ "$ra" -eq 1 ] && echo "$tmp/a$i.log" || echo "$tmp/b$i.log")
    if grep -q "$out: another run (process [0-9]*) is training into this folder" "$loser"; then
        refused=$((refused + 1))
    else
        echo "     pair $i: the loser said: $(tail -n 1 "$loser")"
    fi
    cmp -s "$out/model.safetensors" "$tmp/ref/model.safetensors" && same=$((same + 1))
done
if [ "$one_won" -eq "$pairs" ]; then
    ok "$pairs pairs at once on one folder: one run trained, the other exited 1, every time"
else
    bad "$pairs pairs at once on one folder: one run trained, the other exited 1, in $one_won"
fi
if [ "$refused" -eq "$pairs" ]; then
    ok "the refused run named the folder and the process holding it ($pairs of $pairs)"
else
    bad "the refused run named the folder and the process holding it ($refused of $pairs)"
fi
if [ "$same" -eq "$pairs" ]; then
    ok "the winner's model file equals a lone run's, byte for byte ($pairs of $pairs)"
else
    bad "the winner's model file equals a lone run's, byte for byte ($same of $pairs)"
fi
# the lock ends with the run: the folder takes a resumed run afterwards
if "$rnnc" train "$tmp/c.ini" --threads 1 --quiet --set train.output="$tmp/pair1" \
    --set train.epochs=26 --resume "$tmp/pair1/checkpoint.safetensors" > "$tmp/resume.log" 2>&1; then
    ok "after the run the folder is free: --resume into it trains"
else
    bad "after the run the folder is free: --resume into it trains ($(tail -n 1 "$tmp/resume.log"))"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
