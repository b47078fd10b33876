// A tiny token-level classification task for training-loop tests: label 1 iff token 7 appears,
// lengths 5-12 so that batches differ in width. Deterministic for a seed (drawn from the global
// generator, so make it before starting threads that draw too).
#pragma once

#include <cstdint>

#include "tpq/data/tokenized_split.h"

namespace tpq::testing {

data::TokenizedSplit parity_split(int64_t count, uint64_t seed);

}  // namespace tpq::testing
