// Steps experiments 07 (unstructured) and 08 (progressive) share: score + mask the encoder Linear
// weights of a model, fine-tune with the masks held (re-applied after every optimizer step), and
// save it with the compressed sparse format next to a dense save measured for comparison.
#pragma once

#include <cstdint>
#include <filesystem>

#include <nlohmann/json.hpp>
#include <torch/types.h>

#include "pipeline/baseline_context.h"
#include "tpq/prune/magnitude.h"
#include "tpq/train/trainer.h"

namespace tpq::pipeline {

// Scores the prunable weights (taylor: on calibration_samples training examples) and zeroes the
// lowest-scoring ones so that `sparsity` of them are 0. Returns the masks applied.
prune::Masks prune_weights(model::EncoderClassifierImpl& model, const BaselineContext& context,
                           prune::Importance importance, prune::Scope scope, double sparsity,
                           int64_t calibration_samples, torch::Device device, const prune::PrunableSet& set = {});

struct FineTuneBudget {
  int64_t epochs = 1;  // whole passes over the training split
  int64_t steps = 0;   // > 0: exactly this many optimizer steps on a seeded sample instead of epochs
  bool none() const { return steps <= 0 && epochs <= 0; }
  nlohmann::json to_json() const;
};

// Fine-tunes (training section settings; learning_rate > 0 overrides it) with `masks` re-applied
// after every optimizer step, so pruned weights stay exactly 0. No-op (empty result) for no budget.
train::TrainResult fine_tune_masked(model::EncoderClassifierImpl& model, const prune::Masks& masks,
                                    const BaselineContext& context, const FineTuneBudget& budget, double learning_rate,
                                    uint64_t seed, torch::Device device);

struct SparseSave {
  uint64_t file_bytes = 0;           // the saved directory (compressed format)
  uint64_t dense_file_bytes = 0;     // the same model saved densely (temp dir, then removed)
  uint64_t sparse_weight_bytes = 0;  // packed masks + values of the prunable weights in the file
  uint64_t dense_weight_bytes = 0;   // the same weights as dense F32
  nlohmann::json to_json() const;
};

// Saves `model` to dir with its prunable weights in the compressed format (tokenizer included).
SparseSave save_sparse_model(const std::filesystem::path& dir, model::EncoderClassifierImpl& model,
                             const tokenize::Tokenizer* tokenizer, const prune::PrunableSet& set = {});

}  // namespace tpq::pipeline
