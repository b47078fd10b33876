// The counter-based dropout: the drop rate, the expectation, the gradient, reproducibility under
// torch::manual_seed, independence from the thread count, and the bf16 path autocast gives it.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "model/counter_hash.h"
#include "model/softmax_dropout_rows.h"
#include "tpq/model/counter_dropout.h"

namespace {

using tpq::model::counter_dropout;

constexpr int64_t kElements = 1 << 20;

TEST(CounterDropout, DropsTheRequestedShareAndKeepsTheExpectation) {
  torch::manual_seed(1);
  for (double p : {0.1, 0.5}) {
    const auto out = counter_dropout(torch::ones({kElements}), p, /*training=*/true);
    const double dropped = out.eq(0).to(torch::kDouble).mean().item<double>();
    const double sigma = std::sqrt(p * (1 - p) / kElements);  // 3e-4 at p = 0.1
    EXPECT_NEAR(dropped, p, 5 * sigma) << "p " << p;
    EXPECT_NEAR(out.to(torch::kDouble).mean().item<double>(), 1.0, 5 * sigma / (1 - p)) << "p " << p;
    const auto kept = out.masked_select(out.ne(0));
    EXPECT_NEAR(kept.max().item<double>(), 1.0 / (1 - p), 1e-3) << "kept elements are scaled by 1 / (1 - p)";
  }
}

TEST(CounterDropout, NeighbouringElementsAreIndependent) {
  torch::manual_seed(2);
  const auto kept = counter_dropout(torch::ones({kElements}), 0.5, true).ne(0).to(torch::kDouble) - 0.5;
  // Elements share a 64-bit hash four at a time: their keep decisions must still be uncorrelated.
  for (int64_t lag : {1, 2, 3, 4}) {
    const double correlation = (kept.slice(0, 0, kElements - lag) * kept.slice(0, lag)).mean().item<double>() / 0.25;
    EXPECT_LT(std::abs(correlation), 5.0 / std::sqrt(double(kElements))) << "lag " << lag;
  }
}

TEST(CounterDropout, TheGradientPassesWhereTheInputWasKept) {
  torch::manual_seed(3);
  const auto input = torch::randn({64, 33}).requires_grad_(true);
  const auto out = counter_dropout(input, 0.3, true);
  out.sum().backward();
  const auto kept = out.ne(0);
  EXPECT_TRUE(torch::allclose(input.grad(), kept.to(torch::kFloat) * (65536.0 / (65536 - 19661))));
  EXPECT_TRUE(torch::allclose(out, input.detach() * input.grad()));
}

TEST(CounterDropout, SeededRunsRepeatAndCallsDiffer) {
  torch::manual_seed(4);
  const auto first = counter_dropout(torch::ones({4096}), 0.1, true);
  const auto second = counter_dropout(torch::ones({4096}), 0.1, true);
  torch::manual_seed(4);
  EXPECT_TRUE(torch::equal(first, counter_dropout(torch::ones({4096}), 0.1, true)));
  EXPECT_FALSE(torch::equal(first, second));
}

TEST(CounterDropout, TheMaskDoesNotDependOnTheThreadCount) {
  const int threads = torch::get_num_threads();
  torch::set_num_threads(1);
  torch::manual_seed(5);
  const auto one_thread = counter_dropout(torch::ones({kElements}), 0.1, true);
  torch::set_num_threads(2);
  torch::manual_seed(5);
  const auto two_threads = counter_dropout(torch::ones({kElements}), 0.1, true);
  torch::set_num_threads(threads);
  EXPECT_TRUE(torch::equal(one_thread, two_threads));
}

TEST(CounterDropout, OutsideTrainingOrAtZeroItIsTheIdentity) {
  const auto input = torch::randn({8, 8});
  EXPECT_TRUE(counter_dropout(input, 0.5, false).is_same(input));
  EXPECT_TRUE(counter_dropout(input, 0.0, true).is_same(input));
  EXPECT_TRUE(counter_dropout(input, 1.0, true).eq(0).all().item<bool>());
  EXPECT_THROW(counter_dropout(input, 1.5, true), std::exception);
}

TEST(CounterDropout, Bf16InputsKeepTheirDtype) {
  torch::manual_seed(6);
  const auto input = torch::ones({kElements}, torch::kBFloat16).requires_grad_(true);
  const auto out = counter_dropout(input, 0.1, true);
  EXPECT_EQ(out.scalar_type(), torch::kBFloat16);
  EXPECT_NEAR(out.eq(0).to(torch::kDouble).mean().item<double>(), 0.1, 0.002);
  out.to(torch::kFloat).sum().backward();
  EXPECT_EQ(input.grad().scalar_type(), torch::kBFloat16);
}

TEST(CounterDropout, TheModuleDropsOnlyInTrainMode) {
  tpq::model::CounterDropout dropout(0.5);
  const auto input = torch::ones({1024});
  dropout->eval();
  EXPECT_TRUE(torch::equal(dropout(input), input));
  dropout->train();
  EXPECT_GT(dropout(input).eq(0).sum().item<int64_t>(), 0);
}

// The AVX-512 draw gives the portable draw's bytes: at spans that start inside a hash group, spans
// shorter than one vector step, and at the thresholds that keep or drop everything.
TEST(CounterDropout, TheVectorDrawEqualsThePortableOne) {
  if (!tpq::model::detail::avx512_rows_supported()) GTEST_SKIP() << "this CPU has no AVX-512: only the portable draw runs";
  tpq::model::detail::DropRule rule;
  rule.seed = 0x1234567887654321ull;
  for (uint32_t threshold : {0u, 1u, 6554u, 32768u, 65535u, 65536u}) {
    rule.threshold = threshold;
    for (int64_t first : {0, 1, 3, 4, 1001}) {
      for (int64_t n : {0, 5, 31, 32, 33, 100, 4099}) {
        std::vector<uint8_t> vector_draw(n + 1, 7), portable_draw(n + 1, 7);
        tpq::model::detail::fill_keep_avx512(rule, first, n, vector_draw.data());
        tpq::model::detail::fill_keep_portable(rule, first, n, portable_draw.data());
        EXPECT_EQ(vector_draw, portable_draw) << "threshold " << threshold << " first " << first << " n " << n;
      }
    }
  }
}

}  // namespace
