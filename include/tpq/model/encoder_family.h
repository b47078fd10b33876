// An encoder family (BERT, DistilBERT, RoBERTa): Hugging Face's names for the parts of its
// classifier, its config.json keys, and the few places where the families compute differently. It
// is chosen from config.json's model_type; the rest of tpq asks it instead of assuming bert.* names.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tpq::model {

// Dotted paths of one encoder layer's parts, below the layer's own prefix ("bert.encoder.layer.3.").
struct LayerPaths {
  std::string query, key, value, attention_output, attention_norm, ffn_in, ffn_out, output_norm;
  // Dropout modules where HF has them ("" = none): after the attention softmax, after the attention
  // output projection, after the FFN output projection.
  std::string attention_dropout, attention_output_dropout, output_dropout;
};

enum class ClassifierHead {
  PoolerTanh,         // BERT: classifier(dropout(tanh(pooler.dense(h_0))))
  PreClassifierRelu,  // DistilBERT: classifier(dropout(relu(pre_classifier(h_0))))
  DenseTanh,          // RoBERTa: out_proj(dropout(tanh(dense(dropout(h_0)))))
};

enum class PositionIds {
  Absolute,      // 0, 1, 2, ... (BERT, DistilBERT)
  AfterPadding,  // RoBERTa: pad_token_id + the running count of non-pad tokens; pads get pad_token_id
};

struct EncoderFamily {
  std::string model_type;    // config.json "model_type": "bert"
  std::string architecture;  // config.json "architectures": "BertForSequenceClassification"
  std::string base;          // the base model in the state dict: "bert"
  std::string embeddings;    // "bert.embeddings"
  std::string layers;        // "bert.encoder.layer": layer i is "<layers>.<i>."
  LayerPaths layer;
  bool token_type_embeddings = true;  // false: the model takes no token_type_ids (DistilBERT)
  PositionIds positions = PositionIds::Absolute;
  bool scale_query_first = false;     // DistilBERT: (q / sqrt(d)) k^T rather than (q k^T) / sqrt(d)
  double fixed_layer_norm_eps = 0;    // > 0: the family's LayerNorms use this, whatever config.json says
  ClassifierHead head = ClassifierHead::PoolerTanh;
  std::string head_dense;  // the Linear before the classifier: "bert.pooler.dense"
  std::string classifier;  // the output Linear: "classifier"
  // Checkpoint tensors a classifier does not use (buffers, pre-training heads): exact names and prefixes.
  std::vector<std::string> ignorable_names, ignorable_prefixes;
  // config.json keys of this family that EncoderConfig (BERT's names) calls otherwise: {"dim", "hidden_size"}.
  std::vector<std::pair<std::string, std::string>> config_keys;
  // EncoderConfig keys this family's config.json does not have (written by no one, read as defaults).
  std::vector<std::string> absent_config_keys;

  std::string layer_prefix(int64_t layer) const { return layers + "." + std::to_string(layer) + "."; }
  // Encoder layer index of a dotted module name; -1 outside the encoder layers.
  int64_t layer_of(const std::string& module) const;
  // The pooler / pre-classifier and classifier Linears: kept FP32 and out of pruning by default.
  bool is_head_module(const std::string& module) const;
  bool is_ignorable_tensor(const std::string& name) const;
  // config.json with the family's keys renamed to EncoderConfig's, and back.
  nlohmann::json to_canonical_keys(nlohmann::json config) const;
  nlohmann::json to_family_keys(nlohmann::json config) const;
};

// UserError naming `source` and the supported model types for an unknown one.
const EncoderFamily& encoder_family(const std::string& model_type, const std::string& source = "config.json");
std::vector<std::string> supported_model_types();

}  // namespace tpq::model
