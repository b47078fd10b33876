#include "support/reference.h"

#include <algorithm>
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

double max_abs_difference(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  double largest = 0;
  for (std::size_t i = 0; i < a.size(); ++i) largest = std::max(largest, max_abs_difference(a[i], b[i]));
  return largest;
}

model::ModelInputs reference_inputs(const nlohmann::json& ref, torch::Device device) {
  // DistilBERT's and RoBERTa's references have no token_type_ids: undefined means all zeros.
  const auto token_types = ref.contains("token_type_ids") ? tensor_from_json(ref["token_type_ids"], torch::kLong).to(device)
                                                          : torch::Tensor();
  return {tensor_from_json(ref["input_ids"], torch::kLong).to(device), token_types,
          tensor_from_json(ref["attention_mask"], torch::kLong).to(device)};
}

torch::Tensor centered(const torch::Tensor& rows) { return rows - rows.mean(0); }

}  // namespace tpq::testing
