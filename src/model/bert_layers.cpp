// Embeddings, attention, FFN and encoder layers of BERT; forward functions follow HF's modeling_bert.
#include <cmath>
#include <limits>

#include <torch/nn/functional/activation.h>
#include <torch/torch.h>

#include "tpq/model/bert.h"

namespace tpq::model {
namespace {

torch::nn::LayerNorm make_layer_norm(const BertConfig& config) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({config.hidden_size}).eps(config.layer_norm_eps));
}

}  // namespace

torch::Tensor additive_attention_mask(const torch::Tensor& attention_mask, torch::ScalarType dtype) {
  double lowest = std::numeric_limits<float>::lowest();
  if (dtype == torch::kHalf) lowest = -65504.0;
  if (dtype == torch::kBFloat16) lowest = -3.3895313892515355e38;
  if (dtype == torch::kDouble) lowest = std::numeric_limits<double>::lowest();
  // (B, T) -> (B, 1, 1, T): broadcast over heads and query positions.
  auto mask = attention_mask.to(dtype).unsqueeze(1).unsqueeze(2);
  return (1.0 - mask) * lowest;
}

BertEmbeddingsImpl::BertEmbeddingsImpl(const BertConfig& config) {
  word_embeddings = register_module(
      "word_embeddings",
      torch::nn::Embedding(torch::nn::EmbeddingOptions(config.vocab_size, config.hidden_size).padding_idx(config.pad_token_id)));
  position_embeddings = register_module(
      "position_embeddings", torch::nn::Embedding(config.max_position_embeddings, config.hidden_size));
  token_type_embeddings = register_module(
      "token_type_embeddings", torch::nn::Embedding(config.type_vocab_size, config.hidden_size));
  LayerNorm = register_module("LayerNorm", make_layer_norm(config));
  dropout = register_module("dropout", torch::nn::Dropout(config.hidden_dropout_prob));
}

torch::Tensor BertEmbeddingsImpl::forward(const torch::Tensor& input_ids, const torch::Tensor& token_type_ids) {
  const int64_t seq_len = input_ids.size(1);
  auto position_ids = torch::arange(seq_len, input_ids.options()).unsqueeze(0);  // (1, T)
  auto types = token_type_ids.defined() ? token_type_ids : torch::zeros_like(input_ids);
  auto embeddings = word_embeddings(input_ids) + token_type_embeddings(types) + position_embeddings(position_ids);
  return dropout(LayerNorm(embeddings));  // (B, T, H)
}

BertSelfAttentionImpl::BertSelfAttentionImpl(const BertConfig& config, int64_t num_heads_in_layer)
    : num_heads(num_heads_in_layer), head_dim(config.head_dim()) {
  const int64_t all_heads = num_heads * head_dim;
  query = register_module("query", Linear(config.hidden_size, all_heads));
  key = register_module("key", Linear(config.hidden_size, all_heads));
  value = register_module("value", Linear(config.hidden_size, all_heads));
  dropout = register_module("dropout", torch::nn::Dropout(config.attention_probs_dropout_prob));
}

torch::Tensor BertSelfAttentionImpl::forward(const torch::Tensor& hidden, const torch::Tensor& additive_mask,
                                             const torch::Tensor& head_mask) {
  const int64_t batch = hidden.size(0), seq_len = hidden.size(1);
  if (num_heads == 0) {  // every head pruned: the block contributes only its output bias
    return torch::zeros({batch, seq_len, 0}, hidden.options());
  }
  // (B, T, heads*d) -> (B, heads, T, d)
  auto split_heads = [&](const torch::Tensor& x) { return x.view({batch, seq_len, num_heads, head_dim}).transpose(1, 2); };
  auto q = split_heads(query(hidden));
  auto k = split_heads(key(hidden));
  auto v = split_heads(value(hidden));
  // scores (B, heads, T, T) = q k^T / sqrt(d) + mask
  auto scores = torch::matmul(q, k.transpose(-1, -2)) / std::sqrt(static_cast<double>(head_dim));
  scores = scores + additive_mask;
  auto probs = dropout(torch::softmax(scores, -1));
  if (head_mask.defined()) probs = probs * head_mask.view({1, num_heads, 1, 1}).to(probs.dtype());
  auto context = torch::matmul(probs, v);  // (B, heads, T, d)
  return context.transpose(1, 2).reshape({batch, seq_len, num_heads * head_dim});
}

