#!/usr/bin/env python3
"""LibTorch 1.13's CPU LayerNorm on BFloat16 against the FP32 kernel on the widened input, rounded
once (what tpq's model::layer_norm does), side by side in one process on Debian's python3-torch
(the same LibTorch tpq links): median ms of each over --trials calls, and each result's distance
to the exact FP32 norm. Shape: one bert-base layer's hidden states at batch 32, sequence 128.

  /usr/bin/python3 benchmarks/layer_norm_bf16.py [--rows 4096] [--width 768] [--threads 2] [--trials 10]
Prints one JSON object.
"""
import argparse
import json
import time

import torch


def median_ms(fn, trials):
    fn()  # warm-up
    times = []
    for _ in range(trials):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    times.sort()
    return times[len(times) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=4096)
    parser.add_argument("--width", type=int, default=768)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--trials", type=int, default=10)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    bf16 = torch.bfloat16
    x = (torch.randn(args.rows, args.width) * 3 + 1).to(bf16)
    weight = torch.empty(args.width).uniform_(0.5, 1.5).to(bf16)
    bias = torch.empty(args.width).uniform_(-0.2, 0.2).to(bf16)
    shape, eps = (args.width,), 1e-5

    def native():
        return torch.nn.functional.layer_norm(x, shape, weight, bias, eps)

    def widened():
        return torch.nn.functional.layer_norm(x.float(), shape, weight.float(), bias.float(), eps).to(bf16)

    with torch.no_grad():
        exact = torch.nn.functional.layer_norm(x.float(), shape, weight.float(), bias.float(), eps)
        a, b = native(), widened()
        result = {
            "shape": [args.rows, args.width], "threads": args.threads, "trials": args.trials,
            "torch": torch.__version__,
            "bf16_kernel_ms": median_ms(native, args.trials),
            "widened_ms": median_ms(widened, args.trials),
            "elements_differing": (a != b).float().mean().item(),
            "bf16_kernel_mean_abs_error": (a.float() - exact).abs().mean().item(),
            "widened_mean_abs_error": (b.float() - exact).abs().mean().item(),
        }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
