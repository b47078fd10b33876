// Binary token cache (see token_cache.h). Layout, all little-endian: magic "TPQTOKC\n", u32 version,
// u32 endian tag, key (u32 length + bytes), u64 count, u64 tokens, i64 max_length, i64 pad_id,
// u64 offsets[count+1], i32 ids[tokens], i32 types[tokens], i64 labels[count], u64 checksum.
#include "tpq/data/token_cache.h"

#include <cctype>
#include <cstring>
#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>

#include "tpq/core/hash.h"
#include "tpq/core/error.h"
#include "tpq/io/atomic_file.h"

namespace tpq::data {
namespace {

constexpr char kMagic[8] = {'T', 'P', 'Q', 'T', 'O', 'K', 'C', '\n'};
constexpr uint32_t kVersion = 1;
constexpr uint32_t kEndianTag = 0x01020304;  // read back differently on a big-endian host -> rebuilt

template <typename T>
void put(std::string& out, const T& value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof(T));
}
template <typename T>
void put_array(std::string& out, const std::vector<T>& values) {
  out.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}

// Bounds-checked reader over the file bytes; any overrun marks the file invalid.
class Cursor {
 public:
  explicit Cursor(const std::string& bytes) : bytes_(bytes) {}
  template <typename T>
  bool get(T& value) {
    if (bytes_.size() - at_ < sizeof(T)) return false;
    std::memcpy(&value, bytes_.data() + at_, sizeof(T));
    at_ += sizeof(T);
    return true;
  }
  template <typename T>
  bool get_array(std::vector<T>& values, uint64_t count) {
    if (count > (bytes_.size() - at_) / sizeof(T)) return false;
    values.resize(count);
    std::memcpy(values.data(), bytes_.data() + at_, count * sizeof(T));
    at_ += count * sizeof(T);
    return true;
  }
  bool get_text(std::string& value, uint32_t length) {
    if (bytes_.size() - at_ < length) return false;
    value.assign(bytes_.data() + at_, length);
    at_ += length;
    return true;
  }
  std::size_t position() const { return at_; }

 private:
  const std::string& bytes_;
  std::size_t at_ = 0;
};

std::string safe_file_stem(const std::string& name) {
  std::string stem;
  for (char c : name) stem.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_');
  return stem.empty() ? "dataset" : stem;
}

// Why the bytes are not a valid cache for key, or empty if they are; fills split when valid.
std::string parse_cache(const std::string& bytes, const std::string& key, TokenizedSplit& split) {
  Cursor cursor(bytes);
  char magic[8];
  uint32_t version = 0, endian = 0, key_length = 0;
  std::string stored_key;
  if (!cursor.get(magic) || std::memcmp(magic, kMagic, sizeof magic) != 0) return "not a tpq token cache";
  if (!cursor.get(version) || version != kVersion) return "version " + std::to_string(version) + " != " + std::to_string(kVersion);
  if (!cursor.get(endian) || endian != kEndianTag) return "written on a host with another byte order";
  if (!cursor.get(key_length) || !cursor.get_text(stored_key, key_length)) return "truncated header";
  if (stored_key != key) return "key " + stored_key + " does not match " + key;
  uint64_t count = 0, tokens = 0;
  if (!cursor.get(count) || !cursor.get(tokens) || !cursor.get(split.max_length) || !cursor.get(split.pad_id)) {
    return "truncated header";
  }
  if (count == UINT64_MAX || !cursor.get_array(split.offsets, count + 1) || !cursor.get_array(split.input_ids, tokens) ||
      !cursor.get_array(split.token_type_ids, tokens) || !cursor.get_array(split.labels, count)) {
    return "truncated body";
  }
  const std::size_t checked_size = cursor.position();
  uint64_t stored_checksum = 0;
  if (!cursor.get(stored_checksum) || cursor.position() != bytes.size()) return "wrong file size";
  if (Hasher().bytes(bytes.data(), checked_size).digest() != stored_checksum) return "checksum mismatch";
  if (split.offsets.front() != 0 || split.offsets.back() != tokens) return "inconsistent offsets";
  for (std::size_t i = 0; i < count; ++i) {
    if (split.offsets[i + 1] < split.offsets[i] || static_cast<int64_t>(split.length(i)) > split.max_length) {
      return "inconsistent offsets";
    }
  }
  return "";
}

}  // namespace

