// Experiment 01: train the baseline classifier every other experiment compares against, and
// write results/baseline/{model/, config.json, metrics.json, evaluation_results.csv,
// training_curve.png, training_curve_*.csv, dataset_stats.json}.
#pragma once

#include <filesystem>

#include <torch/types.h>

#include "tpq/pipeline/experiment_config.h"

namespace tpq::pipeline {

void run_baseline(const ExperimentConfig& config, const std::filesystem::path& output_dir, torch::Device device);

}  // namespace tpq::pipeline
