// What a numbered experiment supplies to the shared skeleton (experiment_run.h): its options, read
// and checked before anything is loaded or written, and its body. The registry pairs each entry of
// the experiment catalogue with its description, config sections, command-line flags and factory.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tpq/pipeline/experiment_config.h"
#include "tpq/pipeline/experiment_run.h"
#include "tpq/results/experiment_catalogue.h"

namespace tpq::pipeline {

class Experiment {
 public:
  virtual ~Experiment() = default;
  // Reads and checks the experiment's own config keys (UserError naming key and fix). Nothing has
  // been loaded or written when it runs.
  virtual void read_options(const ExperimentConfig& config) = 0;
  // Loads what it needs, checks it, and writes its results (metrics.json last) under run.dir().
  virtual void run(ExperimentRun& run) = 0;
};

// A command-line flag that sets one config key, e.g. {"--epochs", "training.epochs", "..."}.
// Values are typed like YAML scalars (int, float, bool, string); `list` flags take several.
struct ConfigFlag {
  std::string names;       // CLI11 names, the first is shown: "--learning_rate,--learning-rate"
  std::string config_key;  // dotted key
  std::string help;        // no default in it: help shows the value the profile sets
  bool list = false;
};

struct ExperimentDefinition {
  results::ExperimentId id;
  std::string description;
  bool measures_speed = true;               // refuse the reference BLAS unless --allow-slow-blas
  bool data_parallel = false;               // may run as several ranks (torchrun, srun, mpirun, launch.sh)
  bool resumable = false;                   // takes --resume: continues its training from the newest snapshot
  std::vector<std::string> extra_sections;  // config sections this experiment reads beyond the shared ones
  std::vector<ConfigFlag> flags;
  std::function<std::unique_ptr<Experiment>()> make;
};

const ExperimentDefinition& experiment_definition(results::ExperimentId id);

// The baseline flag every experiment 02-09 takes, mapped onto `<section>.baseline_model`; the
// course guide writes --model_path, so that is its name and the others are aliases.
ConfigFlag baseline_model_flag(const std::string& section);

}  // namespace tpq::pipeline
