#include "tpq/model/model_spec.h"

#include <filesystem>

#include "tpq/core/error.h"

namespace tpq::model {

EncoderConfig ModelSpec::scratch_config(int64_t tokenizer_vocab_size, int64_t pad_id,
                                        const std::vector<std::string>& label_names) const {
  EncoderConfig config;
  config.model_type = model_type;
  config.pad_token_id = pad_id;
  config.vocab_size = tokenizer_vocab_size;
  config.hidden_size = hidden_size;
  config.num_hidden_layers = num_hidden_layers;
  config.num_attention_heads = num_attention_heads;
  config.intermediate_size = intermediate_size;
  config.max_position_embeddings = max_length;
  config.hidden_dropout_prob = dropout;
  config.attention_probs_dropout_prob = dropout;
  config.label_names = label_names;
  const auto& family = config.family();
  if (family.positions == PositionIds::AfterPadding) {  // RoBERTa: positions start after padding_idx
    config.max_position_embeddings = max_length + pad_id + 1;
    config.type_vocab_size = 1;
    config.layer_norm_eps = 1e-5;
  }
  if (family.fixed_layer_norm_eps > 0) config.layer_norm_eps = family.fixed_layer_norm_eps;
  config.validate("model config");
  return config;
}

ModelSpec ModelSpec::from(ConfigSection& section) {
  ModelSpec spec;
  spec.pretrained = section.get_string("pretrained", spec.pretrained);
  spec.model_type = section.get_string("model_type", spec.model_type);
  spec.num_hidden_layers = section.get_int("num_hidden_layers", spec.num_hidden_layers);
  spec.hidden_size = section.get_int("hidden_size", spec.hidden_size);
  spec.num_attention_heads = section.get_int("num_attention_heads", spec.num_attention_heads);
  spec.intermediate_size = section.get_int("intermediate_size", spec.intermediate_size);
  spec.dropout = section.get_double("dropout", spec.dropout);
  spec.max_length = section.get_int("max_length", spec.max_length);
  spec.tokenizer = section.get_string("tokenizer", spec.tokenizer);
  spec.vocab_file = section.get_string("vocab_file", spec.vocab_file);
  spec.vocab_size = section.get_int("vocab_size", spec.vocab_size);
  spec.sentencepiece_type = section.get_string("sentencepiece_type", spec.sentencepiece_type);
  section.finish();

  if (spec.pretrained == "scratch") spec.pretrained.clear();
  // A Hub id or a directory: resolved (cache, download) when the run starts, see hub/resolve.h.
  encoder_family(spec.model_type, "model.model_type");  // UserError listing the families
  require(spec.max_length >= 8 && spec.max_length <= 4096, "model.max_length must be in [8, 4096]");
  require(spec.tokenizer == "sentencepiece" || spec.tokenizer == "wordpiece",
          "model.tokenizer is '" + spec.tokenizer + "'; use sentencepiece or wordpiece");
  require(spec.tokenizer != "wordpiece" || !spec.vocab_file.empty() || !spec.pretrained.empty(),
          "model.tokenizer wordpiece from scratch needs model.vocab_file (a vocab.txt)");
  require(spec.vocab_size >= 16, "model.vocab_size must be at least 16");
  require(spec.sentencepiece_type == "unigram" || spec.sentencepiece_type == "bpe",
          "model.sentencepiece_type must be unigram or bpe");
  require(spec.dropout >= 0 && spec.dropout < 1, "model.dropout must be in [0, 1)");
  return spec;
}

nlohmann::json ModelSpec::to_json() const {
  return {{"pretrained", pretrained.empty() ? "scratch" : pretrained},
          {"model_type", model_type},
          {"num_hidden_layers", num_hidden_layers},
          {"hidden_size", hidden_size},
          {"num_attention_heads", num_attention_heads},
          {"intermediate_size", intermediate_size},
          {"dropout", dropout},
          {"max_length", max_length},
          {"tokenizer", tokenizer},
          {"vocab_file", vocab_file},
          {"vocab_size", vocab_size},
          {"sentencepiece_type", sentencepiece_type}};
}

}  // namespace tpq::model
