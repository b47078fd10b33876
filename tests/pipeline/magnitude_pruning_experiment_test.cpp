// Experiments 07 and 08 end to end on the toy baseline: the rows, the sparsity actually reached,
// compressed vs dense sizes, the template tables, reloadable sparse models, and flag errors.
#include <filesystem>
#include <fstream>
#include <memory>

#include <gtest/gtest.h>

#include "support/csv_rows.h"
#include "support/fixtures.h"
#include "support/paired_records.h"
#include "support/sanitizers.h"
#include "support/toy_experiment.h"
#include "tpq/checkpoint/checkpoint.h"
#include "tpq/io/atomic_file.h"
#include "tpq/prune/magnitude.h"
#include "tpq/report/results_tree.h"

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

// The rows of a comparison.csv without its two timing columns (inference time, speed-up).
std::vector<tpq::testing::CsvRow> untimed_rows(const fs::path& csv) {
  auto rows = tpq::testing::read_csv_rows(csv);
  for (auto& row : rows) {
    row.erase("推理时间 (ms)");
    row.erase("加速比");
  }
  return rows;
}

// A sparsity list run as one job per sparsity (run_all.sh --slurm --sparsity-sweep) and merged with
// `tpq merge-parts` is the result of one run with the whole list: the same rows in the same order,
// the same numbers, headline row and table; the report's loader reads it and ignores parts/.
TEST_F(MagnitudePruningExperiment, MergedSparsityPartsEqualOneRunWithTheWholeList) {
  const std::string flags = " --scope both --fine_tune_steps 2 --output_dir ";
  const auto root = dir("sweep");
  const auto parts = root / "parts" / "unstructured_pruning";
  for (const char* sparsity : {"0.9", "0.5"}) {
    const auto part = run_command(experiment_binary("07_unstructured_pruning") + common() + " --sparsities " + sparsity +
                                  flags + (parts / ("sparsity-" + std::string(sparsity))).string());
    ASSERT_EQ(part.exit_code, 0) << part.output;
  }
  const auto single = run_command(experiment_binary("07_unstructured_pruning") + common() + " --sparsities 0.5 0.9" + flags +
                                  dir("sweep_single").string());
  ASSERT_EQ(single.exit_code, 0) << single.output;
  const auto merge = run_command(tpq::testing::cli_path() + " merge-parts --output " + (root / "unstructured_pruning").string() +
                                 " " + (parts / "sparsity-0.9").string() + " " + (parts / "sparsity-0.5").string());
  ASSERT_EQ(merge.exit_code, 0) << merge.output;

  const auto merged = tpq::testing::read_json_file(root / "unstructured_pruning" / "metrics.json");
  const auto whole = tpq::testing::read_json_file(dir("sweep_single") / "metrics.json");
  EXPECT_EQ(merged["variant"], whole["variant"]);
  ASSERT_EQ(merged["variants"].size(), 5u);
  ASSERT_EQ(merged["variants"].size(), whole["variants"].size());
  for (std::size_t i = 0; i < whole["variants"].size(); ++i) {
    const auto& a = merged["variants"][i];
    const auto& b = whole["variants"][i];
    EXPECT_EQ(a["variant"], b["variant"]) << i;
    EXPECT_EQ(a["metrics"]["confusion_matrix"], b["metrics"]["confusion_matrix"]) << b["variant"];
    EXPECT_EQ(a["metrics"]["loss"], b["metrics"]["loss"]) << b["variant"];
    EXPECT_EQ(a["size"]["file_bytes"], b["size"]["file_bytes"]) << b["variant"];
  }
  EXPECT_EQ(merged["experiment_extra"]["sparsities"], nlohmann::json({0.5, 0.9}));
  EXPECT_EQ(merged["variants"][4]["extra"]["measured_in_part"], (parts / "sparsity-0.9").string());
  // Everything but the two timing columns (inference time, speed-up) is the same table.
  EXPECT_EQ(untimed_rows(root / "unstructured_pruning" / "comparison.csv"), untimed_rows(dir("sweep_single") / "comparison.csv"));
  const auto tree = tpq::report::load_results_tree(root);
  EXPECT_NE(tree.find("unstructured_pruning"), nullptr);
  EXPECT_TRUE(tree.warnings.empty()) << tree.warnings.front();
}

// Parts of different runs, a part twice, or an unfinished part: a one-line error naming it, and
// the earlier merged result stays as it was.
TEST_F(MagnitudePruningExperiment, MergeRefusesPartsOfDifferentRunsAndKeepsTheEarlierResult) {
  const std::string flags = " --scope global --fine_tune_steps 0 --output_dir ";
  const auto l1 = dir("parts_l1"), l2 = dir("parts_l2"), unfinished = dir("parts_unfinished"), out = dir("merged");
  for (const auto& [part, options] : {std::pair{l1, " --sparsities 0.5"}, std::pair{l2, " --sparsities 0.9 --importance l2"}}) {
    const auto result = run_command(experiment_binary("07_unstructured_pruning") + common() + options + flags + part.string());
    ASSERT_EQ(result.exit_code, 0) << result.output;
  }
  fs::create_directories(unfinished);
  const std::string merge = tpq::testing::cli_path() + " merge-parts --output " + out.string() + " ";
  ASSERT_EQ(run_command(merge + l1.string()).exit_code, 0);
  const std::string earlier = tpq::io::read_file(out / "metrics.json");

  const auto mixed = run_command(merge + l1.string() + " " + l2.string());
  EXPECT_EQ(mixed.exit_code, 2) << mixed.output;
  EXPECT_NE(mixed.output.find("different settings: pruning/importance (the default vs \"l2\")"), std::string::npos) << mixed.output;
  const auto twice = run_command(merge + l1.string() + " " + l1.string());
  EXPECT_EQ(twice.exit_code, 2) << twice.output;
  EXPECT_NE(twice.output.find("row global_50 is in parts"), std::string::npos) << twice.output;
  const auto missing = run_command(merge + l1.string() + " " + unfinished.string());
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  EXPECT_NE(missing.output.find("has no metrics.json: its job did not finish"), std::string::npos) << missing.output;
  // A hand-edited part: named, refused.
  fs::create_directories(dir("parts_edited"));
  auto edited = tpq::testing::read_json_file(l1 / "metrics.json");
  edited["variants"][1]["extra"]["pruning"]["scope"] = 5;
  tpq::io::write_json_atomic(dir("parts_edited") / "metrics.json", edited);
  const auto bad = run_command(merge + dir("parts_edited").string());
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("was metrics.json edited?"), std::string::npos) << bad.output;
  EXPECT_EQ(tpq::io::read_file(out / "metrics.json"), earlier);
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
