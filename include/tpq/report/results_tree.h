// Reads a results tree (results/<subdir>/metrics.json, one per finished experiment) for the
// comparison and the lab report. Numbers are taken as recorded, never recomputed; a directory
// without a readable, complete metrics.json is skipped with a warning (an unfinished run).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tpq/results/run_record.h"

namespace tpq::report {

struct ExperimentResult {
  std::string subdir;         // "dynamic_quant"
  std::filesystem::path dir;  // results/dynamic_quant
  results::ExperimentRecord record;  // metrics.json as written

  // Every row (the record itself for a run without a table, the baseline).
  const std::vector<results::RunRecord>& variants() const { return record.variants; }
  const results::RunRecord* variant(const std::string& name) const { return record.variant(name); }
  const nlohmann::json& experiment_extra() const { return record.experiment_extra; }
};

struct ResultsTree {
  std::filesystem::path root;
  std::map<std::string, ExperimentResult> experiments;  // by subdir
  // The same experiments rerun with other seeds (run_all --seeds N): results/seeds/<seed>/<subdir>,
  // by subdir, in seed order. The tables show the mean ± std over the main run and these.
  std::map<std::string, std::vector<ExperimentResult>> repeats;
  std::vector<std::string> warnings;                    // one line per skipped directory

  const ExperimentResult* find(const std::string& subdir) const;  // nullptr if not run
};

// Subdirectories whose metrics.json is not an experiment's table (the comparison's own output).
inline const char* const kComparisonSubdir = "comparison";
// Where run_all --seeds puts the reruns: <results>/seeds/<seed>/<subdir>.
inline const char* const kSeedsSubdir = "seeds";
// Where run_all --slurm --sparsity-sweep puts 07's jobs: <results>/parts/unstructured_pruning/sparsity-<pct>.
inline const char* const kPartsSubdir = "parts";

// Loads every results/<subdir>/metrics.json, and results/seeds/<seed>/<subdir>/metrics.json as
// repeats of the same experiments. A missing root is an empty tree (with a warning).
ResultsTree load_results_tree(const std::filesystem::path& root);

// Reads a number at a dotted path ("speed.latency_ms_per_sample_p50"); false if absent or not a number.
bool number_at(const nlohmann::json& record, const std::string& path, double& value);

}  // namespace tpq::report
