#include "tpq/pipeline/static_quantization.h"

#include <algorithm>
#include <chrono>
#include <numeric>
#include <random>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "tpq/core/error.h"
#include "tpq/core/runtime_info.h"
#include "tpq/data/batching.h"
#include "tpq/data/split.h"
#include "tpq/io/checkpoint.h"
#include "tpq/pipeline/baseline_context.h"
#include "tpq/pipeline/variant_table.h"
#include "tpq/quant/engine.h"
#include "tpq/quant/static_quantization.h"
#include "tpq/pipeline/shared_sections.h"

namespace tpq::pipeline {
namespace fs = std::filesystem;
namespace {

// A seeded random subset of the training split (never test), in length-sorted batches: similar
// lengths share a batch, so little padding reaches the observers.
std::vector<model::BertInputs> calibration_batches(const data::TokenizedSplit& train, int64_t samples, int64_t batch_size,
                                                   uint64_t seed) {
  std::vector<int64_t> order(train.size());
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 generator(seed);
  data::seeded_shuffle(order, generator);
  order.resize(std::min<std::size_t>(order.size(), static_cast<std::size_t>(samples)));
  data::TokenizedSplit subset;
  subset.pad_id = train.pad_id;
  subset.max_length = train.max_length;
  for (int64_t row : order) {
    std::vector<int64_t> ids(train.ids_of(row), train.ids_of(row) + train.length(row));
    std::vector<int64_t> types(train.types_of(row), train.types_of(row) + train.length(row));
    subset.append(ids, types, train.labels[row]);
  }
  std::vector<model::BertInputs> batches;
  auto iterator = data::make_batches(subset, batch_size, /*shuffle=*/false, seed, /*sort_by_length_buckets=*/true);
  data::Batch batch;
  while (iterator.next(batch)) batches.push_back({batch.input_ids, batch.token_type_ids, batch.attention_mask});
  return batches;
}

std::string observer_label(const std::string& observer) {
  if (observer == "minmax") return "MinMax";
  if (observer == "moving_average") return "移动平均 MinMax";
  if (observer == "histogram") return "直方图";
  return "MSE";
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

void run_static_quantization(const ExperimentConfig& config, const fs::path& output_dir, torch::Device device) {
  require(device.is_cpu(), "03_static_quantization: INT8 kernels are CPU kernels; use --device cpu");
  const auto start = std::chrono::steady_clock::now();
  const std::string started_at = utc_timestamp();
  const auto options = static_quantization_options(config);
  fs::create_directories(output_dir);
  fs::remove(output_dir / "metrics.json");
  const std::string engine = quant::select_engine(options.engine);

  auto context = load_baseline(config, options.baseline_model, device);
  VariantTable table(context, "static_quant");
  table.add_fp32_baseline();

  const auto batches = calibration_batches(context.data.train, options.calibration_samples,
                                           context.config.training.eval_batch_size, context.config.run.seed);
  int64_t calibration_samples = 0;
  for (const auto& batch : batches) calibration_samples += batch.input_ids.size(0);
  if (calibration_samples < options.calibration_samples) {
    spdlog::warn("--calibration_samples {}: the training split has only {} examples; calibrating on all of them",
                 options.calibration_samples, calibration_samples);
  }
  quant::LinearSelection selection;
  selection.include_pooler_and_classifier = options.include_pooler_and_classifier;

  std::string best_variant;
  double best_accuracy = -1;
  fs::path best_dir;
  nlohmann::json calibrations = nlohmann::json::object();
  for (const auto& observer : options.observers) {
    // Observers watch FP32 activations, so one calibration serves both weight granularities.
    const auto calibration = quant::calibrate(*context.checkpoint.model, batches, observer, selection);
    spdlog::info("calibrated '{}' on {} training examples in {:.1f} s", observer, calibration.samples, calibration.seconds);
    nlohmann::json ranges = nlohmann::json::object();
    for (const auto& [name, range] : calibration.ranges) {
      ranges[name] = {{"input", {range.input.min, range.input.max}}, {"output", {range.output.min, range.output.max}}};
    }
    calibrations[observer]["calibration_s"] = calibration.seconds;
    calibrations[observer]["ranges"] = ranges;
    for (const auto& granularity_name : options.granularities) {
      const auto granularity = quant::parse_granularity(granularity_name);
      auto model = clone_baseline(context, device);
      const auto info = quant::quantize_static(*model, calibration, granularity);
      const std::string variant = "int8_static_" + observer + "_" + granularity_name;
      const fs::path model_dir = output_dir / "models" / variant;
      io::save_checkpoint(model_dir, *model, context.checkpoint.tokenizer.get());
      nlohmann::json quantization;
      quantization["observer"] = observer;
      quantization["granularity"] = granularity_name;
      quantization["calibration_samples"] = calibration.samples;
      quantization["calibration_s"] = calibration.seconds;
      quantization["engine"] = engine;
      quantization["modules"] = info.modules;
      nlohmann::json extra;
      extra["quantization"] = quantization;
      const std::string label = "INT8 (静态, " + observer_label(observer) + ", " +
                                (granularity == quant::Granularity::PerChannel ? "逐通道" : "逐张量") + ")";
      table.add_variant(variant, label, *model, model_dir, extra);
      const double accuracy = table.records().back().metrics["accuracy"].get<double>();
      if (accuracy > best_accuracy) {
        best_accuracy = accuracy;
        best_variant = variant;
        best_dir = model_dir;
      }
    }
  }

  // The best-accuracy variant is the experiment's main artefact, under the name DESIGN gives it.
  const fs::path primary_dir = output_dir / "quantized_model";
  const fs::path staging = output_dir / ".quantized_model.tmp";
  fs::remove_all(staging);
  fs::copy(best_dir, staging, fs::copy_options::recursive);
  fs::remove_all(primary_dir);
  fs::rename(staging, primary_dir);

  const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  nlohmann::json extra;
  extra["engine"] = engine;
  extra["primary_variant"] = best_variant;
  extra["primary_model_dir"] = primary_dir.string();
  extra["calibration_samples"] = calibration_samples;
  extra["calibration_split"] = "train";
  extra["calibrations"] = calibrations;
  extra["notes"] = {
      "Primary variant = the best test accuracy among the INT8 rows; its model is copied to quantized_model/.",
      "Weights: symmetric INT8 (zero point 0), scale = max|w|/127 per tensor or per output channel.",
      "Activations: quint8 per tensor with (scale, zero point) fixed by calibration on " + std::to_string(calibration_samples) +
          " training examples (seeded sample, never test); both the input and the output of each INT8 Linear are quantized "
          "(" + engine + " INT8 GEMM with int32 accumulation), then dequantized to FP32. On onednn the GEMM runs through "
          "quantized::linear_dynamic with the input clamped to the calibrated range and that range imposed, and the "
          "output is put on the calibrated output grid in place: LibTorch 1.13 without fbgemm quantizes "
          "and dequantizes tensors in scalar single-threaded loops, which made the textbook path barely faster than FP32.",
      "Observers: minmax = running min/max; moving_average = EMA of per-batch min/max, momentum 0.01 (first batch sets "
      "it); histogram = 2048 bins, 0.005 % clipped from each tail; mse = range minimizing the expected quantization MSE "
      "over 100 x 100 candidate ends.",
      "Padding positions of the calibration batches are observed too (batches are length-sorted to keep padding small).",
      std::string("Quantized: every encoder Linear (Q, K, V, attention output, FFN in/out)") +
          (options.include_pooler_and_classifier ? ", pooler and classifier." : "; pooler and classifier stay FP32."),
      "Embeddings, LayerNorm, softmax, GELU, residual adds and the attention matmuls stay FP32."};
  table.write(output_dir, best_variant, started_at, elapsed, extra);
}

}  // namespace tpq::pipeline
