#include "tpq/model/linear.h"

#include <torch/nn/functional/linear.h>

namespace tpq::model {

LinearImpl::LinearImpl(int64_t in_features, int64_t out_features) {
  weight = register_parameter("weight", torch::empty({out_features, in_features}));
  bias = register_parameter("bias", torch::zeros({out_features}));
}

torch::Tensor LinearImpl::forward(const torch::Tensor& input) {
  if (kernel) return kernel->forward(input);
  return torch::nn::functional::linear(input, weight, bias);
}

}  // namespace tpq::model
