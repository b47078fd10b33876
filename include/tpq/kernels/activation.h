// The FFN activations of the encoder families, as one value a matmul can fuse as its epilogue.
#pragma once

#include <string>

#include <torch/types.h>

namespace tpq::kernels {

enum class Activation { None, Relu, Gelu, GeluTanh };

// HF's hidden_act: "gelu" (exact erf form), "gelu_new" / "gelu_pytorch_tanh" (tanh form), "relu".
// Any other name reads as the exact GELU, as the encoder always did.
Activation activation_from_hidden_act(const std::string& hidden_act);

// The activation as LibTorch ops (what a fused epilogue must equal).
torch::Tensor apply_activation(const torch::Tensor& input, Activation activation);

}  // namespace tpq::kernels
