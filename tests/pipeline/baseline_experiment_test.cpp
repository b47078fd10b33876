// Experiment 01 end to end on a tiny generated dataset: files written, record complete, bad input clean.
#include <filesystem>

#include <gtest/gtest.h>

#include "support/fixtures.h"

namespace {

namespace fs = std::filesystem;

std::string experiment_binary(const std::string& name) {
  return (fs::path(tpq::testing::cli_path()).parent_path() / name).string();
}

// 240 short reviews; positive ones use positive words. Enough for a sentencepiece vocabulary of 40.
void write_toy_dataset(const fs::path& path) {
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
  tpq::testing::write_text_file(path, lines);
}

std::string tiny_config(const fs::path& data, const fs::path& cache) {
  return "model:\n  num_hidden_layers: 1\n  hidden_size: 32\n  num_attention_heads: 2\n  intermediate_size: 64\n"
         "  max_length: 32\n  vocab_size: 40\n"
         "data:\n  dataset: toy\n  format: jsonl\n  path: " + data.string() + "\n  num_labels: 2\n"
         "  max_train_samples: 0\n  max_validation_samples: 0\n  max_test_samples: 0\n  cache_dir: " + cache.string() + "\n"
         "training:\n  epochs: 2\n  batch_size: 16\n  learning_rate: 3.0e-3\n"
         "evaluation:\n  latency_samples: 5\n  throughput_batches: 2\n  warmup: 1\n";
}

TEST(BaselineExperiment, WritesEveryResultFileWithATraceableRecord) {
  tpq::testing::ScratchDir scratch;
  write_toy_dataset(scratch / "toy.jsonl");
  tpq::testing::write_text_file(scratch / "tiny.yaml", tiny_config(scratch / "toy.jsonl", scratch / "cache"));
  const auto out = scratch / "results";
  const auto result = tpq::testing::run_command(experiment_binary("01_baseline_training") + " --profile quick --config " +
                                                (scratch / "tiny.yaml").string() + " --output_dir " + out.string() +
                                                " --log-level warn --seed 3");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  for (const char* file : {"metrics.json", "config.json", "evaluation_results.csv", "training_curve.png",
                           "training_curve_epochs.csv", "dataset_stats.json", "model/config.json", "model/model.safetensors",
                           "model/sentencepiece.model"}) {
    EXPECT_TRUE(fs::exists(out / file)) << file;
  }
  const auto record = tpq::testing::read_json_file(out / "metrics.json");
  for (const char* key : {"experiment", "variant", "metrics", "size", "speed", "memory", "config", "seed", "git_rev",
                          "libtorch_version", "blas", "cpu_model", "threads", "device", "started_at", "wall_s"}) {
    EXPECT_TRUE(record.contains(key)) << key;
  }
  EXPECT_EQ(record["seed"], 3);
  EXPECT_EQ(record["size"]["file_bytes"].get<uint64_t>(), [&] {
    uint64_t total = 0;
    for (const auto& entry : fs::recursive_directory_iterator(out / "model")) total += entry.is_regular_file() ? entry.file_size() : 0;
    return total;
  }());
  EXPECT_GT(record["metrics"]["accuracy"].get<double>(), 0.0);
  EXPECT_GT(record["speed"]["throughput_samples_s"].get<double>(), 0.0);
}

TEST(BaselineExperiment, BadDatasetPathIsOneCleanErrorAndNoRecord) {
  tpq::testing::ScratchDir scratch;
  tpq::testing::write_text_file(scratch / "tiny.yaml", tiny_config(scratch / "missing.jsonl", scratch / "cache"));
  const auto out = scratch / "results";
  const auto result = tpq::testing::run_command(experiment_binary("01_baseline_training") + " --profile quick --config " +
                                                (scratch / "tiny.yaml").string() + " --output_dir " + out.string() +
                                                " --log-level warn");
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("missing.jsonl"), std::string::npos) << result.output;
  EXPECT_FALSE(fs::exists(out / "metrics.json"));
}

TEST(BaselineExperiment, UnknownConfigKeyIsRejectedWithAHint) {
  tpq::testing::ScratchDir scratch;
  tpq::testing::write_text_file(scratch / "typo.yaml", "training:\n  epocs: 2\n");
  const auto result = tpq::testing::run_command(experiment_binary("01_baseline_training") + " --profile quick --config " +
                                                (scratch / "typo.yaml").string() + " --output_dir " +
                                                (scratch / "r").string());
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("did you mean 'training.epochs'"), std::string::npos) << result.output;
}

}  // namespace
