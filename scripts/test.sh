#!/usr/bin/env bash
# Builds (via setup.sh, idempotent) and runs the whole test suite with ctest.
#   scripts/test.sh [extra ctest args, e.g. -R Tokenizer]
# Tests that need ../shared/fixtures skip when it is absent, unless TPQ_REQUIRE_FIXTURES=1 (CI),
# where a missing fixture is a failure.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${TPQ_BUILD_DIR:-$repo_root/build}"
bash "$repo_root/scripts/setup.sh" --no-data --build-dir "$build_dir"
log_file="$(mktemp)"
trap 'rm -f "$log_file"' EXIT
set +e
ctest --test-dir "$build_dir" --output-on-failure -j"$(nproc)" "$@" 2>&1 | tee "$log_file"
status=${PIPESTATUS[0]}
set -e
if [[ "${TPQ_REQUIRE_FIXTURES:-0}" == "1" ]] && grep -qE '\*\*\*Skipped|[0-9]+ tests? skipped|SKIPPED' "$log_file"; then
  echo "test.sh: some tests were skipped, and TPQ_REQUIRE_FIXTURES=1 forbids that (is ../shared/fixtures there?)" >&2
  exit 1
fi
exit "$status"
