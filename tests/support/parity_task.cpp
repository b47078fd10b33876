#include "support/parity_task.h"

#include <vector>

#include <torch/torch.h>

namespace tpq::testing {

data::TokenizedSplit parity_split(int64_t count, uint64_t seed) {
  torch::manual_seed(seed);
  data::TokenizedSplit split;
  split.pad_id = 0;
  split.max_length = 16;
  for (int64_t i = 0; i < count; ++i) {
    const int64_t length = 3 + (i % 8);
    std::vector<int64_t> ids = {2};
    for (int64_t t = 0; t < length; ++t) ids.push_back(torch::randint(10, 40, {1}).item<int64_t>());
    if (i % 2 == 1) ids[1 + (i % length)] = 7;
    ids.push_back(3);
    split.append(ids, std::vector<int64_t>(ids.size(), 0), i % 2);
  }
  return split;
}

}  // namespace tpq::testing
