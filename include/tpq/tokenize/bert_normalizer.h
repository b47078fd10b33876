// HF BertNormalizer (Rust `tokenizers` crate): clean_text, CJK spacing, accent stripping and
// lower-casing, applied in that order to a sequence of code points.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tpq::tokenize {

struct BertNormalizerOptions {
  bool clean_text = true;             // drop U+0000, U+FFFD, Cc/Cf/Co; whitespace -> ' '
  bool handle_chinese_chars = true;   // put spaces around CJK ideographs
  std::optional<bool> strip_accents;  // NFD then drop Mn; unset: follows `lowercase` (as HF)
  bool lowercase = true;              // full Unicode lower-case mapping

  bool strips_accents() const { return strip_accents.value_or(lowercase); }
};

class BertNormalizer {
 public:
  explicit BertNormalizer(BertNormalizerOptions options = {}) : options_(options) {}

  // Appends the normalised form of `input` to `out` (existing contents of `out` are kept).
  void normalize(std::u32string_view input, std::u32string& out) const;

  // UTF-8 in, UTF-8 out (invalid bytes become U+FFFD first). Convenient for tests and tools.
  std::string normalize_utf8(std::string_view text) const;

  const BertNormalizerOptions& options() const { return options_; }

 private:
  // Appends c after accent stripping and lower-casing (clean_text/CJK already applied).
  void append_folded(char32_t c, std::u32string& out, bool& saw_combining) const;

  BertNormalizerOptions options_;
};

}  // namespace tpq::tokenize
