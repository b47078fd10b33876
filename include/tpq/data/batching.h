// Mini-batches from a TokenizedSplit: seeded shuffling, optional length bucketing, dynamic padding
// to the longest sequence of each batch, and int64 tensors (ids, types, mask, labels) on a device.
#pragma once

#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "tpq/data/tokenized_split.h"

namespace tpq::data {

struct Batch {
  torch::Tensor input_ids;       // int64 [B, T], T = longest sequence in this batch
  torch::Tensor token_type_ids;  // int64 [B, T], 0 on padding
  torch::Tensor attention_mask;  // int64 [B, T], 1 real token, 0 padding
  torch::Tensor labels;          // int64 [B]
  std::vector<int64_t> example_indices;  // rows of the TokenizedSplit, in batch order
};

struct BatchOptions {
  int64_t batch_size = 32;
  bool shuffle = false;       // shuffle examples (and, with bucketing, the batch order)
  uint64_t seed = 0;          // use seed + epoch for a new order each epoch
  // Sort by length within chunks of bucket_batches batches before cutting batches: less padding.
  bool sort_by_length_buckets = false;
  int64_t bucket_batches = 50;
  bool drop_last = false;
  torch::Device device = torch::kCPU;
  // Round each batch's width up to a multiple of this (never past the split's max_length).
  int64_t pad_to_multiple_of = 1;
  // Data-parallel ranks: the batches are planned as for one process (batch_size is the global
  // batch) and rank r takes the r-th of world_size equal slices of each. A short last batch is
  // padded by repeating its own rows, so every rank takes the same number of steps.
  int rank = 0;
  int world_size = 1;
};

// Training and evaluation batches round their width up to a multiple of 16. With length bucketing every batch
// had its own width, and oneDNN keeps a primitive (with its own scratchpad) per shape it meets:
// the quick profile's fine-tuning grew to 1.7 GB over 3 epochs. 16 keeps a handful of shapes for
// a few percent of padding.
constexpr int64_t kTrainingPadMultiple = 16;

// Holds a reference to the split: the split must outlive the iterator.
class BatchIterator {
 public:
  BatchIterator(const TokenizedSplit& split, const BatchOptions& options);

  std::size_t num_batches() const { return plan_.size(); }
  const std::vector<int64_t>& example_indices(std::size_t batch) const { return plan_[batch]; }
  Batch batch(std::size_t index) const;

  // Sequential use: while (iterator.next(batch)) { ... }; reset() starts over (same order).
  bool next(Batch& out);
  void reset() { cursor_ = 0; }

 private:
  const TokenizedSplit& split_;
  BatchOptions options_;
  std::vector<std::vector<int64_t>> plan_;
  std::size_t cursor_ = 0;
};

// One training epoch's batches: shuffled with `seed`, length-bucketed if asked, widths padded to
// kTrainingPadMultiple, and in a data-parallel job this rank's slice of each global batch.
BatchIterator training_batches(const TokenizedSplit& split, int64_t batch_size, uint64_t seed, bool length_buckets,
                               torch::Device device, int rank = 0, int world_size = 1);

BatchIterator make_batches(const TokenizedSplit& split, int64_t batch_size, bool shuffle, uint64_t seed,
                           bool sort_by_length_buckets, torch::Device device = torch::kCPU,
                           int64_t pad_to_multiple_of = 1);

}  // namespace tpq::data
