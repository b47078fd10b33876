#include "tpq/prune/head_pruning.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <tuple>

#include <torch/torch.h>

#include "tpq/core/error.h"

namespace tpq::prune {
namespace {

void require_fp32(const model::LinearImpl& linear, const std::string& name) {
  require(!linear.kernel, "cannot prune heads of " + name + ": its weights are quantized; prune before quantizing");
}

// Keeps `index` along `dim` of a Linear's weight (and of its bias when dim == 0).
void keep_slices(model::LinearImpl& linear, const torch::Tensor& index, int64_t dim) {
  torch::NoGradGuard no_grad;
  linear.weight.set_data(linear.weight.index_select(dim, index.to(linear.weight.device())).contiguous());
  if (dim == 0) linear.bias.set_data(linear.bias.index_select(0, index.to(linear.bias.device())).contiguous());
}

}  // namespace

int64_t total_heads(const model::EncoderConfig& config) {
  int64_t total = 0;
  for (int64_t layer = 0; layer < config.num_hidden_layers; ++layer) total += config.heads_in_layer(layer);
  return total;
}

int64_t removable_heads(const model::EncoderConfig& config) {
  int64_t removable = 0;
  for (int64_t layer = 0; layer < config.num_hidden_layers; ++layer) {
    removable += std::max<int64_t>(0, config.heads_in_layer(layer) - 1);
  }
  return removable;
}

HeadSelection select_heads_to_prune(const model::EncoderConfig& config, const HeadScores& scores, int64_t count) {
  require(count >= 0, "heads to prune must be >= 0, found " + std::to_string(count));
  const int64_t removable = removable_heads(config);
  require(count <= removable, "cannot prune " + std::to_string(count) + " heads: the model has " +
                                  std::to_string(total_heads(config)) + " heads in " + std::to_string(config.num_hidden_layers) +
                                  " layers and tpq keeps one per layer, so at most " + std::to_string(removable) +
                                  " can go; lower --heads / --head_fractions");
  require(static_cast<int64_t>(scores.scores.size()) == config.num_hidden_layers, "head scores have the wrong number of layers");
  std::vector<std::tuple<double, int64_t, int64_t>> ranked;  // (score, layer, original head)
  for (int64_t layer = 0; layer < config.num_hidden_layers; ++layer) {
    for (int64_t head : kept_heads(config, layer)) {
      const double score = scores.scores[layer].at(head);
      require(!std::isnan(score), "head scores lack layer " + std::to_string(layer) + " head " + std::to_string(head));
      ranked.emplace_back(score, layer, head);
    }
  }
  std::sort(ranked.begin(), ranked.end());
  std::vector<int64_t> left(config.num_hidden_layers);
  for (int64_t layer = 0; layer < config.num_hidden_layers; ++layer) left[layer] = config.heads_in_layer(layer);
  HeadSelection selection;
  int64_t chosen = 0;
  for (const auto& [score, layer, head] : ranked) {
    if (chosen == count) break;
    if (left[layer] <= 1) continue;  // the layer's last head stays
    selection[layer].push_back(head);
    --left[layer];
    ++chosen;
  }
  for (auto& [layer, heads] : selection) std::sort(heads.begin(), heads.end());
  return selection;
}

void prune_heads(model::EncoderClassifierImpl& model, const HeadSelection& heads) {
  auto& config = model.config;
  for (const auto& [layer, requested] : heads) {
    require(layer >= 0 && layer < config.num_hidden_layers,
            "prune heads: layer " + std::to_string(layer) + " does not exist (the model has " +
                std::to_string(config.num_hidden_layers) + ")");
    const auto kept_before = kept_heads(config, layer);
    std::set<int64_t> remove;
    for (int64_t head : requested) {
      require(head >= 0 && head < config.num_attention_heads,
              "prune heads: layer " + std::to_string(layer) + " has no head " + std::to_string(head) + " (heads are 0.." +
                  std::to_string(config.num_attention_heads - 1) + ")");
      if (std::find(kept_before.begin(), kept_before.end(), head) != kept_before.end()) remove.insert(head);
    }
    if (remove.empty()) continue;
    require(remove.size() < kept_before.size(), "prune heads: removing " + std::to_string(remove.size()) +
                                                    " heads would leave layer " + std::to_string(layer) +
                                                    " without attention; tpq keeps at least one head per layer");
    auto& parts = model.layers[layer];
    const auto& paths = model.family().layer;
    const std::string prefix = model.family().layer_prefix(layer);
    require_fp32(*parts->query, prefix + paths.query);
    require_fp32(*parts->key, prefix + paths.key);
    require_fp32(*parts->value, prefix + paths.value);
    require_fp32(*parts->attention_output, prefix + paths.attention_output);
    // Rows [p*d, (p+1)*d) of Q/K/V and the same columns of the output projection belong to the head
    // stored at position p.
    const int64_t d = parts->head_dim;
    std::vector<int64_t> keep_index;
    for (std::size_t position = 0; position < kept_before.size(); ++position) {
      if (remove.count(kept_before[position])) continue;
      for (int64_t k = 0; k < d; ++k) keep_index.push_back(static_cast<int64_t>(position) * d + k);
    }
    const auto index = torch::tensor(keep_index, torch::kLong);
    keep_slices(*parts->query, index, 0);
    keep_slices(*parts->key, index, 0);
    keep_slices(*parts->value, index, 0);
    keep_slices(*parts->attention_output, index, 1);
    parts->num_heads = static_cast<int64_t>(kept_before.size() - remove.size());
    auto& pruned = config.pruned_heads[layer];
    pruned.insert(pruned.end(), remove.begin(), remove.end());
    std::sort(pruned.begin(), pruned.end());
  }
}

}  // namespace tpq::prune
