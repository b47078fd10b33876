// The table (template 4.1.2) and the sparsity chart of experiment 07, made from measured rows. 07
// writes them after its own run; `tpq merge-parts` rebuilds them from the rows of a sparsity list
// that ran as separate jobs (run_all.sh --slurm --sparsity-sweep), so both read the same way.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tpq/prune/magnitude.h"
#include "tpq/results/run_record.h"
#include "tpq/results/table.h"

namespace tpq::pipeline {

// One measured pruned row: records[i + 1] of the table belongs to rows[i] (records[0] is FP32).
struct PrunedRow {
  prune::Scope scope = prune::Scope::Global;
  double target = 0;
  double actual = 0;
  std::string label;
  uint64_t file_bytes = 0;        // the compressed save
  uint64_t dense_file_bytes = 0;  // the same model saved densely
};

// "50", "12.5": a sparsity as the row names and labels print it.
std::string sparsity_percent_text(double fraction);
std::string pruned_variant_name(prune::Scope scope, double target);  // "global_50"
std::string pruned_row_label(prune::Scope scope, double target);     // "50% (全局)"

// The headline row: the one nearest 50 % sparsity, of `first_scope` on a tie.
std::string primary_pruned_variant(const std::vector<PrunedRow>& rows, prune::Scope first_scope);

// Template 4.1.2 columns, then scope, compressed vs dense size and latency. The speed-up is each row's
// own, timed side by side with the FP32 row of its run.
results::Table sparsity_table(const std::vector<results::RunRecord>& records, const std::vector<PrunedRow>& rows,
                              double baseline_actual);

// Accuracy and size against the target sparsity, one curve per scope (needs gnuplot; warns without).
void draw_sparsity_chart(const std::vector<results::RunRecord>& records, const std::vector<PrunedRow>& rows,
                         const std::filesystem::path& png);

}  // namespace tpq::pipeline
