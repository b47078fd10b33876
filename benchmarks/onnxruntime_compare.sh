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
#                                     [--pytorch [--hf-python DIR]]
# --pytorch adds PyTorch eager for fp32, int8_dynamic and bf16: HF transformers 4.31 (../shared/tools/hf-python)
# on Debian's torch 1.13 on the same FP32 checkpoint (INT8: torch's quantize_dynamic of it; bf16:
# autocast), twice a round: with glibc's default malloc, and with tpq's malloc settings through
# GLIBC_TUNABLES. The variant bf16 (not in the default list) is tpq's bench bf16 against PyTorch's
# autocast; ONNX Runtime has no BF16 row.
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
pytorch=0
hf_python="$repo_root/../shared/tools/hf-python"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --bin-dir) bin="$(realpath "$2")"; shift ;;
    --rounds) rounds="$2"; shift ;;
    --trials) trials="$2"; shift ;;
    --threads) threads="$2"; shift ;;
    --batch-sizes) batch_sizes="$2"; shift ;;
    --variants) variants="$2"; shift ;;
    --output) output="$2"; shift ;;
    --pytorch) pytorch=1 ;;
    --hf-python) hf_python="$2"; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
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
if [[ $pytorch -eq 1 ]]; then
  [[ -f "$hf_python/site-transformers-4.31.0.tar.gz" ]] ||
    { echo "onnxruntime_compare.sh: --pytorch needs $hf_python/site-transformers-4.31.0.tar.gz (give --hf-python DIR)" >&2; exit 2; }
  tar -xzf "$hf_python/site-transformers-4.31.0.tar.gz" -C "$work"
fi

# The saved and exported models: every variant but bf16 (tpq converts the FP32 model as it times it), and fp32.
saved="fp32"
for variant in $variants; do [[ "$variant" == fp32 || "$variant" == bf16 ]] || saved+=" $variant"; done
log "saving the bert-base variants ($saved) and exporting them to ONNX"
# shellcheck disable=SC2086
"$bin/tpq" --log-level warn bench --shape bert-base --variants $saved --batch-sizes 1 --seq-lens 8 --trials 1 \
  --warmup 0 --threads "$threads" --save-models "$work/models" >/dev/null
for variant in $saved; do
  "$bin/tpq" --log-level warn export --model "$work/models/$variant" --output "$work/onnx/$variant/model.onnx" >/dev/null
done
for batch in $batch_sizes; do  # random token ids, no padding: the shape bench times
  /usr/bin/env python3 -c "
import json, random
random.seed($batch)
ids = [[random.randrange(1, 30522) for _ in range(128)] for _ in range($batch)]
json.dump({'input_ids': ids, 'attention_mask': [[1] * 128] * $batch, 'token_type_ids': [[0] * 128] * $batch}, open('$work/inputs-$batch.json', 'w'))"
done

tpq_ms() {  # tpq_ms VARIANT BATCH: median ms of `trials` forwards of the saved model (bf16: of the FP32 one converted)
  local model="$1" timed=(fp32)
  [[ "$1" == bf16 ]] && model=fp32 && timed=(fp32 bf16)
  "$bin/tpq" --log-level warn bench --model "$work/models/$model" --variants "${timed[@]}" --batch-sizes "$2" --seq-lens 128 \
    --warmup 1 --trials "$trials" --threads "$threads" --output "$work/tpq.json" >/dev/null
  /usr/bin/env python3 -c "import json; print(json.load(open('$work/tpq.json'))['rows'][-1]['median_ms'])"
}
median_ms() { /usr/bin/env python3 -c "import json, statistics, sys; print(statistics.median(json.load(sys.stdin)['ms']))"; }
ort_ms() {  # ort_ms VARIANT BATCH: median ms of `trials` runs after one warm-up run
  node "$runner" "$work/onnx/$1/model.onnx" "$work/inputs-$2.json" --threads "$threads" --time "$trials" | median_ms
}
# The malloc settings tpq makes at start (src/core/allocator.cpp: no mmap, trim at 1 GiB, 256 MiB top pad).
tpq_malloc="glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=1073741824:glibc.malloc.top_pad=268435456"
pytorch_ms() {  # pytorch_ms VARIANT BATCH [GLIBC_TUNABLES]: HF eager on the FP32 checkpoint (INT8: quantize_dynamic of it)
  GLIBC_TUNABLES="${3:-}" PYTHONPATH="$work/site" /usr/bin/python3 "$repo_root/benchmarks/pytorch_eager.py" \
    "$work/models/fp32" "$work/inputs-$2.json" --variant "$1" --threads "$threads" --time "$trials" 2>/dev/null | median_ms
}
measure() {  # measure SIDE VARIANT BATCH
  case "$1" in
    tpq) tpq_ms "$2" "$3" ;;
    ort) ort_ms "$2" "$3" ;;
    pytorch) pytorch_ms "$2" "$3" ;;
    pytorch_tpq_malloc) pytorch_ms "$2" "$3" "$tpq_malloc" ;;
  esac
}

: >"$work/times.tsv"
for ((round = 1; round <= rounds; round++)); do
  for variant in $variants; do
    sides=(tpq ort)
    [[ "$variant" == bf16 ]] && sides=(tpq)
    [[ $pytorch -eq 1 && "$variant" =~ ^(fp32|int8_dynamic|bf16)$ ]] && sides+=(pytorch pytorch_tpq_malloc)
    for batch in $batch_sizes; do
      declare -A ms=()
      for ((k = 0; k < ${#sides[@]}; k++)); do  # the order rotates every round
        side="${sides[(k + round) % ${#sides[@]}]}"
        ms[$side]="$(measure "$side" "$variant" "$batch")"
      done
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$variant" "$batch" "${ms[tpq]}" "${ms[ort]:-}" "${ms[pytorch]:-}" \
        "${ms[pytorch_tpq_malloc]:-}" >>"$work/times.tsv"
      log "round $round/$rounds $variant batch $batch: tpq ${ms[tpq]} ms, ORT ${ms[ort]:--} ms${ms[pytorch]:+, PyTorch ${ms[pytorch]} ms, ${ms[pytorch_tpq_malloc]} ms with the tpq malloc settings}"
      unset ms
    done
  done
done

for variant in $saved; do  # the bytes of each side's files
  printf '%s\t%s\t%s\n' "$variant" "$(stat -c %s "$work/onnx/$variant/model.onnx")" \
    "$(du -sb "$work/models/$variant" | cut -f1)" >>"$work/sizes.tsv"
done
ort_version="$(node -p "require('$repo_root/tools/onnxruntime/node_modules/onnxruntime-node/package.json').version")"

/usr/bin/env python3 "$repo_root/benchmarks/runtime_table.py" "$work/times.tsv" "$work/sizes.tsv" "$work/tpq.json" "$ort_version" \
  "$variants" "$batch_sizes" "$rounds" "$trials" "$threads" ${output:+--output "$output.partial"}
if [[ -n "$output" ]]; then
  mv "$output.partial" "$output"
  log "wrote $output"
fi
