#include "tpq/report/results_tree.h"

#include <algorithm>
#include <functional>
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

namespace {

using Warn = std::function<void(const std::string&)>;

// Every <dir>/<subdir>/metrics.json that reads as an experiment record, by subdir.
std::map<std::string, ExperimentResult> load_experiments(const fs::path& dir, const Warn& warn) {
  std::map<std::string, ExperimentResult> experiments;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_directory()) continue;
    const std::string subdir = entry.path().filename().string();
    // bench/ and deploy/ hold `tpq bench` and the ONNX Runtime comparison at bert-base shape (run_all):
    // not experiments, read by the report itself; slurm/ holds run_all --slurm's job scripts and logs.
    // parts/ holds the jobs of a sparsity sweep; `tpq merge-parts` writes their merged result beside it.
    if (subdir == kComparisonSubdir || subdir == kSeedsSubdir || subdir == kPartsSubdir || subdir == "bench" || subdir == "deploy" || subdir == "slurm" ||
        subdir.front() == '.')
      continue;
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
    experiments.emplace(subdir, std::move(result));
  }
  return experiments;
}

// results/seeds/<seed>/: numeric names in numeric order; anything else is not a seed run.
std::vector<fs::path> seed_dirs(const fs::path& root, const Warn& warn) {
  std::vector<std::pair<long long, fs::path>> found;
  const fs::path seeds = root / kSeedsSubdir;
  if (!fs::is_directory(seeds)) return {};
  for (const auto& entry : fs::directory_iterator(seeds)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory() || name.empty() || name.find_first_not_of("0123456789") != std::string::npos || name.size() > 18) {
      warn("skipping " + entry.path().string() + ": not a seed directory (results/seeds/<seed>)");
      continue;
    }
    found.emplace_back(std::stoll(name), entry.path());
  }
  std::sort(found.begin(), found.end());
  std::vector<fs::path> dirs;
  for (auto& [seed, dir] : found) dirs.push_back(std::move(dir));
  return dirs;
}

}  // namespace

ResultsTree load_results_tree(const fs::path& root) {
  ResultsTree tree;
  tree.root = root;
  const Warn warn = [&](const std::string& line) {
    spdlog::warn("{}", line);
    tree.warnings.push_back(line);
  };
  if (!fs::is_directory(root)) {
    warn("results directory " + root.string() + " does not exist: nothing to compare");
    return tree;
  }
  tree.experiments = load_experiments(root, warn);
  for (const auto& dir : seed_dirs(root, warn)) {
    for (auto& [subdir, result] : load_experiments(dir, warn)) tree.repeats[subdir].push_back(std::move(result));
  }
  return tree;
}

}  // namespace tpq::report
