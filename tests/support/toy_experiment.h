// A tiny generated sentiment dataset and config for end-to-end experiment tests (seconds, not minutes).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/fixtures.h"

namespace tpq::testing {

// 240 short jsonl reviews in minimal pairs: review 2k (positive) and 2k+1 (negative) share their
// filler words, and each carries two sentiment words of its class, so only those decide the label.
void write_toy_dataset(const std::filesystem::path& path);

// The toy test split: a quarter of the 240 reviews (quick profile's 0.5 / 0.25 / 0.25 split).
inline constexpr int64_t kToyTestExamples = 60;

// The toy baseline's test accuracy is 1.0 (10 seeds); predicting one class scores 0.5. Variants
// that keep what the baseline learned (INT8, FP16, BF16, mixed) must stay above this floor.
inline constexpr double kToyAccuracyFloor = 0.9;

// Whether a metrics.json record (or one of its "variants") is a classifier that learned the toy
// task: its accuracy is its confusion matrix's trace over a total of kToyTestExamples, and
// reaches `floor` (one class only scores 0.5).
::testing::AssertionResult learned_toy_task(const nlohmann::json& record, double floor);

// A YAML config: 1-layer H32 model, BPE sentencepiece vocab 100 (each toy word one piece),
// 8 epochs of 15 steps (a from-scratch model needs ~60 steps to leave its initial plateau; with
// 120 it reached test accuracy 1.0 at each of 10 seeds), quick speed measurement.
std::string tiny_config(const std::filesystem::path& data, const std::filesystem::path& cache);

// Path of a built experiment program (beside the tpq CLI).
std::string experiment_binary(const std::string& name);

// The setup every end-to-end experiment test shares: a scratch dir holding the toy dataset and
// the tiny config. train_baseline() runs 01 into scratch/baseline and returns the model dir.
class ToyExperimentTest : public ::testing::Test {
 protected:
  void SetUp() override;
  // " --profile quick --config <tiny.yaml> --log-level warn"
  std::string profile() const;
  // Trains the toy baseline once per test; a failure is reported and leaves an empty path.
  std::filesystem::path train_baseline();

  ScratchDir scratch;
};

}  // namespace tpq::testing
