# Sourced by run_all.sh for --slurm: the pipeline as three sbatch jobs chained with afterok.
#   1. 01 (unless --skip-training);
#   2. 02-09 as one job array, one element per experiment and seed (--seeds N adds base+1 ...
#      base+N-1, each into <results>/seeds/<seed>/), after 1; --sparsity-sweep S1,S2,... makes 07 one
#      element per sparsity, each into <results>/parts/unstructured_pruning/sparsity-<s>;
#   3. the merge of those parts (tpq merge-parts), tpq bench, the ONNX Runtime comparison (where
#      installed), 10 and the report, after every element of 2.
# --dry-run prints the scripts and the sbatch lines instead of submitting. Uses run_all.sh's
# variables (profile, results_dir, bin, catalogue, seeds, base_seed, seed_args, extra, ...).

# The #SBATCH header shared by the three jobs: name, log file, one task and the options given.
slurm_header() {
  local name="$1" log="$2"
  echo "#!/usr/bin/env bash"
  echo "#SBATCH --job-name=$name"
  echo "#SBATCH --output=$log"
  echo "#SBATCH --ntasks=1"
  echo "#SBATCH --cpus-per-task=$slurm_cpus"
  [[ -n "$slurm_partition" ]] && echo "#SBATCH --partition=$slurm_partition"
  [[ -n "$slurm_gpus" ]] && echo "#SBATCH --gpus-per-task=$slurm_gpus"
  [[ -n "$slurm_time" ]] && echo "#SBATCH --time=$slurm_time"
  echo "set -euo pipefail"
  echo "cd $(printf '%q' "$repo_root")"
}

# Words quoted for a generated script.
quoted() {
  local word out=""
  for word in "$@"; do out+=" $(printf '%q' "$word")"; done
  echo "${out# }"
}

write_baseline_job() {
  slurm_header tpq-01 "$results/slurm/01-%j.out"
  echo "srun $(quoted "$bin/01_baseline_training" --profile "$profile" --output_dir "$results/baseline" --resume "${seed_args[@]}" "${extra[@]}")"
}

# Where the jobs of one seed write: <results>, or <results>/seeds/<seed> for the extra seeds.
seed_root() {
  if [[ $1 -eq $base_seed ]]; then echo "$results"; else echo "$results/seeds/$1"; fi
}

