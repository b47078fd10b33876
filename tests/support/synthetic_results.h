// Synthetic results trees following the results contract (results/<subdir>/metrics.json), for
// testing the comparison and the lab report without running any experiment. Numbers are made up
// here and only here; tests check that they come out unchanged.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tpq::testing {

// Every synthetic test set has this many examples, half of each class.
inline constexpr int64_t kSyntheticTestExamples = 2000;

// A 2x2 confusion matrix over kSyntheticTestExamples whose trace / total is `accuracy`
// (a multiple of 1/2000), with the correct predictions split evenly between the classes.
nlohmann::json synthetic_confusion_matrix(double accuracy);

// One record: accuracy (with its confusion matrix), F1 = accuracy - 0.01, file_mb, p50 latency;
// `extra` as given (label added).
nlohmann::json synthetic_record(const std::string& experiment, const std::string& variant, double accuracy, double file_mb,
                                double latency_ms, nlohmann::json extra = nlohmann::json::object());

// A paired comparison as eval::PairedComparison::to_json records it (the fields the report reads).
nlohmann::json synthetic_paired(double accuracy_difference, double standard_error);

// Writes root/<subdir>/metrics.json: the primary's record + "variants" + "experiment_extra".
void write_synthetic_experiment(const std::filesystem::path& root, const std::string& subdir, const std::string& primary,
                                const std::vector<nlohmann::json>& variants,
                                const nlohmann::json& experiment_extra = nlohmann::json::object());

// baseline (single record, config.json, dataset_stats.json) + dynamic_quant + static_quant:
// the small tree whose summary rows and Pareto front are checked by hand in the comparison test.
void write_small_results_tree(const std::filesystem::path& root);

// Every experiment 01-09 with the contract's keys (adds qat, mixed_precision, pruning, combined).
// qat records its paired QAT-vs-PTQ comparison (1.8 +- 0.6 points); combined its winner margin.
void write_full_results_tree(const std::filesystem::path& root);

}  // namespace tpq::testing
