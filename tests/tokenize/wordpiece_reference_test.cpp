// WordPiece against HF's fast BERT tokenizer outputs (fixture tiny-bert-a/reference.json), loading
// the vocab from vocab.txt and from tokenizer.json; plus a throughput measurement.
#include <chrono>

#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "tpq/tokenize/wordpiece_tokenizer.h"

namespace tpq::tokenize {
namespace {

// A scratch model dir holding only `file` (and tokenizer_config.json), so the loader under test
// cannot fall back to another file.
std::unique_ptr<WordPieceTokenizer> load_from_only(const std::filesystem::path& fixture, const std::string& file,
                                                   const testing::ScratchDir& scratch) {
  std::filesystem::copy_file(fixture / file, scratch / file);
  std::filesystem::copy_file(fixture / "tokenizer_config.json", scratch / "tokenizer_config.json");
  return file == "vocab.txt" ? WordPieceTokenizer::from_vocab_txt(scratch.path())
                             : WordPieceTokenizer::from_tokenizer_json(scratch.path());
}

void expect_matches_reference(const WordPieceTokenizer& tokenizer, const nlohmann::json& reference) {
  EncodeOptions options;
  options.max_length = reference["max_length"].get<int64_t>();
  options.pad_to_max_length = true;
  const auto& sentences = reference["sentences"];
  ASSERT_EQ(sentences.size(), 8u);
  for (size_t i = 0; i < sentences.size(); ++i) {
    SCOPED_TRACE("sentence " + std::to_string(i) + ": " + sentences[i].get<std::string>());
    const auto encoding = tokenizer.encode(sentences[i].get<std::string>(), std::nullopt, options);
    EXPECT_EQ(encoding.tokens, reference["tokens"][i].get<std::vector<std::string>>());
    EXPECT_EQ(encoding.input_ids, reference["input_ids"][i].get<std::vector<int64_t>>());
    EXPECT_EQ(encoding.attention_mask, reference["attention_mask"][i].get<std::vector<int64_t>>());
    EXPECT_EQ(encoding.token_type_ids, reference["token_type_ids"][i].get<std::vector<int64_t>>());
  }
  const auto& pair = reference["pair"];
  options.max_length = pair["max_length"].get<int64_t>();
  const auto encoding = tokenizer.encode(pair["a"].get<std::string>(), pair["b"].get<std::string>(), options);
  EXPECT_EQ(encoding.input_ids, pair["input_ids"][0].get<std::vector<int64_t>>());
  EXPECT_EQ(encoding.token_type_ids, pair["token_type_ids"][0].get<std::vector<int64_t>>());
  EXPECT_EQ(encoding.attention_mask, pair["attention_mask"][0].get<std::vector<int64_t>>());
}

TEST(WordPieceReferenceTest, MatchesHfFromVocabTxt) {
  TPQ_REQUIRE_FIXTURE(fixture, "tiny-bert-a");
  testing::ScratchDir scratch;
  const auto tokenizer = load_from_only(fixture, "vocab.txt", scratch);
  EXPECT_EQ(tokenizer->vocab_size(), 30522);
  EXPECT_EQ(tokenizer->mask_id(), 103);
  expect_matches_reference(*tokenizer, testing::read_json_file(fixture / "reference.json"));
}

TEST(WordPieceReferenceTest, MatchesHfFromTokenizerJson) {
  TPQ_REQUIRE_FIXTURE(fixture, "tiny-bert-a");
  testing::ScratchDir scratch;
  const auto tokenizer = load_from_only(fixture, "tokenizer.json", scratch);
  EXPECT_EQ(tokenizer->vocab_size(), 30522);
  expect_matches_reference(*tokenizer, testing::read_json_file(fixture / "reference.json"));
}

// DistilBERT uses BERT's WordPiece (fixture made by transformers 4.31's slow DistilBertTokenizer),
// and its tokenizer returns no token_type_ids: the layout says so and they are all 0.
TEST(WordPieceReferenceTest, MatchesDistilBertTokenizerWithoutTokenTypes) {
  TPQ_REQUIRE_FIXTURE(fixture, "tiny-distilbert-a");
  const auto tokenizer = load_tokenizer(fixture);
  ASSERT_EQ(tokenizer->kind(), "wordpiece");
  EXPECT_FALSE(tokenizer->layout().has_token_type_ids);
  const auto reference = testing::read_json_file(fixture / "reference.json");
  EncodeOptions options;
  options.max_length = reference["max_length"].get<int64_t>();
  options.pad_to_max_length = true;
  const auto& sentences = reference["sentences"];
  for (size_t i = 0; i < sentences.size(); ++i) {
    SCOPED_TRACE("sentence " + std::to_string(i));
    const auto encoding = tokenizer->encode(sentences[i].get<std::string>(), std::nullopt, options);
    EXPECT_EQ(encoding.tokens, reference["tokens"][i].get<std::vector<std::string>>());
    EXPECT_EQ(encoding.input_ids, reference["input_ids"][i].get<std::vector<int64_t>>());
    EXPECT_EQ(encoding.attention_mask, reference["attention_mask"][i].get<std::vector<int64_t>>());
  }
  const auto& pair = reference["pair"];
  options.max_length = pair["max_length"].get<int64_t>();
  const auto encoding = tokenizer->encode(pair["a"].get<std::string>(), pair["b"].get<std::string>(), options);
  EXPECT_EQ(encoding.input_ids, pair["input_ids"][0].get<std::vector<int64_t>>());
  EXPECT_EQ(encoding.token_type_ids, std::vector<int64_t>(encoding.input_ids.size(), 0));
  testing::ScratchDir saved;  // the class survives a save, so the reloaded layout has no types either
  tokenizer->save(saved.path());
  EXPECT_FALSE(load_tokenizer(saved.path())->layout().has_token_type_ids);
}

// Not a pass/fail check: reports throughput on review-like synthetic text (see the test log).
TEST(WordPieceReferenceTest, ReportsThroughputOnSyntheticReviews) {
  TPQ_REQUIRE_FIXTURE(fixture, "tiny-bert-a");
  const auto tokenizer = WordPieceTokenizer::from_vocab_txt(fixture);
  const std::vector<std::string> words = {"This", "movie", "was", "absolutely", "wonderful,", "the", "acting",
                                          "felt", "overproduced", "and", "self-indulgent.", "I'd", "give",
                                          "it", "7/10", "<br", "/><br", "/>", "Café", "unbelievably"};
  std::string review;
  for (size_t i = 0; i < 230; ++i) review += words[(i * 7 + i / 3) % words.size()] + " ";
  const int reviews = 2000;
  size_t tokens = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < reviews; ++i) tokens += tokenizer->encode_pieces(review).size();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double tokens_per_second = static_cast<double>(tokens) / seconds;
  std::printf("[throughput] %d reviews (%zu bytes each), %zu tokens in %.3f s: %.0f tokens/s, %.0f reviews/s\n",
              reviews, review.size(), tokens, seconds, tokens_per_second, reviews / seconds);
  RecordProperty("tokens_per_second", static_cast<int>(tokens_per_second));
  EXPECT_GT(tokens, 0u);
}

}  // namespace
}  // namespace tpq::tokenize
