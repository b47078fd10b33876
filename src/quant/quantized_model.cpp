#include "tpq/quant/quantized_model.h"

#include <algorithm>
#include <map>

#include <torch/torch.h>

#include "tpq/core/error.h"
#include "tpq/model/model_state.h"
#include "tpq/quant/engine.h"

namespace tpq::quant {

nlohmann::json QuantizationInfo::to_json() const {
  return {{"method", method}, {"granularity", to_string(granularity)}, {"engine", engine},
          {"modules", modules}, {"details", details}};
}

QuantizationInfo QuantizationInfo::from_json(const nlohmann::json& json, const std::string& source) {
  const std::string where = source + ": key '" + kQuantizationKey + "'";
  require(json.is_object() && json.contains("method") && json["method"].is_string() && json.contains("modules") &&
              json["modules"].is_array(),
          where + " must be an object with a string 'method' and a list 'modules'");
  QuantizationInfo info;
  info.method = json["method"].get<std::string>();
  require(info.method == "dynamic_int8" || info.method == "static_int8",
          where + ": unknown method '" + info.method + "' (dynamic_int8 or static_int8)");
  info.granularity = parse_granularity(json.value("granularity", std::string("per_channel")));
  info.engine = json.value("engine", std::string());
  for (const auto& module : json["modules"]) {
    require(module.is_string(), where + ": 'modules' must list module names");
    info.modules.push_back(module.get<std::string>());
  }
  if (json.contains("details")) info.details = json["details"];
  return info;
}

std::vector<std::string> select_linears(model::EncoderClassifierImpl& model, const LinearSelection& selection) {
  std::vector<std::string> names;
  for (const auto& [name, linear] : model::named_linears(model)) {
    const bool head = model.family().is_head_module(name);
    if (head && !selection.include_pooler_and_classifier) continue;
    if (std::find(selection.keep_fp32.begin(), selection.keep_fp32.end(), name) != selection.keep_fp32.end()) continue;
    if (linear->kernel || linear->in_features() == 0 || linear->out_features() == 0) continue;  // already replaced / empty
    names.push_back(name);
  }
  return names;
}

QuantizationInfo quantize_dynamic(model::EncoderClassifierImpl& model, Granularity granularity,
                                  const LinearSelection& selection) {
  require(model.parameters().front().device().is_cpu(), "INT8 kernels run on CPU; move the model to CPU first");
  QuantizationInfo info;
  info.method = "dynamic_int8";
  info.granularity = granularity;
  info.engine = current_engine();
  info.modules = select_linears(model, selection);
  std::map<std::string, model::LinearImpl*> linears;
  for (const auto& [name, linear] : model::named_linears(model)) linears[name] = linear;
  for (const auto& name : info.modules) {
    auto* linear = linears.at(name);
    auto kernel = std::make_shared<DynamicInt8Linear>(Int8Weight::quantize(linear->weight, granularity), linear->bias.detach().clone());
    linear->replace_with(std::move(kernel));
  }
  model.config.extra[kQuantizationKey] = info.to_json();
  return info;
}

void attach_saved_kernels(model::EncoderClassifierImpl& model, const io::SafetensorsFile& file,
                          const QuantizationInfo& info) {
  std::map<std::string, model::LinearImpl*> linears;
  for (const auto& [name, linear] : model::named_linears(model)) linears[name] = linear;
  const std::string where = file.path().string();
  auto tensor = [&](const std::string& name, torch::ScalarType dtype) {
    require(file.contains(name), where + ": quantized checkpoint lacks tensor '" + name + "'");
    auto value = file.tensor(name);
    require(value.scalar_type() == dtype, where + ": tensor '" + name + "' is " + std::string(c10::toString(value.scalar_type())) +
                                              ", expected " + std::string(c10::toString(dtype)));
    return value;
  };
  for (const auto& name : info.modules) {
    auto found = linears.find(name);
    require(found != linears.end(), where + ": quantized module '" + name + "' is not a Linear of this model");
    auto* linear = found->second;
    Int8Weight weight;
    weight.granularity = info.granularity;
    weight.values = tensor(name + ".weight", torch::kChar);
    weight.scales = tensor(name + ".weight_scale", torch::kFloat);
    const auto bias = tensor(name + ".bias", torch::kFloat);
    require(weight.values.dim() == 2 && weight.values.size(0) == linear->out_features() &&
                weight.values.size(1) == linear->in_features(),
            where + ": tensor '" + name + ".weight' has the wrong shape for config.json");
    const int64_t expected_scales = info.granularity == Granularity::PerTensor ? 1 : weight.values.size(0);
    require(weight.scales.numel() == expected_scales && (weight.scales > 0).all().item<bool>(),
            where + ": tensor '" + name + ".weight_scale' must hold " + std::to_string(expected_scales) + " positive scale(s)");
    {
      torch::NoGradGuard no_grad;
      linear->bias.copy_(bias);
    }
    if (info.method == "dynamic_int8") {
      linear->replace_with(std::make_shared<DynamicInt8Linear>(weight, bias));
    } else {
      ActivationQuant input{tensor(name + ".input_scale", torch::kFloat).item<float>(),
                            tensor(name + ".input_zero_point", torch::kInt).item<int32_t>()};
      ActivationQuant output{tensor(name + ".output_scale", torch::kFloat).item<float>(),
                             tensor(name + ".output_zero_point", torch::kInt).item<int32_t>()};
      linear->replace_with(std::make_shared<StaticInt8Linear>(weight, bias, input, output));
    }
  }
}

}  // namespace tpq::quant
