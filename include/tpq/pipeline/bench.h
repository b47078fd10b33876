// `tpq bench`: encoder inference speed of model variants measured side by side in one process,
// with warm-up and repeated trials (median and spread), reported as ratios to FP32.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/types.h>

#include "tpq/eval/speedup_interval.h"

namespace tpq::pipeline {

struct BenchOptions {
  std::string shape = "bert-base";  // base (= bert-base) | bert-small (L4 H256) | tiny (L2 H128), random weights
  std::string family = "bert";      // bert | distilbert (base: 6 layers) | roberta
  std::filesystem::path model_dir;  // a trained checkpoint instead of a random shape (optional)
  std::vector<int64_t> batch_sizes = {32};
  std::vector<int64_t> sequence_lengths = {128};
  std::vector<std::string> variants = {"fp32", "bf16", "int8_dynamic"};
  int64_t warmup = 1;
  int64_t trials = 6;  // rounds; 6 is the fewest with a 95 % interval of the paired speed-up
  uint64_t seed = 0;
  // Non-empty: each variant's model is also saved as a checkpoint in <save_models_dir>/<variant>, e.g.
  // to time the same weights in another runtime (benchmarks/onnxruntime_compare.sh).
  std::filesystem::path save_models_dir;
};

struct BenchRow {
  std::string variant;
  int64_t batch_size = 0;
  int64_t sequence_length = 0;
  double median_ms = 0, min_ms = 0, max_ms = 0;
  double speedup_vs_fp32 = 0;      // median fp32 / median variant, same batch and length
  eval::SpeedupInterval paired;    // per-round fp32 / variant ratios (the rounds interleave variants)
};

struct BenchSize {  // the variant saved as a tpq checkpoint
  std::string variant;
  uint64_t file_bytes = 0;     // the whole checkpoint directory
  uint64_t encoder_bytes = 0;  // tensors of the encoder layers (what INT8 and pruning shrink)
};

struct BenchReport {
  std::vector<BenchRow> rows;
  std::vector<BenchSize> sizes;
  std::vector<std::string> notes;  // how variants were made where it matters (e.g. static INT8 calibration data)
  nlohmann::json to_json() const;
  std::string to_markdown() const;
};

// Variants: fp32, bf16, fp16, int8_dynamic, int8_dynamic_per_tensor, int8_static.
// UserError for unknown variants/shapes, or a variant the device cannot run (INT8 on CUDA).
BenchReport run_bench(const BenchOptions& options, torch::Device device);

}  // namespace tpq::pipeline
