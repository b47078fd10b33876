// Experiment 03: static INT8 quantization of the baseline's Linears, calibrated on training texts
// with each observer (minmax, moving_average, histogram, mse) at per-tensor and per-channel weight
// granularity, measured side by side with FP32: the template's table 4.2.2.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tpq/pipeline/experiment.h"

namespace tpq::pipeline {

struct StaticQuantizationOptions {
  std::filesystem::path baseline_model;  // empty: <results>/baseline/model
  std::string engine = "auto";
  bool include_pooler_and_classifier = false;
  int64_t calibration_samples = 1000;  // drawn (seeded) from the training split, never from test
  std::vector<std::string> observers = {"minmax", "moving_average", "histogram", "mse"};
  std::vector<std::string> granularities = {"per_tensor", "per_channel"};
};

// Reads the `quantization:` config section; UserError for an unknown observer or granularity, or
// calibration_samples < 1.
StaticQuantizationOptions static_quantization_options(const ExperimentConfig& config);

ExperimentDefinition static_quantization_definition();

}  // namespace tpq::pipeline
