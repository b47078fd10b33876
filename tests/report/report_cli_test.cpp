// `tpq report` and run_all.sh --only-comparison end to end on synthetic results trees.
#include <cstdlib>

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
  for (const auto& entry : fs::directory_iterator(scratch / "report")) {
    EXPECT_TRUE(entry.path() == output || entry.path().filename() == "figures" || entry.path().filename() == "tables") << entry.path();
  }
  for (const auto& entry : fs::directory_iterator(scratch.path())) EXPECT_EQ(entry.path().string().find("tpq-run"), std::string::npos);
}

// A 1x1 green PNG: pandoc reads the image (its size, for DOCX), so it must be a real one.
const unsigned char kOnePixelPng[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
    0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0x00,
    0x00, 0x03, 0x01, 0x01, 0x00, 0xc9, 0xfe, 0x92, 0xef, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e,
    0x44, 0xae, 0x42, 0x60, 0x82,
};

// A results tree with one chart and one table, as 01 writes them.
void write_tree_with_a_chart(const tpq::testing::ScratchDir& scratch) {
  tpq::testing::write_small_results_tree(scratch / "results");
  tpq::testing::write_text_file(scratch / "results" / "baseline" / "training_curve.png",
                                std::string(reinterpret_cast<const char*>(kOnePixelPng), sizeof kOnePixelPng));
  tpq::testing::write_text_file(scratch / "results" / "baseline" / "training_history.csv", "epoch,loss\n1,0.5\n");
}

TEST(ReportCommand, TheReportFolderCarriesItsFiguresAndTables) {
  tpq::testing::ScratchDir scratch;
  write_tree_with_a_chart(scratch);
  const auto output = scratch / "hand-in" / "课程设计报告.md";
  tpq::testing::write_text_file(scratch / "hand-in" / "figures" / "stale.png", "from an older report");
  const auto result = run_command(report_command(scratch, output, kTemplate));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto text = tpq::io::read_file(output);
  EXPECT_NE(text.find("](figures/baseline_training_curve.png)"), std::string::npos) << text;
  EXPECT_EQ(text.find("](" + (scratch / "results").string()), std::string::npos) << "links must stay inside the report folder";
  EXPECT_EQ(tpq::io::read_file(scratch / "hand-in" / "figures" / "baseline_training_curve.png"),
            tpq::io::read_file(scratch / "results" / "baseline" / "training_curve.png"));
  EXPECT_EQ(tpq::io::read_file(scratch / "hand-in" / "tables" / "baseline_training_history.csv"), "epoch,loss\n1,0.5\n");
  // The folder is the new report's, whole: an older report's figures do not linger.
  EXPECT_FALSE(fs::exists(scratch / "hand-in" / "figures" / "stale.png"));
}

bool pandoc_installed() { return std::system("command -v pandoc >/dev/null 2>&1") == 0; }

TEST(ReportCommand, ExportsHtmlWithTheFiguresInsideAndChineseMarked) {
  TPQ_SKIP_UNLESS(pandoc_installed(), "pandoc not installed (scripts/setup.sh installs it)");
  tpq::testing::ScratchDir scratch;
  write_tree_with_a_chart(scratch);
  const auto output = scratch / "report" / "课程设计报告.md";
  const auto result = run_command(report_command(scratch, output, kTemplate) + " --format html,docx");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto html = tpq::io::read_file(scratch / "report" / "课程设计报告.html");
  EXPECT_NE(html.find("lang=\"zh-CN\""), std::string::npos);
  EXPECT_NE(html.find("Noto Sans CJK SC"), std::string::npos);
  EXPECT_NE(html.find("动态量化"), std::string::npos);
  EXPECT_NE(html.find("src=\"data:image/png;base64,"), std::string::npos) << "the figure is not embedded";
  EXPECT_EQ(html.find("figures/baseline_training_curve.png"), std::string::npos) << "the HTML still links a file";
  // Every Markdown table is a table in the HTML (pandoc needs a blank line above one).
  const auto markdown = tpq::io::read_file(output);
  std::size_t tables = 0, html_tables = 0;
  for (std::size_t at = markdown.find("\n|-"); at != std::string::npos; at = markdown.find("\n|-", at + 1)) ++tables;
  for (std::size_t at = html.find("<table"); at != std::string::npos; at = html.find("<table", at + 1)) ++html_tables;
  EXPECT_GE(tables, 4u);
  EXPECT_EQ(html_tables, tables);
  // ... and a list straight under its "实验设置：" line is a list, not "- " inside a paragraph.
  EXPECT_EQ(html.find("：\n- "), std::string::npos);
  EXPECT_NE(html.find("<li>量化数据类型"), std::string::npos);
  const auto docx = tpq::io::read_file(scratch / "report" / "课程设计报告.docx");
  EXPECT_EQ(docx.rfind("PK", 0), 0u) << "not a zip";
  EXPECT_NE(docx.find("word/media/"), std::string::npos) << "the DOCX carries no image";
  EXPECT_NE(result.output.find("课程设计报告.docx"), std::string::npos) << result.output;
}

