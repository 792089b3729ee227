#!/usr/bin/env bash
# Fetches the data sets the examples read into data/NAME/ (or --to DIR/NAME/), each file checked
# against its sha256 before it is put in place:
#   scripts/get-data.sh NAME...            imdb, tiny-shakespeare, ptb, timeseries, or all
#   scripts/get-data.sh --list             the data sets, their files and sources
# Options: --from DIR copies from DIR (a folder laid out as ../shared/data: imdb/train.tsv.gz, ...)
# instead of downloading; without it ../shared/data beside the repository is used when it holds
# the data set, and the official source is downloaded (curl or wget) otherwise. --download
# downloads even then. --to DIR writes DIR/NAME/ instead of data/NAME/.
#
# A file whose sha256 differs from the one listed here (a damaged copy, a cut-off download, a
# source that changed) is refused, exit 1, and nothing of that data set is written: its files are
# gathered in a temporary folder beside the destination, checked, and only then moved into
# place. Files already in place with the right sha256 are kept.
set -euo pipefail

prog=get-data
root=$(cd "$(dirname "$0")/.." && pwd)
to=$root/data
from=""
download=0
shared=$root/../shared/data

die() {
    echo "$prog: $*" >&2
    exit 1
}

# Each data set: its folder, the files it puts there as "file sha256" lines (named as in a --from
# or ../shared/data folder), and how its official source is fetched (fetch_FOLDER).
folder_of() {
    case $1 in
    imdb) echo imdb ;;
    tiny-shakespeare | tinyshakespeare) echo tinyshakespeare ;;
    ptb) echo ptb ;;
    timeseries) echo timeseries ;;
    *) return 1 ;;
    esac
}

# imdb: the gzip TSV form of aclImdb (../shared/data/README.md, docs/data.md); the sha256 of a
# .gz file is its content's (gzip -dc), so a file compressed by another gzip still checks.
files_imdb() {
    cat <<'EOF'
train.tsv.gz fb5475bb69320751fef173b473de4cbe5a5b368cdf29807b627e7e9b987e4cf2
test.tsv.gz b7c215fff1f30a0b86df603069840f0b3fb670038fcbedfb8dfeb3fcfa7d2a9b
EOF
}
files_tinyshakespeare() {
    echo "input.txt 86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"
}
files_ptb() {
    cat <<'EOF'
ptb.train.txt fcea919f6cf83f35d4d00c6cbf08040d13d4155226340912e2fef9c9c4102cbf
ptb.valid.txt c9fe6985fe0d4ccb578183407d7668fc6066c20700cb4cf87d8ff1cc34df1bf2
ptb.test.txt dd65dff31e70846b2a6030a87482edcd5d199130cdcfa1f3dccbb033728deee0
EOF
}
files_timeseries() {
    cat <<'EOF'
airline-passengers.csv 8cb51be753a718d9be5d76d7e238cc224792754676adc21faa59e954b0201621
daily-min-temperatures.csv 8b9de63ed6789492bf497625e7f9beb96a63d367b4b0a21754006f749fa5e5da
monthly-sunspots.csv c4ec8cc57d9f6fb6ecdb3e1f37f25b6f4badd5124c55931052b0cd2fc3bc71f3
shampoo.csv f709eaa344b2d07039a49e2193cbff5e56206354f3a8203c0e02471beb39a451
pollution.csv 892e9559205d16d32623135c127a3951c12e46ea1e0b3093e107ce89a9fd60e2
sp500.csv b11593884d3aef8cb6d5671352db4203498251e624e6fee16ae6df32b66db9d7
EOF
}
files_of() { files_"$1"; }

# The sha256 of a file's content (of what gzip -dc gives for *.gz); "unreadable" when it is not.
content_sum() {
    local sum
    case $1 in
    *.gz) sum=$(gzip -dc < "$1" 2> /dev/null | sha256sum) || sum=unreadable ;;
    *) sum=$(sha256sum < "$1") ;;
    esac
    echo "${sum%% *}"
}

source_of() {
    case $1 in
    imdb) echo "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz (Maas et al., ACL 2011), its labelled reviews written as gzip TSV" ;;
    tinyshakespeare) echo "karpathy/char-rnn data/tinyshakespeare/input.txt at commit 6f9487a6" ;;
    ptb) echo "http://www.fit.vutbr.cz/~imikolov/rnnlm/simple-examples.tgz (Mikolov's PTB), its data/ptb.*.txt" ;;
    timeseries) echo "jbrownlee/Datasets at commit d20fcb64 (Hyndman's TSDL, UCI) and jaungiers/LSTM-Neural-Network-for-Time-Series-Prediction data/sp500.csv at commit da44411c" ;;
    esac
}

