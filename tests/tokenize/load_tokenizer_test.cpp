// load_tokenizer(): which file wins, the error for an empty directory, and WordPiece save -> load.
#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "tpq/core/error.h"
#include "tpq/tokenize/wordpiece_tokenizer.h"

namespace tpq::tokenize {
namespace {

TEST(LoadTokenizerTest, NamesTheDirectoryWhenNothingIsThere) {
  testing::ScratchDir dir;
  try {
    load_tokenizer(dir.path());
    FAIL() << "expected UserError";
  } catch (const UserError& error) {
    EXPECT_NE(std::string(error.what()).find(dir.path().string()), std::string::npos);
  }
  EXPECT_THROW(load_tokenizer(dir / "absent"), UserError);
}

TEST(LoadTokenizerTest, WordPieceSaveThenLoadKeepsVocabAndFlags) {
  testing::ScratchDir dir;
  WordPieceConfig config;
  config.normalizer.lowercase = false;
  const WordPieceTokenizer original(Vocab({"[PAD]", "[UNK]", "[CLS]", "[SEP]", "Cat", "cat", "[X]"}, "test"),
                                    config, "test");
  WordPieceConfig with_extra = config;
  with_extra.additional_special_tokens = {"[X]"};
  const WordPieceTokenizer extended(Vocab(original.vocab().tokens(), "test"), with_extra, "test");
  extended.save(dir.path());
  const auto loaded = load_tokenizer(dir.path());
  EXPECT_EQ(loaded->kind(), "wordpiece");
  EXPECT_EQ(loaded->vocab_size(), 7);
  EXPECT_EQ(loaded->mask_id(), -1);  // this vocab has no [MASK]
  EXPECT_EQ(loaded->tokenize("Cat cat[X]"), (std::vector<std::string>{"Cat", "cat", "[X]"}));
}

TEST(LoadTokenizerTest, PrefersVocabTxtOverTokenizerJson) {
  TPQ_REQUIRE_FIXTURE(fixture, "tiny-bert-a");
  testing::ScratchDir dir;
  testing::write_text_file(dir / "vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\n");
  std::filesystem::copy_file(fixture / "tokenizer.json", dir / "tokenizer.json");
  EXPECT_EQ(load_tokenizer(dir.path())->vocab_size(), 4);
  std::filesystem::remove(dir / "vocab.txt");
  EXPECT_EQ(load_tokenizer(dir.path())->vocab_size(), 30522);
}

}  // namespace
}  // namespace tpq::tokenize
