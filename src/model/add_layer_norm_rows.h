// Row kernels of the fused add + LayerNorm (tpq/model/add_layer_norm.h): rows [begin, end) of
// width n, math in FP32. Built twice from add_layer_norm_rows.inc: portable and for AVX-512.
#pragma once

#include <cstdint>

#include <c10/util/BFloat16.h>

namespace tpq::model::detail {

struct AddNormForward {
  const c10::BFloat16* branch;
  const float* residual;
  const float* weight;
  const float* bias;
  float eps;
  float* sum;  // branch + residual, kept for backward
  float* mean;
  float* rstd;
  float* out;
  c10::BFloat16* low;
};

// grad_full / grad_low may be null (that output was not used).
struct AddNormBackward {
  const float* grad_full;
  const c10::BFloat16* grad_low;
  const float* sum;
  const float* mean;
  const float* rstd;
  const float* weight;
  float* grad_residual;
  c10::BFloat16* grad_branch;
};

// grad_weight and grad_bias (n each) are accumulated into, over the rows.
namespace portable {
void add_norm_forward_rows(const AddNormForward& job, int64_t begin, int64_t end, int64_t n);
void add_norm_backward_rows(const AddNormBackward& job, int64_t begin, int64_t end, int64_t n, float* grad_weight,
                            float* grad_bias);
}  // namespace portable
namespace avx512 {
void add_norm_forward_rows(const AddNormForward& job, int64_t begin, int64_t end, int64_t n);
void add_norm_backward_rows(const AddNormBackward& job, int64_t begin, int64_t end, int64_t n, float* grad_weight,
                            float* grad_bias);
}  // namespace avx512

}  // namespace tpq::model::detail
