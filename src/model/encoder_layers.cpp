// Embeddings and encoder layers shared by the families; forward functions follow HF's modeling_bert.
#include <cmath>
#include <limits>

#include <torch/nn/functional/activation.h>
#include <torch/torch.h>

#include "module_paths.h"
#include "tpq/model/add_layer_norm.h"
#include "tpq/model/encoder_classifier.h"
#include "tpq/model/layer_norm.h"
#include "tpq/model/softmax_dropout.h"

namespace tpq::model {
namespace {

torch::nn::LayerNorm make_layer_norm(const EncoderConfig& config) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({config.hidden_size}).eps(config.layer_norm_eps));
}

// Registers a dropout where the family has one (HF's module tree). Where it has none (DistilBERT's
// attention output) the slot is an identity: an unregistered module would miss eval() and drop in eval.
CounterDropout make_dropout(torch::nn::Module& root, const std::string& path, double p) {
  return path.empty() ? CounterDropout(0.0) : register_at(root, path, CounterDropout(p));
}

// branch + residual in their promoted dtype. Under autocast the branch is bf16/fp16 and the residual
// FP32: ATen's add would convert element by element on its casting path, 4x the time of converting
// the branch first (the sums are the same: the promotion is exact).
bool is_power_of_two(double value) { return std::exp2(std::round(std::log2(value))) == value; }

// x's rows at positions: (B, T, H) and (B, M) -> (B, M, H).
torch::Tensor rows_at(const torch::Tensor& x, const torch::Tensor& positions) {
  return x.gather(1, positions.unsqueeze(-1).expand({positions.size(0), positions.size(1), x.size(2)}));
}

