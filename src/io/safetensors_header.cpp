// The safetensors dtype table and the header parser: turns the 8-byte length + JSON header of an
// untrusted file into validated TensorEntry records, or a one-line UserError naming the file.
#include <algorithm>
#include <limits>
#include <tuple>

#include <nlohmann/json.hpp>

#include "message_text.h"
#include "tpq/core/error.h"
#include "tpq/io/safetensors_header.h"

namespace tpq::io {
namespace {

using nlohmann::json;

struct DTypeInfo {
  DType dtype;
  const char* name;
  std::size_t size;
};

constexpr DTypeInfo kDTypes[] = {
    {DType::F64, "F64", 8}, {DType::F32, "F32", 4},   {DType::F16, "F16", 2}, {DType::BF16, "BF16", 2},
    {DType::I64, "I64", 8}, {DType::I32, "I32", 4},   {DType::I16, "I16", 2}, {DType::I8, "I8", 1},
    {DType::U8, "U8", 1},   {DType::BOOL, "BOOL", 1},
};

const DTypeInfo& info(DType dtype) {
  for (const auto& entry : kDTypes) {
    if (entry.dtype == dtype) return entry;
  }
  throw std::logic_error("safetensors: DType value outside the enum");
}

std::string known_dtype_names() {
  std::string names;
  for (const auto& entry : kDTypes) names += (names.empty() ? "" : " ") + std::string(entry.name);
  return names;
}

// Header lengths past this are corrupt or hostile; the biggest real headers are a few MB.
constexpr uint64_t kMaxHeaderBytes = uint64_t{100} << 20;
// {name: {"shape": [dims]}} puts values at depth 3; anything deeper cannot be a valid header and is
// refused while parsing so "[[[[..." cannot blow up memory.
constexpr int kMaxJsonDepth = 3;
const char* const kMetadataKey = "__metadata__";
const char* const kCorrupt = "file is corrupt; re-save or re-download the checkpoint";

struct TooDeep {};

using detail::printable;
using detail::quoted_name;

std::string brief(const json& value) { return printable(value.dump()); }

std::string offsets_text(uint64_t begin, uint64_t end) {
  return "[" + std::to_string(begin) + ", " + std::to_string(end) + "]";
}

// Validates one {dtype, shape, data_offsets} entry. `fail` prefixes the file and tensor name.
class EntryParser {
 public:
  EntryParser(const std::string& source, const std::string& name, uint64_t data_size)
      : source_(source), name_(name), data_size_(data_size) {}

  TensorEntry parse(const json& value) const {
    if (!value.is_object()) {
      fail(std::string("is a JSON ") + value.type_name() + ", expected an object with dtype, shape and data_offsets (" +
           kCorrupt + ")");
    }
    for (const char* key : {"dtype", "shape", "data_offsets"}) {
      if (!value.contains(key)) fail(std::string("has no '") + key + "' key (" + kCorrupt + ")");
    }
    for (const auto& item : value.items()) {
      if (item.key() != "dtype" && item.key() != "shape" && item.key() != "data_offsets") {
        fail("has unexpected key " + quoted_name(item.key()) + " (expected only dtype, shape, data_offsets; " +
             kCorrupt + ")");
      }
    }
    TensorEntry entry;
    entry.name = name_;
    entry.dtype = parse_dtype(value.at("dtype"));
    entry.shape = parse_shape(value.at("shape"));
    std::tie(entry.begin, entry.end) = parse_offsets(value.at("data_offsets"));
    check_size(entry);
    return entry;
  }

 private:
  [[noreturn]] void fail(const std::string& problem) const {
    throw UserError(source_ + ": tensor " + quoted_name(name_) + " " + problem);
  }