# One array element per experiment 02-09 and seed, and with --sparsity-sweep one per sparsity of 07
# (into <root>/parts/unstructured_pruning/sparsity-<s>); element i runs programs[i] into dirs[i] with flags[i].
write_array_job() {
  local programs=() dirs=() flags=() line number program subdir seed root seed_flag sparsity
  for ((seed = base_seed; seed < base_seed + seeds; seed++)); do
    root="$(seed_root "$seed")"
    seed_flag="--seed $seed"
    [[ $seed -eq $base_seed ]] && seed_flag="$(quoted "${seed_args[@]}")"
    for line in "${catalogue[@]}"; do
      IFS=$'\t' read -r number program subdir _ <<<"$line"
      [[ "$number" == 01 || "$number" == 10 ]] && continue
      if [[ "$number" == 07 && ${#sweep_sparsities[@]} -gt 0 ]]; then
        for sparsity in "${sweep_sparsities[@]}"; do
          programs+=("$program"); dirs+=("$root/parts/$subdir/sparsity-$sparsity"); flags+=("${seed_flag:+$seed_flag }--sparsities $sparsity")
        done
        continue
      fi
      programs+=("$program"); dirs+=("$root/$subdir"); flags+=("$seed_flag")
    done
  done
  slurm_header tpq-02-09 "$results/slurm/02-09-%A_%a.out" | sed "2a #SBATCH --array=0-$((${#programs[@]} - 1))"
  echo "programs=($(quoted "${programs[@]}"))"
  echo "dirs=($(quoted "${dirs[@]}"))"
  echo "flags=($(quoted "${flags[@]}"))"
  echo "i=\$SLURM_ARRAY_TASK_ID"
  echo "srun $(quoted "$bin")/\${programs[i]} --profile $(quoted "$profile") --output_dir \"\${dirs[i]}\" \${flags[i]} $(quoted --model_path "$results/baseline/model" "${extra[@]}")"
}

# With --sparsity-sweep: merges each seed's 07 parts into <root>/unstructured_pruning (tpq merge-parts).
write_merge_lines() {
  [[ ${#sweep_sparsities[@]} -gt 0 ]] || return 0
  local seed root subdir sparsity parts
  subdir="$(printf '%s\n' "${catalogue[@]}" | awk -F'\t' '$1 == "07" { print $3 }')"
  for ((seed = base_seed; seed < base_seed + seeds; seed++)); do
    root="$(seed_root "$seed")"
    parts=()
    for sparsity in "${sweep_sparsities[@]}"; do parts+=("$root/parts/$subdir/sparsity-$sparsity"); done
    echo "$(quoted "$bin/tpq") merge-parts $(quoted --output "$root/$subdir" "${parts[@]}")"
  done
}

write_final_job() {
  slurm_header tpq-10-report "$results/slurm/10-report-%j.out"
  write_merge_lines  # before 10 reads the results
  [[ $bench -eq 1 ]] && echo "$(quoted "$bin/tpq") bench --shape bert-base --batch-sizes 1 32 --seq-lens 128 --trials 10 --threads $slurm_cpus --variants fp32 int8_dynamic pruned_50_50 pruned_50_50_int8 --output $(quoted "$results/bench/bench.json")"
  # The report's 部署 item, where the cluster has Node and tools/onnxruntime (scripts/setup.sh installs them).
  [[ $bench -eq 1 ]] && echo "if command -v node >/dev/null && [[ -d $(quoted "$repo_root/tools/onnxruntime/node_modules/onnxruntime-node") ]]; then bash $(quoted "$repo_root/benchmarks/onnxruntime_compare.sh") --bin-dir $(quoted "$bin") --threads $slurm_cpus --output $(quoted "$results/deploy/deploy.json"); fi"
  echo "srun $(quoted "$bin/10_comprehensive_comparison" --profile "$profile" --output_dir "$results/comparison" --results-dir "$results" "${extra[@]}")"
  local report_args=(--results-dir "$results" --output "$report_output")
  [[ -n "$report_format" && "$report_format" != none ]] && report_args+=(--format "$report_format")
  echo "$(quoted "$bin/tpq") report $(quoted "${report_args[@]}")"
}

# sbatch FILE [after JOB]: submits (or, with --dry-run, prints) and echoes the job id.
submit_job() {
  local file="$1" after="${2:-}" dependency=()
  [[ -n "$after" ]] && dependency=(--dependency="afterok:$after")
  if [[ $slurm_dry_run -eq 1 ]]; then
    echo "sbatch --parsable ${dependency[*]} $file" >&2
    echo "\$JOB_$(basename "$file" .sbatch)"
    return 0
  fi
  sbatch --parsable "${dependency[@]}" "$file" | cut -d';' -f1
}

submit_slurm_pipeline() {
  results="$(cd "$repo_root" && realpath -m "$results_dir")"
  [[ "$bin" == /* ]] || bin="$repo_root/$bin"
  if [[ $slurm_dry_run -eq 0 ]] && ! command -v sbatch >/dev/null 2>&1; then
    echo "[run_all] --slurm: sbatch not found; run this on a Slurm login node (Debian: apt-get install slurm-client) or add --dry-run to see the jobs" >&2
    exit 2
  fi
  local dir="$results/slurm"
  [[ $slurm_dry_run -eq 1 ]] && dir="$(mktemp -d)"
  mkdir -p "$dir"
  [[ $slurm_dry_run -eq 1 ]] || mkdir -p "$results/slurm" "$results/bench"
  [[ $skip_training -eq 1 ]] || write_baseline_job >"$dir/01.sbatch"
  write_array_job >"$dir/02-09.sbatch"
  write_final_job >"$dir/10-report.sbatch"
  local file
  if [[ $slurm_dry_run -eq 1 ]]; then
    for file in "$dir"/*.sbatch; do echo "=== $(basename "$file") ==="; cat "$file"; done
  fi
  local first="" array final
  [[ $skip_training -eq 1 ]] || first="$(submit_job "$dir/01.sbatch")"
  array="$(submit_job "$dir/02-09.sbatch" "$first")"
  final="$(submit_job "$dir/10-report.sbatch" "$array")"
  if [[ $slurm_dry_run -eq 1 ]]; then
    rm -rf "$dir"
    echo "[run_all] --dry-run: nothing submitted"
  else
    echo "[run_all] submitted: ${first:+01 as job $first, }02-09 as array job $array, 10 and the report as job $final"
    echo "[run_all] scripts in $dir; logs in $results/slurm/; squeue -u \$USER shows them"
  fi
}
