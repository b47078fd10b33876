// `tpq report` and run_all.sh --only-comparison end to end on synthetic results trees.
#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "support/synthetic_results.h"
#include "test_paths.h"
#include "tpq/io/atomic_file.h"
#include "tpq/results/chart.h"

namespace {

namespace fs = std::filesystem;
using tpq::testing::run_command;

std::string report_command(const tpq::testing::ScratchDir& scratch, const fs::path& output, const std::string& template_path) {
  return tpq::testing::cli_path() + " --log-level warn report --results-dir " + (scratch / "results").string() + " --template '" +
         template_path + "' --output '" + output.string() + "'";
}

const std::string kTemplate = std::string(TPQ_TEST_SOURCE_DIR) + "/report/实验报告模板.md";

TEST(ReportCommand, ReplacesTheReportWholeAndLeavesNoTempFile) {
  tpq::testing::ScratchDir scratch;
  tpq::testing::write_small_results_tree(scratch / "results");
  const auto output = scratch / "report" / "实验报告.md";
  tpq::testing::write_text_file(output, "old report\n");
  const auto result = run_command(report_command(scratch, output, kTemplate));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto text = tpq::io::read_file(output);
  EXPECT_EQ(text.rfind("# 实验报告\n", 0), 0u);
  EXPECT_NE(text.find("#### 4.2.1 动态量化"), std::string::npos);
  for (const auto& entry : fs::directory_iterator(scratch / "report")) EXPECT_EQ(entry.path(), output);
}

TEST(ReportCommand, FailureKeepsThePreviousReport) {
  tpq::testing::ScratchDir scratch;
  tpq::testing::write_small_results_tree(scratch / "results");
  const auto output = scratch / "report" / "实验报告.md";
  tpq::testing::write_text_file(output, "old report\n");
  const auto result = run_command(report_command(scratch, output, (scratch / "missing.md").string()));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("--template"), std::string::npos) << result.output;
  EXPECT_EQ(tpq::io::read_file(output), "old report\n");
}

TEST(RunAll, OnlyComparisonRunsTenAndTheReportThenResumes) {
  TPQ_SKIP_UNLESS(tpq::results::gnuplot_available(), "gnuplot not installed");
  tpq::testing::ScratchDir scratch;
  tpq::testing::write_full_results_tree(scratch / "results");
  const std::string command = "bash " + std::string(TPQ_TEST_SOURCE_DIR) + "/experiments/run_all.sh --no-setup --only-comparison " +
                              "--profile quick --log-level warn --bin-dir " + fs::path(tpq::testing::cli_path()).parent_path().string() +
                              " --results-dir " + (scratch / "results").string() + " --report " + (scratch / "report.md").string();
  const auto first = run_command(command);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_TRUE(fs::exists(scratch / "results" / "comparison" / "metrics.json"));
  EXPECT_TRUE(fs::exists(scratch / "results" / "comparison" / "dashboard.png"));
  EXPECT_NE(tpq::io::read_file(scratch / "report.md").find("![模型大小 vs 准确率](results/comparison/accuracy_vs_size.png)"),
            std::string::npos);
  EXPECT_NE(first.output.find("[run_all] report: " + (scratch / "report.md").string()), std::string::npos) << first.output;
  // Nothing changed: the comparison is skipped, the report rewritten.
  const auto second = run_command(command);
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_NE(second.output.find("10_comprehensive_comparison: " + (scratch / "results").string() + "/comparison/metrics.json exists, skipping"),
            std::string::npos) << second.output;
}

TEST(RunAll, MissingBinaryIsSkippedAsNotBuilt) {
  tpq::testing::ScratchDir scratch;
  tpq::testing::write_small_results_tree(scratch / "results");
  fs::create_directories(scratch / "results" / "baseline" / "model");
  fs::create_directories(scratch / "bin");
  const auto run_all = "bash " + std::string(TPQ_TEST_SOURCE_DIR) + "/experiments/run_all.sh --no-setup --no-bench --skip-training " +
                       "--profile quick --bin-dir " + (scratch / "bin").string() + " --results-dir " +
                       (scratch / "results").string() + " --report " + (scratch / "report.md").string();
  // Without tpq there is no experiment list: one clear line, before anything runs.
  const auto no_tpq = run_command(run_all);
  EXPECT_NE(no_tpq.exit_code, 0);
  EXPECT_NE(no_tpq.output.find("tpq: not built"), std::string::npos) << no_tpq.output;
  // With tpq alone, finished steps are skipped, missing programs reported as not built, the report written.
  fs::create_symlink(tpq::testing::cli_path(), scratch / "bin" / "tpq");
  const auto result = run_command(run_all);
  EXPECT_NE(result.output.find("03_static_quantization: " + (scratch / "results").string() + "/static_quant/metrics.json exists"),
            std::string::npos) << result.output;
  EXPECT_NE(result.output.find("04_qat_experiment: not built"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("not built, so not run: 04_qat_experiment"), std::string::npos) << result.output;
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(fs::exists(scratch / "report.md"));
}

}  // namespace
