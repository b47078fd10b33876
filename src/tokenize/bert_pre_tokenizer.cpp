// BertPreTokenizer: whitespace split, then punctuation isolated (Rust `tokenizers` semantics).
#include "tpq/tokenize/bert_pre_tokenizer.h"

#include "tpq/tokenize/unicode_classes.h"

namespace tpq::tokenize {

void split_bert_words(std::u32string_view text, std::vector<std::u32string_view>& words) {
  size_t word_start = 0;
  auto flush = [&](size_t end) {
    if (end > word_start) words.push_back(text.substr(word_start, end - word_start));
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char32_t c = text[i];
    if (is_bert_whitespace(c)) {
      flush(i);
      word_start = i + 1;
    } else if (is_bert_punctuation(c)) {
      flush(i);
      words.push_back(text.substr(i, 1));
      word_start = i + 1;
    }
  }
  flush(text.size());
}

}  // namespace tpq::tokenize
