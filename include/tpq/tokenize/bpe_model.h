// Byte-level BPE merging for one pre-token: its bytes start as one symbol each and ranked merges
// apply exactly as the reference GPT-2 bpe() loop does (every occurrence of the best pair per round).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tpq/tokenize/vocab.h"

namespace tpq::tokenize {

using BpeMerge = std::pair<std::string, std::string>;  // the two halves, as merges.txt spells them

class BpeModel {
 public:
  // `vocab`: every token with its id (added tokens too: the slow tokenizer looks them up first);
  // `merges` in rank order (a repeated pair takes its last rank, as the slow tokenizer's dict does).
  // Strings of merges that are not in the vocab become internal symbols whose id is `unk_id`.
  BpeModel(const Vocab& vocab, const std::vector<BpeMerge>& merges, int64_t unk_id);

  // Appends the ids of one pre-token, given as its raw UTF-8 bytes (not yet byte-level mapped).
  // O(n log n) in the byte count, so even a megabyte without spaces stays fast.
  void encode_word(std::string_view bytes, std::vector<int64_t>& ids) const;

  size_t merge_count() const { return merge_count_; }  // distinct pairs

 private:
  struct MergeSlot {
    uint64_t pair = kEmptyPair;  // (left symbol << 32) | right symbol
    int32_t rank = 0;
    int32_t merged = 0;          // symbol of left + right
  };
  static constexpr uint64_t kEmptyPair = ~uint64_t{0};

  // The slot of `pair` in the open-addressing table: its own or the empty one where it would go.
  size_t slot_of(uint64_t pair) const;
  const MergeSlot* find_merge(int32_t left, int32_t right) const;
  int64_t output_id(int32_t symbol) const { return symbol < vocab_size_ ? symbol : unk_id_; }

  std::vector<MergeSlot> merges_;  // power-of-two size, at most half full
  int32_t byte_symbols_[256] = {};
  size_t merge_count_ = 0;
  int32_t vocab_size_ = 0;         // symbols below this are vocabulary ids
  int64_t unk_id_ = -1;
};

}  // namespace tpq::tokenize
