// Specials, truncation and padding for both tokenizers (one implementation so WordPiece and
// sentencepiece models see identical layouts).
#include "tpq/tokenize/encoding_layout.h"

#include <algorithm>

#include "tpq/core/error.h"

namespace tpq::tokenize {

std::pair<size_t, size_t> longest_first_lengths(size_t length_a, size_t length_b, size_t budget) {
  if (length_a + length_b <= budget) return {length_a, length_b};
  // Mirrors tokenizers/src/utils/truncation.rs (n1 = shorter, n2 = longer).
  const bool swapped = length_a > length_b;
  size_t shorter = swapped ? length_b : length_a;
  size_t longer = swapped ? length_a : length_b;
  longer = shorter > budget ? shorter : std::max(shorter, budget - shorter);
  if (shorter + longer > budget) {
    shorter = budget / 2;
    longer = shorter + budget % 2;
  }
  return swapped ? std::make_pair(longer, shorter) : std::make_pair(shorter, longer);
}

Encoding assemble_encoding(std::vector<int64_t> ids_a, std::optional<std::vector<int64_t>> ids_b,
                           const SpecialTokenIds& specials, const EncodeOptions& options,
                           const std::vector<std::string>& id_to_token) {
  const int64_t special_count = ids_b ? 3 : 2;
  if (options.truncation) {
    require(options.max_length >= special_count,
            "tokenizer: max_length " + std::to_string(options.max_length) + " cannot hold the " +
                std::to_string(special_count) + " special tokens of a " + (ids_b ? "pair" : "single text") +
                " — use max_length >= " + std::to_string(special_count));
    const auto budget = static_cast<size_t>(options.max_length - special_count);
    if (ids_b) {
      const auto [keep_a, keep_b] = longest_first_lengths(ids_a.size(), ids_b->size(), budget);
      ids_a.resize(keep_a);
      ids_b->resize(keep_b);
    } else if (ids_a.size() > budget) {
      ids_a.resize(budget);
    }
  }

  const size_t real_length = ids_a.size() + (ids_b ? ids_b->size() : 0) + special_count;
  const size_t total_length =
      options.pad_to_max_length ? std::max(real_length, static_cast<size_t>(std::max<int64_t>(options.max_length, 0)))
                                : real_length;
  Encoding encoding;
  encoding.input_ids.reserve(total_length);
  encoding.token_type_ids.reserve(total_length);
  encoding.attention_mask.reserve(total_length);
  auto push = [&](int64_t id, int64_t type, int64_t mask) {
    encoding.input_ids.push_back(id);
    encoding.token_type_ids.push_back(type);
    encoding.attention_mask.push_back(mask);
  };
  push(specials.cls, 0, 1);
  for (const int64_t id : ids_a) push(id, 0, 1);
  push(specials.sep, 0, 1);
  if (ids_b) {
    for (const int64_t id : *ids_b) push(id, 1, 1);
    push(specials.sep, 1, 1);
  }
  while (encoding.input_ids.size() < total_length) push(specials.pad, 0, 0);

  encoding.tokens.reserve(total_length);
  for (const int64_t id : encoding.input_ids) encoding.tokens.push_back(id_to_token.at(static_cast<size_t>(id)));
  return encoding;
}

}  // namespace tpq::tokenize
