#include "tpq/report/results_tree.h"

#include <sstream>

#include <spdlog/spdlog.h>

#include "tpq/core/error.h"
#include "tpq/io/atomic_file.h"

namespace tpq::report {
namespace fs = std::filesystem;

const nlohmann::json* ExperimentResult::variant(const std::string& name) const {
  for (const auto& row : variants) {
    if (row.value("variant", "") == name) return &row;
  }
  return nullptr;
}

const nlohmann::json& ExperimentResult::experiment_extra() const {
  static const nlohmann::json empty = nlohmann::json::object();
  const auto it = record.find("experiment_extra");
  return it != record.end() && it->is_object() ? *it : empty;
}

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

std::string record_problem(const nlohmann::json& record) {
  if (!record.is_object()) return "not a JSON object";
  for (const char* key : {"experiment", "variant"}) {
    if (!record.contains(key) || !record[key].is_string()) return std::string("no string \"") + key + "\"";
  }
  double value = 0;
  for (const char* path : {"metrics.accuracy", "metrics.f1", "size.file_mb"}) {
    if (!number_at(record, path, value)) return std::string("no number at ") + path;
  }
  return "";
}

namespace {

// The record and its rows, or a reason to skip the directory.
std::string read_experiment(const fs::path& metrics_path, ExperimentResult& result) {
  try {
    result.record = io::read_json_file(metrics_path);
  } catch (const UserError& error) {
    return error.what();
  }
  if (const auto problem = record_problem(result.record); !problem.empty()) return problem;
  if (!result.record.contains("variants")) {
    result.variants = {result.record};
    return "";
  }
  if (!result.record["variants"].is_array() || result.record["variants"].empty()) return "\"variants\" is not a non-empty array";
  for (const auto& row : result.record["variants"]) {
    if (const auto problem = record_problem(row); !problem.empty()) return "a variant has " + problem;
    result.variants.push_back(row);
  }
  return "";
}

}  // namespace

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
    if (subdir == kComparisonSubdir || subdir.front() == '.') continue;
    const fs::path metrics = entry.path() / "metrics.json";
    if (!fs::exists(metrics)) {
      warn("skipping " + entry.path().string() + ": no metrics.json (unfinished run)");
      continue;
    }
    ExperimentResult result;
    result.subdir = subdir;
    result.dir = entry.path();
    if (const auto problem = read_experiment(metrics, result); !problem.empty()) {
      warn("skipping " + metrics.string() + ": " + problem);
      continue;
    }
    tree.experiments.emplace(subdir, std::move(result));
  }
  return tree;
}

}  // namespace tpq::report
