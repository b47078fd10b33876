// A CPU tensor allocator for training that keeps freed large blocks for reuse. Training allocates
// the same few large activations (attention scores, FFN outputs, vocabulary logits) on every step;
// glibc serves each >= 32 MiB block with a fresh mmap, so every step page-faults and zeroes them
// again (the kernel's share of the MLM step's profile), while keeping them in glibc's heap
// fragments it (peak RSS +0.6 GB on a 1 600-review MLM slice). Here blocks >= 32 MiB are mmapped in
// 2 MiB steps and, when freed, parked in a cache of bounded total size; a request takes the
// smallest parked block that fits it with at most 25 % slack. Smaller blocks go to c10's alloc_cpu
// (glibc's heap), as with LibTorch's own CPU allocator.
#pragma once

#include <cstddef>

namespace tpq {

// While alive, LibTorch's CPU tensors >= 32 MiB come from the process's large-block cache, of
// capacity_bytes. The cache stays installed as LibTorch's CPU allocator after the first scope; on
// destruction its parked blocks are returned to the kernel (blocks still in use when freed), and
// outside any scope it passes every request to c10's alloc_cpu. capacity_bytes = 0 installs nothing.
class LargeBlockCacheScope {
 public:
  explicit LargeBlockCacheScope(size_t capacity_bytes);
  ~LargeBlockCacheScope();
  LargeBlockCacheScope(const LargeBlockCacheScope&) = delete;
  LargeBlockCacheScope& operator=(const LargeBlockCacheScope&) = delete;

  // What the cache did: requests served from parked blocks, fresh mmaps, and bytes parked now.
  struct Stats {
    size_t reused = 0, mapped = 0, parked_bytes = 0;
  };
  Stats stats() const;

 private:
  bool active_ = false;
};

// The training scope's capacity: TPQ_TRAIN_BLOCK_CACHE_MB (0 turns the cache off), default 768 MiB.
size_t training_block_cache_bytes();

}  // namespace tpq
