// tokenizer_config.json and special_tokens_map.json for byte-level BPE, read with transformers 4.31's
// rules: a token given as a plain string in tokenizer_config.json becomes RobertaTokenizer's AddedToken
// (only <mask> eats the space on its left), while special_tokens_map.json, read later, overrides it —
// there a plain string stays plain and the slow tokenizer strips whitespace on both of its sides.
#include <array>

#include "bpe_files.h"
#include "json_fields.h"
#include "tpq/io/atomic_file.h"

namespace tpq::tokenize {
namespace {

using nlohmann::json;

struct NamedToken {
  const char* key;
  BpeAddedToken BpeConfig::*member;
};

constexpr std::array<NamedToken, 7> kNamedTokens = {{{"bos_token", &BpeConfig::bos},
                                                      {"eos_token", &BpeConfig::eos},
                                                      {"unk_token", &BpeConfig::unk},
                                                      {"sep_token", &BpeConfig::sep},
                                                      {"pad_token", &BpeConfig::pad},
                                                      {"cls_token", &BpeConfig::cls},
                                                      {"mask_token", &BpeConfig::mask}}};

// The tokenizer classes whose slow tokenizer is RobertaTokenizer's algorithm and layout.
bool is_roberta_family(const std::string& name) {
  for (const char* family : {"Roberta", "Bart", "Longformer"}) {
    if (name == std::string(family) + "Tokenizer" || name == std::string(family) + "TokenizerFast") return true;
  }
  return false;
}

// A token from a JSON value: an object is an AddedToken; a string is `plain` or, in
// tokenizer_config.json's named keys, wrapped into an AddedToken with RobertaTokenizer's flags.
BpeAddedToken parse_token(const json& value, const std::string& where, bool plain_strings, bool lstrip_if_wrapped) {
  BpeAddedToken token;
  if (value.is_string()) {
    token.content = value.get<std::string>();
    token.plain = plain_strings;
    token.lstrip = !plain_strings && lstrip_if_wrapped;
    return token;
  }
  const auto content = token_text(value);
  require(content.has_value(), where + " must be a string or {\"content\": \"...\", ...}");
  token.content = *content;
  auto flag = [&](const char* key, bool fallback) {
    if (!value.contains(key)) return fallback;
    require(value[key].is_boolean(), where + "." + key + " must be true or false");
    return value[key].get<bool>();
  };
  token.lstrip = flag("lstrip", false);
  token.rstrip = flag("rstrip", false);
  token.single_word = flag("single_word", false);
  token.normalized = flag("normalized", true);
  return token;
}

void apply_tokens(const json& settings, const std::filesystem::path& path, bool plain_strings, BpeConfig& config) {
  for (const auto& [key, member] : kNamedTokens) {
    if (!settings.contains(key)) continue;
    config.*member = parse_token(settings[key], path.string() + ": key '" + key + "'", plain_strings,
                                 std::string(key) == "mask_token");
  }
  if (!settings.contains("additional_special_tokens")) return;
  const json& list = settings["additional_special_tokens"];
  require(list.is_array(), path.string() + ": key 'additional_special_tokens' must be a list of tokens");
  config.additional_special_tokens.clear();
  for (const auto& value : list) {
    config.additional_special_tokens.push_back(
        parse_token(value, path.string() + ": an entry of 'additional_special_tokens'", true, false));
  }
}

void apply_tokenizer_config(const std::filesystem::path& path, BpeConfig& config) {
  const json settings = read_json(path);
  require(settings.is_object(), path.string() + ": expected a JSON object");
  if (settings.contains("add_prefix_space")) {
    config.add_prefix_space = get_typed<bool>(settings, "add_prefix_space", path, "true or false");
  }
  if (settings.contains("trim_offsets")) config.trim_offsets = get_typed<bool>(settings, "trim_offsets", path, "true or false");
  if (settings.contains("model_max_length")) {
    const json& value = settings["model_max_length"];
    require(value.is_number() && value.get<double>() > 0,
            path.string() + ": key 'model_max_length' must be a positive number");
    // transformers writes int(1e30) for "no limit"; nlohmann reads such numbers as doubles.
    config.model_max_length = value.is_number_integer() && value.get<double>() < 1e18
                                  ? std::optional<int64_t>(value.get<int64_t>())
                                  : std::nullopt;
  }
  if (settings.contains("tokenizer_class")) {
    config.tokenizer_class = get_typed<std::string>(settings, "tokenizer_class", path, "a string");
    require(is_roberta_family(config.tokenizer_class),
            path.string() + ": tokenizer_class '" + config.tokenizer_class + "' is not supported — tpq's byte-level BPE " +
                "follows RobertaTokenizer (<s> A </s></s> B </s>); Roberta/Bart/Longformer tokenizers qualify");
  }
  apply_tokens(settings, path, /*plain_strings=*/false, config);
}

void apply_special_tokens_map(const std::filesystem::path& path, BpeConfig& config) {
  const json settings = read_json(path);
  require(settings.is_object(), path.string() + ": expected a JSON object");
  apply_tokens(settings, path, /*plain_strings=*/true, config);
}

json token_json(const BpeAddedToken& token, bool with_type_tag) {
  if (token.plain) return token.content;
  json value = {{"content", token.content},     {"lstrip", token.lstrip},          {"rstrip", token.rstrip},
                {"normalized", token.normalized}, {"single_word", token.single_word}};
  if (with_type_tag) value["__type"] = "AddedToken";
  return value;
}

// The named and additional tokens as tokenizer_config.json (tagged) or special_tokens_map.json writes them.
void put_tokens(const BpeConfig& config, bool with_type_tag, json& settings) {
  for (const auto& [key, member] : kNamedTokens) settings[key] = token_json(config.*member, with_type_tag);
  settings.erase("additional_special_tokens");
  if (config.additional_special_tokens.empty()) return;
  json list = json::array();
  for (const auto& token : config.additional_special_tokens) list.push_back(token_json(token, with_type_tag));
  settings["additional_special_tokens"] = list;
}

}  // namespace

void apply_bpe_config_files(const std::filesystem::path& dir, BpeConfig& config) {
  if (std::filesystem::exists(dir / "tokenizer_config.json")) apply_tokenizer_config(dir / "tokenizer_config.json", config);
  if (std::filesystem::exists(dir / "special_tokens_map.json")) {
    apply_special_tokens_map(dir / "special_tokens_map.json", config);
  }
}

void write_bpe_config_files(const std::filesystem::path& dir, const BpeConfig& config) {
  const auto config_path = dir / "tokenizer_config.json";
  json settings = std::filesystem::exists(config_path) ? read_json(config_path) : json::object();
  require(settings.is_object(), config_path.string() + ": expected a JSON object");
  settings["tokenizer_class"] = config.tokenizer_class;
  settings["add_prefix_space"] = config.add_prefix_space;
  settings["trim_offsets"] = config.trim_offsets;
  settings["errors"] = "replace";
  if (config.model_max_length) settings["model_max_length"] = *config.model_max_length;
  put_tokens(config, /*with_type_tag=*/true, settings);
  io::write_json_atomic(config_path, settings);

  json map = json::object();
  put_tokens(config, /*with_type_tag=*/false, map);
  io::write_json_atomic(dir / "special_tokens_map.json", map);
}

}  // namespace tpq::tokenize
