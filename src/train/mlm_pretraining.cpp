#include "tpq/train/mlm_pretraining.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>

#include <ATen/CPUGeneratorImpl.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "tpq/core/allocator.h"
#include "tpq/core/primitive_cache.h"
#include "tpq/core/error.h"
#include "tpq/core/hash.h"
#include "tpq/data/batching.h"
#include "tpq/dist/data_parallel.h"
#include "tpq/dist/process_group.h"
#include "tpq/train/vocab_cross_entropy.h"
#include "train/autocast_scope.h"
#include "train/lr_schedule.h"
#include "train/mlm_snapshot.h"
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

torch::Tensor MlmHeadImpl::transform(const torch::Tensor& hidden) {
  // Back to the LayerNorm's dtype: under CPU bf16 autocast (LibTorch 1.13) layer_norm is not
  // autocast and rejects a bf16 input with FP32 weights (in the encoder the residual add promotes).
  return LayerNorm(torch::gelu(dense(hidden)).to(LayerNorm->weight.scalar_type()));  // (N, H)
}

torch::Tensor MlmHeadImpl::forward(const torch::Tensor& hidden, const torch::Tensor& word_embeddings) {
  return model::linear_op(transform(hidden), word_embeddings, bias);  // (N, V)
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
  // The decoder and the loss in one node: FP32 log-softmax like autocast's cross_entropy, without its (N, V) FP32 tensors.
  return linear_cross_entropy(head.transform(hidden.index({selected})), word_embeddings, head.bias, labels.index({selected}));
}

MaskedPositions masked_positions(const torch::Tensor& labels) {
  const auto selected = labels.ne(-100);
  const auto counts = selected.sum(1);  // (B)
  const int64_t rows = counts.numel() == 0 ? 0 : counts.max().item<int64_t>();
  // A stable sort puts each sequence's labelled positions first, in their order (so the rows reach
  // masked_lm_loss in the order encode's output would give them), and unlabelled ones (-100) after.
  const auto order = std::get<1>(torch::sort(selected.to(torch::kByte), /*stable=*/true, /*dim=*/1, /*descending=*/true));
  const auto positions = order.narrow(1, 0, rows).contiguous();
  return {positions, labels.gather(1, positions)};
}

torch::Tensor mlm_batch_loss(model::EncoderClassifierImpl& model, MlmHeadImpl& head, const model::ModelInputs& masked,
                             const torch::Tensor& labels) {
  const auto rows = masked_positions(labels);
  const auto hidden = model.encode_at(masked, rows.positions);  // (B, M, H)
  return masked_lm_loss(head, hidden, rows.labels, model.embeddings->word_embeddings->weight);
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
    loss = mlm_batch_loss(model, head, {masked.to(device), batch.token_type_ids.to(device), batch.attention_mask.to(device)},
                          labels);
  }
  loss.backward();
  return loss;
}

// The batch's own masking generator: a resumed or data-parallel run masks every batch as an
// uninterrupted one would, with no generator state to carry.
torch::Generator batch_generator(uint64_t seed, int rank, int64_t epoch, int64_t index) {
  return torch::make_generator<at::CPUGeneratorImpl>(
      Hasher().number(seed).number(static_cast<uint64_t>(rank)).number(epoch).number(index).digest());
}

struct MlmInputs {
  const SpecialIds& special;
  const MlmConfig& config;
  torch::Device device;
  dist::ProcessGroup* group;
  int64_t every_steps;  // snapshot interval (0: epoch ends only)
};

struct MlmStep {
  bool stepped = false;
  torch::Tensor loss;  // undefined when nothing in the batch was masked
};

// One MLM optimizer step on a batch.
MlmStep mlm_step(model::EncoderClassifierImpl& model, const MlmParts& parts, const std::vector<torch::Tensor>& parameters,
                 const data::Batch& batch, double lr, const MlmInputs& in, torch::Generator& generator) {
  parts.optimizer.zero_grad();
  MlmStep step;
  step.loss = masked_lm_backward(model, parts.head, batch, in.special, in.config, generator, in.device);
  // Nothing masked: skipped alone, but in a job the rank still steps (its zero gradients join the mean).
  if (!step.loss.defined() && !dist::is_data_parallel(in.group)) return step;
  for (auto& param_group : parts.optimizer.param_groups()) static_cast<torch::optim::AdamWOptions&>(param_group.options()).lr(lr);
  dist::average_gradients(in.group, parameters);
  torch::nn::utils::clip_grad_norm_(parameters, 1.0);
  parts.optimizer.step();
  step.stepped = true;
  return step;
}

