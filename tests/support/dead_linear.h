// How far a model's output moves when one of its encoder Linears outputs nothing: the signal a
// quantization test's tolerance must stay below, or quantized Linears returning zeros would pass.
// With HF's default 0.02 initialisation a dead Linear moves the output by ~1 %; tests that bound
// INT8 errors use larger weights so that every Linear matters.
#pragma once

#include <functional>

#include <torch/types.h>

#include "tpq/model/encoder_classifier.h"

namespace tpq::testing {

// |actual - expected| / |expected| (L2 norms over all elements).
double relative_error(const torch::Tensor& actual, const torch::Tensor& expected);

using ModelFactory = std::function<model::EncoderClassifier()>;
using OutputOf = std::function<torch::Tensor(const model::ClassifierOutputs&)>;

// The smallest relative change of output(forward(inputs)) over the encoder Linears of
// make_model(), each in turn with its weight and bias zeroed (make_model must give the same
// weights every call, e.g. by seeding).
double smallest_dead_linear_change(const ModelFactory& make_model, const model::ModelInputs& inputs, const OutputOf& output);

}  // namespace tpq::testing
