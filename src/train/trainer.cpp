#include "tpq/train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <sstream>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "tpq/core/error.h"
#include "tpq/data/batching.h"
#include "tpq/eval/evaluator.h"
#include "tpq/io/atomic_file.h"
#include "tpq/train/autocast_scope.h"
#include "tpq/train/loss_scaler.h"
#include "tpq/train/lr_schedule.h"
#include "tpq/train/progress.h"

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

Trainer::Trainer(model::BertForSequenceClassificationImpl& model, TrainConfig config, torch::Device device, uint64_t seed)
    : model_(model), config_(std::move(config)), device_(device), seed_(seed) {
  require(!(config_.amp == "fp16" && !device_.is_cuda()),
          "training.amp fp16 needs CUDA (fp16 autocast on CPU is not supported); use bf16 on CPU");
}

TrainResult Trainer::fit(const data::TokenizedSplit& train, const data::TokenizedSplit& validation, int64_t num_labels,
                         const TrainHooks& hooks) {
  require(train.size() > 0, "training split is empty");
  require(validation.size() > 0, "validation split is empty");
  TrainResult result;
  const auto start = std::chrono::steady_clock::now();

  std::vector<torch::Tensor> decayed, not_decayed;
  for (const auto& item : model_.named_parameters()) {
    if (!item.value().requires_grad()) continue;
    (skips_weight_decay(item.key()) ? not_decayed : decayed).push_back(item.value());
  }
  auto options = torch::optim::AdamWOptions(config_.learning_rate).eps(config_.adam_epsilon);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(decayed, std::make_unique<torch::optim::AdamWOptions>(options.weight_decay(config_.weight_decay)));
  groups.emplace_back(not_decayed, std::make_unique<torch::optim::AdamWOptions>(options.weight_decay(0.0)));
  torch::optim::AdamW optimizer(groups);
  std::vector<torch::Tensor> all_parameters = decayed;
  all_parameters.insert(all_parameters.end(), not_decayed.begin(), not_decayed.end());

  const int64_t batches_per_epoch =
      (static_cast<int64_t>(train.size()) + config_.batch_size - 1) / config_.batch_size;
  const int64_t steps_per_epoch = (batches_per_epoch + config_.gradient_accumulation_steps - 1) / config_.gradient_accumulation_steps;
  const int64_t total_steps = std::max<int64_t>(1, steps_per_epoch * config_.epochs);
  int64_t epochs_without_improvement = 0;
  LossScaler scaler(/*enabled=*/config_.amp == "fp16");
  // Dropout draws from the global generator; without a reseed here a fine-tune (06/07/08/09, QAT)
  // would depend on how many numbers earlier work drew (timing loops draw a varying count).
  torch::manual_seed(seed_);

  for (int64_t epoch = 1; epoch <= config_.epochs; ++epoch) {
    const auto epoch_start = std::chrono::steady_clock::now();
    model_.train();
    data::BatchIterator batches = data::make_batches(train, config_.batch_size, /*shuffle=*/true, seed_ + epoch,
                                                     config_.length_bucketing, device_);
    Progress progress("epoch " + std::to_string(epoch) + "/" + std::to_string(config_.epochs),
                      static_cast<int64_t>(batches.num_batches()), config_.log_every_steps);
    double epoch_loss = 0, window_loss = 0;
    int64_t epoch_correct = 0, epoch_seen = 0, window_batches = 0, window_samples = 0;
    auto window_start = std::chrono::steady_clock::now();
    data::Batch batch;
    optimizer.zero_grad();
    for (std::size_t index = 0; batches.next(batch); ++index) {
      torch::Tensor logits;
      {
        AutocastScope autocast(config_.amp, device_);
        logits = model_.forward({batch.input_ids, batch.token_type_ids, batch.attention_mask}).logits;
      }
      auto loss = torch::nn::functional::cross_entropy(logits.to(torch::kFloat), batch.labels);
      scaler.scale(loss / config_.gradient_accumulation_steps).backward();
      const double loss_value = loss.item<double>();
      require(std::isfinite(loss_value), "training diverged: loss is " + std::to_string(loss_value) +
                                             " at epoch " + std::to_string(epoch) + "; lower training.learning_rate");
      const auto rows = batch.labels.size(0);
      epoch_loss += loss_value * rows;
      epoch_correct += logits.argmax(1).eq(batch.labels).sum().item<int64_t>();
      epoch_seen += rows;
      window_loss += loss_value;
      ++window_batches;
      window_samples += rows;

      const bool last_batch = index + 1 == batches.num_batches();
      if ((index + 1) % config_.gradient_accumulation_steps == 0 || last_batch) {
        const double lr = linear_warmup_decay(config_.learning_rate, result.optimizer_steps, total_steps, config_.warmup_ratio);
        for (auto& group : optimizer.param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
        if (scaler.unscale_and_check(all_parameters)) {
          if (config_.max_grad_norm > 0) torch::nn::utils::clip_grad_norm_(all_parameters, config_.max_grad_norm);
          optimizer.step();
        } else {
          spdlog::debug("fp16 gradient overflow: step skipped, loss scale now {}", scaler.current_scale());
        }
        optimizer.zero_grad();
        if (hooks.after_optimizer_step) hooks.after_optimizer_step();
        ++result.optimizer_steps;
        if (result.optimizer_steps % config_.log_every_steps == 0 || last_batch) {
          const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - window_start).count();
          result.steps.push_back({result.optimizer_steps,
                                  epoch - 1 + static_cast<double>(index + 1) / batches.num_batches(),
                                  window_loss / window_batches, lr, seconds > 0 ? window_samples / seconds : 0});
          window_loss = 0;
          window_batches = window_samples = 0;
          window_start = std::chrono::steady_clock::now();
        }
        progress.update(static_cast<int64_t>(index + 1), format_detail(epoch_loss / epoch_seen, lr));
      }
    }
    EpochLog log;
    log.epoch = epoch;
    log.train_loss = epoch_loss / epoch_seen;
    log.train_accuracy = static_cast<double>(epoch_correct) / epoch_seen;
    log.validation = eval::evaluate(model_, validation, num_labels, config_.eval_batch_size, device_).metrics;
    log.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start).count();
    progress.finish("train loss " + std::to_string(log.train_loss) + ", val acc " + std::to_string(log.validation.accuracy) +
                    ", val f1 " + std::to_string(log.validation.f1));
    result.epochs.push_back(log);

    if (result.best_epoch == 0 || log.validation.accuracy > result.best_validation_accuracy) {
      result.best_epoch = epoch;
      result.best_validation_accuracy = log.validation.accuracy;
      epochs_without_improvement = 0;
      if (hooks.on_best) hooks.on_best(log);
    } else if (config_.early_stopping_patience > 0 && ++epochs_without_improvement >= config_.early_stopping_patience) {
      spdlog::info("early stopping: no validation improvement for {} epoch(s)", epochs_without_improvement);
      result.stopped_early = true;
      break;
    }
  }
  model_.eval();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
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
