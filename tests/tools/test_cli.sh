#!/usr/bin/env bash
# The command-line tool: help, version, exit codes, messages. Run by `make check`, which names the
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
        printf '%s\n' "$out" | head -n 5 | sed 's/^/     /'
        fail=$((fail + 1))
    fi
}

expect 0 'usage: rnnc <command>' -- "$rnnc" --help
expect 0 '^rnnc [0-9]+\.[0-9]+\.[0-9]+$' -- "$rnnc" --version
expect 0 'gemm kernel: +(avx512f|avx2\+fma|generic) ' -- "$rnnc" --version
expect 2 'usage' -- "$rnnc"
expect 0 'usage: rnnc info' -- "$rnnc" info --help
expect 2 "rnnc info: unknown argument 'x'" -- "$rnnc" info x
expect 0 '^instructions: .*sse2' -- "$rnnc" info
# the kernel follows the instruction sets the kernel (Linux) reports, whatever the CPU model
flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null)
want=generic
if [[ " $flags " == *" avx512f "* ]]; then want=avx512f
elif [[ " $flags " == *" avx2 "* && " $flags " == *" fma "* ]]; then want='avx2\+fma'; fi
expect 0 "^gemm kernel: +$want " -- "$rnnc" info
expect 0 '^threads: +3$' -- env RNNC_NUM_THREADS=3 "$rnnc" info
expect 2 "unknown command 'fly'" -- "$rnnc" fly
expect 0 'usage: rnnc demo' -- "$rnnc" demo --help
expect 0 'usage: rnnc summary' -- "$rnnc" summary --help
expect 2 "unknown option '--bogus'" -- "$rnnc" demo --bogus
expect 2 "--epochs 'x': expected an integer" -- "$rnnc" demo --epochs x
expect 2 'option --lr needs a value' -- "$rnnc" demo --lr
expect 2 '--tmin 9 is above --tmax 5' -- "$rnnc" demo --tmin 9 --tmax 5
expect 0 'final test accuracy' -- "$rnnc" demo --epochs 1 --steps 3 --hidden 4
# the long-memory tasks (docs/theory.md): the copy task, the IRNN, the solved line
expect 0 'copy task: T = 20 \(sequences of 40 steps\)' -- "$rnnc" demo copy --steps 20
expect 0 'cross-entropy 0\.5199 \(10 ln 8 / \(T \+ 20\)\)' -- "$rnnc" demo copy --steps 20
expect 0 '^solved: (yes, at step [0-9]+|no, within 300 steps) \([0-9.]+ s wall\)$' -- "$rnnc" demo copy --steps 20
expect 0 '^solved: yes, at step 3 ' -- "$rnnc" demo copy --T 1 --epochs 2 --steps 3 --hidden 4 --solved 0
expect 0 'lengths 7\.\.7, IRNN hidden 4 ' -- "$rnnc" demo adding --cell irnn --T 7 --epochs 1 --steps 3 --hidden 4
expect 0 '^solved: no, within 3 steps ' -- "$rnnc" demo --epochs 1 --steps 3 --hidden 4 --solved 0
expect 0 'MSE [0-9.]+\)$' -- "$rnnc" demo --epochs 1 --steps 3 --hidden 4

# the option parser (tools/options.c), the same for every subcommand
expect 0 'final test accuracy' -- "$rnnc" demo --epochs=1 --steps=3 --hidden=4
expect 2 "--epochs 'x': expected an integer" -- "$rnnc" demo --epochs=x
expect 2 "--lr '': expected a number" -- "$rnnc" demo --lr=
expect 2 "rnnc demo: --cell must be lstm, gru, rnn or irnn \(got 'lstn'\)" -- "$rnnc" demo --cell=lstn
expect 2 "rnnc demo: too many arguments \(also got 'extra'\)" -- "$rnnc" demo adding extra
expect 2 "rnnc demo: unknown option '--epoch' \(see --help\)" -- "$rnnc" demo --epoch 3
expect 2 'option --quiet takes no value' -- "$rnnc" train x.ini --quiet=yes
expect 2 "rnnc train: one training file only \(also got 'b\.ini'\)" -- "$rnnc" train a.ini b.ini
expect 2 "rnnc eval: --header must be auto, true or false \(got 'maybe'\)" -- "$rnnc" eval m --header maybe
expect 2 'rnnc eval: --format must be auto, imdb-tsv, aclimdb, csv, tsv, folder-files or folder-lines' -- "$rnnc" eval m --format=xml
sets=()
for i in $(seq 65); do sets+=(--set "train.epochs=$i"); done
expect 2 'rnnc train: at most 64 --set options' -- "$rnnc" train x.ini "${sets[@]}"
# every subcommand: an unknown option and a value missing at the end name the option, exit 2
for c in demo train finetune eval forecast generate predict inspect summary info plot bleu; do
    expect 2 "rnnc $c: unknown option '--bogus' \(see --help\)" -- "$rnnc" $c --bogus
    expect 2 "rnnc $c: unknown option '--bogus=1' \(see --help\)" -- "$rnnc" $c --bogus=1
