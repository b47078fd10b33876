#include "tpq/model/encoder_family.h"

#include "tpq/core/error.h"

namespace tpq::model {
namespace {

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

// HF modeling_bert.py: BertForSequenceClassification.
EncoderFamily bert_family() {
  EncoderFamily family;
  family.model_type = "bert";
  family.architecture = "BertForSequenceClassification";
  family.base = "bert";
  family.embeddings = "bert.embeddings";
  family.layers = "bert.encoder.layer";
  family.layer = {"attention.self.query",     "attention.self.key", "attention.self.value",
                  "attention.output.dense",   "attention.output.LayerNorm", "intermediate.dense",
                  "output.dense",             "output.LayerNorm",   "attention.self.dropout",
                  "attention.output.dropout", "output.dropout"};
  family.token_type_embeddings = true;
  family.head = ClassifierHead::PoolerTanh;
  family.head_dense = "bert.pooler.dense";
  family.classifier = "classifier";
  family.ignorable_names = {"bert.embeddings.position_ids"};
  family.ignorable_prefixes = {"cls."};
  return family;
}

const std::vector<EncoderFamily>& families() {
  static const std::vector<EncoderFamily> all = {bert_family()};
  return all;
}

}  // namespace

int64_t EncoderFamily::layer_of(const std::string& module) const {
  const std::string prefix = layers + ".";
  if (!starts_with(module, prefix)) return -1;
  const auto end = module.find('.', prefix.size());
  try {
    return std::stoll(module.substr(prefix.size(), end - prefix.size()));
  } catch (const std::exception&) {
    return -1;
  }
}

bool EncoderFamily::is_head_module(const std::string& module) const {
  const std::string head_module = head_dense.substr(0, head_dense.rfind('.'));
  return starts_with(module, head_module) || starts_with(module, classifier);
}

bool EncoderFamily::is_ignorable_tensor(const std::string& name) const {
  for (const auto& exact : ignorable_names) {
    if (name == exact) return true;
  }
  for (const auto& prefix : ignorable_prefixes) {
    if (starts_with(name, prefix)) return true;
  }
  return false;
}

const EncoderFamily& encoder_family(const std::string& model_type, const std::string& source) {
  for (const auto& family : families()) {
    if (family.model_type == model_type) return family;
  }
  std::string supported;
  for (const auto& type : supported_model_types()) supported += (supported.empty() ? "" : ", ") + type;
  throw UserError(source + ": model_type '" + model_type + "' is not supported; tpq knows " + supported);
}

std::vector<std::string> supported_model_types() {
  std::vector<std::string> types;
  for (const auto& family : families()) types.push_back(family.model_type);
  return types;
}

}  // namespace tpq::model
