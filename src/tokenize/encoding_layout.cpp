// Specials, truncation and padding for every tokenizer (one implementation, so WordPiece,
// sentencepiece and BPE models see layouts built the same way).
#include "tpq/tokenize/encoding_layout.h"

#include <algorithm>

#include "tpq/core/error.h"

namespace tpq::tokenize {
namespace {

// Cuts (A, B) to fit `budget`: the layout's pair rule says how long each stays, `cut` which pieces.
void truncate_to_budget(std::vector<int64_t>& ids_a, std::optional<std::vector<int64_t>>& ids_b, size_t budget,
                        PairTruncation rule, const Truncation& cut) {
  if (!ids_b) {
    cut.cut(ids_a, budget);
    return;
  }
  const auto [keep_a, keep_b] = rule == PairTruncation::kTokenizersLongestFirst
                                    ? longest_first_lengths(ids_a.size(), ids_b->size(), budget)
                                    : transformers_longest_first_lengths(ids_a.size(), ids_b->size(), budget);
  cut.cut(ids_a, keep_a);
  cut.cut(*ids_b, keep_b);
}

}  // namespace

std::string Truncation::name() const {
  switch (keep) {
    case Keep::kTail: return "tail";
    case Keep::kHeadTail: return "head_tail";
    case Keep::kHead: break;
  }
  return "head";
}

Truncation Truncation::parse(const std::string& name, int64_t head_tokens, const std::string& where) {
  Truncation truncation;
  truncation.head_tokens = head_tokens;
  if (name == "tail") {
    truncation.keep = Keep::kTail;
  } else if (name == "head_tail") {
    truncation.keep = Keep::kHeadTail;
    require(head_tokens >= 0, where + ": head_tokens is " + std::to_string(head_tokens) +
                                  "; give the number of pieces kept from the start (>= 0)");
  } else {
    require(name == "head", where + " is '" + name + "'; use head (HF's default), tail or head_tail");
  }
  return truncation;
}

void Truncation::cut(std::vector<int64_t>& ids, size_t length) const {
  if (ids.size() <= length) return;
  const size_t head = keep == Keep::kHead       ? length
                      : keep == Keep::kTail     ? 0
                                                : std::min(length, static_cast<size_t>(head_tokens));
  ids.erase(ids.begin() + static_cast<std::ptrdiff_t>(head),
            ids.end() - static_cast<std::ptrdiff_t>(length - head));
}

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

std::pair<size_t, size_t> transformers_longest_first_lengths(size_t length_a, size_t length_b, size_t budget) {
  if (length_a + length_b <= budget) return {length_a, length_b};
  // Closed form of the slow loop: `if len(ids) > len(pair_ids): ids = ids[:-1] else: pair_ids = pair_ids[:-1]`.
  size_t remove = length_a + length_b - budget;
  size_t& longer = length_a > length_b ? length_a : length_b;
  const size_t gap = std::min(remove, length_a > length_b ? length_a - length_b : length_b - length_a);
  longer -= gap;
  remove -= gap;
  length_b -= (remove + 1) / 2;  // equal now: B loses first, then they alternate
  length_a -= remove / 2;
  return {length_a, length_b};
}

Encoding assemble_encoding(std::vector<int64_t> ids_a, std::optional<std::vector<int64_t>> ids_b,
                           const SpecialTokensLayout& layout, const EncodeOptions& options,
                           const std::vector<std::string>& id_to_token) {
  const size_t special_count = layout.special_count(ids_b.has_value());
  if (options.truncation) {
    require(options.max_length >= static_cast<int64_t>(special_count),
            "tokenizer: max_length " + std::to_string(options.max_length) + " cannot hold the " +
                std::to_string(special_count) + " special tokens of a " + (ids_b ? "pair" : "single text") +
                " — use max_length >= " + std::to_string(special_count));
    truncate_to_budget(ids_a, ids_b, static_cast<size_t>(options.max_length) - special_count, layout.pair_truncation,
                       options.cut);
  }

  const size_t real_length = ids_a.size() + (ids_b ? ids_b->size() : 0) + special_count;
  const size_t total_length =
      options.pad_to_max_length ? std::max(real_length, static_cast<size_t>(std::max<int64_t>(options.max_length, 0)))
                                : real_length;
  Encoding encoding;
  encoding.input_ids.reserve(total_length);
  encoding.token_type_ids.reserve(total_length);
  encoding.attention_mask.reserve(total_length);
  auto push = [&](const std::vector<int64_t>& ids, int64_t type) {
    encoding.input_ids.insert(encoding.input_ids.end(), ids.begin(), ids.end());
    encoding.token_type_ids.insert(encoding.token_type_ids.end(), ids.size(), type);
    encoding.attention_mask.insert(encoding.attention_mask.end(), ids.size(), 1);
  };
  const int64_t second_type = layout.has_token_type_ids ? 1 : 0;
  push(layout.prefix, 0);
  push(ids_a, 0);
  if (ids_b) {
    push(layout.middle, 0);
    push(*ids_b, second_type);
  }
  push(layout.suffix, ids_b ? second_type : 0);
  const size_t pads = total_length - encoding.input_ids.size();
  encoding.input_ids.insert(encoding.input_ids.end(), pads, layout.pad_id);
  encoding.token_type_ids.insert(encoding.token_type_ids.end(), pads, 0);
  encoding.attention_mask.insert(encoding.attention_mask.end(), pads, 0);

  encoding.tokens.reserve(total_length);
  for (const int64_t id : encoding.input_ids) encoding.tokens.push_back(id_to_token.at(static_cast<size_t>(id)));
  return encoding;
}

}  // namespace tpq::tokenize
