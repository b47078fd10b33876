// What one Trainer::fit() carries from step to step: shared by the training loop (trainer.cpp)
// and its snapshots (trainer_snapshot.cpp).
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "tpq/train/trainer.h"
#include "train/loss_scaler.h"

namespace tpq::train {

struct Trainer::Optimizer {
  std::unique_ptr<torch::optim::AdamW> adamw;
  std::vector<torch::Tensor> parameters;  // what is clipped and unscaled
};

// Where training stands: the epoch, the next batch in it, and the epoch's running sums.
struct Trainer::EpochPosition {
  int64_t epoch = 1;
  int64_t next_batch = 0;
  double loss_sum = 0;
  int64_t correct = 0;
  int64_t seen = 0;
  double seconds = 0;  // spent in this epoch before a resume
  StepWindow window;
};

struct Trainer::EpochContext {
  Optimizer optimizer;
  LossScaler scaler;
  const TrainHooks& hooks;
  int64_t total_steps = 1;
  int64_t epochs_without_improvement = 0;
  TrainResult result;
  EpochPosition position;
  nlohmann::json setup;         // what a snapshot must match to be resumed
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  double seconds_before = 0;    // fit() time spent before a resume
  // The best epoch's parameters and buffers (kept only while snapshotting): a resumed run hands
  // them to on_best again, so its best checkpoint is the one an uninterrupted run saved.
  std::vector<torch::Tensor> best_state;
};

}  // namespace tpq::train
