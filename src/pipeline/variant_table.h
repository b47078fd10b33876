// The comparison table of an experiment with several variants (FP32 baseline, INT8, pruned ...):
// every row measured the same way in the same process, ratios taken against the FP32 row, written
// as results.json, metrics.json, comparison.csv (the template's columns) and details.csv.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tpq/eval/interleaved_timing.h"
#include "tpq/eval/paired_comparison.h"
#include "pipeline/baseline_context.h"
#include "tpq/results/run_record.h"
#include "tpq/results/table.h"

namespace tpq::pipeline {

class VariantTable {
 public:
  // Rows record where their model will be once published: recorded_path(model_dir).
  using PathMapper = std::function<std::filesystem::path(const std::filesystem::path&)>;
  VariantTable(BaselineContext& context, std::string experiment, torch::Device device, PathMapper recorded_path);

  // Measures `model` (already saved in model_dir, whose bytes are its size) on `device`.
  void add_variant(const std::string& variant, const std::string& label, model::EncoderClassifierImpl& model,
                   const std::filesystem::path& model_dir, const nlohmann::json& extra = nlohmann::json::object());

  // Times every row side by side in alternating rounds (eval/interleaved_timing.h), each from its
  // saved files: a row's model in memory may have changed since (09 quantizes its pruned row's
  // model in place for the next row). Records each row's speed-ups against row 0 with intervals.
  void time_side_by_side(const eval::InterleavedOptions& options);

  const std::vector<results::RunRecord>& records() const { return records_; }
  // Row `candidate` against row `reference` on the same test examples (eval/paired_comparison.h).
  eval::PairedComparison paired(std::size_t reference, std::size_t candidate) const;

  // Template columns: 方法 | 准确率 | F1分数 | 模型大小 (MB) | 压缩比 | 推理时间 (ms) | 加速比
  results::Table comparison_table() const;
  // An experiment whose template table has other columns (e.g. 4.1.2) writes that table as
  // comparison.csv instead; rows are the caller's business.
  void set_comparison_table(results::Table table) { comparison_override_ = std::move(table); }
  // Everything measured per row: p50/p95 latency, throughput and its ratio, peak RSS, params, non-zeros,
  // and the paired accuracy change against the first row with its standard error.
  results::Table details_table() const;

  // Writes the files; metrics.json holds the primary variant's record plus "variants" (all rows).
  void write(const std::filesystem::path& output_dir, const std::string& primary_variant, const std::string& started_at,
             double wall_s, const nlohmann::json& experiment_extra) const;

 private:
  BaselineContext& context_;
  std::string experiment_;
  torch::Device device_;
  PathMapper recorded_path_;
  std::vector<results::RunRecord> records_;
  std::vector<std::string> labels_;
  std::vector<std::filesystem::path> model_dirs_;
  std::vector<std::vector<int64_t>> predictions_;
  std::optional<results::Table> comparison_override_;
};

}  // namespace tpq::pipeline
