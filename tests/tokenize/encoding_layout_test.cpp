// The shared layout: HF tokenizers' LongestFirst pair lengths and special/pad placement.
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

TEST(TokenizerLayoutTest, PlacesSpecialsTypesAndPadding) {
  const std::vector<std::string> table = {"[PAD]", "[CLS]", "[SEP]", "x", "y"};
  EncodeOptions options;
  options.max_length = 7;
  options.pad_to_max_length = true;
  const auto single = assemble_encoding({3, 3}, std::nullopt, SpecialTokenIds{1, 2, 0}, options, table);
  EXPECT_EQ(single.tokens, (std::vector<std::string>{"[CLS]", "x", "x", "[SEP]", "[PAD]", "[PAD]", "[PAD]"}));
  EXPECT_EQ(single.attention_mask, (std::vector<int64_t>{1, 1, 1, 1, 0, 0, 0}));
  EXPECT_EQ(single.token_type_ids, (std::vector<int64_t>{0, 0, 0, 0, 0, 0, 0}));
  const auto pair = assemble_encoding({}, std::vector<int64_t>{4}, SpecialTokenIds{1, 2, 0}, options, table);
  EXPECT_EQ(pair.input_ids, (std::vector<int64_t>{1, 2, 4, 2, 0, 0, 0}));
  EXPECT_EQ(pair.token_type_ids, (std::vector<int64_t>{0, 0, 1, 1, 0, 0, 0}));
  options.pad_to_max_length = false;
  EXPECT_EQ(assemble_encoding({}, std::nullopt, SpecialTokenIds{1, 2, 0}, options, table).input_ids.size(), 2u);
  options.max_length = 1;
  EXPECT_THROW(assemble_encoding({}, std::nullopt, SpecialTokenIds{1, 2, 0}, options, table), UserError);
}

}  // namespace
}  // namespace tpq::tokenize
