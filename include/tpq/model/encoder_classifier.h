// A Transformer encoder classifier in the LibTorch C++ frontend, module-for-module and name-for-name
// the same as the Hugging Face class of its family (BertForSequenceClassification, ...), so
// state-dict keys match exactly. The family (encoder_family.h) names the parts; the maths is shared:
// post-LayerNorm attention and FFN blocks. Heads per layer and FFN width per layer may differ (pruned models).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include "tpq/kernels/attention.h"
#include "tpq/model/add_layer_norm.h"
#include "tpq/model/counter_dropout.h"
#include "tpq/model/encoder_config.h"
#include "tpq/model/linear.h"

namespace tpq::model {

struct ModelInputs {
  torch::Tensor input_ids;       // (B, T) int64
  torch::Tensor token_type_ids;  // (B, T) int64; undefined = all zeros (ignored by families without token types)
  torch::Tensor attention_mask;  // (B, T) 1 = token, 0 = padding; undefined = all ones
};

struct ClassifierOutputs {
  torch::Tensor logits;             // (B, num_labels)
  torch::Tensor last_hidden_state;  // (B, T, H)
  torch::Tensor pooled;             // (B, H) the head's representation before the classifier
};

class EncoderEmbeddingsImpl : public torch::nn::Module {
 public:
  EncoderEmbeddingsImpl(const EncoderConfig& config, const EncoderFamily& family);
  // input_ids, token_type_ids (B, T) -> (B, T, H)
  torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& token_type_ids);

  torch::nn::Embedding word_embeddings{nullptr}, position_embeddings{nullptr};
  torch::nn::Embedding token_type_embeddings{nullptr};  // null for families without token types
  torch::nn::LayerNorm LayerNorm{nullptr};
  CounterDropout dropout{nullptr};
  PositionIds positions;
  int64_t pad_token_id;
};
TORCH_MODULE(EncoderEmbeddings);

// One encoder layer. Its parts are registered under the family's names (LayerPaths), so the module
// tree and the state dict are HF's; the members below are the same modules, typed.
class EncoderLayerImpl : public torch::nn::Module {
 public:
  EncoderLayerImpl(const EncoderConfig& config, const EncoderFamily& family, int64_t layer_index);
  // hidden (B, T, H), additive mask (B, 1, 1, T) or undefined (no padding), head_mask (heads) or undefined -> (B, T, H)
  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& additive_mask, const torch::Tensor& head_mask);
  // forward with the bf16 copies of hidden states passed along (add_layer_norm.h): what encode runs.
  HiddenStates forward_states(const HiddenStates& hidden, const torch::Tensor& additive_mask, const torch::Tensor& head_mask);
  // The layer's output at `positions` (B, M) int64 of each sequence alone: keys and values from every
  // position, the rest (query, attention rows, output projection, FFN) for those rows only -> (B, M, H).
  // Row m of sequence b equals forward_states(hidden)[b, positions[b, m]] (MLM's last layer: only the
  // masked positions are predicted).
  HiddenStates forward_states_at(const HiddenStates& hidden, const torch::Tensor& additive_mask,
                                 const torch::Tensor& positions);
  // Multi-head self-attention before the output projection: (B, T, H) -> (B, T, heads * d)
  torch::Tensor attend(const torch::Tensor& hidden, const torch::Tensor& additive_mask, const torch::Tensor& head_mask);
  // Attention of the rows `queries` (B, M, H) over every position of `hidden` (B, T, H) -> (B, M, heads * d)
  torch::Tensor attend_rows(const torch::Tensor& queries, const torch::Tensor& hidden, const torch::Tensor& additive_mask);
  torch::Tensor attention_probabilities(const torch::Tensor& scores, const torch::Tensor& additive_mask);
  // Whether attention_kernel may compute attend's softmax(q k^T / sqrt(d) + mask) v.
  bool fused_attention_applies(const torch::Tensor& query, const torch::Tensor& additive_mask,
                               const torch::Tensor& head_mask) const;

  // softmax(q k^T / sqrt(d) + mask) v with head_mask, from projected q (B, M, heads*d), k and v (B, T, heads*d)
  torch::Tensor attention_context(const torch::Tensor& q_rows, const torch::Tensor& k_rows, const torch::Tensor& v_rows,
                                  const torch::Tensor& additive_mask, const torch::Tensor& head_mask);
  // LayerNorm(dropout(W_2 act(W_1 attended)) + attended)
  HiddenStates feed_forward(const HiddenStates& attended);

  int64_t num_heads;  // heads left in this layer
  int64_t head_dim;
  std::string activation;
  bool scale_query_first;  // the family's order of the 1/sqrt(d) scaling
  Linear query{nullptr}, key{nullptr}, value{nullptr}, attention_output{nullptr};
  torch::nn::LayerNorm attention_norm{nullptr};
  Linear ffn_in{nullptr}, ffn_out{nullptr};
  torch::nn::LayerNorm output_norm{nullptr};
  CounterDropout attention_dropout{nullptr}, attention_output_dropout{nullptr}, output_dropout{nullptr};
  kernels::Attention attention_kernel;  // inference without gradients: oneDNN primitives, made on first use
};
TORCH_MODULE(EncoderLayer);

