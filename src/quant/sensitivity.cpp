#include "tpq/quant/sensitivity.h"

#include <algorithm>
#include <map>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "tpq/core/error.h"
#include "tpq/eval/evaluator.h"

namespace tpq::quant {

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

data::TokenizedSplit head_of(const data::TokenizedSplit& split, int64_t n) {
  if (n <= 0 || static_cast<std::size_t>(n) >= split.size()) return split;
  data::TokenizedSplit head;
  head.pad_id = split.pad_id;
  head.max_length = split.max_length;
  const auto end = split.offsets[static_cast<std::size_t>(n)];
  head.offsets.assign(split.offsets.begin(), split.offsets.begin() + n + 1);
  head.input_ids.assign(split.input_ids.begin(), split.input_ids.begin() + static_cast<std::ptrdiff_t>(end));
  head.token_type_ids.assign(split.token_type_ids.begin(), split.token_type_ids.begin() + static_cast<std::ptrdiff_t>(end));
  head.labels.assign(split.labels.begin(), split.labels.begin() + n);
  return head;
}

void rank_by_sensitivity(std::vector<SensitivityEntry>& entries) {
  std::stable_sort(entries.begin(), entries.end(), [](const SensitivityEntry& a, const SensitivityEntry& b) {
    if (a.accuracy_drop != b.accuracy_drop) return a.accuracy_drop > b.accuracy_drop;
    return a.loss_change > b.loss_change;
  });
}

int64_t encoder_layer_of(const std::string& module) {
  const std::string prefix = "bert.encoder.layer.";
  if (module.rfind(prefix, 0) != 0) return -1;
  const auto end = module.find('.', prefix.size());
  return std::stoll(module.substr(prefix.size(), end - prefix.size()));
}

namespace {

// INT8 (dynamic, per channel) on exactly `quantized`, everything else FP32; evaluated on the slice.
SensitivityEntry trial(const ModelFactory& make_fp32, const LinearSelection& selection, const std::vector<std::string>& all,
                       const std::vector<std::string>& quantized, const data::TokenizedSplit& slice, int64_t num_labels,
                       int64_t batch_size) {
  auto model = make_fp32();
  LinearSelection only = selection;
  for (const auto& name : all) {
    if (std::find(quantized.begin(), quantized.end(), name) == quantized.end()) only.keep_fp32.push_back(name);
  }
  quantize_dynamic(*model, Granularity::PerChannel, only);
  const auto result = eval::evaluate(*model, slice, num_labels, batch_size, torch::kCPU);
  SensitivityEntry entry;
  entry.accuracy = result.metrics.accuracy;
  entry.loss = result.metrics.loss;
  return entry;
}

}  // namespace

SensitivityReport layer_sensitivity(const ModelFactory& make_fp32, const LinearSelection& selection,
                                    const data::TokenizedSplit& slice, int64_t num_labels, int64_t batch_size) {
  require(slice.size() > 0, "layer sensitivity: the validation slice is empty (check --sensitivity_samples and the split)");
  SensitivityReport report;
  report.samples = static_cast<int64_t>(slice.size());
  std::vector<std::string> all;
  {
    auto fp32 = make_fp32();
    all = select_linears(*fp32, selection);
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
    const int64_t layer = encoder_layer_of(name);
    if (layer >= 0) by_layer[layer].push_back(name);
    report.linears.push_back(finish(trial(make_fp32, selection, all, {name}, slice, num_labels, batch_size), name, layer));
  }
  for (const auto& [layer, names] : by_layer) {
    report.layers.push_back(finish(trial(make_fp32, selection, all, names, slice, num_labels, batch_size),
                                   "bert.encoder.layer." + std::to_string(layer), layer));
  }
  rank_by_sensitivity(report.linears);
  rank_by_sensitivity(report.layers);
  return report;
}

}  // namespace tpq::quant
