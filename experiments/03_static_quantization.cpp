// 03: static INT8 quantization of the baseline (calibrated activations; observers x weight granularities),
// side by side with FP32.
#include "common/runner.h"
#include "tpq/pipeline/static_quantization.h"

int main(int argc, char** argv) {
  tpq::experiments::ExperimentSpec spec;
  spec.program = "03_static_quantization";
  spec.description = "Static INT8 quantization of the baseline's Linear layers (calibrated on training texts), measured against FP32";
  spec.results_subdir = "static_quant";
  spec.extra_sections = {"quantization"};
  spec.flags = {
      {"--model_path,--model-path,--baseline-model,--baseline_model", "quantization.baseline_model", "Baseline checkpoint dir"},
      {"--calibration_samples,--calibration-samples", "quantization.calibration_samples",
       "Training examples run through the model to calibrate activation ranges (>= 1)"},
      {"--observers", "quantization.observers", "Observers: minmax moving_average histogram mse", /*list=*/true},
      {"--granularities", "quantization.granularities", "Weight granularities: per_tensor per_channel", /*list=*/true},
      {"--engine", "quantization.engine", "Quantized engine: auto, onednn, fbgemm, qnnpack"},
      {"--include-head", "quantization.include_pooler_and_classifier", "Also quantize pooler and classifier (true/false)"},
  };
  spec.run = tpq::pipeline::run_static_quantization;
  return tpq::experiments::run_experiment(argc, argv, spec);
}
