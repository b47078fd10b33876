// BPE merging with a heap of candidate pairs. The reference loop merges, per round, all
// non-overlapping occurrences (left to right) of the lowest-ranked pair before looking again; a heap
// ordered by (rank, position) pops one round's occurrences together, so the result is identical
// even for merge tables where a new pair outranks the one just applied.
#include "tpq/tokenize/bpe_model.h"

#include <algorithm>
#include <unordered_map>

#include "tpq/core/error.h"
#include "tpq/tokenize/byte_level.h"

namespace tpq::tokenize {
namespace {

uint64_t pair_key(int32_t left, int32_t right) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
}

uint64_t mix_pair_key(uint64_t key) {  // splitmix64 finaliser: spreads the pair bits over the table
  key ^= key >> 30;
  key *= 0xbf58476d1ce4e5b9ULL;
  key ^= key >> 27;
  key *= 0x94d049bb133111ebULL;
  return key ^ (key >> 31);
}

// Interns strings as symbols: vocabulary tokens keep their id, others get ids after the vocabulary.
class SymbolTable {
 public:
  explicit SymbolTable(const Vocab& vocab) : vocab_(vocab) {}
  int32_t intern(const std::string& text) {
    const int64_t id = vocab_.find(text);
    if (id != Vocab::kNotFound) return static_cast<int32_t>(id);
    const auto [it, inserted] = extra_.emplace(text, static_cast<int32_t>(vocab_.size() + extra_.size()));
    return it->second;
  }

 private:
  const Vocab& vocab_;
  std::unordered_map<std::string, int32_t> extra_;
};

// One candidate merge: the pair (left, right) starting at node `position`, and what it becomes.
struct Candidate {
  int32_t rank;
  int32_t position;
  int32_t left;
  int32_t right;
  int32_t merged;
};

// std heap functions build max-heaps; this makes the lowest (rank, position) the top.
bool comes_after(const Candidate& a, const Candidate& b) {
  return a.rank != b.rank ? a.rank > b.rank : a.position > b.position;
}

// A pre-token being merged: symbols in a doubly linked list over the byte positions.
struct Word {
  std::vector<int32_t> symbol;  // -1 once merged into the node on its left
  std::vector<int32_t> next;    // -1 at the end
  std::vector<int32_t> previous;
  std::vector<Candidate> heap;
  std::vector<Candidate> round;

  // One node per byte, each holding that byte's symbol.
  void start(std::string_view bytes, const int32_t (&byte_symbols)[256]) {
    const auto size = static_cast<int32_t>(bytes.size());
    symbol.resize(bytes.size());
    next.resize(bytes.size());
    previous.resize(bytes.size());
    heap.clear();
    for (int32_t i = 0; i < size; ++i) {
      symbol[static_cast<size_t>(i)] = byte_symbols[static_cast<uint8_t>(bytes[static_cast<size_t>(i)])];
      next[static_cast<size_t>(i)] = i + 1 < size ? i + 1 : -1;
      previous[static_cast<size_t>(i)] = i - 1;
    }
  }

  // Joins the candidate's right node into its left one.
  void merge(const Candidate& candidate) {
    const auto position = static_cast<size_t>(candidate.position);
    const auto absorbed = static_cast<size_t>(next[position]);
    symbol[position] = candidate.merged;
    symbol[absorbed] = -1;
    next[position] = next[absorbed];
    if (next[position] >= 0) previous[static_cast<size_t>(next[position])] = candidate.position;
  }

  bool still_there(const Candidate& candidate) const {
    const int32_t right = next[static_cast<size_t>(candidate.position)];
    return symbol[static_cast<size_t>(candidate.position)] == candidate.left && right >= 0 &&
           symbol[static_cast<size_t>(right)] == candidate.right;
  }
};

}  // namespace

