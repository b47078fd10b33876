#!/usr/bin/env bash
# Starts N local processes of one program with torchrun's environment contract, for machines
# without torchrun, srun or mpirun:
#   scripts/launch.sh -n N [--master-port PORT] -- PROGRAM [ARGS...]
# Each process gets RANK = LOCAL_RANK = 0..N-1, WORLD_SIZE = LOCAL_WORLD_SIZE = N, MASTER_ADDR =
# 127.0.0.1 and MASTER_PORT (default 29500); its output and error lines are prefixed "[rank R] ". When one
# process fails, the others are stopped and launch.sh exits with the first failure's status.
set -uo pipefail
count=""
port=29500
while [[ $# -gt 0 ]]; do
  case "$1" in
    -n|--nproc) count="${2:-}"; shift ;;
    --master-port) port="${2:-}"; shift ;;
    --) shift; break ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "launch.sh: unknown option '$1' (usage: scripts/launch.sh -n N -- PROGRAM [ARGS...])" >&2; exit 2 ;;
  esac
  shift
done
if ! [[ "$count" =~ ^[1-9][0-9]{0,2}$ ]]; then
  echo "launch.sh: -n '$count': give the number of processes, 1 to 999 (e.g. -n 2)" >&2; exit 2
fi
if ! [[ "$port" =~ ^[0-9]{1,5}$ ]] || (( port < 1 || port > 65535 )); then
  echo "launch.sh: --master-port '$port' is not a TCP port (1-65535)" >&2; exit 2
fi
if [[ $# -eq 0 ]]; then
  echo "launch.sh: no program given (usage: scripts/launch.sh -n N -- PROGRAM [ARGS...])" >&2; exit 2
fi

pids=()
# Job control gives each rank its own process group, so stopping a rank stops everything it started.
set -m
stop_all() { for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null; done; }
trap 'stop_all; exit 130' INT TERM
for ((rank = 0; rank < count; rank++)); do
  (
    RANK=$rank LOCAL_RANK=$rank WORLD_SIZE=$count LOCAL_WORLD_SIZE=$count MASTER_ADDR=127.0.0.1 MASTER_PORT=$port \
      "$@" 2>&1 | sed -u "s/^/[rank $rank] /"
    exit "${PIPESTATUS[0]}"
  ) &
  pids+=($!)
done
set +m  # the groups are made; no job-status chatter when a rank is stopped
status=0
for ((left = count; left > 0; left--)); do
  wait -n
  code=$?
  if (( code != 0 && status == 0 )); then
    status=$code
    echo "launch.sh: a process exited with status $code; stopping the others" >&2
    stop_all
  fi
done
exit $status
