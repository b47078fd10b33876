// 07: unstructured magnitude pruning of the encoder Linear weights (global and local), fine-tuned
// with masks held, saved in the compressed sparse format, measured against FP32.
#include "common/runner.h"
#include "tpq/pipeline/unstructured_pruning.h"

int main(int argc, char** argv) {
  tpq::experiments::ExperimentSpec spec;
  spec.program = "07_unstructured_pruning";
  spec.description = "Unstructured magnitude pruning (global/local, L1/L2/Taylor) of the baseline, measured against FP32";
  spec.results_subdir = "unstructured_pruning";
  spec.extra_sections = {"pruning"};
  spec.flags = {
      {"--model_path,--baseline-model,--baseline_model", "pruning.baseline_model", "Baseline checkpoint dir"},
      {"--sparsities", "pruning.sparsities", "Target sparsities of the encoder Linear weights, in [0, 1)", true},
      {"--scope", "pruning.scope", "global (one threshold), local (per layer) or both"},
      {"--importance", "pruning.importance", "Weight importance: l1, l2 or taylor"},
      {"--fine_tune_epochs,--fine-tune-epochs", "pruning.fine_tune_epochs", "Masked fine-tuning epochs (0 = one-shot)"},
      {"--fine_tune_steps,--fine-tune-steps", "pruning.fine_tune_steps", "Fine-tune for this many optimizer steps instead of epochs (0: epochs)"},
      {"--fine_tune_learning_rate", "pruning.fine_tune_learning_rate", "Fine-tuning learning rate (0 = training.learning_rate)"},
      {"--calibration_samples", "pruning.calibration_samples", "Training examples for taylor importance"},
      {"--prune_word_embeddings,--prune-word-embeddings", "pruning.prune_word_embeddings",
       "Also prune the word-embedding table (true/false; most of a small model's parameters)"},
  };
  spec.run = tpq::pipeline::run_unstructured_pruning;
  return tpq::experiments::run_experiment(argc, argv, spec);
}
