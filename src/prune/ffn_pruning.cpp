#include "tpq/prune/ffn_pruning.h"

#include <algorithm>
#include <cmath>
#include <set>

#include <torch/torch.h>

#include "tpq/core/error.h"

namespace tpq::prune {

std::vector<torch::Tensor> ffn_neuron_importance(model::EncoderClassifierImpl& model) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> importance;
  for (auto& layer : model.layers) {
    auto& in = *layer->ffn_in;
    auto& out = *layer->ffn_out;
    require(!in.kernel && !out.kernel, "FFN neuron importance needs FP32 weights; score the model before quantizing it");
    // in.weight (width, H): row j reads; out.weight (H, width): column j writes back.
    importance.push_back((in.weight.pow(2).sum(1).sqrt() * out.weight.pow(2).sum(0).sqrt()).to(torch::kCPU));
  }
  return importance;
}

std::vector<std::vector<int64_t>> select_ffn_neurons(const std::vector<torch::Tensor>& importance, double sparsity) {
  require(sparsity >= 0 && sparsity < 1, "FFN sparsity must be in [0, 1), found " + std::to_string(sparsity) +
                                             " (1 would remove every neuron of a layer)");
  std::vector<std::vector<int64_t>> remove;
  for (const auto& scores : importance) {
    const int64_t width = scores.size(0);
    const int64_t count = std::min<int64_t>(std::llround(sparsity * static_cast<double>(width)), std::max<int64_t>(0, width - 1));
    // Stable order: ties keep the lower index first, so the selection is deterministic.
    const auto order = std::get<1>(scores.sort(/*stable=*/true, /*dim=*/0, /*descending=*/false));
    std::vector<int64_t> layer(order.data_ptr<int64_t>(), order.data_ptr<int64_t>() + count);
    std::sort(layer.begin(), layer.end());
    remove.push_back(std::move(layer));
  }
  return remove;
}

void prune_ffn_neurons(model::EncoderClassifierImpl& model, const std::vector<std::vector<int64_t>>& remove) {
  auto& config = model.config;
  require(static_cast<int64_t>(remove.size()) == config.num_hidden_layers,
          "FFN pruning needs one neuron list per layer (" + std::to_string(config.num_hidden_layers) + ")");
  if (config.intermediate_sizes.empty()) config.intermediate_sizes.assign(config.num_hidden_layers, config.intermediate_size);
  torch::NoGradGuard no_grad;
  for (int64_t layer = 0; layer < config.num_hidden_layers; ++layer) {
    if (remove[layer].empty()) continue;
    auto& in = *model.layers[layer]->ffn_in;
    auto& out = *model.layers[layer]->ffn_out;
    require(!in.kernel && !out.kernel, "cannot prune FFN neurons of layer " + std::to_string(layer) +
                                           ": its weights are quantized; prune before quantizing");
    const int64_t width = in.weight.size(0);
    const std::set<int64_t> drop(remove[layer].begin(), remove[layer].end());
    for (int64_t j : drop) {
      require(j >= 0 && j < width, "FFN pruning: layer " + std::to_string(layer) + " has no neuron " + std::to_string(j) +
                                       " (width " + std::to_string(width) + ")");
    }
    require(static_cast<int64_t>(drop.size()) < width,
            "FFN pruning: removing every neuron of layer " + std::to_string(layer) + " is not supported");
    std::vector<int64_t> keep;
    for (int64_t j = 0; j < width; ++j) {
      if (drop.count(j) == 0) keep.push_back(j);
    }
    const auto index = torch::tensor(keep, torch::kLong).to(in.weight.device());
    in.weight.set_data(in.weight.index_select(0, index).contiguous());
    in.bias.set_data(in.bias.index_select(0, index).contiguous());
    out.weight.set_data(out.weight.index_select(1, index).contiguous());
    config.intermediate_sizes[layer] = static_cast<int64_t>(keep.size());
  }
}

}  // namespace tpq::prune
