// Metric values against hand-computed examples.
#include <gtest/gtest.h>

#include "tpq/core/error.h"
#include "tpq/eval/metrics.h"

namespace {

TEST(Metrics, BinaryExampleComputedByHand) {
  // truth:     1 1 1 0 0 0 0 1
  // predicted: 1 0 1 0 1 0 0 1   -> TP=3 FN=1 FP=1 TN=3
  const auto m = tpq::eval::compute_metrics({1, 0, 1, 0, 1, 0, 0, 1}, {1, 1, 1, 0, 0, 0, 0, 1}, 2, 0.5);
  EXPECT_DOUBLE_EQ(m.accuracy, 6.0 / 8.0);
  EXPECT_DOUBLE_EQ(m.precision, 3.0 / 4.0);
  EXPECT_DOUBLE_EQ(m.recall, 3.0 / 4.0);
  EXPECT_DOUBLE_EQ(m.f1, 0.75);
  EXPECT_EQ(m.confusion_matrix, (std::vector<std::vector<int64_t>>{{3, 1}, {1, 3}}));
  EXPECT_DOUBLE_EQ(m.loss, 0.5);
}

TEST(Metrics, UnbalancedBinaryPrecisionDiffersFromRecall) {
  // truth 1 1 1 1 0, predicted 1 1 0 0 1: TP=2 FP=1 FN=2 -> P=2/3 R=1/2 F1=4/7
  const auto m = tpq::eval::compute_metrics({1, 1, 0, 0, 1}, {1, 1, 1, 1, 0}, 2, 0);
  EXPECT_DOUBLE_EQ(m.precision, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.recall, 0.5);
  EXPECT_NEAR(m.f1, 4.0 / 7.0, 1e-12);
  // class 0: TP=0 FP=2 FN=1 -> P=R=F1=0; macro F1 = (0 + 4/7) / 2
  EXPECT_NEAR(m.macro_f1, 2.0 / 7.0, 1e-12);
}

TEST(Metrics, MulticlassUsesMacroAverages) {
  // 3 classes; truth 0 1 2 2, predicted 0 2 2 1
  const auto m = tpq::eval::compute_metrics({0, 2, 2, 1}, {0, 1, 2, 2}, 3, 0);
  EXPECT_DOUBLE_EQ(m.accuracy, 0.5);
  // class0 P=1 R=1 F=1; class1 P=0 R=0; class2 P=1/2 R=1/2 F=1/2
  EXPECT_DOUBLE_EQ(m.macro_precision, 0.5);
  EXPECT_DOUBLE_EQ(m.macro_recall, 0.5);
  EXPECT_DOUBLE_EQ(m.f1, 0.5);
}

TEST(Metrics, NoPositivePredictionsGivesZeroNotNaN) {
  const auto m = tpq::eval::compute_metrics({0, 0, 0}, {1, 0, 1}, 2, 0);
  EXPECT_EQ(m.precision, 0.0);
  EXPECT_EQ(m.f1, 0.0);
}

TEST(Metrics, RejectsOutOfRangeLabelsAndSizeMismatch) {
  EXPECT_THROW(tpq::eval::compute_metrics({0, 2}, {0, 1}, 2, 0), tpq::UserError);
  EXPECT_THROW(tpq::eval::compute_metrics({0}, {0, 1}, 2, 0), tpq::UserError);
}

}  // namespace
