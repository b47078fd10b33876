// Tests for dataset_stats(): hand-computed nearest-rank percentiles, truncation rate, class counts,
// character lengths in code points, duplicate counts and sample texts, with a whitespace counter.
#include <gtest/gtest.h>

#include "tpq/data/stats.h"

namespace tpq::data {
namespace {

DatasetSplits toy_splits() {
  DatasetSplits splits;
  const std::vector<std::string> names{"neg", "pos"};
  splits.train = {"toy", names, {{"a b c", std::nullopt, 0}, {"a", std::nullopt, 0},
                                  {"a b c d e f g", std::nullopt, 1}, {"a b", std::nullopt, 1}}};
  splits.validation = {"toy", names, {}};
  for (int words = 1; words <= 10; ++words) {
    std::string text;
    for (int w = 0; w < words; ++w) text += (w ? " w" : "w");
    splits.validation.examples.push_back({text, std::nullopt, words % 2});
  }
  splits.test = {"toy", names, {{"x y", std::string("z"), 0}, {"a", std::nullopt, 1}, {"\xC3\xA9 \xC3\xBC", std::nullopt, 1}}};
  splits.notes = {"toy note"};
  return splits;
}

TEST(DataStats, CountsWhitespaceTokens) {
  EXPECT_EQ(count_whitespace_tokens(""), 0u);
  EXPECT_EQ(count_whitespace_tokens("  a\tb\n c  "), 3u);
}

TEST(DataStats, HandComputedPercentilesAndTruncation) {
  StatsOptions options;
  options.max_length = 5;
  const auto stats = dataset_stats(toy_splits(), count_whitespace_tokens, options);
  const auto& train = stats["splits"]["train"];
  EXPECT_EQ(train["size"], 4);
  EXPECT_EQ(train["class_counts"]["neg"], 2);
  EXPECT_EQ(train["class_counts"]["pos"], 2);
  // Token lengths with [CLS]/[SEP]: 5, 3, 9, 4 -> sorted 3 4 5 9.
  EXPECT_EQ(train["token_length"]["min"], 3);
  EXPECT_EQ(train["token_length"]["p50"], 4);   // rank ceil(0.50*4) = 2
  EXPECT_EQ(train["token_length"]["p90"], 9);   // rank ceil(0.90*4) = 4
  EXPECT_EQ(train["token_length"]["p99"], 9);
  EXPECT_EQ(train["token_length"]["max"], 9);
  EXPECT_DOUBLE_EQ(train["token_length"]["mean"].get<double>(), 5.25);
  EXPECT_EQ(train["truncated"], 1);             // only 9 > 5
  EXPECT_DOUBLE_EQ(train["truncation_rate"].get<double>(), 0.25);
  // Characters: 5, 1, 13, 3 -> sorted 1 3 5 13.
  EXPECT_EQ(train["char_length"]["p50"], 3);
  EXPECT_DOUBLE_EQ(train["char_length"]["mean"].get<double>(), 5.5);

  // Validation: lengths 3..12.
  const auto& validation = stats["splits"]["validation"]["token_length"];
  EXPECT_EQ(validation["p50"], 7);   // rank 5
  EXPECT_EQ(validation["p90"], 11);  // rank 9
  EXPECT_EQ(validation["p95"], 12);  // rank ceil(9.5) = 10
  EXPECT_DOUBLE_EQ(validation["mean"].get<double>(), 7.5);
  EXPECT_EQ(stats["splits"]["validation"]["truncated"], 7);  // 6..12

  // Test: the pair costs a third special token: 2 + 1 + 3 = 6. Characters are code points:
  // "x y"+"z" = 4, "a" = 1, "é ü" = 3 (5 bytes) -> sorted 1 3 4, median 3.
  EXPECT_EQ(stats["splits"]["test"]["token_length"]["max"], 6);
  EXPECT_EQ(stats["splits"]["test"]["char_length"]["p50"], 3);
  EXPECT_EQ(stats["duplicate_texts"]["test_texts_in_train"], 1);  // "a"
  EXPECT_EQ(stats["total"], 17);
  EXPECT_EQ(stats["notes"][0], "toy note");
  EXPECT_EQ(stats["percentile_method"], "nearest-rank");
}

TEST(DataStats, SamplesPerClassCutAtCodePoints) {
  auto splits = toy_splits();
  std::string long_text;
  for (int i = 0; i < 250; ++i) long_text += "\xC3\xA9";  // é, 2 bytes
  splits.train.examples.insert(splits.train.examples.begin(), {long_text, std::nullopt, 1});
  const auto stats = dataset_stats(splits, count_whitespace_tokens, {});
  const auto& positives = stats["samples"]["pos"];
  ASSERT_EQ(positives.size(), 3u);
  EXPECT_EQ(positives[0]["text"].get<std::string>().size(), 400u);  // 200 code points
  EXPECT_EQ(positives[1]["text"], "a b c d e f g");
  EXPECT_EQ(stats["samples"]["neg"].size(), 2u);  // only two negatives in train
  EXPECT_NO_THROW(stats.dump());  // valid UTF-8 kept
}

}  // namespace
}  // namespace tpq::data
