// vocab.json, merges.txt, added_tokens.json and tokenizer.json's BPE model: parsing with checks that
// name the file (and line) and say how to fix it, and writing them back in transformers' format.
#include "bpe_files.h"

#include <algorithm>

#include "json_fields.h"
#include "tpq/io/atomic_file.h"
#include "tpq/tokenize/unicode_classes.h"
#include "tpq/tokenize/utf8.h"

namespace tpq::tokenize {

using nlohmann::json;

std::vector<std::string> tokens_from_vocab_object(const json& vocab, const std::string& where) {
  require(vocab.is_object() && !vocab.empty(),
          where + ": expected a non-empty JSON object {token: id} — give the tokenizer's vocab.json");
  std::vector<std::string> tokens(vocab.size());
  std::vector<bool> filled(vocab.size(), false);
  for (const auto& [token, id] : vocab.items()) {
    const bool in_range = id.is_number_integer() && id.get<int64_t>() >= 0 && id.get<int64_t>() < static_cast<int64_t>(tokens.size());
    require(in_range && !filled[static_cast<size_t>(id.get<int64_t>())],
            where + ": the id " + id.dump() + " of " + json(token).dump() + " is not an unused integer in 0.." +
                std::to_string(tokens.size() - 1) + " — ids must be unique and run from 0 without gaps");
    filled[static_cast<size_t>(id.get<int64_t>())] = true;
    tokens[static_cast<size_t>(id.get<int64_t>())] = token;
  }
  return tokens;
}

namespace {

// The parts of one merges.txt line split on whitespace, as Python's str.split() (no argument) does.
std::vector<std::string> split_on_python_space(std::string_view line) {
  std::u32string code_points;
  decode_utf8(line, code_points);
  std::vector<std::string> parts;
  bool in_part = false;
  for (const char32_t c : code_points) {
    if (is_python_space(c)) {
      in_part = false;
      continue;
    }
    if (!in_part) parts.emplace_back();
    in_part = true;
    append_utf8(c, parts.back());
  }
  return parts;
}

std::vector<BpeMerge> parse_merges_txt(const std::string& text, const std::filesystem::path& path) {
  std::vector<BpeMerge> merges;
  size_t line_start = 0;
  for (size_t line_number = 1; line_start < text.size(); ++line_number) {
    size_t line_end = text.find('\n', line_start);
    if (line_end == std::string::npos) line_end = text.size();
    const std::string_view line(text.data() + line_start, line_end - line_start);
    line_start = line_end + 1;
    if (line_number == 1 && line.rfind("#version", 0) == 0) continue;  // "#version: 0.2" header
    const std::string where = path.string() + ":" + std::to_string(line_number);
    require(is_valid_utf8(line), where + ": not valid UTF-8 — merges.txt must be UTF-8 text (re-export the tokenizer)");
    const auto parts = split_on_python_space(line);
    if (parts.empty()) continue;  // blank lines (the slow tokenizer ignores them too)
    require(parts.size() == 2, where + ": expected two tokens separated by a space, found " + std::to_string(parts.size()) +
                                   " — merges.txt holds '#version: 0.2' then one 'left right' pair per line");
    merges.emplace_back(parts[0], parts[1]);
  }
  return merges;
}

// added_tokens.json: {token: id}, ids consecutive after the vocabulary (transformers checks the same).
void append_added_tokens(const std::filesystem::path& path, std::vector<std::string>& tokens) {
  const json added = read_json(path);
  require(added.is_object(), path.string() + ": expected a JSON object {token: id}");
  std::vector<std::pair<int64_t, std::string>> by_id;
  for (const auto& [token, id] : added.items()) {
    require(id.is_number_integer(), path.string() + ": the id of " + json(token).dump() + " must be an integer");
    by_id.emplace_back(id.get<int64_t>(), token);
  }
  std::sort(by_id.begin(), by_id.end());
  for (const auto& [id, token] : by_id) {
    require(id == static_cast<int64_t>(tokens.size()),
            path.string() + ": added token " + json(token).dump() + " has id " + std::to_string(id) + " but the next free id is " +
                std::to_string(tokens.size()) + " — added tokens must follow vocab.json's ids without gaps");
    tokens.push_back(token);
  }
}

}  // namespace

BpeVocabulary read_vocab_and_merges(const std::filesystem::path& dir) {
  BpeVocabulary vocabulary;
  const auto vocab_path = dir / "vocab.json";
  vocabulary.tokens = tokens_from_vocab_object(read_json(vocab_path), vocab_path.string());
  vocabulary.model_vocab_size = vocabulary.tokens.size();
  const auto merges_path = dir / "merges.txt";
  vocabulary.merges = parse_merges_txt(io::read_file(merges_path), merges_path);
  if (std::filesystem::exists(dir / "added_tokens.json")) append_added_tokens(dir / "added_tokens.json", vocabulary.tokens);
  return vocabulary;
}

void write_vocab_and_merges(const std::filesystem::path& dir, const std::vector<std::string>& tokens,
                            size_t model_vocab_size, const std::vector<BpeMerge>& merges) {
  json vocab = json::object();
  for (size_t id = 0; id < model_vocab_size; ++id) vocab[tokens[id]] = id;
  io::write_file_atomic(dir / "vocab.json", vocab.dump(2) + "\n");
  std::string text = "#version: 0.2\n";
  for (const auto& [left, right] : merges) text += left + " " + right + "\n";
  io::write_file_atomic(dir / "merges.txt", text);
  std::filesystem::remove(dir / "added_tokens.json");
  if (tokens.size() > model_vocab_size) {
    json added = json::object();
    for (size_t id = model_vocab_size; id < tokens.size(); ++id) added[tokens[id]] = id;
    io::write_file_atomic(dir / "added_tokens.json", added.dump(2) + "\n");
  }
}

}  // namespace tpq::tokenize