done
for c in demo train finetune eval forecast generate; do
    expect 2 'option --threads needs a value' -- "$rnnc" $c --threads
done
# help_lists CMD OPTION...: --help and -h exit 0 with the usage, and the option lines are
# exactly these options (each table's entries)
help_lists() {
    local c=$1 out opts want
    shift
    out=$("$rnnc" "$c" --help 2>&1) && [ "$out" = "$("$rnnc" "$c" -h 2>&1)" ] &&
        printf '%s\n' "$out" | grep -q "^usage: rnnc $c" || out=""
    opts=$(printf '%s\n' "$out" | sed -n 's/^  \(--[A-Za-z-]*\).*/\1/p' | tr '\n' ' ')
    want="$*${*:+ }"
    if [ -n "$out" ] && [ "$opts" = "$want" ]; then
        echo "ok   rnnc $c --help lists: ${want:-no options}"
        pass=$((pass + 1))
    else
        echo "FAIL rnnc $c --help lists '$opts', wanted '$want'"
        fail=$((fail + 1))
    fi
}
help_lists demo --cell --T --solved --hidden --epochs --steps --batch --tmin --tmax --lr --seed --threads
help_lists train --set --resume --threads --quiet --progress-every
help_lists finetune --set --resume --threads --quiet --progress-every
help_lists eval --format --label-column --text-column --header --split --encoding --batch-size --threads --sort-time --max-text-bytes --max-records --max-read-bytes --max-members
help_lists forecast --horizon --at --out --plot --history --threads --force --sort-time
help_lists generate --prime --prime-file --length --temperature --top-k --top-p --seed --threads
help_lists predict --all
help_lists inspect
help_lists summary --set
help_lists info
help_lists plot --out --force
help_lists bleu --width
expect 0 'lstm\.weight_hh_l0 +\(512, 128\) +65536' -- "$rnnc" summary examples/models/imdb-lstm.ini
expect 0 'total +1412225' -- "$rnnc" summary examples/models/imdb-lstm.ini
# layers are numbered from 0, as the library's calls and the error messages number them
expect 0 '^ +0 +embedding +embedding ' -- "$rnnc" summary examples/models/imdb-lstm.ini
expect 0 '^ +2 +dense +dense ' -- "$rnnc" summary examples/models/imdb-lstm.ini
expect 0 'gru +encoder +2 layers, bidirectional \(concat\) +output \(T, B, 128\)' -- "$rnnc" summary examples/models/bigru-tagger.ini
expect 1 'missing\.ini: cannot open' -- "$rnnc" summary "$tmp/missing.ini"
printf '[lstm]\nhidden = 4\nlayers = many\n' > "$tmp/bad.ini"
expect 2 'bad\.ini:3: layers = .many.: expected an integer' -- "$rnnc" summary "$tmp/bad.ini"
expect 2 'one file only' -- "$rnnc" summary a.ini b.ini
# a training file's layer sections; sizes left to the data need --set
expect 0 'gru\.weight_hh_l0_reverse +\(144, 48\)' -- "$rnnc" summary examples/imdb/demo.ini
expect 0 'gru\.weight_hh_l0 +\(192, 64\)' -- "$rnnc" summary examples/imdb/demo.ini --set gru.hidden=64
expect 2 'small\.ini: layer 0: embedding\.vocab = auto is set from the training data; give a number with --set embedding\.vocab=N' -- "$rnnc" summary examples/ptb/small.ini
expect 0 'total +[0-9]+' -- "$rnnc" summary examples/ptb/small.ini --set embedding.vocab=100 --set dense.units=100
expect 0 'input_size 1' -- "$rnnc" summary examples/forecast/airline.ini
expect 2 "--set gru.hiden=3: unknown key 'hiden' in \[gru\]" -- "$rnnc" summary examples/imdb/demo.ini --set gru.hiden=3

# train / eval / predict / inspect on the bundled IMDB sample (a tiny, quick run)
for c in train eval predict inspect; do
    expect 0 "usage: rnnc $c" -- "$rnnc" $c --help
    expect 2 "unknown option '--bogus'" -- "$rnnc" $c --bogus
