// Memo from a pre-token's bytes to its BPE ids (HF's slow tokenizer keeps the same `self.cache`), in
// flat arrays with open addressing so that a hit costs one hash, one probe and one compare.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tpq::tokenize {

class BpeWordCache {
 public:
  static constexpr size_t kMaxWordBytes = 128;  // longer pre-tokens are rare: merged each time

  // Starts small and doubles up to what `max_entries` needs; when full it starts over empty.
  explicit BpeWordCache(size_t max_entries);

  static uint64_t hash(std::string_view word);

  // Appends the ids cached for `word` (whose hash() is `word_hash`) and returns true, else false.
  bool append_cached(std::string_view word, uint64_t word_hash, std::vector<int64_t>& ids) const;

  // Remembers ids[first..] for `word`; clears everything first when the cache is full.
  void insert(std::string_view word, uint64_t word_hash, const std::vector<int64_t>& ids, size_t first);

  void clear();
  size_t size() const { return entries_; }

 private:
  struct Slot {
    uint64_t hash = 0;
    uint32_t key_offset = 0;
    uint32_t key_length = 0;  // 0: empty (pre-tokens are never empty)
    uint32_t ids_offset = 0;
    uint32_t ids_count = 0;
  };
  size_t probe(std::string_view word, uint64_t word_hash) const;  // its slot, or the empty one to use
  void grow();

  std::vector<Slot> slots_;  // power of two, at most half full
  std::string keys_;
  std::vector<int64_t> ids_;
  size_t entries_ = 0;
  size_t max_entries_;
};

}  // namespace tpq::tokenize
