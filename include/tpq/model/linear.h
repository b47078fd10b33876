// A Linear layer with HF parameter names (weight [out, in], bias [out]) whose matmul can be
// replaced by a quantized kernel: quantization swaps `kernel`, the module tree stays the same.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

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
  // The tensors that stand for this layer in a saved file, named under `prefix` (e.g. the int8
  // "prefix.weight", its "prefix.weight_scale", and "prefix.bias").
  virtual std::vector<std::pair<std::string, torch::Tensor>> export_tensors(const std::string& prefix) const = 0;
};

class LinearImpl : public torch::nn::Module {
 public:
  LinearImpl(int64_t in_features, int64_t out_features);

  // input (..., in) -> (..., out)
  torch::Tensor forward(const torch::Tensor& input);

  // The FP32 weight's shape, or the shape it had when a kernel replaced it.
  int64_t in_features() const { return kernel ? in_features_ : weight.size(1); }
  int64_t out_features() const { return kernel ? out_features_ : weight.size(0); }

  // Installs a kernel and releases the FP32 weight it replaces (memory is measured honestly).
  void replace_with(std::shared_ptr<LinearKernel> new_kernel);
  // Installs a kernel that computes with this layer's own FP32 weight and bias (fake-quant QAT):
  // both stay registered, trainable parameters.
  void attach_trainable_kernel(std::shared_ptr<LinearKernel> new_kernel);

  torch::Tensor weight;  // [out, in]
  torch::Tensor bias;    // [out]
  std::shared_ptr<LinearKernel> kernel;  // null: FP32/BF16 torch::linear on weight and bias

 private:
  int64_t in_features_ = 0;
  int64_t out_features_ = 0;
};
TORCH_MODULE(Linear);

}  // namespace tpq::model
