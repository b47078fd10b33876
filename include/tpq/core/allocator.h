// glibc malloc settings for tensor workloads. By default glibc serves every allocation above
// 32 MiB with a fresh mmap and returns it on free, so each large activation (bert-base batch 32:
// 48 MiB per FFN output) is page-faulted and zeroed again on every forward pass. Measured on the
// 2-core dev machine: FP32 bert-base B32 S128 8.2 s -> 4.4 s, dynamic INT8 7.0 s -> 1.2 s.
// Keeping freed memory in the heap is what jemalloc/tcmalloc do for PyTorch; mallopt gets the
// same effect without a second allocator (which would clash with the RTLD_DEEPBIND sentencepiece
// bridge).
#pragma once

#include <memory>
#include <string>

#include "tpq/core/large_block_cache.h"

namespace tpq {

// Applies the settings unless TPQ_SYSTEM_MALLOC=1 (for comparing against the glibc default).
// Call first thing in main, before any tensor exists. Idempotent.
void tune_allocator();

// Training allocates a batch's activations afresh each step, at sizes that change with the batch's
// length; with mmap off they fragment the heap, which then holds what the largest step needed
// several times over. While a scope lives, blocks >= 32 MiB (attention scores, FFN activations of
// long batches) are mmapped again and returned on free; smaller ones keep the reuse. Measured
// (default profile's MLM on 3 200 reviews at 512 tokens, bf16, one run each, docs/performance.md):
// peak RSS 10.1 GB with the inference tuning, 6.1 GB with this scope and 6.1 GB with glibc's
// defaults; 244 s, 339 s and 284 s. Freed large blocks are parked for reuse in a LargeBlockCache
// (TPQ_TRAIN_BLOCK_CACHE_MB, default 768), so the steady state maps nothing new. A no-op unless the
// tuning is on.
class TrainingAllocatorScope {
 public:
  explicit TrainingAllocatorScope(size_t block_cache_bytes = training_block_cache_bytes());
  ~TrainingAllocatorScope();
  TrainingAllocatorScope(const TrainingAllocatorScope&) = delete;
  TrainingAllocatorScope& operator=(const TrainingAllocatorScope&) = delete;

 private:
  bool active_ = false;
  std::unique_ptr<LargeBlockCacheScope> large_blocks_;
};

// Returns the heap's free pages to the kernel (malloc_trim). The tuned heap keeps what training
// freed, so without this an evaluation's "peak RSS" after a training pass is mostly that cache.
void release_free_heap();

// "glibc malloc: mmap off, no trimming (tpq)" or "glibc malloc defaults (TPQ_SYSTEM_MALLOC=1)",
// recorded in every results record so a timing can be traced to the allocator it ran on.
std::string allocator_description();

}  // namespace tpq
