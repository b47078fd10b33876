// Reads a results tree (results/<subdir>/metrics.json, one per finished experiment) for the
// comparison and the lab report. Numbers are taken as recorded, never recomputed; a directory
// without a readable, complete metrics.json is skipped with a warning (an unfinished run).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tpq::report {

struct ExperimentResult {
  std::string subdir;               // "dynamic_quant"
  std::filesystem::path dir;        // results/dynamic_quant
  nlohmann::json record;            // metrics.json as written
  std::vector<nlohmann::json> variants;  // record["variants"], or the record itself (baseline)

  const nlohmann::json* variant(const std::string& name) const;  // nullptr if absent
  // record["experiment_extra"], or an empty object.
  const nlohmann::json& experiment_extra() const;
};

struct ResultsTree {
  std::filesystem::path root;
  std::map<std::string, ExperimentResult> experiments;  // by subdir
  std::vector<std::string> warnings;                    // one line per skipped directory

  const ExperimentResult* find(const std::string& subdir) const;  // nullptr if not run
};

// Subdirectories whose metrics.json is not an experiment's table (the comparison's own output).
inline const char* const kComparisonSubdir = "comparison";

// Loads every results/<subdir>/metrics.json. A missing root is an empty tree (with a warning).
ResultsTree load_results_tree(const std::filesystem::path& root);

// "" if `record` has what a table row needs (experiment, variant, metrics.accuracy/f1,
// size.file_mb), else what is missing.
std::string record_problem(const nlohmann::json& record);

// Reads a number at a dotted path ("speed.latency_ms_per_sample_p50"); false if absent or not a number.
bool number_at(const nlohmann::json& record, const std::string& path, double& value);

}  // namespace tpq::report
