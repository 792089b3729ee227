#!/usr/bin/env bash
# Installs what `make fuzz` needs beyond scripts/install-deps.sh: clang and its sanitizer and
# libFuzzer runtimes (Debian 12: clang 14, libclang-rt-14-dev). Idempotent: quiet when present.
set -euo pipefail
exec "$(dirname "$0")/install-deps.sh" clang libclang-rt-14-dev
