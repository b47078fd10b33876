// Batch planning (seeded shuffle, length buckets) and dynamic padding into int64 tensors.
// The plan is made once in the constructor, so batch(i) is cheap and the order reproducible.
#include "tpq/data/batching.h"

#include <algorithm>
#include <numeric>
#include <random>

#include "tpq/core/error.h"
#include "data/split.h"

namespace tpq::data {

namespace {

// Rank r's ceil(n / world) rows of a global batch, wrapping around the batch where it runs short.
std::vector<int64_t> rank_slice(const std::vector<int64_t>& rows, int rank, int world_size) {
  const std::size_t per_rank = (rows.size() + world_size - 1) / world_size;
  std::vector<int64_t> slice;
  for (std::size_t k = 0; k < per_rank; ++k) slice.push_back(rows[(rank * per_rank + k) % rows.size()]);
  return slice;
}

}  // namespace

BatchIterator::BatchIterator(const TokenizedSplit& split, const BatchOptions& options)
    : split_(split), options_(options) {
  require(options.batch_size > 0, "batch_size must be > 0, got " + std::to_string(options.batch_size));
  require(options.pad_to_multiple_of > 0, "pad_to_multiple_of must be > 0, got " + std::to_string(options.pad_to_multiple_of));
  require(options.world_size > 0 && options.rank >= 0 && options.rank < options.world_size,
          "rank " + std::to_string(options.rank) + " is outside a job of " + std::to_string(options.world_size));
  require(options.bucket_batches > 0, "bucket_batches must be > 0, got " + std::to_string(options.bucket_batches));
  std::vector<int64_t> order(split.size());
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 generator(options.seed);
  if (options.shuffle) seeded_shuffle(order, generator);

  const auto batch_size = static_cast<std::size_t>(options.batch_size);
  if (options.sort_by_length_buckets) {
    // Similar lengths share a batch (less padding); chunks keep some randomness across epochs.
    const std::size_t chunk = batch_size * static_cast<std::size_t>(options.bucket_batches);
    for (std::size_t begin = 0; begin < order.size(); begin += chunk) {
      const auto end = order.begin() + static_cast<std::ptrdiff_t>(std::min(order.size(), begin + chunk));
      std::stable_sort(order.begin() + static_cast<std::ptrdiff_t>(begin), end,
                       [&](int64_t a, int64_t b) { return split.length(a) > split.length(b); });
    }
  }
  for (std::size_t begin = 0; begin < order.size(); begin += batch_size) {
    const std::size_t end = std::min(order.size(), begin + batch_size);
    if (options.drop_last && end - begin < batch_size) break;
    plan_.emplace_back(order.begin() + static_cast<std::ptrdiff_t>(begin),
                       order.begin() + static_cast<std::ptrdiff_t>(end));
  }
  // Sorted buckets would otherwise always come longest-first.
  if (options.sort_by_length_buckets && options.shuffle) seeded_shuffle(plan_, generator);
  if (options.world_size > 1) {
    for (auto& rows : plan_) rows = rank_slice(rows, options.rank, options.world_size);
  }
}

Batch BatchIterator::batch(std::size_t index) const {
  const auto& rows = plan_.at(index);
  const auto batch_rows = static_cast<int64_t>(rows.size());
  std::size_t longest = 0;
  for (int64_t row : rows) longest = std::max(longest, split_.length(row));
  const auto multiple = options_.pad_to_multiple_of;
  const auto rounded = (static_cast<int64_t>(longest) + multiple - 1) / multiple * multiple;
  const auto width = std::max(static_cast<int64_t>(longest), std::min(rounded, split_.max_length));

  const auto int64_options = torch::TensorOptions().dtype(torch::kInt64);
  Batch batch;
  batch.input_ids = torch::full({batch_rows, width}, split_.pad_id, int64_options);
  batch.token_type_ids = torch::zeros({batch_rows, width}, int64_options);
  batch.attention_mask = torch::zeros({batch_rows, width}, int64_options);
  batch.labels = torch::empty({batch_rows}, int64_options);
  auto* ids = batch.input_ids.data_ptr<int64_t>();
  auto* types = batch.token_type_ids.data_ptr<int64_t>();
  auto* mask = batch.attention_mask.data_ptr<int64_t>();
  auto* labels = batch.labels.data_ptr<int64_t>();
  for (int64_t r = 0; r < batch_rows; ++r) {
    const auto row = static_cast<std::size_t>(rows[r]);
    const std::size_t length = split_.length(row);
    const int32_t* row_ids = split_.ids_of(row);
    const int32_t* row_types = split_.types_of(row);
    for (std::size_t t = 0; t < length; ++t) {
      ids[r * width + t] = row_ids[t];
      types[r * width + t] = row_types[t];
      mask[r * width + t] = 1;
    }
    labels[r] = split_.labels[row];
  }
  batch.example_indices = rows;
  if (options_.device != torch::Device(torch::kCPU)) {
    batch.input_ids = batch.input_ids.to(options_.device);
    batch.token_type_ids = batch.token_type_ids.to(options_.device);
    batch.attention_mask = batch.attention_mask.to(options_.device);
    batch.labels = batch.labels.to(options_.device);
  }
  return batch;
}

bool BatchIterator::next(Batch& out) {
  if (cursor_ >= plan_.size()) return false;
  out = batch(cursor_++);
  return true;
}

namespace {

BatchOptions batch_options(int64_t batch_size, bool shuffle, uint64_t seed, bool sort_by_length_buckets,
                           torch::Device device, int64_t pad_to_multiple_of) {
  BatchOptions options;
  options.batch_size = batch_size;
  options.shuffle = shuffle;
  options.seed = seed;
  options.sort_by_length_buckets = sort_by_length_buckets;
  options.device = device;
  options.pad_to_multiple_of = pad_to_multiple_of;
  return options;
}

}  // namespace

BatchIterator make_batches(const TokenizedSplit& split, int64_t batch_size, bool shuffle, uint64_t seed,
                           bool sort_by_length_buckets, torch::Device device, int64_t pad_to_multiple_of) {
  return BatchIterator(split, batch_options(batch_size, shuffle, seed, sort_by_length_buckets, device, pad_to_multiple_of));
}

BatchIterator training_batches(const TokenizedSplit& split, int64_t batch_size, uint64_t seed, bool length_buckets,
                               torch::Device device, int rank, int world_size) {
  auto options = batch_options(batch_size, /*shuffle=*/true, seed, length_buckets, device, kTrainingPadMultiple);
  options.rank = rank;
  options.world_size = world_size;
  return BatchIterator(split, options);
}

}  // namespace tpq::data
