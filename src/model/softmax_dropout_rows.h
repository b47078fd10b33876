// Row kernels of the fused softmax-dropout: one row of n scores at a time, math in FP32.
// T is float or c10::BFloat16. The AVX-512 versions need avx512_rows_supported().
#pragma once

#include <cstdint>

namespace tpq::model::detail {

// probs = softmax(scores + mask); dropped = keep ? probs * scale : 0. mask may be null (no padding).
// scratch holds n floats.
template <typename T>
struct ForwardRow {
  const T* scores;
  const float* mask;
  const uint8_t* keep;
  T* probs;
  T* dropped;
};

// grad_scores = probs * (g - sum(g * probs)) where g = keep ? grad_dropped * scale : 0.
template <typename T>
struct BackwardRow {
  const T* grad_dropped;
  const T* probs;
  const uint8_t* keep;
  T* grad_scores;
};

bool avx512_rows_supported();

template <typename T>
void forward_row_portable(const ForwardRow<T>& row, int64_t n, float scale, float* scratch);
template <typename T>
void backward_row_portable(const BackwardRow<T>& row, int64_t n, float scale);
template <typename T>
void forward_row_avx512(const ForwardRow<T>& row, int64_t n, float scale, float* scratch);
template <typename T>
void backward_row_avx512(const BackwardRow<T>& row, int64_t n, float scale);

}  // namespace tpq::model::detail
