#!/usr/bin/env bash
# Runs the experiment pipeline in order (01 ... 10), then fills the lab report with `tpq report`.
#   experiments/run_all.sh [--profile quick|default|full|pretrained|pretrained-cpu] [--skip-training] [--only-comparison] [--force]
#                          [--results-dir DIR] [--report FILE] [--report-format html,docx|none] [--seeds N] [--bin-dir DIR] [--no-setup]
#                          [--sparsity-sweep S1,S2,...]
#                          [--slurm [--partition P] [--gpus-per-task G] [--time T] [--cpus-per-task C] [--dry-run]]
#                          [extra flags for every experiment]
#   --skip-training    reuse <results>/baseline/model instead of running 01
#   --only-comparison  run just 10_comprehensive_comparison and the report over the existing results
#   --no-setup         do not run scripts/setup.sh (packages, data, build) first
#   --no-bench         skip `tpq bench` and the ONNX Runtime comparison at bert-base shape (the report then says they were not run)
#   --report-format    exports of the report beside the Markdown (pandoc); default html when pandoc is installed
#   --seeds N          also rerun 02-09 with seeds base+1 ... base+N-1 (base: --seed, else 42) into
#                      <results>/seeds/<seed>/, on the same baseline; the tables show mean ± std over the N runs
#   --sparsity-sweep   07's sparsity list (e.g. 0.5,0.7,0.9): one run with the list here; on Slurm one array element
#                      per sparsity (<results>/parts/unstructured_pruning/sparsity-<s>), merged by `tpq merge-parts`
#   --slurm            submit the pipeline to Slurm instead: 01, then 02-09 (x seeds) as one job array
#                      after it, then bench, 10 and the report (sbatch --dependency=afterok; experiments/slurm_jobs.sh)
#                      [--partition P] [--gpus-per-task G] [--time T] [--cpus-per-task C] [--dry-run: print, submit nothing]
# Resumable: an experiment whose <results>/<name>/metrics.json exists is skipped unless --force; the
# comparison (10) reruns when any experiment finished after it. A failed step stops the script and
# keeps every finished result; rerun to continue where it stopped. An interrupted 01 continues from
# its newest training snapshot (01 --resume; --force starts it over).
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
profile=default
force=0
skip_training=0
only_comparison=0
setup=1
bench=1
results_dir=results
report_output=report/实验报告.md
report_format=""
seeds=1
base_seed=42
seed_args=()  # --seed S for the main run when given (the reruns pass their own)
bin=""
slurm=0
slurm_dry_run=0
slurm_partition=""
slurm_gpus=""
slurm_time=""
slurm_cpus=2
sparsity_sweep=""
sweep_sparsities=()  # --sparsity-sweep, split
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --profile) profile="$2"; shift ;;
    --force) force=1 ;;
    --skip-training) skip_training=1 ;;
    --only-comparison) only_comparison=1 ;;
    --no-setup) setup=0 ;;
    --no-bench) bench=0 ;;
    --results-dir|--results_dir) results_dir="$2"; shift ;;
    --report) report_output="$2"; shift ;;
    --report-format) report_format="$2"; shift ;;
    --seeds) seeds="$2"; shift ;;
    --seed) base_seed="$2"; seed_args=(--seed "$2"); shift ;;
    --bin-dir) bin="$2"; shift ;;
    --slurm) slurm=1 ;;
    --dry-run) slurm_dry_run=1 ;;
    --partition) slurm_partition="$2"; shift ;;
    --gpus-per-task) slurm_gpus="$2"; shift ;;
    --time) slurm_time="$2"; shift ;;
    --cpus-per-task) slurm_cpus="$2"; shift ;;
    --sparsity-sweep) sparsity_sweep="$2"; shift ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) extra+=("$1") ;;
  esac
  shift
done

if ! [[ "$seeds" =~ ^[1-9][0-9]{0,2}$ ]]; then
  echo "[run_all] --seeds $seeds: give the number of seeds, a whole number from 1 to 999 (e.g. --seeds 3)" >&2
  exit 2
fi
if ! [[ "$base_seed" =~ ^[0-9]{1,9}$ ]]; then
  echo "[run_all] --seed $base_seed: give a whole number (e.g. --seed 42)" >&2
  exit 2
fi

