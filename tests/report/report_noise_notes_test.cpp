// The report's standard-error sentences: a difference between two rows is called noise or not
// from the test-set size (the FP32 row's confusion matrix) or, for QAT vs PTQ, from the paired
// standard error 04 records. Every synthetic test set has 2 000 examples and FP32 accuracy 0.80,
// so one unpaired standard error is sqrt(0.8 * 0.2 / 2000) = 0.894 points.
#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "support/lab_report_text.h"
#include "support/synthetic_results.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using tpq::testing::fill_report;
using tpq::testing::report_section;
using tpq::testing::synthetic_record;
using tpq::testing::write_synthetic_experiment;

constexpr const char* kUnpairedAbove = "（2000 条测试样本上准确率的标准误约 0.89 个百分点；差距超过 2 倍标准误）";
constexpr const char* kUnpairedWithin =
    "（2000 条测试样本上准确率的标准误约 0.89 个百分点；差距小于 2 倍标准误，不足以区分两者）";

class ReportNoiseNotes : public ::testing::Test {
 protected:
  void SetUp() override { tpq::testing::write_full_results_tree(results()); }
  fs::path results() const { return scratch / "results"; }

  // qat/metrics.json with the given PTQ and QAT accuracies and, when `paired_se` > 0, the paired record.
  void write_qat(double ptq, double qat, double paired_se) const {
    json extra = json::object();
    if (paired_se > 0) extra["qat_vs_ptq"] = tpq::testing::synthetic_paired(qat - ptq, paired_se);
    write_synthetic_experiment(results(), "qat", "int8_qat",
                               {synthetic_record("qat", "fp32", 0.80, 10.0, 2.0),
                                synthetic_record("qat", "int8_static_ptq", ptq, 2.9, 1.0, {{"training_time_s", 0.0}}),
                                synthetic_record("qat", "int8_qat", qat, 2.9, 1.0, {{"training_time_s", 120.0}})},
                               extra);
  }
  void write_progressive(double final_accuracy, double one_shot) const {
    write_synthetic_experiment(results(), "progressive_pruning", "progressive_final",
                               {synthetic_record("progressive_pruning", "fp32", 0.80, 10.0, 2.0),
                                synthetic_record("progressive_pruning", "progressive_final", final_accuracy, 10.0, 2.0, {{"sparsity", 0.9}}),
                                synthetic_record("progressive_pruning", "one_shot", one_shot, 10.0, 2.0, {{"sparsity", 0.9}})},
                               {{"history", json::array()}});
  }
  std::string quantization_analysis() const { return report_section(fill_report(results()), "### 6.2 量化分析"); }
  std::string pruning_analysis() const { return report_section(fill_report(results()), "### 6.1 剪枝分析"); }

  tpq::testing::ScratchDir scratch;
};

TEST_F(ReportNoiseNotes, ProgressiveAndOrderFindingsStateTestSetSizeAndStandardError) {
  const auto report = fill_report(results());
  // 17.5 points apart: far outside 2 x 0.89.
  EXPECT_NE(report_section(report, "### 6.1 剪枝分析")
                .find(std::string("渐进式高 17.50 个百分点。") + kUnpairedAbove),
            std::string::npos)
      << report_section(report, "### 6.1 剪枝分析");
  // The combined margin is recorded in points (2.5): outside 2 x 0.89 too.
  EXPECT_NE(report_section(report, "### 6.3 组合策略分析").find(std::string("，差距 2.50 个百分点。") + kUnpairedAbove),
            std::string::npos)
      << report_section(report, "### 6.3 组合策略分析");
}

TEST_F(ReportNoiseNotes, DifferenceWithinTwoStandardErrorsIsCalledNoise) {
  write_progressive(0.775, 0.765);  // 1.0 point < 2 x 0.89
  const auto analysis = pruning_analysis();
  EXPECT_NE(analysis.find(std::string("渐进式高 1.00 个百分点。") + kUnpairedWithin), std::string::npos) << analysis;
}

TEST_F(ReportNoiseNotes, QatFindingUsesThePairedStandardError) {
  // The full tree records QAT - PTQ = 1.8 points with a paired SE of 0.6: outside 2 SE.
  EXPECT_NE(quantization_analysis().find("QAT 高 1.80 个百分点。（同一批测试样本上的配对标准误 0.60 个百分点；差距超过 2 倍配对标准误）"),
            std::string::npos)
      << quantization_analysis();
  write_qat(0.78, 0.798, 0.01);  // 1.8 points < 2 x 1.0
  EXPECT_NE(quantization_analysis().find(
                "QAT 高 1.80 个百分点。（同一批测试样本上的配对标准误 1.00 个百分点；差距小于 2 倍配对标准误，不足以区分两者）"),
            std::string::npos)
      << quantization_analysis();
}

TEST_F(ReportNoiseNotes, QatFindingWithoutAPairedRecordFallsBackToTheTestSetSize) {
  write_qat(0.79, 0.795, /*paired_se=*/0);  // 0.5 point < 2 x 0.89
  EXPECT_NE(quantization_analysis().find(std::string("QAT 高 0.50 个百分点。") + kUnpairedWithin), std::string::npos)
      << quantization_analysis();
  write_qat(0.76, 0.80, /*paired_se=*/0);  // 4.0 points > 2 x 0.89
  EXPECT_NE(quantization_analysis().find(std::string("QAT 高 4.00 个百分点。") + kUnpairedAbove), std::string::npos)
      << quantization_analysis();
}

}  // namespace
