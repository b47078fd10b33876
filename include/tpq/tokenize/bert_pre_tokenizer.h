// HF BertPreTokenizer: split normalised text on whitespace (removed) and isolate every
// punctuation character as its own word.
#pragma once

#include <string_view>
#include <vector>

namespace tpq::tokenize {

// Appends the words of `text` to `words` as views into `text` (never empty).
void split_bert_words(std::u32string_view text, std::vector<std::u32string_view>& words);

}  // namespace tpq::tokenize
