// safetensors read/write (https://github.com/huggingface/safetensors): 8-byte little-endian header
// length, a JSON header {name: {dtype, shape, data_offsets}, "__metadata__": {str: str}}, then data.
// The torch-free header parser lives in safetensors_header.h (fuzzed); every inconsistency is a UserError.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <torch/types.h>

#include "tpq/io/safetensors_header.h"

namespace tpq::io {

torch::ScalarType to_torch(DType dtype);
DType from_torch(torch::ScalarType type);  // UserError for types safetensors cannot hold

// A whole safetensors file read into memory and validated.
class SafetensorsFile {
 public:
  static SafetensorsFile open(const std::filesystem::path& path);
  // A sharded checkpoint (model.safetensors.index.json: {"weight_map": {tensor: shard file}}) as one
  // file: the shards' data sections concatenated, offsets rebased. Every tensor the index names must
  // be in its shard and every tensor of a shard in the index; shard names are plain file names.
  static SafetensorsFile open_sharded(const std::filesystem::path& index_path);

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
