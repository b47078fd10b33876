// Accuracy-side evaluation of a classifier over a tokenized split: predictions, mean loss, metrics.
#pragma once

#include <cstdint>
#include <vector>

#include <torch/types.h>

#include "tpq/data/tokenized_split.h"
#include "tpq/eval/metrics.h"
#include "tpq/model/encoder_classifier.h"

namespace tpq::eval {

struct EvaluationResult {
  ClassificationMetrics metrics;
  std::vector<int64_t> predictions;  // per example, in split order
  double seconds = 0;
};

// Runs in eval mode without gradients; batches are length-sorted (less padding, same results).
EvaluationResult evaluate(model::EncoderClassifierImpl& model, const data::TokenizedSplit& split,
                          int64_t num_labels, int64_t batch_size, torch::Device device);

}  // namespace tpq::eval
