// Speed-ups from interleaved timings: the median of per-round ratios with the distribution-free
// interval of a median; "no measurable difference" when the interval holds 1.
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "tpq/core/error.h"
#include "tpq/eval/speedup_interval.h"

namespace {

using tpq::eval::paired_speedup;

// Timings with a long right tail, as batch-1 forwards on a shared machine have: base * lognormal.
std::vector<double> noisy_timings(double base_ms, int n, std::mt19937& random) {
  std::lognormal_distribution<double> noise(0.0, 0.3);
  std::vector<double> times;
  for (int i = 0; i < n; ++i) times.push_back(base_ms * noise(random));
  return times;
}

TEST(SpeedupInterval, IdenticalTimingDistributionsAreNoMeasurableDifference) {
  std::mt19937 random(11);
  int measurable = 0;
  const int trials = 400;
  for (int trial = 0; trial < trials; ++trial) {
    const auto reference = noisy_timings(10.0, 30, random);
    const auto candidate = noisy_timings(10.0, 30, random);
    const auto interval = paired_speedup(reference, candidate);
    EXPECT_LE(interval.low, interval.median);
    EXPECT_GE(interval.high, interval.median);
    measurable += interval.measurable();
  }
  // A 95.7 % interval (n = 30) excludes 1 by chance in about 4.3 % of trials.
  EXPECT_LE(measurable, trials * 0.08) << measurable;
  EXPECT_GE(measurable, 1);  // and it is a real interval, not the whole range

  const std::vector<double> same = {3.0, 5.0, 4.0, 9.0, 4.5, 3.3, 7.0, 4.1};
  const auto exact = paired_speedup(same, same);
  EXPECT_DOUBLE_EQ(exact.median, 1.0);
  EXPECT_FALSE(exact.measurable());
}

TEST(SpeedupInterval, ATwofoldSpeedUpUnderNoiseIsMeasuredAsTwo) {
  std::mt19937 random(5);
  const auto reference = noisy_timings(20.0, 30, random);
  const auto candidate = noisy_timings(10.0, 30, random);
  const auto interval = paired_speedup(reference, candidate);
  EXPECT_TRUE(interval.measurable());
  EXPECT_GT(interval.low, 1.0);
  EXPECT_NEAR(interval.median, 2.0, 0.4);
  EXPECT_LT(interval.low, interval.median);
  EXPECT_GT(interval.high, interval.median);
  // A slower candidate: the interval lies below 1.
  EXPECT_LT(paired_speedup(candidate, reference).high, 1.0);
}

TEST(SpeedupInterval, OrderStatisticsGiveTheExactBinomialCoverage) {
  std::vector<double> reference, candidate;
  for (int i = 1; i <= 30; ++i) {
    reference.push_back(2.0 * i);
    candidate.push_back(i);  // ratio 2 ... but make them distinct below
  }
  for (int i = 0; i < 30; ++i) candidate[i] = reference[i] / (1.0 + 0.01 * (i + 1));  // ratios 1.01 ... 1.30
  const auto thirty = paired_speedup(reference, candidate);
  // n = 30: [r_(10), r_(21)], coverage 1 - 2 P(Bin(30, 1/2) <= 9) = 0.9572.
  EXPECT_NEAR(thirty.confidence, 0.9572, 1e-4);
  EXPECT_NEAR(thirty.low, 1.10, 1e-9);
  EXPECT_NEAR(thirty.high, 1.21, 1e-9);
  EXPECT_NEAR(thirty.median, 1.155, 1e-9);
  EXPECT_TRUE(thirty.measurable());

  // n = 6: the extremes, 1 - 2/64; n = 5 cannot reach 95 %: the candidate is never called faster.
  const std::vector<double> six_ref(6, 2.0), six_cand(6, 1.0);
  EXPECT_NEAR(paired_speedup(six_ref, six_cand).confidence, 1.0 - 2.0 / 64, 1e-9);
  const std::vector<double> five_ref(5, 2.0), five_cand(5, 1.0);
  const auto five = paired_speedup(five_ref, five_cand);
  EXPECT_EQ(five.confidence, 0.0);
  EXPECT_FALSE(five.measurable());
}

TEST(SpeedupInterval, MismatchedOrNonPositiveTimingsAreRejected) {
  EXPECT_THROW(paired_speedup({1.0, 2.0}, {1.0}), tpq::UserError);
  EXPECT_THROW(paired_speedup({}, {}), tpq::UserError);
  EXPECT_THROW(paired_speedup({1.0, 0.0}, {1.0, 1.0}), tpq::UserError);
}

}  // namespace
