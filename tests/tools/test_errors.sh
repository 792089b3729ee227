#!/usr/bin/env bash
# The bad-input matrix of docs/errors.md, through the command-line tool: for each row, the exit
# status (2 bad input or usage, 1 a runtime or I/O failure), a message that names the file and the
# place, and that the files of an earlier good run are unchanged with no temporary file left
# behind. Every input is made here in a temporary folder (no Python). Run by `make check`, which
# names the build folder in RNNC_BUILD; prints one line per check and "N passed, N failed".
set -u
rnnc=${RNNC_BUILD:-build}/rnnc
# Under AddressSanitizer an impossible allocation must return NULL, as malloc does, instead of
# aborting: the "overflow" rows check that rnnc reports it.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}allocator_may_return_null=1
pass=0
fail=0
tmp=$(mktemp -d)
mnt=""
cleanup() {
    [ -n "$mnt" ] && umount "$mnt" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

ok() {
    echo "ok   $1"
    pass=$((pass + 1))
}
bad() {
    echo "FAIL $1"
    shift
    for l in "$@"; do printf '     %s\n' "$l"; done
    fail=$((fail + 1))
}

# Files of the good run that no failing command may change, and their copies.
damaged() {
    local f out=""
    for f in $(ls "$tmp/keep"); do
        cmp -s "$tmp/keep/$f" "$tmp/run/$f" || out="$out $f"
    done
    printf '%s' "$out"
}
leftovers() { find "$tmp" -name '*.tmp.*' | head -n 3 | tr '\n' ' '; }

# row NAME CODE PATTERN -- COMMAND...: exit status CODE, PATTERN (grep -E) in stdout+stderr, the
# guarded run unchanged and no temporary file anywhere under $tmp.
row() {
    local name=$1 code=$2 pattern=$3
    shift 4
    local out rc dmg left
    out=$("$@" 2>&1)
    rc=$?
    dmg=$(damaged)
    left=$(leftovers)
    if [ "$rc" -eq "$code" ] && printf '%s\n' "$out" | grep -aqE -- "$pattern" && [ -z "$dmg" ] &&
        [ -z "$left" ]; then
        ok "[$name] ${*##*/} -> $code /$pattern/"
    else
        bad "[$name] $* -> exit $rc, wanted $code /$pattern/" \
            ${dmg:+"changed:$dmg"} ${left:+"left behind: $left"} \
            "$(printf '%s\n' "$out" | tail -n 4)"
    fi
    # Each row starts from the good run again, so one failure does not spill into the next.
    find "$tmp" -name '*.tmp.*' -delete
    cp "$tmp/keep"/* "$tmp/run/"
}

# ---- helpers to edit a safetensors header without Python ----
# The JSON header of a safetensors file.
st_header() {
    local n
    n=$(od -An -tu8 -N8 "$1" | tr -d ' ')
    tail -c +9 "$1" | head -c "$n"
}
# n as 8 bytes, little-endian.
le64() {
    local n=$1 i
    for i in 0 1 2 3 4 5 6 7; do
        printf "\\$(printf %03o $(((n >> (8 * i)) & 255)))"
    done
}
# st_edit IN OUT SED-SCRIPT: OUT is IN with its header edited by sed and the length rewritten.
st_edit() {
    local n h
    n=$(od -An -tu8 -N8 "$1" | tr -d ' ')
    h=$(st_header "$1" | sed "$3")
    {
        le64 ${#h}
        printf '%s' "$h"
        tail -c +$((9 + n)) "$1"
    } > "$2"
}

# ---- a tiny good run: 40 two-word reviews, a GRU of 4 ----
awk 'BEGIN { print "label,text"
    for (i = 0; i < 40; i++) print (i % 2 ? "pos" : "neg") ",\"" (i % 2 ? "good fine great" : "bad awful poor") " movie " i "\"" }' > "$tmp/train.csv"
cat > "$tmp/t.ini" <<EOF
[data]
train = $tmp/train.csv
test = $tmp/train.csv
label_column = label
text_column = text
num_words = 30
maxlen = 8
[embedding]
vocab = 30
dim = 4
[gru]
hidden = 4
[dense]
units = 1
[train]
epochs = 2
batch_size = 8
output = $tmp/run
EOF
if ! "$rnnc" train "$tmp/t.ini" --quiet --threads 1 > "$tmp/good.log" 2>&1; then
    bad "the good run" "$(tail -n 3 "$tmp/good.log")"
    echo "$pass passed, $fail failed"
    exit 1
fi
mkdir "$tmp/keep"
cp "$tmp/run"/* "$tmp/keep/"
model=$tmp/keep/model.safetensors
T="$rnnc train $tmp/t.ini --threads 1 --quiet"
E="--label-column label --text-column text"

# ---- empty files ----
: > "$tmp/empty.safetensors"
: > "$tmp/empty.ini"
: > "$tmp/empty.csv"
row empty-model 2 'empty\.safetensors: 0 bytes is too short' -- "$rnnc" inspect "$tmp/empty.safetensors"
row empty-model 2 'empty\.safetensors: 0 bytes is too short' -- "$rnnc" predict "$tmp/empty.safetensors" hi
row empty-model 2 'empty\.safetensors: 0 bytes is too short' -- "$rnnc" eval "$tmp/empty.safetensors"
row empty-model 2 'empty\.safetensors: 0 bytes is too short' -- $T --resume "$tmp/empty.safetensors"
row empty-training-file 2 'empty\.ini: no layers' -- "$rnnc" train "$tmp/empty.ini"
row empty-training-file 2 'empty\.ini: no layers' -- "$rnnc" summary "$tmp/empty.ini"
# A FIFO among an aclImdb folder's reviews would block the reader forever: refused, by name.
cp -r tests/fixtures/text/aclImdb "$tmp/aclfifo" && mkfifo "$tmp/aclfifo/test/pos/9_9.txt"
row fifo 2 'aclfifo/test/pos/9_9\.txt: not a regular file' -- timeout 30 "$rnnc" eval "$model" "$tmp/aclfifo"
# A UTF-8 byte order mark (Windows editors) before the first section is not text.
printf '\xef\xbb\xbf[model]\ninput_size = 2\n[lstm]\nhidden = 3\n' > "$tmp/bom-model.ini"
row bom 0 'total +84' -- "$rnnc" summary "$tmp/bom-model.ini"
{ printf '\xef\xbb\xbf'; cat "$tmp/t.ini"; } > "$tmp/bom-train.ini"
row bom 0 'test: 40 examples' -- "$rnnc" train "$tmp/bom-train.ini" --threads 1 --quiet --set train.output="$tmp/bomrun"
row aclimdb-not-archive 2 'train\.tsv\.gz: not an aclImdb archive \(a tar, maybe compressed\) or folder' -- $T --set data.format=aclimdb --set data.train=data/imdb-sample/train.tsv.gz --set data.label_column= --set data.text_column=
# ---- bombs and read limits: readers stream, and stop at a limit in bounded memory ----
# A 19 MB gzip CSV that expands to 3.2 GB (one 64 MiB member of lines, 48 times) and a 1.4 MB
# aclImdb tar.gz with twenty 16 MB reviews (a header and a body gzip member each) stop at the
# default 256 MiB text limit, under a 500 MB address-space limit (ulimit -v), so peak RSS is too.
# Under the sanitizers (RNNC_SAN, make SAN=...) the address space holds their shadow memory, so no
# ulimit -v can apply: the rows still check the exit status and message, the plain build the bound.
bounded() {
    if [ -n "${RNNC_SAN:-}" ]; then "$@"; else bash -c 'ulimit -v 500000 && exec "$@"' bounded "$@"; fi
}
line=$(printf 'x%.0s' $(seq 1000))
{ printf 'label,text\n' | gzip; yes "pos,$line" | head -c 67108864 | gzip -1 > "$tmp/m.gz"
  for i in $(seq 48); do cat "$tmp/m.gz"; done; } > "$tmp/bomb.csv.gz"
rm -f "$tmp/m.gz"
row gzip-bomb 2 'bomb\.csv\.gz: more than 268435456 bytes of text \(the text limit\); .*max_text_bytes' -- bounded $T --set data.train="$tmp/bomb.csv.gz"
mkdir -p "$tmp/ab/aclImdb/train/pos"
head -c 16000000 /dev/zero | tr '\0' x > "$tmp/ab/aclImdb/train/pos/1_1.txt"
tar -C "$tmp/ab" -cf "$tmp/one.tar" aclImdb/train/pos/1_1.txt
head -c 512 "$tmp/one.tar" | gzip > "$tmp/h.gz"
tail -c +513 "$tmp/one.tar" | head -c 16000000 | gzip -1 > "$tmp/body.gz"
{ for i in $(seq 20); do cat "$tmp/h.gz" "$tmp/body.gz"; done; head -c 1024 /dev/zero | gzip; } > "$tmp/bomb.tar.gz"
rm -rf "$tmp/ab" "$tmp/one.tar" "$tmp/h.gz" "$tmp/body.gz"
row archive-bomb 2 'bomb\.tar\.gz: more than 268435456 bytes of text \(the text limit\)' -- bounded $T --set data.format=aclimdb --set data.train="$tmp/bomb.tar.gz" --set data.label_column= --set data.text_column=
row archive-bomb 2 'bomb\.tar\.gz: more than 5 files or archive members \(the member limit\); .*max_members' -- $T --set data.format=aclimdb --set data.train="$tmp/bomb.tar.gz" --set data.label_column= --set data.text_column= --set data.max_members=5
row read-limits 2 'train\.csv: more than 10 records \(the record limit\); .*max_records' -- $T --set data.max_records=10
row read-limits 2 'train\.csv: more than 100 bytes read after decompression \(the read limit\); .*max_read_bytes' -- $T --set data.max_read_bytes=100
row read-limits 2 "max_text_bytes = '-1': expected an integer >= 0" -- $T --set data.max_text_bytes=-1
rm -f "$tmp/bomb.csv.gz" "$tmp/bomb.tar.gz"
# eval takes the read limits as options
row read-limits 2 'train\.csv: more than 10 records \(the record limit\)' -- "$rnnc" eval "$model" "$tmp/train.csv" $E --max-records 10
row read-limits 0 '40 examples' -- "$rnnc" eval "$model" "$tmp/train.csv" $E --max-records 40
# predict's standard input is read a line at a time, each at most a document's 16 MiB
row read-limits 2 'standard input:2: line longer than 16777216 bytes' -- bash -c "{ echo fine; head -c 20000000 /dev/zero | tr '\\0' a; } | '$rnnc' predict '$model'"
# Memory that cannot be had (a 100 MB address space for a GRU of 2048) is an error at once.
if [ -z "${RNNC_SAN:-}" ]; then
    row alloc-limit 1 'cannot allocate [0-9]+ bytes' -- timeout 60 bash -c 'ulimit -v 100000 && exec "$@"' bounded $T --set gru.hidden=2048 --set embedding.dim=512
else
    echo "note: row alloc-limit needs an address-space limit, which the sanitizers' shadow memory rules out; not run in this build"
fi
# Bytes after gzip data (a second gzip member is fine, as for gzip -d) and gzip data cut short.
gzip -c "$tmp/train.csv" > "$tmp/tail.csv.gz"
cp "$tmp/tail.csv.gz" "$tmp/cut.csv.gz" && truncate -s -20 "$tmp/cut.csv.gz"
gsize=$(wc -c < "$tmp/tail.csv.gz")
echo 'appended text' >> "$tmp/tail.csv.gz"
row gzip-trailing 2 "tail\.csv\.gz: other bytes follow the gzip data at byte $gsize" -- "$rnnc" eval "$model" "$tmp/tail.csv.gz" $E
row gzip-trailing 2 "tail\.csv\.gz: other bytes follow the gzip data at byte $gsize" -- $T --set data.train="$tmp/tail.csv.gz"
row gzip-trailing 2 'cut\.csv\.gz: gzip data cut short' -- "$rnnc" eval "$model" "$tmp/cut.csv.gz" $E
{ gzip -c "$tmp/train.csv"; tail -n +2 "$tmp/train.csv" | gzip -c; } > "$tmp/two.csv.gz"
row gzip-trailing 0 '80 examples' -- "$rnnc" eval "$model" "$tmp/two.csv.gz" $E
# Messages about a --set name the override, and lines an override adds do not shift the file's
# line numbers in messages.
sed 's/^epochs = .*/epochs = bad/' "$tmp/t.ini" > "$tmp/badep.ini"
epl=$(grep -n '^epochs = bad' "$tmp/badep.ini" | cut -d: -f1)
row set-line 2 "badep\.ini:$epl: \[train\] epochs = 'bad'" -- "$rnnc" train "$tmp/badep.ini" --set data.subset=10 --set data.min_freq=1 --set embedding.padding_idx=0
row set-line 2 "--set train.batch_size=x: \[train\] batch_size = 'x': expected an integer" -- $T --set data.subset=10 --set train.batch_size=x
row set-line 2 "--set gru.hiden=3: unknown key 'hiden' in \[gru\]" -- $T --set gru.hiden=3
row num-words 2 'num_words must be 0 \(no limit\) or >= 4, got 3' -- $T --set data.num_words=3
row empty-data 2 'empty\.csv: empty data set' -- $T --set data.train="$tmp/empty.csv"
row empty-data 2 'empty\.csv: empty data set' -- $T --set data.test="$tmp/empty.csv"
row empty-data 2 'empty\.csv: empty data set' -- "$rnnc" eval "$model" "$tmp/empty.csv"
printf 'label,text\n' > "$tmp/header-only.csv"
row empty-data 2 'header-only\.csv: empty data set' -- "$rnnc" eval "$model" "$tmp/header-only.csv" $E

# ---- truncated model files and header lengths ----
hlen=$(od -An -tu8 -N8 "$model" | tr -d ' ')
size=$(wc -c < "$model")
head -c $((hlen / 2)) "$model" > "$tmp/cut-header.safetensors"
head -c $((size - 100)) "$model" > "$tmp/cut-data.safetensors"
head -c 5 "$model" > "$tmp/cut-5.safetensors"
row truncated-model 2 "cut-header\.safetensors: header length $hlen is larger than the $((hlen / 2 - 8)) bytes after it \(truncated file\?\)" -- "$rnnc" inspect "$tmp/cut-header.safetensors"
row truncated-model 2 "cut-data\.safetensors: tensor '[a-z_.0-9]+': data_offsets \[[0-9]+, [0-9]+\] reach past the data" -- "$rnnc" predict "$tmp/cut-data.safetensors" hi
row truncated-model 2 'cut-5\.safetensors: 5 bytes is too short' -- "$rnnc" eval "$tmp/cut-5.safetensors"
{ le64 4096; tail -c +9 "$model"; } > "$tmp/hlen-4096.safetensors"
{ le64 $((1 << 62)); tail -c +9 "$model"; } > "$tmp/hlen-huge.safetensors"
{ printf '\377\377\377\377\377\377\377\377'; tail -c +9 "$model"; } > "$tmp/hlen-max.safetensors"
row header-past-eof 2 "hlen-4096\.safetensors: header length 4096 is larger than the $((size - 8)) bytes after it" -- "$rnnc" inspect "$tmp/hlen-4096.safetensors"
row header-past-eof 2 'hlen-huge\.safetensors: header length 4611686018427387904 is larger than the limit of 67108864 bytes' -- "$rnnc" predict "$tmp/hlen-huge.safetensors" hi
row header-past-eof 2 'hlen-max\.safetensors: header length 18446744073709551615 is larger than the limit' -- "$rnnc" eval "$tmp/hlen-max.safetensors"

# ---- dtypes ----
st_edit "$model" "$tmp/i32.safetensors" 's/"dense\.bias":{"dtype":"F32"/"dense.bias":{"dtype":"I32"/'
st_edit "$model" "$tmp/f8.safetensors" 's/"dense\.bias":{"dtype":"F32"/"dense.bias":{"dtype":"F8_E4M3"/'
row wrong-dtype 2 "i32\.safetensors: tensor 'dense\.bias' has dtype I32; parameters must be F32 or F64" -- "$rnnc" inspect "$tmp/i32.safetensors"
row wrong-dtype 2 "f8\.safetensors: tensor 'dense\.bias': dtype 'F8_E4M3' is not supported" -- "$rnnc" predict "$tmp/f8.safetensors" hi

# ---- tensor shapes that disagree with the config ----
st_edit "$model" "$tmp/shape.safetensors" 's/"shape":\[30,4\]/"shape":[40,3]/'
st_edit "$model" "$tmp/hidden5.safetensors" 's/\\n\[gru\]\\nhidden = 4/\\n[gru]\\nhidden = 5/'
st_edit "$model" "$tmp/bytes.safetensors" 's/"shape":\[30,4\]/"shape":[30,5]/'
row shape-vs-config 2 "shape\.safetensors: tensor 'embedding\.weight' has shape \(40, 3\), but the model needs \(30, 4\)" -- "$rnnc" inspect "$tmp/shape.safetensors"
row shape-vs-config 2 "hidden5\.safetensors: tensor 'gru\.weight_ih_l0' has shape \(12, 4\), but the model needs \(15, 4\)" -- "$rnnc" eval "$tmp/hidden5.safetensors"
row shape-vs-config 2 "bytes\.safetensors: tensor 'embedding\.weight': data_offsets \[0, 480\] hold 480 bytes, but dtype F32 and shape need 600" -- "$rnnc" predict "$tmp/bytes.safetensors" hi

# ---- dimension products that overflow or are absurd ----
st_edit "$model" "$tmp/overflow.safetensors" 's/"shape":\[30,4\]/"shape":[4611686018427387904,4]/'
row overflow 2 "overflow\.safetensors: tensor 'embedding\.weight': shape's element count overflows" -- "$rnnc" inspect "$tmp/overflow.safetensors"
printf '[embedding]\nvocab = 99999999999\ndim = 4\n[lstm]\nhidden = 4\n' > "$tmp/huge-int.ini"
row overflow 2 "huge-int\.ini:2: vocab = '99999999999': expected an integer in \[-1, 1073741824\]" -- "$rnnc" summary "$tmp/huge-int.ini"
row overflow 2 "t\.ini: layer 0 \(embedding\): vocab = 200000000 is outside \[1, 16777216\]" -- $T --set embedding.vocab=200000000 --set embedding.dim=200000000
row overflow 2 "t\.ini: layer 1 \(gru\): hidden = 1000000000 is outside \[1, 16777216\]" -- $T --set gru.hidden=1000000000
printf '[embedding]\nvocab = 16777216\ndim = 16777216\n[lstm]\nhidden = 16777216\n[dense]\nunits = 16777216\n' > "$tmp/absurd.ini"
row overflow 1 'absurd\.ini: parameter arena: cannot allocate [0-9]+ bytes' -- "$rnnc" summary "$tmp/absurd.ini"
row overflow 1 't\.ini: parameter arena: cannot allocate [0-9]+ bytes' -- $T --set embedding.vocab=16777216 --set embedding.dim=16777216 --set data.num_words=0

# ---- unknown or missing config keys ----
printf '[lstm]\nhidden = 4\ncolour = red\n' > "$tmp/unknown-key.ini"
printf '[lstm]\nlayers = 2\n' > "$tmp/no-hidden.ini"
printf '[bogus]\nx = 1\n' > "$tmp/unknown-section.ini"
grep -v '^train = ' "$tmp/t.ini" > "$tmp/no-train.ini"
row config-keys 2 "unknown-key\.ini:3: unknown key 'colour' in \[lstm\]" -- "$rnnc" summary "$tmp/unknown-key.ini"
row config-keys 2 "no-hidden\.ini:1: this section needs 'hidden = \.\.\.'" -- "$rnnc" summary "$tmp/no-hidden.ini"
row config-keys 2 'unknown-section\.ini:1: unknown section \[bogus\]' -- "$rnnc" summary "$tmp/unknown-section.ini"
row config-keys 2 "--set data.colour=red: unknown key 'colour' in \[data\]" -- $T --set data.colour=red
row config-keys 2 "no-train\.ini: \[data\] needs 'train = PATH'" -- "$rnnc" train "$tmp/no-train.ini"
st_edit "$model" "$tmp/layerz.safetensors" 's/layers = 1/layerz = 1/'
st_edit "$model" "$tmp/nohidden.safetensors" 's/\\nhidden = 4\\n/\\n/'
st_edit "$model" "$tmp/nolabels.safetensors" 's/"rnnc\.labels":"neg\\npos",//'
row config-keys 2 "layerz\.safetensors \(metadata rnnc\.config\):[0-9]+: unknown key 'layerz' in \[gru\]" -- "$rnnc" inspect "$tmp/layerz.safetensors"
row config-keys 2 "nohidden\.safetensors \(metadata rnnc\.config\):[0-9]+: this section needs 'hidden" -- "$rnnc" predict "$tmp/nohidden.safetensors" hi
row config-keys 2 'nolabels\.safetensors: metadata rnnc\.labels is missing' -- "$rnnc" predict "$tmp/nolabels.safetensors" hi

# ---- augmentation rates outside [0, 1): the key, file and line named; a good rate trains ----
row augment 2 "--set data\.augment_drop=1: \[data\] augment_drop = '1': expected a number in \[0, 1\)" -- $T --set data.augment_drop=1
row augment 2 "--set data\.augment_oov=-0\.5: \[data\] augment_oov = '-0\.5': expected a number in \[0, 1\)" -- $T --set data.augment_oov=-0.5
row augment 0 'test: 40 examples' -- $T --set data.augment_drop=0.1 --set data.augment_swap=0.1 --set data.augment_oov=0.1 --set train.output="$tmp/aug"

# ---- non-UTF-8 text: invalid bytes become U+FFFD tokens; nothing fails ----
{ cat "$tmp/train.csv"; printf 'pos,"\377\376 good \303 \355\240\200 great"\nneg,"\300\257 awful"\n'; } > "$tmp/latin.csv"
row non-utf8 0 'test: 40 examples' -- $T --set data.train="$tmp/latin.csv" --set train.output="$tmp/latin"
row non-utf8 0 'latin\.csv: 42 examples' -- "$rnnc" eval "$model" "$tmp/latin.csv" $E
# A label with terminal control characters (ESC [2J clears the screen) reaches the model file;
# inspect and predict print it escaped, never raw.
{ cat "$tmp/train.csv"; printf '"\033[2Jodd",so so\n'; } > "$tmp/esc.csv"
row escape 0 'test: 40 examples' -- $T --set data.train="$tmp/esc.csv" --set dense.units=3 --set train.output="$tmp/escrun"
row escape 0 '\\x1b\[2Jodd' -- "$rnnc" inspect "$tmp/escrun/model.safetensors"
row escape 0 '\\x1b\[2Jodd:' -- "$rnnc" predict "$tmp/escrun/model.safetensors" --all "good movie"
raw=$({ "$rnnc" inspect "$tmp/escrun/model.safetensors"; "$rnnc" predict "$tmp/escrun/model.safetensors" --all "good movie"; } 2>&1 | grep -c "$(printf '\033')")
[ "$raw" -eq 0 ] && ok "[escape] no raw ESC byte in inspect's or predict's output" ||
    bad "[escape] $raw lines with a raw ESC byte"
row non-utf8 0 '^(neg|pos)	0\.[0-9]{4}$' -- "$rnnc" predict "$model" "$(printf '\377\376 bad \300')"

# ---- a review with zero tokens: one padding step, a prediction all the same ----
printf 'label,text\npos,"<br />"\nneg,bad\npos,good\n' > "$tmp/zero.csv"
row zero-tokens 0 'test: 40 examples' -- $T --set data.train="$tmp/zero.csv" --set data.add_start=false --set data.use_lengths=true --set train.output="$tmp/zero"
row zero-tokens 0 'zero\.csv: 3 examples' -- "$rnnc" eval "$tmp/zero/model.safetensors" "$tmp/zero.csv" $E
row zero-tokens 0 '^(neg|pos)	0\.[0-9]{4}$' -- "$rnnc" predict "$tmp/zero/model.safetensors" ""
row zero-tokens 0 '^(neg|pos)	0\.[0-9]{4}$' -- "$rnnc" predict "$model" "<i></i>"
printf 'label,text\npos,good\nneg,"   "\n' > "$tmp/blank.csv"
row zero-tokens 2 'blank\.csv:3: .*empty' -- "$rnnc" eval "$model" "$tmp/blank.csv" $E

# ---- NaN/Inf in a CSV: a label "nan" is a label name; "NaN" in a text is a word ----
printf 'label,text\npos,good\nnan,bad\n' > "$tmp/nan-label.csv"
printf 'label,text\npos,good\nneg,NaN\npos,inf\nneg,-Infinity\n' > "$tmp/nan-text.csv"
{ cat "$tmp/train.csv"; echo 'nan,so so'; } > "$tmp/nan-train.csv"
row nan-in-csv 2 'nan-label\.csv:3: unknown label "nan" \(not among the 2 given\)' -- "$rnnc" eval "$model" "$tmp/nan-label.csv" $E
row nan-in-csv 0 'nan-text\.csv: 4 examples' -- "$rnnc" eval "$model" "$tmp/nan-text.csv" $E
row nan-in-csv 2 'the last \[dense\] layer has 1 units; 3 labels need one per label' -- $T --set data.train="$tmp/nan-train.csv"

# ---- a label outside the classes ----
printf 'label,text\npos,good\nneg,bad\nmaybe,fine\n' > "$tmp/maybe.csv"
row unknown-label 2 'maybe\.csv:4: unknown label "maybe" \(not among the 2 given\)' -- "$rnnc" eval "$model" "$tmp/maybe.csv" $E
row unknown-label 2 'maybe\.csv:4: unknown label "maybe"' -- $T --set data.test="$tmp/maybe.csv"

# ---- vocabulary mismatch between the model and its data ----
st_edit "$model" "$tmp/vocab33.safetensors" 's/\("rnnc\.vocab":"[^"]*\)"/\1\\nextra1\\nextra2\\nextra3"/'
st_edit "$model" "$tmp/vocab-reserved.safetensors" 's/"rnnc\.vocab":"<pad>/"rnnc.vocab":"<start>/'
st_edit "$model" "$tmp/vocab-repeat.safetensors" 's/"rnnc\.vocab":"\(<pad>\\n<start>\\n<unk>\)\\n\([^\\]*\)\\n/"rnnc.vocab":"\1\\n\2\\n\2\\n/'
row vocab-mismatch 2 'vocab33\.safetensors: \[embedding\] vocab = 30 is smaller than the vocabulary \(33 ids' -- "$rnnc" predict "$tmp/vocab33.safetensors" hi
row vocab-mismatch 2 'vocab33\.safetensors: \[embedding\] vocab = 30 is smaller than the vocabulary' -- "$rnnc" eval "$tmp/vocab33.safetensors"
row vocab-mismatch 2 'vocab-reserved\.safetensors: line 1: expected the reserved token <pad>' -- "$rnnc" predict "$tmp/vocab-reserved.safetensors" hi
row vocab-mismatch 2 'vocab-repeat\.safetensors: line 5: duplicate token "movie"' -- "$rnnc" predict "$tmp/vocab-repeat.safetensors" hi
row vocab-mismatch 2 'vocab = 30 is smaller than the vocabulary' -- $T --set data.num_words=100
row vocab-mismatch 2 'already finished epoch 2 of 2|vocabulary' -- $T --resume "$tmp/vocab33.safetensors"

# ---- a path that is a directory ----
mkdir -p "$tmp/adir" "$tmp/dirout/model.safetensors"
row directory 1 'adir: not a regular file' -- "$rnnc" inspect "$tmp/adir"
row directory 1 'adir: not a regular file' -- "$rnnc" predict "$tmp/adir" hi
row directory 1 'adir: not a regular file' -- $T --resume "$tmp/adir"
row directory 1 'adir: read error \(is it a (folder|directory)\?\)' -- "$rnnc" train "$tmp/adir"
row directory 1 'adir: read error \(is it a (folder|directory)\?\)' -- "$rnnc" summary "$tmp/adir"
row directory 1 'adir/?: read error: Is a directory' -- "$rnnc" eval "$model" "$tmp/adir" --format csv
row directory 2 'adir: no class folders \(expected .*adir/<label>/<file>\)' -- "$rnnc" eval "$model" "$tmp/adir"
row directory 1 'dirout/model\.safetensors: cannot rename .*dirout/model\.safetensors\.tmp\.[0-9]+ over it: Is a directory' -- $T --set train.output="$tmp/dirout" --set train.epochs=1

# ---- an output folder that cannot be written ----
# chmod 555 does not stop root, so as root a folder under /proc (which refuses mkdir) and a file
# where the folder should be stand in for it; otherwise the read-only folder is tested as well.
echo 'not a folder' > "$tmp/afile"
row read-only-output 1 'rnnc-errors-test: cannot create the output folder' -- $T --set train.output=/proc/rnnc-errors-test
row read-only-output 1 'afile: exists and is not a folder' -- $T --set train.output="$tmp/afile"
row read-only-output 1 'afile/sub: cannot create the output folder: Not a directory' -- $T --set train.output="$tmp/afile/sub"
mkdir "$tmp/ro"
chmod 555 "$tmp/ro"
if [ "$(id -u)" -ne 0 ] && ! touch "$tmp/ro/x" 2>/dev/null; then
    row read-only-output 1 'ro/sub: cannot create the output folder: Permission denied' -- $T --set train.output="$tmp/ro/sub"
    mkdir -p "$tmp/ro2/out" && chmod 555 "$tmp/ro2/out"
    row read-only-output 1 'ro2/out/[a-z.]+safetensors: cannot create .*Permission denied' -- $T --set train.output="$tmp/ro2/out"
    chmod 755 "$tmp/ro2/out"
else
    echo "note: running as root, chmod 555 does not stop writes; /proc and a file stand in for it"
fi
chmod 755 "$tmp/ro"

# ---- a full disk ----
# A file-size limit (ulimit -f, in KiB blocks) makes every write of more than 1 KiB fail with
# EFBIG: the good run's model files in the same folder must survive and no temporary may remain.
row full-disk 1 'run/[a-z.]+\.safetensors: write to .*run/[a-z.]+\.safetensors\.tmp\.[0-9]+ failed: File too large' -- bash -c "ulimit -f 1; exec $T --set train.epochs=1"
# A small tmpfs, filled up, when this machine lets us mount one.
mnt=$tmp/tmpfs
mkdir "$mnt"
if mount -t tmpfs -o size=64k tmpfs "$mnt" 2>/dev/null; then
    dd if=/dev/zero of="$mnt/fill" bs=4k 2>/dev/null
    row full-disk 1 'tmpfs/out/[a-z.]+\.safetensors: (write to|fsync of|closing) .*tmpfs/out/[a-z.]+\.safetensors\.tmp\.[0-9]+ failed: No space left on device' -- $T --set train.output="$mnt/out"
    umount "$mnt"
else
    mnt=""
    echo "note: cannot mount a tmpfs here; the file-size limit above stands in for a full disk"
fi

# ---- forecasting (docs/forecast.md): a tiny forecaster, then bad series and options ----
awk 'BEGIN { print "\"Month\",\"v\""; for (i = 0; i < 60; i++) printf "\"%d-%02d\",%d\r\n", 2000 + int(i / 12), i % 12 + 1, 10 + i % 12 }' > "$tmp/series.csv"
cat > "$tmp/f.ini" <<EOF
[forecast]
data = $tmp/series.csv
time = Month
lookback = 6
horizon = 2
season = 12
[gru]
hidden = 4
[train]
epochs = 1
output = $tmp/frun
EOF
if "$rnnc" train "$tmp/f.ini" --quiet --threads 1 > "$tmp/fgood.log" 2>&1; then
    fmodel=$tmp/frun/model.safetensors
    F="$rnnc train $tmp/f.ini --threads 1 --quiet"
    printf 'Month,v\n2000-01,1\n2000-02,NA\n2000-03,3\n' > "$tmp/na.csv"
    printf 'Month,v\n2000-01,1\n2000-02,x1\n' > "$tmp/nan.csv"
    printf 'Month,v\n2000-01,1\n2000-02,2,3\n' > "$tmp/fields.csv"
    row forecast-missing 2 'na\.csv:3: column .v.: missing value .NA.' -- $F --set forecast.data="$tmp/na.csv"
    row forecast-number 2 'nan\.csv:3: column .v.: .x1. is not a number' -- "$rnnc" eval "$fmodel" "$tmp/nan.csv"
    row forecast-fields 2 'fields\.csv:3: 3 fields, the header has 2' -- "$rnnc" forecast "$fmodel" "$tmp/fields.csv"
    row forecast-column 2 "no numeric column 'w' in the header" -- $F --set forecast.columns=w
    row forecast-key 2 "--set forecast\.lookbak=3: unknown key 'lookbak' in \[forecast\]" -- $F --set forecast.lookbak=3
    row forecast-key 2 "--set forecast\.scaling=log: \[forecast\] scaling = 'log'" -- $F --set forecast.scaling=log
    row forecast-data-section 2 '\[data\] is for text classifiers' -- $F --set data.train=x
    row read-limits 2 'series\.csv:12: more than 10 rows \(the record limit\); .*max_records' -- $F --set forecast.max_records=10
    row read-limits 2 'series\.csv: more than 100 bytes of text \(the text limit\); .*max_text_bytes' -- $F --set forecast.max_text_bytes=100
    gzip -c "$tmp/series.csv" > "$tmp/series.csv.gz"
    row read-limits 0 'MASE' -- "$rnnc" eval "$fmodel" "$tmp/series.csv.gz"
    row read-limits 2 'series\.csv:12: more than 10 rows \(the record limit\)' -- "$rnnc" eval "$fmodel" "$tmp/series.csv" --max-records 10
    { cat "$tmp/series.csv.gz"; echo junk; } > "$tmp/series-junk.csv.gz"
    row gzip-trailing 2 'series-junk\.csv\.gz: other bytes follow the gzip data' -- "$rnnc" eval "$fmodel" "$tmp/series-junk.csv.gz"
    row forecast-augment 2 "--set forecast\.augment_slice=1\.5: \[forecast\] augment_slice = '1\.5': expected a number in \[0, 1\]" -- $F --set forecast.augment_slice=1.5
    row forecast-augment 2 "--set forecast\.augment_scale=1: \[forecast\] augment_scale = '1': expected a number in \[0, 1\)" -- $F --set forecast.augment_scale=1
    row forecast-plot 2 'x\.jpg: the plot is written as SVG or PNG; name it \.svg or \.png' -- "$rnnc" forecast "$fmodel" --plot "$tmp/x.jpg"
    [ ! -e "$tmp/x.jpg" ] && ok "[forecast-plot] no x.jpg written" || bad "[forecast-plot] a refused suffix wrote x.jpg"
    row forecast-plot 1 'nodir/f\.png: cannot create .*nodir/f\.png\.tmp\.[0-9]+: No such file' -- "$rnnc" forecast "$fmodel" --plot "$tmp/nodir/f.png"
    # A PNG plot: the signature and the IHDR chunk of a 1920 x 960 image (0x780 x 0x3c0).
    png_head=$("$rnnc" forecast "$fmodel" --at test --plot "$tmp/f.png" > /dev/null 2>&1 &&
        head -c 24 "$tmp/f.png" | od -An -tx1 | tr -d ' \n')
    [ "$png_head" = 89504e470d0a1a0a0000000d4948445200000780000003c0 ] &&
        ok "[forecast-plot] --plot f.png writes a 1920 x 960 PNG" ||
        bad "[forecast-plot] --plot f.png: the file starts with '${png_head:-nothing}'"
    row forecast-origin 2 'a forecast from row 3 needs the 6 rows before it' -- "$rnnc" forecast "$fmodel" --at 3 --plot "$tmp/y.svg" --out "$tmp/y.csv"
    [ ! -e "$tmp/y.svg" ] && [ ! -e "$tmp/y.csv" ] && ok "[forecast-origin] no plot or CSV written" ||
        bad "[forecast-origin] a failed forecast wrote y.svg or y.csv"
    row forecast-not-forecaster 2 'not a forecaster' -- "$rnnc" forecast "$model"
    # An output is never an input, and an existing file of another kind is kept (--force replaces).
    cp "$fmodel" "$tmp/fmodel.keep"
    row output-is-input 2 'frun/model\.safetensors is also an input .*frun/model\.safetensors.: writing it would destroy it' -- "$rnnc" forecast "$fmodel" --out "$fmodel"
    row output-is-input 2 'frun/\./model\.safetensors is also an input' -- "$rnnc" forecast "$fmodel" --plot "$tmp/frun/../frun/model.safetensors.svg" --out "$tmp/frun/./model.safetensors"
    ln -sf "$fmodel" "$tmp/link.csv"
    row output-is-input 2 'link\.csv is also an input' -- "$rnnc" forecast "$fmodel" --out "$tmp/link.csv"
    cmp -s "$fmodel" "$tmp/fmodel.keep" && ok "[output-is-input] the model file is unchanged" ||
        bad "[output-is-input] the model file was changed"
    fdata=$(sed -n 's/^data = //p' "$tmp/f.ini")
    cp "$fdata" "$tmp/fdata.keep"
    row output-is-input 2 'is also an input' -- "$rnnc" forecast "$fmodel" --out "$fdata"
    cmp -s "$fdata" "$tmp/fdata.keep" && ok "[output-is-input] the data file is unchanged" ||
        bad "[output-is-input] the data file was changed"
    row output-twice 2 'o\.svg and .*o\.svg are one file' -- "$rnnc" forecast "$fmodel" --out "$tmp/o.svg" --plot "$tmp/o.svg"
    printf 'my notes\n' > "$tmp/notes.csv"
    row output-kind 2 'notes\.csv exists and is not a forecast CSV: not replaced \(pass --force' -- "$rnnc" forecast "$fmodel" --out "$tmp/notes.csv"
    [ "$(cat "$tmp/notes.csv")" = "my notes" ] && ok "[output-kind] notes.csv is unchanged" ||
        bad "[output-kind] notes.csv was changed"
    row output-kind 0 '' -- "$rnnc" forecast "$fmodel" --out "$tmp/notes.csv" --force
    head -c 5 "$tmp/notes.csv" | grep -q '^time,' && ok "[output-kind] --force replaced it with the forecast" ||
        bad "[output-kind] --force did not write the forecast"
    row output-kind 0 '' -- "$rnnc" forecast "$fmodel" --out "$tmp/notes.csv"
    mkfifo "$tmp/pipe.csv"
    row output-kind 2 'pipe\.csv exists and is not a regular file' -- timeout 30 "$rnnc" forecast "$fmodel" --out "$tmp/pipe.csv"
    printf 'not a picture' > "$tmp/pic.svg"
    row output-kind 2 'pic\.svg exists and is not an SVG file' -- "$rnnc" forecast "$fmodel" --plot "$tmp/pic.svg"
    printf 'not a picture' > "$tmp/pic.png"
    row output-kind 2 'pic\.png exists and is not a PNG file' -- "$rnnc" forecast "$fmodel" --plot "$tmp/pic.png"
    row forecast-too-short 2 'lookback 6 \+ horizon 2 need more' -- $F --set forecast.test_split=0.8
else
    bad "the good forecasting run" "$(tail -n 3 "$tmp/fgood.log")"
fi

# ---- language-model training files and text (docs/lm.md) ----
printf 'to be or not to be\nthat is the question\n' > "$tmp/lmt.txt"
cat > "$tmp/l.ini" <<EOF
[lm]
train = $tmp/lmt.txt
level = word
bptt = 3
[embedding]
vocab = auto
dim = 4
[gru]
hidden = 4
return_sequences = true
[dense]
units = auto
[train]
epochs = 1
batch_size = 2
output = $tmp/lrun
EOF
L="$rnnc train $tmp/l.ini --threads 1 --quiet"
row lm-key 2 "--set lm\.levle=char: unknown key 'levle' in \[lm\]" -- $L --set lm.levle=char
row lm-level 2 "--set lm\.level=bytes: \[lm\] level = 'bytes': expected char or word" -- $L --set lm.level=bytes
row lm-file 1 'nothere\.txt: cannot open' -- $L --set lm.train="$tmp/nothere.txt"
: > "$tmp/empty.txt"
row lm-empty 2 'empty\.txt' -- $L --set lm.train="$tmp/empty.txt"
row lm-batch 2 'too few for 64 parallel streams' -- $L --set train.batch_size=64
row lm-units 2 "output layer's units 7" -- $L --set dense.units=7
row lm-last 2 'layer 1 \(gru\) returns only the last step' -- $L --set gru.return_sequences=false
row read-limits 2 'lmt\.txt: more than 20 bytes of text \(the text limit\); .*max_text_bytes' -- $L --set lm.max_text_bytes=20
row read-limits 2 'lmt\.txt: more than 10 bytes read after decompression \(the read limit\)' -- $L --set lm.max_read_bytes=10
row lm-data-section 2 '\[data\] is for text classifiers; this file names its data in \[lm\]' -- $L --set data.train=x
row lm-bidir 2 'layer 1 \(gru\) is bidirectional: a language model may not see the tokens it predicts' -- $L --set gru.bidirectional=true
row lm-tie 2 'layer 2 \(dense\): tie_weights needs units = the embedding' -- $L --set dense.tie_weights=true --set embedding.dim=3

# ---- fine-tuning (docs/finetune.md): the good run's model as the pretrained one ----
FT="$rnnc finetune $model $tmp/t.ini --threads 1 --quiet"
row ft-shape 2 "4 tensors do not fit the new model: 'gru\.weight_ih_l0' is \(12, 4\), the model needs \(18, 4\); 'gru\.weight_hh_l0' is \(12, 4\), the model needs \(18, 6\)" -- $FT --set gru.hidden=6 --set finetune.head=new
row ft-shape-head 2 "'dense\.weight' is \(1, 4\), the model needs \(1, 6\)" -- $FT --set gru.hidden=6 --set finetune.reinit=gru
row ft-key 2 "--set finetune\.frezze=gru: unknown key 'frezze' in \[finetune\]" -- $FT --set finetune.frezze=gru
row ft-value 2 "--set finetune\.lr_decay=0\.5: \[finetune\] lr_decay = '0\.5': expected 0 \(off\) or a number >= 1" -- $FT --set finetune.lr_decay=0.5
row ft-layer 2 "no layer 'encoder' \(the layers: 0 embedding, 1 gru, 2 dense\)" -- $FT --set finetune.freeze=encoder
row ft-tokenizer 2 'built with lowercase = true, but \[data\] gives false' -- $FT --set data.lowercase=false
row ft-missing 1 'nothere\.safetensors: cannot open' -- "$rnnc" finetune "$tmp/nothere.safetensors" "$tmp/t.ini"
row ft-not-model 2 't\.ini' -- "$rnnc" finetune "$tmp/t.ini" "$tmp/t.ini"
row ft-in-train 2 'has a \[finetune\] section: run it with .rnnc finetune' -- $T --set finetune.freeze=gru
row ft-arrays 2 "t\.ini trains on arrays \(\[data\] format = npz or safetensors\): fine-tuning takes" -- $FT --set data.format=npz
row ft-args 2 'usage: rnnc finetune' -- "$rnnc" finetune "$model"
row output-is-input 2 'run/model\.safetensors is also an input .*run/model\.safetensors.' -- "$rnnc" finetune "$tmp/run/model.safetensors" "$tmp/t.ini" --threads 1 --quiet
row output-is-input 2 'run/metrics\.jsonl is also an input' -- $T --set data.test="$tmp/run/metrics.jsonl"

# ---- resuming with another setup (vocabulary, text options, labels, data, windows) ----
# snap DIR: a copy to compare with; same NAME DIR: DIR is as the copy (a refused resume wrote
# nothing into the run it was asked to continue).
snap() { rm -rf "$tmp/snap" && cp -r "$1" "$tmp/snap"; }
same() {
    local d
    d=$(diff -rq "$tmp/snap" "$2" 2>&1 | head -n 3)
    [ -z "$d" ] && ok "[$1] ${2##*/} unchanged" || bad "[$1] ${2##*/} changed" "$d"
}
R="--set train.epochs=3 --resume $tmp/run/checkpoint.safetensors"
awk 'BEGIN { print "label,text"
    for (i = 0; i < 40; i++) print (i % 2 ? "pos" : "neg") ",\"" (i % 2 ? "nice lovely" : "dull weak") " film " i "\"" }' > "$tmp/other.csv"
sed 's/^neg,/bad,/; s/^pos,/good,/' "$tmp/train.csv" > "$tmp/relabel.csv"
head -n 40 "$tmp/train.csv" > "$tmp/fewer.csv"
row resume-changed 2 "run/checkpoint\.safetensors: the checkpoint was trained on another setup: vocabulary is '[0-9]+ ids #[0-9a-f]{8}' \(the checkpoint's: '[0-9]+ ids #[0-9a-f]{8}'\)" -- $T $R --set data.train="$tmp/other.csv"
row resume-changed 2 "maxlen is '6' \(the checkpoint's: '8'\)" -- $T $R --set data.maxlen=6
row resume-changed 2 "lowercase is '0' \(the checkpoint's: '1'\)" -- $T $R --set data.lowercase=false
row resume-changed 2 "labels is 'bad,good' \(the checkpoint's: 'neg,pos'\)" -- $T $R --set data.train="$tmp/relabel.csv" --set data.test="$tmp/relabel.csv"
row resume-changed 2 "training data is '39 texts #[0-9a-f]{8}' \(the checkpoint's: '40 texts" -- $T $R --set data.train="$tmp/fewer.csv"
row resume-changed 2 "validation_split is '0\.25' \(the checkpoint's: '0'\)" -- $T $R --set data.validation_split=0.25
row resume-changed 2 "text_column is '1' \(the checkpoint's: 'text'\)" -- $T $R --set data.text_column=1
"$rnnc" finetune "$model" "$tmp/t.ini" --threads 1 --quiet --set train.output="$tmp/ftrun" > /dev/null 2>&1
row resume-changed 2 "ftrun/checkpoint\.safetensors: the checkpoint was trained on another setup: training data is '39 texts" -- "$rnnc" finetune "$model" "$tmp/t.ini" --threads 1 --quiet --set train.output="$tmp/ftrun" --set train.epochs=3 --set data.train="$tmp/fewer.csv" --resume "$tmp/ftrun/checkpoint.safetensors"
if $L > "$tmp/lgood.log" 2>&1; then
    snap "$tmp/lrun"
    printf 'a rose is a rose is a rose\nand so on\n' > "$tmp/lmt2.txt"
    LR="--set train.epochs=2 --resume $tmp/lrun/checkpoint.safetensors"
    row resume-changed 2 "lrun/checkpoint\.safetensors: the checkpoint was trained on another setup: vocabulary is" -- $L $LR --set lm.train="$tmp/lmt2.txt"
    same resume-changed "$tmp/lrun"
    row resume-changed 2 "bptt is '2' \(the checkpoint's: '3'\)" -- $L $LR --set lm.bptt=2
    same resume-changed "$tmp/lrun"
else
    bad "the good language-model run" "$(tail -n 3 "$tmp/lgood.log")"
fi
if [ -n "${fmodel:-}" ]; then
    snap "$tmp/frun"
    awk 'BEGIN { print "\"Month\",\"v\""; for (i = 0; i < 60; i++) printf "\"%d-%02d\",%d\r\n", 2000 + int(i / 12), i % 12 + 1, 20 + i % 7 }' > "$tmp/series2.csv"
    FR="--set train.epochs=2 --resume $tmp/frun/checkpoint.safetensors"
    row resume-changed 2 "frun/checkpoint\.safetensors: the checkpoint was trained on another setup: scaler is '1 inputs #[0-9a-f]{8}' \(the checkpoint's: '1 inputs #[0-9a-f]{8}'\); data is '60 rows" -- $F $FR --set forecast.data="$tmp/series2.csv"
    same resume-changed "$tmp/frun"
    row resume-changed 2 "lookback is '5' \(the checkpoint's: '6'\)" -- $F $FR --set forecast.lookback=5
    same resume-changed "$tmp/frun"
fi

# ---- validation_split on data sorted by label; a validation or test set of one label ----
mkdir -p "$tmp/byclass/neg" "$tmp/byclass/pos"
for i in $(seq 1 20); do
    echo "bad awful poor movie $i" > "$tmp/byclass/neg/$i.txt"
    echo "good fine great movie $i" > "$tmp/byclass/pos/$i.txt"
done
grep -v '^neg' "$tmp/train.csv" > "$tmp/onlypos.csv"
O="--set train.output=$tmp/run2 --set train.epochs=1"
row one-label 0 "10 validation examples, 2 labels \(2 in the validation set\)" -- $T $O --set data.train="$tmp/byclass" --set data.test="$tmp/byclass" --set data.validation_split=0.25 --set data.label_column= --set data.text_column=
row one-label 0 "warning: the validation set \(.*onlypos\.csv\) holds one label only, 'pos': its accuracy, precision and recall say little, and early stopping" -- $T $O --set data.validation="$tmp/onlypos.csv"
row one-label 0 "warning: the test set \(.*onlypos\.csv\) holds one label only, 'pos'" -- $T $O --set data.test="$tmp/onlypos.csv"
row one-label 0 "rnnc eval: warning: the test set \(.*onlypos\.csv\) holds one label only, 'pos'" -- "$rnnc" eval "$model" "$tmp/onlypos.csv" $E

# ---- Latin-1 text: its invalid UTF-8 bytes counted and named; encoding = latin-1 decodes it ----
printf 'label,text\n' > "$tmp/lat.csv"
for i in $(seq 1 20); do printf 'pos,tr\xe8s bien caf\xe9 %d\nneg,mauvais d\xe9sastre %d\n' $i $i; done >> "$tmp/lat.csv"
row latin1 0 "rnnc train: warning: .*lat\.csv: 60 invalid UTF-8 bytes replaced by U\+FFFD; set \[data\] encoding = latin-1 if the file is Latin-1" -- $T $O --set data.train="$tmp/lat.csv"
row latin1 0 "rnnc eval: warning: .*lat\.csv: 60 invalid UTF-8 bytes replaced by U\+FFFD; set --encoding latin-1 if the file is Latin-1" -- "$rnnc" eval "$model" "$tmp/lat.csv" $E
row latin1 2 "--set data\.encoding=koi8: \[data\] encoding = 'koi8': expected utf-8 or latin-1" -- $T --set data.encoding=koi8
out=$($T $O --set data.train="$tmp/lat.csv" --set data.test="$tmp/lat.csv" --set data.encoding=latin-1 2>&1)
[ $? -eq 0 ] && ! printf '%s' "$out" | grep -q 'invalid UTF-8' && ok "[latin1] encoding = latin-1 reads it without a warning" ||
    bad "[latin1] encoding = latin-1" "$(printf '%s\n' "$out" | tail -n 3)"
out=$("$rnnc" eval "$model" "$tmp/lat.csv" $E --encoding latin-1 2>&1)
[ $? -eq 0 ] && ! printf '%s' "$out" | grep -q 'invalid UTF-8' && ok "[latin1] eval --encoding latin-1 reads it without a warning" ||
    bad "[latin1] eval --encoding latin-1" "$(printf '%s\n' "$out" | tail -n 3)"
# a language model's text file: the same count, and [lm] encoding = latin-1
printf 'le caf\xe9 est tr\xe8s bon\net le th\xe9 aussi\n' > "$tmp/lat.txt"
row latin1 0 "rnnc train: warning: .*lat\.txt: 3 invalid UTF-8 bytes replaced by U\+FFFD; set \[lm\] encoding = latin-1" -- $L --set lm.train="$tmp/lat.txt" --set train.output="$tmp/lrun2"
out=$($L --set lm.train="$tmp/lat.txt" --set train.output="$tmp/lrun2" --set lm.encoding=latin-1 2>&1)
[ $? -eq 0 ] && ! printf '%s' "$out" | grep -q 'invalid UTF-8' && ok "[latin1] [lm] encoding = latin-1 reads it without a warning" ||
    bad "[latin1] [lm] encoding = latin-1" "$(printf '%s\n' "$out" | tail -n 3)"
row latin1 0 "rnnc eval: warning: .*lat\.txt: 3 invalid UTF-8 bytes replaced by U\+FFFD; set --encoding latin-1" -- "$rnnc" eval "$tmp/lrun2/model.safetensors" "$tmp/lat.txt"
# ---- what a file holds: NUL bytes in texts, non-finite weights, repeated names, sizes ----
# st_poke IN OUT TENSOR INDEX BYTES: OUT is IN with element INDEX of the F32 tensor TENSOR
# replaced by the 4 bytes BYTES (printf escapes, little-endian).
st_poke() {
    local n b
    n=$(od -An -tu8 -N8 "$1" | tr -d ' ')
    b=$(st_header "$1" | grep -o "\"$3\":{[^}]*}" | sed 's/.*"data_offsets":\[\([0-9]*\),.*/\1/')
    [ -n "$b" ] || { echo "st_poke: no tensor $3 in $1" >&2; return 1; }
    cp "$1" "$2"
    printf "$5" | dd of="$2" bs=1 seek=$((8 + n + b + 4 * $4)) conv=notrunc status=none
}
nan='\000\000\300\177'
inf='\000\000\200\177'
want=$("$rnnc" predict "$model" "x good fine great movie 3")
row nul-text 0 "^$want\$" -- sh -c "printf 'x\\000good fine great movie 3\\n' | \"\$0\" predict \"\$1\"" "$rnnc" "$model"
printf 'label,text\nneg,"\000\000"\n' > "$tmp/nul-only.csv"
row nul-text 2 'nul-only\.csv:2: empty text' -- "$rnnc" eval "$model" "$tmp/nul-only.csv" $E
st_poke "$model" "$tmp/nan.safetensors" dense.bias 0 "$nan"
st_poke "$model" "$tmp/inf.safetensors" embedding.weight 5 "$inf"
row nan-weights 2 "nan\.safetensors: tensor 'dense\.bias': element 0 is NaN \(values must be finite\)" -- "$rnnc" predict "$tmp/nan.safetensors" hi
row nan-weights 2 "inf\.safetensors: tensor 'embedding\.weight': element 5 is inf" -- "$rnnc" eval "$tmp/inf.safetensors" "$tmp/train.csv" $E
row nan-weights 2 "nan\.safetensors: tensor 'dense\.bias': element 0 is NaN" -- "$rnnc" inspect "$tmp/nan.safetensors"
st_poke "$model" "$tmp/nan-gru.safetensors" gru.weight_hh_l0 7 "$nan"
row nan-weights 2 "nan-gru\.safetensors: tensor 'gru\.weight_hh_l0': element 7 is NaN" -- "$rnnc" finetune "$tmp/nan-gru.safetensors" "$tmp/t.ini" --threads 1 --quiet
mkdir "$tmp/ck"
st_poke "$tmp/keep/checkpoint.safetensors" "$tmp/ck/checkpoint.safetensors" gru.bias_ih_l0 2 "$inf"
cp "$tmp/keep/checkpoint.optim.safetensors" "$tmp/ck/"
row nan-weights 2 "ck/checkpoint\.safetensors: tensor 'gru\.bias_ih_l0': element 2 is inf" -- $T --resume "$tmp/ck/checkpoint.safetensors" --set train.epochs=3
cp "$tmp/keep/checkpoint.safetensors" "$tmp/ck/"
st_poke "$tmp/keep/checkpoint.optim.safetensors" "$tmp/ck/checkpoint.optim.safetensors" optim.state 9 "$nan"
row nan-weights 2 "checkpoint\.optim\.safetensors: tensor 'optim\.state': element 9 is NaN" -- $T --resume "$tmp/ck/checkpoint.safetensors" --set train.epochs=3
if [ -n "${fmodel:-}" ]; then
    st_poke "$fmodel" "$tmp/fnan.safetensors" gru.weight_ih_l0 1 "$nan"
    row nan-weights 2 "fnan\.safetensors: tensor 'gru\.weight_ih_l0': element 1 is NaN" -- "$rnnc" forecast "$tmp/fnan.safetensors"
fi
if $L --set train.output="$tmp/lgood" > "$tmp/lgood.log" 2>&1; then
    st_poke "$tmp/lgood/model.safetensors" "$tmp/lnan.safetensors" embedding.weight 3 "$nan"
    row nan-weights 2 "lnan\.safetensors: tensor 'embedding\.weight': element 3 is NaN" -- "$rnnc" generate "$tmp/lnan.safetensors" --length 3
    # A word model reads a prime word outside its vocabulary as <unk>: a notice on standard error
    # names the count and the first words, each quoted to at most 60 bytes (the prime is not
    # repeated in the message), and generation goes on.
    awk 'BEGIN { for (i = 0; i < 500000; i++) printf "to be "; print "zebra" }' > "$tmp/big-prime.txt"
    row prime-check 0 "^rnnc generate: notice: [^ ]*big-prime\.txt: 1 word of the prime is not in the model's vocabulary, read as <unk>: 'zebra'\$" -- sh -c '"$0" generate "$1" --prime-file "$2" --length 2 > /dev/null' "$rnnc" "$tmp/lgood/model.safetensors" "$tmp/big-prime.txt"
    row prime-check 0 "^rnnc generate: notice: --prime: 1 word of the prime is not in the model's vocabulary, read as <unk>: '(x){60}'\$" -- sh -c '"$0" generate "$1" --prime "$2" --length 2 > /dev/null' "$rnnc" "$tmp/lgood/model.safetensors" "to be $(printf 'x%.0s' $(seq 1 300))"
    # A character model refuses a character it never saw, before any of the prime is echoed.
    if $L --set lm.level=char --set train.output="$tmp/lchar" > "$tmp/lchar.log" 2>&1; then
        { awk 'BEGIN { for (i = 0; i < 500000; i++) printf "to be "; }'; printf 'z\xe2\x82\xac\n'; } > "$tmp/big-char.txt"
        row prime-check 2 "big-char\.txt: the prime's character 'z' is not in the model's vocabulary" -- "$rnnc" generate "$tmp/lchar/model.safetensors" --prime-file "$tmp/big-char.txt"
        row prime-check 2 '^stdout 0 bytes$' -- sh -c '"$0" generate "$1" --prime-file "$2" > "$3" 2> /dev/null; rc=$?; echo "stdout $(wc -c < "$3") bytes"; exit $rc' "$rnnc" "$tmp/lchar/model.safetensors" "$tmp/big-char.txt" "$tmp/prime.out"
    else
        bad "the character-level language-model run" "$(tail -n 3 "$tmp/lchar.log")"
    fi
else
    bad "the good language-model run" "$(tail -n 3 "$tmp/lgood.log")"
fi
row long-quote 2 "^rnnc predict: unknown option '--(z){58}\.\.\.' \(see --help\)\$" -- "$rnnc" predict "--$(printf 'z%.0s' $(seq 1 500))"
row long-quote 2 "^rnnc: --length '(9){60}\.\.\.': expected an integer" -- "$rnnc" generate "$model" --length "$(printf '9%.0s' $(seq 1 500))"
st_edit "$model" "$tmp/twin.safetensors" 's/"rnnc\.labels":"neg\\npos"/"rnnc.labels":"pos\\npos"/'
row duplicate-label 2 'twin\.safetensors: rnnc\.labels: label 1 "pos" repeats label 0' -- "$rnnc" predict "$tmp/twin.safetensors" hi
row duplicate-label 2 'twin\.safetensors: rnnc\.labels: label 1 "pos" repeats label 0' -- "$rnnc" eval "$tmp/twin.safetensors" "$tmp/train.csv" $E
# A 40 MB header that is a shape of 20 million zeros: refused before the JSON parser allocates
# per value (it took 1.2 GB), in bounded memory.
{
    printf '{"a":{"dtype":"F32","shape":['
    yes 0, | head -c 60000000 | tr -d '\n'
    printf '0],"data_offsets":[0,0]}}'
} > "$tmp/zeros.json"
{ le64 "$(wc -c < "$tmp/zeros.json")"; cat "$tmp/zeros.json"; } > "$tmp/zeros.safetensors"
row header-size 2 'zeros\.safetensors: header holds more than 262144 JSON values' -- "$rnnc" inspect "$tmp/zeros.safetensors"
if [ -x /usr/bin/time ]; then
    /usr/bin/time -o "$tmp/rss" -f '%M' "$rnnc" inspect "$tmp/zeros.safetensors" > /dev/null 2>&1
    kb=$(tail -n 1 "$tmp/rss")
    if [ "${kb:-0}" -gt 0 ] && [ "$kb" -lt 300000 ]; then
        ok "[header-size] peak RSS ${kb} KB for a 40 MB header (< 300 MB)"
    else
        bad "[header-size] peak RSS ${kb:-?} KB for a 40 MB header (want < 300 MB)"
    fi
else
    echo "note: no /usr/bin/time; the header's peak memory is not measured"
fi
rm -f "$tmp/zeros.json" "$tmp/zeros.safetensors"
# INI lines longer than libinih's 200-byte buffer: long paths and comments read, a long key is
# refused by line, a value over 1023 characters (the path buffers) is refused by key.
long=$tmp/$(printf 'a%.0s' $(seq 1 120))/$(printf 'b%.0s' $(seq 1 120))
mkdir -p "$long"
cp "$tmp/train.csv" "$long/reviews-with-a-long-name.csv"
sed "s|^train = .*|train = $long/reviews-with-a-long-name.csv   ; a path of 280 characters|; s|^hidden = 4\$|hidden = 4 ; $(printf 'c%.0s' $(seq 1 250))|" "$tmp/t.ini" > "$tmp/long.ini"
row long-line 0 'test: 40 examples' -- "$rnnc" train "$tmp/long.ini" --threads 1 --quiet --set train.output="$tmp/longrun"
printf '[model]\ninput_size = 2\n[lstm]\nhidden = 3   ; %s\n; %s\n' "$(printf 'c%.0s' $(seq 1 300))" "$(printf 'x%.0s' $(seq 1 300))" > "$tmp/long-desc.ini"
row long-line 0 'total +84' -- "$rnnc" summary "$tmp/long-desc.ini"
printf '[lstm]\n%s = 3\n' "$(printf 'k%.0s' $(seq 1 300))" > "$tmp/long-key.ini"
row long-line 2 "long-key\.ini:2: line too long: only a 'key = value' line with a short key may be longer" -- "$rnnc" summary "$tmp/long-key.ini"
row long-line 2 '--set data\.test=p{47}\.\.\.: \[data\] test: a value of 1100 characters \(at most 1023\)' -- $T --set data.test="$(printf 'p%.0s' $(seq 1 1100))"
printf 'label,text,text\npos,good film,x\nneg,bad film,y\n' > "$tmp/twin-col.csv"
row duplicate-column 2 'twin-col\.csv:1: text column "text" is named twice in the header \(columns 1 and 2\)' -- "$rnnc" eval "$model" "$tmp/twin-col.csv" $E
awk 'BEGIN { print "label,text"; for (i = 0; i <= 100000; i++) print "pos,review " i }' > "$tmp/many.csv"
row too-many-labels 2 'many\.csv:100002: label "review 100000" would be label 100001; a text set holds at most 100000 labels \(are the label and text columns swapped\?\)' -- timeout 20 $T --set data.train="$tmp/many.csv" --set data.label_column=text --set data.text_column=label
# ---- explicit data options win over detection; eval reads the stored test set as training did ----
# four.tsv has the IMDB TSV's shape (0/1, an integer, two more fields) but its text is column 2;
# column 3 is empty, which the IMDB reader would refuse.
printf '1\t7\tgood fine great\t\n0\t2\tbad awful poor\t\n' > "$tmp/four.tsv"
C4="--set data.train=$tmp/four.tsv --set data.test=$tmp/four.tsv --set data.label_column=0 --set data.text_column=2 --set train.output=$tmp/fourrun"
row explicit-wins 0 "data: .*four\.tsv read as tsv \(detected from the name \*\.tsv; a column or header is given\), no header row .*text column 2 \(set\)" -- $T $C4
row explicit-wins 2 'four\.tsv: a label column \("0"\) is given, but the file is read as imdb-tsv \(set\), which has no columns to choose' -- $T $C4 --set data.format=imdb-tsv
row explicit-wins 2 'aclImdb: a label column \("label"\) is given, but the file is read as aclimdb \(detected: a folder with <split>/pos\)' -- "$rnnc" eval "$model" tests/fixtures/text/aclImdb $E
row explicit-wins 2 'rnnc eval: --split applies to aclImdb data only; .*train\.csv was read as csv' -- "$rnnc" eval "$model" "$tmp/train.csv" $E --split train
# The good run's test set is a CSV read by column names (so with a header): eval without DATA
# reads it so again, from any folder.
row eval-stored 0 'train\.csv: 40 examples' -- "$rnnc" eval "$model"
# A test set named relative to the training's folder: eval from another folder, which holds another
# train.csv, still reads the training's.
mkdir -p "$tmp/rel" "$tmp/other"
printf 'label,text\nneg,one\npos,two\n' > "$tmp/other/train.csv"
arnnc=$(cd "$(dirname "$rnnc")" && pwd)/rnnc
row eval-stored 0 'test: 40 examples' -- bash -c "cd '$tmp' && exec '$arnnc' train t.ini --threads 1 --quiet --set data.train=train.csv --set data.test=train.csv --set train.output=rel/run"
row eval-stored 0 "on $tmp/train\.csv: 40 examples" -- bash -c "cd '$tmp/other' && exec '$arnnc' eval ../rel/run/model.safetensors"
# A model file that names its test set without saying how it was read is refused, not guessed.
st_edit "$model" "$tmp/nohow.safetensors" 's/"rnnc\.data\.test\.format":"[a-z-]*",\{0,1\}//'
# A forecaster names its data by absolute path too: eval and forecast from another folder holding
# another series.csv read the training's; a relative name (a file written otherwise) is refused.
if [ -n "${fmodel:-}" ]; then
    head -n 31 "$tmp/series.csv" > "$tmp/other/series.csv"
    row eval-stored 0 'saved .*frel/model\.safetensors' -- bash -c "cd '$tmp' && exec '$arnnc' train f.ini --threads 1 --quiet --set forecast.data=series.csv --set train.output=frel"
    row eval-stored 0 "on $tmp/series\.csv: 60 rows" -- bash -c "cd '$tmp/other' && exec '$arnnc' eval ../frel/model.safetensors"
    st_edit "$fmodel" "$tmp/frelname.safetensors" 's|"rnnc\.forecast\.data":"[^"]*"|"rnnc.forecast.data":"series.csv"|'
    row eval-stored 2 "frelname\.safetensors names its data 'series\.csv' relative to the folder it was trained in" -- "$rnnc" eval "$tmp/frelname.safetensors"
    row eval-stored 2 "names its data 'series\.csv' relative to the folder" -- "$rnnc" forecast "$tmp/frelname.safetensors" --out "$tmp/frel.csv"
fi
row eval-stored 2 "nohow\.safetensors names its test set .*train\.csv' but not how it was read" -- "$rnnc" eval "$tmp/nohow.safetensors"
# ---- checks before the work: what a run's own eval and forecast need is refused before training ----
# Each refusal comes before the first step: the forecaster's run folder keeps every file as it was.
if [ -n "${fmodel:-}" ]; then
    mkdir "$tmp/fkeep"
    cp "$tmp/frun"/*.safetensors "$tmp/frun/metrics.jsonl" "$tmp/fkeep/"
    # frow NAME CODE PATTERN -- COMMAND: row, and the forecaster's run unchanged
    frow() {
        row "$@"
        local f
        for f in $(ls "$tmp/fkeep"); do
            cmp -s "$tmp/fkeep/$f" "$tmp/frun/$f" || {
                bad "[$1] frun/$f was changed"
                cp "$tmp/fkeep/$f" "$tmp/frun/$f"
            }
        done
    }
    frow checked-before-training 2 'series\.csv: \[forecast\] ar_order = 1000: an AR fit on the training part \(42 rows\) needs more equations than coefficients; at most 20' -- $F --set forecast.ar_order=1000
    frow checked-before-training 2 'series\.csv: \[forecast\] ma_window = 100000 is longer than the training part \(42 rows\); at most 42' -- $F --set forecast.ma_window=100000
    frow checked-before-training 2 'series\.csv: the test part \(0 rows\) holds no window of horizon 2' -- $F --set forecast.test_split=0
    printf 't,v\n1,1\n2,2\n3,1\n4,2\n5,1\n' > "$tmp/five.csv"
    frow checked-before-training 2 'five\.csv: the training part has 4 rows; the AR baseline .* needs at least 5' -- $F --set forecast.data="$tmp/five.csv" --set forecast.time=t --set forecast.lookback=1 --set forecast.horizon=1 --set forecast.validation_split=0 --set forecast.season=1
    awk 'BEGIN { print "t,v"; for (i = 0; i < 60; i++) print i "," (i % 2 ? "1e200" : "-1e200") }' > "$tmp/huge.csv"
    frow checked-before-training 2 "huge\.csv:2: column 'v': -1e200 is beyond \+-1e100" -- $F --set forecast.data="$tmp/huge.csv" --set forecast.time=t
    awk 'BEGIN { print "t,v"; for (i = 0; i < 60; i++) print i "," (i < 45 ? 0 : 1e90) }' > "$tmp/jump.csv"
    frow checked-before-training 2 "jump\.csv: column 'v', row 45: 1e\+90 scales to 1e\+90, beyond the \+-1e30" -- $F --set forecast.data="$tmp/jump.csv" --set forecast.time=t
    { printf 't,"a\nb"\n'; awk 'BEGIN { for (i = 0; i < 60; i++) print i "," i % 7 }'; } > "$tmp/nlcol.csv"
    frow checked-before-training 2 "nlcol\.csv: column name 'a' goes on after a line break" -- $F --set forecast.data="$tmp/nlcol.csv" --set forecast.time=t
    # A constant series: the AR fit is rank deficient (every lag equals the intercept); it trains,
    # and the model it leaves evaluates and forecasts.
    awk 'BEGIN { print "t,v"; for (i = 0; i < 60; i++) print i ",5" }' > "$tmp/const.csv"
    row checked-before-training 0 'v +ar +0 ' -- $F --set forecast.data="$tmp/const.csv" --set forecast.time=t --set train.output="$tmp/construn"
    row checked-before-training 0 'v +ar +0 ' -- "$rnnc" eval "$tmp/construn/model.safetensors"
    row checked-before-training 0 '^time,v' -- "$rnnc" forecast "$tmp/construn/model.safetensors"
    frow season-limit 2 'series\.csv: \[forecast\] season = 100000 is not shorter than the training part \(42 rows\).*at most 41' -- $F --set forecast.season=100000
    # A model trained on a long series, evaluated on a short one: the fallback period is stated.
    head -n 16 "$tmp/series.csv" > "$tmp/short.csv"
    row season-limit 0 "note: the model's season 12 is not shorter than this training part \(10 rows\): seasonal naive and MASE use period 1" -- "$rnnc" eval "$fmodel" "$tmp/short.csv"
    # Time stamps out of order or repeated: refused with both lines; sort_time sorts.
    printf 'Month,v\n2000-01,1\n2000-03,3\n2000-02,2\n' > "$tmp/late.csv"
    printf 'Month,v\n2000-01,1\n2000-02,3\n2000-02,2\n' > "$tmp/twice.csv"
    { head -n 1 "$tmp/series.csv"; tail -n +2 "$tmp/series.csv" | sort -r; } > "$tmp/desc.csv"
    frow time-order 2 "late\.csv:4: time stamp '2000-02' comes before line 3's \('2000-03'\): rows must be oldest first" -- $F --set forecast.data="$tmp/late.csv"
    frow time-order 2 "twice\.csv:4: time stamp '2000-02' repeats line 3's \('2000-02'\)" -- $F --set forecast.data="$tmp/twice.csv"
    frow time-order 2 "twice\.csv:4: time stamp '2000-02' repeats line 3's" -- $F --set forecast.data="$tmp/twice.csv" --set forecast.sort_time=true
    row time-order 2 "desc\.csv:3: time stamp '2004-11' comes before line 2's \('2004-12'\)" -- "$rnnc" eval "$fmodel" "$tmp/desc.csv"
    row time-order 2 "desc\.csv:3: time stamp '2004-11' comes before line 2's" -- "$rnnc" forecast "$fmodel" "$tmp/desc.csv"
    "$rnnc" eval "$fmodel" | tail -n 5 > "$tmp/asc.txt"
    "$rnnc" eval "$fmodel" "$tmp/desc.csv" --sort-time | tail -n 5 > "$tmp/sorted.txt"
    [ -s "$tmp/asc.txt" ] && cmp -s "$tmp/asc.txt" "$tmp/sorted.txt" &&
        ok "[time-order] eval --sort-time on the rows reversed gives the metrics of the file in order" ||
        bad "[time-order] eval --sort-time on reversed rows differs" "$(tail -n 2 "$tmp/sorted.txt")"
    row time-order 0 '' -- $F --set forecast.data="$tmp/desc.csv" --set forecast.sort_time=true --set train.output="$tmp/sortrun"
    "$rnnc" forecast "$tmp/sortrun/model.safetensors" --horizon 2 | tail -n 2 | cut -d, -f1 | tr '\n' ' ' > "$tmp/stamps.txt"
    [ "$(cat "$tmp/stamps.txt")" = "2005-01 2005-02 " ] &&
        ok "[time-order] a model trained with sort_time = true reads its data sorted again (forecast stamps 2005-01 2005-02)" ||
        bad "[time-order] the forecast stamps after sorting are '$(cat "$tmp/stamps.txt")'"
    frow schedule-short 2 '\[schedule\] total_steps = 1 is shorter than the run.s 3 steps \(3 epochs x 1 step per epoch\)' -- $F --set train.epochs=3 --set schedule.name=onecycle --set schedule.total_steps=1
    frow schedule-short 2 '\[schedule\] total_steps = 3 is shorter than the run.s 6 steps \(3 epochs x 2 batches\).*raise total_steps to 6' -- $F --set train.epochs=3 --set schedule.name=onecycle --set schedule.per_batch=true --set schedule.total_steps=3
    frow schedule-short 2 'total_steps = 5 is shorter than the run.s 6 steps' -- $F --set train.epochs=3 --set schedule.name=slanted_triangular --set schedule.per_batch=true --set schedule.total_steps=5
else
    bad "the checks before training need the good forecasting run"
fi
{ printf 'label,text\n'; for i in 1 2 3 4 5 6 7 8; do printf '"po\ns",good movie %d\nneg,bad film %d\n' "$i" "$i"; done; } > "$tmp/nllabel.csv"
row checked-before-training 2 "t\.ini: the training set: label 1 \('po'\) goes on after a line break" -- $T --set data.train="$tmp/nllabel.csv"
row threads-limit 2 "--set train\.threads=100000: \[train\] threads = '100000': expected an integer in \[0, 1024\]" -- "$rnnc" train "$tmp/t.ini" --quiet --set train.threads=100000
row threads-limit 2 "--threads '100000': expected an integer in \[0, 1024\]" -- "$rnnc" train "$tmp/t.ini" --quiet --threads 100000

# [data] test_split: exclusive with a test file, a fraction in [0, 1) that leaves both parts
# non-empty; eval without DATA re-makes the set and refuses a training file changed since.
row test-split 2 "t\.ini: \[data\] gives both test and test_split; choose one" -- $T --set data.test_split=0.2
row test-split 2 "--set data\.test_split=1: \[data\] test_split = '1': expected a number in \[0, 1\) \(a fraction; 0 = none\)" -- $T --set data.test_split=1
grep -v '^test = ' "$tmp/t.ini" | sed "s|^train = .*|train = $tmp/tsdata.csv|" > "$tmp/ts.ini"
cp "$tmp/train.csv" "$tmp/tsdata.csv"
TS="$rnnc train $tmp/ts.ini --threads 1 --quiet"
row test-split 2 "ts\.ini: \[data\] test_split = 0\.99 on .*tsdata\.csv: a split of 0\.99 of 40 examples leaves an empty part \(40 split off, 0 left\)" -- $TS --set data.test_split=0.99
row test-split 0 '^test: 10 examples' -- $TS --set data.test_split=0.25 --set train.output="$tmp/tsrun"
row test-split 0 'its test_split 0\.25 \(seed 1\) re-made as training made it' -- "$rnnc" eval "$tmp/tsrun/model.safetensors"
sed -i 's/ movie / film /' "$tmp/tsdata.csv"
row test-split 2 "tsdata\.csv \(test_split 0\.25, seed 1\) is not the one training held out: 10 examples #[0-9a-f]{16} \(training's: 10 examples #[0-9a-f]{16}\); the file has changed since training" -- "$rnnc" eval "$tmp/tsrun/model.safetensors"
# rnnc plot: a run folder without metrics.jsonl, malformed lines, outputs that are inputs or not
# pictures (the good run's metrics.jsonl is among the files checked unchanged after each row)
row plot-run 1 "no-such-run: cannot open: No such file or directory" -- "$rnnc" plot "$tmp/no-such-run"
mkdir -p "$tmp/norun"
row plot-run 2 "norun: no metrics\.jsonl here: give a training run's output folder" -- "$rnnc" plot "$tmp/norun"
: > "$tmp/norun/metrics.jsonl"
row plot-run 2 "norun/metrics\.jsonl: no epochs" -- "$rnnc" plot "$tmp/norun"
pline() { # pline NAME PATTERN LINE2: metrics.jsonl with a good first line and LINE2
    printf '{"epoch":1,"loss":0.5}\n%s\n' "$3" > "$tmp/norun/metrics.jsonl"
    row "$1" 2 "$2" -- "$rnnc" plot "$tmp/norun"
}
pline plot-lines 'metrics\.jsonl:2: not JSON \(column [0-9]+: ' '{"epoch":2,"loss":0.4'
pline plot-lines 'metrics\.jsonl:2: not JSON .*duplicate object key' '{"epoch":2,"loss":0.4,"loss":0.3}'
pline plot-lines 'metrics\.jsonl:2: an array, not an object' '[2, 0.4]'
pline plot-lines 'metrics\.jsonl:2: no "epoch" \(a whole number in \[1, 1000000\]\)' '{"loss":0.4}'
pline plot-lines 'metrics\.jsonl:2: no "epoch"' '{"epoch":"2","loss":0.4}'
pline plot-lines 'metrics\.jsonl:2: epoch 1 comes after epoch 1: one line per epoch, in order' '{"epoch":1,"loss":0.4}'
pline plot-lines 'metrics\.jsonl:2: "loss" is a string: a metric is a number or null' '{"epoch":2,"loss":"0.4"}'
printf '{"epoch":1,"loss":null}\n{"epoch":2,"loss":null,"step":9}\n' > "$tmp/norun/metrics.jsonl"
row plot-lines 2 'no metric has a value in any epoch: nothing to draw' -- "$rnnc" plot "$tmp/norun"
[ ! -e "$tmp/norun/curves.svg" ] && ok "[plot-lines] no curves.svg written for a bad file" ||
    bad "[plot-lines] curves.svg written for a bad file"
ln -s "$tmp/run/metrics.jsonl" "$tmp/link.svg"
row plot-output 2 "link\.svg is also an input \(.*run/metrics\.jsonl\): writing it would destroy it" -- "$rnnc" plot "$tmp/run" --out "$tmp/link.svg"
row plot-output 2 "--out .*curves\.jpg: the curves are drawn as SVG or PNG; name it \.svg or \.png" -- "$rnnc" plot "$tmp/run" --out "$tmp/curves.jpg"
printf 'my notes\n' > "$tmp/notes.svg"
row plot-output 2 "notes\.svg exists and is not an SVG file: not replaced \(pass --force to replace it\)" -- "$rnnc" plot "$tmp/run" --out "$tmp/notes.svg"
printf 'my notes\n' > "$tmp/notes.png"
row plot-output 2 "notes\.png exists and is not a PNG file: not replaced" -- "$rnnc" plot "$tmp/run" --out "$tmp/notes.png"
[ "$(cat "$tmp/notes.svg")" = "my notes" ] && ok "[plot-output] the refused --out file is unchanged" ||
    bad "[plot-output] the refused --out file was changed"
row plot-output 0 "saved .*notes\.svg" -- "$rnnc" plot "$tmp/run" --out "$tmp/notes.svg" --force
head -c 4 "$tmp/notes.svg" | grep -q '<svg' && ok "[plot-output] --force replaced it with the curves" ||
    bad "[plot-output] --force did not write the curves"
row plot-output 0 "saved .*notes\.svg" -- "$rnnc" plot "$tmp/run" --out "$tmp/notes.svg"
mkdir -p "$tmp/adir.svg"
row plot-output 2 "adir\.svg exists and is not a regular file: not replaced" -- "$rnnc" plot "$tmp/run" --out "$tmp/adir.svg"
# [train] tensorboard: a folder that cannot be made, refused before the first step
: > "$tmp/tbfile"
row tensorboard-folder 1 "tbfile: exists and is not a folder" -- $T --set train.tensorboard="$tmp/tbfile" --set train.output="$tmp/tbrun"
row tensorboard-folder 1 "tbfile/sub: cannot create the TensorBoard folder: Not a directory" -- $T --set train.tensorboard="$tmp/tbfile/sub" --set train.output="$tmp/tbrun"
[ ! -e "$tmp/tbrun/checkpoint.safetensors" ] && ok "[tensorboard-folder] no step taken, no checkpoint written" ||
    bad "[tensorboard-folder] the run trained without its TensorBoard folder"

# Layer numbers: messages count layers from 0, as the library's calls, inspect and summary do
row layer-number 2 "t\.ini: layer 1 \(gru\): hidden = 0 is outside \[1, 16777216\]" -- $T --set gru.hidden=0
printf '[model]\ninput_size = 2\n[lstm]\nhidden = 3\n[gru]\nhidden = 3\n' > "$tmp/last-then-seq.ini"
row layer-number 2 "last-then-seq\.ini: layer 1 \(gru\): needs a sequence input" -- "$rnnc" summary "$tmp/last-then-seq.ini"

# ---- training on arrays (docs/arrays.md): .npz files written by tests/tasks/test_arrays ----
mkdir -p "$tmp/arr"
if "${RNNC_BUILD:-build}/tests/tasks/test_arrays" --write-fixtures "$tmp/arr" 2> "$tmp/arr.log"; then
    cat > "$tmp/arr.ini" <<EOF
[gru]
hidden = 4
[data]
format = npz
train = $tmp/arr/reg.npz
[train]
epochs = 1
output = $tmp/arrrun
EOF
    A="$rnnc train $tmp/arr.ini --quiet --threads 1"
    row npz-not-zip 2 'notzip\.npz: not an \.npz \(a zip of \.npy arrays\)' -- $A --set data.train="$tmp/arr/notzip.npz"
    row npy-header 2 "magic\.npz: array 'x': not an \.npy array" -- $A --set data.train="$tmp/arr/magic.npz"
    row npy-order 2 "fortran\.npz: array 'x': fortran_order is True; only C-order arrays are read" -- $A --set data.train="$tmp/arr/fortran.npz"
    row npy-dtype 2 "bigendian\.npz: array 'x': dtype '>f4' is big-endian" -- $A --set data.train="$tmp/arr/bigendian.npz"
    row npy-dtype 2 "object\.npz: array 'y': dtype '\|O' is not read" -- $A --set data.train="$tmp/arr/object.npz"
    row npy-size 2 "short\.npz: array 'x': holds 100 bytes of data; its shape and dtype '<f4' need 192" -- $A --set data.train="$tmp/arr/short.npz"
    row arrays-shape 2 "noinputs\.npz: holds no inputs; give the inputs as 'x' \(n,T,F\) or 'ids' \(n,T\)" -- $A --set data.train="$tmp/arr/noinputs.npz"
    row arrays-shape 2 "rows\.npz: array 'y': shape \(5\); expected \(6\)" -- $A --set data.train="$tmp/arr/rows.npz"
    row arrays-values 2 "lengths\.npz: array 'lengths': element 4 \(row 4\) is 5; lengths must be in \[1, 4\]" -- $A --set data.train="$tmp/arr/lengths.npz"
    row arrays-config 2 "\[data\] target = 'many': expected auto, regression, classes or steps" -- $A --set data.target=many
    row arrays-config 2 "unknown key 'label_column' in \[data\] of a training file on arrays" -- $A --set data.label_column=label
    row arrays-config 2 "gives both validation and validation_split" -- $A --set data.validation="$tmp/arr/reg.npz" --set data.validation_split=0.1
    row arrays-model 2 "512 sequences leave no room for test_split 0\.5 and validation_split 0\.001" -- $A --set data.test_split=0.5 --set data.validation_split=0.001
    if $A > "$tmp/arrgood.log" 2>&1; then
        row arrays-model 2 "features3\.npz: the arrays \(3 features, 2 outputs\) do not fit .*arrrun/model\.safetensors \(2 features, 2 outputs\)" -- "$rnnc" eval "$tmp/arrrun/model.safetensors" "$tmp/arr/features3.npz"
        row arrays-model 2 "features3\.npz: the arrays \(3 features" -- "$rnnc" predict "$tmp/arrrun/model.safetensors" "$tmp/arr/features3.npz"
        row npz-not-zip 2 'notzip\.npz: not an \.npz' -- "$rnnc" eval "$tmp/arrrun/model.safetensors" "$tmp/arr/notzip.npz"
    else
        bad "[arrays-model] the good run on arrays" "$(tail -n 3 "$tmp/arrgood.log")"
    fi
else
    bad "[npz-not-zip] tests/tasks/test_arrays --write-fixtures (build it first)" "$(tail -n 2 "$tmp/arr.log")"
fi

# ---- probabilistic forecasts (docs/forecast.md, "Prediction intervals"): quantiles and heads ----
if [ -e "$tmp/f.ini" ]; then
    F="$rnnc train $tmp/f.ini --threads 1 --quiet"
    Q="--set forecast.loss=quantile"
    row forecast-quantiles 2 "--set forecast\.quantiles=0\.1,0\.5,1: \[forecast\] quantiles = '0\.1,0\.5,1': the quantiles must each lie in \(0, 1\)" -- $F $Q --set forecast.quantiles=0.1,0.5,1
    row forecast-quantiles 2 "quantiles = '0\.9,0\.5,0\.1': the quantiles must be in increasing order" -- $F $Q --set forecast.quantiles=0.9,0.5,0.1
    row forecast-quantiles 2 "quantiles = '0\.1,0\.5,0\.5,0\.9': the quantiles must not repeat a value" -- $F $Q --set forecast.quantiles=0.1,0.5,0.5,0.9
    row forecast-quantiles 2 "the quantiles must come in pairs \(q, 1 - q\) around 0\.5" -- $F $Q --set forecast.quantiles=0.1,0.5,0.8
    row forecast-quantiles 2 "the quantiles need 0\.5 \(the point forecast\)" -- $F $Q --set forecast.quantiles=0.2,0.3,0.7
    row forecast-quantiles 2 "quantiles = 'x': expected numbers separated by commas" -- $F $Q --set forecast.quantiles=x
    row forecast-quantiles 2 "\[forecast\] loss = quantile needs 'quantiles = \.\.\.'" -- $F $Q
    row forecast-quantiles 2 "\[forecast\] quantiles are given, but loss is not quantile" -- $F --set forecast.quantiles=0.1,0.5,0.9
    row forecast-interval-head 2 "\[forecast\] loss = gaussian gives intervals from the direct decoder only" -- $F --set forecast.loss=gaussian --set forecast.decoder=recursive
    row forecast-interval-head 2 "\[forecast\] loss = 'student': expected mse, mae, huber, gaussian or quantile" -- $F --set forecast.loss=student
    if $F --set forecast.loss=gaussian --set train.output="$tmp/grun" > "$tmp/grun.log" 2>&1; then
        gmodel=$tmp/grun/model.safetensors
        grep -q '^v  *80%  *[0-9.]*%' "$tmp/grun.log" && grep -q '^CRPS of v' "$tmp/grun.log" &&
            ok "[forecast-interval-head] a gaussian head's table has the coverage of 80% and CRPS" ||
            bad "[forecast-interval-head] no coverage or CRPS in the gaussian head's table"
        row forecast-interval-head 2 "the checkpoint was trained on another setup: head is 'quantile 0\.1.*' \(the checkpoint's: 'gaussian'\)" -- $F --set forecast.loss=quantile --set forecast.quantiles=0.1,0.5,0.9 --set train.output="$tmp/grun" --set train.epochs=2 --resume "$tmp/grun/checkpoint.safetensors"
        row forecast-interval-horizon 2 "3 steps exceed the horizon 2, and intervals are given for the model's horizon only" -- "$rnnc" forecast "$gmodel" --horizon 3 --out "$tmp/g3.csv"
        [ ! -e "$tmp/g3.csv" ] && ok "[forecast-interval-horizon] no CSV written" ||
            bad "[forecast-interval-horizon] a refused forecast wrote g3.csv"
        row forecast-interval-horizon 0 '' -- "$rnnc" forecast "$gmodel" --out "$tmp/g2.csv" --plot "$tmp/g2.svg"
        head -1 "$tmp/g2.csv" | grep -q '^time,v,v_lo80,v_hi80,v_lo95,v_hi95$' && grep -q '<polygon' "$tmp/g2.svg" &&
            ok "[forecast-interval-horizon] the CSV has the interval columns and the plot its bands" ||
            bad "[forecast-interval-horizon] no interval columns or bands: $(head -1 "$tmp/g2.csv")"
    else
        bad "[forecast-interval-head] a gaussian head does not train: $(tail -3 "$tmp/grun.log")"
    fi
    row forecast-ensemble 2 "--set forecast\.ensemble=0: \[forecast\] ensemble = '0': expected an integer in \[1, 32\]" -- $F --set forecast.ensemble=0
    row forecast-ensemble 2 "--set forecast\.ensemble=33: \[forecast\] ensemble = '33'" -- $F --set forecast.ensemble=33
    if $F --set forecast.ensemble=3 --set forecast.loss=quantile --set forecast.quantiles=0.1,0.5,0.9 --set train.output="$tmp/erun" > "$tmp/erun.log" 2>&1; then
        emodel=$tmp/erun/model.safetensors
        [ -f "$tmp/erun/model.member1.safetensors" ] && [ -f "$tmp/erun/model.member2.safetensors" ] &&
            [ -f "$tmp/erun/member-2/metrics.jsonl" ] && ok "[forecast-ensemble] ensemble = 3 writes its members beside model.safetensors" ||
            bad "[forecast-ensemble] no member files: $(ls "$tmp/erun")"
        row forecast-ensemble 0 '^time,v,v_lo80,v_hi80$' -- "$rnnc" forecast "$emodel"
        row forecast-ensemble 2 "--resume continues one run, and ensemble = 3 trains 3" -- $F --set forecast.ensemble=3 --set train.output="$tmp/erun" --resume "$tmp/erun/checkpoint.safetensors"
        mv "$tmp/erun/model.member2.safetensors" "$tmp/erun/m2.keep"
        row forecast-ensemble 1 "model\.member2\.safetensors: cannot open" -- "$rnnc" eval "$emodel"
        cp "$tmp/erun/model.member1.safetensors" "$tmp/erun/model.member2.safetensors"
        row forecast-ensemble 2 "model\.member2\.safetensors: member 2's parameters are not those the ensemble .*erun/model\.safetensors was saved with" -- "$rnnc" forecast "$emodel"
    else
        bad "[forecast-ensemble] an ensemble does not train: $(tail -3 "$tmp/erun.log")"
    fi
fi


# ---- differencing (docs/forecast.md, "Seasonality and level"): bad lags ----
if [ -e "$tmp/f.ini" ]; then
    F="$rnnc train $tmp/f.ini --threads 1 --quiet"
    row forecast-difference 2 "--set forecast\.difference=sometimes: \[forecast\] difference = 'sometimes': expected none, season or a lag in \[1, 1000000\]" -- $F --set forecast.difference=sometimes
    row forecast-difference 2 "f\.ini: .*series\.csv: \[forecast\] difference = 42 is not shorter than the training part \(42 rows\)" -- $F --set forecast.difference=42
    row forecast-difference 2 "f\.ini: .*series\.csv: \[forecast\] difference = 40: the training part \(42 rows\) holds no window" -- $F --set forecast.difference=40
    row forecast-difference 2 "--set forecast\.difference=1: \[forecast\] difference = 1 is shorter than the horizon 2, and loss = gaussian gives intervals only for steps whose value a lag before is known" -- $F --set forecast.loss=gaussian --set forecast.difference=1
    row forecast-difference 2 "f\.ini: \[forecast\] difference = season: difference = 12 is shorter than the horizon 13" -- $F --set forecast.loss=gaussian --set forecast.difference=season --set forecast.horizon=13 --set forecast.test_split=0.3
    if $F --set forecast.difference=season --set train.output="$tmp/drun" > "$tmp/drun.log" 2>&1; then
        row forecast-difference 0 '^v +rnn' -- "$rnnc" eval "$tmp/drun/model.safetensors"
        row forecast-difference 2 "a forecast from row 17 needs the 6 rows before it \(the lookback\) and the 12 before those \(difference = 12\); start at row 18 or later" -- "$rnnc" forecast "$tmp/drun/model.safetensors" --at 17
    else
        bad "[forecast-difference] difference = season does not train: $(tail -3 "$tmp/drun.log")"
    fi
    awk 'BEGIN { print "Month,v"; for (i = 0; i < 60; i++) printf "%d-%02d,%d\n", 2000 + int(i / 12), i % 12 + 1, i < 6 ? 0 : 10 + i % 12 }' > "$tmp/zero.csv"
    row forecast-window-norm 2 "--set forecast\.window_norm=mean: \[forecast\] window_norm = 'mean': expected none or level" -- $F --set forecast.window_norm=mean
    row forecast-window-norm 2 "--set forecast\.window_norm=level: \[forecast\] window_norm = level divides each window by its level, and log = true anchors the window too" -- $F --set forecast.log=true --set forecast.window_norm=level
    row forecast-window-norm 2 "f\.ini: .*zero\.csv: \[forecast\] window_norm = level divides each window by its level, the mean of its last 6 values of target 'v', so it must be > 0; the window before row 6 has 0 \(rows 0-5\)" -- $F --set forecast.window_norm=level --set forecast.data="$tmp/zero.csv"
    if $F --set forecast.window_norm=level --set train.output="$tmp/lrun" > "$tmp/lrun.log" 2>&1; then
        row forecast-window-norm 0 '^time,v' -- "$rnnc" forecast "$tmp/lrun/model.safetensors"
        row forecast-window-norm 2 "window_norm = level: the forecast from row 6: the level of target 'v' \(the mean of its 6 values before row 6\) is 0" -- "$rnnc" forecast "$tmp/lrun/model.safetensors" "$tmp/zero.csv" --at 6
    else
        bad "[forecast-window-norm] window_norm = level does not train: $(tail -3 "$tmp/lrun.log")"
    fi
fi

# ---- rnnc gradcheck (docs/gradcheck.md): bad input to the gradient check ----
row gradcheck-input 0 "^PASS: [0-9]+ of [0-9]+ tensors within 1e-06" -- "$rnnc" gradcheck --max-per-tensor 3 "$model"
row gradcheck-input 1 "nope\.ini: cannot open: No such file or directory" -- "$rnnc" gradcheck "$tmp/nope.ini"
st_edit "$model" "$tmp/nomodel.safetensors" 's/"rnnc\.config"/"rnnc.other"/'
row gradcheck-input 2 "nomodel\.safetensors: no 'rnnc\.config' metadata, so this is not an rnnc model file" -- "$rnnc" gradcheck "$tmp/nomodel.safetensors"
row gradcheck-input 2 "nomodel\.safetensors: .*rnnc\.config" -- "$rnnc" inspect "$tmp/nomodel.safetensors"
row gradcheck-input 2 "train\.csv:1: not a 'key = value' line" -- "$rnnc" gradcheck "$tmp/train.csv"
row gradcheck-input 2 "rnnc gradcheck: unknown option '--tol' \(see --help\)" -- "$rnnc" gradcheck --tol 1e-6 "$tmp/t.ini"
row gradcheck-input 2 "rnnc gradcheck: --tolerance 0: must be > 0" -- "$rnnc" gradcheck --tolerance 0 "$tmp/t.ini"
row gradcheck-input 2 "rnnc gradcheck: --tolerance -1e-06: must be > 0" -- "$rnnc" gradcheck --tolerance -1e-6 "$tmp/t.ini"
row gradcheck-input 2 "rnnc gradcheck: --eps 0: must be > 0" -- "$rnnc" gradcheck --eps 0 "$tmp/t.ini"
row gradcheck-input 2 "rnnc gradcheck: .*model\.safetensors: --set applies to a description, not to a model file" -- "$rnnc" gradcheck --set gru.hidden=3 "$model"
row gradcheck-input 2 "t\.ini: layer 1 \(gru\): hidden = 0 is outside" -- "$rnnc" gradcheck --set gru.hidden=0 "$tmp/t.ini"
[ -f "$tmp/arr/reg.npz" ] &&
    row gradcheck-input 2 "reg\.npz: the model starts with an embedding: the data needs an array of ids" -- "$rnnc" gradcheck --data "$tmp/arr/reg.npz" "$tmp/t.ini"

# ---- rnnc gradflow (docs/gradflow.md): bad input to the gradient-flow measurement ----
printf '[model]\ninput_size = 2\n[rnn]\nhidden = 4\n' > "$tmp/gf.ini"
printf '{"step":1,"grad_norm":0.5}\nnot a step\n' > "$tmp/bad-steps.jsonl"
: > "$tmp/empty-steps.jsonl"
row gradflow-input 0 "keep/steps\.jsonl: grad_norm [0-9.e+-]+ at step 1" -- "$rnnc" gradflow --steps 6 --csv "$tmp/gf.csv" --steps-log "$tmp/keep/steps.jsonl" --plot "$tmp/gf.svg" "$tmp/gf.ini"
rm -f "$tmp/gf.csv" "$tmp/gf.svg"
row gradflow-input 1 "nope\.ini: cannot open: No such file or directory" -- "$rnnc" gradflow "$tmp/nope.ini"
row gradflow-input 2 "model\.safetensors: the model takes ids, vocabulary [0-9]+ and gives .*the adding problem needs features 2" -- "$rnnc" gradflow --steps 6 "$model"
row gradflow-input 2 "rnnc gradflow: --plot .*gf\.jpg: the plot is written as \.png or \.svg" -- "$rnnc" gradflow --plot "$tmp/gf.jpg" "$tmp/gf.ini"
row gradflow-input 2 "bad-steps\.jsonl:2: not a steps\.jsonl line" -- "$rnnc" gradflow --steps-log "$tmp/bad-steps.jsonl" "$tmp/gf.ini"
row gradflow-input 2 "empty-steps\.jsonl: no steps in the log" -- "$rnnc" gradflow --steps-log "$tmp/empty-steps.jsonl" "$tmp/gf.ini"
row gradflow-input 1 "nosteps\.jsonl: cannot read the steps log" -- "$rnnc" gradflow --steps-log "$tmp/nosteps.jsonl" "$tmp/gf.ini"
row gradflow-input 2 "--plot .*gf\.png: 7 curves in one panel; a plot shows at most 6" -- "$rnnc" gradflow --steps 6 --plot "$tmp/gf.png" "$tmp/gf.ini" --compare "$tmp/gf.ini" --compare "$tmp/gf.ini" --compare "$tmp/gf.ini" --compare "$tmp/gf.ini" --compare "$tmp/gf.ini" --compare "$tmp/gf.ini"
row gradflow-input 2 "rnnc gradflow: --lr 0: must be > 0" -- "$rnnc" gradflow --lr 0 "$tmp/gf.ini"
if [ -f "$tmp/arr/features3.npz" ]; then
    row gradflow-input 2 "gf\.ini: the model takes features 2 .*features3\.npz needs features 3" -- "$rnnc" gradflow --data "$tmp/arr/features3.npz" "$tmp/gf.ini"
    row gradflow-input 2 "steps\.npz: per-step labels .* are not measured" -- "$rnnc" gradflow --data "$tmp/arr/steps.npz" "$tmp/gf.ini"
    row gradflow-input 2 "notzip\.npz" -- "$rnnc" gradflow --data "$tmp/arr/notzip.npz" "$tmp/gf.ini"
fi
# rnnc bleu: files of other lengths, a line not UTF-8, a NUL byte, a missing file; nothing written
printf 'Le chat dort.\nIl pleut.\n' >"$tmp/bleu-hyp.txt"
printf 'Le chat dort.\n' >"$tmp/bleu-ref1.txt"
printf 'Le chat dort.\nIl pl\xe9ut.\n' >"$tmp/bleu-latin1.txt"
printf 'Le chat\0dort.\nIl pleut.\n' >"$tmp/bleu-nul.txt"
row bleu-input 2 "rnnc: bleu: .*bleu-hyp\.txt has 2 lines but .*bleu-ref1\.txt has 1: one reference per hypothesis" -- "$rnnc" bleu "$tmp/bleu-hyp.txt" "$tmp/bleu-ref1.txt"
row bleu-input 2 "rnnc: bleu: .*bleu-latin1\.txt:2: not UTF-8 \(1 invalid byte\)" -- "$rnnc" bleu "$tmp/bleu-hyp.txt" "$tmp/bleu-latin1.txt"
row bleu-input 2 "rnnc: bleu: .*bleu-nul\.txt:1: a NUL byte in the line" -- "$rnnc" bleu "$tmp/bleu-nul.txt" "$tmp/bleu-hyp.txt"
row bleu-input 1 "rnnc: bleu: .*bleu-none\.txt: cannot open" -- "$rnnc" bleu "$tmp/bleu-hyp.txt" "$tmp/bleu-none.txt"

# Translation training files ([translate], docs/translate.md "Training") and their data: bad keys
# and values, a missing or bad TSV, filters that keep nothing, a model without a decoder, a bad
# TSV given to rnnc eval with a translator's file; nothing written
printf 'I am cold.\tJ ai froid.\nHe is tall.\tIl est grand.\nShe is here.\tElle est ici.\nWe are late.\tNous sommes en retard.\n' >"$tmp/tr.tsv"
printf 'I am cold.\tJ ai froid.\nHe is tall and no tab here\n' >"$tmp/tr-notab.tsv"
cat >"$tmp/tr.ini" <<EOF
[translate]
data = $tmp/tr.tsv
validation_split = 0
test_split = 0
[embedding]
vocab = auto
dim = 4
[lstm]
hidden = 4
return_sequences = true
[decoder]
vocab = auto
dim = 4
hidden = 4
[train]
epochs = 1
batch_size = 2
output = $tmp/trrun
EOF
grep -v '^data = ' "$tmp/tr.ini" >"$tmp/tr-nodata.ini"
printf '[translate]\ndata = %s\n[embedding]\nvocab = auto\ndim = 4\n[lstm]\nhidden = 4\n[dense]\nunits = 3\n' \
    "$tmp/tr.tsv" >"$tmp/tr-nodec.ini"
T="$rnnc train $tmp/tr.ini --threads 1 --quiet"
row translate-config 2 "--set translate\.colour=red: unknown key 'colour' in \[translate\]" -- $T --set translate.colour=red
row translate-config 2 "\[translate\] label_smoothing = '1': expected a number in \[0, 1\)" -- $T --set translate.label_smoothing=1
row translate-config 2 "\[translate\] prefix = 'english': expected none or tutorial" -- $T --set translate.prefix=english
row translate-config 2 "\[translate\] src_words = '3': expected 0 \(every word\) or at least 5" -- $T --set translate.src_words=3
row translate-config 2 "\[translate\] detok = 'de': expected en or fr" -- $T --set translate.detok=de
row translate-config 2 "\[translate\] teacher_forcing = '1.5': expected a probability in \[0, 1\]" -- $T --set translate.teacher_forcing=1.5
row monitor-score 2 "\[early_stopping\] monitor = 'val_bleu': expected val_loss, val_accuracy or val_score" -- $T --set early_stopping.monitor=val_bleu
row monitor-score 2 "monitor = val_score needs validation data and a task with a score of its own" -- $rnnc train "$tmp/t.ini" --threads 1 --quiet --set early_stopping.monitor=val_score
row translate-config 2 "tr\.ini: \[translate\] validation_split \+ test_split = 1 leaves nothing to train on" -- $T --set translate.validation_split=0.5 --set translate.test_split=0.5
row translate-config 2 "tr-nodata\.ini: \[translate\] needs 'data = FILE'" -- $rnnc train "$tmp/tr-nodata.ini" --quiet
row translate-config 2 "\[data\] is for text classifiers; this file names its data in \[translate\]" -- $T --set data.train=x.tsv
row translate-data 1 "trnone\.tsv: cannot open" -- $T --set translate.data="$tmp/trnone.tsv"
row translate-data 2 "tr-notab\.tsv:2: no tab" -- $T --set translate.data="$tmp/tr-notab.tsv"
row translate-data 2 "tr\.tsv: none of its 4 pairs passes the filters \(max_tokens 0, prefix tutorial\)" -- $T --set translate.prefix=tutorial --set translate.swap=true
row translate-model 2 "a translator ends with a \[decoder\] layer" -- $rnnc train "$tmp/tr-nodec.ini" --quiet
if $T >/dev/null 2>&1; then
    row translate-eval 2 "rnnc: eval: .*tr-notab\.tsv:2: no tab" -- "$rnnc" eval "$tmp/trrun/model.safetensors" "$tmp/tr-notab.tsv"
    row translate-input 1 "rnnc: translate: .*nothere\.txt: cannot open: No such file" -- "$rnnc" translate "$tmp/trrun/model.safetensors" "$tmp/nothere.txt"
    row translate-input 2 "model\.safetensors: not a translator \(metadata rnnc\.task is 'classify'\)" -- "$rnnc" translate "$model" "hello"
    row translate-input 2 "rnnc: --beam '0': expected an integer in \\[1, 64\\]" -- "$rnnc" translate --beam 0 "$tmp/trrun/model.safetensors" "hello"
    row translate-input 2 "rnnc translate: --attention and --plot take one sentence \(TEXT\), not lines of a file" -- "$rnnc" translate --attention "$tmp/a.csv" "$tmp/trrun/model.safetensors" "$tmp/tr.tsv"
    row translate-input 2 "rnnc translate: --plot .*a\.jpg: the plot is written as \.png or \.svg" -- "$rnnc" translate --plot "$tmp/a.jpg" "$tmp/trrun/model.safetensors" "hello"
else
    bad "[translate-eval] the good translator's run failed"
fi
# rnnc demo's task and options; init = identity outside [rnn]
row demo-options 2 "rnnc demo: unknown task 'recall' \(adding or copy\)" -- "$rnnc" demo recall
row demo-options 2 "rnnc demo: too many arguments \(also got 'adding'\)" -- "$rnnc" demo copy adding
row demo-options 2 "--T '0': expected an integer in \[1, 100000\]" -- "$rnnc" demo copy --T 0
row demo-options 2 "--solved '1\.5': expected a number in \[0, 1\]" -- "$rnnc" demo --solved 1.5
row demo-options 2 "rnnc demo: --cell must be lstm, gru, rnn or irnn \(got 'irn'\)" -- "$rnnc" demo copy --cell irn
printf '[model]\ninput_size = 2\n[gru]\nhidden = 4\ninit = identity\n' > "$tmp/identity-gru.ini"
row init-identity 2 "identity-gru\.ini: layer 0 \(gru\): init = identity is for \[rnn\] layers only" -- "$rnnc" summary "$tmp/identity-gru.ini"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
