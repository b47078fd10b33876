#include "pipeline/static_quantization.h"

#include <map>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "tpq/checkpoint/checkpoint.h"
#include "tpq/core/error.h"
#include "pipeline/calibration_data.h"
#include "pipeline/shared_sections.h"
#include "pipeline/variant_experiment.h"
#include "tpq/quant/engine.h"
#include "tpq/quant/static_quantization.h"

namespace tpq::pipeline {
namespace fs = std::filesystem;
namespace {

std::string observer_label(const std::string& observer) {
  if (observer == "minmax") return "MinMax";
  if (observer == "moving_average") return "移动平均 MinMax";
  if (observer == "histogram") return "直方图";
  return "MSE";
}

nlohmann::json ranges_json(const quant::Calibration& calibration) {
  nlohmann::json ranges = nlohmann::json::object();
  for (const auto& [name, range] : calibration.ranges) {
    ranges[name] = {{"input", {range.input.min, range.input.max}}, {"output", {range.output.min, range.output.max}}};
  }
  return ranges;
}

class StaticQuantization : public VariantExperiment {
 public:
  void read_options(const ExperimentConfig& config) override {
    options_ = static_quantization_options(config);
    engine_ = quant::select_engine(options_.engine);
  }

 protected:
  fs::path baseline_model() const override { return options_.baseline_model; }

  std::vector<VariantPlan> plan() override {
    batches_ = calibration_batches(baseline().data.train, options_.calibration_samples, config().training.eval_batch_size,
                                   config().run.seed, CalibrationOrder::LengthSorted);
    samples_ = calibration_examples(batches_);
    if (samples_ < options_.calibration_samples) {
      spdlog::warn("--calibration_samples {}: the training split has only {} examples; calibrating on all of them",
                   options_.calibration_samples, samples_);
    }
    std::vector<VariantPlan> rows;
    for (const auto& observer : options_.observers) {
      for (const auto& granularity : options_.granularities) {
        const bool per_channel = quant::parse_granularity(granularity) == quant::Granularity::PerChannel;
        rows.push_back({"int8_static_" + observer + "_" + granularity,
                        "INT8 (静态, " + observer_label(observer) + ", " + (per_channel ? "逐通道" : "逐张量") + ")",
                        [this, observer, granularity] { return quantize(observer, granularity); }});
      }
    }
    return rows;
  }

  ExperimentSummary summarize() override;

 private:
  // Observers watch FP32 activations, so one calibration serves both weight granularities.
  const quant::Calibration& calibration(const std::string& observer) {
    if (calibrations_.count(observer) == 0) {
      quant::LinearSelection selection;
      selection.include_pooler_and_classifier = options_.include_pooler_and_classifier;
      calibrations_[observer] = quant::calibrate(*baseline().checkpoint.model, batches_, observer, selection);
      const auto& done = calibrations_[observer];
      spdlog::info("calibrated '{}' on {} training examples in {:.1f} s", observer, done.samples, done.seconds);
      calibration_json_[observer]["calibration_s"] = done.seconds;
      calibration_json_[observer]["ranges"] = ranges_json(done);
    }
    return calibrations_[observer];
  }

  BuiltVariant quantize(const std::string& observer, const std::string& granularity) {
    const auto& calibrated = calibration(observer);
    auto model = fresh_baseline();
    const auto info = quant::quantize_static(*model, calibrated, quant::parse_granularity(granularity));
    const std::string variant = "int8_static_" + observer + "_" + granularity;
    const fs::path model_dir = dir("models") / variant;
    checkpoint::save_checkpoint(model_dir, *model, baseline().checkpoint.tokenizer.get());
    nlohmann::json quantization;
    quantization["observer"] = observer;
    quantization["granularity"] = granularity;
    quantization["calibration_samples"] = calibrated.samples;
    quantization["calibration_s"] = calibrated.seconds;
    quantization["engine"] = engine_;
    quantization["modules"] = info.modules;
    return {model, model_dir, {{"quantization", quantization}}};
  }

  std::string best_variant() {
    std::string best;
    double best_accuracy = -1;
    for (const auto& record : table().records()) {
      const double accuracy = record.metrics.accuracy;
      if (record.variant == "fp32" || accuracy <= best_accuracy) continue;
      best_accuracy = accuracy;
      best = record.variant;
    }
    return best;
  }

  nlohmann::json notes() const;

