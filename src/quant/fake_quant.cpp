#include "tpq/quant/fake_quant.h"

#include <algorithm>
#include <map>

#include <torch/torch.h>

#include "tpq/core/error.h"
#include "tpq/dist/data_parallel.h"
#include "tpq/model/model_state.h"
#include "tpq/quant/engine.h"

namespace tpq::quant {

void RangeObserver::observe(const torch::Tensor& values) {
  const auto flat = values.detach().to(torch::kFloat);
  const double batch_min = flat.min().item<double>();
  const double batch_max = flat.max().item<double>();
  if (!initialised) {
    min_value = batch_min;
    max_value = batch_max;
    initialised = true;
    return;
  }
  min_value += momentum * (batch_min - min_value);
  max_value += momentum * (batch_max - max_value);
}

ActivationQuant RangeObserver::quant() const { return ActivationQuant::from_range(min_value, max_value); }

FakeQuantLinear::FakeQuantLinear(model::LinearImpl& owner, int64_t weight_bits)
    : owner_(&owner), weight_bits_(weight_bits), weight_max_level_(weight_bits_max_level(weight_bits)) {}

bool FakeQuantLinear::observing() const { return !frozen_ && (calibrating_ || owner_->is_training()); }

torch::Tensor FakeQuantLinear::forward(const torch::Tensor& input) const {
  if (observing()) input_.observe(input);
  if (!fake_quant_) {
    auto output = model::linear_op(input, owner_->weight, owner_->bias);
    if (observing()) output_.observe(output);
    return output;
  }
  require(input_.initialised, "fake-quant Linear used before its input range was observed: calibrate first");
  const auto in = input_.quant();
  const auto x = torch::fake_quantize_per_tensor_affine(input, in.scale, in.zero_point, 0, 255);
  const auto scales = Int8Weight::symmetric_scales(owner_->weight, Granularity::PerChannel, weight_max_level_);
  const auto zero_points = torch::zeros({scales.size(0)}, torch::TensorOptions().dtype(torch::kInt).device(scales.device()));
  const auto w = torch::fake_quantize_per_channel_affine(owner_->weight, scales, zero_points, 0, -weight_max_level_,
                                                             weight_max_level_);
  auto output = model::linear_op(x, w, owner_->bias);
  if (observing()) output_.observe(output);
  require(output_.initialised, "fake-quant Linear used before its output range was observed: calibrate first");
  const auto out = output_.quant();
  return torch::fake_quantize_per_tensor_affine(output, out.scale, out.zero_point, 0, 255);
}

std::vector<std::pair<std::string, torch::Tensor>> FakeQuantLinear::export_tensors(const std::string& prefix) const {
  return {{prefix + ".weight", owner_->weight.detach()}, {prefix + ".bias", owner_->bias.detach()}};
}

std::vector<std::string> prepare_qat(model::EncoderClassifierImpl& model, const LinearSelection& selection,
                                     int64_t weight_bits) {
  weight_bits_max_level(weight_bits);  // UserError before any Linear is touched
  const auto names = select_linears(model, selection);
  for (const auto& [name, linear] : model::named_linears(model)) {
    if (std::find(names.begin(), names.end(), name) == names.end()) continue;
    linear->attach_trainable_kernel(std::make_shared<FakeQuantLinear>(*linear, weight_bits));
  }
  return names;
}

std::vector<std::pair<std::string, FakeQuantLinear*>> fake_quant_kernels(model::EncoderClassifierImpl& model) {
  std::vector<std::pair<std::string, FakeQuantLinear*>> kernels;
  for (const auto& [name, linear] : model::named_linears(model)) {
    if (auto* kernel = dynamic_cast<FakeQuantLinear*>(linear->kernel.get())) kernels.emplace_back(name, kernel);
  }
  return kernels;
}

void calibrate_fake_quant(model::EncoderClassifierImpl& model, const std::vector<model::ModelInputs>& batches) {
  const auto kernels = fake_quant_kernels(model);
  require(!kernels.empty(), "calibrate_fake_quant: the model has no fake-quant Linears (prepare_qat first)");
  for (const auto& item : kernels) {
    item.second->set_calibrating(true);
    item.second->set_fake_quant(false);
  }
  const bool was_training = model.is_training();
  model.eval();
  {
    torch::NoGradGuard no_grad;
    for (const auto& batch : batches) model.forward(batch);
  }
  if (was_training) model.train();
  for (const auto& item : kernels) {
    item.second->set_calibrating(false);
    item.second->set_fake_quant(true);
  }
}

void freeze_observers(model::EncoderClassifierImpl& model) {
  for (const auto& item : fake_quant_kernels(model)) item.second->freeze_observers();
}

QuantizationInfo convert_qat(model::EncoderClassifierImpl& model, const std::string& source) {
  require(model.parameters().front().device().is_cpu(), "INT8 kernels run on CPU; move the model to CPU first");
  QuantizationInfo info;
  info.method = "static_int8";
  info.granularity = Granularity::PerChannel;
  info.engine = current_engine();
  int64_t weight_bits = 8;
  std::map<std::string, model::LinearImpl*> linears;
  for (const auto& [name, linear] : model::named_linears(model)) linears[name] = linear;
  for (const auto& [name, kernel] : fake_quant_kernels(model)) {
    require(kernel->input_range().initialised && kernel->output_range().initialised,
            "convert_qat: module '" + name + "' has no observed ranges; calibrate first");
    auto* linear = linears.at(name);
    auto weight = Int8Weight::quantize(linear->weight, Granularity::PerChannel, kernel->weight_max_level());
    weight_bits = kernel->weight_bits();
    auto int8 = std::make_shared<StaticInt8Linear>(std::move(weight), linear->bias.detach().clone(),
                                                   kernel->input_range().quant(), kernel->output_range().quant());
    linear->replace_with(std::move(int8));
    info.modules.push_back(name);
  }
  require(!info.modules.empty(), "convert_qat: the model has no fake-quant Linears (prepare_qat first)");
  info.details["source"] = source;
  info.details["observer"] = "moving_average_min_max (momentum 0.01)";
  // Below 8 bits the values still sit in int8 storage and run on the int8 kernels: fewer levels, same bytes.
  if (weight_bits != 8) {
    const auto max_level = std::to_string(weight_bits_max_level(weight_bits));
    info.details["weight_bits"] = weight_bits;
    info.details["weight_storage"] = "int8 (values in [-" + max_level + ", " + max_level + "])";
  }
  model.config.extra[kQuantizationKey] = info.to_json();
  return info;
}

void synchronize_observers(model::EncoderClassifierImpl& model, dist::ProcessGroup* group) {
  if (!dist::is_data_parallel(group)) return;
  const auto kernels = fake_quant_kernels(model);
  if (kernels.empty()) return;
  // One all-reduce of the maximum: minima travel negated. Per kernel: -in.min, in.max, -out.min, out.max.
  std::vector<double> ranges;
  for (const auto& item : kernels) {
    const auto& in = item.second->input_range();
    const auto& out = item.second->output_range();
    ranges.insert(ranges.end(), {-in.min_value, in.max_value, -out.min_value, out.max_value});
  }
  std::vector<at::Tensor> bucket{torch::tensor(ranges, torch::kDouble)};
  group->all_reduce_max(bucket);
  const auto* value = bucket[0].data_ptr<double>();
  for (const auto& item : kernels) {
    RangeObserver in = item.second->input_range(), out = item.second->output_range();
    in.min_value = -value[0];
    in.max_value = value[1];
    out.min_value = -value[2];
    out.max_value = value[3];
    item.second->set_ranges(in, out);
    value += 4;
  }
}

}  // namespace tpq::quant
