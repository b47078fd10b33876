#include "tpq/pipeline/qat.h"

#include <chrono>
#include <cmath>
#include <fstream>
#include <map>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "tpq/core/error.h"
#include "tpq/core/runtime_info.h"
#include "tpq/data/batching.h"
#include "tpq/io/atomic_file.h"
#include "tpq/io/checkpoint.h"
#include "tpq/pipeline/baseline_context.h"
#include "tpq/pipeline/variant_table.h"
#include "tpq/quant/engine.h"
#include "tpq/quant/fake_quant.h"
#include "tpq/results/chart.h"
#include "tpq/results/table.h"
#include "tpq/train/trainer.h"
#include "tpq/pipeline/shared_sections.h"

namespace tpq::pipeline {
namespace fs = std::filesystem;
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Forward passes over the first `samples` examples of a seeded shuffle of the training split.
std::function<void()> calibration_pass(model::BertForSequenceClassificationImpl& model, const data::TokenizedSplit& train,
                                       int64_t samples, int64_t batch_size, uint64_t seed, torch::Device device) {
  return [&model, &train, samples, batch_size, seed, device] {
    auto batches = data::make_batches(train, batch_size, /*shuffle=*/true, seed, /*sort_by_length_buckets=*/false, device);
    int64_t seen = 0;
    data::Batch batch;
    while (seen < samples && batches.next(batch)) {
      const int64_t take = std::min<int64_t>(batch.input_ids.size(0), samples - seen);
      model.forward(model::BertInputs{batch.input_ids.narrow(0, 0, take), batch.token_type_ids.narrow(0, 0, take),
                                      batch.attention_mask.narrow(0, 0, take)});
      seen += take;
    }
  };
}

// The trained state at the best validation epoch: FP32 parameters and every observer's range.
struct Snapshot {
  std::vector<torch::Tensor> parameters;
  std::vector<std::pair<quant::RangeObserver, quant::RangeObserver>> ranges;

  void take(model::BertForSequenceClassificationImpl& model) {
    torch::NoGradGuard no_grad;
    parameters.clear();
    for (const auto& parameter : model.parameters()) parameters.push_back(parameter.detach().clone());
    ranges.clear();
    for (const auto& item : quant::fake_quant_kernels(model)) {
      ranges.emplace_back(item.second->input_range(), item.second->output_range());
    }
  }
  void restore(model::BertForSequenceClassificationImpl& model) const {
    torch::NoGradGuard no_grad;
    auto current = model.parameters();
    for (std::size_t i = 0; i < current.size(); ++i) current[i].copy_(parameters[i]);
    auto kernels = quant::fake_quant_kernels(model);
    for (std::size_t i = 0; i < kernels.size(); ++i) kernels[i].second->set_ranges(ranges[i].first, ranges[i].second);
  }
};

void draw_training_curve(const train::TrainResult& result, const fs::path& png) {
  results::Series step_loss{"QAT train loss (per step window)", {}, {}, "lines"};
  for (const auto& step : result.steps) {
    step_loss.x.push_back(step.epoch);
    step_loss.y.push_back(step.loss);
  }
  results::Series val_loss{"validation loss (fake-quant)", {}, {}}, val_acc{"validation accuracy (fake-quant)", {}, {}},
      train_acc{"train accuracy", {}, {}};
  for (const auto& epoch : result.epochs) {
    val_loss.x.push_back(epoch.epoch);
    val_loss.y.push_back(epoch.validation.loss);
    val_acc.x.push_back(epoch.epoch);
    val_acc.y.push_back(epoch.validation.accuracy);
    train_acc.x.push_back(epoch.epoch);
    train_acc.y.push_back(epoch.train_accuracy);
  }
  results::render_panels({{"QAT loss", "epoch", "cross-entropy", {step_loss, val_loss}},
                          {"QAT accuracy", "epoch", "accuracy", {train_acc, val_acc}}},
                         png);
}

// The baseline run's wall time (results/baseline/metrics.json beside the model dir), if recorded.
nlohmann::json baseline_training_seconds(const fs::path& model_dir) {
  const auto path = model_dir.parent_path() / "metrics.json";
  if (!fs::exists(path)) return nullptr;
  std::ifstream in(path);
  const auto record = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (record.is_object() && record.contains("wall_s") && record["wall_s"].is_number()) return record["wall_s"];
  return nullptr;
}

// Largest |logit difference| between the model in memory and its saved checkpoint reloaded.
double reload_difference(model::BertForSequenceClassificationImpl& model, const fs::path& model_dir,
                         const data::TokenizedSplit& test, torch::Device device) {
  io::LoadOptions options;
  options.device = device;
  auto reloaded = io::load_checkpoint(model_dir, options);
  auto batches = data::make_batches(test, 16, false, 0, false, device);
  data::Batch batch;
  batches.next(batch);
  torch::NoGradGuard no_grad;
  const model::BertInputs inputs{batch.input_ids, batch.token_type_ids, batch.attention_mask};
  model.eval();
  return (model.forward(inputs).logits - reloaded.model->forward(inputs).logits).abs().max().item<double>();
}

}  // namespace

