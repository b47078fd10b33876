#include "tpq/train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <sstream>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "tpq/core/allocator.h"
#include "tpq/core/primitive_cache.h"
#include "tpq/core/error.h"
#include "tpq/data/batching.h"
#include "tpq/dist/data_parallel.h"
#include "tpq/dist/process_group.h"
#include "tpq/eval/evaluator.h"
#include "tpq/io/atomic_file.h"
#include "train/autocast_scope.h"
#include "train/loss_scaler.h"
#include "train/lr_schedule.h"
#include "train/progress.h"
#include "train/trainer_context.h"

namespace tpq::train {
namespace {

bool skips_weight_decay(const std::string& name) {
  return name.find("bias") != std::string::npos || name.find("LayerNorm") != std::string::npos;
}

std::string format_detail(double loss, double lr) {
  std::ostringstream out;
  out.precision(4);
  out << "loss " << loss << " lr " << std::scientific << std::setprecision(2) << lr;
  return out.str();
}

}  // namespace

void StepWindow::add(double loss, int64_t rows) {
  loss_sum += loss;
  ++batches;
  samples += rows;
}

StepLog StepWindow::take(int64_t step, double epoch, double learning_rate) {
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  StepLog log{step, epoch, loss_sum / batches, learning_rate, seconds > 0 ? samples / seconds : 0};
  *this = StepWindow{};
  return log;
}

Trainer::Trainer(model::EncoderClassifierImpl& model, TrainConfig config, torch::Device device, uint64_t seed,
                 dist::ProcessGroup* group)
    : model_(model), config_(std::move(config)), device_(device), seed_(seed),
      group_(dist::is_data_parallel(group) ? group : nullptr) {
  if (group_) {
    require(config_.batch_size % group_->world_size() == 0,
            "training.batch_size " + std::to_string(config_.batch_size) + " is the global batch and must divide by the " +
                std::to_string(group_->world_size()) + " ranks; pick a multiple of " + std::to_string(group_->world_size()));
  }
  if (config_.amp == "auto") {
    config_.amp = resolve_amp(config_.amp, device_.is_cuda());
    spdlog::info("training.amp auto: {}", config_.amp == "bf16" ? "bf16 autocast (the CPU computes bf16 natively)"
                                                                : "fp32 (no native bf16 here; set training.amp explicitly to override)");
  }
  require(!(config_.amp == "fp16" && !device_.is_cuda()),
          "training.amp fp16 needs CUDA (fp16 autocast on CPU is not supported); use bf16 on CPU");
}

// AdamW over the trainable parameters; bias and LayerNorm weights without weight decay.
Trainer::Optimizer Trainer::make_optimizer() const {
  std::vector<torch::Tensor> decayed, not_decayed;
  for (const auto& item : model_.named_parameters()) {
    if (!item.value().requires_grad()) continue;
    (skips_weight_decay(item.key()) ? not_decayed : decayed).push_back(item.value());
  }
  auto options = torch::optim::AdamWOptions(config_.learning_rate).eps(config_.adam_epsilon);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(decayed, std::make_unique<torch::optim::AdamWOptions>(options.weight_decay(config_.weight_decay)));
  groups.emplace_back(not_decayed, std::make_unique<torch::optim::AdamWOptions>(options.weight_decay(0.0)));
  Optimizer optimizer{std::make_unique<torch::optim::AdamW>(groups), decayed};
  optimizer.parameters.insert(optimizer.parameters.end(), not_decayed.begin(), not_decayed.end());
  return optimizer;
}

bool Trainer::is_rank_zero() const { return dist::is_rank_zero(group_); }

// Every rank starts from rank 0's parameters and floating-point buffers (DDP's first broadcast).
void Trainer::broadcast_initial_weights() {
  dist::broadcast_weights(group_, module_state(model_));
}

void Trainer::sum_over_ranks(double& loss_sum, int64_t& correct, int64_t& seen) {
  if (!group_) return;
  std::vector<at::Tensor> totals{torch::tensor({loss_sum, double(correct), double(seen)}, torch::kDouble)};
  group_->all_reduce_sum(totals);
  loss_sum = totals[0][0].item<double>();
  correct = std::llround(totals[0][1].item<double>());
  seen = std::llround(totals[0][2].item<double>());
}

// One clipped (and, under fp16, unscaled) AdamW step at the scheduled learning rate; returns the rate.
double Trainer::step(EpochContext& context) {
  auto& optimizer = context.optimizer;
  auto& scaler = context.scaler;
  const double lr = linear_warmup_decay(config_.learning_rate, context.result.optimizer_steps, context.total_steps,
                                        config_.warmup_ratio);
  for (auto& group : optimizer.adamw->param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
  if (group_) {  // timed only where it happens: 0 in a single process says no rank synchronised
    const auto sync_start = std::chrono::steady_clock::now();
    dist::average_gradients(group_, optimizer.parameters);
    context.result.gradient_sync_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - sync_start).count();
  }
  if (scaler.unscale_and_check(optimizer.parameters)) {
    if (config_.max_grad_norm > 0) torch::nn::utils::clip_grad_norm_(optimizer.parameters, config_.max_grad_norm);
    optimizer.adamw->step();
  } else {
    spdlog::debug("fp16 gradient overflow: step skipped, loss scale now {}", scaler.current_scale());
  }
  optimizer.adamw->zero_grad();
  return lr;
}

// Forward and backward of one batch; returns (loss, correct predictions).
std::pair<double, int64_t> Trainer::forward_backward(const data::Batch& batch, EpochContext& context, int64_t epoch) {
  torch::Tensor logits;
  {
    AutocastScope autocast(config_.amp, device_);
    logits = model_.forward({batch.input_ids, batch.token_type_ids, batch.attention_mask}).logits;
  }
  auto loss = torch::nn::functional::cross_entropy(logits.to(torch::kFloat), batch.labels);
  context.scaler.scale(loss / config_.gradient_accumulation_steps).backward();
  const double loss_value = loss.item<double>();
  require(std::isfinite(loss_value), "training diverged: loss is " + std::to_string(loss_value) + " at epoch " +
                                         std::to_string(epoch) + "; lower training.learning_rate");
  return {loss_value, logits.argmax(1).eq(batch.labels).sum().item<int64_t>()};
}

bool Trainer::snapshot_due(int64_t optimizer_steps) const {
  return resume_.enabled() && resume_.every_steps > 0 && optimizer_steps % resume_.every_steps == 0;
}

// The rest of the current epoch (all of it, unless resumed mid-epoch); optimizer steps every
// gradient_accumulation_steps batches.
EpochLog Trainer::train_epoch(const data::TokenizedSplit& train, EpochContext& context) {
  auto& at = context.position;
  const auto epoch_start = std::chrono::steady_clock::now() - std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                                   std::chrono::duration<double>(at.seconds));
  model_.train();
  auto batches = data::training_batches(train, config_.batch_size, seed_ + at.epoch, config_.length_bucketing, device_,
                                        dist::rank_of(group_), dist::world_size_of(group_));
  const auto count = static_cast<int64_t>(batches.num_batches());
  Progress progress("epoch " + std::to_string(at.epoch) + "/" + std::to_string(config_.epochs), count, config_.log_every_steps,
                    is_rank_zero());
  context.optimizer.adamw->zero_grad();
  while (at.next_batch < count) {
    const int64_t index = at.next_batch++;
    const auto [loss, correct] = forward_backward(batches.batch(index), context, at.epoch);
    const auto rows = static_cast<int64_t>(batches.example_indices(index).size());
    at.loss_sum += loss * rows;
    at.correct += correct;
    at.seen += rows;
    at.window.add(loss, rows);
    const bool last_batch = index + 1 == count;
    if ((index + 1) % config_.gradient_accumulation_steps != 0 && !last_batch) continue;
    const double lr = step(context);
    if (context.hooks.after_optimizer_step) context.hooks.after_optimizer_step();
    ++context.result.optimizer_steps;
    if (context.result.optimizer_steps % config_.log_every_steps == 0 || last_batch) {
      const double fraction = static_cast<double>(index + 1) / count;
      context.result.steps.push_back(at.window.take(context.result.optimizer_steps, at.epoch - 1 + fraction, lr));
    }
    progress.update(index + 1, format_detail(at.loss_sum / at.seen, lr));
    at.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start).count();
    if (snapshot_due(context.result.optimizer_steps)) save_snapshot(context);
  }
  double loss_sum = at.loss_sum;
  int64_t correct = at.correct, seen = at.seen;
  sum_over_ranks(loss_sum, correct, seen);
  EpochLog log;
  log.epoch = at.epoch;
  log.train_loss = loss_sum / seen;
  log.train_accuracy = static_cast<double>(correct) / seen;
  log.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start).count();
  progress.finish("train loss " + std::to_string(log.train_loss));
  return log;
}

