#!/usr/bin/env bash
# Crash safety of `rnnc train`: SIGTERM and SIGINT stop after writing a checkpoint of the position
# inside the epoch; SIGKILL at random moments (also during checkpoint writes), KILLS times in a row,
# never leaves a checkpoint that fails to load, and resuming after every kill ends with a model
# file byte-identical to an uninterrupted run's. Run by `make check` (RNNC_BUILD names the build).
set -u
rnnc=${RNNC_BUILD:-build}/rnnc
kills_wanted=${KILLS:-50}
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

cat > "$tmp/c.ini" <<EOF
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
[dropout]
rate = 0.2
[gru]
hidden = 24
[dense]
units = 1
[train]
epochs = 300
batch_size = 50
seed = 3
[optimizer]
lr = 0.01
[schedule]
name = cosine
t_max = 2000
per_batch = true
EOF
run() { "$rnnc" train "$tmp/c.ini" --threads 1 --quiet "$@"; }
# background runs start rnnc itself (not a function's subshell), so signals reach it
start() { "$rnnc" train "$tmp/c.ini" --threads 1 --quiet "$@" > "$tmp/bg.log" 2>&1 & pid=$!; }

# the reference: never interrupted
if run --set train.output="$tmp/ref" > "$tmp/ref.log" 2>&1; then ok "reference run"; else bad "reference run"; fi

# SIGTERM and SIGINT: exit 128+signal after a checkpoint; --resume finishes identically
for sig in TERM INT; do
    out="$tmp/sig$sig"
    start --set train.output="$out"
    sleep 1.5
    kill -s "$sig" "$pid"
    wait "$pid"
    rc=$?
    want=$([ "$sig" = TERM ] && echo 143 || echo 130)
    if [ "$rc" -eq "$want" ] && grep -q "stopped by SIG$sig in epoch" "$tmp/bg.log"; then
        ok "SIG$sig: stopped with $rc after a checkpoint ($(grep -o "in epoch [0-9]* after step [0-9]*" "$tmp/bg.log"))"
    else
        bad "SIG$sig: exit $rc (wanted $want): $(tail -n 2 "$tmp/bg.log")"
    fi
    if run --set train.output="$out" --resume "$out/checkpoint.safetensors" > "$tmp/sig2.log" 2>&1 &&
        cmp -s "$out/model.safetensors" "$tmp/ref/model.safetensors"; then
        ok "SIG$sig: the resumed run's model file is byte-identical to the uninterrupted one"
    else
        bad "SIG$sig: resumed model differs or the resume failed: $(tail -n 2 "$tmp/sig2.log")"
    fi
done

# A second stop signal (either one) ends the run at once, without waiting for a batch that takes
# minutes (4000 reviews of 400 steps through an LSTM of 512): exit 130 for SIGINT.
sed -e 's/^maxlen = .*/maxlen = 400/' -e 's/^hidden = .*/hidden = 512/' \
    -e 's/^batch_size = .*/batch_size = 4000/' -e 's/^validation_split = .*/validation_split = 0/' \
    "$tmp/c.ini" > "$tmp/slow.ini"
"$rnnc" train "$tmp/slow.ini" --threads 1 --quiet --set train.output="$tmp/slow" > "$tmp/slow.log" 2>&1 &
pid=$!
sleep 3
kill -TERM "$pid"
sleep 0.5
kill -INT "$pid"
t0=$SECONDS
wait "$pid"
rc=$?
if [ "$rc" -eq 130 ] && [ $((SECONDS - t0)) -le 5 ] && grep -q 'stopping after this batch' "$tmp/slow.log" &&
    ! grep -q 'checkpoint written' "$tmp/slow.log"; then
    ok "SIGTERM then SIGINT: the second signal ends the run at once (exit 130)"
else
    bad "SIGTERM then SIGINT: exit $rc after $((SECONDS - t0)) s: $(tail -n 2 "$tmp/slow.log")"
fi

