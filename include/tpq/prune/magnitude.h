// Unstructured magnitude pruning of the encoder's Linear weights: importance scores (|w|, w², or
// Taylor |w·∂L/∂w|), masks at a target sparsity (one global threshold or per layer), and the
// sparsity actually present in the weights. Embeddings, LayerNorm, biases, pooler and classifier
// are never pruned.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/types.h>

#include "tpq/data/tokenized_split.h"
#include "tpq/model/encoder_classifier.h"

namespace tpq::prune {

enum class Importance { L1, L2, Taylor };
enum class Scope { Global, Local };

// UserError naming `where` (key and flag) and the accepted values.
Importance parse_importance(const std::string& text, const std::string& where);
Scope parse_scope(const std::string& text, const std::string& where);
std::string to_string(Importance importance);
std::string to_string(Scope scope);

// UserError naming `where` unless 0 <= sparsity < 1.
void require_sparsity_fraction(double sparsity, const std::string& where);

// Which weights magnitude pruning ranks. The encoder Linears always; the word-embedding table on
// request: in a small from-scratch model it holds most parameters (quick profile: 1.0 M of 1.45 M),
// so pruning only the encoder cannot shrink the file much.
struct PrunableSet {
  bool word_embeddings = false;
  std::string describe() const;  // "encoder Linear weights" (+ " and the word-embedding table")
};

// The prunable weights, by HF name: every encoder Linear weight (Q, K, V, attention output, FFN
// in and out; [out, in]) and, when asked, bert.embeddings.word_embeddings.weight ([vocab, hidden]),
// as tensors that alias the model's parameters.
std::vector<std::pair<std::string, torch::Tensor>> prunable_weights(model::EncoderClassifierImpl& model,
                                                                    const PrunableSet& set = {});

using Scores = std::map<std::string, torch::Tensor>;  // name -> score, same shape as the weight

// |w| (L1) or w² (L2) of every prunable weight.
Scores magnitude_scores(model::EncoderClassifierImpl& model, Importance importance, const PrunableSet& set = {});

struct TaylorOptions {
  int64_t samples = 256;  // training examples whose gradients are accumulated
  int64_t batch_size = 32;
  uint64_t seed = 42;
};

// Σ over batches of |w · ∂L/∂w| (first-order Taylor estimate of the loss change when w is zeroed),
// on the first `samples` of a seeded shuffle of `train`. Leaves the model in eval mode, grads cleared.
Scores taylor_scores(model::EncoderClassifierImpl& model, const data::TokenizedSplit& train,
                     const TaylorOptions& options, torch::Device device, const PrunableSet& set = {});

using Masks = std::map<std::string, torch::Tensor>;  // name -> bool tensor, true = kept

// Keeps the highest scores: exactly round(sparsity · n) entries are dropped, with n all prunable
// entries (Global: one ranking over every layer) or each layer's entries (Local). Ties break by index.
Masks compute_masks(const Scores& scores, double sparsity, Scope scope);

// Zeroes the masked-out entries in place (no autograd record); masks may name any prunable weight.
void apply_masks(model::EncoderClassifierImpl& model, const Masks& masks);

struct SparsityReport {
  int64_t total = 0;   // prunable entries
  int64_t zeros = 0;
  std::map<std::string, double> per_layer;  // name -> fraction of zeros
  double overall() const { return total > 0 ? static_cast<double>(zeros) / total : 0.0; }
  nlohmann::json per_layer_json() const;
};

// Zeros counted in the prunable weights themselves (not in the masks).
SparsityReport measure_sparsity(model::EncoderClassifierImpl& model, const PrunableSet& set = {});

}  // namespace tpq::prune
