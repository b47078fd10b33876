// Byte-level BPE against transformers 4.31's slow RobertaTokenizer: fixtures tiny-roberta-a/reference.json
// (9 sentences and a pair, padded) and roberta_tok_reference.json (110 IMDB and unicode items, truncated),
// loading from vocab.json + merges.txt and from a tokenizer.json that the test builds from those files.
#include <fstream>

#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "tpq/tokenize/bpe_tokenizer.h"

namespace tpq::tokenize {
namespace {

using nlohmann::json;

// A scratch model dir with copies of `files` only, so the loader under test cannot use another file.
void copy_fixture_files(const std::filesystem::path& fixture, const std::vector<std::string>& files,
                        const testing::ScratchDir& scratch) {
  for (const auto& file : files) std::filesystem::copy_file(fixture / file, scratch / file);
}

// The tokenizer.json that RobertaTokenizerFast would save for the fixture's vocab.json + merges.txt.
json roberta_tokenizer_json(const std::filesystem::path& fixture) {
  json merges = json::array();
  std::ifstream in(fixture / "merges.txt");
  std::string line;
  std::getline(in, line);  // #version
  while (std::getline(in, line)) {
    if (!line.empty()) merges.push_back(line);
  }
  auto added = [](int64_t id, const char* content, bool lstrip) {
    return json{{"id", id},      {"content", content}, {"single_word", false}, {"lstrip", lstrip},
                {"rstrip", false}, {"normalized", true}, {"special", true}};
  };
  return json{
      {"version", "1.0"},
      {"truncation", nullptr},
      {"padding", nullptr},
      {"added_tokens", {added(0, "<s>", false), added(1, "<pad>", false), added(2, "</s>", false),
                        added(3, "<unk>", false), added(50261, "<mask>", true)}},
      {"normalizer", nullptr},
      {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}}},
      {"post_processor",
       {{"type", "RobertaProcessing"}, {"sep", {"</s>", 2}}, {"cls", {"<s>", 0}}, {"trim_offsets", true},
        {"add_prefix_space", false}}},
      {"decoder", {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}}},
      {"model",
       {{"type", "BPE"}, {"dropout", nullptr}, {"unk_token", nullptr}, {"continuing_subword_prefix", ""},
        {"end_of_word_suffix", ""}, {"fuse_unk", false}, {"byte_fallback", false},
        {"vocab", testing::read_json_file(fixture / "vocab.json")}, {"merges", merges}}}};
}

void expect_matches_model_reference(const Tokenizer& tokenizer, const json& reference) {
  EncodeOptions options;
  options.max_length = reference["max_length"].get<int64_t>();
  options.pad_to_max_length = true;
  const auto& sentences = reference["sentences"];
  ASSERT_EQ(sentences.size(), 9u);
  for (size_t i = 0; i < sentences.size(); ++i) {
    SCOPED_TRACE("sentence " + std::to_string(i) + ": " + sentences[i].get<std::string>());
    const auto encoding = tokenizer.encode(sentences[i].get<std::string>(), std::nullopt, options);
    EXPECT_EQ(encoding.tokens, reference["tokens"][i].get<std::vector<std::string>>());
    EXPECT_EQ(encoding.input_ids, reference["input_ids"][i].get<std::vector<int64_t>>());
    EXPECT_EQ(encoding.attention_mask, reference["attention_mask"][i].get<std::vector<int64_t>>());
    EXPECT_EQ(encoding.token_type_ids, std::vector<int64_t>(encoding.input_ids.size(), 0));
  }
  const auto& pair = reference["pair"];
  options.max_length = pair["max_length"].get<int64_t>();
  const auto encoding = tokenizer.encode(pair["a"].get<std::string>(), pair["b"].get<std::string>(), options);
  EXPECT_EQ(encoding.tokens, pair["tokens"][0].get<std::vector<std::string>>());
  EXPECT_EQ(encoding.input_ids, pair["input_ids"][0].get<std::vector<int64_t>>());
  EXPECT_EQ(encoding.attention_mask, pair["attention_mask"][0].get<std::vector<int64_t>>());
  EXPECT_EQ(encoding.token_type_ids, std::vector<int64_t>(encoding.input_ids.size(), 0));
}

