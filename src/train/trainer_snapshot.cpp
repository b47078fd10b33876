// The Trainer's snapshots (train/training_state.h): what fit() carries, written at epoch ends and
// every ResumeOptions::every_steps optimizer steps, and read back by a resumed fit().
#include <cmath>
#include <limits>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "tpq/core/error.h"
#include "tpq/dist/data_parallel.h"
#include "tpq/dist/process_group.h"
#include "tpq/train/training_state.h"
#include "train/trainer_context.h"

namespace tpq::train {
namespace {

// JSON writes NaN as null; a metric that was not computed comes back as NaN.
double number_or_nan(const nlohmann::json& value) {
  return value.is_null() ? std::numeric_limits<double>::quiet_NaN() : value.get<double>();
}

nlohmann::json metrics_json(const eval::ClassificationMetrics& m) {
  return {{"accuracy", m.accuracy}, {"precision", m.precision}, {"recall", m.recall}, {"f1", m.f1},
          {"macro_precision", m.macro_precision}, {"macro_recall", m.macro_recall}, {"macro_f1", m.macro_f1},
          {"loss", m.loss}, {"count", m.count}, {"confusion_matrix", m.confusion_matrix}};
}

eval::ClassificationMetrics metrics_from(const nlohmann::json& j) {
  eval::ClassificationMetrics m;
  m.accuracy = number_or_nan(j.at("accuracy"));
  m.precision = number_or_nan(j.at("precision"));
  m.recall = number_or_nan(j.at("recall"));
  m.f1 = number_or_nan(j.at("f1"));
  m.macro_precision = number_or_nan(j.at("macro_precision"));
  m.macro_recall = number_or_nan(j.at("macro_recall"));
  m.macro_f1 = number_or_nan(j.at("macro_f1"));
  m.loss = number_or_nan(j.at("loss"));
  m.count = j.at("count").get<int64_t>();
  m.confusion_matrix = j.at("confusion_matrix").get<std::vector<std::vector<int64_t>>>();
  return m;
}

nlohmann::json result_json(const TrainResult& result) {
  nlohmann::json steps = nlohmann::json::array(), epochs = nlohmann::json::array();
  for (const auto& s : result.steps) steps.push_back({s.step, s.epoch, s.loss, s.learning_rate, s.samples_per_second});
  for (const auto& e : result.epochs) {
    epochs.push_back({{"epoch", e.epoch}, {"train_loss", e.train_loss}, {"train_accuracy", e.train_accuracy},
                      {"validation", metrics_json(e.validation)}, {"seconds", e.seconds}});
  }
  return {{"steps", steps}, {"epochs", epochs}, {"best_epoch", result.best_epoch},
          {"best_validation_accuracy", result.best_validation_accuracy}, {"optimizer_steps", result.optimizer_steps},
          {"gradient_sync_seconds", result.gradient_sync_seconds}, {"stopped_early", result.stopped_early}};
}

TrainResult result_from(const nlohmann::json& j) {
  TrainResult result;
  for (const auto& s : j.at("steps")) {
    result.steps.push_back({s[0].get<int64_t>(), number_or_nan(s[1]), number_or_nan(s[2]), number_or_nan(s[3]), number_or_nan(s[4])});
  }
  for (const auto& e : j.at("epochs")) {
    result.epochs.push_back({e.at("epoch").get<int64_t>(), number_or_nan(e.at("train_loss")),
                             number_or_nan(e.at("train_accuracy")), metrics_from(e.at("validation")),
                             number_or_nan(e.at("seconds"))});
  }
  result.best_epoch = j.at("best_epoch").get<int64_t>();
  result.best_validation_accuracy = j.at("best_validation_accuracy").get<double>();
  result.optimizer_steps = j.at("optimizer_steps").get<int64_t>();
  result.gradient_sync_seconds = j.at("gradient_sync_seconds").get<double>();
  result.stopped_early = j.at("stopped_early").get<bool>();
  return result;
}

nlohmann::json position_json(const Trainer::EpochPosition& at) {
  return {{"epoch", at.epoch}, {"next_batch", at.next_batch}, {"loss_sum", at.loss_sum}, {"correct", at.correct},
          {"seen", at.seen}, {"seconds", at.seconds},
          {"window", {at.window.loss_sum, at.window.batches, at.window.samples}}};
}

Trainer::EpochPosition position_from(const nlohmann::json& j) {
  Trainer::EpochPosition at;
  at.epoch = j.at("epoch").get<int64_t>();
  at.next_batch = j.at("next_batch").get<int64_t>();
  at.loss_sum = j.at("loss_sum").get<double>();
  at.correct = j.at("correct").get<int64_t>();
  at.seen = j.at("seen").get<int64_t>();
  at.seconds = j.at("seconds").get<double>();
  at.window.loss_sum = j.at("window")[0].get<double>();
  at.window.batches = j.at("window")[1].get<int64_t>();
  at.window.samples = j.at("window")[2].get<int64_t>();
  return at;
}

}  // namespace

nlohmann::json Trainer::setup(const data::TokenizedSplit& train, const data::TokenizedSplit& validation) const {
  int64_t parameters = 0;
  for (const auto& parameter : model_.parameters()) parameters += parameter.numel();
  auto training = config_.to_json();
  training.erase("eval_batch_size");  // neither changes a weight
  training.erase("checkpoint_every_steps");
  return {{"training", training},
          {"seed", seed_},
          {"world_size", group_ ? group_->world_size() : 1},
          {"parameters", parameters},
          {"train_data", split_digest(train)},
          {"validation_data", split_digest(validation)}};
}

void Trainer::remember_best(EpochContext& context) const {
  if (!resume_.enabled()) return;
  torch::NoGradGuard no_grad;
  context.best_state.clear();
  for (const auto& tensor : module_state(model_)) context.best_state.push_back(tensor.detach().clone());
}

void Trainer::save_snapshot(const EpochContext& context) const {
  if (!resume_.enabled() || !is_rank_zero()) return;  // the ranks hold the same state: rank 0 writes it
  torch::serialize::OutputArchive archive;
  write_module_state(archive, "model.", model_);
  torch::serialize::OutputArchive optimizer;
  context.optimizer.adamw->save(optimizer);
  archive.write("optimizer", optimizer);
  write_cpu_generator_state(archive);
  for (std::size_t i = 0; i < context.best_state.size(); ++i) archive.write("best." + std::to_string(i), context.best_state[i]);
  const double seconds = context.seconds_before + std::chrono::duration<double>(std::chrono::steady_clock::now() - context.start).count();
  write_json(archive, "meta",
             {{"setup", context.setup}, {"position", position_json(context.position)}, {"result", result_json(context.result)},
              {"scaler", context.scaler.state()}, {"epochs_without_improvement", context.epochs_without_improvement},
              {"best_tensors", context.best_state.size()}, {"seconds", seconds}});
  SnapshotStore(resume_.dir).write(context.result.optimizer_steps, archive);
}

void Trainer::resume_from_snapshot(EpochContext& context) {
  const auto newest = SnapshotStore(resume_.dir).newest();
  require_same_snapshot_on_every_rank(group_, resume_.dir, newest ? snapshot_step(*newest) : -1);
  if (!newest) {
    spdlog::info("--resume: no training checkpoint in {}; training from the start", resume_.dir.string());
    return;
  }
  torch::serialize::InputArchive archive;
  load_snapshot(archive, *newest);
  const auto meta = read_json(archive, "meta");
  require_same_setup(meta.at("setup"), context.setup, *newest);
  read_module_state(archive, "model.", model_, *newest);
  torch::serialize::InputArchive optimizer;
  archive.read("optimizer", optimizer);
  context.optimizer.adamw->load(optimizer);
  read_cpu_generator_state(archive);
  context.best_state.resize(meta.at("best_tensors").get<std::size_t>());
  for (std::size_t i = 0; i < context.best_state.size(); ++i) archive.read("best." + std::to_string(i), context.best_state[i]);
  context.position = position_from(meta.at("position"));
  context.result = result_from(meta.at("result"));
  context.scaler.restore(meta.at("scaler"));
  context.epochs_without_improvement = meta.at("epochs_without_improvement").get<int64_t>();
  context.seconds_before = meta.at("seconds").get<double>();
  spdlog::info("resuming from {}: epoch {}, batch {}, optimizer step {}", newest->string(), context.position.epoch,
               context.position.next_batch, context.result.optimizer_steps);
  replay_best(context);
}

// The resumed run's on_best saves what the interrupted one saved at its best epoch.
void Trainer::replay_best(EpochContext& context) {
  if (context.result.best_epoch == 0 || !context.hooks.on_best) return;  // every rank, as on_best itself
  auto state = module_state(model_);
  require(state.size() == context.best_state.size(), "the training checkpoint's best weights do not fit this model");
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> current;
  for (std::size_t i = 0; i < state.size(); ++i) {
    current.push_back(state[i].detach().clone());
    state[i].copy_(context.best_state[i]);
  }
  context.hooks.on_best(context.result.epochs.at(context.result.best_epoch - 1));
  for (std::size_t i = 0; i < state.size(); ++i) state[i].copy_(current[i]);
}

}  // namespace tpq::train
