// y = x W^T + b in FP32 or BF16 with W packed once into the blocked layout oneDNN's matmul
// kernels read fastest, and the [out, in] original released: the inference form of a Linear that
// will not change again (tpq bench freezes its FP32 and BF16 models so). Against DenseMatmul,
// which reads W in place on every call, it measured 10-20 % faster on bert-base's shapes.
#pragma once

#include <cstdint>
#include <memory>

#include <torch/types.h>

#include "tpq/kernels/activation.h"

namespace tpq::kernels {

class PackedDenseMatmul {
 public:
  // weight: [out, in], bias: [out], both FP32 or both BF16; copied into the packed layout.
  PackedDenseMatmul(const torch::Tensor& weight, const torch::Tensor& bias);
  // rows: contiguous [M, in] of the weight's dtype -> [M, out], `activation` fused.
  torch::Tensor forward(const torch::Tensor& rows, Activation activation = Activation::None) const;
  torch::Tensor weight() const;  // [out, in] unpacked again (for saving)
  const torch::Tensor& bias() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace tpq::kernels
