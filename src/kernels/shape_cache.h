// The primitives a kernel has made, by the shape they were made for: made on first use and kept,
// and all dropped when `capacity` is reached (inputs of many lengths must not grow it unbounded).
#pragma once

#include <cstddef>
#include <map>
#include <mutex>

namespace tpq::kernels {

// Row counts kept per layer (inputs of many lengths, e.g. single reviews of every length up to 256).
constexpr std::size_t kRowCountsKept = 256;

template <typename Key, typename Value>
class ShapeCache {
 public:
  explicit ShapeCache(std::size_t capacity) : capacity_(capacity) {}

  // By value: a later call may clear the cache while this one still uses what it got.
  template <typename Make>
  Value get(const Key& key, Make make) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = entries_.find(key);
    if (found != entries_.end()) return found->second;
    if (entries_.size() >= capacity_) entries_.clear();
    return entries_.emplace(key, make()).first->second;
  }

 private:
  std::size_t capacity_;
  std::mutex mutex_;
  std::map<Key, Value> entries_;
};

}  // namespace tpq::kernels
