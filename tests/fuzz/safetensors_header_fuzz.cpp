// Fuzzes the safetensors header parser on arbitrary bytes. UserError is the expected outcome for bad
// input; any other exception, a sanitizer report or a broken invariant is a bug.
#include <cstdint>
#include <cstdlib>

#include "tpq/core/error.h"
#include "tpq/io/safetensors_header.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  try {
    const auto header = tpq::io::parse_safetensors_header(data, size, "fuzz.safetensors");
    // What the parser promises its callers (SafetensorsFile reads tensors by these offsets).
    const uint64_t data_size = size - header.data_start;
    for (const auto& entry : header.tensors) {
      if (entry.begin > entry.end || entry.end > data_size) std::abort();
      uint64_t bytes = tpq::io::dtype_size(entry.dtype);
      for (const int64_t dim : entry.shape) {
        if (dim < 0) std::abort();
        bytes *= static_cast<uint64_t>(dim);
      }
      if (bytes != entry.end - entry.begin) std::abort();
    }
  } catch (const tpq::UserError&) {
  }
  return 0;
}
