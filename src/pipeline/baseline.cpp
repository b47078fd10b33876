#include "pipeline/baseline.h"
#include "pipeline/baseline_context.h"

#include <algorithm>
#include <optional>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "tpq/core/error.h"
#include "tpq/core/runtime_info.h"
#include "tpq/data/stats.h"
#include "tpq/eval/memory.h"
#include "tpq/eval/predictor.h"
#include "tpq/hub/resolve.h"
#include "tpq/io/atomic_file.h"
#include "tpq/checkpoint/checkpoint.h"
#include "tpq/pipeline/experiment.h"
#include "pipeline/training_curve.h"
#include "pipeline/workspace.h"
#include "tpq/results/chart.h"
#include "tpq/results/table.h"
#include "tpq/train/mlm_pretraining.h"
#include "tpq/train/trainer.h"

namespace tpq::pipeline {
namespace fs = std::filesystem;
namespace {

// The model to fine-tune: the pretrained checkpoint in `dir` (classifier re-initialised if the labels
// differ), or a fresh from-scratch model when `dir` is empty.
model::EncoderClassifier initial_model(const ExperimentConfig& config, const fs::path& dir, const tokenize::Tokenizer& tokenizer,
                                       const std::vector<std::string>& label_names) {
  torch::manual_seed(config.run.seed);
  if (dir.empty()) {
    return model::EncoderClassifier(config.model.scratch_config(tokenizer.vocab_size(), tokenizer.pad_id(), label_names));
  }
  auto bert_config = model::EncoderConfig::load(dir / "config.json");
  const bool same_labels = bert_config.num_labels() == static_cast<int64_t>(label_names.size());
  bert_config.label_names = label_names;
  model::EncoderClassifier model(bert_config);
  checkpoint::LoadOptions options;
  options.allow_fresh_classifier = true;
  options.discard_classifier = !same_labels;
  std::vector<std::string> fresh;
  checkpoint::load_weights(*model, dir / "model.safetensors", options, &fresh);
  if (!fresh.empty()) spdlog::info("fine-tuning {}: classifier initialised fresh for {} labels", dir.string(), label_names.size());
  return model;
}

results::Table evaluation_table(const results::RunRecord& record) {
  // Rows as the template's 基线性能 table.
  results::Table table({"指标", "数值"});
  const auto& metrics = record.metrics;
  table.add_row({"准确率 (Accuracy)", results::format_number(metrics.accuracy, 4)});
  table.add_row({"F1 分数", results::format_number(metrics.f1, 4)});
  table.add_row({"精确率 (Precision)", results::format_number(metrics.precision, 4)});
  table.add_row({"召回率 (Recall)", results::format_number(metrics.recall, 4)});
  table.add_row({"推理时间 (ms/样本)", results::format_number(record.speed.latency_ms_p50, 3)});
  table.add_row({"吞吐量 (样本/秒)", results::format_number(record.speed.throughput_samples_s, 1)});
  table.add_row({"模型大小 (MB)", results::format_number(record.size.file_mb, 2)});
  table.add_row({"参数数量", std::to_string(record.size.params)});
  table.add_row({"峰值内存：评估 (MB)", results::format_number(record.memory.peak_rss_mb, 1)});
  for (const auto& phase : record.memory.phases) {
    table.add_row({"峰值内存：" + results::phase_display_name(phase.phase) + " (MB)", results::format_number(phase.peak_rss_mb, 1)});
  }
  return table;
}


train::MlmConfig mlm_config(const ExperimentConfig& config) {
  train::MlmConfig mlm;
  mlm.epochs = config.training.mlm_epochs;
  mlm.learning_rate = config.training.mlm_learning_rate;
  mlm.mask_probability = config.training.mlm_mask_probability;
  mlm.batch_size = config.training.batch_size;
  mlm.amp = config.training.amp;
  return mlm;
}

train::SpecialIds special_ids(const tokenize::Tokenizer& tokenizer) {
  return {tokenizer.pad_id(), tokenizer.cls_id(), tokenizer.sep_id(), tokenizer.mask_id(),
          1 + std::max({tokenizer.pad_id(), tokenizer.cls_id(), tokenizer.sep_id(), tokenizer.mask_id(), tokenizer.unk_id()})};
}

nlohmann::json training_json(const train::TrainResult& training, const train::MlmResult& mlm, const std::string& amp_used) {
  return {{"best_epoch", training.best_epoch},
          {"amp_used", amp_used},  // training.amp as run ("auto" resolved)
          {"best_validation_accuracy", training.best_validation_accuracy},
          {"epochs_run", training.epochs.size()},
          {"optimizer_steps", training.optimizer_steps},
          {"gradient_sync_seconds", training.gradient_sync_seconds},  // all-reduce time in data-parallel runs
          {"train_seconds", training.seconds},
          {"stopped_early", training.stopped_early},
          {"mlm_epochs", mlm.epoch_losses.size()},
          {"mlm_epoch_losses", mlm.epoch_losses},
          {"mlm_seconds", mlm.seconds}};
}

class BaselineTraining : public Experiment {
 public:
  void read_options(const ExperimentConfig& config) override {
    require(config.training.mlm_epochs == 0 || config.model.from_scratch(),
            "training.mlm_epochs: MLM pre-training is for from-scratch models; set it to 0");
  }

