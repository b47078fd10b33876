#include "pipeline/variant_table.h"

#include <spdlog/spdlog.h>

#include "tpq/checkpoint/checkpoint.h"
#include "tpq/core/error.h"
#include "tpq/eval/speed.h"
#include "tpq/eval/speedup_interval.h"
#include "tpq/core/runtime_info.h"
#include "tpq/io/atomic_file.h"

namespace tpq::pipeline {
namespace fs = std::filesystem;
using results::format_number;

namespace {

results::SpeedupSection speedup_section(const eval::SpeedupInterval& interval) {
  return {interval.median, interval.low, interval.high, interval.confidence};
}

double median_of(const std::vector<double>& values) { return eval::percentile(values, 50); }

// "1.85x" where the interval excludes 1, else "无可测差异": the template's 加速比 cell.
std::string speedup_cell(const results::RunRecord& row, const results::RunRecord& base) {
  if (&row == &base) return "1.00x";  // the reference itself
  const auto& interleaved = row.speed.interleaved;
  if (interleaved.rounds == 0) return format_number(base.speed.latency_ms_p50 / row.speed.latency_ms_p50, 2) + "x";
  const auto& s = interleaved.throughput_speedup;
  const std::string range = "[" + format_number(s.low, 2) + ", " + format_number(s.high, 2) + "]";
  return s.measurable() ? format_number(s.median, 2) + "x " + range : "无可测差异 (" + format_number(s.median, 2) + "x " + range + ")";
}

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
  model_dirs_.push_back(model_dir);
}

void VariantTable::time_side_by_side(const eval::InterleavedOptions& options) {
  if (options.rounds == 0 || records_.size() < 2) return;
  checkpoint::LoadOptions load;
  load.device = device_;
  load.load_tokenizer = false;
  std::vector<model::EncoderClassifier> models;
  std::vector<model::EncoderClassifierImpl*> pointers;
  for (const auto& dir : model_dirs_) {
    models.push_back(checkpoint::load_checkpoint(dir, load).model);
    pointers.push_back(models.back().get());
  }
  spdlog::info("{}: timing {} rows side by side, {} rounds", experiment_, records_.size(), options.rounds);
  const auto times = eval::time_interleaved(pointers, context_.data.test, options, device_);
  for (std::size_t i = 0; i < records_.size(); ++i) {
    auto& interleaved = records_[i].speed.interleaved;
    interleaved.rounds = options.rounds;
    interleaved.batch_size = options.batch_size;
    interleaved.singles_per_round = options.singles_per_round;
    interleaved.batch_ms_median = median_of(times.batch_ms[i]);
    interleaved.singles_ms_median = median_of(times.single_ms[i]);
    interleaved.throughput_speedup = speedup_section(eval::paired_speedup(times.batch_ms[0], times.batch_ms[i]));
    interleaved.latency_speedup = speedup_section(eval::paired_speedup(times.single_ms[0], times.single_ms[i]));
  }
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
                   format_number(row.speed.latency_ms_p50, 3), speedup_cell(row, base)});
  }
  return table;
}

results::Table VariantTable::details_table() const {
  results::Table table({"variant", "accuracy", "f1", "precision", "recall", "file_bytes", "params", "nonzero_params",
                        "latency_ms_p50", "latency_ms_p95", "throughput_samples_s", "throughput_speedup",
                        "speedup_b32_median", "speedup_b32_low", "speedup_b32_high", "speedup_b1_median", "speedup_b1_low",
                        "speedup_b1_high", "timing_rounds", "peak_rss_mb",
                        "accuracy_change_pt", "paired_se_pt", "changed_predictions"});
  const auto& base = records_.front();
  for (std::size_t i = 0; i < records_.size(); ++i) {
    const auto& row = records_[i];
    const auto change = paired(0, i);
    const auto& b32 = row.speed.interleaved.throughput_speedup;
    const auto& b1 = row.speed.interleaved.latency_speedup;
    table.add_row({row.variant, format_number(row.metrics.accuracy, 4), format_number(row.metrics.f1, 4),
                   format_number(row.metrics.precision, 4), format_number(row.metrics.recall, 4),
                   std::to_string(row.size.file_bytes), std::to_string(row.size.params),
                   std::to_string(row.size.nonzero_params),
                   format_number(row.speed.latency_ms_p50, 3),
                   format_number(row.speed.latency_ms_p95, 3),
                   format_number(row.speed.throughput_samples_s, 1),
                   format_number(row.speed.throughput_samples_s / base.speed.throughput_samples_s, 2) + "x",
                   format_number(b32.median, 3), format_number(b32.low, 3), format_number(b32.high, 3),
                   format_number(b1.median, 3), format_number(b1.low, 3), format_number(b1.high, 3),
                   std::to_string(row.speed.interleaved.rounds),
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
