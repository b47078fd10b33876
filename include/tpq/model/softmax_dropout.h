// dropout(softmax(scores + mask)) for training attention, as one autograd node with one pass over
// each row forward and one backward. The separate ops made five passes over the (B, heads, T, T)
// scores forward (mask add, softmax, mask draw, scaling) and two backward, each one reading and
// writing the whole tensor; at T = 512 that tensor is 8x the size of the layer's hidden states.
// The keep mask is CounterDropout's (same seed source, same draw per element), so the node gives the
// separate ops' result to within the rounding of the intermediate mask add.
#pragma once

#include <torch/types.h>

namespace tpq::model {

// Whether the fused node takes these operands: CPU, FP32 or BF16 scores of shape (B, heads, T, T),
// and an additive mask that is undefined (no padding) or (B, 1, 1, T).
bool softmax_dropout_applies(const torch::Tensor& scores, const torch::Tensor& additive_mask);

// Whether training attention layers use the fused node (default true). benchmarks/training_step
// turns it off to time the separate ops in the same process.
void set_fused_softmax_dropout(bool enabled);
bool fused_softmax_dropout_enabled();

// Inverted dropout with probability p of softmax(scores + additive_mask) over the last dimension.
// `vectorized` = false forces the portable row loops (tests compare the AVX-512 ones against them).
torch::Tensor softmax_dropout(const torch::Tensor& scores, const torch::Tensor& additive_mask, double p,
                              bool vectorized = true);

}  // namespace tpq::model
