// Typed access to the fields of HF tokenizer JSON files (tokenizer.json, tokenizer_config.json,
// special_tokens_map.json) with one-line UserErrors naming the file and the key.
#pragma once

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "tpq/core/error.h"

namespace tpq::tokenize {

// The parsed file; UserError naming it when it cannot be opened or is not JSON.
inline nlohmann::json read_json(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  require(static_cast<bool>(in), path.string() + ": cannot open — check the file exists and is readable");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& error) {
    throw UserError(path.string() + ": not valid JSON (" + error.what() + ") — re-export the tokenizer files");
  }
}

// object["type"] for checks and messages: `fallback` when absent (or not an object), its JSON text
// when not a string — json::value() would throw type_error on either instead of a UserError.
inline std::string type_text(const nlohmann::json& object, const std::string& fallback) {
  if (!object.is_object() || !object.contains("type")) return fallback;
  const nlohmann::json& type = object["type"];
  return type.is_string() ? type.get<std::string>() : type.dump();
}

// Special tokens appear as "[CLS]" or as {"content": "[CLS]", ...}.
inline std::optional<std::string> token_text(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_object() && value.contains("content") && value["content"].is_string()) {
    return value["content"].get<std::string>();
  }
  return std::nullopt;
}

template <typename T>
T get_typed(const nlohmann::json& object, const char* key, const std::filesystem::path& path, const char* expected) {
  try {
    return object.at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw UserError(path.string() + ": key '" + key + "' must be " + expected);
  }
}

}  // namespace tpq::tokenize
