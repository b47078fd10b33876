// Experiment 08: gradual magnitude pruning (Zhu & Gupta 2017) from initial to final sparsity over
// N prune + fine-tune iterations, against one-shot pruning to the final sparsity with the same
// total fine-tuning budget: the template's table 4.1.3 (history.csv) and progressive.png.
#pragma once

#include <cstdint>
#include <filesystem>

#include "tpq/pipeline/experiment.h"
#include "tpq/prune/magnitude.h"
#include "tpq/prune/schedule.h"

namespace tpq::pipeline {

struct ProgressivePruningOptions {
  std::filesystem::path baseline_model;  // empty: <results>/baseline/model
  double initial_sparsity = 0.0;
  double final_sparsity = 0.7;  // the quick model (L2 H128) loses too much at 0.9 for a useful curve
  int64_t iterations = 5;
  prune::ScheduleKind schedule = prune::ScheduleKind::Cubic;
  prune::Scope scope = prune::Scope::Global;
  prune::Importance importance = prune::Importance::L1;
  int64_t fine_tune_epochs = 1;     // per iteration
  int64_t steps_per_iteration = 0;  // > 0: this many optimizer steps per iteration instead of epochs
  double fine_tune_learning_rate = 0;
  int64_t calibration_samples = 256;
  // pruning.prune_word_embeddings, on by default: "global" ranks every weight matrix of the model, and
  // the table is most of a small model's file (see prune::PrunableSet).
  prune::PrunableSet prunable{/*word_embeddings=*/true};
};

ProgressivePruningOptions progressive_pruning_options(const ExperimentConfig& config);

ExperimentDefinition progressive_pruning_definition();

}  // namespace tpq::pipeline
