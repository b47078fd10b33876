// Inference speed measured the same way for every variant: latency per sample at batch 1
// (p50/p95 over real test inputs) and throughput at a fixed batch size, after warm-up.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>
#include <torch/types.h>

#include "tpq/data/tokenized_split.h"
#include "tpq/model/encoder_classifier.h"

namespace tpq::eval {

struct SpeedOptions {
  int64_t latency_samples = 100;  // timed batch-1 forwards
  int64_t throughput_batch_size = 32;
  int64_t throughput_batches = 8;  // timed batches
  int64_t warmup = 5;              // untimed forwards before each measurement
  int64_t timing_rounds = 30;      // 02-09: rounds of the side-by-side timing (0: none; eval/interleaved_timing.h)
};

struct SpeedResult {
  double latency_ms_p50 = 0;
  double latency_ms_p95 = 0;
  double latency_ms_mean = 0;
  double throughput_samples_per_second = 0;
  double batch_ms_mean = 0;  // per throughput batch
  SpeedOptions options;
  int64_t threads = 0;
  std::string device;

};

// Uses the first examples of `split` (real lengths, truncated to its max_length).
SpeedResult measure_speed(model::EncoderClassifierImpl& model, const data::TokenizedSplit& split,
                          const SpeedOptions& options, torch::Device device);

// p in [0, 100], linear interpolation between order statistics (numpy's default).
double percentile(std::vector<double> values, double p);

}  // namespace tpq::eval
