// Snapshots of MLM pre-training (train/training_state.h): where the loop stands, written every
// ResumeOptions::every_steps optimizer steps and at every epoch end (the last one is the finished
// run), and read back by a resumed pretrain_mlm().
#pragma once

#include <cstdint>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "tpq/train/mlm_pretraining.h"
#include "tpq/train/training_state.h"

namespace tpq::train {

struct MlmLoop {
  int64_t epoch = 1;
  int64_t next_batch = 0;
  double loss_sum = 0;  // this epoch's, over the batches that masked something
  int64_t loss_count = 0;
  MlmResult result;
  double seconds_before = 0;  // time spent before a resume
};

// What a snapshot holds and a resume fills.
struct MlmParts {
  torch::nn::Module& base;
  MlmHeadImpl& head;
  torch::optim::AdamW& optimizer;
};

nlohmann::json mlm_setup(const MlmConfig& config, uint64_t seed, int world_size, const data::TokenizedSplit& texts,
                         torch::nn::Module& base);
// Rank 0 writes (the ranks hold the same state).
void save_mlm_snapshot(const ResumeOptions& options, const MlmParts& parts, const MlmLoop& loop,
                       const nlohmann::json& setup, double seconds, bool rank_zero);
// Fills parts and loop from the newest snapshot of the same setup; false when there is none.
bool resume_mlm(const ResumeOptions& options, const MlmParts& parts, MlmLoop& loop, const nlohmann::json& setup,
                dist::ProcessGroup* group);

}  // namespace tpq::train
