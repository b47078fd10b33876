#include "tpq/checkpoint/sparse_tensors.h"

#include <torch/torch.h>

#include "tpq/core/error.h"
#include "tpq/core/strings.h"

namespace tpq::checkpoint {
using io::SafetensorsFile;
namespace {


// Bit weights of one packed byte, least significant bit = first entry.
torch::Tensor bit_weights() { return torch::tensor({1, 2, 4, 8, 16, 32, 64, 128}, torch::kUInt8); }

}  // namespace

PackedSparse pack_sparse(const torch::Tensor& dense) {
  torch::NoGradGuard no_grad;
  const auto flat = dense.detach().to(torch::kCPU).contiguous().flatten();
  const auto nonzero = flat.ne(0);
  const int64_t bytes = (flat.numel() + 7) / 8;
  // nonzero (n) -> padded (bytes, 8) {0,1} -> weighted byte sums.
  auto bits = torch::zeros({bytes * 8}, torch::kUInt8);
  bits.slice(0, 0, flat.numel()).copy_(nonzero);
  PackedSparse packed;
  packed.mask_bits = bits.view({bytes, 8}).mul(bit_weights()).sum({1}, /*keepdim=*/false, torch::kUInt8);
  packed.values = flat.masked_select(nonzero).to(torch::kFloat);
  return packed;
}

torch::Tensor unpack_sparse(const torch::Tensor& mask_bits, const torch::Tensor& values, at::IntArrayRef shape,
                            const std::string& where) {
  torch::NoGradGuard no_grad;
  int64_t numel = 1;
  for (auto dim : shape) numel *= dim;
  require(mask_bits.scalar_type() == torch::kUInt8 && mask_bits.dim() == 1 && mask_bits.numel() == (numel + 7) / 8,
          where + ": sparse mask must be U8 [" + std::to_string((numel + 7) / 8) + "] for " + std::to_string(numel) +
              " entries, found " + std::to_string(mask_bits.numel()) + " entries");
  // (bytes) -> (bytes, 8) bits -> first numel entries.
  const auto nonzero = mask_bits.unsqueeze(1).bitwise_and(bit_weights()).ne(0).flatten().slice(0, 0, numel);
  const int64_t count = nonzero.sum().item<int64_t>();
  require(values.dim() == 1 && values.numel() == count && values.is_floating_point(),
          where + ": the mask marks " + std::to_string(count) + " non-zeros but the values tensor holds " +
              std::to_string(values.numel()));
  auto dense = torch::zeros({numel}, torch::kFloat);
  dense.masked_scatter_(nonzero, values.to(torch::kFloat));
  return dense.view(shape);
}

nlohmann::json sparse_section(const std::vector<std::string>& tensor_names) {
  nlohmann::json section;
  section["format"] = kSparseFormat;
  section["tensors"] = tensor_names;
  return section;
}

std::set<std::string> sparse_tensor_names(const nlohmann::json& config, const std::string& source) {
  std::set<std::string> names;
  if (!config.is_object() || !config.contains(kSparseKey)) return names;
  const auto& section = config[kSparseKey];
  require(section.is_object() && section.value("format", "") == kSparseFormat && section.contains("tensors") &&
              section["tensors"].is_array(),
          source + ": \"" + kSparseKey + "\" must be {\"format\": \"" + kSparseFormat + "\", \"tensors\": [names]}");
  for (const auto& name : section["tensors"]) {
    require(name.is_string(), source + ": \"" + kSparseKey + ".tensors\" must hold tensor names");
    names.insert(name.get<std::string>());
  }
  return names;
}

std::vector<std::string> pack_sparse_tensors(std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                                             const std::set<std::string>& names) {
  std::vector<std::string> packed_names;
  if (names.empty()) return packed_names;
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (auto& [name, tensor] : tensors) {
    if (names.count(name) == 0 || tensor.scalar_type() != torch::kFloat) {
      out.emplace_back(name, tensor);
      continue;
    }
    auto packed = pack_sparse(tensor);
    out.emplace_back(name + kSparseMaskSuffix, packed.mask_bits);
    out.emplace_back(name + kSparseValuesSuffix, packed.values);
    packed_names.push_back(name);
  }
  tensors = std::move(out);
  return packed_names;
}

bool is_sparse_component(const std::string& file_entry, const std::set<std::string>& names) {
  for (const std::string suffix : {kSparseMaskSuffix, kSparseValuesSuffix}) {
    if (ends_with(file_entry, suffix) && names.count(file_entry.substr(0, file_entry.size() - suffix.size())) == 1) {
      return true;
    }
  }
  return false;
}

torch::Tensor load_sparse_tensor(const SafetensorsFile& file, const std::string& name, at::IntArrayRef shape) {
  const std::string where = file.path().string() + ": sparse tensor '" + name + "'";
  require(file.contains(name + kSparseMaskSuffix) && file.contains(name + kSparseValuesSuffix),
          where + " is listed in config.json's " + kSparseKey + " but its " + kSparseMaskSuffix + "/" +
              kSparseValuesSuffix + " pair is missing");
  return unpack_sparse(file.tensor(name + kSparseMaskSuffix), file.tensor(name + kSparseValuesSuffix), shape, where);
}

}  // namespace tpq::checkpoint
