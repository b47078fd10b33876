// Times several models side by side in one process: each round runs every model once, in an order
// rotated by one per round, so a change in machine load during the run reaches all of them alike
// and per-round ratios (eval/speedup_interval.h) cancel it. This is how an experiment's variants
// are compared; a model timed alone minutes later on a shared 2-core machine can differ by 2x.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include <torch/types.h>

#include "tpq/data/tokenized_split.h"
#include "tpq/model/encoder_classifier.h"

namespace tpq::eval {

// Calls visit(model, round) for every model in every round, the order rotated by one per round:
// model m runs at position (m - round) mod count, so none always runs right after another.
void for_each_interleaved(std::size_t count, int64_t rounds, const std::function<void(std::size_t, int64_t)>& visit);

struct InterleavedOptions {
  int64_t rounds = 30;          // timed rounds; >= 6 for a 95 % interval
  int64_t batch_size = 32;      // the throughput batch
  int64_t singles_per_round = 3;  // batch-1 forwards per model per round (summed into one timing)
  int64_t warmup = 2;           // untimed forwards of each kind per model before round 1
};

struct InterleavedTimes {
  std::vector<std::vector<double>> batch_ms;   // [model][round]: one batch of batch_size
  std::vector<std::vector<double>> single_ms;  // [model][round]: singles_per_round batch-1 forwards
};

// The same inputs for every model within a round: the round's batch (split order, cycled) and its
// singles. Models must accept the split's inputs on `device`.
InterleavedTimes time_interleaved(const std::vector<model::EncoderClassifierImpl*>& models,
                                  const data::TokenizedSplit& split, const InterleavedOptions& options,
                                  torch::Device device);

}  // namespace tpq::eval
