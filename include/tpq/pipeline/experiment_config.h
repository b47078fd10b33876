// The effective configuration of one experiment run: profile YAML, then --config, then flags,
// read into one struct per concern (model, data, training, evaluation, run).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tpq/core/config_tree.h"
#include "tpq/data/dataset_spec.h"
#include "tpq/eval/speed.h"
#include "tpq/model/model_spec.h"
#include "tpq/train/train_config.h"

namespace tpq::pipeline {

struct RunSettings {
  uint64_t seed = 42;
  int threads = 0;
  std::string device = "cpu";
  // Data-parallel jobs: how long a rank waits for the others (to join, or in a collective) before
  // the job stops with an error instead of hanging.
  double dist_timeout_s = 300;
};

struct ExperimentConfig {
  model::ModelSpec model;
  data::DatasetSpec data;
  std::filesystem::path cache_dir = "data/cache";
  train::TrainConfig training;
  eval::SpeedOptions evaluation;
  RunSettings run;
  ConfigTree tree;  // everything, including experiment-specific sections (pruning:, quantization: ...)

  // Reads the shared sections; extra_sections lists experiment-specific ones that may appear.
  static ExperimentConfig from(const ConfigTree& tree, const std::vector<std::string>& extra_sections = {});
  nlohmann::json to_json() const;

  // Replaces the data settings with a recorded `data` section (config keys, as a results
  // config.json holds them) and the split seed of that run, so a later experiment sees its data.
  void use_recorded_data(const nlohmann::json& data_section, uint64_t split_seed, const std::string& origin);
};

// configs/profiles/<name>.yaml, found under $TPQ_CONFIG_DIR, ./configs, or the source tree.
std::filesystem::path profile_path(const std::string& profile);

}  // namespace tpq::pipeline