BpeModel::BpeModel(const Vocab& vocab, const std::vector<BpeMerge>& merges, int64_t unk_id)
    : vocab_size_(static_cast<int32_t>(vocab.size())), unk_id_(unk_id) {
  require(vocab.size() < (int64_t{1} << 30), "BPE vocabulary too large (over 2^30 tokens)");
  SymbolTable symbols(vocab);
  for (int byte = 0; byte < 256; ++byte) {
    const char raw = static_cast<char>(byte);
    std::string text;
    append_byte_level(std::string_view(&raw, 1), text);
    byte_symbols_[byte] = symbols.intern(text);
  }
  size_t capacity = 16;
  while (capacity < 2 * merges.size()) capacity *= 2;
  merges_.assign(capacity, MergeSlot{});
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    const auto& [left, right] = merges[rank];
    const int32_t left_symbol = symbols.intern(left);
    const int32_t right_symbol = symbols.intern(right);
    MergeSlot& slot = merges_[slot_of(pair_key(left_symbol, right_symbol))];
    merge_count_ += slot.pair == kEmptyPair ? 1 : 0;
    slot.pair = pair_key(left_symbol, right_symbol);
    slot.rank = static_cast<int32_t>(rank);  // a repeated pair keeps the last rank
    slot.merged = symbols.intern(left + right);
  }
}

size_t BpeModel::slot_of(uint64_t pair) const {
  const size_t mask = merges_.size() - 1;
  size_t index = mix_pair_key(pair) & mask;
  while (merges_[index].pair != pair && merges_[index].pair != kEmptyPair) index = (index + 1) & mask;
  return index;
}

const BpeModel::MergeSlot* BpeModel::find_merge(int32_t left, int32_t right) const {
  const MergeSlot& slot = merges_[slot_of(pair_key(left, right))];
  return slot.pair == kEmptyPair ? nullptr : &slot;
}

void BpeModel::encode_word(std::string_view bytes, std::vector<int64_t>& ids) const {
  if (bytes.empty()) return;
  constexpr size_t kMaxSymbols = size_t{1} << 30;  // positions are int32; a longer "word" goes in slices
  if (bytes.size() > kMaxSymbols) {
    encode_word(bytes.substr(0, kMaxSymbols), ids);
    encode_word(bytes.substr(kMaxSymbols), ids);
    return;
  }
  thread_local Word word;
  word.start(bytes, byte_symbols_);
  auto push_candidate = [&](int32_t position) {
    if (position < 0) return;
    const int32_t right = word.next[static_cast<size_t>(position)];
    if (right < 0) return;
    const int32_t left_symbol = word.symbol[static_cast<size_t>(position)];
    const int32_t right_symbol = word.symbol[static_cast<size_t>(right)];
    if (const MergeSlot* merge = find_merge(left_symbol, right_symbol)) {
      word.heap.push_back({merge->rank, position, left_symbol, right_symbol, merge->merged});
      std::push_heap(word.heap.begin(), word.heap.end(), comes_after);
    }
  };
  for (int32_t i = 0; i + 1 < static_cast<int32_t>(bytes.size()); ++i) push_candidate(i);

  while (!word.heap.empty()) {
    // One round: every candidate of the lowest rank, in position order, taken out before any merges.
    word.round.clear();
    const int32_t rank = word.heap.front().rank;
    while (!word.heap.empty() && word.heap.front().rank == rank) {
      std::pop_heap(word.heap.begin(), word.heap.end(), comes_after);
      word.round.push_back(word.heap.back());
      word.heap.pop_back();
    }
    for (const Candidate& candidate : word.round) {
      if (!word.still_there(candidate)) continue;  // overlapped by the previous merge, or stale
      word.merge(candidate);
      push_candidate(word.previous[static_cast<size_t>(candidate.position)]);
      push_candidate(candidate.position);
    }
  }
  for (int32_t i = 0; i >= 0; i = word.next[static_cast<size_t>(i)]) {
    ids.push_back(output_id(word.symbol[static_cast<size_t>(i)]));
  }
}

}  // namespace tpq::tokenize
