#include "tpq/pipeline/mixed_precision.h"

#include <algorithm>
#include <chrono>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "tpq/core/error.h"
#include "tpq/core/runtime_info.h"
#include "tpq/io/checkpoint.h"
#include "tpq/pipeline/baseline_context.h"
#include "tpq/pipeline/variant_table.h"
#include "tpq/quant/engine.h"
#include "tpq/quant/half_precision.h"
#include "tpq/quant/quantized_model.h"
#include "tpq/quant/sensitivity.h"
#include "tpq/results/chart.h"
#include "tpq/results/table.h"
#include "tpq/pipeline/shared_sections.h"

namespace tpq::pipeline {
namespace fs = std::filesystem;
using results::format_number;
namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

// Ranked entries as CSV: rank, index (model order, the x of sensitivity.png), module, layer, ...
results::Table sensitivity_table(const std::vector<quant::SensitivityEntry>& ranked, const std::vector<std::string>& model_order) {
  results::Table table({"rank", "index", "module", "layer", "accuracy", "accuracy_drop", "loss", "loss_change"});
  for (std::size_t i = 0; i < ranked.size(); ++i) {
    const auto& entry = ranked[i];
    const auto index = std::find(model_order.begin(), model_order.end(), entry.module) - model_order.begin();
    table.add_row({std::to_string(i + 1), std::to_string(index), entry.module, std::to_string(entry.layer),
                   format_number(entry.accuracy, 4), format_number(entry.accuracy_drop, 4), format_number(entry.loss, 5),
                   format_number(entry.loss_change, 5)});
  }
  return table;
}

void draw_sensitivity(const quant::SensitivityReport& report, const std::vector<std::string>& model_order, const fs::path& png) {
  results::Series drop{"accuracy drop", {}, {}, "boxes fs solid 0.5"};
  results::Series loss{"loss change", {}, {}, "boxes fs solid 0.5"};
  for (const auto& entry : report.linears) {
    const double index = static_cast<double>(std::find(model_order.begin(), model_order.end(), entry.module) - model_order.begin());
    drop.x.push_back(index);
    drop.y.push_back(entry.accuracy_drop);
    loss.x.push_back(index);
    loss.y.push_back(entry.loss_change);
  }
  results::render_panels({{"INT8 one Linear at a time: accuracy drop", "Linear index (sensitivity.csv)", "FP32 - INT8 accuracy", {drop}},
                          {"INT8 one Linear at a time: loss change", "Linear index (sensitivity.csv)", "INT8 - FP32 loss", {loss}}},
                         png);
}

void draw_accuracy_size_speed(const std::vector<results::RunRecord>& records, const fs::path& png) {
  results::Series accuracy{"accuracy", {}, {}, "boxes fs solid 0.5"};
  results::Series size{"size (MB)", {}, {}, "boxes fs solid 0.5"};
  results::Series latency{"latency p50 (ms/sample)", {}, {}, "boxes fs solid 0.5"};
  for (std::size_t i = 0; i < records.size(); ++i) {
    const double x = static_cast<double>(i);
    accuracy.x.push_back(x);
    accuracy.y.push_back(records[i].metrics.at("accuracy").get<double>());
    size.x.push_back(x);
    size.y.push_back(records[i].size.at("file_mb").get<double>());
    latency.x.push_back(x);
    latency.y.push_back(records[i].speed.at("latency_ms_per_sample_p50").get<double>());
  }
  const std::string x_label = "row of precision_comparison.csv (0 = FP32)";
  results::render_panels({{"Test accuracy", x_label, "accuracy", {accuracy}},
                          {"Size on disk", x_label, "MB", {size}},
                          {"Latency", x_label, "ms / sample", {latency}}},
                         png, 1400, 420);
}

}  // namespace

const std::vector<std::string>& valid_precisions() {
  static const std::vector<std::string> valid{"fp16", "bf16", "int8", "mixed"};
  return valid;
}

MixedPrecisionOptions mixed_precision_options(const ExperimentConfig& config) {
  MixedPrecisionOptions options;
  ConfigSection section(config.tree, "quantization");
  options.baseline_model = section.get_string("baseline_model", options.baseline_model.string());
  options.engine = section.get_string("engine", options.engine);
  options.precisions = section.get_strings("precisions", options.precisions);
  options.keep_fp32_top_k = section.get_int("keep_fp32_top_k", options.keep_fp32_top_k);
  options.sensitivity_samples = section.get_int("sensitivity_samples", options.sensitivity_samples);
  // The quantization experiments (02-05) share this section; each reads its own keys.
  section.accept(quantization_section_keys());
  section.finish();
  const auto& valid = valid_precisions();
  require(!options.precisions.empty(), "quantization.precisions (--precisions): give at least one of " + joined(valid));
  for (std::size_t i = 0; i < options.precisions.size(); ++i) {
    const auto& precision = options.precisions[i];
    require(std::find(valid.begin(), valid.end(), precision) != valid.end(),
            "quantization.precisions (--precisions): unknown precision '" + precision + "'; valid: " + joined(valid) +
                " (fp32 is always measured as the baseline row)");
    require(std::find(options.precisions.begin(), options.precisions.begin() + i, precision) == options.precisions.begin() + i,
            "quantization.precisions (--precisions): '" + precision + "' is listed twice");
  }
  require(options.keep_fp32_top_k >= 0, "quantization.keep_fp32_top_k (--keep_fp32_top_k): must be >= 0, got " +
                                            std::to_string(options.keep_fp32_top_k));
  require(options.sensitivity_samples >= 1, "quantization.sensitivity_samples (--sensitivity_samples): must be >= 1, got " +
                                                std::to_string(options.sensitivity_samples));
  return options;
}

