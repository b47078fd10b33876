// A fast, stable 64-bit hash (same value on every platform and run) for cache keys,
// example content hashes and cache-file checksums. Not cryptographic.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tpq {

class Hasher {
 public:
  // Mixes in the bytes as one chunk (chunking is part of the value: hash the same way each time).
  Hasher& bytes(const void* data, std::size_t size);
  // Length-prefixed, so ("ab","c") and ("a","bc") differ.
  Hasher& text(std::string_view value);
  Hasher& number(uint64_t value);
  uint64_t digest() const;
  std::string hex() const;  // 16 lower-case hex digits

 private:
  uint64_t state_ = 0x243F6A8885A308D3ull;
};

}  // namespace tpq
