// 09: pruning and quantization combined in both orders (prune -> quantize, quantize -> prune).
#include "common/runner.h"
#include "tpq/pipeline/combined.h"

int main(int argc, char** argv) {
  tpq::experiments::ExperimentSpec spec;
  spec.program = "09_combined";
  spec.description = "Structured pruning + dynamic INT8 in both orders: per-stage accuracy, size, total compression, winner";
  spec.results_subdir = "combined";
  spec.extra_sections = {"pruning", "quantization"};
  spec.flags = {
      {"--baseline-model,--baseline_model,--model_path", "pruning.baseline_model", "Baseline checkpoint dir"},
      {"--head_fraction,--head-fraction", "pruning.combined_head_fraction", "Fraction of all heads to remove, in [0, 1)"},
      {"--ffn_sparsity,--ffn-sparsity", "pruning.combined_ffn_sparsity", "Fraction of each layer's FFN neurons to remove, in [0, 1)"},
      {"--importance", "pruning.head_importance", "Head importance: gradient (Michel et al.) or weight_norm"},
      {"--granularity", "pruning.granularity", "INT8 weight scales: per_channel or per_tensor"},
      {"--fine_tune_epochs,--fine-tune-epochs", "pruning.fine_tune_epochs", "FP32 fine-tuning epochs after pruning (prune -> quantize)"},
      {"--fine_tune_steps,--fine-tune-steps", "pruning.fine_tune_steps", "Fine-tune for this many optimizer steps instead of epochs (0: epochs)"},
      {"--calibration_samples,--calibration-samples", "pruning.calibration_samples", "Training examples for gradient importance"},
  };
  spec.run = tpq::pipeline::run_combined;
  return tpq::experiments::run_experiment(argc, argv, spec);
}