std::string token_cache_key(const Dataset& split, const std::string& split_name, int64_t max_length,
                            const TokenCacheOptions& options, const tokenize::Truncation& cut) {
  return Hasher()
      .text("tpq-token-cache")
      .text(split.name)
      .text(options.dataset_fingerprint)
      .text(split_name)
      .text(examples_content_hash(split))
      .text(options.tokenizer_identity)
      .number(static_cast<uint64_t>(max_length))
      .text(cut.name())
      .number(static_cast<uint64_t>(cut.keep == tokenize::Truncation::Keep::kHeadTail ? cut.head_tokens : 0))
      .hex();
}

std::string serialize_tokenized_split(const TokenizedSplit& split, const std::string& key) {
  std::string out;
  out.reserve(64 + key.size() + split.offsets.size() * 8 + split.input_ids.size() * 8 + split.labels.size() * 8);
  out.append(kMagic, sizeof kMagic);
  put(out, kVersion);
  put(out, kEndianTag);
  put(out, static_cast<uint32_t>(key.size()));
  out += key;
  put(out, static_cast<uint64_t>(split.size()));
  put(out, static_cast<uint64_t>(split.input_ids.size()));
  put(out, split.max_length);
  put(out, split.pad_id);
  put_array(out, split.offsets);
  put_array(out, split.input_ids);
  put_array(out, split.token_type_ids);
  put_array(out, split.labels);
  put(out, Hasher().bytes(out.data(), out.size()).digest());
  return out;
}

std::optional<TokenizedSplit> read_token_cache(const std::filesystem::path& file, const std::string& key) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string bytes = std::move(buffer).str();
  TokenizedSplit split;
  const std::string problem = parse_cache(bytes, key, split);
  if (!problem.empty()) {
    spdlog::warn("token cache {} is invalid ({}); rebuilding it", file.string(), problem);
    return std::nullopt;
  }
  return split;
}

void write_token_cache(const std::filesystem::path& file, const TokenizedSplit& split, const std::string& key) {
  std::error_code error;
  std::filesystem::create_directories(file.parent_path(), error);
  require(!error, file.parent_path().string() + ": cannot create the token cache directory (" + error.message() + ")");
  io::write_file_atomic(file, serialize_tokenized_split(split, key));
}

TokenizedSplit tokenize_split_cached(const Dataset& split, const std::string& split_name,
                                     const tokenize::Tokenizer& tokenizer, int64_t max_length,
                                     const TokenCacheOptions& options, const tokenize::Truncation& cut) {
  if (options.cache_dir.empty() || options.tokenizer_identity.empty()) {
    if (!options.cache_dir.empty()) spdlog::info("token cache off: no tokenizer identity given");
    return tokenize_split(split, tokenizer, max_length, options.threads, cut);
  }
  const std::string key = token_cache_key(split, split_name, max_length, options, cut);
  const auto file = options.cache_dir / (safe_file_stem(split.name) + "-" + safe_file_stem(split_name) + "-" + key + ".tpqtok");
  if (std::filesystem::exists(file)) {
    if (auto cached = read_token_cache(file, key)) {
      spdlog::debug("token cache hit: {}", file.string());
      return std::move(*cached);
    }
  }
  TokenizedSplit tokenized = tokenize_split(split, tokenizer, max_length, options.threads, cut);
  try {
    write_token_cache(file, tokenized, key);
  } catch (const std::exception& error) {  // the cache only saves time; never fail a run over it
    spdlog::warn("could not write token cache {}: {}", file.string(), error.what());
  }
  return tokenized;
}

}  // namespace tpq::data
