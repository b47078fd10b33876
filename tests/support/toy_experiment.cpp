#include "support/toy_experiment.h"

#include <vector>

#include <nlohmann/json.hpp>

#include "support/fixtures.h"

namespace tpq::testing {

void write_toy_dataset(const std::filesystem::path& path) {
  const std::vector<std::string> good = {"great", "wonderful", "superb", "lovely", "brilliant", "moving"};
  const std::vector<std::string> bad = {"awful", "boring", "terrible", "dull", "weak", "messy"};
  const std::vector<std::string> filler = {"the", "film", "plot", "was", "actor", "scene", "story", "and", "very", "ending"};
  std::string lines;
  for (int i = 0; i < 240; ++i) {
    const bool positive = i % 2 == 0;
    std::string text;
    for (int w = 0; w < 8 + i % 5; ++w) text += filler[(i * 7 + w * 3) % filler.size()] + " ";
    text += (positive ? good : bad)[i % 6] + " " + filler[i % filler.size()];
    lines += nlohmann::json{{"text", text}, {"label", positive ? 1 : 0}}.dump() + "\n";
  }
  write_text_file(path, lines);
}

std::string tiny_config(const std::filesystem::path& data, const std::filesystem::path& cache) {
  return "model:\n  num_hidden_layers: 1\n  hidden_size: 32\n  num_attention_heads: 2\n  intermediate_size: 64\n"
         "  max_length: 32\n  vocab_size: 40\n"
         "data:\n  dataset: toy\n  format: jsonl\n  path: " + data.string() + "\n  num_labels: 2\n"
         "  max_train_samples: 0\n  max_validation_samples: 0\n  max_test_samples: 0\n  cache_dir: " + cache.string() + "\n"
         "training:\n  epochs: 2\n  batch_size: 16\n  learning_rate: 3.0e-3\n"
         "evaluation:\n  latency_samples: 5\n  throughput_batches: 2\n  warmup: 1\n";
}

std::string experiment_binary(const std::string& name) {
  return (std::filesystem::path(cli_path()).parent_path() / name).string();
}

void ToyExperimentTest::SetUp() {
  write_toy_dataset(scratch / "toy.jsonl");
  write_text_file(scratch / "tiny.yaml", tiny_config(scratch / "toy.jsonl", scratch / "cache"));
}

std::string ToyExperimentTest::profile() const {
  return " --profile quick --config " + (scratch / "tiny.yaml").string() + " --log-level warn";
}

std::filesystem::path ToyExperimentTest::train_baseline() {
  const auto result = run_command(experiment_binary("01_baseline_training") + profile() + " --output_dir " +
                                  (scratch / "baseline").string());
  EXPECT_EQ(result.exit_code, 0) << result.output;
  return result.exit_code == 0 ? scratch / "baseline" / "model" : std::filesystem::path();
}

}  // namespace tpq::testing