done
cat > "$tmp/t.ini" <<EOF
[data]
train = data/imdb-sample/train.tsv.gz
test = data/imdb-sample/test.tsv.gz
validation_split = 0.2
num_words = 500
maxlen = 40
padding = post
use_lengths = true
[embedding]
vocab = 500
dim = 8
[gru]
hidden = 8
[dense]
units = 1
[train]
epochs = 2
batch_size = 64
output = $tmp/run
EOF
expect 0 'epoch 2/2 .*val_accuracy' -- "$rnnc" train "$tmp/t.ini" --quiet --threads 1
expect 0 'test: 1000 examples +loss' -- "$rnnc" train "$tmp/t.ini" --set train.epochs=1 --threads 1
# standard error a pipe, not a terminal: progress lines every --progress-every seconds, none quiet
expect 0 'epoch 1/1  batch [0-9]+/[0-9]+  loss [0-9.]+  [0-9]+ items/s  ETA' -- "$rnnc" train "$tmp/t.ini" --set train.epochs=1 --threads 1 --progress-every 0.000001 --set train.output="$tmp/prog"
expect 1 '^0$' -- sh -c "'$rnnc' train '$tmp/t.ini' --set train.epochs=1 --threads 1 --quiet --progress-every 0.000001 --set train.output='$tmp/prog' 2>&1 | grep -c 'batch [0-9]*/'"
expect 0 'saved .*/run/model.safetensors' -- "$rnnc" train "$tmp/t.ini" --set train.epochs=2 --threads 1
for f in model.safetensors best.safetensors checkpoint.safetensors checkpoint.optim.safetensors metrics.jsonl; do
    expect 0 "$f" -- ls "$tmp/run/$f"
done
expect 0 '^2$' -- sh -c "wc -l < '$tmp/run/metrics.jsonl'"
expect 0 '"epoch":2,"step":100,"lr":0.001,"loss":[0-9.]+,"accuracy"' -- cat "$tmp/run/metrics.jsonl"
expect 0 'epoch 3/3' -- "$rnnc" train "$tmp/t.ini" --set train.epochs=3 --resume "$tmp/run/checkpoint.safetensors" --threads 1
expect 0 '^3$' -- sh -c "wc -l < '$tmp/run/metrics.jsonl'"
# the curves of the run: SVG by default, PNG by name, from the folder or the file
expect 0 "^saved $tmp/run/curves\.svg$" -- "$rnnc" plot "$tmp/run"
expect 0 '^<svg ' -- head -c 5 "$tmp/run/curves.svg"
expect 0 '/run: 3 epochs</text>' -- cat "$tmp/run/curves.svg"
for t in '>loss</text>' '>val_loss</text>' '>accuracy</text>' '>val_auc</text>' '>grad_norm_max</text>' '>epoch</text>'; do
    expect 0 "$t" -- cat "$tmp/run/curves.svg"
done
expect 1 '^0$' -- grep -cE '>(skipped|items_per_s|seconds|step)</text>' "$tmp/run/curves.svg"
expect 0 "^saved $tmp/c\.png$" -- "$rnnc" plot "$tmp/run/metrics.jsonl" --out "$tmp/c.png"
expect 0 '^PNG' -- sh -c "head -c 4 '$tmp/c.png' | tail -c 3"
expect 0 '^ 00 00 07 80$' -- od -An -tx1 -j16 -N4 "$tmp/c.png"   # IHDR: 1920 pixels wide
expect 0 "^saved $tmp/run/curves\.svg$" -- "$rnnc" plot "$tmp/run/metrics.jsonl"
# [train] tensorboard: one event file a run, in a folder made for it
expect 0 'epoch 1/1' -- "$rnnc" train "$tmp/t.ini" --set train.epochs=1 --threads 1 --quiet --set train.output="$tmp/tbrun" --set train.tensorboard="$tmp/tb/a"
expect 0 '^events\.out\.tfevents\.[0-9]{10}\.[A-Za-z0-9._-]+$' -- ls "$tmp/tb/a"
expect 0 'brain\.Event:2' -- sh -c "cat '$tmp/tb/a'/events.out.tfevents.*"
expect 0 'epoch/val_accuracy' -- sh -c "cat '$tmp/tb/a'/events.out.tfevents.*"
expect 2 'already finished epoch 3 of 3' -- "$rnnc" train "$tmp/t.ini" --set train.epochs=3 --resume "$tmp/run/checkpoint.safetensors"
expect 0 'test\.tsv\.gz: 1000 examples' -- "$rnnc" eval "$tmp/run/model.safetensors"
expect 0 'accuracy 0\.[0-9]+ +precision' -- "$rnnc" eval "$tmp/run/model.safetensors" data/imdb-sample/test.tsv.gz
# [data] test_split: a stratified, seeded test set held out of the training file before the
# validation split; eval without DATA re-makes it from the file with the stored fraction and seed.
grep -v '^test = ' "$tmp/t.ini" > "$tmp/ts.ini"
expect 0 'data: test_split 0\.25 of data/imdb-sample/train\.tsv\.gz \(seed 1\): 1000 test examples, 2 labels in them' -- "$rnnc" train "$tmp/ts.ini" --set data.test_split=0.25 --set train.epochs=1 --set train.output="$tmp/tsrun" --threads 1
"$rnnc" train "$tmp/ts.ini" --set data.test_split=0.25 --set train.epochs=1 --set train.output="$tmp/tsrun" --threads 1 2> /dev/null | sed -n 's/^test: \([0-9]*\) examples  \(loss .*\)$/\1 \2/p' > "$tmp/ts-train.txt"
"$rnnc" eval "$tmp/tsrun/model.safetensors" 2> /dev/null | awk '/ examples$/ { n = $(NF-1) } /^loss / { print n " " $0 }' > "$tmp/ts-eval.txt"
if [ -s "$tmp/ts-train.txt" ] && cmp -s "$tmp/ts-train.txt" "$tmp/ts-eval.txt"; then
    echo "ok   eval without DATA re-makes the test_split set: $(cat "$tmp/ts-eval.txt")"
    pass=$((pass + 1))
