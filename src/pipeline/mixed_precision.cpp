#include "pipeline/mixed_precision.h"

#include <algorithm>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "tpq/checkpoint/checkpoint.h"
#include "tpq/core/error.h"
#include "pipeline/variant_experiment.h"
#include "tpq/quant/engine.h"
#include "tpq/quant/half_precision.h"
#include "tpq/quant/quantized_model.h"
#include "pipeline/layer_sensitivity.h"
#include "tpq/results/chart.h"
#include "tpq/results/chart_text.h"
#include "tpq/results/table.h"
#include "pipeline/shared_sections.h"

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
results::Table sensitivity_table(const std::vector<SensitivityEntry>& ranked, const std::vector<std::string>& model_order) {
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

void draw_sensitivity(const SensitivityReport& report, const std::vector<std::string>& model_order, const fs::path& png) {
  results::Series drop{"accuracy drop", {}, {}, "boxes fs solid 0.5"};
  results::Series loss{"loss change", {}, {}, "boxes fs solid 0.5"};
  for (const auto& entry : report.linears) {
    const double index = static_cast<double>(std::find(model_order.begin(), model_order.end(), entry.module) - model_order.begin());
    drop.x.push_back(index);
    drop.y.push_back(entry.accuracy_drop);
    loss.x.push_back(index);
    loss.y.push_back(entry.loss_change);
  }
  results::render_panels({{results::chart_text("INT8 one Linear at a time: accuracy drop", "逐个 Linear 量化为 INT8：准确率下降"), results::chart_text("Linear index (sensitivity.csv)", "Linear 序号 (sensitivity.csv)"), results::chart_text("FP32 - INT8 accuracy", "FP32 − INT8 准确率"), {drop}},
                          {results::chart_text("INT8 one Linear at a time: loss change", "逐个 Linear 量化为 INT8：损失变化"), results::chart_text("Linear index (sensitivity.csv)", "Linear 序号 (sensitivity.csv)"), results::chart_text("INT8 - FP32 loss", "INT8 − FP32 损失"), {loss}}},
                         png);
}

void draw_accuracy_size_speed(const std::vector<results::RunRecord>& records, const fs::path& png) {
  results::Series accuracy{results::chart_text("accuracy", "准确率"), {}, {}, "boxes fs solid 0.5"};
  results::Series size{results::chart_text("size (MB)", "大小 (MB)"), {}, {}, "boxes fs solid 0.5"};
  results::Series latency{results::chart_text("latency p50 (ms/sample)", "延迟 p50 (毫秒/样本)"), {}, {}, "boxes fs solid 0.5"};
  for (std::size_t i = 0; i < records.size(); ++i) {
    const double x = static_cast<double>(i);
    accuracy.x.push_back(x);
    accuracy.y.push_back(records[i].metrics.accuracy);
    size.x.push_back(x);
    size.y.push_back(records[i].size.file_mb);
    latency.x.push_back(x);
    latency.y.push_back(records[i].speed.latency_ms_p50);
  }
  const std::string x_label = results::chart_text("row of precision_comparison.csv (0 = FP32)", "precision_comparison.csv 的行号（0 = FP32）");
  results::render_panels({{results::chart_text("Test accuracy", "测试准确率"), x_label, results::chart_text("accuracy", "准确率"), {accuracy}},
                          {results::chart_text("Size on disk", "磁盘大小"), x_label, "MB", {size}},
                          {results::chart_text("Latency", "延迟"), x_label, results::chart_text("ms / sample", "毫秒 / 样本"), {latency}}},
                         png, 1400, 420);
}


class MixedPrecision : public VariantExperiment {
 public:
  void read_options(const ExperimentConfig& config) override {
    options_ = mixed_precision_options(config);
    engine_ = quant::select_engine(options_.engine);
  }

 protected:
  fs::path baseline_model() const override { return options_.baseline_model; }

  std::vector<VariantPlan> plan() override {
    const auto slice = data::head_of(baseline().data.validation, options_.sensitivity_samples);
    spdlog::info("layer sensitivity: INT8 one Linear / one layer at a time on {} validation examples", slice.size());
    sensitivity_ = layer_sensitivity([&] { return fresh_baseline(); }, encoder_linears_, slice, baseline().num_labels,
                                     config().training.eval_batch_size);
    keep_fp32_ = sensitivity_.top_linears(options_.keep_fp32_top_k);
    {
      auto fp32 = fresh_baseline();
      model_order_ = quant::select_linears(*fp32, encoder_linears_);
    }
    std::vector<VariantPlan> rows;
    for (const auto& precision : options_.precisions) {
      rows.push_back({precision, label(precision), [this, precision] { return convert(precision); }});
    }
    return rows;
  }

  ExperimentSummary summarize() override;

 private:
  std::string label(const std::string& precision) const {
    if (precision == "fp16") return "FP16";
    if (precision == "bf16") return "BF16";
    if (precision == "int8") return "INT8 (动态, 逐通道)";
    return "混合精度 (INT8 + top-" + std::to_string(keep_fp32_.size()) + " FP32)";
  }

  BuiltVariant convert(const std::string& precision) {
    auto model = fresh_baseline();
    nlohmann::json extra = nlohmann::json::object();
    if (precision == "fp16" || precision == "bf16") {
      extra["half_precision"] = quant::convert_to_half(*model, quant::half_dtype(precision)).to_json();
    } else {
      quant::LinearSelection selection = encoder_linears_;
      if (precision == "mixed") selection.keep_fp32 = keep_fp32_;
      extra["quantization"] = quant::quantize_dynamic(*model, quant::Granularity::PerChannel, selection).to_json();
      if (precision == "mixed") extra["keep_fp32"] = keep_fp32_;
    }
    const fs::path model_dir = dir(precision + "_model");
    checkpoint::save_checkpoint(model_dir, *model, baseline().checkpoint.tokenizer.get());
    return {model, model_dir, extra};
  }

  void write_tables_and_charts();
  nlohmann::json notes() const;

  MixedPrecisionOptions options_;
  std::string engine_;
  const quant::LinearSelection encoder_linears_;  // encoder Linears; pooler and classifier stay FP32, as in 02
  SensitivityReport sensitivity_;
  std::vector<std::string> keep_fp32_;
  std::vector<std::string> model_order_;
};

void MixedPrecision::write_tables_and_charts() {
  // The template's 精度 table: the comparison table with its first column renamed.
  const auto comparison = table().comparison_table();
  auto columns = comparison.columns();
  columns.front() = "精度";
  results::Table precision_table(columns);
  for (const auto& row : comparison.rows()) precision_table.add_row(row);
  precision_table.write_csv(dir("precision_comparison.csv"));
  sensitivity_table(sensitivity_.linears, model_order_).write_csv(dir("sensitivity.csv"));
  std::vector<std::string> layer_order;
  for (const auto& entry : sensitivity_.layers) layer_order.push_back(entry.module);
  sensitivity_table(sensitivity_.layers, layer_order).write_csv(dir("layer_sensitivity.csv"));
  draw_sensitivity(sensitivity_, model_order_, dir("sensitivity.png"));
  draw_accuracy_size_speed(table().records(), dir("accuracy_size_speed.png"));
}

ExperimentSummary MixedPrecision::summarize() {
  write_tables_and_charts();
  nlohmann::json ranked = nlohmann::json::array();
  for (const auto& entry : sensitivity_.linears) ranked.push_back(entry.to_json());
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& entry : sensitivity_.layers) layers.push_back(entry.to_json());
  nlohmann::json extra;
  extra["engine"] = engine_;
  extra["sensitivity"] = ranked;
  extra["layer_sensitivity"] = layers;
  extra["sensitivity_slice"] = {{"split", "validation"},
                                {"samples", sensitivity_.samples},
                                {"fp32_accuracy", sensitivity_.fp32_accuracy},
                                {"fp32_loss", sensitivity_.fp32_loss}};
  extra["keep_fp32"] = keep_fp32_;
  extra["keep_fp32_top_k"] = options_.keep_fp32_top_k;
  extra["notes"] = notes();
  const auto& precisions = options_.precisions;
  const bool has_mixed = std::find(precisions.begin(), precisions.end(), "mixed") != precisions.end();
  return {has_mixed ? "mixed" : precisions.front(), extra};
}

