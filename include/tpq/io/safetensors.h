// safetensors read/write (https://github.com/huggingface/safetensors): 8-byte little-endian header
// length, a JSON header {name: {dtype, shape, data_offsets}, "__metadata__": {str: str}}, then data.
// The header parser is pure (no torch) so it can be fuzzed; every inconsistency is a UserError.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <torch/types.h>

namespace tpq::io {

enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL };

std::size_t dtype_size(DType dtype);
std::string dtype_name(DType dtype);  // "F32", "BF16", ...
std::optional<DType> dtype_from_name(const std::string& name);  // nullopt for names it does not know
torch::ScalarType to_torch(DType dtype);
DType from_torch(torch::ScalarType type);  // UserError for types safetensors cannot hold

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

// A whole safetensors file read into memory and validated.
class SafetensorsFile {
 public:
  static SafetensorsFile open(const std::filesystem::path& path);

  const SafetensorsHeader& header() const { return header_; }
  const std::filesystem::path& path() const { return path_; }
  bool contains(const std::string& name) const;
  const TensorEntry& entry(const std::string& name) const;  // UserError naming file + tensor if absent
  torch::Tensor tensor(const std::string& name) const;       // an owning CPU copy
  std::map<std::string, torch::Tensor> all_tensors() const;

 private:
  std::filesystem::path path_;
  std::string bytes_;  // the whole file, as read_file() returns it
  SafetensorsHeader header_;
  std::map<std::string, std::size_t> index_;
};

// Writes tensors (any device; contiguous CPU copies are made) atomically: temp file, fsync, rename.
void save_safetensors(const std::filesystem::path& path,
                      const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

}  // namespace tpq::io
