// The one seeded sampler of tokenized examples (calibration data, fine-tuning step budgets): the
// order of data::seeded_shuffle (platform-independent), cycling past the split's end, rows intact.
#include <algorithm>
#include <numeric>
#include <random>

#include <gtest/gtest.h>

#include "data/split.h"
#include "tpq/data/tokenized_split.h"

namespace {

tpq::data::TokenizedSplit numbered_split(int64_t rows) {
  tpq::data::TokenizedSplit split;
  for (int64_t i = 0; i < rows; ++i) split.append(std::vector<int64_t>(1 + i % 3, 100 + i), std::vector<int64_t>(1 + i % 3, 0), i % 2);
  return split;
}

TEST(SeededSample, FollowsTheSeededShuffleAndCyclesPastTheEnd) {
  const auto split = numbered_split(7);
  std::vector<std::size_t> order(7);
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 generator(42);
  tpq::data::seeded_shuffle(order, generator);
  const auto sample = tpq::data::seeded_sample(split, 10, 42);
  ASSERT_EQ(sample.size(), 10u);
  for (std::size_t i = 0; i < 10; ++i) {
    const std::size_t row = order[i % 7];
    ASSERT_EQ(sample.length(i), split.length(row)) << i;
    EXPECT_EQ(sample.ids_of(i)[0], 100 + static_cast<int32_t>(row)) << i;
    EXPECT_EQ(sample.labels[i], split.labels[row]) << i;
  }
  // The first 7 are a permutation of the split: sampling without replacement until it runs out.
  std::vector<int32_t> first;
  for (std::size_t i = 0; i < 7; ++i) first.push_back(sample.ids_of(i)[0]);
  std::sort(first.begin(), first.end());
  EXPECT_EQ(first, (std::vector<int32_t>{100, 101, 102, 103, 104, 105, 106}));
  const auto other = tpq::data::seeded_sample(split, 7, 43);  // another seed, another order
  std::vector<int32_t> a, b;
  for (std::size_t i = 0; i < 7; ++i) a.push_back(sample.ids_of(i)[0]), b.push_back(other.ids_of(i)[0]);
  EXPECT_NE(a, b);
}

TEST(SeededSample, HeadKeepsTheFirstRows) {
  const auto split = numbered_split(5);
  const auto head = tpq::data::head_of(split, 2);
  ASSERT_EQ(head.size(), 2u);
  EXPECT_EQ(head.ids_of(1)[0], 101);
  EXPECT_EQ(tpq::data::head_of(split, 0).size(), 5u);
}

}  // namespace
