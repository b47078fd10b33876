// Physical removal of attention heads: Q/K/V output rows and attention.output.dense input columns
// are sliced away, num_heads shrinks, and config.pruned_heads records HF-style what was removed.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "tpq/model/encoder_classifier.h"
#include "tpq/prune/head_importance.h"

namespace tpq::prune {

// layer -> ORIGINAL head numbers (HF's prune_heads convention).
using HeadSelection = std::map<int64_t, std::vector<int64_t>>;

// The `count` least important heads across all layers (one global ranking; ties broken by layer,
// then head). A layer's last remaining head is never chosen: a layer without attention would only
// add its output bias, and HF cannot represent it either. UserError when count is negative or
// exceeds the removable heads (total heads minus one per layer).
HeadSelection select_heads_to_prune(const model::EncoderConfig& config, const HeadScores& scores, int64_t count);

// Heads that can be removed at most: every present head except one per layer.
int64_t removable_heads(const model::EncoderConfig& config);
int64_t total_heads(const model::EncoderConfig& config);  // heads present now

// Removes the heads in place (FP32 Linears only). Heads already pruned are ignored, as in HF.
// UserError for a layer/head out of range or a selection that would empty a layer.
void prune_heads(model::EncoderClassifierImpl& model, const HeadSelection& heads);

}  // namespace tpq::prune