TEST(ReportCommand, AnUnknownExportFormatIsRefusedBeforeAnythingIsWritten) {
  tpq::testing::ScratchDir scratch;
  write_tree_with_a_chart(scratch);
  const auto output = scratch / "report" / "课程设计报告.md";
  const auto result = run_command(report_command(scratch, output, kTemplate) + " --format pdf");
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("--format pdf: tpq report exports html or docx"), std::string::npos) << result.output;
  EXPECT_FALSE(fs::exists(scratch / "report"));
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
  EXPECT_NE(tpq::io::read_file(scratch / "report.md").find("![模型大小 vs 准确率](figures/comparison_accuracy_vs_size.png)"),
            std::string::npos);
  EXPECT_NE(first.output.find("[run_all] report: " + (scratch / "report.md").string()), std::string::npos) << first.output;
  // Nothing changed: the comparison is skipped, the report rewritten.
  const auto second = run_command(command);
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_NE(second.output.find("10_comprehensive_comparison: " + (scratch / "results").string() + "/comparison/metrics.json exists, skipping"),
            std::string::npos) << second.output;
}

// --seeds 3 reruns 02-09 with seeds 43 and 44 into results/seeds/<seed>/, on the main baseline model;
// a fake 02 records its arguments and writes a result, the report then shows mean ± std over 3 runs.
TEST(RunAll, SeedsRerunTheCompressionExperimentsIntoTheirOwnFolders) {
  tpq::testing::ScratchDir scratch;
  tpq::testing::write_small_results_tree(scratch / "results");
  fs::create_directories(scratch / "results" / "baseline" / "model");
  fs::create_directories(scratch / "bin");
  fs::create_symlink(tpq::testing::cli_path(), scratch / "bin" / "tpq");
  const auto fake = scratch / "bin" / "02_dynamic_quantization";
  tpq::testing::write_text_file(fake, "#!/usr/bin/env bash\necho \"$*\" >> " + (scratch / "args.txt").string() +
                                          "\nwhile [[ $# -gt 0 ]]; do [[ $1 == --output_dir ]] && out=$2; shift; done\n"
                                          "mkdir -p \"$out\" && cp " + (scratch / "results" / "dynamic_quant" / "metrics.json").string() +
                                          " \"$out/metrics.json\"\n");
  fs::permissions(fake, fs::perms::owner_all, fs::perm_options::add);
  const auto run_all = "bash " + std::string(TPQ_TEST_SOURCE_DIR) + "/experiments/run_all.sh --no-setup --no-bench --skip-training " +
                       "--report-format none --profile quick --seeds 3 --bin-dir " + (scratch / "bin").string() + " --results-dir " +
                       (scratch / "results").string() + " --report " + (scratch / "report.md").string();
  const auto result = run_command(run_all);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto args = tpq::io::read_file(scratch / "args.txt");
  const auto results = (scratch / "results").string();
  EXPECT_EQ(args.find("--output_dir " + results + "/dynamic_quant"), std::string::npos) << "the main run exists and is skipped:\n" << args;
  for (const char* seed : {"43", "44"}) {
    EXPECT_NE(args.find("--output_dir " + results + "/seeds/" + seed + "/dynamic_quant --seed " + seed + " --model_path " + results +
                        "/baseline/model"),
              std::string::npos) << args;
    EXPECT_TRUE(fs::exists(scratch / "results" / "seeds" / seed / "dynamic_quant" / "metrics.json"));
  }
  EXPECT_EQ(args.find("--seed 45"), std::string::npos) << args;
  EXPECT_NE(tpq::io::read_file(scratch / "report.md").find("（3 个种子）"), std::string::npos);
  // A wrong count is refused before anything runs.
  const auto bad = run_command(run_all + " --seeds 0");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.output.find("--seeds 0: give the number of seeds"), std::string::npos) << bad.output;
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
