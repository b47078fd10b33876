// Checks of the paired comparisons an experiment records (eval::PairedComparison::to_json in
// metrics.json, and the paired columns of details.csv) against the rows' own confusion matrices:
// numbers a reader can recount, so a wrong count, sign or unit shows.
#pragma once

#include <cstdint>
#include <filesystem>

#include <nlohmann/json.hpp>

namespace tpq::testing {

double accuracy_of(const nlohmann::json& row);
int64_t correct_of(const nlohmann::json& row);  // trace of the row's confusion matrix

// `paired` compares `candidate` with `reference` (two classes, kToyTestExamples examples): its
// counts add up to their confusion matrices, its difference is theirs, and its standard error
// is that of the mean of the per-example differences d in {-1, 0, 1}.
void expect_paired_record_matches_rows(const nlohmann::json& paired, const nlohmann::json& reference,
                                       const nlohmann::json& candidate);

// details.csv: per row, the change against the first row and its standard error in points (two
// decimals) and the changed predictions, as `rows` (metrics.json "variants") record them.
void expect_details_csv_matches(const std::filesystem::path& csv, const nlohmann::json& rows);

}  // namespace tpq::testing
