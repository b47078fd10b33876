// Real INT8 Linear kernels on LibTorch's quantized engines (onednn / fbgemm / qnnpack):
// weights stored as int8 with float scales (symmetric, per-tensor or per-output-channel), matmuls
// done by quantized::linear_dynamic (activations quantized per batch) or quantized::linear
// (activations quantized with calibrated scales — static quantization).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <ATen/native/quantized/PackedParams.h>
#include <torch/types.h>

#include "tpq/kernels/int8_matmul.h"
#include "tpq/model/linear.h"

namespace tpq::quant {

enum class Granularity { PerTensor, PerChannel };
std::string to_string(Granularity granularity);
Granularity parse_granularity(const std::string& text);  // "per_tensor" | "per_channel"; UserError otherwise

// int8 weight values and their scales (zero point 0): what goes into the saved file.
struct Int8Weight {
  torch::Tensor values;  // int8 [out, in]
  torch::Tensor scales;  // float [1] (per tensor) or [out] (per channel)
  Granularity granularity = Granularity::PerChannel;

  // Symmetric quantization: scale = max|w| / max_level over the tensor or each output row, values
  // in [-max_level, max_level]. max_level 127 is INT8; a smaller one (7 for a 4-bit grid) keeps the
  // int8 storage and kernels but rounds onto fewer levels (weight_bits_max_level).
  static Int8Weight quantize(const torch::Tensor& weight, Granularity granularity, int64_t max_level = 127);
  // The scales quantize uses ([1] or [out], on weight's device, detached): QAT's fake quantization
  // calls this too, so the model it converts holds exactly the values it trained against.
  static torch::Tensor symmetric_scales(const torch::Tensor& weight, Granularity granularity, int64_t max_level = 127);
  at::Tensor to_quantized() const;   // a qint8 tensor for the engine
  torch::Tensor dequantize() const;  // float [out, in]
};

// Largest symmetric level of a `bits`-bit signed weight grid: 2^(bits-1) - 1 (127 for 8 bits).
// UserError naming quantization.weight_bits outside [2, 8].
int64_t weight_bits_max_level(int64_t bits);

// Per-tensor affine parameters of an activation (quint8, asymmetric).
struct ActivationQuant {
  double scale = 1.0;
  int64_t zero_point = 0;
  // Covers [min_value, max_value] (extended to include 0, as PyTorch observers do).
  static ActivationQuant from_range(double min_value, double max_value);
};

// y = x W^T + b with int8 W and activations quantized per batch at run time.
class DynamicInt8Linear : public model::LinearKernel {
 public:
  DynamicInt8Linear(Int8Weight weight, torch::Tensor bias);
  torch::Tensor forward(const torch::Tensor& input) const override;  // (..., in) float -> (..., out) float
  // On the direct path the activation runs as the GEMM's epilogue.
  torch::Tensor forward_activated(const torch::Tensor& input, kernels::Activation activation) const override;
  bool takes_quantized_input() const override { return direct_ != nullptr; }
  kernels::QuantizedRows quantize_input(const torch::Tensor& input) const override;
  torch::Tensor forward_quantized(const kernels::QuantizedRows& rows, const torch::Tensor& input) const override;
  std::string describe() const override;
  // prefix.weight (I8), prefix.weight_scale (F32), prefix.bias (F32)
  std::vector<std::pair<std::string, torch::Tensor>> export_tensors(const std::string& prefix) const override;
  const Int8Weight& weight() const { return weight_; }
  const torch::Tensor& bias() const { return bias_; }

 private:
  Int8Weight weight_;
  torch::Tensor bias_;
  std::shared_ptr<kernels::Int8Matmul> direct_;  // set: the direct path; null: packed_ on the engine
  kernels::U8Quantizer quantizer_;
  c10::intrusive_ptr<LinearPackedParamsBase> packed_;
  int64_t small_rows_ = 0;  // inputs up to this many rows run as one fixed-shape block (0: off)
  std::shared_ptr<std::once_flag> bound_ = std::make_shared<std::once_flag>();  // oneDNN primitive bound to that shape
};

// y = x W^T + b fully in INT8: x quantized with a calibrated (scale, zero point), int8 GEMM with
// int32 accumulation, output requantized with a calibrated scale, then dequantized to float.
class StaticInt8Linear : public model::LinearKernel {
 public:
  StaticInt8Linear(Int8Weight weight, torch::Tensor bias, ActivationQuant input, ActivationQuant output);
  torch::Tensor forward(const torch::Tensor& input) const override;
  std::string describe() const override;
  // As dynamic, plus prefix.input_scale / input_zero_point / output_scale / output_zero_point.
  std::vector<std::pair<std::string, torch::Tensor>> export_tensors(const std::string& prefix) const override;
  const Int8Weight& weight() const { return weight_; }
  const torch::Tensor& bias() const { return bias_; }
  const ActivationQuant& input_quant() const { return input_; }
  const ActivationQuant& output_quant() const { return output_; }

 private:
  Int8Weight weight_;
  torch::Tensor bias_;
  ActivationQuant input_;
  ActivationQuant output_;
  std::shared_ptr<kernels::Int8Matmul> direct_;  // set: the direct path; null: packed_ on the engine
  kernels::U8Quantizer quantizer_;
  c10::intrusive_ptr<LinearPackedParamsBase> packed_;
  int64_t small_rows_ = 0;  // inputs up to this many rows run as one fixed-shape block (0: off)
  std::shared_ptr<std::once_flag> bound_ = std::make_shared<std::once_flag>();  // oneDNN primitive bound to that shape
};

// Packs weights for the current engine (quant::select_engine first).
c10::intrusive_ptr<LinearPackedParamsBase> prepack_linear(const Int8Weight& weight, const torch::Tensor& bias);

}  // namespace tpq::quant
