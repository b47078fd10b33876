// Experiment 06: structured pruning of the baseline — attention heads (global ranking by gradient
// or weight-norm importance) and FFN neurons, removed physically, each variant fine-tuned and then
// measured side by side with FP32: the template's head and FFN pruning tables.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <torch/types.h>

#include "tpq/pipeline/experiment.h"
#include "tpq/model/encoder_classifier.h"
#include "tpq/model/encoder_config.h"
#include "pipeline/baseline_context.h"
#include "tpq/pipeline/experiment_config.h"
#include "tpq/train/trainer.h"
#include "tpq/prune/head_importance.h"

namespace tpq::pipeline {

struct StructuredPruningOptions {
  std::filesystem::path baseline_model;  // empty: <results>/baseline/model
  std::vector<int64_t> heads;  // head counts to prune; empty = the rule of head_counts()
  std::vector<double> head_fractions = {0, 0.25, 0.5, 0.75};
  std::vector<double> ffn_sparsities = {0.3, 0.5};
  std::string head_importance = "gradient";  // gradient | weight_norm
  int64_t fine_tune_epochs = 1;
  int64_t fine_tune_steps = 0;         // > 0: this many optimizer steps on a seeded sample instead of epochs
  double fine_tune_learning_rate = 0;  // 0: training.learning_rate
  int64_t calibration_samples = 1000;  // training examples for gradient importance
  double combined_head_fraction = 0.5;  // the heads+FFN row
  double combined_ffn_sparsity = 0.5;
};

// Reads the `pruning:` section (shared with 07/08/09, whose keys it accepts). UserError for
// sparsities outside [0, 1), fractions outside [0, 1), negative counts, unknown importance.
StructuredPruningOptions structured_pruning_options(const ExperimentConfig& config);

struct HeadCounts {
  std::vector<int64_t> counts;  // > 0, ascending, distinct
  std::string rule;             // how they were chosen, for the notes
};

// Explicit `heads` as given (UserError above the removable heads); else a bert-base-sized model
// (144 heads) gets the template's 4 8 12; else round(fraction * total heads), capped at the
// removable heads (one head stays per layer), duplicates dropped.
HeadCounts head_counts(const StructuredPruningOptions& options, const model::EncoderConfig& config);

// "N epoch(s)" or "N optimizer steps", for notes.
std::string fine_tune_budget_text(const StructuredPruningOptions& options);

// Head importance by options.head_importance: gradient (Michel et al., on calibration_samples
// training examples; the model's parameters get gradients) or weight_norm.
prune::HeadScores score_heads(model::EncoderClassifierImpl& model, const BaselineContext& context,
                              const StructuredPruningOptions& options, torch::Device device);

// Fine-tunes a pruned model (options.fine_tune_epochs; best validation epoch saved to dir), or
// saves it as is for 0 epochs; returns the checkpoint as loaded back from dir (what is measured).
// In a job every rank trains its shard and saves into its own staging directory.
// `training`, when given, receives the fine-tune's record (none for 0 epochs).
model::EncoderClassifier fine_tune_and_reload(model::EncoderClassifierImpl& model, BaselineContext& context,
                                              const StructuredPruningOptions& options, const std::filesystem::path& dir,
                                              torch::Device device, train::TrainResult* training = nullptr);

ExperimentDefinition structured_pruning_definition();

}  // namespace tpq::pipeline
