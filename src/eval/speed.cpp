#include "tpq/eval/speed.h"

#include <algorithm>
#include <chrono>
#include <numeric>

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "tpq/core/device.h"
#include "tpq/core/error.h"
#include "tpq/data/batching.h"

namespace tpq::eval {

double percentile(std::vector<double> values, double p) {
  require(!values.empty(), "percentile of no values");
  std::sort(values.begin(), values.end());
  const double rank = p / 100.0 * (values.size() - 1);
  const auto low = static_cast<std::size_t>(rank);
  const std::size_t high = std::min(low + 1, values.size() - 1);
  return values[low] + (rank - low) * (values[high] - values[low]);
}

SpeedResult measure_speed(model::EncoderClassifierImpl& model, const data::TokenizedSplit& split,
                          const SpeedOptions& options, torch::Device device) {
  require(split.size() > 0, "speed measurement needs a non-empty split");
  require(options.latency_samples > 0 && options.throughput_batch_size > 0 && options.throughput_batches > 0,
          "speed options must be positive");
  torch::NoGradGuard no_grad;
  model.eval();
  SpeedResult result;
  result.options = options;
  result.threads = at::get_num_threads();
  result.device = device.str();
  auto run = [&](const data::Batch& batch) {
    model.logits({batch.input_ids, batch.token_type_ids, batch.attention_mask});
    synchronize(device);
  };

  // Latency: batch 1, examples in split order (cycled if the split is small).
  auto singles = data::make_batches(split, 1, /*shuffle=*/false, 0, /*sort_by_length_buckets=*/false, device);
  for (int64_t i = 0; i < options.warmup; ++i) run(singles.batch(i % singles.num_batches()));
  std::vector<double> latencies;
  for (int64_t i = 0; i < options.latency_samples; ++i) {
    const auto batch = singles.batch(i % singles.num_batches());
    const auto start = std::chrono::steady_clock::now();
    run(batch);
    latencies.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  result.latency_ms_p50 = percentile(latencies, 50);
  result.latency_ms_p95 = percentile(latencies, 95);
  result.latency_ms_mean = std::accumulate(latencies.begin(), latencies.end(), 0.0) / latencies.size();

  // Throughput: fixed-size batches in split order (a realistic length mix, no sorting).
  auto batches = data::make_batches(split, options.throughput_batch_size, false, 0, false, device);
  for (int64_t i = 0; i < std::min<int64_t>(options.warmup, 2); ++i) run(batches.batch(i % batches.num_batches()));
  int64_t samples = 0;
  double seconds = 0;
  for (int64_t i = 0; i < options.throughput_batches; ++i) {
    const auto batch = batches.batch(i % batches.num_batches());
    const auto start = std::chrono::steady_clock::now();
    run(batch);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    samples += batch.labels.size(0);
  }
  result.throughput_samples_per_second = samples / seconds;
  result.batch_ms_mean = 1000.0 * seconds / options.throughput_batches;
  return result;
}

}  // namespace tpq::eval
