#include "tpq/train/mlm_pretraining.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include <ATen/CPUGeneratorImpl.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "tpq/core/allocator.h"
#include "tpq/core/primitive_cache.h"
#include "tpq/core/error.h"
#include "tpq/data/batching.h"
#include "tpq/dist/data_parallel.h"
#include "tpq/dist/process_group.h"
#include "train/autocast_scope.h"
#include "train/lr_schedule.h"
#include "train/progress.h"

namespace tpq::train {

MlmHeadImpl::MlmHeadImpl(const model::EncoderConfig& config) {
  dense = register_module("dense", model::Linear(config.hidden_size, config.hidden_size));
  LayerNorm = register_module(
      "LayerNorm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({config.hidden_size}).eps(config.layer_norm_eps)));
  bias = register_parameter("bias", torch::zeros({config.vocab_size}));
  torch::NoGradGuard no_grad;
  dense->weight.normal_(0.0, config.initializer_range);
}

torch::Tensor MlmHeadImpl::forward(const torch::Tensor& hidden, const torch::Tensor& word_embeddings) {
  // Back to the LayerNorm's dtype: under CPU bf16 autocast (LibTorch 1.13) layer_norm is not
  // autocast and rejects a bf16 input with FP32 weights (in the encoder the residual add promotes).
  auto transformed = LayerNorm(torch::gelu(dense(hidden)).to(LayerNorm->weight.scalar_type()));  // (N, H)
  return torch::matmul(transformed, word_embeddings.t()) + bias;      // (N, V)
}

std::pair<torch::Tensor, torch::Tensor> mask_tokens(const torch::Tensor& input_ids, const SpecialIds& special,
                                                    int64_t vocab_size, double mask_probability, torch::Generator& generator) {
  auto options = torch::TensorOptions().device(input_ids.device());
  const auto regular = input_ids.ne(special.pad) & input_ids.ne(special.cls) & input_ids.ne(special.sep);
  auto chosen = torch::rand(input_ids.sizes(), generator, options).lt(mask_probability) & regular;
  auto labels = torch::where(chosen, input_ids, torch::full_like(input_ids, -100));
  auto draw = torch::rand(input_ids.sizes(), generator, options);
  auto to_mask = chosen & draw.lt(0.8);
  auto to_random = chosen & draw.ge(0.8) & draw.lt(0.9);  // the last 10% keep their token
  auto random_ids = torch::randint(special.first_regular, vocab_size, input_ids.sizes(), generator, options.dtype(torch::kLong));
  auto masked = torch::where(to_mask, torch::full_like(input_ids, special.mask), input_ids);
  masked = torch::where(to_random, random_ids, masked);
  return {masked, labels};
}

torch::Tensor masked_lm_loss(MlmHeadImpl& head, const torch::Tensor& hidden, const torch::Tensor& labels,
                             const torch::Tensor& word_embeddings) {
  const auto selected = labels.ne(-100);
  auto logits = head.forward(hidden.index({selected}), word_embeddings);  // (N, H) -> (N, V)
  // Autocast keeps cross_entropy in FP32 (log-softmax over the whole vocabulary).
  return torch::nn::functional::cross_entropy(logits, labels.index({selected}));
}

namespace {

// Masks a batch, runs the encoder and the MLM head on it and backpropagates; the loss, or an
// undefined tensor when nothing in the batch was masked.
torch::Tensor masked_lm_backward(model::EncoderClassifierImpl& model, MlmHeadImpl& head, const data::Batch& batch,
                                 const SpecialIds& special, const MlmConfig& config, torch::Generator& generator,
                                 torch::Device device) {
  auto [masked, labels] = mask_tokens(batch.input_ids, special, model.config.vocab_size, config.mask_probability, generator);
  labels = labels.to(device);
  if (!labels.ne(-100).any().item<bool>()) return {};
  torch::Tensor loss;
  {
    AutocastScope autocast(config.amp, device);
    const auto hidden = model.encode({masked.to(device), batch.token_type_ids.to(device), batch.attention_mask.to(device)});
    loss = masked_lm_loss(head, hidden, labels, model.embeddings->word_embeddings->weight);
  }
  loss.backward();
  return loss;
}

}  // namespace

MlmResult pretrain_mlm(model::EncoderClassifierImpl& model, const data::TokenizedSplit& texts,
                       const SpecialIds& special, const MlmConfig& config, torch::Device device, uint64_t seed,
                       dist::ProcessGroup* group) {
  require(config.mask_probability > 0 && config.mask_probability < 1, "training.mlm_mask_probability must be in (0, 1)");
  require(config.learning_rate > 0 && config.batch_size > 0, "MLM learning rate and batch size must be positive");
  MlmResult result;
  if (config.epochs <= 0) return result;
  require(texts.size() > 0, "MLM pre-training needs training texts");
  const auto start = std::chrono::steady_clock::now();
  const TrainingAllocatorScope allocator;  // a fragmented heap would hold several steps' activations
  const TrainingPrimitiveCacheScope primitives;  // one cached oneDNN primitive per shape would, too
  MlmHead head(model.config);
  head->to(device);
  model.train();

  std::vector<torch::Tensor> parameters = model.base->parameters();
  for (const auto& parameter : head->parameters()) parameters.push_back(parameter);
  dist::broadcast_weights(group, parameters);
  torch::optim::AdamW optimizer(parameters, torch::optim::AdamWOptions(config.learning_rate).weight_decay(config.weight_decay));
  const int64_t batches = (static_cast<int64_t>(texts.size()) + config.batch_size - 1) / config.batch_size;
  const int64_t total_steps = batches * config.epochs;
  const int rank = group ? group->rank() : 0, world_size = group ? group->world_size() : 1;
  auto generator = torch::make_generator<at::CPUGeneratorImpl>(seed + 7919 * rank);

  for (int64_t epoch = 1; epoch <= config.epochs; ++epoch) {
    auto iterator = data::training_batches(texts, config.batch_size, seed + 1000 + epoch, /*length_buckets=*/true,
                                           torch::kCPU, rank, world_size);
    Progress progress("MLM epoch " + std::to_string(epoch) + "/" + std::to_string(config.epochs),
                      static_cast<int64_t>(iterator.num_batches()), 20, rank == 0);
    double loss_sum = 0;
    int64_t loss_count = 0;
    data::Batch batch;
    for (int64_t index = 0; iterator.next(batch); ++index) {
      optimizer.zero_grad();
      const auto loss = masked_lm_backward(model, *head, batch, special, config, generator, device);
      // Nothing masked: skipped alone, but in a job the rank still steps (its zero gradients join the mean).
      if (!loss.defined() && !dist::is_data_parallel(group)) continue;
      const double lr = linear_warmup_decay(config.learning_rate, result.steps, total_steps, config.warmup_ratio);
      for (auto& param_group : optimizer.param_groups()) static_cast<torch::optim::AdamWOptions&>(param_group.options()).lr(lr);
      dist::average_gradients(group, parameters);
      torch::nn::utils::clip_grad_norm_(parameters, 1.0);
      optimizer.step();
      ++result.steps;
      if (loss.defined()) {
        loss_sum += loss.item<double>();
        ++loss_count;
      }
      progress.update(index + 1, "mlm loss " + std::to_string(loss_sum / std::max<int64_t>(1, loss_count)));
    }
    result.epoch_losses.push_back(loss_sum / std::max<int64_t>(1, loss_count));
    progress.finish("mean MLM loss " + std::to_string(result.epoch_losses.back()));
  }
  model.eval();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace tpq::train
