// Unit tests of the HF BertNormalizer port and the BertPreTokenizer split, piece by piece.
#include <gtest/gtest.h>

#include "tpq/tokenize/bert_normalizer.h"
#include "tpq/tokenize/bert_pre_tokenizer.h"
#include "tpq/tokenize/utf8.h"

namespace tpq::tokenize {
namespace {

std::string normalized(const std::string& text, BertNormalizerOptions options = {}) {
  return BertNormalizer(options).normalize_utf8(text);
}

std::vector<std::string> words_of(const std::string& text) {
  std::u32string code_points;
  decode_utf8(text, code_points);
  std::vector<std::u32string_view> words;
  split_bert_words(code_points, words);
  std::vector<std::string> out;
  for (const auto word : words) {
    out.emplace_back();
    encode_utf8(word, out.back());
  }
  return out;
}

TEST(BertNormalizerTest, DropsControlCharactersNulAndReplacementChar) {
  EXPECT_EQ(normalized(std::string("a\x01" "b\x7f" "c") + std::string(1, '\0') + "d\xEF\xBF\xBD" "e"), "abcde");
  EXPECT_EQ(normalized("a\u200Bb\u00ADc\uE000d"), "abcd");  // Cf (ZWSP, soft hyphen) and Co dropped
}

TEST(BertNormalizerTest, MapsWhitespaceToSpace) {
  EXPECT_EQ(normalized("a\tb\nc\rd\u00A0e\u3000f\u2028g"), "a b c d e f g");
  // U+000B/U+000C/U+0085 are control characters, so clean_text drops them before mapping.
  EXPECT_EQ(normalized("a\x0b" "b\x0c" "c\u0085d"), "abcd");
}

TEST(BertNormalizerTest, StripsAccentsWhenLowercasing) {
  EXPECT_EQ(normalized("Café naïve RÉSUMÉ"), "cafe naive resume");
  BertNormalizerOptions keep_accents;
  keep_accents.strip_accents = false;
  EXPECT_EQ(normalized("Café", keep_accents), "café");
  BertNormalizerOptions cased;
  cased.lowercase = false;  // strip_accents unset follows lowercase: accents kept too
  EXPECT_EQ(normalized("Café", cased), "Café");
}

TEST(BertNormalizerTest, SpacesCjkIdeographs) {
  EXPECT_EQ(normalized("中文ab字"), " 中  文 ab 字 ");
  EXPECT_EQ(normalized("한국어"), "\u1112\u1161\u11ab\u1100\u116e\u11a8\u110b\u1165");  // Hangul: NFD only
  BertNormalizerOptions no_cjk;
  no_cjk.handle_chinese_chars = false;
  EXPECT_EQ(normalized("中文", no_cjk), "中文");
}

TEST(BertNormalizerTest, LowercasesFullUnicode) {
  EXPECT_EQ(normalized("ÀÉÎ ΣΑΣ ДОМ"), "aei σασ дом");
  BertNormalizerOptions keep_accents;
  keep_accents.strip_accents = false;
  // Full lower-case mapping (Rust char::to_lowercase): U+0130 -> "i" + U+0307.
  EXPECT_EQ(normalized("\u0130", keep_accents), "i\u0307");
  EXPECT_EQ(normalized("\u0130"), "i");
}

TEST(BertNormalizerTest, InvalidUtf8BecomesReplacementAndIsDropped) {
  EXPECT_EQ(normalized("ab\xff\xfe" "c\xc3"), "abc");
  EXPECT_EQ(normalized("\xed\xa0\x80x"), "x");   // encoded surrogate
  EXPECT_EQ(normalized("\xc0\xafy"), "y");       // overlong '/'
  EXPECT_EQ(sanitize_utf8("a\xff"), "a\uFFFD");
  EXPECT_TRUE(is_valid_utf8("héllo 🙂"));
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));
}

TEST(BertPreTokenizerTest, SplitsWhitespaceAndIsolatesPunctuation) {
  EXPECT_EQ(words_of("I'd give 7/10... ok?!"),
            (std::vector<std::string>{"I", "'", "d", "give", "7", "/", "10", ".", ".", ".", "ok", "?", "!"}));
  EXPECT_EQ(words_of("  self-made  "), (std::vector<std::string>{"self", "-", "made"}));
  EXPECT_EQ(words_of("a—b «c» $5 ^_^"),  // — « » are P*, $ ^ are ASCII punctuation, _ too
            (std::vector<std::string>{"a", "—", "b", "«", "c", "»", "$", "5", "^", "_", "^"}));
  EXPECT_TRUE(words_of(" \t ").empty());
}

}  // namespace
}  // namespace tpq::tokenize
