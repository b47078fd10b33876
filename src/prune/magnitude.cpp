#include "tpq/prune/magnitude.h"

#include <cmath>

#include <torch/torch.h>

#include "tpq/core/error.h"
#include "tpq/data/batching.h"
#include "tpq/model/model_state.h"

namespace tpq::prune {

Importance parse_importance(const std::string& text, const std::string& where) {
  if (text == "l1") return Importance::L1;
  if (text == "l2") return Importance::L2;
  if (text == "taylor") return Importance::Taylor;
  throw UserError(where + ": unknown importance '" + text + "'; use l1, l2 or taylor");
}

Scope parse_scope(const std::string& text, const std::string& where) {
  if (text == "global") return Scope::Global;
  if (text == "local") return Scope::Local;
  throw UserError(where + ": unknown scope '" + text + "'; use global or local");
}

std::string to_string(Importance importance) {
  switch (importance) {
    case Importance::L1: return "l1";
    case Importance::L2: return "l2";
    case Importance::Taylor: return "taylor";
  }
  return "?";
}

std::string to_string(Scope scope) { return scope == Scope::Global ? "global" : "local"; }

void require_sparsity_fraction(double sparsity, const std::string& where) {
  require(std::isfinite(sparsity) && sparsity >= 0.0 && sparsity < 1.0,
          where + ": sparsity " + std::to_string(sparsity) + " is outside [0, 1); give a fraction such as 0.5 for 50%");
}

std::string PrunableSet::describe() const {
  return word_embeddings ? "encoder Linear weights and the word-embedding table" : "encoder Linear weights";
}

std::vector<std::pair<std::string, torch::Tensor>> prunable_weights(model::EncoderClassifierImpl& model,
                                                                    const PrunableSet& set) {
  std::vector<std::pair<std::string, torch::Tensor>> weights;
  if (set.word_embeddings) {
    weights.emplace_back(model.family().embeddings + ".word_embeddings.weight", model.embeddings->word_embeddings->weight);
  }
  for (const auto& [name, linear] : model::named_linears(model)) {
    // Encoder layers only: pooler and classifier are tiny and sit on the decision path.
    if (model.family().layer_of(name) < 0 || linear->kernel || !linear->weight.defined()) continue;
    weights.emplace_back(name + ".weight", linear->weight);
  }
  return weights;
}

Scores magnitude_scores(model::EncoderClassifierImpl& model, Importance importance, const PrunableSet& set) {
  require(importance != Importance::Taylor, "magnitude_scores: taylor scores need data (taylor_scores)");
  torch::NoGradGuard no_grad;
  Scores scores;
  for (const auto& [name, weight] : prunable_weights(model, set)) {
    scores[name] = importance == Importance::L1 ? weight.abs() : weight.square();
  }
  return scores;
}

Scores taylor_scores(model::EncoderClassifierImpl& model, const data::TokenizedSplit& train,
                     const TaylorOptions& options, torch::Device device, const PrunableSet& set) {
  require(train.size() > 0, "taylor importance: the training split is empty");
  require(options.samples > 0, "taylor importance: calibration_samples must be positive");
  const auto weights = prunable_weights(model, set);
  Scores scores;
  for (const auto& [name, weight] : weights) scores[name] = torch::zeros_like(weight);
  model.eval();  // no dropout: the scores describe the model that will be pruned
  model.zero_grad();
  auto batches = data::make_batches(train, options.batch_size, /*shuffle=*/true, options.seed,
                                    /*sort_by_length_buckets=*/false, device);
  int64_t seen = 0;
  data::Batch batch;
  while (seen < options.samples && batches.next(batch)) {
    auto logits = model.forward({batch.input_ids, batch.token_type_ids, batch.attention_mask}).logits;
    torch::nn::functional::cross_entropy(logits, batch.labels).backward();
    {
      torch::NoGradGuard no_grad;
      for (const auto& [name, weight] : weights) scores[name].add_((weight * weight.grad()).abs());
    }
    model.zero_grad();
    seen += batch.labels.size(0);
  }
  model.zero_grad();
  return scores;
}

Masks compute_masks(const Scores& scores, double sparsity, Scope scope) {
  require_sparsity_fraction(sparsity, "compute_masks");
  torch::NoGradGuard no_grad;
  // Drops exactly round(sparsity * n) lowest entries of `flat`; stable sort breaks ties by index.
  auto keep_mask = [sparsity](const torch::Tensor& flat) {
    const int64_t drop = std::llround(sparsity * static_cast<double>(flat.numel()));
    auto keep = torch::ones(flat.sizes(), flat.options().dtype(torch::kBool));
    if (drop > 0) {
      const auto order = std::get<1>(torch::sort(flat, /*stable=*/true, /*dim=*/0, /*descending=*/false));
      keep.index_fill_(0, order.slice(0, 0, drop), false);
    }
    return keep;
  };
  Masks masks;
  if (scope == Scope::Local) {
    for (const auto& [name, score] : scores) masks[name] = keep_mask(score.flatten()).view(score.sizes());
    return masks;
  }
  std::vector<torch::Tensor> flats;
  for (const auto& item : scores) flats.push_back(item.second.flatten().to(torch::kFloat));
  const auto keep = keep_mask(torch::cat(flats));
  int64_t offset = 0;
  for (const auto& [name, score] : scores) {
    masks[name] = keep.slice(0, offset, offset + score.numel()).view(score.sizes()).clone();
    offset += score.numel();
  }
  return masks;
}

void apply_masks(model::EncoderClassifierImpl& model, const Masks& masks) {
  torch::NoGradGuard no_grad;
  for (const auto& [name, weight] : prunable_weights(model, PrunableSet{/*word_embeddings=*/true})) {
    const auto found = masks.find(name);
    if (found == masks.end()) continue;
    weight.masked_fill_(found->second.logical_not(), 0.0);
  }
}

SparsityReport measure_sparsity(model::EncoderClassifierImpl& model, const PrunableSet& set) {
  torch::NoGradGuard no_grad;
  SparsityReport report;
  for (const auto& [name, weight] : prunable_weights(model, set)) {
    const int64_t zeros = weight.numel() - weight.count_nonzero().item<int64_t>();
    report.total += weight.numel();
    report.zeros += zeros;
    report.per_layer[name] = static_cast<double>(zeros) / static_cast<double>(weight.numel());
  }
  return report;
}

nlohmann::json SparsityReport::per_layer_json() const {
  nlohmann::json json = nlohmann::json::object();
  for (const auto& [name, fraction] : per_layer) json[name] = fraction;
  return json;
}

}  // namespace tpq::prune
