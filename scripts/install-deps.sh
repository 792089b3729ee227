#!/usr/bin/env bash
# Installs the Debian packages rnnc needs to build and test, plus any package named as an argument
# (scripts/install-fuzz-deps.sh and scripts/check-memory.sh add theirs that way).
# Idempotent: quiet when all is present.
#   libinih-dev      the INI parser for model description and training files
#   libjansson-dev   JSON: safetensors headers
#   zlib1g-dev       gzip-compressed datasets (.tsv.gz, .csv.gz)
#   libarchive-dev   datasets read straight from their archives (aclImdb_v1.tar.gz)
#   make, gcc, pkg-config  the build
#   valgrind         make check's memory check of loading and unloading the library
set -euo pipefail
pkgs=(make gcc libc6-dev pkg-config libinih-dev libjansson-dev zlib1g-dev libarchive-dev valgrind "$@")
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
# apt's and debconf's chatter goes to a log shown only when something fails (sudo drops the
# environment, so the frontend is passed through env)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
apt() { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get -qq -o Dpkg::Use-Pty=0 "$@" > "$log" 2>&1 || {
    cat "$log" >&2
    echo "install-deps: apt-get $1 failed" >&2
    exit 1
}; }
apt update
apt install -y --no-install-recommends "${missing[@]}"
echo "install-deps: done" >&2
