#include "tpq/model/linear.h"

#include <algorithm>
#include <stdexcept>

#include <torch/torch.h>

namespace tpq::model {

kernels::QuantizedRows LinearKernel::quantize_input(const torch::Tensor& /*input*/) const {
  throw std::logic_error(describe() + " does not take quantized input");
}

torch::Tensor linear_op(const torch::Tensor& input, const torch::Tensor& weight, const torch::Tensor& bias) {
  return torch::linear(input, weight, bias.defined() ? c10::optional<torch::Tensor>(bias) : c10::nullopt);
}

torch::Tensor LinearKernel::forward_quantized(const kernels::QuantizedRows& /*rows*/, const torch::Tensor& input) const {
  return forward(input);
}

namespace {

// Training: one matrix product with the weights stacked. Under autocast the input is then cast
// once, not once per linear, and backward gives its gradient as one product instead of a sum of
// one per linear (each converted to FP32 first).
bool stack_for_training(const std::vector<LinearImpl*>& linears) {
  if (linears.size() < 2 || !torch::GradMode::is_enabled()) return false;
  return std::all_of(linears.begin(), linears.end(), [&](const LinearImpl* linear) {
    return linear->is_training() && !linear->kernel && linear->bias.defined() &&
           linear->weight.size(1) == linears.front()->weight.size(1);
  });
}

std::vector<torch::Tensor> forward_stacked(const std::vector<LinearImpl*>& linears, const torch::Tensor& input) {
  std::vector<torch::Tensor> weights, biases;
  std::vector<int64_t> widths;
  for (const auto* linear : linears) {
    weights.push_back(linear->weight);
    biases.push_back(linear->bias);
    widths.push_back(linear->weight.size(0));
  }
  // split's backward concatenates the parts' gradients; narrow's would add zero-padded copies.
  return linear_op(input, torch::cat(weights), torch::cat(biases)).split_with_sizes(widths, -1);
}

}  // namespace

std::vector<torch::Tensor> forward_sharing_input(const std::vector<LinearImpl*>& linears, const torch::Tensor& input) {
  if (stack_for_training(linears)) return forward_stacked(linears, input);
  const bool share = linears.size() > 1 && std::all_of(linears.begin(), linears.end(), [](const LinearImpl* linear) {
                       return linear->kernel && linear->kernel->takes_quantized_input();
                     });
  std::vector<torch::Tensor> outputs;
  if (!share) {
    for (auto* linear : linears) outputs.push_back(linear->forward(input));
    return outputs;
  }
  const auto rows = linears.front()->kernel->quantize_input(input);
  for (auto* linear : linears) outputs.push_back(linear->kernel->forward_quantized(rows, input));
  return outputs;
}

LinearImpl::LinearImpl(int64_t in_features, int64_t out_features) {
  weight = register_parameter("weight", torch::empty({out_features, in_features}));
  bias = register_parameter("bias", torch::zeros({out_features}));
}

void LinearImpl::replace_with(std::shared_ptr<LinearKernel> new_kernel) {
  if (!kernel) {
    in_features_ = weight.size(1);
    out_features_ = weight.size(0);
  }
  kernel = std::move(new_kernel);
  torch::NoGradGuard no_grad;
  weight.set_data(torch::empty({0}, weight.options()));
  weight.set_requires_grad(false);
  bias.set_requires_grad(false);
}

void LinearImpl::attach_trainable_kernel(std::shared_ptr<LinearKernel> new_kernel) {
  in_features_ = weight.size(1);
  out_features_ = weight.size(0);
  kernel = std::move(new_kernel);
}

torch::Tensor LinearImpl::forward(const torch::Tensor& input) {
  if (kernel) return kernel->forward(input);
  if (kernels::dense_matmul_applies(input, weight, bias)) return dense_forward(input, kernels::Activation::None);
  return linear_op(input, weight, bias);
}

torch::Tensor LinearImpl::forward_activated(const torch::Tensor& input, kernels::Activation activation) {
  if (kernel) return kernel->forward_activated(input, activation);
  if (kernels::dense_matmul_applies(input, weight, bias)) return dense_forward(input, activation);
  return kernels::apply_activation(linear_op(input, weight, bias), activation);
}

torch::Tensor LinearImpl::dense_forward(const torch::Tensor& input, kernels::Activation activation) {
  auto sizes = input.sizes().vec();
  sizes.back() = weight.size(0);
  return dense_.forward(input.reshape({-1, weight.size(1)}).contiguous(), weight, bias, activation).view(sizes);
}

}  // namespace tpq::model
