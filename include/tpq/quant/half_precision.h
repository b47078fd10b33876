// FP16 / BF16 models: every Linear's weight and bias held in 16 bits (HalfLinear kernels), every
// other float parameter (embeddings, LayerNorm) rounded to 16 bits and saved as F16/BF16, so the
// file is ~half of FP32 and reloads (config.json: torch_dtype + "tpq_half_precision").
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/types.h>

#include "tpq/model/encoder_classifier.h"
#include "tpq/model/linear.h"

namespace tpq::quant {

// The config.json key holding HalfPrecisionInfo.
inline constexpr const char* kHalfPrecisionKey = "tpq_half_precision";

// Whether this LibTorch runs FP16 GEMMs on CPU (Debian 1.13: no; probed once per process).
bool cpu_fp16_gemm_available();

// y = x W^T + b with 16-bit W and b. BF16: the GEMM runs in BF16 (AVX-512 BF16 where the CPU has
// it). FP16: in FP16 where the CPU backend supports it, else W is widened to FP32 per call.
// Input and output stay FP32, so the rest of the model (softmax, GELU, LayerNorm) runs in FP32.
class HalfLinear : public model::LinearKernel {
 public:
  HalfLinear(const torch::Tensor& weight, const torch::Tensor& bias, torch::ScalarType dtype);
  torch::Tensor forward(const torch::Tensor& input) const override;  // (..., in) float -> (..., out) float
  std::string describe() const override;
  // prefix.weight, prefix.bias in the 16-bit dtype
  std::vector<std::pair<std::string, torch::Tensor>> export_tensors(const std::string& prefix) const override;
  torch::ScalarType dtype() const { return weight_.scalar_type(); }
  // "bf16", "fp16" or "fp32 (fp16 weights widened)": what the matmul really runs in.
  std::string compute() const;

 private:
  torch::Tensor weight_;
  torch::Tensor bias_;
};

struct HalfPrecisionInfo {
  std::string dtype;                 // "float16" | "bfloat16" (HF's torch_dtype names)
  std::string compute;               // what the Linears' matmuls run in
  std::vector<std::string> modules;  // the HalfLinear modules

  nlohmann::json to_json() const;
  static HalfPrecisionInfo from_json(const nlohmann::json& json, const std::string& source);
};

torch::ScalarType half_dtype(const std::string& name);  // "float16"/"fp16" | "bfloat16"/"bf16"; UserError otherwise

// Converts the whole model (CPU, FP32, no INT8 kernels) to `dtype` storage as described above and
// records torch_dtype + kHalfPrecisionKey in model.config.extra.
HalfPrecisionInfo convert_to_half(model::EncoderClassifierImpl& model, torch::ScalarType dtype);

// After loading a saved half checkpoint (its 16-bit values widened into the FP32 parameters):
// puts the HalfLinear kernels back. Lossless: 16 -> 32 -> 16 bits is exact.
void attach_half_kernels(model::EncoderClassifierImpl& model, const HalfPrecisionInfo& info);

}  // namespace tpq::quant
