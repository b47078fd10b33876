#include "tpq/quant/half_precision.h"

#include <map>

#include <torch/torch.h>

#include "tpq/core/error.h"
#include "tpq/model/model_state.h"

namespace tpq::quant {

bool cpu_fp16_gemm_available() {
  static const bool available = [] {
    try {
      const auto a = torch::ones({2, 2}, torch::kHalf);
      torch::linear(a, a);
      return true;
    } catch (const c10::Error&) {
      return false;  // e.g. "addmm_impl_cpu_" not implemented for 'Half'
    }
  }();
  return available;
}

HalfLinear::HalfLinear(const torch::Tensor& weight, const torch::Tensor& bias, torch::ScalarType dtype)
    : weight_(weight.detach().to(dtype).contiguous()), bias_(bias.detach().to(dtype).contiguous()) {}

std::string HalfLinear::compute() const {
  if (dtype() == torch::kBFloat16) return "bf16";
  return cpu_fp16_gemm_available() ? "fp16" : "fp32 (fp16 weights widened)";
}

torch::Tensor HalfLinear::forward(const torch::Tensor& input) const {
  if (dtype() == torch::kHalf && !cpu_fp16_gemm_available()) {
    return torch::linear(input, weight_.to(input.scalar_type()), bias_.to(input.scalar_type()));
  }
  return torch::linear(input.to(dtype()), weight_, bias_).to(input.scalar_type());
}

std::string HalfLinear::describe() const {
  return std::string(c10::toString(dtype())) + " Linear " + std::to_string(weight_.size(1)) + "->" +
         std::to_string(weight_.size(0)) + ", matmul in " + compute();
}

std::vector<std::pair<std::string, torch::Tensor>> HalfLinear::export_tensors(const std::string& prefix) const {
  return {{prefix + ".weight", weight_}, {prefix + ".bias", bias_}};
}

nlohmann::json HalfPrecisionInfo::to_json() const {
  nlohmann::json json;
  json["dtype"] = dtype;
  json["compute"] = compute;
  json["modules"] = modules;
  return json;
}

HalfPrecisionInfo HalfPrecisionInfo::from_json(const nlohmann::json& json, const std::string& source) {
  const std::string where = source + ": key '" + kHalfPrecisionKey + "'";
  require(json.is_object() && json.contains("dtype") && json["dtype"].is_string() && json.contains("modules") &&
              json["modules"].is_array(),
          where + " must be an object with a string 'dtype' and a list 'modules'");
  HalfPrecisionInfo info;
  info.dtype = json["dtype"].get<std::string>();
  require(info.dtype == "float16" || info.dtype == "bfloat16", where + ": dtype '" + info.dtype + "' (float16 or bfloat16)");
  info.compute = json.value("compute", std::string());
  for (const auto& module : json["modules"]) {
    require(module.is_string(), where + ": 'modules' must list module names");
    info.modules.push_back(module.get<std::string>());
  }
  return info;
}

torch::ScalarType half_dtype(const std::string& name) {
  if (name == "float16" || name == "fp16") return torch::kHalf;
  if (name == "bfloat16" || name == "bf16") return torch::kBFloat16;
  throw UserError("half precision dtype '" + name + "': use float16 (fp16) or bfloat16 (bf16)");
}

namespace {

std::string hf_dtype_name(torch::ScalarType dtype) { return dtype == torch::kHalf ? "float16" : "bfloat16"; }

}  // namespace

HalfPrecisionInfo convert_to_half(model::EncoderClassifierImpl& model, torch::ScalarType dtype) {
  require(dtype == torch::kHalf || dtype == torch::kBFloat16, "convert_to_half: dtype must be float16 or bfloat16");
  require(model.parameters().front().device().is_cpu(), "convert_to_half: move the model to CPU first");
  HalfPrecisionInfo info;
  info.dtype = hf_dtype_name(dtype);
  for (const auto& [name, linear] : model::named_linears(model)) {
    require(!linear->kernel, "convert_to_half: Linear '" + name + "' already has a kernel (" +
                                 (linear->kernel ? linear->kernel->describe() : "") + ")");
    auto kernel = std::make_shared<HalfLinear>(linear->weight, linear->bias, dtype);
    info.compute = kernel->compute();
    linear->replace_with(std::move(kernel));
    info.modules.push_back(name);
  }
  {
    // Embeddings and LayerNorm keep FP32 storage in memory (their ops run in FP32) but hold the
    // 16-bit values they are saved with, so the measured model is the saved one.
    torch::NoGradGuard no_grad;
    for (auto& parameter : model.parameters()) {
      if (parameter.numel() > 0 && parameter.scalar_type() == torch::kFloat) parameter.copy_(parameter.to(dtype));
    }
  }
  model.config.extra["torch_dtype"] = info.dtype;
  model.config.extra[kHalfPrecisionKey] = info.to_json();
  return info;
}

void attach_half_kernels(model::EncoderClassifierImpl& model, const HalfPrecisionInfo& info) {
  const auto dtype = half_dtype(info.dtype);
  std::map<std::string, model::LinearImpl*> linears;
  for (const auto& [name, linear] : model::named_linears(model)) linears[name] = linear;
  for (const auto& name : info.modules) {
    auto found = linears.find(name);
    require(found != linears.end(), "config.json: half-precision module '" + name + "' is not a Linear of this model");
    found->second->replace_with(std::make_shared<HalfLinear>(found->second->weight, found->second->bias, dtype));
  }
}

}  // namespace tpq::quant
