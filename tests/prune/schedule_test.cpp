// Gradual-pruning schedules match their formulas: cubic (Zhu & Gupta 2017) and linear.
#include <cmath>

#include <gtest/gtest.h>

#include "support/user_error_matchers.h"
#include "tpq/prune/schedule.h"

namespace {

using tpq::prune::ScheduleKind;

TEST(SparsitySchedule, CubicFollowsZhuAndGupta) {
  const auto targets = tpq::prune::sparsity_schedule(0.0, 0.9, 5, ScheduleKind::Cubic);
  ASSERT_EQ(targets.size(), 5u);
  for (int t = 1; t <= 5; ++t) {
    EXPECT_NEAR(targets[t - 1], 0.9 + (0.0 - 0.9) * std::pow(1.0 - t / 5.0, 3), 1e-12) << t;
  }
  EXPECT_NEAR(targets[0], 0.4392, 1e-12);  // 0.9 - 0.9 * 0.8^3
  EXPECT_DOUBLE_EQ(targets.back(), 0.9);
  EXPECT_DOUBLE_EQ(tpq::prune::scheduled_sparsity(0.2, 0.9, 0, 5, ScheduleKind::Cubic), 0.2);
  // Cubic prunes fast early, slowly late.
  EXPECT_GT(targets[0] - 0.0, targets[4] - targets[3]);
}

TEST(SparsitySchedule, LinearStepsEvenly) {
  const auto targets = tpq::prune::sparsity_schedule(0.1, 0.5, 4, ScheduleKind::Linear);
  ASSERT_EQ(targets.size(), 4u);
  EXPECT_NEAR(targets[0], 0.2, 1e-12);
  EXPECT_NEAR(targets[1], 0.3, 1e-12);
  EXPECT_NEAR(targets[2], 0.4, 1e-12);
  EXPECT_NEAR(targets[3], 0.5, 1e-12);
}

TEST(SparsitySchedule, UnknownKindIsAUserError) {
  EXPECT_TRUE(tpq::testing::contains(
      tpq::testing::user_error_of([] { tpq::prune::parse_schedule("exponential", "pruning.schedule (--schedule)"); }),
      "--schedule"));
  EXPECT_EQ(tpq::prune::parse_schedule("linear", "x"), ScheduleKind::Linear);
}

}  // namespace
