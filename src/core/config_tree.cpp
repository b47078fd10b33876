#include "tpq/core/config_tree.h"

#include <algorithm>
#include <fstream>
#include <iterator>

#include <yaml-cpp/yaml.h>

#include "tpq/core/error.h"

namespace tpq {
namespace {

using nlohmann::json;

// A value for an error message. YAML (unlike JSON) lets invalid UTF-8 into strings, where a plain
// dump() would throw instead of reporting the user's mistake.
std::string shown(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

// YAML scalars carry no type; a quoted one is always a string.
json scalar_to_json(const YAML::Node& node) {
  if (node.Tag() == "!") return node.Scalar();
  return typed_scalar(node.Scalar());
}

// An alias can refer to its own anchor ("base: &b {<<: *b}") or fan out exponentially (each level
// repeating the previous alias), so the YAML tree is a graph. No real config comes close to these caps;
// past them the walk stops with an error instead of recursing forever or exhausting memory.
constexpr int kMaxYamlDepth = 64;
constexpr std::size_t kMaxYamlNodes = 100000;

struct YamlWalk {
  const std::string& source;
  std::map<std::string, std::string>& origins;
  std::size_t nodes = 0;
};

json yaml_to_json(const YAML::Node& node, const std::string& prefix, int depth, YamlWalk& walk) {
  const std::string where = walk.source + ":" + std::to_string(node.Mark().line + 1);
  require(depth <= kMaxYamlDepth, where + ": nested more than " + std::to_string(kMaxYamlDepth) +
                                      " levels deep (under '" + prefix +
                                      "'); an alias inside its own anchor ('&name' ... '*name') repeats forever: "
                                      "remove the self-reference");
  require(++walk.nodes <= kMaxYamlNodes, where + ": the config expands to more than " +
                                             std::to_string(kMaxYamlNodes) +
                                             " values (aliases '*name' repeating each other?); write it out plainly");
  walk.origins[prefix] = where;
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      json object = json::object();
      for (const auto& item : node) {
        // A list or map used as a key ("{[a]: 1}", a stray "? ") would make as<std::string>() throw.
        require(item.first.IsScalar(), walk.source + ":" + std::to_string(item.first.Mark().line + 1) +
                                           ": a key must be a plain name, not a list, map or empty key (" +
                                           (prefix.empty() ? "at the top level" : "under '" + prefix + "'") +
                                           "; check the ':' and indentation)");
        const std::string key = item.first.Scalar();
        object[key] = yaml_to_json(item.second, prefix.empty() ? key : prefix + "." + key, depth + 1, walk);
      }
      return object;
    }
    case YAML::NodeType::Sequence: {
      json array = json::array();
      for (const auto& item : node) array.push_back(yaml_to_json(item, prefix, depth + 1, walk));
      return array;
    }
    case YAML::NodeType::Scalar:
      return scalar_to_json(node);
    default:
      return nullptr;
  }
}

void merge_json(json& base, const json& overlay) {
  for (const auto& [key, value] : overlay.items()) {
    if (value.is_object() && base.contains(key) && base[key].is_object()) {
      merge_json(base[key], value);
    } else {
      base[key] = value;
    }
  }
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> previous(b.size() + 1), current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] != b[j - 1])});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

}  // namespace

json typed_scalar(const std::string& text) {
  try {
    std::size_t used = 0;
    const long long value = std::stoll(text, &used);
    if (used == text.size()) return value;
  } catch (const std::exception&) {
  }
  try {
    std::size_t used = 0;
    const double value = std::stod(text, &used);
    if (used == text.size()) return value;
  } catch (const std::exception&) {
  }
  if (text == "true" || text == "True" || text == "yes") return true;
  if (text == "false" || text == "False" || text == "no") return false;
  if (text == "null" || text == "~" || text.empty()) return nullptr;
  return text;
}

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(3, word.size() / 3) + 1;
  for (const auto& candidate : candidates) {
    const std::size_t distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

ConfigTree ConfigTree::from_yaml_string(const std::string& text, const std::string& source) {
  ConfigTree tree;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& error) {
    throw UserError(source + ":" + std::to_string(error.mark.line + 1) + ":" + std::to_string(error.mark.column + 1) +
                    ": YAML syntax error: " + error.msg);
  }
  if (root.IsNull()) return tree;
  require(root.IsMap(), source + ": expected a mapping of sections (model:, data:, training: ...) at the top level");
  YamlWalk walk{source, tree.origins_};
  tree.json_ = yaml_to_json(root, "", 0, walk);
  return tree;
}

ConfigTree ConfigTree::from_yaml_file(const std::filesystem::path& path) {
  require(std::filesystem::is_regular_file(path), path.string() + ": config file not found");
  std::string text;
  try {
    std::ifstream in(path);
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } catch (const std::exception&) {
    throw UserError(path.string() + ": cannot read config file");
  }
  return from_yaml_string(text, path.string());
}

void ConfigTree::merge(const ConfigTree& other) {
  merge_json(json_, other.json_);
  for (const auto& [key, origin] : other.origins_) origins_[key] = origin;
}

void ConfigTree::set(const std::string& dotted_key, const nlohmann::json& value, const std::string& origin) {
  nlohmann::json* node = &json_;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = dotted_key.find('.', start);
    const std::string part = dotted_key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (dot == std::string::npos) {
      (*node)[part] = value;
      break;
    }
    if (!(*node)[part].is_object()) (*node)[part] = nlohmann::json::object();
    node = &(*node)[part];
    start = dot + 1;
  }
  origins_[dotted_key] = origin;
}

