// The comprehensive comparison on a hand-checked synthetic tree: summary rows, ratios against the
// same process's FP32 row, the Pareto front and the best configurations of template 5.2.
#include <fstream>

#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "support/synthetic_results.h"
#include "support/toy_experiment.h"
#include "tpq/report/comparison.h"
#include "tpq/results/chart.h"

namespace {

using tpq::report::SummaryRow;

std::vector<SummaryRow> small_rows(const tpq::testing::ScratchDir& scratch) {
  tpq::testing::write_small_results_tree(scratch.path());
  return tpq::report::summary_rows(tpq::report::load_results_tree(scratch.path()));
}

TEST(Comparison, SummaryRowsInRunOrderWithRatiosAgainstTheSameProcessFp32) {
  tpq::testing::ScratchDir scratch;
  const auto rows = small_rows(scratch);
  ASSERT_EQ(rows.size(), 7u);
  EXPECT_EQ(rows[0].display_name(), "baseline/fp32");
  EXPECT_EQ(rows[1].display_name(), "dynamic_quant/fp32");
  EXPECT_EQ(rows[3].display_name(), "dynamic_quant/int8_dynamic_per_channel");
  EXPECT_EQ(rows[6].display_name(), "static_quant/int8_static_histogram_per_tensor");
  EXPECT_TRUE(rows[0].reference);
  EXPECT_TRUE(rows[4].reference);
  EXPECT_FALSE(rows[5].reference);
  EXPECT_NEAR(rows[2].compression, 10.0 / 3.0, 1e-12);
  EXPECT_NEAR(rows[2].speedup, 2.0, 1e-12);
  EXPECT_NEAR(rows[2].accuracy_drop_points, 1.5, 1e-9);
  // static_quant's FP32 row ran at 2.5 ms: its variants' speed-ups use it, not the baseline's 2.0 ms.
  EXPECT_NEAR(rows[5].speedup, 2.5, 1e-12);
  EXPECT_NEAR(rows[5].accuracy_drop_points, 0.9, 1e-9);
  EXPECT_NEAR(rows[6].compression, 10.0 / 2.8, 1e-12);
  EXPECT_DOUBLE_EQ(rows[6].f1, 0.76);
}

// Rows timed side by side carry the batch-32 speed-up with its interval; one whose interval holds 1
// reads "no measurable difference" and earns no speed-up credit in the trade-off.
TEST(Comparison, SideBySideSpeedUpsCarryTheirIntervalAndNoiseEarnsNoCredit) {
  tpq::testing::ScratchDir scratch;
  tpq::testing::write_small_results_tree(scratch.path());
  const auto path = scratch / "static_quant" / "metrics.json";
  auto metrics = tpq::testing::read_json_file(path);
  const auto interleaved = [](double median, double low, double high) {
    const nlohmann::json speedup = {{"median", median}, {"low", low}, {"high", high}, {"confidence", 0.9572}};
    return nlohmann::json{{"rounds", 30}, {"batch_size", 32}, {"singles_per_round", 3}, {"batch_ms_median", 10.0 / median},
                          {"singles_ms_median", 1.0}, {"throughput_speedup", speedup}, {"latency_speedup", speedup}};
  };
  metrics["variants"][0]["speed"]["interleaved"] = interleaved(1.0, 1.0, 1.0);
  metrics["variants"][1]["speed"]["interleaved"] = interleaved(1.8, 1.6, 2.0);
  metrics["variants"][2]["speed"]["interleaved"] = interleaved(1.3, 0.9, 1.6);
  tpq::testing::write_text_file(path, metrics.dump(2));
  const auto rows = tpq::report::summary_rows(tpq::report::load_results_tree(scratch.path()));
  ASSERT_EQ(rows.size(), 7u);
  EXPECT_EQ(rows[5].variant, "int8_static_minmax_per_channel");
  EXPECT_DOUBLE_EQ(rows[5].speedup, 1.8);  // the interleaved batch-32 ratio, not the 2.5 of batch-1 p50s
  EXPECT_EQ(rows[5].speedup_text(), "1.80x（95% 区间 1.60–2.00）");
  EXPECT_DOUBLE_EQ(rows[5].credited_speedup(), 1.8);
  EXPECT_EQ(rows[6].speedup_text(), "无可测差异（1.30x，95% 区间 0.90–1.60）");
  EXPECT_DOUBLE_EQ(rows[6].credited_speedup(), 1.0);
  EXPECT_EQ(rows[2].speedup_text(), "2.00x");  // no side-by-side timing recorded: the latency ratio, no interval
  const auto markdown = tpq::report::summary_markdown(rows, tpq::report::pareto_front(rows));
  EXPECT_NE(markdown.find("无可测差异（1.30x"), std::string::npos) << markdown;
}

TEST(Comparison, ParetoFrontMaximisesAccuracyAndMinimisesSize) {
  tpq::testing::ScratchDir scratch;
  const auto rows = small_rows(scratch);
  const auto front = tpq::report::pareto_front(rows);
  std::vector<std::string> names;
  for (auto i : front) names.push_back(rows[i].display_name());
  // per_tensor (0.785, 3.0 MB) is dominated by minmax (0.792, 2.9 MB); re-measured fp32 rows do not count.
  EXPECT_EQ(names, (std::vector<std::string>{"static_quant/int8_static_histogram_per_tensor", "static_quant/int8_static_minmax_per_channel",
                                             "dynamic_quant/int8_dynamic_per_channel", "baseline/fp32"}));
}

TEST(Comparison, BestConfigurationsFollowTheirStatedRules) {
  tpq::testing::ScratchDir scratch;
  const auto rows = small_rows(scratch);
  const auto best = tpq::report::best_configs(rows);
  ASSERT_TRUE(best.highest_accuracy.row && best.best_compression.row && best.best_tradeoff.row);
  EXPECT_EQ(rows[*best.highest_accuracy.row].variant, "int8_dynamic_per_channel");
  // histogram compresses most (3.57x) but drops 3.1 points: minmax (3.45x, 0.9 points) wins.
  EXPECT_EQ(rows[*best.best_compression.row].variant, "int8_static_minmax_per_channel");
  EXPECT_EQ(rows[*best.best_tradeoff.row].variant, "int8_static_minmax_per_channel");
  EXPECT_NE(best.best_tradeoff.rule.find("压缩比 × 加速比"), std::string::npos);
  // With no tolerance nothing qualifies, and the report says so instead of naming a row.
  const auto strict = tpq::report::best_configs(rows, 0.0);
  EXPECT_FALSE(strict.best_compression.row);
  EXPECT_NE(tpq::report::best_configs_markdown(rows, strict).find("无满足条件的配置"), std::string::npos);
}

// run_all --seeds 3: results/seeds/43 and /44 rerun dynamic_quant; its rows get mean ± std over the three.
TEST(Comparison, SeedRerunsGiveMeanAndSampleStd) {
  tpq::testing::ScratchDir scratch;
  tpq::testing::write_small_results_tree(scratch.path());
  for (const auto& [seed, accuracy] : {std::make_pair("43", 0.805), std::make_pair("44", 0.775)}) {
    tpq::testing::write_synthetic_experiment(scratch / "seeds" / seed, "dynamic_quant", "int8_dynamic_per_tensor",
                                             {tpq::testing::synthetic_record("dynamic_quant", "fp32", 0.80, 10.0, 2.0),
                                              tpq::testing::synthetic_record("dynamic_quant", "int8_dynamic_per_tensor", accuracy, 3.0, 1.0)});
  }
  tpq::testing::write_text_file(scratch / "seeds" / "notes" / "x.txt", "not a seed");
  const auto tree = tpq::report::load_results_tree(scratch.path());
  EXPECT_EQ(tree.repeats.at("dynamic_quant").size(), 2u);
  EXPECT_EQ(tree.experiments.count("seeds"), 0u) << "the seeds folder is not an experiment";
  const auto rows = tpq::report::summary_rows(tree);
  ASSERT_EQ(rows.size(), 7u);
  const auto& per_tensor = rows[2];  // 0.785 here, 0.805 and 0.775 in the reruns
  ASSERT_EQ(per_tensor.display_name(), "dynamic_quant/int8_dynamic_per_tensor");
  EXPECT_EQ(per_tensor.seed_runs, 3);
  EXPECT_NEAR(per_tensor.accuracy_mean, 0.788333333, 1e-8);
  EXPECT_NEAR(per_tensor.accuracy_std, 0.015275252, 1e-8);  // sample std (n - 1)
  EXPECT_EQ(per_tensor.accuracy_text(), "0.7883 ± 0.0153（3 个种子）");
  EXPECT_EQ(rows[3].seed_runs, 1) << "per_channel was not rerun";
  EXPECT_EQ(rows[3].accuracy_text(), "0.7950");
  EXPECT_NE(tpq::report::summary_markdown(rows, {}).find("| 0.7883 ± 0.0153（3 个种子） |"), std::string::npos);
}

TEST(Comparison, SummaryTableCsvHasOneRowPerVariant) {
  tpq::testing::ScratchDir scratch;
  const auto table = tpq::report::summary_table(small_rows(scratch));
  ASSERT_EQ(table.rows().size(), 7u);
  EXPECT_EQ(table.columns().front(), "experiment");
  EXPECT_EQ(table.rows()[2], (std::vector<std::string>{"dynamic_quant", "int8_dynamic_per_tensor", "int8_dynamic_per_tensor", "0.7850",
                                                       "0.7850", "0.0000", "1", "0.7750", "3.000", "3.33", "1.000", "2.00", "", "", "", "300.0",
                                                       "0.0000"}));
}

TEST(ComparisonExperiment, WritesTableReportChartsAndMetricsLast) {
  TPQ_SKIP_UNLESS(tpq::results::gnuplot_available(), "gnuplot not installed");
  tpq::testing::ScratchDir scratch;
  tpq::testing::write_full_results_tree(scratch / "results");
  const auto out = scratch / "comparison";
  const auto result = tpq::testing::run_command(tpq::testing::experiment_binary("10_comprehensive_comparison") +
                                                " --profile quick --log-level warn --results-dir " + (scratch / "results").string() +
                                                " --output-dir " + out.string());
  ASSERT_EQ(result.exit_code, 0) << result.output;
  for (const char* png : {"accuracy_comparison.png", "size_comparison.png", "speed_comparison.png", "radar.png", "accuracy_vs_size.png",
                          "sparsity_vs_accuracy.png", "progressive_pruning.png", "dashboard.png", "memory_comparison.png",
                          "radar_chart.png", "summary_dashboard.png"}) {  // the last two: the course guide's names
    EXPECT_TRUE(std::filesystem::exists(out / png)) << png;
  }
  const auto metrics = tpq::testing::read_json_file(out / "metrics.json");
  EXPECT_EQ(metrics["experiment"], "comprehensive_comparison");
  for (const char* key : {"git_rev", "libtorch_version", "threads", "seed", "config", "device"}) EXPECT_TRUE(metrics.contains(key)) << key;
  EXPECT_EQ(metrics["experiment_extra"]["rows"].size(), 38u);
  EXPECT_EQ(metrics["experiment_extra"]["charts"].size(), 11u);
  std::ifstream csv(out / "summary_table.csv");
  std::string line;
  int lines = 0;
  while (std::getline(csv, line)) ++lines;
  EXPECT_EQ(lines, 39);
  EXPECT_TRUE(std::filesystem::exists(out / "summary_report.md"));
}

TEST(ComparisonExperiment, EmptyResultsDirIsAUserError) {
  tpq::testing::ScratchDir scratch;
  const auto result = tpq::testing::run_command(tpq::testing::experiment_binary("10_comprehensive_comparison") +
                                                " --profile quick --results-dir " + (scratch / "none").string() + " --output-dir " +
                                                (scratch / "out").string());
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("no finished experiment"), std::string::npos) << result.output;
  EXPECT_FALSE(std::filesystem::exists(scratch / "out" / "metrics.json"));
}

}  // namespace
