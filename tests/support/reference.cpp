#include "support/reference.h"

#include <torch/torch.h>

namespace tpq::testing {

torch::Tensor tensor_from_json(const nlohmann::json& rows, torch::ScalarType dtype) {
  std::vector<torch::Tensor> tensors;
  for (const auto& row : rows) tensors.push_back(torch::tensor(row.get<std::vector<double>>(), torch::kDouble));
  return torch::stack(tensors).to(dtype);
}

double max_abs_difference(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.detach().to(torch::kCPU, torch::kDouble) - b.detach().to(torch::kCPU, torch::kDouble)).abs().max().item<double>();
}

}  // namespace tpq::testing
