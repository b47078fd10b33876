// The shared layout: HF tokenizers' and transformers' longest_first pair lengths, and special/pad
// placement for the BERT and RoBERTa layouts.
#include <gtest/gtest.h>

#include "tpq/core/error.h"
#include "tpq/tokenize/encoding_layout.h"

namespace tpq::tokenize {
namespace {

TEST(TokenizerLayoutTest, LongestFirstLengthsFollowHfTokenizers) {
  using Lengths = std::pair<size_t, size_t>;
  EXPECT_EQ(longest_first_lengths(3, 4, 10), Lengths(3, 4));   // fits: untouched
  EXPECT_EQ(longest_first_lengths(10, 3, 8), Lengths(5, 3));   // only the longer one is cut
  EXPECT_EQ(longest_first_lengths(3, 10, 8), Lengths(3, 5));
  EXPECT_EQ(longest_first_lengths(10, 12, 9), Lengths(4, 5));  // both cut: budget/2, longer gets the odd one
  EXPECT_EQ(longest_first_lengths(12, 10, 9), Lengths(5, 4));
  EXPECT_EQ(longest_first_lengths(5, 5, 7), Lengths(3, 4));    // tie: B gets the odd token
  EXPECT_EQ(longest_first_lengths(5, 5, 8), Lengths(4, 4));
  EXPECT_EQ(longest_first_lengths(4, 0, 2), Lengths(2, 0));
  EXPECT_EQ(longest_first_lengths(1, 1, 0), Lengths(0, 0));
}

TEST(TokenizerLayoutTest, TransformersLongestFirstLetsAKeepTheOddToken) {
  using Lengths = std::pair<size_t, size_t>;
  // Results of transformers 4.31's truncate_sequences loop for the same inputs.
  EXPECT_EQ(transformers_longest_first_lengths(3, 4, 10), Lengths(3, 4));
  EXPECT_EQ(transformers_longest_first_lengths(10, 3, 8), Lengths(5, 3));
  EXPECT_EQ(transformers_longest_first_lengths(3, 10, 8), Lengths(3, 5));
  EXPECT_EQ(transformers_longest_first_lengths(10, 12, 9), Lengths(5, 4));  // tokenizers: (4, 5)
  EXPECT_EQ(transformers_longest_first_lengths(12, 10, 9), Lengths(5, 4));
  EXPECT_EQ(transformers_longest_first_lengths(5, 5, 7), Lengths(4, 3));    // tokenizers: (3, 4)
  EXPECT_EQ(transformers_longest_first_lengths(5, 5, 8), Lengths(4, 4));
  EXPECT_EQ(transformers_longest_first_lengths(4, 0, 2), Lengths(2, 0));
  EXPECT_EQ(transformers_longest_first_lengths(1, 1, 0), Lengths(0, 0));
  // Against the loop itself on every small case.
  for (size_t a = 0; a < 12; ++a) {
    for (size_t b = 0; b < 12; ++b) {
      for (size_t budget = 0; budget <= a + b + 1; ++budget) {
        size_t loop_a = a, loop_b = b;
        while (loop_a + loop_b > budget) (loop_a > loop_b ? loop_a : loop_b) -= 1;
        ASSERT_EQ(transformers_longest_first_lengths(a, b, budget), Lengths(loop_a, loop_b)) << a << " " << b << " " << budget;
      }
    }
  }
}

TEST(TokenizerLayoutTest, TruncationKeepsHeadTailOrBoth) {
  const std::vector<std::string> table = {"[PAD]", "[CLS]", "[SEP]", "a", "b", "c", "d", "e", "f", "g", "h"};
  const auto layout = SpecialTokensLayout::bert(1, 2, 0);
  const std::vector<int64_t> text = {3, 4, 5, 6, 7, 8, 9, 10};  // a..h
  EncodeOptions options;
  options.max_length = 7;  // 5 pieces survive
  EXPECT_EQ(assemble_encoding(text, std::nullopt, layout, options, table).input_ids,
            (std::vector<int64_t>{1, 3, 4, 5, 6, 7, 2}));  // HF's default: the head
  options.cut = Truncation::parse("tail", 0, "test");
  EXPECT_EQ(assemble_encoding(text, std::nullopt, layout, options, table).input_ids,
            (std::vector<int64_t>{1, 6, 7, 8, 9, 10, 2}));
  options.cut = Truncation::parse("head_tail", 2, "test");
  EXPECT_EQ(assemble_encoding(text, std::nullopt, layout, options, table).input_ids,
            (std::vector<int64_t>{1, 3, 4, 8, 9, 10, 2}));
  options.cut.head_tokens = 9;  // more than fits: the head alone
  EXPECT_EQ(assemble_encoding(text, std::nullopt, layout, options, table).input_ids,
            (std::vector<int64_t>{1, 3, 4, 5, 6, 7, 2}));
  options.cut.head_tokens = 2;
  options.max_length = 20;  // fits: nothing is cut
  EXPECT_EQ(assemble_encoding(text, std::nullopt, layout, options, table).input_ids.size(), 10u);
  // A pair: the pair rule sets the lengths (A 3, B 2), the cut picks each text's pieces.
  options.max_length = 8;
  EXPECT_EQ(assemble_encoding({3, 4, 5, 6, 7}, std::vector<int64_t>{8, 9, 10}, layout, options, table).input_ids,
            (std::vector<int64_t>{1, 3, 4, 7, 2, 8, 9, 2}));  // B: 2 pieces, both from the head
}

TEST(TokenizerLayoutTest, TruncationNamesAreCheckedWithTheFix) {
  EXPECT_EQ(Truncation::parse("head_tail", 64, "data.truncation").name(), "head_tail");
  EXPECT_EQ(Truncation{}.name(), "head");
  try {
    Truncation::parse("middle", 0, "data.truncation");
    FAIL() << "an unknown truncation was accepted";
  } catch (const UserError& error) {
    EXPECT_NE(std::string(error.what()).find("use head (HF's default), tail or head_tail"), std::string::npos) << error.what();
  }
  EXPECT_THROW(Truncation::parse("head_tail", -1, "data.truncation"), UserError);
}

TEST(TokenizerLayoutTest, PlacesRobertaSpecialsWithoutTokenTypes) {
  const std::vector<std::string> table = {"<s>", "<pad>", "</s>", "x", "y"};
  EncodeOptions options;
  options.max_length = 9;
  options.pad_to_max_length = true;
  const auto layout = SpecialTokensLayout::roberta(0, 2, 1);
  const auto pair = assemble_encoding({3, 3}, std::vector<int64_t>{4}, layout, options, table);
  EXPECT_EQ(pair.tokens, (std::vector<std::string>{"<s>", "x", "x", "</s>", "</s>", "y", "</s>", "<pad>", "<pad>"}));
  EXPECT_EQ(pair.token_type_ids, std::vector<int64_t>(9, 0));
  EXPECT_EQ(pair.attention_mask, (std::vector<int64_t>{1, 1, 1, 1, 1, 1, 1, 0, 0}));
  options.max_length = 6;  // budget 2 for (2, 1): fits after one cut from A
  EXPECT_EQ(assemble_encoding({3, 3, 3}, std::vector<int64_t>{4}, layout, options, table).input_ids,
            (std::vector<int64_t>{0, 3, 2, 2, 4, 2}));
  options.max_length = 3;
  EXPECT_THROW(assemble_encoding({}, std::vector<int64_t>{}, layout, options, table), UserError);
}

TEST(TokenizerLayoutTest, PlacesSpecialsTypesAndPadding) {
  const std::vector<std::string> table = {"[PAD]", "[CLS]", "[SEP]", "x", "y"};
  EncodeOptions options;
  options.max_length = 7;
  options.pad_to_max_length = true;
  const auto single = assemble_encoding({3, 3}, std::nullopt, SpecialTokensLayout::bert(1, 2, 0), options, table);
  EXPECT_EQ(single.tokens, (std::vector<std::string>{"[CLS]", "x", "x", "[SEP]", "[PAD]", "[PAD]", "[PAD]"}));
  EXPECT_EQ(single.attention_mask, (std::vector<int64_t>{1, 1, 1, 1, 0, 0, 0}));
  EXPECT_EQ(single.token_type_ids, (std::vector<int64_t>{0, 0, 0, 0, 0, 0, 0}));
  const auto pair = assemble_encoding({}, std::vector<int64_t>{4}, SpecialTokensLayout::bert(1, 2, 0), options, table);
  EXPECT_EQ(pair.input_ids, (std::vector<int64_t>{1, 2, 4, 2, 0, 0, 0}));
  EXPECT_EQ(pair.token_type_ids, (std::vector<int64_t>{0, 0, 1, 1, 0, 0, 0}));
  options.pad_to_max_length = false;
  EXPECT_EQ(assemble_encoding({}, std::nullopt, SpecialTokensLayout::bert(1, 2, 0), options, table).input_ids.size(), 2u);
  options.max_length = 1;
  EXPECT_THROW(assemble_encoding({}, std::nullopt, SpecialTokensLayout::bert(1, 2, 0), options, table), UserError);
}

}  // namespace
}  // namespace tpq::tokenize
