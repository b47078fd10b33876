// The counter-based keep/drop draw shared by CounterDropout and the fused softmax-dropout: element i
// of a call's tensor is kept when its 16-bit slice of SplitMix64(seed, i / 4) is at or above the
// threshold. Both draw the very same mask for the same seed, so the fused path can be checked bit
// for bit against the separate ops.
#pragma once

#include <cstdint>

namespace tpq::model::detail {

constexpr uint32_t kDrawRange = 65536;  // each element's draw is 16 bits: four per 64-bit hash
constexpr int64_t kDrawsPerHash = 4;

// SplitMix64's constants: the counter's step (2^64 / golden ratio) and its two mixing multipliers.
// The scalar draw here and the AVX-512 one (counter_hash_avx512.cpp) share them.
constexpr uint64_t kCounterStep = 0x9E3779B97F4A7C15ull;
constexpr uint64_t kMixFirst = 0xBF58476D1CE4E5B9ull;
constexpr uint64_t kMixSecond = 0x94D049BB133111EBull;

// SplitMix64's output function on the counter's state: a full-avalanche 64-bit hash.
inline uint64_t splitmix64(uint64_t state) {
  state = (state ^ (state >> 30)) * kMixFirst;
  state = (state ^ (state >> 27)) * kMixSecond;
  return state ^ (state >> 31);
}

// The hash of element group `group` (elements 4 group .. 4 group + 3) under a call's seed.
inline uint64_t draw_hash(uint64_t seed, int64_t group) {
  return splitmix64(seed + static_cast<uint64_t>(group + 1) * kCounterStep);
}

struct DropRule {
  uint64_t seed = 0;
  uint32_t threshold = 0;  // an element is dropped when its 16-bit draw is below this
  double scale = 1.0;      // 1 / the exact keep probability, so the expectation is unchanged
};

// The rule for one call: p's threshold and a seed from LibTorch's default CPU generator (so
// torch::manual_seed and --resume reproduce the masks).
DropRule draw_rule(double p);

// keep[0 .. n) = whether elements first .. first + n of the call's tensor are kept: the AVX-512
// draw where the CPU has it (8 hashes, 32 elements, per step), else the portable one. Both give
// the same bytes.
void fill_keep(const DropRule& rule, int64_t first, int64_t n, uint8_t* keep);
void fill_keep_portable(const DropRule& rule, int64_t first, int64_t n, uint8_t* keep);
void fill_keep_avx512(const DropRule& rule, int64_t first, int64_t n, uint8_t* keep);

}  // namespace tpq::model::detail
