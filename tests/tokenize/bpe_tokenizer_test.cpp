// Byte-level BPE behaviour on a tiny synthetic RoBERTa vocabulary; the expected tokens and ids were
// produced by transformers 4.31's slow RobertaTokenizer on the same files (../shared/tools/hf-python).
// Special-token whitespace, add_prefix_space, pair layout and truncation, padding, added tokens,
// save -> load, tokenizer.json, bad files, arbitrary bytes and threads.
#include <functional>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "support/encode_options.h"

#include "support/fixtures.h"
#include "tpq/core/error.h"
#include "tpq/tokenize/bpe_tokenizer.h"
#include "tpq/tokenize/byte_level.h"

namespace tpq::tokenize {
namespace {

using nlohmann::json;
using Tokens = std::vector<std::string>;
using Ids = std::vector<int64_t>;

const std::vector<BpeMerge> kMerges = {{"h", "e"},   {"l", "l"},     {"he", "ll"},  {"hell", "o"},
                                       {"Ġ", "hello"}, {"o", "r"},     {"w", "or"},   {"wor", "l"},
                                       {"worl", "d"},  {"Ġ", "world"}, {"Ġ", "a"},    {"Ġ", "b"}};

// <s>=0 <pad>=1 </s>=2 <unk>=3, the 256 byte characters (4..259), the merge results (260..271), <mask>=272.
Tokens tiny_tokens(bool with_mask = true) {
  Tokens tokens = {"<s>", "<pad>", "</s>", "<unk>"};
  for (int byte = 0; byte < 256; ++byte) {
    tokens.emplace_back();
    append_byte_level(std::string(1, static_cast<char>(byte)), tokens.back());
  }
  for (const auto& [left, right] : kMerges) {
    if (std::find(tokens.begin(), tokens.end(), left + right) == tokens.end()) tokens.push_back(left + right);
  }
  if (with_mask) tokens.emplace_back("<mask>");
  return tokens;
}

void write_tiny_files(const std::filesystem::path& dir, bool with_mask = true) {
  json vocab = json::object();
  const Tokens tokens = tiny_tokens(with_mask);
  for (size_t id = 0; id < tokens.size(); ++id) vocab[tokens[id]] = id;
  testing::write_text_file(dir / "vocab.json", vocab.dump());
  std::string merges = "#version: 0.2\n";
  for (const auto& [left, right] : kMerges) merges += left + " " + right + "\n";
  testing::write_text_file(dir / "merges.txt", merges);
}

BpeTokenizer tiny_bpe_tokenizer(BpeConfig config = {}) {
  return BpeTokenizer(BpeVocabulary{tiny_tokens(), tiny_tokens().size(), kMerges}, std::move(config), "tiny");
}

using tpq::testing::encode_options;

std::string message_of(const std::function<void()>& load) {
  try {
    load();
  } catch (const UserError& error) {
    return error.what();
  }
  return "no error";
}

TEST(BpeTokenizerTest, KeepsWhitespaceAroundSpecialTokensAsRobertaTokenizer) {
  const auto tokenizer = tiny_bpe_tokenizer();
  EXPECT_EQ(tokenizer.tokenize("hello world"), (Tokens{"hello", "Ġworld"}));
  // <mask> eats the space on its left (lstrip); <s> and </s> eat nothing.
  EXPECT_EQ(tokenizer.tokenize("hello <mask> world"), (Tokens{"hello", "<mask>", "Ġworld"}));
  EXPECT_EQ(tokenizer.tokenize("hello<mask>world"), (Tokens{"hello", "<mask>", "world"}));
  EXPECT_EQ(tokenizer.tokenize("a <s> b"), (Tokens{"a", "Ġ", "<s>", "Ġb"}));
  EXPECT_EQ(tokenizer.tokenize("a </s>  b"), (Tokens{"a", "Ġ", "</s>", "Ġ", "Ġb"}));
  EXPECT_EQ(tokenizer.tokenize("  <mask>  x"), (Tokens{"<mask>", "Ġ", "Ġ", "x"}));
  EXPECT_EQ(tokenizer.tokenize("a\u00a0<mask>"), (Tokens{"a", "<mask>"}));  // str.rstrip() takes U+00A0 too
  EXPECT_EQ(tokenizer.encode_pieces("<pad><unk>"), (Ids{1, 3}));
  EXPECT_EQ(tokenizer.encode("hello <mask> world", std::nullopt, encode_options(16)).input_ids, (Ids{0, 263, 272, 269, 2}));
}

TEST(BpeTokenizerTest, SpecialTokensMapDecidesWhitespaceAsTransformersDoes) {
  testing::ScratchDir dir;
  write_tiny_files(dir.path());
  // A plain "</s>" does not strip: eos_token is still an AddedToken with that content. The <mask> here
  // eats the space on its right instead of its left.
  testing::write_text_file(dir / "special_tokens_map.json",
                           R"({"sep_token": "</s>", "mask_token": {"content": "<mask>", "lstrip": false, "rstrip": true}})");
  const auto tokenizer = load_tokenizer(dir.path());
  EXPECT_EQ(tokenizer->tokenize("a </s> b"), (Tokens{"a", "Ġ", "</s>", "Ġb"}));
  EXPECT_EQ(tokenizer->tokenize("hello <mask> world"), (Tokens{"hello", "Ġ", "<mask>", "world"}));
  EXPECT_EQ(tokenizer->tokenize("a\t</s>\u3000b"), (Tokens{"a", "ĉ", "</s>", "ã", "Ģ", "Ģ", "b"}));
}

TEST(BpeTokenizerTest, AddsPrefixSpaceUnlessTheTextStartsWithWhitespace) {
  BpeConfig config;
  config.add_prefix_space = true;
  const auto tokenizer = tiny_bpe_tokenizer(config);
  EXPECT_EQ(tokenizer.tokenize("hello"), (Tokens{"Ġhello"}));
  EXPECT_EQ(tokenizer.tokenize(" hello"), (Tokens{"Ġhello"}));
  EXPECT_EQ(tokenizer.tokenize("\u00a0hello"), (Tokens{"Â", "ł", "hello"}));
  EXPECT_EQ(tokenizer.tokenize("\x1chello"), (Tokens{"Ĝ", "hello"}));  // str.isspace() says yes
  EXPECT_EQ(tokenizer.tokenize("<s>hello"), (Tokens{"Ġ", "<s>", "hello"}));  // once, before the split
  EXPECT_EQ(tokenizer.encode("", std::nullopt, encode_options(8)).input_ids, (Ids{0, 2}));
}

TEST(BpeTokenizerTest, LaysOutPairsAsRobertaWithoutTokenTypes) {
  const auto tokenizer = tiny_bpe_tokenizer();
  const auto encoding = tokenizer.encode("hello", std::string("world"), encode_options(9, true));
  EXPECT_EQ(encoding.tokens, (Tokens{"<s>", "hello", "</s>", "</s>", "world", "</s>", "<pad>", "<pad>", "<pad>"}));
  EXPECT_EQ(encoding.input_ids, (Ids{0, 263, 2, 2, 268, 2, 1, 1, 1}));
  EXPECT_EQ(encoding.attention_mask, (Ids{1, 1, 1, 1, 1, 1, 0, 0, 0}));
  EXPECT_EQ(encoding.token_type_ids, Ids(9, 0));
  const SpecialTokensLayout layout = tokenizer.layout();
  EXPECT_EQ(layout.special_count(false), 2u);
  EXPECT_EQ(layout.special_count(true), 4u);
  EXPECT_FALSE(layout.has_token_type_ids);
}

TEST(BpeTokenizerTest, TruncatesPairsOneTokenAtATimeAsTheSlowTokenizer) {
  const auto tokenizer = tiny_bpe_tokenizer();
  auto lengths = [&](const std::string& a, const std::string& b, int64_t max_length) {
    const auto tokens = tokenizer.encode(a, b, encode_options(max_length)).tokens;
    const auto middle = std::find(tokens.begin(), tokens.end(), "</s>");
    return std::make_pair(middle - tokens.begin() - 1, tokens.end() - middle - 3);
  };
  using Lengths = std::pair<std::ptrdiff_t, std::ptrdiff_t>;
  EXPECT_EQ(lengths("a a a a a", "b b b b b", 11), Lengths(4, 3));  // a tie: A keeps the odd token
  EXPECT_EQ(lengths("a a a a a a a", "b b b", 10), Lengths(3, 3));
  EXPECT_EQ(lengths("a a a", "b b b b b b b", 10), Lengths(3, 3));
  EXPECT_EQ(lengths("a a a a a a", "b b b b b b b b", 11), Lengths(4, 3));  // B longer, yet A keeps it
  EXPECT_EQ(tokenizer.encode("a a a a", std::nullopt, encode_options(4)).tokens, (Tokens{"<s>", "a", "Ġa", "</s>"}));
  EXPECT_THROW(tokenizer.encode("a", std::nullopt, encode_options(1)), UserError);
  EXPECT_THROW(tokenizer.encode("a", std::string("b"), encode_options(3)), UserError);  // a pair needs 4 specials
  EXPECT_EQ(tokenizer.encode("a", std::string("b"), encode_options(4)).tokens, (Tokens{"<s>", "</s>", "</s>", "</s>"}));
  EXPECT_EQ(tokenizer.encode("a a a", std::nullopt, encode_options(3, true, false)).input_ids.size(), 5u);
}

TEST(BpeTokenizerTest, AddedTokensStripBothSidesAndSaveRoundTrips) {
  testing::ScratchDir dir;
  write_tiny_files(dir.path());
  testing::write_text_file(dir / "added_tokens.json", R"({"newtok": 273, "<extra>": 274})");
  testing::write_text_file(dir / "special_tokens_map.json", R"({"additional_special_tokens": ["<extra>"]})");
  testing::write_text_file(dir / "tokenizer_config.json", R"({"model_max_length": 128, "add_prefix_space": false})");
  const auto loaded = load_tokenizer(dir.path());
  EXPECT_EQ(loaded->vocab_size(), 275);
  EXPECT_EQ(loaded->model_max_length(), std::optional<int64_t>(128));
  const std::vector<std::pair<std::string, Ids>> cases = {
      {"hello newtok world", {263, 273, 268}}, {"a <extra> b", {101, 274, 102}}, {"hellonewtokworld", {263, 273, 268}}};
  for (const auto& [text, ids] : cases) EXPECT_EQ(dynamic_cast<const BpeTokenizer&>(*loaded).encode_pieces(text), ids) << text;

  testing::ScratchDir saved;
  loaded->save(saved.path());
  EXPECT_TRUE(std::filesystem::exists(saved / "added_tokens.json"));
  const auto reloaded = load_tokenizer(saved.path());
  EXPECT_EQ(reloaded->vocab_size(), 275);
  EXPECT_EQ(reloaded->model_max_length(), std::optional<int64_t>(128));
  for (const auto& [text, ids] : cases) EXPECT_EQ(reloaded->tokenize(text), loaded->tokenize(text)) << text;
}

TEST(BpeTokenizerTest, SaveKeepsOptionsAndPlainTokens) {
  BpeConfig config;
  config.add_prefix_space = true;
  config.unk.plain = true;  // special_tokens_map.json gave "<unk>" as a plain string: strips both sides
  const auto original = tiny_bpe_tokenizer(config);
  testing::ScratchDir dir;
  original.save(dir.path());
  const auto settings = testing::read_json_file(dir / "tokenizer_config.json");
  EXPECT_EQ(settings["tokenizer_class"], "RobertaTokenizer");
  EXPECT_EQ(settings["mask_token"]["__type"], "AddedToken");
  EXPECT_EQ(settings["mask_token"]["lstrip"], true);
  EXPECT_EQ(testing::read_json_file(dir / "special_tokens_map.json")["unk_token"], "<unk>");
  const auto loaded = BpeTokenizer::from_vocab_and_merges(dir.path());
  EXPECT_TRUE(loaded->config().add_prefix_space);
  EXPECT_TRUE(loaded->config().unk.plain);
  for (const std::string text : {"hello world", "a <unk> b", "x <mask>", "<s>hello"}) {
    EXPECT_EQ(loaded->encode(text, std::string("b"), encode_options(16)).input_ids,
              original.encode(text, std::string("b"), encode_options(16)).input_ids)
        << text;
  }
  EXPECT_EQ(loaded->tokenize("a <unk> b"), (Tokens{"Ġa", "<unk>", "b"}));
}

TEST(BpeTokenizerTest, AppendsMissingSpecialTokensAsTransformers) {
  testing::ScratchDir dir;
  write_tiny_files(dir.path(), /*with_mask=*/false);
  const auto tokenizer = load_tokenizer(dir.path());
  EXPECT_EQ(tokenizer->mask_id(), 272);  // appended after the vocabulary, as sanitize_special_tokens
  EXPECT_EQ(tokenizer->vocab_size(), 273);
  EXPECT_EQ(tokenizer->tokenize("x <mask>"), (Tokens{"x", "<mask>"}));
}

TEST(BpeTokenizerTest, ReadsTokenizerJsonWithListMergesAndAddedTokens) {
  testing::ScratchDir dir;
  json vocab = json::object();
  const Tokens tokens = tiny_tokens();
  for (size_t id = 0; id < tokens.size(); ++id) vocab[tokens[id]] = id;
  json merges = json::array();
  for (const auto& [left, right] : kMerges) merges.push_back({left, right});  // tokenizers >= 0.20 style
  json tokenizer = {
      {"added_tokens",
       {{{"id", 272}, {"content", "<mask>"}, {"lstrip", true}, {"rstrip", false}, {"special", true}},
        {{"id", 273}, {"content", "newtok"}, {"lstrip", false}, {"rstrip", true}, {"special", false}}}},
      {"normalizer", nullptr},
      {"pre_tokenizer", {{"type", "Sequence"}, {"pretokenizers", {{{"type", "ByteLevel"}, {"add_prefix_space", true}}}}}},
      {"post_processor", {{"type", "RobertaProcessing"}, {"sep", {"</s>", 2}}, {"cls", {"<s>", 0}}}},
      {"model", {{"type", "BPE"}, {"dropout", nullptr}, {"vocab", vocab}, {"merges", merges}}}};
  testing::write_text_file(dir / "tokenizer.json", tokenizer.dump());
  const auto loaded = load_tokenizer(dir.path());
  ASSERT_EQ(loaded->kind(), "bpe");
  EXPECT_EQ(loaded->vocab_size(), 274);
  EXPECT_EQ(loaded->tokenize("hello newtok world <mask>"), (Tokens{"Ġhello", "Ġ", "newtok", "world", "<mask>"}));
  EXPECT_EQ(loaded->encode("hello", std::nullopt, encode_options(8)).input_ids, (Ids{0, 264, 2}));
}

TEST(BpeTokenizerTest, RejectsBadFilesWithOneLineMessages) {
  testing::ScratchDir dir;
  auto expect_error = [&](const std::string& needle, const std::string& file) {
    const std::string message = message_of([&] { load_tokenizer(dir.path()); });
    EXPECT_NE(message.find(needle), std::string::npos) << message;
    EXPECT_NE(message.find(file), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  };
  write_tiny_files(dir.path());
  std::filesystem::remove(dir / "merges.txt");
  expect_error("file not found", "merges.txt");
  testing::write_text_file(dir / "merges.txt", "#version: 0.2\nh e\nl l x\n");
  expect_error("merges.txt:3: expected two tokens", "merges.txt");
  testing::write_text_file(dir / "merges.txt", "#version: 0.2\nh \xff\n");
  expect_error("not valid UTF-8", "merges.txt:2");
  write_tiny_files(dir.path());
  testing::write_text_file(dir / "vocab.json", "{\"a\": 0,");
  expect_error("not valid JSON", "vocab.json");
  testing::write_text_file(dir / "vocab.json", R"(["a", "b"])");
  expect_error("expected a non-empty JSON object", "vocab.json");
  testing::write_text_file(dir / "vocab.json", R"({"<unk>": 0, "<s>": 2})");
  expect_error("without gaps", "vocab.json");
  testing::write_text_file(dir / "vocab.json", R"({"<s>": 0, "</s>": 1, "<pad>": 2})");
  expect_error("lacks the unk_token '<unk>'", "vocab.json");
  write_tiny_files(dir.path());
  testing::write_text_file(dir / "added_tokens.json", R"({"x": 300})");
  expect_error("next free id is 273", "added_tokens.json");
  std::filesystem::remove(dir / "added_tokens.json");
  testing::write_text_file(dir / "tokenizer_config.json", R"({"add_prefix_space": "yes"})");
  expect_error("'add_prefix_space' must be true or false", "tokenizer_config.json");
  testing::write_text_file(dir / "tokenizer_config.json", R"({"tokenizer_class": "GPT2Tokenizer"})");
  expect_error("tokenizer_class 'GPT2Tokenizer' is not supported", "tokenizer_config.json");
  testing::write_text_file(dir / "tokenizer_config.json", R"({"mask_token": 5})");
  expect_error("'mask_token' must be a string", "tokenizer_config.json");
}

TEST(BpeTokenizerTest, RejectsTokenizerJsonItCannotReproduce) {
  testing::ScratchDir dir;
  const json good = {{"pre_tokenizer", {{"type", "ByteLevel"}}},
                     {"post_processor", {{"type", "RobertaProcessing"}, {"sep", {"</s>", 2}}, {"cls", {"<s>", 0}}}},
                     {"model", {{"type", "BPE"}, {"vocab", {{"<s>", 0}, {"<pad>", 1}, {"</s>", 2}, {"<unk>", 3}}},
                                {"merges", json::array()}}}};
  auto expect_error = [&](json tokenizer, const std::string& needle) {
    testing::write_text_file(dir / "tokenizer.json", tokenizer.dump());
    const std::string message = message_of([&] { load_tokenizer(dir.path()); });
    EXPECT_NE(message.find(needle), std::string::npos) << message;
    EXPECT_NE(message.find("tokenizer.json"), std::string::npos) << message;
  };
  testing::write_text_file(dir / "tokenizer.json", good.dump());
  EXPECT_EQ(load_tokenizer(dir.path())->vocab_size(), 5);  // <mask> appended
  json changed = good;
  changed["model"]["dropout"] = 0.1;
  expect_error(changed, "dropout");
  changed = good;
  changed["normalizer"] = {{"type", "Lowercase"}};
  expect_error(changed, "normalizer 'Lowercase'");
  changed = good;
  changed["pre_tokenizer"] = {{"type", "Whitespace"}};
  expect_error(changed, "pre_tokenizer 'Whitespace'");
  changed = good;
  changed["post_processor"] = {{"type", "TemplateProcessing"}};
  expect_error(changed, "post_processor 'TemplateProcessing'");
  changed = good;
  changed["model"]["merges"] = {"a b c"};
  expect_error(changed, "model.merges[0]");
  changed = good;
  changed["model"]["type"] = "Unigram";
  expect_error(changed, "model.type 'Unigram'");
}

TEST(BpeTokenizerTest, NeverCrashesOnArbitraryBytes) {
  const auto tokenizer = tiny_bpe_tokenizer();
  std::mt19937 random(7);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> length(0, 64);
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    for (int i = length(random); i > 0; --i) text.push_back(static_cast<char>(byte(random)));
    if (round % 3 == 0) text += "<mask> <s>";
    const auto encoding = tokenizer.encode(text, text, encode_options(32, true));
    ASSERT_EQ(encoding.input_ids.size(), 32u);
    for (const int64_t id : encoding.input_ids) ASSERT_TRUE(id >= 0 && id < tokenizer.vocab_size());
  }
  // Malformed UTF-8 becomes U+FFFD (EF BF BD) before the byte-level mapping, as errors="replace".
  EXPECT_EQ(tokenizer.tokenize("a\xff"), (Tokens{"a", "ï", "¿", "½"}));
}

TEST(BpeTokenizerTest, GivesTheSameIdsOnEveryThreadAndTokenizer) {
  const auto tokenizer = tiny_bpe_tokenizer();
  const std::vector<BpeMerge> fewer_merges(kMerges.begin(), kMerges.begin() + 3);  // no "hell o"
  const BpeTokenizer other(BpeVocabulary{tiny_tokens(), tiny_tokens().size(), fewer_merges}, BpeConfig{}, "other");
  const std::string text = "hello world, hello <mask> world!";
  const Ids expected = tokenizer.encode_pieces(text);
  // Alternating tokenizers on one thread must not share cached words: "hello" differs between them.
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(other.encode_pieces("hello"), (Ids{262, 115}));  // "hell" "o"
    EXPECT_EQ(tokenizer.encode_pieces("hello"), (Ids{263}));
  }
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) mismatches[t] += tokenizer.encode_pieces(text) != expected;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace tpq::tokenize