  DType parse_dtype(const json& value) const {
    if (!value.is_string()) fail("dtype is " + brief(value) + ", expected a string such as \"F32\" (" + kCorrupt + ")");
    const auto dtype = dtype_from_name(value.get<std::string>());
    if (!dtype) {
      fail("has unknown dtype " + brief(value) + " (supported: " + known_dtype_names() +
           "; convert the checkpoint to one of these)");
    }
    return *dtype;
  }

  std::vector<int64_t> parse_shape(const json& value) const {
    if (!value.is_array()) {
      fail("shape is " + brief(value) + ", expected an array of non-negative integers (" + kCorrupt + ")");
    }
    std::vector<int64_t> shape;
    shape.reserve(value.size());
    for (const auto& dim : value) {
      if (dim.is_number_integer() && !dim.is_number_unsigned()) {
        fail("shape " + brief(value) + " has negative dimension " + dim.dump() + " (" + kCorrupt + ")");
      }
      if (!dim.is_number_unsigned() || dim.get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max())) {
        fail("shape " + brief(value) + " has entry " + brief(dim) + ", expected a non-negative integer (" + kCorrupt +
             ")");
      }
      shape.push_back(dim.get<int64_t>());
    }
    return shape;
  }

  std::pair<uint64_t, uint64_t> parse_offsets(const json& value) const {
    const bool well_typed =
        value.is_array() && value.size() == 2 && value[0].is_number_unsigned() && value[1].is_number_unsigned();
    if (!well_typed) {
      fail("data_offsets is " + brief(value) + ", expected [begin, end] with non-negative integers (" + kCorrupt + ")");
    }
    const auto begin = value[0].get<uint64_t>();
    const auto end = value[1].get<uint64_t>();
    if (begin > end) fail("data_offsets " + offsets_text(begin, end) + " are reversed (" + kCorrupt + ")");
    if (end > data_size_) {
      fail("data_offsets " + offsets_text(begin, end) + " run past the end of the data section (" +
           std::to_string(data_size_) + " bytes) (file is truncated or corrupt; re-download or re-save it)");
    }
    return {begin, end};
  }

  void check_size(const TensorEntry& entry) const {
    uint64_t bytes = dtype_size(entry.dtype);
    for (const int64_t dim : entry.shape) {
      if (__builtin_mul_overflow(bytes, static_cast<uint64_t>(dim), &bytes)) {
        fail("shape " + shape_text(entry.shape) + " has more bytes than fit in 64 bits (" + kCorrupt + ")");
      }
    }
    if (bytes != entry.end - entry.begin) {
      fail(dtype_name(entry.dtype) + " shape " + shape_text(entry.shape) + " needs " + std::to_string(bytes) +
           " bytes but data_offsets " + offsets_text(entry.begin, entry.end) + " span " +
           std::to_string(entry.end - entry.begin) + " (" + kCorrupt + ")");
    }
  }

  static std::string shape_text(const std::vector<int64_t>& shape) { return brief(json(shape)); }

