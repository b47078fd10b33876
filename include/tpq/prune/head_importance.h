// How much each attention head matters: gradient importance (Michel et al. 2019, "Are Sixteen Heads
// Really Better than One?") over a calibration set, or the norm of the head's weights.
// Scores are indexed by ORIGINAL head number so they stay comparable after pruning.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/types.h>

#include "tpq/data/tokenized_split.h"
#include "tpq/model/encoder_classifier.h"

namespace tpq::prune {

enum class HeadImportance { Gradient, WeightNorm };

// UserError naming `where` (a flag or key) for anything but "gradient" / "weight_norm".
HeadImportance parse_head_importance(const std::string& name, const std::string& where);
std::string to_string(HeadImportance method);

// scores[layer][original_head]; a head already pruned has no score (NaN).
struct HeadScores {
  std::vector<std::vector<double>> scores;
  nlohmann::json to_json() const;  // NaN written as null
};

// Original head numbers still present in `layer`, in the order the layer stores them.
std::vector<int64_t> kept_heads(const model::EncoderConfig& config, int64_t layer);

struct GradientImportanceOptions {
  int64_t max_samples = 1000;  // calibration examples (from the training split)
  int64_t batch_size = 32;
  uint64_t seed = 0;           // which examples: a seeded shuffle of the split
  bool normalize_per_layer = true;
};

// Michel et al.: I_h = sum over batches of |dL/d xi_h|, xi_h a gate (1.0) on head h's attention
// output, L the mean cross-entropy of the batch, model in eval mode (no dropout); then each layer's
// scores are divided by their L2 norm (their code's default), so layers are ranked on one scale.
HeadScores gradient_head_importance(model::EncoderClassifierImpl& model, const data::TokenizedSplit& split,
                                    const GradientImportanceOptions& options, torch::Device device);

// ||[W_q; W_k; W_v] rows of h, W_o columns of h||_2 (biases excluded); per-layer L2 normalised
// when asked, as the gradient scores are.
HeadScores weight_norm_head_importance(model::EncoderClassifierImpl& model, bool normalize_per_layer = true);

}  // namespace tpq::prune
