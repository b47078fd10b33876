// Fine-tuning loop: AdamW (no decay on bias/LayerNorm), linear warm-up + decay, gradient
// clipping and accumulation, optional bf16/fp16 autocast, per-epoch validation, early stopping.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <vector>

#include <torch/types.h>

#include "tpq/data/tokenized_split.h"
#include "tpq/eval/metrics.h"
#include "tpq/model/bert.h"
#include "tpq/train/train_config.h"

namespace tpq::train {

struct StepLog {
  int64_t step = 0;
  double epoch = 0;  // fractional
  double loss = 0;   // mean training loss since the previous log
  double learning_rate = 0;
  double samples_per_second = 0;
};

struct EpochLog {
  int64_t epoch = 0;  // 1-based
  double train_loss = 0;
  double train_accuracy = 0;
  eval::ClassificationMetrics validation;
  double seconds = 0;
};

struct TrainResult {
  std::vector<StepLog> steps;
  std::vector<EpochLog> epochs;
  int64_t best_epoch = 0;  // 0: never validated (epochs = 0)
  double best_validation_accuracy = 0;
  int64_t optimizer_steps = 0;
  double seconds = 0;
  bool stopped_early = false;
};

// Writes the step and epoch curves as CSV (training_curve_steps.csv, training_curve_epochs.csv).
void write_training_curves(const TrainResult& result, const std::filesystem::path& dir);

struct TrainHooks {
  // Called when validation accuracy improves (save the best checkpoint here).
  std::function<void(const EpochLog&)> on_best;
  // Called after every optimizer step (pruning re-applies its masks here).
  std::function<void()> after_optimizer_step;
};

class Trainer {
 public:
  Trainer(model::BertForSequenceClassificationImpl& model, TrainConfig config, torch::Device device, uint64_t seed);

  TrainResult fit(const data::TokenizedSplit& train, const data::TokenizedSplit& validation, int64_t num_labels,
                  const TrainHooks& hooks = {});

 private:
  model::BertForSequenceClassificationImpl& model_;
  TrainConfig config_;
  torch::Device device_;
  uint64_t seed_;
};

}  // namespace tpq::train
