// On-disk cache of TokenizedSplits. A file is keyed by (dataset fingerprint, split, examples'
// content hash, tokenizer identity, max_length, truncation), has a magic+version header and a checksum, is
// written atomically, and a corrupt or mismatching file is logged and rebuilt, never trusted.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "tpq/data/example.h"
#include "tpq/data/tokenized_split.h"
#include "tpq/tokenize/tokenizer.h"

namespace tpq::data {

struct TokenCacheOptions {
  std::filesystem::path cache_dir = "data/cache";  // empty = no caching
  std::string dataset_fingerprint;  // e.g. to_json(spec).dump(): what the examples came from
  std::string tokenizer_identity;   // e.g. kind() + ":" + vocab hash; caching needs it non-empty
  int threads = 2;
};

// Hash of every key component, hex; also the cache file's name stem.
std::string token_cache_key(const Dataset& split, const std::string& split_name, int64_t max_length,
                            const TokenCacheOptions& options, const tokenize::Truncation& cut = {});

// The cached tokenization if a valid file for this key exists; else tokenizes and writes the cache.
TokenizedSplit tokenize_split_cached(const Dataset& split, const std::string& split_name,
                                     const tokenize::Tokenizer& tokenizer, int64_t max_length,
                                     const TokenCacheOptions& options, const tokenize::Truncation& cut = {});

// Low level, exposed for tests and tools. read returns nullopt (after spdlog::warn) for a missing,
// truncated, corrupt or other-key file.
std::string serialize_tokenized_split(const TokenizedSplit& split, const std::string& key);
std::optional<TokenizedSplit> read_token_cache(const std::filesystem::path& file, const std::string& key);
void write_token_cache(const std::filesystem::path& file, const TokenizedSplit& split, const std::string& key);

}  // namespace tpq::data
