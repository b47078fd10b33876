#!/usr/bin/env bash
# tpq against ONNX Runtime (onnxruntime-node, all graph optimisations) on the same weights: bert-base
# shape with random weights, sequence 128, batch 1 and 32; FP32, pruned 50/50 (half the heads and
# half of every FFN removed), dynamic INT8 (per channel) and pruned + INT8, each model exported by
# `tpq export --format onnx`. The two runtimes run
# in alternating rounds (the order flips every round), each round timing `--trials` forwards after a
# warm-up; the table gives the median over rounds of each side's per-round median, and of the
# per-round ratio ORT ms / tpq ms (> 1: tpq faster) with its range over the rounds.
#   benchmarks/onnxruntime_compare.sh [--bin-dir build/bin] [--rounds 5] [--trials 3] [--threads 2] [--batch-sizes "1 32"]
#                                     [--variants "fp32 pruned_50_50 int8_dynamic pruned_50_50_int8"]
# Allocators: tpq runs with its glibc malloc tuning (recorded in bench.json as "allocator"); ORT uses
# its own CPU memory arena (its default). Needs tools/onnxruntime (scripts/setup.sh installs it).
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$repo_root/build/bin"
rounds=5
trials=3
threads=2
batch_sizes="1 32"
variants="fp32 pruned_50_50 int8_dynamic pruned_50_50_int8"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --bin-dir) bin="$(realpath "$2")"; shift ;;
    --rounds) rounds="$2"; shift ;;
    --trials) trials="$2"; shift ;;
    --threads) threads="$2"; shift ;;
    --batch-sizes) batch_sizes="$2"; shift ;;
    --variants) variants="$2"; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "onnxruntime_compare.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
runner="$repo_root/tools/onnxruntime/run_onnx.js"
[[ -d "$repo_root/tools/onnxruntime/node_modules/onnxruntime-node" ]] ||
  { echo "onnxruntime_compare.sh: ONNX Runtime for Node missing; run scripts/setup.sh (or npm ci in tools/onnxruntime)" >&2; exit 2; }
work="$(mktemp -d /tmp/tpq-ort-compare.XXXXXX)"
trap 'rm -rf "$work"' EXIT
log() { printf '[ort-compare] %s\n' "$*" >&2; }

log "saving the bert-base variants ($variants) and exporting them to ONNX"
# shellcheck disable=SC2086
"$bin/tpq" --log-level warn bench --shape bert-base --variants $variants --batch-sizes 1 --seq-lens 8 --trials 1 \
  --warmup 0 --threads "$threads" --save-models "$work/models" >/dev/null
for variant in $variants; do
  "$bin/tpq" --log-level warn export --model "$work/models/$variant" --output "$work/onnx/$variant/model.onnx" >/dev/null
done
for batch in $batch_sizes; do  # random token ids, no padding: the shape bench times
  /usr/bin/env python3 -c "
import json, random
random.seed($batch)
ids = [[random.randrange(1, 30522) for _ in range(128)] for _ in range($batch)]
json.dump({'input_ids': ids, 'attention_mask': [[1] * 128] * $batch, 'token_type_ids': [[0] * 128] * $batch}, open('$work/inputs-$batch.json', 'w'))"
done

tpq_ms() {  # tpq_ms VARIANT BATCH: median ms of `trials` forwards of the saved model
  "$bin/tpq" --log-level warn bench --model "$work/models/$1" --variants fp32 --batch-sizes "$2" --seq-lens 128 \
    --warmup 1 --trials "$trials" --threads "$threads" --output "$work/tpq.json" >/dev/null
  /usr/bin/env python3 -c "import json; print(json.load(open('$work/tpq.json'))['rows'][0]['median_ms'])"
}
ort_ms() {  # ort_ms VARIANT BATCH: median ms of `trials` runs after one warm-up run
  node "$runner" "$work/onnx/$1/model.onnx" "$work/inputs-$2.json" --threads "$threads" --time "$trials" |
    /usr/bin/env python3 -c "import json, statistics, sys; print(statistics.median(json.load(sys.stdin)['ms']))"
}

: >"$work/times.tsv"
for ((round = 1; round <= rounds; round++)); do
  for variant in $variants; do
    for batch in $batch_sizes; do
      if ((round % 2)); then t="$(tpq_ms "$variant" "$batch")"; o="$(ort_ms "$variant" "$batch")"
      else o="$(ort_ms "$variant" "$batch")"; t="$(tpq_ms "$variant" "$batch")"; fi
      printf '%s\t%s\t%s\t%s\n' "$variant" "$batch" "$t" "$o" >>"$work/times.tsv"
      log "round $round/$rounds $variant batch $batch: tpq $t ms, ORT $o ms"
    done
  done
done

/usr/bin/env python3 - "$work/times.tsv" "$rounds" "$trials" "$threads" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    variant, batch, tpq, ort = line.split("\t")
    rows.setdefault((variant, int(batch)), []).append((float(tpq), float(ort)))
print(f"bert-base shape, seq 128, {sys.argv[4]} threads, {sys.argv[2]} alternating rounds x {sys.argv[3]} forwards")
print("| variant | batch | tpq ms | ONNX Runtime ms | ORT / tpq (range over rounds) |")
print("|---|---|---|---|---|")
for (variant, batch), times in rows.items():
    ratios = [o / t for t, o in times]
    print(f"| {variant} | {batch} | {statistics.median(t for t, _ in times):.1f} | {statistics.median(o for _, o in times):.1f} "
          f"| {statistics.median(ratios):.2f}x ({min(ratios):.2f}-{max(ratios):.2f}) |")
PY
