// A tiny generated sentiment dataset and config for end-to-end experiment tests (seconds, not minutes).
#pragma once

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "support/fixtures.h"

namespace tpq::testing {

// 240 short jsonl reviews; positive ones carry positive words.
void write_toy_dataset(const std::filesystem::path& path);

// A YAML config: 1-layer H32 model, sentencepiece vocab 40, 2 epochs, quick speed measurement.
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
