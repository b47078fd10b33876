// The BERT input layout shared by every tokenizer: [CLS] A [SEP] (B [SEP]), token types,
// attention mask, HF `tokenizers` "longest_first" truncation and [PAD] padding.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tpq/tokenize/tokenizer.h"

namespace tpq::tokenize {

struct SpecialTokenIds {
  int64_t cls = -1;
  int64_t sep = -1;
  int64_t pad = -1;
};

// Lengths (A, B) that pair truncation keeps so that a + b <= budget, exactly as the Rust crate's
// LongestFirst: the shorter input is kept whole when the longer one can absorb the cut; otherwise
// both are cut to budget/2, the originally longer one (B on a tie) getting the odd token.
std::pair<size_t, size_t> longest_first_lengths(size_t length_a, size_t length_b, size_t budget);

// Builds the model inputs from piece ids without specials. `id_to_token[id]` gives the token text.
// Throws UserError when truncation is on and max_length cannot hold the special tokens
// (< 2, or < 3 for pairs).
Encoding assemble_encoding(std::vector<int64_t> ids_a, std::optional<std::vector<int64_t>> ids_b,
                           const SpecialTokenIds& specials, const EncodeOptions& options,
                           const std::vector<std::string>& id_to_token);

}  // namespace tpq::tokenize
