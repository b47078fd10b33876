// Tests for BatchIterator: dynamic padding to each batch's longest row, masks and type ids,
// labels, seeded order (same seed same batches), length bucketing and drop_last.
#include <set>

#include <gtest/gtest.h>

#include "tpq/core/error.h"
#include "tpq/data/batching.h"

namespace tpq::data {
namespace {

// 23 rows of lengths 3..(3 + i % 9), ids = 100 + position, row i labelled i % 3; pad id 0.
TokenizedSplit toy_split() {
  TokenizedSplit split;
  split.pad_id = 0;
  split.max_length = 16;
  for (int64_t i = 0; i < 23; ++i) {
    std::vector<int64_t> ids, types;
    const int64_t length = 3 + i % 9;
    for (int64_t t = 0; t < length; ++t) {
      ids.push_back(100 + t);
      types.push_back(t >= length - 1 ? 1 : 0);
    }
    split.append(ids, types, i % 3);
  }
  return split;
}

std::vector<std::vector<int64_t>> plan_of(const BatchIterator& batches) {
  std::vector<std::vector<int64_t>> plan;
  for (std::size_t b = 0; b < batches.num_batches(); ++b) plan.push_back(batches.example_indices(b));
  return plan;
}

TEST(DataBatch, DynamicPaddingAndMasks) {
  const auto split = toy_split();
  auto batches = make_batches(split, 4, /*shuffle=*/false, 0, /*sort_by_length_buckets=*/false);
  EXPECT_EQ(batches.num_batches(), 6u);  // 23 = 5 * 4 + 3
  Batch batch;
  std::size_t seen = 0;
  while (batches.next(batch)) {
    const auto rows = batch.input_ids.size(0);
    int64_t longest = 0;
    for (int64_t row : batch.example_indices) longest = std::max<int64_t>(longest, split.length(row));
    EXPECT_EQ(batch.input_ids.sizes(), (std::vector<int64_t>{rows, longest}));
    EXPECT_EQ(batch.input_ids.dtype(), torch::kInt64);
    EXPECT_EQ(batch.attention_mask.dtype(), torch::kInt64);
    EXPECT_EQ(batch.labels.sizes(), (std::vector<int64_t>{rows}));
    for (int64_t r = 0; r < rows; ++r) {
      const auto row = batch.example_indices[r];
      const auto length = static_cast<int64_t>(split.length(row));
      EXPECT_EQ(batch.attention_mask[r].sum().item<int64_t>(), length);
      EXPECT_EQ(batch.labels[r].item<int64_t>(), row % 3);
      for (int64_t t = 0; t < longest; ++t) {
        EXPECT_EQ(batch.input_ids[r][t].item<int64_t>(), t < length ? 100 + t : 0);
        EXPECT_EQ(batch.token_type_ids[r][t].item<int64_t>(), t == length - 1 ? 1 : 0);
      }
    }
    seen += static_cast<std::size_t>(rows);
  }
  EXPECT_EQ(seen, 23u);
  EXPECT_EQ(batches.example_indices(0), (std::vector<int64_t>{0, 1, 2, 3}));  // unshuffled order
}

TEST(DataBatch, SeededOrderIsDeterministic) {
  const auto split = toy_split();
  for (bool buckets : {false, true}) {
    const auto a = plan_of(make_batches(split, 4, true, 11, buckets));
    const auto b = plan_of(make_batches(split, 4, true, 11, buckets));
    const auto c = plan_of(make_batches(split, 4, true, 12, buckets));
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
    std::multiset<int64_t> all;
    for (const auto& rows : a) all.insert(rows.begin(), rows.end());
    EXPECT_EQ(all.size(), 23u);
    EXPECT_EQ(std::set<int64_t>(all.begin(), all.end()).size(), 23u);  // each row exactly once
  }
}

TEST(DataBatch, LengthBucketsReducePadding) {
  const auto split = toy_split();
  const auto padding = [&](const BatchIterator& batches) {
    int64_t pads = 0;
    for (std::size_t b = 0; b < batches.num_batches(); ++b) {
      const Batch batch = batches.batch(b);
      pads += batch.attention_mask.numel() - batch.attention_mask.sum().item<int64_t>();
    }
    return pads;
  };
  const auto plain = padding(make_batches(split, 4, true, 3, false));
  const auto bucketed = padding(make_batches(split, 4, true, 3, true));
  EXPECT_LT(bucketed, plain);
  // Within a bucketed batch lengths are adjacent in sorted order.
  const auto batches = make_batches(split, 4, false, 0, true);
  EXPECT_EQ(split.length(batches.example_indices(0)[0]), 11u);  // longest first without shuffle
}

TEST(DataBatch, DropLastAndBadSize) {
  const auto split = toy_split();
  BatchOptions options;
  options.batch_size = 4;
  options.drop_last = true;
  EXPECT_EQ(BatchIterator(split, options).num_batches(), 5u);
  options.batch_size = 0;
  EXPECT_THROW({ BatchIterator rejected(split, options); }, UserError);
}

}  // namespace
}  // namespace tpq::data
