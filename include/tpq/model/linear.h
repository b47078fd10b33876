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

#include "tpq/kernels/activation.h"
#include "tpq/kernels/dense_matmul.h"
#include "tpq/kernels/u8_quantizer.h"

namespace tpq::model {

// Computes y = x W^T + b some other way (INT8, fake-quant, FP16 ...).
class LinearKernel {
 public:
  virtual ~LinearKernel() = default;
  virtual torch::Tensor forward(const torch::Tensor& input) const = 0;  // (..., in) -> (..., out)
  // activation(forward(input)); a kernel that can fuse the activation into its GEMM overrides this.
  virtual torch::Tensor forward_activated(const torch::Tensor& input, kernels::Activation activation) const {
    return kernels::apply_activation(forward(input), activation);
  }
  // Kernels that quantize their input per call (dynamic INT8) can take it quantized, so the
  // Linears reading one input (query, key, value) quantize it once: forward_sharing_input.
  virtual bool takes_quantized_input() const { return false; }
  virtual kernels::QuantizedRows quantize_input(const torch::Tensor& input) const;
  virtual torch::Tensor forward_quantized(const kernels::QuantizedRows& rows, const torch::Tensor& input) const;
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
  // activation(forward(input)), fused into the GEMM where the kernel can.
  torch::Tensor forward_activated(const torch::Tensor& input, kernels::Activation activation);

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
  torch::Tensor dense_forward(const torch::Tensor& input, kernels::Activation activation);

  kernels::DenseMatmul dense_;  // inference without gradients
  int64_t in_features_ = 0;
  int64_t out_features_ = 0;
};
TORCH_MODULE(Linear);

// Each Linear applied to `input`, as forward would; where all take quantized input, the input is
// quantized once for all of them (the grid depends on the input alone).
// y = x W^T + b through ATen's linear op. Prefer it to torch::nn::functional::linear, which for 3-D
// input is matmul + `+= bias`: under bf16 autocast that adds an FP32 bias to a bf16 product on
// TensorIterator's casting path, 3.4x the time of the matmul + bias that aten::linear runs (autocast
// casts its bias too, as PyTorch's nn.Linear does). `bias` may be undefined.
torch::Tensor linear_op(const torch::Tensor& input, const torch::Tensor& weight, const torch::Tensor& bias);

std::vector<torch::Tensor> forward_sharing_input(const std::vector<LinearImpl*>& linears, const torch::Tensor& input);

}  // namespace tpq::model
