// Experiment 02: dynamic INT8 quantization of the baseline's Linears (per-tensor and
// per-channel weights), measured side by side with FP32: the template's table 4.2.1.
#pragma once

#include <filesystem>
#include <string>

#include "tpq/pipeline/experiment.h"

namespace tpq::pipeline {

struct DynamicQuantizationOptions {
  std::filesystem::path baseline_model;  // empty: <results>/baseline/model
  std::string engine = "auto";
  bool include_pooler_and_classifier = false;
};

// Reads the `quantization:` config section (engine, include_pooler_and_classifier, baseline_model).
DynamicQuantizationOptions dynamic_quantization_options(const ExperimentConfig& config);

ExperimentDefinition dynamic_quantization_definition();

}  // namespace tpq::pipeline
