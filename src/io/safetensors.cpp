// safetensors <-> torch: loading validated files into owning CPU tensors, and saving named tensors
// (any device or layout) as a deterministic, HF-compatible file through the atomic writer.
#include "tpq/io/safetensors.h"

#include <algorithm>
#include <cstring>

#include <nlohmann/json.hpp>

#include "message_text.h"
#include "tpq/core/error.h"
#include "tpq/io/atomic_file.h"

// Tensor bytes are copied verbatim; safetensors stores them little-endian.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "tpq's safetensors I/O assumes a little-endian host");

namespace tpq::io {
namespace {

using detail::quoted_name;

using NamedTensor = std::pair<std::string, torch::Tensor>;

// Sorted by name, with names and tensors checked before any file is created.
std::vector<const NamedTensor*> checked_save_order(const std::filesystem::path& path,
                                                   const std::vector<NamedTensor>& tensors) {
  std::vector<const NamedTensor*> order;
  order.reserve(tensors.size());
  for (const auto& named : tensors) order.push_back(&named);
  std::sort(order.begin(), order.end(), [](const NamedTensor* a, const NamedTensor* b) { return a->first < b->first; });
  for (std::size_t i = 0; i < order.size(); ++i) {
    const auto& [name, tensor] = *order[i];
    const std::string prefix = path.string() + ": cannot save tensor " + quoted_name(name) + ": ";
    if (i > 0 && order[i - 1]->first == name)
      throw UserError(prefix + "the name is given twice (names must be unique)");
    if (name == "__metadata__") throw UserError(prefix + "the name is reserved by safetensors (rename the tensor)");
    if (!tensor.defined()) throw UserError(prefix + "the tensor is undefined");
    if (tensor.is_meta()) throw UserError(prefix + "it is a meta tensor without data (materialize it first)");
    if (tensor.layout() != torch::kStrided) {
      throw UserError(prefix + "it is not a dense tensor (call .to_dense() before saving)");
    }
    try {
      from_torch(tensor.scalar_type());
    } catch (const UserError& error) {
      throw UserError(prefix + error.what());
    }
  }
  return order;
}

std::string header_text(const std::filesystem::path& path, const std::vector<const NamedTensor*>& order,
                        const std::map<std::string, std::string>& metadata) {
  // ordered_json keeps HF's layout: __metadata__ first, then tensors in data order.
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const NamedTensor* named : order) {
    const torch::Tensor& tensor = named->second;
    const DType dtype = from_torch(tensor.scalar_type());
    const uint64_t bytes = static_cast<uint64_t>(tensor.numel()) * dtype_size(dtype);
    nlohmann::ordered_json entry;
    entry["dtype"] = dtype_name(dtype);
    entry["shape"] = std::vector<int64_t>(tensor.sizes().begin(), tensor.sizes().end());
    entry["data_offsets"] = {offset, offset + bytes};
    header[named->first] = std::move(entry);
    offset += bytes;
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const nlohmann::json::type_error& error) {
    throw UserError(path.string() + ": cannot save: a tensor name or metadata string is not valid UTF-8 (" +
                    error.what() + ")");
  }
  // HF pads with spaces so the data section starts 8-byte aligned.
  text.append((8 - text.size() % 8) % 8, ' ');
  return text;
}

}  // namespace

torch::ScalarType to_torch(DType dtype) {
  switch (dtype) {
    case DType::F64: return torch::kDouble;
    case DType::F32: return torch::kFloat;
    case DType::F16: return torch::kHalf;
    case DType::BF16: return torch::kBFloat16;
    case DType::I64: return torch::kLong;
    case DType::I32: return torch::kInt;
    case DType::I16: return torch::kShort;
    case DType::I8: return torch::kChar;
    case DType::U8: return torch::kByte;
    case DType::BOOL: return torch::kBool;
  }
  throw std::logic_error("safetensors: DType value outside the enum");
}

DType from_torch(torch::ScalarType type) {
  switch (type) {
    case torch::kDouble: return DType::F64;
    case torch::kFloat: return DType::F32;
    case torch::kHalf: return DType::F16;
    case torch::kBFloat16: return DType::BF16;
    case torch::kLong: return DType::I64;
    case torch::kInt: return DType::I32;
    case torch::kShort: return DType::I16;
    case torch::kChar: return DType::I8;
    case torch::kByte: return DType::U8;
    case torch::kBool: return DType::BOOL;
    default:
      throw UserError(std::string("torch dtype ") + c10::toString(type) +
                      " has no safetensors equivalent (convert to float, half, bfloat16 or an integer type first)");
  }
}

SafetensorsFile SafetensorsFile::open(const std::filesystem::path& path) {
  SafetensorsFile file;
  file.path_ = path;
  file.bytes_ = read_file(path);
  file.header_ =
      parse_safetensors_header(reinterpret_cast<const uint8_t*>(file.bytes_.data()), file.bytes_.size(), path.string());
  for (std::size_t i = 0; i < file.header_.tensors.size(); ++i) file.index_.emplace(file.header_.tensors[i].name, i);
  return file;
}

