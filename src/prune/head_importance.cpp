#include "tpq/prune/head_importance.h"

#include <cmath>
#include <limits>
#include <set>

#include <torch/torch.h>

#include "tpq/core/error.h"
#include "tpq/data/batching.h"

namespace tpq::prune {
namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

// Divides each layer's present scores by their L2 norm (Michel et al.'s code, exponent 2).
void normalize_layers(HeadScores& scores) {
  for (auto& layer : scores.scores) {
    double squares = 0;
    for (double s : layer) {
      if (!std::isnan(s)) squares += s * s;
    }
    const double norm = std::sqrt(squares) + 1e-20;
    for (double& s : layer) {
      if (!std::isnan(s)) s /= norm;
    }
  }
}

HeadScores empty_scores(const model::EncoderConfig& config) {
  HeadScores scores;
  scores.scores.assign(config.num_hidden_layers, std::vector<double>(config.num_attention_heads, kNaN));
  return scores;
}

}  // namespace

HeadImportance parse_head_importance(const std::string& name, const std::string& where) {
  if (name == "gradient") return HeadImportance::Gradient;
  if (name == "weight_norm") return HeadImportance::WeightNorm;
  throw UserError(where + " is '" + name + "'; head importance is gradient or weight_norm");
}

std::string to_string(HeadImportance method) { return method == HeadImportance::Gradient ? "gradient" : "weight_norm"; }

nlohmann::json HeadScores::to_json() const {
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& layer : scores) {
    nlohmann::json row = nlohmann::json::array();
    for (double s : layer) row.push_back(std::isnan(s) ? nlohmann::json(nullptr) : nlohmann::json(s));
    layers.push_back(row);
  }
  return layers;
}

std::vector<int64_t> kept_heads(const model::EncoderConfig& config, int64_t layer) {
  std::set<int64_t> removed;
  if (auto found = config.pruned_heads.find(layer); found != config.pruned_heads.end()) {
    removed.insert(found->second.begin(), found->second.end());
  }
  std::vector<int64_t> kept;
  for (int64_t head = 0; head < config.num_attention_heads; ++head) {
    if (removed.count(head) == 0) kept.push_back(head);
  }
  return kept;
}

HeadScores gradient_head_importance(model::EncoderClassifierImpl& model, const data::TokenizedSplit& split,
                                    const GradientImportanceOptions& options, torch::Device device) {
  require(options.max_samples > 0, "calibration_samples must be positive, found " + std::to_string(options.max_samples));
  require(split.size() > 0, "head importance: the calibration split is empty");
  const bool was_training = model.is_training();
  model.eval();  // Michel et al. score without dropout
  const auto& config = model.config;
  std::vector<torch::Tensor> gates;
  std::vector<torch::Tensor> totals;
  for (int64_t layer = 0; layer < config.num_hidden_layers; ++layer) {
    const int64_t heads = config.heads_in_layer(layer);
    gates.push_back(torch::ones({heads}, torch::TensorOptions().dtype(torch::kFloat).device(device)).requires_grad_(true));
    totals.push_back(torch::zeros({heads}, torch::kDouble));
  }
  auto batches = data::make_batches(split, options.batch_size, /*shuffle=*/true, options.seed,
                                    /*sort_by_length_buckets=*/false, device);
  int64_t seen = 0;
  data::Batch batch;
  while (seen < options.max_samples && batches.next(batch)) {
    const int64_t take = std::min<int64_t>(batch.labels.size(0), options.max_samples - seen);
    auto rows = [&](const torch::Tensor& t) { return t.narrow(0, 0, take); };
    const auto outputs = model.forward({rows(batch.input_ids), rows(batch.token_type_ids), rows(batch.attention_mask)}, gates);
    const auto loss = torch::nn::functional::cross_entropy(outputs.logits, rows(batch.labels));
    // Only the gates' gradients are needed: autograd::grad leaves the parameters' .grad alone.
    const auto grads = torch::autograd::grad({loss}, gates, /*grad_outputs=*/{}, /*retain_graph=*/false,
                                             /*create_graph=*/false, /*allow_unused=*/true);
    for (std::size_t layer = 0; layer < grads.size(); ++layer) {
      if (grads[layer].defined()) totals[layer] += grads[layer].detach().abs().to(torch::kCPU, torch::kDouble);
    }
    seen += take;
  }
  model.train(was_training);

  auto scores = empty_scores(config);
  for (int64_t layer = 0; layer < config.num_hidden_layers; ++layer) {
    const auto kept = kept_heads(config, layer);
    for (std::size_t i = 0; i < kept.size(); ++i) scores.scores[layer][kept[i]] = totals[layer][i].item<double>();
  }
  if (options.normalize_per_layer) normalize_layers(scores);
  return scores;
}

HeadScores weight_norm_head_importance(model::EncoderClassifierImpl& model, bool normalize_per_layer) {
  torch::NoGradGuard no_grad;
  const auto& config = model.config;
  auto scores = empty_scores(config);
  for (int64_t layer = 0; layer < config.num_hidden_layers; ++layer) {
    auto& parts = model.layers[layer];
    for (auto* linear : {parts->query.get(), parts->key.get(), parts->value.get(), parts->attention_output.get()}) {
      require(!linear->kernel, "weight_norm head importance needs FP32 weights; score the model before quantizing it");
    }
    const int64_t d = parts->head_dim;
    const auto kept = kept_heads(config, layer);
    for (std::size_t i = 0; i < kept.size(); ++i) {
      const int64_t begin = static_cast<int64_t>(i) * d;
      double squares = 0;
      for (auto* linear : {parts->query.get(), parts->key.get(), parts->value.get()}) {
        squares += linear->weight.narrow(0, begin, d).to(torch::kDouble).pow(2).sum().item<double>();
      }
      squares += parts->attention_output->weight.narrow(1, begin, d).to(torch::kDouble).pow(2).sum().item<double>();
      scores.scores[layer][kept[i]] = std::sqrt(squares);
    }
  }
  if (normalize_per_layer) normalize_layers(scores);
  return scores;
}

}  // namespace tpq::prune