# SIGKILL at random moments
out="$tmp/kill"
kills=0 loads=0 broken=0 tries=0 cycles=0
RANDOM=7
while [ "$kills" -lt "$kills_wanted" ] && [ "$tries" -lt $((kills_wanted * 8)) ]; do
    tries=$((tries + 1))
    if [ -f "$out/checkpoint.safetensors" ]; then
        start --set train.output="$out" --resume "$out/checkpoint.safetensors"
    else
        start --set train.output="$out"
    fi
    sleep "0.$(printf '%02d' $((RANDOM % 36 + 5)))"
    if kill -KILL "$pid" 2> /dev/null; then
        wait "$pid" 2> /dev/null
        kills=$((kills + 1))
    else
        # the run finished before its kill (a fast machine): it must have finished correctly;
        # check it like the final run below and start another cycle in an empty folder
        wait "$pid"
        rc=$?
        if [ "$rc" -ne 0 ]; then
            bad "a resumed run failed (exit $rc): $(tail -n 2 "$tmp/bg.log")"
            break
        fi
        cmp -s "$out/model.safetensors" "$tmp/ref/model.safetensors" && cycles=$((cycles + 1)) ||
            { bad "a run finished between kills with a different model file"; break; }
        rm -rf "$out"
        continue
    fi
    if [ -f "$out/checkpoint.safetensors" ]; then
        # (the optimizer file is checked by the next resume, which must run until its kill)
        if "$rnnc" inspect "$out/checkpoint.safetensors" > /dev/null 2>&1; then
            loads=$((loads + 1))
        else
            broken=$((broken + 1))
        fi
    fi
done
[ "$kills" -ge "$kills_wanted" ] && ok "$kills SIGKILLs at random moments ($cycles runs finished between kills, each byte-identical to the reference)" || bad "only $kills kills"
[ "$broken" -eq 0 ] && ok "after every kill the checkpoint loaded ($loads checks)" ||
    bad "$broken checkpoints failed to load"
if [ -f "$out/checkpoint.safetensors" ]; then
    run --set train.output="$out" --resume "$out/checkpoint.safetensors" > "$tmp/k.log" 2>&1
else
    run --set train.output="$out" > "$tmp/k.log" 2>&1
fi
if cmp -s "$out/model.safetensors" "$tmp/ref/model.safetensors"; then
    ok "after the kills and resumes the model file is byte-identical to the uninterrupted run's"
else
    bad "killed-and-resumed model differs: $(tail -n 2 "$tmp/k.log")"
fi
lines=$(wc -l < "$out/metrics.jsonl")
[ "$lines" -eq 300 ] && ok "metrics.jsonl has one line per epoch (300)" || bad "metrics.jsonl has $lines lines"
if cmp -s <(cut -d, -f1-5 "$out/metrics.jsonl") <(cut -d, -f1-5 "$tmp/ref/metrics.jsonl"); then
    ok "the logged epochs, steps, rates and losses equal the uninterrupted run's"
else
    bad "metrics.jsonl differs from the reference"
fi
# A writer killed mid-write leaves PATH.tmp.<pid>: the next write of PATH removes those of dead
# processes untouched for a minute, and keeps a live process's, a fresh one and other names.
sw="$tmp/sweep"
run --set train.output="$sw" --set train.epochs=1 > /dev/null 2>&1
sh -c 'exit 0' &
dead=$!
wait "$dead"
sleep 60 &
live=$!
for f in model.safetensors.tmp.$dead checkpoint.safetensors.tmp.$dead model.safetensors.tmp.$live \
    checkpoint.safetensors.tmp.0$dead; do echo partial > "$sw/$f"; done
touch -d '2 minutes ago' "$sw"/*.tmp.*
echo partial > "$sw/best.safetensors.tmp.$dead" # fresh: another namespace's writer, maybe
run --set train.output="$sw" --set train.epochs=1 > /dev/null 2>&1
left=$(cd "$sw" && ls ./*.tmp.* 2> /dev/null | tr '\n' ' ')
kill "$live" 2> /dev/null
want="./best.safetensors.tmp.$dead ./checkpoint.safetensors.tmp.0$dead ./model.safetensors.tmp.$live "
[ "$left" = "$want" ] && ok "stale temporaries of dead writers swept; live, fresh and other names kept" ||
    bad "stale temporaries: left '$left', wanted '$want'"
# teeth: a run with another seed gives another model file
run --set train.output="$tmp/other" --set train.seed=4 > /dev/null 2>&1
cmp -s "$tmp/other/model.safetensors" "$tmp/ref/model.safetensors" &&
    bad "cmp cannot tell models apart" || ok "teeth: another seed gives another model file"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
