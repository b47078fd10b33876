// Experiment 10: the comprehensive comparison. Reads every finished experiment under the results
// directory (measures nothing) and writes summary_table.csv, summary_report.md, the charts, and
// metrics.json (last, so run_all can resume it).
#pragma once

#include <filesystem>

#include "tpq/pipeline/experiment.h"

namespace tpq::pipeline {

struct ComparisonOptions {
  std::filesystem::path results_dir = "results";  // unless given: the parent of the output dir
  double max_accuracy_drop_points = 1.0;  // the "acceptable" drop for the best-compression/trade-off picks
};

// Reads the `comparison:` config section (results_dir, max_accuracy_drop_points).
ComparisonOptions comparison_options(const ExperimentConfig& config);

ExperimentDefinition comprehensive_comparison_definition();

}  // namespace tpq::pipeline
