// What every experiment after 01 starts from: the trained baseline checkpoint, the data of the
// baseline run (same split, same tokenizer, same max_length, so every table row is comparable),
// and the FP32 baseline measured again in the same process for side-by-side ratios.
#pragma once

#include <filesystem>

#include <torch/types.h>

#include "tpq/checkpoint/checkpoint.h"
#include "tpq/pipeline/experiment_config.h"
#include "pipeline/workspace.h"

namespace tpq::pipeline {

struct BaselineContext {
  std::filesystem::path model_dir;
  checkpoint::Checkpoint checkpoint;  // FP32, on the requested device, eval mode
  ExperimentConfig config;    // data section taken from the baseline run when it recorded one
  PreparedData data;
  int64_t num_labels = 0;
};

// UserError naming the directory (and how to make it: 01_baseline_training) when absent.
BaselineContext load_baseline(const ExperimentConfig& config, const std::filesystem::path& model_dir, torch::Device device);

// A fresh FP32 copy of the baseline model (for a variant to modify).
model::EncoderClassifier clone_baseline(const BaselineContext& context, torch::Device device);

}  // namespace tpq::pipeline