const nlohmann::json* ConfigTree::find(const std::string& dotted_key) const {
  const nlohmann::json* node = &json_;
  std::size_t start = 0;
  while (true) {
    const auto dot = dotted_key.find('.', start);
    const std::string part = dotted_key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!node->is_object() || !node->contains(part)) return nullptr;
    node = &(*node)[part];
    if (dot == std::string::npos) return node;
    start = dot + 1;
  }
}

nlohmann::json ConfigTree::take(const std::string& dotted_key) {
  const auto dot = dotted_key.rfind('.');
  nlohmann::json* parent = &json_;
  if (dot != std::string::npos) {
    const nlohmann::json* found = find(dotted_key.substr(0, dot));
    if (found == nullptr || !found->is_object()) return nullptr;
    parent = const_cast<nlohmann::json*>(found);  // found points into json_, which this non-const member owns
  }
  const std::string leaf = dot == std::string::npos ? dotted_key : dotted_key.substr(dot + 1);
  if (!parent->contains(leaf)) return nullptr;
  nlohmann::json value = (*parent)[leaf];
  parent->erase(leaf);
  if (dot != std::string::npos && parent->empty()) take(dotted_key.substr(0, dot));
  return value;
}

std::string ConfigTree::origin(const std::string& dotted_key) const {
  auto found = origins_.find(dotted_key);
  return found == origins_.end() ? "default" : found->second;
}

ConfigSection::ConfigSection(const ConfigTree& tree, std::string section) : tree_(tree), section_(std::move(section)) {
  if (tree.json().contains(section_)) {
    node_ = &tree.json()[section_];
    require(node_->is_object() || node_->is_null(),
            tree.origin(section_) + ": '" + section_ + "' must be a mapping of keys");
    if (node_->is_null()) node_ = nullptr;
  }
}

std::string ConfigSection::where(const std::string& key) const {
  const std::string dotted = section_ + "." + key;
  return tree_.origin(dotted) + ": '" + dotted + "'";
}

bool ConfigSection::has(const std::string& key) const { return node_ != nullptr && node_->contains(key); }

const nlohmann::json* ConfigSection::lookup(const std::string& key) {
  read_keys_.insert(key);
  if (!has(key) || (*node_)[key].is_null()) return nullptr;
  return &(*node_)[key];
}

int64_t ConfigSection::get_int(const std::string& key, int64_t fallback) {
  const json* value = lookup(key);
  if (value == nullptr) return fallback;
  require(value->is_number_integer(), where(key) + " must be an integer, found " + shown(*value));
  return value->get<int64_t>();
}

double ConfigSection::get_double(const std::string& key, double fallback) {
  const json* value = lookup(key);
  if (value == nullptr) return fallback;
  if (value->is_string()) {  // YAML "2e-5" without a dot can arrive as text in some writers
    try {
      std::size_t used = 0;
      const double parsed = std::stod(value->get<std::string>(), &used);
      if (used == value->get<std::string>().size()) return parsed;
    } catch (const std::exception&) {
    }
  }
  require(value->is_number(), where(key) + " must be a number, found " + shown(*value));
  return value->get<double>();
}

bool ConfigSection::get_bool(const std::string& key, bool fallback) {
  const json* value = lookup(key);
  if (value == nullptr) return fallback;
  require(value->is_boolean(), where(key) + " must be true or false, found " + shown(*value));
  return value->get<bool>();
}

std::string ConfigSection::get_string(const std::string& key, const std::string& fallback) {
  const json* value = lookup(key);
  if (value == nullptr) return fallback;
  if (value->is_number()) return value->dump();
  require(value->is_string(), where(key) + " must be a string, found " + shown(*value));
  return value->get<std::string>();
}

std::vector<double> ConfigSection::get_doubles(const std::string& key, const std::vector<double>& fallback) {
  const json* value = lookup(key);
  if (value == nullptr) return fallback;
  require(value->is_array(), where(key) + " must be a list of numbers, found " + shown(*value));
  std::vector<double> result;
  for (const auto& item : *value) {
    require(item.is_number(), where(key) + " must be a list of numbers, found " + shown(item));
    result.push_back(item.get<double>());
  }
  return result;
}

std::vector<int64_t> ConfigSection::get_ints(const std::string& key, const std::vector<int64_t>& fallback) {
  const json* value = lookup(key);
  if (value == nullptr) return fallback;
  require(value->is_array(), where(key) + " must be a list of integers, found " + shown(*value));
  std::vector<int64_t> result;
  for (const auto& item : *value) {
    require(item.is_number_integer(), where(key) + " must be a list of integers, found " + shown(item));
    result.push_back(item.get<int64_t>());
  }
  return result;
}

std::vector<std::string> ConfigSection::get_strings(const std::string& key, const std::vector<std::string>& fallback) {
  const json* value = lookup(key);
  if (value == nullptr) return fallback;
  if (value->is_string()) return {value->get<std::string>()};
  require(value->is_array(), where(key) + " must be a list of strings, found " + shown(*value));
  std::vector<std::string> result;
  for (const auto& item : *value) {
    require(item.is_string(), where(key) + " must be a list of strings, found " + shown(item));
    result.push_back(item.get<std::string>());
  }
  return result;
}

void ConfigSection::accept(const std::vector<std::string>& keys) { read_keys_.insert(keys.begin(), keys.end()); }

void ConfigSection::finish() const {
  if (node_ == nullptr) return;
  std::vector<std::string> known(read_keys_.begin(), read_keys_.end());
  for (const auto& [key, value] : node_->items()) {
    if (read_keys_.count(key) == 1) continue;
    const std::string hint = closest_match(key, known);
    throw UserError(where(key) + " is not a known key" +
                    (hint.empty() ? "" : "; did you mean '" + section_ + "." + hint + "'?"));
  }
}

}  // namespace tpq
