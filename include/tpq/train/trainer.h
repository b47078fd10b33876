// Fine-tuning loop: AdamW (no decay on bias/LayerNorm), linear warm-up + decay, gradient
// clipping and accumulation, optional bf16/fp16 autocast, per-epoch validation, early stopping.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <vector>

#include <torch/types.h>

#include "tpq/data/batching.h"
#include "tpq/data/tokenized_split.h"
#include "tpq/eval/metrics.h"
#include "tpq/model/encoder_classifier.h"
#include "tpq/train/train_config.h"
#include "tpq/train/training_state.h"

namespace tpq::dist {
class ProcessGroup;
}

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
  double gradient_sync_seconds = 0;  // spent averaging gradients over ranks (0 in a single process)
  bool stopped_early = false;
};

// Writes the step and epoch curves as CSV (training_curve_steps.csv, training_curve_epochs.csv).
void write_training_curves(const TrainResult& result, const std::filesystem::path& dir);

struct TrainHooks {
  // Called when validation accuracy improves (save the best checkpoint here). In a job it runs on
  // every rank, which all hold the same weights: a hook that writes shared files checks the rank.
  std::function<void(const EpochLog&)> on_best;
  // Called after every optimizer step (pruning re-applies its masks here).
  std::function<void()> after_optimizer_step;
};

// Mean training loss and throughput between two step logs.
struct StepWindow {
  double loss_sum = 0;
  int64_t batches = 0;
  int64_t samples = 0;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();

  void add(double loss, int64_t rows);
  StepLog take(int64_t step, double epoch, double learning_rate);  // and restart the window
};

// Data-parallel when given a process group of several ranks (DDP's semantics): rank 0's initial
// weights are broadcast, training.batch_size is the global batch and each rank takes its slice of
// every batch, gradients are averaged over ranks once per optimizer step (not on the inner steps of
// gradient accumulation), validation is sharded and gathered, and only rank 0 shows progress.
// The same seed and data on 1 or N ranks give the same weights up to float order.
class Trainer {
 public:
  Trainer(model::EncoderClassifierImpl& model, TrainConfig config, torch::Device device, uint64_t seed,
          dist::ProcessGroup* group = nullptr);

  TrainResult fit(const data::TokenizedSplit& train, const data::TokenizedSplit& validation, int64_t num_labels,
                  const TrainHooks& hooks = {});

  // Snapshots at every epoch end and every options.every_steps optimizer steps into options.dir
  // (rank 0 writes; every rank reads, so a job needs the directory on a filesystem all ranks
  // share); with options.resume, fit() continues from the newest snapshot of the same setup.
  void checkpoint_to(ResumeOptions options) { resume_ = std::move(options); }

  struct Optimizer;      // AdamW and the parameters it clips (train/trainer_context.h)
  struct EpochPosition;  // the epoch, the next batch and the epoch's running sums
  struct EpochContext;   // what one fit() carries from step to step

 private:

  Optimizer make_optimizer() const;
  std::pair<double, int64_t> forward_backward(const data::Batch& batch, EpochContext& context, int64_t epoch);
  double step(EpochContext& context);
  EpochLog train_epoch(const data::TokenizedSplit& train, EpochContext& context);
  void after_validation(EpochLog log, EpochContext& context);
  bool snapshot_due(int64_t optimizer_steps) const;

  // Snapshots (trainer_snapshot.cpp).
  nlohmann::json setup(const data::TokenizedSplit& train, const data::TokenizedSplit& validation) const;
  void remember_best(EpochContext& context) const;
  void save_snapshot(const EpochContext& context) const;
  void resume_from_snapshot(EpochContext& context);
  void replay_best(EpochContext& context);

  bool is_rank_zero() const;
  void broadcast_initial_weights();
  void sum_over_ranks(double& loss_sum, int64_t& correct, int64_t& seen);

  model::EncoderClassifierImpl& model_;
  TrainConfig config_;
  torch::Device device_;
  uint64_t seed_;
  dist::ProcessGroup* group_;  // null or one rank: single process
  ResumeOptions resume_;
};

}  // namespace tpq::train
