#include "tpq/model/encoder_config.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "tpq/core/error.h"
#include "tpq/io/atomic_file.h"

namespace tpq::model {
namespace {

using nlohmann::json;

// Keys this struct owns; anything else in config.json goes to `extra` untouched.
const std::set<std::string> kOwnedKeys = {
    "vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
    "max_position_embeddings", "type_vocab_size", "hidden_act", "hidden_dropout_prob",
    "attention_probs_dropout_prob", "classifier_dropout", "layer_norm_eps", "initializer_range",
    "pad_token_id", "id2label", "label2id", "num_labels", "pruned_heads", "tpq_intermediate_sizes", "model_type",
    "architectures"};

const char* kRequiredKeys[] = {"vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
                               "intermediate_size", "max_position_embeddings"};

std::string where(const std::string& source, const std::string& key) { return source + ": key '" + key + "'"; }

int64_t read_int(const json& config, const std::string& key, const std::string& source) {
  const json& value = config.at(key);
  // HF writes integers; accept 12.0 but not 12.5 or "12".
  if (value.is_number_integer()) return value.get<int64_t>();
  // Range first: casting a double outside int64 to an integer is undefined behaviour (found by fuzzing).
  if (value.is_number_float() && std::abs(value.get<double>()) < 9.0e18 &&
      value.get<double>() == std::trunc(value.get<double>())) {
    return static_cast<int64_t>(value.get<double>());
  }
  throw UserError(where(source, key) + " must be an integer, found " + value.dump());
}

double read_number(const json& config, const std::string& key, const std::string& source) {
  const json& value = config.at(key);
  if (!value.is_number()) throw UserError(where(source, key) + " must be a number, found " + value.dump());
  return value.get<double>();
}

std::vector<std::string> read_labels(const json& config, const std::string& source) {
  if (config.contains("id2label") && !config["id2label"].is_null()) {
    const json& id2label = config["id2label"];
    if (!id2label.is_object() || id2label.empty()) {
      throw UserError(where(source, "id2label") + " must be a non-empty object {\"0\": \"name\", ...}");
    }
    std::vector<std::string> names(id2label.size());
    for (const auto& [id_text, name] : id2label.items()) {
      std::size_t parsed = 0;
      long id = -1;
      try {
        id = std::stol(id_text, &parsed);
      } catch (const std::exception&) {
      }
      if (parsed != id_text.size() || id < 0 || id >= static_cast<long>(names.size()) || !name.is_string()) {
        throw UserError(where(source, "id2label") + " has entry \"" + id_text + "\": " + name.dump() +
                        "; ids must be 0.." + std::to_string(names.size() - 1) + " with string names");
      }
      names[id] = name.get<std::string>();
    }
    return names;
  }
  const int64_t count = config.contains("num_labels") ? read_int(config, "num_labels", source) : 2;
  if (count < 1 || count > 100000) throw UserError(where(source, "num_labels") + " must be between 1 and 100000");
  std::vector<std::string> names;
  for (int64_t i = 0; i < count; ++i) names.push_back("LABEL_" + std::to_string(i));
  return names;
}

}  // namespace

int64_t EncoderConfig::heads_in_layer(int64_t layer) const {
  auto pruned = pruned_heads.find(layer);
  return num_attention_heads - (pruned == pruned_heads.end() ? 0 : static_cast<int64_t>(pruned->second.size()));
}

int64_t EncoderConfig::intermediate_size_of_layer(int64_t layer) const {
  return intermediate_sizes.empty() ? intermediate_size : intermediate_sizes.at(layer);
}

double EncoderConfig::effective_classifier_dropout() const {
  return classifier_dropout >= 0 ? classifier_dropout : hidden_dropout_prob;
}

void EncoderConfig::validate(const std::string& source) const {
  auto positive = [&](int64_t value, const char* key) {
    require(value > 0, where(source, key) + " must be positive, found " + std::to_string(value));
  };
  positive(vocab_size, "vocab_size");
  positive(hidden_size, "hidden_size");
  positive(num_hidden_layers, "num_hidden_layers");
  positive(num_attention_heads, "num_attention_heads");
  positive(intermediate_size, "intermediate_size");
  positive(max_position_embeddings, "max_position_embeddings");
  if (family().token_type_embeddings) positive(type_vocab_size, "type_vocab_size");
  require(num_hidden_layers <= 1000, where(source, "num_hidden_layers") + " is implausibly large");
  require(hidden_size % num_attention_heads == 0,
          where(source, "hidden_size") + " (" + std::to_string(hidden_size) + ") must be divisible by num_attention_heads (" +
              std::to_string(num_attention_heads) + ")");
  const std::set<std::string> activations = {"gelu", "gelu_new", "gelu_pytorch_tanh", "relu"};
  require(activations.count(hidden_act) == 1,
          where(source, "hidden_act") + " is '" + hidden_act + "'; supported: gelu, gelu_new, gelu_pytorch_tanh, relu");
  for (auto [key, value] : {std::pair<const char*, double>{"hidden_dropout_prob", hidden_dropout_prob},
                            {"attention_probs_dropout_prob", attention_probs_dropout_prob}}) {
    require(value >= 0 && value < 1, where(source, key) + " must be in [0, 1), found " + std::to_string(value));
  }
  require(classifier_dropout < 1, where(source, "classifier_dropout") + " must be in [0, 1) or null");
  require(layer_norm_eps > 0, where(source, "layer_norm_eps") + " must be positive");
  require(pad_token_id >= 0 && pad_token_id < vocab_size,
          where(source, "pad_token_id") + " must be a token id below vocab_size");
  require(!label_names.empty(), where(source, "id2label") + " must name at least one label");
  for (const auto& [layer, heads] : pruned_heads) {
    require(layer >= 0 && layer < num_hidden_layers,
            where(source, "pruned_heads") + " names layer " + std::to_string(layer) + ", but the model has " +
                std::to_string(num_hidden_layers) + " layers");
    std::set<int64_t> unique(heads.begin(), heads.end());
    require(unique.size() == heads.size(), where(source, "pruned_heads") + " lists a head twice in layer " + std::to_string(layer));
    for (int64_t head : heads) {
      require(head >= 0 && head < num_attention_heads,
              where(source, "pruned_heads") + " names head " + std::to_string(head) + " in layer " + std::to_string(layer) +
                  "; heads are 0.." + std::to_string(num_attention_heads - 1));
    }
  }
  if (!intermediate_sizes.empty()) {
    require(static_cast<int64_t>(intermediate_sizes.size()) == num_hidden_layers,
            where(source, "tpq_intermediate_sizes") + " must have one entry per layer (" +
                std::to_string(num_hidden_layers) + "), found " + std::to_string(intermediate_sizes.size()));
    for (int64_t size : intermediate_sizes) {
      require(size >= 0 && size <= intermediate_size,
              where(source, "tpq_intermediate_sizes") + " entries must be in [0, intermediate_size]");
    }
  }
}

namespace {

// The family's own spelling of an EncoderConfig key, for messages ("dim" for DistilBERT's hidden_size).
std::string family_key(const EncoderFamily& family, const std::string& canonical) {
  for (const auto& [own, name] : family.config_keys) {
    if (name == canonical) return own;
  }
  return canonical;
}

void read_shape(const json& config, const std::string& source, const EncoderFamily& family, EncoderConfig& result) {
  for (const char* key : kRequiredKeys) {
    require(config.contains(key), source + ": missing key '" + family_key(family, key) + "' (a " + family.model_type +
                                      " config.json needs the vocabulary size, hidden size, layers, heads, FFN width "
                                      "and max_position_embeddings)");
  }
  result.vocab_size = read_int(config, "vocab_size", source);
  result.hidden_size = read_int(config, "hidden_size", source);
  result.num_hidden_layers = read_int(config, "num_hidden_layers", source);
  result.num_attention_heads = read_int(config, "num_attention_heads", source);
  result.intermediate_size = read_int(config, "intermediate_size", source);
  result.max_position_embeddings = read_int(config, "max_position_embeddings", source);
  if (config.contains("type_vocab_size")) result.type_vocab_size = read_int(config, "type_vocab_size", source);
}

void read_settings(const json& config, const std::string& source, EncoderConfig& result) {
  if (config.contains("hidden_act")) {
    require(config["hidden_act"].is_string(), where(source, "hidden_act") + " must be a string");
    result.hidden_act = config["hidden_act"].get<std::string>();
  }
  if (config.contains("hidden_dropout_prob")) result.hidden_dropout_prob = read_number(config, "hidden_dropout_prob", source);
  if (config.contains("attention_probs_dropout_prob")) {
    result.attention_probs_dropout_prob = read_number(config, "attention_probs_dropout_prob", source);
  }
  if (config.contains("classifier_dropout") && !config["classifier_dropout"].is_null()) {
    result.classifier_dropout = read_number(config, "classifier_dropout", source);
    require(result.classifier_dropout >= 0, where(source, "classifier_dropout") + " must be in [0, 1) or null");
  }
  if (config.contains("layer_norm_eps")) result.layer_norm_eps = read_number(config, "layer_norm_eps", source);
  if (config.contains("initializer_range")) result.initializer_range = read_number(config, "initializer_range", source);
  if (config.contains("pad_token_id") && !config["pad_token_id"].is_null()) {
    result.pad_token_id = read_int(config, "pad_token_id", source);
  }
}

void read_pruning(const json& config, const std::string& source, EncoderConfig& result) {
  if (config.contains("pruned_heads") && !config["pruned_heads"].is_null()) {
    const json& pruned = config["pruned_heads"];
    require(pruned.is_object(), where(source, "pruned_heads") + " must be an object {\"layer\": [heads]}");
    for (const auto& [layer_text, heads] : pruned.items()) {
      int64_t layer = -1;
      try {
        layer = std::stoll(layer_text);
      } catch (const std::exception&) {
        throw UserError(where(source, "pruned_heads") + " has a non-integer layer key \"" + layer_text + "\"");
      }
      require(heads.is_array(), where(source, "pruned_heads") + " layer " + layer_text + " must list head indices");
      for (const json& head : heads) {
        require(head.is_number_integer(), where(source, "pruned_heads") + " layer " + layer_text + " has a non-integer head");
        result.pruned_heads[layer].push_back(head.get<int64_t>());
      }
    }
  }
  if (config.contains("tpq_intermediate_sizes") && !config["tpq_intermediate_sizes"].is_null()) {
    const json& sizes = config["tpq_intermediate_sizes"];
    require(sizes.is_array(), where(source, "tpq_intermediate_sizes") + " must be a list of integers");
    for (const json& size : sizes) {
      require(size.is_number_integer(), where(source, "tpq_intermediate_sizes") + " must be a list of integers");
      result.intermediate_sizes.push_back(size.get<int64_t>());
    }
  }
}

}  // namespace

EncoderConfig EncoderConfig::from_json(const json& file_config, const std::string& source) {
  require(file_config.is_object(), source + ": expected a JSON object, found " + std::string(file_config.type_name()));
  EncoderConfig result;
  if (file_config.contains("model_type")) {
    require(file_config["model_type"].is_string(), where(source, "model_type") + " must be a string");
    result.model_type = file_config["model_type"].get<std::string>();
  }
  const auto& family = encoder_family(result.model_type, source);  // UserError listing the supported families
  const json config = family.to_canonical_keys(file_config);
  read_shape(config, source, family, result);
  read_settings(config, source, result);
  if (family.fixed_layer_norm_eps > 0) result.layer_norm_eps = family.fixed_layer_norm_eps;
  result.label_names = read_labels(config, source);
  read_pruning(config, source, result);
  for (const auto& [key, value] : config.items()) {
    if (kOwnedKeys.count(key) == 0) result.extra[key] = value;
  }
  result.validate(source);
  return result;
}

EncoderConfig EncoderConfig::load(const std::filesystem::path& config_json) {
  return from_json(io::read_json_file(config_json), config_json.string());
}

json EncoderConfig::to_json() const {
  json config = extra;
  config["architectures"] = {family().architecture};
  config["model_type"] = model_type;
  config["vocab_size"] = vocab_size;
  config["hidden_size"] = hidden_size;
  config["num_hidden_layers"] = num_hidden_layers;
  config["num_attention_heads"] = num_attention_heads;
  config["intermediate_size"] = intermediate_size;
  config["max_position_embeddings"] = max_position_embeddings;
  config["type_vocab_size"] = type_vocab_size;
  config["hidden_act"] = hidden_act;
  config["hidden_dropout_prob"] = hidden_dropout_prob;
  config["attention_probs_dropout_prob"] = attention_probs_dropout_prob;
  config["classifier_dropout"] = classifier_dropout >= 0 ? json(classifier_dropout) : json(nullptr);
  config["layer_norm_eps"] = layer_norm_eps;
  config["initializer_range"] = initializer_range;
  config["pad_token_id"] = pad_token_id;
  json id2label = json::object();
  json label2id = json::object();
  for (std::size_t id = 0; id < label_names.size(); ++id) {
    id2label[std::to_string(id)] = label_names[id];
    label2id[label_names[id]] = id;
  }
  config["id2label"] = id2label;
  config["label2id"] = label2id;
  if (!pruned_heads.empty()) {
    json pruned = json::object();
    for (const auto& [layer, heads] : pruned_heads) pruned[std::to_string(layer)] = heads;
    config["pruned_heads"] = pruned;
  }
  if (!intermediate_sizes.empty()) config["tpq_intermediate_sizes"] = intermediate_sizes;
  return family().to_family_keys(config);
}

}  // namespace tpq::model
