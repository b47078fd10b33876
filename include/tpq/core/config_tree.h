// Layered configuration: YAML profile -> --config file -> command-line overrides, as one JSON tree
// that remembers where each value came from ("configs/profiles/quick.yaml:12", "--epochs").
// Sections are read with ConfigSection, which rejects unknown keys (suggesting the closest) and wrong types.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tpq {

class ConfigTree {
 public:
  // Parses YAML (any nesting of maps, lists, scalars); UserError with file:line on syntax errors.
  static ConfigTree from_yaml_file(const std::filesystem::path& path);
  static ConfigTree from_yaml_string(const std::string& text, const std::string& source);

  // Values in `other` replace ours key by key (maps merge recursively, everything else replaces).
  void merge(const ConfigTree& other);
  // Sets a dotted key ("training.epochs") from a command-line value; origin names the flag.
  void set(const std::string& dotted_key, const nlohmann::json& value, const std::string& origin);
  // The value at a dotted key ("pruning.unstructured.method"), or nullptr if absent.
  const nlohmann::json* find(const std::string& dotted_key) const;
  // Removes a dotted key (and a section left empty by it); the value it had, or null if absent.
  nlohmann::json take(const std::string& dotted_key);

  const nlohmann::json& json() const { return json_; }
  // Where a dotted key's value came from, or "default".
  std::string origin(const std::string& dotted_key) const;

 private:
  nlohmann::json json_ = nlohmann::json::object();
  std::map<std::string, std::string> origins_;
};

// Reads the keys of one section ("training") with type checks; finish() rejects keys never read.
class ConfigSection {
 public:
  ConfigSection(const ConfigTree& tree, std::string section);

  bool has(const std::string& key) const;
  int64_t get_int(const std::string& key, int64_t fallback);
  double get_double(const std::string& key, double fallback);
  bool get_bool(const std::string& key, bool fallback);
  std::string get_string(const std::string& key, const std::string& fallback);
  std::vector<double> get_doubles(const std::string& key, const std::vector<double>& fallback);
  std::vector<int64_t> get_ints(const std::string& key, const std::vector<int64_t>& fallback);
  std::vector<std::string> get_strings(const std::string& key, const std::vector<std::string>& fallback);

  // Marks keys as known without reading them (another experiment sharing the section reads them).
  void accept(const std::vector<std::string>& keys);

  // UserError for any key present but never asked for, with the closest known key as a hint.
  void finish() const;

 private:
  const nlohmann::json* lookup(const std::string& key);
  std::string where(const std::string& key) const;

  const ConfigTree& tree_;
  std::string section_;
  const nlohmann::json* node_ = nullptr;
  std::set<std::string> read_keys_;
};

// A scalar written as text (YAML value or command-line flag) typed the way a user means it:
// integer, then float, then true/false, then null (~, empty), else the string itself.
nlohmann::json typed_scalar(const std::string& text);

// Levenshtein-closest candidate, for "did you mean" hints; empty if nothing is close.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace tpq