else
    echo "FAIL eval's test set differs from training's: '$(cat "$tmp/ts-train.txt")' vs '$(cat "$tmp/ts-eval.txt")'"
    fail=$((fail + 1))
fi
expect 0 'its test_split 0\.25 \(seed 1\) re-made as training made it' -- "$rnnc" eval "$tmp/tsrun/model.safetensors"
expect 0 'rnnc\.data\.test\.split_digest: 1000 examples #[0-9a-f]{16}' -- "$rnnc" inspect "$tmp/tsrun/model.safetensors"
expect 0 'data: test_split 0\.25 of .*\(seed 5\)' -- "$rnnc" train "$tmp/ts.ini" --set data.test_split=0.25 --set data.test_seed=5 --set train.epochs=1 --set train.output="$tmp/tsrun5" --threads 1
expect 2 "t\.ini: \[data\] gives both test and test_split; choose one" -- "$rnnc" train "$tmp/t.ini" --set data.test_split=0.2
expect 0 '^(pos|neg)	0\.[0-9]{4}$' -- "$rnnc" predict "$tmp/run/model.safetensors" "A wonderful film."
expect 0 '^neg:0\.[0-9]{4}	pos:0\.[0-9]{4}$' -- "$rnnc" predict "$tmp/run/model.safetensors" --all "Dull."
expect 0 '^(pos|neg)	0\.[0-9]+$' -- sh -c "printf 'great\nbad\n' | '$rnnc' predict '$tmp/run/model.safetensors' - | sed -n 2p"
expect 2 "rnnc predict: unknown option '-awful'" -- "$rnnc" predict "$tmp/run/model.safetensors" -awful
expect 0 '^(pos|neg)	0\.[0-9]{4}$' -- "$rnnc" predict "$tmp/run/model.safetensors" -- -awful
expect 0 'rnnc\.vocab: 500 tokens' -- "$rnnc" inspect "$tmp/run/model.safetensors"
expect 0 '^ +0 +embedding ' -- "$rnnc" inspect "$tmp/run/model.safetensors"
expect 0 'gru\.weight_ih_l0 +F32 +\(24, 8\) +192' -- "$rnnc" inspect "$tmp/run/model.safetensors"
expect 0 'rnnc\.labels:' -- "$rnnc" inspect "$tmp/run/model.safetensors"
expect 0 'maxlen=40' -- "$rnnc" inspect "$tmp/run/model.safetensors"
# bad input: clear messages, exit 2 (or 1 for I/O), nothing overwritten
cp "$tmp/run/model.safetensors" "$tmp/keep.safetensors"
sed 's/^epochs/epoch/' "$tmp/t.ini" > "$tmp/u.ini"
expect 2 "u\.ini:[0-9]+: unknown key 'epoch' in \[train\]" -- "$rnnc" train "$tmp/u.ini"
expect 2 'no \[lstm\] section' -- "$rnnc" train "$tmp/t.ini" --set lstm.hidden=3
expect 2 'vocab = 500 is smaller than the vocabulary' -- "$rnnc" train "$tmp/t.ini" --set data.num_words=900
expect 1 'nope\.tsv\.gz' -- "$rnnc" train "$tmp/t.ini" --set data.train=nope.tsv.gz
expect 1 'epoch 1, batch [0-9]+ \(step [0-9]+\): (the loss is (NaN|infinite)|the gradient of [a-z_.0-9]+ is not finite) \(try a lower learning rate' -- "$rnnc" train "$tmp/t.ini" --set optimizer.lr=1e30 --set train.output="$tmp/nan"
expect 0 'epoch 2/2 ' -- "$rnnc" train "$tmp/t.ini" --set optimizer.lr=1e30 --set train.on_nonfinite=skip --set train.output="$tmp/nan"
expect 0 '"skipped":[1-9]' -- cat "$tmp/nan/metrics.jsonl"
expect 0 '"skipped":true' -- cat "$tmp/nan/steps.jsonl"
expect 0 '"step":1,"epoch":1,"batch":1,"loss":0\.[0-9]+,"grad_norm":[0-9.e+-]+,"lr":1e\+30,"skipped":false' -- head -1 "$tmp/nan/steps.jsonl"
expect 1 'missing\.safetensors: cannot open' -- "$rnnc" eval "$tmp/missing.safetensors"
printf 'not a model' > "$tmp/junk.safetensors"
expect 2 'junk\.safetensors' -- "$rnnc" predict "$tmp/junk.safetensors" "hi"
expect 2 'junk\.safetensors' -- "$rnnc" inspect "$tmp/junk.safetensors"
expect 0 '' -- cmp "$tmp/run/model.safetensors" "$tmp/keep.safetensors"

