// Experiments 07 and 08 end to end on the toy baseline: the rows, the sparsity actually reached,
// compressed vs dense sizes, the template tables, reloadable sparse models, and flag errors.
#include <filesystem>
#include <fstream>
#include <memory>

#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "support/paired_records.h"
#include "support/sanitizers.h"
#include "support/toy_experiment.h"
#include "tpq/checkpoint/checkpoint.h"
#include "tpq/prune/magnitude.h"

namespace {

namespace fs = std::filesystem;
using tpq::testing::experiment_binary;
using tpq::testing::run_command;

// One toy baseline shared by the tests of this file (training it is the slow part).
class MagnitudePruningExperiment : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    scratch_ = std::make_unique<tpq::testing::ScratchDir>();
    tpq::testing::write_toy_dataset(*scratch_ / "toy.jsonl");
    tpq::testing::write_text_file(*scratch_ / "tiny.yaml",
                                  tpq::testing::tiny_config(*scratch_ / "toy.jsonl", *scratch_ / "cache"));
    const auto baseline = run_command(experiment_binary("01_baseline_training") + profile() + " --output_dir " +
                                      (*scratch_ / "baseline").string());
    baseline_ok_ = baseline.exit_code == 0;
    baseline_output_ = baseline.output;
  }
  static void TearDownTestSuite() { scratch_.reset(); }
  void SetUp() override {
    TPQ_SKIP_WITHOUT_SENTENCEPIECE();
    ASSERT_TRUE(baseline_ok_) << baseline_output_;
  }

  static std::string profile() {
    return " --profile quick --config " + (*scratch_ / "tiny.yaml").string() + " --log-level warn";
  }
  static std::string common() { return profile() + " --baseline-model " + (*scratch_ / "baseline" / "model").string(); }
  static fs::path dir(const std::string& name) { return *scratch_ / name; }

  static std::unique_ptr<tpq::testing::ScratchDir> scratch_;
  static bool baseline_ok_;
  static std::string baseline_output_;
};
std::unique_ptr<tpq::testing::ScratchDir> MagnitudePruningExperiment::scratch_;
bool MagnitudePruningExperiment::baseline_ok_ = false;
std::string MagnitudePruningExperiment::baseline_output_;

using tpq::testing::first_line;

TEST_F(MagnitudePruningExperiment, UnstructuredRowsForBothScopesWithCompressedFiles) {
  const auto out = dir("unstructured_pruning");
  const auto result = run_command(experiment_binary("07_unstructured_pruning") + common() +
                                  " --sparsities 0.5 0.9 --scope both --fine_tune_epochs 1 --output_dir " + out.string());
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto metrics = tpq::testing::read_json_file(out / "metrics.json");
  EXPECT_EQ(metrics["variant"], "global_50");
  const auto& variants = metrics["variants"];
  ASSERT_EQ(variants.size(), 5u);
  const std::vector<std::string> names = {"fp32", "global_50", "global_90", "local_50", "local_90"};
  for (std::size_t i = 0; i < names.size(); ++i) EXPECT_EQ(variants[i]["variant"], names[i]);
  for (std::size_t i = 1; i < variants.size(); ++i) {
    const auto& pruning = variants[i]["extra"]["pruning"];
    EXPECT_NEAR(pruning["actual_sparsity"].get<double>(), pruning["target_sparsity"].get<double>(), 0.005) << names[i];
    EXPECT_TRUE(pruning["fine_tuned"].get<bool>());
    EXPECT_LT(variants[i]["size"]["file_bytes"].get<uint64_t>(), variants[i]["extra"]["dense_file_bytes"].get<uint64_t>());
    EXPECT_TRUE(tpq::testing::learned_toy_task(variants[i], tpq::testing::kToyAccuracyFloor));
  }
  EXPECT_EQ(variants[3]["extra"]["pruning"]["scope"], "local");
  EXPECT_EQ(variants[3]["extra"]["label"], "50% (局部)");
  EXPECT_EQ(first_line(out / "comparison.csv").rfind("稀疏度,准确率,F1分数,实际稀疏度,模型大小 (MB),性能下降 (%)", 0), 0u);

  // The saved model is an ordinary checkpoint: it reloads dense with the sparsity measured above.
  tpq::checkpoint::LoadOptions options;
  options.load_tokenizer = false;
  auto reloaded = tpq::checkpoint::load_checkpoint(out / "models" / "global_90", options);
  // 07 prunes the word-embedding table too by default (pruning.prune_word_embeddings): measure the same set.
  EXPECT_EQ(metrics["experiment_extra"]["pruned_weights"], "encoder Linear weights and the word-embedding table");
  EXPECT_NEAR(tpq::prune::measure_sparsity(*reloaded.model, tpq::prune::PrunableSet{/*word_embeddings=*/true}).overall(), 0.9, 0.005);
}

