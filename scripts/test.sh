#!/usr/bin/env bash
# Builds (via setup.sh, idempotent) and runs the whole test suite with ctest.
#   scripts/test.sh [extra ctest args, e.g. -R Tokenizer]
# Tests that need ../shared/fixtures skip when it is absent, unless TPQ_REQUIRE_FIXTURES=1 (CI),
# where a missing fixture fails the test (see tests/support/fixtures.h).
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${TPQ_BUILD_DIR:-$repo_root/build}"
bash "$repo_root/scripts/setup.sh" --build-dir "$build_dir"
ctest --test-dir "$build_dir" --output-on-failure -j"$(nproc)" "$@"