// The rest of the current epoch (all of it unless resumed mid-epoch); `snapshot` runs every
// in.every_steps optimizer steps and at the epoch end.
void run_mlm_epoch(model::EncoderClassifierImpl& model, const MlmParts& parts, const std::vector<torch::Tensor>& parameters,
                   const data::TokenizedSplit& texts, uint64_t seed, const MlmInputs& in, MlmLoop& loop,
                   const std::function<void()>& snapshot) {
  const int rank = dist::rank_of(in.group);
  auto batches = data::training_batches(texts, in.config.batch_size, seed + 1000 + loop.epoch, /*length_buckets=*/true,
                                        torch::kCPU, rank, dist::world_size_of(in.group));
  const auto count = static_cast<int64_t>(batches.num_batches());
  Progress progress("MLM epoch " + std::to_string(loop.epoch) + "/" + std::to_string(in.config.epochs), count, 20, rank == 0);
  while (loop.next_batch < count) {
    const int64_t index = loop.next_batch++;
    auto generator = batch_generator(seed, rank, loop.epoch, index);
    const double lr = linear_warmup_decay(in.config.learning_rate, loop.result.steps, count * in.config.epochs, in.config.warmup_ratio);
    const auto step = mlm_step(model, parts, parameters, batches.batch(index), lr, in, generator);
    if (step.loss.defined()) {
      loop.loss_sum += step.loss.item<double>();
      ++loop.loss_count;
    }
    if (!step.stepped) continue;
    ++loop.result.steps;
    progress.update(index + 1, "mlm loss " + std::to_string(loop.loss_sum / std::max<int64_t>(1, loop.loss_count)));
    if (in.every_steps > 0 && loop.result.steps % in.every_steps == 0) snapshot();
  }
  loop.result.epoch_losses.push_back(loop.loss_sum / std::max<int64_t>(1, loop.loss_count));
  progress.finish("mean MLM loss " + std::to_string(loop.result.epoch_losses.back()));
  loop.epoch += 1;
  loop.next_batch = 0;
  loop.loss_sum = 0;
  loop.loss_count = 0;
  snapshot();
}

}  // namespace

MlmResult pretrain_mlm(model::EncoderClassifierImpl& model, const data::TokenizedSplit& texts, const SpecialIds& special,
                       const MlmConfig& config, torch::Device device, uint64_t seed, dist::ProcessGroup* group,
                       const ResumeOptions& resume) {
  require(config.mask_probability > 0 && config.mask_probability < 1, "training.mlm_mask_probability must be in (0, 1)");
  require(config.learning_rate > 0 && config.batch_size > 0, "MLM learning rate and batch size must be positive");
  if (config.epochs <= 0) return {};
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
  const MlmParts parts{*model.base, *head, optimizer};
  const auto setup = resume.enabled() ? mlm_setup(config, seed, dist::world_size_of(group), texts, *model.base) : nlohmann::json();
  MlmLoop loop;
  if (resume.enabled() && resume.resume) resume_mlm(resume, parts, loop, setup, group);
  const MlmInputs in{special, config, device, group, resume.every_steps};
  const auto elapsed = [&] { return loop.seconds_before + std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  // A resumed run that had finished (its last snapshot is of the last epoch's end) trains nothing.
  while (loop.epoch <= config.epochs) {
    run_mlm_epoch(model, parts, parameters, texts, seed, in, loop,
                  [&] { save_mlm_snapshot(resume, parts, loop, setup, elapsed(), dist::is_rank_zero(group)); });
  }
  model.eval();
  loop.result.seconds = elapsed();
  return loop.result;
}

}  // namespace tpq::train