class EncoderClassifierImpl : public torch::nn::Module {
 public:
  explicit EncoderClassifierImpl(const EncoderConfig& config);

  ClassifierOutputs forward(const ModelInputs& inputs, const std::vector<torch::Tensor>& head_masks = {});
  // forward(inputs).logits alone, (B, num_labels). The head reads only the first token's state, so
  // the last layer runs forward_states_at on that row (its keys and values still see every position);
  // TPQ_LAST_LAYER=full runs it on every row, as forward does (kernels::last_layer_choice).
  torch::Tensor logits(const ModelInputs& inputs);
  // The encoder alone: embeddings and layers, (B, T) -> (B, T, H). head_masks: empty, or one
  // (heads_in_layer) tensor per layer (head-importance scoring).
  torch::Tensor encode(const ModelInputs& inputs, const std::vector<torch::Tensor>& head_masks = {});
  // encode's output at `positions` (B, M) int64 alone -> (B, M, H): the last layer runs
  // forward_states_at, so it spends its query, output and FFN work on those rows only.
  torch::Tensor encode_at(const ModelInputs& inputs, const torch::Tensor& positions);

  // HF's _init_weights: normal(0, initializer_range) for Linear/Embedding, zero bias and padding
  // row, LayerNorm = (1, 0), in module order. Uses the global torch generator (seed it first).
  void init_weights();

  const EncoderFamily& family() const { return config.family(); }

  EncoderConfig config;
  std::shared_ptr<torch::nn::Module> base;  // the base model ("bert"): what MLM pre-training trains
  EncoderEmbeddings embeddings{nullptr};
  std::vector<EncoderLayer> layers;
  Linear head_dense{nullptr};  // the family's pooler / pre-classifier
  CounterDropout dropout{nullptr};
  Linear classifier{nullptr};

 private:
  // The family's head on the first token's state (B, H) -> (pooled, logits).
  std::pair<torch::Tensor, torch::Tensor> classify(const torch::Tensor& first_token);
  // encode (positions undefined) or encode_at.
  torch::Tensor run_encoder(const ModelInputs& inputs, const std::vector<torch::Tensor>& head_masks,
                            const torch::Tensor& positions);
};
TORCH_MODULE(EncoderClassifier);

// HF's extended attention mask: (B, T) {0,1} -> (B, 1, 1, T) with 0 for tokens and the dtype's
// lowest value for padding, added to attention scores.
torch::Tensor additive_attention_mask(const torch::Tensor& attention_mask, torch::ScalarType dtype);

}  // namespace tpq::model
