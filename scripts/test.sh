#!/usr/bin/env bash
# Builds (via setup.sh, idempotent) and runs the whole test suite with ctest.
#   scripts/test.sh [--no-setup] [extra ctest args, e.g. -R Tokenizer]
#   --no-setup  do not run scripts/setup.sh (no apt-get, no data fetch, no build): test what is built
# Tests that need ../shared/fixtures (or gnuplot, the embedded data, mount rights) skip when it is
# absent, unless TPQ_REQUIRE_FIXTURES=1 (CI), where the skip is a failure (tests/support/fixtures.h).
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${TPQ_BUILD_DIR:-$repo_root/build}"
if [[ "${1:-}" == "--no-setup" ]]; then
  shift
else
  bash "$repo_root/scripts/setup.sh" --build-dir "$build_dir"
fi
ctest --test-dir "$build_dir" --output-on-failure -j"$(nproc)" "$@"
