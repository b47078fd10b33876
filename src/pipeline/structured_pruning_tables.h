// The result tables and heat map of experiment 06 (structured pruning), in the lab-report
// template's columns: heads_table.csv, ffn_table.csv, fine_tuning_table.csv, heads_heatmap.png.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tpq/prune/head_importance.h"
#include "tpq/prune/head_pruning.h"
#include "tpq/results/run_record.h"

namespace tpq::pipeline {

struct BeforeAfter {
  std::string variant;
  std::string label;
  double accuracy_before = 0, f1_before = 0;
  double accuracy_after = 0, f1_after = 0;
};

nlohmann::json before_after_json(const std::vector<BeforeAfter>& rows);

// records: the VariantTable rows (fp32 first, then heads_* / ffn_* / heads_*_ffn_* with extra.pruning).
void write_structured_pruning_tables(const std::vector<results::RunRecord>& records, const std::vector<BeforeAfter>& fine_tuning,
                                     const std::filesystem::path& output_dir);

// Importance per layer (rows) and original head (columns), the removed heads marked; skipped with
// a warning when gnuplot is absent (the numbers are in metrics.json either way).
void draw_head_heatmap(const prune::HeadScores& scores, const prune::HeadSelection& removed, const std::string& method,
                       const std::filesystem::path& png);

}  // namespace tpq::pipeline
