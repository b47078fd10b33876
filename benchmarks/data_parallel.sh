#!/usr/bin/env bash
# Data-parallel training against one process on this machine, side by side: the quick profile's
# 01 fine-tuning (one epoch, no MLM) as
#   a. 1 process x 2 threads, and
#   b. 2 ranks x 1 thread (scripts/launch.sh, Gloo on localhost),
# alternating a, b, a, b ... for --rounds rounds. Prints training samples/s of each run, the
# all-reduce time per optimizer step of the 2-rank runs, and the medians.
# Usage: benchmarks/data_parallel.sh [--rounds 2] [--bin-dir build/bin] [--keep]
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds=2
bin="$repo_root/build/bin"
keep=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds="$2"; shift ;;
    --bin-dir) bin="$2"; shift ;;
    --keep) keep=1 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "data_parallel.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ -x "$bin/01_baseline_training" ]] || { echo "data_parallel.sh: $bin/01_baseline_training missing (build it first)" >&2; exit 1; }
work="$(mktemp -d "${TMPDIR:-/tmp}/tpq-dp-bench.XXXXXX")"
[[ $keep -eq 1 ]] || trap 'rm -rf "$work"' EXIT
cd "$repo_root"
common=(--profile quick --epochs 1 --max_test_samples 200 --log-level warn)

# samples/s of the fine-tuning and the all-reduce ms per step, from a run's metrics.json
summarise() {
  python3 - "$1" "$2" <<'PY'
import json, sys
record = json.load(open(sys.argv[1] + "/metrics.json"))
training = record["extra"]["training"]
samples = record["extra"]["dataset"]["train"] * training["epochs_run"]
sync_ms = 1000 * training["gradient_sync_seconds"] / max(1, training["optimizer_steps"])
print(f"{sys.argv[2]}\t{samples / training['train_seconds']:.1f} samples/s\t{training['train_seconds']:.1f} s\t"
      f"all-reduce {sync_ms:.2f} ms/step\tworld_size {record['world_size']}\taccuracy {record['metrics']['accuracy']:.4f}")
PY
}

for ((round = 1; round <= rounds; round++)); do
  "$bin/01_baseline_training" "${common[@]}" --threads 2 --output_dir "$work/one-$round"
  summarise "$work/one-$round" "1 process x 2 threads (round $round)"
  bash scripts/launch.sh -n 2 -- "$bin/01_baseline_training" "${common[@]}" --threads 1 --output_dir "$work/two-$round" >/dev/null
  summarise "$work/two-$round" "2 ranks x 1 thread (round $round)"
done
