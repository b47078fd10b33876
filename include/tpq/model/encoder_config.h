// EncoderConfig: the hyper-parameters of an encoder classifier of any family (encoder_family.h),
// read from and written to HF config.json under BERT's key names. Also carries the per-layer head
// counts / FFN widths that pruning produces.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tpq/model/encoder_family.h"

namespace tpq::model {

struct EncoderConfig {
  std::string model_type = "bert";  // the family (encoder_family.h); a config.json without one is BERT
  int64_t vocab_size = 30522;
  int64_t hidden_size = 768;
  int64_t num_hidden_layers = 12;
  int64_t num_attention_heads = 12;  // before pruning; head_dim = hidden_size / num_attention_heads
  int64_t intermediate_size = 3072;  // before pruning
  int64_t max_position_embeddings = 512;
  int64_t type_vocab_size = 2;
  std::string hidden_act = "gelu";  // gelu (exact erf), gelu_new / gelu_pytorch_tanh (tanh approx), relu
  double hidden_dropout_prob = 0.1;
  double attention_probs_dropout_prob = 0.1;
  double classifier_dropout = -1.0;  // < 0: use hidden_dropout_prob (HF's null)
  double layer_norm_eps = 1e-12;
  double initializer_range = 0.02;
  int64_t pad_token_id = 0;
  std::vector<std::string> label_names = {"LABEL_0", "LABEL_1"};  // id2label; size = num_labels

  // Pruning state. pruned_heads uses HF's convention: layer -> original indices of removed heads.
  std::map<int64_t, std::vector<int64_t>> pruned_heads;
  std::vector<int64_t> intermediate_sizes;  // per layer; empty = intermediate_size everywhere

  // Everything else found in config.json, kept so a load/save round trip loses nothing.
  nlohmann::json extra = nlohmann::json::object();

  int64_t num_labels() const { return static_cast<int64_t>(label_names.size()); }
  int64_t head_dim() const { return hidden_size / num_attention_heads; }
  int64_t heads_in_layer(int64_t layer) const;
  int64_t intermediate_size_of_layer(int64_t layer) const;
  double effective_classifier_dropout() const;
  const EncoderFamily& family() const { return encoder_family(model_type); }

  // Checks internal consistency; UserError naming `source` and the key at fault.
  void validate(const std::string& source) const;

  static EncoderConfig from_json(const nlohmann::json& json, const std::string& source);
  static EncoderConfig load(const std::filesystem::path& config_json);
  nlohmann::json to_json() const;
};

}  // namespace tpq::model
