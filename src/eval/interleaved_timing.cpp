#include "tpq/eval/interleaved_timing.h"

#include <chrono>

#include <torch/torch.h>

#include "tpq/core/device.h"
#include "tpq/core/error.h"
#include "tpq/data/batching.h"

namespace tpq::eval {
namespace {

double forward_ms(model::EncoderClassifierImpl& model, const data::Batch& batch, torch::Device device) {
  const auto start = std::chrono::steady_clock::now();
  model.logits({batch.input_ids, batch.token_type_ids, batch.attention_mask});
  synchronize(device);
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

void for_each_interleaved(std::size_t count, int64_t rounds, const std::function<void(std::size_t, int64_t)>& visit) {
  for (int64_t round = 0; round < rounds; ++round) {
    for (std::size_t step = 0; step < count; ++step) visit((round + step) % count, round);
  }
}

InterleavedTimes time_interleaved(const std::vector<model::EncoderClassifierImpl*>& models,
                                  const data::TokenizedSplit& split, const InterleavedOptions& options,
                                  torch::Device device) {
  require(!models.empty() && split.size() > 0, "interleaved timing needs models and a non-empty split");
  require(options.rounds > 0 && options.batch_size > 0 && options.singles_per_round > 0 && options.warmup >= 0,
          "evaluation.timing_rounds and the batch sizes must be positive");
  torch::NoGradGuard no_grad;
  for (auto* model : models) model->eval();
  auto batches = data::make_batches(split, options.batch_size, /*shuffle=*/false, 0, /*sort_by_length_buckets=*/false, device);
  auto singles = data::make_batches(split, 1, false, 0, false, device);
  for (auto* model : models) {
    for (int64_t i = 0; i < options.warmup; ++i) {
      forward_ms(*model, batches.batch(i % batches.num_batches()), device);
      forward_ms(*model, singles.batch(i % singles.num_batches()), device);
    }
  }
  InterleavedTimes times;
  times.batch_ms.assign(models.size(), {});
  times.single_ms.assign(models.size(), {});
  for_each_interleaved(models.size(), options.rounds, [&](std::size_t m, int64_t round) {
    times.batch_ms[m].push_back(forward_ms(*models[m], batches.batch(round % batches.num_batches()), device));
    double singles_ms = 0;
    for (int64_t s = 0; s < options.singles_per_round; ++s) {
      singles_ms += forward_ms(*models[m], singles.batch((round * options.singles_per_round + s) % singles.num_batches()), device);
    }
    times.single_ms[m].push_back(singles_ms);
  });
  return times;
}

}  // namespace tpq::eval
