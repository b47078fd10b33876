// Experiment 09 end to end on the toy baseline: both orders measured stage by stage from real
// files, every stage still does the toy task, the winner follows the stated rule, and bad input
// is a one-line error.
#include <filesystem>

#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "support/sanitizers.h"
#include "support/toy_experiment.h"
#include "tpq/io/safetensors.h"
#include "pipeline/combined.h"

namespace {

namespace fs = std::filesystem;
using tpq::testing::experiment_binary;
using tpq::testing::run_command;

class CombinedExperiment : public tpq::testing::ToyExperimentTest {};

TEST_F(CombinedExperiment, BothOrdersStageByStageWithWinnerAndCompression) {
  TPQ_SKIP_WITHOUT_SENTENCEPIECE();
  const auto model = train_baseline();
  ASSERT_FALSE(model.empty());
  const auto out = scratch / "combined";
  const auto result = run_command(experiment_binary("09_combined") + profile() + " --baseline-model " + model.string() +
                                  " --fine_tune_steps 3 --calibration_samples 40 --output_dir " + out.string());
  ASSERT_EQ(result.exit_code, 0) << result.output;

  const auto metrics = tpq::testing::read_json_file(out / "metrics.json");
  std::vector<std::string> variants;
  for (const auto& v : metrics["variants"]) variants.push_back(v["variant"]);
  EXPECT_EQ(variants, (std::vector<std::string>{"fp32", "pruned", "pruned_int8", "int8", "int8_pruned"}));
  const auto& orders = metrics["experiment_extra"]["orders"];
  const auto row = [&](const std::string& variant) {
    for (const auto& v : metrics["variants"]) {
      if (v["variant"] == variant) return v;
    }
    return nlohmann::json();
  };
  const double fp32_bytes = row("fp32")["size"]["file_bytes"].get<double>();
  for (const char* order : {"prune_then_quantize", "quantize_then_prune"}) {
    const auto& entry = orders[order];
    ASSERT_EQ(entry["stages"].size(), 3u) << order;
    EXPECT_EQ(entry["stages"][0]["stage"], "基线");
    // Every stage is a measured row, and the total compression is the ratio of real file sizes.
    const auto& last = entry["stages"][2];
    EXPECT_EQ(last["accuracy"], row(last["variant"])["metrics"]["accuracy"]) << order;
    EXPECT_NEAR(entry["total_compression"].get<double>(), fp32_bytes / last["file_bytes"].get<double>(), 1e-9) << order;
    EXPECT_GT(entry["total_compression"].get<double>(), 1.0) << order;
  }
  EXPECT_EQ(orders["prune_then_quantize"]["stages"][1]["stage"], "剪枝后");
  EXPECT_EQ(orders["quantize_then_prune"]["stages"][1]["stage"], "量化后");

  // The verdict is decide_winner's (unit-tested in combined_winner_test) on the measured final
  // rows, whichever branch of the rule (accuracy, compression, tie) these numbers take.
  nlohmann::json expected;
  for (const char* order : {"prune_then_quantize", "quantize_then_prune"}) {
    const auto& last = orders[order]["stages"][2];
    EXPECT_EQ(orders[order]["final_accuracy"], row(last["variant"])["metrics"]["accuracy"]) << order;
    expected[order] = {{"final_accuracy", orders[order]["final_accuracy"]}, {"total_compression", orders[order]["total_compression"]}};
  }
  tpq::pipeline::decide_winner(expected);
  for (const char* key : {"winner", "winner_key", "winner_rule", "winner_margin"}) EXPECT_EQ(orders[key], expected[key]) << key;
  EXPECT_EQ(metrics["variant"], orders["winner_key"] == "quantize_then_prune" ? "int8_pruned" : "pruned_int8");
  // Every stage, the pruned and quantized ones too, still does the toy task.
  for (const auto& variant : metrics["variants"]) EXPECT_TRUE(tpq::testing::learned_toy_task(variant, tpq::testing::kToyAccuracyFloor));

  // Both final models are INT8 and physically pruned: one head of the toy model's two is gone.
  for (const char* dir : {"pruned_int8", "int8_pruned"}) {
    const auto file = tpq::io::SafetensorsFile::open(out / "models" / dir / "model.safetensors");
    const auto& query = file.entry("bert.encoder.layer.0.attention.self.query.weight");
    EXPECT_EQ(query.dtype, tpq::io::DType::I8) << dir;
    EXPECT_EQ(query.shape, (std::vector<int64_t>{16, 32})) << dir;
  }
  EXPECT_TRUE(fs::exists(out / "stages.csv"));
}

TEST_F(CombinedExperiment, BadFractionOrMethodIsAOneLineErrorWithNothingWritten) {
  const auto out = scratch / "combined";
  for (const std::string flags : {" --head_fraction 1.0", " --granularity per_row"}) {
    const auto result = run_command(experiment_binary("09_combined") + profile() + flags + " --output_dir " + out.string());
    EXPECT_EQ(result.exit_code, 2) << flags << "\n" << result.output;
    EXPECT_FALSE(fs::exists(out / "metrics.json")) << flags;
  }
  const auto result = run_command(experiment_binary("09_combined") + profile() + " --head_fraction 1.0 --output_dir " + out.string());
  EXPECT_NE(result.output.find("combined_head_fraction"), std::string::npos) << result.output;
}

}  // namespace
