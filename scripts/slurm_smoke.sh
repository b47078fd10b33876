#!/usr/bin/env bash
# A real single-node Slurm on this machine, then `experiments/run_all.sh --slurm` through it: Debian's
# slurm-wlm and munge, slurmctld + slurmd on localhost (root, no cgroups, a scratch state dir),
# the quick profile on a small slice of IMDB (a smoke run, not a measurement), 07 as a sweep of two
# sparsities. Waits for the three jobs (01; 02-09 as an array after it, 07 as one element per
# sparsity; the merge, bench, 10 and the report after that) and checks that every result and the
# report were written. Too slow and too intrusive for CI: run it by hand.
#   scripts/slurm_smoke.sh [--bin-dir build/bin] [--keep] [--timeout-min 60]
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$repo_root/build/bin"
keep=0
timeout_min=60
while [[ $# -gt 0 ]]; do
  case "$1" in
    --bin-dir) bin="$(realpath "$2")"; shift ;;
    --keep) keep=1 ;;
    --timeout-min) timeout_min="$2"; shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "slurm_smoke.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
log() { printf '\033[1m[slurm-smoke]\033[0m %s\n' "$*" >&2; }
[[ $(id -u) -eq 0 ]] || { echo "slurm_smoke.sh: run as root (it starts munged, slurmctld and slurmd)" >&2; exit 2; }
[[ -x "$bin/01_baseline_training" ]] || { echo "slurm_smoke.sh: $bin/01_baseline_training missing (build first)" >&2; exit 2; }
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  log "installing slurm-wlm and munge (apt)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge >/dev/null
fi

work="$(mktemp -d /tmp/tpq-slurm-smoke.XXXXXX)"
host="$(hostname -s)"
stop_all() {
  pkill -x slurmd 2>/dev/null || true
  pkill -x slurmctld 2>/dev/null || true
  [[ -n "${munged_started:-}" ]] && pkill -x munged 2>/dev/null || true
  [[ $keep -eq 1 ]] && log "kept $work" || rm -rf "$work"
}
trap stop_all EXIT

# ---- munge and Slurm on localhost -----------------------------------------------------------------
if ! pgrep -x munged >/dev/null; then
  [[ -s /etc/munge/munge.key ]] || mungekey --create --force >/dev/null 2>&1 || /usr/sbin/create-munge-key -f >/dev/null
  mkdir -p /run/munge && chown munge:munge /run/munge 2>/dev/null || true
  runuser -u munge -- munged --force 2>/dev/null || munged --force
  munged_started=1
fi
mkdir -p "$work/state" "$work/spool" "$work/log"
memory_mb=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
cat >"$work/slurm.conf" <<EOF
ClusterName=tpq-smoke
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
NodeName=$host CPUs=$(nproc) RealMemory=$memory_mb State=UNKNOWN
PartitionName=smoke Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$work/slurm.conf"
log "starting slurmctld and slurmd ($SLURM_CONF)"
slurmctld -i
slurmd
for _ in $(seq 1 60); do
  sinfo -h -o '%t' 2>/dev/null | grep -qE '^(idle|mix|alloc)' && break
  sleep 1
done
sinfo -h -o '%P %t %D %c' | sed 's/^/[slurm-smoke] sinfo: /' >&2
sinfo -h -o '%t' | grep -qE '^(idle|mix|alloc)' || { tail -20 "$work/log/slurmctld.log" "$work/log/slurmd.log" >&2; exit 1; }

# ---- the pipeline through sbatch --------------------------------------------------------------------
cat >"$work/smoke.yaml" <<EOF
data:
  max_train_samples: 600
  max_validation_samples: 200
  max_test_samples: 200
training:
  epochs: 1
evaluation:
  latency_samples: 10
  throughput_batches: 2
  warmup: 1
  timing_rounds: 6
EOF
results="$work/results"
log "run_all.sh --slurm --profile quick (600 training reviews, 1 epoch) into $results"
"$repo_root/experiments/run_all.sh" --slurm --no-setup --no-bench --profile quick --bin-dir "$bin" --results-dir "$results" \
  --report "$results/report.md" --report-format none --cpus-per-task "$(nproc)" --config "$work/smoke.yaml" --threads "$(nproc)" \
  --sparsity-sweep 0.5,0.9
deadline=$((SECONDS + timeout_min * 60))
while squeue -h | grep -q .; do
  if (( SECONDS > deadline )); then log "jobs still queued after $timeout_min min"; squeue >&2; exit 1; fi
  if squeue -h -o '%r' | grep -q DependencyNeverSatisfied; then
    log "a job failed, so the jobs after it can never start:"; squeue >&2
    scancel --state=PENDING --user=root 2>/dev/null || true
    for out in "$results/slurm"/*.out; do echo "=== $out"; tail -5 "$out"; done >&2
    exit 1
  fi
  sleep 5
done

# ---- what the jobs left -------------------------------------------------------------------------------
missing=0
for file in baseline/metrics.json dynamic_quant/metrics.json static_quant/metrics.json qat/metrics.json \
            mixed_precision/metrics.json structured_pruning/metrics.json unstructured_pruning/metrics.json \
            progressive_pruning/metrics.json combined/metrics.json comparison/metrics.json report.md \
            parts/unstructured_pruning/sparsity-0.5/metrics.json parts/unstructured_pruning/sparsity-0.9/metrics.json; do
  if [[ -s "$results/$file" ]]; then log "ok      $file"; else log "MISSING $file"; missing=1; fi
done
# 07 ran as two array elements (--sparsity-sweep 0.5,0.9); the last job merged them into one result.
if [[ -s "$results/unstructured_pruning/metrics.json" ]] &&
   ! grep -q '"merged_parts"' "$results/unstructured_pruning/metrics.json"; then
  log "unstructured_pruning/metrics.json is not the merge of the two sparsity parts"; missing=1
fi
log "job logs: $(ls "$results/slurm"/*.out 2>/dev/null | wc -l) files in $results/slurm"
if [[ $missing -eq 1 ]]; then
  for out in "$results/slurm"/*.out; do echo "=== $out"; tail -5 "$out"; done >&2
  exit 1
fi
log "every job of the pipeline ran through Slurm and wrote its results"
