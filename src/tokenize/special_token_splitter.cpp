// Special-token matching: a first-byte table rejects almost every position, then the (few)
// candidate tokens are compared longest first, which gives leftmost-longest matches.
#include "tpq/tokenize/special_token_splitter.h"

#include <algorithm>

namespace tpq::tokenize {

SpecialTokenSplitter::SpecialTokenSplitter(std::vector<std::pair<std::string, int64_t>> tokens) {
  for (auto& token : tokens) {
    if (token.first.empty()) continue;
    first_byte_[static_cast<unsigned char>(token.first[0])] = true;
    tokens_.push_back(std::move(token));
  }
  std::stable_sort(tokens_.begin(), tokens_.end(),
                   [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

std::pair<size_t, int64_t> SpecialTokenSplitter::match_at(std::string_view text, size_t pos) const {
  if (!first_byte_[static_cast<unsigned char>(text[pos])]) return {0, 0};
  const std::string_view rest = text.substr(pos);
  for (const auto& [token, id] : tokens_) {
    if (rest.size() >= token.size() && rest.compare(0, token.size(), token) == 0) return {token.size(), id};
  }
  return {0, 0};
}

}  // namespace tpq::tokenize
