// A split turned into BERT inputs once: per example input_ids and token_type_ids (int32, unpadded,
// with [CLS]/[SEP], truncated to max_length) in flat arrays, plus labels. Built in parallel.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tpq/data/example.h"
#include "tpq/tokenize/tokenizer.h"

namespace tpq::data {

struct TokenizedSplit {
  // Example i occupies [offsets[i], offsets[i+1]) of input_ids and token_type_ids.
  std::vector<uint64_t> offsets{0};
  std::vector<int32_t> input_ids;
  std::vector<int32_t> token_type_ids;
  std::vector<int64_t> labels;
  int64_t pad_id = 0;
  int64_t max_length = 0;

  std::size_t size() const { return labels.size(); }
  std::size_t length(std::size_t i) const { return static_cast<std::size_t>(offsets[i + 1] - offsets[i]); }
  const int32_t* ids_of(std::size_t i) const { return input_ids.data() + offsets[i]; }
  const int32_t* types_of(std::size_t i) const { return token_type_ids.data() + offsets[i]; }
  void append(const std::vector<int64_t>& ids, const std::vector<int64_t>& types, int64_t label);
};

// `count` examples of `split` in a seeded, platform-independent order (data/split.h), cycling
// through the split again when count exceeds its size.
TokenizedSplit seeded_sample(const TokenizedSplit& split, int64_t count, uint64_t seed);

// The first n examples (all of them if n <= 0 or n >= size).
TokenizedSplit head_of(const TokenizedSplit& split, int64_t n);

// Encodes every example (truncation on, keeping the pieces `cut` says; no padding) with `threads`
// worker threads (<= 0: all cores).
TokenizedSplit tokenize_split(const Dataset& split, const tokenize::Tokenizer& tokenizer,
                              int64_t max_length, int threads = 2, const tokenize::Truncation& cut = {});

// Content hash of a split's examples (texts, pairs, labels, order) for cache keys; hex, 16 digits.
std::string examples_content_hash(const Dataset& split);

}  // namespace tpq::data
