// Activation observers on data whose right answer is known.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/user_error_matchers.h"
#include "tpq/core/error.h"
#include "tpq/quant/observers.h"

namespace {

using tpq::quant::make_observer;

torch::Tensor gaussian_with_outlier(double outlier) {
  torch::manual_seed(0);
  auto values = torch::randn({200000});
  values[12345] = outlier;
  return values;
}

TEST(Observers, MinMaxIsTheExactRangeOverAllBatches) {
  auto observer = make_observer("minmax");
  observer->observe(torch::tensor({-1.5f, 0.25f, 2.0f}));
  observer->observe(torch::tensor({{0.5f, 3.75f}, {-0.5f, 1.0f}}));
  EXPECT_EQ(observer->range().min, -1.5);
  EXPECT_EQ(observer->range().max, 3.75);
  EXPECT_EQ(observer->observed_values(), 7);
}

TEST(Observers, MovingAverageMovesOnePercentTowardsEachBatch) {
  auto observer = make_observer("moving_average");
  observer->observe(torch::tensor({-1.0f, 1.0f}));  // first batch sets the range
  observer->observe(torch::tensor({-11.0f, 101.0f}));
  EXPECT_NEAR(observer->range().min, -1.0 + 0.01 * (-11.0 + 1.0), 1e-9);
  EXPECT_NEAR(observer->range().max, 1.0 + 0.01 * (101.0 - 1.0), 1e-9);
}

TEST(Observers, HistogramClipsALoneOutlier) {
  auto observer = make_observer("histogram");
  observer->observe(gaussian_with_outlier(1000.0));
  const auto range = observer->range();
  // 0.005 % per tail of 200k N(0,1) values: about +-3.9 sigma; the bins are ~0.5 wide here.
  EXPECT_GT(range.max, 3.0);
  EXPECT_LT(range.max, 6.0);
  EXPECT_LT(range.min, -3.0);
  EXPECT_GT(range.min, -6.0);
}

TEST(Observers, HistogramRebinningKeepsTheTailsWhereOneBatchPutsThem) {
  const auto values = gaussian_with_outlier(0.0);
  auto one_batch = make_observer("histogram");
  one_batch->observe(values);
  tpq::quant::HistogramObserver batches;
  // The range grows batch by batch: the first batch is the narrow middle of the data.
  batches.observe(values.masked_select(values.abs() < 1.0));
  batches.observe(values.masked_select(values.abs() >= 1.0));
  double total = 0;
  for (double count : batches.counts()) total += count;
  EXPECT_NEAR(total, 200000.0, 1e-6);  // widening moves counts, never loses them
  EXPECT_NEAR(batches.range().max, one_batch->range().max, 0.05);
  EXPECT_NEAR(batches.range().min, one_batch->range().min, 0.05);
}

TEST(Observers, MseIsNeverWiderThanMinMaxAndClipsAnOutlier) {
  const auto values = gaussian_with_outlier(1000.0);
  auto minmax = make_observer("minmax");
  auto mse = make_observer("mse");
  minmax->observe(values);
  mse->observe(values);
  EXPECT_GE(mse->range().min, minmax->range().min);
  EXPECT_LE(mse->range().max, minmax->range().max);
  // Clipping one value costs less than coarse steps for the other 199 999.
  EXPECT_LT(mse->range().max, 0.95 * minmax->range().max);
}

TEST(Observers, MseKeepsNearlyTheWholeRangeOfUniformData) {
  torch::manual_seed(1);
  auto mse = make_observer("mse");
  mse->observe(torch::rand({100000}) * 2 - 1);
  EXPECT_GT(mse->range().max, 0.95);
  EXPECT_LT(mse->range().min, -0.95);
}

TEST(Observers, UnknownNameListsTheValidOnes) {
  const auto message = tpq::testing::user_error_of([] { make_observer("percentile"); });
  EXPECT_TRUE(tpq::testing::contains(message, "percentile"));
  EXPECT_TRUE(tpq::testing::contains(message, "minmax, moving_average, histogram, mse"));
}

TEST(Observers, RangeBeforeAnyObservationIsAnError) {
  for (const auto& name : tpq::quant::observer_names()) {
    EXPECT_THROW(make_observer(name)->range(), std::logic_error) << name;
  }
}

}  // namespace
