// What model an experiment starts from (the `model:` config section): a local HF checkpoint to
// fine-tune, or a from-scratch BERT of a given shape with a tokenizer trained on the training texts.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "tpq/core/config_tree.h"
#include "tpq/model/encoder_config.h"

namespace tpq::model {

struct ModelSpec {
  std::string pretrained;  // HF checkpoint directory; empty = from scratch
  std::string model_type = "bert";  // from scratch: the encoder family (bert, distilbert, roberta)
  int64_t num_hidden_layers = 2;
  int64_t hidden_size = 128;
  int64_t num_attention_heads = 2;
  int64_t intermediate_size = 512;
  double dropout = 0.1;
  int64_t max_length = 128;  // tokens per example, [CLS]/[SEP] included
  // From scratch: "sentencepiece" (trained on the training split) or "wordpiece" (needs vocab_file).
  std::string tokenizer = "sentencepiece";
  std::string vocab_file;
  int64_t vocab_size = 8000;
  std::string sentencepiece_type = "unigram";  // unigram | bpe

  bool from_scratch() const { return pretrained.empty(); }
  // The config of a from-scratch model; the tokenizer supplies the vocabulary size and pad id.
  EncoderConfig scratch_config(int64_t tokenizer_vocab_size, int64_t pad_id, const std::vector<std::string>& label_names) const;

  static ModelSpec from(ConfigSection& section);
  nlohmann::json to_json() const;
};

}  // namespace tpq::model
