// The MLM decoder and its loss in one autograd node: mean cross-entropy of logits = x W^T + b
// against labels, for a vocabulary-sized W, without the FP32 (N, V) tensors that
// cross_entropy(linear(x, W, b)) makes and walks (the cast, log-softmax, its gradient, the zeroed
// NLL gradient, the cast back: about a third of an MLM step at V = 16 000).
#pragma once

#include <torch/types.h>

namespace tpq::train {

// x (N, H), weight (V, H), bias (V), labels (N) in [0, V) -> the mean loss (a scalar).
// The product runs in the autocast dtype where autocast is on for x's device (as aten::linear would)
// and in x's dtype otherwise; the log-sum-exp and the softmax gradient are FP32, row block by row
// block, so only the (N, V) logits in the product's dtype are kept for backward.
torch::Tensor linear_cross_entropy(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                                   const torch::Tensor& labels);

}  // namespace tpq::train