# get URL OUT: curl or wget, failing on HTTP errors.
get() {
    if command -v curl > /dev/null; then
        curl -fL --retry 3 --progress-bar -o "$2" "$1"
    elif command -v wget > /dev/null; then
        wget -q --show-progress -O "$2" "$1"
    else
        die "downloading needs curl or wget (apt-get install curl), or --from DIR with a copy"
    fi
}

# The official archive, checked, its labelled reviews extracted and written as the TSV form.
fetch_imdb() { # STAGE
    local sum
    get https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz "$1/aclImdb_v1.tar.gz"
    sum=$(content_sum "$1/aclImdb_v1.tar.gz")
    [ "$sum" = c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe ] ||
        die "aclImdb_v1.tar.gz: sha256 $sum, expected c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe (a cut-off download?); nothing written"
    mkdir "$1/x"
    tar -xzf "$1/aclImdb_v1.tar.gz" -C "$1/x" --wildcards 'aclImdb/train/neg/*' \
        'aclImdb/train/pos/*' 'aclImdb/test/neg/*' 'aclImdb/test/pos/*'
    rm "$1/aclImdb_v1.tar.gz"
    aclimdb_to_tsv "$1/x/aclImdb" "$1"
    rm -rf "$1/x"
}

# aclImdb/{train,test}/{neg,pos}/<id>_<rating>.txt -> OUT/{train,test}.tsv.gz: one review a line,
# label (0 neg, 1 pos) TAB rating TAB id TAB text, ordered by id with neg before pos.
aclimdb_to_tsv() { # ACLIMDB_DIR OUT_DIR
    local split
    for split in train test; do
        if [ ! -d "$1/$split/neg" ] || [ ! -d "$1/$split/pos" ]; then die "$1/$split: no neg/ and pos/ folders"; fi
        (cd "$1/$split" && find neg pos -maxdepth 1 -name '*_*.txt') |
            LC_ALL=C awk -F'[/_.]' '{ print $2 "\t" ($1 == "pos") "\t" $3 "\t" $0 }' |
            LC_ALL=C sort -t"$(printf '\t')" -k1,1n -k2,2n |
            LC_ALL=C awk -F'\t' -v dir="$1/$split" '{
                f = dir "/" $4; text = ""
                while ((getline line < f) > 0) text = text line
                close(f)
                print $2 "\t" $3 "\t" $1 "\t" text }' | gzip -9n > "$2/$split.tsv.gz"
    done
}
fetch_tinyshakespeare() {
    get https://raw.githubusercontent.com/karpathy/char-rnn/6f9487a6fe5b420b7ca9afb0d7c078e37c1d1b4e/data/tinyshakespeare/input.txt "$1/input.txt"
}
fetch_ptb() {
    get http://www.fit.vutbr.cz/~imikolov/rnnlm/simple-examples.tgz "$1/simple-examples.tgz"
    mkdir "$1/x"
    tar -xzf "$1/simple-examples.tgz" -C "$1/x" --wildcards '*data/ptb.train.txt' \
        '*data/ptb.valid.txt' '*data/ptb.test.txt'
    local f m
    for f in ptb.train.txt ptb.valid.txt ptb.test.txt; do
        m=$(find "$1/x" -name "$f" -path '*data/*' | head -n 1)
        [ -n "$m" ] || die "simple-examples.tgz holds no data/$f; nothing written"
        mv "$m" "$1/$f"
    done
    rm -rf "$1/x" "$1/simple-examples.tgz"
}
fetch_timeseries() {
    local jb=https://raw.githubusercontent.com/jbrownlee/Datasets/d20fcb6402ae34e653d4513b00f39257bb37ed7f
    for f in airline-passengers.csv daily-min-temperatures.csv monthly-sunspots.csv shampoo.csv \
        pollution.csv; do
        get "$jb/$f" "$1/$f"
    done
    get https://raw.githubusercontent.com/jaungiers/LSTM-Neural-Network-for-Time-Series-Prediction/da44411c91135b64c02eb60da3c7f574c7c4c253/data/sp500.csv "$1/sp500.csv"
}

