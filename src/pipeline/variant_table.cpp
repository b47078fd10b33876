#include "pipeline/variant_table.h"

#include <ATen/Parallel.h>
#include <spdlog/spdlog.h>

#include "tpq/checkpoint/checkpoint.h"
#include "tpq/dist/data_parallel.h"
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

// The template's 加速比 cell, in the report's wording: "1.85x（95% 区间 1.80–1.90）", or
// "无可测差异（…）" where the interval holds 1.
std::string speedup_cell(const results::RunRecord& row, const results::RunRecord& base) {
  if (&row == &base) return "1.00x";  // the reference itself
  const auto& interleaved = row.speed.interleaved;
  if (interleaved.rounds == 0) return format_number(base.speed.latency_ms_p50 / row.speed.latency_ms_p50, 2) + "x";
  const auto& s = interleaved.throughput_speedup;
  return results::speedup_with_interval_text(s.median, s.low, s.high, s.measurable());
}

double mean_of(const std::vector<double>& values) {
  double sum = 0;
  for (const double value : values) sum += value;
  return values.empty() ? 0.0 : sum / static_cast<double>(values.size());
}

// The row's latency and throughput columns from its side-by-side rounds: a round's singles are
// summed, so per-sample latency is that sum over singles_per_round.
void fill_speed_from_rounds(results::SpeedSection& speed, const std::vector<double>& batch_ms,
                            const std::vector<double>& single_ms, const eval::InterleavedOptions& options) {
  const auto per_sample = static_cast<double>(options.singles_per_round);
  speed.latency_ms_p50 = eval::percentile(single_ms, 50) / per_sample;
  speed.latency_ms_p95 = eval::percentile(single_ms, 95) / per_sample;
  speed.latency_ms_mean = mean_of(single_ms) / per_sample;
  speed.batch_ms_mean = mean_of(batch_ms);
  speed.throughput_samples_s = 1000.0 * static_cast<double>(options.batch_size) / median_of(batch_ms);
  speed.batch_size = options.batch_size;
  speed.latency_samples = options.rounds * options.singles_per_round;
  speed.throughput_batches = options.rounds;
  speed.warmup = options.warmup;
  speed.threads = at::get_num_threads();
}

}  // namespace

VariantTable::VariantTable(BaselineContext& context, std::string experiment, torch::Device device, PathMapper recorded_path)
    : context_(context), experiment_(std::move(experiment)), device_(device), recorded_path_(std::move(recorded_path)) {}

void VariantTable::add_variant(const std::string& variant, const std::string& label,
                               model::EncoderClassifierImpl& model, const fs::path& model_dir,
                               const nlohmann::json& extra) {
  // With side-by-side timing on, a row's speed comes from those rounds alone (time_side_by_side):
  // timing it here too would double the cost and give a second, noisier latency for the same model.
  const bool side_by_side = context_.config.evaluation.timing_rounds > 0;
  // In a job only rank 0 times: the other ranks would run on the same cores at the same time.
  const bool time_here = !side_by_side && dist::is_rank_zero(context_.group);
  const auto measurement = measure_variant(model, model_dir, context_.data.test, context_.num_labels, context_.config,
                                           device_, time_here, context_.group);
  auto record = make_record(experiment_, variant, measurement, context_.config, device_);
  record.extra = extra;
  record.extra["model_dir"] = recorded_path_(model_dir).string();
  record.extra["label"] = label;
  predictions_.push_back(measurement.evaluation.predictions);
  if (predictions_.size() > 1) record.extra["paired_vs_baseline"] = paired(0, predictions_.size() - 1).to_json();
  spdlog::info("{} / {}: accuracy {:.4f}, F1 {:.4f}, {:.2f} MB{}", experiment_, variant, record.metrics.accuracy,
               record.metrics.f1, record.size.file_mb,
               side_by_side ? "" : fmt::format(", {:.3f} ms/sample (p50), {:.0f} samples/s", record.speed.latency_ms_p50,
                                               record.speed.throughput_samples_s));
  records_.push_back(std::move(record));
  labels_.push_back(label);
  model_dirs_.push_back(model_dir);
}

void VariantTable::time_side_by_side(const eval::InterleavedOptions& options) {
  if (options.rounds == 0 || records_.empty()) return;
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
    fill_speed_from_rounds(records_[i].speed, times.batch_ms[i], times.single_ms[i], options);
    records_[i].speed.device = device_.str();
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
