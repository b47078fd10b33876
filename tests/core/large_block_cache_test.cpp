// The training allocator's cache of large blocks: reuse within the slack, capacity, the return of
// parked blocks when the scope closes, tensors that outlive the scope, LibTorch's raw interface,
// and the TPQ_TRAIN_BLOCK_CACHE_MB setting.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>

#include <c10/core/CPUAllocator.h>

#include "tpq/core/large_block_cache.h"

namespace {

constexpr size_t kMiB = size_t(1) << 20;

torch::Tensor bytes(size_t n) { return torch::empty({static_cast<int64_t>(n)}, torch::kByte); }

TEST(LargeBlockCache, AFreedBlockServesTheNextRequestThatFitsIt) {
  const tpq::LargeBlockCacheScope scope(256 * kMiB);
  auto first = bytes(40 * kMiB);
  const void* address = first.data_ptr();
  first = torch::Tensor();
  EXPECT_EQ(scope.stats().parked_bytes, 40 * kMiB);
  const auto second = bytes(39 * kMiB);  // rounds up to the same 40 MiB
  EXPECT_EQ(second.data_ptr(), address);
  EXPECT_EQ(scope.stats().reused, 1u);
  EXPECT_EQ(scope.stats().mapped, 1u);
  EXPECT_EQ(scope.stats().parked_bytes, 0u);
}

TEST(LargeBlockCache, NoReuseBeyondAQuarterOfSlackOrBelowTheThreshold) {
  const tpq::LargeBlockCacheScope scope(256 * kMiB);
  bytes(64 * kMiB);          // parked at once
  const auto small = bytes(40 * kMiB);  // 64 MiB would waste over 25 %: mapped afresh
  EXPECT_EQ(scope.stats().reused, 0u);
  EXPECT_EQ(scope.stats().mapped, 2u);
  const auto heap = bytes(8 * kMiB);  // below 32 MiB: glibc's heap
  EXPECT_EQ(scope.stats().mapped, 2u);
  EXPECT_EQ(scope.stats().parked_bytes, 64 * kMiB);
}

TEST(LargeBlockCache, ParkedBytesStayWithinTheCapacity) {
  const tpq::LargeBlockCacheScope scope(100 * kMiB);
  {
    auto a = bytes(40 * kMiB), b = bytes(40 * kMiB), c = bytes(40 * kMiB);
  }
  EXPECT_EQ(scope.stats().parked_bytes, 80 * kMiB);
  const auto huge = bytes(120 * kMiB);
  EXPECT_EQ(scope.stats().parked_bytes, 80 * kMiB) << "a block over the capacity is returned, not parked";
}

TEST(LargeBlockCache, ClosingReturnsParkedBlocksAndLaterFreesStillWork) {
  torch::Tensor survivor;
  {
    const tpq::LargeBlockCacheScope scope(256 * kMiB);
    survivor = bytes(48 * kMiB);
    survivor.fill_(3);
    bytes(48 * kMiB);
  }
  EXPECT_EQ(survivor[12345].item<int>(), 3);
  survivor = torch::Tensor();  // unmapped now, not parked
  const tpq::LargeBlockCacheScope next(256 * kMiB);
  EXPECT_EQ(next.stats().parked_bytes, 0u);
  EXPECT_EQ(next.stats().reused, 0u);
}

TEST(LargeBlockCache, LibTorchsRawInterfaceAllocatesAndFrees) {
  {
    const tpq::LargeBlockCacheScope scope(256 * kMiB);
    auto* allocator = c10::GetCPUAllocator();
    void* large = allocator->raw_allocate(48 * kMiB);
    void* small = allocator->raw_allocate(1024);
    allocator->raw_deallocate(small);
    allocator->raw_deallocate(large);
    EXPECT_EQ(scope.stats().parked_bytes, 48 * kMiB);
  }
  void* after = c10::GetCPUAllocator()->raw_allocate(48 * kMiB);  // outside a scope: c10's allocation
  c10::GetCPUAllocator()->raw_deallocate(after);
}

TEST(LargeBlockCache, TheSettingIsWholeMebibytes) {
  ::setenv("TPQ_TRAIN_BLOCK_CACHE_MB", "64", 1);
  EXPECT_EQ(tpq::training_block_cache_bytes(), 64 * kMiB);
  ::setenv("TPQ_TRAIN_BLOCK_CACHE_MB", "0", 1);
  EXPECT_EQ(tpq::training_block_cache_bytes(), 0u);
  ::setenv("TPQ_TRAIN_BLOCK_CACHE_MB", "1.5", 1);
  EXPECT_THROW(tpq::training_block_cache_bytes(), std::exception);
  ::unsetenv("TPQ_TRAIN_BLOCK_CACHE_MB");
  EXPECT_EQ(tpq::training_block_cache_bytes(), 768 * kMiB);
}

}  // namespace
