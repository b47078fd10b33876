// The one runner every numbered experiment uses: common flags (--config, --profile, --output_dir,
// --device, --seed, --threads, --allow-slow-blas, --log-level), experiment flags mapped onto config
// keys, layered config loading, BLAS check, and clean one-line errors with exit code 2.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "tpq/pipeline/experiment_config.h"

namespace tpq::experiments {

// A command-line flag that sets one config key, e.g. {"--epochs", "training.epochs", "..."}.
// Values are typed like YAML scalars (int, float, bool, string); `list` flags take several.
struct ConfigFlag {
  std::string names;       // CLI11 names, e.g. "--learning_rate,--learning-rate"
  std::string config_key;  // dotted key
  std::string help;
  bool list = false;
};

struct ExperimentSpec {
  std::string program;         // "01_baseline_training"
  std::string description;
  std::string results_subdir;  // "baseline" -> results/baseline
  bool measures_speed = true;  // refuse the reference BLAS unless --allow-slow-blas
  std::vector<std::string> extra_sections;  // config sections this experiment reads
  std::vector<ConfigFlag> flags;
  std::function<void(const pipeline::ExperimentConfig&, const std::filesystem::path& output_dir, torch::Device)> run;
};

int run_experiment(int argc, char** argv, const ExperimentSpec& spec);

}  // namespace tpq::experiments
