// Tests for seeded stratified splitting and class-balanced capping (tpq/data/split.h).
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "tpq/core/error.h"
#include "data/split.h"

namespace tpq::data {
namespace {

std::vector<Example> make_examples(std::size_t negatives, std::size_t positives) {
  std::vector<Example> examples;
  for (std::size_t i = 0; i < negatives + positives; ++i) {
    examples.push_back({"text " + std::to_string(i), std::nullopt, i < negatives ? 0 : 1});
  }
  return examples;
}

std::vector<std::string> texts(const std::vector<Example>& examples) {
  std::vector<std::string> out;
  for (const auto& example : examples) out.push_back(example.text);
  return out;
}

std::map<int64_t, std::size_t> class_counts(const std::vector<Example>& examples) {
  std::map<int64_t, std::size_t> counts;
  for (const auto& example : examples) ++counts[example.label];
  return counts;
}

TEST(DataSplit, SameSeedSameSplitDifferentSeedDifferent) {
  const auto examples = make_examples(60, 40);
  const auto first = stratified_split(examples, {0.5, 0.25, 0.25}, 7);
  const auto again = stratified_split(examples, {0.5, 0.25, 0.25}, 7);
  const auto other = stratified_split(examples, {0.5, 0.25, 0.25}, 8);
  for (int part = 0; part < 3; ++part) EXPECT_EQ(texts(first[part]), texts(again[part]));
  EXPECT_NE(texts(first[0]), texts(other[0]));
}

TEST(DataSplit, GoldenOrderIsPlatformIndependent) {
  // The standard fixes mt19937_64's output ([rand.predef]: 10000th value of the default engine)...
  std::mt19937_64 standard;
  standard.discard(9999);
  EXPECT_EQ(standard(), 9981545732273789042ull);
  // ...and the bounded sampling and Fisher-Yates are ours, so this order is the same everywhere.
  std::mt19937_64 generator(42);
  std::vector<int> values{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  seeded_shuffle(values, generator);
  EXPECT_EQ(values, (std::vector<int>{1, 7, 9, 0, 3, 8, 4, 2, 5, 6}));
}

TEST(DataSplit, StratifiedProportionsPerClass) {
  const auto parts = stratified_split(make_examples(60, 40), {0.5, 0.25, 0.25}, 1);
  EXPECT_EQ(class_counts(parts[0]), (std::map<int64_t, std::size_t>{{0, 30}, {1, 20}}));
  EXPECT_EQ(class_counts(parts[1]), (std::map<int64_t, std::size_t>{{0, 15}, {1, 10}}));
  EXPECT_EQ(class_counts(parts[2]), (std::map<int64_t, std::size_t>{{0, 15}, {1, 10}}));
  std::set<std::string> all;
  for (const auto& part : parts) for (const auto& text : texts(part)) all.insert(text);
  EXPECT_EQ(all.size(), 100u);  // a partition: nothing lost or duplicated
}

TEST(DataSplit, RemaindersGoToLargestFractions) {
  // 7 per class at 0.5/0.25/0.25 -> 3.5/1.75/1.75 -> floors 3/1/1, the two left go to the largest
  // remainders (0.75, 0.75) -> 3/2/2 per class.
  auto parts = stratified_split(make_examples(7, 7), {0.5, 0.25, 0.25}, 3);
  EXPECT_EQ(parts[0].size(), 6u);
  EXPECT_EQ(parts[1].size(), 4u);
  EXPECT_EQ(parts[2].size(), 4u);
  // 5 per class at 0.5/0.25/0.25 -> 2.5/1.25/1.25 -> 2/1/1 + one to the largest remainder (train).
  parts = stratified_split(make_examples(5, 5), {0.5, 0.25, 0.25}, 3);
  EXPECT_EQ(parts[0].size(), 6u);
  EXPECT_EQ(parts[1].size(), 2u);
  // 2 per class at 0.6/0.2/0.2 -> 1.2/0.4/0.4 -> 1/0/0, ties (0.4, 0.4) go to the earlier part.
  parts = stratified_split(make_examples(2, 2), {0.6, 0.2, 0.2}, 3);
  EXPECT_EQ(parts[1].size(), 2u);
  EXPECT_EQ(parts[2].size(), 0u);
}

TEST(DataSplit, RejectsBadFractions) {
  const auto examples = make_examples(5, 5);
  EXPECT_THROW(stratified_split(examples, {0.5, 0.3, 0.3}, 1), UserError);
  EXPECT_THROW(stratified_split(examples, {1.2, -0.1, -0.1}, 1), UserError);
  try {
    stratified_split(examples, {0.6, 0.6, -0.2}, 1);
    FAIL();
  } catch (const UserError& error) {
    EXPECT_NE(std::string(error.what()).find("negative"), std::string::npos) << error.what();
  }
}

TEST(DataSplit, TakeStratifiedKeepsBalanceAndOrder) {
  const auto parts = stratified_split(make_examples(80, 20), {1.0}, 5);
  const auto taken = take_stratified(parts[0], 10);
  EXPECT_EQ(class_counts(taken), (std::map<int64_t, std::size_t>{{0, 8}, {1, 2}}));
  // Order preserved: taken is a subsequence of the shuffled split.
  std::size_t at = 0;
  for (const auto& example : parts[0]) {
    if (at < taken.size() && example.text == taken[at].text) ++at;
  }
  EXPECT_EQ(at, taken.size());
  EXPECT_EQ(take_stratified(parts[0], 0).size(), 100u);
  EXPECT_EQ(take_stratified(parts[0], 1000).size(), 100u);
}

}  // namespace
}  // namespace tpq::data
