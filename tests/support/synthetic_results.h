// Synthetic results trees following the results contract (results/<subdir>/metrics.json), for
// testing the comparison and the lab report without running any experiment. Numbers are made up
// here and only here; tests check that they come out unchanged.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tpq::testing {

// One record: accuracy, F1 = accuracy - 0.01, file_mb, p50 latency; `extra` as given (label added).
nlohmann::json synthetic_record(const std::string& experiment, const std::string& variant, double accuracy, double file_mb,
                                double latency_ms, nlohmann::json extra = nlohmann::json::object());

// Writes root/<subdir>/metrics.json: the primary's record + "variants" + "experiment_extra".
void write_synthetic_experiment(const std::filesystem::path& root, const std::string& subdir, const std::string& primary,
                                const std::vector<nlohmann::json>& variants,
                                const nlohmann::json& experiment_extra = nlohmann::json::object());

// baseline (single record, config.json, dataset_stats.json) + dynamic_quant + static_quant:
// the small tree whose summary rows and Pareto front are checked by hand in the comparison test.
void write_small_results_tree(const std::filesystem::path& root);

// Every experiment 01-09 with the contract's keys (adds qat, mixed_precision, pruning, combined).
void write_full_results_tree(const std::filesystem::path& root);

}  // namespace tpq::testing