// Without fine-tuning, 90 % of the weights gone changes a few predictions and 97 % most: the paired
// comparisons against FP32 must add up to the confusion matrices, and details.csv must repeat them.
TEST_F(MagnitudePruningExperiment, PairedComparisonsAgainstFp32MatchTheConfusionMatrices) {
  const auto out = dir("unstructured_no_fine_tuning");
  const auto result = run_command(experiment_binary("07_unstructured_pruning") + common() +
                                  " --sparsities 0.9 0.97 --scope global --fine_tune_steps 0 --output_dir " + out.string());
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto rows = tpq::testing::read_json_file(out / "metrics.json")["variants"];
  ASSERT_EQ(rows.size(), 3u);
  ASSERT_GT(rows[2]["extra"]["paired_vs_baseline"]["changed_predictions"].get<int64_t>(), 0)
      << "no prediction changed: the checks below would compare zeros";
  for (std::size_t i = 1; i < rows.size(); ++i) {
    tpq::testing::expect_paired_record_matches_rows(rows[i]["extra"]["paired_vs_baseline"], rows[0], rows[i]);
  }
  tpq::testing::expect_details_csv_matches(out / "details.csv", rows);
}

TEST_F(MagnitudePruningExperiment, ProgressiveHistoryAndOneShotComparison) {
  const auto out = dir("progressive_pruning");
  const auto result = run_command(experiment_binary("08_progressive_pruning") + common() +
                                  " --iterations 3 --final_sparsity 0.6 --steps_per_iteration 2 --output_dir " + out.string());
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto metrics = tpq::testing::read_json_file(out / "metrics.json");
  ASSERT_EQ(metrics["variants"].size(), 3u);
  EXPECT_EQ(metrics["variants"][0]["variant"], "fp32");
  EXPECT_EQ(metrics["variants"][1]["variant"], "progressive_final");
  EXPECT_EQ(metrics["variants"][2]["variant"], "one_shot");
  const auto& history = metrics["experiment_extra"]["history"];
  ASSERT_EQ(history.size(), 3u);
  EXPECT_NEAR(history[0]["target_sparsity"].get<double>(), 0.6 - 0.6 * (2.0 / 3) * (2.0 / 3) * (2.0 / 3), 1e-9);
  for (const auto& entry : history) {
    EXPECT_NEAR(entry["actual_sparsity"].get<double>(), entry["target_sparsity"].get<double>(), 0.005);
  }
  EXPECT_EQ(metrics["experiment_extra"]["schedule"]["kind"], "cubic");
  EXPECT_EQ(metrics["variants"][2]["extra"]["pruning"]["fine_tune_budget"]["steps"], 6);
  EXPECT_NEAR(metrics["variants"][2]["extra"]["pruning"]["actual_sparsity"].get<double>(), 0.6, 0.005);
  EXPECT_EQ(first_line(out / "history.csv").rfind("迭代,目标稀疏度,实际稀疏度,准确率,F1分数", 0), 0u);
}

// Same seed, same flags: the fine-tuned pruned model's numbers repeat exactly (the trainer reseeds
// dropout itself instead of inheriting whatever earlier work left in the global generator).
TEST_F(MagnitudePruningExperiment, SameSeedRepeatsTheFineTunedNumbersExactly) {
  std::vector<nlohmann::json> runs;
  for (const char* name : {"repeat_a", "repeat_b"}) {
    const auto result = run_command(experiment_binary("07_unstructured_pruning") + common() +
                                    " --sparsities 0.5 --scope global --fine_tune_steps 4 --output_dir " + dir(name).string());
    ASSERT_EQ(result.exit_code, 0) << result.output;
    runs.push_back(tpq::testing::read_json_file(dir(name) / "metrics.json")["variants"][1]["metrics"]);
  }
  EXPECT_EQ(runs[0]["loss"], runs[1]["loss"]);
  EXPECT_EQ(runs[0]["accuracy"], runs[1]["accuracy"]);
  EXPECT_EQ(runs[0]["confusion_matrix"], runs[1]["confusion_matrix"]);
}

TEST_F(MagnitudePruningExperiment, BadSparsityFlagsExitTwoNamingTheFlag) {
  const auto bad = run_command(experiment_binary("07_unstructured_pruning") + common() + " --sparsities 0.5 1.2 --output_dir " +
                               dir("bad07").string());
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("--sparsities"), std::string::npos) << bad.output;
  const auto negative = run_command(experiment_binary("08_progressive_pruning") + common() +
                                    " --final_sparsity -0.2 --output_dir " + dir("bad08").string());
  EXPECT_EQ(negative.exit_code, 2) << negative.output;
  EXPECT_NE(negative.output.find("--final_sparsity"), std::string::npos) << negative.output;
  EXPECT_FALSE(fs::exists(dir("bad07") / "metrics.json"));
}

}  // namespace