// Records the epoch; sets stopped_early when early stopping ends training.
void Trainer::after_validation(EpochLog log, EpochContext& context) {
  auto& result = context.result;
  spdlog::info("epoch {}: train loss {:.4f}, val acc {:.4f}, val f1 {:.4f}", log.epoch, log.train_loss, log.validation.accuracy,
               log.validation.f1);
  result.epochs.push_back(log);
  if (result.best_epoch == 0 || log.validation.accuracy > result.best_validation_accuracy) {
    result.best_epoch = log.epoch;
    result.best_validation_accuracy = log.validation.accuracy;
    context.epochs_without_improvement = 0;
    remember_best(context);
    if (context.hooks.on_best) context.hooks.on_best(log);  // every rank: they hold the same weights
    return;
  }
  if (config_.early_stopping_patience > 0 && ++context.epochs_without_improvement >= config_.early_stopping_patience) {
    spdlog::info("early stopping: no validation improvement for {} epoch(s)", context.epochs_without_improvement);
    result.stopped_early = true;
  }
}

TrainResult Trainer::fit(const data::TokenizedSplit& train, const data::TokenizedSplit& validation, int64_t num_labels,
                         const TrainHooks& hooks) {
  require(train.size() > 0, "training split is empty");
  require(validation.size() > 0, "validation split is empty");
  const TrainingAllocatorScope allocator;  // a fragmented heap would hold several steps' activations
  const TrainingPrimitiveCacheScope primitives;  // one cached oneDNN primitive per shape would, too
  const int64_t batches_per_epoch = (static_cast<int64_t>(train.size()) + config_.batch_size - 1) / config_.batch_size;
  const int64_t steps_per_epoch = (batches_per_epoch + config_.gradient_accumulation_steps - 1) / config_.gradient_accumulation_steps;
  EpochContext context{make_optimizer(), LossScaler(/*enabled=*/config_.amp == "fp16"), hooks,
                       std::max<int64_t>(1, steps_per_epoch * config_.epochs)};
  broadcast_initial_weights();
  // Dropout draws from the global generator; without a reseed here a fine-tune (06/07/08/09, QAT)
  // would depend on how many numbers earlier work drew (timing loops draw a varying count).
  torch::manual_seed(seed_);
  if (resume_.enabled()) context.setup = setup(train, validation);
  if (resume_.enabled() && resume_.resume) resume_from_snapshot(context);
  while (context.position.epoch <= config_.epochs && !context.result.stopped_early) {
    auto log = train_epoch(train, context);
    log.validation = eval::evaluate(model_, validation, num_labels, config_.eval_batch_size, device_, group_).metrics;
    after_validation(log, context);
    context.position = EpochPosition{};
    context.position.epoch = log.epoch + 1;
    save_snapshot(context);
  }
  model_.eval();
  context.result.seconds = context.seconds_before + std::chrono::duration<double>(std::chrono::steady_clock::now() - context.start).count();
  return std::move(context.result);
}

void write_training_curves(const TrainResult& result, const std::filesystem::path& dir) {
  std::ostringstream steps;
  steps << "step,epoch,train_loss,learning_rate,samples_per_second\n";
  for (const auto& s : result.steps) {
    steps << s.step << ',' << s.epoch << ',' << s.loss << ',' << s.learning_rate << ',' << s.samples_per_second << '\n';
  }
  io::write_file_atomic(dir / "training_curve_steps.csv", steps.str());
  std::ostringstream epochs;
  epochs << "epoch,train_loss,train_accuracy,val_loss,val_accuracy,val_f1,seconds\n";
  for (const auto& e : result.epochs) {
    epochs << e.epoch << ',' << e.train_loss << ',' << e.train_accuracy << ',' << e.validation.loss << ','
           << e.validation.accuracy << ',' << e.validation.f1 << ',' << e.seconds << '\n';
  }
  io::write_file_atomic(dir / "training_curve_epochs.csv", epochs.str());
}

}  // namespace tpq::train
