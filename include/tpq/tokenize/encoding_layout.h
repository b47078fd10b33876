// Turns piece ids into model inputs for every tokenizer: specials placed by a SpecialTokensLayout,
// token types, attention mask, HF pair truncation (tokenizers' or transformers' longest_first), padding.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tpq/tokenize/special_tokens_layout.h"
#include "tpq/tokenize/tokenizer.h"

namespace tpq::tokenize {

// Lengths (A, B) that pair truncation keeps so that a + b <= budget, exactly as the Rust crate's
// LongestFirst: the shorter input is kept whole when the longer one can absorb the cut; otherwise
// both are cut to budget/2, the originally longer one (B on a tie) getting the odd token.
std::pair<size_t, size_t> longest_first_lengths(size_t length_a, size_t length_b, size_t budget);

// The same for transformers' slow tokenizers (truncate_sequences, "longest_first"): one token at a
// time from the longer input, from B when equal — so when both are cut, A keeps the odd token.
std::pair<size_t, size_t> transformers_longest_first_lengths(size_t length_a, size_t length_b, size_t budget);

// Builds the model inputs from piece ids without specials. `id_to_token[id]` gives the token text.
// Throws UserError when truncation is on and max_length cannot hold the layout's special tokens.
Encoding assemble_encoding(std::vector<int64_t> ids_a, std::optional<std::vector<int64_t>> ids_b,
                           const SpecialTokensLayout& layout, const EncodeOptions& options,
                           const std::vector<std::string>& id_to_token);

}  // namespace tpq::tokenize
