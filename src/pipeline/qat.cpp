#include "pipeline/qat.h"

#include <chrono>
#include <cmath>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "tpq/checkpoint/checkpoint.h"
#include "tpq/core/error.h"
#include "tpq/data/batching.h"
#include "tpq/data/tokenized_split.h"
#include "pipeline/calibration_data.h"
#include "pipeline/shared_sections.h"
#include "pipeline/training_curve.h"
#include "pipeline/variant_experiment.h"
#include "tpq/quant/engine.h"
#include "tpq/quant/fake_quant.h"
#include "tpq/results/table.h"
#include "tpq/train/trainer.h"

namespace tpq::pipeline {
namespace fs = std::filesystem;
namespace {

// The trained state at the best validation epoch: FP32 parameters and every observer's range.
struct Snapshot {
  std::vector<torch::Tensor> parameters;
  std::vector<std::pair<quant::RangeObserver, quant::RangeObserver>> ranges;

  void take(model::EncoderClassifierImpl& model) {
    torch::NoGradGuard no_grad;
    parameters.clear();
    for (const auto& parameter : model.parameters()) parameters.push_back(parameter.detach().clone());
    ranges.clear();
    for (const auto& item : quant::fake_quant_kernels(model)) {
      ranges.emplace_back(item.second->input_range(), item.second->output_range());
    }
  }
  void restore(model::EncoderClassifierImpl& model) const {
    torch::NoGradGuard no_grad;
    auto current = model.parameters();
    for (std::size_t i = 0; i < current.size(); ++i) current[i].copy_(parameters[i]);
    auto kernels = quant::fake_quant_kernels(model);
    for (std::size_t i = 0; i < kernels.size(); ++i) kernels[i].second->set_ranges(ranges[i].first, ranges[i].second);
  }
};

// The baseline run's wall time (results/baseline/metrics.json beside the model dir), if recorded.
nlohmann::json baseline_training_seconds(const fs::path& model_dir) {
  const auto path = model_dir.parent_path() / "metrics.json";
  if (!fs::exists(path)) return nullptr;
  try {
    return results::read_experiment_record(path).primary.provenance.wall_s;
  } catch (const UserError&) {
    return nullptr;  // not a tpq baseline run: the FP32 row has no training time
  }
}

// Largest |logit difference| between the model in memory and its saved checkpoint reloaded.
double reload_difference(model::EncoderClassifierImpl& model, const fs::path& model_dir,
                         const data::TokenizedSplit& test, torch::Device device) {
  checkpoint::LoadOptions options;
  options.device = device;
  auto reloaded = checkpoint::load_checkpoint(model_dir, options);
  auto batches = data::make_batches(test, 16, false, 0, false, device);
  data::Batch batch;
  batches.next(batch);
  torch::NoGradGuard no_grad;
  const model::ModelInputs inputs{batch.input_ids, batch.token_type_ids, batch.attention_mask};
  model.eval();
  return (model.forward(inputs).logits - reloaded.model->forward(inputs).logits).abs().max().item<double>();
}

// How QAT training went, for its row and the experiment record.
struct QatTraining {
  train::TrainResult result;
  int64_t frozen_at_step = -1;
};

class Qat : public VariantExperiment {
 public:
  void read_options(const ExperimentConfig& config) override {
    options_ = qat_options(config);
    engine_ = quant::select_engine(options_.engine);
  }

 protected:
  fs::path baseline_model() const override { return options_.baseline_model; }
  nlohmann::json fp32_extra() override { return {{"training_time_s", baseline_training_seconds(baseline().model_dir)}}; }

  std::vector<VariantPlan> plan() override {
    // Below 8 bits the rows say so: "W4A8" is a 4-bit weight grid in int8 storage, not an INT8 model.
    const std::string weight_label = options_.weight_bits == 8 ? "INT8" : "W" + std::to_string(options_.weight_bits) + "A8";
    calibration_ = calibration_batches(baseline().data.train, options_.calibration_samples, config().training.batch_size,
                                       config().run.seed, CalibrationOrder::Shuffled, device());
    return {{"int8_static_ptq", weight_label + " (静态 PTQ)", [this] { return post_training(); }},
            {"int8_qat", "QAT " + weight_label, [this] { return quantization_aware(); }}};
  }

