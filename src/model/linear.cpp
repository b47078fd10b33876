#include "tpq/model/linear.h"

#include <torch/nn/functional/linear.h>

namespace tpq::model {

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
  return torch::nn::functional::linear(input, weight, bias);
}

}  // namespace tpq::model
