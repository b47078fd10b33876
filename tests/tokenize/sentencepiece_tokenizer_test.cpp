// sentencepiece through the dlopen()ed bridge, inside this torch-linked test binary: training
// (unigram, BPE), fixed special ids, shared layout, determinism, save/load and bad model files.
#include <random>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/fixtures.h"
#include "support/sanitizers.h"
#include "tpq/core/error.h"
#include "tpq/tokenize/sentencepiece_tokenizer.h"

namespace tpq::tokenize {
namespace {

// A few hundred review-like sentences from a seeded generator: small, fast, and varied enough
// for a 200-piece vocabulary.
std::vector<std::string> generated_corpus() {
  const std::vector<std::string> subjects = {"The film", "This movie", "The plot", "Her acting", "The ending",
                                             "His direction", "The soundtrack", "Every scene", "The cast"};
  const std::vector<std::string> verbs = {"was", "seemed", "felt", "looked", "became", "remained", "sounded"};
  const std::vector<std::string> adjectives = {"wonderful", "terrible", "overproduced", "charming", "boring",
                                               "unbelievable", "predictable", "beautiful", "confusing",
                                               "hilarious", "forgettable", "brilliant", "painful", "moving"};
  const std::vector<std::string> tails = {"", " and I loved it", " but too long", ", honestly", " from start to end",
                                          " in every way", " despite the budget", " for a sequel"};
  // Made-up names from syllables give the unigram trainer enough distinct substrings.
  const std::vector<std::string> syllables = {"ka", "mor", "lin", "dre", "su", "vex", "tal", "om", "bri", "zen",
                                              "qua", "ho", "pel", "gru", "ti", "nash", "el", "wyn", "jo", "rak"};
  std::mt19937 random(11);
  auto pick = [&](const std::vector<std::string>& options) { return options[random() % options.size()]; };
  std::vector<std::string> corpus;
  for (int i = 0; i < 400; ++i) {
    const std::string name = pick(syllables) + pick(syllables) + pick(syllables);
    corpus.push_back(pick(subjects) + " with " + name + " " + pick(verbs) + " " + pick(adjectives) + pick(tails) +
                     ". I'd rate it " + std::to_string(i % 10) + "/10.");
  }
  return corpus;
}

SentencePieceTrainOptions tiny_options(const std::string& model_type) {
  SentencePieceTrainOptions options;
  options.vocab_size = 200;
  options.model_type = model_type;
  return options;
}

EncodeOptions padded(int64_t max_length) {
  EncodeOptions options;
  options.max_length = max_length;
  options.pad_to_max_length = true;
  return options;
}

void expect_bert_layout(const Tokenizer& tokenizer) {
  EXPECT_EQ(tokenizer.kind(), "sentencepiece");
  EXPECT_EQ(tokenizer.vocab_size(), 200);
  EXPECT_EQ(tokenizer.pad_id(), 0);
  EXPECT_EQ(tokenizer.unk_id(), 1);
  EXPECT_EQ(tokenizer.cls_id(), 2);
  EXPECT_EQ(tokenizer.sep_id(), 3);
  EXPECT_EQ(tokenizer.mask_id(), 4);
  const auto encoding = tokenizer.encode("The film was CHARMING.", std::string("I'd rate it 9/10."), padded(64));
  ASSERT_EQ(encoding.input_ids.size(), 64u);
  EXPECT_EQ(encoding.input_ids.front(), 2);
  EXPECT_EQ(encoding.tokens.front(), "[CLS]");
  const auto real = static_cast<size_t>(std::count(encoding.attention_mask.begin(), encoding.attention_mask.end(), 1));
  ASSERT_GT(real, 4u);
  ASSERT_LT(real, 64u);
  EXPECT_EQ(encoding.input_ids[real - 1], 3);
  EXPECT_EQ(encoding.input_ids[real], 0);
  EXPECT_EQ(encoding.token_type_ids[real - 1], 1);
  EXPECT_EQ(std::count(encoding.input_ids.begin(), encoding.input_ids.end(), 3), 2);
  // Lower-case normalisation: case does not change the pieces.
  EXPECT_EQ(tokenizer.tokenize("THE FILM"), tokenizer.tokenize("the film"));
  // Truncation uses the same rules as WordPiece.
  EncodeOptions short_options;
  short_options.max_length = 6;
  EXPECT_EQ(tokenizer.encode("The film was wonderful and I loved it", std::nullopt, short_options).input_ids.size(), 6u);
}

TEST(SentencePieceTokenizerTest, TrainsUnigramInsideTorchProcess) {
  TPQ_SKIP_WITHOUT_SENTENCEPIECE();
  // The point of the bridge: sentencepiece works in a process that has LibTorch loaded and in use.
  ASSERT_EQ(torch::ones({2, 3}).sum().item<float>(), 6.0f);
  testing::ScratchDir dir;
  const auto tokenizer = SentencePieceTokenizer::train(generated_corpus(), dir.path(), tiny_options("unigram"));
  EXPECT_TRUE(std::filesystem::exists(dir / "sentencepiece.model"));
  EXPECT_TRUE(std::filesystem::exists(dir / "sentencepiece.vocab"));
  expect_bert_layout(*tokenizer);
  const auto ids = tokenizer->encode_pieces("the [MASK] was boring");
  EXPECT_NE(std::find(ids.begin(), ids.end(), 4), ids.end());
}

TEST(SentencePieceTokenizerTest, TrainsBpeFromCorpusFile) {
  TPQ_SKIP_WITHOUT_SENTENCEPIECE();
  testing::ScratchDir dir;
  std::string corpus;
  for (const auto& line : generated_corpus()) corpus += line + "\n";
  testing::write_text_file(dir / "corpus.txt", corpus);
  const auto tokenizer =
      SentencePieceTokenizer::train_from_file(dir / "corpus.txt", dir / "model", tiny_options("bpe"));
  expect_bert_layout(*tokenizer);
  const auto ids = tokenizer->encode_pieces("中");  // a character never seen in training
  EXPECT_NE(std::find(ids.begin(), ids.end(), 1), ids.end());
  EXPECT_NO_THROW(tokenizer->encode("bad \xff\xfe utf-8 \xc3", std::nullopt, padded(16)));
}

TEST(SentencePieceTokenizerTest, TrainingIsDeterministic) {
  TPQ_SKIP_WITHOUT_SENTENCEPIECE();
  testing::ScratchDir first, second;
  SentencePieceTokenizer::train(generated_corpus(), first.path(), tiny_options("unigram"));
  SentencePieceTokenizer::train(generated_corpus(), second.path(), tiny_options("unigram"));
  EXPECT_EQ(testing::run_command("cmp " + (first / "sentencepiece.vocab").string() + " " +
                                 (second / "sentencepiece.vocab").string())
                .exit_code,
            0);
}

TEST(SentencePieceTokenizerTest, SaveThenLoadTokenizerGivesSameIds) {
  TPQ_SKIP_WITHOUT_SENTENCEPIECE();
  testing::ScratchDir dir;
  const auto trained = SentencePieceTokenizer::train(generated_corpus(), dir / "trained", tiny_options("unigram"));
  trained->save(dir / "saved");
  const auto loaded = load_tokenizer(dir / "saved");
  ASSERT_EQ(loaded->kind(), "sentencepiece");
  const std::string text = "His direction felt predictable, but the cast was brilliant!";
  EXPECT_EQ(loaded->encode(text, std::nullopt, padded(32)).input_ids,
            trained->encode(text, std::nullopt, padded(32)).input_ids);
  EXPECT_EQ(loaded->tokenize(text), trained->tokenize(text));
}

TEST(SentencePieceTokenizerTest, RejectsBadModelsAndOptions) {
  TPQ_SKIP_WITHOUT_SENTENCEPIECE();
  testing::ScratchDir dir;
  testing::write_text_file(dir / "sentencepiece.model", "this is not a protobuf");
  EXPECT_THROW(load_tokenizer(dir.path()), UserError);
  EXPECT_THROW(SentencePieceTokenizer(dir / "missing.model"), UserError);
  EXPECT_THROW(SentencePieceTokenizer::train_from_file(dir / "no-corpus.txt", dir / "out", tiny_options("bpe")),
               UserError);
  EXPECT_THROW(SentencePieceTokenizer::train(generated_corpus(), dir / "out", tiny_options("word")), UserError);
  auto too_big = tiny_options("unigram");
  too_big.vocab_size = 100000;  // far more pieces than the corpus can supply
  EXPECT_THROW(SentencePieceTokenizer::train(generated_corpus(), dir / "out", too_big), UserError);
}

}  // namespace
}  // namespace tpq::tokenize
