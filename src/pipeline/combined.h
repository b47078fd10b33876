// Experiment 09: pruning and quantization combined, in both orders (the template's 4.3).
// prune -> quantize: heads + FFN neurons removed from the FP32 baseline, fine-tuned in FP32, then
// dynamic INT8. quantize -> prune: dynamic INT8 first, then the same amount of heads + FFN removed
// from the INT8 model, ranked on its INT8 weights (INT8 weights cannot be fine-tuned). Every stage
// is saved and measured side by side with the FP32 baseline.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "tpq/pipeline/experiment.h"
#include "pipeline/structured_pruning.h"
#include "tpq/quant/int8_linear.h"

namespace tpq::pipeline {

struct CombinedOptions {
  StructuredPruningOptions pruning;  // combined_head_fraction, combined_ffn_sparsity, head_importance, fine-tuning
  quant::Granularity granularity = quant::Granularity::PerChannel;
};

// Reads the `pruning:` section (pruning.granularity: per_channel | per_tensor; pruning.quantization
// must be dynamic_int8, the only method both orders can apply to a pruned or unpruned model alike).
CombinedOptions combined_options(const ExperimentConfig& config);

// Fills orders.winner / winner_key / winner_rule / winner_margin / compression_gap from the two
// orders' final_accuracy and total_compression: higher accuracy wins; within 0.1 point the higher
// total compression wins; within 0.01x as well it is a tie.
void decide_winner(nlohmann::json& orders);

ExperimentDefinition combined_definition();

}  // namespace tpq::pipeline
