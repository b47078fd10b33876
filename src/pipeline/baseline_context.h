// What every experiment after 01 starts from: the trained baseline checkpoint, the data of the
// baseline run (same split, same tokenizer, same max_length, so every table row is comparable),
// and the FP32 baseline measured again in the same process for side-by-side ratios.
#pragma once

#include <filesystem>

#include <torch/types.h>

#include "tpq/checkpoint/checkpoint.h"
#include "tpq/dist/process_group.h"
#include "tpq/hub/resolve.h"
#include "tpq/pipeline/experiment_config.h"
#include "pipeline/workspace.h"

namespace tpq::pipeline {

struct BaselineContext {
  std::filesystem::path model_dir;
  checkpoint::Checkpoint checkpoint;  // FP32, on the requested device, eval mode
  ExperimentConfig config;    // data section taken from the baseline run when it recorded one
  PreparedData data;
  int64_t num_labels = 0;
  // Where the baseline came from (results::Provenance::model_source): read from the baseline run's
  // metrics.json beside model_dir, or set by the caller for a checkpoint fetched from the Hub.
  nlohmann::json model_source;
  // The job's ranks (null: one process). Fine-tunes train data-parallel over them and the test split
  // is evaluated sharded; each rank builds the same variants, and only rank 0 times and writes.
  dist::ProcessGroup* group = nullptr;
};

// The provenance record of a model's origin: {"kind": "pretrained", "id", "revision", "commit",
// "source": "local_directory"|"cache"|"download", "family"} for a checkpoint, {"kind": "scratch",
// "family"} for a model trained from scratch (pretrained == nullptr).
nlohmann::json model_source_record(const hub::ResolvedRepo* pretrained, const std::string& family);

// UserError naming the directory (and how to make it: 01_baseline_training) when absent.
BaselineContext load_baseline(const ExperimentConfig& config, const std::filesystem::path& model_dir, torch::Device device);

// A fresh FP32 copy of the baseline model (for a variant to modify).
model::EncoderClassifier clone_baseline(const BaselineContext& context, torch::Device device);

}  // namespace tpq::pipeline
