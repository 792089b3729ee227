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
expect 2 'usage' -- "$rnnc"
expect 2 "unknown command 'fly'" -- "$rnnc" fly
expect 0 'usage: rnnc demo' -- "$rnnc" demo --help
expect 0 'usage: rnnc summary' -- "$rnnc" summary --help
expect 2 "unknown option '--bogus'" -- "$rnnc" demo --bogus
expect 2 "--epochs 'x': expected an integer" -- "$rnnc" demo --epochs x
expect 2 'option --lr needs a value' -- "$rnnc" demo --lr
expect 2 '--tmin 9 is above --tmax 5' -- "$rnnc" demo --tmin 9 --tmax 5
expect 0 'final test accuracy' -- "$rnnc" demo --epochs 1 --steps 3 --hidden 4
expect 0 'lstm\.weight_hh_l0 +\(512, 128\) +65536' -- "$rnnc" summary examples/models/imdb-lstm.ini
expect 0 'total +1412225' -- "$rnnc" summary examples/models/imdb-lstm.ini
expect 0 'gru +encoder +2 layers, bidirectional \(concat\) +output \(T, B, 128\)' -- "$rnnc" summary examples/models/bigru-tagger.ini
expect 1 'missing\.ini: cannot open' -- "$rnnc" summary "$tmp/missing.ini"
printf '[lstm]\nhidden = 4\nlayers = many\n' > "$tmp/bad.ini"
expect 2 'bad\.ini:3: layers = .many.: expected an integer' -- "$rnnc" summary "$tmp/bad.ini"
expect 2 'one model file only' -- "$rnnc" summary a.ini b.ini

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
