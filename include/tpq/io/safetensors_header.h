// The safetensors header model and its parser, without torch: 8-byte little-endian header length,
// then JSON {name: {dtype, shape, data_offsets}, "__metadata__": {str: str}}. Fuzzed (tests/fuzz).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tpq::io {

enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL };

std::size_t dtype_size(DType dtype);
std::string dtype_name(DType dtype);  // "F32", "BF16", ...
std::optional<DType> dtype_from_name(const std::string& name);  // nullopt for names it does not know

struct TensorEntry {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  uint64_t begin = 0;  // byte offsets relative to the start of the data section
  uint64_t end = 0;
};

struct SafetensorsHeader {
  std::vector<TensorEntry> tensors;  // in file order of data_offsets
  std::map<std::string, std::string> metadata;
  uint64_t data_start = 0;  // absolute file offset of the data section (8 + header length)
};

// Validates: header length vs file size, JSON syntax, known dtypes, shapes non-negative and not
// overflowing, offsets in range, non-overlapping, span == numel * dtype size. `source` names the
// file in error messages.
SafetensorsHeader parse_safetensors_header(const uint8_t* bytes, std::size_t size, const std::string& source);

}  // namespace tpq::io
