#!/usr/bin/env bash
# The longest function of each C file named (lines from its definition to the closing brace in
# column 0), longest first: how the "no function over ~80 lines" rule for the CLI is measured.
#   scripts/function-lengths.sh tools/cmd_*.c
set -eu
[ $# -gt 0 ] || { echo "usage: scripts/function-lengths.sh FILE.c..." >&2; exit 2; }
awk '
/^[a-z].*\(.*\) *\{$/ || /^[a-z].*[,(]$/ { if (!infn) { start = FNR; pending = 1 } }
pending && /\{$/ { infn = 1; pending = 0 }
infn && /^}/ { len = FNR - start + 1; if (len > best[FILENAME]) best[FILENAME] = len; infn = 0 }
END { for (f in best) print best[f], f }' "$@" | sort -rn
