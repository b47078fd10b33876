// A small stable hash (64-bit FNV-1a) for cache keys and identities: same bytes, same hash, on
// every platform and run.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tpq {

uint64_t fnv1a64(std::string_view bytes, uint64_t seed = 0xcbf29ce484222325ULL);
std::string fnv1a_hex(std::string_view bytes);  // 16 lower-case hex digits

}  // namespace tpq
