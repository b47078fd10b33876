#include "tpq/model/packed_linear.h"

#include <torch/torch.h>

#include "tpq/kernels/kernel_info.h"
#include "tpq/model/model_state.h"

namespace tpq::model {

PackedLinear::PackedLinear(const LinearImpl& linear)
    : matmul_(linear.weight, linear.bias), dtype_(linear.weight.scalar_type()) {}

torch::Tensor PackedLinear::forward(const torch::Tensor& input) const {
  return forward_activated(input, kernels::Activation::None);
}

torch::Tensor PackedLinear::forward_activated(const torch::Tensor& input, kernels::Activation activation) const {
  const auto bias = matmul_.bias();
  auto sizes = input.sizes().vec();
  sizes.back() = bias.size(1);
  return matmul_.forward(input.reshape({-1, input.size(-1)}).to(dtype_).contiguous(), activation).view(sizes);
}

std::string PackedLinear::describe() const {
  return std::string(dtype_ == torch::kBFloat16 ? "bf16" : "fp32") + " (packed for oneDNN)";
}

std::vector<std::pair<std::string, torch::Tensor>> PackedLinear::export_tensors(const std::string& prefix) const {
  return {{prefix + ".weight", matmul_.weight()}, {prefix + ".bias", matmul_.bias().reshape({-1})}};
}

int64_t pack_linears_for_inference(EncoderClassifierImpl& model) {
  if (kernels::dense_kernel_choice() != "onednn") return 0;
  int64_t packed = 0;
  for (const auto& [name, linear] : named_linears(model)) {
    const auto type = linear->weight.scalar_type();
    if (linear->kernel || !linear->weight.device().is_cpu() || linear->weight.numel() == 0) continue;
    if (type != torch::kFloat && type != torch::kBFloat16) continue;
    linear->replace_with(std::make_shared<PackedLinear>(*linear));
    ++packed;
  }
  return packed;
}

}  // namespace tpq::model
