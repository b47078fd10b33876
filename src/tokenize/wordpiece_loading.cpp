// Loading WordPiece tokenizers from vocab.txt or tokenizer.json (+ tokenizer_config.json), and
// saving them back so that load_tokenizer() restores the same behaviour.
#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "json_fields.h"
#include "tpq/core/error.h"
#include "tpq/tokenize/wordpiece_tokenizer.h"

namespace tpq::tokenize {
namespace {

using nlohmann::json;

// Applies the keys of tokenizer_config.json that are present; absent keys keep `config` as is.
void apply_tokenizer_config(const std::filesystem::path& dir, WordPieceConfig& config) {
  const auto path = dir / "tokenizer_config.json";
  if (!std::filesystem::exists(path)) return;
  const json settings = read_json(path);
  require(settings.is_object(), path.string() + ": expected a JSON object");
  if (settings.contains("do_lower_case")) {
    config.normalizer.lowercase = get_typed<bool>(settings, "do_lower_case", path, "true or false");
  }
  if (settings.contains("strip_accents")) {
    const json& value = settings["strip_accents"];
    require(value.is_null() || value.is_boolean(), path.string() + ": key 'strip_accents' must be null, true or false");
    config.normalizer.strip_accents = value.is_null() ? std::nullopt : std::optional<bool>(value.get<bool>());
  }
  if (settings.contains("clean_text")) {  // not an HF key; tpq writes it when saving
    config.normalizer.clean_text = get_typed<bool>(settings, "clean_text", path, "true or false");
  }
  if (settings.contains("tokenize_chinese_chars")) {
    config.normalizer.handle_chinese_chars =
        get_typed<bool>(settings, "tokenize_chinese_chars", path, "true or false");
  }
  const std::pair<const char*, std::string*> named_tokens[] = {
      {"unk_token", &config.unk_token}, {"cls_token", &config.cls_token}, {"sep_token", &config.sep_token},
      {"pad_token", &config.pad_token}, {"mask_token", &config.mask_token}};
  for (const auto& [key, target] : named_tokens) {
    if (!settings.contains(key)) continue;
    const auto text = token_text(settings[key]);
    require(text.has_value(), path.string() + ": key '" + key + "' must be a string or {\"content\": ...}");
    *target = *text;
  }
  if (settings.contains("tokenizer_class") && settings["tokenizer_class"].is_string()) {
    config.tokenizer_class = settings["tokenizer_class"].get<std::string>();
  }
  if (settings.contains("additional_special_tokens") && settings["additional_special_tokens"].is_array()) {
    for (const auto& value : settings["additional_special_tokens"]) {
      if (const auto text = token_text(value)) config.additional_special_tokens.push_back(*text);
    }
  }
}

void apply_normalizer_section(const json& normalizer, const std::filesystem::path& path, WordPieceConfig& config) {
  if (normalizer.is_null()) {  // no normaliser at all: text goes to the pre-tokenizer as is
    config.normalizer = BertNormalizerOptions{false, false, false, false};
    return;
  }
  const std::string type = type_text(normalizer, "?");
  require(type == "BertNormalizer",
          path.string() + ": normalizer type '" + type +
              "' is not supported — tpq reads BERT tokenizers (normalizer.type BertNormalizer)");
  auto flag = [&](const char* key, bool fallback) {
    if (!normalizer.contains(key)) return fallback;
    return get_typed<bool>(normalizer, key, path, "true or false");
  };
  config.normalizer.clean_text = flag("clean_text", true);
  config.normalizer.handle_chinese_chars = flag("handle_chinese_chars", true);
  config.normalizer.lowercase = flag("lowercase", true);
  if (normalizer.contains("strip_accents") && !normalizer["strip_accents"].is_null()) {
    config.normalizer.strip_accents = flag("strip_accents", false);
  } else {
    config.normalizer.strip_accents = std::nullopt;
  }
}

// model.vocab (token -> id) plus added_tokens (which may extend it) as a dense id -> token list.
std::vector<std::string> vocab_tokens_from_json(const json& tokenizer, const std::filesystem::path& path,
                                                std::vector<std::string>& added_special_tokens) {
  require(tokenizer.contains("model") && tokenizer["model"].is_object() && tokenizer["model"].contains("vocab") &&
              tokenizer["model"]["vocab"].is_object(),
          path.string() + ": no model.vocab object — this is not a WordPiece tokenizer.json; "
                          "give a BERT tokenizer.json or a vocab.txt");
  const json& model = tokenizer["model"];
  const std::string type = type_text(model, "WordPiece");
  require(type == "WordPiece",
          path.string() + ": model.type '" + type +
              "' is not supported — tpq reads WordPiece tokenizers (or sentencepiece.model)");
  std::vector<std::pair<int64_t, std::string>> entries;
  for (const auto& [token, id] : model["vocab"].items()) {
    require(id.is_number_integer() && id.get<int64_t>() >= 0,
            path.string() + ": model.vocab['" + token + "'] must be a non-negative integer id");
    entries.emplace_back(id.get<int64_t>(), token);
  }
  if (tokenizer.contains("added_tokens") && tokenizer["added_tokens"].is_array()) {
    for (const auto& added : tokenizer["added_tokens"]) {
      const auto content = token_text(added);
      if (!content || !added.contains("id") || !added["id"].is_number_integer()) continue;
      // Tokens already in model.vocab keep their id; new ones extend the table.
      if (!model["vocab"].contains(*content)) entries.emplace_back(added["id"].get<int64_t>(), *content);
      added_special_tokens.push_back(*content);
    }
  }
  require(!entries.empty(), path.string() + ": model.vocab is empty — give a non-empty vocabulary");
  std::vector<std::string> tokens(entries.size());
  std::vector<bool> filled(entries.size(), false);
  for (auto& [id, token] : entries) {
    require(id >= 0 && id < static_cast<int64_t>(tokens.size()) && !filled[static_cast<size_t>(id)],
            path.string() + ": model.vocab ids must be unique and run 0.." + std::to_string(tokens.size() - 1) +
                " (id " + std::to_string(id) + " of '" + token + "' is out of range or repeated)");
    filled[static_cast<size_t>(id)] = true;
    tokens[static_cast<size_t>(id)] = std::move(token);
  }
  return tokens;
}

}  // namespace

std::unique_ptr<WordPieceTokenizer> WordPieceTokenizer::from_vocab_txt(const std::filesystem::path& dir) {
  WordPieceConfig config;
  apply_tokenizer_config(dir, config);
  const auto path = dir / "vocab.txt";
  return std::make_unique<WordPieceTokenizer>(Vocab::from_vocab_txt(path), std::move(config), path.string());
}

std::unique_ptr<WordPieceTokenizer> WordPieceTokenizer::from_tokenizer_json(const std::filesystem::path& dir) {
  const auto path = dir / "tokenizer.json";
  const json tokenizer = read_json(path);
  require(tokenizer.is_object(), path.string() + ": expected a JSON object");
  WordPieceConfig config;
  std::vector<std::string> added_tokens;
  auto tokens = vocab_tokens_from_json(tokenizer, path, added_tokens);
  const json& model = tokenizer["model"];
  if (model.contains("unk_token") && model["unk_token"].is_string()) config.unk_token = model["unk_token"];
  if (model.contains("continuing_subword_prefix") && model["continuing_subword_prefix"].is_string()) {
    config.continuing_subword_prefix = model["continuing_subword_prefix"];
  }
  if (model.contains("max_input_chars_per_word") && model["max_input_chars_per_word"].is_number_integer()) {
    config.max_input_chars_per_word = model["max_input_chars_per_word"];
  }
  apply_normalizer_section(tokenizer.contains("normalizer") ? tokenizer["normalizer"] : json(), path, config);
  apply_tokenizer_config(dir, config);
  config.additional_special_tokens.insert(config.additional_special_tokens.end(), added_tokens.begin(),
                                          added_tokens.end());
  return std::make_unique<WordPieceTokenizer>(Vocab(std::move(tokens), path.string()), std::move(config),
                                              path.string());
}

void WordPieceTokenizer::save(const std::filesystem::path& dir) const {
  std::filesystem::create_directories(dir);
  vocab_.write_vocab_txt(dir / "vocab.txt");

  // Merge into an existing tokenizer_config.json so other keys (model_max_length, ...) survive.
  const auto config_path = dir / "tokenizer_config.json";
  json settings = std::filesystem::exists(config_path) ? read_json(config_path) : json::object();
  require(settings.is_object(), config_path.string() + ": expected a JSON object");
  settings["do_lower_case"] = config_.normalizer.lowercase;
  settings["strip_accents"] =
      config_.normalizer.strip_accents ? json(*config_.normalizer.strip_accents) : json(nullptr);
  settings["tokenize_chinese_chars"] = config_.normalizer.handle_chinese_chars;
  if (!config_.normalizer.clean_text) settings["clean_text"] = false;
  settings["unk_token"] = config_.unk_token;
  settings["cls_token"] = config_.cls_token;
  settings["sep_token"] = config_.sep_token;
  settings["pad_token"] = config_.pad_token;
  settings["mask_token"] = config_.mask_token;
  std::vector<std::string> extra;
  for (const auto& token : config_.additional_special_tokens) {
    const bool standard = token == config_.unk_token || token == config_.cls_token || token == config_.sep_token ||
                          token == config_.pad_token || token == config_.mask_token;
    if (!standard) extra.push_back(token);
  }
  if (!extra.empty()) settings["additional_special_tokens"] = extra;
  if (!config_.tokenizer_class.empty()) settings["tokenizer_class"] = config_.tokenizer_class;
  // Write beside, then rename: a crash never leaves a half-written config.
  const auto temporary = config_path.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    require(static_cast<bool>(out), temporary + ": cannot write — check the directory is writable");
    out << settings.dump(2) << '\n';
    require(static_cast<bool>(out.flush()), temporary + ": write failed (disk full?)");
  }
  std::filesystem::rename(temporary, config_path);
}

}  // namespace tpq::tokenize
