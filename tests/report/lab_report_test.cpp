// The lab report filler: every template heading kept in order, no blank table cell or empty field
// where the experiment ran, "未运行" (with the program to run) where it did not, numbers as recorded.
#include <regex>

#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "support/lab_report_text.h"
#include "support/synthetic_results.h"
#include "tpq/report/lab_report.h"

namespace {

namespace fs = std::filesystem;
using tpq::testing::course_template;
using tpq::testing::fake_environment;
using tpq::testing::fill_report;
using tpq::testing::lines_of;
using tpq::testing::report_section;

TEST(LabReport, KeepsEveryTemplateHeadingInOrder) {
  tpq::testing::ScratchDir scratch;
  tpq::testing::write_small_results_tree(scratch / "results");
  const auto report = fill_report(scratch / "results");
  std::size_t position = 0;
  for (const auto& line : lines_of(course_template())) {
    if (line.rfind("## ", 0) != 0 && line.rfind("### ", 0) != 0 && line.rfind("#### ", 0) != 0) continue;
    const auto found = report.find(line + "\n", position);
    ASSERT_NE(found, std::string::npos) << "heading missing or out of order: " << line;
    position = found;
  }
  EXPECT_EQ(report.rfind("# 实验报告\n", 0), 0u);
}

TEST(LabReport, FullTreeLeavesNoBlankCellOrEmptyField) {
  tpq::testing::ScratchDir scratch;
  tpq::testing::write_full_results_tree(scratch / "results");
  const auto report = fill_report(scratch / "results");
  const std::regex blank_cell(R"(\|\s*\|)");
  const std::regex empty_field(R"(^\s*- .*：\s*$)");
  for (const auto& line : lines_of(report)) {
    if (line.rfind("|", 0) == 0 && line.find("---") == std::string::npos) {
      EXPECT_FALSE(std::regex_search(line, blank_cell)) << "blank table cell: " << line;
    }
    const bool allowed_blank = line.find("姓名") != std::string::npos || line.find("学号") != std::string::npos ||
                               line.find("指导教师") != std::string::npos;
    if (!allowed_blank) {
      EXPECT_FALSE(std::regex_search(line, empty_field)) << "empty field: " << line;
    }
    // The closing remark explains the 未运行 convention itself; no table or finding may use it.
    if (line.rfind("**备注**", 0) != 0) {
      EXPECT_EQ(line.find("未运行"), std::string::npos) << line;
    }
  }
  // Numbers as recorded, in the template's layouts.
  EXPECT_NE(report_section(report, "#### 4.2.1 动态量化").find("| int8_dynamic_per_tensor | 0.7850 | 0.7750 | 3.00 | 3.33x | 1.000 | 2.00x |"),
            std::string::npos);
  EXPECT_NE(report_section(report, "#### 4.1.1 结构化剪枝").find("| 2 | 0.7500 | 0.7400 | 8.00 | 6.25 |"), std::string::npos);
  EXPECT_NE(report_section(report, "#### 4.1.3 渐进式剪枝").find("| 5 | 90.0% | 90.0% | 0.7750 | 0.7650 |"), std::string::npos);
  EXPECT_NE(report_section(report, "#### 先剪枝后量化").find("**总压缩比**：6.67x"), std::string::npos);
  EXPECT_NE(report_section(report, "#### 4.2.3 量化感知训练").find("120.0 s"), std::string::npos);
  EXPECT_NE(report_section(report, "#### 4.2.3 量化感知训练").find("- 训练 epochs：1（只训练 40 个优化器步"), std::string::npos);
  // Findings stated from the numbers: global collapses at 70 %, local at 50 % (> 5 points below FP32).
  const auto analysis = report_section(report, "### 6.1 剪枝分析");
  EXPECT_NE(analysis.find("global 在稀疏度 70% 处崩溃"), std::string::npos) << analysis;
  EXPECT_NE(analysis.find("local 在稀疏度 50% 处崩溃"), std::string::npos) << analysis;
  EXPECT_NE(report_section(report, "### 6.2 量化分析").find("bert.encoder.layer.1.output.dense"), std::string::npos);
  EXPECT_NE(report_section(report, "### 6.3 组合策略分析").find("胜者：prune_then_quantize"), std::string::npos);
  EXPECT_NE(report_section(report, "### 5.2 最佳配置").find("- 选择理由："), std::string::npos);
  EXPECT_NE(report_section(report, "### 3.1 数据集").find("- 训练集大小：10000"), std::string::npos);
  EXPECT_NE(report_section(report, "### 3.1 数据集").find("截断时保留开头 64 个子词、其余取自结尾"), std::string::npos);
  // Memory of the evaluation and of each training phase, as recorded.
  // The bert-base-shape speed section, from results/bench/bench.json.
  const auto figures = report_section(report, "### 5.1 性能对比图表");
  EXPECT_NE(figures.find("| INT8 动态（逐通道） | 32 | 128 | 1150.0 | 3.83x（95% 区间 3.70–3.95） |"), std::string::npos) << figures;
  EXPECT_NE(figures.find("| 剪枝 50% 头 + 50% FFN | 1 | 128 | 180.0 | 无可测差异（1.05x，95% 区间 0.93–1.12） |"),
            std::string::npos) << figures;
  EXPECT_NE(figures.find("| INT8 动态（逐通道） | 174.5 | 82.7 | 3.92x |"), std::string::npos) << figures;
  // The 部署 item, from results/deploy/deploy.json: the table, the .onnx sizes, the fastest recipe per batch.
  EXPECT_NE(figures.find("| 剪枝 50%/50% + INT8 | 1 | 47.0 | 16.4 | 0.35（0.31–0.38） |"), std::string::npos) << figures;
  EXPECT_NE(figures.find("| FP32 | 417.7 | 417.7 |"), std::string::npos) << figures;
  EXPECT_NE(figures.find("- batch 1：ONNX Runtime 中最快的配方是剪枝 50%/50% + INT8（16.4 ms），是 ONNX Runtime 中 FP32 的 5.49 倍速度，"
                         "用时为 tpq 运行同一模型的 0.35 倍。"),
            std::string::npos) << figures;
  EXPECT_EQ(figures.find("| bf16 |"), std::string::npos) << "a row without an ONNX Runtime time is not in the 部署 table";
  const auto baseline = report_section(report, "### 3.2 基线模型");
  EXPECT_NE(baseline.find("| 峰值内存：评估 (MB) | 300.0（仅评估阶段） |"), std::string::npos) << baseline;
  EXPECT_NE(baseline.find("| 峰值内存：MLM 预训练 (MB) | 1234.5 |"), std::string::npos) << baseline;
  EXPECT_NE(baseline.find("| 峰值内存：微调 (MB) | 987.6 |"), std::string::npos) << baseline;
}

TEST(LabReport, ExperimentsNotRunSaySoInsteadOfNumbers) {
  tpq::testing::ScratchDir scratch;
  tpq::testing::write_small_results_tree(scratch / "results");  // baseline, dynamic_quant, static_quant only
  const auto report = fill_report(scratch / "results");
  const auto qat = report_section(report, "#### 4.2.3 量化感知训练");
  EXPECT_NE(qat.find("未运行：" + (scratch / "results" / "qat" / "metrics.json").string() + " 不存在（运行 04_qat_experiment）"),
            std::string::npos) << qat;
  EXPECT_EQ(qat.find('|'), std::string::npos) << "no table without numbers: " << qat;
  for (const char* heading : {"#### 4.1.1 结构化剪枝", "#### 4.1.2 非结构化剪枝", "#### 4.1.3 渐进式剪枝", "#### 先剪枝后量化", "#### 先量化后剪枝"}) {
    EXPECT_NE(report_section(report, heading).find("未运行"), std::string::npos) << heading;
  }
  const auto dynamic = report_section(report, "#### 4.2.1 动态量化");
  EXPECT_EQ(dynamic.find("未运行"), std::string::npos);
  EXPECT_NE(dynamic.find("| FP32 (基线) | 0.8000 | 0.7900 | 10.00 | 1.00x | 2.000 | 1.00x |"), std::string::npos) << dynamic;
  // Charts not drawn yet: the report names the run that draws them, never a dangling link.
  EXPECT_NE(report_section(report, "### 5.1 性能对比图表").find("运行 10_comprehensive_comparison 生成"), std::string::npos);
  EXPECT_NE(report_section(report, "### 5.1 性能对比图表").find("bench/bench.json 不存在"), std::string::npos);
  EXPECT_NE(report_section(report, "### 5.1 性能对比图表").find("deploy/deploy.json 不存在"), std::string::npos);
}

TEST(LabReport, UnknownTemplateSectionsAreKeptVerbatim) {
  tpq::testing::ScratchDir scratch;
  tpq::testing::write_small_results_tree(scratch / "results");
  const auto tree = tpq::report::load_results_tree(scratch / "results");
  const auto filled = tpq::report::fill_lab_report("# 实验报告模板\n\n## 自定义\n\n保留这段。\n\n#### 4.2.1 动态量化\n\n(空)\n", tree,
                                                   fake_environment());
  EXPECT_NE(filled.markdown.find("## 自定义\n\n保留这段。"), std::string::npos) << filled.markdown;
  EXPECT_EQ(filled.kept_sections, std::vector<std::string>{"自定义"});
  EXPECT_EQ(filled.markdown.find("(空)"), std::string::npos);
}

}  // namespace
