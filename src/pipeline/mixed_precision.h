// Experiment 05: FP16 / BF16 / INT8 / mixed precision side by side with FP32, plus the INT8 layer
// sensitivity that decides which Linears the mixed variant keeps in FP32.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tpq/pipeline/experiment.h"

namespace tpq::pipeline {

struct MixedPrecisionOptions {
  std::filesystem::path baseline_model;  // empty: <results>/baseline/model
  std::string engine = "auto";
  std::vector<std::string> precisions{"fp16", "bf16", "int8", "mixed"};
  int64_t keep_fp32_top_k = 2;
  int64_t sensitivity_samples = 500;
};

// The precisions --precisions accepts.
const std::vector<std::string>& valid_precisions();

// Reads the `quantization:` section; UserError for unknown precisions (listing the valid ones),
// negative keep_fp32_top_k, or sensitivity_samples < 1.
MixedPrecisionOptions mixed_precision_options(const ExperimentConfig& config);

ExperimentDefinition mixed_precision_definition();

}  // namespace tpq::pipeline
