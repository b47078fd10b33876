// The AVX-512 row loops of the fused softmax-dropout: 16 lanes of FP32 math, BF16 widened and
// rounded (to nearest even) in registers, the last partial vector under a lane mask. Compiled for
// AVX-512 by a target pragma (the rest of tpq is not) and only called where the CPU has it.
#include <immintrin.h>

#include <cstdint>
#include <type_traits>

#include <c10/util/BFloat16.h>

#include "softmax_dropout_rows.h"

namespace tpq::model::detail {

bool avx512_rows_supported() {
  static const bool supported = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                                __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
  return supported;
}

// Everything below is AVX-512 code; the headers above were read without the target.
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")

namespace {

inline __mmask16 lanes(int64_t remaining) {
  return remaining >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << remaining) - 1u);
}

inline __m512 load_lanes(const float* p, __mmask16 k, __m512 fill) { return _mm512_mask_loadu_ps(fill, k, p); }

inline __m512 load_lanes(const c10::BFloat16* p, __mmask16 k, __m512 fill) {
  const __m256i halves = _mm256_maskz_loadu_epi16(k, p);
  const __m512 widened = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(halves), 16));
  return _mm512_mask_blend_ps(k, fill, widened);
}

inline void store_lanes(float* p, __mmask16 k, __m512 v) { _mm512_mask_storeu_ps(p, k, v); }

// Round to nearest even as c10::BFloat16 does; NaN stays a quiet NaN.
inline void store_lanes(c10::BFloat16* p, __mmask16 k, __m512 v) {
  const __m512i bits = _mm512_castps_si512(v);
  const __m512i odd = _mm512_and_si512(_mm512_srli_epi32(bits, 16), _mm512_set1_epi32(1));
  __m512i rounded = _mm512_add_epi32(bits, _mm512_add_epi32(odd, _mm512_set1_epi32(0x7FFF)));
  rounded = _mm512_mask_mov_epi32(rounded, _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q), _mm512_set1_epi32(0x7FC00000));
  _mm256_mask_storeu_epi16(p, k, _mm512_cvtepi32_epi16(_mm512_srli_epi32(rounded, 16)));
}

// Lanes whose keep byte is set.
inline __mmask16 kept_lanes(const uint8_t* keep, __mmask16 k) {
  const __m128i bytes = _mm_maskz_loadu_epi8(k, keep);
  return _mm_test_epi8_mask(bytes, bytes);
}

// e^x for x <= 0 (Cephes' expf polynomial on x - n ln 2, then 2^n by scalef: about 1 ulp).
inline __m512 exp_lanes(__m512 x) {
  x = _mm512_max_ps(x, _mm512_set1_ps(-104.0f));  // e^-104 is below the smallest float: scalef gives 0
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
  __m512 poly = _mm512_set1_ps(1.9875691500e-4f);
  poly = _mm512_fmadd_ps(poly, r, _mm512_set1_ps(1.3981999507e-3f));
  poly = _mm512_fmadd_ps(poly, r, _mm512_set1_ps(8.3334519073e-3f));
  poly = _mm512_fmadd_ps(poly, r, _mm512_set1_ps(4.1665795894e-2f));
  poly = _mm512_fmadd_ps(poly, r, _mm512_set1_ps(1.6666665459e-1f));
  poly = _mm512_fmadd_ps(poly, r, _mm512_set1_ps(5.0000001201e-1f));
  const __m512 e = _mm512_add_ps(_mm512_fmadd_ps(poly, _mm512_mul_ps(r, r), r), _mm512_set1_ps(1.0f));
  return _mm512_scalef_ps(e, n);
}

}  // namespace

template <typename T>
void forward_row_avx512(const ForwardRow<T>& row, int64_t n, float scale, float* scratch) {
  const __m512 lowest = _mm512_set1_ps(-__builtin_inff()), zero = _mm512_setzero_ps();
  __m512 max = lowest;
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 k = lanes(n - i);
    __m512 x = load_lanes(row.scores + i, k, lowest);
    if (row.mask) x = _mm512_add_ps(x, load_lanes(row.mask + i, k, zero));
    _mm512_mask_storeu_ps(scratch + i, k, x);
    max = _mm512_max_ps(max, x);
  }
  const __m512 row_max = _mm512_set1_ps(_mm512_reduce_max_ps(max));
  __m512 sum = zero;
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 k = lanes(n - i);
    const __m512 e = exp_lanes(_mm512_sub_ps(_mm512_maskz_loadu_ps(k, scratch + i), row_max));
    _mm512_mask_storeu_ps(scratch + i, k, e);
    sum = _mm512_mask_add_ps(sum, k, sum, e);
  }
  const __m512 inverse = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(sum)), factor = _mm512_set1_ps(scale);
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 k = lanes(n - i);
    const __m512 prob = _mm512_mul_ps(_mm512_maskz_loadu_ps(k, scratch + i), inverse);
    store_lanes(row.probs + i, k, prob);
    store_lanes(row.dropped + i, k, _mm512_maskz_mul_ps(kept_lanes(row.keep + i, k), prob, factor));
  }
}

template <typename T>
void backward_row_avx512(const BackwardRow<T>& row, int64_t n, float scale) {
  const __m512 zero = _mm512_setzero_ps(), factor = _mm512_set1_ps(scale);
  __m512 dot = zero;
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 k = lanes(n - i);
    const __m512 grad = _mm512_maskz_mul_ps(kept_lanes(row.keep + i, k), load_lanes(row.grad_dropped + i, k, zero), factor);
    dot = _mm512_fmadd_ps(grad, load_lanes(row.probs + i, k, zero), dot);
  }
  const __m512 row_dot = _mm512_set1_ps(_mm512_reduce_add_ps(dot));
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 k = lanes(n - i);
    const __m512 grad = _mm512_maskz_mul_ps(kept_lanes(row.keep + i, k), load_lanes(row.grad_dropped + i, k, zero), factor);
    store_lanes(row.grad_scores + i, k, _mm512_mul_ps(load_lanes(row.probs + i, k, zero), _mm512_sub_ps(grad, row_dot)));
  }
}

template void forward_row_avx512<float>(const ForwardRow<float>&, int64_t, float, float*);
template void forward_row_avx512<c10::BFloat16>(const ForwardRow<c10::BFloat16>&, int64_t, float, float*);
template void backward_row_avx512<float>(const BackwardRow<float>&, int64_t, float);
template void backward_row_avx512<c10::BFloat16>(const BackwardRow<c10::BFloat16>&, int64_t, float);

#pragma GCC pop_options

}  // namespace tpq::model::detail
