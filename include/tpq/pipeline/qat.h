// Experiment 04: quantization-aware training. The baseline is calibrated and converted to static
// INT8 (PTQ row), and separately fine-tuned with fake-quant Linears then converted to the same
// real INT8 kernels (QAT row): the template's table 4.2.3.
#pragma once

#include <filesystem>
#include <string>

#include <torch/types.h>

#include "tpq/pipeline/experiment_config.h"

namespace tpq::pipeline {

struct QatOptions {
  std::filesystem::path baseline_model = "results/baseline/model";
  std::string engine = "auto";
  bool include_pooler_and_classifier = false;
  int64_t epochs = 2;
  double learning_rate = 1e-5;
  double freeze_observers_ratio = 0.5;  // fraction of the optimizer steps after which ranges stop moving
  int64_t calibration_samples = 1000;   // training examples for the initial (and PTQ) ranges
  // Weight grid of both PTQ and QAT rows. 8 is INT8; fewer bits (e.g. 4) keep int8 storage and
  // kernels but round onto 2^bits - 1 levels: the harsher setting where PTQ visibly loses accuracy.
  int64_t weight_bits = 8;
};

// Reads the `quantization:` section; UserError naming the key for out-of-range values.
QatOptions qat_options(const ExperimentConfig& config);

void run_qat(const ExperimentConfig& config, const std::filesystem::path& output_dir, torch::Device device);

}  // namespace tpq::pipeline
