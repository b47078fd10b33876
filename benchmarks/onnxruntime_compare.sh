#!/usr/bin/env bash
# tpq against ONNX Runtime (onnxruntime-node, all graph optimisations) on the same weights: bert-base
# shape with random weights, sequence 128, batch 1 and 32; FP32, pruned 50/50 (half the heads and
# half of every FFN removed), dynamic INT8 (per channel) and pruned + INT8, each model exported by
# `tpq export --format onnx`. The two runtimes run
# in alternating rounds (the order flips every round), each round timing `--trials` forwards after a
# warm-up; the table gives the median over rounds of each side's per-round median, and of the
# per-round ratio ORT ms / tpq ms (> 1: tpq faster) with its range over the rounds.
#   benchmarks/onnxruntime_compare.sh [--bin-dir build/bin] [--rounds 5] [--trials 3] [--threads 2] [--batch-sizes "1 32"]
#                                     [--variants "fp32 pruned_50_50 int8_dynamic pruned_50_50_int8"] [--output deploy.json]
# --output also writes the table as JSON (written whole or not at all): the report's 部署 item reads
# <results>/deploy/deploy.json, which run_all.sh writes with this script.
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
output=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --bin-dir) bin="$(realpath "$2")"; shift ;;
    --rounds) rounds="$2"; shift ;;
    --trials) trials="$2"; shift ;;
    --threads) threads="$2"; shift ;;
    --batch-sizes) batch_sizes="$2"; shift ;;
    --variants) variants="$2"; shift ;;
    --output) output="$2"; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "onnxruntime_compare.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
runner="$repo_root/tools/onnxruntime/run_onnx.js"
[[ -d "$repo_root/tools/onnxruntime/node_modules/onnxruntime-node" ]] ||
  { echo "onnxruntime_compare.sh: ONNX Runtime for Node missing; run scripts/setup.sh (or npm ci in tools/onnxruntime)" >&2; exit 2; }
[[ -z "$output" ]] || mkdir -p "$(dirname "$output")"
work="$(mktemp -d /tmp/tpq-ort-compare.XXXXXX)"
trap 'rm -rf "$work" ${output:+"$output.partial"}' EXIT
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

for variant in $variants; do  # the bytes of each side's files
  printf '%s\t%s\t%s\n' "$variant" "$(stat -c %s "$work/onnx/$variant/model.onnx")" \
    "$(du -sb "$work/models/$variant" | cut -f1)" >>"$work/sizes.tsv"
done
ort_version="$(node -p "require('$repo_root/tools/onnxruntime/node_modules/onnxruntime-node/package.json').version")"

/usr/bin/env python3 - "$work/times.tsv" "$rounds" "$trials" "$threads" "$work/sizes.tsv" "$work/tpq.json" "$ort_version" \
  "${output:+$output.partial}" "$variants" "$batch_sizes" <<'PY'
import json, statistics, sys
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
if len(sys.argv) > 8 and sys.argv[8]:
    tpq = json.load(open(sys.argv[6]))  # the last tpq bench run: how tpq was built and ran
    record = {key: tpq.get(key) for key in ("git_rev", "tpq_version", "libtorch_version", "blas", "blas_library", "compiler",
                                             "build_type", "cpu_model", "quantized_engine", "threads", "started_at")}
    record.update({
        "shape": "bert-base", "sequence_length": 128, "weights": "random (seeded), the same in both runtimes",
        "rounds": int(sys.argv[2]), "trials_per_round": int(sys.argv[3]), "device": "cpu",
        "seed": 0,  # tpq bench's default seed, which draws the random weights; token ids are seeded by the batch size
        "config": {"variants": sys.argv[9].split(), "batch_sizes": [int(b) for b in sys.argv[10].split()],
                   "rounds": int(sys.argv[2]), "trials": int(sys.argv[3]), "threads": int(sys.argv[4])},
        "onnxruntime_version": sys.argv[7],
        "allocators": {"tpq": tpq.get("allocator"), "onnxruntime": "ORT's CPU memory arena (its default)"},
        "timing": "runtimes alternate per round (order flipped every round); per-round medians; ratio = ORT ms / tpq ms",
        "rows": [{"variant": v, "batch_size": b, "tpq_ms": statistics.median(t for t, _ in times),
                  "onnxruntime_ms": statistics.median(o for _, o in times),
                  "onnxruntime_over_tpq": {"median": statistics.median(o / t for t, o in times),
                                           "min": min(o / t for t, o in times), "max": max(o / t for t, o in times)}}
                 for (v, b), times in rows.items()],
        "sizes": [{"variant": v, "onnx_bytes": int(o), "tpq_checkpoint_bytes": int(c)}
                  for v, o, c in (line.rstrip("\n").split("\t") for line in open(sys.argv[5]))]})
    with open(sys.argv[8], "w") as out:
        json.dump(record, out, indent=2)
PY
if [[ -n "$output" ]]; then
  mv "$output.partial" "$output"
  log "wrote $output"
fi
