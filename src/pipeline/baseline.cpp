#include "tpq/pipeline/baseline.h"

#include <algorithm>
#include <chrono>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "tpq/core/error.h"
#include "tpq/core/runtime_info.h"
#include "tpq/data/stats.h"
#include "tpq/io/atomic_file.h"
#include "tpq/io/checkpoint.h"
#include "tpq/pipeline/workspace.h"
#include "tpq/results/chart.h"
#include "tpq/results/table.h"
#include "tpq/train/mlm_pretraining.h"
#include "tpq/train/trainer.h"

namespace tpq::pipeline {
namespace fs = std::filesystem;
namespace {

// The model to fine-tune: a pretrained checkpoint (classifier re-initialised if the labels differ)
// or a fresh from-scratch BERT.
model::BertForSequenceClassification initial_model(const ExperimentConfig& config, const tokenize::Tokenizer& tokenizer,
                                                   const std::vector<std::string>& label_names) {
  torch::manual_seed(config.run.seed);
  if (config.model.from_scratch()) {
    return model::BertForSequenceClassification(config.model.scratch_config(tokenizer.vocab_size(), label_names));
  }
  const fs::path dir = config.model.pretrained;
  auto bert_config = model::BertConfig::load(dir / "config.json");
  const bool same_labels = bert_config.num_labels() == static_cast<int64_t>(label_names.size());
  bert_config.label_names = label_names;
  model::BertForSequenceClassification model(bert_config);
  io::LoadOptions options;
  options.allow_fresh_classifier = true;
  options.discard_classifier = !same_labels;
  std::vector<std::string> fresh;
  io::load_weights(*model, dir / "model.safetensors", options, &fresh);
  if (!fresh.empty()) spdlog::info("fine-tuning {}: classifier initialised fresh for {} labels", dir.string(), label_names.size());
  return model;
}

void draw_training_curve(const train::TrainResult& result, const fs::path& png) {
  results::Series step_loss{"train loss (per step window)", {}, {}, "lines"};
  for (const auto& step : result.steps) {
    step_loss.x.push_back(step.epoch);
    step_loss.y.push_back(step.loss);
  }
  results::Series val_loss{"validation loss", {}, {}}, train_acc{"train accuracy", {}, {}}, val_acc{"validation accuracy", {}, {}};
  for (const auto& epoch : result.epochs) {
    val_loss.x.push_back(epoch.epoch);
    val_loss.y.push_back(epoch.validation.loss);
    train_acc.x.push_back(epoch.epoch);
    train_acc.y.push_back(epoch.train_accuracy);
    val_acc.x.push_back(epoch.epoch);
    val_acc.y.push_back(epoch.validation.accuracy);
  }
  results::render_panels({{"Loss", "epoch", "cross-entropy", {step_loss, val_loss}},
                          {"Accuracy", "epoch", "accuracy", {train_acc, val_acc}}},
                         png);
}

results::Table evaluation_table(const results::RunRecord& record) {
  // Rows as the template's 基线性能 table.
  results::Table table({"指标", "数值"});
  const auto& metrics = record.metrics;
  table.add_row({"准确率 (Accuracy)", results::format_number(metrics["accuracy"].get<double>(), 4)});
  table.add_row({"F1 分数", results::format_number(metrics["f1"].get<double>(), 4)});
  table.add_row({"精确率 (Precision)", results::format_number(metrics["precision"].get<double>(), 4)});
  table.add_row({"召回率 (Recall)", results::format_number(metrics["recall"].get<double>(), 4)});
  table.add_row({"推理时间 (ms/样本)", results::format_number(record.speed["latency_ms_per_sample_p50"].get<double>(), 3)});
  table.add_row({"吞吐量 (样本/秒)", results::format_number(record.speed["throughput_samples_s"].get<double>(), 1)});
  table.add_row({"模型大小 (MB)", results::format_number(record.size["file_mb"].get<double>(), 2)});
  table.add_row({"参数数量", std::to_string(record.size["params"].get<int64_t>())});
  table.add_row({"峰值内存 (MB)", results::format_number(record.memory["peak_rss_mb"].get<double>(), 1)});
  return table;
}

}  // namespace

void run_baseline(const ExperimentConfig& config, const fs::path& output_dir, torch::Device device) {
  const auto start = std::chrono::steady_clock::now();
  const std::string started_at = utc_timestamp();
  fs::create_directories(output_dir);
  // metrics.json marks a finished run (run_all resumes on it): drop a stale one first.
  fs::remove(output_dir / "metrics.json");

  auto splits = load_splits(config);
  const auto label_names = splits.train.label_names;
  const auto tokenizer = prepare_tokenizer(config, splits.train);
  auto model = initial_model(config, *tokenizer, label_names);
  const int64_t max_length = std::min(config.model.max_length, model->config.max_position_embeddings);

  data::StatsOptions stats_options;
  stats_options.max_length = max_length;
  stats_options.threads = std::max(1, config.run.threads);
  const auto stats = data::dataset_stats(
      splits, [&](const std::string& text) { return tokenizer->tokenize(text).size(); }, stats_options);
  io::write_json_atomic(output_dir / "dataset_stats.json", stats);

  const auto prepared = prepare_data(config, std::move(splits), *tokenizer, max_length);
  model->to(device);
  train::MlmResult mlm;
  if (config.training.mlm_epochs > 0) {
    require(config.model.from_scratch(), "training.mlm_epochs: MLM pre-training is for from-scratch models; set it to 0");
    train::MlmConfig mlm_config;
    mlm_config.epochs = config.training.mlm_epochs;
    mlm_config.learning_rate = config.training.mlm_learning_rate;
    mlm_config.mask_probability = config.training.mlm_mask_probability;
    mlm_config.batch_size = config.training.batch_size;
    mlm_config.amp = config.training.amp;
    const train::SpecialIds special{tokenizer->pad_id(), tokenizer->cls_id(), tokenizer->sep_id(), tokenizer->mask_id(),
                                    1 + std::max({tokenizer->pad_id(), tokenizer->cls_id(), tokenizer->sep_id(),
                                                  tokenizer->mask_id(), tokenizer->unk_id()})};
    mlm = train::pretrain_mlm(*model, prepared.train, special, mlm_config, device, config.run.seed);
  }
  const fs::path model_dir = output_dir / "model";
  train::TrainHooks hooks;
  hooks.on_best = [&](const train::EpochLog& epoch) {
    spdlog::info("epoch {}: best validation accuracy so far ({:.4f}); saving {}", epoch.epoch, epoch.validation.accuracy,
                 model_dir.string());
    io::save_checkpoint(model_dir, *model, tokenizer.get());
  };
  train::Trainer trainer(*model, config.training, device, config.run.seed);
  const auto training = trainer.fit(prepared.train, prepared.validation, static_cast<int64_t>(label_names.size()), hooks);
  if (training.best_epoch == 0) io::save_checkpoint(model_dir, *model, tokenizer.get());  // epochs: 0
  train::write_training_curves(training, output_dir);
  if (!training.epochs.empty()) draw_training_curve(training, output_dir / "training_curve.png");

  // Measure the best checkpoint as saved, exactly as later experiments will load it.
  io::LoadOptions load_options;
  load_options.device = device;
  auto best = io::load_checkpoint(model_dir, load_options);
  const auto measurement = measure_variant(*best.model, model_dir, prepared.test, static_cast<int64_t>(label_names.size()),
                                           config, device);
  auto record = make_record("baseline", "fp32", measurement, config, device);
  record.extra = {{"training",
                   {{"best_epoch", training.best_epoch},
                    {"best_validation_accuracy", training.best_validation_accuracy},
                    {"epochs_run", training.epochs.size()},
                    {"optimizer_steps", training.optimizer_steps},
                    {"train_seconds", training.seconds},
                    {"stopped_early", training.stopped_early},
                    {"mlm_epochs", mlm.epoch_losses.size()},
                    {"mlm_epoch_losses", mlm.epoch_losses},
                    {"mlm_seconds", mlm.seconds}}},
                  {"model",
                   {{"layers", best.config.num_hidden_layers},
                    {"hidden_size", best.config.hidden_size},
                    {"heads", best.config.num_attention_heads},
                    {"intermediate_size", best.config.intermediate_size},
                    {"vocab_size", best.config.vocab_size},
                    {"max_length", max_length},
                    {"tokenizer", tokenizer->kind()},
                    {"source", config.model.from_scratch() ? "scratch" : config.model.pretrained}}},
                  {"dataset",
                   {{"name", config.data.name},
                    {"train", prepared.train.size()},
                    {"validation", prepared.validation.size()},
                    {"test", prepared.test.size()},
                    {"labels", label_names}}}};
  record.started_at = started_at;
  record.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  nlohmann::json run_config = config.to_json();
  run_config["runtime"] = runtime_record();
  io::write_json_atomic(output_dir / "config.json", run_config);
  evaluation_table(record).write_csv(output_dir / "evaluation_results.csv");
  results::write_record(output_dir / "metrics.json", record);  // last: marks the run complete
  spdlog::info("baseline: test accuracy {:.4f}, F1 {:.4f}, {:.2f} MB, p50 latency {:.2f} ms/sample, {:.0f} s wall",
               record.metrics["accuracy"].get<double>(), record.metrics["f1"].get<double>(),
               record.size["file_mb"].get<double>(), record.speed["latency_ms_per_sample_p50"].get<double>(), record.wall_s);
}

}  // namespace tpq::pipeline
