// A token <-> id table (ids dense from 0) with a hash index for fast WordPiece lookups, read from
// vocab.txt (line number = id) or built from a token list; rejects duplicates and empty tables.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tpq::tokenize {

class Vocab {
 public:
  static constexpr int64_t kNotFound = -1;

  // How error messages locate an entry: by id, or by 1-based line (vocab.txt: line = id + 1).
  enum class Positions { kIds, kLines };

  // tokens[id] is the token of id. `source` names where they came from, for error messages.
  // Throws UserError on an empty list or a duplicate token.
  Vocab(std::vector<std::string> tokens, const std::string& source, Positions positions = Positions::kIds);

  // One token per line, id = 0-based line number; only the trailing "\n" / "\r\n" is stripped.
  // UserError naming the file (and both line numbers for a duplicate).
  static Vocab from_vocab_txt(const std::filesystem::path& path);

  // The index holds views into tokens_, so copies would dangle; moving keeps the strings in place.
  Vocab(Vocab&&) = default;
  Vocab& operator=(Vocab&&) = default;
  Vocab(const Vocab&) = delete;
  Vocab& operator=(const Vocab&) = delete;

  int64_t find(std::string_view token) const {
    const auto it = index_.find(token);
    return it == index_.end() ? kNotFound : it->second;
  }
  bool contains(std::string_view token) const { return index_.count(token) != 0; }
  const std::string& token(int64_t id) const { return tokens_.at(static_cast<size_t>(id)); }
  const std::vector<std::string>& tokens() const { return tokens_; }
  int64_t size() const { return static_cast<int64_t>(tokens_.size()); }
  // Length in bytes of the longest token: WordPiece never tries longer candidates.
  size_t longest_token_bytes() const { return longest_token_bytes_; }

  // Writes vocab.txt (one token per line, in id order).
  void write_vocab_txt(const std::filesystem::path& path) const;

 private:
  std::vector<std::string> tokens_;
  std::unordered_map<std::string_view, int64_t> index_;
  size_t longest_token_bytes_ = 0;
};

}  // namespace tpq::tokenize
