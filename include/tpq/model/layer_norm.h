// LayerNorm with FP32 math for BF16/FP16 inputs on the CPU.
#pragma once

#include <torch/nn/modules/normalization.h>
#include <torch/types.h>

namespace tpq::model {

// norm(x), where a BF16 or FP16 CPU input is widened to FP32, normalised with FP32 weight and bias,
// and rounded back to its dtype once. LibTorch 1.13's own CPU BFloat16 LayerNorm took 8.8 ms at
// (4096, 768) against 1.2 ms this way, casts included, and its outputs sat 2.5x further from the
// FP32 result on average (benchmarks/layer_norm_bf16.py). Elsewhere (FP32, CUDA) it is norm(x)
// itself. Autograd flows through the casts.
torch::Tensor layer_norm(torch::nn::LayerNormImpl& norm, const torch::Tensor& x);

// Whether layer_norm widens this input (a BF16 or FP16 CPU tensor).
bool layer_norm_widens(const torch::Tensor& x);

}  // namespace tpq::model
