// y = x W^T + b in FP32 or BF16 on oneDNN matmul primitives (brgemm: AVX-512, AMX for BF16),
// one per row count, created on first use and kept. The weight is read in its own [out, in]
// layout on every call, so it needs no second, packed copy and a changed weight is never stale.
// Measured against LibTorch's linear (OpenBLAS for FP32) on bert-base's shapes: docs/performance.md.
#pragma once

#include <cstdint>
#include <memory>

#include <torch/types.h>

#include "tpq/kernels/activation.h"

namespace tpq::kernels {

class DenseMatmul {
 public:
  DenseMatmul();
  // rows: contiguous [M, in]; weight: contiguous [out, in]; bias: [out]; all FP32 or all BF16.
  // `activation` runs fused, on the output while it is still in cache.
  torch::Tensor forward(const torch::Tensor& rows, const torch::Tensor& weight, const torch::Tensor& bias,
                        Activation activation = Activation::None) const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// Whether LinearImpl may run `input` on a DenseMatmul: CPU, FP32 or BF16 throughout, no gradient
// wanted, and TPQ_DENSE_KERNEL is not "blas" (which keeps LibTorch's linear, to measure one
// against the other).
bool dense_matmul_applies(const torch::Tensor& input, const torch::Tensor& weight, const torch::Tensor& bias);

}  // namespace tpq::kernels
