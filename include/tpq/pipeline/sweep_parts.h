// Merges the parts of a sparsity sweep into one experiment result. On Slurm, run_all.sh --slurm
// --sparsity-sweep runs experiment 07 once per sparsity, as separate array elements, each into its
// own directory (<results>/parts/unstructured_pruning/sparsity-<pct>). `tpq merge-parts` then writes
// <results>/unstructured_pruning as one run with the whole list would: every row, the 4.1.2 table,
// the chart, the headline row, so the comparison and the report read it like any other result.
#pragma once

#include <filesystem>
#include <vector>

namespace tpq::pipeline {

struct MergedParts {
  std::size_t parts = 0;
  std::size_t rows = 0;  // pruned rows, FP32 not counted
  std::string primary_variant;
};

// Reads every part's metrics.json; checks they are 07 runs of one configuration (seed, model,
// scope, ...) that differ only in pruning.sparsities and share no row; then publishes the merged
// result into `output` (staged beside it: a failed merge leaves an earlier result as it was).
// UserError naming the part and the problem otherwise.
MergedParts merge_sparsity_parts(const std::vector<std::filesystem::path>& parts, const std::filesystem::path& output);

}  // namespace tpq::pipeline
