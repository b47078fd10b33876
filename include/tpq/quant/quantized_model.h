// Whole-model quantization: which Linears become INT8 (and how), recorded in config.json under
// "tpq_quantization" so a saved quantized checkpoint loads back into the same kernels.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tpq/io/safetensors.h"
#include "tpq/model/encoder_classifier.h"
#include "tpq/quant/int8_linear.h"

namespace tpq::quant {

struct QuantizationInfo {
  std::string method;  // "dynamic_int8" | "static_int8"
  Granularity granularity = Granularity::PerChannel;
  std::string engine;
  std::vector<std::string> modules;  // dotted names of the INT8 Linears
  nlohmann::json details = nlohmann::json::object();  // e.g. observer, calibration samples

  nlohmann::json to_json() const;
  static QuantizationInfo from_json(const nlohmann::json& json, const std::string& source);
};

// The config.json key holding QuantizationInfo.
inline constexpr const char* kQuantizationKey = "tpq_quantization";

struct LinearSelection {
  bool include_pooler_and_classifier = false;  // HF's quantize_dynamic also converts these; default keeps them FP32
  std::vector<std::string> keep_fp32;          // module names left in FP32 (mixed precision)
};

// Encoder Linears (and optionally pooler/classifier) selected for quantization, in model order.
std::vector<std::string> select_linears(model::EncoderClassifierImpl& model, const LinearSelection& selection);

// Replaces the selected Linears by DynamicInt8Linear kernels and records the info in model.config.
QuantizationInfo quantize_dynamic(model::EncoderClassifierImpl& model, Granularity granularity,
                                  const LinearSelection& selection = {});

// Rebuilds the INT8 kernels of a saved quantized checkpoint from its file (no re-quantization:
// the saved int8 values and scales are used as they are).
void attach_saved_kernels(model::EncoderClassifierImpl& model, const io::SafetensorsFile& file,
                          const QuantizationInfo& info);

}  // namespace tpq::quant
