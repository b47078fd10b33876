#include "tpq/core/allocator.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>

namespace tpq {
namespace {

enum class AllocatorState { Untouched, Tuned, SystemRequested, Refused };
AllocatorState state = AllocatorState::Untouched;

bool apply_inference_tuning() {
  // No mmap-backed chunks (large blocks come from the heap and are reused after free), no trimming
  // of the heap top, and a generous top pad so growing the heap is rare. mallopt returns 1 on success.
  return mallopt(M_MMAP_MAX, 0) == 1 && mallopt(M_TRIM_THRESHOLD, 1 << 30) == 1 && mallopt(M_TOP_PAD, 256 << 20) == 1;
}

}  // namespace

void tune_allocator() {
  if (state != AllocatorState::Untouched) return;
  const char* opt_out = std::getenv("TPQ_SYSTEM_MALLOC");
  if (opt_out != nullptr && std::strcmp(opt_out, "1") == 0) {
    state = AllocatorState::SystemRequested;
    return;
  }
  state = apply_inference_tuning() ? AllocatorState::Tuned : AllocatorState::Refused;
}

TrainingAllocatorScope::TrainingAllocatorScope(size_t block_cache_bytes) {
  if (state != AllocatorState::Tuned) return;
  active_ = mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1 && mallopt(M_MMAP_MAX, 1 << 16) == 1 &&
            mallopt(M_TRIM_THRESHOLD, 64 << 20) == 1 && mallopt(M_TOP_PAD, 16 << 20) == 1;
  if (active_) large_blocks_ = std::make_unique<LargeBlockCacheScope>(block_cache_bytes);
}

TrainingAllocatorScope::~TrainingAllocatorScope() {
  if (!active_) return;
  large_blocks_.reset();
  malloc_trim(0);
  apply_inference_tuning();
}

void release_free_heap() { malloc_trim(0); }

std::string allocator_description() {
  switch (state) {
    case AllocatorState::Tuned:
      return "glibc malloc, large blocks reused (mmap off, trim 1 GiB, top pad 256 MiB); while training, blocks >= 32 MiB "
             "mmapped and parked for reuse up to TPQ_TRAIN_BLOCK_CACHE_MB (default 768)";
    case AllocatorState::SystemRequested: return "glibc malloc defaults (TPQ_SYSTEM_MALLOC=1)";
    case AllocatorState::Refused: return "glibc malloc defaults (mallopt refused the tuning)";
    case AllocatorState::Untouched: break;
  }
  return "glibc malloc defaults";
}

}  // namespace tpq