# one aclImdb folder serves as train (split train) and test (split test)
sed -e 's|^train = .*|train = tests/fixtures/text/aclImdb|' -e 's|^test = .*|test = tests/fixtures/text/aclImdb|' \
    -e 's|^validation_split = .*|validation_split = 0.5|' -e "s|^output = .*|output = $tmp/acl|" "$tmp/t.ini" > "$tmp/acl.ini"
expect 0 'test: 3 examples' -- "$rnnc" train "$tmp/acl.ini" --set train.epochs=1 --set train.batch_size=2
expect 0 'aclImdb: 3 examples' -- "$rnnc" eval "$tmp/acl/model.safetensors" tests/fixtures/text/aclImdb
expect 0 'aclImdb: 5 examples' -- "$rnnc" eval "$tmp/acl/model.safetensors" tests/fixtures/text/aclImdb --split train
expect 0 'aclImdb: 5 examples' -- "$rnnc" eval "$tmp/acl/model.safetensors" tests/fixtures/text/aclImdb --split=train
expect 2 'split must be train or test' -- "$rnnc" eval "$tmp/acl/model.safetensors" tests/fixtures/text/aclImdb --split dev

# multi-class: three labels from a CSV with a header, a softmax head of 3 units
awk 'BEGIN { srand(3); print "topic,text";
    split("goal match team striker", a, " "); split("vote senate law minister", b, " ");
    split("chip code software laptop", c, " "); split("the a of and to in it was", f, " ");
    for (i = 0; i < 300; i++) {
        k = i % 3; r = 1 + int(rand() * 4);
        w = k == 0 ? a[r] : k == 1 ? b[r] : c[r];
        t = ""; for (j = 0; j < 6; j++) t = t f[1 + int(rand() * 8)] " ";
        print (k == 0 ? "sports" : k == 1 ? "politics" : "tech") ",\"" t w " " f[1 + int(rand() * 8)] "\"" } }' > "$tmp/topics.csv"
cat > "$tmp/mc.ini" <<EOF
[data]
train = $tmp/topics.csv
test = $tmp/topics.csv
label_column = topic
text_column = text
validation_split = 0.2
num_words = 100
maxlen = 12
padding = post
use_lengths = true
[embedding]
vocab = 100
dim = 8
[lstm]
hidden = 8
[dense]
units = 3
[train]
epochs = 25
batch_size = 16
output = $tmp/mc
[optimizer]
lr = 0.02
EOF
expect 0 'test: 300 examples .*accuracy (0\.9|1\.0)' -- "$rnnc" train "$tmp/mc.ini" --threads 1
expect 0 '^politics:0\.[0-9]{4}	sports:0\.[0-9]{4}	tech:0\.[0-9]{4}$' -- "$rnnc" predict "$tmp/mc/model.safetensors" --all "the senate vote"
expect 0 '^tech	' -- "$rnnc" predict "$tmp/mc/model.safetensors" "a laptop and the code"
expect 2 'the last \[dense\] layer has 1 units; 3 labels need one per label' -- "$rnnc" train "$tmp/mc.ini" --set dense.units=1

