#include "tpq/kernels/activation.h"

#include <torch/torch.h>

namespace tpq::kernels {

Activation activation_from_hidden_act(const std::string& hidden_act) {
  if (hidden_act == "relu") return Activation::Relu;
  if (hidden_act == "gelu_new" || hidden_act == "gelu_pytorch_tanh") return Activation::GeluTanh;
  return Activation::Gelu;
}

torch::Tensor apply_activation(const torch::Tensor& input, Activation activation) {
  switch (activation) {
    case Activation::Relu: return torch::relu(input);
    case Activation::Gelu: return torch::gelu(input);
    case Activation::GeluTanh: return torch::gelu(input, "tanh");
    case Activation::None: break;
  }
  return input;
}

}  // namespace tpq::kernels
