// Compressed storage of pruned (mostly-zero) weights inside model.safetensors: a tensor N is saved
// as "N.tpq_mask" (U8, its non-zero pattern packed 8 entries per byte, least significant bit first,
// row-major) and "N.tpq_values" (F32, the non-zeros in row-major order). config.json's "tpq_sparse"
// section lists the tensors so that load_checkpoint rebuilds the dense weights transparently.
#pragma once

#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/types.h>

#include "tpq/io/safetensors.h"

namespace tpq::checkpoint {

inline constexpr const char* kSparseKey = "tpq_sparse";
inline constexpr const char* kSparseFormat = "bitmask_u8_lsb_first+values_f32";
inline constexpr const char* kSparseMaskSuffix = ".tpq_mask";
inline constexpr const char* kSparseValuesSuffix = ".tpq_values";

struct PackedSparse {
  torch::Tensor mask_bits;  // uint8 [ceil(numel / 8)]
  torch::Tensor values;     // float32 [non-zeros]
};

// dense (any shape, floating point) -> packed form of its non-zero pattern and values.
PackedSparse pack_sparse(const torch::Tensor& dense);
// The inverse; UserError naming `where` when sizes disagree with `shape`.
torch::Tensor unpack_sparse(const torch::Tensor& mask_bits, const torch::Tensor& values, at::IntArrayRef shape,
                            const std::string& where);

// The "tpq_sparse" config section asking for these tensors to be stored sparse.
nlohmann::json sparse_section(const std::vector<std::string>& tensor_names);
// Tensor names of a config's "tpq_sparse" section (empty set when absent); UserError on a bad section.
std::set<std::string> sparse_tensor_names(const nlohmann::json& config, const std::string& source);

// Replaces the listed F32 tensors of `tensors` by their packed pair (others pass through); returns
// the names actually packed (a tensor exported by a quantized kernel is not there to pack).
std::vector<std::string> pack_sparse_tensors(std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                                             const std::set<std::string>& names);

// True for the file entries that pack_sparse_tensors wrote for one of `names`.
bool is_sparse_component(const std::string& file_entry, const std::set<std::string>& names);

// Rebuilds tensor `name` from its packed pair in `file`, with the shape the model expects.
torch::Tensor load_sparse_tensor(const io::SafetensorsFile& file, const std::string& name, at::IntArrayRef shape);

}  // namespace tpq::checkpoint
