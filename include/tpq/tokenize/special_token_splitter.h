// Finds added/special tokens ("[CLS]", "[MASK]", ...) verbatim in raw text before normalisation,
// as HF's AddedVocabulary does for tokens with normalized=false (leftmost-longest match).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tpq::tokenize {

class SpecialTokenSplitter {
 public:
  SpecialTokenSplitter() = default;
  explicit SpecialTokenSplitter(std::vector<std::pair<std::string, int64_t>> tokens);

  // Calls on_text(std::string_view) for each run of ordinary text (possibly none) and
  // on_special(int64_t id) for each special token, in text order.
  template <typename OnText, typename OnSpecial>
  void split(std::string_view text, OnText&& on_text, OnSpecial&& on_special) const {
    size_t run_start = 0;
    size_t pos = 0;
    while (pos < text.size()) {
      const auto [length, id] = match_at(text, pos);
      if (length == 0) {
        ++pos;
        continue;
      }
      if (pos > run_start) on_text(text.substr(run_start, pos - run_start));
      on_special(id);
      pos += length;
      run_start = pos;
    }
    if (text.size() > run_start) on_text(text.substr(run_start));
  }

 private:
  // Longest special token starting at text[pos]: (byte length, id), length 0 if none.
  std::pair<size_t, int64_t> match_at(std::string_view text, size_t pos) const;

  std::vector<std::pair<std::string, int64_t>> tokens_;  // sorted longest first
  bool first_byte_[256] = {};                             // quick reject for ordinary bytes
};

}  // namespace tpq::tokenize
