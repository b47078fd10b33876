// Experiment 04's verdict on QAT: recovery = (QAT - PTQ) / (FP32 - PTQ), null when PTQ lost
// nothing, and the PTQ loss counts as real only when it is at least two paired standard errors.
#include <gtest/gtest.h>

#include "pipeline/qat.h"

namespace {

// The verdict on rows with these accuracies, the PTQ loss having this paired standard error.
tpq::pipeline::QatVerdict verdict(double fp32, double ptq, double qat, double ptq_loss_standard_error) {
  tpq::eval::PairedComparison ptq_vs_fp32;
  ptq_vs_fp32.accuracy_difference = ptq - fp32;
  ptq_vs_fp32.standard_error = ptq_loss_standard_error;
  tpq::eval::PairedComparison qat_vs_ptq;
  qat_vs_ptq.accuracy_difference = qat - ptq;
  return tpq::pipeline::qat_verdict(fp32, ptq, qat, ptq_vs_fp32, qat_vs_ptq);
}

TEST(QatRecovery, ShareOfThePtqLossThatQatWonBack) {
  const auto recovered = verdict(/*fp32=*/0.80, /*ptq=*/0.75, /*qat=*/0.79, /*se=*/0.02);
  EXPECT_NEAR(recovered.ptq_loss, 0.05, 1e-12);
  ASSERT_TRUE(recovered.recovery.is_number());
  EXPECT_NEAR(recovered.recovery.get<double>(), 0.8, 1e-12);
  EXPECT_TRUE(recovered.ptq_loss_significant);  // 5 points >= 2 x 2

  const auto worse = verdict(0.80, 0.75, 0.725, 0.02);  // QAT below PTQ: negative recovery
  ASSERT_TRUE(worse.recovery.is_number());
  EXPECT_NEAR(worse.recovery.get<double>(), -0.5, 1e-12);
}

TEST(QatRecovery, NoRecoveryWhenPtqLostNothing) {
  for (const double ptq : {0.80, 0.82}) {
    const auto unchanged = verdict(0.80, ptq, 0.81, 0.0);
    EXPECT_TRUE(unchanged.recovery.is_null()) << ptq;
    EXPECT_FALSE(unchanged.ptq_loss_significant) << ptq;
  }
}

TEST(QatRecovery, APtqLossUnderTwoStandardErrorsIsNoise) {
  EXPECT_FALSE(verdict(0.80, 0.75, 0.79, 0.03).ptq_loss_significant);  // 5 points < 2 x 3
  EXPECT_TRUE(verdict(1.0, 0.75, 0.8, 0.125).ptq_loss_significant);    // exactly two: significant
  EXPECT_TRUE(verdict(0.80, 0.75, 0.79, 0.03).recovery.is_number());   // recovery is still reported
}

}  // namespace
