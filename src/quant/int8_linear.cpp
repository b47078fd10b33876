#include "tpq/quant/int8_linear.h"

#include <algorithm>
#include <cmath>

#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/torch.h>

#include "tpq/core/error.h"

namespace tpq::quant {
namespace {

// (..., in) -> (rows, in) contiguous float, and back to (..., out).
torch::Tensor flatten_rows(const torch::Tensor& input) {
  return input.reshape({-1, input.size(-1)}).to(torch::kFloat).contiguous();
}

torch::Tensor unflatten_rows(const torch::Tensor& output, const torch::Tensor& input) {
  auto sizes = input.sizes().vec();
  sizes.back() = output.size(-1);
  return output.view(sizes);
}

std::vector<std::pair<std::string, torch::Tensor>> weight_tensors(const std::string& prefix, const Int8Weight& weight,
                                                                 const torch::Tensor& bias) {
  return {{prefix + ".weight", weight.values}, {prefix + ".weight_scale", weight.scales}, {prefix + ".bias", bias}};
}

}  // namespace

std::string to_string(Granularity granularity) {
  return granularity == Granularity::PerTensor ? "per_tensor" : "per_channel";
}

Granularity parse_granularity(const std::string& text) {
  if (text == "per_tensor") return Granularity::PerTensor;
  if (text == "per_channel") return Granularity::PerChannel;
  throw UserError("granularity '" + text + "': use per_tensor or per_channel");
}

Int8Weight Int8Weight::quantize(const torch::Tensor& weight, Granularity granularity) {
  torch::NoGradGuard no_grad;
  const auto w = weight.detach().to(torch::kCPU, torch::kFloat);
  Int8Weight result;
  result.granularity = granularity;
  auto max_abs = granularity == Granularity::PerTensor ? w.abs().max().reshape({1}) : std::get<0>(w.abs().max(1));
  // A row of zeros (e.g. a pruned neuron) still needs a valid, positive scale.
  result.scales = (max_abs / 127.0).clamp_min(1e-12).to(torch::kFloat);
  const auto broadcast = granularity == Granularity::PerTensor ? result.scales : result.scales.unsqueeze(1);
  result.values = torch::clamp(torch::round(w / broadcast), -127, 127).to(torch::kChar);
  return result;
}

at::Tensor Int8Weight::to_quantized() const {
  if (granularity == Granularity::PerTensor) {
    return at::_make_per_tensor_quantized_tensor(values, scales.item<double>(), 0);
  }
  const auto zero_points = torch::zeros({scales.size(0)}, torch::kLong);
  return at::_make_per_channel_quantized_tensor(values, scales.to(torch::kDouble), zero_points, 0);
}

torch::Tensor Int8Weight::dequantize() const {
  const auto broadcast = granularity == Granularity::PerTensor ? scales : scales.unsqueeze(1);
  return values.to(torch::kFloat) * broadcast;
}

ActivationQuant ActivationQuant::from_range(double min_value, double max_value) {
  min_value = std::min(min_value, 0.0);
  max_value = std::max(max_value, 0.0);
  ActivationQuant quant;
  // Rounded to float: the scale is saved as F32, and a reloaded model must compute the same.
  quant.scale = static_cast<float>(std::max((max_value - min_value) / 255.0, 1e-8));
  quant.zero_point = std::clamp<int64_t>(static_cast<int64_t>(std::nearbyint(-min_value / quant.scale)), 0, 255);
  return quant;
}

c10::intrusive_ptr<LinearPackedParamsBase> prepack_linear(const Int8Weight& weight, const torch::Tensor& bias) {
  static auto prepack = c10::Dispatcher::singleton()
                            .findSchemaOrThrow("quantized::linear_prepack", "")
                            .typed<c10::intrusive_ptr<LinearPackedParamsBase>(at::Tensor, c10::optional<at::Tensor>)>();
  return prepack.call(weight.to_quantized(), bias.defined() ? c10::optional<at::Tensor>(bias.to(torch::kFloat)) : c10::nullopt);
}

DynamicInt8Linear::DynamicInt8Linear(Int8Weight weight, torch::Tensor bias)
    : weight_(std::move(weight)), bias_(std::move(bias)), packed_(prepack_linear(weight_, bias_)) {}

torch::Tensor DynamicInt8Linear::forward(const torch::Tensor& input) const {
  return unflatten_rows(packed_->apply_dynamic(flatten_rows(input), /*reduce_range=*/false), input);
}

std::vector<std::pair<std::string, torch::Tensor>> DynamicInt8Linear::export_tensors(const std::string& prefix) const {
  return weight_tensors(prefix, weight_, bias_);
}

std::string DynamicInt8Linear::describe() const { return "int8 dynamic (" + to_string(weight_.granularity) + ")"; }

StaticInt8Linear::StaticInt8Linear(Int8Weight weight, torch::Tensor bias, ActivationQuant input, ActivationQuant output)
    : weight_(std::move(weight)), bias_(std::move(bias)), input_(input), output_(output),
      packed_(prepack_linear(weight_, bias_)) {}

torch::Tensor StaticInt8Linear::forward(const torch::Tensor& input) const {
  const auto quantized_input = at::quantize_per_tensor(flatten_rows(input), input_.scale, input_.zero_point, at::kQUInt8);
  const auto quantized_output = packed_->apply(quantized_input, output_.scale, output_.zero_point);
  return unflatten_rows(quantized_output.dequantize(), input);
}

std::vector<std::pair<std::string, torch::Tensor>> StaticInt8Linear::export_tensors(const std::string& prefix) const {
  auto tensors = weight_tensors(prefix, weight_, bias_);
  tensors.emplace_back(prefix + ".input_scale", torch::tensor({input_.scale}, torch::kFloat));
  tensors.emplace_back(prefix + ".input_zero_point", torch::tensor({input_.zero_point}, torch::kInt));
  tensors.emplace_back(prefix + ".output_scale", torch::tensor({output_.scale}, torch::kFloat));
  tensors.emplace_back(prefix + ".output_zero_point", torch::tensor({output_.zero_point}, torch::kInt));
  return tensors;
}

std::string StaticInt8Linear::describe() const { return "int8 static (" + to_string(weight_.granularity) + ")"; }

}  // namespace tpq::quant
