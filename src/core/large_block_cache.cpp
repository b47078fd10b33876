#include "tpq/core/large_block_cache.h"

#include <sys/mman.h>

#include <atomic>
#include <cstdlib>
#include <list>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

#include <c10/core/CPUAllocator.h>
#include <c10/core/impl/alloc_cpu.h>
#include <c10/util/Exception.h>

#include "tpq/core/error.h"

namespace tpq {
namespace {

constexpr size_t kLargeBlockBytes = size_t(32) << 20;  // glibc's mmap threshold in training
constexpr size_t kStepBytes = size_t(2) << 20;         // sizes rounded up so nearby lengths share blocks
constexpr size_t kDefaultCapacityMiB = 768;

size_t round_up(size_t n, size_t step) { return (n + step - 1) / step * step; }

}  // namespace

// One per process: a DataPtr's deleter is a plain function (LibTorch's raw_deallocate calls it with
// the data pointer alone), so it finds the cache through this instance and the block's size through
// the live_ table. It allocates only while a scope has installed it; blocks freed after the scope
// closed are unmapped.
class LargeBlockCache final : public c10::Allocator {
 public:
  static LargeBlockCache& instance() {
    static auto* cache = new LargeBlockCache();  // never destroyed: tensors may outlive static destructors
    return *cache;
  }

  c10::DataPtr allocate(size_t n) const override {
    if (n < kLargeBlockBytes || open_scopes_.load() == 0) {
      void* ptr = c10::alloc_cpu(n);
      return {ptr, ptr, &c10::free_cpu, c10::Device(c10::DeviceType::CPU)};
    }
    void* ptr = const_cast<LargeBlockCache*>(this)->take_or_map(round_up(n, kStepBytes));
    return {ptr, ptr, &release, c10::Device(c10::DeviceType::CPU)};
  }
  c10::DeleterFnPtr raw_deleter() const override { return &release; }

  // Scopes may nest: the outermost one sets the capacity, and its close empties the cache.
  void open(size_t capacity) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (open_scopes_++ > 0) return;
    capacity_ = capacity;
    stats_ = {};
  }

  // At the outermost close, returns the parked blocks to the kernel; blocks freed from then on are
  // unmapped at once.
  void close() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (--open_scopes_ > 0) return;
    while (!fifo_.empty()) evict_oldest();
  }

  LargeBlockCacheScope::Stats stats() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return stats_;
  }

 private:
  struct Parked {
    void* ptr;
    size_t size;
  };

  // The deleter of every block this allocator handed out (small ones too, via raw_deallocate).
  static void release(void* ptr) {
    auto& cache = instance();
    if (!cache.park_if_large(ptr)) c10::free_cpu(ptr);
  }

  void* take_or_map(size_t size) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (void* ptr = take_parked(size)) return ptr;
    }
    void* ptr = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    TORCH_CHECK(ptr != MAP_FAILED, "out of memory: could not map ", size >> 20, " MiB for a tensor");
    std::lock_guard<std::mutex> lock(mutex_);
    live_.emplace(ptr, size);
    ++stats_.mapped;
    return ptr;
  }

  // The smallest parked block of at least size bytes and at most 25 % more, or null. mutex_ held.
  void* take_parked(size_t size) {
    const auto found = by_size_.lower_bound(size);
    if (found == by_size_.end() || found->first > size + size / 4) return nullptr;
    const Parked block = *found->second;
    fifo_.erase(found->second);
    by_size_.erase(found);
    live_.emplace(block.ptr, block.size);
    stats_.parked_bytes -= block.size;
    ++stats_.reused;
    return block.ptr;
  }

  // Parks a freed large block (false: not one of ours), evicting the oldest to stay within capacity.
  bool park_if_large(void* ptr) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto live = live_.find(ptr);
    if (live == live_.end()) return false;
    const size_t size = live->second;
    live_.erase(live);
    if (open_scopes_ == 0 || size > capacity_) {
      munmap(ptr, size);
      return true;
    }
    while (stats_.parked_bytes + size > capacity_) evict_oldest();
    fifo_.push_back({ptr, size});
    by_size_.emplace(size, std::prev(fifo_.end()));
    stats_.parked_bytes += size;
    return true;
  }

  void evict_oldest() {  // mutex_ held
    const auto oldest = fifo_.begin();
    for (auto it = by_size_.lower_bound(oldest->size); it != by_size_.end(); ++it) {
      if (it->second == oldest) {
        by_size_.erase(it);
        break;
      }
    }
    munmap(oldest->ptr, oldest->size);
    stats_.parked_bytes -= oldest->size;
    fifo_.erase(oldest);
  }

  mutable std::mutex mutex_;
  size_t capacity_ = 0;
  std::atomic<int> open_scopes_{0};
  std::unordered_map<void*, size_t> live_;  // large blocks handed out: their mapped sizes
  std::list<Parked> fifo_;                  // parked blocks, oldest first
  std::multimap<size_t, std::list<Parked>::iterator> by_size_;
  LargeBlockCacheScope::Stats stats_;
};

// Installed once and never removed: ideep frees through whatever GetCPUAllocator() returns at free
// time, so a block this cache mapped must meet release() even after the scope; outside a scope the
// cache passes every request to c10's alloc_cpu.
namespace {

void install_large_block_cache_once() {
  static const bool installed = [] {
    c10::SetCPUAllocator(&LargeBlockCache::instance(), /*priority=*/255);
    return true;
  }();
  (void)installed;
}

}  // namespace

LargeBlockCacheScope::LargeBlockCacheScope(size_t capacity_bytes) {
  if (capacity_bytes == 0) return;
  install_large_block_cache_once();
  LargeBlockCache::instance().open(capacity_bytes);
  active_ = true;
}

LargeBlockCacheScope::~LargeBlockCacheScope() {
  if (active_) LargeBlockCache::instance().close();
}

LargeBlockCacheScope::Stats LargeBlockCacheScope::stats() const {
  return active_ ? LargeBlockCache::instance().stats() : Stats{};
}

size_t training_block_cache_bytes() {
  const char* text = std::getenv("TPQ_TRAIN_BLOCK_CACHE_MB");
  if (text == nullptr || *text == '\0') return kDefaultCapacityMiB << 20;
  const std::string value(text);
  require(value.find_first_not_of("0123456789") == std::string::npos && value.size() <= 7,
          "TPQ_TRAIN_BLOCK_CACHE_MB must be a whole number of MiB (0 turns the cache off), got '" + value + "'");
  return size_t(std::stoul(value)) << 20;
}

}  // namespace tpq
