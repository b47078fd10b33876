#include "tpq/pipeline/sweep_parts.h"

#include <algorithm>
#include <map>
#include <set>

#include <unistd.h>

#include "pipeline/unstructured_tables.h"
#include "tpq/core/error.h"
#include "tpq/io/atomic_file.h"
#include "tpq/io/staged_directory.h"
#include "tpq/results/experiment_catalogue.h"

namespace tpq::pipeline {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct Part {
  fs::path dir;
  results::ExperimentRecord record;
};

const std::string& unstructured_subdir() {
  return results::catalogue_entry(results::ExperimentId::UnstructuredPruning).results_dir;
}

Part read_part(const fs::path& dir) {
  const fs::path metrics = dir / "metrics.json";
  require(fs::is_regular_file(metrics), "part " + dir.string() +
                                            " has no metrics.json: its job did not finish; rerun it, then merge again");
  Part part{dir, results::read_experiment_record(metrics)};
  require(part.record.has_table && part.record.primary.experiment == unstructured_subdir(),
          "part " + dir.string() + " is not a result of 07_unstructured_pruning (experiment '" +
              part.record.primary.experiment + "'): only 07's sparsity list is split into parts");
  require(!part.record.variants.empty() && part.record.variants.front().variant == "fp32",
          "part " + dir.string() + ": its first row is not the FP32 baseline; was metrics.json edited?");
  return part;
}

// The configuration a part ran with, minus what may differ between the parts of one sweep.
json comparable_config(const results::RunRecord& record) {
  json flat = record.config.flatten();
  for (auto it = flat.begin(); it != flat.end();) {
    const std::string& key = it.key();
    const bool varies = key.rfind("/pruning/sparsities", 0) == 0 || key.find("output_dir") != std::string::npos ||
                        key.rfind("/runtime", 0) == 0;
    it = varies ? flat.erase(it) : std::next(it);
  }
  return flat;
}

// The first setting where two parts differ, as "run/seed (42 vs 43)"; empty when none does. A config
// records the settings given, so a key one part lacks is that part running the default.
std::string first_difference(const json& a, const json& b) {
  for (const auto& [key, value] : a.items()) {
    const auto other = b.find(key);
    if (other == b.end()) return key.substr(1) + " (" + value.dump() + " vs the default)";
    if (*other != value) return key.substr(1) + " (" + value.dump() + " vs " + other->dump() + ")";
  }
  for (const auto& [key, value] : b.items()) {
    if (!a.contains(key)) return key.substr(1) + " (the default vs " + value.dump() + ")";
  }
  return {};
}

void require_one_configuration(const std::vector<Part>& parts) {
  const json first = comparable_config(parts.front().record.primary);
  for (std::size_t i = 1; i < parts.size(); ++i) {
    const std::string difference = first_difference(first, comparable_config(parts[i].record.primary));
    require(difference.empty(), "parts " + parts.front().dir.string() + " and " + parts[i].dir.string() +
                                    " ran with different settings: " + difference +
                                    "; merge only the parts of one sweep (they may differ in pruning.sparsities alone)");
  }
}

PrunedRow pruned_row_of(const results::RunRecord& record, const fs::path& part) {
  const json pruning = record.extra.value("pruning", json::object());
  require(pruning.is_object() && pruning.value("scope", json()).is_string() && pruning.value("target_sparsity", json()).is_number() &&
              record.extra.value("dense_file_bytes", json()).is_number_unsigned(),
          "part " + part.string() + ", row " + record.variant +
              ": extra.pruning.scope, extra.pruning.target_sparsity or extra.dense_file_bytes is missing or not a value of "
              "its kind; was metrics.json edited? Rerun that part");
  PrunedRow row;
  row.scope = prune::parse_scope(pruning["scope"].get<std::string>(), "extra.pruning.scope");
  row.target = pruning["target_sparsity"].get<double>();
  row.actual = pruning.value("actual_sparsity", json()).is_number() ? pruning["actual_sparsity"].get<double>() : 0.0;
  row.label = record.label();
  row.file_bytes = record.size.file_bytes;
  row.dense_file_bytes = record.extra["dense_file_bytes"].get<uint64_t>();
  return row;
}

struct MergedRows {
  std::vector<results::RunRecord> records;  // the first part's FP32 row, then the pruned rows
  std::vector<PrunedRow> rows;              // rows[i] describes records[i + 1]
};

// Every pruned row of every part, ordered as one run orders them (global before local, then by
// sparsity), after the first part's FP32 row. Each row names the part it was measured and timed in.
MergedRows collect_rows(const std::vector<Part>& parts) {
  std::vector<std::pair<PrunedRow, results::RunRecord>> pruned;
  std::map<std::string, fs::path> seen;
  for (const auto& part : parts) {
    for (std::size_t i = 1; i < part.record.variants.size(); ++i) {
      auto record = part.record.variants[i];
      const auto [where, fresh] = seen.emplace(record.variant, part.dir);
      require(fresh, "row " + record.variant + " is in parts " + where->second.string() + " and " + part.dir.string() +
                         ": each sparsity belongs to one part; remove the stale part and merge again");
      record.extra["measured_in_part"] = part.dir.string();
      pruned.emplace_back(pruned_row_of(record, part.dir), std::move(record));
    }
  }
  std::stable_sort(pruned.begin(), pruned.end(), [](const auto& a, const auto& b) {
    const bool a_local = a.first.scope != prune::Scope::Global, b_local = b.first.scope != prune::Scope::Global;
    return a_local != b_local ? b_local : a.first.target < b.first.target;
  });
  MergedRows merged;
  merged.records.push_back(parts.front().record.variants.front());
  for (auto& [row, record] : pruned) {
    merged.rows.push_back(row);
    merged.records.push_back(std::move(record));
  }
  return merged;
}

json merged_extra(const std::vector<Part>& parts, const MergedRows& merged) {
  json extra = parts.front().record.experiment_extra;
  std::set<double> sparsities;
  for (const auto& row : merged.rows) sparsities.insert(row.target);
  extra["sparsities"] = std::vector<double>(sparsities.begin(), sparsities.end());
  json dirs = json::array();
  for (const auto& part : parts) dirs.push_back(part.dir.string());
  extra["merged_parts"] = dirs;
  if (!extra["notes"].is_array()) extra["notes"] = json::array();
  extra["notes"].push_back("Merged from " + std::to_string(parts.size()) +
                           " jobs of one sparsity sweep (tpq merge-parts): each pruned row was measured and timed side by "
                           "side with the FP32 row of its own job (extra.measured_in_part); the FP32 row shown is the first job's.");
  return extra;
}

// Writes the merged result into a staging directory beside `output`, then publishes it there.
void publish_merged(const std::vector<Part>& parts, const MergedRows& merged, const std::string& primary,
                    const fs::path& output) {
  results::ExperimentRecord record;
  record.has_table = true;
  record.variants = merged.records;
  record.experiment_extra = merged_extra(parts, merged);
  for (const auto& row : merged.records) {
    if (row.variant == primary) record.primary = row;
  }
  const double baseline_actual = record.experiment_extra.value("baseline_prunable_sparsity", 0.0);
  const auto table = sparsity_table(merged.records, merged.rows, baseline_actual);
  if (!output.parent_path().empty()) fs::create_directories(output.parent_path());
  io::clean_stale_staging(output);
  const fs::path staging = io::staging_path(output, getpid());
  try {
    fs::create_directories(staging);
    table.write_csv(staging / "comparison.csv");
    io::write_json_atomic(staging / "results.json", {{"experiment", unstructured_subdir()},
                                                     {"table", table.to_markdown()},
                                                     {"variants", results::to_json(record)["variants"]},
                                                     {"extra", record.experiment_extra}});
    if (fs::exists(parts.front().dir / "config.json")) fs::copy_file(parts.front().dir / "config.json", staging / "config.json");
    draw_sparsity_chart(merged.records, merged.rows, staging / "sparsity_accuracy.png");
    results::write_record(staging / "metrics.json", record);
    io::replace_directory_contents(staging, output, "metrics.json");
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(staging, ignored);
    throw;
  }
}

}  // namespace

MergedParts merge_sparsity_parts(const std::vector<fs::path>& part_dirs, const fs::path& output) {
  require(!part_dirs.empty(), "no parts to merge: give the part directories (e.g. results/parts/unstructured_pruning/*)");
  std::vector<Part> parts;
  for (const auto& dir : part_dirs) {
    require(fs::weakly_canonical(dir) != fs::weakly_canonical(output),
            "--output " + output.string() + " is one of the parts: merge into another directory");
    parts.push_back(read_part(dir));
  }
  require_one_configuration(parts);
  const MergedRows merged = collect_rows(parts);
  require(!merged.rows.empty(), "the parts hold no pruned rows: nothing to merge");
  const std::string primary = primary_pruned_variant(merged.rows, merged.rows.front().scope);
  publish_merged(parts, merged, primary, output);
  return {parts.size(), merged.rows.size(), primary};
}

}  // namespace tpq::pipeline
