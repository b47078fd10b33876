// The training scope shrinks LibTorch's oneDNN primitive cache and gives the old capacity back.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "tpq/core/primitive_cache.h"

namespace {

using tpq::TrainingPrimitiveCacheScope;

TEST(PrimitiveCache, TrainingHoldsFewPrimitivesAndTheCapacityComesBack) {
  const int before = TrainingPrimitiveCacheScope::current_capacity();
  if (before < 0) GTEST_SKIP() << "this LibTorch reaches no oneDNN";
  if (std::getenv("ONEDNN_PRIMITIVE_CACHE_CAPACITY") != nullptr) GTEST_SKIP() << "the user's capacity wins";
  {
    const TrainingPrimitiveCacheScope scope;
    EXPECT_EQ(TrainingPrimitiveCacheScope::current_capacity(), TrainingPrimitiveCacheScope::kTrainingCapacity);
  }
  EXPECT_EQ(TrainingPrimitiveCacheScope::current_capacity(), before);
}

}  // namespace
