#include "pipeline/magnitude_pruning.h"

#include <unistd.h>

#include <algorithm>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "tpq/checkpoint/checkpoint.h"
#include "tpq/io/safetensors.h"
#include "tpq/checkpoint/sparse_tensors.h"

namespace tpq::pipeline {
namespace fs = std::filesystem;

prune::Masks prune_weights(model::EncoderClassifierImpl& model, const BaselineContext& context,
                           prune::Importance importance, prune::Scope scope, double sparsity,
                           int64_t calibration_samples, torch::Device device, const prune::PrunableSet& set) {
  prune::Scores scores;
  if (importance == prune::Importance::Taylor) {
    prune::TaylorOptions taylor;
    taylor.samples = calibration_samples;
    taylor.batch_size = context.config.training.batch_size;
    taylor.seed = context.config.run.seed;
    scores = prune::taylor_scores(model, context.data.train, taylor, device, set);
  } else {
    scores = prune::magnitude_scores(model, importance, set);
  }
  auto masks = prune::compute_masks(scores, sparsity, scope);
  prune::apply_masks(model, masks);
  return masks;
}

nlohmann::json FineTuneBudget::to_json() const {
  nlohmann::json json;
  json["epochs"] = steps > 0 ? 0 : epochs;
  json["steps"] = steps;
  return json;
}

train::TrainResult fine_tune_masked(model::EncoderClassifierImpl& model, const prune::Masks& masks,
                                    const BaselineContext& context, const FineTuneBudget& budget, double learning_rate,
                                    uint64_t seed, torch::Device device) {
  if (budget.none()) return {};
  auto config = context.config.training;
  config.early_stopping_patience = 0;
  if (learning_rate > 0) config.learning_rate = learning_rate;
  data::TokenizedSplit sample;
  const data::TokenizedSplit* train = &context.data.train;
  if (budget.steps > 0) {
    // One pass over exactly steps x batch_size examples = `steps` optimizer steps.
    sample = data::seeded_sample(context.data.train, budget.steps * config.batch_size * config.gradient_accumulation_steps, seed);
    train = &sample;
    config.epochs = 1;
  } else {
    config.epochs = budget.epochs;
  }
  train::TrainHooks hooks;
  hooks.after_optimizer_step = [&] { prune::apply_masks(model, masks); };
  train::Trainer trainer(model, config, device, seed, context.group);
  auto result = trainer.fit(*train, context.data.validation, context.num_labels, hooks);
  prune::apply_masks(model, masks);  // idempotent; guards against any update outside the hook
  return result;
}

nlohmann::json SparseSave::to_json() const {
  nlohmann::json json;
  json["file_bytes"] = file_bytes;
  json["dense_file_bytes"] = dense_file_bytes;
  json["compressed_over_dense"] = dense_file_bytes > 0 ? static_cast<double>(file_bytes) / dense_file_bytes : 0.0;
  json["sparse_weight_bytes"] = sparse_weight_bytes;
  json["dense_weight_bytes"] = dense_weight_bytes;
  json["weights_compressed_over_dense"] =
      dense_weight_bytes > 0 ? static_cast<double>(sparse_weight_bytes) / dense_weight_bytes : 0.0;
  return json;
}

SparseSave save_sparse_model(const fs::path& dir, model::EncoderClassifierImpl& model,
                             const tokenize::Tokenizer* tokenizer, const prune::PrunableSet& set) {
  std::vector<std::string> names;
  SparseSave save;
  for (const auto& [name, weight] : prune::prunable_weights(model, set)) {
    names.push_back(name);
    save.dense_weight_bytes += static_cast<uint64_t>(weight.numel()) * sizeof(float);
  }
  auto& extra = model.config.extra;
  const nlohmann::json previous = extra.contains(checkpoint::kSparseKey) ? extra[checkpoint::kSparseKey] : nlohmann::json();

  // The dense reference: the same model, same files, ordinary F32 tensors.
  extra.erase(checkpoint::kSparseKey);
  const fs::path dense_dir = fs::temp_directory_path() / ("tpq-dense-size-" + std::to_string(::getpid()));
  checkpoint::save_checkpoint(dense_dir, model, tokenizer);
  save.dense_file_bytes = checkpoint::directory_bytes(dense_dir);
  fs::remove_all(dense_dir);

  extra[checkpoint::kSparseKey] = checkpoint::sparse_section(names);
  checkpoint::save_checkpoint(dir, model, tokenizer);
  save.file_bytes = checkpoint::directory_bytes(dir);
  const auto file = io::SafetensorsFile::open(dir / "model.safetensors");
  for (const auto& name : names) {
    for (const std::string suffix : {checkpoint::kSparseMaskSuffix, checkpoint::kSparseValuesSuffix}) {
      const auto& entry = file.entry(name + suffix);
      save.sparse_weight_bytes += entry.end - entry.begin;
    }
  }
  if (previous.is_null()) extra.erase(checkpoint::kSparseKey);  // the in-memory model is unchanged
  else extra[checkpoint::kSparseKey] = previous;
  spdlog::info("{}: {} bytes compressed, {} bytes dense ({:.1f}%)", dir.string(), save.file_bytes, save.dense_file_bytes,
               100.0 * save.file_bytes / std::max<uint64_t>(1, save.dense_file_bytes));
  return save;
}

}  // namespace tpq::pipeline