  void run(ExperimentRun& run) override {
    const auto& config = run.config();
    // A local directory, the HF cache, or a download (hub/resolve.h): before anything else is loaded.
    if (!config.model.from_scratch()) pretrained_ = hub::resolve_model(config.model.pretrained);
    const fs::path pretrained_dir = pretrained_ ? pretrained_->dir : fs::path();
    auto* group = run.process_group();
    if (run.is_rank_zero() && !run.resume()) start_over(run);
    // In a job rank 0 prepares the data first (vocabulary, token caches); the others then read its caches.
    if (!run.is_rank_zero()) group->barrier();
    const eval::PhaseMemoryMeter data_memory("data");
    auto splits = load_splits(config);
    label_names_ = splits.train.label_names;
    dataset_hub_source_ = splits.hub_source;
    tokenizer_ = prepare_tokenizer(config, splits.train, pretrained_dir);
    model_ = initial_model(config, pretrained_dir, *tokenizer_, label_names_);
    max_length_ = std::min(config.model.max_length, model_->config.max_position_embeddings);
    eval::record_truncation(config.data.truncation, model_->config);
    write_dataset_stats(splits, config, run.dir() / "dataset_stats.json");
    data_ = prepare_data(config, std::move(splits), *tokenizer_, max_length_);
    model_->to(run.device());
    phase_memory_.push_back(data_memory.finish());
    if (group && run.is_rank_zero()) group->barrier();
    train::MlmResult mlm;
    if (config.training.mlm_epochs > 0) {
      const eval::PhaseMemoryMeter mlm_memory("mlm");
      mlm = train::pretrain_mlm(*model_, data_.train, special_ids(*tokenizer_), mlm_config(config), run.device(),
                                config.run.seed, group, resume_options(run, "mlm"));
      phase_memory_.push_back(mlm_memory.finish());
    }
    const eval::PhaseMemoryMeter training_memory("fine_tuning");
    const auto training = fine_tune(run);
    phase_memory_.push_back(training_memory.finish());
    if (!run.is_rank_zero()) return;  // rank 0 alone measures the saved model and writes the results
    write_results(run, training, mlm);
  }

 private:
  static train::ResumeOptions resume_options(const ExperimentRun& run, const std::string& phase) {
    return {run.training_state_dir(phase), run.config().training.checkpoint_every_steps, run.resume()};
  }

  // Without --resume an earlier run's snapshots are stale: they go before this run writes its own.
  static void start_over(const ExperimentRun& run) {
    const auto dir = run.training_state_dir("");
    std::error_code error;
    if (!fs::exists(dir, error)) return;
    spdlog::warn("an interrupted run left training snapshots in {}; starting over (pass --resume to continue from them)",
                 dir.string());
    fs::remove_all(dir, error);
    require(!error, "cannot remove the old training snapshots in " + dir.string() + ": " + error.message());
  }

  void write_dataset_stats(const data::DatasetSplits& splits, const ExperimentConfig& config, const fs::path& path) const {
    data::StatsOptions options;
    options.max_length = max_length_;
    options.threads = std::max(1, config.run.threads);
    const auto tokenizer = tokenizer_;
    io::write_json_atomic(path, data::dataset_stats(
                                    splits, [&](const std::string& text) { return tokenizer->tokenize(text).size(); }, options));
  }

  // Trains with the best validation epoch saved to model/ (as is for 0 epochs).
  train::TrainResult fine_tune(ExperimentRun& run) {
    const fs::path model_dir = run.dir() / "model";
    train::TrainHooks hooks;
    hooks.on_best = [&](const train::EpochLog& epoch) {
      if (!run.is_rank_zero()) return;  // rank 0 alone writes the model
      spdlog::info("epoch {}: best validation accuracy so far ({:.4f}); saving {}", epoch.epoch, epoch.validation.accuracy,
                   run.published_path(model_dir).string());
      checkpoint::save_checkpoint(model_dir, *model_, tokenizer_.get());
    };
    train::Trainer trainer(*model_, run.config().training, run.device(), run.config().run.seed, run.process_group());
    trainer.checkpoint_to(resume_options(run, "fine_tuning"));
    const auto training = trainer.fit(data_.train, data_.validation, static_cast<int64_t>(label_names_.size()), hooks);
    if (!run.is_rank_zero()) return training;
    if (training.best_epoch == 0) checkpoint::save_checkpoint(model_dir, *model_, tokenizer_.get());  // epochs: 0
    train::write_training_curves(training, run.dir());
    draw_training_curve(training, "", "", run.dir() / "training_curve.png");
    return training;
  }

  void write_results(ExperimentRun& run, const train::TrainResult& training, const train::MlmResult& mlm);

