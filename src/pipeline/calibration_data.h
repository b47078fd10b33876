// The calibration inputs of static INT8 (03) and QAT (04): a seeded sample of the training split
// (never test) as model batches, handed to quant::calibrate / quant::calibrate_fake_quant.
#pragma once

#include <cstdint>
#include <vector>

#include <torch/types.h>

#include "tpq/data/tokenized_split.h"
#include "tpq/model/encoder_classifier.h"

namespace tpq::pipeline {

enum class CalibrationOrder {
  LengthSorted,  // similar lengths share a batch, so little padding reaches the observers (03)
  Shuffled,      // the training order of a seeded epoch; the last batch cut to `samples` (04)
};

// Up to `samples` training examples drawn with `seed`, in batches of batch_size.
std::vector<model::ModelInputs> calibration_batches(const data::TokenizedSplit& train, int64_t samples, int64_t batch_size,
                                                   uint64_t seed, CalibrationOrder order, torch::Device device = torch::kCPU);

// Examples in the batches (rows).
int64_t calibration_examples(const std::vector<model::ModelInputs>& batches);

}  // namespace tpq::pipeline
