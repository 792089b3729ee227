#!/usr/bin/env bash
# Downloads the Large Movie Review Dataset (aclImdb_v1.tar.gz, 84 MB) from its official address
# into data/ (or DIR). rnnc reads the archive in place, without unpacking:
#   scripts/get-imdb.sh [DIR]
#   build/rnnc train examples/imdb/recipe-a.ini \
#       --set data.train=data/aclImdb_v1.tar.gz --set data.test=data/aclImdb_v1.tar.gz
# (the training set comes from the archive's train/ split, the test set from test/).
# Maas et al., "Learning Word Vectors for Sentiment Analysis", ACL 2011.
set -euo pipefail
dir=${1:-data}
url=https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz
mkdir -p "$dir"
out="$dir/aclImdb_v1.tar.gz"
if [ -s "$out" ]; then
    echo "get-imdb: $out already exists" >&2
    exit 0
fi
command -v curl >/dev/null || { echo "get-imdb: needs curl (apt-get install curl)" >&2; exit 1; }
curl -fL --retry 3 -o "$out.part" "$url"
mv "$out.part" "$out"
echo "get-imdb: wrote $out ($(du -h "$out" | cut -f1))"
