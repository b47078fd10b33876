#include "pipeline/layer_sensitivity.h"

#include <algorithm>
#include <map>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "tpq/core/error.h"
#include "tpq/eval/evaluator.h"

namespace tpq::pipeline {

nlohmann::json SensitivityEntry::to_json() const {
  nlohmann::json json;
  json["module"] = module;
  json["layer"] = layer;
  json["accuracy"] = accuracy;
  json["accuracy_drop"] = accuracy_drop;
  json["loss"] = loss;
  json["loss_change"] = loss_change;
  return json;
}

std::vector<std::string> SensitivityReport::top_linears(int64_t k) const {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < linears.size() && static_cast<int64_t>(i) < k; ++i) names.push_back(linears[i].module);
  return names;
}

void rank_by_sensitivity(std::vector<SensitivityEntry>& entries) {
  std::stable_sort(entries.begin(), entries.end(), [](const SensitivityEntry& a, const SensitivityEntry& b) {
    if (a.accuracy_drop != b.accuracy_drop) return a.accuracy_drop > b.accuracy_drop;
    return a.loss_change > b.loss_change;
  });
}

namespace {

// INT8 (dynamic, per channel) on exactly `quantized`, everything else FP32; evaluated on the slice.
SensitivityEntry trial(const ModelFactory& make_fp32, const quant::LinearSelection& selection, const std::vector<std::string>& all,
                       const std::vector<std::string>& quantized, const data::TokenizedSplit& slice, int64_t num_labels,
                       int64_t batch_size) {
  auto model = make_fp32();
  quant::LinearSelection only = selection;
  for (const auto& name : all) {
    if (std::find(quantized.begin(), quantized.end(), name) == quantized.end()) only.keep_fp32.push_back(name);
  }
  quant::quantize_dynamic(*model, quant::Granularity::PerChannel, only);
  const auto result = eval::evaluate(*model, slice, num_labels, batch_size, torch::kCPU);
  SensitivityEntry entry;
  entry.accuracy = result.metrics.accuracy;
  entry.loss = result.metrics.loss;
  return entry;
}

}  // namespace

SensitivityReport layer_sensitivity(const ModelFactory& make_fp32, const quant::LinearSelection& selection,
                                    const data::TokenizedSplit& slice, int64_t num_labels, int64_t batch_size) {
  require(slice.size() > 0, "layer sensitivity: the validation slice is empty (check --sensitivity_samples and the split)");
  SensitivityReport report;
  report.samples = static_cast<int64_t>(slice.size());
  std::vector<std::string> all;
  const model::EncoderFamily* family = nullptr;
  {
    auto fp32 = make_fp32();
    family = &fp32->family();
    all = quant::select_linears(*fp32, selection);
    const auto result = eval::evaluate(*fp32, slice, num_labels, batch_size, torch::kCPU);
    report.fp32_accuracy = result.metrics.accuracy;
    report.fp32_loss = result.metrics.loss;
  }
  auto finish = [&](SensitivityEntry entry, const std::string& module, int64_t layer) {
    entry.module = module;
    entry.layer = layer;
    entry.accuracy_drop = report.fp32_accuracy - entry.accuracy;
    entry.loss_change = entry.loss - report.fp32_loss;
    spdlog::info("sensitivity {}: accuracy {:.4f} (drop {:+.4f}), loss {:.4f} ({:+.5f})", module, entry.accuracy,
                 entry.accuracy_drop, entry.loss, entry.loss_change);
    return entry;
  };
  std::map<int64_t, std::vector<std::string>> by_layer;
  for (const auto& name : all) {
    const int64_t layer = family->layer_of(name);
    if (layer >= 0) by_layer[layer].push_back(name);
    report.linears.push_back(finish(trial(make_fp32, selection, all, {name}, slice, num_labels, batch_size), name, layer));
  }
  for (const auto& [layer, names] : by_layer) {
    report.layers.push_back(finish(trial(make_fp32, selection, all, names, slice, num_labels, batch_size),
                                   family->layers + "." + std::to_string(layer), layer));
  }
  rank_by_sensitivity(report.linears);
  rank_by_sensitivity(report.layers);
  return report;
}

}  // namespace tpq::pipeline
