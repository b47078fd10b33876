// GPT-2's pre-tokenizer regex, 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+,
// as a hand-written scanner over code points with Python `regex` semantics (re.findall order).
#pragma once

#include <string_view>

namespace tpq::tokenize {

// Yields the regex's matches of a valid UTF-8 text, left to right, as views into it. Together
// they cover the text exactly (every character belongs to one alternative).
class Gpt2PreTokenizer {
 public:
  explicit Gpt2PreTokenizer(std::string_view text) : text_(text) {}

  // The next match, or false at the end of the text.
  bool next(std::string_view& piece);

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace tpq::tokenize
