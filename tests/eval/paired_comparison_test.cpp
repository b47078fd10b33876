// Paired accuracy difference and its standard error against hand-computed examples.
#include <cmath>

#include <gtest/gtest.h>

#include "tpq/core/error.h"
#include "tpq/eval/paired_comparison.h"

namespace {

TEST(PairedComparison, CountsAndDifferenceComputedByHand) {
  // truth:     1 1 1 1 0 0 0 0
  // reference: 1 1 1 0 0 0 1 1   right: y y y n y y n n
  // candidate: 1 1 0 1 0 1 1 0   right: y y n y y n n y
  const auto r = tpq::eval::compare_paired({1, 1, 1, 0, 0, 0, 1, 1}, {1, 1, 0, 1, 0, 1, 1, 0}, {1, 1, 1, 1, 0, 0, 0, 0});
  EXPECT_EQ(r.count, 8);
  EXPECT_EQ(r.both_right, 3);
  EXPECT_EQ(r.only_reference_right, 2);
  EXPECT_EQ(r.only_candidate_right, 2);
  EXPECT_EQ(r.both_wrong, 1);
  EXPECT_EQ(r.changed_predictions, 4);
  EXPECT_DOUBLE_EQ(r.accuracy_difference, 0.0);
  // d = 0 0 -1 +1 0 -1 0 +1: mean 0, sample variance 4/7, SE sqrt(4/7/8)
  EXPECT_NEAR(r.standard_error, std::sqrt(4.0 / 7.0 / 8.0), 1e-12);
}

TEST(PairedComparison, OneBrokenPredictionIsANegativeDifference) {
  const auto r = tpq::eval::compare_paired({1, 0, 1, 0}, {1, 0, 0, 0}, {1, 0, 1, 0});
  EXPECT_DOUBLE_EQ(r.accuracy_difference, -0.25);
  EXPECT_EQ(r.only_reference_right, 1);
  // d = 0 0 -1 0: mean -1/4, sample variance (1 - 4/16)/3 = 1/4, SE sqrt(1/4/4) = 1/4
  EXPECT_NEAR(r.standard_error, 0.25, 1e-12);
}

TEST(PairedComparison, IdenticalPredictionsHaveZeroError) {
  const auto r = tpq::eval::compare_paired({1, 0, 0}, {1, 0, 0}, {1, 1, 0});
  EXPECT_EQ(r.changed_predictions, 0);
  EXPECT_DOUBLE_EQ(r.accuracy_difference, 0.0);
  EXPECT_DOUBLE_EQ(r.standard_error, 0.0);
}

TEST(PairedComparison, MismatchedLengthsAreAUserError) {
  EXPECT_THROW(tpq::eval::compare_paired({1, 0}, {1}, {1, 0}), tpq::UserError);
  EXPECT_THROW(tpq::eval::compare_paired({}, {}, {}), tpq::UserError);
}

}  // namespace
