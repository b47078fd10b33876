// Stable 64-bit hash (see tpq/core/hash.h): 8-byte words folded with multiply/rotate, splitmix64 final.
// Reads words little-endian explicitly so the value is the same on every host.
#include "tpq/core/hash.h"

#include <cstdio>

namespace tpq {
namespace {

constexpr uint64_t kMultiplierA = 0x9E3779B97F4A7C15ull;
constexpr uint64_t kMultiplierB = 0xC2B2AE3D27D4EB4Full;

uint64_t rotate_left(uint64_t value, int bits) { return (value << bits) | (value >> (64 - bits)); }

uint64_t finalize(uint64_t value) {  // splitmix64
  value ^= value >> 30;
  value *= 0xBF58476D1CE4E5B9ull;
  value ^= value >> 27;
  value *= 0x94D049BB133111EBull;
  return value ^ (value >> 31);
}

uint64_t load_little_endian(const unsigned char* bytes, std::size_t count) {
  uint64_t word = 0;
  for (std::size_t i = 0; i < count; ++i) word |= static_cast<uint64_t>(bytes[i]) << (8 * i);
  return word;
}

}  // namespace

Hasher& Hasher::bytes(const void* data, std::size_t size) {
  const auto* input = static_cast<const unsigned char*>(data);
  // Four independent lanes keep the multiplies pipelined (this hashes whole cache files).
  uint64_t lanes[4] = {state_, state_ ^ kMultiplierA, state_ ^ kMultiplierB, rotate_left(state_, 17)};
  std::size_t at = 0;
  for (; at + 32 <= size; at += 32) {
    for (int lane = 0; lane < 4; ++lane) {
      const uint64_t word = load_little_endian(input + at + 8 * lane, 8);
      lanes[lane] = rotate_left(lanes[lane] ^ (word * kMultiplierA), 31) * kMultiplierB;
    }
  }
  uint64_t combined = size;
  for (int lane = 0; lane < 4; ++lane) combined = rotate_left(combined ^ finalize(lanes[lane]), 27) * kMultiplierA;
  for (; at < size; at += 8) {
    const std::size_t count = size - at < 8 ? size - at : 8;
    combined = rotate_left(combined ^ (load_little_endian(input + at, count) * kMultiplierB), 31) * kMultiplierA;
  }
  state_ = finalize(combined ^ state_);
  return *this;
}

Hasher& Hasher::text(std::string_view value) {
  number(value.size());
  return bytes(value.data(), value.size());
}

Hasher& Hasher::number(uint64_t value) {
  state_ = finalize(state_ ^ (value * kMultiplierB) ^ kMultiplierA);
  return *this;
}

uint64_t Hasher::digest() const { return finalize(state_); }

std::string Hasher::hex() const {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(digest()));
  return buffer;
}

}  // namespace tpq
