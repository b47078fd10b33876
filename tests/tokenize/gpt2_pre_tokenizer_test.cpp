// The GPT-2 regex scanner against matches of Python's `regex` module (findall of the same pattern,
// expectations generated with it), and GPT-2's byte <-> unicode table.
#include <gtest/gtest.h>

#include "tpq/tokenize/byte_level.h"
#include "tpq/tokenize/gpt2_pre_tokenizer.h"

namespace tpq::tokenize {
namespace {

std::vector<std::string> pieces_of(const std::string& text) {
  Gpt2PreTokenizer scanner(text);
  std::vector<std::string> pieces;
  for (std::string_view piece; scanner.next(piece);) pieces.emplace_back(piece);
  return pieces;
}

using Pieces = std::vector<std::string>;

TEST(Gpt2PreTokenizerTest, SplitsContractionsOnlyAtTheirStart) {
  EXPECT_EQ(pieces_of("I'd give it 7/10... don't"),
            (Pieces{"I", "'d", " give", " it", " 7", "/", "10", "...", " don", "'t"}));
  // Case-sensitive; after a space or inside a run of punctuation the apostrophe is punctuation.
  EXPECT_EQ(pieces_of("'S 'sa ''s !'s 're'll"),
            (Pieces{"'", "S", " '", "sa", " ''", "s", " !'", "s", " '", "re", "'ll"}));
}

TEST(Gpt2PreTokenizerTest, KeepsTheLastSpaceForTheNextWord) {
  EXPECT_EQ(pieces_of("a  b   c"), (Pieces{"a", " ", " b", "  ", " c"}));
  EXPECT_EQ(pieces_of("  start"), (Pieces{" ", " start"}));
  EXPECT_EQ(pieces_of("end  "), (Pieces{"end", "  "}));  // at the end the whole run is one match
  EXPECT_EQ(pieces_of("  "), (Pieces{"  "}));
  EXPECT_EQ(pieces_of(" "), (Pieces{" "}));
  EXPECT_TRUE(pieces_of("").empty());
}

TEST(Gpt2PreTokenizerTest, OtherWhitespaceStandsAlone) {
  EXPECT_EQ(pieces_of("a\n\nb"), (Pieces{"a", "\n", "\n", "b"}));
  EXPECT_EQ(pieces_of("a \n b"), (Pieces{"a", " \n", " b"}));
  EXPECT_EQ(pieces_of("x\t y"), (Pieces{"x", "\t", " y"}));
  EXPECT_EQ(pieces_of("tab\tend\t"), (Pieces{"tab", "\t", "end", "\t"}));
  // U+00A0 and U+3000 are \s; only U+0020 may lead a word.
  EXPECT_EQ(pieces_of("a\u00a0b \u3000c"), (Pieces{"a", "\u00a0", "b", " ", "\u3000", "c"}));
  EXPECT_EQ(pieces_of("\u2028x"), (Pieces{"\u2028", "x"}));
  // U+001C is whitespace to str.isspace() but not to the regex's \s.
  EXPECT_EQ(pieces_of("x\x1cy"), (Pieces{"x", "\x1c", "y"}));
}

TEST(Gpt2PreTokenizerTest, UsesUnicodeLettersAndNumbers) {
  EXPECT_EQ(pieces_of("Café naïve 中文字符 emoji 🙂 too"),
            (Pieces{"Café", " naïve", " 中文字符", " emoji", " 🙂", " too"}));
  EXPECT_EQ(pieces_of("e\u0301 combining"), (Pieces{"e", "\u0301", " combining"}));  // Mn is neither L nor N
  EXPECT_EQ(pieces_of("½ Ⅻ ٣ numbers"), (Pieces{"½", " Ⅻ", " ٣", " numbers"}));  // No, Nl, Nd
  EXPECT_EQ(pieces_of("½5 ²³!½ Ⅻ2"), (Pieces{"½5", " ²³", "!", "½", " Ⅻ2"}));  // one \p{N} run
  EXPECT_EQ(pieces_of("ǅa ʰb 中ー"), (Pieces{"ǅa", " ʰb", " 中ー"}));  // Lt, Lm and Lo are \p{L}
  EXPECT_EQ(pieces_of("$5,000.00!!"), (Pieces{"$", "5", ",", "000", ".", "00", "!!"}));
  EXPECT_EQ(pieces_of("🙂🙂 🙂"), (Pieces{"🙂🙂", " 🙂"}));
  EXPECT_EQ(pieces_of(" 's"), (Pieces{" '", "s"}));
}

TEST(ByteLevelTest, MapsBytesLikeGpt2) {
  EXPECT_EQ(byte_to_unicode('A'), U'A');
  EXPECT_EQ(byte_to_unicode(' '), U'\u0120');  // Ġ
  EXPECT_EQ(byte_to_unicode('\n'), U'\u010A');  // Ċ
  EXPECT_EQ(byte_to_unicode(0), U'\u0100');
  EXPECT_EQ(byte_to_unicode(0x7F), U'\u0121');
  EXPECT_EQ(byte_to_unicode(0xAD), U'\u0143');  // the last of the 68 moved bytes
  EXPECT_EQ(byte_to_unicode(0xE9), U'\u00E9');
  for (int byte = 0; byte < 256; ++byte) EXPECT_EQ(unicode_to_byte(byte_to_unicode(static_cast<uint8_t>(byte))), byte);
  EXPECT_EQ(unicode_to_byte(U' '), -1);
  EXPECT_EQ(unicode_to_byte(U'\u0144'), -1);
  std::string mapped;
  append_byte_level("é 🙂", mapped);
  EXPECT_EQ(mapped, "Ã©ĠðŁĻĤ");
  std::string bytes;
  EXPECT_TRUE(decode_byte_level(mapped, bytes));
  EXPECT_EQ(bytes, "é 🙂");
  EXPECT_FALSE(decode_byte_level(" ", bytes));
}

}  // namespace
}  // namespace tpq::tokenize
