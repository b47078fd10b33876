// A Linear layer with HF parameter names (weight [out, in], bias [out]) whose matmul can be
// replaced by a quantized kernel: quantization swaps `kernel`, the module tree stays the same.
#pragma once

#include <memory>
#include <string>

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace tpq::model {

// Computes y = x W^T + b some other way (INT8, fake-quant, FP16 ...).
class LinearKernel {
 public:
  virtual ~LinearKernel() = default;
  virtual torch::Tensor forward(const torch::Tensor& input) const = 0;  // (..., in) -> (..., out)
  virtual std::string describe() const = 0;
};

class LinearImpl : public torch::nn::Module {
 public:
  LinearImpl(int64_t in_features, int64_t out_features);

  // input (..., in) -> (..., out)
  torch::Tensor forward(const torch::Tensor& input);

  int64_t in_features() const { return weight.size(1); }
  int64_t out_features() const { return weight.size(0); }

  torch::Tensor weight;  // [out, in]
  torch::Tensor bias;    // [out]
  std::shared_ptr<LinearKernel> kernel;  // null: FP32/BF16 torch::linear on weight and bias
};
TORCH_MODULE(Linear);

}  // namespace tpq::model