# ---- a language model: train on a small text, evaluate, generate (docs/lm.md) ----
for i in $(seq 1 40); do printf 'the cat sat on the mat . the dog sat on the log .\n'; done > "$tmp/lm.txt"
cat > "$tmp/lm.ini" <<EOF
[lm]
train = $tmp/lm.txt
validation_split = 0.1
level = word
bptt = 8
[embedding]
vocab = auto
dim = 16
[lstm]
hidden = 16
return_sequences = true
[dense]
units = auto
tie_weights = true
[train]
epochs = 15
batch_size = 4
output = $tmp/lm
[optimizer]
lr = 0.02
EOF
expect 0 'validation .*scored \(1 stream\)  loss 0\.[0-5][0-9]* nats/token  perplexity 1\.[0-9]' -- "$rnnc" train "$tmp/lm.ini" --threads 1
expect 0 'tokens scored \(1 stream\)  loss 0\.[0-5]' -- "$rnnc" eval "$tmp/lm/model.safetensors" "$tmp/lm.txt"
expect 0 'tokens scored \(3 streams\)' -- "$rnnc" eval "$tmp/lm/model.safetensors" "$tmp/lm.txt" --batch-size 3
expect 0 '^the cat sat on the mat \. the dog sat on the log' -- "$rnnc" generate "$tmp/lm/model.safetensors" --prime "the cat" --temperature 0 --length 12
g1=$("$rnnc" generate "$tmp/lm/model.safetensors" --prime the --length 30 --seed 4 --top-p 0.9 2>&1)
g2=$("$rnnc" generate "$tmp/lm/model.safetensors" --prime the --length 30 --seed 4 --top-p 0.9 2>&1)
if [ -n "$g1" ] && [ "$g1" = "$g2" ]; then
    echo "ok   generate: the same seed gives the same text"
    pass=$((pass + 1))
else
    echo "FAIL generate: the same seed gave '$g1' and '$g2'"
    fail=$((fail + 1))
fi
expect 0 'usage: rnnc generate' -- "$rnnc" generate --help
# ---- a translator: train on a tiny TSV, evaluate its test part and a file (docs/translate.md) ----
for i in 1 2 3; do
    printf 'I am cold.\tJ ai froid.\nHe is tall.\tIl est grand.\nShe is happy.\tElle est heureuse.\n'
    printf 'We are here.\tNous sommes ici.\nThey are sad.\tIls sont tristes.\nYou are late.\tTu es en retard.\n'
done > "$tmp/tr.tsv"
cat > "$tmp/tr.ini" <<EOF
[translate]
data = $tmp/tr.tsv
validation_split = 0.2
test_split = 0.2
split_seed = 3
label_smoothing = 0.1
[embedding]
vocab = auto
dim = 8
[lstm]
hidden = 8
bidirectional = true
return_sequences = true
[decoder]
vocab = auto
dim = 8
hidden = 16
[train]
epochs = 3
batch_size = 4
output = $tmp/tr
EOF
expect 0 'test .*tr\.tsv: [0-9]+ pairs, [0-9]+ target tokens  loss [0-9.]+ nats/token  perplexity [0-9.]+  token accuracy [01]\.[0-9]{4}' -- "$rnnc" train "$tmp/tr.ini" --threads 1
expect 0 'epoch 3/3  loss [0-9.]+  accuracy [01]\.[0-9]{4}  val_loss [0-9.]+ \(ppl [0-9.]+\)  val_accuracy [01]\.[0-9]{4}' -- "$rnnc" train "$tmp/tr.ini" --threads 1 --set train.output="$tmp/tr2"
expect 0 'tr\.tsv \(test part\): [0-9]+ pairs' -- "$rnnc" eval "$tmp/tr/model.safetensors"
expect 0 'tr\.tsv: 18 pairs, 93 target tokens  loss' -- "$rnnc" eval "$tmp/tr/model.safetensors" "$tmp/tr.tsv"
expect 0 '^greedy: BLEU [0-9.]+  chrF [0-9.]+  \(beam 1' -- "$rnnc" eval "$tmp/tr/model.safetensors"
expect 0 '^beam 5: BLEU [0-9.]+  chrF [0-9.]+  \(length penalty 0\.6' -- "$rnnc" eval "$tmp/tr/model.safetensors"
expect 0 '^BLEU: nrefs:1.case:mixed.eff:no.tok:13a' -- "$rnnc" eval "$tmp/tr/model.safetensors"
expect 0 '.' -- "$rnnc" translate "$tmp/tr/model.safetensors" "I am cold."
expect 0 'decoded by beam search' -- "$rnnc" translate --help
if "$rnnc" translate "$tmp/tr/model.safetensors" "I am cold." --attention "$tmp/att.csv" --plot "$tmp/att.svg" > /dev/null 2>&1 &&
    head -n 1 "$tmp/att.csv" | grep -q '^output,"i","am","cold",".","<eos>"$' &&
    [ "$(tail -n 1 "$tmp/att.csv" | cut -d, -f1)" = '"<eos>"' ] && grep -q '<svg' "$tmp/att.svg"; then
    echo "ok   rnnc translate --attention: a row per output token over the source's tokens; --plot draws it"
    pass=$((pass + 1))
else
    echo "FAIL rnnc translate --attention / --plot: $(head -n 2 "$tmp/att.csv" 2>&1)"
    fail=$((fail + 1))