  ExperimentSummary summarize() override;

 private:
  // A fresh baseline with fake-quant Linears, observers not yet run.
  model::EncoderClassifier prepared_copy() {
    quant::LinearSelection selection;
    selection.include_pooler_and_classifier = options_.include_pooler_and_classifier;
    auto model = fresh_baseline();
    quant::prepare_qat(*model, selection, options_.weight_bits);
    return model;
  }

  // PTQ: the baseline's ranges observed on the calibration samples, converted, no training.
  BuiltVariant post_training() {
    auto model = prepared_copy();
    const auto start = std::chrono::steady_clock::now();
    quant::calibrate_fake_quant(*model, calibration_);
    const auto info = quant::convert_qat(*model, "ptq");
    calibration_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const fs::path model_dir = dir("ptq_model");
    checkpoint::save_checkpoint(model_dir, *model, baseline().checkpoint.tokenizer.get());
    return {model, model_dir,
            {{"training_time_s", calibration_seconds_},
             {"calibration_samples", calibration_examples(calibration_)},
             {"quantization", info.to_json()}}};
  }

  BuiltVariant quantization_aware();
  QatTraining fine_tune(model::EncoderClassifierImpl& model);
  nlohmann::json notes() const;

  QatOptions options_;
  std::string engine_;
  std::vector<model::ModelInputs> calibration_;
  double calibration_seconds_ = 0;
  QatTraining training_;
  double reload_max_abs_ = 0;
};

// Fine-tuning through fake quantization; observers freeze after freeze_observers_ratio of the steps
// and the best validation epoch's weights and ranges are restored at the end.
QatTraining Qat::fine_tune(model::EncoderClassifierImpl& model) {
  auto training_config = config().training;
  training_config.epochs = options_.trained_epochs();
  training_config.learning_rate = options_.learning_rate;
  training_config.early_stopping_patience = 0;
  // Fake quantization simulates INT8 arithmetic on FP32 values; a bf16/fp16 autocast (the default
  // profile trains under bf16) would round inputs before the observers see them.
  training_config.amp = "none";
  const auto train_split =
      options_.steps > 0 ? data::seeded_sample(baseline().data.train,
                                               options_.steps * training_config.batch_size * training_config.gradient_accumulation_steps,
                                               config().run.seed)
                         : baseline().data.train;
  const int64_t batches_per_epoch = (static_cast<int64_t>(train_split.size()) + training_config.batch_size - 1) / training_config.batch_size;
  const int64_t total_steps =
      training_config.epochs * std::max<int64_t>(1, batches_per_epoch / training_config.gradient_accumulation_steps);
  const auto freeze_at = static_cast<int64_t>(std::ceil(options_.freeze_observers_ratio * static_cast<double>(total_steps)));
  QatTraining outcome;
  if (freeze_at == 0) {
    quant::freeze_observers(model);
    outcome.frozen_at_step = 0;
  }
  int64_t steps = 0;
  Snapshot best;
  train::TrainHooks hooks;
  hooks.after_optimizer_step = [&] {
    quant::synchronize_observers(model, baseline().group);  // a job's ranks saw slices of one batch
    if (++steps != freeze_at) return;
    quant::freeze_observers(model);
    outcome.frozen_at_step = steps;
    spdlog::info("QAT: observers frozen after step {} of {}", steps, total_steps);
  };
  hooks.on_best = [&](const train::EpochLog& epoch) {
    spdlog::info("QAT epoch {}: best fake-quant validation accuracy so far ({:.4f})", epoch.epoch, epoch.validation.accuracy);
    best.take(model);
  };
  // The trainer (optimizer state) goes out of scope before the row is measured, so the QAT row's
  // peak RSS is the INT8 model's, not the training's.
  outcome.result = [&] {
    train::Trainer trainer(model, training_config, device(), config().run.seed, baseline().group);
    return trainer.fit(train_split, baseline().data.validation, baseline().num_labels, hooks);
  }();
  best.restore(model);
  model.eval();
  return outcome;
}

// QAT: the same calibration, then fine-tuning through fake quantization.
BuiltVariant Qat::quantization_aware() {
  auto model = prepared_copy();
  quant::calibrate_fake_quant(*model, calibration_);
  training_ = fine_tune(*model);
  const auto& result = training_.result;
  train::write_training_curves(result, dir());
  draw_training_curve(result, "QAT ", "fake-quant", dir("training_curve.png"));
  const auto info = quant::convert_qat(*model, "qat");
  const fs::path model_dir = dir("quantized_model");
  checkpoint::save_checkpoint(model_dir, *model, baseline().checkpoint.tokenizer.get());
  reload_max_abs_ = reload_difference(*model, model_dir, baseline().data.test, device());
  nlohmann::json extra;
  extra["training_time_s"] = result.seconds;
  extra["epochs"] = options_.trained_epochs();
  extra["steps_budget"] = options_.steps;
  extra["learning_rate"] = options_.learning_rate;
  extra["best_epoch"] = result.best_epoch;
  extra["best_validation_accuracy_fake_quant"] = result.best_validation_accuracy;
  extra["optimizer_steps"] = result.optimizer_steps;
  extra["gradient_sync_seconds"] = result.gradient_sync_seconds;  // 0 in a single process
  extra["observers_frozen_at_step"] = training_.frozen_at_step;
  extra["calibration_samples"] = calibration_examples(calibration_);
  extra["quantization"] = info.to_json();
  return {model, model_dir, extra};
}

ExperimentSummary Qat::summarize() {
  const auto& rows = table().records();
  auto accuracy = [&](std::size_t i) { return rows[i].metrics.accuracy; };
  const auto verdict = qat_verdict(accuracy(0), accuracy(1), accuracy(2), table().paired(0, 1), table().paired(1, 2));
  qat_comparison_table(rows).write_csv(dir("comparison_table.csv"));
  const auto& result = training_.result;
  nlohmann::json extra;
  extra["engine"] = engine_;
  extra["weight_bits"] = options_.weight_bits;
  extra["recovery"] = verdict.recovery;
  extra["ptq_accuracy_loss"] = verdict.ptq_loss;
  extra["ptq_accuracy_loss_standard_error"] = verdict.ptq_vs_fp32.standard_error;
  extra["ptq_loss_significant"] = verdict.ptq_loss_significant;
  extra["qat_vs_ptq"] = verdict.qat_vs_ptq.to_json();
  extra["qat_training_time_s"] = result.seconds;
  extra["calibration_time_s"] = calibration_seconds_;
  extra["observers_frozen_at_step"] = training_.frozen_at_step;
  extra["total_optimizer_steps"] = result.optimizer_steps;
  extra["reload_max_abs_logit_difference"] = reload_max_abs_;
  extra["notes"] = notes();
  spdlog::info("qat: FP32 {:.4f}, PTQ {:.4f} ({:+.2f} ± {:.2f} pt), QAT {:.4f} ({:+.2f} ± {:.2f} pt vs PTQ); QAT training {:.0f} s; "
               "recovery {}{}",
               accuracy(0), accuracy(1), -100 * verdict.ptq_loss, 100 * verdict.ptq_vs_fp32.standard_error, accuracy(2),
               100 * verdict.qat_vs_ptq.accuracy_difference, 100 * verdict.qat_vs_ptq.standard_error, result.seconds,
               verdict.recovery.dump(), verdict.ptq_loss_significant ? "" : " (PTQ loss within two paired standard errors: noise)");
  return {"int8_qat", extra};
}

nlohmann::json Qat::notes() const {
  return {
      "Weights: symmetric per-output-channel, max|w|/(2^(weight_bits-1)-1), values stored and multiplied as int8 "
      "(weight_bits " + std::to_string(options_.weight_bits) + "); activations: quint8 per tensor, ranges from a moving-average "
      "min-max observer (momentum 0.01) on the input and output of every quantized Linear.",
      "PTQ: observers run on FP32 forward passes over the calibration samples, then converted; no training.",
      "QAT: same calibration, then fine-tuning with fake-quant weights, inputs and outputs (straight-through gradients); "
      "observers freeze after freeze_observers_ratio of the steps; the best fake-quant validation epoch is converted.",
      "recovery = (QAT acc - PTQ acc) / (FP32 acc - PTQ acc), null when PTQ lost no accuracy; standard errors are paired "
      "(same test examples), and ptq_loss_significant says whether the PTQ loss is at least two of them.",
      "FP32 training time is the baseline run's wall time (01, including tokenization); QAT time is the fine-tuning only."};
}

}  // namespace

QatVerdict qat_verdict(double fp32_accuracy, double ptq_accuracy, double qat_accuracy, const eval::PairedComparison& ptq_vs_fp32,
                       const eval::PairedComparison& qat_vs_ptq) {
  QatVerdict verdict;
  verdict.ptq_loss = fp32_accuracy - ptq_accuracy;
  if (verdict.ptq_loss > 0) verdict.recovery = (qat_accuracy - ptq_accuracy) / verdict.ptq_loss;
  verdict.ptq_vs_fp32 = ptq_vs_fp32;
  verdict.qat_vs_ptq = qat_vs_ptq;
  // A loss of a few test examples is noise: recovery only means something when the paired
  // difference FP32 - PTQ is at least two of its standard errors.
  verdict.ptq_loss_significant = verdict.ptq_loss > 0 && verdict.ptq_loss >= 2 * ptq_vs_fp32.standard_error;
  return verdict;
}

results::Table qat_comparison_table(const std::vector<results::RunRecord>& rows) {
  results::Table comparison({"方法", "准确率", "F1分数", "模型大小 (MB)", "训练时间"});
  for (const auto& row : rows) {
    const auto& seconds = row.extra["training_time_s"];
    comparison.add_row({row.label(), results::format_number(row.metrics.accuracy, 4),
                        results::format_number(row.metrics.f1, 4),
                        results::format_number(row.size.file_mb, 2),
                        seconds.is_number() ? results::format_number(seconds.get<double>(), 1) + " s" : "n/a"});
  }
  return comparison;
}
QatOptions qat_options(const ExperimentConfig& config) {
  QatOptions options;
  ConfigSection section(config.tree, "quantization");
  options.baseline_model = section.get_string("baseline_model", options.baseline_model.string());
  options.engine = section.get_string("engine", options.engine);
  options.include_pooler_and_classifier = section.get_bool("include_pooler_and_classifier", options.include_pooler_and_classifier);
  options.epochs = section.get_int("epochs", options.epochs);
  options.steps = section.get_int("steps", options.steps);
  options.learning_rate = section.get_double("learning_rate", options.learning_rate);
  options.freeze_observers_ratio = section.get_double("freeze_observers_ratio", options.freeze_observers_ratio);
  options.calibration_samples = section.get_int("calibration_samples", options.calibration_samples);
  options.weight_bits = section.get_int("weight_bits", options.weight_bits);
  // Keys of the other quantization experiments (02, 03, 05) sharing this section.
  section.accept(quantization_section_keys());
  section.finish();
  require(options.steps >= 0, "quantization.steps must be >= 0 (0 = train quantization.epochs epochs)");
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

ExperimentDefinition qat_definition() {
  ExperimentDefinition definition;
  definition.id = results::ExperimentId::Qat;
  definition.data_parallel = true;  // its fine-tunes train on the job's ranks
  definition.description =
      "Quantization-aware training (fake-quant fine-tuning) converted to real static INT8, vs FP32 and PTQ";
  definition.extra_sections = {"quantization"};
  definition.flags = {
      baseline_model_flag("quantization"),
      {"--epochs", "quantization.epochs", "QAT fine-tuning epochs"},
      {"--steps", "quantization.steps", "QAT optimizer steps on a seeded sample instead of --epochs (0: epochs)"},
      {"--learning_rate,--learning-rate", "quantization.learning_rate", "QAT peak learning rate"},
      {"--freeze_observers_ratio,--freeze-observers-ratio", "quantization.freeze_observers_ratio",
       "Fraction of training after which activation ranges freeze"},
      {"--calibration_samples,--calibration-samples", "quantization.calibration_samples",
       "Training examples for range calibration (PTQ row and QAT start)"},
      {"--weight_bits,--weight-bits", "quantization.weight_bits",
       "Weight grid bits for PTQ and QAT (8 = INT8; 4 = 15 levels, still int8 storage and kernels)"},
      {"--engine", "quantization.engine", "Quantized engine: auto, onednn, fbgemm, qnnpack"},
      {"--include-head", "quantization.include_pooler_and_classifier", "Also quantize pooler and classifier (true/false)"},
  };
  definition.make = [] { return std::make_unique<Qat>(); };
  return definition;
}

}  // namespace tpq::pipeline
