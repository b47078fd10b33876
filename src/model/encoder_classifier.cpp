// The classifier: base model (embeddings, encoder layers, the family's pooler) and classification
// head, built under the family's HF names, and HF-style initialisation.
#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include "module_paths.h"
#include "tpq/core/error.h"
#include "tpq/kernels/kernel_info.h"
#include "tpq/model/encoder_classifier.h"

namespace tpq::model {

EncoderClassifierImpl::EncoderClassifierImpl(const EncoderConfig& config_in) : config(config_in) {
  config.validate(config.family().architecture);
  const auto& names = family();
  base = holder_at(*this, names.base);
  embeddings = register_at(*this, names.embeddings, EncoderEmbeddings(config, names));
  for (int64_t i = 0; i < config.num_hidden_layers; ++i) {
    layers.push_back(register_at(*this, names.layers + "." + std::to_string(i), EncoderLayer(config, names, i)));
  }
  head_dense = register_at(*this, names.head_dense, Linear(config.hidden_size, config.hidden_size));
  dropout = register_module("dropout", CounterDropout(config.effective_classifier_dropout()));
  classifier = register_at(*this, names.classifier, Linear(config.hidden_size, config.num_labels()));
  init_weights();
}

namespace {

// Under autocast the attention scores leave their matmul in the autocast dtype. A mask of that dtype
// keeps the add and the softmax there; an FP32 mask promoted the (B, heads, T, T) scores back to FP32
// (with a copy each way), which made bf16 attention slower than it needs to be (about 1.9x per layer).
torch::ScalarType attention_score_dtype(const torch::Tensor& hidden) {
  if (hidden.device().is_cpu() && at::autocast::is_cpu_enabled()) return at::autocast::get_autocast_cpu_dtype();
  if (hidden.device().is_cuda() && at::autocast::is_enabled()) return at::autocast::get_autocast_gpu_dtype();
  return hidden.scalar_type();
}

}  // namespace

torch::Tensor EncoderClassifierImpl::encode(const ModelInputs& inputs, const std::vector<torch::Tensor>& head_masks) {
  return run_encoder(inputs, head_masks, {});
}

torch::Tensor EncoderClassifierImpl::encode_at(const ModelInputs& inputs, const torch::Tensor& positions) {
  const auto& ids = inputs.input_ids;
  require(positions.defined() && positions.dim() == 2 && positions.scalar_type() == torch::kLong &&
              ids.dim() == 2 && positions.size(0) == ids.size(0),
          "encode_at needs int64 positions (batch, rows) for input_ids (batch, seq_len)");
  require(positions.numel() == 0 || (positions.min().item<int64_t>() >= 0 && positions.max().item<int64_t>() < ids.size(1)),
          "encode_at positions must lie in [0, seq_len)");
  return run_encoder(inputs, {}, positions);
}

torch::Tensor EncoderClassifierImpl::run_encoder(const ModelInputs& inputs, const std::vector<torch::Tensor>& head_masks,
                                                 const torch::Tensor& positions) {
  const auto& ids = inputs.input_ids;
  require(ids.dim() == 2, "input_ids must be (batch, seq_len), got " + std::to_string(ids.dim()) + " dims");
  require(ids.size(1) <= config.max_position_embeddings,
          "sequence length " + std::to_string(ids.size(1)) + " exceeds max_position_embeddings " +
              std::to_string(config.max_position_embeddings) + "; lower --max-length");
  require(head_masks.empty() || static_cast<int64_t>(head_masks.size()) == config.num_hidden_layers,
          "head_masks needs one tensor per layer");
  auto hidden = embeddings(ids, inputs.token_type_ids);  // (B, T, H)
  // A batch without padding (every batch-1 input, most length-bucketed batches) adds no mask: adding
  // zeros changes no score, and skipping it saves a pass over each layer's (B, heads, T, T) scores.
  const bool padded = inputs.attention_mask.defined() && !inputs.attention_mask.all().item<bool>();
  const auto additive_mask = padded ? additive_attention_mask(inputs.attention_mask, attention_score_dtype(hidden)) : torch::Tensor();
  HiddenStates states{hidden, {}};
  const std::size_t full_layers = positions.defined() && !layers.empty() ? layers.size() - 1 : layers.size();
  for (std::size_t i = 0; i < full_layers; ++i) {
    states = layers[i]->forward_states(states, additive_mask, head_masks.empty() ? torch::Tensor() : head_masks.at(i));
  }
  if (!positions.defined()) return states.full;
  if (layers.empty()) return states.full.gather(1, positions.unsqueeze(-1).expand({-1, -1, states.full.size(2)}));
  return layers.back()->forward_states_at(states, additive_mask, positions).full;
}

std::pair<torch::Tensor, torch::Tensor> EncoderClassifierImpl::classify(const torch::Tensor& first_token) {
  switch (family().head) {
    case ClassifierHead::PreClassifierRelu: {  // DistilBERT
      auto pooled = torch::relu(head_dense(first_token));
      return {pooled, classifier(dropout(pooled))};
    }
    case ClassifierHead::DenseTanh: {  // RoBERTa: dropout before the dense layer too
      auto pooled = torch::tanh(head_dense(dropout(first_token)));
      return {pooled, classifier(dropout(pooled))};
    }
    case ClassifierHead::PoolerTanh:
      break;
  }
  auto pooled = torch::tanh(head_dense(first_token));  // BERT's pooler
  return {pooled, classifier(dropout(pooled))};
}

ClassifierOutputs EncoderClassifierImpl::forward(const ModelInputs& inputs, const std::vector<torch::Tensor>& head_masks) {
  using torch::indexing::Slice;
  auto hidden = encode(inputs, head_masks);
  auto [pooled, logits] = classify(hidden.index({Slice(), 0}));  // the first token: [CLS] / <s>
  return {logits, hidden, pooled};
}

torch::Tensor EncoderClassifierImpl::logits(const ModelInputs& inputs) {
  const auto& ids = inputs.input_ids;
  require(ids.dim() == 2, "input_ids must be (batch, seq_len), got " + std::to_string(ids.dim()) + " dims");
  if (kernels::last_layer_choice() == "full") return forward(inputs).logits;
  const auto first_token = torch::zeros({ids.size(0), 1}, ids.options().dtype(torch::kLong));
  return classify(run_encoder(inputs, {}, first_token).select(1, 0)).second;
}

namespace {

// DistilBERT's create_sinusoidal_embeddings: row p, column j = sin / cos(p / 10000^(2 floor(j/2) / dim)),
// sin in even columns, cos in odd ones; the table is then frozen.
void fill_sinusoidal(torch::Tensor& table) {
  const int64_t positions = table.size(0), dim = table.size(1);
  auto position = torch::arange(positions, torch::kDouble).unsqueeze(1);                 // (P, 1)
  auto pair = torch::floor(torch::arange(dim, torch::kDouble) / 2) * 2 / static_cast<double>(dim);  // (D)
  auto angle = position / torch::pow(10000.0, pair).unsqueeze(0);                        // (P, D)
  using torch::indexing::None;
  using torch::indexing::Slice;
  table.index_put_({Slice(), Slice(0, None, 2)}, torch::sin(angle.index({Slice(), Slice(0, None, 2)})).to(table.dtype()));
  table.index_put_({Slice(), Slice(1, None, 2)}, torch::cos(angle.index({Slice(), Slice(1, None, 2)})).to(table.dtype()));
  table.set_requires_grad(false);
}

}  // namespace

void EncoderClassifierImpl::init_weights() {
  torch::NoGradGuard no_grad;
  const double std_dev = config.initializer_range;
  for (auto& module : modules(/*include_self=*/false)) {
    if (auto* linear = module->as<LinearImpl>()) {
      linear->weight.normal_(0.0, std_dev);
      linear->bias.zero_();
    } else if (auto* embedding = module->as<torch::nn::EmbeddingImpl>()) {
      embedding->weight.normal_(0.0, std_dev);
      if (embedding->options.padding_idx()) embedding->weight[*embedding->options.padding_idx()].zero_();
    } else if (auto* norm = module->as<torch::nn::LayerNormImpl>()) {
      norm->weight.fill_(1.0);
      norm->bias.zero_();
    }
  }
  const auto sinusoidal = config.extra.find("sinusoidal_pos_embds");  // DistilBERT's switch
  if (sinusoidal != config.extra.end() && sinusoidal->is_boolean() && sinusoidal->get<bool>()) {
    fill_sinusoidal(embeddings->position_embeddings->weight);
  }
}

}  // namespace tpq::model
