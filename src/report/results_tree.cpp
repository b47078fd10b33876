#include "tpq/report/results_tree.h"

#include <sstream>

#include <spdlog/spdlog.h>

#include "tpq/core/error.h"
#include "tpq/io/atomic_file.h"

namespace tpq::report {
namespace fs = std::filesystem;

const ExperimentResult* ResultsTree::find(const std::string& subdir) const {
  const auto it = experiments.find(subdir);
  return it == experiments.end() ? nullptr : &it->second;
}

bool number_at(const nlohmann::json& record, const std::string& path, double& value) {
  const nlohmann::json* node = &record;
  std::stringstream parts(path);
  std::string key;
  while (std::getline(parts, key, '.')) {
    if (!node->is_object()) return false;
    const auto it = node->find(key);
    if (it == node->end()) return false;
    node = &*it;
  }
  if (!node->is_number()) return false;
  value = node->get<double>();
  return true;
}

ResultsTree load_results_tree(const fs::path& root) {
  ResultsTree tree;
  tree.root = root;
  auto warn = [&](const std::string& line) {
    spdlog::warn("{}", line);
    tree.warnings.push_back(line);
  };
  if (!fs::is_directory(root)) {
    warn("results directory " + root.string() + " does not exist: nothing to compare");
    return tree;
  }
  for (const auto& entry : fs::directory_iterator(root)) {
    if (!entry.is_directory()) continue;
    const std::string subdir = entry.path().filename().string();
    // bench/ holds `tpq bench` at bert-base shape (run_all): not an experiment, read by the report itself.
    if (subdir == kComparisonSubdir || subdir == "bench" || subdir.front() == '.') continue;
    const fs::path metrics = entry.path() / "metrics.json";
    if (!fs::exists(metrics)) {
      warn("skipping " + entry.path().string() + ": no metrics.json (unfinished run)");
      continue;
    }
    ExperimentResult result;
    result.subdir = subdir;
    result.dir = entry.path();
    try {
      result.record = results::read_experiment_record(metrics);
    } catch (const UserError& error) {
      warn("skipping " + metrics.string() + ": " + error.what());
      continue;
    }
    tree.experiments.emplace(subdir, std::move(result));
  }
  return tree;
}

}  // namespace tpq::report
