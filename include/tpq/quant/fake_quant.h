// Quantization-aware training: a trainable fake-quant Linear kernel (int8 per-channel weights,
// quint8 per-tensor input and output, straight-through gradients) and its conversion into the
// real static INT8 kernel (StaticInt8Linear) with the ranges learned during training.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "tpq/dist/process_group.h"
#include "tpq/model/encoder_classifier.h"
#include "tpq/quant/int8_linear.h"
#include "tpq/quant/quantized_model.h"

namespace tpq::quant {

// Running [min, max] of a tensor, as torch's MovingAverageMinMaxObserver: the first observation
// sets the range, later ones move it by `momentum` towards the batch's min/max.
struct RangeObserver {
  double momentum = 0.01;
  double min_value = 0;
  double max_value = 0;
  bool initialised = false;
  void observe(const torch::Tensor& values);
  ActivationQuant quant() const;  // UserError-free: an unobserved range gives [0, 0] -> tiny scale
};

// y = fq(x) fq(W)^T + b, then fq(y): what StaticInt8Linear computes, in float, differentiable.
// Uses the owning Linear's own FP32 weight and bias, so the optimizer keeps training them.
class FakeQuantLinear : public model::LinearKernel {
 public:
  // weight_bits: 8 for INT8 weights; fewer rounds onto 2^(b-1)-1 levels a side (weight_bits_max_level).
  explicit FakeQuantLinear(model::LinearImpl& owner, int64_t weight_bits = 8);

  torch::Tensor forward(const torch::Tensor& input) const override;
  std::string describe() const override { return "fake-quant int8 (QAT)"; }
  // The FP32 weight and bias: a fake-quant model is not an INT8 file (convert_qat first).
  std::vector<std::pair<std::string, torch::Tensor>> export_tensors(const std::string& prefix) const override;

  // Ranges move while the owner trains (or while calibrating) and observers are not frozen.
  void set_calibrating(bool calibrating) { calibrating_ = calibrating; }
  void set_fake_quant(bool enabled) { fake_quant_ = enabled; }  // false: plain FP32 (calibration)
  void freeze_observers() { frozen_ = true; }
  bool observers_frozen() const { return frozen_; }

  const RangeObserver& input_range() const { return input_; }
  const RangeObserver& output_range() const { return output_; }
  void set_ranges(const RangeObserver& input, const RangeObserver& output) { input_ = input; output_ = output; }

  int64_t weight_bits() const { return weight_bits_; }
  int64_t weight_max_level() const { return weight_max_level_; }

 private:
  bool observing() const;

  model::LinearImpl* owner_;
  int64_t weight_bits_;
  int64_t weight_max_level_;  // weight_bits_max_level(weight_bits_), once
  mutable RangeObserver input_;
  mutable RangeObserver output_;
  bool calibrating_ = false;
  bool fake_quant_ = true;
  bool frozen_ = false;
};

// Installs FakeQuantLinear on the selected Linears (weights stay trainable parameters, rounded onto
// a `weight_bits` grid in the forward pass); returns their names.
std::vector<std::string> prepare_qat(model::EncoderClassifierImpl& model, const LinearSelection& selection = {},
                                     int64_t weight_bits = 8);

// The FakeQuantLinear kernels of a prepared model, by module name.
std::vector<std::pair<std::string, FakeQuantLinear*>> fake_quant_kernels(model::EncoderClassifierImpl& model);

// Runs `batches` in FP32 (no fake quantization) with the kernels' observers on: PTQ-style range
// calibration, fed the same way as quant::calibrate (static_quantization.h).
void calibrate_fake_quant(model::EncoderClassifierImpl& model, const std::vector<model::ModelInputs>& batches);

void freeze_observers(model::EncoderClassifierImpl& model);

// In a data-parallel job each rank's observers saw only its slice of the global batch. Taking the
// minimum of the range minima and the maximum of the maxima over ranks gives every rank the range
// one process would have after the same update (a moving average moves monotonically with the
// batch's min and max). Call it after every optimizer step; a null or one-rank group does nothing.
void synchronize_observers(model::EncoderClassifierImpl& model, dist::ProcessGroup* group);

// Replaces every FakeQuantLinear by a StaticInt8Linear (weights quantized with the same per-channel
// scales, activations with the observed ranges) and records QuantizationInfo (method static_int8,
// details.source = `source`) in model.config so the saved checkpoint reloads into the same kernels.
QuantizationInfo convert_qat(model::EncoderClassifierImpl& model, const std::string& source);

}  // namespace tpq::quant
