// Small BERT configurations for fast unit tests.
#pragma once

#include <cstdint>

#include "tpq/model/encoder_config.h"

namespace tpq::testing {

inline model::EncoderConfig small_bert_config(int64_t vocab_size, int64_t hidden_size, int64_t layers, int64_t heads,
                                           int64_t intermediate_size, int64_t max_positions) {
  model::EncoderConfig config;
  config.vocab_size = vocab_size;
  config.hidden_size = hidden_size;
  config.num_hidden_layers = layers;
  config.num_attention_heads = heads;
  config.intermediate_size = intermediate_size;
  config.max_position_embeddings = max_positions;
  return config;
}

}  // namespace tpq::testing
