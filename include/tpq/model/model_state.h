// The tensors that represent a model on disk: parameters by HF name, except that a Linear whose
// matmul was replaced by a kernel (INT8 ...) is represented by what that kernel exports.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <torch/types.h>

#include "tpq/model/encoder_classifier.h"

namespace tpq::model {

std::vector<std::pair<std::string, torch::Tensor>> model_state_tensors(EncoderClassifierImpl& model);

// Every tpq Linear of the model with its dotted HF name ("bert.encoder.layer.0.attention.self.query").
std::vector<std::pair<std::string, LinearImpl*>> named_linears(EncoderClassifierImpl& model);

}  // namespace tpq::model
