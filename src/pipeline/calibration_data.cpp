#include "pipeline/calibration_data.h"

#include <algorithm>

#include "tpq/data/batching.h"

namespace tpq::pipeline {
namespace {

std::vector<model::ModelInputs> length_sorted(const data::TokenizedSplit& train, int64_t samples, int64_t batch_size,
                                             uint64_t seed, torch::Device device) {
  const auto subset = data::seeded_sample(train, std::min<int64_t>(samples, static_cast<int64_t>(train.size())), seed);
  std::vector<model::ModelInputs> batches;
  auto iterator = data::make_batches(subset, batch_size, /*shuffle=*/false, seed, /*sort_by_length_buckets=*/true, device);
  data::Batch batch;
  while (iterator.next(batch)) batches.push_back({batch.input_ids, batch.token_type_ids, batch.attention_mask});
  return batches;
}

std::vector<model::ModelInputs> shuffled(const data::TokenizedSplit& train, int64_t samples, int64_t batch_size,
                                        uint64_t seed, torch::Device device) {
  auto iterator = data::make_batches(train, batch_size, /*shuffle=*/true, seed, /*sort_by_length_buckets=*/false, device);
  std::vector<model::ModelInputs> batches;
  int64_t seen = 0;
  data::Batch batch;
  while (seen < samples && iterator.next(batch)) {
    const int64_t take = std::min<int64_t>(batch.input_ids.size(0), samples - seen);
    batches.push_back({batch.input_ids.narrow(0, 0, take), batch.token_type_ids.narrow(0, 0, take),
                       batch.attention_mask.narrow(0, 0, take)});
    seen += take;
  }
  return batches;
}

}  // namespace

std::vector<model::ModelInputs> calibration_batches(const data::TokenizedSplit& train, int64_t samples, int64_t batch_size,
                                                   uint64_t seed, CalibrationOrder order, torch::Device device) {
  return order == CalibrationOrder::LengthSorted ? length_sorted(train, samples, batch_size, seed, device)
                                                 : shuffled(train, samples, batch_size, seed, device);
}

int64_t calibration_examples(const std::vector<model::ModelInputs>& batches) {
  int64_t rows = 0;
  for (const auto& batch : batches) rows += batch.input_ids.size(0);
  return rows;
}

}  // namespace tpq::pipeline
