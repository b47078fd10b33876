// oneDNN keeps every primitive it creates (with its JIT code and scratchpad) in a cache of 1024
// by default, one per operation shape. Training meets many shapes (each batch width, forward and
// backward), so the cache held gigabytes: on the default profile's MLM (1 600 reviews at 512
// tokens) peak RSS 3.95 GB with the default cache against 3.15 GB with 64 entries, and 57 s
// against 49 s. While a TrainingPrimitiveCacheScope lives the cache holds 64 primitives; the
// previous capacity comes back after (timed inference keeps its warm primitives). A user's
// ONEDNN_PRIMITIVE_CACHE_CAPACITY wins, and without oneDNN it does nothing.
#pragma once

namespace tpq {

class TrainingPrimitiveCacheScope {
 public:
  static constexpr int kTrainingCapacity = 64;

  TrainingPrimitiveCacheScope();
  ~TrainingPrimitiveCacheScope();
  TrainingPrimitiveCacheScope(const TrainingPrimitiveCacheScope&) = delete;
  TrainingPrimitiveCacheScope& operator=(const TrainingPrimitiveCacheScope&) = delete;

  // The capacity now, or -1 where LibTorch's oneDNN is not reachable.
  static int current_capacity();

 private:
  int previous_ = -1;
};

}  // namespace tpq