void run_mixed_precision(const ExperimentConfig& config, const fs::path& output_dir, torch::Device device) {
  require(device.is_cpu(), "05_mixed_precision: INT8 and the FP16/BF16 kernels here are CPU kernels; use --device cpu");
  const auto start = std::chrono::steady_clock::now();
  const std::string started_at = utc_timestamp();
  const auto options = mixed_precision_options(config);
  fs::create_directories(output_dir);
  fs::remove(output_dir / "metrics.json");
  const std::string engine = quant::select_engine(options.engine);

  auto context = load_baseline(config, options.baseline_model, device);
  const quant::LinearSelection encoder_linears;  // encoder Linears; pooler and classifier stay FP32, as in 02
  const auto slice = quant::head_of(context.data.validation, options.sensitivity_samples);
  spdlog::info("layer sensitivity: INT8 one Linear / one layer at a time on {} validation examples", slice.size());
  const auto sensitivity = quant::layer_sensitivity([&] { return clone_baseline(context, device); }, encoder_linears, slice,
                                                    context.num_labels, context.config.training.eval_batch_size);
  const auto keep_fp32 = sensitivity.top_linears(options.keep_fp32_top_k);
  std::vector<std::string> model_order;
  {
    auto fp32 = clone_baseline(context, device);
    model_order = quant::select_linears(*fp32, encoder_linears);
  }

  VariantTable table(context, "mixed_precision");
  table.add_fp32_baseline();
  for (const auto& precision : options.precisions) {
    auto model = clone_baseline(context, device);
    const fs::path model_dir = output_dir / (precision + "_model");
    nlohmann::json extra = nlohmann::json::object();
    std::string label;
    if (precision == "fp16" || precision == "bf16") {
      const auto info = quant::convert_to_half(*model, quant::half_dtype(precision));
      extra["half_precision"] = info.to_json();
      label = precision == "fp16" ? "FP16" : "BF16";
    } else {
      quant::LinearSelection selection = encoder_linears;
      if (precision == "mixed") selection.keep_fp32 = keep_fp32;
      const auto info = quant::quantize_dynamic(*model, quant::Granularity::PerChannel, selection);
      extra["quantization"] = info.to_json();
      if (precision == "mixed") extra["keep_fp32"] = keep_fp32;
      label = precision == "int8" ? "INT8 (动态, 逐通道)"
                                  : "混合精度 (INT8 + top-" + std::to_string(keep_fp32.size()) + " FP32)";
    }
    io::save_checkpoint(model_dir, *model, context.checkpoint.tokenizer.get());
    table.add_variant(precision, label, *model, model_dir, extra);
  }

  // The template's 精度 table: the comparison table with its first column renamed.
  const auto comparison = table.comparison_table();
  auto columns = comparison.columns();
  columns.front() = "精度";
  results::Table precision_table(columns);
  for (const auto& row : comparison.rows()) precision_table.add_row(row);
  precision_table.write_csv(output_dir / "precision_comparison.csv");
  sensitivity_table(sensitivity.linears, model_order).write_csv(output_dir / "sensitivity.csv");
  std::vector<std::string> layer_order;
  for (const auto& entry : sensitivity.layers) layer_order.push_back(entry.module);
  sensitivity_table(sensitivity.layers, layer_order).write_csv(output_dir / "layer_sensitivity.csv");
  draw_sensitivity(sensitivity, model_order, output_dir / "sensitivity.png");
  draw_accuracy_size_speed(table.records(), output_dir / "accuracy_size_speed.png");

  nlohmann::json ranked = nlohmann::json::array();
  for (const auto& entry : sensitivity.linears) ranked.push_back(entry.to_json());
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& entry : sensitivity.layers) layers.push_back(entry.to_json());
  nlohmann::json slice_json;
  slice_json["split"] = "validation";
  slice_json["samples"] = sensitivity.samples;
  slice_json["fp32_accuracy"] = sensitivity.fp32_accuracy;
  slice_json["fp32_loss"] = sensitivity.fp32_loss;
  const std::string fp16_compute = quant::cpu_fp16_gemm_available() ? "FP16" : "FP32 (this LibTorch has no CPU FP16 GEMM; "
                                                                               "the FP16 weights are widened per call)";
  nlohmann::json extra;
  extra["engine"] = engine;
  extra["sensitivity"] = ranked;
  extra["layer_sensitivity"] = layers;
  extra["sensitivity_slice"] = slice_json;
  extra["keep_fp32"] = keep_fp32;
  extra["keep_fp32_top_k"] = options.keep_fp32_top_k;
  extra["notes"] = {
      "FP16/BF16: every Linear's weight and bias stored in 16 bits; embeddings and LayerNorm rounded to 16 bits and saved "
      "as F16/BF16 (config.json torch_dtype), but computed in FP32 like softmax, GELU and the attention matmuls.",
      "BF16: Linear matmuls run in BF16 (inputs cast to BF16, outputs back to FP32).",
      "FP16: Linear matmuls run in " + fp16_compute + ".",
      "INT8: dynamic per-channel INT8 (" + engine + ") on every encoder Linear; pooler and classifier stay FP32.",
      "Mixed: INT8 as above except the " + std::to_string(keep_fp32.size()) +
          " most INT8-sensitive Linears (sensitivity.csv), kept FP32: " + joined(keep_fp32) + ".",
      "Sensitivity: each encoder Linear (and each layer as a group) quantized alone, evaluated on the first " +
          std::to_string(sensitivity.samples) + " validation examples; ranked by accuracy drop, then loss change."};
  const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string primary = std::find(options.precisions.begin(), options.precisions.end(), "mixed") != options.precisions.end()
                                  ? "mixed"
                                  : options.precisions.front();
  table.write(output_dir, primary, started_at, elapsed, extra);
}

}  // namespace tpq::pipeline
