// 05: FP16 / BF16 / INT8 / mixed precision (INT8 except the most INT8-sensitive Linears) vs FP32.
#include "common/runner.h"
#include "tpq/pipeline/mixed_precision.h"

int main(int argc, char** argv) {
  tpq::experiments::ExperimentSpec spec;
  spec.program = "05_mixed_precision";
  spec.description = "FP16, BF16, INT8 and mixed precision of the baseline, with INT8 layer sensitivity, measured against FP32";
  spec.results_subdir = "mixed_precision";
  spec.extra_sections = {"quantization"};
  spec.flags = {
      {"--model_path,--baseline-model,--baseline_model", "quantization.baseline_model", "Baseline checkpoint dir"},
      {"--precisions", "quantization.precisions", "Variants besides fp32: fp16 bf16 int8 mixed", /*list=*/true},
      {"--keep_fp32_top_k,--keep-fp32-top-k", "quantization.keep_fp32_top_k",
       "Mixed: the k most INT8-sensitive Linears stay FP32"},
      {"--sensitivity_samples,--sensitivity-samples", "quantization.sensitivity_samples",
       "Validation examples for the layer sensitivity"},
      {"--engine", "quantization.engine", "Quantized engine: auto, onednn, fbgemm, qnnpack"},
  };
  spec.run = tpq::pipeline::run_mixed_precision;
  return tpq::experiments::run_experiment(argc, argv, spec);
}
