// The counter-based keep draw with AVX-512: eight SplitMix64 hashes per step in 64-bit lanes, each
// cut into its four 16-bit draws by one unsigned 16-bit compare, 32 keep bytes per store. Compiled
// for AVX-512 by a target pragma and called only where the CPU has it (avx512_rows_supported).
#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "counter_hash.h"

namespace tpq::model::detail {

#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq")

namespace {

inline __m512i broadcast_u64(uint64_t value) { return _mm512_set1_epi64(static_cast<long long>(value)); }

inline __m512i splitmix64_lanes(__m512i state) {
  state = _mm512_mullo_epi64(_mm512_xor_si512(state, _mm512_srli_epi64(state, 30)), broadcast_u64(kMixFirst));
  state = _mm512_mullo_epi64(_mm512_xor_si512(state, _mm512_srli_epi64(state, 27)), broadcast_u64(kMixSecond));
  return _mm512_xor_si512(state, _mm512_srli_epi64(state, 31));
}

}  // namespace

void fill_keep_avx512(const DropRule& rule, int64_t first, int64_t n, uint8_t* keep) {
  if (rule.threshold == 0 || rule.threshold >= kDrawRange) {  // keep all / drop all: no 16-bit compare for it
    std::memset(keep, rule.threshold == 0 ? 1 : 0, static_cast<size_t>(n));
    return;
  }
  // The scalar draw up to a group boundary, the vector body, then the scalar draw for the rest.
  const int64_t head = std::min<int64_t>(n, (kDrawsPerHash - first % kDrawsPerHash) % kDrawsPerHash);
  fill_keep_portable(rule, first, head, keep);
  int64_t i = head;
  const __m512i step = _mm512_set1_epi64(8), golden = broadcast_u64(kCounterStep);
  const __m512i seed = broadcast_u64(rule.seed);
  const __m512i threshold = _mm512_set1_epi16(static_cast<short>(rule.threshold));
  __m512i counter = _mm512_add_epi64(_mm512_set1_epi64((first + i) / kDrawsPerHash + 1), _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0));
  for (; n - i >= 32; i += 32, counter = _mm512_add_epi64(counter, step)) {
    const __m512i bits = splitmix64_lanes(_mm512_add_epi64(seed, _mm512_mullo_epi64(counter, golden)));
    const __mmask32 kept = _mm512_cmpge_epu16_mask(bits, threshold);  // 16-bit lane j of hash g: element 4g + j
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(keep + i), _mm256_maskz_mov_epi8(kept, _mm256_set1_epi8(1)));
  }
  fill_keep_portable(rule, first + i, n - i, keep + i);
}

#pragma GCC pop_options

}  // namespace tpq::model::detail
