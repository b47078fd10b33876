#include "tpq/model/encoder_family.h"

#include "tpq/core/error.h"
#include "tpq/core/strings.h"

namespace tpq::model {
namespace {

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

// HF modeling_distilbert.py: DistilBertForSequenceClassification.
EncoderFamily distilbert_family() {
  EncoderFamily family;
  family.model_type = "distilbert";
  family.architecture = "DistilBertForSequenceClassification";
  family.base = "distilbert";
  family.embeddings = "distilbert.embeddings";
  family.layers = "distilbert.transformer.layer";
  family.layer = {"attention.q_lin", "attention.k_lin", "attention.v_lin", "attention.out_lin", "sa_layer_norm",
                  "ffn.lin1",        "ffn.lin2",        "output_layer_norm", "attention.dropout", "",
                  "ffn.dropout"};
  family.token_type_embeddings = false;
  family.scale_query_first = true;
  family.fixed_layer_norm_eps = 1e-12;
  family.head = ClassifierHead::PreClassifierRelu;
  family.head_dense = "pre_classifier";
  family.classifier = "classifier";
  family.ignorable_names = {"distilbert.embeddings.position_ids"};
  family.ignorable_prefixes = {"vocab_transform.", "vocab_layer_norm.", "vocab_projector.", "qa_outputs."};
  family.config_keys = {{"dim", "hidden_size"},
                        {"n_layers", "num_hidden_layers"},
                        {"n_heads", "num_attention_heads"},
                        {"hidden_dim", "intermediate_size"},
                        {"activation", "hidden_act"},
                        {"dropout", "hidden_dropout_prob"},
                        {"attention_dropout", "attention_probs_dropout_prob"},
                        {"seq_classif_dropout", "classifier_dropout"}};
  family.absent_config_keys = {"type_vocab_size", "layer_norm_eps"};
  return family;
}

// HF modeling_roberta.py: RobertaForSequenceClassification (no pooler).
EncoderFamily roberta_family() {
  EncoderFamily family = bert_family();
  family.model_type = "roberta";
  family.architecture = "RobertaForSequenceClassification";
  family.base = "roberta";
  family.embeddings = "roberta.embeddings";
  family.layers = "roberta.encoder.layer";
  family.positions = PositionIds::AfterPadding;
  family.head = ClassifierHead::DenseTanh;
  family.head_dense = "classifier.dense";
  family.classifier = "classifier.out_proj";
  family.ignorable_names = {"roberta.embeddings.position_ids"};
  family.ignorable_prefixes = {"lm_head.", "roberta.pooler."};
  return family;
}

const std::vector<EncoderFamily>& families() {
  static const std::vector<EncoderFamily> all = {bert_family(), distilbert_family(), roberta_family()};
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
  // The module holding the pre-classifier Linear ("bert.pooler"), or the Linear itself when it sits at the top.
  const auto dot = head_dense.rfind('.');
  const std::string head_module = dot == std::string::npos ? head_dense : head_dense.substr(0, dot);
  return starts_with(module, head_module) || starts_with(module, classifier);
}

nlohmann::json EncoderFamily::to_canonical_keys(nlohmann::json config) const {
  for (const auto& [family_key, canonical] : config_keys) {
    if (!config.contains(family_key)) continue;
    config[canonical] = config[family_key];
    config.erase(family_key);
  }
  return config;
}

nlohmann::json EncoderFamily::to_family_keys(nlohmann::json config) const {
  for (const auto& [family_key, canonical] : config_keys) {
    if (!config.contains(canonical)) continue;
    config[family_key] = config[canonical];
    config.erase(canonical);
  }
  for (const auto& key : absent_config_keys) config.erase(key);
  return config;
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
