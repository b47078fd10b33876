// WordPiece behaviour on a hand-made vocab: ##-pieces, [UNK] rules, special tokens in text,
// pair layout, truncation, padding, bad-input errors and arbitrary bytes.
#include <random>

#include <gtest/gtest.h>

#include "support/encode_options.h"

#include "support/fixtures.h"
#include "tpq/core/error.h"
#include "tpq/tokenize/wordpiece_tokenizer.h"

namespace tpq::tokenize {
namespace {

const std::vector<std::string> kTinyVocab = {
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "##aff", "##able", "the", "cat", "sat", ".",
    "!", "[", "]", "x", "##x", "a", "b", "##s", "cafe", "-", "self", "made"};

WordPieceTokenizer tiny_wordpiece_tokenizer() {
  return WordPieceTokenizer(Vocab(kTinyVocab, "tiny"), WordPieceConfig{}, "tiny");
}

std::vector<std::string> tokens_of(const std::string& text) { return tiny_wordpiece_tokenizer().tokenize(text); }

using tpq::testing::encode_options;

TEST(WordPieceTokenizerTest, SplitsIntoContinuationPieces) {
  EXPECT_EQ(tokens_of("Unaffable cats"), (std::vector<std::string>{"un", "##aff", "##able", "cat", "##s"}));
  EXPECT_EQ(tokens_of("Self-made, CAFÉ!"),
            (std::vector<std::string>{"self", "-", "made", "[UNK]", "cafe", "!"}));  // ',' not in vocab
}

TEST(WordPieceTokenizerTest, WholeWordIsUnknownWhenAnyPieceFails) {
  EXPECT_EQ(tokens_of("unaffablez the"), (std::vector<std::string>{"[UNK]", "the"}));
  EXPECT_EQ(tokens_of("zcat"), (std::vector<std::string>{"[UNK]"}));
}

TEST(WordPieceTokenizerTest, WordsOver100CharactersAreUnknown) {
  const auto hundred = tokens_of(std::string(100, 'x'));
  ASSERT_EQ(hundred.size(), 100u);
  EXPECT_EQ(hundred.front(), "x");
  EXPECT_EQ(hundred.back(), "##x");
  EXPECT_EQ(tokens_of(std::string(101, 'x')), (std::vector<std::string>{"[UNK]"}));
  // The limit counts code points after normalisation: 100 x's plus an accent that is stripped.
  EXPECT_EQ(tokens_of(std::string(100, 'x') + "\u0301").size(), 100u);
}

TEST(WordPieceTokenizerTest, KeepsSpecialTokensWrittenInText) {
  EXPECT_EQ(tokens_of("the [MASK] sat.[SEP]"),
            (std::vector<std::string>{"the", "[MASK]", "sat", ".", "[SEP]"}));
  // Matching is case-sensitive and happens before lower-casing, as in HF.
  EXPECT_EQ(tokens_of("[mask]"), (std::vector<std::string>{"[", "[UNK]", "]"}));
}

TEST(WordPieceTokenizerTest, BuildsPairLayoutWithTypesAndPadding) {
  const auto encoding = tiny_wordpiece_tokenizer().encode("the cat", std::string("sat."), encode_options(10, true));
  EXPECT_EQ(encoding.tokens, (std::vector<std::string>{"[CLS]", "the", "cat", "[SEP]", "sat", ".", "[SEP]", "[PAD]",
                                                       "[PAD]", "[PAD]"}));
  EXPECT_EQ(encoding.input_ids, (std::vector<int64_t>{2, 8, 9, 3, 10, 11, 3, 0, 0, 0}));
  EXPECT_EQ(encoding.token_type_ids, (std::vector<int64_t>{0, 0, 0, 0, 1, 1, 1, 0, 0, 0}));
  EXPECT_EQ(encoding.attention_mask, (std::vector<int64_t>{1, 1, 1, 1, 1, 1, 1, 0, 0, 0}));
}

TEST(WordPieceTokenizerTest, TruncatesSingleTextAndPairsLongestFirst) {
  const auto tokenizer = tiny_wordpiece_tokenizer();
  const auto single = tokenizer.encode("a b a b a b", std::nullopt, encode_options(5));
  EXPECT_EQ(single.tokens, (std::vector<std::string>{"[CLS]", "a", "b", "a", "[SEP]"}));
  // Pair A=6, B=2, max 8 (budget 5): the longer A absorbs the cut, B stays whole.
  const auto pair = tokenizer.encode("a a a a a a", std::string("b b"), encode_options(8));
  EXPECT_EQ(pair.tokens, (std::vector<std::string>{"[CLS]", "a", "a", "a", "[SEP]", "b", "b", "[SEP]"}));
  // Equal lengths, odd budget 5: HF tokenizers gives A 2 and B 3 (B gets the odd token).
  const auto tie = tokenizer.encode("a a a a", std::string("b b b b"), encode_options(8));
  EXPECT_EQ(tie.tokens, (std::vector<std::string>{"[CLS]", "a", "a", "[SEP]", "b", "b", "b", "[SEP]"}));
  EXPECT_EQ(tie.token_type_ids, (std::vector<int64_t>{0, 0, 0, 0, 1, 1, 1, 1}));
  // Without truncation the sequence keeps its length; padding never shortens.
  EXPECT_EQ(tokenizer.encode("a a a a", std::nullopt, encode_options(3, true, false)).input_ids.size(), 6u);
}

TEST(WordPieceTokenizerTest, RejectsMaxLengthThatCannotHoldSpecials) {
  const auto tokenizer = tiny_wordpiece_tokenizer();
  EXPECT_THROW(tokenizer.encode("a", std::nullopt, encode_options(1)), UserError);
  EXPECT_THROW(tokenizer.encode("a", std::string("b"), encode_options(2)), UserError);
  EXPECT_EQ(tokenizer.encode("a", std::string("b"), encode_options(3)).tokens,
            (std::vector<std::string>{"[CLS]", "[SEP]", "[SEP]"}));
}

TEST(WordPieceTokenizerTest, NeverCrashesOnArbitraryBytes) {
  const auto tokenizer = tiny_wordpiece_tokenizer();
  std::mt19937 random(7);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> length(0, 64);
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    for (int i = length(random); i > 0; --i) text.push_back(static_cast<char>(byte(random)));
    const auto encoding = tokenizer.encode(text, text, encode_options(32, true));
    ASSERT_EQ(encoding.input_ids.size(), 32u);
    for (const int64_t id : encoding.input_ids) ASSERT_TRUE(id >= 0 && id < tokenizer.vocab_size());
  }
}

TEST(WordPieceTokenizerTest, RejectsBadVocabFilesWithOneLineMessages) {
  testing::ScratchDir dir;
  auto message_of = [&](auto&& load) -> std::string {
    try {
      load();
    } catch (const UserError& error) {
      return error.what();
    }
    return "no error";
  };
  EXPECT_NE(message_of([&] { WordPieceTokenizer::from_vocab_txt(dir.path()); }).find("vocab.txt"), std::string::npos);
  testing::write_text_file(dir / "vocab.txt", "");
  EXPECT_NE(message_of([&] { WordPieceTokenizer::from_vocab_txt(dir.path()); }).find("empty"), std::string::npos);
  testing::write_text_file(dir / "vocab.txt", "[PAD]\na\r\n[CLS]\na\n");
  EXPECT_NE(message_of([&] { WordPieceTokenizer::from_vocab_txt(dir.path()); }).find("'a' at lines 2 and 4"),
            std::string::npos);
  testing::write_text_file(dir / "vocab.txt", "[PAD]\n[UNK]\n[SEP]\n");
  EXPECT_NE(message_of([&] { WordPieceTokenizer::from_vocab_txt(dir.path()); }).find("'[CLS]'"), std::string::npos);
  testing::write_text_file(dir / "tokenizer.json", R"({"model": {"type": "WordPiece"}})");
  EXPECT_NE(message_of([&] { WordPieceTokenizer::from_tokenizer_json(dir.path()); }).find("model.vocab"),
            std::string::npos);
  testing::write_text_file(dir / "tokenizer.json", "{not json");
  EXPECT_NE(message_of([&] { WordPieceTokenizer::from_tokenizer_json(dir.path()); }).find("not valid JSON"),
            std::string::npos);
  testing::write_text_file(dir / "vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\n");
  testing::write_text_file(dir / "tokenizer_config.json", R"({"do_lower_case": "yes"})");
  EXPECT_NE(message_of([&] { WordPieceTokenizer::from_vocab_txt(dir.path()); }).find("do_lower_case"),
            std::string::npos);
}

TEST(WordPieceTokenizerTest, HonoursTokenizerConfigFlags) {
  testing::ScratchDir dir;
  std::string vocab;
  for (const auto& token : kTinyVocab) vocab += token + "\n";
  testing::write_text_file(dir / "vocab.txt", vocab + "Cat\ncafé\n");
  testing::write_text_file(dir / "tokenizer_config.json", R"({"do_lower_case": false})");
  EXPECT_EQ(WordPieceTokenizer::from_vocab_txt(dir.path())->tokenize("Cat café"),
            (std::vector<std::string>{"Cat", "café"}));
  testing::write_text_file(dir / "tokenizer_config.json", R"({"do_lower_case": true, "strip_accents": false})");
  EXPECT_EQ(WordPieceTokenizer::from_vocab_txt(dir.path())->tokenize("CAFÉ"), (std::vector<std::string>{"café"}));
}

}  // namespace
}  // namespace tpq::tokenize
