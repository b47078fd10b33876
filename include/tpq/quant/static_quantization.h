// Static INT8 quantization: calibrate (run FP32 batches through the model while observers record
// each selected Linear's input and output ranges), then replace those Linears by StaticInt8Linear
// kernels whose activation (scale, zero point) come from the calibrated ranges.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tpq/model/encoder_classifier.h"
#include "tpq/quant/int8_linear.h"
#include "tpq/quant/observers.h"
#include "tpq/quant/quantized_model.h"

namespace tpq::quant {

struct LinearRanges {
  ObservedRange input;
  ObservedRange output;
};

struct Calibration {
  std::string observer;
  int64_t samples = 0;  // examples (rows of the batches) run through the model
  double seconds = 0;   // wall time of the calibration forward passes
  std::map<std::string, LinearRanges> ranges;  // by dotted Linear name
};

// Runs `batches` through the FP32 model (eval mode, no grad) with a recording kernel on every
// selected Linear, one observer per input and per output; the model is left unchanged.
// UserError if the batches hold no example (the caller names its flag: --calibration_samples).
Calibration calibrate(model::EncoderClassifierImpl& model, const std::vector<model::ModelInputs>& batches,
                      const std::string& observer, const LinearSelection& selection = {});

// Replaces every calibrated Linear by a StaticInt8Linear (weights symmetric INT8 at `granularity`,
// activations quint8 over the calibrated ranges) and records QuantizationInfo{"static_int8",
// details: observer, calibration_samples} in model.config. The model must be the FP32 one the
// calibration describes (same Linear names and shapes).
QuantizationInfo quantize_static(model::EncoderClassifierImpl& model, const Calibration& calibration,
                                 Granularity granularity);

}  // namespace tpq::quant
