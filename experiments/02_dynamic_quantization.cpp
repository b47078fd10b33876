// 02: dynamic INT8 quantization of the baseline (per-tensor and per-channel), side by side with FP32.
#include "common/runner.h"
#include "tpq/pipeline/dynamic_quantization.h"

int main(int argc, char** argv) {
  tpq::experiments::ExperimentSpec spec;
  spec.program = "02_dynamic_quantization";
  spec.description = "Dynamic INT8 quantization of the baseline's Linear layers, measured against FP32";
  spec.results_subdir = "dynamic_quant";
  spec.extra_sections = {"quantization"};
  spec.flags = {
      {"--baseline-model,--baseline_model,--model_path", "quantization.baseline_model", "Baseline checkpoint dir"},
      {"--engine", "quantization.engine", "Quantized engine: auto, onednn, fbgemm, qnnpack"},
      {"--include-head", "quantization.include_pooler_and_classifier", "Also quantize pooler and classifier (true/false)"},
  };
  spec.run = tpq::pipeline::run_dynamic_quantization;
  return tpq::experiments::run_experiment(argc, argv, spec);
}