torch::Tensor residual_add(const torch::Tensor& branch, const torch::Tensor& residual) {
  const auto dtype = at::result_type(branch, residual);
  return branch.to(dtype) + residual.to(dtype);
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

EncoderEmbeddingsImpl::EncoderEmbeddingsImpl(const EncoderConfig& config, const EncoderFamily& family)
    : positions(family.positions), pad_token_id(config.pad_token_id) {
  word_embeddings = register_module(
      "word_embeddings",
      torch::nn::Embedding(torch::nn::EmbeddingOptions(config.vocab_size, config.hidden_size).padding_idx(config.pad_token_id)));
  auto position_options = torch::nn::EmbeddingOptions(config.max_position_embeddings, config.hidden_size);
  if (positions == PositionIds::AfterPadding) position_options.padding_idx(config.pad_token_id);  // RoBERTa's padding_idx
  position_embeddings = register_module("position_embeddings", torch::nn::Embedding(position_options));
  if (family.token_type_embeddings) {
    token_type_embeddings = register_module(
        "token_type_embeddings", torch::nn::Embedding(config.type_vocab_size, config.hidden_size));
  }
  LayerNorm = register_module("LayerNorm", make_layer_norm(config));
  dropout = register_module("dropout", CounterDropout(config.hidden_dropout_prob));
}

torch::Tensor EncoderEmbeddingsImpl::forward(const torch::Tensor& input_ids, const torch::Tensor& token_type_ids) {
  const int64_t seq_len = input_ids.size(1);
  torch::Tensor position_ids;
  if (positions == PositionIds::AfterPadding) {
    // HF's create_position_ids_from_input_ids: (B, T) = cumsum(not pad) * not pad + padding_idx
    const auto not_pad = input_ids.ne(pad_token_id).to(torch::kLong);
    position_ids = torch::cumsum(not_pad, 1) * not_pad + pad_token_id;
  } else {
    position_ids = torch::arange(seq_len, input_ids.options()).unsqueeze(0);  // (1, T)
  }
  auto embeddings = word_embeddings(input_ids);
  if (token_type_embeddings) {
    // One type (RoBERTa, type_vocab_size 1) means no segments: a BERT-layout tokenizer's 1s for a
    // second segment read as type 0, as RoBERTa's own tokenizer would give them.
    const bool one_type = token_type_embeddings->weight.size(0) == 1;
    embeddings = embeddings + token_type_embeddings(token_type_ids.defined() && !one_type ? token_type_ids
                                                                                        : torch::zeros_like(input_ids));
  }
  embeddings = embeddings + position_embeddings(position_ids);
  return dropout(layer_norm(*LayerNorm, embeddings));  // (B, T, H)
}

EncoderLayerImpl::EncoderLayerImpl(const EncoderConfig& config, const EncoderFamily& family, int64_t layer_index)
    : num_heads(config.heads_in_layer(layer_index)), head_dim(config.head_dim()), activation(config.hidden_act),
      scale_query_first(family.scale_query_first) {
  const auto& paths = family.layer;
  const int64_t hidden = config.hidden_size, all_heads = num_heads * head_dim;
  const int64_t width = config.intermediate_size_of_layer(layer_index);
  // Registration order is HF's module order: init_weights draws in it.
  query = register_at(*this, paths.query, Linear(hidden, all_heads));
  key = register_at(*this, paths.key, Linear(hidden, all_heads));
  value = register_at(*this, paths.value, Linear(hidden, all_heads));
  attention_dropout = make_dropout(*this, paths.attention_dropout, config.attention_probs_dropout_prob);
  attention_output = register_at(*this, paths.attention_output, Linear(all_heads, hidden));
  attention_norm = register_at(*this, paths.attention_norm, make_layer_norm(config));
  attention_output_dropout = make_dropout(*this, paths.attention_output_dropout, config.hidden_dropout_prob);
  ffn_in = register_at(*this, paths.ffn_in, Linear(hidden, width));
  ffn_out = register_at(*this, paths.ffn_out, Linear(width, hidden));
  output_norm = register_at(*this, paths.output_norm, make_layer_norm(config));
  output_dropout = make_dropout(*this, paths.output_dropout, config.hidden_dropout_prob);
}

bool EncoderLayerImpl::fused_attention_applies(const torch::Tensor& query, const torch::Tensor& additive_mask,
                                               const torch::Tensor& head_mask) const {
  if (head_mask.defined() || (attention_dropout->is_training() && attention_dropout->p > 0)) return false;
  if (!kernels::attention_kernel_applies(query, additive_mask)) return false;
  // The epilogue adds a (B, 1, 1, T) mask; any other shape takes LibTorch's broadcast.
  return !additive_mask.defined() || additive_mask.sizes() == torch::IntArrayRef{query.size(0), 1, 1, query.size(1)};
}

torch::Tensor EncoderLayerImpl::attend(const torch::Tensor& hidden, const torch::Tensor& additive_mask,
                                       const torch::Tensor& head_mask) {
  if (num_heads == 0) {  // every head pruned: the block contributes only its output bias
    return torch::zeros({hidden.size(0), hidden.size(1), 0}, hidden.options());
  }
  const auto projected = forward_sharing_input({query.get(), key.get(), value.get()}, hidden);
  const double scale = std::sqrt(static_cast<double>(head_dim));
  if (is_power_of_two(scale) && fused_attention_applies(projected[0], additive_mask, head_mask)) {
    return attention_kernel.forward(projected[0], projected[1], projected[2], additive_mask, num_heads,
                                    static_cast<float>(1.0 / scale));
  }
  return attention_context(projected[0], projected[1], projected[2], additive_mask, head_mask);
}

torch::Tensor EncoderLayerImpl::attend_rows(const torch::Tensor& queries, const torch::Tensor& hidden,
                                            const torch::Tensor& additive_mask) {
  if (num_heads == 0) return torch::zeros({queries.size(0), queries.size(1), 0}, queries.options());
  const auto keys_values = forward_sharing_input({key.get(), value.get()}, hidden);
  return attention_context(query(queries), keys_values[0], keys_values[1], additive_mask, {});
}

torch::Tensor EncoderLayerImpl::attention_context(const torch::Tensor& q_rows, const torch::Tensor& k_rows,
                                                  const torch::Tensor& v_rows, const torch::Tensor& additive_mask,
                                                  const torch::Tensor& head_mask) {
  const int64_t batch = q_rows.size(0), rows = q_rows.size(1);
  // (B, T, heads*d) -> (B, heads, T, d)
  auto split_heads = [&](const torch::Tensor& x) { return x.view({batch, x.size(1), num_heads, head_dim}).transpose(1, 2); };
  auto q = split_heads(q_rows);
  auto k = split_heads(k_rows);
  auto v = split_heads(v_rows);
  const double scale = std::sqrt(static_cast<double>(head_dim));
  // Dividing by a power of two is exact, so where sqrt(d) is one (d = 16, 64, 256) scaling q first gives
  // the very scores of the family's order, at a T/d-th of the work (and of the saved tensors for backward).
  // scores (B, heads, M, T) = q k^T / sqrt(d) + mask (undefined: no padding), scaled where the family scales
  auto scores = scale_query_first || is_power_of_two(scale) ? torch::matmul(q / scale, k.transpose(-1, -2))
                                                            : torch::matmul(q, k.transpose(-1, -2)) / scale;
  auto probs = attention_probabilities(scores, additive_mask);
  if (head_mask.defined()) probs = probs * head_mask.view({1, num_heads, 1, 1}).to(probs.dtype());
  auto context = torch::matmul(probs, v);  // (B, heads, M, d)
  return context.transpose(1, 2).reshape({batch, rows, num_heads * head_dim});
}

// dropout(softmax(scores + mask)): in training with dropout, one fused node (softmax_dropout.h).
torch::Tensor EncoderLayerImpl::attention_probabilities(const torch::Tensor& scores, const torch::Tensor& additive_mask) {
  const double p = attention_dropout->p;
  const bool dropping = attention_dropout->is_training() && p > 0 && p < 1;
  if (dropping && fused_softmax_dropout_enabled() && softmax_dropout_applies(scores, additive_mask)) {
    return softmax_dropout(scores, additive_mask, p);
  }
  return attention_dropout(torch::softmax(additive_mask.defined() ? scores + additive_mask : scores, -1));
}

namespace {

// LayerNorm(branch + residual): where add_layer_norm applies (training under bf16 autocast), one
// fused node that also gives the bf16 copy the next matrix products read.
HiddenStates add_and_norm(torch::nn::LayerNorm& norm, const torch::Tensor& branch, const torch::Tensor& residual) {
  const auto& weight = norm->weight;
  const auto& bias = norm->bias;
  if (fused_add_layer_norm_enabled() && add_layer_norm_applies(branch, residual, weight, bias)) {
    return add_layer_norm(branch, residual, weight, bias, norm->options.eps());
  }
  return {layer_norm(*norm, residual_add(branch, residual)), {}};
}

}  // namespace

torch::Tensor EncoderLayerImpl::forward(const torch::Tensor& hidden, const torch::Tensor& additive_mask,
                                        const torch::Tensor& head_mask) {
  return forward_states({hidden, {}}, additive_mask, head_mask).full;
}

HiddenStates EncoderLayerImpl::forward_states(const HiddenStates& hidden, const torch::Tensor& additive_mask,
                                              const torch::Tensor& head_mask) {
  // attended = LayerNorm(dropout(W_o attention(x)) + x); out = LayerNorm(dropout(W_2 act(W_1 attended)) + attended)
  const auto branch = attention_output_dropout(attention_output(attend(product_input(hidden), additive_mask, head_mask)));
  return feed_forward(add_and_norm(attention_norm, branch, hidden.full));
}

HiddenStates EncoderLayerImpl::forward_states_at(const HiddenStates& hidden, const torch::Tensor& additive_mask,
                                                 const torch::Tensor& positions) {
  const HiddenStates rows{rows_at(hidden.full, positions),
                          hidden.low.defined() ? rows_at(hidden.low, positions) : torch::Tensor()};
  const auto attended = attend_rows(product_input(rows), product_input(hidden), additive_mask);
  return feed_forward(add_and_norm(attention_norm, attention_output_dropout(attention_output(attended)), rows.full));
}

HiddenStates EncoderLayerImpl::feed_forward(const HiddenStates& attended) {
  const auto x = ffn_in->forward_activated(product_input(attended), kernels::activation_from_hidden_act(activation));
  return add_and_norm(output_norm, output_dropout(ffn_out(x)), attended.full);
}

}  // namespace tpq::model
