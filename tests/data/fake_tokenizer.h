// Test double for tpq::tokenize::Tokenizer: whitespace words, ids from a tiny hash, [CLS]=1 [SEP]=2
// [PAD]=0, HF-style longest-first truncation. Counts encode() calls to observe cache hits.
#pragma once

#include <atomic>
#include <sstream>

#include "tpq/tokenize/tokenizer.h"

namespace tpq::testing {

class FakeTokenizer : public tokenize::Tokenizer {
 public:
  mutable std::atomic<int> encode_calls{0};

  tokenize::Encoding encode(const std::string& text, const std::optional<std::string>& text_pair,
                            const tokenize::EncodeOptions& options) const override {
    ++encode_calls;
    auto a = tokenize(text);
    std::vector<std::string> b = text_pair ? tokenize(*text_pair) : std::vector<std::string>{};
    const std::size_t specials = text_pair ? 3 : 2;
    while (options.truncation && a.size() + b.size() + specials > static_cast<std::size_t>(options.max_length)) {
      if (a.size() >= b.size()) a.pop_back(); else b.pop_back();
    }
    tokenize::Encoding encoding;
    const auto add = [&](const std::string& token, int64_t id, int64_t type) {
      encoding.tokens.push_back(token);
      encoding.input_ids.push_back(id);
      encoding.token_type_ids.push_back(type);
      encoding.attention_mask.push_back(1);
    };
    add("[CLS]", cls_id(), 0);
    for (const auto& token : a) add(token, id_of(token), 0);
    add("[SEP]", sep_id(), 0);
    if (text_pair) {
      for (const auto& token : b) add(token, id_of(token), 1);
      add("[SEP]", sep_id(), 1);
    }
    return encoding;
  }
  std::vector<std::string> tokenize(const std::string& text) const override {
    std::istringstream words(text);
    std::vector<std::string> tokens;
    for (std::string word; words >> word;) tokens.push_back(word);
    return tokens;
  }
  static int64_t id_of(const std::string& token) {
    int64_t hash = 7;
    for (char c : token) hash = (hash * 31 + static_cast<unsigned char>(c)) % 1000;
    return 5 + hash;
  }
  int64_t vocab_size() const override { return 1005; }
  int64_t pad_id() const override { return 0; }
  int64_t cls_id() const override { return 1; }
  int64_t sep_id() const override { return 2; }
  int64_t unk_id() const override { return 3; }
  int64_t mask_id() const override { return 4; }
  std::string kind() const override { return "fake"; }
  void save(const std::filesystem::path&) const override {}
};

}  // namespace tpq::testing
