// LayerNorm(branch + residual) for training under CPU bf16 autocast, as one autograd node.
// In a post-LN encoder layer under autocast the branch (dropout of a bf16 matrix product) is bf16,
// the residual FP32, and the next matrix products read the result cast to bf16. As separate ops
// that was a cast of the branch, an add, the norm and one cast per reading product forward, and
// backward the norm, the casts of every gradient back to FP32 and the adds that sum them: each a
// pass over the (B, T, H) hidden states. Here one pass forward writes the FP32 result and its bf16
// copy (rounded to nearest even, as autocast's cast rounds), and one backward sums both gradients in
// FP32 and gives the branch and residual gradients.
#pragma once

#include <torch/types.h>

namespace tpq::model {

// Hidden states between and within encoder layers: FP32 `full`, and `low`, its bf16 copy for the
// next matrix products, where add_layer_norm made one (undefined otherwise).
struct HiddenStates {
  torch::Tensor full;
  torch::Tensor low;
};

// What the next matrix product should read: the bf16 copy where there is one.
inline const torch::Tensor& product_input(const HiddenStates& hidden) {
  return hidden.low.defined() ? hidden.low : hidden.full;
}

// Whether encoder layers use the fused node where it applies (default true). benchmarks/training_step
// turns it off to time the separate ops in the same process.
void set_fused_add_layer_norm(bool enabled);
bool fused_add_layer_norm_enabled();

// Whether add_layer_norm takes these operands: gradients on, CPU bf16 autocast on, a contiguous bf16
// branch and FP32 residual of one shape (.., H), and an FP32 affine (H) weight and bias.
bool add_layer_norm_applies(const torch::Tensor& branch, const torch::Tensor& residual, const torch::Tensor& weight,
                            const torch::Tensor& bias);

// {LayerNorm(branch + residual) in FP32, its bf16 copy}. `vectorized` = false forces the portable
// row loops (tests compare the AVX-512 ones against them).
HiddenStates add_layer_norm(const torch::Tensor& branch, const torch::Tensor& residual, const torch::Tensor& weight,
                            const torch::Tensor& bias, double eps, bool vectorized = true);

}  // namespace tpq::model