BertResidualOutputImpl::BertResidualOutputImpl(int64_t in_features, const BertConfig& config) {
  dense = register_module("dense", Linear(in_features, config.hidden_size));
  LayerNorm = register_module("LayerNorm", make_layer_norm(config));
  dropout = register_module("dropout", torch::nn::Dropout(config.hidden_dropout_prob));
}

torch::Tensor BertResidualOutputImpl::forward(const torch::Tensor& x, const torch::Tensor& residual) {
  return LayerNorm(dropout(dense(x)) + residual);
}

BertAttentionImpl::BertAttentionImpl(const BertConfig& config, int64_t num_heads) {
  self = register_module("self", BertSelfAttention(config, num_heads));
  output = register_module("output", BertResidualOutput(num_heads * config.head_dim(), config));
}

torch::Tensor BertAttentionImpl::forward(const torch::Tensor& hidden, const torch::Tensor& additive_mask,
                                         const torch::Tensor& head_mask) {
  return output(self(hidden, additive_mask, head_mask), hidden);
}

BertIntermediateImpl::BertIntermediateImpl(const BertConfig& config, int64_t width) : activation(config.hidden_act) {
  dense = register_module("dense", Linear(config.hidden_size, width));
}

torch::Tensor BertIntermediateImpl::forward(const torch::Tensor& hidden) {
  auto x = dense(hidden);
  if (activation == "relu") return torch::relu(x);
  if (activation == "gelu_new" || activation == "gelu_pytorch_tanh") return torch::gelu(x, "tanh");
  return torch::gelu(x);  // "gelu": exact erf form, as HF
}

BertLayerImpl::BertLayerImpl(const BertConfig& config, int64_t layer_index) {
  attention = register_module("attention", BertAttention(config, config.heads_in_layer(layer_index)));
  const int64_t width = config.intermediate_size_of_layer(layer_index);
  intermediate = register_module("intermediate", BertIntermediate(config, width));
  output = register_module("output", BertResidualOutput(width, config));
}

torch::Tensor BertLayerImpl::forward(const torch::Tensor& hidden, const torch::Tensor& additive_mask,
                                     const torch::Tensor& head_mask) {
  auto attended = attention(hidden, additive_mask, head_mask);  // (B, T, H)
  return output(intermediate(attended), attended);
}

BertEncoderImpl::BertEncoderImpl(const BertConfig& config) {
  layer = register_module("layer", torch::nn::ModuleList());
  for (int64_t i = 0; i < config.num_hidden_layers; ++i) {
    layers.emplace_back(config, i);
    layer->push_back(layers.back());
  }
}

torch::Tensor BertEncoderImpl::forward(torch::Tensor hidden, const torch::Tensor& additive_mask,
                                       const std::vector<torch::Tensor>& head_masks) {
  for (std::size_t i = 0; i < layers.size(); ++i) {
    hidden = layers[i]->forward(hidden, additive_mask, head_masks.empty() ? torch::Tensor() : head_masks.at(i));
  }
  return hidden;
}

BertPoolerImpl::BertPoolerImpl(const BertConfig& config) {
  dense = register_module("dense", Linear(config.hidden_size, config.hidden_size));
}

torch::Tensor BertPoolerImpl::forward(const torch::Tensor& hidden) {
  using torch::indexing::Slice;
  return torch::tanh(dense(hidden.index({Slice(), 0})));  // h_[CLS] (B, H)
}

}  // namespace tpq::model
