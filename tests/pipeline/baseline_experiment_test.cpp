// Experiment 01 end to end on a tiny generated dataset: files written, record complete, bad input clean.
#include <filesystem>

#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "support/sanitizers.h"
#include "support/toy_experiment.h"
#include "tpq/core/runtime_info.h"

namespace {

namespace fs = std::filesystem;
using tpq::testing::experiment_binary;
using tpq::testing::tiny_config;
using tpq::testing::write_toy_dataset;

TEST(BaselineExperiment, WritesEveryResultFileWithATraceableRecord) {
  TPQ_SKIP_WITHOUT_SENTENCEPIECE();
  tpq::testing::ScratchDir scratch;
  write_toy_dataset(scratch / "toy.jsonl");
  // With one MLM epoch, so the record has all three training phases' memory.
  auto config = tiny_config(scratch / "toy.jsonl", scratch / "cache");
  config.replace(config.find("training:\n"), 10, "training:\n  mlm_epochs: 1\n");
  tpq::testing::write_text_file(scratch / "tiny.yaml", config);
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
  EXPECT_TRUE(tpq::testing::learned_toy_task(record, tpq::testing::kToyAccuracyFloor));
  EXPECT_GT(record["speed"]["throughput_samples_s"].get<double>(), 0.0);
  // The quick profile's training.amp auto, as it resolved here.
  EXPECT_EQ(record["config"]["training"]["amp"], "auto");
  EXPECT_EQ(record["extra"]["training"]["amp_used"], tpq::cpu_has_native_bf16() ? "bf16" : "none");
  // The quick profile's head+tail cut: recorded with the data and in the checkpoint, for predict.
  EXPECT_EQ(record["config"]["data"]["truncation"], "head_tail");
  EXPECT_EQ(tpq::testing::read_json_file(out / "model" / "config.json")["tpq_truncation"],
            (nlohmann::json{{"keep", "head_tail"}, {"head_tokens", 64}}));
  // Peak RSS of each phase before the evaluation, in order; a phase's peak covers what it left resident.
  const auto& phases = record["memory"]["phases"];
  ASSERT_EQ(phases.size(), 3u) << record["memory"].dump();
  const char* names[] = {"data", "mlm", "fine_tuning"};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(phases[i]["phase"], names[i]);
    EXPECT_GT(phases[i]["peak_rss_mb"].get<double>(), 50.0) << names[i];  // LibTorch alone holds more
    EXPECT_GE(phases[i]["peak_rss_mb"].get<double>(), phases[i]["rss_after_release_mb"].get<double>()) << names[i];
  }
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
