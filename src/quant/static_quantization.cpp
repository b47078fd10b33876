#include "tpq/quant/static_quantization.h"

#include <chrono>
#include <map>
#include <memory>
#include <tuple>

#include <torch/nn/functional/linear.h>
#include <torch/torch.h>

#include "tpq/core/error.h"
#include "tpq/model/model_state.h"
#include "tpq/quant/engine.h"

namespace tpq::quant {
namespace {

// Forwards in FP32 with the layer's own weight and bias and shows input and output to observers.
class RecordingLinear : public model::LinearKernel {
 public:
  RecordingLinear(model::LinearImpl& linear, const std::string& observer)
      : linear_(linear), input_(make_observer(observer)), output_(make_observer(observer)) {}

  torch::Tensor forward(const torch::Tensor& input) const override {
    auto output = model::linear_op(input, linear_.weight, linear_.bias);
    input_->observe(input);
    output_->observe(output);
    return output;
  }
  std::string describe() const override { return "fp32 (calibrating)"; }
  std::vector<std::pair<std::string, torch::Tensor>> export_tensors(const std::string&) const override {
    throw std::logic_error("a calibrating Linear cannot be saved");
  }
  LinearRanges ranges() const { return {input_->range(), output_->range()}; }

 private:
  model::LinearImpl& linear_;
  std::unique_ptr<Observer> input_;
  std::unique_ptr<Observer> output_;
};

// Installs recording kernels without releasing the FP32 weights (LinearImpl::replace_with would),
// and takes them out again however calibration ends.
class RecordingGuard {
 public:
  RecordingGuard(model::EncoderClassifierImpl& model, const std::vector<std::string>& names,
                 const std::string& observer) {
    std::map<std::string, model::LinearImpl*> linears;
    for (const auto& [name, linear] : model::named_linears(model)) linears[name] = linear;
    for (const auto& name : names) {
      auto* linear = linears.at(name);
      auto recorder = std::make_shared<RecordingLinear>(*linear, observer);
      linear->kernel = recorder;
      installed_.emplace_back(name, linear, std::move(recorder));
    }
  }
  ~RecordingGuard() {
    for (auto& installed : installed_) std::get<1>(installed)->kernel = nullptr;
  }
  RecordingGuard(const RecordingGuard&) = delete;
  RecordingGuard& operator=(const RecordingGuard&) = delete;

  std::map<std::string, LinearRanges> ranges() const {
    std::map<std::string, LinearRanges> result;
    for (const auto& [name, linear, recorder] : installed_) result[name] = recorder->ranges();
    return result;
  }

 private:
  std::vector<std::tuple<std::string, model::LinearImpl*, std::shared_ptr<RecordingLinear>>> installed_;
};

}  // namespace

Calibration calibrate(model::EncoderClassifierImpl& model, const std::vector<model::ModelInputs>& batches,
                      const std::string& observer, const LinearSelection& selection) {
  make_observer(observer);  // an unknown name is a UserError before any work
  Calibration calibration;
  calibration.observer = observer;
  for (const auto& batch : batches) calibration.samples += batch.input_ids.size(0);
  require(calibration.samples >= 1, "--calibration_samples must be >= 1: static quantization needs calibration data");
  const auto names = select_linears(model, selection);
  const bool was_training = model.is_training();
  model.eval();
  torch::NoGradGuard no_grad;
  const auto start = std::chrono::steady_clock::now();
  {
    RecordingGuard guard(model, names, observer);
    for (const auto& batch : batches) model.forward(batch);
    calibration.ranges = guard.ranges();
  }
  calibration.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  model.train(was_training);
  return calibration;
}

QuantizationInfo quantize_static(model::EncoderClassifierImpl& model, const Calibration& calibration,
                                 Granularity granularity) {
  require(model.parameters().front().device().is_cpu(), "INT8 kernels run on CPU; move the model to CPU first");
  require(!calibration.ranges.empty(), "static quantization: the calibration recorded no Linear layer");
  QuantizationInfo info;
  info.method = "static_int8";
  info.granularity = granularity;
  info.engine = current_engine();
  info.details["observer"] = calibration.observer;
  info.details["calibration_samples"] = calibration.samples;
  // Model order (not the map's alphabetical order), as quantize_dynamic records it.
  for (const auto& [name, linear] : model::named_linears(model)) {
    const auto found = calibration.ranges.find(name);
    if (found == calibration.ranges.end()) continue;
    require(!linear->kernel, "static quantization: Linear '" + name + "' is already quantized");
    const auto& ranges = found->second;
    auto kernel = std::make_shared<StaticInt8Linear>(Int8Weight::quantize(linear->weight, granularity),
                                                     linear->bias.detach().clone(),
                                                     ActivationQuant::from_range(ranges.input.min, ranges.input.max),
                                                     ActivationQuant::from_range(ranges.output.min, ranges.output.max));
    linear->replace_with(std::move(kernel));
    info.modules.push_back(name);
  }
  require(info.modules.size() == calibration.ranges.size(),
          "static quantization: the calibration names Linears this model does not have");
  model.config.extra[kQuantizationKey] = info.to_json();
  return info;
}

}  // namespace tpq::quant
