// Physical removal of FFN (intermediate) neurons: intermediate.dense output rows and output.dense
// input columns are sliced away; config.intermediate_sizes records the new per-layer widths.
#pragma once

#include <cstdint>
#include <vector>

#include <torch/types.h>

#include "tpq/model/encoder_classifier.h"

namespace tpq::prune {

// Per layer, per neuron j: ||W_in[j, :]||_2 * ||W_out[:, j]||_2 — how strongly the neuron reads the
// hidden state times how strongly it writes back (a data-free proxy for its contribution).
std::vector<torch::Tensor> ffn_neuron_importance(model::EncoderClassifierImpl& model);

// The round(sparsity * width) least important neurons of each layer (positions in the current
// layer), keeping at least one. UserError unless 0 <= sparsity < 1.
std::vector<std::vector<int64_t>> select_ffn_neurons(const std::vector<torch::Tensor>& importance, double sparsity);

// Removes the given neuron positions per layer in place (FP32 Linears only).
void prune_ffn_neurons(model::EncoderClassifierImpl& model, const std::vector<std::vector<int64_t>>& remove);

}  // namespace tpq::prune
