// Experiment 07: unstructured magnitude pruning of the encoder Linear weights at several
// sparsities, global and/or local threshold, optional masked fine-tuning, compressed sparse saves:
// the template's table 4.1.2 plus compressed vs dense size and latency.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <torch/types.h>

#include "tpq/pipeline/experiment.h"
#include "tpq/prune/magnitude.h"

namespace tpq::pipeline {

struct UnstructuredPruningOptions {
  std::filesystem::path baseline_model;  // empty: <results>/baseline/model
  std::vector<double> sparsities = {0.1, 0.3, 0.5, 0.7, 0.9};
  std::vector<prune::Scope> scopes = {prune::Scope::Global, prune::Scope::Local};  // "both"
  std::string scope_text = "both";
  prune::Importance importance = prune::Importance::L1;
  int64_t fine_tune_epochs = 1;           // 0: one-shot (no fine-tuning)
  int64_t fine_tune_steps = 0;            // > 0: this many optimizer steps instead of epochs
  double fine_tune_learning_rate = 0;     // 0: training.learning_rate
  int64_t calibration_samples = 256;      // taylor: training examples whose gradients are summed
  // pruning.prune_word_embeddings, on by default: "global" ranks every weight matrix of the model, and
  // the table is most of a small model's file (see prune::PrunableSet).
  prune::PrunableSet prunable{/*word_embeddings=*/true};
};

// Reads the `pruning:` section (shared with 06, 08, 09: their keys are accepted).
UnstructuredPruningOptions unstructured_pruning_options(const ExperimentConfig& config);

ExperimentDefinition unstructured_pruning_definition();

}  // namespace tpq::pipeline