QatOptions qat_options(const ExperimentConfig& config) {
  QatOptions options;
  ConfigSection section(config.tree, "quantization");
  options.baseline_model = section.get_string("baseline_model", options.baseline_model.string());
  options.engine = section.get_string("engine", options.engine);
  options.include_pooler_and_classifier = section.get_bool("include_pooler_and_classifier", options.include_pooler_and_classifier);
  options.epochs = section.get_int("epochs", options.epochs);
  options.learning_rate = section.get_double("learning_rate", options.learning_rate);
  options.freeze_observers_ratio = section.get_double("freeze_observers_ratio", options.freeze_observers_ratio);
  options.calibration_samples = section.get_int("calibration_samples", options.calibration_samples);
  options.weight_bits = section.get_int("weight_bits", options.weight_bits);
  // Keys of the other quantization experiments (02, 03, 05) sharing this section.
  section.accept(quantization_section_keys());
  section.finish();
  require(options.epochs >= 1, "quantization.epochs (--epochs) must be >= 1 for QAT; got " + std::to_string(options.epochs));
  require(options.learning_rate > 0, "quantization.learning_rate (--learning_rate) must be > 0");
  require(options.freeze_observers_ratio >= 0 && options.freeze_observers_ratio <= 1,
          "quantization.freeze_observers_ratio (--freeze_observers_ratio) must lie in [0, 1]");
  require(options.calibration_samples > 0,
          "quantization.calibration_samples (--calibration_samples) must be > 0: static INT8 needs observed activation "
          "ranges; got " + std::to_string(options.calibration_samples));
  quant::weight_bits_max_level(options.weight_bits);  // UserError naming the key outside [2, 8]
  return options;
}