# The staging folder of the data set in progress, removed however the script ends.
stage=""
cleanup() {
    if [ -n "$stage" ]; then rm -rf "$stage"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# fetch_one NAME: gathers the files in a staging folder, checks every sha256, then moves them in.
fetch_one() {
    local folder src="" list f sum got dest
    folder=$(folder_of "$1") || die "unknown data set '$1' (see --list)"
    if [ -n "$from" ]; then
        [ -d "$from/$folder" ] || die "$from/$folder: no such folder (--from names a folder laid out as ../shared/data)"
        src=$from/$folder
    elif [ "$download" = 0 ] && [ -d "$shared/$folder" ]; then
        src=$(cd "$shared/$folder" && pwd)
    fi
    list=$(files_of "$folder")
    dest=$to/$folder
    # already in place and right: nothing to do
    local missing=0
    while read -r f sum; do
        if [ ! -f "$dest/$f" ] || [ "$(content_sum "$dest/$f")" != "$sum" ]; then
            missing=1
        fi
    done <<< "$list"
    if [ "$missing" = 0 ]; then
        echo "$prog: $dest: $(echo "$list" | cut -d' ' -f1 | tr '\n' ' ')already in place (sha256 checked)"
        return
    fi
    mkdir -p "$to"
    stage=$(mktemp -d "$to/.$folder.tmp.XXXXXX")
    if [ -n "$src" ]; then
        echo "$prog: $folder: copying from $src"
        while read -r f sum; do
            [ -f "$src/$f" ] || die "$src/$f: no such file"
            cp "$src/$f" "$stage/$f"
        done <<< "$list"
    else
        echo "$prog: $folder: downloading from $(source_of "$folder")"
        "fetch_$folder" "$stage"
    fi
    while read -r f sum; do
        [ -f "$stage/$f" ] || die "$folder: $f is missing from what was fetched; nothing written"
        got=$(content_sum "$stage/$f")
        [ "$got" = "$sum" ] ||
            die "${src:+$src/}$f: sha256 $got, expected $sum (a damaged or changed copy, or a cut-off download); nothing written to $dest"
    done <<< "$list"
    mkdir -p "$dest"
    while read -r f sum; do
        mv -f "$stage/$f" "$dest/$f"
    done <<< "$list"
    rm -rf "$stage"
    stage=""
    echo "$prog: $dest: $(echo "$list" | cut -d' ' -f1 | tr '\n' ' ')(sha256 checked)"
}

list() {
    for n in imdb tiny-shakespeare ptb timeseries; do
        local folder
        folder=$(folder_of "$n")
        echo "$n -> data/$folder/"
        echo "  source: $(source_of "$folder")"
        echo "  files: $(files_of "$folder" | cut -d' ' -f1 | tr '\n' ' ')"
    done
}

names=()
while [ $# -gt 0 ]; do
    case $1 in
    --from)
        [ $# -ge 2 ] || die "--from needs a folder"
        from=$2
        shift 2
        ;;
    --from=*) from=${1#--from=}; shift ;;
    --to)
        [ $# -ge 2 ] || die "--to needs a folder"
        to=$2
        shift 2
        ;;
    --to=*) to=${1#--to=}; shift ;;
    --download) download=1; shift ;;
    --aclimdb-to-tsv) # the conversion step of imdb's download, on an extracted aclImdb folder
        [ $# -eq 3 ] || die "--aclimdb-to-tsv ACLIMDB_DIR OUT_DIR"
        aclimdb_to_tsv "$2" "$3"
        exit 0
        ;;
    --list) list; exit 0 ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    -*) echo "$prog: unknown option '$1' (see --help)" >&2; exit 2 ;;
    all) names+=(imdb tiny-shakespeare ptb timeseries); shift ;;
    *)
        folder_of "$1" > /dev/null || { echo "$prog: unknown data set '$1' (see --list)" >&2; exit 2; }
        names+=("$1")
        shift
        ;;
    esac
done
[ ${#names[@]} -gt 0 ] || { echo "usage: scripts/get-data.sh [--from DIR] [--to DIR] [--download] NAME... (imdb, tiny-shakespeare, ptb, timeseries, all; --list)" >&2; exit 2; }
[ -z "$from" ] || [ "$download" = 0 ] || { echo "$prog: give --from or --download, not both" >&2; exit 2; }
for n in "${names[@]}"; do
    fetch_one "$n"
done
