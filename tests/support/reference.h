// Helpers for comparing against the HF reference outputs in ../shared/fixtures/*/reference.json.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>
#include <torch/types.h>

#include "tpq/model/encoder_classifier.h"

namespace tpq::testing {

// A JSON array of arrays of numbers -> 2-D tensor of `dtype`.
torch::Tensor tensor_from_json(const nlohmann::json& rows, torch::ScalarType dtype);

// Largest |a - b| over all elements (a, b converted to float on CPU).
double max_abs_difference(const torch::Tensor& a, const torch::Tensor& b);
// The largest of max_abs_difference over two equally long lists (a model's weights, say).
double max_abs_difference(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b);

// A reference's inputs (input_ids, token_type_ids where given, attention_mask), on `device`.
model::ModelInputs reference_inputs(const nlohmann::json& ref, torch::Device device = torch::kCPU);

// Rows (sentences) minus their mean: the part of a per-sentence state that depends on the input.
torch::Tensor centered(const torch::Tensor& rows);

}  // namespace tpq::testing
