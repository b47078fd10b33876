// The portable row loops of the fused softmax-dropout (any CPU; the reference for the AVX-512 ones).
#include <cmath>
#include <limits>

#include <c10/util/BFloat16.h>

#include "softmax_dropout_rows.h"

namespace tpq::model::detail {

template <typename T>
void forward_row_portable(const ForwardRow<T>& row, int64_t n, float scale, float* scratch) {
  float max = -std::numeric_limits<float>::infinity();
  for (int64_t i = 0; i < n; ++i) {
    scratch[i] = static_cast<float>(row.scores[i]) + (row.mask ? row.mask[i] : 0.0f);
    max = std::max(max, scratch[i]);
  }
  float sum = 0.0f;
  for (int64_t i = 0; i < n; ++i) {
    scratch[i] = std::exp(scratch[i] - max);
    sum += scratch[i];
  }
  const float inverse = 1.0f / sum;
  for (int64_t i = 0; i < n; ++i) {
    const float prob = scratch[i] * inverse;
    row.probs[i] = static_cast<T>(prob);
    row.dropped[i] = static_cast<T>(row.keep[i] ? prob * scale : 0.0f);
  }
}

template <typename T>
void backward_row_portable(const BackwardRow<T>& row, int64_t n, float scale) {
  float dot = 0.0f;
  for (int64_t i = 0; i < n; ++i) {
    const float grad = row.keep[i] ? static_cast<float>(row.grad_dropped[i]) * scale : 0.0f;
    dot += grad * static_cast<float>(row.probs[i]);
  }
  for (int64_t i = 0; i < n; ++i) {
    const float grad = row.keep[i] ? static_cast<float>(row.grad_dropped[i]) * scale : 0.0f;
    row.grad_scores[i] = static_cast<T>(static_cast<float>(row.probs[i]) * (grad - dot));
  }
}

template void forward_row_portable<float>(const ForwardRow<float>&, int64_t, float, float*);
template void forward_row_portable<c10::BFloat16>(const ForwardRow<c10::BFloat16>&, int64_t, float, float*);
template void backward_row_portable<float>(const BackwardRow<float>&, int64_t, float);
template void backward_row_portable<c10::BFloat16>(const BackwardRow<c10::BFloat16>&, int64_t, float);

}  // namespace tpq::model::detail
