// 06: structured pruning (attention heads, FFN neurons) removed physically, fine-tuned, measured against FP32.
#include "common/runner.h"
#include "tpq/pipeline/structured_pruning.h"

int main(int argc, char** argv) {
  tpq::experiments::ExperimentSpec spec;
  spec.program = "06_structured_pruning";
  spec.description = "Structured pruning of attention heads and FFN neurons (physically removed, fine-tuned)";
  spec.results_subdir = "structured_pruning";
  spec.extra_sections = {"pruning"};
  spec.flags = {
      {"--baseline-model,--baseline_model,--model_path", "pruning.baseline_model", "Baseline checkpoint dir"},
      {"--heads", "pruning.heads", "Head counts to prune (default: 4 8 12 for 144 heads, else --head_fractions)", true},
      {"--head_fractions,--head-fractions", "pruning.head_fractions", "Fractions of all heads to prune (models without 144 heads)", true},
      {"--ffn_sparsity,--ffn-sparsity", "pruning.ffn_sparsity", "FFN neuron fractions to remove, each in [0, 1)", true},
      {"--importance", "pruning.head_importance", "Head importance: gradient (Michel et al.) or weight_norm"},
      {"--fine_tune_epochs,--fine-tune-epochs", "pruning.fine_tune_epochs", "Fine-tuning epochs after pruning (0: none)"},
      {"--fine_tune_steps,--fine-tune-steps", "pruning.fine_tune_steps", "Fine-tune for this many optimizer steps instead of epochs (0: epochs)"},
      {"--calibration_samples,--calibration-samples", "pruning.calibration_samples", "Training examples for gradient importance"},
  };
  spec.run = tpq::pipeline::run_structured_pruning;
  return tpq::experiments::run_experiment(argc, argv, spec);
}
