#!/usr/bin/env python3
"""Times PyTorch eager inference of a checkpoint tpq saved: HF transformers' BertForSequenceClassification
(4.31, ../shared/tools/hf-python, on Debian's python3-torch 1.13): FP32, dynamic INT8
(torch.ao.quantization.quantize_dynamic on every nn.Linear, qint8 weights, as HF's recipe), or
BF16 autocast (torch.autocast("cpu", torch.bfloat16) around the FP32 model).

  PYTHONPATH=<hf-python site> /usr/bin/python3 benchmarks/pytorch_eager.py MODEL_DIR INPUTS.json \
      --variant fp32|int8_dynamic|bf16 --threads 2 --time 3
INPUTS.json as tools/onnxruntime/run_onnx.js reads it. Prints {"logits": [[...]], "ms": [...]} on stdout,
the same shape of answer as run_onnx.js, after one untimed warm-up run.
"""
import argparse
import json
import sys
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model")
    parser.add_argument("inputs")
    parser.add_argument("--variant", default="fp32", choices=["fp32", "int8_dynamic", "bf16"])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--time", type=int, default=3)
    args = parser.parse_args()

    import torch
    from transformers import BertForSequenceClassification

    torch.set_num_threads(args.threads)
    model = BertForSequenceClassification.from_pretrained(args.model).eval()
    if args.variant == "int8_dynamic":
        torch.backends.quantized.engine = "onednn" if "onednn" in torch.backends.quantized.supported_engines else "qnnpack"
        model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    with open(args.inputs) as f:
        inputs = {name: torch.tensor(rows, dtype=torch.long) for name, rows in json.load(f).items()}
    times = []
    autocast = torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.variant == "bf16")
    with torch.inference_mode(), autocast:
        logits = model(**inputs).logits
        for _ in range(args.time):
            start = time.perf_counter()
            logits = model(**inputs).logits
            times.append((time.perf_counter() - start) * 1000.0)
    json.dump({"logits": logits.float().tolist(), "ms": times, "engine": torch.backends.quantized.engine,
               "torch": torch.__version__}, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
