// The comparison's PNG charts (gnuplot through results/chart.h): accuracy, size and speed bars,
// a normalised radar, accuracy vs size with the Pareto front, 07's sparsity curve, 08's history,
// and a one-page dashboard. A chart whose experiment was not run is not drawn (and says why).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tpq/report/comparison.h"

namespace tpq::report {

struct ChartOutcome {
  std::vector<std::filesystem::path> drawn;
  std::vector<std::string> skipped;  // "sparsity_vs_accuracy.png: results/unstructured_pruning not run"
};

ChartOutcome draw_comparison_charts(const ResultsTree& tree, const std::vector<SummaryRow>& rows,
                                    const std::vector<std::size_t>& pareto, const std::filesystem::path& output_dir);

// The short ASCII name a chart shows for a row ("dyn:int8_dynamic_per_channel"); charts carry no
// CJK text because gnuplot's fonts here have no CJK glyphs.
std::string chart_name(const SummaryRow& row);

}  // namespace tpq::report