SafetensorsFile SafetensorsFile::open_sharded(const std::filesystem::path& index_path) {
  const std::string where = index_path.string();
  const nlohmann::json index = read_json_file(index_path);
  require(index.is_object() && index.contains("weight_map") && index["weight_map"].is_object() && !index["weight_map"].empty(),
          where + ": expected {\"weight_map\": {tensor name: shard file}} (a transformers sharded-checkpoint index)");
  std::map<std::string, std::string> shard_of;  // tensor -> shard file
  std::vector<std::string> shards;              // in order of first mention
  for (const auto& [tensor, shard] : index["weight_map"].items()) {
    require(shard.is_string(), where + ": weight_map[" + quoted_name(tensor) + "] must be a file name");
    const std::string name = shard.get<std::string>();
    require(!name.empty() && name.find('/') == std::string::npos && name != ".." && name != ".",
            where + ": shard " + quoted_name(name) + " must be a plain file name beside the index");
    shard_of[tensor] = name;
    if (std::find(shards.begin(), shards.end(), name) == shards.end()) shards.push_back(name);
  }
  SafetensorsFile merged;
  merged.path_ = index_path;
  for (const auto& name : shards) {
    const SafetensorsFile shard = open(index_path.parent_path() / name);
    if (merged.header_.metadata.empty()) merged.header_.metadata = shard.header_.metadata;
    const uint64_t base = merged.bytes_.size();
    merged.bytes_.append(shard.bytes_, shard.header_.data_start, std::string::npos);
    for (auto entry : shard.header_.tensors) {
      const auto listed = shard_of.find(entry.name);
      require(listed != shard_of.end() && listed->second == name,
              shard.path_.string() + ": tensor " + quoted_name(entry.name) + " is not listed for this shard in " + where);
      require(merged.index_.count(entry.name) == 0, where + ": tensor " + quoted_name(entry.name) + " is in two shards");
      entry.begin += base;
      entry.end += base;
      merged.index_.emplace(entry.name, merged.header_.tensors.size());
      merged.header_.tensors.push_back(std::move(entry));
    }
  }
  for (const auto& [tensor, shard] : shard_of) {
    require(merged.index_.count(tensor) == 1, where + ": tensor " + quoted_name(tensor) + " is listed in shard " + shard +
                                                  " but that file does not hold it (incomplete download?)");
  }
  merged.header_.data_start = 0;  // bytes_ holds only the data sections
  return merged;
}

bool SafetensorsFile::contains(const std::string& name) const { return index_.count(name) != 0; }

const TensorEntry& SafetensorsFile::entry(const std::string& name) const {
  const auto found = index_.find(name);
  if (found == index_.end()) {
    std::string examples;
    for (auto it = index_.begin(); it != index_.end() && std::distance(index_.begin(), it) < 3; ++it) {
      examples += (examples.empty() ? "" : ", ") + quoted_name(it->first);
    }
    throw UserError(path_.string() + ": no tensor " + quoted_name(name) + " (the file has " +
                    std::to_string(index_.size()) + " tensors" + (examples.empty() ? "" : ", e.g. " + examples) +
                    "; check the name or the checkpoint)");
  }
  return header_.tensors[found->second];
}

torch::Tensor SafetensorsFile::tensor(const std::string& name) const {
  const TensorEntry& info = entry(name);
  torch::Tensor tensor = torch::empty(info.shape, torch::TensorOptions().dtype(to_torch(info.dtype)));
  const std::size_t bytes = info.end - info.begin;  // == tensor.nbytes(), checked by the parser
  const char* source = bytes_.data() + header_.data_start + info.begin;
  // A bool byte other than 0/1 is undefined behaviour in torch's kernels; refuse it here.
  if (info.dtype == DType::BOOL) {
    const auto* bad = std::find_if(source, source + bytes, [](char byte) { return byte != 0 && byte != 1; });
    if (bad != source + bytes) {
      throw UserError(path_.string() + ": BOOL tensor " + quoted_name(name) + " holds byte " +
                      std::to_string(static_cast<unsigned char>(*bad)) + " at element " + std::to_string(bad - source) +
                      ", expected 0 or 1 (file is corrupt; re-save the checkpoint)");
    }
  }
  if (bytes > 0) std::memcpy(tensor.data_ptr(), source, bytes);
  return tensor;
}

std::map<std::string, torch::Tensor> SafetensorsFile::all_tensors() const {
  std::map<std::string, torch::Tensor> tensors;
  for (const auto& info : header_.tensors) tensors.emplace(info.name, tensor(info.name));
  return tensors;
}

void save_safetensors(const std::filesystem::path& path,
                      const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  const auto order = checked_save_order(path, tensors);
  const std::string header = header_text(path, order, metadata);

  uint8_t length[8];
  for (int i = 0; i < 8; ++i) length[i] = static_cast<uint8_t>(uint64_t{header.size()} >> (8 * i));

  AtomicFileWriter writer(path);
  writer.write(length, sizeof length);
  writer.write(header);
  // One tensor at a time, so at most one CPU/contiguous copy exists besides the caller's tensors.
  for (const NamedTensor* named : order) {
    const torch::Tensor data = named->second.detach().to(torch::kCPU).contiguous();
    if (data.nbytes() > 0) writer.write(data.data_ptr(), data.nbytes());
  }
  writer.commit();
}

}  // namespace tpq::io