fi
printf 'He is tall.\n\nYou are late.\n' > "$tmp/tr-in.txt"
out=$("$rnnc" translate --beam 1 "$tmp/tr/model.safetensors" "$tmp/tr-in.txt" 2>&1)
if [ "$(printf '%s\n' "$out" | wc -l)" = 3 ] && [ -z "$(printf '%s\n' "$out" | sed -n 2p)" ]; then
    echo "ok   rnnc translate FILE: one output line per input line, an empty one for an empty one"
    pass=$((pass + 1))
else
    echo "FAIL rnnc translate FILE: 3 lines wanted, the second empty: $out"
    fail=$((fail + 1))
fi
out2=$("$rnnc" translate --beam 1 "$tmp/tr/model.safetensors" - < "$tmp/tr-in.txt" 2>&1)
if [ "$out2" = "$out" ]; then
    echo "ok   rnnc translate -: standard input gives what the file gives"
    pass=$((pass + 1))
else
    echo "FAIL rnnc translate -: $out2"
    fail=$((fail + 1))
fi
expect 0 'A file with a \[translate\] section trains a translator' -- "$rnnc" train --help
expect 0 "For a translator's file" -- "$rnnc" eval --help
# A word model reads a prime word outside its vocabulary as <unk>, says so on standard error,
# echoes the prime as given and goes on.
expect 0 "notice: --prime: 1 word of the prime is not in the model's vocabulary, read as <unk>: 'zebra'\$" -- "$rnnc" generate "$tmp/lm/model.safetensors" --prime "the zebra" --length 3
expect 0 "notice: --prime: 4 words of the prime are not in the model's vocabulary, read as <unk>: 'zebra', 'gnu', 'yak', \.\.\.\$" -- "$rnnc" generate "$tmp/lm/model.safetensors" --prime "the zebra gnu yak cat emu" --length 3
expect 0 '^the zebra [a-z.]' -- sh -c '"$0" generate "$1" --prime "the zebra" --length 3 2> /dev/null' "$rnnc" "$tmp/lm/model.safetensors"
expect 2 "--top-p '2': expected a number in" -- "$rnnc" generate "$tmp/lm/model.safetensors" --top-p 2
expect 2 'a language model needs a text FILE' -- "$rnnc" eval "$tmp/lm/model.safetensors"
expect 2 'not a language model' -- "$rnnc" generate "$tmp/mc/model.safetensors"