  const std::string& source_;
  const std::string& name_;
  uint64_t data_size_;
};

std::map<std::string, std::string> parse_metadata(const json& value, const std::string& source) {
  if (!value.is_object()) {
    throw UserError(source + ": " + kMetadataKey + " is a JSON " + value.type_name() +
                    ", expected an object of string values (" + kCorrupt + ")");
  }
  std::map<std::string, std::string> metadata;
  for (const auto& item : value.items()) {
    if (!item.value().is_string()) {
      throw UserError(source + ": " + kMetadataKey + " key " + quoted_name(item.key()) + " has value " +
                      brief(item.value()) + ", expected a string (" + kCorrupt + ")");
    }
    metadata.emplace(item.key(), item.value().get<std::string>());
  }
  return metadata;
}

json parse_header_json(const uint8_t* text, std::size_t size, const std::string& source) {
  const auto depth_guard = [](int depth, json::parse_event_t /*event*/, json& /*parsed*/) {
    if (depth > kMaxJsonDepth) throw TooDeep{};
    return true;
  };
  try {
    return json::parse(text, text + size, depth_guard);
  } catch (const json::parse_error& error) {
    throw UserError(source + ": header is not valid JSON (at header byte " + std::to_string(error.byte) + ": " +
                    printable(detail::json_parse_error_text(error.what()), 200, true) +
                    ") (not a safetensors file, or corrupt)");
  } catch (const json::out_of_range& error) {  // a number literal beyond double range (fuzz-found)
    throw UserError(source + ": header is not valid JSON (" + printable(detail::json_parse_error_text(error.what()), 200, true) +
                    ") (not a safetensors file, or corrupt)");
  } catch (const TooDeep&) {
    throw UserError(source + ": header JSON nests deeper than {name: {dtype, shape, data_offsets}} allows (" +
                    kCorrupt + ")");
  }
}

// Sorted by offset, non-empty spans must not overlap; empty tensors occupy no bytes and may sit anywhere.
void check_no_overlap(const std::vector<TensorEntry>& sorted, const std::string& source) {
  const TensorEntry* previous = nullptr;
  for (const auto& entry : sorted) {
    if (entry.begin == entry.end) continue;
    if (previous != nullptr && entry.begin < previous->end) {
      throw UserError(source + ": tensors " + quoted_name(previous->name) + " " +
                      offsets_text(previous->begin, previous->end) + " and " + quoted_name(entry.name) + " " +
                      offsets_text(entry.begin, entry.end) + " overlap in the data section (" + kCorrupt + ")");
    }
    previous = &entry;  // sorted and non-overlapping, so this has the furthest end so far
  }
}

}  // namespace

std::size_t dtype_size(DType dtype) { return info(dtype).size; }

std::string dtype_name(DType dtype) { return info(dtype).name; }

std::optional<DType> dtype_from_name(const std::string& name) {
  for (const auto& entry : kDTypes) {
    if (name == entry.name) return entry.dtype;
  }
  return std::nullopt;
}

SafetensorsHeader parse_safetensors_header(const uint8_t* bytes, std::size_t size, const std::string& source) {
  if (size < 8) {
    throw UserError(source + ": file is " + std::to_string(size) +
                    " bytes, expected at least 8 (the safetensors header length); it is empty or truncated, "
                    "re-download or re-save it");
  }
  uint64_t header_length = 0;
  for (int i = 7; i >= 0; --i) header_length = (header_length << 8) | bytes[i];  // little-endian u64
  if (header_length > kMaxHeaderBytes) {
    throw UserError(source + ": header length " + std::to_string(header_length) + " exceeds the " +
                    std::to_string(kMaxHeaderBytes >> 20) + " MB limit (not a safetensors file, or corrupt)");
  }
  if (header_length > size - 8) {
    throw UserError(source + ": header length " + std::to_string(header_length) + " is larger than the " +
                    std::to_string(size - 8) +
                    " bytes after it (file is truncated or not safetensors; re-download or re-save it)");
  }

  const json root = parse_header_json(bytes + 8, static_cast<std::size_t>(header_length), source);
  if (!root.is_object()) {
    throw UserError(source + ": header is a JSON " + std::string(root.type_name()) +
                    ", expected an object mapping tensor names to {dtype, shape, data_offsets} "
                    "(not a safetensors file, or corrupt)");
  }

  SafetensorsHeader header;
  header.data_start = 8 + header_length;
  const uint64_t data_size = size - header.data_start;
  for (const auto& item : root.items()) {
    if (item.key() == kMetadataKey) {
      header.metadata = parse_metadata(item.value(), source);
    } else {
      header.tensors.push_back(EntryParser(source, item.key(), data_size).parse(item.value()));
    }
  }
  std::sort(header.tensors.begin(), header.tensors.end(), [](const TensorEntry& a, const TensorEntry& b) {
    return std::tie(a.begin, a.end, a.name) < std::tie(b.begin, b.end, b.name);
  });
  check_no_overlap(header.tensors, source);
  return header;
}

}  // namespace tpq::io
