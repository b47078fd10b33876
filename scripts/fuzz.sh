#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, clang, ASan + UBSan, only the torch-free parser sources)
# in build-fuzz and runs each one for a while, starting from the seeds in tests/fuzz/corpus/<target>.
#   scripts/fuzz.sh [--seconds S] [--jobs N] [--build-dir DIR] [target ...]
# Every run first replays the committed seeds (tests/fuzz/corpus/<target>, which hold each input that
# once crashed), then mutates for S seconds per target. Default: 8 s (< 60 s in all; what CI runs).
# Mutation is not reproducible (a fixed -seed still diverges between checkouts), so a long run here
# before each push is what keeps CI's short one from being the first to meet a shallow bug.
# Inputs that crash are kept under <build-dir>/artifacts/<target>/ (cleared per run); replay one with
# <build-dir>/fuzz/<target> FILE, then add it to the seeds and a test. Exit 1 if any crashed.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="$repo_root/build-fuzz"
seconds=8
jobs=2
targets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --build-dir) build_dir="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done

install_missing() {
  local missing=()
  command -v clang++ >/dev/null || missing+=(clang)
  compgen -G "/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" >/dev/null || missing+=(libclang-rt-14-dev)
  if [[ ${#missing[@]} -gt 0 ]]; then
    echo "fuzz.sh: installing ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}
install_missing

if [[ ! -f "$build_dir/build.ninja" ]]; then
  cmake -S "$repo_root" -B "$build_dir" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DTPQ_BUILD_FUZZERS=ON -DTPQ_BUILD_TESTS=OFF >/dev/null
fi
ninja -C "$build_dir" -j"$jobs" tpq_fuzzers

if [[ ${#targets[@]} -eq 0 ]]; then
  for binary in "$build_dir"/fuzz/*_fuzz; do targets+=("$(basename "$binary")"); done
fi

# halt_on_error: a UBSan report is a crash too. detect_leaks stays on (these processes hold no torch).
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
status=0
printf '%-24s %12s %10s %8s\n' target executions exec/s crashes
for target in "${targets[@]}"; do
  seeds="$repo_root/tests/fuzz/corpus/$target"
  work="$build_dir/corpus/$target"        # grows as the fuzzer finds new coverage; not committed
  artifacts="$build_dir/artifacts/$target"
  rm -rf "$artifacts"                      # crashes of this run only
  mkdir -p "$work" "$artifacts"
  log="$build_dir/$target.log"
  set +e
  "$build_dir/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "$work" "$seeds" >"$log" 2>&1
  rc=$?
  set -e
  executed=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
  crashes=$(find "$artifacts" -type f | wc -l)
  printf '%-24s %12s %10s %8s\n' "$target" "${executed:-?}" "${rate:-?}" "$crashes"
  if [[ $rc -ne 0 || $crashes -ne 0 ]]; then
    status=1
    echo "  $target failed (exit $rc); log: $log; inputs: $artifacts" >&2
    grep -m1 -E 'ERROR: (libFuzzer|AddressSanitizer)|runtime error|terminate called' "$log" >&2 || true
  fi
done
exit $status
