#include "tpq/pipeline/guide_config.h"

#include <functional>

#include "tpq/core/error.h"

namespace tpq::pipeline {
namespace {

using nlohmann::json;

class GuideKeys {
 public:
  explicit GuideKeys(ConfigTree& tree) : tree_(tree) {}

  // guide_key -> tpq_key with the value as it is (unless tpq's key is also given: tpq's wins).
  void rename(const std::string& guide_key, const std::string& tpq_key) {
    convert(guide_key, tpq_key, [](const json& value) { return value; });
  }
  void convert(const std::string& guide_key, const std::string& tpq_key, const std::function<json(const json&)>& how) {
    const std::string origin = tree_.origin(guide_key);
    const json value = tree_.take(guide_key);
    if (value.is_null()) return;
    if (has(tpq_key)) {
      warn(origin, guide_key, "ignored: " + tpq_key + " is also set, and tpq's own key wins");
      return;
    }
    tree_.set(tpq_key, how(value), origin + " (" + guide_key + ")");
  }
  // Removes a key tpq has no use for, saying why.
  void drop(const std::string& guide_key, const std::string& why) {
    const std::string origin = tree_.origin(guide_key);
    if (!tree_.take(guide_key).is_null()) warn(origin, guide_key, why);
  }
  // Removes a key whose meaning tpq already has.
  void accept(const std::string& guide_key) { tree_.take(guide_key); }
  const json* find(const std::string& dotted_key) const { return tree_.find(dotted_key); }
  bool has(const std::string& dotted_key) const { return find(dotted_key) != nullptr; }
  std::string origin(const std::string& dotted_key) const { return tree_.origin(dotted_key); }
  void warn(const std::string& origin, const std::string& key, const std::string& why) {
    warnings.push_back(origin + ": " + key + " " + why);
  }

  std::vector<std::string> warnings;

 private:
  ConfigTree& tree_;
};

void translate_model(GuideKeys& keys) {
  keys.rename("model.name", "model.pretrained");  // "bert-base-uncased": a Hub id, downloaded once
  keys.rename("model.num_labels", "data.num_labels");
}

// pruning.method/sparsity say what one Python script does; in tpq the program is the method.
void translate_pruning(GuideKeys& keys) {
  const json* method = keys.find("pruning.method");
  const std::string chosen = method && method->is_string() ? method->get<std::string>() : "unstructured";
  keys.drop("pruning.method", "ignored: the program chooses the method (06 structured, 07 unstructured, 08 progressive)");
  const auto as_list = [](const json& value) { return value.is_array() ? value : json::array({value}); };
  if (chosen == "structured") {
    keys.convert("pruning.sparsity", "pruning.ffn_sparsity", as_list);
  } else if (chosen == "progressive") {
    keys.rename("pruning.sparsity", "pruning.final_sparsity");
  } else {
    keys.convert("pruning.sparsity", "pruning.sparsities", as_list);
  }
  const json* enabled = keys.find("pruning.attention_head_pruning.enabled");
  if (enabled && enabled->is_boolean() && !enabled->get<bool>()) {
    keys.drop("pruning.attention_head_pruning.num_heads_to_prune", "ignored: attention_head_pruning.enabled is false");
    keys.convert("pruning.attention_head_pruning.enabled", "pruning.heads", [](const json&) { return json::array({0}); });
  } else {
    keys.accept("pruning.attention_head_pruning.enabled");  // true: what 06 does
  }
  keys.convert("pruning.attention_head_pruning.num_heads_to_prune", "pruning.heads", as_list);
  const json* criterion = keys.find("pruning.unstructured.method");
  if (criterion && *criterion == "magnitude") {
    keys.convert("pruning.unstructured.method", "pruning.importance", [](const json&) { return json("l1"); });  // |w|
  }
  keys.rename("pruning.unstructured.sparsity_levels", "pruning.sparsities");
}

// experiments.<name>.*: which experiments run is which programs you start (or run_all runs).
void translate_experiments(GuideKeys& keys) {
  keys.rename("experiments.baseline.model", "model.pretrained");
  keys.rename("experiments.baseline.dataset", "data.dataset");
  for (const char* section : {"experiments.dynamic_quantization", "dynamic_quantization", "quantization.dynamic_quantization"}) {
    const std::string key = std::string(section) + ".dtype";
    const json* dtype = keys.find(key);
    if (dtype && *dtype != "qint8") {
      throw UserError(keys.origin(key) + ": " + key + " " + dtype->dump() +
                      ": tpq's dynamic quantization is INT8 (qint8) only; remove the key or set it to qint8");
    }
    keys.accept(key);  // qint8: what 02 does
  }
  const json* found = keys.find("experiments");
  if (found && found->is_object()) {
    const json experiments = *found;  // a copy: dropping keys changes the tree under `found`
    for (const auto& [name, entry] : experiments.items()) {
      keys.drop("experiments." + name + ".enabled",
                "ignored: run an experiment by starting its program (see docs/使用说明.md), or all with experiments/run_all.sh");
    }
  }
}

void translate_evaluation(GuideKeys& keys) {
  keys.drop("evaluation.metrics",
            "ignored: tpq always records accuracy, F1, precision, recall, size, latency, throughput and peak memory");
}

}  // namespace

std::vector<std::string> translate_guide_keys(ConfigTree& tree) {
  GuideKeys keys(tree);
  translate_model(keys);
  translate_pruning(keys);
  translate_experiments(keys);
  translate_evaluation(keys);
  return keys.warnings;
}

}  // namespace tpq::pipeline
