// 04: quantization-aware training of the baseline into static INT8, against FP32 and static PTQ.
#include "common/runner.h"
#include "tpq/pipeline/qat.h"

int main(int argc, char** argv) {
  tpq::experiments::ExperimentSpec spec;
  spec.program = "04_qat_experiment";
  spec.description = "Quantization-aware training (fake-quant fine-tuning) converted to real static INT8, vs FP32 and PTQ";
  spec.results_subdir = "qat";
  spec.extra_sections = {"quantization"};
  spec.flags = {
      {"--model_path,--baseline-model,--baseline_model", "quantization.baseline_model", "Baseline checkpoint dir"},
      {"--epochs", "quantization.epochs", "QAT fine-tuning epochs (default 2)"},
      {"--learning_rate,--learning-rate", "quantization.learning_rate", "QAT peak learning rate (default 1e-5)"},
      {"--freeze_observers_ratio,--freeze-observers-ratio", "quantization.freeze_observers_ratio",
       "Fraction of training after which activation ranges freeze (default 0.5)"},
      {"--calibration_samples,--calibration-samples", "quantization.calibration_samples",
       "Training examples for range calibration (PTQ row and QAT start; default 1000)"},
      {"--weight_bits,--weight-bits", "quantization.weight_bits",
       "Weight grid bits for PTQ and QAT (default 8 = INT8; 4 = 15 levels, still int8 storage and kernels)"},
      {"--engine", "quantization.engine", "Quantized engine: auto, onednn, fbgemm, qnnpack"},
      {"--include-head", "quantization.include_pooler_and_classifier", "Also quantize pooler and classifier (true/false)"},
  };
  spec.run = tpq::pipeline::run_qat;
  return tpq::experiments::run_experiment(argc, argv, spec);
}