  std::vector<eval::PhaseMemory> phase_memory_;  // peak RSS of each phase before the evaluation
  std::optional<hub::ResolvedRepo> pretrained_;  // the checkpoint fine-tuned, where it came from
  std::vector<std::string> label_names_;
  nlohmann::json dataset_hub_source_;  // the Hub dataset repo the files came from, else null
  std::shared_ptr<tokenize::Tokenizer> tokenizer_;
  model::EncoderClassifier model_{nullptr};
  int64_t max_length_ = 0;
  PreparedData data_;
};

// Measures the best checkpoint as saved, exactly as later experiments will load it, and writes the record.
void BaselineTraining::write_results(ExperimentRun& run, const train::TrainResult& training, const train::MlmResult& mlm) {
  const auto& config = run.config();
  const fs::path model_dir = run.dir() / "model";
  checkpoint::LoadOptions load_options;
  load_options.device = run.device();
  auto best = checkpoint::load_checkpoint(model_dir, load_options);
  const auto measurement = measure_variant(*best.model, model_dir, data_.test, static_cast<int64_t>(label_names_.size()),
                                           config, run.device());
  auto record = make_record("baseline", "fp32", measurement, config, run.device());
  for (const auto& phase : phase_memory_) {
    record.memory.phases.push_back({phase.phase, phase.peak_rss_mb, phase.rss_after_release_mb, phase.peak_is_phase_only});
  }
  record.extra = {{"training", training_json(training, mlm, train::resolve_amp(config.training.amp, run.device().is_cuda()))},
                  {"model",
                   {{"family", best.config.model_type},
                    {"architecture", best.config.family().architecture},
                    {"layers", best.config.num_hidden_layers},
                    {"hidden_size", best.config.hidden_size},
                    {"heads", best.config.num_attention_heads},
                    {"intermediate_size", best.config.intermediate_size},
                    {"vocab_size", best.config.vocab_size},
                    {"max_length", max_length_},
                    {"tokenizer", tokenizer_->kind()},
                    {"source", config.model.from_scratch() ? "scratch" : config.model.pretrained},
                    {"checkpoint", pretrained_ ? pretrained_->to_json() : nlohmann::json(nullptr)}}},
                  {"dataset",
                   {{"name", config.data.name},
                    {"train", data_.train.size()},
                    {"validation", data_.validation.size()},
                    {"test", data_.test.size()},
                    {"labels", label_names_},
                    {"task", data::dataset_task(config.data)},
                    {"hub", dataset_hub_source_}}}};
  record.provenance.model_source = model_source_record(pretrained_ ? &*pretrained_ : nullptr, best.config.model_type);
  record.provenance.started_at = run.started_at();
  record.provenance.wall_s = run.elapsed_seconds();
  nlohmann::json run_config = config.to_json();
  run_config["runtime"] = runtime_record();
  io::write_json_atomic(run.dir() / "config.json", run_config);
  evaluation_table(record).write_csv(run.dir() / "evaluation_results.csv");
  results::write_record(run.dir() / "metrics.json", record);  // last: marks the run complete
  spdlog::info("baseline: test accuracy {:.4f}, F1 {:.4f}, {:.2f} MB, p50 latency {:.2f} ms/sample, {:.0f} s wall",
               record.metrics.accuracy, record.metrics.f1,
               record.size.file_mb, record.speed.latency_ms_p50, record.provenance.wall_s);
}

}  // namespace

ExperimentDefinition baseline_definition() {
  ExperimentDefinition definition;
  definition.id = results::ExperimentId::Baseline;
  definition.description = "Train the baseline text classifier every other experiment compares against";
  definition.flags = {
      {"--model,--pretrained", "model.pretrained", "Checkpoint to fine-tune: a Hub id (bert-base-uncased, org/name@revision), a local HF checkpoint dir, or 'scratch'"},
      {"--dataset", "data.dataset", "imdb, aclimdb, sst2, ag_news, spam_assassin, csv, tsv, jsonl"},
      {"--data_path,--data-path", "data.path", "Dataset file or directory (sst2 / ag_news without it: from the Hub)"},
      {"--hub_dataset,--hub-dataset", "data.hub_repo", "Hub dataset repo (org/name[@revision]) of CSV/TSV/JSONL files"},
      {"--epochs", "training.epochs", "Training epochs"},
      {"--batch_size,--batch-size", "training.batch_size", "Batch size"},
      {"--learning_rate,--learning-rate", "training.learning_rate", "Peak learning rate (AdamW)"},
      {"--max_length,--max-length", "model.max_length", "Tokens per example"},
      {"--max_train_samples,--max-train-samples", "data.max_train_samples", "Cap on training examples (0 = all)"},
      {"--max_val_samples,--max-val-samples", "data.max_validation_samples", "Cap on validation examples"},
      {"--max_test_samples,--max-test-samples", "data.max_test_samples", "Cap on test examples"},
      {"--amp", "training.amp", "none, bf16, fp16 (CUDA) or auto (bf16 on a CPU with native bf16, else none)"},
  };
  definition.data_parallel = true;
  definition.resumable = true;
  definition.make = [] { return std::make_unique<BaselineTraining>(); };
  return definition;
}

}  // namespace tpq::pipeline
