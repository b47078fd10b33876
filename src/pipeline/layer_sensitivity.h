// Layer sensitivity to INT8, an evaluation sweep of experiment 05: quantize one Linear (or one
// encoder layer's Linears) at a time with dynamic per-channel INT8, evaluate on a validation slice,
// and rank by the damage done.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/types.h>

#include "tpq/data/tokenized_split.h"
#include "tpq/model/encoder_classifier.h"
#include "tpq/quant/quantized_model.h"

namespace tpq::pipeline {

struct SensitivityEntry {
  std::string module;  // a Linear ("bert.encoder.layer.0.attention.self.query") or a layer ("bert.encoder.layer.0")
  int64_t layer = -1;  // encoder layer index; -1 for pooler / classifier
  double accuracy = 0;
  double accuracy_drop = 0;  // FP32 accuracy - this accuracy (on the same slice)
  double loss = 0;
  double loss_change = 0;  // this loss - FP32 loss

  nlohmann::json to_json() const;
};

struct SensitivityReport {
  double fp32_accuracy = 0;
  double fp32_loss = 0;
  int64_t samples = 0;
  std::vector<SensitivityEntry> linears;  // one per selected Linear, most sensitive first
  std::vector<SensitivityEntry> layers;   // one per encoder layer (all its Linears), most sensitive first

  // The k most sensitive Linears (fewer if there are fewer).
  std::vector<std::string> top_linears(int64_t k) const;
};

// Fresh FP32 copies of the model under study, one per trial.
using ModelFactory = std::function<model::EncoderClassifier()>;

// Ranks by accuracy drop, then loss change (the tie-breaker on a small slice), both descending.
void rank_by_sensitivity(std::vector<SensitivityEntry>& entries);

// Evaluates FP32 and every single-Linear / single-layer INT8 variant (CPU) on `slice`.
SensitivityReport layer_sensitivity(const ModelFactory& make_fp32, const quant::LinearSelection& selection,
                                    const data::TokenizedSplit& slice, int64_t num_labels, int64_t batch_size);

}  // namespace tpq::pipeline
