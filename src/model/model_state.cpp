#include "tpq/model/model_state.h"

#include <set>
#include <string>

namespace tpq::model {

std::vector<std::pair<std::string, LinearImpl*>> named_linears(EncoderClassifierImpl& model) {
  std::vector<std::pair<std::string, LinearImpl*>> linears;
  for (const auto& item : model.named_modules(/*name_prefix=*/"", /*include_self=*/false)) {
    if (auto* linear = item.value()->as<LinearImpl>()) linears.emplace_back(item.key(), linear);
  }
  return linears;
}

std::vector<std::pair<std::string, torch::Tensor>> model_state_tensors(EncoderClassifierImpl& model) {
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  std::set<std::string> exported;  // parameter names a kernel speaks for
  for (const auto& [name, linear] : named_linears(model)) {
    if (!linear->kernel) continue;
    for (auto& tensor : linear->kernel->export_tensors(name)) tensors.push_back(std::move(tensor));
    exported.insert(name + ".weight");
    exported.insert(name + ".bias");
  }
  // A model converted by quant::convert_to_half is saved in its 16-bit dtype. (Keyed on tpq's own
  // record, not torch_dtype: HF checkpoints may declare float16 yet be fine-tuned in FP32.)
  const auto& record = model.config.extra;
  const std::string dtype = record.contains("tpq_half_precision") ? record["tpq_half_precision"].value("dtype", std::string()) : "";
  const bool half = dtype == "float16" || dtype == "bfloat16";
  for (const auto& item : model.named_parameters(/*recurse=*/true)) {
    if (exported.count(item.key()) > 0) continue;
    auto tensor = item.value().detach();
    if (half && tensor.is_floating_point()) tensor = tensor.to(dtype == "float16" ? torch::kHalf : torch::kBFloat16);
    tensors.emplace_back(item.key(), tensor);
  }
  return tensors;
}

}  // namespace tpq::model