  StaticQuantizationOptions options_;
  std::string engine_;
  std::vector<model::ModelInputs> batches_;
  int64_t samples_ = 0;
  std::map<std::string, quant::Calibration> calibrations_;
  nlohmann::json calibration_json_ = nlohmann::json::object();
};

ExperimentSummary StaticQuantization::summarize() {
  // The best-accuracy variant is the experiment's main artefact, under the name DESIGN gives it.
  const std::string best = best_variant();
  const fs::path primary_dir = dir("quantized_model");
  fs::copy(dir("models") / best, primary_dir, fs::copy_options::recursive);
  nlohmann::json extra;
  extra["engine"] = engine_;
  extra["primary_variant"] = best;
  extra["primary_model_dir"] = experiment_run().published_path(primary_dir).string();
  extra["calibration_samples"] = samples_;
  extra["calibration_split"] = "train";
  extra["calibrations"] = calibration_json_;
  extra["notes"] = notes();
  return {best, extra};
}

nlohmann::json StaticQuantization::notes() const {
  return {
      "Primary variant = the best test accuracy among the INT8 rows; its model is copied to quantized_model/.",
      "Weights: symmetric INT8 (zero point 0), scale = max|w|/127 per tensor or per output channel.",
      "Activations: quint8 per tensor with (scale, zero point) fixed by calibration on " + std::to_string(samples_) +
          " training examples (seeded sample, never test); both the input and the output of each INT8 Linear are quantized "
          "(" + engine_ + " INT8 GEMM with int32 accumulation), then dequantized to FP32. On onednn the GEMM runs through "
          "quantized::linear_dynamic with the input clamped to the calibrated range and that range imposed, and the "
          "output is put on the calibrated output grid in place: LibTorch 1.13 without fbgemm quantizes "
          "and dequantizes tensors in scalar single-threaded loops, which made the textbook path barely faster than FP32.",
      "Observers: minmax = running min/max; moving_average = EMA of per-batch min/max, momentum 0.01 (first batch sets "
      "it); histogram = 2048 bins, 0.005 % clipped from each tail; mse = range minimizing the expected quantization MSE "
      "over 100 x 100 candidate ends.",
      "Padding positions of the calibration batches are observed too (batches are length-sorted to keep padding small).",
      std::string("Quantized: every encoder Linear (Q, K, V, attention output, FFN in/out)") +
          (options_.include_pooler_and_classifier ? ", pooler and classifier." : "; pooler and classifier stay FP32."),
      "Embeddings, LayerNorm, softmax, GELU, residual adds and the attention matmuls stay FP32."};
}

}  // namespace

StaticQuantizationOptions static_quantization_options(const ExperimentConfig& config) {
  StaticQuantizationOptions options;
  ConfigSection section(config.tree, "quantization");
  options.baseline_model = section.get_string("baseline_model", options.baseline_model.string());
  options.engine = section.get_string("engine", options.engine);
  options.include_pooler_and_classifier = section.get_bool("include_pooler_and_classifier", options.include_pooler_and_classifier);
  options.calibration_samples = section.get_int("calibration_samples", options.calibration_samples);
  options.observers = section.get_strings("observers", options.observers);
  options.granularities = section.get_strings("granularities", options.granularities);
  // Keys of the other quantization experiments sharing this section (02, 04, 05).
  section.accept(quantization_section_keys());
  section.finish();
  require(options.calibration_samples >= 1, "--calibration_samples (quantization.calibration_samples) must be >= 1, got " +
                                                std::to_string(options.calibration_samples));
  require(!options.observers.empty(), "--observers (quantization.observers): name at least one observer");
  require(!options.granularities.empty(), "--granularities (quantization.granularities): name per_tensor and/or per_channel");
  for (const auto& observer : options.observers) quant::make_observer(observer);
  for (const auto& granularity : options.granularities) quant::parse_granularity(granularity);
  return options;
}

ExperimentDefinition static_quantization_definition() {
  ExperimentDefinition definition;
  definition.id = results::ExperimentId::StaticQuantization;
  definition.description =
      "Static INT8 quantization of the baseline's Linear layers (calibrated on training texts), measured against FP32";
  definition.extra_sections = {"quantization"};
  definition.flags = {
      baseline_model_flag("quantization"),
      {"--calibration_samples,--calibration-samples", "quantization.calibration_samples",
       "Training examples run through the model to calibrate activation ranges (>= 1)"},
      {"--observers", "quantization.observers", "Observers: minmax moving_average histogram mse", /*list=*/true},
      {"--granularities", "quantization.granularities", "Weight granularities: per_tensor per_channel", /*list=*/true},
      {"--engine", "quantization.engine", "Quantized engine: auto, onednn, fbgemm, qnnpack"},
      {"--include-head", "quantization.include_pooler_and_classifier", "Also quantize pooler and classifier (true/false)"},
  };
  definition.make = [] { return std::make_unique<StaticQuantization>(); };
  return definition;
}

}  // namespace tpq::pipeline
