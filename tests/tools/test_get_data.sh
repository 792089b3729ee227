#!/usr/bin/env bash
# scripts/get-data.sh without a network: a copy from a shared folder is checked and put in place;
# a copy whose sha256 differs (one file of a data set damaged) is refused with exit 1 and leaves
# nothing of that data set behind, nor a temporary folder; files already in place are kept. The
# copy of real files runs when ../shared/data is beside the repository (it says so otherwise).
# The download path (curl or wget from each official source) is not run here.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
get=$root/scripts/get-data.sh
shared=$root/../shared/data
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

expect() { # CODE PATTERN -- COMMAND...
    local code=$1 pattern=$2 out rc
    shift 3
    out=$("$@" 2>&1)
    rc=$?
    if [ "$rc" -eq "$code" ] && printf '%s\n' "$out" | grep -qE -- "$pattern"; then
        echo "ok   ${*##*/} -> $code /$pattern/"
        pass=$((pass + 1))
    else
        echo "FAIL $* -> exit $rc, wanted $code /$pattern/"
        printf '%s\n' "$out" | tail -n 4 | sed 's/^/     /'
        fail=$((fail + 1))
    fi
}
check() { # CONDITION-EXIT-STATUS MESSAGE
    if [ "$1" -eq 0 ]; then
        echo "ok   $2"
        pass=$((pass + 1))
    else
        echo "FAIL $2"
        fail=$((fail + 1))
    fi
}
leftovers() { find "$1" -name '*.tmp.*' | head -n 3; }

# A fake shared folder: a tiny-shakespeare that is not the real one.
mkdir -p "$tmp/fake/tinyshakespeare" "$tmp/fake/timeseries"
echo "First Citizen: not quite" > "$tmp/fake/tinyshakespeare/input.txt"
expect 1 "fake/tinyshakespeare/input\.txt: sha256 [0-9a-f]{64}, expected 86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed .*nothing written" -- "$get" --from "$tmp/fake" --to "$tmp/out" tiny-shakespeare
[ ! -e "$tmp/out/tinyshakespeare" ] && [ -z "$(leftovers "$tmp/out")" ]
check $? "a damaged copy leaves no data/tinyshakespeare and no temporary folder"
expect 1 "fake/timeseries: no such file|airline-passengers\.csv: no such file" -- "$get" --from "$tmp/fake" --to "$tmp/out" timeseries
[ -z "$(leftovers "$tmp/out")" ]
check $? "a copy missing a file leaves no temporary folder"
expect 2 "unknown data set 'mnist' \(see --list\)" -- "$get" mnist
expect 2 "unknown option '--bogus'" -- "$get" --bogus imdb
expect 2 "usage: scripts/get-data\.sh" -- "$get"
expect 2 "give --from or --download, not both" -- "$get" --from "$tmp/fake" --download ptb
expect 0 "^ptb -> data/ptb/" -- "$get" --list
expect 0 "source: https://ai\.stanford\.edu/~amaas/data/sentiment/aclImdb_v1\.tar\.gz" -- "$get" --list

if [ -d "$shared/tinyshakespeare" ] && [ -d "$shared/timeseries" ]; then
    expect 0 "out/tinyshakespeare: input\.txt \(sha256 checked\)" -- "$get" --from "$shared" --to "$tmp/out" tiny-shakespeare
    cmp -s "$shared/tinyshakespeare/input.txt" "$tmp/out/tinyshakespeare/input.txt"
    check $? "the copy is the shared file"
    expect 0 "already in place \(sha256 checked\)" -- "$get" --from "$tmp/fake" --to "$tmp/out" tiny-shakespeare
    # ../shared/data is found without --from
    expect 0 "copying from .*shared/data/timeseries" -- "$get" --to "$tmp/out2" timeseries
    [ "$(find "$tmp/out2/timeseries" -type f | wc -l)" -eq 6 ] && [ -z "$(leftovers "$tmp/out2")" ]
    check $? "timeseries: six CSV files, no temporary folder"
    # one file of six damaged: none of them is written
    cp "$shared/timeseries/"*.csv "$tmp/fake/timeseries/"
    head -c 1000 "$shared/timeseries/sp500.csv" > "$tmp/fake/timeseries/sp500.csv"
    expect 1 "timeseries/sp500\.csv: sha256 [0-9a-f]{64}, expected b1159388" -- "$get" --from "$tmp/fake" --to "$tmp/out3" timeseries
    [ ! -e "$tmp/out3/timeseries" ] && [ -z "$(leftovers "$tmp/out3")" ]
    check $? "one damaged file of six: nothing of timeseries written"
    # a damaged file already in place is replaced only by a good copy
    echo damaged > "$tmp/out/tinyshakespeare/input.txt"
    expect 1 "sha256 .*nothing written" -- "$get" --from "$tmp/fake" --to "$tmp/out" tiny-shakespeare
    [ "$(cat "$tmp/out/tinyshakespeare/input.txt")" = damaged ]
    check $? "a refused copy leaves the file in place untouched"
    expect 0 "input\.txt \(sha256 checked\)" -- "$get" --from "$shared" --to "$tmp/out" tiny-shakespeare
    cmp -s "$shared/tinyshakespeare/input.txt" "$tmp/out/tinyshakespeare/input.txt"
    check $? "a good copy replaces the damaged file"
    # imdb's download step after the archive's checksum: an aclImdb folder (here made from the
    # shared TSV) written as the TSV form gives exactly the listed content.
    if [ -d "$shared/imdb" ]; then
        mkdir -p "$tmp/acl/aclImdb/"{train,test}/{neg,pos} "$tmp/acltsv"
        for s in train test; do
            gzip -dc "$shared/imdb/$s.tsv.gz" | LC_ALL=C awk -F'\t' -v d="$tmp/acl/aclImdb/$s" '{
                t = substr($0, length($1) + length($2) + length($3) + 4)
                f = d "/" ($1 == 1 ? "pos" : "neg") "/" $3 "_" $2 ".txt"
                printf "%s", t > f; close(f) }'
        done
        "$get" --aclimdb-to-tsv "$tmp/acl/aclImdb" "$tmp/acltsv" &&
            [ "$(gzip -dc "$tmp/acltsv/train.tsv.gz" | sha256sum | cut -d' ' -f1)" = fb5475bb69320751fef173b473de4cbe5a5b368cdf29807b627e7e9b987e4cf2 ] &&
            [ "$(gzip -dc "$tmp/acltsv/test.tsv.gz" | sha256sum | cut -d' ' -f1)" = b7c215fff1f30a0b86df603069840f0b3fb670038fcbedfb8dfeb3fcfa7d2a9b ]
        check $? "imdb: 50,000 aclImdb review files written as the TSV form have the listed sha256"
        mkdir -p "$tmp/fake/imdb"
        cp "$tmp/acltsv/"*.tsv.gz "$tmp/fake/imdb/"
        expect 0 "out/imdb: train\.tsv\.gz test\.tsv\.gz \(sha256 checked\)" -- "$get" --from "$tmp/fake" --to "$tmp/out" imdb
        printf 'x' | gzip -n >> "$tmp/fake/imdb/test.tsv.gz"
        expect 1 "imdb/test\.tsv\.gz: sha256 [0-9a-f]{64}, expected b7c215ff" -- "$get" --from "$tmp/fake" --to "$tmp/out4" imdb
    fi
else
    echo "note: $shared not found: the copies of real files were not tried"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
