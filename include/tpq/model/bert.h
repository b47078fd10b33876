// BERT for sequence classification in the LibTorch C++ frontend, module-for-module and
// name-for-name the same as HF `BertForSequenceClassification`, so state-dict keys match exactly.
// Heads per layer and FFN width per layer may differ (pruned models).
#pragma once

#include <cstdint>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include "tpq/model/bert_config.h"
#include "tpq/model/linear.h"

namespace tpq::model {

struct BertInputs {
  torch::Tensor input_ids;       // (B, T) int64
  torch::Tensor token_type_ids;  // (B, T) int64; undefined = all zeros
  torch::Tensor attention_mask;  // (B, T) 1 = token, 0 = padding; undefined = all ones
};

struct BertOutputs {
  torch::Tensor logits;             // (B, num_labels)
  torch::Tensor last_hidden_state;  // (B, T, H)
  torch::Tensor pooled;             // (B, H) tanh(dense(h_[CLS]))
};

class BertEmbeddingsImpl : public torch::nn::Module {
 public:
  explicit BertEmbeddingsImpl(const BertConfig& config);
  // input_ids, token_type_ids (B, T) -> (B, T, H)
  torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& token_type_ids);

  torch::nn::Embedding word_embeddings{nullptr}, position_embeddings{nullptr}, token_type_embeddings{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(BertEmbeddings);

class BertSelfAttentionImpl : public torch::nn::Module {
 public:
  BertSelfAttentionImpl(const BertConfig& config, int64_t num_heads);
  // hidden (B, T, H), additive mask (B, 1, 1, T), head_mask (heads) or undefined -> context (B, T, heads*d)
  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& additive_mask, const torch::Tensor& head_mask);

  int64_t num_heads;
  int64_t head_dim;
  Linear query{nullptr}, key{nullptr}, value{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(BertSelfAttention);

// dense -> dropout -> LayerNorm(x + residual); used after attention ("attention.output") and
// after the FFN ("output").
class BertResidualOutputImpl : public torch::nn::Module {
 public:
  BertResidualOutputImpl(int64_t in_features, const BertConfig& config);
  // x (B, T, in), residual (B, T, H) -> (B, T, H)
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& residual);

  Linear dense{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(BertResidualOutput);

class BertAttentionImpl : public torch::nn::Module {
 public:
  BertAttentionImpl(const BertConfig& config, int64_t num_heads);
  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& additive_mask, const torch::Tensor& head_mask);

  BertSelfAttention self{nullptr};
  BertResidualOutput output{nullptr};
};
TORCH_MODULE(BertAttention);

class BertIntermediateImpl : public torch::nn::Module {
 public:
  BertIntermediateImpl(const BertConfig& config, int64_t width);
  torch::Tensor forward(const torch::Tensor& hidden);  // (B, T, H) -> (B, T, width)

  Linear dense{nullptr};
  std::string activation;
};
TORCH_MODULE(BertIntermediate);

class BertLayerImpl : public torch::nn::Module {
 public:
  BertLayerImpl(const BertConfig& config, int64_t layer_index);
  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& additive_mask, const torch::Tensor& head_mask);

  BertAttention attention{nullptr};
  BertIntermediate intermediate{nullptr};
  BertResidualOutput output{nullptr};
};
TORCH_MODULE(BertLayer);

class BertEncoderImpl : public torch::nn::Module {
 public:
  explicit BertEncoderImpl(const BertConfig& config);
  // head_masks: empty, or one (heads_in_layer) tensor per layer (for head-importance scoring).
  torch::Tensor forward(torch::Tensor hidden, const torch::Tensor& additive_mask,
                        const std::vector<torch::Tensor>& head_masks);

  torch::nn::ModuleList layer{nullptr};
  std::vector<BertLayer> layers;  // typed views of `layer`
};
TORCH_MODULE(BertEncoder);

class BertPoolerImpl : public torch::nn::Module {
 public:
  explicit BertPoolerImpl(const BertConfig& config);
  torch::Tensor forward(const torch::Tensor& hidden);  // (B, T, H) -> (B, H)

  Linear dense{nullptr};
};
TORCH_MODULE(BertPooler);

class BertModelImpl : public torch::nn::Module {
 public:
  explicit BertModelImpl(const BertConfig& config);

  BertEmbeddings embeddings{nullptr};
  BertEncoder encoder{nullptr};
  BertPooler pooler{nullptr};
};
TORCH_MODULE(BertModel);

class BertForSequenceClassificationImpl : public torch::nn::Module {
 public:
  explicit BertForSequenceClassificationImpl(const BertConfig& config);

  BertOutputs forward(const BertInputs& inputs, const std::vector<torch::Tensor>& head_masks = {});

  // HF's _init_weights: normal(0, initializer_range) for Linear/Embedding, zero bias and padding
  // row, LayerNorm = (1, 0). Uses the global torch generator (seed it first).
  void init_weights();

  BertConfig config;
  BertModel bert{nullptr};
  torch::nn::Dropout dropout{nullptr};
  Linear classifier{nullptr};
};
TORCH_MODULE(BertForSequenceClassification);

// HF's extended attention mask: (B, T) {0,1} -> (B, 1, 1, T) with 0 for tokens and the dtype's
// lowest value for padding, added to attention scores.
torch::Tensor additive_attention_mask(const torch::Tensor& attention_mask, torch::ScalarType dtype);

}  // namespace tpq::model
