// BpeWordCache: linear probing over (hash, key span, ids span) slots; keys and ids live in two arenas.
#include "bpe_word_cache.h"

#include <algorithm>
#include <cstring>

namespace tpq::tokenize {
namespace {

uint64_t mix_word_state(uint64_t value) {
  value ^= value >> 32;
  value *= 0xd6e8feb86659fd93ULL;
  value ^= value >> 32;
  return value;
}

}  // namespace

BpeWordCache::BpeWordCache(size_t max_entries) : slots_(1024), max_entries_(max_entries) {}

uint64_t BpeWordCache::hash(std::string_view word) {
  uint64_t state = 0x9E3779B97F4A7C15ULL ^ word.size();
  size_t pos = 0;
  for (; pos + 8 <= word.size(); pos += 8) {
    uint64_t chunk;
    std::memcpy(&chunk, word.data() + pos, 8);
    state = mix_word_state(state ^ chunk);
  }
  uint64_t tail = 0;
  std::memcpy(&tail, word.data() + pos, word.size() - pos);
  return mix_word_state(state ^ tail ^ (uint64_t{1} << 63));
}

size_t BpeWordCache::probe(std::string_view word, uint64_t word_hash) const {
  const size_t mask = slots_.size() - 1;
  for (size_t index = word_hash & mask;; index = (index + 1) & mask) {
    const Slot& slot = slots_[index];
    if (slot.key_length == 0) return index;
    if (slot.hash == word_hash && slot.key_length == word.size() &&
        std::memcmp(keys_.data() + slot.key_offset, word.data(), word.size()) == 0) {
      return index;
    }
  }
}

bool BpeWordCache::append_cached(std::string_view word, uint64_t word_hash, std::vector<int64_t>& ids) const {
  const Slot& slot = slots_[probe(word, word_hash)];
  if (slot.key_length == 0) return false;
  const int64_t* first = ids_.data() + slot.ids_offset;
  ids.insert(ids.end(), first, first + slot.ids_count);
  return true;
}

void BpeWordCache::insert(std::string_view word, uint64_t word_hash, const std::vector<int64_t>& ids, size_t first) {
  if (word.empty() || word.size() > kMaxWordBytes) return;
  if (entries_ >= max_entries_) clear();
  if (2 * (entries_ + 1) > slots_.size()) grow();
  Slot& slot = slots_[probe(word, word_hash)];
  if (slot.key_length != 0) return;  // already there
  slot.hash = word_hash;
  slot.key_offset = static_cast<uint32_t>(keys_.size());
  slot.key_length = static_cast<uint32_t>(word.size());
  slot.ids_offset = static_cast<uint32_t>(ids_.size());
  slot.ids_count = static_cast<uint32_t>(ids.size() - first);
  keys_.append(word);
  ids_.insert(ids_.end(), ids.begin() + static_cast<std::ptrdiff_t>(first), ids.end());
  ++entries_;
}

void BpeWordCache::grow() {
  std::vector<Slot> old(slots_.size() * 2);
  old.swap(slots_);
  const size_t mask = slots_.size() - 1;
  for (const Slot& slot : old) {
    if (slot.key_length == 0) continue;
    size_t index = slot.hash & mask;
    while (slots_[index].key_length != 0) index = (index + 1) & mask;
    slots_[index] = slot;
  }
}

void BpeWordCache::clear() {
  std::fill(slots_.begin(), slots_.end(), Slot{});
  keys_.clear();
  ids_.clear();
  entries_ = 0;
}

}  // namespace tpq::tokenize
