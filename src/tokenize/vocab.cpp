// Vocab: loading vocab.txt, duplicate detection with positions, and writing it back.
#include "tpq/tokenize/vocab.h"

#include <fstream>

#include "tpq/core/error.h"

namespace tpq::tokenize {

Vocab::Vocab(std::vector<std::string> tokens, const std::string& source, Positions positions)
    : tokens_(std::move(tokens)) {
  require(!tokens_.empty(), source + ": the vocabulary is empty — give a non-empty vocab (one token per line)");
  index_.reserve(tokens_.size() * 2);
  for (size_t id = 0; id < tokens_.size(); ++id) {
    const auto [it, inserted] = index_.emplace(std::string_view(tokens_[id]), static_cast<int64_t>(id));
    if (!inserted) {
      const bool lines = positions == Positions::kLines;
      const auto first = static_cast<size_t>(it->second) + (lines ? 1 : 0);
      const auto second = id + (lines ? 1 : 0);
      throw UserError(source + ": duplicate token '" + tokens_[id] + "' at " + (lines ? "lines " : "ids ") +
                      std::to_string(first) + " and " + std::to_string(second) +
                      " — every token must be unique; remove one of them");
    }
    longest_token_bytes_ = std::max(longest_token_bytes_, tokens_[id].size());
  }
}

Vocab Vocab::from_vocab_txt(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  require(static_cast<bool>(in), path.string() + ": cannot open vocab file — check the path (a BERT vocab.txt, one token per line)");
  std::vector<std::string> tokens;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    tokens.push_back(std::move(line));
    line.clear();
  }
  return Vocab(std::move(tokens), path.string(), Positions::kLines);
}

void Vocab::write_vocab_txt(const std::filesystem::path& path) const {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  require(static_cast<bool>(out), path.string() + ": cannot write vocab file — check the directory exists and is writable");
  for (const auto& token : tokens_) {
    require(token.find('\n') == std::string::npos,
            path.string() + ": token '" + token + "' contains a newline and cannot be written to vocab.txt");
    out << token << '\n';
  }
  out.flush();
  require(static_cast<bool>(out), path.string() + ": write failed (disk full?)");
}

}  // namespace tpq::tokenize