# ---- fine-tuning (docs/finetune.md): a word LM on review text, then a classifier from it ----
zcat data/imdb-sample/train.tsv.gz | head -n 300 > "$tmp/reviews.tsv"
cat > "$tmp/plm.ini" <<EOF
[lm]
train = $tmp/reviews.tsv
format = imdb-tsv
validation_split = 0.1
level = word
lowercase = true
strip_html = true
split_punct = true
num_words = 400
bptt = 10
[embedding]
vocab = auto
dim = 8
[lstm]
hidden = 8
return_sequences = true
[dense]
units = auto
[train]
epochs = 1
batch_size = 8
output = $tmp/plm
EOF
expect 0 'data: .*reviews\.tsv: [0-9]+ training tokens.*vocabulary 400 \(word level\)' -- "$rnnc" train "$tmp/plm.ini" --threads 1 --quiet
cat > "$tmp/ft.ini" <<EOF
[data]
train = $tmp/reviews.tsv
test = data/imdb-sample/test.tsv.gz
maxlen = 40
padding = post
use_lengths = true
add_start = false
[embedding]
vocab = auto
dim = 8
[lstm]
hidden = 8
[dense]
units = 1
[train]
epochs = 3
batch_size = 16
output = $tmp/ft
[schedule]
name = slanted_triangular
per_batch = true
[finetune]
unfreeze_every = 1
lr_decay = 2.6
l2sp = 0.01
EOF
expect 0 'usage: rnnc finetune' -- "$rnnc" finetune --help
ftrun=("$rnnc" finetune "$tmp/plm/model.safetensors" "$tmp/ft.ini" --threads 1 --quiet)
expect 0 'pretrained .*plm/model\.safetensors \(language model, vocabulary 400\)' -- "${ftrun[@]}"
expect 0 'loaded +embedding\.weight' -- "${ftrun[@]}"
expect 0 'reinit +dense\.weight  \(the new task head\)' -- "${ftrun[@]}"
expect 0 '5 loaded, 0 mapped, 0 new, 2 re-initialised, 0 dropped' -- "${ftrun[@]}"
expect 0 'layers:  embedding \(from epoch 3\) lr x0\.148  lstm \(from epoch 2\) lr x0\.385  dense lr x1; L2-SP 0\.01' -- "${ftrun[@]}"
expect 0 '^test: 1000 examples  loss' -- "${ftrun[@]}"
expect 0 '^(pos|neg)	0\.[0-9]{4}$' -- "$rnnc" predict "$tmp/ft/model.safetensors" "A wonderful film."
expect 0 'rnnc\.data\.pretrained' -- "$rnnc" inspect "$tmp/ft/model.safetensors"
# vocab = data: the classifier's own vocabulary, the pretrained rows carried over by token
expect 0 'mapped +embedding\.weight  \([0-9]+ of 300 rows carried over by token\)' -- "${ftrun[@]}" --set finetune.vocab=data --set data.num_words=300 --set embedding.vocab=300
# continued pretraining: the language model on new text, with a vocabulary of its own
expect 0 'mapped +dense\.weight  \([0-9]+ of 200 rows carried over by token\)' -- "$rnnc" finetune "$tmp/plm/model.safetensors" "$tmp/plm.ini" --threads 1 --quiet --set finetune.vocab=data --set lm.num_words=200 --set train.output="$tmp/plm2"
expect 0 'validation .*perplexity' -- "$rnnc" finetune "$tmp/plm/model.safetensors" "$tmp/plm.ini" --threads 1 --quiet --set train.output="$tmp/plm3"
# a forecaster pretrained on one series, fine-tuned on another with a longer horizon
awk 'BEGIN { print "t,v"; for (i = 0; i < 80; i++) printf "%d,%g\n", i, 10 + (i % 12) + 0.1 * i }' > "$tmp/s1.csv"
awk 'BEGIN { print "t,v"; for (i = 0; i < 80; i++) printf "%d,%g\n", i, 50 - (i % 7) }' > "$tmp/s2.csv"
cat > "$tmp/fc.ini" <<EOF
[forecast]
data = $tmp/s1.csv
lookback = 8
horizon = 2
[lstm]
hidden = 6
[train]
epochs = 2
output = $tmp/fc1
EOF
expect 0 'saved .*fc1/model\.safetensors' -- "$rnnc" train "$tmp/fc.ini" --threads 1 --quiet
fcrun=("$rnnc" finetune "$tmp/fc1/model.safetensors" "$tmp/fc.ini" --threads 1 --quiet --set forecast.data="$tmp/s2.csv" --set forecast.horizon=3 --set train.output="$tmp/fc2")
expect 2 "'head\.weight' is \(2, 6\), the model needs \(3, 6\)" -- "${fcrun[@]}"
expect 0 'reinit +head\.weight  \(the new task head\)' -- "${fcrun[@]}" --set finetune.head=new --set finetune.freeze=lstm

# rnnc bleu: sacreBLEU 2.6.0's own lines for these files (`sacrebleu ref.txt -i hyp.txt -m bleu chrf
# -f text -w 4`): French with U+2019 and U+202F, numbers, an empty hypothesis, a shorter corpus
printf 'Le chat est assis sur le tapis.\nC\xe2\x80\x99est l\xe2\x80\x99\xc3\xa9t\xc3\xa9, vraiment\xe2\x80\xaf?\nIl a pay\xc3\xa9 1,000.50 dollars.\n\n' >"$tmp/hyp.txt"
printf 'Le chat est assis sur le tapis rouge.\nC\xe2\x80\x99est l\xe2\x80\x99\xc3\xa9t\xc3\xa9, non\xe2\x80\xaf?\nIl a pay\xc3\xa9 1,000.50 dollars hier.\nRien.\n' >"$tmp/ref.txt"
expect 0 '^BLEU\|nrefs:1\|case:mixed\|eff:no\|tok:13a\|smooth:exp\|version:2\.6\.0 = 59\.7141 94\.7/75\.0/69\.2/60\.0 \(BP = 0\.810 ratio = 0\.826 hyp_len = 19 ref_len = 23\)$' -- "$rnnc" bleu --width 4 "$tmp/hyp.txt" "$tmp/ref.txt"
expect 0 '^chrF2\|nrefs:1\|case:mixed\|eff:yes\|nc:6\|nw:0\|space:no\|version:2\.6\.0 = 76\.1968$' -- "$rnnc" bleu --width 4 "$tmp/hyp.txt" "$tmp/ref.txt"
expect 0 '= 59\.7 94\.7/75\.0' -- "$rnnc" bleu "$tmp/hyp.txt" "$tmp/ref.txt"
gzip -c "$tmp/hyp.txt" >"$tmp/hyp.txt.gz"
expect 0 '= 59\.7141 ' -- "$rnnc" bleu --width 4 "$tmp/hyp.txt.gz" "$tmp/ref.txt"
expect 2 'usage: rnnc bleu HYP REF' -- "$rnnc" bleu "$tmp/hyp.txt"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
