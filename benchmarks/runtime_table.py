#!/usr/bin/env python3
"""The table (and, with --output, the JSON) of benchmarks/onnxruntime_compare.sh from its raw times.

times.tsv: variant, batch, tpq ms, ORT ms, PyTorch ms, PyTorch-with-tpq's-malloc ms (the last three
may be empty: no ORT for bf16, no PyTorch without --pytorch or for pruned models), one line per variant, batch and round. Each cell of the table is the median over
rounds; ratios are taken per round (same round, alternating order) and given with their range.
"""
import argparse
import json
import statistics


def ratio(pairs):
    """Median and range of other / tpq over rounds."""
    values = [other / tpq for tpq, other in pairs]
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def summarize(times_file):
    rows = {}
    for line in open(times_file):
        variant, batch, *cells = line.rstrip("\n").split("\t")
        rows.setdefault((variant, int(batch)), []).append([float(c) if c else None for c in cells])
    summary = []
    for (variant, batch), rounds in rows.items():
        row = {"variant": variant, "batch_size": batch, "tpq_ms": statistics.median(r[0] for r in rounds)}
        for column, key in ((1, "onnxruntime"), (2, "pytorch"), (3, "pytorch_tpq_malloc")):
            if all(r[column] is not None for r in rounds):
                row[key + "_ms"] = statistics.median(r[column] for r in rounds)
                row[key + "_over_tpq"] = ratio((r[0], r[column]) for r in rounds)
        summary.append(row)
    return summary


def cell(row, key):
    return f"{row[key + '_ms']:.1f}" if key + "_ms" in row else "—"


def ratio_cell(row, key):
    if key + "_over_tpq" not in row:
        return "—"
    r = row[key + "_over_tpq"]
    return f"{r['median']:.2f} ({r['min']:.2f}-{r['max']:.2f})"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    for name in ("times", "sizes", "tpq_json", "ort_version", "variants", "batch_sizes"):
        parser.add_argument(name)
    for name in ("rounds", "trials", "threads"):
        parser.add_argument(name, type=int)
    parser.add_argument("--output")
    args = parser.parse_args()
    rows = summarize(args.times)
    print(f"bert-base shape, seq 128, {args.threads} threads, {args.rounds} alternating rounds x {args.trials} forwards; "
          "ratios: other ms / tpq ms per round (< 1: the other is faster)")
    print("| variant | batch | tpq ms | ONNX Runtime ms | PyTorch ms | PyTorch, tpq's malloc, ms | ORT / tpq | PyTorch (tpq's malloc) / tpq |")
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['variant']} | {row['batch_size']} | {row['tpq_ms']:.1f} | {cell(row, 'onnxruntime')} | {cell(row, 'pytorch')} "
              f"| {cell(row, 'pytorch_tpq_malloc')} | {ratio_cell(row, 'onnxruntime')} | {ratio_cell(row, 'pytorch_tpq_malloc')} |")
    if not args.output:
        return
    tpq = json.load(open(args.tpq_json))  # the last tpq bench run: how tpq was built and ran
    record = {key: tpq.get(key) for key in ("git_rev", "tpq_version", "libtorch_version", "blas", "blas_library", "compiler",
                                             "build_type", "cpu_model", "quantized_engine", "kernels", "threads", "started_at")}
    record.update({
        "shape": "bert-base", "sequence_length": 128, "weights": "random (seeded), the same in every runtime",
        "rounds": args.rounds, "trials_per_round": args.trials, "device": "cpu",
        "seed": 0,  # tpq bench's default seed, which draws the random weights; token ids are seeded by the batch size
        "config": {"variants": args.variants.split(), "batch_sizes": [int(b) for b in args.batch_sizes.split()],
                   "rounds": args.rounds, "trials": args.trials, "threads": args.threads},
        "onnxruntime_version": args.ort_version,
        "allocators": {"tpq": tpq.get("allocator"), "onnxruntime": "ORT's CPU memory arena (its default)",
                       "pytorch": "glibc malloc defaults", "pytorch_tpq_malloc": "GLIBC_TUNABLES with tpq's settings"},
        "timing": "runtimes alternate per round (order rotated every round); per-round medians; ratio = other ms / tpq ms",
        "rows": rows,
        "sizes": [{"variant": v, "onnx_bytes": int(o), "tpq_checkpoint_bytes": int(c)}
                  for v, o, c in (line.rstrip("\n").split("\t") for line in open(args.sizes))]})
    with open(args.output, "w") as out:
        json.dump(record, out, indent=2)


if __name__ == "__main__":
    main()
