#!/usr/bin/env bash
# AddressSanitizer + UndefinedBehaviorSanitizer build of libtpq, the programs and the test suite
# (cmake -DTPQ_SANITIZE=ON in its own build dir), then ctest. Any ASan or UBSan report fails the test
# that triggered it. Tests needing sentencepiece skip themselves (its bridge needs
# dlopen(RTLD_DEEPBIND), which ASan refuses); see docs/可靠性.md.
#   scripts/sanitize.sh [--build-dir DIR] [--jobs N] [--build-only] [-- extra ctest args, e.g. -R Safetensors]
# The first build compiles the whole project again (~15 min on 2 busy cores); later runs are incremental.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="$repo_root/build-asan"
jobs=2
build_only=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build-dir) build_dir="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --build-only) build_only=1; shift ;;
    --) shift; break ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "sanitize.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

# detect_leaks=0: LibTorch keeps process-lifetime allocations (kernel registries, thread pools)
# that LeakSanitizer reports at exit; leak checking is out of scope here. The same options apply to
# the build step, where gtest_discover_tests runs the sanitized test binary to list its tests.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:strict_string_checks=1:check_initialization_order=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

if [[ ! -f "$build_dir/build.ninja" ]]; then
  cmake -S "$repo_root" -B "$build_dir" -G Ninja -DTPQ_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1" -DTPQ_BUILD_TESTS=ON
fi
ninja -C "$build_dir" -j"$jobs" tpq_tests
[[ $build_only == 1 ]] && exit 0
# One test at a time: sanitized LibTorch processes are memory-hungry and the machine is shared.
ctest --test-dir "$build_dir" --output-on-failure -j1 "$@"
