#include "pipeline/variant_table.h"

#include <spdlog/spdlog.h>

#include "tpq/core/error.h"
#include "tpq/core/runtime_info.h"
#include "tpq/io/atomic_file.h"

namespace tpq::pipeline {
namespace fs = std::filesystem;
using results::format_number;

namespace {

}  // namespace

VariantTable::VariantTable(BaselineContext& context, std::string experiment, torch::Device device, PathMapper recorded_path)
    : context_(context), experiment_(std::move(experiment)), device_(device), recorded_path_(std::move(recorded_path)) {}

void VariantTable::add_variant(const std::string& variant, const std::string& label,
                               model::EncoderClassifierImpl& model, const fs::path& model_dir,
                               const nlohmann::json& extra) {
  const auto measurement = measure_variant(model, model_dir, context_.data.test, context_.num_labels, context_.config, device_);
  auto record = make_record(experiment_, variant, measurement, context_.config, device_);
  record.extra = extra;
  record.extra["model_dir"] = recorded_path_(model_dir).string();
  record.extra["label"] = label;
  predictions_.push_back(measurement.evaluation.predictions);
  if (predictions_.size() > 1) record.extra["paired_vs_baseline"] = paired(0, predictions_.size() - 1).to_json();
  spdlog::info("{} / {}: accuracy {:.4f}, F1 {:.4f}, {:.2f} MB, {:.3f} ms/sample (p50), {:.0f} samples/s", experiment_, variant,
               record.metrics.accuracy, record.metrics.f1, record.size.file_mb,
               record.speed.latency_ms_p50, record.speed.throughput_samples_s);
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
    table.add_row({labels_[i], format_number(row.metrics.accuracy, 4), format_number(row.metrics.f1, 4),
                   format_number(row.size.file_mb, 2),
                   format_number(base.size.file_mb / row.size.file_mb, 2) + "x",
                   format_number(row.speed.latency_ms_p50, 3),
                   format_number(base.speed.latency_ms_p50 / row.speed.latency_ms_p50, 2) + "x"});
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
    table.add_row({row.variant, format_number(row.metrics.accuracy, 4), format_number(row.metrics.f1, 4),
                   format_number(row.metrics.precision, 4), format_number(row.metrics.recall, 4),
                   std::to_string(row.size.file_bytes), std::to_string(row.size.params),
                   std::to_string(row.size.nonzero_params),
                   format_number(row.speed.latency_ms_p50, 3),
                   format_number(row.speed.latency_ms_p95, 3),
                   format_number(row.speed.throughput_samples_s, 1),
                   format_number(row.speed.throughput_samples_s / base.speed.throughput_samples_s, 2) + "x",
                   format_number(row.memory.peak_rss_mb, 1), format_number(100 * change.accuracy_difference, 2),
                   format_number(100 * change.standard_error, 2), std::to_string(change.changed_predictions)});
  }
  return table;
}

void VariantTable::write(const fs::path& output_dir, const std::string& primary_variant, const std::string& started_at,
                         double wall_s, const nlohmann::json& experiment_extra) const {
  fs::create_directories(output_dir);
  results::ExperimentRecord record;
  record.has_table = true;
  record.experiment_extra = experiment_extra;
  bool has_primary = false;
  for (auto row : records_) {
    row.provenance.started_at = started_at;
    row.provenance.wall_s = wall_s;
    row.provenance.model_source = context_.model_source;
    if (row.variant == primary_variant) record.primary = row, has_primary = true;
    record.variants.push_back(std::move(row));
  }
  require(has_primary, "primary variant '" + primary_variant + "' was not measured");
  const nlohmann::json variants = results::to_json(record)["variants"];
  const auto comparison = comparison_override_ ? *comparison_override_ : comparison_table();
  comparison.write_csv(output_dir / "comparison.csv");
  details_table().write_csv(output_dir / "details.csv");
  io::write_json_atomic(output_dir / "results.json",
                        {{"experiment", experiment_}, {"table", comparison.to_markdown()}, {"variants", variants}, {"extra", experiment_extra}});
  nlohmann::json run_config = context_.config.to_json();
  run_config["runtime"] = runtime_record();
  run_config["baseline_model"] = context_.model_dir.string();
  io::write_json_atomic(output_dir / "config.json", run_config);
  results::write_record(output_dir / "metrics.json", record);  // last: marks the run complete
  spdlog::info("{} table:\n{}", experiment_, comparison.to_markdown());
}

}  // namespace tpq::pipeline