// Every item of roberta_tok_reference.json, tokens and ids; reports how many are identical.
void expect_matches_tokenizer_reference(const Tokenizer& tokenizer, const json& reference) {
  EncodeOptions options;
  options.max_length = reference["max_length"].get<int64_t>();
  options.truncation = reference["truncation"].get<bool>();
  const auto& items = reference["items"];
  ASSERT_EQ(items.size(), 110u);
  size_t identical = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    const auto& item = items[i];
    SCOPED_TRACE("item " + std::to_string(i) + " (" + item["group"].get<std::string>() + ")");
    const auto encoding = tokenizer.encode(item["text"].get<std::string>(), std::nullopt, options);
    EXPECT_EQ(encoding.tokens, item["tokens"].get<std::vector<std::string>>());
    EXPECT_EQ(encoding.input_ids, item["input_ids"].get<std::vector<int64_t>>());
    identical += encoding.input_ids == item["input_ids"].get<std::vector<int64_t>>() &&
                 encoding.tokens == item["tokens"].get<std::vector<std::string>>();
  }
  std::printf("[conformance] %zu/%zu items identical to the slow RobertaTokenizer\n", identical, items.size());
  ::testing::Test::RecordProperty("identical_items", static_cast<int>(identical));
}

TEST(BpeReferenceTest, MatchesRobertaTokenizerFromVocabAndMerges) {
  TPQ_REQUIRE_FIXTURE(fixture, "tiny-roberta-a");
  testing::ScratchDir scratch;
  copy_fixture_files(fixture, {"vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json"}, scratch);
  const auto tokenizer = load_tokenizer(scratch.path());
  ASSERT_EQ(tokenizer->kind(), "bpe");
  EXPECT_EQ(tokenizer->vocab_size(), 50262);
  EXPECT_EQ(tokenizer->cls_id(), 0);
  EXPECT_EQ(tokenizer->pad_id(), 1);
  EXPECT_EQ(tokenizer->sep_id(), 2);
  EXPECT_EQ(tokenizer->unk_id(), 3);
  EXPECT_EQ(tokenizer->mask_id(), 50261);
  EXPECT_FALSE(tokenizer->layout().has_token_type_ids);
  EXPECT_FALSE(tokenizer->model_max_length().has_value());  // int(1e30) in the fixture: no limit
  expect_matches_model_reference(*tokenizer, testing::read_json_file(fixture / "reference.json"));
}

TEST(BpeReferenceTest, MatchesAll110ItemsOfTheTokenizerReference) {
  TPQ_REQUIRE_FIXTURE(fixture, "tiny-roberta-a");
  const auto reference_path = testing::fixtures_root() / "roberta_tok_reference.json";
  TPQ_SKIP_UNLESS(std::filesystem::exists(reference_path), reference_path << " not found");
  expect_matches_tokenizer_reference(*BpeTokenizer::from_vocab_and_merges(fixture),
                                     testing::read_json_file(reference_path));
}

TEST(BpeReferenceTest, MatchesFromTokenizerJson) {
  TPQ_REQUIRE_FIXTURE(fixture, "tiny-roberta-a");
  testing::ScratchDir scratch;
  testing::write_text_file(scratch / "tokenizer.json", roberta_tokenizer_json(fixture).dump());
  const auto tokenizer = load_tokenizer(scratch.path());
  ASSERT_EQ(tokenizer->kind(), "bpe");
  EXPECT_EQ(tokenizer->vocab_size(), 50262);
  EXPECT_EQ(tokenizer->mask_id(), 50261);
  expect_matches_model_reference(*tokenizer, testing::read_json_file(fixture / "reference.json"));
  const auto reference_path = testing::fixtures_root() / "roberta_tok_reference.json";
  if (std::filesystem::exists(reference_path)) {
    expect_matches_tokenizer_reference(*tokenizer, testing::read_json_file(reference_path));
  }
}

TEST(BpeReferenceTest, SaveThenLoadKeepsEveryId) {
  TPQ_REQUIRE_FIXTURE(fixture, "tiny-roberta-a");
  testing::ScratchDir scratch;
  const auto original = BpeTokenizer::from_vocab_and_merges(fixture);
  original->save(scratch.path());
  for (const char* file : {"vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json"}) {
    EXPECT_TRUE(std::filesystem::exists(scratch / file)) << file;
  }
  EXPECT_FALSE(std::filesystem::exists(scratch / "added_tokens.json"));  // every special is in vocab.json
  const auto reloaded = BpeTokenizer::from_vocab_and_merges(scratch.path());
  EXPECT_TRUE(reloaded->vocab().tokens() == original->vocab().tokens());  // all 50 262 ids, not only those used
  EXPECT_TRUE(reloaded->merges() == original->merges());
  expect_matches_model_reference(*load_tokenizer(scratch.path()), testing::read_json_file(fixture / "reference.json"));
}

}  // namespace
}  // namespace tpq::tokenize
