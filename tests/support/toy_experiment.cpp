#include "support/toy_experiment.h"

#include <cmath>
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
    const int pair = i / 2;  // reviews 2k and 2k+1 share their filler words: only the sentiment words differ
    const auto& sentiment = positive ? good : bad;
    std::vector<std::string> words;
    for (int w = 0; w < 4 + pair % 4; ++w) words.push_back(filler[(pair * 7 + w * 3) % filler.size()]);
    words.insert(words.begin() + pair % (words.size() + 1), sentiment[pair % 6]);
    words.insert(words.begin() + (pair * 3) % (words.size() + 1), sentiment[(pair / 6 + 1) % 6]);
    std::string text;
    for (const auto& word : words) text += (text.empty() ? "" : " ") + word;
    lines += nlohmann::json{{"text", text}, {"label", positive ? 1 : 0}}.dump() + "\n";
  }
  write_text_file(path, lines);
}

::testing::AssertionResult learned_toy_task(const nlohmann::json& record, double floor) {
  const auto& metrics = record.at("metrics");
  const double accuracy = metrics.at("accuracy").get<double>();
  int64_t total = 0, correct = 0;
  const auto& matrix = metrics.at("confusion_matrix");
  for (std::size_t truth = 0; truth < matrix.size(); ++truth) {
    for (std::size_t predicted = 0; predicted < matrix[truth].size(); ++predicted) {
      total += matrix[truth][predicted].get<int64_t>();
      if (truth == predicted) correct += matrix[truth][predicted].get<int64_t>();
    }
  }
  const std::string variant = record.value("variant", std::string("?"));
  if (total != kToyTestExamples) {
    return ::testing::AssertionFailure() << variant << ": confusion matrix " << matrix.dump() << " counts " << total
                                         << " examples, the toy test split has " << kToyTestExamples;
  }
  if (std::abs(accuracy - static_cast<double>(correct) / static_cast<double>(total)) > 1e-12) {
    return ::testing::AssertionFailure() << variant << ": accuracy " << accuracy << " is not the confusion matrix's "
                                         << correct << "/" << total;
  }
  if (accuracy < floor) {
    return ::testing::AssertionFailure() << variant << ": accuracy " << accuracy << " below " << floor
                                         << " (confusion matrix " << matrix.dump() << ")";
  }
  return ::testing::AssertionSuccess();
}

std::string tiny_config(const std::filesystem::path& data, const std::filesystem::path& cache) {
  return "model:\n  num_hidden_layers: 1\n  hidden_size: 32\n  num_attention_heads: 2\n  intermediate_size: 64\n"
         "  max_length: 32\n  vocab_size: 100\n  sentencepiece_type: bpe\n"
         "data:\n  dataset: toy\n  format: jsonl\n  path: " + data.string() + "\n  num_labels: 2\n"
         "  max_train_samples: 0\n  max_validation_samples: 0\n  max_test_samples: 0\n  cache_dir: " + cache.string() + "\n"
         "training:\n  epochs: 8\n  batch_size: 8\n  learning_rate: 6.0e-3\n"
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
