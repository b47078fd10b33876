#include "tpq/model/model_state.h"

#include <set>

namespace tpq::model {

std::vector<std::pair<std::string, LinearImpl*>> named_linears(BertForSequenceClassificationImpl& model) {
  std::vector<std::pair<std::string, LinearImpl*>> linears;
  for (const auto& item : model.named_modules(/*name_prefix=*/"", /*include_self=*/false)) {
    if (auto* linear = item.value()->as<LinearImpl>()) linears.emplace_back(item.key(), linear);
  }
  return linears;
}

std::vector<std::pair<std::string, torch::Tensor>> model_state_tensors(BertForSequenceClassificationImpl& model) {
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  std::set<std::string> exported;  // parameter names a kernel speaks for
  for (const auto& [name, linear] : named_linears(model)) {
    if (!linear->kernel) continue;
    for (auto& tensor : linear->kernel->export_tensors(name)) tensors.push_back(std::move(tensor));
    exported.insert(name + ".weight");
    exported.insert(name + ".bias");
  }
  for (const auto& item : model.named_parameters(/*recurse=*/true)) {
    if (exported.count(item.key()) == 0) tensors.emplace_back(item.key(), item.value().detach());
  }
  return tensors;
}

}  // namespace tpq::model
