// Tests for tokenize_split() and the binary token cache: layout of the encodings, thread-count
// independence, cache hits, key changes, and corrupt or truncated cache files being rebuilt.
#include <fstream>

#include <gtest/gtest.h>

#include "data/fake_tokenizer.h"
#include "support/fixtures.h"
#include "tpq/data/token_cache.h"

namespace tpq::data {
namespace {

using tpq::testing::FakeTokenizer;
using tpq::testing::ScratchDir;

Dataset toy_dataset(std::size_t count) {
  Dataset dataset{"toy", {"neg", "pos"}, {}};
  for (std::size_t i = 0; i < count; ++i) {
    std::string text;
    for (std::size_t w = 0; w <= i % 13; ++w) text += "word" + std::to_string(w) + " ";
    std::optional<std::string> pair;
    if (i % 5 == 0) pair = "pair text " + std::to_string(i);
    dataset.examples.push_back({text, pair, static_cast<int64_t>(i % 2)});
  }
  return dataset;
}

void expect_same(const TokenizedSplit& a, const TokenizedSplit& b) {
  EXPECT_EQ(a.offsets, b.offsets);
  EXPECT_EQ(a.input_ids, b.input_ids);
  EXPECT_EQ(a.token_type_ids, b.token_type_ids);
  EXPECT_EQ(a.labels, b.labels);
  EXPECT_EQ(a.pad_id, b.pad_id);
  EXPECT_EQ(a.max_length, b.max_length);
}

std::vector<std::filesystem::path> cache_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) files.push_back(entry.path());
  return files;
}

TEST(DataCache, TokenizesWithSpecialTokensAndTruncation) {
  FakeTokenizer tokenizer;
  const auto dataset = toy_dataset(100);
  const auto split = tokenize_split(dataset, tokenizer, 8, 1);
  ASSERT_EQ(split.size(), 100u);
  EXPECT_EQ(split.length(1), 4u);  // [CLS] word0 word1 [SEP]
  EXPECT_EQ(split.ids_of(1)[0], 1);
  EXPECT_EQ(split.ids_of(1)[3], 2);
  EXPECT_EQ(split.ids_of(1)[1], FakeTokenizer::id_of("word0"));
  for (std::size_t i = 0; i < split.size(); ++i) EXPECT_LE(split.length(i), 8u);
  EXPECT_EQ(split.types_of(5)[split.length(5) - 1], 1);  // pair's [SEP] has type 1
  EXPECT_EQ(split.labels[3], 1);
  expect_same(split, tokenize_split(dataset, tokenizer, 8, 3));  // thread count does not matter
}

TEST(DataCache, RoundTripHitAndKeyChanges) {
  ScratchDir dir;
  FakeTokenizer tokenizer;
  const auto dataset = toy_dataset(60);
  TokenCacheOptions options;
  options.cache_dir = dir / "cache";
  options.dataset_fingerprint = "toy-spec";
  options.tokenizer_identity = "fake:v1";
  const auto first = tokenize_split_cached(dataset, "train", tokenizer, 16, options);
  EXPECT_EQ(tokenizer.encode_calls.load(), 60);
  ASSERT_EQ(cache_files(options.cache_dir).size(), 1u);
  const auto second = tokenize_split_cached(dataset, "train", tokenizer, 16, options);
  EXPECT_EQ(tokenizer.encode_calls.load(), 60);  // served from the cache
  expect_same(first, second);

  tokenize_split_cached(dataset, "train", tokenizer, 12, options);  // other max_length
  options.tokenizer_identity = "fake:v2";
  tokenize_split_cached(dataset, "train", tokenizer, 16, options);  // other tokenizer
  auto changed = dataset;
  changed.examples[7].text += "!";
  tokenize_split_cached(changed, "train", tokenizer, 16, options);  // other content
  tokenize_split_cached(changed, "train", tokenizer, 16, options, tokenize::Truncation::parse("head_tail", 4, "test"));
  EXPECT_EQ(tokenizer.encode_calls.load(), 300);  // other truncation
  EXPECT_EQ(cache_files(options.cache_dir).size(), 5u);
}

TEST(DataCache, CorruptOrTruncatedCacheIsRebuilt) {
  ScratchDir dir;
  FakeTokenizer tokenizer;
  const auto dataset = toy_dataset(40);
  TokenCacheOptions options;
  options.cache_dir = dir.path();
  options.tokenizer_identity = "fake:v1";
  const auto original = tokenize_split_cached(dataset, "test", tokenizer, 16, options);
  const auto file = cache_files(dir.path()).at(0);
  const auto size = std::filesystem::file_size(file);

  {  // flip one byte in the token ids
    std::fstream stream(file, std::ios::in | std::ios::out | std::ios::binary);
    stream.seekp(static_cast<std::streamoff>(size / 2));
    char byte = 0;
    stream.read(&byte, 1);
    stream.seekp(static_cast<std::streamoff>(size / 2));
    byte = static_cast<char>(byte ^ 0x5A);
    stream.write(&byte, 1);
  }
  EXPECT_FALSE(read_token_cache(file, token_cache_key(dataset, "test", 16, options)).has_value());
  expect_same(original, tokenize_split_cached(dataset, "test", tokenizer, 16, options));
  EXPECT_EQ(tokenizer.encode_calls.load(), 80);  // rebuilt
  EXPECT_TRUE(read_token_cache(file, token_cache_key(dataset, "test", 16, options)).has_value());  // rewritten

  std::filesystem::resize_file(file, size - 9);
  expect_same(original, tokenize_split_cached(dataset, "test", tokenizer, 16, options));
  EXPECT_EQ(tokenizer.encode_calls.load(), 120);

  tpq::testing::write_text_file(file, "");  // empty file
  expect_same(original, tokenize_split_cached(dataset, "test", tokenizer, 16, options));
  EXPECT_EQ(tokenizer.encode_calls.load(), 160);
  EXPECT_FALSE(read_token_cache(file, "another-key").has_value());
}

TEST(DataCache, NoIdentityMeansNoCache) {
  ScratchDir dir;
  FakeTokenizer tokenizer;
  TokenCacheOptions options;
  options.cache_dir = dir / "cache";
  tokenize_split_cached(toy_dataset(5), "train", tokenizer, 16, options);
  EXPECT_FALSE(std::filesystem::exists(options.cache_dir));
}

TEST(DataCache, ContentHashIsStable) {
  // A golden value: the hash must not change between runs or machines (cache files depend on it).
  EXPECT_EQ(examples_content_hash(toy_dataset(3)), examples_content_hash(toy_dataset(3)));
  EXPECT_NE(examples_content_hash(toy_dataset(3)), examples_content_hash(toy_dataset(4)));
  EXPECT_EQ(examples_content_hash(toy_dataset(3)), std::string("00edb5816523f210"));
}

}  // namespace
}  // namespace tpq::data
