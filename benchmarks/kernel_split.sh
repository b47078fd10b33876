#!/usr/bin/env bash
# Where tpq's CPU speed comes from: `tpq bench` run in alternating rounds (the order rotates every
# round) under four settings, so each gain shows by itself:
#   tpq       tpq's oneDNN kernels and its glibc malloc tuning (the default)
#   libtorch  LibTorch's kernels (TPQ_INT8_KERNEL=engine TPQ_DENSE_KERNEL=blas), the same malloc tuning
#   malloc    tpq's kernels on glibc's default malloc (TPQ_SYSTEM_MALLOC=1)
#   full      the last layer on every position as HF computes it (TPQ_LAST_LAYER=full), not on the
#             first token's row alone, the only one the classifier reads
# Prints one table: the median over rounds of each setting's median ms, and of the per-round ratio
# other / tpq with its range (> 1: the default is faster).
#   benchmarks/kernel_split.sh [--bin-dir build/bin] [--rounds 3] [--trials 3] [--threads 2]
#                              [--batch-sizes "1 32"] [--variants "fp32 bf16 int8_dynamic"]
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$repo_root/build/bin"
rounds=3
trials=3
threads=2
batch_sizes="1 32"
variants="fp32 bf16 int8_dynamic"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --bin-dir) bin="$(realpath "$2")"; shift ;;
    --rounds) rounds="$2"; shift ;;
    --trials) trials="$2"; shift ;;
    --threads) threads="$2"; shift ;;
    --batch-sizes) batch_sizes="$2"; shift ;;
    --variants) variants="$2"; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "kernel_split.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ -x "$bin/tpq" ]] || { echo "kernel_split.sh: no $bin/tpq: build first (cmake --build build) or pass --bin-dir" >&2; exit 2; }
[[ " $variants " == *" fp32 "* ]] || variants="fp32 $variants"  # bench takes ratios against fp32
work="$(mktemp -d "${TMPDIR:-/tmp}/tpq-kernel-split.XXXXXX")"
trap 'rm -rf "$work"' EXIT
settings=(tpq libtorch malloc full)
run_setting() {
  local setting="$1" output="$2"
  local -a env_vars=()
  case "$setting" in
    libtorch) env_vars=(TPQ_INT8_KERNEL=engine TPQ_DENSE_KERNEL=blas) ;;
    malloc) env_vars=(TPQ_SYSTEM_MALLOC=1) ;;
    full) env_vars=(TPQ_LAST_LAYER=full) ;;
  esac
  # shellcheck disable=SC2086
  env "${env_vars[@]}" "$bin/tpq" bench --shape bert-base --batch-sizes $batch_sizes --seq-lens 128 \
    --variants $variants --warmup 1 --trials "$trials" --threads "$threads" --output "$output" >"$work/log" 2>&1 ||
    { cat "$work/log" >&2; echo "kernel_split.sh: tpq bench failed ($setting)" >&2; exit 1; }
}
for ((round = 0; round < rounds; round++)); do
  for ((i = 0; i < ${#settings[@]}; i++)); do
    setting="${settings[$(((i + round) % ${#settings[@]}))]}"
    echo "[kernel-split] round $((round + 1))/$rounds: $setting" >&2
    run_setting "$setting" "$work/$setting-$round.json"
  done
done
python3 "$repo_root/benchmarks/kernel_split_table.py" "$work" "$rounds"
