// y = x W^T + b for uint8 activations (scale, zero point) and int8 weights (symmetric, per tensor
// or per output channel) on a oneDNN matmul primitive: weights packed once for the CPU's INT8
// kernels (AMX or VNNI where present), one primitive per row count, created on first use and kept.
// LibTorch's quantized::linear goes through ideep, which rebinds or recompiles its primitive when
// the row count changes and recomputes the zero-point compensation on every call.
#pragma once

#include <cstdint>
#include <memory>

#include <torch/types.h>

#include "tpq/kernels/activation.h"
#include "tpq/kernels/u8_quantizer.h"

namespace tpq::kernels {

class Int8Matmul {
 public:
  // values: int8 [N, K]; scales: float [1] or [N]; bias: float [N] or undefined.
  Int8Matmul(const torch::Tensor& values, const torch::Tensor& scales, const torch::Tensor& bias);
  // input: uint8 [M, K] on `grid` -> float [M, N], with `activation` fused as the last step.
  torch::Tensor forward(const torch::Tensor& input, const U8Grid& grid, Activation activation = Activation::None) const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace tpq::kernels
