// Accuracy-side evaluation of a classifier over a tokenized split: predictions, mean loss, metrics.
#pragma once

#include <cstdint>
#include <vector>

#include <torch/types.h>

#include "tpq/data/tokenized_split.h"
#include "tpq/eval/metrics.h"
#include "tpq/model/encoder_classifier.h"

namespace tpq::dist {
class ProcessGroup;
}

namespace tpq::eval {

struct EvaluationResult {
  ClassificationMetrics metrics;
  std::vector<int64_t> predictions;  // per example, in split order
  double seconds = 0;
};

// Runs in eval mode without gradients; batches are length-sorted (less padding, same results).
// With a process group of several ranks, each rank runs every world_size-th batch and the
// predictions and loss sum travel to every rank, so each gets the metrics of the whole split.
EvaluationResult evaluate(model::EncoderClassifierImpl& model, const data::TokenizedSplit& split,
                          int64_t num_labels, int64_t batch_size, torch::Device device,
                          dist::ProcessGroup* group = nullptr);

}  // namespace tpq::eval
