#!/usr/bin/env bash
# Download benchmark of `tpq download` against the local Hub stand-in (no internet needed):
#   1. throughput and peak RSS while fetching a model repo with one large LFS file;
#   2. a connection dropped at 50 % of that file: the time until the transfer resumes, and in total;
#   3. the process killed at ~50 %, then run again: the time of the second run (it resumes the blob).
# Usage: benchmarks/hub_download.sh [--size-mb N (default 256)] [--build-dir build] [--keep]
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
size_mb=256
build_dir="$repo_root/build"
keep=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --size-mb) size_mb="$2"; shift ;;
    --build-dir) build_dir="$2"; shift ;;
    --keep) keep=1 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "hub_download.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
tpq="$build_dir/bin/tpq"
stand_in="$build_dir/bin/tpq_hub_stand_in"
fixture="${TPQ_FIXTURES_DIR:-$repo_root/../shared/fixtures}/tiny-bert-a"
for needed in "$tpq" "$stand_in" /usr/bin/time "$fixture/config.json"; do
  [[ -e "$needed" ]] || { echo "hub_download.sh: missing $needed (build tpq_cli and tpq_hub_stand_in_cli)" >&2; exit 1; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/tpq-hub-bench.XXXXXX")"
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [[ $keep -eq 1 ]] || rm -rf "$work"
}
trap cleanup EXIT

# A repo like a real checkpoint: the fixture's small files plus a large model.safetensors (random bytes).
mkdir -p "$work/repo"
cp "$fixture/config.json" "$fixture/vocab.txt" "$fixture/tokenizer_config.json" "$work/repo/"
head -c "$((size_mb * 1024 * 1024))" /dev/urandom > "$work/repo/model.safetensors"
bytes=$(stat -c %s "$work/repo/model.safetensors")
echo "file: model.safetensors, $bytes bytes ($size_mb MiB); $(nproc) CPUs; $(uname -r)"

start_server() {  # start_server [extra stand-in flags...]: sets $endpoint
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  "$stand_in" --repo bench/big="$work/repo" "$@" > "$work/server.out" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 600); do
    grep -q '^endpoint ' "$work/server.out" 2>/dev/null && break
    sleep 0.1
  done
  endpoint="$(awk '/^endpoint /{print $2}' "$work/server.out")"
  [[ -n "$endpoint" ]] || { echo "the stand-in did not start:"; cat "$work/server.out"; exit 1; }
}

run_download() {  # run_download CACHE LOG: /usr/bin/time -v of tpq download into CACHE
  env -u HF_TOKEN HF_ENDPOINT="$endpoint" HF_HUB_CACHE="$1" no_proxy=127.0.0.1 \
    /usr/bin/time -v "$tpq" download bench/big > /dev/null 2> "$2"
}

field() { sed -n "s/^.*$1: *//p" "$2" | tail -1; }
wall_seconds() {  # /usr/bin/time's "Elapsed (wall clock) time (h:mm:ss or m:ss): 0:05.12"
  field 'Elapsed (wall clock) time (h:mm:ss or m:ss)' "$1" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }'
}

echo
echo "== 1. full download =="
start_server
run_download "$work/cache1" "$work/run1.log"
grep "downloaded model.safetensors" "$work/run1.log" | sed 's/^.*\] //'
echo "wall: $(wall_seconds "$work/run1.log") s; peak RSS: $(( $(field 'Maximum resident set size (kbytes)' "$work/run1.log") / 1024 )) MiB"
blob="$(find "$work/cache1" -path '*/blobs/*' -size +1M)"
[[ "$(sha256sum < "$blob" | cut -d' ' -f1)" == "$(basename "$blob")" ]] && echo "blob sha256 verified"

echo
echo "== 2. connection dropped at 50 % (resumed in the same run) =="
start_server --drop model.safetensors="$((bytes / 2))"
run_download "$work/cache2" "$work/run2.log"
grep -E "interrupted|resumed 'model|downloaded model" "$work/run2.log" | sed 's/^.*\] //'
echo "wall: $(wall_seconds "$work/run2.log") s; peak RSS: $(( $(field 'Maximum resident set size (kbytes)' "$work/run2.log") / 1024 )) MiB"

echo
echo "== 3. process killed at ~50 %, then run again =="
start_server --throttle "$((bytes / 4))"  # ~4 s for the file: time to stop it half-way
incomplete_glob="$work/cache3/models--bench--big/blobs/*.incomplete"
env -u HF_TOKEN HF_ENDPOINT="$endpoint" HF_HUB_CACHE="$work/cache3" no_proxy=127.0.0.1 \
  "$tpq" download bench/big > /dev/null 2> "$work/run3a.log" &
victim=$!
while kill -0 "$victim" 2>/dev/null; do
  partial=$(stat -c %s $incomplete_glob 2>/dev/null || echo 0)
  (( partial >= bytes / 2 )) && { kill -9 "$victim"; break; }
  sleep 0.05
done
wait "$victim" 2>/dev/null || true
echo "killed with $(stat -c %s $incomplete_glob) of $bytes bytes on disk"
start_server
run_download "$work/cache3" "$work/run3b.log"
grep -E "resuming|downloaded model" "$work/run3b.log" | sed 's/^.*\] //'
echo "second run wall: $(wall_seconds "$work/run3b.log") s; peak RSS: $(( $(field 'Maximum resident set size (kbytes)' "$work/run3b.log") / 1024 )) MiB"
cmp -s "$work/repo/model.safetensors" "$(find "$work/cache3" -path '*/snapshots/*/model.safetensors')" && echo "resumed file byte-identical"
