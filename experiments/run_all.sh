#!/usr/bin/env bash
# Runs the experiment pipeline in order. Bootstraps setup (packages, data, build) first.
#   experiments/run_all.sh [--profile quick|default|full] [--skip-training] [--force] [extra flags for every experiment]
# Resumable: an experiment whose results/<name>/metrics.json exists is skipped unless --force.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
profile=default
force=0
skip_training=0
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --profile) profile="$2"; shift ;;
    --force) force=1 ;;
    --skip-training) skip_training=1 ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) extra+=("$1") ;;
  esac
  shift
done

bash "$repo_root/scripts/setup.sh"
cd "$repo_root"
bin="$repo_root/build/bin"

run_step() {  # run_step RESULTS_SUBDIR PROGRAM [args...]
  local subdir="$1" program="$2"
  shift 2
  if [[ $force -eq 0 && -s "results/$subdir/metrics.json" ]]; then
    echo "[run_all] $program: results/$subdir/metrics.json exists, skipping (use --force to rerun)"
    return 0
  fi
  echo "[run_all] $program --profile $profile"
  if ! "$bin/$program" --profile "$profile" "$@" "${extra[@]}"; then
    echo "[run_all] $program failed; finished results are kept. Fix the error above and rerun (finished steps are skipped)." >&2
    exit 1
  fi
}

if [[ $skip_training -eq 1 ]]; then
  [[ -d results/baseline/model ]] || { echo "[run_all] --skip-training needs results/baseline/model" >&2; exit 2; }
else
  run_step baseline 01_baseline_training
fi
run_step dynamic_quant 02_dynamic_quantization

echo "[run_all] done. Results: $repo_root/results/"
ls -1 results/*/metrics.json 2>/dev/null | sed 's/^/  /'