nlohmann::json MixedPrecision::notes() const {
  const std::string fp16_compute = quant::cpu_fp16_gemm_available() ? "FP16" : "FP32 (this LibTorch has no CPU FP16 GEMM; "
                                                                               "the FP16 weights are widened per call)";
  return {
      "FP16/BF16: every Linear's weight and bias stored in 16 bits; embeddings and LayerNorm rounded to 16 bits and saved "
      "as F16/BF16 (config.json torch_dtype), but computed in FP32 like softmax, GELU and the attention matmuls.",
      "BF16: Linear matmuls run in BF16 (inputs cast to BF16, outputs back to FP32).",
      "FP16: Linear matmuls run in " + fp16_compute + ".",
      "INT8: dynamic per-channel INT8 (" + engine_ + ") on every encoder Linear; pooler and classifier stay FP32.",
      "Mixed: INT8 as above except the " + std::to_string(keep_fp32_.size()) +
          " most INT8-sensitive Linears (sensitivity.csv), kept FP32: " + joined(keep_fp32_) + ".",
      "Sensitivity: each encoder Linear (and each layer as a group) quantized alone, evaluated on the first " +
          std::to_string(sensitivity_.samples) + " validation examples; ranked by accuracy drop, then loss change."};
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

ExperimentDefinition mixed_precision_definition() {
  ExperimentDefinition definition;
  definition.id = results::ExperimentId::MixedPrecision;
  definition.description = "FP16, BF16, INT8 and mixed precision of the baseline, with INT8 layer sensitivity, measured against FP32";
  definition.extra_sections = {"quantization"};
  definition.flags = {
      baseline_model_flag("quantization"),
      {"--precisions", "quantization.precisions", "Variants besides fp32: fp16 bf16 int8 mixed", /*list=*/true},
      {"--keep_fp32_top_k,--keep-fp32-top-k", "quantization.keep_fp32_top_k", "Mixed: the k most INT8-sensitive Linears stay FP32"},
      {"--sensitivity_samples,--sensitivity-samples", "quantization.sensitivity_samples",
       "Validation examples for the layer sensitivity"},
      {"--engine", "quantization.engine", "Quantized engine: auto, onednn, fbgemm, qnnpack"},
  };
  definition.make = [] { return std::make_unique<MixedPrecision>(); };
  return definition;
}

}  // namespace tpq::pipeline