void run_qat(const ExperimentConfig& config, const fs::path& output_dir, torch::Device device) {
  require(device.is_cpu(), "04_qat_experiment: INT8 kernels are CPU kernels; use --device cpu");
  const auto start = std::chrono::steady_clock::now();
  const std::string started_at = utc_timestamp();
  const auto options = qat_options(config);
  fs::create_directories(output_dir);
  fs::remove(output_dir / "metrics.json");
  const std::string engine = quant::select_engine(options.engine);

  auto context = load_baseline(config, options.baseline_model, device);
  const auto& train_split = context.data.train;
  const int64_t calibration_samples = std::min<int64_t>(options.calibration_samples, static_cast<int64_t>(train_split.size()));
  const int64_t batch_size = context.config.training.batch_size;
  const uint64_t seed = context.config.run.seed;
  quant::LinearSelection selection;
  selection.include_pooler_and_classifier = options.include_pooler_and_classifier;

  // Below 8 bits the rows say so: "W4A8" is a 4-bit weight grid in int8 storage, not an INT8 model.
  const std::string weight_label = options.weight_bits == 8 ? "INT8" : "W" + std::to_string(options.weight_bits) + "A8";
  VariantTable table(context, "qat");
  const auto fp32_seconds = baseline_training_seconds(context.model_dir);
  {
    nlohmann::json extra;
    extra["training_time_s"] = fp32_seconds;
    table.add_variant("fp32", "FP32 (基线)", *context.checkpoint.model, context.model_dir, extra);
  }

  // PTQ: the baseline's ranges observed on the calibration samples, converted, no training.
  auto ptq = clone_baseline(context, device);
  quant::prepare_qat(*ptq, selection, options.weight_bits);
  const auto calibration_start = std::chrono::steady_clock::now();
  quant::calibrate(*ptq, calibration_pass(*ptq, train_split, calibration_samples, batch_size, seed, device));
  const auto ptq_info = quant::convert_qat(*ptq, "ptq");
  const double calibration_seconds = seconds_since(calibration_start);
  const fs::path ptq_dir = output_dir / "ptq_model";
  io::save_checkpoint(ptq_dir, *ptq, context.checkpoint.tokenizer.get());
  {
    nlohmann::json extra;
    extra["training_time_s"] = calibration_seconds;
    extra["calibration_samples"] = calibration_samples;
    extra["quantization"] = ptq_info.to_json();
    table.add_variant("int8_static_ptq", weight_label + " (静态 PTQ)", *ptq, ptq_dir, extra);
  }

  // QAT: same initial ranges, then fine-tuning through fake quantization.
  auto qat = clone_baseline(context, device);
  quant::prepare_qat(*qat, selection, options.weight_bits);
  quant::calibrate(*qat, calibration_pass(*qat, train_split, calibration_samples, batch_size, seed, device));
  auto training_config = context.config.training;
  training_config.epochs = options.epochs;
  training_config.learning_rate = options.learning_rate;
  training_config.early_stopping_patience = 0;
  // Fake quantization simulates INT8 arithmetic on FP32 values; a bf16/fp16 autocast (the default
  // profile trains under bf16) would round inputs before the observers see them.
  training_config.amp = "none";
  const int64_t batches_per_epoch = (static_cast<int64_t>(train_split.size()) + training_config.batch_size - 1) / training_config.batch_size;
  const int64_t total_steps = options.epochs * std::max<int64_t>(1, batches_per_epoch / training_config.gradient_accumulation_steps);
  const auto freeze_at = static_cast<int64_t>(std::ceil(options.freeze_observers_ratio * static_cast<double>(total_steps)));
  int64_t steps = 0;
  int64_t frozen_at_step = -1;
  if (freeze_at == 0) {
    quant::freeze_observers(*qat);
    frozen_at_step = 0;
  }
  Snapshot best;
  train::TrainHooks hooks;
  hooks.after_optimizer_step = [&] {
    if (++steps == freeze_at) {
      quant::freeze_observers(*qat);
      frozen_at_step = steps;
      spdlog::info("QAT: observers frozen after step {} of {}", steps, total_steps);
    }
  };
  hooks.on_best = [&](const train::EpochLog& epoch) {
    spdlog::info("QAT epoch {}: best fake-quant validation accuracy so far ({:.4f})", epoch.epoch, epoch.validation.accuracy);
    best.take(*qat);
  };
  // The trainer (optimizer state) and the snapshot go out of scope before the rows are measured,
  // so the QAT row's peak RSS is the INT8 model's, not the training's.
  const auto training = [&] {
    train::Trainer trainer(*qat, training_config, device, seed);
    return trainer.fit(train_split, context.data.validation, context.num_labels, hooks);
  }();
  best.restore(*qat);
  best = Snapshot{};
  qat->eval();
  train::write_training_curves(training, output_dir);
  draw_training_curve(training, output_dir / "training_curve.png");

  const auto qat_info = quant::convert_qat(*qat, "qat");
  const fs::path qat_dir = output_dir / "quantized_model";
  io::save_checkpoint(qat_dir, *qat, context.checkpoint.tokenizer.get());
  const double reload_max_abs = reload_difference(*qat, qat_dir, context.data.test, device);
  {
    nlohmann::json extra;
    extra["training_time_s"] = training.seconds;
    extra["epochs"] = options.epochs;
    extra["learning_rate"] = options.learning_rate;
    extra["best_epoch"] = training.best_epoch;
    extra["best_validation_accuracy_fake_quant"] = training.best_validation_accuracy;
    extra["optimizer_steps"] = training.optimizer_steps;
    extra["observers_frozen_at_step"] = frozen_at_step;
    extra["calibration_samples"] = calibration_samples;
    extra["quantization"] = qat_info.to_json();
    table.add_variant("int8_qat", "QAT " + weight_label, *qat, qat_dir, extra);
  }

  const auto& rows = table.records();
  auto accuracy = [&](std::size_t i) { return rows[i].metrics["accuracy"].get<double>(); };
  nlohmann::json recovery = nullptr;
  const double ptq_loss = accuracy(0) - accuracy(1);
  if (ptq_loss > 0) recovery = (accuracy(2) - accuracy(1)) / ptq_loss;
  // A loss of a few test examples is noise: recovery only means something when the paired
  // difference FP32 - PTQ is at least two of its standard errors.
  const auto ptq_vs_fp32 = table.paired(0, 1);
  const auto qat_vs_ptq = table.paired(1, 2);
  const bool ptq_loss_significant = ptq_loss > 0 && ptq_loss >= 2 * ptq_vs_fp32.standard_error;

  results::Table comparison({"方法", "准确率", "F1分数", "模型大小 (MB)", "训练时间"});
  for (const auto& row : rows) {
    const auto& seconds = row.extra["training_time_s"];
    comparison.add_row({row.extra["label"].get<std::string>(), results::format_number(row.metrics["accuracy"].get<double>(), 4),
                        results::format_number(row.metrics["f1"].get<double>(), 4),
                        results::format_number(row.size["file_mb"].get<double>(), 2),
                        seconds.is_number() ? results::format_number(seconds.get<double>(), 1) + " s" : "n/a"});
  }
  comparison.write_csv(output_dir / "comparison_table.csv");

  nlohmann::json extra;
  extra["engine"] = engine;
  extra["weight_bits"] = options.weight_bits;
  extra["recovery"] = recovery;
  extra["ptq_accuracy_loss"] = ptq_loss;
  extra["ptq_accuracy_loss_standard_error"] = ptq_vs_fp32.standard_error;
  extra["ptq_loss_significant"] = ptq_loss_significant;
  extra["qat_vs_ptq"] = qat_vs_ptq.to_json();
  extra["qat_training_time_s"] = training.seconds;
  extra["calibration_time_s"] = calibration_seconds;
  extra["observers_frozen_at_step"] = frozen_at_step;
  extra["total_optimizer_steps"] = training.optimizer_steps;
  extra["reload_max_abs_logit_difference"] = reload_max_abs;
  extra["notes"] = {
      "Weights: symmetric per-output-channel, max|w|/(2^(weight_bits-1)-1), values stored and multiplied as int8 "
      "(weight_bits " + std::to_string(options.weight_bits) + "); activations: quint8 per tensor, ranges from a moving-average "
      "min-max observer (momentum 0.01) on the input and output of every quantized Linear.",
      "PTQ: observers run on FP32 forward passes over the calibration samples, then converted; no training.",
      "QAT: same calibration, then fine-tuning with fake-quant weights, inputs and outputs (straight-through gradients); "
      "observers freeze after freeze_observers_ratio of the steps; the best fake-quant validation epoch is converted.",
      "recovery = (QAT acc - PTQ acc) / (FP32 acc - PTQ acc), null when PTQ lost no accuracy; standard errors are paired "
      "(same test examples), and ptq_loss_significant says whether the PTQ loss is at least two of them.",
      "FP32 training time is the baseline run's wall time (01, including tokenization); QAT time is the fine-tuning only."};
  const auto elapsed = seconds_since(start);
  table.write(output_dir, "int8_qat", started_at, elapsed, extra);
  spdlog::info("qat: FP32 {:.4f}, PTQ {:.4f} ({:+.2f} ± {:.2f} pt), QAT {:.4f} ({:+.2f} ± {:.2f} pt vs PTQ); QAT training {:.0f} s; "
               "recovery {}{}",
               accuracy(0), accuracy(1), -100 * ptq_loss, 100 * ptq_vs_fp32.standard_error, accuracy(2),
               100 * qat_vs_ptq.accuracy_difference, 100 * qat_vs_ptq.standard_error, training.seconds, recovery.dump(),
               ptq_loss_significant ? "" : " (PTQ loss within two paired standard errors: noise)");
}

}  // namespace tpq::pipeline
