// 08: gradual magnitude pruning (cubic or linear schedule) with fine-tuning between steps, against
// one-shot pruning to the final sparsity with the same fine-tuning budget.
#include "common/runner.h"
#include "tpq/pipeline/progressive_pruning.h"

int main(int argc, char** argv) {
  tpq::experiments::ExperimentSpec spec;
  spec.program = "08_progressive_pruning";
  spec.description = "Progressive (gradual) magnitude pruning of the baseline vs one-shot, measured against FP32";
  spec.results_subdir = "progressive_pruning";
  spec.extra_sections = {"pruning"};
  spec.flags = {
      {"--model_path,--baseline-model,--baseline_model", "pruning.baseline_model", "Baseline checkpoint dir"},
      {"--initial_sparsity", "pruning.initial_sparsity", "Sparsity before the first step, in [0, 1)"},
      {"--final_sparsity", "pruning.final_sparsity", "Sparsity after the last step, in [0, 1)"},
      {"--iterations", "pruning.iterations", "Prune + fine-tune steps"},
      {"--schedule", "pruning.schedule", "cubic (Zhu & Gupta 2017) or linear"},
      {"--scope", "pruning.scope", "global or local"},
      {"--importance", "pruning.importance", "Weight importance: l1, l2 or taylor"},
      {"--fine_tune_epochs,--fine-tune-epochs", "pruning.fine_tune_epochs", "Fine-tuning epochs per iteration"},
      {"--steps_per_iteration", "pruning.steps_per_iteration", "Optimizer steps per iteration instead of epochs (0 = epochs)"},
      {"--fine_tune_learning_rate", "pruning.fine_tune_learning_rate", "Fine-tuning learning rate (0 = training.learning_rate)"},
      {"--calibration_samples", "pruning.calibration_samples", "Training examples for taylor importance"},
      {"--prune_word_embeddings,--prune-word-embeddings", "pruning.prune_word_embeddings",
       "Also prune the word-embedding table (true/false; most of a small model's parameters)"},
  };
  spec.run = tpq::pipeline::run_progressive_pruning;
  return tpq::experiments::run_experiment(argc, argv, spec);
}
