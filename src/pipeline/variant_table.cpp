#include "tpq/pipeline/variant_table.h"

#include <spdlog/spdlog.h>

#include "tpq/core/error.h"
#include "tpq/core/runtime_info.h"
#include "tpq/io/atomic_file.h"

namespace tpq::pipeline {
namespace fs = std::filesystem;
using results::format_number;

namespace {

double number(const nlohmann::json& section, const char* key) { return section.at(key).get<double>(); }

}  // namespace

VariantTable::VariantTable(BaselineContext& context, std::string experiment)
    : context_(context), experiment_(std::move(experiment)) {}

void VariantTable::add_fp32_baseline() {
  add_variant("fp32", "FP32 (基线)", *context_.checkpoint.model, context_.model_dir);
}

void VariantTable::add_variant(const std::string& variant, const std::string& label,
                               model::BertForSequenceClassificationImpl& model, const fs::path& model_dir,
                               const nlohmann::json& extra) {
  const auto device = model.parameters().front().device();
  const auto measurement = measure_variant(model, model_dir, context_.data.test, context_.num_labels, context_.config, device);
  auto record = make_record(experiment_, variant, measurement, context_.config, device);
  record.extra = extra;
  record.extra["model_dir"] = model_dir.string();
  record.extra["label"] = label;
  predictions_.push_back(measurement.evaluation.predictions);
  if (predictions_.size() > 1) record.extra["paired_vs_baseline"] = paired(0, predictions_.size() - 1).to_json();
  spdlog::info("{} / {}: accuracy {:.4f}, F1 {:.4f}, {:.2f} MB, {:.3f} ms/sample (p50), {:.0f} samples/s", experiment_, variant,
               record.metrics["accuracy"].get<double>(), record.metrics["f1"].get<double>(), record.size["file_mb"].get<double>(),
               record.speed["latency_ms_per_sample_p50"].get<double>(), record.speed["throughput_samples_s"].get<double>());
  records_.push_back(std::move(record));
  labels_.push_back(label);
}

eval::PairedComparison VariantTable::paired(std::size_t reference, std::size_t candidate) const {
  return eval::compare_paired(predictions_.at(reference), predictions_.at(candidate), context_.data.test.labels);
}

results::Table VariantTable::comparison_table() const {
  require(!records_.empty(), "no variants measured");
  results::Table table({"方法", "准确率", "F1分数", "模型大小 (MB)", "压缩比", "推理时间 (ms)", "加速比"});
  const auto& base = records_.front();
  for (std::size_t i = 0; i < records_.size(); ++i) {
    const auto& row = records_[i];
    table.add_row({labels_[i], format_number(number(row.metrics, "accuracy"), 4), format_number(number(row.metrics, "f1"), 4),
                   format_number(number(row.size, "file_mb"), 2),
                   format_number(number(base.size, "file_mb") / number(row.size, "file_mb"), 2) + "x",
                   format_number(number(row.speed, "latency_ms_per_sample_p50"), 3),
                   format_number(number(base.speed, "latency_ms_per_sample_p50") / number(row.speed, "latency_ms_per_sample_p50"), 2) + "x"});
  }
  return table;
}

results::Table VariantTable::details_table() const {
  results::Table table({"variant", "accuracy", "f1", "precision", "recall", "file_bytes", "params", "nonzero_params",
                        "latency_ms_p50", "latency_ms_p95", "throughput_samples_s", "throughput_speedup", "peak_rss_mb",
                        "accuracy_change_pt", "paired_se_pt", "changed_predictions"});
  const auto& base = records_.front();
  for (std::size_t i = 0; i < records_.size(); ++i) {
    const auto& row = records_[i];
    const auto change = paired(0, i);
    table.add_row({row.variant, format_number(number(row.metrics, "accuracy"), 4), format_number(number(row.metrics, "f1"), 4),
                   format_number(number(row.metrics, "precision"), 4), format_number(number(row.metrics, "recall"), 4),
                   std::to_string(row.size["file_bytes"].get<uint64_t>()), std::to_string(row.size["params"].get<int64_t>()),
                   std::to_string(row.size["nonzero_params"].get<int64_t>()),
                   format_number(number(row.speed, "latency_ms_per_sample_p50"), 3),
                   format_number(number(row.speed, "latency_ms_per_sample_p95"), 3),
                   format_number(number(row.speed, "throughput_samples_s"), 1),
                   format_number(number(row.speed, "throughput_samples_s") / number(base.speed, "throughput_samples_s"), 2) + "x",
                   format_number(number(row.memory, "peak_rss_mb"), 1), format_number(100 * change.accuracy_difference, 2),
                   format_number(100 * change.standard_error, 2), std::to_string(change.changed_predictions)});
  }
  return table;
}

void VariantTable::write(const fs::path& output_dir, const std::string& primary_variant, const std::string& started_at,
                         double wall_s, const nlohmann::json& experiment_extra) const {
  fs::create_directories(output_dir);
  nlohmann::json variants = nlohmann::json::array();
  nlohmann::json primary;
  for (auto record : records_) {
    record.started_at = started_at;
    record.wall_s = wall_s;
    auto json = record.to_json();
    if (record.variant == primary_variant) primary = json;
    variants.push_back(std::move(json));
  }
  require(!primary.is_null(), "primary variant '" + primary_variant + "' was not measured");
  primary["variants"] = variants;
  primary["experiment_extra"] = experiment_extra;
  const auto comparison = comparison_override_ ? *comparison_override_ : comparison_table();
  comparison.write_csv(output_dir / "comparison.csv");
  details_table().write_csv(output_dir / "details.csv");
  io::write_json_atomic(output_dir / "results.json",
                        {{"experiment", experiment_}, {"table", comparison.to_markdown()}, {"variants", variants}, {"extra", experiment_extra}});
  nlohmann::json run_config = context_.config.to_json();
  run_config["runtime"] = runtime_record();
  run_config["baseline_model"] = context_.model_dir.string();
  io::write_json_atomic(output_dir / "config.json", run_config);
  io::write_json_atomic(output_dir / "metrics.json", primary);  // last: marks the run complete
  spdlog::info("{} table:\n{}", experiment_, comparison.to_markdown());
}

}  // namespace tpq::pipeline
