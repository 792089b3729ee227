#!/usr/bin/env bash
# The library's layers, bottom to top, and the rule between them: a file may use only its own
# layer and the layers below it (README's Layout section draws them).
#   core -> formats -> data -> nn -> train -> tasks -> tools
# Two checks, each listing every violation with the file that breaks the rule:
#   1. includes: every #include "..." in src/, include/rnnc/ and tools/ must resolve to a header of
#      the same layer or a lower one; tools/ may include only the public headers and its own.
#      The public headers belong to layers too: include/rnnc/<name>.h by the table below, the
#      umbrella include/rnnc.h to tasks (it includes every layer's).
#   2. symbols (with a build folder): every symbol an object file of layer L uses from another
#      object file of the library must be defined in layer L or below (nm), so a call the wrong
#      way fails even when a header declares it.
#   scripts/check-layers.sh [ROOT=.] [BUILD]     exit 0: clean; 1: violations (listed); 2: usage
set -u
root=${1:-.}
build=${2:-}
[ -d "$root/src" ] || { echo "check-layers: $root/src: no such folder" >&2; exit 2; }

layers="core formats data nn train tasks tools"
rank() { # layer -> its place from the bottom, or nothing for an unknown one
    local i=0 l
    for l in $layers; do
        [ "$l" = "$1" ] && { echo $i; return; }
        i=$((i + 1))
    done
}
public_layer() { # include/rnnc/<name>.h -> layer
    case $1 in
    core) echo core ;;
    formats) echo formats ;;
    text | pairs | series) echo data ;;
    nn) echo nn ;;
    train) echo train ;;
    classify | trainfile | lm | forecast | arrays | translate) echo tasks ;;
    *) echo "" ;;
    esac
}
layer_of() { # a path under root -> its layer, or nothing
    local p=$1
    case $p in
    src/*/*) echo "${p#src/}" | cut -d/ -f1 ;;
    include/rnnc.h) echo tasks ;;
    include/rnnc/*.h) local n=${p#include/rnnc/}; public_layer "${n%.h}" ;;
    tools/*) echo tools ;;
    *) echo "" ;;
    esac
}
# a path with ./ and dir/../ removed
normal() { echo "$1" | awk -F/ '{n = 0; for (i = 1; i <= NF; i++) { if ($i == "." || $i == "") continue;
    if ($i == ".." && n > 0) { n--; continue } s[++n] = $i } out = s[1]; for (i = 2; i <= n; i++) out = out "/" s[i]; print out}'; }

bad=0
violation() {
    echo "$1"
    bad=$((bad + 1))
}

cd "$root" || exit 2
for d in src/*/; do
    l=$(basename "$d")
    [ -n "$(rank "$l")" ] || violation "src/$l/: a folder that is no layer (the layers: $layers)"
done
for f in src/*/*.[ch] include/rnnc/*.h tools/*.[ch]; do
    [ -e "$f" ] || continue
    from=$(layer_of "$f")
    [ -n "$from" ] || { echo "$f: in no layer (include/rnnc/ headers are listed in scripts/check-layers.sh)"; continue; }
    grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" | while IFS= read -r line; do
        n=${line%%:*}
        inc=$(echo "$line" | sed 's/^[^"]*"\([^"]*\)".*/\1/')
        dir=$(dirname "$f")
        target=""
        for c in "$dir/$inc" "include/$inc"; do
            [ -e "$c" ] && { target=$(normal "$c"); break; }
        done
        if [ -z "$target" ]; then
            echo "$f:$n: #include \"$inc\" is not in the tree (nor in include/)"
            continue
        fi
        to=$(layer_of "$target")
        if [ "$from" = tools ] && [ "${target#include/}" = "$target" ] && [ "${target#tools/}" = "$target" ]; then
            echo "$f:$n: #include \"$inc\": tools/ may include only the public headers (include/) and its own"
        elif [ -z "$to" ]; then
            echo "$f:$n: #include \"$inc\" ($target) is in no layer"
        elif [ "$(rank "$to")" -gt "$(rank "$from")" ]; then
            echo "$f:$n: #include \"$inc\": $from includes $to ($target), a layer above it"
        fi
    done
done >"${TMPDIR:-/tmp}/check-layers.$$"
while IFS= read -r v; do violation "$v"; done <"${TMPDIR:-/tmp}/check-layers.$$"
rm -f "${TMPDIR:-/tmp}/check-layers.$$"

if [ -n "$build" ]; then
    # every object in a layer's folder (after a file is removed, `make clean` drops its object)
    objs=$(for l in $layers; do find "$build"/f32/"$l" "$build"/f64/"$l" "$build"/obj/"$l" \
        -maxdepth 1 -name '*.o' 2>/dev/null; done | sort)
    [ -n "$objs" ] || { echo "check-layers: no object files under $build" >&2; exit 2; }
    # "layer symbol" for each definition, then "layer symbol object" for each use
    defs=$(for o in $objs; do
        l=$(echo "$o" | sed "s#^$build/[^/]*/##" | cut -d/ -f1)
        nm --defined-only "$o" | awk -v l="$l" 'NF == 3 && $2 ~ /^[TDBRCV]$/ {print l, $3}'
    done)
    uses=$(for o in $objs; do
        l=$(echo "$o" | sed "s#^$build/[^/]*/##" | cut -d/ -f1)
        nm -u "$o" | awk -v l="$l" -v o="$o" '{print l, $NF, o}'
    done)
    order=$(echo $layers | tr ' ' ',')
    while IFS= read -r v; do [ -n "$v" ] && violation "$v"; done < <(awk -v order="$order" '
        BEGIN { n = split(order, o, ","); for (i = 1; i <= n; i++) r[o[i]] = i }
        FNR == NR { def[$2] = $1; next }
        ($2 in def) && r[def[$2]] > r[$1] {
            print $3 ": uses " $2 " from " def[$2] ", a layer above " $1 }' \
        <(echo "$defs") <(echo "$uses") | sort -u)
fi

if [ "$bad" -gt 0 ]; then
    echo "check-layers: $bad violation(s) of the layer order ($layers)"
    exit 1
fi
echo "check-layers: every include${build:+ and every symbol} follows the layer order ($layers)"