if [[ -n "$sparsity_sweep" ]]; then
  IFS=', ' read -r -a sweep_sparsities <<<"$sparsity_sweep"
  for sparsity in "${sweep_sparsities[@]}"; do
    if ! [[ "$sparsity" =~ ^0?\.[0-9]{1,6}$|^0$ ]]; then
      echo "[run_all] --sparsity-sweep $sparsity_sweep: '$sparsity' is not a sparsity; give fractions in [0, 1) separated by commas (e.g. --sparsity-sweep 0.5,0.7,0.9)" >&2
      exit 2
    fi
  done
  if [[ $(printf '%s\n' "${sweep_sparsities[@]}" | sort -u | wc -l) -ne ${#sweep_sparsities[@]} ]]; then
    echo "[run_all] --sparsity-sweep $sparsity_sweep: a sparsity is listed twice; give each once" >&2
    exit 2
  fi
fi
if [[ $slurm_dry_run -eq 1 && $slurm -eq 0 ]]; then
  echo "[run_all] --dry-run prints the Slurm jobs: use it with --slurm" >&2
  exit 2
fi
if ! [[ "$slurm_cpus" =~ ^[1-9][0-9]{0,3}$ ]]; then
  echo "[run_all] --cpus-per-task $slurm_cpus: give a whole number of cores (e.g. --cpus-per-task 8)" >&2
  exit 2
fi

[[ $setup -eq 1 ]] && bash "$repo_root/scripts/setup.sh" --programs-only
cd "$repo_root"
bin="${bin:-$repo_root/build/bin}"
start_all=$SECONDS
not_built=()
if [[ ! -x "$bin/tpq" ]]; then
  echo "[run_all] tpq: not built ($bin/tpq missing); build it with: cmake --build build --target tpq_programs" >&2
  exit 1
fi
# The experiment list comes from the programs themselves: number, program, results dir, ... (TSV).
mapfile -t catalogue < <("$bin/tpq" experiments --list)
if [[ $slurm -eq 1 ]]; then
  source "$repo_root/experiments/slurm_jobs.sh"
  submit_slurm_pipeline
  exit 0
fi

# run_step RESULTS_SUBDIR PROGRAM [args...]; rerun_anyway=1 reruns a finished step.
rerun_anyway=0
run_step() {
  local subdir="$1" program="$2"
  shift 2
  if [[ $force -eq 0 && $rerun_anyway -eq 0 && -s "$results_dir/$subdir/metrics.json" ]]; then
    echo "[run_all] $program: $results_dir/$subdir/metrics.json exists, skipping (use --force to rerun)"
    return 0
  fi
  if [[ ! -x "$bin/$program" ]]; then
    echo "[run_all] $program: not built ($bin/$program missing), skipping; build it with: ninja -C build $program"
    not_built+=("$program")
    return 0
  fi
  echo "[run_all] $program --profile $profile"
  local start=$SECONDS
  if ! "$bin/$program" --profile "$profile" --output_dir "$results_dir/$subdir" "$@" "${extra[@]}"; then
    echo "[run_all] $program failed; finished results are kept. Fix the error above and rerun (finished steps are skipped)." >&2
    exit 1
  fi
  echo "[run_all] $program finished in $((SECONDS - start)) s"
}

# The speed of the compression recipes at bert-base shape (random weights: speed and size only, no
# accuracy), for the report: the quick model is too small for INT8 and pruning to speed anything up.
run_bench_step() {
  local out="$results_dir/bench/bench.json" trials=10 threads=2
  [[ "$profile" == quick ]] && trials=6
  # The profiles' run.threads (2; full: 0 = LibTorch's default, which counts physical cores).
  [[ "$profile" == full ]] && threads=0
  if [[ $force -eq 0 && -s "$out" ]]; then
    echo "[run_all] tpq bench: $out exists, skipping (use --force to rerun)"
    return 0
  fi
  echo "[run_all] tpq bench --shape bert-base ($trials rounds)"
  mkdir -p "$results_dir/bench"
  local start=$SECONDS
  if ! "$bin/tpq" bench --shape bert-base --batch-sizes 1 32 --seq-lens 128 --trials "$trials" --threads "$threads" \
       --variants fp32 int8_dynamic pruned_50_50 pruned_50_50_int8 --output "$out"; then
    echo "[run_all] tpq bench failed; finished results are kept. Fix the error above and rerun." >&2
    exit 1
  fi
  echo "[run_all] tpq bench finished in $((SECONDS - start)) s"
}

# 07's --sparsities from --sparsity-sweep (validated numbers: safe to word-split); nothing otherwise.
sweep_args() {
  if [[ "$1" == 07 && ${#sweep_sparsities[@]} -gt 0 ]]; then echo "--sparsities ${sweep_sparsities[*]}"; fi
  return 0
}

# The report's 部署 item: the bert-base variants exported to ONNX and timed in ONNX Runtime beside tpq
# (benchmarks/onnxruntime_compare.sh). Needs Node and tools/onnxruntime (scripts/setup.sh without
# --programs-only installs it); without them the report says how to run it.
run_deploy_step() {
  local out="$results_dir/deploy/deploy.json" rounds=5 batches="1 32" threads=2
  [[ "$profile" == quick ]] && rounds=2 && batches=1
  [[ "$profile" == full ]] && threads=0
  if [[ $force -eq 0 && -s "$out" ]]; then
    echo "[run_all] ONNX Runtime comparison: $out exists, skipping (use --force to rerun)"
    return 0
  fi
  if ! command -v node >/dev/null 2>&1 || [[ ! -d "$repo_root/tools/onnxruntime/node_modules/onnxruntime-node" ]]; then
    echo "[run_all] ONNX Runtime for Node not installed: the report's 部署 item is not run (install: bash scripts/setup.sh --no-build)"
    return 0
  fi
  echo "[run_all] ONNX export + ONNX Runtime beside tpq at bert-base shape ($rounds rounds)"
  local start=$SECONDS
  if ! bash "$repo_root/benchmarks/onnxruntime_compare.sh" --bin-dir "$bin" --rounds "$rounds" --trials 3 --threads "$threads" \
       --batch-sizes "$batches" --output "$out"; then
    echo "[run_all] the ONNX Runtime comparison failed; finished results are kept. Fix the error above and rerun." >&2
    exit 1
  fi
  echo "[run_all] ONNX Runtime comparison finished in $((SECONDS - start)) s"
}

# run_all --seeds N: 02-09 again with seeds base+1 ... base+N-1, on the same baseline model, into
# <results>/seeds/<seed>/<subdir> (resumable like the main run).
run_seed_reruns() {
  local seed line number program subdir
  for ((seed = base_seed + 1; seed < base_seed + seeds; seed++)); do
    for line in "${catalogue[@]}"; do
      IFS=$'\t' read -r number program subdir _ <<<"$line"
      [[ "$number" == 01 || "$number" == 10 ]] && continue
      # shellcheck disable=SC2046
      run_step "seeds/$seed/$subdir" "$program" --seed "$seed" --model_path "$results_dir/baseline/model" $(sweep_args "$number")
    done
  done
}

# The comparison is stale when any experiment finished after it (its old result stays until the rerun succeeds).
comparison_is_stale() {
  local comparison="$results_dir/$1/metrics.json"
  [[ -s "$comparison" ]] && find "$results_dir" -mindepth 2 -maxdepth 4 -name metrics.json -newer "$comparison" \
    -not -path "$results_dir/$1/*" | grep -q .
}

for line in "${catalogue[@]}"; do
  IFS=$'\t' read -r number program subdir _device _kind _title <<<"$line"
  case "$number" in
    01)
      [[ $only_comparison -eq 1 ]] && continue
      if [[ $skip_training -eq 1 ]]; then
        [[ -d "$results_dir/$subdir/model" ]] || { echo "[run_all] --skip-training needs $results_dir/$subdir/model" >&2; exit 2; }
      else
        resume_args=(--resume)
        [[ $force -eq 1 ]] && resume_args=()
        run_step "$subdir" "$program" "${seed_args[@]}" "${resume_args[@]}"
      fi ;;
    10)
      [[ $only_comparison -eq 1 || $bench -eq 0 ]] || run_bench_step
      [[ $only_comparison -eq 1 || $bench -eq 0 ]] || run_deploy_step
      [[ $only_comparison -eq 1 ]] || run_seed_reruns
      if comparison_is_stale "$subdir"; then
        echo "[run_all] $program: results changed since the last comparison, rerunning"
        rerun_anyway=1
      fi
      run_step "$subdir" "$program" --results-dir "$results_dir"
      rerun_anyway=0 ;;
    *)
      [[ $only_comparison -eq 1 ]] && continue
      # shellcheck disable=SC2046
      run_step "$subdir" "$program" "${seed_args[@]}" $(sweep_args "$number") ;;
  esac
done

echo "[run_all] tpq report"
if [[ -z "$report_format" ]]; then
  report_format=none
  command -v pandoc >/dev/null 2>&1 && report_format=html
fi
report_args=(--results-dir "$results_dir" --output "$report_output")
[[ "$report_format" != none ]] && report_args+=(--format "$report_format")
if ! "$bin/tpq" report "${report_args[@]}"; then
  echo "[run_all] tpq report failed; the results are kept. Fix the error above and rerun." >&2
  exit 1
fi

echo "[run_all] done in $((SECONDS - start_all)) s."
[[ ${#not_built[@]} -gt 0 ]] && echo "[run_all] not built, so not run: ${not_built[*]}"
echo "[run_all] finished experiments:"
ls -1 "$results_dir"/*/metrics.json 2>/dev/null | sed 's/^/  /'
echo "[run_all] report: $report_output (figures/ and tables/ beside it)"
if [[ "$report_format" != none ]]; then
  for format in ${report_format//,/ }; do echo "[run_all] exported: ${report_output%.md}.$format"; done
fi
echo "[run_all] charts: $results_dir/comparison/*.png"
ls -1 "$results_dir"/comparison/*.png 2>/dev/null | sed 's/^/  /' || true
exit 0
