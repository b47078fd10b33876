// A tiny generated sentiment dataset and config for end-to-end experiment tests (seconds, not minutes).
#pragma once

#include <filesystem>
#include <string>

namespace tpq::testing {

// 240 short jsonl reviews; positive ones carry positive words.
void write_toy_dataset(const std::filesystem::path& path);

// A YAML config: 1-layer H32 model, sentencepiece vocab 40, 2 epochs, quick speed measurement.
std::string tiny_config(const std::filesystem::path& data, const std::filesystem::path& cache);

// Path of a built experiment program (beside the tpq CLI).
std::string experiment_binary(const std::string& name);

}  // namespace tpq::testing
